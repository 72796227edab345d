import { describe, expect, it } from "vitest";
import type { Column } from "../bindings/Column";
import { columnMatches, matchedSourceName, sourceNames } from "./columnNames";

const eventId: Column = {
  id: "event_id",
  label: "Event ID",
  description: "The source's reference of the event.",
  kind: "text",
  default_visible: false,
  facet: false,
  facet_place: 0,
  searchable: true,
  ops: [],
  kit_only: false,
  aliases: [
    { source: "xoro", label: "Order Ref#" },
    { source: "shiphero", label: "id" },
  ],
};

describe("column names", () => {
  it("finds a column by its label, its id or a source's own name", () => {
    expect(columnMatches(eventId, "event")).toBe(true);
    expect(columnMatches(eventId, "event_id")).toBe(true);
    expect(columnMatches(eventId, " order ref")).toBe(true);
    expect(columnMatches(eventId, "quantity")).toBe(false);
    expect(columnMatches(eventId, "")).toBe(true);
  });
  it("lists the sources' names with the sources as named for people", () => {
    expect(sourceNames(eventId)).toBe("Xoro: Order Ref#, ShipHero: id");
    expect(sourceNames({ ...eventId, aliases: [] })).toBe("");
  });
  it("names the source's label a search found the column by", () => {
    expect(matchedSourceName(eventId, "ref#")).toBe("Xoro: Order Ref#");
    expect(matchedSourceName(eventId, "event")).toBeUndefined();
    expect(matchedSourceName(eventId, "")).toBeUndefined();
  });
});
