// The words a person reads for the values the store keeps as ids: source systems by their
// names, event types as words. Display only: filters, exports and the CLI keep the ids (the
// public contract).

const SOURCE_NAMES: Record<string, string> = {
  konnect: "Konnect",
  xoro: "Xoro",
  ordoro: "Ordoro",
  logitrail: "Logitrail",
  shiphero: "ShipHero",
  pushlog: "Push log",
};

/** Import formats by what they read (the import dialog's list says more). */
const FORMAT_NAMES: Record<string, string> = {
  ...SOURCE_NAMES,
  ordoro: "Ordoro log",
  ordoro_events: "Ordoro events",
  kits: "Kit definitions",
};

/** Abbreviations an event id spells in lower case (Ordoro's po_received, mo_finished). */
const UPPER = new Set(["po", "mo", "sku", "api"]);

/** An id such as `return_order` or `sync_change` as words; other text as it is. */
function words(id: string): string {
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(id)) return id;
  const parts = id.split("_").map((w) => (UPPER.has(w) ? w.toUpperCase() : w));
  const first = parts[0] ?? "";
  parts[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return parts.join(" ");
}

/** How a value of `column` reads; `format` is an import's format. */
export function shownValue(column: string | undefined, value: string): string {
  if (column === "source") return SOURCE_NAMES[value] ?? value;
  if (column === "format") return FORMAT_NAMES[value] ?? value;
  if (column === "event_type") return words(value);
  return value;
}
