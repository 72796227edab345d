// Import reports and jobs for tests: a clean import of 60 rows unless told otherwise.
import type { ImportReport } from "../bindings/ImportReport";
import type { Job } from "../bindings/Job";

export function report(over: Partial<ImportReport> = {}): ImportReport {
  return {
    file: "/tmp/a.csv",
    format: "konnect",
    import_id: 3,
    rows_total: 60,
    rows_imported: 60,
    rows_failed: 0,
    new: 60,
    existing: 0,
    updated: 0,
    encoding: null,
    duplicate: false,
    errors: [],
    refused: null,
    ...over,
  };
}

export function job(over: Partial<Job> = {}): Job {
  return {
    id: 1,
    kind: "import",
    status: "running",
    files: ["/x/a.csv", "/x/b.csv"],
    files_done: 0,
    progress: { rows: 0, bytes: 0, total_bytes: 0 },
    reports: [],
    error: null,
    waiting: null,
    created_at: "2026-11-22T08:00:00Z",
    finished_at: null,
    ...over,
  };
}
