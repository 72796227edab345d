import { useEffect, useState } from "react";
import type { About } from "../bindings/About";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";

/** Help › About: the version, and the store this window works on with its schema (what
 * `invlog --version` says too). */
export function AboutDialog({ onClose }: { onClose: () => void }) {
  const transport = useTransport();
  const [about, setAbout] = useState<About | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call(transport, { command: "about" })
      .then(setAbout)
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport]);
  return (
    <Modal
      title="About Invlog"
      onClose={onClose}
      actions={
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      }
    >
      <ErrorMessage error={error} />
      {about && (
        <dl className="details">
          <div>
            <dt>Version</dt>
            <dd>Invlog {about.version}</dd>
          </div>
          <div>
            <dt>Store</dt>
            <dd>{about.store ?? "in memory"}</dd>
          </div>
          <div>
            <dt>Schema</dt>
            <dd>{about.schema}</dd>
          </div>
        </dl>
      )}
    </Modal>
  );
}
