// Connections from the UI against a fake Logitrail on 127.0.0.1 (started here; no test
// reaches a real host): add one, a refused secret says so, fix it, Pull now, see the rows in
// the table and the pull in the import history; in Debian's Chromium against `invlog serve`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  browser,
  invlog,
  openPage,
  screenshots,
  server,
  shownCount,
  waitForCount,
  withSeededServer,
} from "./harness.mjs";

// The secret goes to the file beside the store, whatever keyring the machine has.
process.env.INVLOG_KEYRING = "off";
const SECRET = "e2e-shared-s3cret";
const BASIC = `Basic ${Buffer.from(`M-42:${SECRET}`).toString("base64")}`;
const PRODUCTS = Array.from({ length: 1200 }, (_, i) => ({
  merchants_id: `PULL-${i}`,
  id: `P${i}`,
  name: `Pulled product ${i}`,
  inventory: {
    available: i % 7,
    in_stock: (i % 7) + 1,
    last_movement: `2026-11-2${i % 5}T10:00:00Z`,
  },
}));

let fake;
let fakeBase;
const asked = [];

before(async () => {
  fake = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    asked.push(url.pathname + url.search);
    res.setHeader("Content-Type", "application/json");
    if (req.headers.authorization !== BASIC) {
      res.statusCode = 401;
      res.end('{"error":"invalid credentials"}');
      return;
    }
    const after = url.searchParams.get("after") ?? "";
    const offset = Number(url.searchParams.get("offset"));
    const limit = Number(url.searchParams.get("limit"));
    const all = PRODUCTS.filter((p) => p.inventory.last_movement >= after);
    const page = all.slice(offset, offset + limit);
    res.end(
      JSON.stringify({
        total_count: all.length,
        offset,
        count: page.length,
        products: page,
      }),
    );
  });
  await new Promise((r) => fake.listen(0, "127.0.0.1", r));
  fakeBase = `http://127.0.0.1:${fake.address().port}/`;
});
after(() => fake?.close());

withSeededServer();

test("add a connection, a refused secret says so, Pull now brings its rows and its pull into the history", async () => {
  const { page, context } = await openPage(browser, server.url);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page
    .locator("output.count")
    .filter({ hasText: /entries/ })
    .waitFor();
  const before = await shownCount(page);
  await page.getByRole("button", { name: "Connections" }).click();
  const panel = page.getByRole("dialog", { name: "Connections" });
  const form = panel.getByRole("form", { name: "New connection" });
  await form
    .getByRole("combobox", { name: "Pulls from" })
    .selectOption("logitrail");
  await form.getByRole("textbox", { name: "Name" }).fill("Warehouse");
  await form.getByRole("textbox", { name: "Base URL" }).fill(fakeBase);
  await form.getByRole("textbox", { name: "Merchant id" }).fill("42");
  await form
    .getByLabel("Shared secret", { exact: true })
    .fill("not-the-secret");
  await form.getByLabel("First pull from").fill("2026-11-01");
  await screenshots(page, "connections-add");
  await form.getByRole("button", { name: "Add connection" }).click();

  const card = panel.getByRole("region", { name: "Connection Warehouse" });
  await card.getByText("Never pulled").waitFor();
  await card.getByRole("button", { name: "Test" }).click();
  const port = fake.address().port;
  await card
    .getByText(
      `Test failed: the credentials were refused by 127.0.0.1:${port} (HTTP 401)`,
    )
    .waitFor();
  await card.getByRole("button", { name: "Pull now" }).click();
  await card
    .getByRole("status", { name: "Last pull of Warehouse" })
    .getByText(/Failed: the credentials were refused by 127\.0\.0\.1/)
    .waitFor();
  await screenshots(page, "connections-refused");

  await card.getByRole("button", { name: "Edit" }).click();
  const edit = panel.getByRole("form", { name: "Edit Warehouse" });
  await edit.getByLabel("Shared secret", { exact: true }).fill(SECRET);
  await edit.getByRole("button", { name: "Save" }).click();
  await card.getByRole("button", { name: "Test" }).click();
  await card.getByText("Test: connected: 1200 products").waitFor();
  await card.getByRole("button", { name: "Pull now" }).click();
  await card
    .getByRole("status", { name: "Last pull of Warehouse" })
    .getByText("Pulled 1,200 new, 0 updated, 0 errors")
    .waitFor();
  const paged = asked.filter((a) => a.includes("limit=500"));
  assert.ok(
    paged.some((a) => a.includes("offset=1000")),
    `three pages asked: ${paged.join(" ")}`,
  );
  await screenshots(page, "connections-pulled");
  await page.setViewportSize({ width: 1024, height: 700 });
  await screenshots(page, "connections-pulled-1024");
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.keyboard.press("Escape");
  await waitForCount(page, before + 1200);

  // The pull is in the import history, named for its connection, with its counts.
  await page.getByRole("button", { name: "History" }).click();
  const history = page.getByRole("dialog", { name: /Import history/ });
  const row = history.getByRole("row", { name: /Warehouse/ }).first();
  await row.waitFor();
  assert.match(await row.innerText(), /1,200/);
  await page.keyboard.press("Escape");

  // The same counts reach the CLI, and the secret is nowhere in the store.
  // (Asynchronously: the fake server answers from this same process.)
  const { stdout } = await promisify(execFile)(invlog, [
    "--db",
    server.db,
    "pull",
    "--json",
  ]);
  const again = JSON.parse(stdout);
  assert.equal(again[0].connection, "Warehouse");
  assert.equal(again[0].new, 0);
  assert.equal(again[0].existing > 0, true);
  const bytes = readFileSync(server.db);
  assert.equal(bytes.includes(Buffer.from(SECRET)), false);
  await context.close();
});
