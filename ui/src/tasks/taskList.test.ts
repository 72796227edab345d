import { describe, expect, it } from "vitest";
import type { Task } from "../bindings/Task";
import type { Attempt } from "../bindings/Attempt";
import { job, report } from "../imports/fixtures.test-util";
import { applyTaskEvent, dismiss, dismissesItself, rerunOutcome, withRunning } from "./taskList";

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
  pull: null,
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

  it("a task first heard of at its end ended; a finished re-run stays to say how it went", () => {
    expect(applyTaskEvent([], task(4, "failed")).ended?.id).toBe(4);
    const running = applyTaskEvent([], task(5, "running", { kind: "rerun" })).tasks;
    expect(running).toHaveLength(1);
    const { tasks, ended } = applyTaskEvent(running, task(5, "success", { kind: "rerun" }));
    expect(tasks.map((t) => [t.id, t.status])).toEqual([[5, "success"]]);
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

const attempt = (extra: Partial<Attempt>): Attempt => ({
  id: 3,
  at: "2026-12-01T10:00:00Z",
  duration_ms: 85,
  method: "PUT",
  url: "http://127.0.0.1/x",
  http_status: 200,
  outcome: "success",
  reason: null,
  user_name: "ana",
  ...extra,
});

describe("dismissesItself", () => {
  it("lets clean successes go and keeps whatever needs reading", () => {
    expect(dismissesItself(task(1, "running"))).toBe(false);
    expect(
      dismissesItself(task(1, "success", { job: job({ status: "success", reports: [report()] }) })),
    ).toBe(true);
    expect(
      dismissesItself(
        task(1, "success", {
          job: job({ status: "success", reports: [report({ rows_failed: 1 })] }),
        }),
      ),
    ).toBe(false);
    expect(
      dismissesItself(
        task(1, "success", {
          job: job({ status: "success", reports: [report({ refused: "no" })] }),
        }),
      ),
    ).toBe(false);
    expect(dismissesItself(task(1, "failed"))).toBe(false);
    expect(dismissesItself(task(1, "cancelled"))).toBe(false);
    const rerun = (a: Partial<Attempt>) =>
      task(1, "success", { kind: "rerun", attempt: attempt(a) });
    expect(dismissesItself(rerun({}))).toBe(true);
    expect(dismissesItself(rerun({ outcome: "failed", http_status: 500 }))).toBe(false);
    const pulled = (failed: number) =>
      task(1, "success", {
        kind: "pull",
        pull: {
          id: 1,
          connection_id: 1,
          connection: "wh",
          import_id: 2,
          status: "success",
          scheduled: false,
          started_at: "",
          finished_at: null,
          pages: 1,
          records: 3,
          new: 3,
          existing: 0,
          updated: 0,
          failed,
          error: null,
        },
      });
    expect(dismissesItself(pulled(0))).toBe(true);
    expect(dismissesItself(pulled(2))).toBe(false);
  });
});

describe("rerunOutcome", () => {
  it("says success or failure with the HTTP status", () => {
    const rerun = (a: Partial<Attempt>) =>
      task(1, "success", { kind: "rerun", attempt: attempt(a) });
    expect(rerunOutcome(rerun({}))).toBe("Re-run succeeded: HTTP 200 in 85 ms");
    expect(
      rerunOutcome(
        rerun({ outcome: "failed", http_status: 500, reason: "HTTP 500 Internal Server Error" }),
      ),
    ).toBe("Re-run failed: HTTP 500 Internal Server Error in 85 ms");
    expect(
      rerunOutcome(rerun({ outcome: "failed", http_status: null, reason: "timed out after 30 s" })),
    ).toBe("Re-run failed: timed out after 30 s in 85 ms");
  });
});
