// A store shared with other processes, and files whose dates do not say their order: a change
// made while a CLI import writes waits and says so, then lands; an ambiguous file is refused
// with the reason, and imported once the user says how its dates are written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  browser,
  invlog,
  openPage,
  screenshots,
  seededServer,
  withBrowser,
} from "./harness.mjs";

withBrowser();

/** A Konnect log whose Updated On cells are `dates`, one row each. */
function konnect(path, dates) {
  const rows = dates.map(
    (d, i) => `SKU-D${i},Amazon / Amazon-US,5,${d},Success`,
  );
  writeFileSync(
    path,
    [
      "Seller Identifier,Channel & Account,Inventory Sent,Updated On,Status",
      ...rows,
    ].join("\n") + "\n",
  );
}

/** Whether another connection holds the store's write lock (sqlite3 gives up at once). */
function writeLocked(db) {
  try {
    execFileSync(
      "sqlite3",
      ["-cmd", ".timeout 0", db, "BEGIN IMMEDIATE; ROLLBACK;"],
      {
        stdio: "ignore",
      },
    );
    return false;
  } catch {
    return true;
  }
}

test("dates that never tell their order are refused with the reason, then imported as the user says", async () => {
  const server = await seededServer({ seed: false });
  try {
    const file = join(server.dir, "eu-export.csv");
    konnect(file, ["06/03/2025 10:00", "07/03/2025 11:00"]);
    const { page, context } = await openPage(browser, server.url);
    await page.getByRole("heading", { name: "No logs yet" }).waitFor();

    const importWith = async (order) => {
      const chooser = page.waitForEvent("filechooser");
      await page.getByRole("button", { name: "Import…" }).first().click();
      await (await chooser).setFiles([file]);
      const dialog = page.getByRole("dialog", { name: "Import logs" });
      const select = dialog.getByRole("combobox", { name: "Date order" });
      await select.waitFor();
      assert.equal(
        await select.inputValue(),
        "",
        "decided from the file by default",
      );
      if (order) await select.selectOption(order);
      if (order) await screenshots(page, "import-date-order");
      await dialog.getByRole("button", { name: "Import 1 file" }).click();
    };

    await importWith(null);
    const tray = page.getByRole("region", { name: "Imports" });
    await tray.getByText("Not imported: eu-export.csv").waitFor();
    await tray.getByText(/could be day\/month or month\/day/).waitFor();
    await tray
      .getByText(/"Updated On"/)
      .first()
      .waitFor();
    assert.equal(server.cli("query", "--limit", "1", "--json").total, 0);

    await importWith("dmy");
    await page.getByText("2 entries").waitFor();
    const rows = server.cli(
      "query",
      "--columns",
      "occurred_at",
      "--sort",
      "occurred_at",
      "--json",
    ).rows;
    assert.deepEqual(
      rows.map((r) => r.occurred_at),
      ["2025-03-06T10:00:00Z", "2025-03-07T11:00:00Z"],
    );
    await context.close();
  } finally {
    server.close();
  }
});

test("a change made while another process imports waits, says so, and lands", async () => {
  const server = await seededServer();
  const big = join(server.dir, "big.csv");
  const lines = [
    "Seller Identifier,Channel & Account,Inventory Sent,Updated On,Status,Batch ID",
  ];
  for (let i = 0; i < 300_000; i++) {
    lines.push(
      `SKU-B${i % 5000},Amazon / Amazon-US,${i % 500},2025-04-${String(1 + (i % 28)).padStart(2, "0")} 10:00:00,Success,BIG-${i}`,
    );
  }
  writeFileSync(big, lines.join("\n") + "\n");
  let cliImport;
  try {
    const unresolved = () =>
      server.cli(
        "query",
        "--filter",
        "resolved = false",
        "--limit",
        "1",
        "--json",
      ).total;
    const before = unresolved();
    const { page, grid, context } = await openPage(browser, server.url);
    await page.getByRole("tab", { name: "Unresolved" }).click();
    // The Unresolved view's rows, not the first view's still on screen: its count shows with
    // its first page.
    await page
      .locator("output.count")
      .filter({
        hasText: new RegExp(`^${before.toLocaleString("en-US")} entr(y|ies)$`),
      })
      .waitFor();
    await grid.getByRole("row").nth(1).click();
    const drawer = page.getByRole("complementary", { name: "Entry details" });
    await drawer.getByRole("button", { name: "Mark resolved…" }).waitFor();

    cliImport = spawn(invlog, ["--db", server.db, "import", big], {
      stdio: "ignore",
    });
    const importDone = new Promise((resolve) =>
      cliImport.once("exit", resolve),
    );
    // The import's own transaction, not the CLI's brief write of its task record before it
    // (seen once: the change then landed at once, with nothing to wait for): the lock held
    // without a break for half a second.
    const start = Date.now();
    let lockedSince = null;
    while (lockedSince === null || Date.now() - lockedSince < 500) {
      assert.ok(
        Date.now() - start < 30_000,
        "the CLI import never began writing",
      );
      if (!writeLocked(server.db)) lockedSince = null;
      else lockedSince ??= Date.now();
      await new Promise((r) => setTimeout(r, 10));
    }

    await drawer.getByRole("button", { name: "Mark resolved…" }).click();
    const dialog = page.getByRole("dialog", { name: "Mark resolved" });
    await dialog.getByRole("textbox").fill("Checked during the nightly import");
    await dialog
      .getByRole("button", { name: "Mark this entry resolved" })
      .click();
    const notice = page.getByRole("status").filter({
      hasText: "Waiting for the import to finish…",
    });
    await notice.waitFor();
    assert.ok(
      writeLocked(server.db),
      "the notice showed while the import wrote",
    );
    await screenshots(page, "waiting-for-import");
    // The table still answers meanwhile: readers never wait for the writer.
    await page.getByRole("tab", { name: "All" }).click();
    await grid.getByRole("row").nth(1).waitFor();

    assert.equal(await importDone, 0);
    await notice.waitFor({ state: "detached", timeout: 30_000 });
    assert.equal(unresolved(), before - 1);
    await context.close();
  } finally {
    cliImport?.kill();
    server.close();
  }
});
