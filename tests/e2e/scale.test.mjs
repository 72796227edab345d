// A view taller than the browser lets an element be: two million rows at 30 px are 60M px, past
// Chromium's 33.5M. End, the scrollbar and the wheel must still reach every row, and the rows
// shown must be the ones the CLI returns at that position.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  api,
  browser,
  openPage,
  root,
  seededServer,
  withBrowser,
} from "./harness.mjs";

const ROWS = 2_000_000;
let big;

withBrowser();
before(async () => {
  big = await seededServer({ seed: false });
  const file = join(big.dir, "big.csv");
  execFileSync("python3", [
    join(root, "bench", "gen_konnect.py"),
    String(ROWS),
    file,
  ]);
  big.cli("import", file, "--json");
});
after(() => big?.close());

/** The default view, or one with a filter (in the CLI's words) and its total. */
const ALL = { filter: null, total: ROWS };

/** The CLI's rows of `view` from `offset`, as the cells the test compares. */
function cliRows(offset, limit, view = ALL) {
  const out = big.cli(
    "query",
    ...(view.filter ? ["--filter", view.filter] : []),
    "--offset",
    String(offset),
    "--limit",
    String(limit),
    "--columns",
    "sku,inventory_sent,account",
    "--json",
  );
  assert.equal(out.total, view.total);
  return out.rows.map((r) => `${r.sku} ${r.inventory_sent} ${r.account}`);
}

/** The rows wholly inside the grid below its header, top to bottom: their positions in the
 * view and the same cells. Read in one go, once none of them is still loading and they are
 * where `expected` says (a scroll is handled a frame after it is asked for): `first` or `last`
 * is the position of the top or bottom row, `near` that of the top row ± a screen, `has` one
 * of them. */
async function visibleRows(page, expected) {
  const rows = await page.waitForFunction(
    (want) => {
      const grid = document
        .querySelector('[role="grid"]')
        .getBoundingClientRect();
      const head = document
        .querySelector(".grid-header")
        .getBoundingClientRect();
      const boxes = [...document.querySelectorAll('.grid-body [role="row"]')]
        .map((row) => ({ row, box: row.getBoundingClientRect() }))
        .filter(
          ({ box }) =>
            box.top >= head.bottom - 1 && box.bottom <= grid.bottom + 1,
        )
        .sort((a, b) => a.box.top - b.box.top);
      if (
        boxes.length === 0 ||
        boxes.some(({ row }) => row.classList.contains("loading"))
      ) {
        return false;
      }
      const text = (row, col) =>
        row.querySelector(`[data-col="${col}"]`).textContent;
      const shown = boxes.map(({ row }) => ({
        at: Number(row.getAttribute("aria-rowindex")) - 2,
        cells: `${text(row, "sku")} ${text(row, "inventory_sent")} ${text(row, "account")}`,
      }));
      const top = shown[0].at;
      const ok =
        (want.first === undefined || top === want.first) &&
        (want.last === undefined || shown[shown.length - 1].at === want.last) &&
        (want.near === undefined ||
          Math.abs(top - want.near) <= shown.length) &&
        (want.has === undefined || shown.some((r) => r.at === want.has));
      return ok && shown;
    },
    expected,
    { polling: "raf", timeout: 20_000 },
  );
  return rows.jsonValue();
}

/** The shown rows are consecutive and are the CLI's rows of `view` at their positions. */
function assertRowsAreTheCli(shown, view = ALL) {
  assert.ok(shown.length > 10, `${shown.length} rows shown`);
  shown.forEach((r, i) =>
    assert.equal(r.at, shown[0].at + i, "consecutive rows"),
  );
  assert.deepEqual(
    shown.map((r) => r.cells),
    cliRows(shown[0].at, shown.length, view),
  );
}

test("End, a scrollbar drag and the wheel reach every row of a 2M-row view", async () => {
  const { page, grid, context } = await openPage(browser, big.url);
  try {
    await grid.getByRole("row").nth(1).getByRole("gridcell").first().waitFor();
    const size = await grid.evaluate((g) => ({
      height: g.scrollHeight,
      client: g.clientHeight,
    }));
    assert.ok(size.height < 33_554_432, `the body is ${size.height} px`);

    // End: the last row of the view, selected and shown at the bottom (once the view is
    // counted, when End comes before its count).
    await grid.getByRole("row").nth(1).click();
    await grid.focus();
    await page.keyboard.press("End");
    const selected = grid.locator('[role="row"][aria-selected="true"]');
    const lastSelected = grid.locator(
      `[role="row"][aria-selected="true"][aria-rowindex="${ROWS + 1}"]`,
    );
    await lastSelected.waitFor();
    let shown = await visibleRows(page, { last: ROWS - 1 });
    assertRowsAreTheCli(shown);

    // The wheel moves the rows by its pixels, here too: 300 px up is ten rows.
    const before = shown[0].at;
    await grid.hover();
    await page.mouse.wheel(0, -300);
    shown = await visibleRows(page, { first: before - 10 });
    assertRowsAreTheCli(shown);

    // A scrollbar drag to 75%, played as what it does to the grid (headless Chromium draws no
    // scrollbar): the rows at 75% of the view, within one screen.
    await grid.evaluate(
      (g) => (g.scrollTop = 0.75 * (g.scrollHeight - g.clientHeight)),
    );
    shown = await visibleRows(page, { near: 0.75 * (ROWS - shown.length) });
    assertRowsAreTheCli(shown);

    // And back to the top by Home.
    await grid.focus();
    await page.keyboard.press("Home");
    shown = await visibleRows(page, { first: 0 });
    assertRowsAreTheCli(shown);

    // Ctrl+End too, as in a spreadsheet; then PageUp goes on from there, the rows following.
    await page.keyboard.press("Control+End");
    await lastSelected.waitFor();
    for (let i = 0; i < 3; i++) await page.keyboard.press("PageUp");
    const at = Number(await selected.getAttribute("aria-rowindex")) - 2;
    assert.ok(
      at < ROWS - 1 - shown.length,
      `the selection went up three pages, to ${at}`,
    );
    shown = await visibleRows(page, { has: at });
    assertRowsAreTheCli(shown);
  } finally {
    await context.close();
  }
});

test("a view its summary cannot count shows the CLI's first rows, then its count; End and a drag reach its rows", async () => {
  // Filtered on a quantity: counted from the column read from every entry, not the summary.
  const filter = { column: "inventory_sent", op: "ge", values: ["200"] };
  const expected = big.cli(
    "query",
    "--filter",
    "inventory_sent >= 200",
    "--limit",
    "20",
    "--columns",
    "sku,inventory_sent,account",
    "--json",
  );
  const layout = {
    columns: ["occurred_at", "sku", "inventory_sent", "account"],
    widths: {},
    sort: [],
    filters: [filter],
    search: null,
  };
  await api(big.url, {
    command: "save_view",
    args: { name: "Sent 200 or more", layout },
  });
  const { page, grid, context } = await openPage(browser, big.url);
  try {
    await grid.getByRole("row").nth(1).getByRole("gridcell").first().waitFor();
    // Every frame from the click on: the header's count, and whether the first rows were
    // filled in, until the count is the view's own.
    const seen = page.evaluate(
      (total) =>
        new Promise((done) => {
          const frames = [];
          const look = () => {
            const count = document.querySelector("output.count")?.textContent;
            const rows = [
              ...document.querySelectorAll(
                '.grid-body [role="row"]:not(.loading)',
              ),
            ].length;
            frames.push({ count, rows });
            if (count === `${total.toLocaleString("en-US")} entries`)
              done(frames);
            else requestAnimationFrame(look);
          };
          requestAnimationFrame(look);
        }),
      expected.total,
    );
    await page.getByRole("tab", { name: "Sent 200 or more" }).click();
    const frames = await seen;
    const shown = await visibleRows(page, { first: 0 });
    assert.ok(shown.length > 10, `${shown.length} rows shown`);
    assert.deepEqual(
      shown.map((r) => r.cells),
      expected.rows
        .slice(0, shown.length)
        .map((r) => `${r.sku} ${r.inventory_sent} ${r.account}`),
    );
    // Whether the rows came before the count depends on how long this machine takes to
    // count: when they did, the header said the view was still being counted, from its first
    // page of 200 rows.
    const early = frames.filter((f) => f.count?.includes("counting"));
    for (const f of early) {
      assert.equal(f.count, "200+ entries, counting…");
    }
    console.log(
      `# rows before the count: ${early.some((f) => f.rows > 0) ? "yes" : "no"} (${early.length} frames)`,
    );

    // End (read from the view's end) and a scrollbar drag to the middle (placed by the
    // entries' times) show the CLI's rows there too.
    const view = { filter: "inventory_sent >= 200", total: expected.total };
    await grid.getByRole("row").nth(1).click();
    await grid.focus();
    await page.keyboard.press("End");
    await grid
      .locator(
        `[role="row"][aria-selected="true"][aria-rowindex="${view.total + 1}"]`,
      )
      .waitFor();
    let end = await visibleRows(page, { last: view.total - 1 });
    assertRowsAreTheCli(end, view);
    await grid.evaluate(
      (g) => (g.scrollTop = 0.5 * (g.scrollHeight - g.clientHeight)),
    );
    end = await visibleRows(page, { near: 0.5 * (view.total - end.length) });
    assertRowsAreTheCli(end, view);
  } finally {
    await context.close();
  }
});
