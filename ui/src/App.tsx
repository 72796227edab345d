import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { ErrorMessage, errorText } from "./ErrorMessage";
import type { Column } from "./bindings/Column";
import type { Filter } from "./bindings/Filter";
import type { Layout } from "./bindings/Layout";
import type { QueryRequest } from "./bindings/QueryRequest";
import type { SortKey } from "./bindings/SortKey";
import type { View } from "./bindings/View";
import { ColumnSelector } from "./ColumnSelector";
import { FiltersBar } from "./FiltersBar";
import { ImportDialog } from "./imports/ImportDialog";
import { ImportHistory } from "./imports/ImportHistory";
import { JobsTray } from "./imports/JobsTray";
import { useJobs } from "./imports/useJobs";
import { LogTable } from "./LogTable";
import { once } from "./once";
import { PAGE_SIZE, type Row } from "./pages";
import { moveBefore } from "./reorder";
import { DetailDrawer } from "./detail/DetailDrawer";
import { ExportDialog } from "./exports/ExportDialog";
import { ExportHistory } from "./exports/ExportHistory";
import { ExportsTray } from "./exports/ExportsTray";
import { useExports } from "./exports/useExports";
import { ResolveDialog } from "./detail/ResolveDialog";
import { clickSort } from "./sorting";
import { call, detectTransport, type Transport } from "./transport";
import { isModified, layoutOf } from "./views";
import { ViewTabs } from "./ViewTabs";
import { WaitingNotice } from "./tasks/WaitingNotice";
import type { KitScope } from "./bindings/KitScope";
import type { KitSummary } from "./bindings/KitSummary";
import { EventTimeline } from "./charts/EventTimeline";
import { StockHistoryDialog } from "./charts/StockHistoryDialog";
import { AvailabilityChart } from "./kits/AvailabilityChart";
import { KitBar } from "./kits/KitBar";
import { kitColours } from "./kits/colours";
import { KitsDialog } from "./kits/KitsDialog";
import { SkuMenu } from "./SkuMenu";

/** No entries picked (one instance, so an unchanged pick is an unchanged prop). */
const NO_PICK: ReadonlySet<number> = new Set();

function useTransport(): { transport?: Transport; error?: string } {
  return useMemo(() => {
    try {
      return { transport: detectTransport(window as never) };
    } catch (e) {
      return { error: errorText(e) };
    }
  }, []);
}

function viewRequest(
  columns: Column[],
  search: string,
  sort: SortKey[],
  filters: Filter[],
  kit: KitScope | null,
): QueryRequest {
  return {
    ...(kit ? { kit } : {}),
    filters,
    search: search.trim() || null,
    sort,
    columns: columns.map((c) => c.id),
    limit: 1,
    offset: 0,
    after: null,
    with_total: true,
    reveal_secrets: false,
  };
}

export function App() {
  const { transport, error: transportError } = useTransport();
  const [registry, setRegistry] = useState<Column[]>([]);
  const [visible, setVisible] = useState<string[]>([]);
  const [restored, setRestored] = useState(false);
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const [sort, setSort] = useState<SortKey[]>([]);
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [filters, setFilters] = useState<Filter[]>([]);
  const [views, setViews] = useState<View[]>([]);
  const [activeView, setActiveView] = useState<string | null>("all");
  // Bumped when the store's content changes under the view (an import finished).
  const [generation, setGeneration] = useState(0);
  const [loadingSamples, setLoadingSamples] = useState(false);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(transportError ?? null);
  const [importPaths, setImportPaths] = useState<string[] | null>(null);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [exportOpen, setExportOpen] = useState(false);
  const [exportHistoryOpen, setExportHistoryOpen] = useState(false);
  // The exports this window started, shown in the tray until dismissed.
  const [trayExports, setTrayExports] = useState<number[]>([]);
  const { exports, refresh: refreshExports, cancel: cancelExport } = useExports(transport);
  const [columnsOpen, setColumnsOpen] = useState(false);
  // The entry shown in the detail drawer, and the entries picked for a batch action.
  const [detailId, setDetailId] = useState<number | null>(null);
  const [resolvingPicked, setResolvingPicked] = useState<boolean | null>(null);
  // Bumped when entries change in place (resolved, re-run): the view is fetched again
  // without resetting the table's scroll position.
  const [revision, setRevision] = useState(0);
  const [dragging, setDragging] = useState(false);
  // A kit's merged log in the table, its columns, and the main table's state to go back to.
  const [kit, setKit] = useState<KitScope | null>(null);
  const [kitSummary, setKitSummary] = useState<KitSummary | null>(null);
  const [kitVisible, setKitVisible] = useState<string[]>([]);
  const [beforeKit, setBeforeKit] = useState<{
    filters: Filter[];
    sort: SortKey[];
    search: string;
    activeView: string | null;
  } | null>(null);
  const [kitsOpen, setKitsOpen] = useState(false);
  // Bumped when kits are edited: an open kit log's summary is fetched again.
  const [kitsVersion, setKitsVersion] = useState(0);
  const [stockSku, setStockSku] = useState<string | null>(null);
  const [skuMenu, setSkuMenu] = useState<{ sku: string; x: number; y: number } | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  const onJobFinished = useCallback(() => setGeneration((g) => g + 1), []);
  const { jobs, track, dismiss, cancel } = useJobs(transport, onJobFinished);

  const defaults = useMemo(
    () => registry.filter((c) => c.default_visible).map((c) => c.id),
    [registry],
  );
  // The main table never offers the kit log's own columns.
  const mainRegistry = useMemo(() => registry.filter((c) => !c.kit_only), [registry]);
  // A kit log shows its own columns (component, running on-hand) first.
  const kitColumns = useMemo(() => registry.filter((c) => c.kit_only).map((c) => c.id), [registry]);
  const shownIds = kit ? kitVisible : visible;
  const columns = useMemo(
    () => shownIds.flatMap((id) => registry.filter((c) => c.id === id)),
    [shownIds, registry],
  );

  const applyLayout = useCallback((layout: Layout | null, all: Column[]) => {
    const known = layout?.columns.filter((id) => all.some((c) => c.id === id)) ?? [];
    setVisible(known.length > 0 ? known : all.filter((c) => c.default_visible).map((c) => c.id));
    setSort(layout?.sort ?? []);
    setFilters(layout?.filters ?? []);
    setWidths(
      Object.fromEntries(
        Object.entries(layout?.widths ?? {}).filter(
          (e): e is [string, number] => typeof e[1] === "number",
        ),
      ),
    );
    setSearch(layout?.search ?? "");
    setApplied(layout?.search ?? "");
  }, []);

  // The registry, the views, then the layout the user left (or the defaults).
  useEffect(() => {
    if (!transport) return;
    Promise.all([
      call(transport, { command: "columns" }),
      call(transport, { command: "load_layout" }),
      call(transport, { command: "views" }),
    ])
      .then(([all, layout, allViews]) => {
        setRegistry(all);
        setViews(allViews);
        applyLayout(layout, all);
        setActiveView(layout?.active_view ?? "all");
        setRestored(true);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport, applyLayout]);

  const current = useMemo(
    () => layoutOf({ visible, widths, sort, filters, search: applied, activeView }),
    [visible, widths, sort, filters, applied, activeView],
  );

  // Whatever the user changes is saved, a moment after the last change.
  useEffect(() => {
    // A kit log is a detour, not the layout to come back to.
    if (!transport || !restored || visible.length === 0 || kit) return;
    const t = setTimeout(() => {
      call(transport, { command: "save_layout", args: current }).catch((e: unknown) =>
        setError(errorText(e)),
      );
    }, 300);
    return () => clearTimeout(t);
  }, [transport, restored, visible, current, kit]);

  // Keywords apply a moment after typing stops, not on every key.
  useEffect(() => {
    const t = setTimeout(() => setApplied(search), 200);
    return () => clearTimeout(t);
  }, [search]);

  const loadFacet = useCallback(
    async (column: string) => {
      if (!transport) return undefined;
      const args = {
        filters,
        search: applied.trim() || null,
        columns: [column],
        ...(kit ? { kit } : {}),
      };
      return (await call(transport, { command: "facets", args }))[0];
    },
    [transport, filters, applied, kit],
  );

  const request = useMemo(
    () => viewRequest(columns, applied, sort, filters, kit),
    [columns, applied, sort, filters, kit],
  );

  // One request per view for its total and its first page together: the table's first rows
  // and the count arrive at once instead of one after the other. Made on first use, by the
  // count below or by the table, whichever asks first.
  const viewQuery = useMemo(
    () =>
      once(() =>
        transport
          ? call(transport, { command: "query", args: { ...request, limit: PAGE_SIZE } })
          : Promise.reject(new Error("no connection to Invlog")),
      ),
    // generation: rows that an import added are fetched afresh; revision: rows changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [transport, request, generation, revision],
  );

  useEffect(() => {
    if (columns.length === 0) return;
    let stale = false;
    viewQuery()
      .then((r) => {
        if (stale) return;
        setTotal(r.total ?? 0);
        setError(null);
      })
      .catch((e: unknown) => !stale && setError(errorText(e)));
    return () => {
      stale = true;
    };
  }, [viewQuery, columns.length]);

  const fetchPage = useCallback(
    async (offset: number, limit: number): Promise<Row[]> => {
      if (!transport) return [];
      const page =
        offset === 0 && limit <= PAGE_SIZE
          ? await viewQuery()
          : await call(transport, {
              command: "query",
              args: { ...request, offset, limit, with_total: false },
            });
      return page.rows.slice(0, limit).map((cells, i) => ({ id: page.ids[i] ?? -1, cells }));
    },
    [transport, request, viewQuery],
  );
  // A pick belongs to the view it was made in; another view starts with none.
  const [pick, setPick] = useState<{ view: QueryRequest | null; ids: ReadonlySet<number> }>({
    view: null,
    ids: NO_PICK,
  });
  const picked = pick.view === request ? pick.ids : NO_PICK;
  const setPicked = (ids: ReadonlySet<number>) => setPick({ view: request, ids });
  const entriesChanged = useCallback(() => setRevision((r) => r + 1), []);
  const showBatch = (batchId: string) => {
    setActiveView(null);
    setSearch("");
    setApplied("");
    setFilters([{ column: "batch_id", op: "eq", values: [batchId] }]);
  };

  const selectView = (view: View) => {
    setActiveView(view.id);
    if (view.layout) {
      applyLayout(view.layout, registry);
    } else {
      setFilters(view.filters);
      setSearch("");
      setApplied("");
    }
  };

  const saveView = async (name: string) => {
    if (!transport) return;
    const saved = await call(transport, {
      command: "save_view",
      args: { name, layout: { ...current, active_view: null } },
    });
    setViews(await call(transport, { command: "views" }));
    setActiveView(saved.id);
  };

  const deleteView = (view: View) => {
    if (!transport) return;
    call(transport, { command: "delete_view", args: { id: view.id } })
      .then(() => call(transport, { command: "views" }))
      .then((v) => {
        setViews(v);
        if (activeView === view.id) setActiveView(null);
      })
      .catch((e: unknown) => setError(errorText(e)));
  };

  // The open kit's definition and availability, again whenever kits or entries change.
  useEffect(() => {
    if (!transport || !kit) return;
    let stale = false;
    call(transport, { command: "kit", args: { kit_sku: kit.kit_sku } })
      .then((s) => !stale && setKitSummary(s))
      .catch((e: unknown) => !stale && setError(errorText(e)));
    return () => {
      stale = true;
    };
  }, [transport, kit, kitsVersion, generation]);
  const colours = useMemo(
    () => (kitSummary ? kitColours(kitSummary.kit) : new Map()),
    [kitSummary],
  );

  const openKitLog = (kitSku: string) => {
    if (!kit) setBeforeKit({ filters, sort, search: applied, activeView });
    setKit({ kit_sku: kitSku, events: null });
    setKitSummary(null);
    setKitVisible([...kitColumns, ...visible.filter((id) => !kitColumns.includes(id))]);
    setFilters([]);
    // A kit log reads from its start (the core's default for it, said so the header shows it).
    setSort([{ column: "occurred_at", desc: false }]);
    setSearch("");
    setApplied("");
    setDetailId(null);
    setKitsOpen(false);
  };

  const closeKitLog = () => {
    setKit(null);
    setKitSummary(null);
    setDetailId(null);
    if (beforeKit) {
      setFilters(beforeKit.filters);
      setSort(beforeKit.sort);
      setSearch(beforeKit.search);
      setApplied(beforeKit.search);
      setActiveView(beforeKit.activeView);
    }
    setBeforeKit(null);
  };

  // A range brushed on the timeline becomes the view's date filter.
  const brushRange = useCallback((from: number, to: number) => {
    setFilters((f) => [
      ...f.filter((x) => x.column !== "occurred_at"),
      {
        column: "occurred_at",
        op: "between",
        values: [new Date(from).toISOString(), new Date(to).toISOString()],
      },
    ]);
  }, []);

  const resetLayout = useCallback(() => {
    setVisible(defaults);
    setWidths({});
    setSort([]);
    setFilters([]);
    setSearch("");
    setApplied("");
    setActiveView("all");
  }, [defaults]);

  const chooseFiles = useCallback(() => {
    if (!transport) return;
    transport
      .pickFiles()
      .then((paths) => paths && paths.length > 0 && setImportPaths(paths))
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport]);

  // The desktop app's menu and the files dropped on its window.
  useEffect(() => {
    if (!transport) return;
    return transport.listenShell({
      onMenu: (id) => {
        if (id === "import") chooseFiles();
        else if (id === "export") setExportOpen(true);
        else if (id === "export_history") setExportHistoryOpen(true);
        else if (id === "columns") setColumnsOpen(true);
        else if (id === "kits") setKitsOpen(true);
        else if (id === "reset_layout") resetLayout();
      },
      onDropPaths: (paths) => setImportPaths(paths),
    });
  }, [transport, chooseFiles, resetLayout]);

  // In a browser, dropped files are DOM events carrying File objects.
  const onDrop = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes("Files")) return;
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    if (!transport || files.length === 0 || transport.kind !== "http") return;
    transport
      .stageFiles(files)
      .then(setImportPaths)
      .catch((err: unknown) => setError(errorText(err)));
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing =
        e.target instanceof HTMLInputElement ||
        e.target instanceof HTMLTextAreaElement ||
        e.target instanceof HTMLSelectElement;
      if (e.key === "/" && !typing) {
        e.preventDefault();
        searchBox.current?.focus();
      } else if (e.key === "Escape" && !typing && !document.querySelector("dialog[open]")) {
        setDetailId(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const empty = !kit && total === 0 && !applied && filters.length === 0;
  const modified = isModified(
    views.find((v) => v.id === activeView),
    current,
  );
  return (
    <main
      className="app"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes("Files")) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDragging(false)}
      onDrop={onDrop}
    >
      <header className="bar">
        <h1>Invlog</h1>
        <input
          ref={searchBox}
          type="search"
          aria-label="Search keywords"
          placeholder="Search SKU, product, batch, error…  ( / )"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => e.key === "Escape" && setSearch("")}
        />
        <button type="button" onClick={chooseFiles} disabled={!transport}>
          Import…
        </button>
        <button type="button" onClick={() => setHistoryOpen(true)} disabled={!transport}>
          History
        </button>
        <button
          type="button"
          onClick={() => setExportOpen(true)}
          disabled={!transport || !total}
          title="Export exactly this view to CSV or XLSX (Ctrl+E)"
        >
          Export…
        </button>
        <button type="button" onClick={() => setExportHistoryOpen(true)} disabled={!transport}>
          Exports
        </button>
        <button type="button" onClick={() => setKitsOpen(true)} disabled={!transport}>
          Kits
        </button>
        {registry.length > 0 && (
          <ColumnSelector
            all={kit ? registry : mainRegistry}
            visible={shownIds}
            onChange={kit ? setKitVisible : setVisible}
            onReset={() => {
              if (kit) setKitVisible([...kitColumns, ...defaults]);
              else setVisible(defaults);
              setWidths({});
            }}
            open={columnsOpen}
            onOpenChange={setColumnsOpen}
          />
        )}
        <output aria-live="polite" className="count">
          {total === null ? "…" : `${total.toLocaleString()} ${total === 1 ? "entry" : "entries"}`}
        </output>
      </header>
      {kit && (
        <KitBar
          scope={kit}
          summary={kitSummary}
          colours={colours}
          onEvents={(events) => setKit({ ...kit, events })}
          onEdit={() => setKitsOpen(true)}
          onClose={closeKitLog}
        />
      )}
      {!kit && views.length > 0 && (
        <ViewTabs
          views={views}
          active={activeView}
          modified={modified}
          onSelect={selectView}
          onSave={saveView}
          onDelete={deleteView}
        />
      )}
      {registry.length > 0 && (
        <FiltersBar
          columns={kit ? registry : mainRegistry}
          loadFacet={loadFacet}
          filters={filters}
          onChange={setFilters}
        />
      )}
      <ErrorMessage error={error} />
      <WaitingNotice />
      {transport && !empty && total !== null && (
        <EventTimeline
          transport={transport}
          filters={filters}
          search={applied.trim() || null}
          kit={kit ?? undefined}
          revision={generation * 1000 + revision}
          after={viewQuery}
          onRange={brushRange}
        />
      )}
      {empty ? (
        <section className="empty">
          <h2>No logs yet</h2>
          <p>
            Import the inventory logs you exported from Konnect, Xoro, Ordoro, Logitrail or ShipHero
            (CSV, XLSX, JSON), or drop them on this window. Or look around first with the example
            logs of every source Invlog reads.
          </p>
          <div className="empty-actions">
            <button type="button" className="primary" disabled={!transport} onClick={chooseFiles}>
              Import files…
            </button>
            <button
              type="button"
              disabled={loadingSamples || !transport}
              onClick={() => {
                if (!transport) return;
                setLoadingSamples(true);
                call(transport, { command: "load_samples" })
                  .then(() => setGeneration((g) => g + 1))
                  .catch((e: unknown) => setError(errorText(e)))
                  .finally(() => setLoadingSamples(false));
              }}
            >
              {loadingSamples ? "Loading…" : "Load sample data"}
            </button>
          </div>
        </section>
      ) : (
        columns.length > 0 &&
        total !== null && (
          <div className="workspace">
            <div className="table-area">
              {picked.size > 0 && (
                <div className="pick-bar" role="toolbar" aria-label="Picked entries">
                  <strong>
                    {picked.size.toLocaleString()} {picked.size === 1 ? "entry" : "entries"} picked
                  </strong>
                  <button type="button" onClick={() => setResolvingPicked(true)}>
                    Mark resolved…
                  </button>
                  <button type="button" onClick={() => setResolvingPicked(false)}>
                    Mark unresolved…
                  </button>
                  <button type="button" className="link" onClick={() => setPicked(new Set())}>
                    Clear
                  </button>
                </div>
              )}
              <LogTable
                // A new generation of the store's content: a fresh table, fresh pages.
                key={generation}
                columns={columns}
                total={total}
                fetchPage={fetchPage}
                sort={sort}
                onSort={(c, additive) => setSort((s) => clickSort(s, c.id, c.kind, additive))}
                widths={widths}
                onResize={(id, w) => setWidths((all) => ({ ...all, [id]: w }))}
                onMove={(id, before) =>
                  (kit ? setKitVisible : setVisible)((v) => moveBefore(v, id, before))
                }
                onOpen={(row) => setDetailId(row.id)}
                onSelect={(row) => detailId !== null && setDetailId(row.id)}
                picked={picked}
                onPick={setPicked}
                view={request}
                componentColours={kit ? colours : undefined}
                onSkuMenu={(sku, x, y) => setSkuMenu({ sku, x, y })}
              />
              {kit && kitSummary && <AvailabilityChart summary={kitSummary} />}
            </div>
            {transport && detailId !== null && (
              <DetailDrawer
                key={detailId}
                transport={transport}
                entryId={detailId}
                onClose={() => setDetailId(null)}
                onShowBatch={showBatch}
                onChanged={entriesChanged}
                onStockHistory={setStockSku}
              />
            )}
          </div>
        )
      )}
      <div className="trays">
        <ExportsTray
          exports={exports.filter((e) => trayExports.includes(e.id))}
          onCancel={cancelExport}
          onDismiss={(id) => setTrayExports((t) => t.filter((x) => x !== id))}
          onShowHistory={() => setExportHistoryOpen(true)}
        />
        <JobsTray
          jobs={jobs}
          onCancel={cancel}
          onDismiss={dismiss}
          onShowHistory={() => setHistoryOpen(true)}
        />
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop logs to import them
        </div>
      )}
      {transport && importPaths && (
        <ImportDialog
          transport={transport}
          paths={importPaths}
          onClose={() => setImportPaths(null)}
          onStarted={(started) => {
            track(started);
            setImportPaths(null);
          }}
        />
      )}
      {transport && exportOpen && total !== null && (
        <ExportDialog
          transport={transport}
          view={request}
          columns={columns}
          total={total}
          viewName={
            kit
              ? `Kit ${kit.kit_sku} log`
              : (views.find((v) => v.id === activeView)?.name ?? "Invlog view")
          }
          onClose={() => setExportOpen(false)}
          onStarted={(started) => {
            setExportOpen(false);
            setTrayExports((t) => [started.id, ...t]);
            refreshExports();
          }}
        />
      )}
      {transport && exportHistoryOpen && (
        <ExportHistory
          transport={transport}
          exports={exports}
          views={views}
          onChanged={refreshExports}
          onClose={() => setExportHistoryOpen(false)}
        />
      )}
      {transport && kitsOpen && (
        <KitsDialog
          transport={transport}
          onClose={() => setKitsOpen(false)}
          onOpenLog={openKitLog}
          onChanged={(gone) => {
            setKitsVersion((v) => v + 1);
            if (gone !== undefined && gone === kit?.kit_sku) closeKitLog();
          }}
        />
      )}
      {transport && stockSku && (
        <StockHistoryDialog
          transport={transport}
          sku={stockSku}
          onClose={() => setStockSku(null)}
        />
      )}
      {skuMenu && (
        <SkuMenu
          {...skuMenu}
          onClose={() => setSkuMenu(null)}
          onStockHistory={() => setStockSku(skuMenu.sku)}
          onFilter={() =>
            setFilters((f) => [
              ...f.filter((x) => x.column !== "sku"),
              { column: "sku", op: "eq", values: [skuMenu.sku] },
            ])
          }
        />
      )}
      {transport && historyOpen && (
        <ImportHistory transport={transport} onClose={() => setHistoryOpen(false)} />
      )}
      {transport && resolvingPicked !== null && (
        <ResolveDialog
          transport={transport}
          ids={[...picked]}
          resolved={resolvingPicked}
          onClose={() => setResolvingPicked(null)}
          onDone={() => {
            setResolvingPicked(null);
            setPicked(new Set());
            entriesChanged();
          }}
        />
      )}
    </main>
  );
}
