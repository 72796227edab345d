import { describe, expect, it } from "vitest";
import type { Column } from "./bindings/Column";
import { chipText, presetFilter, setColumnFilter, valuesOf } from "./filters";

const columns = [
  { id: "status", label: "Status", kind: "status" },
  { id: "occurred_at", label: "Updated On", kind: "time" },
] as Column[];

describe("filters", () => {
  it("a multi-select's choice replaces that column's filter and leaves the others", () => {
    const one = setColumnFilter([], "status", { column: "status", op: "in", values: ["failed"] });
    const two = setColumnFilter(one, "source", { column: "source", op: "in", values: ["xoro"] });
    expect(valuesOf(two, "status")).toEqual(["failed"]);
    const cleared = setColumnFilter(two, "status", null);
    expect(cleared).toEqual([{ column: "source", op: "in", values: ["xoro"] }]);
  });

  it("date presets start at local midnight, N-1 days back", () => {
    const now = new Date(2025, 2, 10, 15, 30);
    expect(presetFilter("all", now)).toBeNull();
    const start = (p: "today" | "7d") => new Date(presetFilter(p, now)?.values[0] ?? "");
    expect(start("today")).toEqual(new Date(2025, 2, 10));
    expect(start("7d")).toEqual(new Date(2025, 2, 4));
    expect(presetFilter("30d", now)?.op).toBe("ge");
  });

  it("chips read as sentences with the column's label", () => {
    expect(chipText({ column: "status", op: "in", values: ["failed", "pending"] }, columns)).toBe(
      "Status is failed or pending",
    );
    expect(chipText({ column: "error", op: "is_not_empty", values: [] }, columns)).toBe(
      "error is not empty",
    );
    const since = chipText(
      { column: "occurred_at", op: "ge", values: [new Date(2025, 2, 4).toISOString()] },
      columns,
    );
    expect(since).toBe(`Updated On since ${new Date(2025, 2, 4).toLocaleDateString()}`);
  });
});
