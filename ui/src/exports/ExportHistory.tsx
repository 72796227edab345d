import { useCallback, useEffect, useMemo, useState } from "react";
import type { ExportRecord } from "../bindings/ExportRecord";
import type { View } from "../bindings/View";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { formatCell } from "../common/format";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { Schedules } from "./Schedules";
import { filterHistory, formatSize, NO_FILTER, type HistoryFilter } from "./history";

interface Props {
  /** Changes whenever an export task ends: the history is read again. */
  version: number;
  /** The views an automated export can export. */
  views: View[];
  /** An export was started again from the history (its task joins the tray). */
  onStarted: (record: ExportRecord) => void;
  onClose: () => void;
}

const STATUSES = ["running", "success", "failed", "cancelled", "interrupted"];
const when = (t: string | null) => formatCell("time", t).text;

/** Every export with its outcome; open, show, run again or remove one. */
export function ExportHistory({ version, views, onStarted, onClose }: Props) {
  const transport = useTransport();
  const [exports, setExports] = useState<ExportRecord[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [read, setRead] = useState(0);
  const onChanged = useCallback(() => setRead((r) => r + 1), []);
  useEffect(() => {
    let stale = false;
    call(transport, { command: "exports" })
      .then((list) => !stale && setExports(list))
      .catch((e: unknown) => !stale && setError(errorText(e)));
    return () => {
      stale = true;
    };
  }, [transport, version, read]);
  const [filter, setFilter] = useState<HistoryFilter>(NO_FILTER);
  const [removing, setRemoving] = useState<ExportRecord | null>(null);
  const [deleteFile, setDeleteFile] = useState(false);
  const users = useMemo(() => [...new Set(exports.map((e) => e.user_name))].sort(), [exports]);
  const shown = filterHistory(exports, filter);
  const set = (patch: Partial<HistoryFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const fail = (e: unknown) => setError(errorText(e));
  const desktop = transport.kind === "tauri";

  const runAgain = (r: ExportRecord) =>
    call(transport, { command: "start_export", args: r.request })
      .then((started) => {
        onStarted(started);
        onChanged();
      })
      .catch(fail);
  const remove = () => {
    if (!removing) return;
    call(transport, {
      command: "remove_export",
      args: { id: removing.id, delete_file: deleteFile },
    })
      .then(() => {
        setRemoving(null);
        onChanged();
      })
      .catch(fail);
  };

  return (
    <Modal title="Export history" onClose={onClose} wider>
      <ErrorMessage error={error} />
      <div className="history-filters" role="group" aria-label="Filter the history">
        <label>
          From{" "}
          <input
            type="date"
            aria-label="From"
            value={filter.from}
            onChange={(e) => set({ from: e.target.value })}
          />
        </label>
        <label>
          to{" "}
          <input
            type="date"
            aria-label="To"
            value={filter.to}
            onChange={(e) => set({ to: e.target.value })}
          />
        </label>
        <select
          aria-label="User"
          value={filter.user}
          onChange={(e) => set({ user: e.target.value })}
        >
          <option value="">Any user</option>
          {users.map((u) => (
            <option key={u}>{u}</option>
          ))}
        </select>
        <input
          type="search"
          aria-label="File name"
          placeholder="File name"
          value={filter.name}
          onChange={(e) => set({ name: e.target.value })}
        />
        <select
          aria-label="Status"
          value={filter.status}
          onChange={(e) => set({ status: e.target.value })}
        >
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      {shown.length === 0 ? (
        <p className="muted">
          {exports.length === 0 ? "Nothing exported yet." : "No export matches."}
        </p>
      ) : (
        <table aria-label="Exports">
          <thead>
            <tr>
              <th>File</th>
              <th>Format</th>
              <th>User</th>
              <th>Started</th>
              <th>Finished</th>
              <th>Status</th>
              <th className="num">Rows</th>
              <th className="num">Size</th>
              <th>View</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id}>
                <td className="file-name" title={r.path}>
                  {r.file_name}
                </td>
                <td>{r.format.toUpperCase()}</td>
                <td>{r.user_name}</td>
                <td>{when(r.started_at)}</td>
                <td>{when(r.finished_at)}</td>
                <td>
                  <span
                    className={`badge badge-${r.status === "success" ? "success" : r.status === "running" ? "pending" : "failed"}`}
                  >
                    {r.status}
                  </span>
                  {r.error && <div className="error-text">{r.error}</div>}
                </td>
                <td className="num">{r.rows_written.toLocaleString()}</td>
                <td className="num">{formatSize(r.bytes)}</td>
                <td className="muted">{r.summary}</td>
                <td className="row-actions">
                  {r.status === "success" && r.file_exists && (
                    <>
                      <button
                        type="button"
                        onClick={() => transport.openExport(r, "open").catch(fail)}
                      >
                        {desktop ? "Open" : "Download"}
                      </button>
                      {desktop && (
                        <button
                          type="button"
                          onClick={() => transport.openExport(r, "reveal").catch(fail)}
                        >
                          Show in folder
                        </button>
                      )}
                    </>
                  )}
                  {r.status !== "running" && (
                    <>
                      <button type="button" onClick={() => void runAgain(r)}>
                        Run again
                      </button>
                      <button
                        type="button"
                        onClick={() => setRemoving(r)}
                        aria-label={`Remove ${r.file_name}`}
                      >
                        Remove…
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {removing && (
        <div className="confirm" role="alertdialog" aria-label={`Remove ${removing.file_name}?`}>
          <p>Remove {removing.file_name} from the history?</p>
          {removing.file_exists && (
            <label>
              <input
                type="checkbox"
                checked={deleteFile}
                onChange={(e) => setDeleteFile(e.target.checked)}
              />{" "}
              Delete the file too
            </label>
          )}
          <button type="button" onClick={() => setRemoving(null)}>
            Keep it
          </button>
          <button type="button" className="primary" onClick={remove}>
            Remove
          </button>
        </div>
      )}
      <Schedules views={views} />
    </Modal>
  );
}
