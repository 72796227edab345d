import { describe, expect, it } from "vitest";
import type { ExportRecord } from "../bindings/ExportRecord";
import {
  filterHistory,
  folderOf,
  formatSize,
  inFolder,
  lastChoice,
  NO_FILTER,
  suggestedName,
  withExtension,
} from "./history";

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

describe("where the next export starts", () => {
  const at = (id: number, path: string, format: string, status: ExportRecord["status"]) =>
    ({ id, path, format, status }) as ExportRecord;
  it("takes the folder and format of the newest export that worked", () => {
    expect(
      lastChoice([
        at(4, "/tmp/broken/x.csv", "csv", "failed"),
        at(2, "/home/a/old/y.csv", "csv", "success"),
        at(3, "/home/a/audits/z.xlsx", "xlsx", "success"),
      ]),
    ).toEqual({ folder: "/home/a/audits", format: "xlsx" });
    expect(lastChoice([at(1, "x.csv", "csv", "success")])).toBeNull();
    expect(lastChoice([])).toBeNull();
  });
  it("splits and joins paths with the folder's own separator", () => {
    expect(folderOf("C:\\Users\\a\\x.csv")).toBe("C:\\Users\\a");
    expect(folderOf("/x.csv")).toBe("/");
    expect(inFolder("C:\\Users\\a", "v.csv")).toBe("C:\\Users\\a\\v.csv");
    expect(inFolder("/home/a", "v.csv")).toBe("/home/a/v.csv");
    expect(inFolder("/", "v.csv")).toBe("/v.csv");
  });
});
