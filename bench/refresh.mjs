// The entry summary after a change (issue #17): a count asked of a release `invlog serve` right
// after it starts (the summary read whole), then after each of a few small changes (one entry
// resolved, 200 entries imported), when only the counts changed since are read. Changes the
// store: bench/run.sh runs it last on its working copy.
//   INVLOG=target/release/invlog node bench/refresh.mjs STORE
import { api, serve } from "../tests/e2e/harness.mjs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const store = process.argv[2];
if (!store) throw new Error("usage: bench/refresh.mjs STORE");

const count = (filters) => ({
  command: "query",
  args: { filters, limit: 1, with_total: true, columns: ["status"] },
});
const amazon = count([{ column: "channel", op: "eq", values: ["Amazon"] }]);
const resolved = count([{ column: "resolved", op: "eq", values: ["true"] }]);

const { child, url } = await serve(store);
const timed = async (req) => {
  const t0 = performance.now();
  const { result } = await api(url, req);
  return [performance.now() - t0, result.total];
};
const rows = [];
try {
  rows.push([
    "the server's start (the summary read whole)",
    ...(await timed(amazon)),
  ]);
  rows.push(["nothing (the summary as it was)", ...(await timed(amazon))]);
  const failed = await api(url, {
    command: "query",
    args: {
      filters: [{ column: "status", op: "eq", values: ["failed"] }],
      limit: 3,
      columns: ["status"],
    },
  });
  // Three failed entries resolved one by one, then reopened.
  for (const mark of [true, false])
    for (const id of failed.result.ids) {
      await api(url, {
        command: "set_resolved",
        args: { ids: [id], resolved: mark, note: null },
      });
      const verb = mark ? "resolving" : "reopening";
      rows.push([`${verb} entry ${id}`, ...(await timed(resolved))]);
    }
  const dir = mkdtempSync(join(tmpdir(), "invlog-refresh-"));
  const file = join(dir, "pull.csv");
  let csv =
    "Channel & Account,Location Code,Seller Identifier,Inventory Sent,Updated On,Status\n";
  for (let i = 0; i < 200; i++)
    csv += `Amazon / Amazon-Delhi,WH01,SKU-R${i},5,2026-11-30 10:${String(i % 60).padStart(2, "0")}:00,Success\n`;
  writeFileSync(file, csv);
  await api(url, {
    command: "import",
    args: { paths: [file], format: null, sku: null, batch: null },
  });
  rmSync(dir, { recursive: true, force: true });
  rows.push(["importing 200 entries", ...(await timed(amazon))]);
} finally {
  child.kill();
}
console.log("| after | the count's time | the count |");
console.log("|---|---:|---:|");
for (const [what, ms, total] of rows)
  console.log(`| ${what} | ${ms.toFixed(1)} ms | ${total} |`);
