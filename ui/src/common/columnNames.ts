// A column is found by its label, its id or what a source system calls it (Xoro's "Order
// Ref#" is `event_id`): the column picker, "Add filter" and the header tooltips share this.
import type { Column } from "../bindings/Column";
import { shownValue } from "./vocabulary";

/** "Xoro: Order Ref#, ShipHero: id", or "" when every source uses the label. */
export function sourceNames(column: Column): string {
  return column.aliases.map((a) => `${shownValue("source", a.source)}: ${a.label}`).join(", ");
}

/** Whether `query` (as typed) finds `column`. */
export function columnMatches(column: Column, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (!needle) return true;
  return [column.label, column.id, ...column.aliases.map((a) => a.label)].some((name) =>
    name.toLowerCase().includes(needle),
  );
}

/** The source's name that `query` found `column` by ("Xoro: Order Ref#"), when its label and
 * id did not match: shown beside the label so the match explains itself. */
export function matchedSourceName(column: Column, query: string): string | undefined {
  const needle = query.trim().toLowerCase();
  if (!needle || column.label.toLowerCase().includes(needle) || column.id.includes(needle)) {
    return undefined;
  }
  const alias = column.aliases.find((a) => a.label.toLowerCase().includes(needle));
  return alias && `${shownValue("source", alias.source)}: ${alias.label}`;
}
