// What the Failures and Stock check screens say and do, as pure functions: the table's filters
// a group or a pair opens, the words of a group and a pair, the trend's bars.
import type { Filter } from "../bindings/Filter";
import type { SortKey } from "../bindings/SortKey";
import type { StockCheckRow } from "../bindings/StockCheckRow";

/** Columns a group's or a pair's filters name: replaced, not added twice. */
const OPENED_BY_TRIAGE = [
  "error_signature",
  "status",
  "sku",
  "channel",
  "account",
  "location_code",
];

/**
 * The table's filters showing one failure group under the view it was counted in: the view's
 * own filters, less any the group's replace, and the group's.
 */
export function withGroup(view: Filter[], group: Filter[]): Filter[] {
  const named = new Set(group.map((f) => f.column));
  return [...view.filter((f) => !named.has(f.column)), ...group];
}

/** The table's filters showing one SKU × channel pair's entries (any date, any status). */
export function pairFilters(row: StockCheckRow): Filter[] {
  const eq = (column: string, value: string): Filter => ({ column, op: "eq", values: [value] });
  const out: Filter[] = [eq("sku", row.sku)];
  if (row.channel) out.push(eq("channel", row.channel));
  if (row.account) out.push(eq("account", row.account));
  if (row.location_code) out.push(eq("location_code", row.location_code));
  return out;
}

/** The view's filters with a pair's in place of any it had on those columns. */
export function withPair(view: Filter[], row: StockCheckRow): Filter[] {
  return [...view.filter((f) => !OPENED_BY_TRIAGE.includes(f.column)), ...pairFilters(row)];
}

export function signatureText(signature: string | null): string {
  return signature ?? "No error recorded";
}

export function shareText(share: number): string {
  if (share >= 0.995) return "100%";
  if (share < 0.001) return "<0.1%";
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** "3 SKUs · 2 accounts · 1 location": what a group touches, leaving out what it does not. */
export function touchText(g: { skus: number; accounts: number; locations: number }): string {
  const part = (n: number, one: string, many: string) =>
    n === 0 ? null : `${n.toLocaleString()} ${n === 1 ? one : many}`;
  return [
    part(g.skus, "SKU", "SKUs"),
    part(g.accounts, "account", "accounts"),
    part(g.locations, "location", "locations"),
  ]
    .filter((p) => p !== null)
    .join(" · ");
}

/** Bar heights 0–1 of a trend, scaled to its highest point. */
export function trendBars(trend: number[]): number[] {
  const top = Math.max(0, ...trend);
  return trend.map((n) => (top === 0 ? 0 : n / top));
}

/** What a pair's channel shows, in words. */
export function pairState(row: StockCheckRow): string {
  if (row.last_sent === null && row.failures_since > 0)
    return `Never received: ${row.failures_since.toLocaleString()} failed ${row.failures_since === 1 ? "push" : "pushes"}`;
  if (row.stale)
    return `Stale: ${row.failures_since.toLocaleString()} failed ${row.failures_since === 1 ? "push" : "pushes"} since`;
  if (row.last_push_status === "pending") return "Push pending";
  return "Up to date";
}

/** "+3" / "−2" / "0": the difference from what the systems of record say. */
export function differenceText(d: number | null): string {
  if (d === null) return "";
  if (d > 0) return `+${d.toLocaleString()}`;
  if (d < 0) return `−${Math.abs(d).toLocaleString()}`;
  return "0";
}

/** The next sort after a click on a column header: ascending, descending, then none. */
export function nextSort(sort: SortKey[], column: string): SortKey[] {
  const current = sort[0];
  if (!current || current.column !== column) return [{ column, desc: false }];
  if (!current.desc) return [{ column, desc: true }];
  return [];
}
