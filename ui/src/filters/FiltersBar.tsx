import type { Column } from "../bindings/Column";
import type { Facet } from "../bindings/Facet";
import type { Filter } from "../bindings/Filter";
import { Popover } from "../common/Popover";
import { shownValue } from "../common/vocabulary";
import { columnMatches, matchedSourceName } from "../common/columnNames";
import { useEffect, useRef, useState } from "react";
import type { Op } from "../bindings/Op";
import {
  arity,
  buildFilter,
  chipText,
  DATE_PRESETS,
  datePresetOf,
  ERRORS_ONLY,
  hasFilter,
  OP_LABELS,
  presetFilter,
  rangeFilter,
  rangeOf,
  typedDay,
  RESOLVED_CHOICES,
  resolvedFilter,
  resolvedOf,
  setColumnFilter,
  setInFilter,
  toggleFilter,
  valuesOf,
  type DatePreset,
  type ResolvedChoice,
} from "./filters";

/** The registry's facet columns, in their places in the bar. */
export function barFacets(columns: Column[]): Column[] {
  return columns.filter((c) => c.facet).sort((a, b) => a.facet_place - b.facet_place);
}

interface Props {
  columns: Column[];
  /** A multi-select's values with their counts under the view's other filters, asked for
   * when its menu opens: counting every facet on every change would slow each filter down. */
  loadFacet: (column: string) => Promise<Facet | undefined>;
  filters: Filter[];
  /** The view's own filters, which "Clear all" goes back to. */
  base: Filter[];
  onChange: (filters: Filter[]) => void;
  onClearAll: () => void;
}

function MultiSelect({
  column,
  loadFacet,
  chosen,
  onChange,
}: {
  column: Column;
  loadFacet: Props["loadFacet"];
  chosen: string[];
  onChange: (values: string[]) => void;
}) {
  const [facet, setFacet] = useState<Facet | null | undefined>(null);
  const values = (facet?.values ?? [])
    .filter((v) => v.value !== null)
    .map((v) => ({ value: String(v.value), count: v.count as number | null }));
  // A chosen value the counts no longer list (a saved view's) stays visible, to be unticked.
  for (const c of chosen) {
    if (!values.some((v) => v.value === c)) values.push({ value: c, count: null });
  }
  return (
    <Popover
      label={`${column.label}${chosen.length > 0 ? ` (${chosen.length})` : ""} ▾`}
      title={`Filter by ${column.label}`}
      alignLeft
      onOpenChange={(open) => {
        if (!open) return;
        setFacet(null);
        loadFacet(column.id)
          .then(setFacet)
          .catch(() => setFacet(undefined));
      }}
    >
      {facet === null && <p className="muted">Counting…</p>}
      <ul>
        {values.map((v) => (
          <li key={v.value}>
            <label>
              <input
                type="checkbox"
                checked={chosen.includes(v.value)}
                onChange={(e) =>
                  onChange(
                    e.target.checked ? [...chosen, v.value] : chosen.filter((c) => c !== v.value),
                  )
                }
              />
              <span className="grow">{shownValue(column.id, v.value)}</span>
              <span className="facet-count">
                {v.count === null ? "" : v.count.toLocaleString()}
              </span>
            </label>
          </li>
        ))}
      </ul>
    </Popover>
  );
}

function DateRange({ filters, onChange }: Pick<Props, "filters" | "onChange">) {
  const preset = datePresetOf(filters, new Date());
  // "Custom range…" chosen but no day typed yet: open for the filters it was chosen over, so
  // any other change of them (Clear all, another view, a preset) closes it, as does leaving it.
  const [customFor, setCustomFor] = useState<Filter[] | null>(null);
  const custom = customFor === filters || preset === "custom";
  const { from, to } = rangeOf(filters);
  const setRange = (next: { from: string; to: string }) =>
    onChange(setColumnFilter(filters, "occurred_at", rangeFilter(next.from, next.to)));
  return (
    <span
      className="date"
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setCustomFor(null);
      }}
    >
      <select
        aria-label="Date range"
        value={custom ? "custom" : preset}
        onChange={(e) => {
          const value = e.target.value as DatePreset | "custom";
          setCustomFor(value === "custom" ? filters : null);
          if (value !== "custom") {
            onChange(setColumnFilter(filters, "occurred_at", presetFilter(value, new Date())));
          }
        }}
      >
        {DATE_PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
        <option value="custom">Custom range…</option>
      </select>
      {custom && (
        <>
          <DayInput
            label="From day"
            day={from}
            max={to}
            onDay={(day) => setRange({ from: day, to })}
          />
          <span aria-hidden="true">–</span>
          <DayInput
            label="To day"
            day={to}
            min={from}
            onDay={(day) => setRange({ from, to: day })}
          />
        </>
      )}
    </span>
  );
}

/** A date field that applies its day only once it is whole (see `typedDay`); leaving it with a
 * half-typed day puts back the day in force. */
function DayInput(props: {
  label: string;
  day: string;
  min?: string;
  max?: string;
  onDay: (day: string) => void;
}) {
  const { label, day, min, max, onDay } = props;
  const [draft, setDraft] = useState(day);
  // A new day in force (a preset, a brushed range, Clear all) replaces what is typed.
  const [inForce, setInForce] = useState(day);
  if (inForce !== day) {
    setInForce(day);
    setDraft(day);
  }
  return (
    <input
      type="date"
      aria-label={label}
      value={draft}
      min={min || undefined}
      max={max || undefined}
      onChange={(e) => {
        const whole = typedDay(e.target.value);
        if (whole !== null && whole !== day) onDay(whole);
        // Chromium reports a half-typed year once more as the field loses focus, after blur.
        const left = document.activeElement !== e.target;
        setDraft(whole === null && left ? day : e.target.value);
      }}
      onBlur={() => setDraft(day)}
    />
  );
}

function AddFilter({
  columns,
  filters,
  onChange,
}: Pick<Props, "columns" | "filters" | "onChange">) {
  const [find, setFind] = useState("");
  const choosable = columns.filter((c) => c.ops.length > 0 && columnMatches(c, find));
  const [chosenId, setColumnId] = useState(choosable[0]?.id ?? "");
  // A search that leaves out the chosen column moves the choice to its first match.
  const column = choosable.find((c) => c.id === chosenId) ?? choosable[0];
  const columnId = column?.id ?? "";
  const [op, setOp] = useState<Op>(column?.ops[0] ?? "eq");
  const [first, setFirst] = useState("");
  const [second, setSecond] = useState("");
  const ops = column?.ops ?? [];
  const currentOp = ops.includes(op) ? op : (ops[0] ?? "eq");
  const n = arity(currentOp);
  const filter = column ? buildFilter(column.id, currentOp, first, second) : null;
  const inputType =
    column?.kind === "time" ? "datetime-local" : column?.kind === "integer" ? "number" : "text";
  const valueOf = (v: string) =>
    // A datetime-local value is the viewer's local time; the backend wants an instant.
    column?.kind === "time" && v ? new Date(v).toISOString() : v;
  return (
    <Popover label="+ Add filter" title="Add a filter" alignLeft>
      <form
        className="add-filter"
        onSubmit={(e) => {
          e.preventDefault();
          const built = column
            ? buildFilter(column.id, currentOp, valueOf(first), valueOf(second))
            : null;
          if (built) {
            onChange([...filters, built]);
            setFirst("");
            setSecond("");
          }
        }}
      >
        <label className="stacked">
          Find a column
          <input
            type="search"
            value={find}
            placeholder="Label or a source's name"
            onChange={(e) => setFind(e.target.value)}
          />
        </label>
        <label className="stacked">
          Column
          <select value={columnId} onChange={(e) => setColumnId(e.target.value)}>
            {choosable.map((c) => {
              const by = matchedSourceName(c, find);
              return (
                <option key={c.id} value={c.id}>
                  {by ? `${c.label} (${by})` : c.label}
                </option>
              );
            })}
          </select>
        </label>
        <label className="stacked">
          Condition
          <select value={currentOp} onChange={(e) => setOp(e.target.value as Op)}>
            {ops.map((o) => (
              <option key={o} value={o}>
                {OP_LABELS[o]}
              </option>
            ))}
          </select>
        </label>
        {column?.kind === "bool" && n === 1 ? (
          <label className="stacked">
            Value
            <select value={first} onChange={(e) => setFirst(e.target.value)}>
              <option value="">Choose…</option>
              <option value="true">yes</option>
              <option value="false">no</option>
            </select>
          </label>
        ) : (
          n !== 0 && (
            <label className="stacked">
              {n === "list" ? "Values (comma-separated)" : n === 2 ? "From" : "Value"}
              <input
                type={n === "list" ? "text" : inputType}
                value={first}
                onChange={(e) => setFirst(e.target.value)}
              />
            </label>
          )
        )}
        {n === 2 && (
          <label className="stacked">
            To
            <input type={inputType} value={second} onChange={(e) => setSecond(e.target.value)} />
          </label>
        )}
        <button type="submit" className="primary" disabled={!filter}>
          Add filter
        </button>
      </form>
    </Popover>
  );
}

export function FiltersBar({ columns, loadFacet, filters, base, onChange, onClearAll }: Props) {
  const bar = useRef<HTMLDivElement>(null);
  // A removed chip's button goes with it: focus moves to the chip now in its place (or the
  // one before), or to "+ Add filter" when none is left, once the filters have changed.
  const refocusChip = useRef<number | null>(null);
  useEffect(() => {
    const at = refocusChip.current;
    if (at === null) return;
    refocusChip.current = null;
    const chips = bar.current?.querySelectorAll<HTMLElement>(".chip button") ?? [];
    const next = chips[Math.min(at, chips.length - 1)];
    const add = [...(bar.current?.querySelectorAll<HTMLElement>("button") ?? [])].find(
      (b) => b.textContent === "+ Add filter",
    );
    (next ?? add)?.focus();
  }, [filters]);
  return (
    <div className="filters" role="toolbar" aria-label="Filters" ref={bar}>
      <DateRange filters={filters} onChange={onChange} />
      {barFacets(columns).map((column) => (
        <MultiSelect
          key={column.id}
          column={column}
          loadFacet={loadFacet}
          chosen={valuesOf(filters, column.id)}
          onChange={(values) => onChange(setInFilter(filters, column.id, values))}
        />
      ))}
      <select
        aria-label="Resolved"
        value={resolvedOf(filters)}
        onChange={(e) =>
          onChange(
            setColumnFilter(filters, "resolved", resolvedFilter(e.target.value as ResolvedChoice)),
          )
        }
      >
        {RESOLVED_CHOICES.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
          </option>
        ))}
      </select>
      <label className="toggle">
        <input
          type="checkbox"
          checked={hasFilter(filters, ERRORS_ONLY)}
          onChange={(e) => onChange(toggleFilter(filters, ERRORS_ONLY, e.target.checked))}
        />
        Errors only
      </label>
      <AddFilter columns={columns} filters={filters} onChange={onChange} />
      <ul className="chips" aria-label="Active filters">
        {filters.map((f, i) => {
          const text = chipText(f, columns);
          return (
            <li key={`${f.column}-${i}`} className="chip">
              {text}
              <button
                type="button"
                aria-label={`Remove filter: ${text}`}
                onClick={() => {
                  refocusChip.current = i;
                  onChange(filters.filter((_, j) => j !== i));
                }}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
      {filters.length > 1 && JSON.stringify(filters) !== JSON.stringify(base) && (
        <button
          type="button"
          className="link"
          onClick={() => {
            onClearAll();
            // The button goes with what it cleared: focus stays in the bar, on its first field.
            bar.current?.querySelector<HTMLElement>("select, button")?.focus();
          }}
        >
          Clear all
        </button>
      )}
    </div>
  );
}
