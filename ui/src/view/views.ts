// The table's state as the Layout the store keeps, and whether it still matches the view tab
// it came from (the tab then shows a "•"). Pure, so it is tested without a browser.
import type { Filter } from "../bindings/Filter";
import type { Layout } from "../bindings/Layout";
import type { SortKey } from "../bindings/SortKey";
import type { View } from "../bindings/View";

export interface TableState {
  visible: string[];
  widths: Record<string, number>;
  sort: SortKey[];
  filters: Filter[];
  search: string;
  activeView: string | null;
}

export function layoutOf(s: TableState): Layout {
  return {
    columns: s.visible,
    widths: s.widths,
    sort: s.sort,
    filters: s.filters,
    search: s.search.trim() || null,
    active_view: s.activeView,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A built-in view is only its filters (and no keywords); a saved view is its columns, sort,
 * filters and keywords. Widths never count: resizing a column is not changing the view.
 */
export function isModified(view: View | undefined, current: Layout): boolean {
  if (!view) return false;
  if (!view.layout) return !same(view.filters, current.filters) || current.search !== null;
  const saved = view.layout;
  return (
    !same(saved.columns, current.columns) ||
    !same(saved.sort, current.sort) ||
    !same(saved.filters, current.filters) ||
    (saved.search ?? null) !== current.search
  );
}
