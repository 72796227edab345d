import { useState } from "react";
import type { Attempt } from "../bindings/Attempt";
import type { Payload } from "../bindings/Payload";
import { HeadersTable } from "./HeadersTable";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";

interface Props {
  entryId: number;
  /** The stored request as the drawer shows it (masked unless revealed). */
  request: Payload;
  onClose: () => void;
  onDone: (attempt: Attempt) => void;
}

/** Confirms a re-run, showing what will be sent, then sends it and reports the attempt. */
export function RerunDialog({ entryId, request, onClose, onDone }: Props) {
  const transport = useTransport();
  const [timeout, setTimeoutSecs] = useState(30);
  const [resolve, setResolve] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = () => {
    setBusy(true);
    setError(null);
    call(transport, {
      command: "rerun",
      args: { entry_id: entryId, timeout_secs: timeout, resolve_on_success: resolve },
    })
      .then(onDone)
      .catch((e: unknown) => {
        setError(errorText(e));
        setBusy(false);
      });
  };
  return (
    <Modal
      title="Re-run this request?"
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={send} disabled={busy}>
            {busy ? "Sending…" : "Send request"}
          </button>
        </>
      }
    >
      <ErrorMessage error={error} />
      <p>
        This sends the stored request again, exactly as below; masked values (••••) go out as the
        stored secrets. The original entry is kept and the attempt is added to its history.
      </p>
      <p className="http-line">
        <strong>{request.method?.toUpperCase()}</strong>{" "}
        <span className="http-url">{request.url}</span>
      </p>
      <HeadersTable headers={request.headers} caption="Headers to send" />
      {request.body !== null && (
        <pre className="rerun-body" aria-label="Request body">
          {request.body.length > 20_000
            ? `${request.body.slice(0, 20_000)}\n… (${request.body.length.toLocaleString()} characters in all)`
            : request.body}
        </pre>
      )}
      <div className="rerun-options">
        <label>
          Time-out{" "}
          <input
            type="number"
            min={1}
            max={600}
            value={timeout}
            onChange={(e) => setTimeoutSecs(Number(e.target.value))}
          />{" "}
          s
        </label>
        <label>
          <input type="checkbox" checked={resolve} onChange={(e) => setResolve(e.target.checked)} />{" "}
          Mark resolved if it succeeds
        </label>
      </div>
    </Modal>
  );
}
