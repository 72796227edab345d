import { useCallback, useEffect, useMemo, useState } from "react";
import uPlot from "uplot";
import type { StockHistory } from "../bindings/StockHistory";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { Chart } from "./Chart";
import { colourMap, dataSpan, paddedRange, type ChartTheme } from "./palette";
import { eventTypeOf, stockSeries } from "./stock";
import { Legend } from "./Legend";
import { shownValue } from "../common/vocabulary";
import { formatCell } from "../common/format";

interface Props {
  sku: string;
  onClose: () => void;
}

/**
 * A SKU's available and physical on hand over time as step lines, each entry a marker
 * coloured by its event type, failed pushes in red.
 */
export function StockHistoryDialog({ sku, onClose }: Props) {
  const transport = useTransport();
  const [history, setHistory] = useState<StockHistory | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call(transport, { command: "stock_history", args: { sku } })
      .then(setHistory)
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport, sku]);

  const series = useMemo(() => (history ? stockSeries(history.events) : null), [history]);
  const colours = useMemo(() => colourMap(series?.eventTypes ?? []), [series]);

  const options = useCallback(
    (width: number, theme: ChartTheme): uPlot.Options => {
      const step = uPlot.paths.stepped?.({ align: 1 });
      const marker = (label: string, colour: string, size: number): uPlot.Series => ({
        label,
        stroke: colour,
        fill: colour,
        paths: () => null,
        points: { show: true, size, fill: colour, stroke: colour },
      });
      return {
        width,
        height: 320,
        // From the data itself: uPlot widens a lone instant to years.
        scales: { x: { time: true, range: (u) => paddedRange(...dataSpan(u.data[0])) } },
        axes: [
          { stroke: theme.muted, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid } },
          { stroke: theme.muted, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid } },
        ],
        cursor: { points: { size: 8 } },
        series: [
          {},
          {
            label: "Available on hand",
            stroke: theme.accent,
            width: 2,
            paths: step,
            points: { show: false },
            spanGaps: true,
          },
          {
            label: "Physical on hand",
            stroke: theme.muted,
            width: 1.5,
            dash: [6, 4],
            paths: step,
            points: { show: false },
            spanGaps: true,
          },
          ...(series?.eventTypes ?? []).map((t) => marker(t, colours.get(t) ?? theme.fg, 7)),
          marker("Failed push", theme.failed, 10),
        ],
      };
    },
    [series, colours],
  );

  const events = history?.events ?? [];
  const failed = events.filter((e) => e.status === "failed").length;
  const n = (v: number | null) => (v === null ? "—" : v.toLocaleString());
  const readout = (i: number) => {
    const e = events[i];
    if (!e) return null;
    return (
      <>
        <strong>{formatCell("time", new Date(e.at).toISOString()).text}</strong>
        {shownValue("event_type", eventTypeOf(e))}
        {e.status ? ` · ${e.status}` : ""}
        {e.channel ? ` · ${e.channel}` : ""} · {shownValue("source", e.source)}
        <br />
        Available {n(e.available_on_hand)} · Physical {n(e.physical_on_hand)}
        {e.inventory_sent !== null && ` · Sent ${n(e.inventory_sent)}`}
      </>
    );
  };
  return (
    <Modal title={`Stock history of ${sku}`} onClose={onClose} wider>
      <ErrorMessage error={error} />
      {history && series && (
        <>
          <p className="muted">
            {events.length.toLocaleString()} entries from{" "}
            {new Date(events[0]?.at ?? 0).toLocaleDateString()} to{" "}
            {new Date(events[events.length - 1]?.at ?? 0).toLocaleDateString()}
            {failed > 0 && ` · ${failed.toLocaleString()} failed pushes (red)`}
            {history.truncated && " · the newest 20,000 are drawn"}
            {!series.hasOnHand &&
              " · no entry reports an on-hand figure: markers sit at the quantity pushed"}
          </p>
          <Chart
            options={options}
            data={series.data}
            className="stock-chart"
            label={`Available and physical on hand of ${sku} over time`}
            readout={readout}
          />
          <Legend
            label="Key"
            items={[
              { label: "Available on hand", colour: "var(--accent)", mark: "line" },
              { label: "Physical on hand", colour: "var(--muted)", mark: "dash" },
              ...series.eventTypes.map((t) => ({
                label: shownValue("event_type", t),
                colour: colours.get(t) ?? "var(--fg)",
                mark: "dot" as const,
              })),
              ...(failed > 0
                ? [{ label: "Failed push", colour: "var(--chart-failed)", mark: "dot" as const }]
                : []),
            ]}
          />
        </>
      )}
    </Modal>
  );
}
