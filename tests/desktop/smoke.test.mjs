// The desktop app in its real window: tauri-driver and WebKitWebDriver (Debian's
// webkit2gtk-driver) drive the webview of the built invlog-desktop binary under Xvfb, over a
// store seeded by `invlog import`. Proves the app starts, shows the rows, and that a filter
// goes through the IPC path. Run by `make desktop-test` (part of `make test`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  mkdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, openApp, root, startDriver, until } from "./harness.mjs";

const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const invlog = process.env.INVLOG ?? join(target, "debug", "invlog");
const app =
  process.env.INVLOG_DESKTOP ?? join(target, "debug", "invlog-desktop");
const examples = join(root, "..", "shared", "formats", "examples");
const shots = join(root, "tests", "screenshots");

let dir, db, session, driver;

function cli(...args) {
  return JSON.parse(
    execFileSync(invlog, ["--db", db, ...args], { encoding: "utf8" }),
  );
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "invlog-desktop-"));
  db = join(dir, "desktop.db");
  const files = readdirSync(examples).map((f) => join(examples, f));
  execFileSync(invlog, ["--db", db, "import", ...files], { stdio: "ignore" });
  // The app reads its store from INVLOG_DB, inherited through tauri-driver and WebKitWebDriver;
  // HOME keeps WebKit's own caches in the temp folder.
  session = await startDriver({ INVLOG_DB: db, HOME: dir });
  driver = await openApp(app);
});

after(async () => {
  await driver?.quit().catch(() => {});
  session?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the desktop app opens on the store, shows its rows, and filters over IPC", async () => {
  const all = cli("query", "--limit", "1", "--json").total;
  const failed = cli(
    "query",
    "--filter",
    "status = failed",
    "--limit",
    "1",
    "--json",
  ).total;
  const grid = await driver.wait(
    until.elementLocated(By.css('[role="grid"]')),
    30_000,
  );
  await driver.wait(
    until.elementLocated(By.css('[role="grid"] [role="gridcell"]')),
    30_000,
  );
  assert.equal(await grid.getAttribute("aria-rowcount"), String(all + 1));
  const count = await driver.findElement(By.css("output.count"));
  await driver.wait(
    async () => (await count.getText()) === `${all} entries`,
    10_000,
  );

  mkdirSync(shots, { recursive: true });
  writeFileSync(
    join(shots, "desktop-light.png"),
    await driver.takeScreenshot(),
    "base64",
  );

  // A view tab: the filter goes to the backend through the IPC command.
  const tab = await driver.findElement(
    By.xpath('//button[@role="tab"][normalize-space()="Failed pushes"]'),
  );
  await tab.click();
  await driver.wait(
    async () => (await count.getText()) === `${failed} entries`,
    10_000,
  );
  await driver.wait(
    async () =>
      (await grid.getAttribute("aria-rowcount")) === String(failed + 1),
    10_000,
  );
  const statuses = await driver.findElements(By.css('[role="grid"] .badge'));
  assert.ok(statuses.length > 0);
  for (const s of statuses) assert.equal(await s.getText(), "failed");
  writeFileSync(
    join(shots, "desktop-failed-pushes.png"),
    await driver.takeScreenshot(),
    "base64",
  );
});

test("a row opens its details over IPC, with the raw JSON view styled under the app's CSP", async () => {
  const row = await driver.wait(
    until.elementLocated(
      By.xpath('//*[@role="row"][.//*[normalize-space()="Push log"]]'),
    ),
    10_000,
  );
  await row.click();
  const drawer = await driver.wait(
    until.elementLocated(By.css('aside[aria-label="Entry details"]')),
    10_000,
  );
  const request = await driver.wait(
    until.elementLocated(By.css('section[aria-label="API Request"]')),
    10_000,
  );
  assert.match(await request.getText(), /Authorization\s*••••/);
  // String values of the tree are laid out as text in WebKit too (WebDriver's getText skips
  // the clipped, ellipsis-ready spans, so their boxes are checked instead).
  const tree = await request.findElement(By.css('[role="tree"]'));
  const [text, width] = await driver.executeScript(
    "const s = arguments[0].querySelector('.json-string'); return [s.textContent, s.getBoundingClientRect().width]",
    tree,
  );
  assert.match(text, /^"SKU-\d+"$/);
  assert.ok(width > 0);
  await request
    .findElement(By.xpath('.//button[normalize-space()="Raw"]'))
    .click();
  const host = await driver.wait(
    until.elementLocated(By.css('section[aria-label="API Request"] .json-raw')),
    10_000,
  );
  // The editor lives in the host's shadow root, styled by a constructed stylesheet.
  const display = () =>
    driver.executeScript(
      "const e = arguments[0].shadowRoot?.querySelector('.cm-editor'); return e && getComputedStyle(e).display",
      host,
    );
  await driver.wait(async () => (await display()) !== null, 10_000);
  assert.equal(await display(), "flex");
  assert.match(await drawer.getText(), /batch & retries/i);
  // Copying works in WebKit's webview (the status line says what happened).
  await request
    .findElement(By.xpath('.//button[normalize-space()="Copy all"]'))
    .click();
  await driver.wait(
    async () => /Copied all\./.test(await request.getText()),
    5_000,
  );
  writeFileSync(
    join(shots, "desktop-details.png"),
    await driver.takeScreenshot(),
    "base64",
  );
});

test("an export started in the window writes the file and shows in the history", async () => {
  const dest = join(dir, "desktop-export.csv");
  await driver
    .findElement(By.xpath('//button[normalize-space()="Export…"]'))
    .click();
  const dialog = await driver.wait(
    until.elementLocated(By.css('dialog[aria-label="Export the view"]')),
    10_000,
  );
  const field = await dialog.findElement(By.css('input[aria-label="Save as"]'));
  await field.sendKeys(dest);
  await dialog
    .findElement(
      By.xpath('.//button[starts-with(normalize-space(), "Export ")]'),
    )
    .click();
  const tray = await driver.wait(
    until.elementLocated(By.css('section[aria-label="Exports"]')),
    10_000,
  );
  await driver.wait(
    async () => (await tray.getText()).includes("Exported desktop-export.csv"),
    20_000,
  );
  const failed = cli(
    "query",
    "--filter",
    "status = failed",
    "--limit",
    "1",
    "--json",
  ).total;
  const lines = readFileSync(dest, "utf8").trimEnd().split("\r\n");
  assert.equal(
    lines.length,
    failed + 1,
    "the Failed pushes view, with its header",
  );
  writeFileSync(
    join(shots, "desktop-export.png"),
    await driver.takeScreenshot(),
    "base64",
  );
});

test("a kit log opens in the window, its charts drawn with uPlot's styles under the app's CSP", async () => {
  await driver
    .findElement(By.xpath('//header//button[normalize-space()="Kits"]'))
    .click();
  const kits = await driver.wait(
    until.elementLocated(By.css('dialog[aria-label="Kits"]')),
    10_000,
  );
  await driver.wait(
    until.elementLocated(By.css('section[aria-label="Kit KIT-GIFTBOX"]')),
    10_000,
  );
  await kits
    .findElement(By.xpath('.//button[normalize-space()="Open kit log"]'))
    .click();
  const total = cli("kit-log", "KIT-GIFTBOX", "--json").total;
  const count = await driver.findElement(By.css("output.count"));
  await driver.wait(
    async () => (await count.getText()) === `${total} entries`,
    10_000,
  );
  const chip = await driver.wait(
    until.elementLocated(By.css('[role="gridcell"] .component-chip i')),
    10_000,
  );
  assert.notEqual(
    await chip.getCssValue("background-color"),
    "rgba(0, 0, 0, 0)",
  );
  // Both charts are drawn, and uPlot's stylesheet (bundled, so allowed by the CSP) applies.
  for (const chart of [".timeline-chart", ".availability .chart"]) {
    const [width, position] = await driver.wait(async () => {
      const r = await driver.executeScript(
        `const c = document.querySelector('${chart} canvas');
         const o = document.querySelector('${chart} .u-over');
         return c && o ? [c.getBoundingClientRect().width, getComputedStyle(o).position] : null`,
      );
      return r;
    }, 10_000);
    assert.ok(width > 100, `${chart} is drawn (${width}px)`);
    assert.equal(position, "absolute", `${chart}: uPlot's styles apply`);
  }
  writeFileSync(
    join(shots, "desktop-kit-log.png"),
    await driver.takeScreenshot(),
    "base64",
  );
});

test("the app, ended, folds the store's write-ahead log into its file", async () => {
  const log = `${db}-wal`;
  const logBytes = () => (existsSync(log) ? statSync(log).size : 0);
  // The export above was written through it.
  assert.ok(logBytes() > 0, "the app wrote through the log");
  // Ended as a closed terminal or a logout ends it (WebDriver has no way to the native
  // menu's Quit, nor to the window manager's close button).
  execFileSync("pkill", ["-TERM", "-f", `^${app}`]);
  const deadline = Date.now() + 20_000;
  while (logBytes() > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(logBytes(), 0, "the next start has no log to read first");
  assert.ok(cli("query", "--limit", "1", "--json").total > 0);
});
