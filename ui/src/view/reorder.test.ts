import { describe, expect, it } from "vitest";
import { clampWidth, moveBefore } from "./reorder";

describe("moveBefore", () => {
  it("moves a column left or right, before the one it was dropped on", () => {
    expect(moveBefore(["a", "b", "c", "d"], "d", "b")).toEqual(["a", "d", "b", "c"]);
    expect(moveBefore(["a", "b", "c", "d"], "a", "c")).toEqual(["b", "a", "c", "d"]);
  });

  it("changes nothing for a drop on itself or an unknown column", () => {
    expect(moveBefore(["a", "b"], "a", "a")).toEqual(["a", "b"]);
    expect(moveBefore(["a", "b"], "x", "a")).toEqual(["a", "b"]);
  });
});

describe("clampWidth", () => {
  it("keeps widths between a readable minimum and 800 px", () => {
    expect(clampWidth(3)).toBe(48);
    expect(clampWidth(123.6)).toBe(124);
    expect(clampWidth(5000)).toBe(800);
  });
});
