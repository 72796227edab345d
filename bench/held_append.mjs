// Held columns kept through imports (issue #17, fourteenth part): a scanned view's count on a
// fresh `invlog serve` (its column read then), again (held), then after each FILE imported by
// another process (`invlog import`: the new entries alone read and added), and again.
//   node bench/held_append.mjs STORE INVLOG FILE...   (files of entries the store lacks)
import { api, serve } from "../tests/e2e/harness.mjs";
import { execFileSync } from "node:child_process";
const [store, binary, ...more] = process.argv.slice(2);
const f = (v) => [{ column: "inventory_sent", op: "ge", values: [String(v)] }];
const count = async (url, v) => {
  const t0 = performance.now();
  const { result } = await api(url, { command: "query", args: { filters: f(v), sort: [], columns: ["status"], limit: 1 } });
  return [performance.now() - t0, result.total];
};
const { child, url } = await serve(store, binary);
const out = [];
out.push(["first look", ...(await count(url, 200))]);
out.push(["held", ...(await count(url, 201))]);
for (let n = 0; n < more.length; n++) {
  execFileSync(binary, ["--db", store, "import", more[n]]);
  out.push([`after import ${n + 1}`, ...(await count(url, 202 + n))]);
  out.push([`again`, ...(await count(url, 210 + n))]);
}
child.kill();
for (const [what, ms, total] of out) console.log(`${what}: ${ms.toFixed(1)} ms (${total})`);
process.exit(0);
