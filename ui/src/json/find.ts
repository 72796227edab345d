import { MAX_COUNTED } from "./tree";

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Where `query` occurs in `text`, case-insensitively, as offsets into `text` itself (a
 * lower-cased copy could shift them), at most MAX_COUNTED of them.
 */
export function findMatches(text: string, query: string): { starts: number[]; capped: boolean } {
  const starts: number[] = [];
  if (!query) return { starts, capped: false };
  const re = new RegExp(escapeRegExp(query), "gi");
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (starts.length === MAX_COUNTED) return { starts, capped: true };
    starts.push(m.index);
    if (m[0].length === 0) re.lastIndex++;
  }
  return { starts, capped: false };
}
