import { describe, expect, it } from "vitest";
import { shownValue } from "./vocabulary";

describe("values as people read them", () => {
  it("names the source systems", () => {
    expect(shownValue("source", "konnect")).toBe("Konnect");
    expect(shownValue("source", "shiphero")).toBe("ShipHero");
    expect(shownValue("source", "pushlog")).toBe("Push log");
    expect(shownValue("source", "somewhere_else")).toBe("somewhere_else");
  });

  it("names import formats", () => {
    expect(shownValue("format", "ordoro_events")).toBe("Ordoro events");
    expect(shownValue("format", "xoro")).toBe("Xoro");
    expect(shownValue("format", "kits")).toBe("Kit definitions");
  });

  it("spells event type ids as words and leaves words alone", () => {
    expect(shownValue("event_type", "sync_change")).toBe("Sync change");
    expect(shownValue("event_type", "po_received")).toBe("PO received");
    expect(shownValue("event_type", "snapshot")).toBe("Snapshot");
    expect(shownValue("event_type", "Order Drop")).toBe("Order Drop");
  });

  it("keeps every other column's values as they are", () => {
    expect(shownValue("sku", "sync_change")).toBe("sync_change");
    expect(shownValue(undefined, "konnect")).toBe("konnect");
  });
});
