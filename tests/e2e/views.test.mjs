// What a view tab keeps and what "Clear all" clears; an empty table that says what hides its
// rows; the details drawer showing the highlighted row wherever the selection goes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  browser,
  examples,
  openPage,
  screenshots,
  seededServer,
  server,
  shownCount,
  waitForCount,
  withSeededServer,
} from "./harness.mjs";

withSeededServer();

const count = (...filters) =>
  server.cli(
    "query",
    ...filters.flatMap((f) => ["--filter", f]),
    "--limit",
    "1",
    "--json",
  ).total;

/** The instant the UI filters from for a typed day (the viewer's local midnight). */
const since = (day) => {
  const [y, m, d] = day.split("-").map(Number);
  return `occurred_at >= ${new Date(y, m - 1, d).toISOString()}`;
};

test("a date range stays when another view tab is chosen; Clear all keeps the view's own filter", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const range = page.getByRole("combobox", { name: "Date range" });
  await range.selectOption("custom");
  await page.locator('input[aria-label="From day"]').fill("2025-03-05");
  const all = count(since("2025-03-05"));
  await waitForCount(page, all);

  const tabs = page.getByRole("tablist", { name: "Views" });
  await tabs.getByRole("tab", { name: "Failed pushes" }).click();
  const failed = count("status = failed", since("2025-03-05"));
  assert.ok(failed > 0 && failed < all, `${failed} of ${all}`);
  await waitForCount(page, failed);
  assert.equal(await range.inputValue(), "custom");
  assert.equal(
    await page.locator('input[aria-label="From day"]').inputValue(),
    "2025-03-05",
  );
  // The range is the window's, not a change of the view: no "•" on the tab.
  assert.equal(
    await tabs.getByRole("tab", { name: "Failed pushes" }).textContent(),
    "Failed pushes",
  );

  await page.getByRole("checkbox", { name: "Errors only" }).check();
  await waitForCount(
    page,
    count("status = failed", "error !=", since("2025-03-05")),
  );
  await screenshots(page, "view-with-added-filters");
  // By keyboard: the button goes with what it cleared, focus stays in the filter bar.
  await page.getByRole("button", { name: "Clear all" }).focus();
  await page.keyboard.press("Enter");
  await waitForCount(page, count("status = failed"));
  assert.equal(
    await page.evaluate(() =>
      document.activeElement?.getAttribute("aria-label"),
    ),
    "Date range",
  );
  const chips = page.getByRole("list", { name: "Active filters" });
  assert.deepEqual(
    (await chips.getByRole("listitem").allTextContents()).map((t) =>
      t.replace(/×$/, ""),
    ),
    ["Status is failed"],
  );
  assert.equal(await range.inputValue(), "all");
  assert.equal(
    await page.getByRole("checkbox", { name: "Errors only" }).isChecked(),
    false,
  );
  // Back at the view's own filters, there is nothing more to clear.
  assert.equal(
    await page.getByRole("button", { name: "Clear all" }).count(),
    0,
  );
  await tabs.getByRole("tab", { name: "All" }).click();
  await waitForCount(page, count());
  await page.waitForLoadState("networkidle");
  await context.close();
});

test("Custom range… chosen and left without a day goes back to the range in force", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const range = page.getByRole("combobox", { name: "Date range" });
  await range.focus();
  // (Whatever range an earlier test left in the layout goes first.)
  await range.selectOption("all");
  await range.selectOption("custom");
  await page.locator('input[aria-label="From day"]').waitFor();
  await page.getByRole("searchbox", { name: "Search keywords" }).focus();
  assert.equal(await range.inputValue(), "all");
  assert.equal(await page.locator('input[aria-label="From day"]').count(), 0);
  await context.close();
});

test("a search that hides every row says so, also when restored after a reload, and clears in one step", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const shown = await shownCount(page);
  const search = page.getByRole("searchbox", { name: "Search keywords" });
  await search.fill("zzqx-nothing");
  const empty = page.getByRole("region", { name: "No matching entries" });
  await empty
    .getByText("The search “zzqx-nothing” finds nothing here.")
    .waitFor();
  // The layout keeps the search: a reload brings it back into the same empty table.
  await page.waitForTimeout(600);
  await page.reload();
  await empty
    .getByText("The search “zzqx-nothing” finds nothing here.")
    .waitFor();
  await screenshots(page, "no-matches");
  await empty.getByRole("button", { name: "Clear the search" }).focus();
  await page.keyboard.press("Enter");
  await waitForCount(page, shown);
  assert.equal(await search.inputValue(), "");
  // Focus went to the search box, not to the page.
  assert.equal(
    await page.evaluate(() =>
      document.activeElement?.getAttribute("aria-label"),
    ),
    "Search keywords",
  );
  await context.close();
});

/** A Konnect export of `n` rows, one SKU each, a minute apart. */
function konnect(n) {
  const lines = [
    "Seller Identifier,Channel & Account,Location Code,Inventory Sent,Updated On,Status",
  ];
  for (let i = 0; i < n; i++) {
    const at = new Date(Date.UTC(2025, 2, 1, 0, i)).toISOString();
    lines.push(
      `SKU-${String(i).padStart(4, "0")},Amazon / Amazon-Delhi,WH01,${i},${at.slice(0, 10)} ${at.slice(11, 19)},Success`,
    );
  }
  return lines.join("\n") + "\n";
}

test("the details drawer follows the selection to the last row of a big view (End)", async () => {
  const big = await seededServer({ seed: false });
  try {
    const file = join(big.dir, "big.csv");
    writeFileSync(file, konnect(1500));
    big.cli("import", file, "--json");
    const { page, grid, context } = await openPage(browser, big.url);
    const first = grid.getByRole("row").nth(1);
    await first.getByRole("gridcell").first().waitFor();
    await first.click();
    const details = page.getByRole("complementary", { name: "Entry details" });
    const product = details.getByRole("region", { name: "Product" });
    // Newest first: the first row is the last SKU, the last row the first.
    await product.getByText("SKU-1499", { exact: true }).waitFor();
    await grid.focus();
    await page.keyboard.press("End");
    const selected = grid.locator('[role="row"][aria-selected="true"]');
    assert.equal(await selected.getAttribute("aria-rowindex"), "1501");
    await selected.getByText("SKU-0000").waitFor();
    await product.getByText("SKU-0000", { exact: true }).waitFor();
    await page.keyboard.press("Home");
    await product.getByText("SKU-1499", { exact: true }).waitFor();
    await context.close();
  } finally {
    big.close();
  }
});

test("a Xoro store opens on Xoro's columns; the failure views add why it failed", async () => {
  const xoro = await seededServer({ seed: false });
  try {
    xoro.cli("import", join(examples, "xoro-amazon-logs.csv"), "--json");
    const { page, grid, context } = await openPage(browser, xoro.url);
    await grid.getByRole("row").nth(1).getByRole("gridcell").first().waitFor();
    const headers = () =>
      grid
        .getByRole("columnheader")
        .evaluateAll((hs) =>
          hs.map((h) => h.textContent.replace(/[▲▼\d]/g, "").trim()),
        );
    const opened = await headers();
    for (const label of ["Tab", "Sync Type", "Error", "Resolved"]) {
      assert.ok(opened.includes(label), `${label} in ${opened.join(", ")}`);
    }
    for (const label of ["Inventory Sent", "Channel", "Location Code"]) {
      assert.ok(
        !opened.includes(label),
        `${label} not in ${opened.join(", ")}`,
      );
    }
    await screenshots(page, "xoro-columns");
    const tabs = page.getByRole("tablist", { name: "Views" });
    await tabs.getByRole("tab", { name: "Errors" }).click();
    await grid
      .getByRole("columnheader", { name: /Last Retry Details/ })
      .waitFor();
    await tabs.getByRole("tab", { name: "All" }).click();
    await grid
      .getByRole("columnheader", { name: /Last Retry Details/ })
      .waitFor({ state: "detached" });
    assert.deepEqual(await headers(), opened);
    await context.close();
  } finally {
    xoro.close();
  }
});
