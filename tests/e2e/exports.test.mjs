// Export from the UI: choose columns, filter, export XLSX and CSV as jobs, read the files
// back, and find them in the export history (filtered by file name), in Debian's Chromium
// against a real `invlog serve`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  browser,
  openPage,
  root,
  screenshots,
  server,
  withSeededServer,
} from "./harness.mjs";

const readExcelFile = (
  await import(
    createRequire(join(root, "ui", "package.json")).resolve(
      "read-excel-file/node",
    )
  )
).default;

withSeededServer();

/** Exports the current view through the dialog to `name` in the server's folder. */
async function exportAs(page, name, format) {
  await page.getByRole("button", { name: "Export…" }).click();
  const dialog = page.getByRole("dialog", { name: "Export the view" });
  await dialog
    .getByRole("radio", { name: format === "xlsx" ? /XLSX/ : "CSV" })
    .check();
  const path = join(server.dir, name);
  await dialog.getByRole("textbox", { name: "Save as" }).fill(path);
  if (format === "csv")
    await dialog
      .getByRole("combobox", { name: "Times in" })
      .selectOption("utc");
  await screenshots(page, `export-dialog-${format}`);
  await dialog.getByRole("button", { name: /^Export \d+ rows?$/ }).click();
  const tray = page.getByRole("region", { name: "Exports" });
  await tray.getByText(`Exported ${name}`).waitFor();
  return path;
}

test("export the filtered view with chosen columns to XLSX and CSV; the history shows them", async () => {
  const { page, grid, context } = await openPage(browser, server.url);
  await page.getByRole("tab", { name: "Failed pushes" }).click();
  // Hide one column: the export follows the table.
  await page.getByRole("button", { name: /^Columns/ }).click();
  const chooser = page.getByRole("dialog", { name: "Choose columns" });
  await chooser.getByRole("checkbox", { name: "Channel Identifier" }).uncheck();
  await page.keyboard.press("Escape");
  await grid
    .getByRole("columnheader", { name: "Channel Identifier" })
    .waitFor({ state: "detached" });
  const headers = (await grid.getByRole("columnheader").allTextContents()).map(
    (h) => h.replace(/ [▲▼]\d*$/, ""),
  );
  const expected = server.cli(
    "query",
    "--filter",
    "status = failed",
    "--columns",
    "sku,status",
    "--limit",
    "1000",
    "--json",
  );
  assert.ok(expected.total > 0);

  const xlsx = await exportAs(page, "failed.xlsx", "xlsx");
  const sheets = await readExcelFile(xlsx);
  assert.equal(sheets[0].sheet, "Logs");
  const [head, ...rows] = sheets[0].data;
  assert.deepEqual(head, headers);
  assert.equal(rows.length, expected.total);
  const sku = head.indexOf("Seller Identifier");
  const status = head.indexOf("Status");
  assert.deepEqual(
    rows.map((r) => r[sku]).sort(),
    expected.rows.map((r) => r.sku).sort(),
  );
  assert.ok(rows.every((r) => r[status] === "failed"));
  const updated = head.indexOf("Updated On");
  assert.ok(
    rows[0][updated] instanceof Date,
    `a real date-time cell: ${rows[0][updated]}`,
  );

  // The next export starts where this one went, in its format.
  await page.getByRole("button", { name: "Export…" }).click();
  const again = page.getByRole("dialog", { name: "Export the view" });
  const saveAs = again.getByRole("textbox", { name: "Save as" });
  await page.waitForFunction(
    (dir) =>
      document
        .querySelector('input[aria-label="Save as"]')
        ?.value.startsWith(`${dir}/Failed-pushes-`),
    server.dir,
  );
  assert.match(await saveAs.inputValue(), /\.xlsx$/);
  assert.ok(await again.getByRole("radio", { name: /XLSX/ }).isChecked());
  await again.getByRole("button", { name: "Cancel" }).click();

  const csv = await exportAs(page, "failed.csv", "csv");
  const text = readFileSync(csv, "utf8");
  assert.ok(
    text.startsWith("\ufeff"),
    "a byte order mark for Excel, on by default",
  );
  const lines = text.slice(1).trimEnd().split("\r\n");
  assert.equal(lines[0], headers.join(","));
  assert.equal(lines.length, expected.total + 1);
  assert.match(lines[1], /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00/);

  // The history: both exports, Success, the row count; filtered by file name.
  await page.getByRole("button", { name: "Exports", exact: true }).click();
  const history = page.getByRole("dialog", { name: "Export history" });
  const table = history.getByRole("table", { name: "Exports" });
  for (const name of ["failed.xlsx", "failed.csv"]) {
    const row = table.getByRole("row").filter({ hasText: name });
    assert.match(
      await row.innerText(),
      new RegExp(`success\\s+${expected.total}\\s`),
    );
  }
  // The view by its name, not its filters' syntax.
  const csvRow = await table
    .getByRole("row")
    .filter({ hasText: "failed.csv" })
    .innerText();
  assert.match(csvRow, /Failed pushes/);
  assert.doesNotMatch(csvRow, /status = failed/);
  await history.getByRole("searchbox", { name: "File name" }).fill("xlsx");
  await table
    .getByRole("row")
    .filter({ hasText: "failed.csv" })
    .waitFor({ state: "detached" });
  assert.equal(await table.getByRole("row").count(), 2);
  await screenshots(page, "export-history");
  // The browser gets the file as a download.
  const download = page.waitForEvent("download");
  await table.getByRole("button", { name: "Download" }).click();
  assert.equal((await download).suggestedFilename(), "failed.xlsx");
  // Remove the entry and its file.
  await table.getByRole("button", { name: "Remove failed.xlsx" }).click();
  const confirm = history.getByRole("alertdialog", {
    name: "Remove failed.xlsx?",
  });
  await confirm.getByRole("checkbox", { name: "Delete the file too" }).check();
  await confirm.getByRole("button", { name: "Remove" }).click();
  await history.getByText("No export matches.").waitFor();
  assert.throws(() => readFileSync(xlsx));

  // An automated export: the Failed pushes view, weekly on Monday at 06:30, into a folder.
  const auto = history.getByRole("region", { name: "Automated exports" });
  const form = auto.getByRole("group", { name: "New automated export" });
  await form
    .getByRole("combobox", { name: "View to export" })
    .selectOption({ label: "Failed pushes" });
  await form
    .getByRole("combobox", { name: "How often" })
    .selectOption("weekly");
  await form
    .getByRole("combobox", { name: "Weekday" })
    .selectOption({ label: "Monday" });
  await form.getByRole("textbox", { name: "Time of day" }).fill("06:30");
  await form.getByRole("textbox", { name: "Folder" }).fill(server.dir);
  await form.getByRole("button", { name: "Add" }).click();
  await auto
    .getByText(/Failed pushes every Monday at 06:30, XLSX into/)
    .waitFor();
  await screenshots(page, "export-schedules");
  await auto.getByRole("button", { name: "Remove" }).click();
  await auto.getByText(/every Monday/).waitFor({ state: "detached" });
  await context.close();
});
