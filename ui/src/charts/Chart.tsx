import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { readTheme, type ChartTheme } from "./palette";

interface Props {
  /** The chart's options for a width and the current theme (height is part of them). */
  options: (width: number, theme: ChartTheme) => uPlot.Options;
  data: uPlot.AlignedData;
  className?: string;
  label: string;
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
export function Chart({ options, data, className, label }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  const scheme = useColourScheme();
  useEffect(() => {
    latest.current = data;
    // Data for other series comes with other options: the chart is then built anew.
    if (plot.current?.series.length === data.length) plot.current.setData(data);
  }, [data]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(200, el.clientWidth);
    const u = new uPlot(options(width, readTheme(el)), latest.current, el);
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
  return <div ref={box} className={`chart ${className ?? ""}`} role="img" aria-label={label} />;
}
