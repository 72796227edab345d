// The one place that knows which shell the UI runs in: the desktop app (Tauri IPC) or a
// browser opened by `invlog serve` (HTTP with the run's token). Everything else calls `call`.
import type { Request } from "./bindings/Request";
import type { Response } from "./bindings/Response";

export type CommandName = Request["command"];
export type RequestOf<C extends CommandName> = Extract<Request, { command: C }>;
/** A command's result; commands that answer with nothing (save_layout) give `undefined`. */
export type ResultOf<C extends CommandName> =
  Extract<Response, { command: C }> extends { result: infer R } ? R : undefined;

export interface Transport {
  readonly kind: "tauri" | "http";
  send(request: Request): Promise<Response>;
}

/** A command the backend refused or failed; `message` is meant for the user. */
export class CommandError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = "CommandError";
    this.status = status;
  }
}

type Fetch = (input: string, init: RequestInit) => Promise<globalThis.Response>;

export function httpTransport(baseUrl: string, token: string, fetchFn: Fetch = fetch): Transport {
  const url = new URL("/api", baseUrl).toString();
  return {
    kind: "http",
    async send(request) {
      const res = await fetchFn(url, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(request),
      });
      const body: unknown = await res.json().catch(() => null);
      if (!res.ok) {
        const message =
          body && typeof body === "object" && "error" in body && typeof body.error === "string"
            ? body.error
            : `the server answered ${res.status}`;
        throw new CommandError(message, res.status);
      }
      return body as Response;
    },
  };
}

type Invoke = (cmd: string, args: Record<string, unknown>) => Promise<unknown>;

/** The desktop shell exposes the same command table as one IPC command, `dispatch`. */
export function tauriTransport(invoke: Invoke): Transport {
  return {
    kind: "tauri",
    async send(request) {
      try {
        return (await invoke("dispatch", { request })) as Response;
      } catch (e) {
        throw new CommandError(typeof e === "string" ? e : String(e));
      }
    },
  };
}

interface ShellWindow {
  location: { href: string };
  __TAURI_INTERNALS__?: { invoke: Invoke };
}

/** Picks the transport for this window; in a browser the token comes from `?token=`. */
export function detectTransport(win: ShellWindow): Transport {
  if (win.__TAURI_INTERNALS__) {
    return tauriTransport(win.__TAURI_INTERNALS__.invoke);
  }
  const href = new URL(win.location.href);
  const token = href.searchParams.get("token");
  if (!token) {
    throw new CommandError("open the URL `invlog serve` printed: it carries the access token");
  }
  return httpTransport(href.origin, token);
}

/** Sends one command and returns its typed result. */
export async function call<C extends CommandName>(
  transport: Transport,
  request: RequestOf<C>,
): Promise<ResultOf<C>> {
  const response = await transport.send(request);
  if (response.command !== request.command) {
    throw new CommandError(`asked for ${request.command}, got an answer for ${response.command}`);
  }
  return ("result" in response ? response.result : undefined) as ResultOf<C>;
}
