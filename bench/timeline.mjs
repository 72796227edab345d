// The event timeline's data over HTTP, as the UI fetches it above the table (issue #6): p50/p95
// of the `timeline` command (90 buckets) through a release `invlog serve` on a big store, for
// the views people open most; then a screenshot of the table with its timeline.
//   INVLOG=target/release/invlog node bench/timeline.mjs STORE [RUNS]   (bench/run.sh runs it)
import {
  launchChromium,
  openPage,
  serve,
  shots,
} from "../tests/e2e/harness.mjs";
import { pct, timedApi } from "./stats.mjs";
import { join } from "node:path";

const store = process.argv[2];
const runs = Number(process.argv[3] ?? 30);
if (!store) throw new Error("usage: bench/timeline.mjs STORE [RUNS]");
const view = (filters = [], search = null) => ({
  command: "timeline",
  args: {
    filters,
    search,
    sort: [],
    columns: [],
    buckets: 90,
    utc_offset_minutes: 0,
  },
});
const views = [
  ["all entries", view()],
  [
    "status = failed",
    view([{ column: "status", op: "eq", values: ["failed"] }]),
  ],
  [
    "channel = Flipkart",
    view([{ column: "channel", op: "eq", values: ["Flipkart"] }]),
  ],
  [
    "one week",
    view([
      {
        column: "occurred_at",
        op: "between",
        values: ["2025-03-01", "2025-03-07"],
      },
    ]),
  ],
  ["keyword kurta", view([], "kurta")],
];

const { child, url } = await serve(store);
try {
  console.log(`| view | timeline over HTTP p50 | p95 | entries | buckets |`);
  console.log(`|---|---:|---:|---:|---:|`);
  for (const [name, req] of views) {
    const { times, result } = await timedApi(url, req, runs);
    console.log(
      `| ${name} | ${pct(times, 0.5).toFixed(1)} ms | ${pct(times, 0.95).toFixed(1)} ms | ${result.total} | ${result.buckets.length} |`,
    );
  }
  const browser = await launchChromium();
  const { page } = await openPage(browser, url);
  await page
    .getByRole("region", { name: "Event timeline" })
    .locator("canvas")
    .waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, "timeline-1m.png") });
  console.log(`\nscreenshot: ${join(shots, "timeline-1m.png")}`);
  await browser.close();
} finally {
  child.kill();
}
