import { describe, expect, it } from "vitest";
import type { Column } from "../bindings/Column";
import type { Filter } from "../bindings/Filter";
import {
  buildFilter,
  chipText,
  datePresetOf,
  ERRORS_ONLY,
  hasFilter,
  presetFilter,
  rangeFilter,
  rangeOf,
  typedDay,
  RESOLVED_CHOICES,
  resolvedFilter,
  resolvedOf,
  setColumnFilter,
  setInFilter,
  toggleFilter,
  valuesOf,
} from "./filters";

const columns = [
  { id: "status", label: "Status", kind: "status" },
  { id: "occurred_at", label: "Updated On", kind: "time" },
  { id: "quantity", label: "Quantity", kind: "integer" },
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
    // A quantity is compared as an amount.
    expect(chipText({ column: "quantity", op: "ge", values: ["200"] }, columns)).toBe(
      "Quantity at least 200",
    );
    expect(chipText({ column: "quantity", op: "lt", values: ["5"] }, columns)).toBe(
      "Quantity less than 5",
    );
  });
});

describe("the bar's controls map to filters and back", () => {
  it("a custom range is whole local days, and reads back as the same days", () => {
    const f = rangeFilter("2025-03-01", "2025-03-31");
    expect(f?.op).toBe("between");
    const [start, end] = (f?.values ?? []).map((v) => new Date(v).getTime());
    expect(start).toBe(new Date(2025, 2, 1).getTime());
    expect(end).toBe(new Date(2025, 3, 1).getTime() - 1000);
    const range = f ? [f] : [];
    expect(rangeOf(range)).toEqual({ from: "2025-03-01", to: "2025-03-31" });
    expect(rangeFilter("2025-03-01", "")?.op).toBe("ge");
    expect(rangeFilter("", "2025-03-31")?.op).toBe("le");
    expect(rangeFilter("", "")).toBeNull();
    expect(datePresetOf(range, new Date())).toBe("custom");
  });

  it("recognises its own presets", () => {
    const now = new Date(2026, 10, 22, 15, 30);
    const preset = (p: "7d" | "today") => [presetFilter(p, now)].filter((f) => f !== null);
    expect(datePresetOf([], now)).toBe("all");
    expect(datePresetOf(preset("7d"), now)).toBe("7d");
    expect(datePresetOf(preset("today"), now)).toBe("today");
  });

  it("the resolved choice is one filter on `resolved`, read back as the same choice", () => {
    for (const c of RESOLVED_CHOICES) {
      const f = resolvedFilter(c.id);
      expect(resolvedOf(f ? [f] : [])).toBe(c.id);
    }
    expect(resolvedFilter("hide_resolved")).toEqual({
      column: "resolved",
      op: "ne",
      values: ["true"],
    });
  });

  it("errors only toggles one filter and leaves the others", () => {
    const status: Filter = { column: "status", op: "in", values: ["failed"] };
    const on = toggleFilter([status], ERRORS_ONLY, true);
    expect(on).toEqual([status, ERRORS_ONLY]);
    expect(hasFilter(on, ERRORS_ONLY)).toBe(true);
    expect(toggleFilter(on, ERRORS_ONLY, false)).toEqual([status]);
  });

  it("a multi-select replaces only its own `in` filter", () => {
    const added: Filter = { column: "channel", op: "contains", values: ["Ama"] };
    const next = setInFilter([added], "channel", ["Amazon", "Flipkart"]);
    expect(next).toEqual([added, { column: "channel", op: "in", values: ["Amazon", "Flipkart"] }]);
    expect(setInFilter(next, "channel", [])).toEqual([added]);
  });

  it("add filter builds the AST its operator needs, or nothing while incomplete", () => {
    expect(buildFilter("quantity", "gt", "5", "")).toEqual({
      column: "quantity",
      op: "gt",
      values: ["5"],
    });
    expect(buildFilter("sku", "in", "A, B,,C ", "")?.values).toEqual(["A", "B", "C"]);
    expect(buildFilter("quantity", "between", "1", "")).toBeNull();
    expect(buildFilter("quantity", "between", "1", "9")?.values).toEqual(["1", "9"]);
    expect(buildFilter("error", "is_empty", "", "")).toEqual({
      column: "error",
      op: "is_empty",
      values: [],
    });
    expect(buildFilter("sku", "eq", "  ", "")).toBeNull();
  });
});

describe("a typed day", () => {
  it("is applied only once whole and plausible, never while its year is typed", () => {
    // What a date field reports keystroke by keystroke while 03/05/2025 is typed.
    for (const partial of ["0002-03-05", "0020-03-05", "0202-03-05", "1905-03-05"]) {
      expect(typedDay(partial)).toBeNull();
    }
    expect(typedDay("2025-03-05")).toBe("2025-03-05");
    expect(typedDay("2025-02-30")).toBeNull();
    expect(typedDay("2025-3-5")).toBeNull();
    expect(typedDay("")).toBe("");
  });
});
