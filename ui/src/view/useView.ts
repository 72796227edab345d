// The view's state and what it reads: the registry, the layout restored and saved, the query for
// the table (its first page and total in one request), the facets. The state changes only
// through `dispatch` (the pure transitions of viewState.ts).
import { useCallback, useEffect, useMemo, useReducer, useState } from "react";
import type { Column } from "../bindings/Column";
import type { View } from "../bindings/View";
import { errorText } from "../common/ErrorMessage";
import { once } from "../common/once";
import { PAGE_SIZE, type Row } from "../table/pages";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { HEDGE_MS, hedge, shownOf, type Shown } from "./firstRows";
import { INITIAL_VIEW, layoutToSave, queryOf, viewReducer } from "./viewState";

/** How the store's content moved under the view: rows added (a fresh table) or changed in place
 * (the same table, refetched), or kits edited. */
export interface StoreChanges {
  added: number;
  changed: number;
  kits: number;
}

/** Whether a view is still the one shown, for what it would ask later. */
class StillShown {
  now = true;
  set(shown: boolean) {
    this.now = shown;
  }
}

export function useView(changes: StoreChanges, onError: (e: string | null) => void) {
  const transport = useTransport();
  const [state, dispatch] = useReducer(viewReducer, INITIAL_VIEW);
  const [registry, setRegistry] = useState<Column[]>([]);
  const [views, setViews] = useState<View[]>([]);
  const [restored, setRestored] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);

  // The registry, the views, then the layout the user left (or the defaults).
  useEffect(() => {
    Promise.all([
      call(transport, { command: "columns" }),
      call(transport, { command: "load_layout" }),
      call(transport, { command: "views" }),
      call(transport, { command: "default_columns" }),
    ])
      .then(([all, layout, allViews, defaults]) => {
        setRegistry(all);
        setViews(allViews);
        dispatch({ type: "restore", layout, registry: all, defaults });
        setRestored(true);
      })
      .catch((e: unknown) => onError(errorText(e)));
  }, [transport, onError]);

  // New rows may be of another source: the default columns are asked again (the columns follow
  // them while the user has not chosen any).
  const activeView = views.find((v) => v.id === state.activeView);
  useEffect(() => {
    if (!restored || changes.added === 0) return;
    call(transport, { command: "default_columns" })
      .then((defaults) =>
        dispatch({ type: "defaults_changed", defaults, registry, view: activeView }),
      )
      .catch((e: unknown) => onError(errorText(e)));
    // Asked when rows are added, not when the view changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [transport, restored, changes.added]);

  const layout = useMemo(() => layoutToSave(state), [state]);
  // Whatever the user changes is saved, a moment after the last change (a kit log is a detour,
  // not the layout to come back to).
  useEffect(() => {
    if (!restored || !layout || layout.columns.length === 0) return;
    const t = setTimeout(() => {
      call(transport, { command: "save_layout", args: layout }).catch((e: unknown) =>
        onError(errorText(e)),
      );
    }, 300);
    return () => clearTimeout(t);
  }, [transport, restored, layout, onError]);

  // Keywords apply a moment after typing stops, not on every key.
  useEffect(() => {
    const t = setTimeout(() => dispatch({ type: "apply_search" }), 200);
    return () => clearTimeout(t);
  }, [state.search]);

  const columns = useMemo(
    () => state.columns.flatMap((id) => registry.filter((c) => c.id === id)),
    [state.columns, registry],
  );
  const { filters, applied, sort, kit } = state;
  const request = useMemo(
    () => queryOf({ ...INITIAL_VIEW, filters, applied, sort, kit }, columns),
    [columns, applied, sort, filters, kit],
  );

  // One request per view for its total and its first page together: the table's first rows
  // and the count arrive at once instead of one after the other. Made on first use, by the
  // count below or by the table, whichever asks first.
  const viewQuery = useMemo(
    () => once(() => call(transport, { command: "query", args: { ...request, limit: PAGE_SIZE } })),
    // changes: rows added or changed are fetched afresh.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [transport, request, changes.added, changes.changed],
  );
  // The first page: with the total, or without it when counting takes long (firstRows.ts); a
  // view left before then (a keyboard run across the view tabs) asks for nothing more.
  const first = useMemo(() => {
    const view = new StillShown();
    const page = once(() =>
      hedge(
        viewQuery,
        () =>
          view.now
            ? call(transport, {
                command: "query",
                args: { ...request, limit: PAGE_SIZE, with_total: false },
              })
            : Promise.reject(new Error("the view was left")),
        HEDGE_MS,
      ),
    );
    return { page, view };
  }, [transport, request, viewQuery]);
  useEffect(() => {
    first.view.set(true);
    return () => first.view.set(false);
  }, [first]);
  const firstPage = first.page;

  useEffect(() => {
    if (columns.length === 0) return;
    let stale = false;
    viewQuery()
      .then((r) => {
        if (stale) return;
        setShown(shownOf(r.rows.length, PAGE_SIZE, r.total ?? 0));
        onError(null);
      })
      .catch((e: unknown) => !stale && onError(errorText(e)));
    // Settled no later than the count (`hedge`): its rows may show first.
    firstPage()
      .then((r) => !stale && setShown(shownOf(r.rows.length, PAGE_SIZE, r.total)))
      // The count's own failure is shown above.
      .catch(() => undefined);
    return () => {
      stale = true;
    };
  }, [viewQuery, firstPage, columns.length, onError]);

  const fetchPage = useCallback(
    async (offset: number, limit: number, ahead: string | null): Promise<Row[]> => {
      const args = { ...request, offset, limit, with_total: false };
      const page =
        offset === 0 && limit <= PAGE_SIZE
          ? await firstPage()
          : ahead !== null
            ? await call(transport, { command: "rows_ahead", args: { ...args, ticket: ahead } })
            : await call(transport, { command: "query", args });
      return page.rows.slice(0, limit).map((cells, i) => ({ id: page.ids[i] ?? -1, cells }));
    },
    [transport, request, firstPage],
  );

  const takeBackRowsAhead = useCallback(
    (ticket: string) => {
      // Nothing to tell: the rows taken back answer as failed, and a failure here leaves
      // them to be read as they would have been.
      call(transport, { command: "take_back_rows_ahead", args: { ticket } }).catch(() => undefined);
    },
    [transport],
  );

  const loadFacet = useCallback(
    async (column: string) => {
      const args = {
        filters: request.filters,
        search: request.search,
        columns: [column],
        ...(request.kit ? { kit: request.kit } : {}),
      };
      return (await call(transport, { command: "facets", args }))[0];
    },
    [transport, request],
  );

  const reloadViews = useCallback(
    () => call(transport, { command: "views" }).then(setViews),
    [transport],
  );

  return {
    state,
    dispatch,
    registry,
    views,
    reloadViews,
    layout,
    columns,
    request,
    viewQuery,
    total: shown?.total ?? null,
    counting: shown?.counting ?? false,
    fetchPage,
    takeBackRowsAhead,
    loadFacet,
  };
}
