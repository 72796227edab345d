import { useEffect, useState } from "react";
import type { SortKey } from "../bindings/SortKey";
import type { StockCheck } from "../bindings/StockCheck";
import type { StockCheckRow } from "../bindings/StockCheckRow";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { formatCell } from "../common/format";
import { Modal } from "../common/Modal";
import { shownValue } from "../common/vocabulary";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { differenceText, nextSort, pairState, signatureText } from "./triage";

interface Props {
  /** Revision of the store's entries: a change checks again. */
  revision: number;
  onClose: () => void;
  /** Shows the table on one pair's entries, newest first. */
  onShowPair: (row: StockCheckRow) => void;
  onStockHistory: (sku: string) => void;
}

/** Rows shown at once; the filters narrow the rest. */
const SHOWN = 500;

const when = (ms: number | null) =>
  ms === null ? "" : formatCell("time", new Date(ms).toISOString()).text;

const COLUMNS: { id: string | null; label: string; numeric?: boolean }[] = [
  { id: "sku", label: "SKU" },
  { id: "account", label: "Channel account" },
  { id: "location_code", label: "Location" },
  { id: "last_sent", label: "Last received", numeric: true },
  { id: "failures_since", label: "Since then" },
  { id: null, label: "Systems of record" },
  { id: "expected", label: "Expected", numeric: true },
  { id: "difference", label: "Difference", numeric: true },
];

function Row({
  r,
  onShowPair,
  onStockHistory,
}: {
  r: StockCheckRow;
  onShowPair: Props["onShowPair"];
  onStockHistory: Props["onStockHistory"];
}) {
  const pair = `${r.sku} on ${r.account ?? r.channel ?? ""}`;
  return (
    <tr className={r.stale ? "stale" : undefined}>
      <td>
        <button
          type="button"
          className="link"
          onClick={() => onShowPair(r)}
          title="Show this SKU's entries on this channel, newest first"
          aria-label={`Entries of ${pair}`}
        >
          {r.sku}
        </button>
        <div className="row-actions">
          <button
            type="button"
            onClick={() => onStockHistory(r.sku)}
            aria-label={`Stock history of ${r.sku}`}
          >
            Stock history
          </button>
        </div>
      </td>
      <td>
        {r.account ?? r.channel}
        {r.account && r.channel && <div className="muted">{r.channel}</div>}
      </td>
      <td>{r.location_code}</td>
      <td className="num">
        {r.last_sent === null ? (
          <span className="muted">nothing yet</span>
        ) : (
          <>
            {r.last_sent.toLocaleString()}
            <div className="muted">{when(r.last_sent_at)}</div>
          </>
        )}
      </td>
      <td>
        <span className={r.stale ? "error-text" : undefined}>{pairState(r)}</span>
        {r.stale && r.last_failure_signature && (
          <div className="muted" title={`Last failure ${when(r.last_failure_at)}`}>
            {signatureText(r.last_failure_signature)}
          </div>
        )}
      </td>
      <td>
        {r.records.length === 0 ? (
          <span className="muted">none in the store</span>
        ) : (
          r.records.map((x, i) => (
            <div key={x.source} className={i > 0 ? "muted" : undefined}>
              {shownValue("source", x.source)} {x.quantity.toLocaleString()}
              <span className="muted"> · {when(x.at)}</span>
            </div>
          ))
        )}
      </td>
      <td className="num">
        {r.expected?.toLocaleString()}
        {r.expected !== null && r.buffer_stock !== null && r.buffer_stock > 0 && (
          <div className="muted">buffer {r.buffer_stock.toLocaleString()}</div>
        )}
      </td>
      <td className={`num${r.mismatch ? " error-text" : ""}`}>{differenceText(r.difference)}</td>
    </tr>
  );
}

/** What each channel last received, per SKU × channel account, against the systems of record. */
export function StockCheckPanel({ revision, onClose, onShowPair, onStockHistory }: Props) {
  const transport = useTransport();
  const [sku, setSku] = useState("");
  const [channel, setChannel] = useState("");
  const [stale, setStale] = useState(false);
  const [mismatch, setMismatch] = useState(false);
  const [sort, setSort] = useState<SortKey[]>([]);
  const [check, setCheck] = useState<StockCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // Typing in the boxes asks once the typing pauses.
    const timer = setTimeout(() => {
      call(transport, {
        command: "stock_check",
        args: {
          sku: sku.trim() || null,
          channel: channel.trim() || null,
          stale,
          mismatch,
          sort,
          limit: SHOWN,
          offset: 0,
        },
      })
        .then((c) => {
          if (!live) return;
          setCheck(c);
          setError(null);
        })
        .catch((e: unknown) => live && setError(errorText(e)));
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [transport, sku, channel, stale, mismatch, sort, revision]);
  return (
    <Modal title="Stock check" onClose={onClose} wider>
      <p className="muted">
        What each channel last received, per SKU and channel account: its last successful push, the
        failures since (a channel whose last push failed still shows the older level), and the
        newest stock Ordoro, Logitrail or ShipHero report, less the buffer stock.
      </p>
      <div className="triage-controls" role="group" aria-label="Stock check filters">
        <label>
          SKU
          <input value={sku} onChange={(e) => setSku(e.target.value)} placeholder="Any SKU" />
        </label>
        <label>
          Channel or account
          <input
            value={channel}
            onChange={(e) => setChannel(e.target.value)}
            placeholder="Any channel"
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={stale} onChange={(e) => setStale(e.target.checked)} />
          Stale only
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={mismatch}
            onChange={(e) => setMismatch(e.target.checked)}
          />
          Mismatch only
        </label>
      </div>
      <ErrorMessage error={error} />
      {check && (
        <p role="status">
          <strong>{check.total.toLocaleString()}</strong> of {check.pairs.toLocaleString()} SKU ×
          channel pairs · {check.stale.toLocaleString()} stale · {check.mismatched.toLocaleString()}{" "}
          mismatched
          {check.total > check.rows.length && (
            <span className="muted">
              {" "}
              · the first {check.rows.length.toLocaleString()} shown; narrow with the filters
            </span>
          )}
        </p>
      )}
      {check && check.rows.length > 0 && (
        <div className="triage-scroll">
          <table className="triage-table" aria-label="SKU × channel pairs">
            <thead>
              <tr>
                {COLUMNS.map((c, i) => {
                  const sorted = c.id !== null && sort[0]?.column === c.id ? sort[0] : null;
                  return (
                    <th
                      key={i}
                      scope="col"
                      className={c.numeric ? "num" : undefined}
                      aria-sort={sorted ? (sorted.desc ? "descending" : "ascending") : undefined}
                    >
                      {c.id === null ? (
                        c.label
                      ) : (
                        <button
                          type="button"
                          className="sort-head"
                          onClick={() => setSort((s) => nextSort(s, c.id as string))}
                        >
                          {c.label}
                          {sorted && <span aria-hidden="true">{sorted.desc ? " ▼" : " ▲"}</span>}
                        </button>
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {check.rows.map((r) => (
                <Row
                  key={`${r.sku}\u001f${r.channel}\u001f${r.account}\u001f${r.location_code}`}
                  r={r}
                  onShowPair={onShowPair}
                  onStockHistory={onStockHistory}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Modal>
  );
}
