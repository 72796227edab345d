import { describe, expect, it } from "vitest";
import { formatCell } from "./format";

describe("formatCell", () => {
  it("shows times in local time and keeps UTC for the tooltip", () => {
    const c = formatCell("time", "2025-03-06T17:23:06Z");
    expect(c.title).toBe("2025-03-06T17:23:06Z (UTC)");
    expect(c.text).toMatch(/2025/);
    expect(c.text).not.toContain("Z");
  });

  it("leaves empty cells empty and never prints null", () => {
    expect(formatCell("text", null).text).toBe("");
    expect(formatCell("integer", null).text).toBe("");
  });

  it("keeps hostile text as text", () => {
    const c = formatCell("text", "<img src=x onerror=alert(1)>");
    expect(c.text).toBe("<img src=x onerror=alert(1)>");
  });

  it("condenses long JSON but keeps all of it on hover", () => {
    const long = { body: "x".repeat(300) };
    const c = formatCell("json", long);
    expect(c.text.length).toBe(120);
    expect(c.title).toBe(JSON.stringify(long));
  });

  it("reads booleans as Yes/No", () => {
    expect(formatCell("bool", true).text).toBe("Yes");
    expect(formatCell("bool", false).text).toBe("No");
  });
});
