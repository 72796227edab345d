import { describe, expect, it } from "vitest";
import { ancestorIds, containerIds, copyText, flatten, jsonPath, search, type Json } from "./tree";

const doc: Json = {
  sku: "A-1",
  items: [
    { qty: 2, note: null },
    { qty: 5, "odd key": true },
  ],
  nested: { deep: { sku: "B" } },
};

describe("JSON tree", () => {
  it("writes JSONPaths any tool reads", () => {
    expect(jsonPath([])).toBe("$");
    expect(jsonPath(["items", 1, "qty"])).toBe("$.items[1].qty");
    expect(jsonPath(["items", 1, "odd key"])).toBe('$.items[1]["odd key"]');
    expect(jsonPath(["9lives"])).toBe('$["9lives"]');
  });

  it("flattens open nodes only, with sizes and depths", () => {
    const all = flatten(doc, new Set());
    expect(all.map((r) => r.id)).toEqual([
      "$",
      "$.sku",
      "$.items",
      "$.items[0]",
      "$.items[0].qty",
      "$.items[0].note",
      "$.items[1]",
      "$.items[1].qty",
      '$.items[1]["odd key"]',
      "$.nested",
      "$.nested.deep",
      "$.nested.deep.sku",
    ]);
    expect(all.find((r) => r.id === "$.items")).toMatchObject({ size: 2, depth: 1, open: true });
    expect(all.find((r) => r.id === "$.sku")).toMatchObject({ size: null, name: "sku" });
    const closed = flatten(doc, new Set(["$.items", "$.nested.deep"]));
    expect(closed.map((r) => r.id)).toEqual(["$", "$.sku", "$.items", "$.nested", "$.nested.deep"]);
    expect(closed.find((r) => r.id === "$.items")?.open).toBe(false);
    expect(flatten(doc, new Set(containerIds(doc))).map((r) => r.id)).toEqual(["$"]);
  });

  it("finds keys and values, case-insensitively, in document order", () => {
    expect(search(doc, "SKU").map(jsonPath)).toEqual(["$.sku", "$.nested.deep.sku"]);
    expect(search(doc, "5").map(jsonPath)).toEqual(["$.items[1].qty"]);
    expect(search(doc, "null").map(jsonPath)).toEqual(["$.items[0].note"]);
    expect(search(doc, "  ")).toEqual([]);
    expect(ancestorIds(["nested", "deep", "sku"])).toEqual(["$", "$.nested", "$.nested.deep"]);
  });

  it("copies strings as they are and the rest as JSON", () => {
    expect(copyText("<b>x</b>")).toBe("<b>x</b>");
    expect(copyText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(copyText(null)).toBe("null");
  });
});
