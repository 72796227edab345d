// What the browser and HTTP benchmarks share: percentiles, one API call timed over runs, and
// the same questions asked of DuckDB.
import { api } from "../tests/e2e/harness.mjs";
import { spawnSync } from "node:child_process";
import http from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const WebSocket = createRequire(new URL("../ui/package.json", import.meta.url))(
  "ws",
);

/** The `p` quantile (0..1) of `xs`, nearest rank. */
/** The builds a comparison names, `NAME=PATH-TO-invlog` or `NAME=PATH-TO-invlog@STORE` (an
 * older build reads a store of its own: it cannot open one a newer build migrated). */
export const buildsOf = (args, store) =>
  args.map((arg) => {
    const [name, rest] = arg.split("=");
    const [binary, own] = rest.split("@");
    return { name, binary, store: own ?? store };
  });

/** Saves the default layout on the server at `url`: its page then opens on all entries with
 * the default columns, whatever view an earlier run left it on. */
export async function openOnAllEntries(url) {
  const { result: columns } = await api(url, { command: "default_columns" });
  await api(url, {
    command: "save_layout",
    args: { columns, widths: {}, sort: [], filters: [], search: null },
  });
}

/** Times per question and build, in the order first recorded: `times` maps a question's
 * name to a Map of build -> ms per run; `record` adds one run's. */
export function timings() {
  const times = new Map();
  const record = (name, build, ms) => {
    if (!times.has(name)) times.set(name, new Map());
    const byBuild = times.get(name);
    if (!byBuild.has(build)) byBuild.set(build, []);
    byBuild.get(build).push(ms);
  };
  return { times, record };
}

/** Prints `times` (from `timings`) as a markdown table: a row per question, its p50 (min–max)
 * for each build of `names`. */
export function printTable(title, names, times) {
  console.log(`| ${title} | ${names.join(" | ")} |`);
  console.log(`|---|${names.map(() => "---:").join("|")}|`);
  for (const [name, byBuild] of times) {
    const cells = names.map((n) => {
      const xs = byBuild.get(n) ?? [];
      return `${pct(xs, 0.5).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
    });
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
}

export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
};

/** `req` posted `runs` times after one warm-up (as a second look would be): each run's ms.
 * `ask` posts one request and resolves to its answer: fetch, as the UI does, unless told. */
export async function timedApi(url, req, runs, ask = api) {
  await ask(url, req);
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = (await ask(url, req)).result;
    times.push(performance.now() - t0);
  }
  return { times, result };
}

/** An `ask` for `timedApi` over the socket the UI's page asks on (`/api/socket`), opened once
 * from Node: the page's own route to the server, without what a browser spends on each message.
 * Resolves once the socket is open; `close()` ends it. */
export async function overSocket(url) {
  const { host, origin, searchParams } = new URL(url);
  const target = `ws://${host}/api/socket?token=${searchParams.get("token")}`;
  const socket = new WebSocket(target, { origin });
  await new Promise((opened, failed) => {
    socket.once("open", opened);
    socket.once("error", failed);
  });
  const waiting = new Map();
  socket.on("message", (data) => {
    const answer = JSON.parse(data.toString());
    const w = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (!w) return;
    if ("response" in answer) w.answered(answer.response);
    else w.failed(new Error(`${answer.status}: ${answer.error}`));
  });
  let last = 0;
  const ask = (_url, request) =>
    new Promise((answered, failed) => {
      const id = ++last;
      waiting.set(id, { answered, failed });
      socket.send(JSON.stringify({ id, request }));
    });
  ask.close = () => socket.close();
  return ask;
}

/** Resolves, with the ms waited, once the process `pid` has used under 5% of a core over half a
 * second: a server settled after what it does on its own once asked (reading the columns of a
 * big store ahead of need), as DuckDB is timed once its table is loaded. */
export async function settled(pid, mostMs = 180_000) {
  // utime + stime, in clock ticks (1/100 s on Linux).
  const cpu = () =>
    readFileSync(`/proc/${pid}/stat`, "utf8")
      .split(") ")[1]
      .split(" ")
      .slice(11, 13)
      .reduce((a, b) => a + Number(b), 0);
  const t0 = performance.now();
  let before = cpu();
  while (performance.now() - t0 < mostMs) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpu();
    if (now - before <= 2) return performance.now() - t0;
    before = now;
  }
  throw new Error(`the server was still busy after ${mostMs} ms`);
}

/** An `ask` for `timedApi` over one kept-alive connection with node:http: what the server and
 * loopback take, without what fetch (undici) spends of its own on each call. */
export function keptAlive() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (url, request) => {
    const { hostname, port, searchParams } = new URL(url);
    const body = JSON.stringify(request);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          hostname,
          port,
          path: "/api",
          method: "POST",
          agent,
          headers: {
            Authorization: `Bearer ${searchParams.get("token")}`,
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode === 200) resolve(JSON.parse(text));
            else reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          });
        },
      );
      // The kept connection must not keep the benchmark's process alive.
      req.on("socket", (socket) => socket.unref());
      req.on("error", reject);
      req.end(body);
    });
  };
}

/** `questions` written to a file, `program` run with `args(file)`: its stdout read as JSON. */
function askWithQuestions(program, args, questions) {
  const dir = mkdtempSync(join(tmpdir(), "invlog-ask-"));
  try {
    const file = join(dir, "q.json");
    writeFileSync(file, JSON.stringify(questions));
    const run = spawnSync(program, args(file), {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (run.status !== 0)
      throw new Error(`${program} failed: ${run.stderr ?? run.error}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `questions` ({ name, sql, params }) asked of DuckDB `runs` times each by `duckdb_ref.py`, with
 * `python` (one with the duckdb package) over the table loaded from `csv`: its load time, rows,
 * and each question's ms per run, by name. */
export const askDuckDB = (python, csv, runs, questions) =>
  askWithQuestions(
    python,
    (file) => [
      new URL("duckdb_ref.py", import.meta.url).pathname,
      csv,
      String(runs),
      file,
    ],
    questions,
  );

/** `questions` ({ name, request }) dispatched `runs` times each by the engine in one process
 * (`bench/dispatch.rs`, built beside `invlog` as `examples/bench_dispatch`) on `store`: no HTTP,
 * as DuckDB is asked. Each question's ms per run, by name. */
export function askInProcess(invlog, store, runs, questions) {
  const bin = join(dirname(invlog), "examples", "bench_dispatch");
  return askWithQuestions(
    bin,
    (file) => [store, String(runs), file],
    questions,
  );
}

/** Times `request`, asked `runs` times (after 50 untimed) by the UI's page at `url` in
 * Chromium over a socket of its own, as the UI asks: the ms of each, from the send to the
 * answer parsed. The page is the UI's (cross-origin isolated, so its clock ticks in 5 µs),
 * once its first rows are shown. */
export async function timedInPage(browser, url, request, runs) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page
    .getByRole("grid", { name: "Inventory log" })
    .getByRole("row")
    .nth(1)
    .waitFor();
  const token = new URL(url).searchParams.get("token");
  const times = await page.evaluate(
    async ([token, request, runs]) => {
      const target = new URL("/api/socket", location.href);
      target.protocol = "ws:";
      target.search = "";
      target.searchParams.set("token", token);
      const socket = new WebSocket(target);
      await new Promise((opened, failed) => {
        socket.onopen = opened;
        socket.onerror = failed;
      });
      let last = 0;
      const ask = () =>
        new Promise((answered, failed) => {
          const id = ++last;
          socket.onmessage = (e) => {
            const answer = JSON.parse(e.data);
            if (answer.id !== id) return;
            if ("response" in answer) answered(answer.response);
            else failed(new Error(answer.error));
          };
          socket.send(JSON.stringify({ id, request }));
        });
      for (let i = 0; i < 50; i++) await ask();
      const xs = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await ask();
        xs.push(performance.now() - start);
      }
      socket.close();
      return xs;
    },
    [token, request, runs],
  );
  await context.close();
  return times;
}
