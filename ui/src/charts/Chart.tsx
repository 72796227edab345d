import { useEffect, useRef, useState, type ReactNode } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { readTheme, type ChartTheme } from "./palette";

interface Props {
  /** The chart's options for a width and the current theme (height is part of them). */
  options: (width: number, theme: ChartTheme) => uPlot.Options;
  data: uPlot.AlignedData;
  className?: string;
  label: string;
  /** What the point under the cursor is, shown beside the cursor (uPlot's legend is off). */
  readout?: (index: number) => ReactNode;
}

/** Room the read-out needs to the right of the cursor before it flips to the left. */
const READOUT_ROOM = 220;

/** Where the cursor is over the plot, in the chart box's pixels, and the point under it. */
interface Hover {
  index: number;
  left: number;
  top: number;
  /** The chart box's width then. */
  width: number;
}

/** The colour scheme the theme's variables follow, so charts are redrawn when it flips. */
function useColourScheme(): string {
  const query = "(prefers-color-scheme: dark)";
  const [dark, setDark] = useState(() => window.matchMedia?.(query).matches ?? false);
  useEffect(() => {
    const m = window.matchMedia?.(query);
    if (!m) return;
    const on = (e: MediaQueryListEvent) => setDark(e.matches);
    m.addEventListener("change", on);
    return () => m.removeEventListener("change", on);
  }, []);
  return dark ? "dark" : "light";
}

/**
 * A uPlot chart filling its container's width. Built again when its options or the theme
 * change; new data alone is handed to the same chart (a refetch does not interrupt a drag).
 */
export function Chart({ options, data, className, label, readout }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  const scheme = useColourScheme();
  const [hover, setHover] = useState<Hover | null>(null);
  useEffect(() => {
    latest.current = data;
    // Data for other series comes with other options: the chart is then built anew.
    if (plot.current?.series.length === data.length) plot.current.setData(data);
  }, [data]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(200, el.clientWidth);
    const built = options(width, readTheme(el));
    const follow = (u: uPlot) => {
      const { idx, left, top } = u.cursor;
      if (idx == null || left == null || top == null || left < 0) {
        setHover(null);
        return;
      }
      const over = u.over.getBoundingClientRect();
      const outer = el.getBoundingClientRect();
      setHover({
        index: idx,
        left: over.left - outer.left + left,
        top: over.top - outer.top + top,
        width: outer.width,
      });
    };
    const u = new uPlot(
      {
        ...built,
        legend: { ...built.legend, show: false },
        hooks: { ...built.hooks, setCursor: [...(built.hooks?.setCursor ?? []), follow] },
      },
      latest.current,
      el,
    );
    plot.current = u;
    const resized = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height: u.height });
    });
    resized.observe(el);
    return () => {
      resized.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [options, scheme]);
  const shown = hover && readout ? readout(hover.index) : null;
  const flip = hover !== null && hover.left > hover.width - READOUT_ROOM;
  return (
    <div className="chart-box" onPointerLeave={() => setHover(null)}>
      <div ref={box} className={`chart ${className ?? ""}`} role="img" aria-label={label} />
      {hover && shown && (
        <div
          className="chart-readout"
          role="status"
          style={{
            top: Math.max(0, hover.top - 8),
            ...(flip ? { right: hover.width - hover.left + 12 } : { left: hover.left + 12 }),
          }}
        >
          {shown}
        </div>
      )}
    </div>
  );
}
