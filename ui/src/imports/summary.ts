// What an import or a job says about itself, in the words ShipHero's panel uses
// ("error in 2 out of 60 rows"), shared by the tasks tray and the import history.
import { shownValue } from "../common/vocabulary";
import type { ImportReport } from "../bindings/ImportReport";
import type { Job } from "../bindings/Job";

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

const format = (r: ImportReport) => (r.format ? shownValue("format", r.format) : "?");

export function reportSummary(r: ImportReport): string {
  if (r.refused) return `refused: ${r.refused}`;
  if (r.duplicate) return `already imported (import #${r.import_id ?? "?"}); nothing added`;
  if (r.rows_imported === 0 && r.rows_failed > 0) {
    return `${format(r)}: no rows imported: error in all ${r.rows_failed.toLocaleString()} rows`;
  }
  const rows = `${r.rows_imported.toLocaleString()} ${r.rows_imported === 1 ? "row" : "rows"}`;
  let line = `${format(r)}: ${rows}: ${storeCounts(r.new, r.existing, r.updated)}`;
  if (r.rows_failed > 0) {
    line += `; error in ${r.rows_failed.toLocaleString()} out of ${r.rows_total.toLocaleString()} rows`;
  }
  if (r.encoding) line += ` (read as ${r.encoding} text)`;
  return line;
}

/** "40 new, 20 already in the store, 3 updated": what a file did to the store. */
export function storeCounts(added: number, existing: number, updated: number): string {
  const n = (v: number) => v.toLocaleString();
  return `${n(added)} new, ${n(existing)} already in the store, ${n(updated)} updated`;
}

/** 0–1 through the job: finished files count whole, the current one by bytes read. */
export function jobFraction(job: Job): number {
  const files = Math.max(job.files.length, 1);
  const current =
    job.progress.total_bytes > 0 ? Math.min(job.progress.bytes / job.progress.total_bytes, 1) : 0;
  const done = job.status === "success" ? files : job.files_done + current;
  return Math.min(done / files, 1);
}

export function isActive(job: Job): boolean {
  return job.status === "queued" || job.status === "running";
}

export function jobTitle(job: Job): string {
  const names = job.files.map(baseName);
  return names.length <= 2 ? names.join(", ") : `${names[0]} and ${names.length - 1} more files`;
}

const STATUS_WORDS: Record<Job["status"], string> = {
  queued: "Waiting",
  running: "Importing",
  success: "Imported",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
};

export function statusWord(job: Job): string {
  // A job that ran to its end but whose every file was refused imported nothing.
  const allRefused = job.reports.length > 0 && job.reports.every((r) => r.refused !== null);
  if (job.status === "success" && allRefused) return "Not imported:";
  return STATUS_WORDS[job.status];
}
