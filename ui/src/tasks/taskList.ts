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
 * runs again, so a late event still saying it runs is ignored; a finished re-run leaves the
 * tray, as its dialog shows the attempt.
 */
export function applyTaskEvent(list: Task[], t: Task): TaskChange {
  const was = list.find((x) => x.id === t.id);
  if (was && !isRunning(was) && isRunning(t)) return { tasks: list, ended: null };
  const ended = !isRunning(t) && (!was || isRunning(was)) ? t : null;
  if (t.kind === "rerun" && !isRunning(t)) {
    return { tasks: list.filter((x) => x.id !== t.id), ended };
  }
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
