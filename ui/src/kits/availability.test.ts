import { describe, expect, it } from "vitest";
import type { KitSummary } from "../bindings/KitSummary";
import { availabilitySteps } from "./availability";

const summary = (extra: Partial<KitSummary>): KitSummary => ({
  kit: { kit_sku: "K", components: [] },
  availability: [
    { at: "2025-03-05T00:00:00Z", available: 4 },
    { at: "2025-03-10T00:00:00Z", available: 2 },
  ],
  components_without_entries: [],
  first_at: "2025-03-01T00:00:00Z",
  last_at: "2025-03-20T00:00:00Z",
  ...extra,
});

const s = (iso: string) => Date.parse(iso) / 1000;

describe("availabilitySteps", () => {
  it("spans the kit log: unknown until the components report, the last level held to the end", () => {
    const steps = availabilitySteps(summary({}));
    expect(steps.from).toBe(s("2025-03-01T00:00:00Z"));
    expect(steps.to).toBe(s("2025-03-20T00:00:00Z"));
    expect(steps.x).toEqual([
      s("2025-03-01T00:00:00Z"),
      s("2025-03-05T00:00:00Z"),
      s("2025-03-10T00:00:00Z"),
      s("2025-03-20T00:00:00Z"),
    ]);
    expect(steps.y).toEqual([null, 4, 2, 2]);
  });
  it("adds nothing when availability already covers the log", () => {
    const steps = availabilitySteps(
      summary({ first_at: "2025-03-05T00:00:00Z", last_at: "2025-03-10T00:00:00Z" }),
    );
    expect(steps.y).toEqual([4, 2]);
  });
});
