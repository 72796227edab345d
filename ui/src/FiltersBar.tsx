import type { Column } from "./bindings/Column";
import type { Facet } from "./bindings/Facet";
import type { Filter } from "./bindings/Filter";
import { Popover } from "./Popover";
import {
  chipText,
  DATE_PRESETS,
  presetFilter,
  setColumnFilter,
  valuesOf,
  type DatePreset,
} from "./filters";

/** The facet columns offered as multi-selects in the bar, in this order. */
export const BAR_FACETS = ["status", "source", "channel"];

interface Props {
  columns: Column[];
  facets: Facet[];
  filters: Filter[];
  onChange: (filters: Filter[]) => void;
}

function MultiSelect({
  column,
  facet,
  chosen,
  onChange,
}: {
  column: Column;
  facet: Facet | undefined;
  chosen: string[];
  onChange: (values: string[]) => void;
}) {
  return (
    <Popover
      label={`${column.label}${chosen.length > 0 ? ` (${chosen.length})` : ""} ▾`}
      title={`Filter by ${column.label}`}
      alignLeft
    >
      <ul>
        {(facet?.values ?? [])
          .filter((v) => v.value !== null)
          .map((v) => {
            const value = String(v.value);
            return (
              <li key={value}>
                <label>
                  <input
                    type="checkbox"
                    checked={chosen.includes(value)}
                    onChange={(e) =>
                      onChange(
                        e.target.checked ? [...chosen, value] : chosen.filter((c) => c !== value),
                      )
                    }
                  />
                  <span className="grow">{value}</span>
                  <span className="facet-count">{v.count.toLocaleString()}</span>
                </label>
              </li>
            );
          })}
      </ul>
    </Popover>
  );
}

export function FiltersBar({ columns, facets, filters, onChange }: Props) {
  const byId = (id: string) => columns.find((c) => c.id === id);
  const datePreset = (preset: DatePreset) =>
    onChange(setColumnFilter(filters, "occurred_at", presetFilter(preset, new Date())));
  return (
    <div className="filters" role="toolbar" aria-label="Filters">
      <label className="date">
        <span className="visually-hidden">Date range</span>
        <select
          aria-label="Date range"
          onChange={(e) => datePreset(e.target.value as DatePreset)}
          defaultValue="all"
        >
          {DATE_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {BAR_FACETS.map((id) => {
        const column = byId(id);
        if (!column) return null;
        return (
          <MultiSelect
            key={id}
            column={column}
            facet={facets.find((f) => f.column === id)}
            chosen={valuesOf(filters, id)}
            onChange={(values) =>
              onChange(
                setColumnFilter(
                  filters,
                  id,
                  values.length > 0 ? { column: id, op: "in", values } : null,
                ),
              )
            }
          />
        );
      })}
      <ul className="chips" aria-label="Active filters">
        {filters.map((f, i) => {
          const text = chipText(f, columns);
          return (
            <li key={`${f.column}-${i}`} className="chip">
              {text}
              <button
                type="button"
                aria-label={`Remove filter: ${text}`}
                onClick={() => onChange(filters.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
