// A view's first rows before its total. The first page and the total come in one request, so
// a view the summary counts shows its rows and count at once. A view it cannot count (filtered
// on a quantity or a text column) is counted from columns read from every entry, or a scan: up
// to a second or more at 10M entries, while its first page takes tens of milliseconds. If the
// count has not come within HEDGE_MS, the first page is asked again without it, and the rows
// show while the count goes on.

/** How long a view's count may take before its rows are asked for on their own. */
export const HEDGE_MS = 100;

/**
 * `first()`'s answer, or — when it has not come within `ms` — whichever of it and `second()`
 * comes first. A failure of `second` never hides `first`'s answer; `first`'s failure is the
 * answer's.
 */
export function hedge<T>(
  first: () => Promise<T>,
  second: () => Promise<T>,
  ms: number,
): Promise<T> {
  const primary = first();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      second().then(
        (v) => {
          if (settled) return;
          settled = true;
          resolve(v);
        },
        () => undefined,
      );
    }, ms);
    primary.then(
      (v) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        // Passed on as it came: a CommandError keeps its kind.
        reject(e);
      },
    );
  });
}

/** What the table shows of a view's size: its total, or its first rows while it is counted. */
export interface Shown {
  total: number;
  /** The view may hold more rows than `total`: its count has not come yet. */
  counting: boolean;
}

/** A view's size from its first page (`rows` of at most `limit`) and its total, if counted. */
export function shownOf(rows: number, limit: number, total: number | undefined | null): Shown {
  if (total !== undefined && total !== null) return { total, counting: false };
  // A first page short of its limit is the whole view.
  return { total: rows, counting: rows >= limit };
}

/** The view's size as the header says it. */
export function countText(total: number | null, counting: boolean): string {
  if (total === null) return "…";
  if (counting) return `${total.toLocaleString()}+ entries, counting…`;
  return `${total.toLocaleString()} ${total === 1 ? "entry" : "entries"}`;
}
