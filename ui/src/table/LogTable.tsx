import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent as ReactPointerEvent,
} from "react";
import { getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import type { Column } from "../bindings/Column";
import type { SortKey } from "../bindings/SortKey";
import { isNumeric } from "../common/format";
import { GridRow } from "./GridRow";
import { initialKeys, rowKeys } from "./rowKeys";
import { PageCache, readAhead, type FetchPage, type Row, type TakeBack } from "./pages";
import { paced, type Pace } from "./pace";
import { clampWidth } from "../view/reorder";
import { sourceNames } from "../common/columnNames";
import { fillWidths, fitWidth } from "./fit";
import { ariaSort, DEFAULT_SORT } from "../view/sorting";
import {
  geometry,
  position,
  resized,
  reveal,
  scrolled,
  scrollTo,
  START,
  type Place,
} from "./scrollMap";

const ROW_HEIGHT = 30;
/** Rows rendered beyond each edge of the viewport. Few: every row rendered is work on each
 * scroll step (4 instead of 10 cut a page down's main-thread time by ~17%). */
const OVERSCAN = 4;

interface Props {
  columns: Column[];
  /** The view's rows; while `counting`, the ones known so far (its first page). */
  total: number;
  /** The view's count has not come yet: it may hold more rows than `total`. */
  counting?: boolean;
  fetchPage: FetchPage;
  /** Takes back the rows read ahead of a view the table stops showing. */
  takeBackRowsAhead?: TakeBack;
  sort: SortKey[];
  onSort: (column: Column, additive: boolean) => void;
  widths: Record<string, number>;
  onResize: (column: string, width: number) => void;
  onMove: (column: string, before: string) => void;
  /** A click on a row, or Enter: show its entry. */
  onOpen: (row: Row, index: number) => void;
  /** The keyboard moved the selection onto this row (the details follow it when open). */
  onSelect: (row: Row, index: number) => void;
  /** Entries picked for a batch action (ctrl/cmd-click, shift-click, shift+arrows). */
  picked: ReadonlySet<number>;
  onPick: (ids: ReadonlySet<number>) => void;
  /** The view the rows belong to: the selection is kept while it stays the same. */
  view: object;
  /** A kit log's component colours: its component column shows them as chips. */
  componentColours?: Map<string, string>;
  /** A right-click on a SKU cell (its context menu). */
  onSkuMenu?: (sku: string, x: number, y: number) => void;
}

/** Room for what the column typically holds, so the default view fits a laptop screen. */
function defaultWidth(c: Column): number {
  if (c.kind === "time") return 186;
  if (c.kind === "integer" || c.kind === "status") return 104;
  if (c.id === "product_name") return 180;
  if (c.id === "source" || c.id === "location_code") return 96;
  if (c.id === "event_type") return 120;
  return 128;
}

const DRAG_TYPE = "application/x-invlog-column";

/** Follows the pointer from a header's right edge; the width is reported as it changes. */
function startResize(
  e: ReactPointerEvent<HTMLElement>,
  column: string,
  from: number,
  onResize: (column: string, width: number) => void,
) {
  e.preventDefault();
  e.stopPropagation();
  const startX = e.clientX;
  const move = (m: PointerEvent) => onResize(column, clampWidth(from + m.clientX - startX));
  const up = () => {
    window.removeEventListener("pointermove", move);
    window.removeEventListener("pointerup", up);
  };
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", up);
}

/** What the cells of a column show, measured: the fit of a double-clicked edge. Only the
 * rendered rows count (the table is virtual), as in a spreadsheet fitting what is on screen. */
function contentWidths(grid: HTMLElement, column: string): number[] {
  const canvas = document.createElement("canvas").getContext("2d");
  const widths: number[] = [];
  for (const el of grid.querySelectorAll<HTMLElement>(`[data-col="${CSS.escape(column)}"]`)) {
    // A badge or chip is measured as drawn; text by its font (a clipped cell's own width
    // would only say how much of it shows).
    const inner = el.querySelector<HTMLElement>(".badge, .component-chip, .sort-label");
    if (inner && !inner.classList.contains("sort-label")) {
      widths.push(inner.getBoundingClientRect().width);
      continue;
    }
    const text = (inner ?? el).textContent ?? "";
    if (!canvas) continue;
    canvas.font = getComputedStyle(inner ?? el).font;
    // A header's sort mark sits beside its label.
    widths.push(canvas.measureText(text).width + (inner ? 24 : 0));
  }
  return widths;
}

/** The registry's description and what each source calls the column, shown at once on
 * hovering or focusing a header (the browser's own tooltip waits and cannot be styled). */
function HeaderTip({ column, at }: { column: Column; at: DOMRect }) {
  const also = sourceNames(column);
  const left = Math.max(8, Math.min(at.left, window.innerWidth - 328));
  return (
    <div id="column-tip" role="tooltip" className="tip" style={{ left, top: at.bottom + 4 }}>
      <strong>{column.label}</strong>
      <p>{column.description}</p>
      {also && <p className="tip-also">Sources call it: {also}</p>}
      <p className="tip-keys">
        Click to sort, shift-click to add a key; drag to move; double-click the edge to fit.
      </p>
    </div>
  );
}

/** A cell under the pointer offers its full value when it is cut off, its exact one (a time
 * in UTC, a source's id) otherwise. Set on hover because rows are reused as they scroll. */
function showFullValue(e: MouseEvent<HTMLDivElement>) {
  const cell = (e.target as HTMLElement).closest<HTMLElement>('[role="gridcell"]');
  if (!cell) return;
  const exact = cell.dataset.full;
  const cut = cell.scrollWidth > cell.clientWidth;
  cell.title = cut ? (exact ?? cell.textContent ?? "") : (exact ?? "");
}

export function LogTable({
  columns,
  total,
  counting = false,
  fetchPage,
  takeBackRowsAhead,
  sort,
  onSort,
  widths,
  onResize,
  onMove,
  onOpen,
  onSelect,
  picked,
  onPick,
  view,
  componentColours,
  onSkuMenu,
}: Props) {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  // The selected row and where a shift-click or shift+arrow range starts, in `view`; another
  // view starts with none (its rows are others), a refetch of the same view keeps them.
  const [cursor, setCursor] = useState<{
    view: object;
    selected: number | null;
    anchor: number | null;
  }>({ view, selected: null, anchor: null });
  const selected = cursor.view === view ? cursor.selected : null;
  const anchor = cursor.view === view ? cursor.anchor : null;
  const setSelected = (index: number | null) =>
    setCursor((c) => ({ view, selected: index, anchor: c.view === view ? c.anchor : null }));
  const setAnchor = (index: number | null) =>
    setCursor((c) => ({ view, selected: c.view === view ? c.selected : null, anchor: index }));
  // A new view (new fetchPage) starts from an empty cache.
  const cache = useMemo(
    () => new PageCache(fetchPage, rerender, undefined, takeBackRowsAhead),
    [fetchPage, takeBackRowsAhead],
  );
  useEffect(() => {
    cache.open();
    return () => cache.close();
  }, [cache]);
  const scroller = useRef<HTMLDivElement>(null);
  // The entry last reported as selected. The row under the selection can turn out to be
  // another one after the report: a page that was not loaded yet (End on a big view), or a
  // refetch that moved rows up (the selected entry was resolved out of its view). Whoever
  // shows the selected entry is then told again, so it always shows the highlighted row.
  const reported = useRef<number | null>(null);
  // Where the table was scrolled sideways before focus went into its headers.
  const scrolledBefore = useRef<number | null>(null);
  // The header whose tooltip shows, and where.
  const [tip, setTip] = useState<{ column: Column; at: DOMRect } | null>(null);
  // The room the table has: the free width at the right goes to its text columns.
  const [room, setRoom] = useState(0);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setRoom(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const selectedRow = selected !== null ? cache.row(selected) : undefined;
  useEffect(() => {
    if (selected === null || !selectedRow || selectedRow.id === reported.current) return;
    reported.current = selectedRow.id;
    onSelect(selectedRow, selected);
  }, [selected, selectedRow, onSelect]);

  const defs = useMemo<ColumnDef<Row>[]>(() => {
    const sizes = fillWidths(
      columns.map((c) => widths[c.id] ?? defaultWidth(c)),
      columns.map((c) => c.kind),
      columns.map((c) => widths[c.id] !== undefined),
      room,
    );
    return columns.map((c, i) => ({ id: c.id, header: c.label, size: sizes[i] }));
  }, [columns, widths, room]);
  const table = useReactTable<Row>({ data: [], columns: defs, getCoreRowModel: getCoreRowModel() });
  // One array while the widths stay the same, whatever the parent passes: the rows compare it
  // by identity.
  const sizeList = defs.map((d) => table.getColumn(d.id ?? "")?.getSize() ?? 0).join(" ");
  const sizes = useMemo(() => sizeList.split(" ").map(Number), [sizeList]);

  // The rows are placed by hand rather than by a virtualizer: a view of millions of rows is
  // taller than an element may be, and its rows sit at an offset from the scroll position
  // (scrollMap.ts). Rows have one height, so the visible ones follow from the position alone.
  const header = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState(0);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() =>
      setViewport(Math.max(0, el.clientHeight - (header.current?.offsetHeight ?? 0))),
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const shape = useMemo(() => geometry(total * ROW_HEIGHT, viewport), [total, viewport]);
  const place = useRef<Place>(START);
  // What is drawn; `place` is the same, readable at once by the next scroll event.
  const [shown, setShown] = useState<Place>(START);
  const moveTo = useCallback((next: Place) => {
    place.current = next;
    const el = scroller.current;
    if (el && Math.abs(el.scrollTop - next.top) >= 1) el.scrollTop = next.top;
    // The scroll event that a write above raises changes nothing: no render for it.
    setShown((now) => (now.top === next.top && now.offset === next.offset ? now : next));
  }, []);
  // Another total or height: the same content position if it still exists.
  useLayoutEffect(() => moveTo(resized(place.current, shape)), [shape, moveTo]);
  const onScroll = () => {
    if (tip) setTip(null);
    const el = scroller.current;
    if (el) moveTo(scrolled(place.current, el.scrollTop, shape));
  };
  const y = position(shown);
  const shownFirst = Math.floor(y / ROW_HEIGHT);
  const shownLast = Math.min(total - 1, Math.floor((y + viewport - 1) / ROW_HEIGHT));
  const first = Math.max(0, shownFirst - OVERSCAN);
  const last = Math.min(total - 1, shownLast + OVERSCAN);
  const slots = Math.max(1, last - first + 1);
  const indices = total > 0 ? Array.from({ length: slots }, (_, i) => first + i) : [];
  // Kept from render to render (React's pattern for a value derived from the previous one).
  const [keyed, setKeyed] = useState(() => initialKeys(first, slots));
  const keys = rowKeys(keyed, first, slots);
  if (keys !== keyed) setKeyed(keys);
  const scrollToRow = (index: number) => {
    const to = reveal(
      position(place.current),
      index * ROW_HEIGHT,
      (index + 1) * ROW_HEIGHT,
      viewport,
    );
    if (to !== null) moveTo(scrollTo(place.current, to, shape));
  };
  const pace = useRef<Pace | null>(null);
  useEffect(() => {
    // Pages beyond the visible rows, the more the faster they move: while keys are held down
    // the browser serves input before network answers (a 5 ms page can take a second to
    // arrive), so the rows must be asked for well before they are needed.
    pace.current = paced(pace.current, first, performance.now());
    if (total > 0) cache.ensure(first, last, ...readAhead(pace.current.rowsPerSecond), total);
  }, [cache, first, last, total]);

  // Loaded rows only: a range reaching into pages not fetched yet takes what is there.
  const idsBetween = (a: number, b: number) => {
    const ids = new Set<number>();
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
      const row = cache.row(i);
      if (row) ids.add(row.id);
    }
    return ids;
  };
  const select = (index: number, extend: boolean) => {
    const next = Math.max(0, Math.min(total - 1, index));
    setSelected(next);
    scrollToRow(next);
    if (extend) {
      const from = anchor ?? selected ?? next;
      setAnchor(from);
      onPick(idsBetween(from, next));
    } else {
      setAnchor(next);
      if (picked.size > 0) onPick(new Set());
      const row = cache.row(next);
      if (row) {
        reported.current = row.id;
        onSelect(row, next);
      }
    }
  };
  const click = (e: MouseEvent<HTMLDivElement>, index: number) => {
    const row = cache.row(index);
    if (!row) return;
    if (e.shiftKey) {
      const from = anchor ?? selected ?? index;
      setAnchor(from);
      setSelected(index);
      onPick(idsBetween(from, index));
    } else if (e.ctrlKey || e.metaKey) {
      const next = new Set(picked);
      // The row the cursor was on joins the pick, as in a file manager.
      const current = selected !== null ? cache.row(selected) : undefined;
      if (next.size === 0 && current && current.id !== row.id) next.add(current.id);
      if (next.has(row.id)) next.delete(row.id);
      else next.add(row.id);
      setSelected(index);
      setAnchor(index);
      onPick(next);
    } else {
      setSelected(index);
      setAnchor(index);
      if (picked.size > 0) onPick(new Set());
      reported.current = row.id;
      onOpen(row, index);
    }
  };
  // End pressed while the view is still counted: the last row is reached once it is known.
  const endWanted = useRef<{ extend: boolean } | null>(null);
  useEffect(() => {
    const wanted = endWanted.current;
    if (counting || !wanted) return;
    endWanted.current = null;
    if (total > 0) select(total - 1, wanted.extend);
    // Only when the count comes: `select` and `total` are this render's.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [counting]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (total === 0 || e.target !== e.currentTarget) return;
    if (e.key === "End" && counting) {
      e.preventDefault();
      endWanted.current = { extend: e.shiftKey };
      return;
    }
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    const at = selected ?? -1;
    const moves: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: total - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      select(target, e.shiftKey);
    } else if (e.key === "Enter" && selected !== null) {
      e.preventDefault();
      const row = cache.row(selected);
      if (row) {
        reported.current = row.id;
        onOpen(row, selected);
      }
    } else if (e.key === "a" && (e.ctrlKey || e.metaKey)) {
      // Every loaded row of the view: a batch action over a million unseen rows would
      // surprise; filter the view down instead.
      e.preventDefault();
      onPick(idsBetween(0, total - 1));
    }
  };

  // The rows get handlers that never change, so a row whose own values stay is not rendered
  // again; the handlers call whatever this render's closures are.
  const latest = useRef({ click, onSkuMenu });
  useLayoutEffect(() => {
    latest.current = { click, onSkuMenu };
  });
  const onRowClick = useCallback(
    (e: MouseEvent<HTMLDivElement>, index: number) => latest.current.click(e, index),
    [],
  );
  const onRowSkuMenu = useCallback(
    (sku: string, x: number, y: number) => latest.current.onSkuMenu?.(sku, x, y),
    [],
  );

  const width = table.getTotalSize();
  return (
    <>
      <div
        className="grid"
        role="grid"
        aria-label="Inventory log"
        // -1: how many rows there are is not known yet (WAI-ARIA).
        aria-rowcount={counting ? -1 : total + 1}
        aria-colcount={columns.length}
        aria-activedescendant={selected !== null ? `row-${selected}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={onScroll}
        ref={scroller}
      >
        <div
          className="grid-header"
          role="rowgroup"
          ref={header}
          style={{ width }}
          // Tabbing through the headers scrolls each into view; leaving them puts the table back
          // where it was rather than scrolled sideways to the last one.
          onFocus={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null) && scroller.current) {
              scrolledBefore.current ??= scroller.current.scrollLeft;
            }
          }}
          onBlur={(e) => {
            if (e.currentTarget.contains(e.relatedTarget as Node | null)) return;
            if (scroller.current && scrolledBefore.current !== null) {
              scroller.current.scrollLeft = scrolledBefore.current;
            }
            scrolledBefore.current = null;
          }}
        >
          {table.getHeaderGroups().map((group) => (
            <div className="grid-row" role="row" aria-rowindex={1} key={group.id}>
              {group.headers.map((h, i) => {
                const col = columns[i];
                if (!col) return null;
                const keys = sort.length > 0 ? sort : DEFAULT_SORT;
                const rank = keys.findIndex((k) => k.column === col.id);
                const key = keys[rank];
                return (
                  <div
                    key={h.id}
                    role="columnheader"
                    draggable
                    onDragStart={(e) => {
                      setTip(null);
                      e.dataTransfer.setData(DRAG_TYPE, col.id);
                    }}
                    onDragOver={(e) =>
                      e.dataTransfer.types.includes(DRAG_TYPE) && e.preventDefault()
                    }
                    onDrop={(e) => {
                      const moved = e.dataTransfer.getData(DRAG_TYPE);
                      if (moved) onMove(moved, col.id);
                    }}
                    aria-sort={ariaSort(sort, col.id)}
                    className={`cell head${isNumeric(col.kind) ? " num" : ""}`}
                    style={{ width: h.getSize() }}
                    data-col={col.id}
                    onMouseEnter={(e) =>
                      setTip({ column: col, at: e.currentTarget.getBoundingClientRect() })
                    }
                    onMouseLeave={() => setTip(null)}
                  >
                    <button
                      type="button"
                      className="sort"
                      aria-describedby={tip?.column.id === col.id ? "column-tip" : undefined}
                      onClick={(e) => col.kind !== "json" && onSort(col, e.shiftKey)}
                      onFocus={(e) =>
                        setTip({
                          column: col,
                          at: (
                            e.currentTarget.parentElement ?? e.currentTarget
                          ).getBoundingClientRect(),
                        })
                      }
                      onBlur={() => setTip(null)}
                      onKeyDown={(e) => e.key === "Escape" && setTip(null)}
                    >
                      <span className="sort-label">{col.label}</span>
                      {key && (
                        <span className="sort-mark" aria-hidden="true">
                          {key.desc ? " ▼" : " ▲"}
                          {keys.length > 1 ? rank + 1 : ""}
                        </span>
                      )}
                    </button>
                    <span
                      className="resize"
                      role="separator"
                      aria-orientation="vertical"
                      aria-label={`Resize ${col.label}`}
                      onPointerDown={(e) => startResize(e, col.id, h.getSize(), onResize)}
                      onDoubleClick={(e) => {
                        e.stopPropagation();
                        if (scroller.current) {
                          onResize(col.id, fitWidth(contentWidths(scroller.current, col.id)));
                        }
                      }}
                    />
                  </div>
                );
              })}
            </div>
          ))}
        </div>
        <div
          role="rowgroup"
          className="grid-body"
          onMouseOver={showFullValue}
          style={{ height: shape.body, width, position: "relative" }}
        >
          {indices.map((index) => {
            const row = cache.row(index);
            return (
              <GridRow
                // Keyed by element, not by row (rowKeys.ts): a page down updates the same DOM
                // rows in place instead of building new ones.
                key={keys.keys[index - first]}
                index={index}
                row={row}
                columns={columns}
                sizes={sizes}
                top={index * ROW_HEIGHT - shown.offset}
                height={ROW_HEIGHT}
                selected={index === selected}
                picked={row !== undefined && picked.has(row.id)}
                onClick={onRowClick}
                componentColours={componentColours}
                onSkuMenu={onSkuMenu ? onRowSkuMenu : undefined}
              />
            );
          })}
        </div>
      </div>
      {tip && <HeaderTip column={tip.column} at={tip.at} />}
    </>
  );
}
