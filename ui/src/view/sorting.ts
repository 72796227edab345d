// What a click on a column header does to the sort keys. Pure, so it is tested on its own.
import type { ColumnKind } from "../bindings/ColumnKind";
import type { SortKey } from "../bindings/SortKey";

/** The view's order when the user has chosen none: newest first. */
export const DEFAULT_SORT: SortKey[] = [{ column: "occurred_at", desc: true }];

/**
 * A plain click sorts by the column alone (again: reverses it); with `additive` (shift-click)
 * the column becomes, or reverses as, a further key. Times start newest first, the rest A→Z.
 */
export function clickSort(
  current: SortKey[],
  column: string,
  kind: ColumnKind,
  additive: boolean,
): SortKey[] {
  const keys = current.length > 0 ? current : DEFAULT_SORT;
  const existing = keys.find((k) => k.column === column);
  const fresh: SortKey = { column, desc: kind === "time" };
  if (!additive) {
    return existing && keys.length === 1 ? [{ column, desc: !existing.desc }] : [fresh];
  }
  if (existing) {
    return keys.map((k) => (k.column === column ? { column, desc: !k.desc } : k));
  }
  return [...keys, fresh];
}

export function ariaSort(keys: SortKey[], column: string): "ascending" | "descending" | "none" {
  const first = (keys.length > 0 ? keys : DEFAULT_SORT)[0];
  if (first?.column !== column) return "none";
  return first.desc ? "descending" : "ascending";
}
