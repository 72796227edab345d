// Failures and Stock check, in Debian's Chromium against a real `invlog serve` seeded with every
// example log: a group opens exactly its rows (as many as the CLI counts) and resolves; "stale
// only" lists the pairs the CLI lists.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  browser,
  openPage,
  screenshots,
  server,
  waitForCount,
  withSeededServer,
} from "./harness.mjs";

withSeededServer();

test("Failures: the biggest group opens exactly its rows and resolves with a note", async () => {
  const { page, grid } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const groups = server.cli("failures", "--json");
  assert.ok(groups.length >= 2, "the examples fail in more than one way");
  const biggest = groups[0];
  const rows = server.cli(
    "query",
    "--filter",
    `error_signature = ${biggest.signature}`,
    "--limit",
    "1000",
    "--json",
  );
  assert.equal(rows.total ?? rows.rows.length, biggest.count);

  await page.getByRole("button", { name: "Failures", exact: true }).click();
  const panel = page.getByRole("dialog", { name: "Failures" });
  const table = panel.getByRole("table", { name: "Failure groups" });
  await table
    .getByRole("button", { name: biggest.signature, exact: true })
    .waitFor();
  const total = groups.reduce((n, g) => n + g.count, 0);
  await panel
    .getByRole("status")
    .filter({ hasText: `${total} failures in ${groups.length} groups` })
    .waitFor();
  await page.setViewportSize({ width: 1440, height: 900 });
  await screenshots(page, "failures-1440");
  await page.setViewportSize({ width: 1024, height: 700 });
  await screenshots(page, "failures-1024");
  await page.setViewportSize({ width: 1400, height: 760 });

  // Resolve the group with a note, by keyboard.
  await table
    .getByRole("button", { name: `Resolve ${biggest.signature}` })
    .focus();
  await page.keyboard.press("Enter");
  await page.keyboard.type("Channel was down; pushed again");
  await page.keyboard.press("Enter");
  await table
    .getByRole("button", { name: `Resolve ${biggest.signature}` })
    .and(page.locator(":disabled"))
    .waitFor();
  const after = server.cli("failures", "--json");
  assert.equal(
    after.find((g) => g.signature === biggest.signature).unresolved,
    0,
  );

  await table
    .getByRole("button", { name: biggest.signature, exact: true })
    .click();
  await panel.waitFor({ state: "detached" });
  await waitForCount(page, biggest.count);
  const chip = page.getByRole("button", { name: /Error Signature/ }).first();
  assert.ok(await chip.count(), "the filter is a chip like any other");
});

test("Stock check: stale only lists the pairs the CLI lists, and a pair opens its entries", async () => {
  const { page, grid } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const stale = server.cli("stock-check", "--stale", "--json");
  assert.ok(stale.length > 0);
  await page.getByRole("button", { name: "Stock check", exact: true }).click();
  const panel = page.getByRole("dialog", { name: "Stock check" });
  const table = panel.getByRole("table", { name: "SKU × channel pairs" });
  await table.getByRole("row").nth(1).waitFor();
  await panel.getByRole("checkbox", { name: "Stale only" }).check();
  await panel
    .getByRole("status")
    .filter({ hasText: new RegExp(`^${stale.length} of `) })
    .waitFor();
  const shown = await table.locator("tbody tr").count();
  assert.equal(shown, stale.length);
  for (const [i, want] of stale.entries()) {
    const cells = await table
      .locator("tbody tr")
      .nth(i)
      .locator("td")
      .allInnerTexts();
    assert.equal(cells[0].split("\n")[0], want.sku);
    assert.ok(
      cells[1].startsWith(want.account ?? want.channel),
      `${cells[1]} vs ${want.account}`,
    );
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await screenshots(page, "stock-check-1440");
  await page.setViewportSize({ width: 1024, height: 700 });
  await screenshots(page, "stock-check-1024");
  await page.setViewportSize({ width: 1400, height: 760 });

  const first = stale[0];
  const entries = server.cli(
    "query",
    "--filter",
    `sku = ${first.sku}`,
    "--filter",
    `account = ${first.account}`,
    ...(first.location_code
      ? ["--filter", `location_code = ${first.location_code}`]
      : []),
    ...(first.channel ? ["--filter", `channel = ${first.channel}`] : []),
    "--json",
  );
  await table
    .getByRole("button", {
      name: `Entries of ${first.sku} on ${first.account}`,
    })
    .first()
    .click();
  await panel.waitFor({ state: "detached" });
  await waitForCount(page, entries.total ?? entries.rows.length);
});
