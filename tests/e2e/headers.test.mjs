// Column headers that explain themselves and fit: the app's own tooltip with the sources'
// names, columns found by those names, sort marks that survive truncation, an edge that fits
// its content on double-click, and no empty band at the right of a narrow table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  browser,
  examples,
  openPage,
  seededServer,
  server,
  withSeededServer,
} from "./harness.mjs";

withSeededServer();

/** Shows a column through the picker, found by a source's name for it. */
async function showColumn(page, query, label) {
  await page.getByRole("button", { name: /^Columns/ }).click();
  await page.getByRole("searchbox", { name: "Find a column" }).fill(query);
  const box = page.getByRole("checkbox", { name: new RegExp(`^${label}`) });
  assert.equal(await box.count(), 1, `${query} finds ${label}`);
  if (!(await box.isChecked())) await box.check();
  await page.keyboard.press("Escape");
}

test("a header's tooltip is the app's own: description and the sources' names, at once", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  await showColumn(page, "order ref#", "Event ID");
  const header = page.getByRole("columnheader", { name: "Event ID" });
  await header.hover();
  const tip = page.getByRole("tooltip");
  await tip.waitFor({ timeout: 500 });
  const text = await tip.innerText();
  assert.match(text, /reference of the event/);
  assert.match(text, /Xoro: Order Ref#/);
  assert.equal(
    await header.getAttribute("title"),
    null,
    "no browser tooltip as well",
  );
  await page.mouse.move(5, 5);
  await tip.waitFor({ state: "detached" });
  // The keyboard gets it too: focus on the header's button describes it.
  await header.getByRole("button").focus();
  assert.match(await page.getByRole("tooltip").innerText(), /Order Ref#/);
  assert.equal(
    await header.getByRole("button").getAttribute("aria-describedby"),
    "column-tip",
  );
  await context.close();
});

test("Add filter finds a column by what its source calls it", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  await page.getByRole("button", { name: "+ Add filter" }).click();
  await page
    .getByRole("searchbox", { name: "Find a column" })
    .fill("order ref");
  const column = page.getByRole("combobox", { name: "Column" });
  assert.equal(await column.inputValue(), "event_id");
  assert.deepEqual(await column.locator("option").allInnerTexts(), [
    "Event ID (Xoro: Order Ref#)",
  ]);
  await context.close();
});

test("a narrow header keeps its sort mark; double-clicking its edge fits the cells", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const header = page.getByRole("columnheader", { name: "Product Name" });
  const edge = page.getByRole("separator", { name: "Resize Product Name" });
  const box = await edge.boundingBox();
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x - 140, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await header.getByRole("button").click();
  await page.waitForFunction(() =>
    document
      .querySelector('[role="columnheader"][aria-sort="ascending"] .sort-mark')
      ?.textContent?.includes("▲"),
  );
  const within = await header.evaluate((h) => {
    const mark = h.querySelector(".sort-mark").getBoundingClientRect();
    const head = h.getBoundingClientRect();
    const label = h.querySelector(".sort-label");
    return {
      shown: mark.width > 0 && mark.right <= head.right,
      truncated: label.scrollWidth > label.clientWidth,
    };
  });
  assert.deepEqual(within, { shown: true, truncated: true });

  const cut = () =>
    grid.evaluate((g) => {
      const cells = [
        ...g.querySelectorAll('[role="gridcell"][data-col="product_name"]'),
      ];
      return cells
        .filter((c) => c.scrollWidth > c.clientWidth)
        .map((c) => c.textContent);
    });
  // Rows that have a (long) product name.
  await page.getByRole("searchbox", { name: /Search/ }).fill("Puikula");
  await grid
    .getByRole("row", { name: /Puikula/ })
    .first()
    .waitFor();
  const before = await cut();
  assert.ok(before.length > 0, "the narrowed column cuts some names");
  // A cut-off cell offers its whole value on hover.
  const cell = grid.locator('[role="gridcell"][data-col="product_name"]', {
    hasText: before[0],
  });
  await cell.first().hover();
  assert.equal(await cell.first().getAttribute("title"), before[0]);

  await edge.dblclick();
  await page.waitForFunction(() => {
    const cells = document.querySelectorAll(
      '[role="gridcell"][data-col="product_name"]',
    );
    return [...cells].every((c) => c.scrollWidth <= c.clientWidth);
  });
  assert.deepEqual(await cut(), []);
  await context.close();
});

test("a store of few columns uses the table's whole width", async () => {
  const xoro = await seededServer({ seed: false });
  try {
    xoro.cli("import", join(examples, "xoro-amazon-logs.csv"), "--json");
    const { page, grid, context } = await openPage(browser, xoro.url);
    await grid.getByRole("row").nth(1).waitFor();
    const fit = await grid.evaluate((g) => ({
      room: g.clientWidth,
      row: g.querySelector(".grid-header").getBoundingClientRect().width,
      scrolls: g.scrollWidth > g.clientWidth,
    }));
    assert.equal(fit.scrolls, false);
    assert.ok(Math.abs(fit.room - fit.row) <= 1, JSON.stringify(fit));
    await context.close();
  } finally {
    xoro.close();
  }
});
