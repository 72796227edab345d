// Column widths that use the table's room: the free width at the right goes to the text
// columns, and a double-clicked edge fits what its cells show.
import type { ColumnKind } from "../bindings/ColumnKind";
import { clampWidth } from "../view/reorder";

/** Kinds whose values run long: they take the room left over. */
const GROWS: ColumnKind[] = ["text", "json"];

/** `sizes` widened to fill `available`, the slack shared by the text columns in proportion
 * to their widths (by the last column when there is none). Never narrower than asked; a
 * column the user sized (`fixed`) keeps its width, or dragging it narrower would not work. */
export function fillWidths(
  sizes: number[],
  kinds: ColumnKind[],
  fixed: boolean[],
  available: number,
): number[] {
  const used = sizes.reduce((a, b) => a + b, 0);
  const slack = Math.floor(available - used);
  if (slack <= 0 || sizes.length === 0) return sizes;
  let growing = sizes.map((_, i) => !fixed[i] && GROWS.includes(kinds[i] ?? "text"));
  if (!growing.some(Boolean)) {
    const last = fixed.lastIndexOf(false);
    if (last < 0) return sizes;
    growing = sizes.map((_, i) => i === last);
  }
  const share = sizes.reduce((a, s, i) => a + (growing[i] ? s : 0), 0);
  const out = sizes.map((s, i) => (growing[i] ? s + Math.floor((slack * s) / share) : s));
  // What rounding left over goes to the last growing column, so the row ends at the edge.
  const rest = available - out.reduce((a, b) => a + b, 0);
  const lastGrowing = growing.lastIndexOf(true);
  out[lastGrowing] = (out[lastGrowing] ?? 0) + Math.max(0, Math.floor(rest));
  return out;
}

/** Cell padding plus room for the resize edge. */
const CELL_PADDING = 22;

/** The width that shows the widest of `contents` (their measured widths) in full. */
export function fitWidth(contents: number[]): number {
  return clampWidth(Math.ceil(Math.max(0, ...contents)) + CELL_PADDING);
}
