import { describe, expect, it } from "vitest";
import { findMatches } from "./find";
import { MAX_COUNTED } from "./tree";

describe("raw view search", () => {
  it("finds case-insensitive matches at their offsets in the original text", () => {
    expect(findMatches('{"Sku": "a-sku", "x": "SKU"}', "sku")).toEqual({
      starts: [2, 11, 23],
      capped: false,
    });
    // Characters that change length when lower-cased do not shift the offsets.
    expect(findMatches("İstanbul sku", "SKU").starts).toEqual([9]);
  });

  it("takes the query literally and stops counting at the cap", () => {
    expect(findMatches("a.b a+b (a) a.b", "a.b").starts).toEqual([0, 12]);
    expect(findMatches("x", "").starts).toEqual([]);
    const many = findMatches("ab".repeat(MAX_COUNTED + 5), "a");
    expect(many.starts).toHaveLength(MAX_COUNTED);
    expect(many.capped).toBe(true);
  });
});
