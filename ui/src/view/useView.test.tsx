// @vitest-environment happy-dom
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Column } from "../bindings/Column";
import { TransportProvider } from "../transport/context";
import type { Transport } from "../transport/transport";
import { PAGE_SIZE } from "../table/pages";
import { HEDGE_MS } from "./firstRows";
import { useView } from "./useView";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const sku: Column = {
  aliases: [],
  id: "sku",
  label: "SKU",
  description: "",
  kind: "text",
  default_visible: true,
  facet: false,
  facet_place: 0,
  searchable: true,
  ops: ["eq"],
  kit_only: false,
};

const page = (rows: number, total: number | null) => ({
  total,
  columns: ["sku"],
  rows: Array.from({ length: rows }, (_, i) => [`SKU-${i}`]),
  ids: Array.from({ length: rows }, (_, i) => i + 1),
  next_cursor: null,
});

const wait = (ms: number) => act(() => new Promise<void>((done) => setTimeout(done, ms)));

/** A backend whose counted query answers only when `count` is called. */
function backend(countedAfter: number | null, rows: number, total: number) {
  const asked: string[] = [];
  const transport = {
    kind: "http",
    send: (request: { command: string; args?: { with_total?: boolean; ticket?: string } }) => {
      const answer = (result: unknown) => Promise.resolve({ command: request.command, result });
      switch (request.command) {
        case "columns":
          return answer([sku]);
        case "default_columns":
          return answer(["sku"]);
        case "views":
          return answer([]);
        case "load_layout":
        case "save_layout":
          return answer(null);
        case "query": {
          const counted = request.args?.with_total !== false;
          asked.push(counted ? "counted" : "page");
          if (!counted) return answer(page(rows, null));
          return new Promise((done) =>
            setTimeout(
              () => done({ command: "query", result: page(rows, total) }),
              countedAfter ?? 0,
            ),
          );
        }
        case "rows_ahead":
          asked.push(`ahead ${String(request.args?.ticket)}`);
          return answer(page(rows, null));
        case "take_back_rows_ahead":
          asked.push(`take back ${String(request.args?.ticket)}`);
          return answer(null);
        default:
          return Promise.reject(new Error(`unexpected ${request.command}`));
      }
    },
  } as unknown as Transport;
  return { transport, asked };
}

describe("a view's first rows and its count", () => {
  let host: HTMLDivElement;
  let root: ReturnType<typeof createRoot>;
  let seen: string[];

  const unchanged = { added: 0, changed: 0, kits: 0 };
  const ignore = () => undefined;
  let dispatch: ReturnType<typeof useView>["dispatch"] | null = null;
  let fetchPage: ReturnType<typeof useView>["fetchPage"] | null = null;
  let takeBackRowsAhead: ReturnType<typeof useView>["takeBackRowsAhead"] | null = null;
  function Probe() {
    const v = useView(unchanged, ignore);
    dispatch = v.dispatch;
    fetchPage = v.fetchPage;
    takeBackRowsAhead = v.takeBackRowsAhead;
    const said = v.total === null ? "none" : `${v.total}${v.counting ? "+" : ""}`;
    if (seen[seen.length - 1] !== said) seen.push(said);
    return null;
  }

  beforeEach(() => {
    seen = [];
    host = document.createElement("div");
    root = createRoot(host);
  });
  afterEach(() => act(() => root.unmount()));

  const show = (transport: Transport) =>
    act(() =>
      root.render(
        <TransportProvider transport={transport}>
          <Probe />
        </TransportProvider>,
      ),
    );

  it("come in one request when the count is quick", async () => {
    const { transport, asked } = backend(5, PAGE_SIZE, 6000);
    await show(transport);
    await wait(HEDGE_MS * 3);
    expect(seen).toEqual(["none", "6000"]);
    expect(asked).toEqual(["counted"]);
  });

  it("show the first rows while a slow count goes on, then the count", async () => {
    const { transport, asked } = backend(HEDGE_MS * 4, PAGE_SIZE, 6000);
    await show(transport);
    await wait(HEDGE_MS * 2);
    expect(seen).toEqual(["none", `${PAGE_SIZE}+`]);
    expect(asked).toEqual(["counted", "page"]);
    await wait(HEDGE_MS * 4);
    expect(seen).toEqual(["none", `${PAGE_SIZE}+`, "6000"]);
  });

  it("ask nothing more for a view left before its count came", async () => {
    const { transport, asked } = backend(HEDGE_MS * 4, PAGE_SIZE, 6000);
    await show(transport);
    await wait(HEDGE_MS / 2);
    expect(asked).toEqual(["counted"]);
    // Another view before the first one's rows were asked for alone.
    await act(() =>
      dispatch?.({ type: "set_filters", filters: [{ column: "sku", op: "eq", values: ["A"] }] }),
    );
    await wait(HEDGE_MS * 2);
    // The new view's count, then its rows alone; none for the view left.
    expect(asked).toEqual(["counted", "counted", "page"]);
  });

  it("ask for rows read ahead apart from the rows on screen", async () => {
    const { transport, asked } = backend(5, PAGE_SIZE, 6000);
    await show(transport);
    await wait(HEDGE_MS);
    expect(asked).toEqual(["counted"]);
    await act(async () => {
      await fetchPage?.(PAGE_SIZE * 20, PAGE_SIZE, null);
      await fetchPage?.(PAGE_SIZE * 21, PAGE_SIZE * 8, "t-1");
      // The first page is the one asked with the count, whichever way it is asked for.
      await fetchPage?.(0, PAGE_SIZE, "t-1");
      takeBackRowsAhead?.("t-1");
    });
    expect(asked).toEqual(["counted", "page", "ahead t-1", "take back t-1"]);
  });

  it("know a short first page is the whole view before the count comes", async () => {
    const { transport } = backend(HEDGE_MS * 4, 37, 37);
    await show(transport);
    await wait(HEDGE_MS * 2);
    expect(seen).toEqual(["none", "37"]);
    await wait(HEDGE_MS * 4);
    expect(seen).toEqual(["none", "37"]);
  });
});
