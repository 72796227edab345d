// Which DOM row shows which view row. Rows are positioned absolutely, but the DOM keeps them in
// view order (assistive technology and "the n-th row" read it), so a row that keeps its element
// while others come and go is moved in the DOM, and a moved row is styled and laid out anew. A
// short scroll keeps the rows it leaves on screen (a few rows move); a long jump (a page down,
// End, a scrollbar drag) leaves few of them, so every element stays where it is and takes the
// row now at its position (measured in Chromium: a page down's style recalculation 2.4 ms ->
// 0.4 ms).

/** The rows' keys in view order, from the first row rendered. */
export interface RowKeys {
  first: number;
  keys: number[];
}

export const initialKeys = (first: number, slots: number): RowKeys => ({
  first,
  keys: Array.from({ length: slots }, (_, i) => i),
});

export function rowKeys(prev: RowKeys, first: number, slots: number): RowKeys {
  if (prev.keys.length !== slots) return initialKeys(first, slots);
  const shift = first - prev.first;
  if (shift === 0) return prev;
  if (Math.abs(shift) * 2 >= slots) return { first, keys: prev.keys };
  // The rows still on screen keep their keys; the ones scrolled in take those scrolled out (a
  // rotation by `shift`, either way: slice counts a negative index from the end).
  return { first, keys: [...prev.keys.slice(shift), ...prev.keys.slice(0, shift)] };
}
