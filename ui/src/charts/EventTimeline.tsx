import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { errorText } from "../common/ErrorMessage";
import uPlot from "uplot";
import type { Filter } from "../bindings/Filter";
import type { KitScope } from "../bindings/KitScope";
import type { Timeline } from "../bindings/Timeline";
import type { TimelineBucket } from "../bindings/TimelineBucket";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { Chart } from "./Chart";
import { dataSpan, type ChartTheme } from "./palette";
import { bucketLabel, spanLabel, stackBuckets, tickLabel, xRange } from "./timeline";

interface Props {
  filters: Filter[];
  search: string | null;
  kit?: KitScope;
  /** Bumped when the store's content changes under the view. */
  revision: number;
  /** Settles when the table has its rows: the table's query goes first, the chart after. */
  after: () => Promise<unknown>;
  /** A brushed range: from the first bucket's start to the last one's end (ms, inclusive). */
  onRange: (from: number, to: number) => void;
}

const BUCKETS = 90;
const STATUSES = ["failed", "pending", "success", "other"] as const;

/** Entries by status, each beside its colour: the legend (all buckets) and a bucket's read-out. */
function StatusCounts({ counts }: { counts: Record<(typeof STATUSES)[number], number> }) {
  return STATUSES.map((k) => (
    <span key={k} className={`legend-item ${k}`}>
      <i aria-hidden="true" />
      {k === "other" ? "no status" : k} {counts[k].toLocaleString()}
    </span>
  ));
}
/** How long a view stays before its timeline is asked for. */
const SETTLE_MS = 200;
const HEIGHT = 92;

/**
 * Entries per time bucket above the table, stacked by status, for the current view; dragging
 * across it sets the date filter to the buckets it covers.
 */
export function EventTimeline({ filters, search, kit, revision, after, onRange }: Props) {
  const transport = useTransport();
  // The view the table shows now, and the counts last received with the view they are of:
  // while another view's counts are still on screen, they are marked as such.
  const view = useMemo(
    () => ({ filters, search, kit, revision }),
    [filters, search, kit, revision],
  );
  const [received, setReceived] = useState<{ view: object; timeline: Timeline } | null>(null);
  const timeline = received?.timeline ?? null;
  const outdated = received !== null && received.view !== view;
  const [error, setError] = useState<string | null>(null);

  // The latest table query to wait for; a new sort or column set alone does not refetch.
  const afterRef = useRef(after);
  useEffect(() => {
    afterRef.current = after;
  });

  useEffect(() => {
    let stale = false;
    // A failed table query still lets the chart try (and show its own error). Then a moment
    // more: views flicked through (tabs, keys held) are not counted at all, only where the
    // user stops.
    void afterRef
      .current()
      .catch(() => undefined)
      .then(() => new Promise((settled) => setTimeout(settled, SETTLE_MS)))
      .then(() => {
        if (stale) return;
        return call(transport, {
          command: "timeline",
          args: {
            filters,
            search,
            sort: [],
            columns: [],
            kit,
            buckets: BUCKETS,
            utc_offset_minutes: -new Date().getTimezoneOffset(),
          },
        })
          .then((t) => {
            if (stale) return;
            setReceived({ view, timeline: t });
            setError(null);
          })
          .catch((e: unknown) => !stale && setError(errorText(e)));
      });
    return () => {
      stale = true;
    };
  }, [transport, filters, search, kit, view]);

  const data = useMemo(
    () => stackBuckets(timeline?.buckets ?? [], timeline?.bucket_ms),
    [timeline],
  );
  // The chart's hooks read the buckets shown now, so new counts do not rebuild the chart.
  const bucketsRef = useRef<TimelineBucket[]>([]);
  useEffect(() => {
    bucketsRef.current = timeline?.buckets ?? [];
  }, [timeline]);
  const bucketMs = timeline?.bucket_ms ?? 60_000;

  const options = useCallback(
    (width: number, theme: ChartTheme): uPlot.Options => {
      const bars = uPlot.paths.bars?.({ size: [0.92, Infinity], align: 1 });
      // Drawn tallest first: each later (shorter) stack covers the one below it.
      const layer = (label: string, colour: string): uPlot.Series => ({
        label,
        fill: colour,
        stroke: colour,
        width: 0,
        paths: bars,
        points: { show: false },
      });
      return {
        width,
        height: HEIGHT,
        // Room at the right for the last tick's label, centred on the plot's edge.
        padding: [10, 20, 0, 8],
        legend: { show: false },
        cursor: {
          drag: { x: true, y: false, setScale: false },
          points: { show: false },
          y: false,
        },
        scales: {
          x: {
            time: true,
            // One bucket of room after the last start, so the last bar shows whole; at least
            // an hour. From the data (uPlot widens a lone bar's instant to years).
            range: (u) => {
              const [first, last] = dataSpan(u.data[0]);
              return xRange(first, last, bucketMs / 1000);
            },
          },
        },
        axes: [
          {
            stroke: theme.muted,
            grid: { show: false },
            ticks: { stroke: theme.grid },
            size: 24,
            // Labels such as "12:00" or "3/14" at least this far apart (px), never crowded.
            space: 64,
            values: (_u, splits, _axis, _space, increment) =>
              splits.map((s) => tickLabel(s, increment)),
            font: "11px system-ui, sans-serif",
          },
          {
            stroke: theme.muted,
            grid: { stroke: theme.grid, width: 1 },
            ticks: { show: false },
            size: 44,
            font: "11px system-ui, sans-serif",
            splits: (u) => {
              const max = u.scales.y?.max ?? 0;
              return max > 0 ? [0, Math.round(max / 2), Math.round(max)] : [0];
            },
          },
        ],
        series: [
          {},
          layer("Other", theme.other),
          layer("Success", theme.success),
          layer("Pending", theme.pending),
          layer("Failed", theme.failed),
        ],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 3) return;
              const from = u.posToVal(u.select.left, "x") * 1000;
              const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
              const all = bucketsRef.current;
              const first = all.filter((b) => b.start <= from).pop() ?? all[0];
              const last = all.filter((b) => b.start < to).pop() ?? all[all.length - 1];
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              if (first && last) onRange(first.start, last.start + bucketMs - 1);
            },
          ],
        },
      };
    },
    [bucketMs, onRange],
  );

  const buckets = timeline?.buckets ?? [];
  const sums = buckets.reduce(
    (s, b) => ({
      success: s.success + b.success,
      failed: s.failed + b.failed,
      pending: s.pending + b.pending,
      other: s.other + b.other,
    }),
    { success: 0, failed: 0, pending: 0, other: 0 },
  );
  const when = error
    ? `Timeline: ${error}`
    : !timeline || outdated
      ? "Counting entries over time…"
      : buckets.length === 0
        ? "No entries in this view"
        : `${spanLabel(bucketMs)} per bar · ${timeline.total.toLocaleString()} in all`;
  const readout = (i: number) => {
    const b = buckets[i];
    if (!b) return null;
    return (
      <>
        <strong>{bucketLabel(b.start, bucketMs)}</strong>
        <span className="readout-counts">
          <StatusCounts counts={b} />
        </span>
      </>
    );
  };
  // The section keeps its height while it loads or is empty: the table below never jumps.
  return (
    <section className="timeline" aria-label="Event timeline">
      <div className="timeline-head">
        <span className={error ? "timeline-when timeline-error" : "timeline-when"}>{when}</span>
        {buckets.length > 0 && !outdated && (
          <>
            <span className="timeline-legend">
              <StatusCounts counts={sums} />
            </span>
            <span className="timeline-hint">Drag across the bars to filter those dates</span>
          </>
        )}
      </div>
      <div className={outdated ? "timeline-plot outdated" : "timeline-plot"}>
        {buckets.length > 0 && (
          <Chart
            options={options}
            data={data}
            className="timeline-chart"
            label="Entries per time bucket by status"
            readout={readout}
          />
        )}
      </div>
    </section>
  );
}
