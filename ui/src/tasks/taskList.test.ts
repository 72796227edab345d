import { describe, expect, it } from "vitest";
import type { Task } from "../bindings/Task";
import { applyTaskEvent, dismiss, withRunning } from "./taskList";

const task = (id: number, status: Task["status"], extra: Partial<Task> = {}): Task => ({
  id,
  kind: "import",
  record_id: id * 10,
  title: `t${id}`,
  status,
  queue_position: null,
  progress: { done: 0, total: null, unit: "bytes" },
  waiting: null,
  error: null,
  created_at: "",
  finished_at: null,
  job: null,
  export: null,
  attempt: null,
  ...extra,
});

describe("applyTaskEvent", () => {
  it("adds a new task on top, updates a known one, and says once when it ended", () => {
    let { tasks, ended } = applyTaskEvent([task(1, "success")], task(2, "queued"));
    expect(tasks.map((t) => t.id)).toEqual([2, 1]);
    expect(ended).toBeNull();
    ({ tasks, ended } = applyTaskEvent(
      tasks,
      task(2, "running", { progress: { done: 5, total: 9, unit: "bytes" } }),
    ));
    expect(tasks[0]?.progress.done).toBe(5);
    expect(ended).toBeNull();
    ({ tasks, ended } = applyTaskEvent(tasks, task(2, "success")));
    expect(ended?.id).toBe(2);
    // The same end again (a refetch, a repeated event) is not a second end.
    ({ tasks, ended } = applyTaskEvent(tasks, task(2, "success")));
    expect(ended).toBeNull();
    expect(tasks.map((t) => [t.id, t.status])).toEqual([
      [2, "success"],
      [1, "success"],
    ]);
  });

  it("ignores a late event that says a finished task still runs", () => {
    const done = [task(3, "cancelled")];
    const { tasks, ended } = applyTaskEvent(done, task(3, "queued", { queue_position: 2 }));
    expect(tasks).toBe(done);
    expect(ended).toBeNull();
  });

  it("a task first heard of at its end ended; a finished re-run leaves the tray", () => {
    expect(applyTaskEvent([], task(4, "failed")).ended?.id).toBe(4);
    const running = applyTaskEvent([], task(5, "running", { kind: "rerun" })).tasks;
    expect(running).toHaveLength(1);
    const { tasks, ended } = applyTaskEvent(running, task(5, "success", { kind: "rerun" }));
    expect(tasks).toEqual([]);
    expect(ended?.id).toBe(5);
  });
});

describe("withRunning / dismiss", () => {
  it("adds the tasks running when the window opened, newest first, and dismisses", () => {
    const shown = [task(7, "running")];
    const listed = [task(9, "queued"), task(8, "success"), task(7, "running"), task(6, "running")];
    const merged = withRunning(shown, listed);
    expect(merged.map((t) => t.id)).toEqual([9, 7, 6]);
    expect(dismiss(merged, 7).map((t) => t.id)).toEqual([9, 6]);
  });
});
