// What hides every row of a table that is empty while the store is not: the keywords in force
// and the filters beyond the view's own, said in the bar's words, so the empty table can say
// why and offer to undo just that.
import type { Column } from "../bindings/Column";
import type { Filter } from "../bindings/Filter";
import { chipText } from "../filters/filters";

export interface Hiding {
  /** The keywords in force, if any. */
  search: string | null;
  /** The filters added to the view's own, as their chips read. */
  filters: string[];
  /** Whether the view's own filters were changed too (one removed or edited). */
  baseChanged: boolean;
}

const key = (f: Filter) => JSON.stringify(f);

export function whatHides(
  applied: string,
  filters: Filter[],
  base: Filter[],
  columns: Column[],
): Hiding {
  const own = new Set(base.map(key));
  const now = new Set(filters.map(key));
  return {
    search: applied.trim() || null,
    filters: filters.filter((f) => !own.has(key(f))).map((f) => chipText(f, columns)),
    baseChanged: base.some((f) => !now.has(key(f))),
  };
}
