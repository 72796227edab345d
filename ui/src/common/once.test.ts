import { describe, expect, it, vi } from "vitest";
import { once } from "./once";

describe("once", () => {
  it("calls its function on first use only and shares the result", () => {
    const f = vi.fn(() => ({ n: 1 }));
    const g = once(f);
    expect(f).not.toHaveBeenCalled();
    const a = g();
    expect(g()).toBe(a);
    expect(f).toHaveBeenCalledTimes(1);
  });
});
