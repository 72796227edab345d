import { describe, expect, it } from "vitest";
import {
  geometry,
  position,
  reveal,
  resized,
  scrolled,
  scrollTo,
  START,
  type Place,
} from "./scrollMap";

const ROW = 30;
// Ten million rows seen through 600 px: 300M px of rows in a 16.8M px body.
const big = geometry(10_000_000 * ROW, 600);
const maxTop = big.body - big.viewport;
const maxY = big.content - big.viewport;
/** The scroll position a browser reports after a wheel step: clamped to the track. */
const wheel = (p: Place, by: number) => scrolled(p, Math.min(maxTop, Math.max(0, p.top + by)), big);

describe("a view that fits", () => {
  const small = geometry(1000 * ROW, 600);
  it("scrolls its rows with the scroll position", () => {
    expect(scrolled(START, 12_345, small)).toEqual({ top: 12_345, offset: 0 });
    expect(scrollTo(START, 900, small)).toEqual({ top: 900, offset: 0 });
    expect(small.body).toBe(small.content);
  });
});

describe("a view taller than an element may be", () => {
  it("keeps its body under the browsers' limit", () => {
    expect(big.body).toBeLessThan(17_800_000);
    expect(big.body).toBeGreaterThan(big.viewport);
  });

  it("puts a dragged thumb's rows at the thumb's share of the view", () => {
    for (const share of [0.25, 0.5, 0.75, 1]) {
      const p = scrolled(START, share * maxTop, big);
      expect(p.top).toBeCloseTo(share * maxTop);
      expect(position(p)).toBeCloseTo(share * maxY, 3);
    }
    expect(position(scrolled(scrolled(START, maxTop, big), 0, big))).toBe(0);
  });

  it("shows the first and the last rows at Home and End", () => {
    const end = scrollTo(START, maxY + 5_000, big);
    expect(end.top).toBe(maxTop);
    expect(position(end)).toBe(maxY);
    const home = scrollTo(end, 0, big);
    expect(home).toEqual({ top: 0, offset: 0 });
  });

  it("moves the rows by a wheel step's pixels, and keeps the thumb near its proportional place", () => {
    let p = scrolled(START, 0.4 * maxTop, big);
    for (let i = 0; i < 5_000; i++) {
      const before = position(p);
      p = wheel(p, i % 7 === 3 ? -120 : 100);
      expect(position(p) - before).toBe(i % 7 === 3 ? -120 : 100);
      expect(Math.abs(p.top - (position(p) * maxTop) / maxY)).toBeLessThanOrEqual(maxTop / 100 + 1);
    }
  });

  it("reaches the last row by wheel from the top, and the first from the bottom", () => {
    // A smaller view and body at the same ratio, so the walk through every screen is quick.
    const g = geometry(200_000 * ROW, 700, 600_000);
    const end = g.content - g.viewport;
    const step = (p: Place, by: number) =>
      scrolled(p, Math.min(g.body - g.viewport, Math.max(0, p.top + by)), g);
    let p = START;
    let steps = 0;
    while (position(p) < end) {
      const before = position(p);
      p = step(p, 400);
      expect(position(p)).toBeGreaterThan(before);
      // At most half a scroll pixel's rows beyond the step, and only at the track's end.
      expect(position(p) - before).toBeLessThanOrEqual(400 + end / (g.body - g.viewport) / 2);
      steps += 1;
    }
    // A step cut short where the thumb met the end of its track costs one more.
    expect(steps).toBeLessThanOrEqual(Math.ceil((end / 400) * 1.01));
    expect(p.top).toBe(g.body - g.viewport);
    while (position(p) > 0) {
      const before = position(p);
      p = step(p, -400);
      expect(position(p)).toBeLessThan(before);
      steps -= 1;
    }
    expect(p).toEqual(START);
  });

  it("moves by a key's step without a jump, and jumps far moves", () => {
    const at = scrolled(START, 0.5 * maxTop, big);
    const down = scrollTo(at, position(at) + ROW, big);
    expect(position(down)).toBeCloseTo(position(at) + ROW, 6);
    expect(down.offset).toBe(at.offset);
    const far = scrollTo(at, 0.9 * maxY, big);
    expect(position(far)).toBeCloseTo(0.9 * maxY, 6);
    expect(far.top).toBeCloseTo(0.9 * maxTop, 0);
  });

  it("keeps the rows' position when the view grows, and clamps it when the view shrinks", () => {
    const at = scrolled(START, 0.5 * maxTop, big);
    const grown = resized(at, geometry(11_000_000 * ROW, 600));
    expect(position(grown)).toBeCloseTo(position(at), 6);
    const shrunk = resized(at, geometry(1000 * ROW, 600));
    expect(shrunk).toEqual({ top: 1000 * ROW - 600, offset: 0 });
  });
});

describe("reveal", () => {
  it("scrolls only as far as brings a row into view", () => {
    expect(reveal(300, 330, 360, 600)).toBeNull();
    expect(reveal(300, 270, 300, 600)).toBe(270);
    expect(reveal(300, 900, 930, 600)).toBe(330);
  });
});
