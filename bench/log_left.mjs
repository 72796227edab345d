// The write-ahead log a server leaves: a file imported through `invlog serve` into a new store,
// the log's size after the import, after a small write and after the server is stopped (SIGTERM,
// as Ctrl-C or a closed terminal), then the next start's first page with the OS page cache
// dropped (root only; otherwise from the cache), as `invlog query` reads it.
//   node bench/log_left.mjs STORE CSV [INVLOG]
import { api, invlog as builtInvlog, serve } from "../tests/e2e/harness.mjs";
import { execFileSync } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";

const [store, csv, invlog = builtInvlog] = process.argv.slice(2);
if (!store || !csv)
  throw new Error("usage: bench/log_left.mjs STORE CSV [INVLOG]");
if (existsSync(store)) throw new Error(`${store} exists: give a new store`);

const mb = () =>
  existsSync(`${store}-wal`)
    ? `${(statSync(`${store}-wal`).size / 2 ** 20).toFixed(1)} MiB`
    : "none";
const rows = [];
const { child, url } = await serve(store, invlog);
const t0 = performance.now();
const [report] = (await api(url, { command: "import", args: { paths: [csv] } }))
  .result;
rows.push([
  `imported ${report.new} new entries`,
  `${((performance.now() - t0) / 1000).toFixed(1)} s`,
]);
rows.push(["the log after the import", mb()]);
const { result: columns } = await api(url, { command: "default_columns" });
await api(url, {
  command: "save_layout",
  args: { columns, widths: {}, sort: [], filters: [], search: null },
});
rows.push(["… after a small write (the layout saved)", mb()]);
const t1 = performance.now();
child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
rows.push([
  `… after the server stopped (in ${(performance.now() - t1).toFixed(0)} ms)`,
  mb(),
]);
let cold = "from the OS cache";
try {
  execFileSync("sync");
  writeFileSync("/proc/sys/vm/drop_caches", "3");
  cold = "not in the OS cache";
} catch {
  // Not root: the page cache stays.
}
const t2 = performance.now();
execFileSync(invlog, ["--db", store, "query", "--limit", "200"], {
  stdio: "ignore",
});
rows.push([
  `the next start's first page (\`invlog query\`, ${cold})`,
  `${(performance.now() - t2).toFixed(0)} ms`,
]);
console.log("| | |\n|---|---:|");
for (const [what, value] of rows) console.log(`| ${what} | ${value} |`);
