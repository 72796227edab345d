import { describe, expect, it, vi } from "vitest";
import { call, CommandError, detectTransport, httpTransport, tauriTransport } from "./transport";

function jsonResponse(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

describe("httpTransport", () => {
  it("uploads dropped or chosen files one by one and answers with their paths", async () => {
    const fetchFn = vi.fn(async (url: string) =>
      jsonResponse(200, { path: `/tmp/up/${new URL(url).searchParams.get("name")}` }),
    );
    const t = httpTransport("http://127.0.0.1:4000", "abc", fetchFn);
    const files = [new File(["a,b\n"], "one.csv"), new File(["{}"], "two & more.json")];
    expect(await t.stageFiles(files)).toEqual(["/tmp/up/one.csv", "/tmp/up/two & more.json"]);
    const [url, init] = fetchFn.mock.calls[1] as unknown as [string, RequestInit];
    expect(url).toBe("http://127.0.0.1:4000/api/upload?name=two+%26+more.json");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer abc");
    expect(init.body).toBe(files[1]);
  });

  it("says which file could not be sent", async () => {
    const t = httpTransport("http://127.0.0.1:4000", "abc", async () =>
      jsonResponse(500, { error: "disk full" }),
    );
    const err = await t.stageFiles([new File(["x"], "big.csv")]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).message).toBe("could not send big.csv to Invlog: disk full");
  });

  it("posts the command to /api with the run's token and returns its typed result", async () => {
    const fetchFn = vi.fn(async () =>
      jsonResponse(200, {
        command: "query",
        result: { total: 1, columns: ["sku"], rows: [["SKU-1"]], next_cursor: null },
      }),
    );
    const t = httpTransport("http://127.0.0.1:4000/?token=abc", "abc", fetchFn);
    const result = await call(t, { command: "query", args: queryArgs() });
    expect(result.total).toBe(1);
    expect(result.rows[0]).toEqual(["SKU-1"]);
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://127.0.0.1:4000/api");
    expect(init.method).toBe("POST");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer abc");
    expect(JSON.parse(init.body as string)).toMatchObject({ command: "query" });
  });

  it("turns the server's error into a CommandError with its message and status", async () => {
    const t = httpTransport("http://127.0.0.1:4000", "abc", async () =>
      jsonResponse(400, { error: "unknown column 'stauts'; did you mean 'status'?" }),
    );
    const err = await call(t, { command: "columns" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).message).toBe("unknown column 'stauts'; did you mean 'status'?");
    expect((err as CommandError).status).toBe(400);
  });

  it("refuses an answer to a different command", async () => {
    const t = httpTransport("http://127.0.0.1:4000", "abc", async () =>
      jsonResponse(200, { command: "imports", result: [] }),
    );
    await expect(call(t, { command: "columns" })).rejects.toThrow(/asked for columns/);
  });

  it("gives undefined for commands that answer with nothing", async () => {
    const t = httpTransport("http://127.0.0.1:4000", "abc", async () =>
      jsonResponse(200, { command: "save_layout" }),
    );
    const layout = {
      columns: ["sku"],
      widths: {},
      sort: [],
      filters: [],
      search: null,
      active_view: null,
    };
    expect(await call(t, { command: "save_layout", args: layout })).toBeUndefined();
  });
});

describe("detectTransport", () => {
  it("uses Tauri IPC inside the desktop app", async () => {
    const invoke = vi.fn(async () => ({ command: "columns", result: [] }));
    const t = detectTransport({
      location: { href: "tauri://localhost/" },
      __TAURI_INTERNALS__: { invoke },
    });
    expect(t.kind).toBe("tauri");
    await call(t, { command: "columns" });
    expect(invoke).toHaveBeenCalledWith("dispatch", { request: { command: "columns" } });
  });

  it("uses HTTP with the token from the URL in a browser", () => {
    const t = detectTransport({ location: { href: "http://127.0.0.1:4000/?token=f00d" } });
    expect(t.kind).toBe("http");
  });

  it("explains a missing token", () => {
    expect(() => detectTransport({ location: { href: "http://127.0.0.1:4000/" } })).toThrow(
      /access token/,
    );
  });

  it("reports IPC failures as CommandErrors", async () => {
    const t = tauriTransport(async () => {
      throw "database is locked";
    });
    await expect(call(t, { command: "imports" })).rejects.toThrow(CommandError);
  });
});

function queryArgs() {
  return {
    filters: [],
    search: null,
    sort: [],
    columns: ["sku"],
    limit: 100,
    offset: 0,
    after: null,
    with_total: true,
    reveal_secrets: false,
  };
}

describe("errors and task events", () => {
  it("keeps the kind of a refusal, over HTTP and over IPC", async () => {
    const http = httpTransport("http://127.0.0.1:4000", "abc", async () =>
      jsonResponse(409, { error: "export #3 is still running; cancel it first", kind: "conflict" }),
    );
    const e1 = await call(http, { command: "exports" }).catch((e: unknown) => e);
    expect([(e1 as CommandError).kind, (e1 as CommandError).status]).toEqual(["conflict", 409]);
    const ipc = tauriTransport(() => Promise.reject({ kind: "not_found", message: "no job #9" }));
    const e2 = await call(ipc, { command: "job", args: { id: 9 } }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(CommandError);
    expect([(e2 as CommandError).message, (e2 as CommandError).kind]).toEqual([
      "no job #9",
      "not_found",
    ]);
  });

  it("listens to the server's task events with the run's token, and stops", () => {
    const listeners: Record<string, (e: { data: string }) => void> = {};
    const source = {
      url: "",
      closed: false,
      addEventListener(type: string, l: (e: { data: string }) => void) {
        listeners[type] = l;
      },
      close() {
        this.closed = true;
      },
    };
    const t = httpTransport("http://127.0.0.1:4000", "abc", fetch, (url) => {
      source.url = url;
      return source;
    });
    const seen: number[] = [];
    const stop = t.listenTasks((task) => seen.push(task.id));
    expect(source.url).toBe("http://127.0.0.1:4000/api/events?token=abc");
    listeners.task?.({ data: JSON.stringify({ id: 7, kind: "import" }) });
    expect(seen).toEqual([7]);
    stop();
    expect(source.closed).toBe(true);
  });
});
