import { describe, expect, it, vi } from "vitest";
import type { Response } from "../bindings/Response";
import { call, CommandError, httpTransport } from "./transport";
import type { SocketLike } from "./socket";

type Listener = (e: { data: unknown }) => void;

/** A WebSocket the test opens, answers and closes by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: { id: number; request: { command: string } }[] = [];
  private readonly listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as FakeSocket["sent"][number]);
  }
  close(): void {
    this.emit("close");
  }
  emit(type: "open" | "close" | "message", data?: unknown): void {
    if (type === "open") this.readyState = 1;
    if (type === "close") this.readyState = 3;
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
  answer(id: number, body: object): void {
    this.emit("message", JSON.stringify({ id, ...body }));
  }
}

const columns: Response = { command: "columns", result: [] };

function setUp() {
  const sockets: FakeSocket[] = [];
  const fetchFn = vi.fn(
    async () =>
      new globalThis.Response(JSON.stringify(columns), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      }),
  );
  const t = httpTransport("http://127.0.0.1:4000", "abc", fetchFn, undefined, (url) => {
    const s = new FakeSocket(url);
    sockets.push(s);
    return s;
  });
  return { t, sockets, fetchFn };
}

/** The item at `i`, which the test expects to be there. */
function at<T>(items: T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`nothing at ${i}`);
  return item;
}

/** Lets the transport's promises run (the socket's opening, the send after it). */
const settle = () => new Promise((done) => setTimeout(done, 0));

describe("the command socket", () => {
  it("carries commands with the run's token and pairs each answer with its question", async () => {
    const { t, sockets, fetchFn } = setUp();
    const first = call(t, { command: "columns" });
    const second = call(t, { command: "formats" });
    await settle();
    expect(sockets).toHaveLength(1);
    expect(at(sockets, 0).url).toBe("ws://127.0.0.1:4000/api/socket?token=abc");
    at(sockets, 0).emit("open");
    await settle();
    const [a, b] = [at(at(sockets, 0).sent, 0), at(at(sockets, 0).sent, 1)];
    expect([a.request.command, b.request.command]).toEqual(["columns", "formats"]);
    // Answered in the other order: the slow one first asked comes last.
    at(sockets, 0).answer(b.id, { response: { command: "formats", result: [] } });
    at(sockets, 0).answer(a.id, { response: { command: "columns", result: [{ id: "sku" }] } });
    expect(await first).toEqual([{ id: "sku" }]);
    expect(await second).toEqual([]);
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it("turns a refusal into a CommandError with the status and kind POST /api gives", async () => {
    const { t, sockets } = setUp();
    const asked = call(t, { command: "columns" }).catch((e: unknown) => e);
    await settle();
    at(sockets, 0).emit("open");
    await settle();
    at(sockets, 0).answer(at(at(sockets, 0).sent, 0).id, {
      error: "unknown column 'stauts'",
      kind: "invalid_input",
      status: 400,
    });
    const err = (await asked) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect([err.message, err.status, err.kind]).toEqual([
      "unknown column 'stauts'",
      400,
      "invalid_input",
    ]);
  });

  it("falls back to HTTP for good when no socket opens", async () => {
    const { t, sockets, fetchFn } = setUp();
    const asked = call(t, { command: "columns" });
    await settle();
    at(sockets, 0).emit("close");
    expect(await asked).toEqual([]);
    expect(await call(t, { command: "columns" })).toEqual([]);
    expect(fetchFn).toHaveBeenCalledTimes(2);
    expect(sockets).toHaveLength(1);
  });

  it("refuses what was in flight when the socket closes, never sends it twice, and opens another", async () => {
    const { t, sockets, fetchFn } = setUp();
    const asked = call(t, { command: "columns" }).catch((e: unknown) => e);
    await settle();
    at(sockets, 0).emit("open");
    await settle();
    at(sockets, 0).emit("close");
    expect(((await asked) as CommandError).message).toBe(
      "the connection to Invlog closed before it answered",
    );
    const again = call(t, { command: "columns" });
    await settle();
    expect(sockets).toHaveLength(2);
    at(sockets, 1).emit("open");
    await settle();
    at(sockets, 1).answer(at(at(sockets, 1).sent, 0).id, { response: columns });
    expect(await again).toEqual([]);
    expect(at(sockets, 0).sent).toHaveLength(1);
    expect(fetchFn).not.toHaveBeenCalled();
  });
});
