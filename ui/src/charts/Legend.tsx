// A chart's key in the app's own type and colours (uPlot's legend shows "--" until hovered).

export interface LegendItem {
  label: string;
  /** A CSS colour (a theme variable or a hue). */
  colour: string;
  /** A line, a dashed line or a marker. */
  mark: "line" | "dash" | "dot";
}

export function Legend({ items, label }: { items: LegendItem[]; label: string }) {
  return (
    <ul className="chart-legend" aria-label={label}>
      {items.map((i) => (
        <li key={i.label}>
          <i className={`mark-${i.mark}`} aria-hidden="true" style={{ color: i.colour }} />
          {i.label}
        </li>
      ))}
    </ul>
  );
}
