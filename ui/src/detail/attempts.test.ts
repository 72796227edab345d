import { describe, expect, it } from "vitest";
import type { Attempt } from "../bindings/Attempt";
import { attemptName, retryAccount } from "./attempts";

const attempt = (id: number | null, outcome = "failed"): Attempt => ({
  id,
  at: "2026-12-01T10:00:00Z",
  duration_ms: 10,
  method: "PUT",
  url: "http://127.0.0.1/x",
  http_status: 500,
  outcome,
  reason: null,
  user_name: id === null ? null : "ana",
});

describe("retryAccount", () => {
  it("splits the count into the source's retries and the re-runs listed here", () => {
    const listed = [attempt(null), attempt(7, "success")];
    expect(retryAccount(3, listed, "pushlog")).toBe(
      "Retry count 3: 2 retries by Push log before its log was imported (not listed: the log keeps only the last attempt, shown as the original) and 1 re-run here (listed).",
    );
    expect(retryAccount(1, listed, "konnect")).toBe("Retry count 1: 1 re-run here (listed).");
    expect(retryAccount(0, [attempt(null)], "konnect")).toBe(
      "Retry count 0: the original push is the only attempt.",
    );
    expect(retryAccount(null, listed, "konnect")).toBeNull();
  });
  it("does not count a re-run still waiting for its answer", () => {
    expect(retryAccount(1, [attempt(null), attempt(8, "sending")], "konnect")).toMatch(
      /^Retry count 1: 1 retry by Konnect/,
    );
  });
});

describe("attemptName", () => {
  it("names the original and each re-run by when and who", () => {
    expect(attemptName(attempt(null), () => "x")).toBe("the original push");
    expect(attemptName(attempt(7), () => "12/01 10:00")).toBe("the re-run of 12/01 10:00 by ana");
  });
});
