// The timeline's data as uPlot draws it, and its labels: pure, tested without a browser.
import type uPlot from "uplot";
import type { TimelineBucket } from "../bindings/TimelineBucket";

/**
 * x in seconds, then the stacks tallest first (other on top of success on top of pending on
 * top of failed): drawn in that order, each shorter stack covers the bottom of the one before,
 * so the visible bands are the four counts with failures along the baseline.
 */
export function stackBuckets(buckets: TimelineBucket[], bucketMs?: number): uPlot.AlignedData {
  // uPlot sizes bars by the distance between them: a lone bar would fill the chart. An empty
  // bucket after it gives it its own width.
  const lone = buckets.length === 1 && bucketMs ? buckets[0] : undefined;
  if (lone && bucketMs) {
    buckets = [
      lone,
      { ...lone, start: lone.start + bucketMs, failed: 0, pending: 0, success: 0, other: 0 },
    ];
  }
  const x = buckets.map((b) => b.start / 1000);
  const failed = buckets.map((b) => b.failed);
  const pending = buckets.map((b) => b.failed + b.pending);
  const success = buckets.map((b, i) => (pending[i] ?? 0) + b.success);
  const other = buckets.map((b, i) => (success[i] ?? 0) + b.other);
  return [x, other, success, pending, failed];
}

const UNITS: [number, string][] = [
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
];

export function spanLabel(ms: number): string {
  const [size, name] = UNITS.find(([size]) => ms >= size && ms % size === 0) ?? [1000, "second"];
  const n = ms / size;
  return n === 1 ? `1 ${name}` : `${n} ${name}s`;
}

/** A bucket's range in local time, as precise as its width needs. */
export function bucketLabel(start: number, width: number): string {
  const withTime = width < 86_400_000;
  const fmt = (ms: number) =>
    new Date(ms).toLocaleString(undefined, {
      year: "numeric",
      month: "short",
      day: "numeric",
      ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
    });
  const end = withTime ? start + width : start + width - 1;
  return width === 86_400_000 ? fmt(start) : `${fmt(start)} – ${fmt(end)}`;
}

/**
 * One line per tick, local time: months for wide ticks, days for day ticks, and for finer
 * ticks the hour, with the day at each midnight so the date is never lost.
 */
export function tickLabel(seconds: number, incrementSeconds: number): string {
  const d = new Date(seconds * 1000);
  const day = `${d.getMonth() + 1}/${d.getDate()}`;
  if (incrementSeconds >= 28 * 86_400)
    return d.toLocaleDateString(undefined, { month: "short", year: "numeric" });
  if (incrementSeconds >= 86_400) return day;
  const pad = (n: number) => String(n).padStart(2, "0");
  // Ticks less than a minute apart need their seconds, or they all read the same minute.
  if (incrementSeconds < 60) {
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  if (d.getHours() === 0 && d.getMinutes() === 0) return day;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The least span the timeline shows: a lone bar (one entry, one bucket) stands in an hour of
 * its surroundings rather than filling the chart. */
const LEAST_SPAN_S = 3600;

/** The timeline's x range (seconds) for bars from `first` to `last` (their starts) of
 * `bucketSeconds` each: the bars whole, widened evenly to at least an hour. */
export function xRange(first: number, last: number, bucketSeconds: number): [number, number] {
  const end = last + bucketSeconds;
  const short = LEAST_SPAN_S - (end - first);
  if (short <= 0) return [first, end];
  return [first - short / 2, end + short / 2];
}
