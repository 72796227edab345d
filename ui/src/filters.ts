// The filters bar's state is a list of the backend's own Filter AST: what chips show and
// what the date presets mean are pure functions of it, tested without a browser.
import type { Column } from "./bindings/Column";
import type { Filter } from "./bindings/Filter";

export type DatePreset = "all" | "today" | "7d" | "30d";

export const DATE_PRESETS: { id: DatePreset; label: string }[] = [
  { id: "all", label: "All time" },
  { id: "today", label: "Today" },
  { id: "7d", label: "Last 7 days" },
  { id: "30d", label: "Last 30 days" },
];

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

/** What a chip says: "Status is failed or pending", "Updated On since 3/1/2025". */
export function chipText(f: Filter, columns: Column[]): string {
  const label = columns.find((c) => c.id === f.column)?.label ?? f.column;
  const kind = columns.find((c) => c.id === f.column)?.kind;
  const show = (v: string) => (kind === "time" ? new Date(v).toLocaleDateString() : v);
  const values =
    f.op === "between" ? f.values.map(show).join(" – ") : f.values.map(show).join(" or ");
  return `${label} ${OP_WORDS[f.op]}${values ? ` ${values}` : ""}`;
}
