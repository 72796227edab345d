// A custom date range typed with the keyboard: the filter waits for a whole day, never
// applying the years a date field reports while its year is typed (0002, 0020, 0202).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  browser,
  openPage,
  watchCommands,
  screenshots,
  server,
  shownCount,
  waitForCount,
  withSeededServer,
} from "./harness.mjs";

withSeededServer();

test("typing a From day applies it only once the year is whole", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const all = server.cli("query", "--limit", "1", "--json").total;
  await waitForCount(page, all);
  await page
    .getByRole("combobox", { name: "Date range" })
    .selectOption("custom");
  const from = page
    .getByRole("textbox", { name: "From day" })
    .or(page.locator('input[aria-label="From day"]'));
  await from.first().focus();
  // Month, day, then the year digit by digit, as a person types 03/05/2025.
  // Every date the UI asks the backend to filter on.
  const asked = [];
  watchCommands(page, (body) => {
    for (const m of body.matchAll(/"(\d{4,6})-\d\d-\d\dT[^"]*"/g))
      asked.push(m[0]);
  });
  await page.keyboard.type("0305202", { delay: 30 });
  await page.waitForTimeout(300);
  assert.equal(
    await shownCount(page),
    all,
    "a partly typed year filters nothing",
  );
  await page.keyboard.type("5");
  const since = server.cli(
    "query",
    "--filter",
    `occurred_at >= ${new Date(2025, 2, 5).toISOString()}`,
    "--limit",
    "1",
    "--json",
  ).total;
  assert.ok(since > 0 && since < all, `${since} of ${all}`);
  await waitForCount(page, since);
  const years = asked.map((d) => Number(d.slice(1, 5)));
  assert.ok(years.length > 0 && years.every((y) => y >= 2025), asked.join(" "));
  await screenshots(page, "typed-date-range");

  // Leaving the field half-typed puts back the day in force.
  await from.first().focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.type("19");
  // (Tab moves between the field's own parts; the field is left when focus goes elsewhere.)
  await page.getByRole("searchbox", { name: "Search keywords" }).focus();
  assert.equal(await from.first().inputValue(), "2025-03-05");
  await waitForCount(page, since);
  await context.close();
});
