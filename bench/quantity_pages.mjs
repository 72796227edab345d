// Pages of a view no summary counts (issue #17): filtered on a quantity, asked over HTTP as the
// table asks them, each case on a fresh `invlog serve` (a first look: nothing held, nothing
// walked), asked twice. Then End and other deep jumps after the view's count. Builds take
// turns, a round each.
//   node bench/quantity_pages.mjs STORE ROUNDS BUILD...   (BUILD: NAME=PATH-TO-invlog, or
//   NAME=PATH-TO-invlog@STORE for a build that reads a store of its own)
import { api, serve } from "../tests/e2e/harness.mjs";
import { buildsOf, pct } from "./stats.mjs";

const [store, roundsArg, ...buildArgs] = process.argv.slice(2);
const rounds = Number(roundsArg);
const builds = buildsOf(buildArgs, store).map((b) => ({ ...b, times: {} }));
if (!store || !rounds || builds.length === 0)
  throw new Error(
    "usage: bench/quantity_pages.mjs STORE ROUNDS NAME=INVLOG...",
  );

const columns = [
  "occurred_at",
  "sku",
  "channel",
  "account",
  "inventory_sent",
  "status",
];
const query = (filter, offset, limit, withTotal) => ({
  command: "query",
  args: {
    filters: Array.isArray(filter) ? filter : [filter],
    sort: [],
    columns,
    offset,
    limit,
    with_total: withTotal,
  },
});
const broad = { column: "inventory_sent", op: "ge", values: ["200"] };
const narrow = { column: "inventory_sent", op: "eq", values: ["77"] };
// Too few rows for deep pages (nothing is placed in time after the count).
const narrower = [
  narrow,
  { column: "channel", op: "eq", values: ["Flipkart"] },
];

/** The view counted (with its first page), and a second later its first page again and the
 * table's rows ahead: the view shown again, once the count has held its columns. */
const countedThenAgain = (filter) => [
  query(filter, 0, 200, true),
  { pause: 1000 },
  query(filter, 0, 200, false),
  query(filter, 200, 1600, false),
];

/** Each case: a name and the requests asked in turn on one fresh server. */
const cases = [
  [
    "first page (200 rows), >= 200",
    [query(broad, 0, 200, false), query(broad, 0, 200, false)],
  ],
  [
    "the table's read-ahead (offset 200, 1,600 rows), >= 200",
    [query(broad, 200, 1600, false), query(broad, 200, 1600, false)],
  ],
  [
    "a page 2,000 rows in, >= 200",
    [query(broad, 2000, 200, false), query(broad, 2000, 200, false)],
  ],
  [
    "first page, = 77 (0.2% of entries)",
    [query(narrow, 0, 200, false), query(narrow, 0, 200, false)],
  ],
  [
    "counted, a second later its first page again, then the rows ahead, = 77",
    countedThenAgain(narrow),
  ],
  [
    "counted, a second later its first page again, then the rows ahead, = 77 and Flipkart",
    countedThenAgain(narrower),
  ],
  [
    "counted, then End, then two more deep jumps, >= 200",
    [
      query(broad, 0, 200, true),
      { end: true },
      query(broad, 3_000_000, 200, false),
      query(broad, 1_234_567, 200, false),
    ],
  ],
  [
    "counted, 0.3 s later a deep jump, then another, >= 200",
    [
      query(broad, 0, 200, true),
      { pause: 300 },
      query(broad, 3_000_000, 200, false),
      query(broad, 1_234_567, 200, false),
    ],
  ],
  [
    "counted, a second later a deep jump, then another, >= 200",
    [
      query(broad, 0, 200, true),
      { pause: 1000 },
      query(broad, 3_000_000, 200, false),
      query(broad, 1_234_567, 200, false),
    ],
  ],
];

async function timed(url, request) {
  const t = performance.now();
  const answer = await api(url, request);
  return { ms: performance.now() - t, answer };
}

for (let r = 0; r < rounds; r++) {
  for (const [name, requests] of cases) {
    for (const b of builds) {
      const { child, url } = await serve(b.store, b.binary);
      try {
        let total = 0;
        const ms = [];
        for (const req of requests) {
          // A user reading the count before scrolling: not timed.
          if (req.pause) {
            await new Promise((resolve) => setTimeout(resolve, req.pause));
            continue;
          }
          const ask = req.end
            ? query(broad, Math.max(0, total - 200), 200, false)
            : req;
          const { ms: took, answer } = await timed(url, ask);
          total = answer.result.total ?? total;
          ms.push(took);
        }
        (b.times[name] ??= []).push(ms);
      } finally {
        child.kill();
      }
    }
  }
}

const again = ["count", "first page", "rows ahead"];
const labels = {
  "counted, a second later its first page again, then the rows ahead, = 77":
    again,
  "counted, a second later its first page again, then the rows ahead, = 77 and Flipkart":
    again,
  "counted, then End, then two more deep jumps, >= 200": [
    "count",
    "End",
    "deep 2",
    "deep 3",
  ],
  "counted, 0.3 s later a deep jump, then another, >= 200": [
    "count",
    "deep",
    "deep 2",
  ],
  "counted, a second later a deep jump, then another, >= 200": [
    "count",
    "deep",
    "deep 2",
  ],
};
console.log(
  `## Pages of a view filtered on a quantity, each case on a fresh server (${rounds} rounds, p50 of each request in turn)`,
);
console.log();
console.log(`| case | ${builds.map((b) => b.name).join(" | ")} |`);
console.log(`|---|${builds.map(() => "---:").join("|")}|`);
for (const [name, requests] of cases) {
  const timed = requests.filter((req) => !req.pause);
  const parts =
    labels[name] ?? timed.map((_, i) => (i === 0 ? "first" : "again"));
  const cells = builds.map((b) =>
    parts
      .map(
        (p, i) =>
          `${p} ${pct(
            b.times[name].map((ms) => ms[i]),
            0.5,
          ).toFixed(0)} ms`,
      )
      .join(" / "),
  );
  console.log(`| ${name} | ${cells.join(" | ")} |`);
}
