// A view its summary cannot count, opened in Chromium (issue #17): from the click on its tab to
// its first rows painted, and to its count shown; then End, and a scrollbar drag. Filtered on a quantity, it is counted from the
// column read from every entry (a first look reads it whole), while its first page alone is a
// short walk of the time index. Each run starts a fresh `invlog serve`, so every look is a
// first one; builds take turns, a run each, so the machine's noise falls on all of them.
//   node bench/first_rows.mjs STORE RUNS BUILD...   (BUILD: NAME=PATH-TO-invlog, or
//   NAME=PATH-TO-invlog@STORE for a build that reads a store of its own)
// A build's UI is the one its binary serves.
import { api, launchChromium, serve } from "../tests/e2e/harness.mjs";
import { buildsOf, openOnAllEntries, pct } from "./stats.mjs";
import { execFileSync } from "node:child_process";

const [store, runsArg, ...buildArgs] = process.argv.slice(2);
const runs = Number(runsArg);
const builds = buildsOf(buildArgs, store).map((b) => ({ ...b, clicks: [] }));
if (!store || !runs || builds.length === 0)
  throw new Error("usage: bench/first_rows.mjs STORE RUNS NAME=INVLOG...");

const VIEW = "Sent 200 or more";
const layout = {
  columns: [
    "occurred_at",
    "sku",
    "channel",
    "account",
    "inventory_sent",
    "status",
  ],
  widths: {},
  sort: [],
  filters: [{ column: "inventory_sent", op: "ge", values: ["200"] }],
  search: null,
};

/** One first look: ms from the tab's click to rows painted and to the count shown. */
async function firstLook(browser, build) {
  const { child, url } = await serve(build.store, build.binary);
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
  });
  try {
    await api(url, { command: "save_view", args: { name: VIEW, layout } });
    await openOnAllEntries(url);
    const page = await context.newPage();
    await page.goto(url);
    const grid = page.getByRole("grid");
    await grid.getByRole("row").nth(1).getByRole("gridcell").first().waitFor();
    // Watched frame by frame in the page from the click: the view's first row is painted when
    // the row in its place shows the view's columns and the CLI's first entry.
    const tab = page.getByRole("tab", { name: VIEW });
    const seen = await tab.evaluate(
      (el, { first, columns }) =>
        new Promise((done) => {
          const t0 = performance.now();
          const seen = {};
          const look = () => {
            const at = performance.now() - t0;
            const row = document.querySelector(
              '.grid-body [role="row"][aria-rowindex="2"]:not(.loading)',
            );
            const cells = row
              ? [...row.querySelectorAll('[role="gridcell"]')]
              : [];
            const text = cells.map((c) => c.textContent ?? "");
            if (
              seen.rows === undefined &&
              cells.length === columns &&
              text.includes(first.sku) &&
              text.includes(first.inventory_sent)
            )
              seen.rows = at;
            const count =
              document.querySelector("output.count")?.textContent ?? "";
            if (/^[\d,]+ entr/.test(count) && seen.rows !== undefined) {
              seen.count = at;
              done(seen);
            } else requestAnimationFrame(look);
          };
          el.click();
          requestAnimationFrame(look);
        }),
      { first: build.first, columns: layout.columns.length },
    );
    // Then End, as soon as the count is shown, to the view's last row painted; and a second
    // later a scrollbar drag to the middle (set as the drag sets it), to its rows painted.
    const total = Number(
      (await page.locator("output.count").textContent()).replace(/\D/g, ""),
    );
    await grid.getByRole("row").nth(1).click();
    await grid.focus();
    await page.evaluate(() =>
      document.addEventListener(
        "keydown",
        (e) => e.key === "End" && (window.endPressed = performance.now()),
        { capture: true },
      ),
    );
    await page.keyboard.press("End");
    seen.end = await page.evaluate(
      (total) =>
        new Promise((done) => {
          const look = () => {
            const last = document.querySelector(
              `.grid-body [role="row"][aria-rowindex="${total + 1}"]:not(.loading)`,
            );
            if (last) done(performance.now() - window.endPressed);
            else requestAnimationFrame(look);
          };
          look();
        }),
      total,
    );
    await page.waitForTimeout(1000);
    seen.drag = await grid.evaluate(
      (g, total) =>
        new Promise((done) => {
          const t0 = performance.now();
          const middle = total / 2;
          g.scrollTop = 0.5 * (g.scrollHeight - g.clientHeight);
          const look = () => {
            const box = g.getBoundingClientRect();
            const rows = [
              ...g.querySelectorAll('.grid-body [role="row"]'),
            ].filter((r) => {
              const b = r.getBoundingClientRect();
              return b.bottom > box.top && b.top < box.bottom;
            });
            const at = rows.map((r) => Number(r.getAttribute("aria-rowindex")));
            const painted =
              rows.length > 10 &&
              rows.every((r) => !r.classList.contains("loading")) &&
              Math.abs(Math.min(...at) - middle) < 2 * rows.length;
            if (painted) done(performance.now() - t0);
            else requestAnimationFrame(look);
          };
          requestAnimationFrame(look);
        }),
      total,
    );
    build.clicks.push(seen);
  } finally {
    await context.close();
    child.kill();
  }
}

// Each build's first entry of the view, from its CLI (a process of its own: the server measured
// has read nothing of it).
for (const b of builds) {
  const out = execFileSync(
    b.binary,
    [
      "--db",
      b.store,
      "query",
      "--filter",
      "inventory_sent >= 200",
      "--limit",
      "1",
      "--json",
    ],
    { encoding: "utf8" },
  );
  const [row] = JSON.parse(out).rows;
  b.first = {
    sku: String(row.sku),
    inventory_sent: String(row.inventory_sent),
  };
}

const browser = await launchChromium();
try {
  for (let i = 0; i < runs; i++)
    for (const b of builds) await firstLook(browser, b);
} finally {
  await browser.close();
}

const fmt = (xs) =>
  `${pct(xs, 0.5).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
console.log(
  `## A view no summary counts (inventory_sent >= 200), its first look in Chromium (${runs} runs, a fresh server each)`,
);
console.log();
console.log(
  "| build | click → first rows painted, p50 (min–max) | click → count shown | then End → last row painted | a second later, a drag to the middle → its rows painted |",
);
console.log("|---|---:|---:|---:|---:|");
for (const b of builds) {
  const of = (key) => fmt(b.clicks.map((c) => c[key]));
  console.log(
    `| ${b.name} | ${of("rows")} | ${of("count")} | ${of("end")} | ${of("drag")} |`,
  );
}
