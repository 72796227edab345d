// UI benchmarks (issue #3) in Debian's Chromium via playwright-core, against `invlog serve` on
// a store given on the command line (bench/run.sh passes its 1M-row store):
//   node bench/ui.mjs STORE [ROUNDS]
// Prints a Markdown report: filter change -> new rows painted, scrolling frame times, blank
// rows, row elements in the DOM, JS heap.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { api, launchChromium, serve, root } from "../tests/e2e/harness.mjs";

const store = process.argv[2];
const rounds = Number(process.argv[3] ?? 10);
if (!store) {
  console.error("usage: node bench/ui.mjs STORE [ROUNDS]");
  process.exit(2);
}
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
process.env.INVLOG ??= join(target, "release", "invlog");
const invlog = process.env.INVLOG;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => `${x.toFixed(1)} ms`;
/** The share of frames that took longer than one 60 Hz frame (with 1 ms of timer slack). */
const long = (frames) =>
  `${((100 * frames.filter((f) => f > 17.7).length) / frames.length).toFixed(0)}% of frames over 16.7 ms`;

/**
 * The renderer's main-thread work from each key press to the next (Chromium trace events, in
 * ms): all of it, and the style, layout and paint phases of its frames.
 */
function workPerKey(events) {
  const keys = events.filter(
    (e) =>
      e.ph === "X" &&
      e.name === "EventDispatch" &&
      e.args?.data?.type === "keydown",
  );
  const [main] = keys;
  if (!main) return [];
  const on = events.filter(
    (e) => e.ph === "X" && e.pid === main.pid && e.tid === main.tid,
  );
  const starts = keys.map((e) => e.ts).sort((a, b) => a - b);
  const phases = {
    style: ["UpdateLayoutTree"],
    layout: ["Layout"],
    paint: ["PrePaint", "Paint", "Layerize", "Commit"],
  };
  return starts.map((from, i) => {
    const to = starts[i + 1] ?? from + 50_000;
    const within = on.filter((e) => e.ts >= from && e.ts < to);
    const sum = (names) =>
      within
        .filter((e) => names.includes(e.name))
        .reduce((t, e) => t + e.dur, 0) / 1000;
    return {
      all: sum(["RunTask"]),
      ...Object.fromEntries(
        Object.entries(phases).map(([k, names]) => [k, sum(names)]),
      ),
    };
  });
}

// The built-in view tabs, and saved views (tabs too) for the filters people set most: a
// channel, an account, a location, a week.
const views = [
  { name: "All", filters: [] },
  { name: "Failed pushes", filters: ["status = failed"] },
  { name: "Errors", filters: ["error !="] },
  { name: "Orders", filters: ["tab = Orders"] },
  { name: "Flipkart", filters: ["channel = Flipkart"], saved: true },
  { name: "Amazon-Mumbai", filters: ["account = Amazon-Mumbai"], saved: true },
  {
    name: "Week of 2025-03-01",
    filters: ["occurred_at >= 2025-03-01", "occurred_at <= 2025-03-07"],
    saved: true,
    // A date range stays when another tab is chosen: it is set back to "All time" after.
    dated: true,
  },
  { name: "WH02", filters: ["location_code = WH02"], saved: true },
];
/** In the page: the time now once the grid shows `rows` rows (its header row among them) with
 * its first one filled in, or the empty view's count; false until then. */
function viewShown(rows) {
  // An empty view shows what hides its rows instead of a table.
  if (rows === 1)
    return (
      document.querySelector("output.count")?.textContent.startsWith("0 ") &&
      performance.now()
    );
  const g = document.querySelector('[role="grid"]');
  const first = document.querySelector('.grid-body [role="row"]');
  return (
    g?.getAttribute("aria-rowcount") === String(rows) &&
    first &&
    !first.classList.contains("loading") &&
    performance.now()
  );
}

/** A CLI filter (`COL OP VALUE`, the operators these views use) in the API's form. */
const apiFilter = (f) => {
  const [, column, sym, value] = f.match(/^(\w+) (=|>=|<=|!=)\s*(.*)$/);
  const op = {
    "=": "eq",
    ">=": "ge",
    "<=": "le",
    "!=": value ? "ne" : "is_not_empty",
  }[sym];
  return { column, op, values: value ? [value] : [] };
};
for (const v of views) {
  const args = v.filters.flatMap((f) => ["--filter", f]);
  v.total = JSON.parse(
    execFileSync(
      invlog,
      ["--db", store, "query", ...args, "--limit", "1", "--json"],
      { encoding: "utf8" },
    ),
  ).total;
}

const server = await serve(store);
const browser = await launchChromium();
try {
  const columns = JSON.parse(
    execFileSync(invlog, ["--db", store, "columns", "--json"], {
      encoding: "utf8",
    }),
  )
    .filter((c) => c.default_visible)
    .map((c) => c.id);
  await api(server.url, {
    command: "save_layout",
    args: {
      columns,
      widths: {},
      sort: [],
      filters: [],
      search: null,
      active_view: "all",
    },
  });
  for (const v of views.filter((v) => v.saved)) {
    await api(server.url, {
      command: "save_view",
      args: {
        name: v.name,
        layout: {
          columns,
          widths: {},
          sort: [],
          filters: v.filters.map(apiFilter),
          search: null,
        },
      },
    });
  }
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const t0 = Date.now();
  await page.goto(server.url);
  const grid = page.getByRole("grid", { name: "Inventory log" });
  await page.waitForFunction(
    () => document.querySelector('.grid-body [role="row"]:not(.loading)'),
    null,
    {
      polling: "raf",
    },
  );
  const firstPaint = Date.now() - t0;
  /** The time stamp of the next click as the page receives it (`clickedAt`). */
  const noteNextClick = () =>
    page.evaluate(() =>
      document.addEventListener(
        "click",
        (e) => (window.__clickAt = e.timeStamp),
        { capture: true, once: true },
      ),
    );
  const clickedAt = () => page.evaluate(() => window.__clickAt);
  /** Until the grid holds `rows` rows (its header row aside). */
  const rowsShown = (rows) =>
    page.waitForFunction(
      (n) =>
        document
          .querySelector('[role="grid"]')
          ?.getAttribute("aria-rowcount") === String(n),
      rows + 1,
    );
  const showTab = async (name) => {
    await page.getByRole("tab", { name }).click();
    await rowsShown(views.find((v) => v.name === name).total);
  };

  // Filter change -> the new view's rows painted: switch view tabs, wait (frame by frame) until
  // the grid has the new row count and its first row is filled in (`viewShown`).
  await page.evaluate(`window.__viewShown = ${viewShown}`);
  const filterTimes = [];
  for (let r = 0; r < rounds; r++) {
    for (const v of [...views.slice(1), views[0]]) {
      // From the click as the page receives it (the event's own time stamp): Playwright's
      // click spends its own tens of milliseconds on checks before it sends the input.
      await noteNextClick();
      await page.getByRole("tab", { name: v.name }).click();
      const end = await page.waitForFunction(
        (rows) => window.__viewShown(rows),
        v.total + 1,
        { polling: "raf" },
      );
      const took = (await end.jsonValue()) - (await clickedAt());
      filterTimes.push(took);
      (v.times ??= []).push(took);
      if (v.dated) {
        await page
          .getByRole("combobox", { name: "Date range" })
          .selectOption("all");
        await rowsShown(views[0].total);
      }
    }
  }
  await showTab("All");

  // The view tabs flipped as fast as their rows come: each tab clicked in the frame the one
  // before it has its rows painted, while that view's rows ahead are still being read. Clicked
  // in the page itself, as Playwright's checks before a click take tens of milliseconds.
  const flipTimes = await page.evaluate(
    async ({ tabs, rounds }) => {
      const times = [];
      for (let r = 0; r < rounds; r++) {
        for (const { name, rows } of tabs) {
          const tab = [...document.querySelectorAll('[role="tab"]')].find(
            (t) => t.textContent.trim() === name,
          );
          const start = performance.now();
          tab.click();
          while (!window.__viewShown(rows)) {
            if (performance.now() - start > 30_000)
              throw new Error(`${name}: its rows never showed`);
            await new Promise(requestAnimationFrame);
          }
          times.push(performance.now() - start);
        }
      }
      return times;
    },
    {
      tabs: [...views.slice(1), views[0]]
        .filter((v) => !v.dated)
        .map((v) => ({ name: v.name, rows: v.total + 1 })),
      rounds,
    },
  );

  // Facet menu open -> its counts shown: each menu of the filters bar, on all entries and on a
  // saved view (an account), from the click as the page receives it to the frame its counts
  // replace "Counting…" in (a column no entry fills lists no value).
  const facetTimes = [];
  const facetViews = ["All", "Amazon-Mumbai"];
  const menus = page
    .getByRole("toolbar", { name: "Filters" })
    .locator("button[aria-expanded]");
  const menuNames = (await menus.allTextContents()).filter((t) =>
    t.endsWith("▾"),
  );
  for (let r = 0; r < rounds; r++) {
    for (const name of facetViews) {
      await showTab(name);
      for (const menu of menuNames) {
        await noteNextClick();
        await menus.filter({ hasText: menu }).first().click();
        const end = await page.waitForFunction(
          () => {
            const panel = document.querySelector(".filters .selector-panel");
            return (
              panel &&
              !panel.textContent.includes("Counting…") &&
              performance.now()
            );
          },
          null,
          { polling: "raf" },
        );
        facetTimes.push((await end.jsonValue()) - (await clickedAt()));
        await page.keyboard.press("Escape");
        await page.waitForFunction(
          () => !document.querySelector(".filters .selector-panel"),
        );
      }
    }
  }
  await showTab("All");

  // A frame recorder: frame times, row elements in the DOM, and how long loading (blank)
  // rows stay visible.
  await page.evaluate(() => {
    const w = window;
    w.__bench = {
      frames: [],
      maxRows: 0,
      blankSince: null,
      longestBlank: 0,
      running: true,
    };
    let last = performance.now();
    const tick = (now) => {
      const b = w.__bench;
      b.frames.push(now - last);
      last = now;
      b.maxRows = Math.max(
        b.maxRows,
        document.querySelectorAll('.grid-body [role="row"]').length,
      );
      const g = document.querySelector('[role="grid"]').getBoundingClientRect();
      const blank = [
        ...document.querySelectorAll(".grid-body .grid-row.loading"),
      ].some((r) => {
        const box = r.getBoundingClientRect();
        return box.bottom > g.top && box.top < g.bottom;
      });
      if (blank && b.blankSince === null) b.blankSince = now;
      if (!blank && b.blankSince !== null) {
        b.longestBlank = Math.max(b.longestBlank, now - b.blankSince);
        b.blankSince = null;
      }
      if (b.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await grid.focus();
  await grid.locator('[role="row"]').nth(1).click();
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press("PageDown");
  }
  await page.waitForTimeout(300);
  const pageDown = await page.evaluate(() => {
    const b = window.__bench;
    const r = {
      frames: b.frames.slice(1),
      maxRows: b.maxRows,
      longestBlank: b.longestBlank,
    };
    b.frames = [];
    b.longestBlank = 0;
    return r;
  });
  // The same at the pace of a held key's auto-repeat (~30 a second): Playwright presses as fast
  // as the page takes them, faster than any keyboard repeats, and the browser then serves the
  // key events before the pages that arrive.
  // Traced: the main thread's work for each key, which frame times (whole frames of 16.7 ms on
  // a noisy VM) show only as a share of frames missed.
  await browser.startTracing(page, {
    categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"],
  });
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press("PageDown");
    await page.waitForTimeout(20);
  }
  const perKey = workPerKey(
    JSON.parse((await browser.stopTracing()).toString()).traceEvents,
  );
  await page.waitForTimeout(300);
  const paced = await page.evaluate(() => {
    const b = window.__bench;
    const r = { frames: b.frames.slice(1), longestBlank: b.longestBlank };
    b.frames = [];
    b.longestBlank = 0;
    return r;
  });
  // The scrollbar dragged to the middle, then to the end. Headless Chromium draws no
  // scrollbars, so the drag is played as what it does to the grid: its scroll position moved a
  // step a frame (12 frames to the middle, a pause, 12 frames to the end).
  const dragTo = (fraction) =>
    page.evaluate(
      (to) =>
        new Promise((done) => {
          const g = document.querySelector('[role="grid"]');
          const from = g.scrollTop;
          const target = to * (g.scrollHeight - g.clientHeight);
          let step = 0;
          const move = () => {
            step += 1;
            g.scrollTop = from + ((target - from) * step) / 12;
            if (step < 12) requestAnimationFrame(move);
            else done();
          };
          requestAnimationFrame(move);
        }),
      fraction,
    );
  await dragTo(0.5);
  await page.waitForTimeout(400);
  await dragTo(1);
  await page.waitForFunction(
    () => !document.querySelector(".grid-body .grid-row.loading"),
    null,
    {
      polling: "raf",
    },
  );
  await page.waitForTimeout(300);
  const drag = await page.evaluate(() => {
    const b = window.__bench;
    b.running = false;
    const g = document.querySelector('[role="grid"]');
    return {
      frames: b.frames.slice(1),
      maxRows: b.maxRows,
      longestBlank: b.longestBlank,
      scrolled: g.scrollTop / (g.scrollHeight - g.clientHeight),
    };
  });
  // Jumps: Home, then End (key press to the last row painted), then the thumb dropped at 75%
  // at once (scroll position set to rows painted), each from a view whose rows were not loaded.
  // Resolves (frame by frame) to the time the rows at view position `at` (± `within`) are all
  // loaded and painted.
  const painted = (at, within) =>
    page.waitForFunction(
      ([at, within]) => {
        const rows = [...document.querySelectorAll(".grid-body [role=row]")];
        const there = rows.some(
          (r) =>
            Math.abs(Number(r.getAttribute("aria-rowindex")) - 2 - at) <=
            within,
        );
        return (
          there &&
          !rows.some((r) => r.classList.contains("loading")) &&
          performance.now()
        );
      },
      [at, within],
      { polling: "raf" },
    );
  const jumps = { end: [], drop: [] };
  for (let r = 0; r < rounds; r++) {
    await grid.focus();
    await page.keyboard.press("Home");
    await painted(0, 0);
    await page.evaluate(() =>
      document.addEventListener(
        "keydown",
        (e) => (window.__keyAt = e.timeStamp),
        { capture: true, once: true },
      ),
    );
    await page.keyboard.press("End");
    const end = await painted(views[0].total - 1, 0);
    jumps.end.push(
      (await end.jsonValue()) - (await page.evaluate(() => window.__keyAt)),
    );
    // A different spot each round, so no page is in the table's cache yet.
    const share = 0.75 - r * 0.01;
    const dropAt = await page.evaluate((to) => {
      const g = document.querySelector('[role="grid"]');
      g.scrollTop = to * (g.scrollHeight - g.clientHeight);
      return performance.now();
    }, share);
    const drop = await painted(Math.round(share * views[0].total), 100);
    jumps.drop.push((await drop.jsonValue()) - dropAt);
  }
  const metrics = (await cdp.send("Performance.getMetrics")).metrics;
  const heap = metrics.find((m) => m.name === "JSHeapUsedSize").value / 2 ** 20;

  console.log(
    `## UI in Chromium: ${views[0].total.toLocaleString("en")}-row store`,
  );
  console.log();
  console.log(`| measure | result | target |`);
  console.log(`|---|---:|---:|`);
  console.log(`| page load to first rows painted | ${firstPaint} ms | |`);
  console.log(
    `| filter change (view tab) to new rows painted, p50 / p95 / max of ${filterTimes.length} | ${ms(pct(filterTimes, 50))} / ${ms(pct(filterTimes, 95))} / ${ms(Math.max(...filterTimes))} | p95 ≤ 150 ms |`,
  );
  for (const v of views) {
    console.log(
      `| … of which ${v.name} (${v.total.toLocaleString("en")} rows): p50 / max | ${ms(pct(v.times, 50))} / ${ms(Math.max(...v.times))} | |`,
    );
  }
  console.log(
    `| view tabs flipped as soon as each one's rows show: click to new rows painted, p50 / p95 / max of ${flipTimes.length} | ${ms(pct(flipTimes, 50))} / ${ms(pct(flipTimes, 95))} / ${ms(Math.max(...flipTimes))} | p95 ≤ 150 ms |`,
  );
  console.log(
    `| facet menu open to its counts shown (${menuNames.length} menus on ${facetViews.join(" and ")}), p50 / p95 / max of ${facetTimes.length} | ${ms(pct(facetTimes, 50))} / ${ms(pct(facetTimes, 95))} / ${ms(Math.max(...facetTimes))} | p95 ≤ 200 ms |`,
  );
  console.log(
    `| PageDown ×200: frame time p50 / p95 / max (${pageDown.frames.length} frames; ${long(pageDown.frames)}) | ${ms(pct(pageDown.frames, 50))} / ${ms(pct(pageDown.frames, 95))} / ${ms(Math.max(...pageDown.frames))} | p95 ≤ 16.7 ms |`,
  );
  console.log(
    `| PageDown ×200: longest time blank rows were visible | ${ms(pageDown.longestBlank)} | ≤ 100 ms |`,
  );
  console.log(
    `| PageDown ×200 at ~30 a second: frame time p95 / longest time blank rows were visible | ${ms(pct(paced.frames, 95))} / ${ms(paced.longestBlank)} | ≤ 16.7 ms / ≤ 100 ms |`,
  );
  const med = (k) =>
    ms(
      pct(
        perKey.map((w) => w[k]),
        50,
      ),
    );
  console.log(
    `| PageDown ×200 at ~30 a second, traced: main-thread work per key, median: all (style / layout / paint) | ${med("all")} (${med("style")} / ${med("layout")} / ${med("paint")}) | under 16.7 ms |`,
  );
  console.log(
    `| scrollbar drag to middle and end: frame time p50 / p95 / max (${drag.frames.length} frames; ${long(drag.frames)}) | ${ms(pct(drag.frames, 50))} / ${ms(pct(drag.frames, 95))} / ${ms(Math.max(...drag.frames))} | p95 ≤ 16.7 ms |`,
  );
  console.log(
    `| scrollbar drag: longest time blank rows were visible (ended at ${(drag.scrolled * 100).toFixed(0)}% of the view) | ${ms(drag.longestBlank)} | ≤ 100 ms |`,
  );
  console.log(
    `| End: key press to the last row painted, median / max of ${rounds} | ${ms(pct(jumps.end, 50))} / ${ms(Math.max(...jumps.end))} | ≤ 300 ms |`,
  );
  console.log(
    `| thumb dropped at 75% (rows not loaded yet): to its rows painted, median / max of ${rounds} | ${ms(pct(jumps.drop, 50))} / ${ms(Math.max(...jumps.drop))} | ≤ 100 ms |`,
  );
  console.log(
    `| most row elements in the DOM at once | ${Math.max(pageDown.maxRows, drag.maxRows)} | ≤ 200 |`,
  );
  console.log(`| JS heap after all of it | ${heap.toFixed(1)} MB | ≤ 150 MB |`);
  await context.close();
} finally {
  await browser.close();
  server.child.kill();
}
