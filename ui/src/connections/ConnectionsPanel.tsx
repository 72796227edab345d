import { useEffect, useMemo, useState, type FormEvent } from "react";
import type { Connection } from "../bindings/Connection";
import type { KindInfo } from "../bindings/KindInfo";
import type { SavedConnection } from "../bindings/SavedConnection";
import type { Task } from "../bindings/Task";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { formatCell } from "../common/format";
import { Modal } from "../common/Modal";
import { isRunning } from "../tasks/taskList";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import {
  EVERY_CHOICES,
  emptyForm,
  fieldsOf,
  formOf,
  formProblem,
  pullOutcome,
  scheduleText,
  secretPlace,
  toNewConnection,
  withKind,
  type ConnectionForm,
  type Field,
} from "./connectionForm";

interface Props {
  /** The window's tasks: a pull under way shows its progress on its connection. */
  tasks: Task[];
  onClose: () => void;
  /** A pull was started: the tray follows it. */
  onPullStarted: (task: Task) => void;
  onCancelTask: (id: number) => void;
}

const FIELD_LABELS: Record<Field, string> = {
  merchantId: "Merchant id",
  clientId: "Client id",
  tokenUrl: "Token URL",
  scope: "Scopes",
  productsPath: "Products path",
};

const time = (t: string | null) => (t ? formatCell("time", t).text : "");

function ConnectionCard({
  c,
  kinds,
  live,
  justSaved,
  onEdit,
  onChanged,
  onPullStarted,
  onCancelTask,
}: {
  c: Connection;
  kinds: KindInfo[];
  live: Task | undefined;
  /** Saved a moment ago: its "Pull now" takes the focus the form had. */
  justSaved: boolean;
  onEdit: () => void;
  onChanged: () => void;
  onPullStarted: (t: Task) => void;
  onCancelTask: (id: number) => void;
}) {
  const transport = useTransport();
  const [said, setSaid] = useState<{ text: string; bad: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const kind = kinds.find((k) => k.kind === c.kind);
  const last = live?.pull ?? c.last_pull;

  const test = () => {
    setBusy(true);
    setSaid({ text: "Testing…", bad: false });
    call(transport, { command: "test_connection", args: { name: c.name } })
      .then((text) => setSaid({ text: `Test: ${text}`, bad: false }))
      .catch((e: unknown) => setSaid({ text: `Test failed: ${errorText(e)}`, bad: true }))
      .finally(() => setBusy(false));
  };
  const pullNow = () => {
    setSaid(null);
    call(transport, { command: "start_pull", args: { name: c.name } })
      .then(onPullStarted)
      .catch((e: unknown) => setSaid({ text: errorText(e), bad: true }));
  };
  const remove = () =>
    call(transport, { command: "remove_connection", args: { name: c.name } })
      .then(onChanged)
      .catch((e: unknown) => setSaid({ text: errorText(e), bad: true }));

  return (
    <section className="connection-card" aria-label={`Connection ${c.name}`}>
      <div className="connection-head">
        <h3>{c.name}</h3>
        <span className="muted">{kind?.label ?? c.kind}</span>
      </div>
      <p className="muted connection-facts">
        {c.base_url} · {scheduleText(c)}
        {c.next_run_at && c.every_minutes !== null && ` · next ${time(c.next_run_at)}`} ·{" "}
        {secretPlace(c)}
      </p>
      <p
        className={`pull-outcome ${last?.status === "failed" ? "error-text" : ""}`}
        role="status"
        aria-label={`Last pull of ${c.name}`}
      >
        {last ? (
          <>
            {pullOutcome(last)}
            {last.finished_at && <span className="muted"> · {time(last.finished_at)}</span>}
            {last.scheduled && <span className="muted"> (scheduled)</span>}
          </>
        ) : (
          <span className="muted">Never pulled. The first pull starts at {time(c.since)}.</span>
        )}
      </p>
      {live && isRunning(live) && (
        <progress
          aria-label={`Progress of the pull of ${c.name}`}
          max={live.progress.total ?? undefined}
          value={live.progress.total ? live.progress.done : undefined}
        />
      )}
      {said && (
        <p className={said.bad ? "error-text" : "ok-text"} role="status">
          {said.text}
        </p>
      )}
      <div className="connection-actions">
        {live && isRunning(live) ? (
          <button type="button" onClick={() => onCancelTask(live.id)}>
            Stop pulling
          </button>
        ) : (
          <button type="button" onClick={pullNow} autoFocus={justSaved}>
            Pull now
          </button>
        )}
        <button type="button" onClick={test} disabled={busy}>
          Test
        </button>
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        {confirming ? (
          <span className="confirm-inline" role="group" aria-label={`Remove ${c.name}?`}>
            Remove {c.name} and forget its secret? What it pulled stays.{" "}
            <button type="button" onClick={() => setConfirming(false)} autoFocus>
              Keep
            </button>
            <button type="button" className="danger" onClick={() => void remove()}>
              Remove
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Remove…
          </button>
        )}
      </div>
    </section>
  );
}

type Kinds = [KindInfo, ...KindInfo[]];

function ConnectionEditor({
  kinds,
  editing,
  onSaved,
  onCancel,
}: {
  kinds: Kinds;
  /** The connection being edited; null adds one. */
  editing: Connection | null;
  onSaved: (saved: SavedConnection) => void;
  onCancel: (() => void) | null;
}) {
  const transport = useTransport();
  const [form, setForm] = useState<ConnectionForm>(() =>
    editing ? formOf(editing) : emptyForm(kinds[0]),
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const kind = kinds.find((k) => k.kind === form.kind) ?? kinds[0];
  const set = (patch: Partial<ConnectionForm>) => setForm((f) => ({ ...f, ...patch }));
  const problem = formProblem(form, kind, editing !== null);

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    const connection = toNewConnection(form);
    const secret = form.secret.trim();
    const request = editing
      ? call(transport, {
          command: "edit_connection",
          args: { name: editing.name, connection, secret: secret === "" ? null : secret },
        })
      : call(transport, { command: "add_connection", args: { connection, secret } });
    request
      .then(onSaved)
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setBusy(false));
  };

  const input = (label: string, key: keyof ConnectionForm, extra?: { placeholder?: string }) => (
    <label>
      <span>{label}</span>
      <input
        type="text"
        value={form[key]}
        onChange={(e) => set({ [key]: e.target.value })}
        placeholder={extra?.placeholder}
        spellCheck={false}
      />
    </label>
  );

  return (
    <form
      className="connection-form"
      aria-label={editing ? `Edit ${editing.name}` : "New connection"}
      onSubmit={save}
    >
      <h3>{editing ? `Edit ${editing.name}` : "Add a connection"}</h3>
      <div className="connection-fields">
        <label>
          <span>Pulls from</span>
          {/* The form appears after the panel opened (or on a click): it takes the keys. */}
          <select
            autoFocus
            value={form.kind}
            onChange={(e) => {
              const to = kinds.find((k) => k.kind === e.target.value);
              if (to) setForm((f) => withKind(f, kind, to));
            }}
          >
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        {input("Name", "name", { placeholder: "e.g. Main warehouse" })}
        {input("Base URL", "baseUrl")}
        {fieldsOf(form.kind).map((f) => (
          <div key={f}>
            {input(FIELD_LABELS[f], f, {
              placeholder: f === "productsPath" ? "products/inventory" : undefined,
            })}
          </div>
        ))}
        <label>
          <span>{kind.secret_name.charAt(0).toUpperCase() + kind.secret_name.slice(1)}</span>
          <input
            type="password"
            autoComplete="off"
            value={form.secret}
            onChange={(e) => set({ secret: e.target.value })}
            placeholder={editing ? "unchanged unless typed" : ""}
          />
        </label>
        <label>
          <span>First pull from</span>
          <input
            type="date"
            value={form.since}
            onChange={(e) => set({ since: e.target.value })}
            aria-describedby="since-hint"
          />
        </label>
        <label>
          <span>Pull</span>
          <select value={form.every} onChange={(e) => set({ every: e.target.value })}>
            {EVERY_CHOICES.some((c) => c.value === form.every) ? null : (
              <option value={form.every}>Every {form.every}</option>
            )}
            {EVERY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted" id="since-hint">
        Empty start: 90 days back. Scheduled pulls run while Invlog is open (the app or{" "}
        <code>invlog serve</code>); for cron: <code>invlog pull</code>. The secret goes to the OS
        keyring, never into the store.
      </p>
      <ErrorMessage error={error} />
      <div className="connection-actions">
        <button type="submit" className="primary" disabled={busy}>
          {editing ? "Save" : "Add connection"}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** The APIs Invlog pulls logs from: add, edit, test, remove, pull now, and how each went. */
export function ConnectionsPanel({ tasks, onClose, onPullStarted, onCancelTask }: Props) {
  const transport = useTransport();
  const [connections, setConnections] = useState<Connection[] | null>(null);
  const [kinds, setKinds] = useState<Kinds | null>(null);
  const [editing, setEditing] = useState<Connection | "new" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [saved, setSaved] = useState<number | null>(null);
  const onSaved = (s: SavedConnection) => {
    setNotice(s.note);
    setEditing(null);
    setSaved(s.connection.id);
    setVersion((v) => v + 1);
  };
  // A pull that ends changes its connection's last pull and cursor.
  const pullsEnded = useMemo(
    () => tasks.filter((t) => t.kind === "pull" && !isRunning(t)).length,
    [tasks],
  );

  useEffect(() => {
    call(transport, { command: "connection_kinds" })
      .then((k) => {
        const [first, ...rest] = k;
        if (first) setKinds([first, ...rest]);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport]);
  useEffect(() => {
    call(transport, { command: "connections" })
      .then(setConnections)
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport, version, pullsEnded]);

  const liveOf = (c: Connection) =>
    tasks.find((t) => t.kind === "pull" && t.pull?.connection_id === c.id && isRunning(t)) ??
    tasks.find((t) => t.kind === "pull" && t.pull?.connection_id === c.id);
  const adding = editing === "new" || (connections !== null && connections.length === 0);

  return (
    <Modal title="Connections" onClose={onClose} wide>
      <p className="muted">
        Invlog pulls Logitrail and ShipHero logs straight from their APIs: each pull adds only what
        is new and updates what changed.
      </p>
      <ErrorMessage error={error} />
      {notice && (
        <p className="warn" role="status">
          {notice}
        </p>
      )}
      {connections === null || kinds === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <div className="connection-list">
            {connections.map((c) =>
              editing !== null && editing !== "new" && editing.id === c.id ? (
                <ConnectionEditor
                  key={c.id}
                  kinds={kinds}
                  editing={c}
                  onCancel={() => setEditing(null)}
                  onSaved={onSaved}
                />
              ) : (
                <ConnectionCard
                  key={c.id}
                  c={c}
                  kinds={kinds}
                  live={liveOf(c)}
                  justSaved={saved === c.id}
                  onEdit={() => setEditing(c)}
                  onChanged={() => setVersion((v) => v + 1)}
                  onPullStarted={onPullStarted}
                  onCancelTask={onCancelTask}
                />
              ),
            )}
          </div>
          {adding ? (
            <ConnectionEditor
              kinds={kinds}
              editing={null}
              onCancel={connections.length > 0 ? () => setEditing(null) : null}
              onSaved={onSaved}
            />
          ) : (
            <button type="button" className="primary" onClick={() => setEditing("new")}>
              Add a connection…
            </button>
          )}
        </>
      )}
    </Modal>
  );
}
