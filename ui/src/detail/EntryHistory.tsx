import type { Change } from "../bindings/Change";
import type { HistoryEvent } from "../bindings/HistoryEvent";
import { formatCell } from "../common/format";

/** One event of an entry's history in words: which import, and what it did to the entry. */
export function historyLine(e: HistoryEvent): string {
  const file = e.file_name ?? `import #${e.import_id ?? "?"}`;
  switch (e.kind) {
    case "imported":
      return `Imported from ${file}`;
    case "seen_again":
      return `Also in ${file}, unchanged`;
    case "updated":
      return `Updated by ${file}`;
    case "import_removed":
      return `${file} was removed; the entry stayed (another import brought it too)`;
  }
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A changed value as the drawer shows values: instants in local time. */
export function shownValue(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "string") return INSTANT.test(v) ? formatCell("time", v).text : v;
  return JSON.stringify(v);
}

function ChangeLine({ c, label }: { c: Change; label: string }) {
  return (
    <li>
      {label}: <del>{shownValue(c.from)}</del> → {shownValue(c.to)}
    </li>
  );
}

/**
 * Which imports brought the entry and what each changed, oldest first. `labels` names the
 * columns as the drawer's fields do (the source's own words).
 */
export function EntryHistory({
  history,
  labels,
}: {
  history: HistoryEvent[];
  labels: Map<string, string>;
}) {
  return (
    <section className="detail-card" aria-label="Entry history">
      <h3>History</h3>
      <ol className="entry-history">
        {history.map((e, i) => (
          <li key={i}>
            {historyLine(e)} <span className="muted">{formatCell("time", e.at).text}</span>
            {e.changes.length > 0 && (
              <ul className="changes" aria-label="What changed">
                {e.changes.map((c) => (
                  <ChangeLine key={c.column} c={c} label={labels.get(c.column) ?? c.column} />
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
