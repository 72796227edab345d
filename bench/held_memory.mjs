// Held columns (issue #17, fourteenth part): the server's memory (peak RssAnon and RssFile of
// /proc/PID/status, read every 5 ms) and the time of each round while six scanned questions
// (two views × count, facet, timeline) are asked again and again on a fresh `invlog serve`.
//   node bench/held_memory.mjs STORE INVLOG ROUNDS
import { api, serve } from "../tests/e2e/harness.mjs";
import { readFileSync } from "node:fs";
const [store, binary, roundsArg] = process.argv.slice(2);
const f1 = [{ column: "inventory_sent", op: "ge", values: ["200"] }];
const f2 = [{ column: "channel", op: "eq", values: ["Flipkart"] }, { column: "buffer_stock", op: "gt", values: ["0"] }];
const reqs = [f1, f2].flatMap((filters) => [
  { command: "query", args: { filters, sort: [], columns: ["status"], limit: 1 } },
  { command: "facets", args: { filters, columns: ["channel"] } },
  { command: "timeline", args: { filters, buckets: 80, utc_offset_minutes: 330 } },
]);
const { child, url } = await serve(store, binary);
const peak = { RssAnon: 0, RssFile: 0 };
const sample = () => {
  const s = readFileSync(`/proc/${child.pid}/status`, "utf8");
  for (const k of Object.keys(peak)) {
    const kb = Number(s.match(new RegExp(`${k}:\\s+(\\d+)`))[1]);
    peak[k] = Math.max(peak[k], kb);
  }
};
const timer = setInterval(sample, 5);
const times = [];
for (let r = 0; r < Number(roundsArg); r++) {
  const t0 = performance.now();
  for (const q of reqs) await api(url, q);
  times.push(performance.now() - t0);
}
clearInterval(timer);
sample();
child.kill();
console.log(binary, "rounds ms", times.map((t) => t.toFixed(0)).join(" "), "peak RssAnon MiB", (peak.RssAnon / 1024).toFixed(0), "peak RssFile MiB", (peak.RssFile / 1024).toFixed(0));
process.exit(0);
