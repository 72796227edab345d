// Keywords typed into the search box of a 10M-entry store in Chromium (issue #17): from the
// typing to the view's first rows painted, to its count shown and to its timeline drawn; then
// other keywords, as a user searching again would. Each run starts a fresh `invlog serve`;
// builds take turns, a run each, so the machine's noise falls on all of them.
//   node bench/search.mjs STORE RUNS WORD,WORD... BUILD...   (BUILD: NAME=PATH-TO-invlog, or
//   NAME=PATH-TO-invlog@STORE for a build that reads a store of its own)
import { api, launchChromium, serve } from "../tests/e2e/harness.mjs";
import { buildsOf, openOnAllEntries, pct, timings } from "./stats.mjs";

const [store, runsArg, wordsArg, ...buildArgs] = process.argv.slice(2);
const runs = Number(runsArg);
const words = (wordsArg ?? "").split(",").filter(Boolean);
const builds = buildsOf(buildArgs, store);
if (!store || !runs || words.length === 0 || builds.length === 0)
  throw new Error(
    "usage: bench/search.mjs STORE RUNS WORD,WORD... NAME=INVLOG...",
  );

// "typed word -> what" -> build -> ms per run.
const { times, record } = timings();

/** One run of `build`: every word typed in turn into a fresh page. */
async function run(browser, build) {
  const { child, url } = await serve(build.store, build.binary);
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
  });
  try {
    await openOnAllEntries(url);
    const page = await context.newPage();
    await page.goto(url);
    await page
      .getByRole("grid")
      .getByRole("row")
      .nth(1)
      .getByRole("gridcell")
      .first()
      .waitFor();
    await page.locator(".timeline-when", { hasText: "in all" }).waitFor();
    for (const [n, word] of words.entries()) {
      const { result } = await api(url, {
        command: "query",
        args: {
          filters: [],
          search: word,
          sort: [],
          columns: ["sku", "inventory_sent"],
          limit: 1,
          with_total: false,
        },
      });
      // The view's first row is painted when the row in its place shows its SKU and quantity.
      const first = result.rows[0].map(String);
      // Watched frame by frame in the page from the moment the box holds the word.
      const box = page.getByRole("searchbox", { name: "Search keywords" });
      const seen = await box.evaluate(
        (el, { word, first }) =>
          new Promise((done) => {
            const setValue = Object.getOwnPropertyDescriptor(
              HTMLInputElement.prototype,
              "value",
            ).set;
            setValue.call(el, word);
            el.dispatchEvent(new Event("input", { bubbles: true }));
            const t0 = performance.now();
            const seen = {};
            const look = () => {
              const at = performance.now() - t0;
              const row = document.querySelector(
                `.grid-body [role="row"][aria-rowindex="2"]:not(.loading)`,
              );
              const text = row
                ? [...row.querySelectorAll('[role="gridcell"]')].map(
                    (c) => c.textContent ?? "",
                  )
                : [];
              if (
                seen.rows === undefined &&
                first.every((v) => text.includes(v))
              )
                seen.rows = at;
              const count =
                document.querySelector("output.count")?.textContent ?? "";
              if (
                seen.count === undefined &&
                seen.rows !== undefined &&
                /^[\d,]+ entr/.test(count)
              )
                seen.count = at;
              const when =
                document.querySelector(".timeline-when")?.textContent ?? "";
              const chart = document.querySelector(
                ".timeline-plot:not(.outdated)",
              );
              if (
                seen.rows !== undefined &&
                chart &&
                /in all$/.test(when) &&
                seen.timeline === undefined
              )
                seen.timeline = at;
              if (seen.count !== undefined && seen.timeline !== undefined)
                done(seen);
              else if (at > 60_000) done(seen);
              else requestAnimationFrame(look);
            };
            requestAnimationFrame(look);
          }),
        { word, first },
      );
      const label = `${n === 0 ? "first" : "then"} "${word}"`;
      record(`${label} → first rows painted`, build.name, seen.rows ?? NaN);
      record(`${label} → count shown`, build.name, seen.count ?? NaN);
      record(`${label} → timeline drawn`, build.name, seen.timeline ?? NaN);
    }
  } finally {
    await context.close();
    child.kill();
  }
}

const browser = await launchChromium();
try {
  for (let i = 0; i < runs; i++) for (const b of builds) await run(browser, b);
} finally {
  await browser.close();
}

const names = builds.map((b) => b.name);
console.log(`${runs} runs; p50 (min–max) per build, ms from the typing.\n`);
console.log(`| step | ${names.join(" | ")} |`);
console.log(`|---|${"---:|".repeat(names.length)}`);
for (const [step, byBuild] of times) {
  const cell = (xs) =>
    `${pct(xs, 0.5).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(
    `| ${step} | ${names.map((b) => cell(byBuild.get(b))).join(" | ")} |`,
  );
}
