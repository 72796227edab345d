import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../bindings/HistoryEvent";
import { historyLine, shownValue } from "./EntryHistory";

function event(over: Partial<HistoryEvent>): HistoryEvent {
  return {
    kind: "imported",
    at: "2026-12-01T10:00:00Z",
    import_id: 4,
    file_name: "week-48.csv",
    changes: [],
    ...over,
  };
}

describe("entry history", () => {
  it("says which import did what", () => {
    expect(historyLine(event({}))).toBe("Imported from week-48.csv");
    expect(historyLine(event({ kind: "seen_again" }))).toBe("Also in week-48.csv, unchanged");
    expect(historyLine(event({ kind: "updated" }))).toBe("Updated by week-48.csv");
    expect(historyLine(event({ kind: "import_removed", file_name: null }))).toBe(
      "import #4 was removed; the entry stayed (another import brought it too)",
    );
  });

  it("shows changed values as the drawer shows values", () => {
    expect(shownValue(null)).toBe("—");
    expect(shownValue("success")).toBe("success");
    expect(shownValue(2)).toBe("2");
    // An instant in local time, like the fields above it; not the stored UTC text.
    expect(shownValue("2025-03-18T12:00:00Z")).not.toContain("T12:00:00Z");
  });
});
