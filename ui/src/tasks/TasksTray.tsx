import type { ExportRecord } from "../bindings/ExportRecord";
import type { Job } from "../bindings/Job";
import type { Pull } from "../bindings/Pull";
import { pullOutcome } from "../connections/connectionForm";
import type { Task } from "../bindings/Task";
import { isActive, jobFraction, jobTitle, reportSummary, statusWord } from "../imports/summary";
import { useEffect, useRef } from "react";
import { dismissesItself, isRunning, rerunOutcome, SELF_DISMISS_MS } from "./taskList";

interface Props {
  tasks: Task[];
  onCancel: (taskId: number) => void;
  onDismiss: (taskId: number) => void;
  onShowImports: () => void;
  onShowExports: () => void;
  onShowConnections: () => void;
}

/** The one tray of long work: imports, exports, re-runs and pulls, each as its kind says it. */
/**
 * Finished tasks that need nothing more leave after a while; not while the pointer or focus
 * is in the tray (someone is reading it), and never those that went wrong.
 */
function useSelfDismiss(tasks: Task[], onDismiss: (id: number) => void) {
  const held = useRef(false);
  const timers = useRef(new Map<number, number>());
  const dismissRef = useRef(onDismiss);
  useEffect(() => {
    dismissRef.current = onDismiss;
  }, [onDismiss]);
  useEffect(() => {
    const armed = timers.current;
    const arm = (id: number) => {
      const expire = () => {
        if (held.current) {
          armed.set(id, window.setTimeout(expire, 2_000));
        } else {
          armed.delete(id);
          dismissRef.current(id);
        }
      };
      armed.set(id, window.setTimeout(expire, SELF_DISMISS_MS));
    };
    for (const t of tasks) if (dismissesItself(t) && !armed.has(t.id)) arm(t.id);
    for (const [id, timer] of armed) {
      if (!tasks.some((t) => t.id === id)) {
        window.clearTimeout(timer);
        armed.delete(id);
      }
    }
  }, [tasks]);
  useEffect(() => {
    const armed = timers.current;
    return () => armed.forEach((timer) => window.clearTimeout(timer));
  }, []);
  const hold = () => {
    held.current = true;
  };
  const release = () => {
    held.current = false;
  };
  return { onPointerEnter: hold, onPointerLeave: release, onFocus: hold, onBlur: release };
}

export function TasksTray({
  tasks,
  onCancel,
  onDismiss,
  onShowImports,
  onShowExports,
  onShowConnections,
}: Props) {
  const holding = useSelfDismiss(tasks, onDismiss);
  if (tasks.length === 0) return null;
  const imports = tasks.filter((t) => t.kind === "import" && t.job);
  const exports = tasks.filter(
    (t) => (t.kind === "export" || t.kind === "scheduled_export") && t.export,
  );
  const reruns = tasks.filter((t) => t.kind === "rerun");
  const pulls = tasks.filter((t) => t.kind === "pull" && t.pull);
  return (
    <div className="trays" role="complementary" aria-label="Tasks" {...holding}>
      {pulls.length > 0 && (
        <section className="jobs" aria-label="Pulls">
          <ul>
            {pulls.map((t) => (
              <PullItem
                key={t.id}
                task={t}
                pull={t.pull as Pull}
                onCancel={() => onCancel(t.id)}
                onDismiss={() => onDismiss(t.id)}
              />
            ))}
          </ul>
          <button type="button" className="link" onClick={onShowConnections}>
            Connections
          </button>
        </section>
      )}
      {exports.length > 0 && (
        <section className="jobs" aria-label="Exports">
          <ul>
            {exports.map((t) => (
              <ExportItem
                key={t.id}
                task={t}
                record={t.export as ExportRecord}
                onCancel={() => onCancel(t.id)}
                onDismiss={() => onDismiss(t.id)}
              />
            ))}
          </ul>
          <button type="button" className="link" onClick={onShowExports}>
            Export history
          </button>
        </section>
      )}
      {imports.length > 0 && (
        <section className="jobs" aria-label="Imports">
          <ul>
            {imports.map((t) => (
              <ImportItem
                key={t.id}
                job={{ ...(t.job as Job), status: t.status }}
                onCancel={() => onCancel(t.id)}
                onDismiss={() => onDismiss(t.id)}
              />
            ))}
          </ul>
          <button type="button" className="link" onClick={onShowImports}>
            Import history
          </button>
        </section>
      )}
      {reruns.length > 0 && (
        <section className="jobs" aria-label="Re-runs">
          <ul>
            {reruns.map((t) =>
              isRunning(t) ? (
                <li key={t.id} className={`job ${t.status}`}>
                  <div className="job-head">
                    <strong>{t.title}…</strong>
                    <button
                      type="button"
                      aria-label={`Stop waiting: ${t.title}`}
                      onClick={() => onCancel(t.id)}
                    >
                      Stop waiting
                    </button>
                  </div>
                  <progress aria-label={`Progress of ${t.title}`} />
                </li>
              ) : (
                <li
                  key={t.id}
                  className={`job ${t.attempt?.outcome === "success" ? "success" : "failed"}`}
                  role="status"
                >
                  <div className="job-head">
                    <strong>{rerunOutcome(t)}</strong>
                    <button
                      type="button"
                      className="icon"
                      aria-label={`Dismiss: ${t.title}`}
                      onClick={() => onDismiss(t.id)}
                    >
                      ×
                    </button>
                  </div>
                  <span className="muted">{t.title}</span>
                </li>
              ),
            )}
          </ul>
        </section>
      )}
    </div>
  );
}

function ImportItem({
  job,
  onCancel,
  onDismiss,
}: {
  job: Job;
  onCancel: () => void;
  onDismiss: () => void;
}) {
  const title = jobTitle(job);
  const active = isActive(job);
  return (
    <li className={`job ${job.status}`}>
      <div className="job-head">
        <strong>
          {statusWord(job)} {title}
        </strong>
        {active ? (
          <button type="button" aria-label={`Cancel import of ${title}`} onClick={onCancel}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="icon"
            aria-label={`Dismiss ${title}`}
            onClick={onDismiss}
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
        <span className="muted">{job.waiting.charAt(0).toUpperCase() + job.waiting.slice(1)}</span>
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
}

function ExportItem({
  task,
  record,
  onCancel,
  onDismiss,
}: {
  task: Task;
  record: ExportRecord;
  onCancel: () => void;
  onDismiss: () => void;
}) {
  const running = isRunning(task);
  const written = running ? task.progress.done : record.rows_written;
  const total = task.progress.total ?? record.rows_total;
  return (
    <li className={`job ${task.status}`}>
      <div className="job-head">
        <strong>
          {running
            ? "Exporting"
            : task.status === "success"
              ? "Exported"
              : `Export ${task.status}:`}{" "}
          {record.file_name}
          {task.kind === "scheduled_export" && <span className="muted"> (scheduled)</span>}
        </strong>
        {running ? (
          <button
            type="button"
            aria-label={`Cancel export of ${record.file_name}`}
            onClick={onCancel}
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="icon"
            aria-label={`Dismiss ${record.file_name}`}
            onClick={onDismiss}
          >
            ×
          </button>
        )}
      </div>
      {running && (
        <progress
          aria-label={`Progress of ${record.file_name}`}
          max={total ?? undefined}
          value={total ? written : undefined}
        />
      )}
      <span className="muted">
        {written.toLocaleString()}
        {total !== null ? ` of ${total.toLocaleString()}` : ""} rows written
      </span>
      {(task.error ?? record.error) && <p className="error-text">{task.error ?? record.error}</p>}
      {task.status === "cancelled" && <p className="muted">Cancelled: no file was written.</p>}
    </li>
  );
}

function PullItem({
  task,
  pull,
  onCancel,
  onDismiss,
}: {
  task: Task;
  pull: Pull;
  onCancel: () => void;
  onDismiss: () => void;
}) {
  const running = isRunning(task);
  const bad = task.status === "failed" || pull.failed > 0;
  return (
    <li className={`job ${task.status}`} role={running ? undefined : "status"}>
      <div className="job-head">
        <strong>
          {running ? "Pulling" : "Pull of"} {pull.connection}
          {pull.scheduled && <span className="muted"> (scheduled)</span>}
        </strong>
        {running ? (
          <button type="button" aria-label={`Stop pulling ${pull.connection}`} onClick={onCancel}>
            Stop
          </button>
        ) : (
          <button
            type="button"
            className="icon"
            aria-label={`Dismiss the pull of ${pull.connection}`}
            onClick={onDismiss}
          >
            ×
          </button>
        )}
      </div>
      {running && (
        <progress
          aria-label={`Progress of the pull of ${pull.connection}`}
          max={task.progress.total ?? undefined}
          value={task.progress.total ? task.progress.done : undefined}
        />
      )}
      <p className={bad ? "error-text" : "muted"}>
        {pullOutcome({ ...pull, status: task.status, error: task.error ?? pull.error })}
      </p>
    </li>
  );
}
