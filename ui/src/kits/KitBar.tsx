import type { KitScope } from "../bindings/KitScope";
import type { KitSummary } from "../bindings/KitSummary";
import { ComponentChip } from "./ComponentChip";

interface Props {
  scope: KitScope;
  summary: KitSummary | null;
  colours: Map<string, string>;
  onEvents: (events: string[] | null) => void;
  onEdit: () => void;
  onClose: () => void;
}

/** Above a kit log: the kit, its components' colours, which events show, and the way back. */
export function KitBar({ scope, summary, colours, onEvents, onEdit, onClose }: Props) {
  const all = scope.events !== null && scope.events.length === 0;
  const last = summary?.availability[summary.availability.length - 1];
  return (
    <div className="kit-bar" role="region" aria-label={`Kit log of ${scope.kit_sku}`}>
      <strong>Kit log</strong>
      <ComponentChip sku={scope.kit_sku} colour={colours.get(scope.kit_sku)} />
      <span className="muted">=</span>
      {summary?.kit.components.map((c) => (
        <span key={c.sku} className="kit-part">
          {c.quantity} ×&nbsp;
          <ComponentChip sku={c.sku} colour={colours.get(c.sku)} />
        </span>
      ))}
      <label>
        Component events{" "}
        <select
          value={all ? "all" : "default"}
          onChange={(e) => onEvents(e.target.value === "all" ? [] : null)}
        >
          <option value="default">On hand and order</option>
          <option value="all">All event types</option>
        </select>
      </label>
      {last && (
        <span className="kit-available">
          {last.available.toLocaleString()} {last.available === 1 ? "kit" : "kits"} available
        </span>
      )}
      {summary && summary.components_without_entries.length > 0 && (
        <span className="kit-missing" role="note">
          No entries for {summary.components_without_entries.join(", ")}: availability unknown
        </span>
      )}
      <span className="spacer" />
      <button type="button" onClick={onEdit}>
        Edit kit…
      </button>
      <button type="button" onClick={onClose}>
        Close kit log
      </button>
    </div>
  );
}
