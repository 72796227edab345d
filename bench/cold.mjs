// Cold start (issue #17): from launching `invlog serve` to its first page of the whole store
// (with the total) and of a channel's view, on a store whose file the OS has not cached;
// `bench/run.sh` drops the page cache before each run where it may.
//   INVLOG=target/release/invlog node bench/cold.mjs STORE
import { api, serve } from "../tests/e2e/harness.mjs";

const store = process.argv[2];
if (!store) throw new Error("usage: bench/cold.mjs STORE");
const t0 = performance.now();
const { child, url } = await serve(store);
try {
  const up = performance.now() - t0;
  const all = await api(url, {
    command: "query",
    args: { filters: [], sort: [], limit: 100 },
  });
  const first = performance.now() - t0;
  const channel = [{ column: "channel", op: "eq", values: ["Flipkart"] }];
  await api(url, {
    command: "query",
    args: { filters: channel, sort: [], limit: 100 },
  });
  const second = performance.now() - t0;
  console.log(
    `| ${all.result.total.toLocaleString("en")} entries | ${up.toFixed(0)} ms | ${first.toFixed(0)} ms | ${second.toFixed(0)} ms |`,
  );
} finally {
  child.kill();
}
