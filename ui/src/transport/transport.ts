// The one place that knows which shell the UI runs in: the desktop app (Tauri IPC) or a
// browser opened by `invlog serve` (HTTP with the run's token). Everything else calls `call`.
import type { ErrorKind } from "../bindings/ErrorKind";
import type { Request } from "../bindings/Request";
import type { Response } from "../bindings/Response";
import type { Task } from "../bindings/Task";
import { waitingWrites } from "../tasks/waitingWrites";
import { CommandError } from "./commandError";
import { CommandSocket, type OpenSocket } from "./socket";
import type { CommandName, RequestOf, ResultOf } from "./commands";

export type { CommandName, RequestOf, ResultOf } from "./commands";
export { CommandError } from "./commandError";

export interface Transport {
  readonly kind: "tauri" | "http";
  send(request: Request): Promise<Response>;
  /**
   * Puts files the user dropped or picked in the browser where the backend can read them, and
   * answers with their paths there. The desktop app gets real paths from its own dialog and
   * drop events, so it never needs this.
   */
  stageFiles(files: File[]): Promise<string[]>;
  /** Asks the user for files to import: the native dialog, or the browser's file chooser. */
  pickFiles(): Promise<string[] | null>;
  /** Menu choices and files dropped on the window (desktop only); returns the unsubscriber. */
  listenShell(handlers: ShellHandlers): () => void;
  /**
   * Every change of a task (import, export, re-run) as the backend pushes it: Tauri events in
   * the desktop app, Server-Sent Events from `invlog serve`. Returns the unsubscriber.
   */
  listenTasks(onTask: (task: Task) => void): () => void;
  /**
   * Asks where to save an export: the native save dialog (null when cancelled). The browser
   * has none for a path on this machine, so it answers undefined and the UI asks in a field.
   */
  pickExportPath(suggested: string, folder?: string): Promise<string | null | undefined>;
  /** The files the desktop app was started with ("Open with Invlog"), handed over once. */
  launchFiles(): Promise<string[]>;
  /**
   * Opens an exported file, or shows it in its folder. The browser cannot reach either, so it
   * downloads the file instead.
   */
  openExport(exported: { id: number; path: string }, how: "open" | "reveal"): Promise<void>;
}

export interface ShellHandlers {
  onMenu(id: string): void;
  onDropPaths(paths: string[]): void;
}

/** The browser's file chooser; null when the user closes it without choosing. */
function chooseInBrowser(): Promise<File[] | null> {
  return new Promise((resolve) => {
    const input = document.createElement("input");
    input.type = "file";
    input.multiple = true;
    input.accept = ".csv,.xlsx,.json,.jsonl,.txt";
    input.addEventListener("change", () => resolve(input.files ? [...input.files] : null));
    input.addEventListener("cancel", () => resolve(null));
    input.click();
  });
}

/** The backend's error shape, `{kind, message}`, from whatever a shell rejected with. */
function commandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "message" in e && typeof e.message === "string") {
    const kind = "kind" in e && typeof e.kind === "string" ? (e.kind as ErrorKind) : undefined;
    return new CommandError(e.message, undefined, kind);
  }
  return new CommandError(typeof e === "string" ? e : String(e));
}

type EventSourceLike = {
  addEventListener(type: string, listener: (e: { data: string }) => void): void;
  close(): void;
};

/** The command socket's address: a browser cannot send headers with it, so the token is in its
 * query, as for the task events. */
function socketUrl(baseUrl: string, token: string): string {
  const target = new URL("/api/socket", baseUrl);
  target.protocol = target.protocol === "https:" ? "wss:" : "ws:";
  target.searchParams.set("token", token);
  return target.toString();
}

type Fetch = (input: string, init: RequestInit) => Promise<globalThis.Response>;

/**
 * `invlog serve`'s transport. Commands go over one WebSocket when `openSocket` is given and a
 * socket opens, else each as a `POST /api`; both carry the same requests and answers.
 */
export function httpTransport(
  baseUrl: string,
  token: string,
  fetchFn: Fetch = fetch,
  openEvents: (url: string) => EventSourceLike = (url) => new EventSource(url),
  openSocket?: OpenSocket,
): Transport {
  const url = new URL("/api", baseUrl).toString();
  const socket = openSocket && new CommandSocket(socketUrl(baseUrl, token), openSocket);
  return {
    kind: "http",
    async send(request) {
      const answered = await socket?.send(request);
      if (answered) return answered;
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
        const kind =
          body && typeof body === "object" && "kind" in body && typeof body.kind === "string"
            ? (body.kind as ErrorKind)
            : undefined;
        throw new CommandError(message, res.status, kind);
      }
      return body as Response;
    },
    async stageFiles(files) {
      const paths: string[] = [];
      for (const file of files) {
        const target = new URL("/api/upload", baseUrl);
        target.searchParams.set("name", file.name);
        const res = await fetchFn(target.toString(), {
          method: "POST",
          headers: {
            Authorization: `Bearer ${token}`,
            "Content-Type": "application/octet-stream",
          },
          body: file,
        });
        const body: unknown = await res.json().catch(() => null);
        if (!res.ok || !body || typeof body !== "object" || !("path" in body)) {
          const reason =
            body && typeof body === "object" && "error" in body ? String(body.error) : res.status;
          throw new CommandError(`could not send ${file.name} to Invlog: ${reason}`, res.status);
        }
        paths.push(String(body.path));
      }
      return paths;
    },
    async pickFiles() {
      const files = await chooseInBrowser();
      return files && files.length > 0 ? this.stageFiles(files) : null;
    },
    listenShell() {
      // A browser tab has no app menu, and its drops arrive as DOM events with File objects.
      return () => {};
    },
    listenTasks(onTask) {
      // An EventSource cannot send headers: the token goes in the query, as for downloads.
      const target = new URL("/api/events", baseUrl);
      target.searchParams.set("token", token);
      const source = openEvents(target.toString());
      source.addEventListener("task", (e) => onTask(JSON.parse(e.data) as Task));
      return () => source.close();
    },
    pickExportPath() {
      return Promise.resolve(undefined);
    },
    launchFiles() {
      return Promise.resolve([]);
    },
    openExport(exported) {
      const link = document.createElement("a");
      const target = new URL(`/api/exports/${exported.id}/file`, baseUrl);
      target.searchParams.set("token", token);
      link.href = target.toString();
      link.download = "";
      link.click();
      return Promise.resolve();
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
        throw commandError(e);
      }
    },
    stageFiles() {
      return Promise.reject(new CommandError("the desktop app imports files by their paths"));
    },
    async pickFiles() {
      return (await invoke("pick_import_files", {})) as string[] | null;
    },
    async launchFiles() {
      return (await invoke("launch_files", {})) as string[];
    },
    async pickExportPath(suggested, folder) {
      return (await invoke("pick_export_path", { suggested, folder })) as string | null;
    },
    async openExport(exported, how) {
      try {
        await invoke(how === "open" ? "open_path" : "reveal_path", { path: exported.path });
      } catch (e) {
        throw commandError(e);
      }
    },
    listenTasks(onTask) {
      let closed = false;
      let unlisten: (() => void) | undefined;
      void import("@tauri-apps/api/event").then(async (event) => {
        const u = await event.listen<Task>("task", (e) => onTask(e.payload));
        if (closed) u();
        else unlisten = u;
      });
      return () => {
        closed = true;
        unlisten?.();
      };
    },
    listenShell(handlers) {
      let closed = false;
      const unlisteners: (() => void)[] = [];
      // Loaded only in the desktop app: the browser bundle never runs this code.
      void Promise.all([import("@tauri-apps/api/event"), import("@tauri-apps/api/webview")]).then(
        async ([event, webview]) => {
          const subscriptions = [
            await event.listen<string>("menu", (e) => handlers.onMenu(e.payload)),
            await webview.getCurrentWebview().onDragDropEvent((e) => {
              if (e.payload.type === "drop" && e.payload.paths.length > 0) {
                handlers.onDropPaths(e.payload.paths);
              }
            }),
            // A second launch on this store ("Open with Invlog" on another file).
            await event.listen<string[]>("open-files", (e) => handlers.onDropPaths(e.payload)),
          ];
          if (closed) subscriptions.forEach((u) => u());
          else unlisteners.push(...subscriptions);
        },
      );
      return () => {
        closed = true;
        unlisteners.forEach((u) => u());
      };
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
  return httpTransport(href.origin, token, fetch, undefined, (url) => new WebSocket(url));
}

/** Sends one command and returns its typed result. */
export async function call<C extends CommandName>(
  transport: Transport,
  request: RequestOf<C>,
): Promise<ResultOf<C>> {
  const response = await waitingWrites.watch(request.command, transport.send(request));
  if (response.command !== request.command) {
    throw new CommandError(`asked for ${request.command}, got an answer for ${response.command}`);
  }
  return ("result" in response ? response.result : undefined) as ResultOf<C>;
}
