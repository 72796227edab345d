// The store as a log of record, through the UI: an overlapping export adds only its new rows
// and says so; removing an import from the history takes away only what it alone brought.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  browser,
  openPage,
  screenshots,
  seededServer,
  withBrowser,
} from "./harness.mjs";

withBrowser();

const samples = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../crates/core/samples",
);

/** A Konnect export without batch ids (identified by fingerprint), rows `from` to `to`. */
function konnect(from, to) {
  const lines = [
    "Seller Identifier,Channel & Account,Location Code,Inventory Sent,Updated On,Status",
  ];
  for (let i = from; i < to; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    lines.push(
      `SKU-${i},Amazon / Amazon-Delhi,WH01,${i},2025-03-${day} 10:00:00,${i % 7 ? "Success" : "Failed"}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Imports one file as a user does; `fill` sets the dialog's fields before Import. */
async function importThroughChooser(page, path, name, fill = async () => {}) {
  const chooser = page.waitForEvent("filechooser");
  await page
    .getByRole("button", { name: /^Import(…| files…)$/ })
    .first()
    .click();
  await (await chooser).setFiles([path]);
  const dialog = page.getByRole("dialog", { name: "Import logs" });
  await fill(dialog);
  await dialog.getByRole("button", { name: "Import 1 file" }).click();
  await page
    .getByRole("region", { name: "Imports" })
    .getByText(`Imported ${name}`)
    .waitFor();
}

test("an overlapping export adds only its new rows; removing an import keeps what another brought", async () => {
  const server = await seededServer({ seed: false });
  try {
    const a = join(server.dir, "week-47.csv");
    const b = join(server.dir, "week-48.csv");
    writeFileSync(a, konnect(0, 60));
    writeFileSync(b, konnect(40, 100));
    const { page, context } = await openPage(browser, server.url);
    await page.getByRole("heading", { name: "No logs yet" }).waitFor();
    await importThroughChooser(page, a, "week-47.csv");
    await page.getByText("60 entries").waitFor();
    await importThroughChooser(page, b, "week-48.csv");
    const tray = page.getByRole("region", { name: "Imports" });
    await tray
      .getByText("Konnect: 60 rows: 40 new, 20 already in the store, 0 updated")
      .waitFor();
    await page.getByText("100 entries").waitFor();
    assert.equal(server.cli("query", "--limit", "1", "--json").total, 100);

    await tray.getByRole("button", { name: "Import history" }).click();
    const history = page.getByRole("dialog", { name: "Import history" });
    const files = history.getByRole("table", { name: "Imported files" });
    const row = files.getByRole("row", { name: /week-48\.csv/ });
    assert.deepEqual(
      (await row.getByRole("cell").allTextContents()).slice(4, 7),
      ["40", "20", "0"],
    );
    await screenshots(page, "import-history-counts");
    await history
      .getByRole("button", { name: "Remove import of week-47.csv" })
      .click();
    const confirm = page.getByRole("dialog", {
      name: "Remove import of week-47.csv?",
    });
    await confirm
      .getByText("40 entries only this import brought will be deleted.")
      .waitFor();
    await confirm
      .getByText(
        "20 also brought by another import stay, with their current facts.",
      )
      .waitFor();
    await screenshots(page, "remove-import");
    // The keyboard alone: focus starts on Cancel (nothing deleted); Tab, then Enter removes.
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      "Cancel",
    );
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await history
      .getByText("Removed week-47.csv: 40 entries deleted, 20 kept.")
      .waitFor();
    // The list is read again after the removal: wait for the row to go.
    await files
      .getByRole("cell", { name: "week-47.csv", exact: true })
      .waitFor({ state: "detached" });
    await history.getByRole("button", { name: "Close" }).click();
    await page.getByText("60 entries").waitFor();
    assert.equal(server.cli("query", "--limit", "1", "--json").total, 60);

    // The kept entries are now the second file's.
    const imports = server.cli("imports", "--json");
    assert.deepEqual(
      imports.map((i) => i.file_name),
      ["week-48.csv"],
    );
    await context.close();
  } finally {
    server.close();
  }
});

test("an Ordoro Inventory Events file is read in the time zone the dialog asks for", async () => {
  const server = await seededServer({ seed: false });
  try {
    const file = join(server.dir, "ordoro-inventory-events.csv");
    copyFileSync(join(samples, "ordoro-inventory-events.csv"), file);
    const { page, context } = await openPage(browser, server.url);
    await page.getByRole("heading", { name: "No logs yet" }).waitFor();
    await importThroughChooser(
      page,
      file,
      "ordoro-inventory-events.csv",
      (dialog) =>
        dialog
          .getByRole("textbox", {
            name: "Time zone of ordoro-inventory-events.csv",
          })
          .fill("Europe/Helsinki"),
    );
    const row = server.cli(
      "query",
      "--filter",
      "event_id = EV-10001",
      "--columns",
      "occurred_at",
      "--json",
    ).rows[0];
    // 09:15 in Helsinki in January (UTC+2).
    assert.equal(row.occurred_at, "2026-01-12T07:15:00Z");
    await context.close();
  } finally {
    server.close();
  }
});
