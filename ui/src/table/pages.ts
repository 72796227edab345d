// Rows of a view addressed by position: the grid asks for any range (a scrollbar dragged to
// the middle of a million rows included) and gets the pages that cover it, each fetched once.
import type { JsonValue } from "../bindings/serde_json/JsonValue";

export const PAGE_SIZE = 200;

/** A table row: the entry it shows and its cells, in the order of the view's columns. */
export interface Row {
  id: number;
  cells: JsonValue[];
}
export type FetchPage<R = Row> = (offset: number, limit: number) => Promise<R[]>;

/** Requests in flight at once. A scrollbar dragged across a million rows passes hundreds of
 * pages; with a small window only the pages still on screen when a slot frees are fetched,
 * instead of a queue of pages long scrolled past that the backend would answer one by one. */
export const MAX_IN_FLIGHT = 2;

export class PageCache<R = Row> {
  private pages = new Map<number, R[]>();
  private pending = new Set<number>();
  /** Pages whose request failed since the last ensure(): not retried until asked again. */
  private failed = new Set<number>();
  private wanted: [number, number] = [0, -1];
  /** Pages just beyond the visible ones, fetched when the visible ones are in. */
  private ahead: [number, number] = [0, -1];

  constructor(
    private readonly fetchPage: FetchPage<R>,
    private readonly onLoaded: () => void,
    /** Pages kept at most; the ones furthest from the last request go first. */
    private readonly keep = 50,
  ) {}

  row(index: number): R | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /**
   * Makes sure rows [first, last] are loaded or will be, replacing any earlier wish; then the
   * rows `margin` beyond either end, so that scrolling on finds them ready.
   */
  ensure(first: number, last: number, margin = 0): void {
    const page = (row: number) => Math.floor(Math.max(0, row) / PAGE_SIZE);
    this.wanted = [page(first), page(last)];
    this.ahead = [page(first - margin), page(last + margin)];
    this.failed.clear();
    this.pump();
  }

  private pump(): void {
    const [from, to] = this.wanted;
    const [before, after] = this.ahead;
    const order: number[] = [];
    for (let p = from; p <= to; p++) order.push(p);
    for (let p = to + 1; p <= after; p++) order.push(p);
    for (let p = from - 1; p >= before; p--) order.push(p);
    for (const p of order) {
      if (this.pending.size >= MAX_IN_FLIGHT) break;
      if (this.pages.has(p) || this.pending.has(p) || this.failed.has(p)) continue;
      this.pending.add(p);
      this.fetchPage(p * PAGE_SIZE, PAGE_SIZE)
        .then((rows) => {
          this.pages.set(p, rows);
          this.evict(p);
          this.onLoaded();
        })
        .catch(() => {
          // Left unloaded; the next ensure() over it asks again.
          this.failed.add(p);
        })
        .finally(() => {
          this.pending.delete(p);
          this.pump();
        });
    }
  }

  private evict(near: number): void {
    if (this.pages.size <= this.keep) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const p of far.slice(0, this.pages.size - this.keep)) this.pages.delete(p);
  }
}
