// Kit logs, the SKU stock chart and the event timeline, in Debian's Chromium against a real
// `invlog serve` seeded with every example log (the Ordoro gift box kit and its components).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  browser,
  openPage,
  screenshots,
  server,
  shownCount,
  waitForCount,
  withSeededServer,
} from "./harness.mjs";

withSeededServer();

test("a kit log: components merged in time order with colour chips, events widened, availability charted, exported with its component column", async () => {
  const { page, grid } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const everything = await shownCount(page);

  await page.getByRole("button", { name: "Kits", exact: true }).click();
  const kits = page.getByRole("dialog", { name: "Kits" });
  const card = kits.getByRole("region", { name: "Kit KIT-GIFTBOX" });
  await card.getByText("SKU-00903").waitFor();
  assert.equal(await card.getByRole("row").count(), 4, "three components");
  await screenshots(page, "kits-dialog");
  await card.getByRole("button", { name: "Open kit log" }).click();

  const expected = server.cli("kit-log", "KIT-GIFTBOX", "--json");
  assert.ok(expected.total > 0);
  await waitForCount(page, expected.total);
  const bar = page.getByRole("region", { name: "Kit log of KIT-GIFTBOX" });
  await bar.getByText("SKU-00902").waitFor();
  const headers = await grid.getByRole("columnheader").allTextContents();
  assert.match(headers[0], /^Component/);
  assert.match(headers[1], /^Running On Hand/);
  // A kit log is about quantities: the Quantity column is there though the table hid it.
  assert.match(headers[2], /^Quantity/);

  // Rows oldest first, each component with its own colour, the same on every row.
  const rows = grid.getByRole("row");
  await rows.nth(1).waitFor();
  const shown = await rows.evaluateAll((rs) =>
    rs.slice(1).map((r) => {
      const chip = r.querySelector(".component-chip");
      return {
        sku: chip?.textContent,
        colour: chip?.querySelector("i")?.style.background,
      };
    }),
  );
  assert.deepEqual(
    shown.map((r) => r.sku),
    expected.rows.slice(0, shown.length).map((r) => r.component_sku),
  );
  const colourOf = new Map();
  for (const r of shown) {
    assert.ok(r.colour, `${r.sku} has a colour`);
    if (colourOf.has(r.sku)) assert.equal(colourOf.get(r.sku), r.colour);
    colourOf.set(r.sku, r.colour);
  }
  assert.ok(colourOf.size >= 2, "rows of several components");
  assert.equal(
    new Set(colourOf.values()).size,
    colourOf.size,
    "one colour per component",
  );

  // Availability: the last step is what the bar says, and the chart is drawn.
  const last = expected.availability.at(-1).available;
  await bar
    .getByText(`${last} ${last === 1 ? "kit" : "kits"} available`)
    .waitFor();
  await page
    .getByRole("img", { name: "Kits available over time" })
    .locator("canvas")
    .waitFor();
  // The timeline counts the kit log, not the view it was opened from.
  await page
    .getByRole("region", { name: "Event timeline" })
    .getByText(`${expected.total} in all`)
    .waitFor();
  await screenshots(page, "kit-log");

  // Every event type of the components.
  await bar.getByRole("combobox").selectOption("all");
  const all = server.cli("kit-log", "KIT-GIFTBOX", "--events", "all", "--json");
  assert.ok(all.total > expected.total);
  await waitForCount(page, all.total);

  // Export: the component column comes along, the rows are the kit log's.
  await page.getByRole("button", { name: "Export…" }).click();
  const dialog = page.getByRole("dialog", { name: "Export the view" });
  await dialog.getByRole("radio", { name: "CSV" }).check();
  const path = join(server.dir, "kit.csv");
  await dialog.getByRole("textbox", { name: "Save as" }).fill(path);
  await dialog.getByRole("button", { name: /^Export \d+ rows$/ }).click();
  await page
    .getByRole("region", { name: "Exports" })
    .getByText("Exported kit.csv")
    .waitFor();
  const lines = readFileSync(path, "utf8").slice(1).trimEnd().split("\r\n");
  assert.match(lines[0], /^Component SKU,Running On Hand,Quantity,/);
  assert.equal(lines.length, all.total + 1);
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(",")[0]),
    all.rows.map((r) => r.component_sku),
  );

  // Back to the whole log.
  await bar.getByRole("button", { name: "Close kit log" }).click();
  await waitForCount(page, everything);
  assert.doesNotMatch(
    (await grid.getByRole("columnheader").allTextContents()).join(","),
    /Component/,
  );
});

test("kits are edited in the Kits list: create, add a component, change a quantity, remove one", async () => {
  const { page } = await openPage(browser, server.url);
  await page.getByRole("button", { name: "Kits", exact: true }).click();
  const kits = page.getByRole("dialog", { name: "Kits" });
  await kits.getByRole("textbox", { name: "New kit SKU" }).fill("KIT-DUO");
  await kits
    .getByRole("textbox", { name: "Its first component" })
    .fill("SKU-00901");
  await kits.getByRole("button", { name: "Create kit" }).click();
  const card = kits.getByRole("region", { name: "Kit KIT-DUO" });
  await card
    .getByRole("textbox", { name: "New component of KIT-DUO" })
    .fill("SKU-00903");
  await card.getByRole("button", { name: "Add component" }).click();
  await card.getByText("SKU-00903").waitFor();
  const q = card.getByRole("spinbutton", {
    name: "Quantity of SKU-00903 per kit",
  });
  await q.fill("2");
  await q.press("Enter");
  await card
    .getByRole("button", { name: "Remove SKU-00901 from KIT-DUO" })
    .click();
  await card.getByText("SKU-00901").waitFor({ state: "detached" });
  // A refused edit says why and changes nothing.
  await q.fill("0");
  await q.press("Enter");
  await kits.getByText(/must be a whole number of at least 1/).waitFor();
  const duo = server.cli("kits", "--json").find((k) => k.kit_sku === "KIT-DUO");
  assert.deepEqual(duo.components, [{ sku: "SKU-00903", quantity: 2 }]);

  // Its log, then the kit deleted from under it: back to the whole log.
  await card.getByRole("button", { name: "Open kit log" }).click();
  const bar = page.getByRole("region", { name: "Kit log of KIT-DUO" });
  await bar.waitFor();
  await bar.getByRole("button", { name: "Edit kit…" }).click();
  await card.getByRole("button", { name: "Delete kit…" }).click();
  await card.getByRole("button", { name: "Delete", exact: true }).click();
  await card.waitFor({ state: "detached" });
  await kits.getByRole("button", { name: "Close" }).click();
  await bar.waitFor({ state: "detached" });
  assert.ok(!server.cli("kits", "--json").some((k) => k.kit_sku === "KIT-DUO"));
});

test("brushing the timeline sets the date filter to the brushed buckets", async () => {
  const { page, grid } = await openPage(browser, server.url);
  await grid.getByRole("row").nth(1).waitFor();
  const before = await shownCount(page);
  const timeline = page.getByRole("region", { name: "Event timeline" });
  await timeline
    .getByText(`${before.toLocaleString("en-US")} in all`)
    .waitFor();
  await screenshots(page, "timeline");
  const over = timeline.locator(".u-over");
  await over.waitFor();
  // The restored layout's own fetches are over: the drag is on the chart that stays.
  await page.waitForLoadState("networkidle");
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, {
    steps: 5,
  });
  await page.mouse.up();
  const from = page.getByLabel("From day");
  await assert.doesNotReject(() =>
    page.waitForFunction(
      () => document.querySelector('input[aria-label="From day"]')?.value,
    ),
  );
  const fromDay = await from.inputValue();
  const toDay = await page.getByLabel("To day").inputValue();
  assert.match(fromDay, /^\d{4}-\d\d-\d\d$/);
  assert.ok(toDay >= fromDay);
  // Fewer entries, all inside the range; the timeline now shows just them.
  await page.waitForFunction(
    (n) =>
      Number(
        document
          .querySelector("output.count")
          ?.textContent?.replace(/[^\d]/g, ""),
      ) < n,
    before,
  );
  const after = await shownCount(page);
  assert.ok(after > 0 && after < before, `${after} of ${before}`);
  await timeline.getByText(`${after.toLocaleString("en-US")} in all`).waitFor();
  await screenshots(page, "timeline-brushed");
  // Hovering a bar: its range and counts beside the pointer; the head keeps the totals.
  // The chart may draw itself once more as the brushed view's answers arrive: the plot is
  // looked for again until one stays in the page.
  const replot = timeline.locator(".u-over");
  let plot = null;
  for (let tries = 0; !plot && tries < 100; tries++) {
    await replot.waitFor();
    plot = await replot.boundingBox();
  }
  await page.mouse.move(plot.x + 4, plot.y + plot.height - 4);
  const readout = timeline.getByRole("status");
  await readout.waitFor();
  assert.match(
    await readout.innerText(),
    /failed \d+\s+pending \d+\s+success \d+\s+no status \d+/,
  );
  await timeline.getByText(`${after.toLocaleString("en-US")} in all`).waitFor();
});

test("a SKU's stock history opens from its cell's context menu and from the detail drawer", async () => {
  const { page, grid } = await openPage(browser, server.url);
  // The layout the last test left (a brushed range) is kept in the store: start from all time.
  await page.getByRole("combobox", { name: "Date range" }).selectOption("all");
  await page
    .getByRole("searchbox", { name: "Search keywords" })
    .fill("SKU-00901");
  const cell = grid
    .getByRole("gridcell")
    .filter({ hasText: /^SKU-00901$/ })
    .first();
  await cell.waitFor();
  await cell.click({ button: "right" });
  const menu = page.getByRole("menu", { name: "SKU SKU-00901" });
  await menu
    .getByRole("menuitem", { name: "Stock history of SKU-00901" })
    .click();
  const dialog = page.getByRole("dialog", {
    name: "Stock history of SKU-00901",
  });
  await dialog
    .getByRole("img", { name: /on hand of SKU-00901 over time/ })
    .locator("canvas")
    .waitFor();
  const history = server.cli(
    "query",
    "--filter",
    "sku = SKU-00901",
    "--json",
    "--limit",
    "1",
  );
  await dialog.getByText(`${history.total} entries from`).waitFor();
  // The key names both lines and the event types (as words) as markers, in the app's own
  // type: no library legend with "--" placeholders.
  const legend = await dialog.getByRole("list", { name: "Key" }).innerText();
  for (const label of [
    "Available on hand",
    "Physical on hand",
    "On hand",
    "Order",
  ]) {
    assert.ok(legend.includes(label), `${label} in ${legend}`);
  }
  assert.equal(await dialog.locator(".u-legend").count(), 0);
  assert.ok(!(await dialog.innerText()).includes("--"));
  // The read-out follows the pointer: beside it, naming the entry under it.
  const plot = dialog.locator(".u-over");
  const area = await plot.boundingBox();
  const x = area.x + area.width * 0.6;
  await page.mouse.move(x, area.y + area.height / 2);
  const readout = dialog.getByRole("status");
  await readout.waitFor();
  assert.match(await readout.innerText(), /Available [\d,—]+ · Physical/);
  const near = await readout.boundingBox();
  assert.ok(
    Math.abs(near.x - x) < 60 || Math.abs(near.x + near.width - x) < 60,
    `read-out at ${near.x}..${near.x + near.width}, pointer at ${x}`,
  );
  await screenshots(page, "stock-history");
  await dialog.getByRole("button", { name: "Close" }).click();

  // From the drawer, for a failed Konnect push: red markers.
  await page.getByRole("searchbox", { name: "Search keywords" }).fill("");
  await page.getByRole("tab", { name: "Failed pushes" }).click();
  await grid.getByRole("row").nth(1).click();
  const drawer = page.getByRole("complementary", { name: "Entry details" });
  await drawer.getByRole("button", { name: "Stock history" }).click();
  const second = page.getByRole("dialog", { name: /^Stock history of / });
  await second.getByText(/failed pushes \(red\)/).waitFor();
  await screenshots(page, "stock-history-failed");
});
