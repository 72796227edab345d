import { describe, expect, it } from "vitest";
import { spanLabel, stackBuckets, tickLabel } from "./timeline";

describe("stackBuckets", () => {
  it("stacks failed at the bottom and keeps each band's own count", () => {
    const [x, other, success, pending, failed] = stackBuckets([
      { start: 60_000, success: 5, failed: 2, pending: 1, other: 3 },
      { start: 120_000, success: 0, failed: 0, pending: 0, other: 0 },
    ]);
    expect(x).toEqual([60, 120]);
    expect(failed).toEqual([2, 0]);
    expect(pending).toEqual([3, 0]);
    expect(success).toEqual([8, 0]);
    expect(other).toEqual([11, 0]);
  });
});

describe("spanLabel", () => {
  it("names the bucket width in its largest whole unit", () => {
    expect(spanLabel(60_000)).toBe("1 minute");
    expect(spanLabel(15 * 60_000)).toBe("15 minutes");
    expect(spanLabel(3_600_000 * 6)).toBe("6 hours");
    expect(spanLabel(86_400_000 * 7)).toBe("7 days");
  });
});

describe("tickLabel", () => {
  it("shows the day at midnight and the hour between", () => {
    const midnight = new Date(2025, 2, 9, 0, 0).getTime() / 1000;
    expect(tickLabel(midnight, 6 * 3600)).toBe("3/9");
    expect(tickLabel(midnight + 6 * 3600, 6 * 3600)).toBe("06:00");
    expect(tickLabel(midnight, 86_400)).toBe("3/9");
  });
});
