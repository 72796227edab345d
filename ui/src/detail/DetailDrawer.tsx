import { useCallback, useEffect, useState } from "react";
import type { Attempt } from "../bindings/Attempt";
import type { Batch } from "../bindings/Batch";
import type { EntryDetail } from "../bindings/EntryDetail";
import type { Lot } from "../bindings/Lot";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { EntryHistory } from "./EntryHistory";
import { formatCell } from "../common/format";
import { shownValue } from "../common/vocabulary";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { HttpPanel } from "./HttpPanel";
import { attemptName, retryAccount } from "./attempts";
import { RerunDialog } from "./RerunDialog";
import { ResolveDialog } from "./ResolveDialog";

interface Props {
  entryId: number;
  /** The selection has moved on (keys still held): this entry gives way once they stop. */
  behind?: boolean;
  onClose: () => void;
  /** Filter the table to one batch's entries. */
  onShowBatch: (batchId: string) => void;
  /** The entry changed (resolved, re-run): the table's rows are stale. */
  onChanged: () => void;
  /** Show a SKU's stock over time. */
  onStockHistory: (sku: string) => void;
}

const when = (t: string | null) => formatCell("time", t).text;

function BatchSummary({ batch, onShow }: { batch: Batch; onShow: () => void }) {
  // The source's own counts where it has a batch record (ShipHero), else what the store holds.
  const total = batch.total_count ?? batch.rows_in_store;
  const errors = batch.error_count ?? batch.failed_in_store;
  return (
    <section className="detail-card" aria-label="Batch">
      <h3>Batch {batch.batch_id}</h3>
      <p>
        {errors > 0
          ? `Error in ${errors.toLocaleString()} out of ${total.toLocaleString()} rows`
          : `${total.toLocaleString()} ${total === 1 ? "row" : "rows"}, no errors`}
        {batch.status && <> · status {batch.status}</>}
        {batch.updated_at && <> · updated {when(batch.updated_at)}</>}
      </p>
      {batch.error && <p className="error-text">{batch.error}</p>}
      <button type="button" className="link" onClick={onShow}>
        Show this batch&apos;s {batch.rows_in_store.toLocaleString()}{" "}
        {batch.rows_in_store === 1 ? "row" : "rows"} in the table
      </button>
    </section>
  );
}

function Lots({ lots }: { lots: Lot[] }) {
  const n = (v: number | null) => (v === null ? "" : v.toLocaleString());
  return (
    <section className="detail-card" aria-label="Lots">
      <h3>Lots</h3>
      <table className="mini-table">
        <thead>
          <tr>
            <th>Lot</th>
            <th>Best before</th>
            <th className="num">Available</th>
            <th className="num">Reserved</th>
            <th className="num">In stock</th>
          </tr>
        </thead>
        <tbody>
          {lots.map((l, i) => (
            <tr key={l.lot_id ?? i}>
              <td>{l.lot_number ?? l.lot_id}</td>
              <td>{l.best_before}</td>
              <td className="num">{n(l.available)}</td>
              <td className="num">{n(l.reserved)}</td>
              <td className="num">{n(l.in_stock)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Attempts({
  attempts,
  account,
  shown,
  onShow,
}: {
  attempts: Attempt[];
  /** How the retry count and this list relate. */
  account: string | null;
  /** The re-run whose exchange the panels show; null for the original. */
  shown: number | null;
  onShow: (id: number | null) => void;
}) {
  return (
    <section className="detail-card" aria-label="Attempts">
      <h3>Attempts</h3>
      {account && <p className="muted">{account}</p>}
      <table className="mini-table">
        <thead>
          <tr>
            <th>Exchange</th>
            <th>When</th>
            <th>By</th>
            <th>Outcome</th>
            <th className="num">HTTP</th>
            <th className="num">Time</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a, i) => (
            <tr key={a.id ?? `original-${i}`} className={a.id === shown ? "shown" : undefined}>
              <td>
                <button
                  type="button"
                  className="link"
                  aria-pressed={a.id === shown}
                  aria-label={`Show the request and response of ${attemptName(a, when)}`}
                  onClick={() => onShow(a.id)}
                >
                  {a.id === shown ? "Shown" : "Show"}
                </button>
              </td>
              <td>{a.at ? when(a.at) : ""}</td>
              <td>{a.id === null ? "original push" : a.user_name}</td>
              <td>
                {a.outcome && <span className={`badge badge-${a.outcome}`}>{a.outcome}</span>}{" "}
                {a.reason && <span className="muted">{a.reason}</span>}
              </td>
              <td className="num">{a.http_status ?? "—"}</td>
              <td className="num">
                {a.duration_ms === null ? "—" : `${a.duration_ms.toLocaleString()} ms`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * The entry a row stands for, beside the table: its facts, API call, attempts and actions.
 * Keyed by entry: another entry starts with secrets hidden again.
 */
export function DetailDrawer({
  entryId,
  behind,
  onClose,
  onShowBatch,
  onChanged,
  onStockHistory,
}: Props) {
  const transport = useTransport();
  const [detail, setDetail] = useState<EntryDetail | null>(null);
  const [revealed, setRevealed] = useState<EntryDetail | null>(null);
  const [reveal, setReveal] = useState({ request: false, response: false });
  const [error, setError] = useState<string | null>(null);
  const [resolving, setResolving] = useState<boolean | null>(null);
  const [rerunning, setRerunning] = useState(false);
  const [version, setVersion] = useState(0);
  // The re-run whose request and response the panels show (null: the original push).
  const [shownAttempt, setShownAttempt] = useState<number | null>(null);
  const attempt = shownAttempt ?? undefined;

  useEffect(() => {
    let stale = false;
    call(transport, { command: "entry", args: { id: entryId, reveal_secrets: false, attempt } })
      .then((d) => {
        if (stale) return;
        setDetail(d);
        setError(null);
      })
      .catch((e: unknown) => !stale && setError(errorText(e)));
    return () => {
      stale = true;
    };
  }, [transport, entryId, version, attempt]);

  // Secrets are fetched only when a panel asks to reveal them, and dropped with the entry.
  const wantRevealed = reveal.request || reveal.response;
  useEffect(() => {
    if (!wantRevealed) return;
    let stale = false;
    call(transport, { command: "entry", args: { id: entryId, reveal_secrets: true, attempt } })
      .then((d) => !stale && setRevealed(d))
      .catch((e: unknown) => !stale && setError(errorText(e)));
    return () => {
      stale = true;
    };
  }, [transport, entryId, wantRevealed, version, attempt]);

  const changed = useCallback(() => {
    setVersion((v) => v + 1);
    onChanged();
  }, [onChanged]);

  const field = (column: string) =>
    detail?.groups.flatMap((g) => g.fields).find((f) => f.column === column)?.value;
  const title = String(field("product_name") ?? field("sku") ?? `Entry ${entryId}`);
  const status = field("status");
  const resolved = field("resolved") === true;
  const lastResolution = detail?.resolutions[detail.resolutions.length - 1];
  const shown = (side: "request" | "response") =>
    (reveal[side] ? revealed?.[side] : null) ?? detail?.[side] ?? null;
  const request = shown("request");
  const rerunShown = detail?.attempts.find((a) => a.id !== null && a.id === shownAttempt);
  const response = shown("response");

  return (
    <aside
      className={`drawer${behind ? " behind" : ""}`}
      aria-label="Entry details"
      aria-busy={behind || undefined}
    >
      <header className="drawer-head">
        <div>
          <h2>{title}</h2>
          {detail && (
            <p className="muted">
              {shownValue("source", detail.source)} · {detail.file_name} · entry {detail.id}
            </p>
          )}
        </div>
        <button type="button" className="icon" aria-label="Close details" onClick={onClose}>
          ×
        </button>
      </header>
      <ErrorMessage error={error} />
      {detail && (
        <div className="drawer-body">
          <div className="drawer-actions">
            {typeof status === "string" && (
              <span className={`badge badge-${status}`}>{status}</span>
            )}
            {/* No badge where there is nothing to resolve (a stock snapshot, a success). */}
            {typeof field("resolved") === "boolean" && (
              <span className={resolved ? "badge badge-success" : "badge badge-pending"}>
                {resolved ? "Resolved" : "Unresolved"}
              </span>
            )}
            <span className="spacer" />
            {typeof field("sku") === "string" && (
              <button type="button" onClick={() => onStockHistory(String(field("sku")))}>
                Stock history
              </button>
            )}
            <button type="button" onClick={() => setResolving(!resolved)}>
              {resolved ? "Mark unresolved…" : "Mark resolved…"}
            </button>
            {detail.request && (
              <button type="button" className="primary" onClick={() => setRerunning(true)}>
                Re-run…
              </button>
            )}
          </div>
          {lastResolution && (
            <p className="muted resolution-line">
              {lastResolution.resolved ? "Resolved" : "Marked unresolved"} by{" "}
              {lastResolution.user_name} on {when(lastResolution.at)}
              {lastResolution.note && <> — “{lastResolution.note}”</>}
            </p>
          )}
          {detail.groups.map((g) => (
            <section key={g.name} className="detail-group" aria-label={g.name}>
              <h3>{g.name}</h3>
              <dl className="details">
                {g.fields.map((f, i) => {
                  const cell = formatCell(f.kind, f.value, f.column);
                  return (
                    <div key={`${f.column}-${i}`}>
                      <dt>{f.label}</dt>
                      <dd title={cell.title}>
                        {f.column === "batch_id" && typeof f.value === "string" ? (
                          <button
                            type="button"
                            className="link"
                            title="Show this batch's rows in the table"
                            onClick={() => onShowBatch(String(f.value))}
                          >
                            {cell.text}
                          </button>
                        ) : f.kind === "status" ? (
                          <span className={`badge badge-${cell.text}`}>{cell.text}</span>
                        ) : (
                          cell.text
                        )}
                        {f.note && <span className="muted"> ({f.note})</span>}
                      </dd>
                    </div>
                  );
                })}
              </dl>
            </section>
          ))}
          {detail.batch && (
            <BatchSummary
              batch={detail.batch}
              onShow={() => detail.batch && onShowBatch(detail.batch.batch_id)}
            />
          )}
          {detail.lots.length > 0 && <Lots lots={detail.lots} />}
          {detail.attempts.length > 0 && (
            <Attempts
              attempts={detail.attempts}
              account={retryAccount(
                typeof field("retry_count") === "number" ? Number(field("retry_count")) : null,
                detail.attempts,
                detail.source,
              )}
              shown={shownAttempt}
              onShow={setShownAttempt}
            />
          )}
          {rerunShown && (
            <p className="muted exchange-note" role="note">
              The request and response below are those of {attemptName(rerunShown, when)}: the
              stored request, sent again as it is, and the answer it got
              {response ? "" : " (none came)"}.{" "}
              <button type="button" className="link" onClick={() => setShownAttempt(null)}>
                Show the original
              </button>
            </p>
          )}
          {request && (
            <HttpPanel
              title="API Request"
              payload={request}
              revealed={reveal.request}
              onReveal={(r) => setReveal((s) => ({ ...s, request: r }))}
              curl
            />
          )}
          {response && (
            <HttpPanel
              title="API Response"
              payload={response}
              revealed={reveal.response}
              onReveal={(r) => setReveal((s) => ({ ...s, response: r }))}
            />
          )}
          {detail.resolutions.length > 1 && (
            <section className="detail-card" aria-label="Resolution history">
              <h3>Resolution history</h3>
              <ol className="history">
                {detail.resolutions.map((r, i) => (
                  <li key={i}>
                    {r.resolved ? "Resolved" : "Unresolved"} by {r.user_name} on {when(r.at)}
                    {r.note && <> — “{r.note}”</>}
                  </li>
                ))}
              </ol>
            </section>
          )}
          {detail.history.length > 1 && (
            <EntryHistory
              history={detail.history}
              labels={
                new Map(detail.groups.flatMap((g) => g.fields.map((f) => [f.column, f.label])))
              }
            />
          )}
        </div>
      )}
      {resolving !== null && (
        <ResolveDialog
          ids={[entryId]}
          resolved={resolving}
          onClose={() => setResolving(null)}
          onDone={() => {
            setResolving(null);
            changed();
          }}
        />
      )}
      {rerunning && request && (
        <RerunDialog
          entryId={entryId}
          request={request}
          onClose={() => setRerunning(false)}
          onDone={(done) => {
            setRerunning(false);
            // What the re-run got is what the user wants to read next.
            setShownAttempt(done.id);
            changed();
          }}
        />
      )}
    </aside>
  );
}
