import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFollower, SETTLE_MS } from "./follow";

describe("the details following the keyboard", () => {
  let shown: number[];
  let behind: boolean[];
  const follower = () =>
    createFollower(
      (id) => shown.push(id),
      (b) => behind.push(b),
      SETTLE_MS,
      () => Date.now(),
    );
  beforeEach(() => {
    vi.useFakeTimers();
    shown = [];
    behind = [];
  });
  afterEach(() => vi.useRealTimers());

  it("shows a single move at once", () => {
    follower().moved(7);
    expect(shown).toEqual([7]);
    expect(behind).toEqual([]);
  });

  it("shows a held key's run where it stops, and nothing it passes", () => {
    const f = follower();
    for (let id = 1; id <= 10; id++) {
      f.moved(id);
      vi.advanceTimersByTime(33);
    }
    // The first move of the run shows; the others wait for the keys to stop.
    expect(shown).toEqual([1]);
    expect(behind).toEqual([true]);
    vi.advanceTimersByTime(SETTLE_MS - 33 - 1);
    expect(shown).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual([1, 10]);
    expect(behind).toEqual([true, false]);
  });

  it("shows a move after a quiet spell at once again", () => {
    const f = follower();
    f.moved(1);
    vi.advanceTimersByTime(SETTLE_MS);
    f.moved(2);
    expect(shown).toEqual([1, 2]);
  });

  it("forgets a waiting move when cancelled", () => {
    const f = follower();
    f.moved(1);
    f.moved(2);
    f.cancel();
    vi.advanceTimersByTime(10 * SETTLE_MS);
    expect(shown).toEqual([1]);
    expect(behind).toEqual([true, false]);
  });

  it("shows a move at once, dropping the waiting one, when the timer was held back past the quiet spell", () => {
    // A browser busy with a flood of key events runs no timer until it ends.
    let clock = 0;
    const f = createFollower(
      (id) => shown.push(id),
      (b) => behind.push(b),
      SETTLE_MS,
      () => clock,
    );
    f.moved(1);
    clock = 10;
    f.moved(2);
    clock = 10 + SETTLE_MS;
    f.moved(3);
    vi.runAllTimers();
    expect(shown).toEqual([1, 3]);
    expect(behind).toEqual([true, false]);
  });
});
