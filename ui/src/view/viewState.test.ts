import { describe, expect, it } from "vitest";
import type { Column } from "../bindings/Column";
import type { View } from "../bindings/View";
import {
  INITIAL_VIEW,
  layoutToSave,
  queryOf,
  viewReducer,
  type ViewAction,
  type ViewState,
} from "./viewState";

const col = (id: string, extra: Partial<Column> = {}): Column => ({
  id,
  label: id,
  description: "",
  kind: id === "occurred_at" ? "time" : "text",
  default_visible: true,
  facet: false,
  facet_place: 0,
  aliases: [],
  searchable: false,
  ops: [],
  kit_only: false,
  ...extra,
});

const registry: Column[] = [
  col("occurred_at"),
  col("sku"),
  col("status"),
  col("error", { default_visible: false }),
  col("component_sku", { kit_only: true, default_visible: false }),
  col("running_on_hand", { kit_only: true, default_visible: false }),
];

const run = (state: ViewState, ...actions: ViewAction[]) => actions.reduce(viewReducer, state);
const restored = run(INITIAL_VIEW, { type: "restore", layout: null, registry, defaults: [] });
const failedView: View = {
  id: "failed_pushes",
  name: "Failed pushes",
  description: "",
  filters: [{ column: "status", op: "eq", values: ["failed"] }],
  columns: [],
  layout: null,
};

describe("viewReducer", () => {
  it("restores the registry's defaults, or the layout the store kept", () => {
    expect(restored.columns).toEqual(["occurred_at", "sku", "status"]);
    expect(restored.activeView).toBe("all");
    const kept = run(INITIAL_VIEW, {
      type: "restore",
      registry,
      defaults: [],
      layout: {
        columns: ["sku", "gone_column", "error"],
        widths: { sku: 120 },
        sort: [{ column: "sku", desc: false }],
        filters: [{ column: "status", op: "eq", values: ["failed"] }],
        search: "kurta",
        active_view: null,
      },
    });
    expect(kept.columns).toEqual(["sku", "error"]);
    expect(kept.widths).toEqual({ sku: 120 });
    expect([kept.search, kept.applied]).toEqual(["kurta", "kurta"]);
  });

  it("applies typed keywords only when asked, and saves what is applied", () => {
    const typed = run(restored, { type: "type_search", search: "  blue " });
    expect(typed.applied).toBe("");
    expect(layoutToSave(typed)?.search).toBeNull();
    const applied = run(typed, { type: "apply_search" });
    expect(applied.applied).toBe("  blue ");
    expect(layoutToSave(applied)?.search).toBe("blue");
    expect(queryOf(applied, []).search).toBe("blue");
    // Applying again changes nothing: the same state, so nothing is fetched again.
    expect(viewReducer(applied, { type: "apply_search" })).toBe(applied);
  });

  it("closing a kit log returns exactly the state it was opened from", () => {
    const before = run(
      restored,
      { type: "set_filters", filters: [{ column: "status", op: "eq", values: ["failed"] }] },
      { type: "sort_by", column: "sku", kind: "text", additive: false },
      { type: "type_search", search: "kurta" },
      { type: "apply_search" },
      { type: "resize", column: "sku", width: 200 },
    );
    const kit = run(before, { type: "open_kit_log", kitSku: "KIT-1", registry });
    expect(kit.columns.slice(0, 2)).toEqual(["component_sku", "running_on_hand"]);
    expect(kit.filters).toEqual([]);
    expect(kit.sort).toEqual([{ column: "occurred_at", desc: false }]);
    expect(kit.applied).toBe("");
    expect(queryOf(kit, []).kit).toEqual({ kit_sku: "KIT-1", events: null });
    expect(layoutToSave(kit)).toBeNull();
    // Whatever happens inside the log…
    const inside = run(
      kit,
      { type: "kit_events", events: [] },
      { type: "set_filters", filters: [{ column: "sku", op: "eq", values: ["A"] }] },
      { type: "brush", from: 0, to: 86_400_000 },
      { type: "move_column", moved: "sku", before: "component_sku" },
      { type: "open_kit_log", kitSku: "KIT-2", registry },
    );
    expect(inside.kit?.scope.kit_sku).toBe("KIT-2");
    // …closing it gives back the very state before it.
    expect(run(inside, { type: "close_kit_log" })).toBe(before);
  });

  it("a view tab, a batch link and a brushed range are transitions", () => {
    const saved: View = {
      id: "v1",
      name: "Mine",
      description: "",
      filters: [],
      columns: [],
      layout: {
        columns: ["sku"],
        widths: {},
        sort: [],
        filters: [{ column: "sku", op: "eq", values: ["A"] }],
        search: null,
        active_view: null,
      },
    };
    const chosen = run(restored, { type: "select_view", view: saved, registry });
    expect([chosen.activeView, chosen.columns, chosen.filters.length]).toEqual(["v1", ["sku"], 1]);
    const builtIn = failedView;
    const failed = run(
      chosen,
      { type: "type_search", search: "x" },
      { type: "select_view", view: builtIn, registry },
    );
    expect(failed.columns).toEqual(["sku"]);
    expect([failed.filters, failed.search]).toEqual([builtIn.filters, ""]);

    const batch = run(failed, { type: "show_batch", batchId: "B-7" });
    expect(batch.activeView).toBeNull();
    expect(batch.filters).toEqual([{ column: "batch_id", op: "eq", values: ["B-7"] }]);

    const brushed = run(
      batch,
      { type: "brush", from: 0, to: 1000 },
      { type: "brush", from: 2000, to: 3000 },
    );
    expect(brushed.filters).toEqual([
      { column: "batch_id", op: "eq", values: ["B-7"] },
      {
        column: "occurred_at",
        op: "between",
        values: ["1970-01-01T00:00:02.000Z", "1970-01-01T00:00:03.000Z"],
      },
    ]);
    expect(run(brushed, { type: "view_deleted", id: "other" })).toBe(brushed);
  });

  it("reset puts back the defaults; reset columns keeps a kit log's own columns first", () => {
    const messy = run(
      restored,
      { type: "set_columns", columns: ["error"] },
      { type: "only_sku", sku: "A" },
      { type: "only_sku", sku: "B" },
    );
    expect(messy.filters).toEqual([{ column: "sku", op: "eq", values: ["B"] }]);
    const reset = run(messy, { type: "reset_layout", registry });
    expect([reset.columns, reset.filters, reset.activeView]).toEqual([
      ["occurred_at", "sku", "status"],
      [],
      "all",
    ]);
    const kit = run(
      messy,
      { type: "open_kit_log", kitSku: "K", registry },
      { type: "reset_columns", registry },
    );
    expect(kit.columns).toEqual([
      "component_sku",
      "running_on_hand",
      "occurred_at",
      "sku",
      "status",
    ]);
  });

  const brushed = run(restored, { type: "brush", from: 0, to: 86_400_000 });

  it("keeps the brushed date range when another view tab is chosen", () => {
    const failed = run(brushed, { type: "select_view", view: failedView, registry });
    expect(failed.filters).toEqual([
      { column: "status", op: "eq", values: ["failed"] },
      {
        column: "occurred_at",
        op: "between",
        values: ["1970-01-01T00:00:00.000Z", "1970-01-02T00:00:00.000Z"],
      },
    ]);
    // A view with a range of its own brings that one.
    const own = { column: "occurred_at", op: "ge" as const, values: ["2025-03-01"] };
    const ranged = run(brushed, {
      type: "select_view",
      view: { ...failedView, filters: [own] },
      registry,
    });
    expect(ranged.filters).toEqual([own]);
  });

  it("Clear all goes back to the view's own filters; the search clears at once", () => {
    const narrowed = run(
      brushed,
      { type: "select_view", view: failedView, registry },
      { type: "only_sku", sku: "SKU-1" },
      { type: "type_search", search: "kurta" },
      { type: "apply_search" },
      { type: "clear_filters", base: failedView.filters },
    );
    expect(narrowed.filters).toEqual(failedView.filters);
    expect(narrowed.applied).toBe("kurta");
    const cleared = run(narrowed, { type: "clear_search" });
    expect([cleared.search, cleared.applied]).toEqual(["", ""]);
  });

  it("opens on the store's default columns and the view's own, until the user chooses", () => {
    const xoro = run(INITIAL_VIEW, {
      type: "restore",
      layout: null,
      registry,
      defaults: ["occurred_at", "status"],
    });
    expect(xoro.columns).toEqual(["occurred_at", "status"]);
    const errorsView: View = { ...failedView, id: "errors", columns: ["error"] };
    const errors = run(xoro, { type: "select_view", view: errorsView, registry });
    expect(errors.columns).toEqual(["occurred_at", "status", "error"]);
    // Back to All: the view's own column goes with it.
    const all: View = { ...failedView, id: "all", filters: [], columns: [] };
    const back = run(errors, { type: "select_view", view: all, registry, from: errorsView });
    expect(back.columns).toEqual(["occurred_at", "status"]);
    // Rows of another source: the defaults move and the untouched columns follow them.
    const grown = run(back, {
      type: "defaults_changed",
      defaults: ["occurred_at", "sku", "status"],
      registry,
      view: all,
    });
    expect(grown.columns).toEqual(["occurred_at", "sku", "status"]);
    // Columns the user chose stay, whatever view or defaults come.
    const chosen = run(grown, { type: "set_columns", columns: ["sku"] });
    const still = run(
      chosen,
      { type: "select_view", view: errorsView, registry, from: all },
      { type: "defaults_changed", defaults: ["occurred_at"], registry, view: errorsView },
    );
    expect(still.columns).toEqual(["sku"]);
    expect(run(still, { type: "reset_columns", registry, view: errorsView }).columns).toEqual([
      "occurred_at",
      "error",
    ]);
  });
});
