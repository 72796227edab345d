/** `ids` with `moved` placed just before `target` (drag a header onto another). */
export function moveBefore(ids: string[], moved: string, target: string): string[] {
  if (moved === target || !ids.includes(moved) || !ids.includes(target)) return ids;
  const rest = ids.filter((id) => id !== moved);
  rest.splice(rest.indexOf(target), 0, moved);
  return rest;
}

export const MIN_WIDTH = 48;

/** A width dragged to `width`, kept sensible. */
export function clampWidth(width: number): number {
  return Math.min(800, Math.max(MIN_WIDTH, Math.round(width)));
}
