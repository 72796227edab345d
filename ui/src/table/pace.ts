// How fast the visible rows move, for reading rows ahead of them (pages.ts: readAhead).

/** The rows' recent moves: where a window of them started, and where they are now. */
export interface Pace {
  since: number;
  from: number;
  at: number;
  row: number;
  /** Negative: upwards. */
  rowsPerSecond: number;
}

/** Moves further back than this say nothing of the pace now. */
const WINDOW_MS = 500;

/** A move of more rows than this is a jump (End, a dropped scrollbar thumb, a click far
 * away), not a pace: reading ahead of it would fetch pages nobody scrolls to. */
const MOST_STEP = 200;

/** The pace after the first visible row is at `row` at time `now` (ms). */
export function paced(pace: Pace | null, row: number, now: number): Pace {
  if (pace === null || Math.abs(row - pace.row) > MOST_STEP || now - pace.at > WINDOW_MS) {
    return { since: now, from: row, at: now, row, rowsPerSecond: 0 };
  }
  if (row === pace.row) return pace;
  // The window slides: once it is full, it starts again from the last move.
  const [since, from] =
    now - pace.since > WINDOW_MS ? [pace.at, pace.row] : [pace.since, pace.from];
  const rowsPerSecond = now > since ? ((row - from) * 1000) / (now - since) : pace.rowsPerSecond;
  return { since, from, at: now, row, rowsPerSecond };
}
