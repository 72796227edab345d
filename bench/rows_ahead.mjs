// Rows the table reads ahead of the screen beside the rows on screen (issue #17): a view's
// 1,600 rows ahead asked as each build's table asks them (`rows_ahead`, or `query` on a build
// without it), then 5 ms later another view's first page, over HTTP. Views no index serves
// (two accounts, a location) and a channel, each read ahead at offsets 200 to 6,600. Then the
// same flip as the table makes it: the view left's rows ahead taken back (on a build that
// can), the next view's first page, then its own rows ahead, timed from the flip. Then rows
// ahead deep in a view sorted by SKU (a walk to its anchors, seconds at 10M) and 50 ms later
// another view's first page. Then the server's anonymous memory. Builds take turns, a fresh
// server each per round.
//   node bench/rows_ahead.mjs STORE ROUNDS BUILD...   (BUILD: NAME=PATH-TO-invlog, or
//   NAME=PATH-TO-invlog@STORE for a build that reads a store of its own)
import { readFileSync } from "node:fs";
import { api, serve } from "../tests/e2e/harness.mjs";
import { buildsOf, pct } from "./stats.mjs";

const [store, roundsArg, ...buildArgs] = process.argv.slice(2);
const rounds = Number(roundsArg);
const builds = buildsOf(buildArgs, store).map((b) => ({
  ...b,
  alone: [],
  beside: [],
  ahead: [],
  flipped: [],
  besideDeep: [],
  memory: [],
}));
if (!store || !rounds || builds.length === 0)
  throw new Error("usage: bench/rows_ahead.mjs STORE ROUNDS NAME=INVLOG...");

const columns = [
  "occurred_at",
  "sku",
  "channel",
  "account",
  "inventory_sent",
  "status",
];
const eq = (column, value) => [{ column, op: "eq", values: [value] }];
const views = [
  eq("account", "Amazon-Mumbai"),
  eq("location_code", "WH02"),
  eq("channel", "Flipkart"),
  eq("account", "Ajio-West"),
];
const page = (command, filters, offset, limit, ticket, sort = []) => ({
  command,
  args: {
    filters,
    search: null,
    sort,
    columns,
    offset,
    limit,
    with_total: false,
    ...(ticket ? { ticket } : {}),
  },
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const timed = async (url, request) => {
  const t = performance.now();
  await api(url, request);
  return performance.now() - t;
};
const rssAnonMb = (pid) =>
  Number(
    readFileSync(`/proc/${pid}/status`, "utf8").match(/RssAnon:\s+(\d+)/)[1],
  ) / 1024;

for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    const { child, url } = await serve(b.store, b.binary);
    try {
      // What each build's table sends for rows ahead.
      const ahead = await api(url, page("rows_ahead", [], 0, 1))
        .then(() => "rows_ahead")
        .catch(() => "query");
      const takeBack = (ticket) =>
        api(url, { command: "take_back_rows_ahead", args: { ticket } }).catch(
          () => undefined,
        );
      // Past the start's own reads (the summary, the columns read ahead).
      await sleep(8000);
      for (const [v, filters] of views.entries()) {
        const next = views[(v + 1) % views.length];
        b.alone.push(await timed(url, page("query", next, 0, 200)));
        const offset = 200 + 1600 * ((r * 7 + v) % 5);
        const reading = timed(url, page(ahead, filters, offset, 1600));
        await sleep(5);
        b.beside.push(await timed(url, page("query", next, 0, 200)));
        b.ahead.push(await reading);
      }
      for (const [v, filters] of views.entries()) {
        const next = views[(v + 1) % views.length];
        const [left, shown] = [`left-${r}-${v}`, `shown-${r}-${v}`];
        const offset = 200 + 1600 * ((r * 7 + v + 2) % 5);
        const reading = api(
          url,
          page(ahead, filters, offset, 1600, left),
        ).catch(() => undefined);
        await sleep(5);
        const flip = performance.now();
        void takeBack(left);
        await api(url, page("query", next, 0, 200));
        await api(url, page(ahead, next, 200 + 1600 * (r % 3), 1600, shown));
        b.flipped.push(performance.now() - flip);
        await reading;
      }
      const bySku = [{ column: "sku", desc: false }];
      const deep = page(
        ahead,
        views[2],
        200_000 + 150_000 * r,
        1600,
        `deep-${r}`,
        bySku,
      );
      const walking = api(url, deep);
      await sleep(50);
      b.besideDeep.push(await timed(url, page("query", views[0], 0, 200)));
      await walking;
      b.memory.push(rssAnonMb(child.pid));
    } finally {
      child.kill();
    }
  }
}

const ms = (xs, p) => `${pct(xs, p).toFixed(1)} ms`;
console.log(
  `## Rows read ahead beside the rows on screen, over HTTP (${rounds} rounds of ${views.length} views)`,
);
console.log();
console.log(`| | ${builds.map((b) => b.name).join(" | ")} |`);
console.log(`|---|${builds.map(() => "---:").join("|")}|`);
const row = (label, cell) =>
  console.log(`| ${label} | ${builds.map(cell).join(" | ")} |`);
row(
  "another view's first page beside rows ahead, p50 / p95",
  (b) => `${ms(b.beside, 0.5)} / ${ms(b.beside, 0.95)}`,
);
row(
  "the rows ahead themselves, p50 / p95",
  (b) => `${ms(b.ahead, 0.5)} / ${ms(b.ahead, 0.95)}`,
);
row("a first page with nothing beside it, p50", (b) => ms(b.alone, 0.5));
row(
  "a flip to another view: its first page then its own rows ahead, p50 / p95",
  (b) => `${ms(b.flipped, 0.5)} / ${ms(b.flipped, 0.95)}`,
);
row(
  "another view's first page beside rows ahead deep in a view sorted by SKU, p50 / max",
  (b) => `${ms(b.besideDeep, 0.5)} / ${ms(b.besideDeep, 1)}`,
);
row(
  "the server's anonymous memory after, median",
  (b) => `${pct(b.memory, 0.5).toFixed(0)} MB`,
);
