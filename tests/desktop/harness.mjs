// Running the desktop app's real window: Xvfb, tauri-driver (which drives WebKitWebDriver, Debian's
// webkit2gtk-driver) and a selenium-webdriver session on the built invlog-desktop binary.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
const require = createRequire(join(root, "ui", "package.json"));
export const { Builder, By, until } = require("selenium-webdriver");
const tauriDriver = process.env.TAURI_DRIVER ?? "tauri-driver";

/** Xvfb on a display it picks itself (-displayfd): a fixed one reused right away can fail. */
export function startXvfb() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "Xvfb",
      ["-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
      {
        stdio: ["ignore", "ignore", "inherit", "pipe"],
      },
    );
    let text = "";
    child.stdio[3].on("data", (d) => {
      text += d.toString();
      if (text.includes("\n")) resolve({ child, display: `:${text.trim()}` });
    });
    child.once("exit", (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
}

export function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolve();
      });
      socket.once("error", () => {
        if (Date.now() > deadline)
          reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * Xvfb, then tauri-driver on it with `env` (the app inherits it through WebKitWebDriver).
 * `stop` ends both.
 */
export async function startDriver(env) {
  const x = await startXvfb();
  const driverProcess = spawn(tauriDriver, [], {
    env: { ...process.env, ...env, DISPLAY: x.display },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForPort(4444, 20_000);
  return {
    display: x.display,
    stop() {
      driverProcess.kill();
      x.child.kill();
    },
  };
}

/** A session on the app: launches it, with `args` on its command line. */
export function openApp(application, args = []) {
  return new Builder()
    .usingServer("http://127.0.0.1:4444/")
    .withCapabilities({
      browserName: "wry",
      "tauri:options": { application, args },
    })
    .build();
}
