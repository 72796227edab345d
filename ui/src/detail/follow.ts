// The open details follow the keyboard's selection. Each entry shown is a request and a
// drawer drawn anew (~10 ms of main-thread work per key in Chromium): for every row a held
// key passes that work is thrown away a frame later and takes the frame from the table. So a
// move after a quiet spell shows at once, and moves in quick succession show only the entry
// where they stop.

/** Moves closer together than this are one run of a held key (auto-repeat is ~30 a second). */
export const SETTLE_MS = 150;

export interface Follower {
  /** The selection moved onto this entry. */
  moved(id: number): void;
  /** Forget a move not shown yet (the details were closed, or a row was opened directly). */
  cancel(): void;
}

export function createFollower(
  show: (id: number) => void,
  /** Told true while a move waits to be shown, false once it is (or is cancelled). */
  waiting: (behind: boolean) => void = () => {},
  settleMs = SETTLE_MS,
  now: () => number = () => performance.now(),
): Follower {
  let lastMove = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    waiting(false);
  };
  return {
    moved(id) {
      const at = now();
      const quiet = at - lastMove >= settleMs;
      lastMove = at;
      if (quiet) {
        stop();
        show(id);
        return;
      }
      if (timer === undefined) waiting(true);
      else clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        waiting(false);
        show(id);
      }, settleMs);
    },
    cancel: stop,
  };
}
