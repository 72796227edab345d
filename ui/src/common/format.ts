// How a stored value reads in a cell: times in the viewer's zone (UTC kept for the tooltip),
// numbers grouped, JSON condensed. Pure, so it is tested without a browser.
import type { ColumnKind } from "../bindings/ColumnKind";
import type { JsonValue } from "../bindings/serde_json/JsonValue";
import { shownValue } from "./vocabulary";

export interface CellText {
  text: string;
  /** The full or exact value, for the hover tooltip. */
  title?: string;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

export function formatCell(
  kind: ColumnKind,
  value: JsonValue | undefined,
  /** The column, for values shown as words (`source`, `event_type`). */
  column?: string,
): CellText {
  if (value === null || value === undefined) return { text: "" };
  switch (kind) {
    case "time": {
      const d = new Date(String(value));
      if (Number.isNaN(d.getTime())) return { text: String(value) };
      return { text: timeFormat.format(d), title: `${String(value)} (UTC)` };
    }
    case "integer":
      return { text: typeof value === "number" ? value.toLocaleString() : String(value) };
    case "bool":
      return { text: value === true ? "Yes" : value === false ? "No" : String(value) };
    case "json": {
      const text = JSON.stringify(value);
      return { text: text.length > 120 ? `${text.slice(0, 119)}…` : text, title: text };
    }
    default: {
      const raw = String(value);
      const text = shownValue(column, raw);
      const title = text !== raw ? raw : text.length > 40 ? text : undefined;
      return { text, title };
    }
  }
}

export function isNumeric(kind: ColumnKind): boolean {
  return kind === "integer";
}
