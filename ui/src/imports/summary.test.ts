import { describe, expect, it } from "vitest";
import { job, report } from "./fixtures.test-util";
import { baseName, jobFraction, jobTitle, reportSummary, statusWord } from "./summary";

describe("job status words", () => {
  it("says a finished job whose every file was refused imported nothing", () => {
    const refused = report({ refused: "no known headers" });
    expect(statusWord(job({ status: "success", reports: [refused] }))).toBe("Not imported:");
    expect(statusWord(job({ status: "success", reports: [refused, report({})] }))).toBe("Imported");
    expect(statusWord(job({ status: "queued" }))).toBe("Waiting");
  });
});

describe("import summaries", () => {
  it("words each outcome as the panels do", () => {
    expect(reportSummary(report({}))).toBe(
      "Konnect: 60 rows: 60 new, 0 already in the store, 0 updated",
    );
    expect(reportSummary(report({ new: 40, existing: 18, updated: 2 }))).toBe(
      "Konnect: 60 rows: 40 new, 18 already in the store, 2 updated",
    );
    expect(reportSummary(report({ rows_imported: 58, new: 58, rows_failed: 2 }))).toBe(
      "Konnect: 58 rows: 58 new, 0 already in the store, 0 updated; error in 2 out of 60 rows",
    );
    expect(reportSummary(report({ encoding: "Windows-1252" }))).toBe(
      "Konnect: 60 rows: 60 new, 0 already in the store, 0 updated (read as Windows-1252 text)",
    );
    expect(reportSummary(report({ duplicate: true }))).toBe(
      "already imported (import #3); nothing added",
    );
    expect(reportSummary(report({ refused: "no known headers" }))).toBe(
      "refused: no known headers",
    );
    expect(reportSummary(report({ rows_imported: 0, rows_failed: 60 }))).toBe(
      "Konnect: no rows imported: error in all 60 rows",
    );
  });

  it("measures a job by finished files plus the bytes of the current one", () => {
    expect(jobFraction(job({}))).toBe(0);
    expect(
      jobFraction(job({ files_done: 1, progress: { rows: 9, bytes: 50, total_bytes: 100 } })),
    ).toBe(0.75);
    expect(jobFraction(job({ status: "success", files_done: 2 }))).toBe(1);
  });

  it("names jobs by their files", () => {
    expect(baseName("C:\\logs\\x.csv")).toBe("x.csv");
    expect(jobTitle(job({}))).toBe("a.csv, b.csv");
    expect(jobTitle(job({ files: ["a", "b", "c"] }))).toBe("a and 2 more files");
  });
});
