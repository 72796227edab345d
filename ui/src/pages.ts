// Rows of a view addressed by position: the grid asks for any range (a scrollbar dragged to
// the middle of a million rows included) and gets the pages that cover it, each fetched once.
import type { JsonValue } from "./bindings/serde_json/JsonValue";

export const PAGE_SIZE = 200;

export type Row = JsonValue[];
export type FetchPage = (offset: number, limit: number) => Promise<Row[]>;

export class PageCache {
  private pages = new Map<number, Row[]>();
  private pending = new Set<number>();

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly onLoaded: () => void,
    /** Pages kept at most; the ones furthest from the last request go first. */
    private readonly keep = 50,
  ) {}

  row(index: number): Row | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Makes sure rows [first, last] are loaded or loading. */
  ensure(first: number, last: number): void {
    const from = Math.floor(Math.max(0, first) / PAGE_SIZE);
    const to = Math.floor(Math.max(0, last) / PAGE_SIZE);
    for (let p = from; p <= to; p++) {
      if (this.pages.has(p) || this.pending.has(p)) continue;
      this.pending.add(p);
      this.fetchPage(p * PAGE_SIZE, PAGE_SIZE)
        .then((rows) => {
          this.pages.set(p, rows);
          this.evict(p);
          this.onLoaded();
        })
        .finally(() => this.pending.delete(p));
    }
  }

  private evict(near: number): void {
    if (this.pages.size <= this.keep) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const p of far.slice(0, this.pages.size - this.keep)) this.pages.delete(p);
  }
}
