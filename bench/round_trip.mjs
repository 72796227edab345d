// The HTTP round trip of `invlog serve` over one kept-alive connection, builds in turns: a
// command that reads nothing (`formats`) and the count of all entries (a one-row page and its
// total), each timed 400 times once the server has settled. Then the same asked by the page
// itself in Chromium, with `fetch` and over the UI's socket, beside a bare Node server's answer
// to each: the browser's own share of every request.
//   node bench/round_trip.mjs STORE BUILD... (each BUILD an invlog binary; 3 rounds)
import { launchChromium, serve } from "../tests/e2e/harness.mjs";
import { keptAlive, pct, settled, timedInPage } from "./stats.mjs";
import http from "node:http";
import { createRequire } from "node:module";

const { WebSocketServer } = createRequire(
  new URL("../ui/package.json", import.meta.url),
)("ws");

const [store, ...builds] = process.argv.slice(2);
if (!store || builds.length === 0)
  throw new Error("usage: bench/round_trip.mjs STORE BUILD...");
const formats = { command: "formats" };
const countAll = {
  command: "query",
  args: { filters: [], sort: [], columns: ["status"], limit: 1 },
};
const ms = (xs) =>
  `${pct(xs, 0.5).toFixed(3)} / ${pct(xs, 0.95).toFixed(3)} ms`;
console.log("| build | `formats` p50 / p95 | count of all entries p50 / p95 |");
console.log("|---|---:|---:|");
for (let round = 0; round < 3; round++) {
  for (const build of builds) {
    const { child, url } = await serve(store, build);
    const ask = keptAlive();
    for (let i = 0; i < 200; i++) await ask(url, formats);
    await settled(child.pid);
    for (let i = 0; i < 100; i++) await ask(url, countAll);
    const times = { formats: [], count: [] };
    for (let i = 0; i < 400; i++) {
      let start = performance.now();
      await ask(url, formats);
      times.formats.push(performance.now() - start);
      start = performance.now();
      await ask(url, countAll);
      times.count.push(performance.now() - start);
    }
    console.log(`| ${build} | ${ms(times.formats)} | ${ms(times.count)} |`);
    child.kill();
    await new Promise((done) => child.once("exit", done));
  }
}

/** p50 / p95 of `ask()` (a promise) timed 300 times by the page at `url` in Chromium, after
 * 50 untimed. `ask` runs in the page: its source, with `args`. */
async function inPage(browser, url, ask, args) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  const xs = await page.evaluate(
    async ([source, args]) => {
      const ask = await new Function("args", source)(args);
      for (let i = 0; i < 50; i++) await ask();
      const xs = [];
      for (let i = 0; i < 300; i++) {
        const start = performance.now();
        await ask();
        xs.push(performance.now() - start);
      }
      return xs;
    },
    [ask, args],
  );
  await page.close();
  return ms(xs);
}

/** A POST of `args.body` to `args.path` with `args.headers`, its answer read whole. */
const posting = `return () => fetch(args.path, { method: "POST", headers: args.headers, body: args.body })
  .then((r) => r.text());`;
/** A message on a socket opened once, to a bare server that sends every message back. */
const echoing = `const socket = new WebSocket(location.href.replace("http", "ws"));
  return new Promise((opened) => (socket.onopen = opened)).then(() => () =>
    new Promise((answered) => { socket.onmessage = answered; socket.send(args.body); }));`;

console.log();
console.log(
  "| in Chromium, p50 / p95 | `formats` by `fetch` | count of all entries by `fetch` | `formats` over the socket | count of all entries over the socket |",
);
console.log("|---|---:|---:|---:|---:|");
const browser = await launchChromium();
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => res.end("<!doctype html><title>bare</title>"));
});
new WebSocketServer({ server }).on("connection", (socket) =>
  socket.on("message", (m) => socket.send(m.toString())),
);
await new Promise((done) => server.listen(0, "127.0.0.1", done));
for (let round = 0; round < 2; round++) {
  const origin = `http://127.0.0.1:${server.address().port}/`;
  const body = JSON.stringify(formats);
  const bare = [
    await inPage(browser, origin, posting, { path: "/x", headers: {}, body }),
    await inPage(browser, origin, echoing, { body }),
  ];
  console.log(
    `| a bare Node server (answers at once) | ${bare[0]} | | ${bare[1]} | |`,
  );
  for (const build of builds) {
    const { child, url } = await serve(store, build);
    await settled(child.pid);
    const token = new URL(url).searchParams.get("token");
    // A page of the server's origin that is not the UI: nothing but the timed requests.
    const idle = new URL("/not-the-ui", url).toString();
    const answers = [];
    const headers = {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
    };
    for (const request of [formats, countAll])
      answers.push(
        await inPage(browser, idle, posting, {
          path: "/api",
          headers,
          body: JSON.stringify(request),
        }),
      );
    for (const request of [formats, countAll])
      answers.push(
        await timedInPage(browser, url, request, 300).then(
          ms,
          () => "no socket",
        ),
      );
    console.log(`| ${build} | ${answers.join(" | ")} |`);
    child.kill();
    await new Promise((done) => child.once("exit", done));
  }
}
server.close();
await browser.close();
