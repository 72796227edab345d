import { defaultKeymap } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { foldGutter, foldKeymap, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import {
  highlightSelectionMatches,
  search,
  searchKeymap,
  SearchQuery,
  setSearchQuery,
} from "@codemirror/search";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, keymap, lineNumbers } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import { findMatches } from "./find";

/** Colours from the app's palette, so light and dark both read. */
const palette = HighlightStyle.define([
  { tag: tags.propertyName, color: "var(--json-key)" },
  { tag: tags.string, color: "var(--json-string)" },
  { tag: tags.number, color: "var(--json-number)" },
  { tag: tags.bool, color: "var(--json-boolean)" },
  { tag: tags.null, color: "var(--json-null)" },
]);

const theme = EditorView.theme({
  "&": { backgroundColor: "var(--bg)", color: "var(--fg)", height: "100%" },
  ".cm-gutters": {
    backgroundColor: "var(--head)",
    color: "var(--muted)",
    borderColor: "var(--line)",
  },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "transparent" },
  ".cm-searchMatch": { backgroundColor: "var(--json-match)" },
  ".cm-searchMatch-selected": { backgroundColor: "var(--json-current)" },
  ".cm-selectionBackground": { backgroundColor: "var(--json-current)" },
  "&.cm-focused .cm-selectionBackground": { backgroundColor: "var(--selected)" },
  ".cm-content": { caretColor: "var(--fg)" },
});

export interface RawJsonHandle {
  /** Selects the next (or previous) match after the selection; where it is and how many. */
  find: (query: string, backwards: boolean) => { index: number; count: number; capped: boolean };
}

interface Props {
  text: string;
}

/** Read-only CodeMirror 6: folding, search, line numbers; copes with tens of megabytes. */
export const RawJson = forwardRef<RawJsonHandle, Props>(function RawJson({ text }, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const lastQuery = useRef("");
  const matches = useRef<{ query: string; starts: number[]; capped: boolean } | null>(null);

  useEffect(() => {
    if (!host.current) return;
    // Inside a shadow root CodeMirror styles itself with a constructed stylesheet; on the
    // document it would add <style> elements, which the app's CSP (style-src 'self') blocks.
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: "open" });
    const parent = document.createElement("div");
    parent.style.height = "100%";
    shadow.replaceChildren(parent);
    const editor = new EditorView({
      parent,
      root: shadow,
      state: EditorState.create({
        doc: text,
        extensions: [
          EditorState.readOnly.of(true),
          lineNumbers(),
          // The match the toolbar's search moved to stays visible while the search box has
          // the focus.
          drawSelection(),
          foldGutter(),
          json(),
          syntaxHighlighting(palette),
          search({ top: true }),
          highlightSelectionMatches(),
          keymap.of([...searchKeymap, ...foldKeymap, ...defaultKeymap]),
          theme,
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      parent.remove();
      view.current = null;
    };
  }, [text]);

  useImperativeHandle(ref, () => ({
    find(query, backwards) {
      const editor = view.current;
      const none = { index: -1, count: 0, capped: false };
      if (!editor || !query) return none;
      // CodeMirror's own cursor walks the document a character at a time (seconds on 20 MB);
      // the engine's regex finds every match of a large text in milliseconds.
      if (matches.current?.query !== query)
        matches.current = { query, ...findMatches(text, query) };
      if (query !== lastQuery.current) {
        lastQuery.current = query;
        // Highlights the matches on screen; CodeMirror only looks at the visible lines.
        editor.dispatch({
          effects: setSearchQuery.of(new SearchQuery({ search: query, caseSensitive: false })),
        });
      }
      const { starts, capped } = matches.current;
      if (starts.length === 0) return none;
      const { from, to } = editor.state.selection.main;
      let index = -1;
      if (backwards) {
        for (let i = starts.length - 1; i >= 0 && index === -1; i--) {
          if ((starts[i] ?? 0) < from) index = i;
        }
      } else {
        index = starts.findIndex((s) => s > from || (s === from && to === from));
      }
      if (index === -1) index = backwards ? starts.length - 1 : 0;
      const at = starts[index] ?? 0;
      editor.dispatch({
        selection: { anchor: at, head: at + query.length },
        effects: EditorView.scrollIntoView(at, { y: "center" }),
      });
      return { index, count: starts.length, capped };
    },
  }));

  return <div className="json-raw" ref={host} />;
});

export default RawJson;
