import { useEffect, useRef, useState } from "react";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import type { DateOrder } from "../bindings/DateOrder";
import type { Detection } from "../bindings/Detection";
import type { Format } from "../bindings/Format";
import type { FormatInfo } from "../bindings/FormatInfo";
import type { Job } from "../bindings/Job";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";

interface Choice {
  detection: Detection;
  /** The format chosen in the dialog; null keeps the detected one. */
  format: Format | null;
  sku: string;
  /** The time zone of times without an offset (IANA name), for formats that ask for one. */
  zone: string;
}

/** The zone an export written on this machine most likely used. */
function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

function effectiveFormat(c: Choice): Format | null {
  return c.format ?? c.detection.format;
}

/** Whether the format is a log of one product whose SKU its file does not hold (Ordoro's). */
function asksSku(format: Format | null, formats: FormatInfo[]): boolean {
  return formats.some((f) => f.format === format && f.asks_sku);
}

/** Whether the format's times may carry no offset in a zone its user chose (Ordoro's events). */
function asksZone(format: Format | null, formats: FormatInfo[]): boolean {
  return formats.some((f) => f.format === format && f.asks_zone);
}

/** Why a file cannot be imported as chosen, or null when it can. */
export function blocker(c: Choice, formats: FormatInfo[]): string | null {
  const format = effectiveFormat(c);
  if (!format) return c.detection.refused ?? "unknown format";
  if (asksSku(format, formats) && c.sku.trim() === "") {
    // A label starts with its source's name ("Ordoro inventory log").
    const source = (formats.find((f) => f.format === format)?.label ?? format).split(" ")[0];
    return `${source} logs need the product's SKU`;
  }
  return null;
}

interface Props {
  paths: string[];
  onClose: () => void;
  onStarted: (jobs: Job[]) => void;
}

/** Confirms what each file is before importing it: the detected format, Ordoro's SKU. */
export function ImportDialog({ paths, onClose, onStarted }: Props) {
  const transport = useTransport();
  const [choices, setChoices] = useState<Choice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [dateOrder, setDateOrder] = useState<DateOrder | null>(null);
  // The formats the backend imports, as it names them: the dialog repeats no list.
  const [formats, setFormats] = useState<FormatInfo[]>([]);

  useEffect(() => {
    call(transport, { command: "formats" })
      .then(setFormats)
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport]);

  // Files joining the open dialog are detected and added; those it lists keep their choices.
  const asked = useRef(new Set<string>());
  useEffect(() => {
    const fresh = paths.filter((p) => !asked.current.has(p));
    if (fresh.length === 0) return;
    fresh.forEach((p) => asked.current.add(p));
    call(transport, { command: "detect", args: { paths: fresh } })
      .then((detections) =>
        setChoices((all) => [
          ...(all ?? []),
          ...detections.map((d) => ({
            detection: d,
            format: null,
            sku: d.sku_hint ?? "",
            zone: localZone(),
          })),
        ]),
      )
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport, paths]);

  const update = (i: number, patch: Partial<Choice>) =>
    setChoices((all) => all && all.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  // Listed once the formats are in too: a select whose detected format has no option yet
  // would show "Not recognised" for a moment.
  const listed = formats.length > 0 ? choices : null;
  const ready = listed?.filter((c) => blocker(c, formats) === null) ?? [];

  const start = async () => {
    setStarting(true);
    try {
      const jobs: Job[] = [];
      // One job per file: each carries its own format and SKU; they run one after another.
      for (const c of ready) {
        jobs.push(
          await call(transport, {
            command: "start_import",
            args: {
              paths: [c.detection.path],
              format: c.format,
              sku: asksSku(effectiveFormat(c), formats) ? c.sku.trim() : null,
              batch: null,
              date_order: dateOrder,
              tz: asksZone(effectiveFormat(c), formats) ? c.zone.trim() || null : null,
            },
          }),
        );
      }
      onStarted(jobs);
    } catch (e) {
      setError(errorText(e));
      setStarting(false);
    }
  };

  const skipped = (listed?.length ?? 0) - ready.length;
  return (
    <Modal
      title="Import logs"
      onClose={onClose}
      wide
      actions={
        <>
          {skipped > 0 && (
            <span className="muted">
              {skipped} {skipped === 1 ? "file" : "files"} will be skipped
            </span>
          )}
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            disabled={starting || ready.length === 0}
            onClick={() => void start()}
          >
            {ready.length === 1 ? "Import 1 file" : `Import ${ready.length} files`}
          </button>
        </>
      }
    >
      <ErrorMessage error={error} />
      {!listed && !error && <p className="muted">Reading the files…</p>}
      {listed && (
        <label className="inline date-order">
          Dates such as 06/03/2025{" "}
          <select
            aria-label="Date order"
            value={dateOrder ?? ""}
            onChange={(e) => setDateOrder((e.target.value || null) as DateOrder | null)}
          >
            <option value="">Decided from each file&rsquo;s dates</option>
            <option value="dmy">Day first (6 March)</option>
            <option value="mdy">Month first (June 3)</option>
          </select>
        </label>
      )}
      {listed && (
        <table className="import-files">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Format</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {listed.map((c, i) => {
              const format = effectiveFormat(c);
              const problem = blocker(c, formats);
              const name = c.detection.file_name;
              return (
                <tr key={c.detection.path}>
                  <td className="file-name" title={c.detection.path}>
                    {name}
                  </td>
                  <td>
                    <select
                      aria-label={`Format of ${name}`}
                      value={format ?? ""}
                      onChange={(e) =>
                        update(i, { format: (e.target.value || null) as Format | null })
                      }
                    >
                      <option value="">Not recognised</option>
                      {formats.map((f) => (
                        <option key={f.format} value={f.format}>
                          {f.label}
                          {f.format === c.detection.format ? " (detected)" : ""}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {asksSku(format, formats) && (
                      <label className="inline">
                        SKU{" "}
                        <input
                          aria-label={`SKU of ${name}`}
                          value={c.sku}
                          placeholder="the product's SKU"
                          onChange={(e) => update(i, { sku: e.target.value })}
                        />
                      </label>
                    )}
                    {asksZone(format, formats) && (
                      <label className="inline">
                        Time zone{" "}
                        <input
                          aria-label={`Time zone of ${name}`}
                          value={c.zone}
                          placeholder="UTC"
                          title="The zone chosen when the file was exported: its times carry no offset"
                          onChange={(e) => update(i, { zone: e.target.value })}
                        />
                      </label>
                    )}
                    {problem && <span className="error-text">{problem}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
