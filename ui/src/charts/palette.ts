// Colours a canvas chart can use: uPlot draws with concrete colours, so the theme's CSS
// variables are read when a chart is built (and again when the colour scheme changes).

/**
 * Distinct hues readable on the light and the dark background alike, for names (components,
 * event types). None is a status colour: green means success, amber pending, red failed and
 * grey no status wherever Invlog draws one, so no name may look like one.
 */
export const HUES = ["#2f6fdb", "#ae3ec9", "#0c8599", "#5f3dc4", "#a0522d", "#e64980", "#1864ab"];

/** The first and last x of sorted data. */
export function dataSpan(xs: ArrayLike<number>): [number, number] {
  return [xs[0] ?? 0, xs[xs.length - 1] ?? 0];
}

/** Room around the data on a time axis: a lone instant gets a day either side. */
export function paddedRange(min: number, max: number): [number, number] {
  const pad = max > min ? (max - min) * 0.02 : 86_400;
  return [min - pad, max + pad];
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/**
 * A stable colour per name (a component SKU, an event type): the same name gets the same hue
 * wherever it shows and whenever, and names listed together never share one while hues last.
 */
export function colourMap(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<number>();
  for (const name of [...new Set(names)].sort()) {
    let slot = hash(name) % HUES.length;
    for (let tries = 0; used.has(slot) && tries < HUES.length; tries++) {
      slot = (slot + 1) % HUES.length;
    }
    used.add(slot);
    out.set(name, HUES[slot] ?? HUES[0] ?? "#888");
  }
  return out;
}

export interface ChartTheme {
  fg: string;
  muted: string;
  grid: string;
  success: string;
  failed: string;
  pending: string;
  other: string;
  accent: string;
}

export function readTheme(el: Element = document.documentElement): ChartTheme {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v("--fg", "#1d2330"),
    muted: v("--muted", "#5e6878"),
    grid: v("--line", "#e3e7ee"),
    success: v("--chart-success", "#3fa66a"),
    failed: v("--chart-failed", "#d64545"),
    pending: v("--chart-pending", "#d9a400"),
    other: v("--chart-other", "#9aa4b4"),
    accent: v("--accent", "#2f6fdb"),
  };
}
