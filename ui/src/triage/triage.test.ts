import { describe, expect, it } from "vitest";
import type { StockCheckRow } from "../bindings/StockCheckRow";
import {
  differenceText,
  nextSort,
  pairFilters,
  pairState,
  shareText,
  touchText,
  trendBars,
  withGroup,
  withPair,
} from "./triage";

const row = (over: Partial<StockCheckRow>): StockCheckRow => ({
  sku: "SKU-1",
  channel: "Amazon",
  account: "Amazon-Mumbai",
  location_code: "WH01",
  last_sent: 40,
  last_sent_at: 1,
  last_success_id: 1,
  buffer_stock: 5,
  last_push_at: 3,
  last_push_status: "failed",
  failures_since: 2,
  last_failure_at: 3,
  last_failure_signature: "HTTP 429",
  stale: true,
  records: [],
  expected: null,
  difference: null,
  mismatch: false,
  ...over,
});

describe("triage", () => {
  it("a group's filters replace the view's on the same columns and keep the rest", () => {
    const view = [
      { column: "occurred_at", op: "ge" as const, values: ["2025-03-01"] },
      { column: "error_signature", op: "eq" as const, values: ["old"] },
    ];
    const group = [{ column: "error_signature", op: "eq" as const, values: ["HTTP 404"] }];
    expect(withGroup(view, group)).toEqual([view[0], group[0]]);
  });

  it("a pair opens its SKU, channel, account and location, keeping the date range", () => {
    const date = { column: "occurred_at", op: "ge" as const, values: ["2025-03-01"] };
    const status = { column: "status", op: "eq" as const, values: ["failed"] };
    const f = withPair([date, status], row({ location_code: null }));
    expect(f).toEqual([
      date,
      { column: "sku", op: "eq", values: ["SKU-1"] },
      { column: "channel", op: "eq", values: ["Amazon"] },
      { column: "account", op: "eq", values: ["Amazon-Mumbai"] },
    ]);
    expect(pairFilters(row({})).map((x) => x.column)).toContain("location_code");
  });

  it("words", () => {
    expect(shareText(1)).toBe("100%");
    expect(shareText(0.0004)).toBe("<0.1%");
    expect(shareText(0.05)).toBe("5.0%");
    expect(shareText(0.42)).toBe("42%");
    expect(touchText({ skus: 1, accounts: 2, locations: 0 })).toBe("1 SKU · 2 accounts");
    expect(pairState(row({}))).toBe("Stale: 2 failed pushes since");
    expect(pairState(row({ last_sent: null, failures_since: 1 }))).toBe(
      "Never received: 1 failed push",
    );
    expect(pairState(row({ stale: false, failures_since: 0, last_push_status: "success" }))).toBe(
      "Up to date",
    );
    expect(differenceText(-5)).toBe("−5");
    expect(differenceText(3)).toBe("+3");
    expect(differenceText(0)).toBe("0");
    expect(differenceText(null)).toBe("");
  });

  it("trend bars scale to the highest point", () => {
    expect(trendBars([0, 2, 4])).toEqual([0, 0.5, 1]);
    expect(trendBars([0, 0])).toEqual([0, 0]);
  });

  it("sorting cycles ascending, descending, none", () => {
    expect(nextSort([], "sku")).toEqual([{ column: "sku", desc: false }]);
    expect(nextSort([{ column: "sku", desc: false }], "sku")).toEqual([
      { column: "sku", desc: true },
    ]);
    expect(nextSort([{ column: "sku", desc: true }], "sku")).toEqual([]);
    expect(nextSort([{ column: "sku", desc: true }], "channel")).toEqual([
      { column: "channel", desc: false },
    ]);
  });
});
