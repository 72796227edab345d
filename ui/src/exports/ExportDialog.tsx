import { useEffect, useRef, useState } from "react";
import type { Column } from "../bindings/Column";
import type { ExportRecord } from "../bindings/ExportRecord";
import type { QueryRequest } from "../bindings/QueryRequest";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { folderOf, inFolder, lastChoice, suggestedName, withExtension } from "./history";

interface Props {
  /** The table's view: its visible columns in order, filters, keywords, sort. */
  view: QueryRequest;
  columns: Column[];
  total: number;
  viewName: string;
  /** What the export history calls it (the view's name; none: its filters are listed). */
  historyName?: string;
  onClose: () => void;
  onStarted: (started: ExportRecord) => void;
}

type Format = "csv" | "xlsx";

/** Export exactly the current view to CSV or XLSX, as a background job. */
export function ExportDialog({
  view,
  columns,
  total,
  viewName,
  historyName,
  onClose,
  onStarted,
}: Props) {
  const transport = useTransport();
  const [format, setFormat] = useState<Format>("csv");
  const [path, setPath] = useState("");
  const [bom, setBom] = useState(true);
  const [zone, setZone] = useState<"local" | "utc">("local");
  const [reveal, setReveal] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const desktop = transport.kind === "tauri";
  // Set once the user picks a format or a path: what the dialog proposes then gives way.
  const touched = useRef(false);

  useEffect(() => {
    let stale = false;
    // Start where the last export that worked went, in its format; the browser, which cannot
    // show a save dialog for this machine, otherwise starts from the Downloads folder.
    const begin = async () => {
      const last = lastChoice(await call(transport, { command: "exports" }).catch(() => []));
      const folder =
        last?.folder ??
        (desktop ? null : await call(transport, { command: "export_folder" }).catch(() => null));
      if (stale || touched.current) return;
      const chosen = last?.format ?? "csv";
      if (last) setFormat(last.format);
      if (folder) setPath(inFolder(folder, suggestedName(viewName, chosen)));
    };
    void begin();
    return () => {
      stale = true;
    };
  }, [transport, desktop, viewName]);

  const chooseFormat = (f: Format) => {
    touched.current = true;
    setFormat(f);
    setPath((p) => (p ? withExtension(p, f) : p));
  };
  const choosePath = async () => {
    const picked = await transport.pickExportPath(
      suggestedName(viewName, format),
      folderOf(path.trim()) || undefined,
    );
    if (picked) {
      touched.current = true;
      setPath(picked);
      if (/\.xlsx$/i.test(picked)) setFormat("xlsx");
      else if (/\.csv$/i.test(picked)) setFormat("csv");
    }
  };
  const start = () => {
    setBusy(true);
    setError(null);
    call(transport, {
      command: "start_export",
      args: {
        filters: view.filters,
        search: view.search,
        sort: view.sort,
        columns: view.columns,
        ...(view.kit ? { kit: view.kit } : {}),
        path: withExtension(path.trim(), format),
        format,
        bom: format === "csv" && bom,
        zone,
        reveal_secrets: reveal,
        ...(historyName ? { view_name: historyName } : {}),
      },
    })
      .then(onStarted)
      .catch((e: unknown) => {
        setError(errorText(e));
        setBusy(false);
      });
  };

  return (
    <Modal
      title="Export the view"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy || !path.trim()} onClick={start}>
            Export {total.toLocaleString()} {total === 1 ? "row" : "rows"}
          </button>
        </>
      }
    >
      <ErrorMessage error={error} />
      <p className="muted">
        Exactly what the table shows: {viewName}, {total.toLocaleString()} rows, these{" "}
        {columns.length} columns in this order — {columns.map((c) => c.label).join(", ")}.
      </p>
      <fieldset className="export-options">
        <legend>Format</legend>
        <label>
          <input
            type="radio"
            name="format"
            checked={format === "csv"}
            onChange={() => chooseFormat("csv")}
          />{" "}
          CSV
        </label>
        <label>
          <input
            type="radio"
            name="format"
            checked={format === "xlsx"}
            onChange={() => chooseFormat("xlsx")}
          />{" "}
          Excel workbook (XLSX)
        </label>
      </fieldset>
      <label className="stacked">
        Save as
        <span className="inline">
          <input
            type="text"
            aria-label="Save as"
            value={path}
            placeholder={desktop ? "Choose where to save it" : "/path/to/file.csv"}
            onChange={(e) => {
              touched.current = true;
              setPath(e.target.value);
            }}
          />
          {desktop && (
            <button type="button" onClick={() => void choosePath()}>
              Choose…
            </button>
          )}
        </span>
      </label>
      <fieldset className="export-options">
        <legend>Options</legend>
        {format === "csv" && (
          <label>
            <input type="checkbox" checked={bom} onChange={(e) => setBom(e.target.checked)} /> Byte
            order mark, so Excel reads UTF-8
          </label>
        )}
        <label>
          Times in{" "}
          <select
            aria-label="Times in"
            value={zone}
            onChange={(e) => setZone(e.target.value as "local" | "utc")}
          >
            <option value="local">local time</option>
            <option value="utc">UTC</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.target.checked)} />{" "}
          Unmask secrets in API requests and responses for this export
        </label>
      </fieldset>
    </Modal>
  );
}
