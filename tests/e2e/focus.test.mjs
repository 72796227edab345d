// Focus that a keyboard user can rely on: a dialog opens on its field (a space typed there
// stays in it) and gives focus back to what opened it; a popover takes focus when it opens and
// closes on Escape wherever focus is, and on a click outside.
import { test } from "node:test";
import assert from "node:assert/strict";
import { browser, openPage, server, withSeededServer } from "./harness.mjs";

withSeededServer();

const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    return `${e?.tagName} ${e?.getAttribute("aria-label") ?? e?.textContent?.trim() ?? ""}`;
  });

test("a dialog opens on its field and gives focus back when it closes", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await page.getByRole("tab", { name: "Unresolved" }).click();
  await grid.getByRole("row").nth(1).click();
  const drawer = page.getByRole("complementary", { name: "Entry details" });
  const mark = drawer.getByRole("button", { name: "Mark resolved…" });
  await mark.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Mark resolved" });
  await dialog.waitFor();
  assert.match(await focused(page), /^TEXTAREA/);
  await page.keyboard.type("fixed it in the ERP");
  assert.ok(
    await dialog.isVisible(),
    "a space typed in the note keeps the dialog open",
  );
  assert.equal(
    await dialog.getByRole("textbox").inputValue(),
    "fixed it in the ERP",
  );
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.equal(await focused(page), "BUTTON Mark resolved…");
  await context.close();
});

test("a popover takes focus, and closes on Escape anywhere and on a click outside", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const add = page.getByRole("button", { name: "+ Add filter" });
  await add.click();
  const panel = page.getByRole("dialog", { name: "Add a filter" });
  await panel.waitFor();
  assert.ok(
    await panel.evaluate((p) => p.contains(document.activeElement)),
    "focus is in the panel",
  );
  // Focus elsewhere (the page's search box), then Escape: the panel still closes.
  await page.getByRole("searchbox", { name: "Search keywords" }).focus();
  await page.keyboard.press("Escape");
  await panel.waitFor({ state: "detached" });

  await add.click();
  await panel.waitFor();
  await grid.getByRole("row").nth(2).click();
  await panel.waitFor({ state: "detached" });
  await context.close();
});

test("view tabs follow the arrow keys as one tab stop", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const tabs = page.getByRole("tablist", { name: "Views" });
  const all = tabs.getByRole("tab", { name: "All" });
  await all.click();
  assert.deepEqual(
    await tabs
      .getByRole("tab")
      .evaluateAll((ts) => ts.map((t) => t.getAttribute("tabindex"))),
    ["0", "-1", "-1", "-1", "-1", "-1"],
  );
  await page.keyboard.press("ArrowRight");
  assert.equal(await focused(page), "BUTTON Failed pushes");
  assert.equal(
    await tabs
      .getByRole("tab", { name: "Failed pushes" })
      .getAttribute("aria-selected"),
    "true",
  );
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await focused(page), "BUTTON Unresolved");
  await page.keyboard.press("Home");
  assert.equal(await focused(page), "BUTTON All");
  assert.equal(await all.getAttribute("aria-selected"), "true");
  await context.close();
});

test("the window is a fixed frame, and tabbing through the headers leaves the table where it was", async () => {
  const context = await browser.newContext({
    viewport: { width: 1024, height: 700 },
  });
  const page = await context.newPage();
  await page.goto(server.url);
  const grid = page.getByRole("grid", { name: "Inventory log" });
  await grid.getByRole("row").nth(1).getByRole("gridcell").first().waitFor();
  const pageHeight = () =>
    page.evaluate(() => document.documentElement.scrollHeight);
  await grid.getByRole("row").nth(2).click();
  await page
    .getByRole("complementary", { name: "Entry details" })
    .getByRole("heading", { level: 2 })
    .waitFor();
  assert.equal(
    await pageHeight(),
    700,
    "only the drawer scrolls, not the page",
  );
  await page.keyboard.press("Escape");

  const headers = grid.getByRole("columnheader");
  await headers.first().getByRole("button").first().focus();
  const count = await headers.count();
  for (let i = 1; i < count; i++) await page.keyboard.press("Tab");
  // The last header is in view: the table scrolled sideways to show it.
  assert.ok((await grid.evaluate((g) => g.scrollLeft)) > 0);
  await page.getByRole("searchbox", { name: "Search keywords" }).focus();
  assert.equal(await grid.evaluate((g) => g.scrollLeft), 0);
  await context.close();
});

test("removing a filter chip leaves focus on the next chip, then on Add filter", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  await page.getByRole("checkbox", { name: "Errors only" }).check();
  await page
    .getByRole("combobox", { name: "Resolved" })
    .selectOption({ index: 2 });
  const chips = page.getByRole("list", { name: "Active filters" });
  await chips.getByRole("listitem").nth(1).waitFor();
  const count = await chips.getByRole("listitem").count();
  await chips.getByRole("button").first().focus();
  await page.keyboard.press("Enter");
  await chips
    .getByRole("listitem")
    .nth(count - 2)
    .waitFor();
  assert.match(await focused(page), /^BUTTON Remove filter: /);
  for (let left = count - 1; left > 0; left--)
    await page.keyboard.press("Enter");
  await chips.getByRole("listitem").first().waitFor({ state: "detached" });
  assert.equal(await focused(page), "BUTTON + Add filter");
  await context.close();
});
