import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { countText, hedge, shownOf } from "./firstRows";

/** A promise settled by hand, and whether it was asked for. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("hedge", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("takes a quick first answer and never asks the second", async () => {
    const first = deferred<string>();
    const second = vi.fn(() => Promise.resolve("second"));
    const answer = hedge(() => first.promise, second, 100);
    await vi.advanceTimersByTimeAsync(50);
    first.resolve("first");
    await expect(answer).resolves.toBe("first");
    await vi.advanceTimersByTimeAsync(200);
    expect(second).not.toHaveBeenCalled();
  });

  it("asks the second once the first is late, and takes it when it comes first", async () => {
    const first = deferred<string>();
    const second = vi.fn(() => Promise.resolve("second"));
    const answer = hedge(() => first.promise, second, 100);
    await vi.advanceTimersByTimeAsync(99);
    expect(second).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(second).toHaveBeenCalledTimes(1);
    await expect(answer).resolves.toBe("second");
    first.resolve("first");
  });

  it("takes the late first answer when it still beats the second", async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const answer = hedge(
      () => first.promise,
      () => second.promise,
      100,
    );
    await vi.advanceTimersByTimeAsync(150);
    first.resolve("first");
    second.resolve("second");
    await expect(answer).resolves.toBe("first");
  });

  it("keeps waiting for the first when the second fails", async () => {
    const first = deferred<string>();
    const answer = hedge(
      () => first.promise,
      () => Promise.reject(new Error("no")),
      100,
    );
    await vi.advanceTimersByTimeAsync(150);
    first.resolve("first");
    await expect(answer).resolves.toBe("first");
  });

  it("fails with the first's own error", async () => {
    const first = deferred<string>();
    const answer = hedge(
      () => first.promise,
      () => new Promise<string>(() => undefined),
      100,
    );
    const failure = new Error("bad filter");
    first.reject(failure);
    await expect(answer).rejects.toBe(failure);
  });
});

describe("a view's size before its count", () => {
  it("is the total once counted", () => {
    expect(shownOf(100, 100, 6_058_664)).toEqual({ total: 6_058_664, counting: false });
    expect(shownOf(0, 100, 0)).toEqual({ total: 0, counting: false });
  });

  it("is its first rows while counted, or the whole view when the page is short", () => {
    expect(shownOf(100, 100, undefined)).toEqual({ total: 100, counting: true });
    expect(shownOf(37, 100, undefined)).toEqual({ total: 37, counting: false });
    expect(shownOf(0, 100, null)).toEqual({ total: 0, counting: false });
  });

  it("says so in the header", () => {
    expect(countText(null, false)).toBe("…");
    expect(countText(100, true)).toBe("100+ entries, counting…");
    expect(countText(1, false)).toBe("1 entry");
    expect(countText(2500, false)).toBe(`${(2500).toLocaleString()} entries`);
  });
});
