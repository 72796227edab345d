// Rows of a view addressed by position: the grid asks for any range (a scrollbar dragged to
// the middle of a million rows included) and gets the pages that cover it, each fetched once.
import type { JsonValue } from "../bindings/serde_json/JsonValue";

export const PAGE_SIZE = 200;

/** A table row: the entry it shows and its cells, in the order of the view's columns. */
export interface Row {
  id: number;
  cells: JsonValue[];
}
/** `ahead`: for rows asked for before they are shown, the ticket of the view's showing (see
 * `PageCache.close`); the backend reads them on a connection of their own so that the rows on
 * screen never wait behind them. Null for rows on screen. */
export type FetchPage<R = Row> = (
  offset: number,
  limit: number,
  ahead: string | null,
) => Promise<R[]>;

/** Takes back the rows ahead asked for with a ticket: the backend stops reading them. */
export type TakeBack = (ticket: string) => void;

const ticketPrefix = Math.random().toString(36).slice(2, 10);
let tickets = 0;
/** A ticket no other showing of a view has, in this window or another on the same backend. */
function newTicket(): string {
  tickets += 1;
  return `${ticketPrefix}-${tickets}`;
}

/** Requests in flight at once. A scrollbar dragged across a million rows passes hundreds of
 * pages; with a small window only the pages still on screen when a slot frees are fetched,
 * instead of a queue of pages long scrolled past that the backend would answer one by one. */
export const MAX_IN_FLIGHT = 2;

/** Pages read ahead in one request at most. While keys are held the browser hands the page
 * each answer late (input first: 1.2 s median under a flood of PageDowns, traced), so rows
 * far ahead come in few answers rather than a page per answer. */
export const MOST_PAGES_PER_REQUEST = 8;

/** Rows read ahead at most, well within the pages the cache keeps. */
export const MOST_AHEAD = 30 * PAGE_SIZE;

/** How far ahead rows are wanted, in seconds of the pace they move at: about the longest an
 * answer waited while keys were held. */
const AHEAD_SECONDS = 1.5;

/**
 * Rows to read before and after the visible ones when they move at `rowsPerSecond` (negative:
 * upwards): as many as they pass in AHEAD_SECONDS the way they move, up to MOST_AHEAD; two
 * pages the other way. A log is read downwards, so one request's pages wait below the screen
 * even at rest: the first keys of a run come before its pace is known, and their pages would
 * come late.
 */
export function readAhead(rowsPerSecond: number): [before: number, after: number] {
  const least = 2 * PAGE_SIZE;
  const ahead = (atLeast: number) =>
    Math.min(MOST_AHEAD, Math.max(atLeast, Math.round(Math.abs(rowsPerSecond) * AHEAD_SECONDS)));
  return rowsPerSecond < 0
    ? [ahead(least), least]
    : [least, ahead(MOST_PAGES_PER_REQUEST * PAGE_SIZE)];
}

export class PageCache<R = Row> {
  private pages = new Map<number, R[]>();
  private pending = new Set<number>();
  private requests = 0;
  /** Pages whose request failed since the last ensure(): not retried until asked again. */
  private failed = new Set<number>();
  private wanted: [number, number] = [0, -1];
  /** The view is no longer shown: nothing more is asked for it (`close`). */
  private closed = false;
  /** Names this showing's rows ahead, to take them back when it ends. */
  private ticket = newTicket();
  /** Requests for rows ahead in flight under `ticket`. */
  private aheadInFlight = 0;
  /** Pages just beyond the visible ones, fetched when the visible ones are in. */
  private ahead: [number, number] = [0, -1];
  /** Pages of the view: none beyond them is read ahead. */
  private pageCount = Infinity;

  constructor(
    private readonly fetchPage: FetchPage<R>,
    private readonly onLoaded: () => void,
    /** Pages kept at most; the ones furthest from the last request go first. */
    private readonly keep = 50,
    private readonly takeBack: TakeBack = () => undefined,
  ) {}

  row(index: number): R | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /**
   * Makes sure rows [first, last] are loaded or will be, replacing any earlier wish; then the
   * rows `before` and `after` beyond either end (within the view's `total` rows), so that
   * scrolling on finds them ready.
   */
  ensure(first: number, last: number, before = 0, after = before, total = Infinity): void {
    const page = (row: number) => Math.floor(Math.max(0, row) / PAGE_SIZE);
    this.wanted = [page(first), page(last)];
    this.ahead = [page(first - before), page(last + after)];
    this.pageCount = Math.ceil(total / PAGE_SIZE);
    this.failed.clear();
    this.pump();
  }

  /** Asks for nothing more, whatever comes back: the table shows another view. A keyboard
   * run across the view tabs otherwise left each view it passed asking for its pages ahead
   * when its first rows came, in front of the view it stopped on. The rows ahead still being
   * read are taken back: at 10M entries a view's may take a second, and the next view's
   * would queue behind them. */
  close(): void {
    this.closed = true;
    if (this.aheadInFlight === 0) return;
    this.takeBack(this.ticket);
    // Shown again (`open`), the view asks under a ticket not taken back.
    this.ticket = newTicket();
    this.aheadInFlight = 0;
  }

  /** Asks again for what is wanted, the pages taken back included: the view is shown
   * (again, after a StrictMode re-run). */
  open(): void {
    this.closed = false;
    this.failed.clear();
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    const [from, to] = this.wanted;
    const [before, after] = this.ahead;
    const order: number[] = [];
    for (let p = from; p <= to; p++) order.push(p);
    const visible = order.length;
    for (let p = to + 1; p <= after; p++) order.push(p);
    for (let p = from - 1; p >= before; p--) order.push(p);
    const missing = (p: number) =>
      !this.pages.has(p) && !this.pending.has(p) && !this.failed.has(p);
    const aheadMissing = (p: number) => p >= 0 && p < this.pageCount && missing(p);
    // A side read far ahead (the way the rows move) is read in whole runs, past its edge:
    // as the rows move a page, a page at the edge goes missing, and asked alone, each answer
    // brought one page. While keys are held, the browser hands the page its answers late
    // (input first, 0.2-0.7 s each under a flood of PageDowns at 1M): two answers in flight
    // of one page each fell behind the keys.
    const whole = (side: number) => side >= MOST_PAGES_PER_REQUEST;
    for (let i = 0; i < order.length && this.requests < MAX_IN_FLIGHT; i++) {
      // A new view's pages ahead wait for its first rows: asked beside them they share the
      // backend's cores (two here), and the first rows came 3-5× later (a tab change at 10M).
      // Scrolling keeps asking both at once: under held keys the rows reach pages ahead soon.
      if (i === visible && this.pages.size === 0 && this.pending.size > 0) break;
      const first = order[i];
      const ahead = i >= visible;
      if (first === undefined || !(ahead ? aheadMissing(first) : missing(first))) continue;
      // A visible page is asked for alone, so that it comes as soon as it can; pages ahead
      // with the missing ones next to them on the same side.
      const run = [first];
      const down = first > to;
      const step = down ? 1 : -1;
      const past = down ? whole(after - to) : whole(from - before);
      while (ahead && run.length < MOST_PAGES_PER_REQUEST) {
        const next = first + step * run.length;
        const inOrder = order[i + 1] === next;
        if (!(inOrder || past) || !aheadMissing(next)) break;
        run.push(next);
        if (inOrder) i++;
      }
      this.fetch(run, ahead);
    }
  }

  /** Asks for adjacent pages in one request. */
  private fetch(run: number[], ahead: boolean): void {
    const low = Math.min(...run);
    run.forEach((p) => this.pending.add(p));
    this.requests++;
    const ticket = ahead ? this.ticket : null;
    if (ahead) this.aheadInFlight++;
    this.fetchPage(low * PAGE_SIZE, run.length * PAGE_SIZE, ticket)
      .then((rows) => {
        for (const p of run) {
          const at = (p - low) * PAGE_SIZE;
          this.pages.set(p, rows.slice(at, at + PAGE_SIZE));
        }
        this.evict(run[0] ?? low);
        this.onLoaded();
      })
      .catch(() => {
        // Left unloaded; the next ensure() over them asks again. Pages taken back are asked
        // again at once if the view is shown again.
        if (ticket === null || ticket === this.ticket) run.forEach((p) => this.failed.add(p));
      })
      .finally(() => {
        run.forEach((p) => this.pending.delete(p));
        this.requests--;
        if (ticket === this.ticket) this.aheadInFlight--;
        this.pump();
      });
  }

  private evict(near: number): void {
    if (this.pages.size <= this.keep) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const p of far.slice(0, this.pages.size - this.keep)) this.pages.delete(p);
  }
}
