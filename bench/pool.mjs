// The read pool on a big store (issue #17): views no summary answers (their filters name other
// columns), counted, faceted and charted by scanning the entries, and the table's first page
// while such scans and an export run beside it. Each build named is a release `invlog serve`
// asked over HTTP as the UI asks; the builds take turns, a round each, so the machine's noise
// falls on both. The scans are asked of DuckDB too (in process, over the same CSV).
//   node bench/pool.mjs STORE CSV RUNS PYTHON BUILD...   (BUILD: NAME=PATH-TO-invlog, or
//   NAME=PATH-TO-invlog@STORE for a build that reads a store of its own: a copy of STORE
//   for an older build, which cannot open a store a newer one has migrated)
import { api, serve } from "../tests/e2e/harness.mjs";
import { askDuckDB, buildsOf, pct, timings } from "./stats.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [store, csv, runsArg, python, ...buildArgs] = process.argv.slice(2);
const runs = Number(runsArg);
const builds = buildsOf(buildArgs, store).map((b) => [
  b.name,
  b.binary,
  b.store,
]);
if (!store || !csv || !runs || !python || builds.length === 0)
  throw new Error("usage: bench/pool.mjs STORE CSV RUNS PYTHON NAME=INVLOG...");

const OFFSET_MIN = 330;
// Filters in the API's form and as SQL over DuckDB's table.
const scans = [
  {
    name: "inventory_sent >= 200",
    api: [{ column: "inventory_sent", op: "ge", values: ["200"] }],
    sql: "inventory_sent >= 200",
    // The same columns, another value: asked first, so the view measured is one the server
    // has not counted, on columns it has read.
    sibling: [{ column: "inventory_sent", op: "ge", values: ["199"] }],
  },
  {
    name: "channel = Flipkart, buffer_stock > 0",
    api: [
      { column: "channel", op: "eq", values: ["Flipkart"] },
      { column: "buffer_stock", op: "gt", values: ["0"] },
    ],
    sql: "channel = 'Flipkart' AND buffer_stock > 0",
    sibling: [
      { column: "channel", op: "eq", values: ["Flipkart"] },
      { column: "buffer_stock", op: "gt", values: ["1"] },
    ],
    // A facet of the channel leaves out the channel's own filter.
    facetSql: "buffer_stock > 0",
  },
  {
    // Keywords: Invlog's search box (the products' full-text index); in DuckDB what a Tad
    // user types, the product name containing the word (the same entries: checked below).
    name: "keywords: shirt",
    api: [],
    search: "shirt",
    sql: "product_name ILIKE '%shirt%'",
    sibling: [],
    siblingSearch: "tee",
  },
  {
    // A product filter matching half the products, with a quantity: SQLite took the products'
    // index for it and read every matching entry's row.
    name: "sku contains SKU-1, inventory_sent >= 400",
    api: [
      { column: "sku", op: "contains", values: ["SKU-1"] },
      { column: "inventory_sent", op: "ge", values: ["400"] },
    ],
    sql: "sku ILIKE '%SKU-1%' AND inventory_sent >= 400",
    sibling: [
      { column: "sku", op: "contains", values: ["SKU-1"] },
      { column: "inventory_sent", op: "ge", values: ["401"] },
    ],
  },
];
const flipkart = [{ column: "channel", op: "eq", values: ["Flipkart"] }];
const firstPage = {
  command: "query",
  args: {
    filters: flipkart,
    sort: [],
    columns: ["occurred_at", "status", "sku", "channel", "account"],
    limit: 100,
    with_total: true,
  },
};

const detail = (k) => ({
  command: "entry",
  args: { id: 1_000 + k * 77_777, reveal_secrets: false, attempt: null },
});

const questionsOf = (s) => [
  {
    name: `count: ${s.name}`,
    req: {
      command: "query",
      args: {
        filters: s.api,
        search: s.search ?? null,
        sort: [],
        columns: ["status"],
        limit: 1,
      },
    },
    sql: `SELECT count(*) FROM entries WHERE ${s.sql}`,
    answer: (r) => r.total,
  },
  {
    name: `page of 100, newest first: ${s.name}`,
    req: {
      command: "query",
      args: {
        filters: s.api,
        search: s.search ?? null,
        sort: [],
        columns: ["occurred_at", "status", "sku", "channel", "inventory_sent"],
        limit: 100,
        with_total: false,
      },
    },
    sql: `SELECT occurred_at, status, sku, channel, inventory_sent FROM entries WHERE ${s.sql} ORDER BY occurred_at DESC LIMIT 100`,
    answer: (r) => r.rows.length,
  },
  {
    name: `facet channel: ${s.name}`,
    req: {
      command: "facets",
      args: { filters: s.api, search: s.search ?? null, columns: ["channel"] },
    },
    sql: `SELECT channel, count(*) AS n FROM entries WHERE ${s.facetSql ?? s.sql} GROUP BY channel ORDER BY n DESC, channel LIMIT 500`,
    answer: (r) => r[0].values.reduce((n, v) => n + v.count, 0),
  },
  {
    name: `timeline: ${s.name}`,
    req: {
      command: "timeline",
      args: {
        filters: s.api,
        search: s.search ?? null,
        buckets: 80,
        utc_offset_minutes: OFFSET_MIN,
      },
    },
    // DuckDB gets the bucket width Invlog chose (bucket_ms), as summary.mjs does.
    sql: (width) =>
      `SELECT (occurred_at + ${OFFSET_MIN * 60_000}) // ${width} AS bucket, status, count(*) FROM entries WHERE ${s.sql} GROUP BY ALL`,
    answer: (r) => r.total,
  },
];
const questions = scans.flatMap(questionsOf);

async function time(url, req) {
  const t0 = performance.now();
  const { result } = await api(url, req);
  return [performance.now() - t0, result];
}

// name -> build -> ms per run; and what each build answered.
const { times, record } = timings();
const answers = new Map();
const widths = new Map();
const exportDir = mkdtempSync(join(tmpdir(), "invlog-pool-"));

/** One round of `build`: every scan once, then the first page idle and beside long reads. */
async function round(build, binary, buildStore, i) {
  const { child, url } = await serve(buildStore, binary);
  try {
    // The summary is read first (the shell's start), as it is before a user's first look.
    await time(url, firstPage);
    // A first look at each kind of view: the columns it filters on are read from the entries
    // then (held in memory after), so it takes what a scan takes.
    for (const s of scans)
      record(
        `first count on its columns: ${s.name}`,
        build,
        (
          await time(
            url,
            questionsOf({
              ...s,
              api: s.sibling,
              search: s.siblingSearch ?? s.search,
            })[0].req,
          )
        )[0],
      );
    for (const q of questions) {
      // A view's total is kept once counted: its first count is the scan. Facets and
      // timelines are read afresh each time: a second look, as summary.mjs takes.
      if (!q.name.startsWith("count")) await time(url, q.req);
      const [ms, result] = await time(url, q.req);
      record(q.name, build, ms);
      answers.set(`${q.name} ${build}`, q.answer(result));
      if (result.bucket_ms) widths.set(q.name, result.bucket_ms);
    }
    for (let k = 0; k < 5; k++) {
      record(
        "first page of a tab, nothing else running",
        build,
        (await time(url, firstPage))[0],
      );
      record(
        "an entry's detail, nothing else running",
        build,
        (await time(url, detail(k)))[0],
      );
    }
    // Beside: a scan's facet asked over and over, and an export of a big view.
    let busy = true;
    const scanning = (async () => {
      while (busy) await api(url, questions[1].req);
    })();
    await api(url, {
      command: "start_export",
      args: {
        path: join(exportDir, `${build}-${i}.csv`),
        format: null,
        bom: false,
        zone: "utc",
        reveal_secrets: false,
        filters: [],
        search: null,
        sort: [],
        columns: [],
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    for (let k = 0; k < 5; k++) {
      record(
        "first page of a tab, beside a scan and an export",
        build,
        (await time(url, firstPage))[0],
      );
      record(
        "an entry's detail, beside a scan and an export",
        build,
        (await time(url, detail(k)))[0],
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    busy = false;
    await scanning;
  } finally {
    child.kill();
  }
}

for (let i = 0; i < runs; i++)
  for (const [build, binary, buildStore] of builds)
    await round(build, binary, buildStore, i);
rmSync(exportDir, { recursive: true, force: true });

const ref = askDuckDB(
  python,
  csv,
  runs,
  questions.map((q) => ({
    name: q.name,
    sql: typeof q.sql === "function" ? q.sql(widths.get(q.name)) : q.sql,
    params: [],
  })),
);

const names = builds.map(([b]) => b);
const [mine, ...others] = names;
console.log(`${runs} rounds; p50 (p95) per build; ratios of p50s.\n`);
console.log(
  `| question | ${names.map((b) => `${b} p50 (p95)`).join(" | ")} | DuckDB p50 (p95) | ${[
    ...others.map((o) => `${mine} / ${o}`),
    `${mine} / DuckDB`,
  ].join(" | ")} | answer |`,
);
console.log(
  `|---|${"---:|".repeat(names.length + 1 + others.length + 1)}---:|`,
);
const cell = (xs) =>
  `${pct(xs, 0.5).toFixed(1)} ms (${pct(xs, 0.95).toFixed(1)})`;
for (const [name, byBuild] of times) {
  const p50 = (b) => pct(byBuild.get(b), 0.5);
  const d = ref[name];
  const answered = new Set(names.map((b) => answers.get(`${name} ${b}`)));
  if (answered.size > 1)
    throw new Error(`the builds answered ${name} differently`);
  console.log(
    `| ${name} | ${names.map((b) => cell(byBuild.get(b))).join(" | ")} | ${d ? cell(d) : ""} | ${[
      ...others.map((o) => `${(p50(mine) / p50(o)).toPrecision(2)}×`),
      d ? `${(p50(mine) / pct(d, 0.5)).toPrecision(2)}×` : "",
    ].join(" | ")} | ${answers.get(`${name} ${mine}`) ?? ""} |`,
  );
}
