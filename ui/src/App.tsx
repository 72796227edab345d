// The window's layout: the header, the view's bars, the table with its drawer, the trays and
// the dialogs. What the table shows is one state (view/viewState.ts); long work is watched
// through pushed task events (tasks/useTasks.ts).
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import type { KitSummary } from "./bindings/KitSummary";
import type { Task } from "./bindings/Task";
import type { View } from "./bindings/View";
import { AvailabilityChart } from "./kits/AvailabilityChart";
import { AboutDialog } from "./about/AboutDialog";
import { EventTimeline } from "./charts/EventTimeline";
import { StockHistoryDialog } from "./charts/StockHistoryDialog";
import { ErrorMessage, errorText } from "./common/ErrorMessage";
import { ConnectionsPanel } from "./connections/ConnectionsPanel";
import { DetailDrawer } from "./detail/DetailDrawer";
import { ResolveDialog } from "./detail/ResolveDialog";
import { ExportDialog } from "./exports/ExportDialog";
import { ExportHistory } from "./exports/ExportHistory";
import { FiltersBar } from "./filters/FiltersBar";
import { ImportDialog } from "./imports/ImportDialog";
import { ImportHistory } from "./imports/ImportHistory";
import { KitBar } from "./kits/KitBar";
import { kitColours } from "./kits/colours";
import { KitsDialog } from "./kits/KitsDialog";
import { ColumnSelector } from "./table/ColumnSelector";
import { LogTable } from "./table/LogTable";
import { createFollower } from "./detail/follow";
import { SkuMenu } from "./table/SkuMenu";
import { TasksTray } from "./tasks/TasksTray";
import { useTasks } from "./tasks/useTasks";
import { WaitingNotice } from "./tasks/WaitingNotice";
import { useTransport } from "./transport/context";
import { call } from "./transport/transport";
import { useView, type StoreChanges } from "./view/useView";
import { isModified } from "./view/views";
import { baseFilters } from "./view/viewState";
import { NoMatches } from "./table/NoMatches";
import { whatHides } from "./table/noMatches";
import { ViewTabs } from "./view/ViewTabs";
import { countText } from "./view/firstRows";
import { FailuresPanel } from "./triage/FailuresPanel";
import { StockCheckPanel } from "./triage/StockCheckPanel";
import { withPair } from "./triage/triage";

/** No entries picked (one instance, so an unchanged pick is an unchanged prop). */
const NO_PICK: ReadonlySet<number> = new Set();

/** Which dialog is open, if any (one at a time). */
type Dialog =
  | { kind: "import"; paths: string[] }
  | { kind: "about" }
  | { kind: "import_history" }
  | { kind: "export" }
  | { kind: "export_history" }
  | { kind: "kits" }
  | { kind: "connections" }
  | { kind: "failures" }
  | { kind: "stock_check" }
  | { kind: "stock"; sku: string }
  | { kind: "resolve"; resolved: boolean }
  | null;

export function App() {
  const transport = useTransport();
  const [error, setError] = useState<string | null>(null);
  const [changes, setChanges] = useState<StoreChanges>({ added: 0, changed: 0, kits: 0 });
  const changed = useCallback(
    (what: keyof StoreChanges) => setChanges((c) => ({ ...c, [what]: c[what] + 1 })),
    [],
  );
  const v = useView(changes, setError);
  const { state, dispatch, registry, columns, request, total, counting } = v;
  const kit = state.kit?.scope ?? null;

  const [dialog, setDialog] = useState<Dialog>(null);
  const close = useCallback(() => setDialog(null), []);
  const [columnsOpen, setColumnsOpen] = useState(false);
  const [detailId, setDetailId] = useState<number | null>(null);
  // The entry the keyboard's selection reached, while the details still show an earlier one.
  const [detailBehind, setDetailBehind] = useState(false);
  const follower = useMemo(
    () =>
      createFollower(
        // Closed in the meantime: stays closed.
        (id) => setDetailId((open) => (open === null ? null : id)),
        setDetailBehind,
      ),
    [],
  );
  useEffect(() => () => follower.cancel(), [follower]);
  const [skuMenu, setSkuMenu] = useState<{ sku: string; x: number; y: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [loadingSamples, setLoadingSamples] = useState(false);
  const [exportsVersion, setExportsVersion] = useState(0);
  const searchBox = useRef<HTMLInputElement>(null);

  const onTaskEnded = useCallback(
    (t: Task) => {
      // A re-run's entry is refreshed by the drawer that ran it.
      // A pull that brought nothing leaves the table as it is.
      if (t.kind === "import" || (t.pull && t.pull.new + t.pull.updated > 0)) changed("added");
      else if (t.kind !== "rerun") setExportsVersion((n) => n + 1);
    },
    [changed],
  );
  const tasks = useTasks(onTaskEnded);

  // A pick belongs to the view it was made in; another view starts with none.
  const [pick, setPick] = useState<{ view: object | null; ids: ReadonlySet<number> }>({
    view: null,
    ids: NO_PICK,
  });
  const picked = pick.view === request ? pick.ids : NO_PICK;
  const setPicked = (ids: ReadonlySet<number>) => setPick({ view: request, ids });
  const entriesChanged = useCallback(() => changed("changed"), [changed]);

  // The open kit's definition and availability, again whenever kits or entries change.
  const [received, setReceived] = useState<{ sku: string; summary: KitSummary } | null>(null);
  const kitSku = kit?.kit_sku;
  // Another kit's summary is never shown as this one's.
  const kitSummary = received && received.sku === kitSku ? received.summary : null;
  useEffect(() => {
    if (!kitSku) return;
    let stale = false;
    call(transport, { command: "kit", args: { kit_sku: kitSku } })
      .then((summary) => !stale && setReceived({ sku: kitSku, summary }))
      .catch((e: unknown) => !stale && setError(errorText(e)));
    return () => {
      stale = true;
    };
  }, [transport, kitSku, changes.kits, changes.added]);
  const colours = useMemo(
    () => (kitSummary ? kitColours(kitSummary.kit) : new Map<string, string>()),
    [kitSummary],
  );

  const selectView = (view: View) =>
    dispatch({
      type: "select_view",
      view,
      registry,
      from: v.views.find((w) => w.id === state.activeView),
    });
  const saveView = async (name: string) => {
    if (!v.layout) return;
    const saved = await call(transport, {
      command: "save_view",
      args: { name, layout: { ...v.layout, active_view: null } },
    });
    await v.reloadViews();
    dispatch({ type: "view_saved", id: saved.id });
  };
  const deleteView = (view: View) => {
    call(transport, { command: "delete_view", args: { id: view.id } })
      .then(() => v.reloadViews())
      .then(() => dispatch({ type: "view_deleted", id: view.id }))
      .catch((e: unknown) => setError(errorText(e)));
  };

  const openKitLog = (sku: string) => {
    dispatch({ type: "open_kit_log", kitSku: sku, registry });
    setDetailId(null);
    setDialog(null);
  };
  const closeKitLog = () => {
    dispatch({ type: "close_kit_log" });
    setDetailId(null);
  };
  const brushRange = useCallback(
    (from: number, to: number) => dispatch({ type: "brush", from, to }),
    [dispatch],
  );

  // Files to import join an import dialog already open (a second "Open with Invlog", another
  // drop) instead of replacing what it shows.
  const openImport = useCallback(
    (paths: string[]) =>
      setDialog((d) =>
        d?.kind === "import"
          ? { kind: "import", paths: [...d.paths, ...paths.filter((p) => !d.paths.includes(p))] }
          : { kind: "import", paths },
      ),
    [],
  );

  const chooseFiles = useCallback(() => {
    transport
      .pickFiles()
      .then((paths) => paths && paths.length > 0 && setDialog({ kind: "import", paths }))
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport]);

  // The desktop app's menu and the files dropped on its window.
  useEffect(
    () =>
      transport.listenShell({
        onMenu: (id) => {
          if (id === "import") chooseFiles();
          else if (id === "export") setDialog({ kind: "export" });
          else if (id === "export_history") setDialog({ kind: "export_history" });
          else if (id === "columns") setColumnsOpen(true);
          else if (id === "kits") setDialog({ kind: "kits" });
          else if (id === "failures") setDialog({ kind: "failures" });
          else if (id === "stock_check") setDialog({ kind: "stock_check" });
          else if (id === "connections") setDialog({ kind: "connections" });
          else if (id === "reset_layout") dispatch({ type: "reset_layout", registry });
          else if (id === "about") setDialog({ kind: "about" });
        },
        onDropPaths: openImport,
      }),
    [transport, chooseFiles, dispatch, registry, openImport],
  );

  // The files the desktop app was started with. Asked for once per window; the answer is
  // applied even after a StrictMode re-run (the backend hands them over only once).
  useEffect(() => {
    transport
      .launchFiles()
      .then((paths) => paths.length > 0 && openImport(paths))
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport, openImport]);

  // In a browser, dropped files are DOM events carrying File objects.
  const onDrop = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes("Files")) return;
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    if (files.length === 0 || transport.kind !== "http") return;
    transport
      .stageFiles(files)
      .then((paths) => setDialog({ kind: "import", paths }))
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

  const loadSamples = () => {
    setLoadingSamples(true);
    call(transport, { command: "load_samples" })
      .then(() => changed("added"))
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => setLoadingSamples(false));
  };

  const empty = !kit && total === 0 && !state.applied && state.filters.length === 0;
  const activeView = v.views.find((view) => view.id === state.activeView);
  const modified = v.layout ? isModified(activeView, v.layout) : false;
  const offered = kit ? registry : registry.filter((c) => !c.kit_only);
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
          value={state.search}
          onChange={(e) => dispatch({ type: "type_search", search: e.target.value })}
          onKeyDown={(e) => e.key === "Escape" && dispatch({ type: "type_search", search: "" })}
        />
        <button type="button" onClick={chooseFiles}>
          Import…
        </button>
        <button type="button" onClick={() => setDialog({ kind: "import_history" })}>
          History
        </button>
        <button
          type="button"
          onClick={() => setDialog({ kind: "export" })}
          disabled={!total || counting}
          title="Export exactly this view to CSV or XLSX (Ctrl+E)"
        >
          Export…
        </button>
        <button type="button" onClick={() => setDialog({ kind: "export_history" })}>
          Exports
        </button>
        <button type="button" onClick={() => setDialog({ kind: "failures" })}>
          Failures
        </button>
        <button type="button" onClick={() => setDialog({ kind: "stock_check" })}>
          Stock check
        </button>
        <button type="button" onClick={() => setDialog({ kind: "kits" })}>
          Kits
        </button>
        <button type="button" onClick={() => setDialog({ kind: "connections" })}>
          Connections
        </button>
        {registry.length > 0 && (
          <ColumnSelector
            all={offered}
            visible={state.columns}
            onChange={(ids) => dispatch({ type: "set_columns", columns: ids })}
            onReset={() => dispatch({ type: "reset_columns", registry, view: activeView })}
            open={columnsOpen}
            onOpenChange={setColumnsOpen}
          />
        )}
        <output aria-live="polite" className="count">
          {countText(total, counting)}
        </output>
      </header>
      {kit && (
        <KitBar
          scope={kit}
          summary={kitSummary}
          colours={colours}
          onEvents={(events) => dispatch({ type: "kit_events", events })}
          onEdit={() => setDialog({ kind: "kits" })}
          onClose={closeKitLog}
        />
      )}
      {!kit && v.views.length > 0 && (
        <ViewTabs
          views={v.views}
          active={state.activeView}
          modified={modified}
          onSelect={selectView}
          onSave={saveView}
          onDelete={deleteView}
        />
      )}
      {registry.length > 0 && (
        <FiltersBar
          columns={offered}
          loadFacet={v.loadFacet}
          filters={state.filters}
          base={baseFilters(activeView)}
          onChange={(filters) => dispatch({ type: "set_filters", filters })}
          onClearAll={() => dispatch({ type: "clear_filters", base: baseFilters(activeView) })}
        />
      )}
      <ErrorMessage error={error} />
      <WaitingNotice />
      {!empty && total !== null && (
        <EventTimeline
          filters={request.filters}
          search={request.search}
          kit={request.kit}
          revision={changes.added * 1000 + changes.changed}
          after={v.viewQuery}
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
            <button type="button" className="primary" onClick={chooseFiles}>
              Import files…
            </button>
            <button type="button" disabled={loadingSamples} onClick={loadSamples}>
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
                  <button
                    type="button"
                    onClick={() => setDialog({ kind: "resolve", resolved: true })}
                  >
                    Mark resolved…
                  </button>
                  <button
                    type="button"
                    onClick={() => setDialog({ kind: "resolve", resolved: false })}
                  >
                    Mark unresolved…
                  </button>
                  <button type="button" className="link" onClick={() => setPicked(new Set())}>
                    Clear
                  </button>
                </div>
              )}
              {total === 0 && !kit ? (
                <NoMatches
                  hiding={whatHides(
                    state.applied,
                    state.filters,
                    baseFilters(activeView),
                    registry,
                  )}
                  viewName={activeView?.name ?? "This view"}
                  // The message and its buttons go once rows show: focus goes to the search
                  // box, not to the page.
                  onClearSearch={() => {
                    dispatch({ type: "clear_search" });
                    searchBox.current?.focus();
                  }}
                  onClearFilters={() => {
                    dispatch({ type: "clear_filters", base: baseFilters(activeView) });
                    searchBox.current?.focus();
                  }}
                />
              ) : (
                <LogTable
                  // New rows in the store: a fresh table, fresh pages.
                  key={changes.added}
                  columns={columns}
                  total={total}
                  counting={counting}
                  fetchPage={v.fetchPage}
                  takeBackRowsAhead={v.takeBackRowsAhead}
                  sort={state.sort}
                  onSort={(c, additive) =>
                    dispatch({ type: "sort_by", column: c.id, kind: c.kind, additive })
                  }
                  widths={state.widths}
                  onResize={(id, width) => dispatch({ type: "resize", column: id, width })}
                  onMove={(id, before) => dispatch({ type: "move_column", moved: id, before })}
                  onOpen={(row) => {
                    follower.cancel();
                    setDetailId(row.id);
                  }}
                  onSelect={(row) => detailId !== null && follower.moved(row.id)}
                  picked={picked}
                  onPick={setPicked}
                  view={request}
                  componentColours={kit ? colours : undefined}
                  onSkuMenu={(sku, x, y) => setSkuMenu({ sku, x, y })}
                />
              )}
              {kit && kitSummary && <AvailabilityChart summary={kitSummary} />}
            </div>
            {detailId !== null && (
              <DetailDrawer
                key={detailId}
                entryId={detailId}
                behind={detailBehind}
                onClose={() => setDetailId(null)}
                onShowBatch={(batchId) => dispatch({ type: "show_batch", batchId })}
                onChanged={entriesChanged}
                onStockHistory={(sku) => setDialog({ kind: "stock", sku })}
              />
            )}
          </div>
        )
      )}
      <TasksTray
        tasks={tasks.tasks}
        onCancel={tasks.cancel}
        onDismiss={tasks.dismiss}
        onShowImports={() => setDialog({ kind: "import_history" })}
        onShowExports={() => setDialog({ kind: "export_history" })}
        onShowConnections={() => setDialog({ kind: "connections" })}
      />
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop logs to import them
        </div>
      )}
      {dialog?.kind === "about" && <AboutDialog onClose={close} />}
      {dialog?.kind === "import" && (
        <ImportDialog
          paths={dialog.paths}
          onClose={close}
          onStarted={(started) => {
            for (const job of started) void tasks.refresh({ kind: "import", id: job.id });
            close();
          }}
        />
      )}
      {dialog?.kind === "export" && total !== null && !counting && (
        <ExportDialog
          view={request}
          columns={columns}
          total={total}
          viewName={kit ? `Kit ${kit.kit_sku} log` : (activeView?.name ?? "Invlog view")}
          historyName={
            kit
              ? `Kit ${kit.kit_sku} log`
              : activeView && `${activeView.name}${modified ? " (changed)" : ""}`
          }
          onClose={close}
          onStarted={(started) => {
            close();
            void tasks.refresh({ kind: "export", id: started.id });
          }}
        />
      )}
      {dialog?.kind === "export_history" && (
        <ExportHistory
          version={exportsVersion}
          views={v.views}
          onStarted={(started) => void tasks.refresh({ kind: "export", id: started.id })}
          onClose={close}
        />
      )}
      {dialog?.kind === "kits" && (
        <KitsDialog
          onClose={close}
          onOpenLog={openKitLog}
          onChanged={(gone) => {
            changed("kits");
            if (gone !== undefined && gone === kit?.kit_sku) closeKitLog();
          }}
        />
      )}
      {dialog?.kind === "stock" && <StockHistoryDialog sku={dialog.sku} onClose={close} />}
      {dialog?.kind === "failures" && (
        <FailuresPanel
          filters={request.filters}
          search={request.search}
          revision={changes.added * 1000 + changes.changed}
          onClose={close}
          onShow={(filters) => {
            close();
            dispatch({ type: "show_entries", filters });
          }}
          onExport={(filters) => {
            dispatch({ type: "show_entries", filters });
            setDialog({ kind: "export" });
          }}
          onChanged={entriesChanged}
        />
      )}
      {dialog?.kind === "stock_check" && (
        <StockCheckPanel
          revision={changes.added * 1000 + changes.changed}
          onClose={close}
          onShowPair={(row) => {
            close();
            dispatch({ type: "show_entries", filters: withPair(state.filters, row) });
          }}
          onStockHistory={(sku) => setDialog({ kind: "stock", sku })}
        />
      )}
      {dialog?.kind === "connections" && (
        <ConnectionsPanel
          tasks={tasks.tasks}
          onClose={close}
          onPullStarted={(t) => void tasks.refresh({ kind: "pull", id: t.record_id ?? -1 })}
          onCancelTask={tasks.cancel}
        />
      )}
      {skuMenu && (
        <SkuMenu
          {...skuMenu}
          onClose={() => setSkuMenu(null)}
          onStockHistory={() => setDialog({ kind: "stock", sku: skuMenu.sku })}
          onFilter={() => dispatch({ type: "only_sku", sku: skuMenu.sku })}
        />
      )}
      {dialog?.kind === "import_history" && (
        <ImportHistory onClose={close} onRemoved={() => changed("added")} />
      )}
      {dialog?.kind === "resolve" && (
        <ResolveDialog
          ids={[...picked]}
          resolved={dialog.resolved}
          onClose={close}
          onDone={() => {
            close();
            setPicked(new Set());
            entriesChanged();
          }}
        />
      )}
    </main>
  );
}
