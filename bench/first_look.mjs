// A user's first looks at views no summary answers (issue #17), on a fresh `invlog serve`: its
// first page, then, after a pause (as long as a user looks at the log before searching or
// filtering), keywords' count and timeline, a saved quantity view's count and a jump to its
// middle, and a quantity filter not saved. Also the server's memory once settled (its own,
// RssAnon: the store's pages it maps are the OS cache's). Builds take turns, a round each;
// the quantity view is saved in each store first, and deleted after.
//   node bench/first_look.mjs STORE ROUNDS PAUSES_MS BUILD...   (PAUSES_MS: e.g. 0,3000;
//   `cold`: no pause, the OS page cache dropped before the server starts (root only);
//   BUILD: NAME=PATH-TO-invlog, or NAME=PATH-TO-invlog@STORE)
import { api, serve } from "../tests/e2e/harness.mjs";
import { buildsOf, printTable, timings } from "./stats.mjs";
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const [store, roundsArg, pausesArg, ...buildArgs] = process.argv.slice(2);
const rounds = Number(roundsArg);
const pauses = (pausesArg ?? "")
  .split(",")
  .filter(Boolean)
  .map((p) => (p === "cold" ? p : Number(p)));
const builds = buildsOf(buildArgs, store);
if (!store || !rounds || pauses.length === 0 || builds.length === 0)
  throw new Error(
    "usage: bench/first_look.mjs STORE ROUNDS PAUSES_MS NAME=INVLOG...",
  );

const page = (filters, search, offset, withTotal) => ({
  command: "query",
  args: {
    filters,
    search,
    sort: [],
    columns: ["occurred_at", "sku", "channel", "inventory_sent", "status"],
    offset,
    limit: 100,
    with_total: withTotal,
  },
});
const timeline = (filters, search) => ({
  command: "timeline",
  args: { filters, search, buckets: 80, utc_offset_minutes: 330 },
});
const quantity = [{ column: "inventory_sent", op: "ge", values: ["200"] }];
const notSaved = [{ column: "committed", op: "ge", values: ["5"] }];
const saved = {
  command: "save_view",
  args: {
    name: "Big pushes",
    layout: {
      columns: page([], null, 0, false).args.columns,
      filters: quantity,
    },
  },
};

// What is asked after the pause, in turn, as the UI asks it: keywords, then a quantity view;
// the UI asks a view's timeline 200 ms after its rows.
const steps = [
  ["keywords 'shirt': page and count", page([], "shirt", 0, true), 0],
  ["keywords 'shirt': timeline", timeline([], "shirt"), 200],
  [
    "inventory_sent >= 200 (saved): page and count",
    page(quantity, null, 0, true),
    0,
  ],
  ["inventory_sent >= 200 (saved): timeline", timeline(quantity, null), 200],
  ["inventory_sent >= 200 (saved): a page in its middle", null, 0],
  [
    "committed >= 5 (not saved): page and count",
    page(notSaved, null, 0, true),
    0,
  ],
  ["committed >= 5 (not saved): timeline", timeline(notSaved, null), 200],
];

const rss = (pid) => {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(s.match(/RssAnon:\s+(\d+)/)[1]) / 1024;
};

// "pause step" -> build -> ms per round.
const { times, record } = timings();

const label = (pause) =>
  pause === "cold" ? "not in the OS cache, at once" : `${pause} ms`;

async function round(build, pause) {
  if (pause === "cold") {
    execFileSync("sync");
    writeFileSync("/proc/sys/vm/drop_caches", "3");
  }
  const { child, url } = await serve(build.store, build.binary);
  try {
    await api(url, page([], null, 0, true));
    if (pause !== "cold") await new Promise((r) => setTimeout(r, pause));
    let total = 0;
    for (const [name, fixed, wait] of steps) {
      await new Promise((r) => setTimeout(r, wait));
      const req = fixed ?? page(quantity, null, Math.floor(total / 2), false);
      const t0 = performance.now();
      const { result } = await api(url, req);
      record(`${label(pause)}: ${name}`, build.name, performance.now() - t0);
      if (name.startsWith("inventory") && result.total) total = result.total;
    }
    // Settled: whatever is read ahead after these has had its time.
    await new Promise((r) => setTimeout(r, 3000));
    record(
      `${label(pause)}: server memory after (RssAnon), MB`,
      build.name,
      rss(child.pid),
    );
  } finally {
    child.kill();
    await new Promise((r) => child.once("exit", r));
  }
}

// Each store once, on a server of the first build using it.
const onEachStore = async (ask) => {
  const stores = builds.filter(
    (b, i) => builds.findIndex((o) => o.store === b.store) === i,
  );
  for (const b of stores) {
    const { child, url } = await serve(b.store, b.binary);
    try {
      await ask(url, b.store);
    } finally {
      child.kill();
      await new Promise((r) => child.once("exit", r));
    }
  }
};

// The view saved for the run, by store: deleted after it, so the benches after this one
// read the store as they found it.
const savedIds = new Map();
await onEachStore(async (url, store) =>
  savedIds.set(store, (await api(url, saved)).result.id),
);
try {
  for (let i = 0; i < rounds; i++)
    for (const pause of pauses) for (const b of builds) await round(b, pause);
} finally {
  await onEachStore((url, store) =>
    api(url, { command: "delete_view", args: { id: savedIds.get(store) } }),
  );
}

printTable(
  "after the first page, then",
  builds.map((b) => b.name),
  times,
);
