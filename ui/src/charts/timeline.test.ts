import { describe, expect, it } from "vitest";
import { spanLabel, stackBuckets, tickLabel, xRange } from "./timeline";

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

  it("ticks under a minute apart read distinct seconds", () => {
    const t = new Date(2025, 2, 9, 3, 4, 0).getTime() / 1000;
    const labels = [0, 5, 10, 15].map((s) => tickLabel(t + s, 5));
    expect(labels).toEqual(["03:04:00", "03:04:05", "03:04:10", "03:04:15"]);
  });
});

describe("a lone bar", () => {
  it("gets an empty bucket after it, so it is one bucket wide", () => {
    const one = { start: 60_000, failed: 1, pending: 0, success: 2, other: 0 };
    expect(stackBuckets([one], 60_000)[0]).toEqual([60, 120]);
    expect(stackBuckets([one], 60_000)[1]).toEqual([3, 0]);
    expect(stackBuckets([one])[0]).toEqual([60]);
  });
});

describe("xRange", () => {
  it("shows a lone bar inside an hour, centred; a long span as it is, its last bar whole", () => {
    const t = 1_741_489_440;
    expect(xRange(t, t, 60)).toEqual([t - 1770, t + 60 + 1770]);
    expect(xRange(t, t + 86_400, 3600)).toEqual([t, t + 86_400 + 3600]);
  });
});
