import { describe, expect, it } from "vitest";
import { fillWidths, fitWidth } from "./fit";

describe("fillWidths", () => {
  it("gives the free width to the text columns in proportion, ending at the edge", () => {
    const out = fillWidths(
      [186, 100, 200, 104],
      ["time", "text", "text", "integer"],
      [false, false, false, false],
      1000,
    );
    const [time = 0, narrow = 0, wide = 0, count = 0] = out;
    expect(time).toBe(186);
    expect(count).toBe(104);
    expect(wide - 200).toBeGreaterThan(narrow - 100);
    expect(out.reduce((a, b) => a + b, 0)).toBe(1000);
  });
  it("widens the last column when none holds text", () => {
    expect(fillWidths([186, 104], ["time", "integer"], [false, false], 400)).toEqual([186, 214]);
  });
  it("leaves columns that already overflow as they are", () => {
    expect(fillWidths([500, 600], ["text", "text"], [false, false], 800)).toEqual([500, 600]);
  });
  it("keeps the widths the user gave", () => {
    expect(fillWidths([100, 100], ["text", "text"], [true, false], 500)).toEqual([100, 400]);
    expect(fillWidths([100, 100], ["text", "text"], [true, true], 500)).toEqual([100, 100]);
  });
});

describe("fitWidth", () => {
  it("fits the widest content plus padding, within the allowed widths", () => {
    expect(fitWidth([40.2, 90.1, 12])).toBe(113);
    expect(fitWidth([])).toBe(48);
    expect(fitWidth([5000])).toBe(800);
  });
});
