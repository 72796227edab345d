// The tasks a window shows (its tray) and how each pushed event changes them. Pure, so it is
// tested without a backend.
import type { Task } from "../bindings/Task";

export function isRunning(t: Task): boolean {
  return t.status === "queued" || t.status === "running";
}

export interface TaskChange {
  tasks: Task[];
  /** The task, if this event is the one in which it ended (the table may have new rows). */
  ended: Task | null;
}

/**
 * One event: a task the tray shows is updated, a new one joins at the top. A finished task never
 * runs again, so a late event still saying it runs is ignored. A finished task stays, saying
 * how it went (a re-run its HTTP outcome), until it is dismissed or dismisses itself.
 */
export function applyTaskEvent(list: Task[], t: Task): TaskChange {
  const was = list.find((x) => x.id === t.id);
  if (was && !isRunning(was) && isRunning(t)) return { tasks: list, ended: null };
  const ended = !isRunning(t) && (!was || isRunning(was)) ? t : null;
  const tasks = was ? list.map((x) => (x.id === t.id ? t : x)) : [t, ...list];
  return { tasks, ended };
}

/** The tasks already running when the window opened join those it shows. */
export function withRunning(list: Task[], listed: Task[]): Task[] {
  const fresh = listed.filter((t) => isRunning(t) && !list.some((x) => x.id === t.id));
  return [...list, ...fresh].sort((a, b) => b.id - a.id);
}

export function dismiss(list: Task[], id: number): Task[] {
  return list.filter((t) => t.id !== id);
}

/** How long a finished task that needs nothing more stays in the tray. */
export const SELF_DISMISS_MS = 10_000;

/**
 * Whether a finished task may leave the tray by itself: it went well and there is nothing to
 * read or act on. A failure, a cancel, a refused file, rows in error or a failed re-run stay
 * until closed.
 */
export function dismissesItself(t: Task): boolean {
  if (isRunning(t) || t.status !== "success" || t.error) return false;
  if (t.kind === "rerun") return t.attempt?.outcome === "success";
  if (t.job) return t.job.reports.every((r) => !r.refused && r.rows_failed === 0);
  if (t.export) return !t.export.error;
  if (t.pull) return t.pull.failed === 0;
  return true;
}

/** "Re-run succeeded: HTTP 200 in 85 ms" — what a finished re-run's toast says. */
export function rerunOutcome(t: Task): string {
  const a = t.attempt;
  if (t.status === "cancelled") return "Re-run stopped before its answer";
  if (!a) return t.error ? `Re-run failed: ${t.error}` : "Re-run finished";
  const took = a.duration_ms === null ? "" : ` in ${a.duration_ms.toLocaleString()} ms`;
  if (a.outcome === "success") return `Re-run succeeded: HTTP ${a.http_status ?? "?"}${took}`;
  if (a.outcome === "unknown") return `Re-run outcome unknown: ${a.reason ?? ""}`;
  return `Re-run failed: ${a.reason ?? (a.http_status ? `HTTP ${a.http_status}` : "no answer")}${took}`;
}
