// What every browser suite shares: the `invlog` binary, a store seeded by `invlog import`, an
// `invlog serve` on it, and Debian's Chromium driven by playwright-core.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
const { chromium } = createRequire(join(root, "ui", "package.json"))(
  "playwright-core",
);
export const invlog =
  process.env.INVLOG ?? join(root, "target", "debug", "invlog");
export const examples = join(root, "..", "shared", "formats", "examples");
export const shots = join(root, "tests", "screenshots");

/** Runs the CLI on `db` and parses its JSON output. */
export function cliOn(db, ...args) {
  return JSON.parse(
    execFileSync(invlog, ["--db", db, ...args], { encoding: "utf8" }),
  );
}

/** Starts `invlog serve` on a store (of `binary`, another build, when given); resolves to its
 * URL (token included). */
export async function serve(store, binary = invlog) {
  const child = spawn(binary, ["--db", store, "serve", "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) =>
      reject(new Error(`invlog serve exited with ${code}`)),
    );
  });
  return { child, url: first };
}

/** Sends one command to a running `invlog serve`. */
export async function api(url, request) {
  const { origin, searchParams } = new URL(url);
  const res = await fetch(`${origin}/api`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${searchParams.get("token")}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(request),
  });
  // Read once, as the UI reads it: a copy read for the message alone doubled the client's
  // share of every timed call.
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return JSON.parse(body);
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** A temp folder with a store seeded with every example log, served; `close` removes it all. */
export async function seededServer({ seed = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "invlog-e2e-"));
  const db = join(dir, "e2e.db");
  if (seed) {
    const files = readdirSync(examples).map((f) => join(examples, f));
    execFileSync(invlog, ["--db", db, "import", ...files], { stdio: "ignore" });
  }
  const { child, url } = await serve(db);
  return {
    dir,
    db,
    url,
    cli: (...args) => cliOn(db, ...args),
    close() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens the UI in a fresh context and waits for the first row; collects alert() texts. */
export async function openPage(browser, url, colorScheme = "light") {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 760 },
    colorScheme,
  });
  const page = await context.newPage();
  watchSockets(page);
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  await page.goto(url);
  return {
    page,
    context,
    dialogs,
    grid: page.getByRole("grid", { name: "Inventory log" }),
  };
}

/** Who is told of the commands each page sends over its socket. */
const socketWatchers = new WeakMap();

/** Opened with the page: its socket opens with the first command, before a test can look. */
function watchSockets(page) {
  const watchers = new Set();
  socketWatchers.set(page, watchers);
  page.on("websocket", (socket) =>
    socket.on("framesent", (frame) =>
      watchers.forEach((w) => w(String(frame.payload))),
    ),
  );
}

/** Calls `listener` with the JSON text of each command the page (from `openPage`) sends: over
 * its socket, or as a `POST /api`. Returns the unsubscriber. */
export function watchCommands(page, listener) {
  const watchers = socketWatchers.get(page);
  if (!watchers) throw new Error("watchCommands needs a page from openPage");
  const posted = (r) =>
    new URL(r.url()).pathname === "/api" && listener(r.postData() ?? "");
  watchers.add(listener);
  page.on("request", posted);
  return () => {
    watchers.delete(listener);
    page.off("request", posted);
  };
}

/** The entry count the table shows ("1,234 entries" -> 1234). */
export async function shownCount(page) {
  return Number(
    (await page.locator("output.count").innerText()).replace(/[^\d]/g, ""),
  );
}

/** Waits until the table shows `expected` entries. */
export async function waitForCount(page, expected) {
  await page
    .locator("output.count")
    .filter({ hasText: new RegExp(`^${expected.toLocaleString("en-US")} `) })
    .waitFor();
}

/** Screenshots of the page as it is, in the light and the dark theme (then back to light). */
export async function screenshots(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}-light.png`) });
  await page.emulateMedia({ colorScheme: "dark" });
  // Canvas charts redraw with the theme's colours when the scheme changes.
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(shots, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: "light" });
}

/** The suite's browser (and, with `withSeededServer`, its server), set before its first test. */
export let browser;
export let server;

/** One Chromium for the suite's tests: launched before the first, closed after the last. */
export function withBrowser() {
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
}

/** One Chromium and one `invlog serve` on a store seeded with every example, for the suite. */
export function withSeededServer() {
  withBrowser();
  before(async () => {
    server = await seededServer();
  });
  after(() => {
    server?.close();
  });
}
