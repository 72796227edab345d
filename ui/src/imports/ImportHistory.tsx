import { Fragment, useEffect, useState } from "react";
import type { ImportRecord } from "../bindings/ImportRecord";
import type { Job } from "../bindings/Job";
import type { RowError } from "../bindings/RowError";
import { formatCell } from "../common/format";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { jobTitle, reportSummary, statusWord } from "./summary";

interface Props {
  onClose: () => void;
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
export function ImportHistory({ onClose }: Props) {
  const transport = useTransport();
  const [imports, setImports] = useState<ImportRecord[] | null>(null);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => {
    call(transport, { command: "imports" })
      .then(setImports)
      .catch(() => setImports([]));
    call(transport, { command: "jobs" })
      .then(setJobs)
      .catch(() => setJobs([]));
  }, [transport]);
  const unkept = jobs.filter(
    (j) => j.status !== "success" || j.reports.some((r) => r.refused !== null),
  );
  return (
    <Modal title="Import history" onClose={onClose} wide>
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
                Imported
              </th>
              <th scope="col" className="num">
                Errors
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
                  <td>{r.format}</td>
                  <td title={formatCell("time", r.started_at).title}>
                    {formatCell("time", r.started_at).text}
                  </td>
                  <td className="num">{r.rows_total.toLocaleString()}</td>
                  <td className="num">{r.rows_imported.toLocaleString()}</td>
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
                </tr>
                {open === r.id && (
                  <tr>
                    <td colSpan={6}>
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
