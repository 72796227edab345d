// Counts, facets and timelines on a big store (issue #17), side by side with DuckDB: each
// question asked of a release `invlog serve` over HTTP, as the UI asks it, and the same
// question asked of DuckDB (Python package, in process, the table loaded from the same CSV).
//   INVLOG=target/release/invlog node bench/summary.mjs STORE CSV [RUNS] [PYTHON]
// PYTHON: a Python with the duckdb package (bench/run.sh makes one).
import { api, invlog, launchChromium, serve } from "../tests/e2e/harness.mjs";
import {
  askDuckDB,
  askInProcess,
  keptAlive,
  overSocket,
  pct,
  settled,
  timedApi,
  timedInPage,
} from "./stats.mjs";

const [store, csv] = process.argv.slice(2, 4);
const runs = Number(process.argv[4] ?? 20);
const python = process.argv[5] ?? "python3";
if (!store || !csv)
  throw new Error("usage: bench/summary.mjs STORE CSV [RUNS] [PYTHON]");

// A filter in the API's form and in DuckDB's.
const eq = (column, value) => ({
  api: { column, op: "eq", values: [value] },
  column,
  sql: `${column} = ?`,
  params: [value],
});
const since = (iso) => ({
  api: { column: "occurred_at", op: "ge", values: [iso] },
  column: "occurred_at",
  sql: "occurred_at >= ?",
  params: [Date.parse(iso)],
});
const days = (from, to) => ({
  api: { column: "occurred_at", op: "between", values: [from, to] },
  column: "occurred_at",
  sql: "occurred_at >= ? AND occurred_at < ?",
  params: [Date.parse(from), Date.parse(to) + 86_400_000],
});
const views = [
  ["all entries", []],
  ["status = failed", [eq("status", "failed")]],
  ["channel = Flipkart", [eq("channel", "Flipkart")]],
  ["account = Amazon-Mumbai", [eq("account", "Amazon-Mumbai")]],
  ["location_code = WH02", [eq("location_code", "WH02")]],
  ["one week (2025-03-01..07)", [days("2025-03-01", "2025-03-07")]],
  [
    "Amazon, failed, since a local midnight",
    [
      eq("channel", "Amazon"),
      eq("status", "failed"),
      since("2025-05-31T18:30:00.000Z"),
    ],
  ],
];
const where = (fs) =>
  fs.length ? `WHERE ${fs.map((f) => f.sql).join(" AND ")}` : "";
const params = (fs) => fs.flatMap((f) => f.params);
const OFFSET_MIN = 330; // the merchant's clock: India, UTC+05:30

const timed = (url, req) => timedApi(url, req, runs);

const rows = [];
const questions = [];
const { child, url } = await serve(store);
try {
  // The first count after the server starts waits for the summary to be read into memory.
  const t0 = performance.now();
  await api(url, {
    command: "query",
    args: {
      filters: [eq("channel", "Amazon").api],
      sort: [],
      columns: ["status"],
      limit: 1,
    },
  });
  rows.push({
    q: "first count after the server starts (the summary read)",
    times: [performance.now() - t0],
    n: "",
  });
  // That first question also sets the server reading ahead the columns most views need, on
  // every core (1.5 s at 10M): what follows is timed once it is done, as DuckDB
  // is timed once its table is loaded (at 10M a count of all entries over one kept-alive
  // connection took 1.2 ms during it, 0.51 ms after: the client shared the cores with it).
  rows.push({
    q: "… then the server settled (its read ahead of columns done) after",
    times: [await settled(child.pid)],
    n: "",
  });
  // The floor every answer over HTTP stands on: a command that reads nothing. Asked first, many
  // times, so that the first question timed after it does not pay for warming up the server's
  // and this client's HTTP paths (the first one timed was ~2× the others when it did).
  for (let i = 0; i < 50; i++) await api(url, { command: "formats" });
  const formats = { command: "formats" };
  const floor = await timed(url, formats);
  rows.push({
    q: "HTTP round trip of a command that reads nothing (`formats`)",
    times: floor.times,
    n: "",
    req: formats,
  });
  // The same two, and the count of all entries, over one kept-alive connection: how much of
  // the round trip is this client's fetch rather than the server.
  // Answers this short vary by more than their size from one run to the next on a shared VM:
  // they are timed ten times as often, and DuckDB's answer to the same question too.
  const lean = keptAlive();
  const manyRuns = runs * 10;
  for (let i = 0; i < 50; i++) await lean(url, { command: "formats" });
  const leanFloor = await timedApi(url, { command: "formats" }, manyRuns, lean);
  rows.push({
    q: "… the same over one kept-alive connection (node:http, not fetch)",
    times: leanFloor.times,
    n: "",
  });
  const countAll = {
    command: "query",
    args: { filters: [], sort: [], columns: ["status"], limit: 1 },
  };
  // The count of all entries by one route, beside DuckDB's answer timed as many times.
  const countedAll = (name, times, n, req) => {
    rows.push({ q: name, times, n, req });
    questions.push({
      name,
      sql: "SELECT count(*) FROM entries",
      params: [],
      runs: manyRuns,
    });
  };
  const leanCount = await timedApi(url, countAll, manyRuns, lean);
  countedAll(
    "count: all entries, over one kept-alive connection (node:http)",
    leanCount.times,
    leanCount.result.total,
    countAll,
  );
  // Over the socket the UI's page asks on, from Node: the page's route without the browser.
  const socket = await overSocket(url);
  try {
    const overIt = await timedApi(url, countAll, manyRuns, socket);
    countedAll(
      "count: all entries, over the UI's socket (Node)",
      overIt.times,
      overIt.result.total,
    );
  } finally {
    socket.close();
  }
  // And as the UI asks it: by its page in Chromium, over the page's socket. A `fetch` there
  // costs ~3 ms whoever answers (`bench/round_trip.mjs`); a message on an open socket does not.
  const browser = await launchChromium();
  try {
    countedAll(
      "count: all entries, asked by the UI's page in Chromium (its socket)",
      await timedInPage(browser, url, countAll, manyRuns),
      leanCount.result.total,
    );
  } finally {
    await browser.close();
  }
  for (const [name, fs] of views) {
    const filters = fs.map((f) => f.api);
    const countReq = {
      command: "query",
      args: { filters, sort: [], columns: ["status"], limit: 1 },
    };
    const count = await timed(url, countReq);
    rows.push({
      q: `count: ${name}`,
      times: count.times,
      n: count.result.total,
      req: countReq,
    });
    questions.push({
      name: `count: ${name}`,
      sql: `SELECT count(*) FROM entries ${where(fs)}`,
      params: params(fs),
    });
    const others = fs.filter((f) => f.column !== "channel");
    const facetReq = {
      command: "facets",
      args: { filters, columns: ["channel"] },
    };
    const facet = await timed(url, facetReq);
    rows.push({
      q: `facet channel: ${name}`,
      times: facet.times,
      n: facet.result[0].values.length,
      req: facetReq,
    });
    questions.push({
      name: `facet channel: ${name}`,
      sql: `SELECT channel, count(*) AS n FROM entries ${where(others)} GROUP BY channel ORDER BY n DESC, channel LIMIT 500`,
      params: params(others),
    });
    const timelineReq = {
      command: "timeline",
      args: {
        filters,
        sort: [],
        columns: [],
        buckets: 80,
        utc_offset_minutes: OFFSET_MIN,
      },
    };
    const timeline = await timed(url, timelineReq);
    const width = timeline.result.bucket_ms;
    rows.push({
      q: `timeline: ${name}`,
      times: timeline.times,
      n: timeline.result.total,
      req: timelineReq,
    });
    questions.push({
      name: `timeline: ${name}`,
      sql: `SELECT (occurred_at + ${OFFSET_MIN * 60_000}) // ${width} AS bucket, status, count(*)
            FROM entries ${where(fs)} GROUP BY ALL`,
      params: params(fs),
    });
  }
  const everyFacet = { command: "facets", args: { filters: [] } };
  const all = await timed(url, everyFacet);
  rows.push({
    q: "every facet (8 columns): all entries",
    times: all.times,
    n: all.result.length,
    req: everyFacet,
  });
} finally {
  child.kill();
}

const ref = askDuckDB(python, csv, runs, questions);
// The same requests of the engine in one process, after the server has gone: what HTTP adds,
// taken away, as DuckDB is asked.
const near = askInProcess(
  invlog,
  store,
  runs,
  rows.filter((r) => r.req).map((r) => ({ name: r.q, request: r.req })),
);
console.log(
  `DuckDB loaded the CSV (${ref.rows} rows) in ${ref.load_s.toFixed(1)} s.\n`,
);
console.log(
  "| question | Invlog p50 | Invlog p95 | DuckDB p50 | DuckDB p95 | Invlog / DuckDB (p50) | Invlog in process p50 / p95 | in process / DuckDB (p50) | answer |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
const ms = (x) => `${x.toFixed(x < 1 ? 2 : 1)} ms`;
const ratio = (x) => `${x.toFixed(x < 0.1 ? 3 : 2)}×`;
for (const r of rows) {
  const [d, e] = [ref[r.q], near[r.q]];
  const [ip50, ip95] = [pct(r.times, 0.5), pct(r.times, 0.95)];
  const cells = d
    ? [ms(pct(d, 0.5)), ms(pct(d, 0.95)), ratio(ip50 / pct(d, 0.5))]
    : ["", "", ""];
  const inProcess = e
    ? [
        `${ms(pct(e, 0.5))} / ${ms(pct(e, 0.95))}`,
        d ? ratio(pct(e, 0.5) / pct(d, 0.5)) : "",
      ]
    : ["", ""];
  console.log(
    `| ${r.q} | ${ms(ip50)} | ${ms(ip95)} | ${[...cells, ...inProcess].join(" | ")} | ${r.n} |`,
  );
}
