import type { ExportRecord } from "../bindings/ExportRecord";

interface Props {
  /** The exports this window started, newest first. */
  exports: ExportRecord[];
  onCancel: (id: number) => void;
  onDismiss: (id: number) => void;
  onShowHistory: () => void;
}

/** Exports in progress (rows written of the total, Cancel) and how those just ended. */
export function ExportsTray({ exports, onCancel, onDismiss, onShowHistory }: Props) {
  if (exports.length === 0) return null;
  return (
    <section className="jobs" aria-label="Exports">
      <ul>
        {exports.map((e) => {
          const running = e.status === "running";
          return (
            <li key={e.id} className={`job ${e.status}`}>
              <div className="job-head">
                <strong>
                  {running
                    ? "Exporting"
                    : e.status === "success"
                      ? "Exported"
                      : `Export ${e.status}:`}{" "}
                  {e.file_name}
                </strong>
                {running ? (
                  <button
                    type="button"
                    aria-label={`Cancel export of ${e.file_name}`}
                    onClick={() => onCancel(e.id)}
                  >
                    Cancel
                  </button>
                ) : (
                  <button
                    type="button"
                    className="icon"
                    aria-label={`Dismiss ${e.file_name}`}
                    onClick={() => onDismiss(e.id)}
                  >
                    ×
                  </button>
                )}
              </div>
              {running && (
                <progress
                  aria-label={`Progress of ${e.file_name}`}
                  max={e.rows_total ?? undefined}
                  value={e.rows_total ? e.rows_written : undefined}
                />
              )}
              <span className="muted">
                {e.rows_written.toLocaleString()}
                {e.rows_total !== null ? ` of ${e.rows_total.toLocaleString()}` : ""} rows written
              </span>
              {e.error && <p className="error-text">{e.error}</p>}
              {e.status === "cancelled" && <p className="muted">Cancelled: no file was written.</p>}
            </li>
          );
        })}
      </ul>
      <button type="button" className="link" onClick={onShowHistory}>
        Export history
      </button>
    </section>
  );
}
