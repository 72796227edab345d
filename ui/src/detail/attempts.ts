// What an entry's attempts list says beside its retry count: the count covers the source's
// own retries (before its log was exported, not listed: a log keeps the last attempt's
// request and response only) and the re-runs made here (each listed). Pure, so it is tested.
import type { Attempt } from "../bindings/Attempt";
import { shownValue } from "../common/vocabulary";

/** Re-runs that count as retries: all but one still waiting for its answer. */
export function reruns(attempts: Attempt[]): Attempt[] {
  return attempts.filter((a) => a.id !== null && a.outcome !== "sending");
}

/** How the retry count and the attempts listed relate, in words; null when there is no count. */
export function retryAccount(
  retryCount: number | null,
  attempts: Attempt[],
  source: string,
): string | null {
  if (retryCount === null) return null;
  const here = reruns(attempts).length;
  const bySource = Math.max(0, retryCount - here);
  const times = (n: number) => (n === 1 ? "1 retry" : `${n.toLocaleString()} retries`);
  const name = shownValue("source", source);
  const parts: string[] = [];
  if (bySource > 0) {
    parts.push(
      `${times(bySource)} by ${name} before its log was imported (not listed: the log keeps only the last attempt, shown as the original)`,
    );
  }
  if (here > 0) parts.push(`${here === 1 ? "1 re-run" : `${here} re-runs`} here (listed)`);
  if (parts.length === 0) return "Retry count 0: the original push is the only attempt.";
  return `Retry count ${retryCount.toLocaleString()}: ${parts.join(" and ")}.`;
}

/** An attempt's name in the list and in the panels it opens. */
export function attemptName(a: Attempt, when: (at: string) => string): string {
  if (a.id === null) return "the original push";
  return `the re-run of ${a.at ? when(a.at) : "?"}${a.user_name ? ` by ${a.user_name}` : ""}`;
}
