import { describe, expect, it } from "vitest";
import type { StockEvent } from "../bindings/StockEvent";
import { stockSeries } from "./stock";

const ev = (at: number, over: Partial<StockEvent>): StockEvent => ({
  id: at,
  at,
  source: "ordoro",
  event_type: null,
  status: null,
  channel: null,
  available_on_hand: null,
  physical_on_hand: null,
  inventory_sent: null,
  quantity: null,
  ...over,
});

describe("stockSeries", () => {
  it("puts markers by event type on the line and failed pushes apart", () => {
    const s = stockSeries([
      ev(1000, { event_type: "on_hand", available_on_hand: 10, physical_on_hand: 12 }),
      ev(2000, { event_type: "order", available_on_hand: 8, physical_on_hand: 12 }),
      ev(3000, { source: "konnect", status: "failed", inventory_sent: 7 }),
      ev(4000, { source: "konnect", status: "success" }),
    ]);
    expect(s.eventTypes).toEqual(["on_hand", "order", "push"]);
    const [x, available, physical, onHand, order, push, failed] = s.data;
    expect(x).toEqual([1, 2, 3, 4]);
    expect(available).toEqual([10, 8, null, null]);
    expect(physical).toEqual([12, 12, null, null]);
    expect(onHand).toEqual([10, null, null, null]);
    expect(order).toEqual([null, 8, null, null]);
    // The failed push sits at what it pushed; the next push at the last on-hand known.
    expect(push).toEqual([null, null, null, 8]);
    expect(failed).toEqual([null, null, 7, null]);
    expect(s.hasOnHand).toBe(true);
  });
});
