import { describe, expect, it } from "vitest";
import type { Column } from "../bindings/Column";
import type { Filter } from "../bindings/Filter";
import { whatHides } from "./noMatches";

const columns = [
  { id: "status", label: "Status", kind: "text" },
  { id: "sku", label: "SKU", kind: "text" },
] as unknown as Column[];
const failed: Filter = { column: "status", op: "eq", values: ["failed"] };
const sku: Filter = { column: "sku", op: "eq", values: ["SKU-1"] };

describe("what hides the rows of an empty table", () => {
  it("names the search in force and only the filters beyond the view's own", () => {
    expect(whatHides("  blue shirt ", [failed, sku], [failed], columns)).toEqual({
      search: "blue shirt",
      filters: ["SKU is SKU-1"],
      baseChanged: false,
    });
  });

  it("says when the view's own filter was taken away, and nothing when all is the view's", () => {
    expect(whatHides("", [sku], [failed], columns)).toEqual({
      search: null,
      filters: ["SKU is SKU-1"],
      baseChanged: true,
    });
    expect(whatHides("", [failed], [failed], columns)).toEqual({
      search: null,
      filters: [],
      baseChanged: false,
    });
  });
});
