import { describe, expect, it } from "vitest";
import { colourMap, dataSpan, HUES, paddedRange } from "./palette";

describe("colourMap", () => {
  it("gives names listed together distinct hues while there are enough", () => {
    const names = ["SKU-00901", "SKU-00902", "SKU-00903", "KIT-GIFTBOX"];
    const colours = colourMap(names);
    expect(new Set(colours.values()).size).toBe(names.length);
  });

  it("is stable: the order names come in does not change their colours", () => {
    const a = colourMap(["A", "B", "C"]);
    const b = colourMap(["C", "A", "B", "A"]);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
  });

  it("reuses hues only when there are more names than hues", () => {
    const many = Array.from({ length: HUES.length + 3 }, (_, i) => `SKU-${i}`);
    const colours = colourMap(many);
    expect(new Set(colours.values()).size).toBe(HUES.length);
  });
});

describe("paddedRange", () => {
  it("gives a lone instant a day either side and a span 2% each side", () => {
    expect(paddedRange(...dataSpan([1000]))).toEqual([1000 - 86_400, 1000 + 86_400]);
    expect(paddedRange(...dataSpan([0, 50, 100]))).toEqual([-2, 102]);
  });
});
