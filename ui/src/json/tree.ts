// The JSON tree view's model: a parsed document flattened into the rows currently expanded,
// so the view can be virtualized whatever the document's size.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type PathPart = string | number;

export interface TreeRow {
  /** Stable id of the node: its JSON path. */
  id: string;
  path: PathPart[];
  /** Object key or array index; null for the root. */
  name: PathPart | null;
  depth: number;
  value: Json;
  /** Child count of an object or array; null for a scalar. */
  size: number | null;
  open: boolean;
}

/** Raw-view matches counted at most: counting a 50 MB document to the end would stall it. */
export const MAX_COUNTED = 1000;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `$.items[0].sku`, `$["odd key"]`: a JSONPath any tool understands. */
export function jsonPath(path: PathPart[]): string {
  return (
    "$" +
    path
      .map((p) =>
        typeof p === "number" ? `[${p}]` : IDENTIFIER.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`,
      )
      .join("")
  );
}

function children(value: Json): [PathPart, Json][] {
  if (Array.isArray(value)) return value.map((v, i) => [i, v]);
  if (value !== null && typeof value === "object") return Object.entries(value);
  return [];
}

export function isContainer(value: Json): value is Json[] | { [key: string]: Json } {
  return value !== null && typeof value === "object";
}

/** The rows to show: every node whose ancestors are all open. `closed` holds node ids. */
export function flatten(root: Json, closed: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const visit = (value: Json, path: PathPart[], name: PathPart | null) => {
    const id = jsonPath(path);
    const kids = isContainer(value) ? children(value) : null;
    const open = kids !== null && !closed.has(id);
    rows.push({ id, path, name, depth: path.length, value, size: kids?.length ?? null, open });
    if (open) for (const [k, v] of kids) visit(v, [...path, k], k);
  };
  visit(root, [], null);
  return rows;
}

/** Ids of every container node: "collapse all" closes them all. */
export function containerIds(root: Json): string[] {
  const ids: string[] = [];
  const visit = (value: Json, path: PathPart[]) => {
    if (!isContainer(value)) return;
    ids.push(jsonPath(path));
    for (const [k, v] of children(value)) visit(v, [...path, k]);
  };
  visit(root, []);
  return ids;
}

/** How a scalar reads in the tree (strings quoted as JSON writes them). */
export function scalarText(value: Json): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Nodes whose key or scalar value contains `query` (case-insensitive), in document order. */
export function search(root: Json, query: string): PathPart[][] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: PathPart[][] = [];
  const visit = (value: Json, path: PathPart[], name: PathPart | null) => {
    const keyHit = typeof name === "string" && name.toLowerCase().includes(q);
    const valueHit = !isContainer(value) && String(value).toLowerCase().includes(q);
    if (keyHit || valueHit) hits.push(path);
    for (const [k, v] of children(value)) visit(v, [...path, k], k);
  };
  visit(root, [], null);
  return hits;
}

/** Ids of a node's ancestors, root first: opening them shows the node. */
export function ancestorIds(path: PathPart[]): string[] {
  return path.map((_, i) => jsonPath(path.slice(0, i)));
}

/** The text "copy value" puts on the clipboard: a string as is, anything else as JSON. */
export function copyText(value: Json): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}
