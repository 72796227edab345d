// @vitest-environment happy-dom
import { act, type ComponentProps } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Column } from "../bindings/Column";
import { LogTable } from "./LogTable";
import { PAGE_SIZE, type Row } from "./pages";

// Every cell a row draws is formatted once per render of that row: counting the calls of
// formatCell for loaded cells counts the rows React renders.
const formatted = vi.hoisted(() => ({ cells: 0 }));
vi.mock("../common/format", async (load) => {
  const real = await load<typeof import("../common/format")>();
  return {
    ...real,
    formatCell: (...args: Parameters<typeof real.formatCell>) => {
      if (args[1] !== undefined) formatted.cells++;
      return real.formatCell(...args);
    },
  };
});

const column = (id: string, kind: Column["kind"]): Column =>
  ({ id, label: id, kind, description: "" }) as Column;
const columns = [column("sku", "text"), column("inventory_sent", "integer")];

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("the table's rows", () => {
  let host: HTMLDivElement;
  let root: ReturnType<typeof createRoot>;
  let asked: number[];
  const fetchPage = async (offset: number, limit: number): Promise<Row[]> => {
    asked.push(offset / PAGE_SIZE);
    return Array.from({ length: limit }, (_, i) => ({
      id: offset + i + 1,
      cells: [`SKU-${offset + i}`, offset + i],
    }));
  };
  const view = {};
  const props = (): ComponentProps<typeof LogTable> => ({
    columns,
    total: 1000,
    fetchPage,
    sort: [],
    // New handlers on every render, as a parent passing inline closures gives.
    onSort: () => {},
    widths: {},
    onResize: () => {},
    onMove: () => {},
    onOpen: () => {},
    onSelect: () => {},
    picked: new Set(),
    onPick: () => {},
    view,
  });
  const settle = () => act(() => new Promise((r) => setTimeout(r, 0)));

  beforeEach(() => {
    formatted.cells = 0;
    asked = [];
    host = document.createElement("div");
    document.body.append(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  it("are drawn once: pages arriving beyond the screen and a parent's renders leave them", async () => {
    act(() => root.render(<LogTable {...props()} />));
    for (let i = 0; i < 5; i++) await settle();
    // The visible page, then the two beyond it in one request, each answer a render.
    expect(asked).toEqual([0, 1]);
    const rows = host.querySelectorAll('.grid-body [role="row"]').length;
    expect(rows).toBeGreaterThan(0);
    expect(host.querySelector(".grid-row.loading")).toBeNull();
    expect(formatted.cells).toBe(rows * columns.length);
    act(() => root.render(<LogTable {...props()} />));
    await settle();
    expect(formatted.cells).toBe(rows * columns.length);
  });

  it("redraw only the rows a selection changes", async () => {
    act(() => root.render(<LogTable {...props()} />));
    for (let i = 0; i < 5; i++) await settle();
    const click = (index: number) =>
      act(() => {
        host
          .querySelector(`#row-${index}`)
          ?.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      });
    click(1);
    const before = formatted.cells;
    click(2);
    // The row left and the row reached.
    expect(formatted.cells - before).toBe(2 * columns.length);
    expect(host.querySelector('[aria-selected="true"]')?.id).toBe("row-2");
  });

  it("take End pressed while the view is counted to its last row once the count comes", async () => {
    act(() => root.render(<LogTable {...props()} total={PAGE_SIZE} counting />));
    for (let i = 0; i < 5; i++) await settle();
    const grid = host.querySelector<HTMLElement>('[role="grid"]');
    expect(grid?.getAttribute("aria-rowcount")).toBe("-1");
    act(() => {
      grid?.dispatchEvent(new KeyboardEvent("keydown", { key: "End", bubbles: true }));
    });
    // Not the last of the rows known so far.
    expect(host.querySelector('[aria-selected="true"]')).toBeNull();
    act(() => root.render(<LogTable {...props()} total={1000} />));
    for (let i = 0; i < 5; i++) await settle();
    expect(grid?.getAttribute("aria-rowcount")).toBe("1001");
    expect(grid?.getAttribute("aria-activedescendant")).toBe("row-999");
  });
});
