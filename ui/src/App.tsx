import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Column } from "./bindings/Column";
import type { QueryRequest } from "./bindings/QueryRequest";
import type { SortKey } from "./bindings/SortKey";
import type { Facet } from "./bindings/Facet";
import type { Filter } from "./bindings/Filter";
import { ColumnSelector } from "./ColumnSelector";
import { BAR_FACETS, FiltersBar } from "./FiltersBar";
import { LogTable } from "./LogTable";
import { moveBefore } from "./reorder";
import { clickSort } from "./sorting";
import { call, CommandError, detectTransport, type Transport } from "./transport";

function useTransport(): { transport?: Transport; error?: string } {
  return useMemo(() => {
    try {
      return { transport: detectTransport(window as never) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }, []);
}

function viewRequest(
  columns: Column[],
  search: string,
  sort: SortKey[],
  filters: Filter[],
): QueryRequest {
  return {
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
  const [facets, setFacets] = useState<Facet[]>([]);
  // Bumped when the store's content changes under the view (sample data loaded).
  const [generation, setGeneration] = useState(0);
  const [loadingSamples, setLoadingSamples] = useState(false);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(transportError ?? null);
  const searchBox = useRef<HTMLInputElement>(null);

  const defaults = useMemo(
    () => registry.filter((c) => c.default_visible).map((c) => c.id),
    [registry],
  );
  const columns = useMemo(
    () => visible.flatMap((id) => registry.filter((c) => c.id === id)),
    [visible, registry],
  );

  // The registry, then the layout the user left (or the defaults).
  useEffect(() => {
    if (!transport) return;
    Promise.all([
      call(transport, { command: "columns" }),
      call(transport, { command: "load_layout" }),
    ])
      .then(([all, layout]) => {
        setRegistry(all);
        const known = layout?.columns.filter((id) => all.some((c) => c.id === id)) ?? [];
        setVisible(
          known.length > 0 ? known : all.filter((c) => c.default_visible).map((c) => c.id),
        );
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
        setRestored(true);
      })
      .catch((e: unknown) => setError(e instanceof CommandError ? e.message : String(e)));
  }, [transport]);

  // Whatever the user changes is saved, a moment after the last change.
  useEffect(() => {
    if (!transport || !restored || visible.length === 0) return;
    const t = setTimeout(() => {
      const layout = { columns: visible, widths, sort, filters, search: applied || null };
      call(transport, { command: "save_layout", args: layout }).catch((e: unknown) =>
        setError(e instanceof Error ? e.message : String(e)),
      );
    }, 300);
    return () => clearTimeout(t);
  }, [transport, restored, visible, widths, sort, filters, applied]);

  // Keywords apply a moment after typing stops, not on every key.
  useEffect(() => {
    const t = setTimeout(() => setApplied(search), 200);
    return () => clearTimeout(t);
  }, [search]);

  useEffect(() => {
    if (!transport || columns.length === 0) return;
    let stale = false;
    call(transport, { command: "query", args: viewRequest(columns, applied, sort, filters) })
      .then((r) => !stale && setTotal(r.total ?? 0))
      .catch((e: unknown) => !stale && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      stale = true;
    };
  }, [transport, columns, applied, sort, filters, generation]);

  // Counts for the bar's multi-selects, under the view's other filters.
  useEffect(() => {
    if (!transport || !restored) return;
    let stale = false;
    call(transport, {
      command: "facets",
      args: { filters, search: applied.trim() || null, columns: BAR_FACETS },
    })
      .then((f) => !stale && setFacets(f))
      .catch((e: unknown) => !stale && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      stale = true;
    };
  }, [transport, restored, filters, applied, generation]);

  const fetchPage = useCallback(
    async (offset: number, limit: number) => {
      if (!transport) return [];
      const args = {
        ...viewRequest(columns, applied, sort, filters),
        offset,
        limit,
        with_total: false,
      };
      return (await call(transport, { command: "query", args })).rows;
    },
    [transport, columns, applied, sort, filters],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "/" && document.activeElement !== searchBox.current) {
        e.preventDefault();
        searchBox.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <main className="app">
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
        {registry.length > 0 && (
          <ColumnSelector
            all={registry}
            visible={visible}
            onChange={setVisible}
            onReset={() => {
              setVisible(defaults);
              setWidths({});
            }}
          />
        )}
        <output aria-live="polite" className="count">
          {total === null ? "…" : `${total.toLocaleString()} ${total === 1 ? "entry" : "entries"}`}
        </output>
      </header>
      {registry.length > 0 && (
        <FiltersBar columns={registry} facets={facets} filters={filters} onChange={setFilters} />
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {total === 0 && !applied && filters.length === 0 ? (
        <section className="empty">
          <h2>No logs yet</h2>
          <p>
            Import files with <code>invlog import FILE…</code>; they appear here. Or look around
            first with the example logs of every source Invlog reads.
          </p>
          <button
            type="button"
            className="primary"
            disabled={loadingSamples || !transport}
            onClick={() => {
              if (!transport) return;
              setLoadingSamples(true);
              call(transport, { command: "load_samples" })
                .then(() => setGeneration((g) => g + 1))
                .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
                .finally(() => setLoadingSamples(false));
            }}
          >
            {loadingSamples ? "Loading…" : "Load sample data"}
          </button>
        </section>
      ) : (
        columns.length > 0 &&
        total !== null && (
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
            onMove={(id, before) => setVisible((v) => moveBefore(v, id, before))}
          />
        )
      )}
    </main>
  );
}
