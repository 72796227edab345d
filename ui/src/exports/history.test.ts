import { describe, expect, it } from "vitest";
import type { ExportRecord } from "../bindings/ExportRecord";
import { filterHistory, formatSize, NO_FILTER, suggestedName, withExtension } from "./history";

const rec = (
  id: number,
  file_name: string,
  user_name: string,
  status: ExportRecord["status"],
  started_at: string,
) => ({ id, file_name, user_name, status, started_at }) as ExportRecord;

const records = [
  rec(3, "Failed-pushes-2026-11-22.xlsx", "asha", "success", "2026-11-22T10:00:00Z"),
  rec(2, "audit.csv", "ben", "failed", "2026-11-20T10:00:00Z"),
  rec(1, "AUDIT-march.csv", "asha", "cancelled", "2026-11-01T10:00:00Z"),
];

describe("export history filters", () => {
  it("filter by file name (any case), user, status and days", () => {
    expect(filterHistory(records, { ...NO_FILTER, name: "audit" }).map((r) => r.id)).toEqual([
      2, 1,
    ]);
    expect(filterHistory(records, { ...NO_FILTER, user: "asha" }).map((r) => r.id)).toEqual([3, 1]);
    expect(filterHistory(records, { ...NO_FILTER, status: "failed" }).map((r) => r.id)).toEqual([
      2,
    ]);
    expect(
      filterHistory(records, { ...NO_FILTER, from: "2026-11-15", to: "2026-11-21" }).map(
        (r) => r.id,
      ),
    ).toEqual([2]);
    expect(filterHistory(records, NO_FILTER)).toHaveLength(3);
  });

  it("names files after the view and keeps extensions in step with the format", () => {
    expect(suggestedName("Failed pushes", "csv", new Date(2026, 10, 2))).toBe(
      "Failed-pushes-2026-11-02.csv",
    );
    expect(suggestedName("Ääkköset / Amazon", "xlsx", new Date(2026, 0, 9))).toBe(
      "Ääkköset-Amazon-2026-01-09.xlsx",
    );
    expect(withExtension("/tmp/a.csv", "xlsx")).toBe("/tmp/a.xlsx");
    expect(withExtension("/tmp/a", "csv")).toBe("/tmp/a.csv");
    expect(formatSize(1536)).toBe("2 KB");
    expect(formatSize(null)).toBe("");
  });
});
