// The ARIA tabs pattern's keys: arrows move to the neighbouring tab (wrapping round), Home and
// End to the first and last. Pure, so it is tested without a browser.

/** The tab a key moves to from tab `at` of `count`, or null for a key the tabs do not take. */
export function tabAfterKey(key: string, at: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case "ArrowRight":
      return (at + 1) % count;
    case "ArrowLeft":
      return (at - 1 + count) % count;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}
