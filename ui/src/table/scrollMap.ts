// Where the grid's scroll position puts its rows when the rows are taller than a browser lets
// an element be. Chromium and WebKitGTK stop an element near 33.5M px (Firefox near 17.9M): at
// 30 px a row, ~1.1M rows. Past that, the grid's body keeps a height it may have and the rows
// are placed by an offset, as follows.
// - A jump (a scrollbar drag, a click far down the track, End) puts the rows proportionally:
//   the thumb at 75% of its track shows the rows at 75% of the view.
// - A step (the wheel, arrow keys, PageDown, a click on the track beside the thumb) moves the
//   rows by exactly as many pixels as the scroll position moved, as in any other list; the
//   thumb then runs ahead of the proportional place, and is put back once it has strayed a
//   hundredth of the track (or would reach an end of the track before the rows reach theirs).
// A place is one pair (the element's scroll position, the rows' offset from it); the functions
// here are its pure transitions.

/** The tallest body given to the grid: under every engine's limit (Firefox's is the lowest). */
export const MAX_BODY_HEIGHT = 2 ** 24;

export interface Geometry {
  /** The rows' full height: rows × row height. */
  content: number;
  /** The height the rows are seen through (the grid's height less its header). */
  viewport: number;
  /** The body's height; the content's unless that is too tall (set by `geometry`). */
  body: number;
}

export interface Place {
  /** The element's scroll position. */
  top: number;
  /** The rows' position minus the scroll position: 0 while the content fits the body. */
  offset: number;
}

export const START: Place = { top: 0, offset: 0 };

export function geometry(content: number, viewport: number, maxBody = MAX_BODY_HEIGHT): Geometry {
  return { content, viewport, body: Math.min(content, maxBody) };
}

/** The content's position (its pixel at the top of the viewport). */
export function position(p: Place): number {
  return p.top + p.offset;
}

const maxTop = (g: Geometry) => Math.max(0, g.body - g.viewport);
const maxPosition = (g: Geometry) => Math.max(0, g.content - g.viewport);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Content pixels per pixel of scroll position, at the proportional place. */
function ratio(g: Geometry): number {
  const track = maxTop(g);
  return track > 0 ? maxPosition(g) / track : 1;
}

/** The place showing content position `y` from scroll position `top`, with the scroll position
 * moved back to the proportional one when it has strayed too far from it. At either end of the
 * track the content is at its own end, so that the wheel can always reach the first and the
 * last row. */
function settle(top: number, y: number, g: Geometry): Place {
  const r = ratio(g);
  const band = Math.min(maxTop(g) / 100, top, maxTop(g) - top);
  if (Math.abs(top - y / r) <= band) return { top, offset: y - top };
  const moved = clamp(Math.round(y / r), 0, maxTop(g));
  const at = moved === 0 ? 0 : moved === maxTop(g) ? maxPosition(g) : y;
  return { top: moved, offset: at - moved };
}

/**
 * The place after the element's scroll position became `top` (a scroll event). The returned
 * `top` differs from the given one when the scroll position must be moved back: the caller
 * writes it to the element.
 */
export function scrolled(prev: Place, top: number, g: Geometry): Place {
  if (g.body >= g.content) return { top, offset: 0 };
  top = clamp(top, 0, maxTop(g));
  const step = top - prev.top;
  if (Math.abs(step) >= g.viewport) return { top, offset: top * ratio(g) - top };
  return settle(top, clamp(position(prev) + step, 0, maxPosition(g)), g);
}

/** The place that shows content position `y` (a key moved the selection, Home, End). A move
 * within a screen keeps the offset, as a scroll step would; a longer one is a jump. */
export function scrollTo(prev: Place, y: number, g: Geometry): Place {
  y = clamp(y, 0, maxPosition(g));
  if (g.body >= g.content) return { top: y, offset: 0 };
  if (Math.abs(y - position(prev)) < g.viewport) {
    return settle(clamp(y - prev.offset, 0, maxTop(g)), y, g);
  }
  return settle(clamp(Math.round(y / ratio(g)), 0, maxTop(g)), y, g);
}

/** The place after the content changed size (another view, rows added): the same content
 * position if it still exists, found as a jump would. */
export function resized(prev: Place, g: Geometry): Place {
  return scrollTo({ top: prev.top, offset: prev.offset }, position(prev), g);
}

/** The content position that brings rows [top, bottom) into view, or null if they are. */
export function reveal(y: number, top: number, bottom: number, viewport: number): number | null {
  if (top < y) return top;
  if (bottom > y + viewport) return bottom - viewport;
  return null;
}
