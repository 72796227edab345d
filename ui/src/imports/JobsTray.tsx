import type { Job } from "../bindings/Job";
import { isActive, jobFraction, jobTitle, reportSummary, statusWord } from "./summary";

interface Props {
  jobs: Job[];
  onCancel: (id: number) => void;
  onDismiss: (id: number) => void;
  onShowHistory: () => void;
}

/** Imports in progress (a bar and Cancel each) and the outcome of those just finished. */
export function JobsTray({ jobs, onCancel, onDismiss, onShowHistory }: Props) {
  if (jobs.length === 0) return null;
  return (
    <section className="jobs" aria-label="Imports">
      <ul>
        {jobs.map((job) => {
          const title = jobTitle(job);
          const active = isActive(job);
          return (
            <li key={job.id} className={`job ${job.status}`}>
              <div className="job-head">
                <strong>
                  {statusWord(job)} {title}
                </strong>
                {active ? (
                  <button
                    type="button"
                    aria-label={`Cancel import of ${title}`}
                    onClick={() => onCancel(job.id)}
                  >
                    Cancel
                  </button>
                ) : (
                  <button
                    type="button"
                    className="icon"
                    aria-label={`Dismiss ${title}`}
                    onClick={() => onDismiss(job.id)}
                  >
                    ×
                  </button>
                )}
              </div>
              {active && (
                <progress
                  aria-label={`Progress of ${title}`}
                  max={1}
                  value={job.status === "queued" ? undefined : jobFraction(job)}
                />
              )}
              {active && job.waiting && (
                <span className="muted">
                  {job.waiting.charAt(0).toUpperCase() + job.waiting.slice(1)}
                </span>
              )}
              {active && job.progress.rows > 0 && (
                <span className="muted">{job.progress.rows.toLocaleString()} rows read</span>
              )}
              {job.reports.map((r, i) => (
                <p key={i} className={r.refused || r.rows_failed > 0 ? "warn" : "muted"}>
                  {reportSummary(r)}
                </p>
              ))}
              {job.error && <p className="error-text">{job.error}</p>}
              {job.status === "cancelled" && (
                <p className="muted">Cancelled: the file being imported was left out entirely.</p>
              )}
            </li>
          );
        })}
      </ul>
      <button type="button" className="link" onClick={onShowHistory}>
        Import history
      </button>
    </section>
  );
}
