// Whether the table's layout still matches the view tab it came from (the tab then shows a
// "•"). Pure, so it is tested without a browser.
import type { Layout } from "../bindings/Layout";
import type { View } from "../bindings/View";

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
