import { useCallback, useMemo } from "react";
import uPlot from "uplot";
import type { KitSummary } from "../bindings/KitSummary";
import { Chart } from "../charts/Chart";
import { paddedRange, type ChartTheme } from "../charts/palette";
import { formatCell } from "../common/format";
import { availabilitySteps } from "./availability";

/** Kits the components on hand make, over time, as a step line under the merged log. */
export function AvailabilityChart({ summary }: { summary: KitSummary }) {
  const steps = useMemo(() => availabilitySteps(summary), [summary]);
  const data = useMemo((): uPlot.AlignedData => [steps.x, steps.y], [steps]);
  const options = useCallback(
    (width: number, theme: ChartTheme): uPlot.Options => ({
      width,
      height: 140,
      scales: {
        // The kit log's whole span, not only the part where availability is known.
        x: { time: true, range: () => paddedRange(steps.from, steps.to) },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
      },
      axes: [
        { stroke: theme.muted, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid } },
        {
          stroke: theme.muted,
          grid: { stroke: theme.grid },
          ticks: { stroke: theme.grid },
          size: 44,
        },
      ],
      series: [
        {},
        {
          label: "Kits available",
          stroke: theme.accent,
          fill: `${theme.accent}22`,
          width: 2,
          paths: uPlot.paths.stepped?.({ align: 1 }),
          points: { show: false },
        },
      ],
    }),
    [steps],
  );
  const readout = (i: number) => {
    // The point held to the log's end repeats the step it continues: name where that began.
    const step = i > 0 && steps.y[i] === steps.y[i - 1] ? i - 1 : i;
    const at = steps.x[step];
    const kits = steps.y[step];
    if (at === undefined) return null;
    const since = formatCell("time", new Date(at * 1000).toISOString()).text;
    return kits === null || kits === undefined ? (
      <>
        <strong>Not known yet</strong>a component has reported no on hand
      </>
    ) : (
      <>
        <strong>{kits.toLocaleString()} kits available</strong>since {since}
      </>
    );
  };
  return (
    <section className="availability" aria-label="Kit availability over time">
      <h3>
        Kit availability <span className="muted">min over components of on hand ÷ per kit</span>
      </h3>
      {summary.availability.length === 0 ? (
        <p className="muted">
          Unknown until every component has reported an available on hand
          {summary.components_without_entries.length > 0 &&
            ` (no entries for ${summary.components_without_entries.join(", ")})`}
          .
        </p>
      ) : (
        <Chart options={options} data={data} label="Kits available over time" readout={readout} />
      )}
    </section>
  );
}
