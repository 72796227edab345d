import { useCallback, useEffect, useState } from "react";
import type { FailureGroup } from "../bindings/FailureGroup";
import type { Failures } from "../bindings/Failures";
import type { Filter } from "../bindings/Filter";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { formatCell } from "../common/format";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { shareText, signatureText, touchText, trendBars, withGroup } from "./triage";

interface Props {
  /** The view the failures are counted in: the table's filters and keywords. */
  filters: Filter[];
  search: string | null;
  /** Revision of the store's entries: a change counts again. */
  revision: number;
  onClose: () => void;
  /** Shows the table filtered to these filters. */
  onShow: (filters: Filter[]) => void;
  /** Shows the table filtered so, then opens the export dialog on it. */
  onExport: (filters: Filter[]) => void;
  /** Entries were resolved. */
  onChanged: () => void;
}

const when = (ms: number) => formatCell("time", new Date(ms).toISOString()).text;

function Trend({ trend, label }: { trend: number[]; label: string }) {
  const bars = trendBars(trend);
  const w = 4;
  return (
    <svg
      className="trend"
      width={bars.length * w}
      height={20}
      role="img"
      aria-label={`${label}: ${trend.join(", ")}`}
    >
      {bars.map((h, i) => (
        <rect
          key={i}
          x={i * w}
          y={20 - Math.max(h * 20, h > 0 ? 2 : 0)}
          width={w - 1}
          height={Math.max(h * 20, h > 0 ? 2 : 0)}
        />
      ))}
    </svg>
  );
}

function GroupRow({
  g,
  filters,
  search,
  onShow,
  onExport,
  onResolved,
}: {
  g: FailureGroup;
  filters: Filter[];
  search: string | null;
  onShow: (filters: Filter[]) => void;
  onExport: (filters: Filter[]) => void;
  onResolved: () => void;
}) {
  const transport = useTransport();
  const [resolving, setResolving] = useState(false);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = signatureText(g.signature);
  const rows = withGroup(filters, g.filters);
  const resolve = () => {
    setBusy(true);
    setError(null);
    call(transport, {
      command: "set_resolved_view",
      args: { filters: rows, search, resolved: true, note: note.trim() || null },
    })
      .then(() => {
        setResolving(false);
        setNote("");
        onResolved();
      })
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };
  return (
    <>
      <tr>
        <td className="signature-cell">
          <button
            type="button"
            className="link signature"
            onClick={() => onShow(rows)}
            title="Show this group's entries in the table"
          >
            {name}
          </button>
          {g.example && g.example !== name && (
            <div className="muted example" title={g.example}>
              e.g. {g.example}
            </div>
          )}
          <div className="row-actions">
            <button
              type="button"
              onClick={() => setResolving((r) => !r)}
              disabled={g.unresolved === 0}
              aria-expanded={resolving}
              aria-label={`Resolve ${name}`}
            >
              Resolve…
            </button>
            <button type="button" onClick={() => onExport(rows)} aria-label={`Export ${name}`}>
              Export…
            </button>
          </div>
        </td>
        <td className="num">{g.count.toLocaleString()}</td>
        <td className="num">{shareText(g.share)}</td>
        <td className="num">{g.unresolved.toLocaleString()}</td>
        <td>{touchText(g)}</td>
        <td>
          {when(g.first_seen)}
          <div className="muted">to {when(g.last_seen)}</div>
        </td>
        <td>
          <Trend trend={g.trend} label={`Trend of ${name}`} />
        </td>
      </tr>
      {resolving && (
        <tr className="resolve-row">
          <td colSpan={7}>
            <form
              className="resolve-group"
              onSubmit={(e) => {
                e.preventDefault();
                resolve();
              }}
            >
              <label>
                Note
                <input
                  autoFocus
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  placeholder="What was done, e.g. listing recreated on the channel"
                />
              </label>
              <button type="submit" className="primary" disabled={busy}>
                Resolve {g.unresolved.toLocaleString()} {g.unresolved === 1 ? "entry" : "entries"}
              </button>
              <button type="button" onClick={() => setResolving(false)}>
                Cancel
              </button>
              <ErrorMessage error={error} />
            </form>
          </td>
        </tr>
      )}
    </>
  );
}

/** The view's failures grouped by what went wrong, biggest first. */
export function FailuresPanel({
  filters,
  search,
  revision,
  onClose,
  onShow,
  onExport,
  onChanged,
}: Props) {
  const transport = useTransport();
  const [failures, setFailures] = useState<Failures | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    let live = true;
    call(transport, {
      command: "failures",
      args: { filters, search, sort: [], columns: [], buckets: 24 },
    })
      .then((f) => live && setFailures(f))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [transport, filters, search, revision, reloads]);
  const resolved = useCallback(() => {
    setReloads((n) => n + 1);
    onChanged();
  }, [onChanged]);
  const narrowed = filters.length > 0 || !!search;
  return (
    <Modal title="Failures" onClose={onClose} wider>
      <p className="muted">
        Failed and errored entries{narrowed ? " of the current view" : ""}, grouped by what went
        wrong: the HTTP status and the error, with SKUs, numbers, ids and times taken out. Choose a
        group to see its entries in the table.
      </p>
      <ErrorMessage error={error} />
      {failures === null ? (
        !error && <p className="muted">Counting…</p>
      ) : failures.groups.length === 0 ? (
        <p role="status">No failures{narrowed ? " in this view" : ""}.</p>
      ) : (
        <>
          <p role="status">
            <strong>{failures.total.toLocaleString()}</strong>{" "}
            {failures.total === 1 ? "failure" : "failures"} in{" "}
            <strong>{failures.groups.length.toLocaleString()}</strong>{" "}
            {failures.groups.length === 1 ? "group" : "groups"}
            <span className="muted">
              {" "}
              · trend from {when(failures.trend_start)}, one bar per{" "}
              {Math.max(1, Math.round(failures.trend_bucket_ms / 3_600_000)).toLocaleString()} h
            </span>
          </p>
          <div className="triage-scroll">
            <table className="triage-table" aria-label="Failure groups">
              <thead>
                <tr>
                  <th scope="col">Error signature</th>
                  <th scope="col" className="num">
                    Count
                  </th>
                  <th scope="col" className="num">
                    Share
                  </th>
                  <th scope="col" className="num">
                    Unresolved
                  </th>
                  <th scope="col">Touches</th>
                  <th scope="col">Seen</th>
                  <th scope="col">Trend</th>
                </tr>
              </thead>
              <tbody>
                {failures.groups.map((g) => (
                  <GroupRow
                    key={g.signature ?? ""}
                    g={g}
                    filters={filters}
                    search={search}
                    onShow={onShow}
                    onExport={onExport}
                    onResolved={resolved}
                  />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Modal>
  );
}
