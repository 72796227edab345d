import type { ExportRecord } from "../bindings/ExportRecord";

export interface HistoryFilter {
  /** Local days, `YYYY-MM-DD`, inclusive; empty for no bound. */
  from: string;
  to: string;
  user: string;
  /** Part of the file name, any case. */
  name: string;
  status: string;
}

export const NO_FILTER: HistoryFilter = { from: "", to: "", user: "", name: "", status: "" };

function localDay(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The exports the history panel's filters let through, in the order given. */
export function filterHistory(records: ExportRecord[], f: HistoryFilter): ExportRecord[] {
  const name = f.name.trim().toLowerCase();
  return records.filter((r) => {
    const day = localDay(r.started_at);
    return (
      (!f.from || day >= f.from) &&
      (!f.to || day <= f.to) &&
      (!f.user || r.user_name === f.user) &&
      (!f.status || r.status === f.status) &&
      (!name || r.file_name.toLowerCase().includes(name))
    );
  });
}

/** 1.2 MB, 340 KB, 12 B. */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return "";
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** A file name for the view: `Failed-pushes-2026-11-22.csv`. */
export function suggestedName(viewName: string, format: "csv" | "xlsx", now = new Date()): string {
  const stem = viewName.replace(/[^\p{L}\p{N}-]+/gu, "-").replace(/^-+|-+$/g, "") || "invlog";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${stem}-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.${format}`;
}

/** The path with its extension made to match the format. */
export function withExtension(path: string, format: "csv" | "xlsx"): string {
  return /\.(csv|xlsx)$/i.test(path)
    ? path.replace(/\.(csv|xlsx)$/i, `.${format}`)
    : `${path}.${format}`;
}

/** The folder part of a path (either separator); "" when it names none. */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut > 0 ? path.slice(0, cut) : cut === 0 ? path.slice(0, 1) : "";
}

/** `name` in `folder`, with the separator the folder already uses. */
export function inFolder(folder: string, name: string): string {
  const sep = folder.includes("\\") && !folder.includes("/") ? "\\" : "/";
  return folder.endsWith(sep) ? `${folder}${name}` : `${folder}${sep}${name}`;
}

/** Where and how the last export that worked was written: the next one starts there. */
export function lastChoice(
  records: ExportRecord[],
): { folder: string; format: "csv" | "xlsx" } | null {
  const last = records
    .filter((r) => r.status === "success")
    .reduce<ExportRecord | null>((a, r) => (a === null || r.id > a.id ? r : a), null);
  if (!last) return null;
  const folder = folderOf(last.path);
  if (!folder) return null;
  return { folder, format: last.format === "xlsx" ? "xlsx" : "csv" };
}
