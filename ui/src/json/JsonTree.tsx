import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type ReactNode } from "react";
import { isContainer, scalarText, type TreeRow } from "./tree";

const ROW_HEIGHT = 22;
const MAX_HEIGHT = 360;

interface Props {
  rows: TreeRow[];
  query: string;
  /** Node id of the current search match, scrolled into view. */
  current: string | null;
  matchIds: ReadonlySet<string>;
  selected: string | null;
  onSelect: (row: TreeRow) => void;
  onToggle: (row: TreeRow) => void;
}

/** `text` with each case-insensitive occurrence of `query` marked. Text only, never HTML. */
export function highlight(text: string, query: string): ReactNode {
  const q = query.trim().toLowerCase();
  if (!q) return text;
  const lower = text.toLowerCase();
  const out: ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i !== -1; i = lower.indexOf(q, i + q.length)) {
    if (i > at) out.push(text.slice(at, i));
    out.push(<mark key={i}>{text.slice(i, i + q.length)}</mark>);
    at = i + q.length;
  }
  out.push(text.slice(at));
  return out;
}

function typeOf(value: TreeRow["value"]): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A document's open nodes, one row each, virtualized: a 30,000-node payload is ~30 rows. */
export function JsonTree({ rows, query, current, matchIds, selected, onSelect, onToggle }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  useEffect(() => {
    if (current === null) return;
    const index = rows.findIndex((r) => r.id === current);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: "center" });
  }, [current, rows, virtualizer]);

  return (
    <div
      className="json-tree"
      role="tree"
      aria-label="JSON tree"
      ref={scroller}
      // As tall as its rows up to a limit: a three-key body needs no 360 px box.
      style={{ height: Math.min(MAX_HEIGHT, rows.length * ROW_HEIGHT + 8) }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const kind = typeOf(row.value);
          const classes = ["json-row"];
          if (row.id === selected) classes.push("selected");
          if (matchIds.has(row.id)) classes.push("match");
          if (row.id === current) classes.push("current");
          return (
            <div
              key={row.id}
              role="treeitem"
              aria-level={row.depth + 1}
              aria-expanded={row.size !== null ? row.open : undefined}
              aria-selected={row.id === selected}
              data-path={row.id}
              className={classes.join(" ")}
              style={{
                transform: `translateY(${item.start}px)`,
                height: ROW_HEIGHT,
                paddingLeft: 6 + row.depth * 16,
              }}
              onClick={() => onSelect(row)}
              onDoubleClick={() => row.size !== null && onToggle(row)}
            >
              {row.size !== null ? (
                <button
                  type="button"
                  className="json-toggle"
                  aria-label={row.open ? "Collapse" : "Expand"}
                  onClick={(e) => {
                    e.stopPropagation();
                    onToggle(row);
                  }}
                >
                  {row.open ? "▾" : "▸"}
                </button>
              ) : (
                <span className="json-toggle" />
              )}
              {row.name !== null && (
                <span className={typeof row.name === "number" ? "json-index" : "json-key"}>
                  {typeof row.name === "number" ? row.name : highlight(row.name, query)}
                  {": "}
                </span>
              )}
              {isContainer(row.value) ? (
                <span className="json-size">
                  {kind === "array"
                    ? `[${row.size} ${row.size === 1 ? "item" : "items"}]`
                    : `{${row.size} ${row.size === 1 ? "key" : "keys"}}`}
                </span>
              ) : (
                <span className={`json-${kind}`}>{highlight(scalarText(row.value), query)}</span>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
