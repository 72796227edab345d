import { lazy, Suspense, useMemo, useRef, useState } from "react";
import type { RawJsonHandle } from "./RawJson";
import { JsonTree } from "./JsonTree";
import { useClipboard } from "./clipboard";
import {
  ancestorIds,
  containerIds,
  copyText,
  flatten,
  jsonPath,
  MAX_COUNTED,
  search,
  type Json,
  type TreeRow,
} from "./tree";

// CodeMirror is only loaded when a payload is first shown raw.
const RawJson = lazy(() => import("./RawJson"));

/** Bodies above this open in raw view: a tree of millions of nodes helps nobody. */
export const TREE_LIMIT_BYTES = 1024 * 1024;

interface Props {
  /** The body as the core pretty-printed it. */
  text: string;
  isJson: boolean;
  label: string;
}

function parse(text: string): { root: Json } | null {
  try {
    return { root: JSON.parse(text) as Json };
  } catch {
    return null;
  }
}

/** A payload body: a searchable tree (collapse, expand, copy value or path) or raw text. */
export function JsonViewer({ text, isJson, label }: Props) {
  const treeable = isJson && text.length <= TREE_LIMIT_BYTES;
  const [mode, setMode] = useState<"tree" | "raw">(treeable ? "tree" : "raw");
  const parsed = useMemo(() => (treeable ? parse(text) : null), [treeable, text]);
  const showTree = mode === "tree" && parsed !== null;
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  const [picked, setSelected] = useState<TreeRow | null>(null);
  const [query, setQuery] = useState("");
  const [matchIndex, setMatchIndex] = useState(0);
  const [rawFound, setRawFound] = useState<{
    index: number;
    count: number;
    capped: boolean;
  } | null>(null);
  const raw = useRef<RawJsonHandle>(null);
  const { copy, status } = useClipboard();

  const rows = useMemo(() => (parsed ? flatten(parsed.root, closed) : []), [parsed, closed]);
  // The root until a node is chosen: "copy value" then copies the whole body.
  const selected = picked ?? rows[0] ?? null;
  const matches = useMemo(
    () => (showTree && parsed ? search(parsed.root, query) : []),
    [showTree, parsed, query],
  );
  const matchIds = useMemo(() => new Set(matches.map(jsonPath)), [matches]);
  const currentPath = matches[matchIndex];
  const current = currentPath ? jsonPath(currentPath) : null;

  const goTo = (step: number) => {
    if (!showTree) {
      setRawFound(raw.current?.find(query, step < 0) ?? null);
      return;
    }
    if (matches.length === 0) return;
    const next = (matchIndex + step + matches.length) % matches.length;
    const path = matches[next];
    if (!path) return;
    setMatchIndex(next);
    const open = ancestorIds(path);
    setClosed((c) => new Set([...c].filter((id) => !open.includes(id))));
    const row = flatten(parsed?.root ?? null, new Set()).find((r) => r.id === jsonPath(path));
    if (row) setSelected(row);
  };

  const toggle = (row: TreeRow) =>
    setClosed((c) => {
      const next = new Set(c);
      if (next.has(row.id)) next.delete(row.id);
      else next.add(row.id);
      return next;
    });

  const matchText = showTree
    ? query.trim()
      ? matches.length === 0
        ? "No matches"
        : `${matchIndex + 1} of ${matches.length}`
      : ""
    : rawFound === null
      ? ""
      : rawFound.count === 0
        ? "No matches"
        : `${rawFound.index + 1} of ${rawFound.capped ? `${MAX_COUNTED}+` : rawFound.count}`;

  if (!isJson) {
    return (
      <div className="json-viewer">
        <div className="json-toolbar">
          <span className="muted">{label}: text</span>
          <span className="spacer" />
          <button type="button" onClick={() => copy(text, "body")}>
            Copy all
          </button>
        </div>
        <pre className="json-text">{text}</pre>
        <p className="copy-status" role="status">
          {status}
        </p>
      </div>
    );
  }

  return (
    <div className="json-viewer">
      <div className="json-toolbar" role="toolbar" aria-label={`${label} viewer`}>
        <div className="segmented" role="group" aria-label="View as">
          <button
            type="button"
            aria-pressed={showTree}
            disabled={parsed === null}
            title={treeable ? "Tree view" : "Over 1 MB: raw view only"}
            onClick={() => setMode("tree")}
          >
            Tree
          </button>
          <button type="button" aria-pressed={!showTree} onClick={() => setMode("raw")}>
            Raw
          </button>
        </div>
        <input
          type="search"
          className="json-search"
          placeholder={`Search ${label.toLowerCase()}`}
          aria-label={`Search ${label.toLowerCase()}`}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setMatchIndex(0);
            setRawFound(null);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              goTo(e.shiftKey ? -1 : 1);
            }
          }}
        />
        <button type="button" aria-label="Previous match" onClick={() => goTo(-1)}>
          ↑
        </button>
        <button type="button" aria-label="Next match" onClick={() => goTo(1)}>
          ↓
        </button>
        <span className="match-count" aria-live="polite">
          {matchText}
        </span>
        <span className="spacer" />
        {showTree && parsed && (
          <>
            <button type="button" onClick={() => setClosed(new Set())}>
              Expand all
            </button>
            <button type="button" onClick={() => setClosed(new Set(containerIds(parsed.root)))}>
              Collapse all
            </button>
            <button
              type="button"
              disabled={!selected}
              onClick={() => selected && copy(copyText(selected.value), "value")}
            >
              Copy value
            </button>
            <button
              type="button"
              disabled={!selected}
              onClick={() => selected && copy(jsonPath(selected.path), "path")}
            >
              Copy path
            </button>
          </>
        )}
        <button type="button" onClick={() => copy(text, "all")}>
          Copy all
        </button>
      </div>
      {showTree ? (
        <JsonTree
          rows={rows}
          query={query}
          current={current}
          matchIds={matchIds}
          selected={selected?.id ?? null}
          onSelect={setSelected}
          onToggle={toggle}
        />
      ) : (
        <Suspense fallback={<p className="muted">Loading viewer…</p>}>
          <RawJson text={text} ref={raw} />
        </Suspense>
      )}
      <p className="copy-status" role="status">
        {selected && showTree ? `Selected ${jsonPath(selected.path)}. ` : ""}
        {status}
      </p>
    </div>
  );
}
