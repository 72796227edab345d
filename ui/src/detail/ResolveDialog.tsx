import { useState } from "react";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";

interface Props {
  ids: number[];
  resolved: boolean;
  onClose: () => void;
  onDone: (changed: number) => void;
}

/** Mark entries resolved or unresolved with an optional note, all or none. */
export function ResolveDialog({ ids, resolved, onClose, onDone }: Props) {
  const transport = useTransport();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const what = ids.length === 1 ? "this entry" : `${ids.length.toLocaleString()} entries`;
  const submit = () => {
    setBusy(true);
    call(transport, {
      command: "set_resolved",
      args: { ids, resolved, note: note.trim() || null },
    })
      .then(onDone)
      .catch((e: unknown) => {
        setError(errorText(e));
        setBusy(false);
      });
  };
  return (
    <Modal
      title={resolved ? "Mark resolved" : "Mark unresolved"}
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy} onClick={submit}>
            {resolved ? `Mark ${what} resolved` : `Mark ${what} unresolved`}
          </button>
        </>
      }
    >
      <ErrorMessage error={error} />
      <label className="stacked">
        Note (optional)
        <textarea
          rows={3}
          value={note}
          autoFocus
          placeholder={resolved ? "What fixed it?" : "Why is it open again?"}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      <p className="muted">Recorded with your user name and the time.</p>
    </Modal>
  );
}
