// A SKU's entries as the stock chart's series: pure, tested without a browser.
import type uPlot from "uplot";
import type { StockEvent } from "../bindings/StockEvent";

export interface StockSeries {
  /** x (seconds), available, physical, one marker series per event type, failed pushes. */
  data: uPlot.AlignedData;
  eventTypes: string[];
  /** Whether any entry reports an on-hand figure (else markers sit at what was pushed). */
  hasOnHand: boolean;
}

/** The event type an entry is drawn as (a push without one is a "push"). */
export const eventTypeOf = (e: StockEvent) => e.event_type ?? "push";

export function stockSeries(events: StockEvent[]): StockSeries {
  const eventTypes = [...new Set(events.map(eventTypeOf))].sort();
  const x = events.map((e) => e.at / 1000);
  const available = events.map((e) => e.available_on_hand);
  const physical = events.map((e) => e.physical_on_hand);
  // A marker sits on the line: the entry's own on-hand, else what it pushed, else the last
  // on-hand known before it.
  let last: number | null = null;
  const level = events.map((e) => {
    const y = e.available_on_hand ?? e.inventory_sent ?? last;
    if (e.available_on_hand !== null) last = e.available_on_hand;
    return y ?? 0;
  });
  const markers = eventTypes.map((t) =>
    events.map((e, i) => (eventTypeOf(e) === t && e.status !== "failed" ? level[i] : null)),
  );
  const failed = events.map((e, i) => (e.status === "failed" ? level[i] : null));
  return {
    data: [x, available, physical, ...markers, failed],
    eventTypes,
    hasOnHand: available.some((v) => v !== null),
  };
}
