// The page's commands over one WebSocket to `invlog serve`. In Chromium every `fetch` costs
// about 3 ms before the server sees it, whoever answers; a message on an open socket about
// 0.5 ms. Commands stay independent: each goes with an id, the server answers each when it is
// done (a slow count never holds up a page asked after it), and the id finds its question.
import type { ErrorKind } from "../bindings/ErrorKind";
import type { Request } from "../bindings/Request";
import type { Response } from "../bindings/Response";
import { CommandError } from "./commandError";

/** What the transport needs of a WebSocket: the browser's, or a test's. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: "open" | "close", listener: () => void): void;
  addEventListener(type: "message", listener: (e: { data: unknown }) => void): void;
}

export type OpenSocket = (url: string) => SocketLike;

/** `WebSocket.OPEN`, which a test's socket need not define. */
const OPEN = 1;

interface Waiting {
  socket: SocketLike;
  resolve(response: Response): void;
  reject(error: CommandError): void;
}

/** One answer from the server: the response, or the refusal `POST /api` would have given. */
type Answer =
  | { id: number; response: Response }
  | { id: number; error: string; kind?: ErrorKind | null; status?: number };

export class CommandSocket {
  private socket: SocketLike | null = null;
  private opening: Promise<boolean> | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Set when a socket could not be opened: the commands go over HTTP from then on. */
  private unusable = false;

  constructor(
    private readonly url: string,
    private readonly openSocket: OpenSocket,
  ) {}

  /**
   * Sends one command and resolves with its answer, or with undefined when no socket can
   * carry it (none could be opened here): the caller sends it over HTTP instead. A command in
   * flight when the socket closes is refused, never sent twice: it may have been carried out.
   */
  async send(request: Request): Promise<Response | undefined> {
    if (this.unusable || !(await this.open())) return undefined;
    const socket = this.socket;
    if (!socket) return undefined;
    const id = this.nextId++;
    return new Promise<Response>((resolve, reject) => {
      this.waiting.set(id, { socket, resolve, reject });
      socket.send(JSON.stringify({ id, request }));
    });
  }

  /** Resolves true once a socket is open; opens one if there is none (or it closed). */
  private open(): Promise<boolean> {
    if (this.socket?.readyState === OPEN) return Promise.resolve(true);
    if (this.opening) return this.opening;
    let socket: SocketLike;
    try {
      socket = this.openSocket(this.url);
    } catch {
      // A policy of the page (or of the browser) that forbids sockets.
      this.unusable = true;
      return Promise.resolve(false);
    }
    this.socket = socket;
    this.opening = new Promise<boolean>((settle) => {
      let opened = false;
      socket.addEventListener("open", () => {
        opened = true;
        this.opening = null;
        settle(true);
      });
      socket.addEventListener("close", () => {
        if (this.socket === socket) this.socket = null;
        if (!opened) {
          this.unusable = true;
          this.opening = null;
          settle(false);
        }
        this.refuseWaiting(socket);
      });
      socket.addEventListener("message", (e) => this.answer(e.data));
    });
    return this.opening;
  }

  private answer(data: unknown): void {
    let answer: Answer;
    try {
      answer = JSON.parse(String(data)) as Answer;
    } catch {
      return;
    }
    const waiting = this.waiting.get(answer.id);
    if (!waiting) return;
    this.waiting.delete(answer.id);
    if ("response" in answer) waiting.resolve(answer.response);
    else waiting.reject(new CommandError(answer.error, answer.status, answer.kind ?? undefined));
  }

  /** Refuses the commands sent on a socket that closed (not those sent on its successor). */
  private refuseWaiting(closed: SocketLike): void {
    for (const [id, w] of this.waiting) {
      if (w.socket !== closed) continue;
      this.waiting.delete(id);
      w.reject(new CommandError("the connection to Invlog closed before it answered"));
    }
  }
}
