// The kit availability chart's steps: pure, tested without a browser.
import type { KitSummary } from "../bindings/KitSummary";

export interface Steps {
  /** Seconds. */
  x: number[];
  /** Kits available from x on; null before every component has reported an on hand. */
  y: (number | null)[];
  /** The kit log's span (seconds): the chart covers it whole. */
  from: number;
  to: number;
}

/** The availability as a step line over the kit log's whole span: unknown (a gap) from its
 * first entry until every component has an on hand, and the last level held to its end. */
export function availabilitySteps(summary: KitSummary): Steps {
  const x = summary.availability.map((p) => Date.parse(p.at) / 1000);
  const y: (number | null)[] = summary.availability.map((p) => p.available);
  const first = summary.first_at ? Date.parse(summary.first_at) / 1000 : x[0];
  const last = summary.last_at ? Date.parse(summary.last_at) / 1000 : x[x.length - 1];
  const from = Math.min(first ?? 0, x[0] ?? Infinity);
  const to = Math.max(last ?? 0, x[x.length - 1] ?? -Infinity);
  if (x.length > 0 && from < (x[0] ?? from)) {
    x.unshift(from);
    y.unshift(null);
  }
  const held = y[y.length - 1];
  if (x.length > 0 && to > (x[x.length - 1] ?? to)) {
    x.push(to);
    y.push(held ?? null);
  }
  return { x, y, from, to };
}
