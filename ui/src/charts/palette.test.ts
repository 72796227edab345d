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

describe("name hues", () => {
  /** A colour's hue in degrees. */
  const hue = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [
      number,
      number,
      number,
    ];
    const max = Math.max(r, g, b);
    const d = max - Math.min(r, g, b);
    if (d === 0) return 0;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return (h * 60 + 360) % 360;
  };
  it("keep clear of the status colours: no green, amber or red names a component or event", () => {
    for (const c of HUES) {
      const h = hue(c);
      expect(h >= 80 && h <= 165, `${c} is green (${h})`).toBe(false);
      expect(h >= 35 && h <= 60, `${c} is amber (${h})`).toBe(false);
      expect(h <= 12 || h >= 350, `${c} is red (${h})`).toBe(false);
    }
  });
});
