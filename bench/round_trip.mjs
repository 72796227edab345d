// The HTTP round trip of `invlog serve` over one kept-alive connection, builds in turns: a
// command that reads nothing (`formats`) and the count of all entries (a one-row page and its
// total), each timed 400 times once the server has settled.
//   node bench/round_trip.mjs STORE BUILD... (each BUILD an invlog binary; 3 rounds)
import { serve } from "../tests/e2e/harness.mjs";
import { keptAlive, pct, settled } from "./stats.mjs";

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
