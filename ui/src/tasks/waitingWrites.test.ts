import { describe, expect, it, vi } from "vitest";
import { createWaitingWrites, WAITING_AFTER_MS } from "./waitingWrites";

describe("waiting writes", () => {
  it("counts a write only once it has waited, and until it is answered", async () => {
    vi.useFakeTimers();
    const w = createWaitingWrites();
    const seen: number[] = [];
    w.subscribe(() => seen.push(w.count()));
    let answer!: () => void;
    const pending = new Promise<void>((r) => (answer = r));
    void w.watch("set_resolved", pending);
    vi.advanceTimersByTime(WAITING_AFTER_MS - 1);
    expect(w.count()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(w.count()).toBe(1);
    answer();
    await pending;
    await Promise.resolve();
    expect(w.count()).toBe(0);
    expect(seen).toEqual([1, 0]);
    vi.useRealTimers();
  });

  it("never counts a quick write, a failed one after its answer, or a read", async () => {
    vi.useFakeTimers();
    const w = createWaitingWrites();
    await w.watch("save_view", Promise.resolve(1));
    vi.advanceTimersByTime(WAITING_AFTER_MS * 2);
    expect(w.count()).toBe(0);

    const failing = w.watch("remove_kit", Promise.reject(new Error("no")));
    await expect(failing).rejects.toThrow("no");
    vi.advanceTimersByTime(WAITING_AFTER_MS * 2);
    expect(w.count()).toBe(0);

    void w.watch("query", new Promise(() => {}));
    vi.advanceTimersByTime(WAITING_AFTER_MS * 2);
    expect(w.count()).toBe(0);
    vi.useRealTimers();
  });
});
