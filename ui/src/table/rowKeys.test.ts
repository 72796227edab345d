import { describe, expect, it } from "vitest";
import { initialKeys, rowKeys } from "./rowKeys";

// The key each view row gets, by index, for a run of renders.
const keyOf = (k: { first: number; keys: number[] }) =>
  new Map(k.keys.map((key, i) => [k.first + i, key]));

describe("row keys", () => {
  it("keep a row's key while a short scroll keeps it on screen, either way", () => {
    const start = initialKeys(100, 10);
    const down = rowKeys(start, 103, 10);
    for (let row = 103; row < 110; row++) {
      expect(keyOf(down).get(row)).toBe(keyOf(start).get(row));
    }
    const up = rowKeys(down, 101, 10);
    for (let row = 103; row < 111; row++) {
      expect(keyOf(up).get(row)).toBe(keyOf(down).get(row));
    }
    expect(new Set(up.keys).size).toBe(10);
  });

  it("keep every element in its place on a long jump", () => {
    const start = rowKeys(rowKeys(initialKeys(0, 10), 3, 10), 4, 10);
    const paged = rowKeys(start, 12, 10);
    expect(paged.keys).toEqual(start.keys);
    expect(rowKeys(paged, 5, 10).keys).toEqual(start.keys);
  });

  it("start afresh when the number of rows changes", () => {
    expect(rowKeys(rowKeys(initialKeys(0, 10), 2, 10), 2, 12)).toEqual(initialKeys(2, 12));
  });

  it("stay the same object when the first row does", () => {
    const k = rowKeys(initialKeys(0, 10), 2, 10);
    expect(rowKeys(k, 2, 10)).toBe(k);
  });
});
