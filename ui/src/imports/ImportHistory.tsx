import { Fragment, useEffect, useState } from "react";
import type { ImportRecord } from "../bindings/ImportRecord";
import type { Job } from "../bindings/Job";
import type { RemovalPlan } from "../bindings/RemovalPlan";
import { errorText } from "../common/ErrorMessage";
import type { RowError } from "../bindings/RowError";
import { shownValue } from "../common/vocabulary";
import { formatCell } from "../common/format";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { jobTitle, reportSummary, statusWord } from "./summary";

interface Props {
  onClose: () => void;
  /** An import was removed: the table's rows changed. */
  onRemoved: () => void;
}

/** What removing an import deletes and keeps, in words, before the user confirms. */
export function removalWarning(plan: RemovalPlan): { text: string; warn: boolean }[] {
  const n = (v: number) => v.toLocaleString();
  const lines = [
    {
      text: `${n(plan.only_here)} ${plan.only_here === 1 ? "entry" : "entries"} only this import brought will be deleted.`,
      warn: false,
    },
  ];
  if (plan.shared > 0) {
    lines.push({
      text: `${n(plan.shared)} also brought by another import stay, with their current facts.`,
      warn: false,
    });
  }
  if (plan.with_user_work > 0) {
    lines.push({
      text: `${n(plan.with_user_work)} of those deleted were resolved or re-run in Invlog: that work is deleted with them.`,
      warn: true,
    });
  }
  return lines;
}

function ConfirmRemoval({
  plan,
  onCancel,
  onRemoved,
}: {
  plan: RemovalPlan;
  onCancel: () => void;
  onRemoved: (summary: string) => void;
}) {
  const transport = useTransport();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = () => {
    setBusy(true);
    call(transport, {
      command: "remove_import",
      args: { import_id: plan.import_id, confirmed: true },
    })
      .then((r) =>
        onRemoved(
          `Removed ${r.file_name}: ${r.deleted.toLocaleString()} entries deleted, ${r.kept.toLocaleString()} kept.`,
        ),
      )
      .catch((e: unknown) => {
        setError(errorText(e));
        setBusy(false);
      });
  };
  return (
    <Modal
      title={`Remove import of ${plan.file_name}?`}
      onClose={onCancel}
      actions={
        <>
          {/* Focus starts on the choice that deletes nothing. */}
          <button type="button" onClick={onCancel} data-autofocus>
            Cancel
          </button>
          <button type="button" className="danger" disabled={busy} onClick={remove}>
            Remove import
          </button>
        </>
      }
    >
      {removalWarning(plan).map((line, i) => (
        <p key={i} className={line.warn ? "warn" : undefined}>
          {line.text}
        </p>
      ))}
      {error && <p className="error-text">{error}</p>}
    </Modal>
  );
}

function RowErrors({ record }: { record: ImportRecord }) {
  const transport = useTransport();
  const [errors, setErrors] = useState<RowError[] | null>(null);
  useEffect(() => {
    call(transport, { command: "import_errors", args: { import_id: record.id } })
      .then(setErrors)
      .catch(() => setErrors([]));
  }, [transport, record.id]);
  if (!errors) return <p className="muted">Loading…</p>;
  return (
    <table className="row-errors" aria-label={`Row errors of ${record.file_name}`}>
      <thead>
        <tr>
          <th scope="col">Row</th>
          <th scope="col">Column</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((e, i) => (
          <tr key={i}>
            <td className="num">{e.row}</td>
            <td>{e.column ?? "—"}</td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every imported file with its counts and row errors, and the recent jobs that kept nothing. */
export function ImportHistory({ onClose, onRemoved }: Props) {
  const transport = useTransport();
  const [imports, setImports] = useState<ImportRecord[] | null>(null);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const [removing, setRemoving] = useState<RemovalPlan | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    call(transport, { command: "imports" })
      .then(setImports)
      .catch(() => setImports([]));
    call(transport, { command: "jobs" })
      .then(setJobs)
      .catch(() => setJobs([]));
  }, [transport, version]);
  const askRemove = (r: ImportRecord) => {
    setNotice(null);
    call(transport, { command: "import_removal_plan", args: { import_id: r.id } })
      .then(setRemoving)
      .catch((e: unknown) => setNotice(errorText(e)));
  };
  const counted = (n: number | null) => (n === null ? "—" : n.toLocaleString());
  const unkept = jobs.filter(
    (j) => j.status !== "success" || j.reports.some((r) => r.refused !== null),
  );
  return (
    <Modal title="Import history" onClose={onClose} wider>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {removing && (
        <ConfirmRemoval
          plan={removing}
          onCancel={() => setRemoving(null)}
          onRemoved={(summary) => {
            setRemoving(null);
            setNotice(summary);
            setVersion((n) => n + 1);
            onRemoved();
          }}
        />
      )}
      {!imports && <p className="muted">Loading…</p>}
      {imports && imports.length === 0 && <p className="muted">Nothing imported yet.</p>}
      {imports && imports.length > 0 && (
        <table className="history" aria-label="Imported files">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Format</th>
              <th scope="col">Imported</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                New
              </th>
              <th scope="col" className="num" title="Already in the store">
                Already there
              </th>
              <th scope="col" className="num">
                Updated
              </th>
              <th scope="col" className="num">
                Errors
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {imports.map((r) => (
              <Fragment key={r.id}>
                <tr>
                  <td className="file-name" title={r.path}>
                    {r.file_name}
                  </td>
                  <td>{shownValue("format", r.format)}</td>
                  <td title={formatCell("time", r.started_at).title}>
                    {formatCell("time", r.started_at).text}
                  </td>
                  <td className="num">{r.rows_total.toLocaleString()}</td>
                  <td className="num">{counted(r.rows_new)}</td>
                  <td className="num">{counted(r.rows_existing)}</td>
                  <td className="num">{counted(r.rows_updated)}</td>
                  <td className="num">
                    {r.rows_failed > 0 ? (
                      <button
                        type="button"
                        className="link"
                        aria-expanded={open === r.id}
                        aria-label={`${r.rows_failed} row errors in ${r.file_name}`}
                        onClick={() => setOpen(open === r.id ? null : r.id)}
                      >
                        {r.rows_failed.toLocaleString()}
                      </button>
                    ) : (
                      "0"
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Remove import of ${r.file_name}`}
                      onClick={() => askRemove(r)}
                    >
                      Remove…
                    </button>
                  </td>
                </tr>
                {open === r.id && (
                  <tr>
                    <td colSpan={9}>
                      <RowErrors record={r} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {unkept.length > 0 && (
        <>
          <h3>Not imported</h3>
          <ul className="unkept">
            {unkept.map((j) => (
              <li key={j.id}>
                <strong>
                  {statusWord(j)} {jobTitle(j)}
                </strong>{" "}
                <span className="muted">{formatCell("time", j.created_at).text}</span>
                {j.error && <p className="error-text">{j.error}</p>}
                {j.reports
                  .filter((r) => r.refused)
                  .map((r, i) => (
                    <p key={i} className="warn">
                      {r.file}: {reportSummary(r)}
                    </p>
                  ))}
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
