// The filters bar's state is a list of the backend's own Filter AST: what chips show and
// what the date presets mean are pure functions of it, tested without a browser.
import { shownValue } from "../common/vocabulary";
import type { Column } from "../bindings/Column";
import type { Filter } from "../bindings/Filter";

export type DatePreset = "all" | "today" | "7d" | "30d";

export const DATE_PRESETS: { id: DatePreset; label: string }[] = [
  { id: "all", label: "All time" },
  { id: "today", label: "Today" },
  { id: "7d", label: "Last 7 days" },
  { id: "30d", label: "Last 30 days" },
];

/** Which preset the view's date filter is, "custom" for any other range. */
export function datePresetOf(filters: Filter[], now: Date): DatePreset | "custom" {
  const f = filters.filter((x) => x.column === "occurred_at");
  const only = f.length === 1 ? f[0] : undefined;
  if (f.length === 0) return "all";
  if (only?.op === "ge") {
    const preset = DATE_PRESETS.find(
      (p) => p.id !== "all" && presetFilter(p.id, now)?.values[0] === only.values[0],
    );
    if (preset) return preset.id;
  }
  return "custom";
}

/** `YYYY-MM-DD` (a date input's value) as that day's local midnight. */
function localDay(day: string, plusDays = 0): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays) : null;
}

function dayOf(instant: string | undefined): string {
  const d = instant ? new Date(instant) : null;
  if (!d || Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * A custom range of whole local days (the values of two date inputs), either end open. Days
 * are the viewer's, as the table shows times: from local midnight to the last second of `to`.
 */
export function rangeFilter(from: string, to: string): Filter | null {
  const start = localDay(from)?.toISOString();
  const endDay = localDay(to, 1);
  const end = endDay ? new Date(endDay.getTime() - 1000).toISOString() : undefined;
  if (start && end) return { column: "occurred_at", op: "between", values: [start, end] };
  if (start) return { column: "occurred_at", op: "ge", values: [start] };
  if (end) return { column: "occurred_at", op: "le", values: [end] };
  return null;
}

/**
 * The day a date field holds once it is a whole, plausible day (`YYYY-MM-DD`, a year from 1970
 * on), or "" once it is cleared; null while it is being typed. A date field reports every
 * keystroke of the year (0002, 0020, 0202, 2025): applying those would filter on the year 2.
 */
export function typedDay(value: string): string | null {
  if (value === "") return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1970) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  const real = d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  return real ? value : null;
}

/** The two ends of the view's date range as local days, for the date inputs. */
export function rangeOf(filters: Filter[]): { from: string; to: string } {
  const f = filters.find((x) => x.column === "occurred_at");
  if (!f) return { from: "", to: "" };
  if (f.op === "between") return { from: dayOf(f.values[0]), to: dayOf(f.values[1]) };
  if (f.op === "ge" || f.op === "gt") return { from: dayOf(f.values[0]), to: "" };
  if (f.op === "le" || f.op === "lt") return { from: "", to: dayOf(f.values[0]) };
  return { from: "", to: "" };
}

export type ResolvedChoice = "any" | "resolved" | "unresolved" | "hide_resolved";

export const RESOLVED_CHOICES: { id: ResolvedChoice; label: string }[] = [
  { id: "any", label: "Resolved or not" },
  { id: "unresolved", label: "Unresolved only" },
  { id: "resolved", label: "Resolved only" },
  // Keeps the entries that have no resolved flag at all (every source but Xoro).
  { id: "hide_resolved", label: "Hide resolved" },
];

export function resolvedFilter(choice: ResolvedChoice): Filter | null {
  switch (choice) {
    case "any":
      return null;
    case "resolved":
      return { column: "resolved", op: "eq", values: ["true"] };
    case "unresolved":
      return { column: "resolved", op: "eq", values: ["false"] };
    case "hide_resolved":
      return { column: "resolved", op: "ne", values: ["true"] };
  }
}

export function resolvedOf(filters: Filter[]): ResolvedChoice {
  const f = filters.find((x) => x.column === "resolved");
  const found = RESOLVED_CHOICES.find(
    (c) => f && JSON.stringify(resolvedFilter(c.id)) === JSON.stringify(f),
  );
  return found?.id ?? "any";
}

/** "Errors only": entries that carry an error message. */
export const ERRORS_ONLY: Filter = { column: "error", op: "is_not_empty", values: [] };

export function hasFilter(filters: Filter[], f: Filter): boolean {
  return filters.some((x) => JSON.stringify(x) === JSON.stringify(f));
}

export function toggleFilter(filters: Filter[], f: Filter, on: boolean): Filter[] {
  const rest = filters.filter((x) => JSON.stringify(x) !== JSON.stringify(f));
  return on ? [...rest, f] : rest;
}

/** A multi-select's choice: replaces that column's `in` filter, leaving its other filters. */
export function setInFilter(filters: Filter[], column: string, values: string[]): Filter[] {
  const rest = filters.filter((f) => !(f.column === column && f.op === "in"));
  return values.length > 0 ? [...rest, { column, op: "in", values }] : rest;
}

/** How many values an operator takes: none, one, two (between) or a list (in). */
export function arity(op: Filter["op"]): 0 | 1 | 2 | "list" {
  if (op === "is_empty" || op === "is_not_empty") return 0;
  if (op === "between") return 2;
  if (op === "in") return "list";
  return 1;
}

/** The "add filter" form's filter, or null while it is incomplete. */
export function buildFilter(
  column: string,
  op: Filter["op"],
  first: string,
  second: string,
): Filter | null {
  const n = arity(op);
  if (n === 0) return { column, op, values: [] };
  if (n === "list") {
    const values = first
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
    return values.length > 0 ? { column, op, values } : null;
  }
  if (first.trim() === "") return null;
  if (n === 2)
    return second.trim() === "" ? null : { column, op, values: [first.trim(), second.trim()] };
  return { column, op, values: [first.trim()] };
}

/** The occurred_at filter of a preset, from local midnight (as a person means "today"). */
export function presetFilter(preset: DatePreset, now: Date): Filter | null {
  if (preset === "all") return null;
  const days = preset === "today" ? 0 : preset === "7d" ? 6 : 29;
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days);
  return { column: "occurred_at", op: "ge", values: [start.toISOString()] };
}

/** Replaces the filters on `column` (a multi-select's choice, or none). */
export function setColumnFilter(filters: Filter[], column: string, next: Filter | null): Filter[] {
  const rest = filters.filter((f) => f.column !== column);
  return next ? [...rest, next] : rest;
}

export const OP_LABELS: Record<Filter["op"], string> = {
  eq: "is",
  ne: "is not",
  lt: "less than / before",
  le: "at most / on or before",
  gt: "greater than / after",
  ge: "at least / since",
  contains: "contains",
  not_contains: "does not contain",
  in: "is one of",
  is_empty: "is empty",
  is_not_empty: "is not empty",
  between: "between",
};

export function valuesOf(filters: Filter[], column: string): string[] {
  return filters.find((f) => f.column === column && f.op === "in")?.values ?? [];
}

const OP_WORDS: Record<Filter["op"], string> = {
  eq: "is",
  ne: "is not",
  lt: "before",
  le: "at or before",
  gt: "after",
  ge: "since",
  contains: "contains",
  not_contains: "does not contain",
  in: "is",
  is_empty: "is empty",
  is_not_empty: "is not empty",
  between: "between",
};

/** Comparisons of a quantity or a text read as amounts, not as moments. */
const AMOUNT_WORDS: Partial<Record<Filter["op"], string>> = {
  lt: "less than",
  le: "at most",
  gt: "more than",
  ge: "at least",
};

/** What a chip says: "Status is failed or pending", "Updated On since 3/1/2025". */
export function chipText(f: Filter, columns: Column[]): string {
  const label = columns.find((c) => c.id === f.column)?.label ?? f.column;
  const kind = columns.find((c) => c.id === f.column)?.kind;
  // Typed whole days read as written; instants as the viewer's local day.
  const show = (v: string) =>
    kind === "time" && !/^\d{4}-\d{2}-\d{2}$/.test(v)
      ? new Date(v).toLocaleDateString()
      : shownValue(f.column, v);
  const values =
    f.op === "between" ? f.values.map(show).join(" – ") : f.values.map(show).join(" or ");
  const amount = kind === "integer" || kind === "text";
  const words = (amount && AMOUNT_WORDS[f.op]) || OP_WORDS[f.op];
  return `${label} ${words}${values ? ` ${values}` : ""}`;
}
