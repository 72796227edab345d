// The HTTP round trip of `invlog serve` over one kept-alive connection, builds in turns: a
// command that reads nothing (`formats`) and the count of all entries (a one-row page and its
// total), each timed 400 times once the server has settled. Then the same asked by the page
// itself in Chromium (`fetch`, as the UI asks), beside a bare Node server's answer to a fetch:
// the browser's own share of every request.
//   node bench/round_trip.mjs STORE BUILD... (each BUILD an invlog binary; 3 rounds)
import { launchChromium, serve } from "../tests/e2e/harness.mjs";
import { keptAlive, pct, settled } from "./stats.mjs";
import http from "node:http";

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

/** p50 / p95 of a POST of `body` to `path` with `headers`, timed 300 times by the page at
 * `url` in Chromium (its answer read whole), after 50 untimed. */
async function inPage(browser, url, path, headers, body) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  const xs = await page.evaluate(
    async ([path, headers, body]) => {
      const ask = async () =>
        (await fetch(path, { method: "POST", headers, body })).text();
      for (let i = 0; i < 50; i++) await ask();
      const xs = [];
      for (let i = 0; i < 300; i++) {
        const start = performance.now();
        await ask();
        xs.push(performance.now() - start);
      }
      return xs;
    },
    [path, headers, body],
  );
  await page.close();
  return ms(xs);
}

console.log();
console.log(
  "| in Chromium (`fetch` by the page) | `formats` p50 / p95 | count of all entries p50 / p95 |",
);
console.log("|---|---:|---:|");
const browser = await launchChromium();
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => res.end("<!doctype html><title>bare</title>"));
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
for (let round = 0; round < 2; round++) {
  const origin = `http://127.0.0.1:${server.address().port}/`;
  console.log(
    `| a bare Node server (answers every request at once) | ${await inPage(browser, origin, "/x", {}, "{}")} | |`,
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
        await inPage(browser, idle, "/api", headers, JSON.stringify(request)),
      );
    console.log(`| ${build} | ${answers.join(" | ")} |`);
    child.kill();
    await new Promise((done) => child.once("exit", done));
  }
}
server.close();
await browser.close();
