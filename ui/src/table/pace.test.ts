import { describe, expect, it } from "vitest";
import { paced, type Pace } from "./pace";

/** The pace after the first visible row was at each of `moves` ([ms, row]) in turn. */
const after = (moves: [number, number][]): Pace | null =>
  moves.reduce<Pace | null>((pace, [at, row]) => paced(pace, row, at), null);

describe("paced", () => {
  it("starts still", () => {
    expect(after([[1000, 50]])?.rowsPerSecond).toBe(0);
  });

  it("measures paging down: 27 rows every 20 ms", () => {
    const moves: [number, number][] = Array.from({ length: 10 }, (_, i) => [i * 20, i * 27]);
    expect(after(moves)?.rowsPerSecond).toBeCloseTo(1350);
  });

  it("is negative upwards", () => {
    expect(
      after([
        [0, 900],
        [100, 800],
        [200, 700],
      ])?.rowsPerSecond,
    ).toBeCloseTo(-1000);
  });

  it("forgets a pace after a pause", () => {
    expect(
      after([
        [0, 0],
        [100, 100],
        [1000, 130],
      ])?.rowsPerSecond,
    ).toBe(0);
  });

  it("takes a jump for no pace at all", () => {
    expect(
      after([
        [0, 0],
        [20, 27],
        [40, 9_999_000],
      ])?.rowsPerSecond,
    ).toBe(0);
  });

  it("keeps to the last half second of a long run", () => {
    // Slow for a second, then fast: the pace is the recent one, not the average.
    const slow: [number, number][] = Array.from({ length: 10 }, (_, i) => [i * 100, i * 10]);
    const fast: [number, number][] = Array.from({ length: 30 }, (_, i) => [
      1000 + i * 20,
      100 + i * 50,
    ]);
    const pace = after([...slow, ...fast]);
    expect(pace?.rowsPerSecond).toBeGreaterThan(2000);
  });

  it("stays as it was when the rows did not move", () => {
    const pace = after([
      [0, 0],
      [100, 100],
    ]);
    expect(paced(pace, 100, 150)).toBe(pace);
  });
});
