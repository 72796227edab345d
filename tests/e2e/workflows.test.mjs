// Importing through the UI (file chooser, drop, Ordoro's SKU, progress, history), the view
// tabs, "add filter" and the keyboard, in Debian's Chromium against a real `invlog serve`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  api,
  browser,
  examples,
  openPage,
  watchCommands,
  screenshots,
  seededServer,
  withBrowser,
} from "./harness.mjs";

withBrowser();

test("import files through the UI: the chooser, Ordoro's SKU, progress, the rows, the history", async () => {
  const server = await seededServer({ seed: false });
  try {
    // An Ordoro export whose name does not carry the SKU: the dialog must ask for it.
    const ordoro = join(server.dir, "ordoro-export.csv");
    copyFileSync(join(examples, "inventory-log-SKU-00901.csv"), ordoro);
    const notes = join(server.dir, "notes.csv");
    writeFileSync(notes, "hello,world\n1,2\n");

    const { page, grid, context } = await openPage(browser, server.url);
    await page.getByRole("heading", { name: "No logs yet" }).waitFor();
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Import files…" }).click();
    await (
      await chooser
    ).setFiles([ordoro, notes, join(examples, "konnect-inventory-logs.csv")]);

    const dialog = page.getByRole("dialog", { name: "Import logs" });
    const format = dialog.getByRole("combobox", {
      name: "Format of ordoro-export.csv",
    });
    await format.waitFor();
    assert.equal(await format.inputValue(), "ordoro");
    assert.equal(
      await dialog
        .getByRole("combobox", { name: "Format of notes.csv" })
        .inputValue(),
      "",
    );
    // What the unknown file holds, in words; the list of formats is the select beside it.
    await dialog
      .getByText(
        "Not a log Invlog knows: headers seen: hello, world. If it is one of the formats listed, choose it.",
      )
      .waitFor();
    await dialog.getByText("Ordoro logs need the product's SKU").waitFor();
    await dialog.getByText("2 files will be skipped").waitFor();
    await screenshots(page, "import-dialog");
    await dialog
      .getByRole("textbox", { name: "SKU of ordoro-export.csv" })
      .fill("SKU-00901");
    await dialog.getByText("1 file will be skipped").waitFor();
    await dialog.getByRole("button", { name: "Import 2 files" }).click();

    const tray = page.getByRole("region", { name: "Imports" });
    await tray.getByText("Imported ordoro-export.csv").waitFor();
    await tray.getByText("Imported konnect-inventory-logs.csv").waitFor();
    const ordoroRows = server.cli(
      "query",
      "--filter",
      "sku = SKU-00901",
      "--limit",
      "1",
      "--json",
    ).total;
    assert.ok(ordoroRows > 0);
    const total = server.cli("query", "--limit", "1", "--json").total;
    assert.equal(total, ordoroRows + 12);
    await page.getByText(`${total} entries`).waitFor();
    await grid.getByRole("row").nth(1).getByRole("gridcell").first().waitFor();
    await screenshots(page, "import-done");

    await tray.getByRole("button", { name: "Import history" }).click();
    const history = page.getByRole("dialog", { name: "Import history" });
    const files = history.getByRole("table", { name: "Imported files" });
    await files
      .getByRole("cell", { name: "ordoro-export.csv", exact: true })
      .waitFor();
    await files
      .getByRole("cell", { name: "konnect-inventory-logs.csv", exact: true })
      .waitFor();
    await screenshots(page, "import-history");
    await history.getByRole("button", { name: "Close" }).click();

    // Dropping a file on the window imports it the same way (the browser uploads it first).
    const bytes = readFileSync(join(examples, "xoro-amazon-logs.csv"), "utf8");
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.items.add(
        new File([text], "xoro-amazon-logs.csv", { type: "text/csv" }),
      );
      const main = document.querySelector("main");
      main.dispatchEvent(
        new DragEvent("dragover", {
          dataTransfer: data,
          bubbles: true,
          cancelable: true,
        }),
      );
      main.dispatchEvent(
        new DragEvent("drop", {
          dataTransfer: data,
          bubbles: true,
          cancelable: true,
        }),
      );
    }, bytes);
    const drop = page.getByRole("dialog", { name: "Import logs" });
    assert.equal(
      await drop
        .getByRole("combobox", { name: "Format of xoro-amazon-logs.csv" })
        .inputValue(),
      "xoro",
    );
    await drop.getByRole("button", { name: "Import 1 file" }).click();
    await tray.getByText("Imported xoro-amazon-logs.csv").waitFor();
    await page.getByText(`${total + 10} entries`).waitFor();
    await context.close();
  } finally {
    server.close();
  }
});

test("a running import shows its progress and can be cancelled, leaving nothing behind", async () => {
  const server = await seededServer({ seed: false });
  try {
    // A Konnect log large enough to be caught running: the example's rows, repeated.
    const [header, ...rows] = readFileSync(
      join(examples, "konnect-inventory-logs.csv"),
      "utf8",
    )
      .trimEnd()
      .split("\n");
    const big = join(server.dir, "konnect-big.csv");
    const lines = [header];
    for (let i = 0; lines.length <= 300_000; i++)
      lines.push(rows[i % rows.length].replace(/B0000\d\d/, `B${i}`));
    writeFileSync(big, lines.join("\n") + "\n");

    const { page, context } = await openPage(browser, server.url);
    await page.getByRole("heading", { name: "No logs yet" }).waitFor();
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Import files…" }).click();
    await (await chooser).setFiles([big]);
    await page
      .getByRole("dialog", { name: "Import logs" })
      .getByRole("button", { name: "Import 1 file" })
      .click();
    const tray = page.getByRole("region", { name: "Imports" });
    const progress = tray.getByRole("progressbar", {
      name: "Progress of konnect-big.csv",
    });
    await progress.waitFor();
    await tray.getByText(/[\d,]+ rows read/).waitFor();
    await screenshots(page, "import-progress");
    await tray
      .getByRole("button", { name: "Cancel import of konnect-big.csv" })
      .click();
    await tray.getByText("Cancelled konnect-big.csv").waitFor();
    await tray
      .getByText("Cancelled: the file being imported was left out entirely.")
      .waitFor();
    assert.equal(server.cli("query", "--limit", "1", "--json").total, 0);
    assert.deepEqual(server.cli("imports", "--json"), []);
    await page.getByRole("heading", { name: "No logs yet" }).waitFor();
    await context.close();
  } finally {
    server.close();
  }
});

test("a view tab filters like the CLI; a saved view comes back after a reload", async () => {
  const server = await seededServer();
  try {
    const failed = server.cli(
      "query",
      "--filter",
      "status = failed",
      "--limit",
      "1",
      "--json",
    ).total;
    const { page, grid, context } = await openPage(browser, server.url);
    await grid.getByRole("row").nth(1).waitFor();
    const tabs = page.getByRole("tablist", { name: "Views" });
    assert.deepEqual(await tabs.getByRole("tab").allTextContents(), [
      "All",
      "Failed pushes",
      "Orders",
      "Inventory",
      "Errors",
      "Unresolved",
    ]);
    await tabs.getByRole("tab", { name: "Failed pushes" }).click();
    await page.getByText(`${failed} entries`).waitFor();
    assert.equal(
      await tabs
        .getByRole("tab", { name: "Failed pushes" })
        .getAttribute("aria-selected"),
      "true",
    );

    // Narrow it further with "add filter", then save it under a name.
    const bar = page.getByRole("toolbar", { name: "Filters" });
    await bar.getByRole("button", { name: "+ Add filter" }).click();
    const form = page.getByRole("dialog", { name: "Add a filter" });
    await form
      .getByRole("combobox", { name: "Column" })
      .selectOption("channel");
    await form.getByRole("combobox", { name: "Condition" }).selectOption("eq");
    await form.getByRole("textbox", { name: "Value" }).fill("Amazon");
    await form.getByRole("button", { name: "Add filter" }).click();
    const narrowed = server.cli(
      "query",
      "--filter",
      "status = failed",
      "--filter",
      "channel = Amazon",
      "--limit",
      "1",
      "--json",
    ).total;
    await page
      .getByText(`${narrowed} ${narrowed === 1 ? "entry" : "entries"}`)
      .waitFor();
    await bar
      .getByRole("button", { name: "Remove filter: Channel is Amazon" })
      .waitFor();
    await screenshots(page, "views");

    await page.getByRole("button", { name: "Save view…" }).click();
    const save = page.getByRole("dialog", { name: "Save view" });
    await save.getByRole("textbox", { name: "Name" }).fill("Amazon failures");
    await save.getByRole("button", { name: "Save" }).click();
    await tabs.getByRole("tab", { name: "Amazon failures" }).waitFor();

    await tabs.getByRole("tab", { name: "All" }).click();
    const all = server.cli("query", "--limit", "1", "--json").total;
    await page.getByText(`${all} entries`).waitFor();
    await tabs.getByRole("tab", { name: "Amazon failures" }).click();
    await page
      .getByText(`${narrowed} ${narrowed === 1 ? "entry" : "entries"}`)
      .waitFor();
    await page.waitForTimeout(600); // the layout is saved a moment after the last change
    await page.reload();
    await page
      .getByText(`${narrowed} ${narrowed === 1 ? "entry" : "entries"}`)
      .waitFor();
    assert.equal(
      await page
        .getByRole("tab", { name: "Amazon failures" })
        .getAttribute("aria-selected"),
      "true",
      "the last view reopens",
    );
    await page
      .getByRole("button", { name: "Delete view Amazon failures" })
      .click();
    await page
      .getByRole("tab", { name: "Amazon failures" })
      .waitFor({ state: "detached" });
    const listed = await api(server.url, { command: "views" });
    assert.equal(listed.result.length, 6);
    await context.close();
  } finally {
    server.close();
  }
});

test("the keyboard moves the selection, Enter opens the row's details, shift picks a range", async () => {
  const server = await seededServer();
  try {
    const expected = server.cli(
      "query",
      "--columns",
      "sku,product_name",
      "--limit",
      "8",
      "--json",
    );
    const { page, grid, context } = await openPage(browser, server.url);
    await grid.getByRole("row").nth(1).getByRole("gridcell").first().waitFor();
    await grid.focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    const selected = grid.locator('[role="row"][aria-selected="true"]');
    assert.equal(await selected.getAttribute("aria-rowindex"), "3");
    await page.keyboard.press("Enter");
    const details = page.getByRole("complementary", { name: "Entry details" });
    const sku = expected.rows[1].sku;
    await details
      .getByRole("region", { name: "Product" })
      .getByText(sku, { exact: true })
      .waitFor();
    await screenshots(page, "row-details");
    // With the details open, they follow the selection.
    await grid.focus();
    await page.keyboard.press("ArrowDown");
    await details
      .getByRole("region", { name: "Product" })
      .getByText(expected.rows[2].sku, { exact: true })
      .waitFor();
    // A held key: the details load the entry where the keys stop, not every entry they pass,
    // and are marked as behind the selection meanwhile.
    const entryAsks = [];
    const stopWatching = watchCommands(
      page,
      (body) => body.includes('"command":"entry"') && entryAsks.push(body),
    );
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowDown");
    await details
      .getByRole("region", { name: "Product" })
      .getByText(expected.rows[7].sku, { exact: true })
      .waitFor();
    stopWatching();
    assert.ok(
      entryAsks.length <= 2,
      `${entryAsks.length} entries asked for 5 keys`,
    );
    assert.equal(await details.getAttribute("aria-busy"), null);
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowUp");
    await details
      .getByRole("region", { name: "Product" })
      .getByText(expected.rows[2].sku, { exact: true })
      .waitFor();
    // Shift+arrows pick a range for a batch action.
    await page.keyboard.press("Shift+ArrowUp");
    await page
      .getByRole("toolbar", { name: "Picked entries" })
      .getByText("2 entries picked")
      .waitFor();
    await page.keyboard.press("Escape");
    await details.waitFor({ state: "detached" });
    // "/" focuses the keyword box; Escape empties it.
    await page.keyboard.press("/");
    await page.keyboard.type("SKU");
    await page.keyboard.press("Escape");
    assert.equal(
      await page
        .getByRole("searchbox", { name: "Search keywords" })
        .inputValue(),
      "",
    );
    await context.close();
  } finally {
    server.close();
  }
});
