import { describe, expect, it } from "vitest";
import { ariaSort, clickSort } from "./sorting";

describe("clickSort", () => {
  it("sorts by a clicked column alone, A→Z, and reverses on the next click", () => {
    const once = clickSort([], "sku", "text", false);
    expect(once).toEqual([{ column: "sku", desc: false }]);
    expect(clickSort(once, "sku", "text", false)).toEqual([{ column: "sku", desc: true }]);
  });

  it("starts time columns newest first, and the default order reverses to oldest first", () => {
    expect(clickSort([], "last_retry_at", "time", false)).toEqual([
      { column: "last_retry_at", desc: true },
    ]);
    expect(clickSort([], "occurred_at", "time", false)).toEqual([
      { column: "occurred_at", desc: false },
    ]);
  });

  it("adds a second key on shift-click and reverses only that key after", () => {
    const two = clickSort([{ column: "status", desc: false }], "inventory_sent", "integer", true);
    expect(two).toEqual([
      { column: "status", desc: false },
      { column: "inventory_sent", desc: false },
    ]);
    expect(clickSort(two, "inventory_sent", "integer", true)).toEqual([
      { column: "status", desc: false },
      { column: "inventory_sent", desc: true },
    ]);
  });

  it("a plain click on one of several keys makes it the only key", () => {
    const two = [
      { column: "status", desc: false },
      { column: "sku", desc: true },
    ];
    expect(clickSort(two, "sku", "text", false)).toEqual([{ column: "sku", desc: false }]);
  });
});

describe("ariaSort", () => {
  it("names the primary key's direction, the default order included", () => {
    expect(ariaSort([], "occurred_at")).toBe("descending");
    expect(ariaSort([{ column: "sku", desc: false }], "sku")).toBe("ascending");
    expect(ariaSort([{ column: "sku", desc: false }], "occurred_at")).toBe("none");
  });
});
