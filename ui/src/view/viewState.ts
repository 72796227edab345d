// What the table shows, as one immutable state changed only by the pure transitions below (in
// the spirit of Tad's ViewParams): columns, widths, sort, filters, keywords, the view tab, and
// an optional kit log. A kit log keeps the state it was opened from, so closing it returns to
// exactly that state by construction.
import type { Column } from "../bindings/Column";
import type { ColumnKind } from "../bindings/ColumnKind";
import type { Filter } from "../bindings/Filter";
import type { KitScope } from "../bindings/KitScope";
import type { Layout } from "../bindings/Layout";
import type { QueryRequest } from "../bindings/QueryRequest";
import type { SortKey } from "../bindings/SortKey";
import type { View } from "../bindings/View";
import { moveBefore } from "./reorder";
import { clickSort } from "./sorting";

export interface ViewState {
  /** The columns shown, in order (a kit log: its own columns first). */
  columns: string[];
  widths: Record<string, number>;
  sort: SortKey[];
  filters: Filter[];
  /** The keywords as typed. */
  search: string;
  /** The keywords in force (applied a moment after typing stops). */
  applied: string;
  /** The view tab the state came from; null once it no longer matches one. */
  activeView: string | null;
  /** A kit's merged log, and the state to return to when it closes. */
  kit: { scope: KitScope; before: ViewState } | null;
  /** The columns the table opens on for the store's sources (empty: the registry's). */
  defaults: string[];
}

export const INITIAL_VIEW: ViewState = {
  columns: [],
  widths: {},
  sort: [],
  filters: [],
  search: "",
  applied: "",
  activeView: "all",
  kit: null,
  defaults: [],
};

export type ViewAction =
  /** The layout the store kept (null: the registry's defaults). */
  | { type: "restore"; layout: Layout | null; registry: Column[]; defaults: string[] }
  /** The store's default columns moved (its first rows of another source came); the columns
   * follow while they are the ones the table opened on for `view`. */
  | { type: "defaults_changed"; defaults: string[]; registry: Column[]; view?: View }
  | { type: "set_columns"; columns: string[] }
  | { type: "move_column"; moved: string; before: string }
  | { type: "resize"; column: string; width: number }
  | { type: "reset_columns"; registry: Column[]; view?: View }
  | { type: "sort_by"; column: string; kind: ColumnKind; additive: boolean }
  | { type: "set_filters"; filters: Filter[] }
  /** "Clear all": back to the view's own filters (`base`), the date range gone too. */
  | { type: "clear_filters"; base: Filter[] }
  | { type: "type_search"; search: string }
  | { type: "apply_search" }
  /** The keywords cleared at once, typed and in force. */
  | { type: "clear_search" }
  /** `from`: the view tab the table was on. */
  | { type: "select_view"; view: View; registry: Column[]; from?: View }
  | { type: "view_saved"; id: string }
  | { type: "view_deleted"; id: string }
  | { type: "show_batch"; batchId: string }
  | { type: "only_sku"; sku: string }
  /** The entries behind a triage line (a failure group, a SKU × channel pair), newest first. */
  | { type: "show_entries"; filters: Filter[] }
  /** A range brushed on the timeline (epoch ms) becomes the date filter. */
  | { type: "brush"; from: number; to: number }
  | { type: "reset_layout"; registry: Column[] }
  | { type: "open_kit_log"; kitSku: string; registry: Column[] }
  | { type: "kit_events"; events: string[] | null }
  | { type: "close_kit_log" };

/** The default view's columns. */
export function defaultColumns(registry: Column[]): string[] {
  return registry.filter((c) => c.default_visible && !c.kit_only).map((c) => c.id);
}

/** The columns the table opens a view on: the store's defaults, then the view's own. */
export function openingColumns(state: ViewState, registry: Column[], view?: View): string[] {
  const base = state.defaults.length > 0 ? state.defaults : defaultColumns(registry);
  return [...base, ...(view?.columns ?? []).filter((c) => !base.includes(c))];
}

const sameColumns = (a: string[], b: string[]) =>
  a.length === b.length && a.every((c, i) => c === b[i]);

/** A kit log's own columns (component, running on-hand), from the registry's flags. */
export function kitColumns(registry: Column[]): string[] {
  return registry.filter((c) => c.kit_only).map((c) => c.id);
}

/** The date range (the timeline's brush, a preset, a custom range) is the window's, not a
 * view's: it stays when another view tab is chosen, unless that view has a date range of its
 * own. */
function keepDateRange(filters: Filter[], previous: Filter[]): Filter[] {
  if (filters.some((f) => f.column === DATE_COLUMN)) return filters;
  return [...filters, ...previous.filter((f) => f.column === DATE_COLUMN)];
}

/** The column the date range filters. */
export const DATE_COLUMN = "occurred_at";

/** A view's own filters: a saved view's as saved, a built-in view's. */
export function baseFilters(view: View | undefined): Filter[] {
  if (!view) return [];
  return view.layout ? view.layout.filters : view.filters;
}

function fromLayout(state: ViewState, layout: Layout | null, registry: Column[]): ViewState {
  const known = layout?.columns.filter((id) => registry.some((c) => c.id === id)) ?? [];
  return {
    ...state,
    columns: known.length > 0 ? known : openingColumns(state, registry),
    sort: layout?.sort ?? [],
    filters: layout?.filters ?? [],
    widths: Object.fromEntries(
      Object.entries(layout?.widths ?? {}).filter(
        (e): e is [string, number] => typeof e[1] === "number",
      ),
    ),
    search: layout?.search ?? "",
    applied: layout?.search ?? "",
  };
}

export function viewReducer(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case "restore":
      return {
        ...fromLayout({ ...state, defaults: action.defaults }, action.layout, action.registry),
        activeView: action.layout?.active_view ?? "all",
        kit: null,
      };
    case "set_columns":
      return { ...state, columns: action.columns };
    case "move_column":
      return { ...state, columns: moveBefore(state.columns, action.moved, action.before) };
    case "resize":
      return { ...state, widths: { ...state.widths, [action.column]: action.width } };
    case "reset_columns":
      return {
        ...state,
        columns: state.kit
          ? [...kitColumns(action.registry), ...openingColumns(state, action.registry)]
          : openingColumns(state, action.registry, action.view),
        widths: {},
      };
    case "defaults_changed": {
      const next = { ...state, defaults: action.defaults };
      const untouched =
        !state.kit &&
        sameColumns(state.columns, openingColumns(state, action.registry, action.view));
      return untouched
        ? { ...next, columns: openingColumns(next, action.registry, action.view) }
        : next;
    }
    case "sort_by":
      return {
        ...state,
        sort: clickSort(state.sort, action.column, action.kind, action.additive),
      };
    case "set_filters":
      return { ...state, filters: action.filters };
    case "clear_filters":
      return { ...state, filters: action.base };
    case "type_search":
      return { ...state, search: action.search };
    case "clear_search":
      return { ...state, search: "", applied: "" };
    case "apply_search":
      return state.applied === state.search ? state : { ...state, applied: state.search };
    case "select_view": {
      if (action.view.layout) {
        const next = fromLayout(state, action.view.layout, action.registry);
        return {
          ...next,
          filters: keepDateRange(next.filters, state.filters),
          activeView: action.view.id,
        };
      }
      // The columns the table opened the last view on follow to this one's; columns the
      // user chose stay.
      const untouched = sameColumns(
        state.columns,
        openingColumns(state, action.registry, action.from),
      );
      return {
        ...state,
        columns: untouched ? openingColumns(state, action.registry, action.view) : state.columns,
        activeView: action.view.id,
        filters: keepDateRange(action.view.filters, state.filters),
        search: "",
        applied: "",
      };
    }
    case "view_saved":
      return { ...state, activeView: action.id };
    case "view_deleted":
      return state.activeView === action.id ? { ...state, activeView: null } : state;
    case "show_batch":
      return {
        ...state,
        activeView: null,
        search: "",
        applied: "",
        filters: [{ column: "batch_id", op: "eq", values: [action.batchId] }],
      };
    case "show_entries":
      return { ...state, filters: action.filters, sort: [] };
    case "only_sku":
      return {
        ...state,
        filters: [
          ...state.filters.filter((f) => f.column !== "sku"),
          { column: "sku", op: "eq", values: [action.sku] },
        ],
      };
    case "brush":
      return {
        ...state,
        filters: [
          ...state.filters.filter((f) => f.column !== DATE_COLUMN),
          {
            column: DATE_COLUMN,
            op: "between",
            values: [new Date(action.from).toISOString(), new Date(action.to).toISOString()],
          },
        ],
      };
    case "reset_layout":
      return {
        ...INITIAL_VIEW,
        defaults: state.defaults,
        columns: openingColumns(state, action.registry),
        kit: state.kit,
      };
    case "open_kit_log": {
      // From one kit log to another, the state to return to stays the table's.
      const before = state.kit ? state.kit.before : state;
      // A kit log is about quantities: the quantity column is there even if the table hid it.
      const own = [...kitColumns(action.registry), "quantity"].filter((id) =>
        action.registry.some((c) => c.id === id),
      );
      return {
        ...before,
        columns: [...own, ...before.columns.filter((id) => !own.includes(id))],
        filters: [],
        // A kit log reads from its start (the core's default for it, said so the header
        // shows it).
        sort: [{ column: "occurred_at", desc: false }],
        search: "",
        applied: "",
        kit: { scope: { kit_sku: action.kitSku, events: null }, before },
      };
    }
    case "kit_events":
      return state.kit
        ? { ...state, kit: { ...state.kit, scope: { ...state.kit.scope, events: action.events } } }
        : state;
    case "close_kit_log":
      return state.kit ? state.kit.before : state;
  }
}

/** The state as the layout the store keeps; null for a kit log, which is a detour. */
export function layoutToSave(state: ViewState): Layout | null {
  if (state.kit) return null;
  return {
    columns: state.columns,
    widths: state.widths,
    sort: state.sort,
    filters: state.filters,
    search: state.applied.trim() || null,
    active_view: state.activeView,
  };
}

/** What the table asks the store for (a page's limit and offset are set by whoever reads). */
export function queryOf(state: ViewState, shown: Column[]): QueryRequest {
  return {
    ...(state.kit ? { kit: state.kit.scope } : {}),
    filters: state.filters,
    search: state.applied.trim() || null,
    sort: state.sort,
    columns: shown.map((c) => c.id),
    limit: 1,
    offset: 0,
    after: null,
    with_total: true,
    reveal_secrets: false,
  };
}
