import { useCallback, useMemo } from "react";
import uPlot from "uplot";
import type { KitSummary } from "../bindings/KitSummary";
import { Chart } from "../charts/Chart";
import { paddedRange, type ChartTheme } from "../charts/palette";

/** Kits the components on hand make, over time, as a step line under the merged log. */
export function AvailabilityChart({ summary }: { summary: KitSummary }) {
  const data = useMemo((): uPlot.AlignedData => {
    const points = summary.availability;
    const x = points.map((p) => Date.parse(p.at) / 1000);
    const y = points.map((p) => p.available);
    // The last level holds after its step: draw it on a little, so a last step shows.
    const firstX = x[0];
    const lastX = x[x.length - 1];
    const lastY = y[y.length - 1];
    if (firstX !== undefined && lastX !== undefined && lastY !== undefined) {
      x.push(lastX + Math.max(86_400, (lastX - firstX) * 0.05));
      y.push(lastY);
    }
    return [x, y];
  }, [summary]);
  const options = useCallback(
    (width: number, theme: ChartTheme): uPlot.Options => ({
      width,
      height: 140,
      legend: { show: true, live: true },
      scales: {
        x: { time: true, range: (_u, min, max) => paddedRange(min, max) },
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
    [],
  );
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
        <Chart options={options} data={data} label="Kits available over time" />
      )}
    </section>
  );
}
