import type { Payload } from "../bindings/Payload";
import { useClipboard } from "../json/clipboard";
import { JsonViewer } from "../json/JsonViewer";
import { toCurl } from "./curl";
import { HeadersTable } from "./HeadersTable";

interface Props {
  title: string;
  /** As shown: masked, or as stored when `revealed`. */
  payload: Payload;
  revealed: boolean;
  onReveal: (reveal: boolean) => void;
  /** Offer "Copy as cURL" (requests). */
  curl?: boolean;
}

function statusClass(status: number): string {
  if (status >= 200 && status < 300) return "badge badge-success";
  if (status >= 400) return "badge badge-failed";
  return "badge badge-pending";
}

/** One side of an API call: the HTTP line, its headers, its body in the JSON viewer. */
export function HttpPanel({ title, payload, revealed, onReveal, curl }: Props) {
  const { copy, status } = useClipboard();
  const bytes = payload.bytes;
  const size =
    bytes >= 1024 * 1024
      ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
      : bytes >= 1024
        ? `${(bytes / 1024).toFixed(1)} KB`
        : `${bytes} B`;
  return (
    <section className="http-panel" aria-label={title}>
      <header className="http-head">
        <h3>{title}</h3>
        <span className="muted">{size}</span>
        <span className="spacer" />
        <label className="reveal">
          <input type="checkbox" checked={revealed} onChange={(e) => onReveal(e.target.checked)} />{" "}
          Reveal secrets
        </label>
        {curl && (
          <button type="button" onClick={() => copy(toCurl(payload), "as cURL")}>
            Copy as cURL
          </button>
        )}
      </header>
      {(payload.method || payload.url || payload.status !== null) && (
        <p className="http-line">
          {payload.method && <strong>{payload.method.toUpperCase()}</strong>}{" "}
          {payload.url && <span className="http-url">{payload.url}</span>}{" "}
          {payload.status !== null && (
            <span className={statusClass(payload.status)}>HTTP {payload.status}</span>
          )}{" "}
          {payload.duration_ms !== null && (
            <span className="muted">{payload.duration_ms.toLocaleString()} ms</span>
          )}
        </p>
      )}
      <HeadersTable headers={payload.headers} caption={`${title} headers`} />
      {payload.body !== null ? (
        <JsonViewer
          key={`${revealed}`}
          text={payload.body}
          isJson={payload.body_is_json}
          label={`${title} body`}
        />
      ) : (
        <p className="muted">No body.</p>
      )}
      <p className="copy-status" role="status">
        {status}
      </p>
    </section>
  );
}
