// Whether the table's layout still matches the view tab it came from (the tab then shows a
// "•"). Pure, so it is tested without a browser.
import type { Filter } from "../bindings/Filter";
import type { Layout } from "../bindings/Layout";
import type { View } from "../bindings/View";
import { DATE_COLUMN } from "./viewState";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The filters compared with a view's: a date range the view does not set is the window's,
 * carried from tab to tab, not a change of the view. */
function comparable(current: Filter[], own: Filter[]): Filter[] {
  return own.some((f) => f.column === DATE_COLUMN)
    ? current
    : current.filter((f) => f.column !== DATE_COLUMN);
}

/**
 * A built-in view is only its filters (and no keywords); a saved view is its columns, sort,
 * filters and keywords. Widths never count: resizing a column is not changing the view.
 */
export function isModified(view: View | undefined, current: Layout): boolean {
  if (!view) return false;
  if (!view.layout) {
    return (
      !same(view.filters, comparable(current.filters, view.filters)) || current.search !== null
    );
  }
  const saved = view.layout;
  return (
    !same(saved.columns, current.columns) ||
    !same(saved.sort, current.sort) ||
    !same(saved.filters, comparable(current.filters, saved.filters)) ||
    (saved.search ?? null) !== current.search
  );
}
