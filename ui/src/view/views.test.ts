import { describe, expect, it } from "vitest";
import type { View } from "../bindings/View";
import type { Layout } from "../bindings/Layout";
import { isModified } from "./views";
import { INITIAL_VIEW, layoutToSave, type ViewState } from "./viewState";

// The layout saved is the keywords in force (applied), not those half typed.
const state: ViewState = {
  ...INITIAL_VIEW,
  columns: ["occurred_at", "sku", "status"],
  widths: { sku: 150 },
  sort: [{ column: "sku", desc: false }],
  filters: [{ column: "status", op: "eq", values: ["failed"] }],
  search: "  kurta ",
  applied: "  kurta ",
  activeView: "failed_pushes",
};

function layoutOf(s: ViewState): Layout {
  const layout = layoutToSave(s);
  if (!layout) throw new Error("a table state has a layout");
  return layout;
}

const failedPushes: View = {
  id: "failed_pushes",
  name: "Failed pushes",
  description: "",
  filters: [{ column: "status", op: "eq", values: ["failed"] }],
  columns: [],
  layout: null,
};

describe("layout persistence", () => {
  it("keeps the whole table state, keywords trimmed, the view tab included", () => {
    expect(layoutOf(state)).toEqual({
      columns: ["occurred_at", "sku", "status"],
      widths: { sku: 150 },
      sort: [{ column: "sku", desc: false }],
      filters: [{ column: "status", op: "eq", values: ["failed"] }],
      search: "kurta",
      active_view: "failed_pushes",
    });
    expect(layoutOf({ ...state, applied: "   " }).search).toBeNull();
  });

  it("a built-in view is modified by other filters or keywords, not by columns", () => {
    const layout = layoutOf({ ...state, applied: "" });
    expect(isModified(failedPushes, layout)).toBe(false);
    expect(isModified(failedPushes, { ...layout, columns: ["sku"] })).toBe(false);
    expect(isModified(failedPushes, { ...layout, search: "x" })).toBe(true);
    expect(isModified(failedPushes, { ...layout, filters: [] })).toBe(true);
  });

  it("a date range the view does not set is the window's, not a change of the view", () => {
    const layout = layoutOf({ ...state, applied: "" });
    const range = { column: "occurred_at", op: "ge" as const, values: ["2025-03-01"] };
    const ranged = { ...layout, filters: [...layout.filters, range] };
    expect(isModified(failedPushes, ranged)).toBe(false);
    const withOwnRange: View = { ...failedPushes, filters: ranged.filters };
    expect(isModified(withOwnRange, layout)).toBe(true);
  });

  it("a saved view is modified by its columns, sort, filters or keywords, not widths", () => {
    const layout = layoutOf(state);
    const saved: View = {
      ...failedPushes,
      id: "saved:1",
      columns: [],
      layout: { ...layout, active_view: null },
    };
    expect(isModified(saved, layout)).toBe(false);
    expect(isModified(saved, { ...layout, widths: { sku: 300 } })).toBe(false);
    expect(isModified(saved, { ...layout, columns: ["sku", "occurred_at", "status"] })).toBe(true);
    expect(isModified(saved, { ...layout, sort: [] })).toBe(true);
    expect(isModified(undefined, layout)).toBe(false);
  });
});
