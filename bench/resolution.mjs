// Views no summary answers just after a resolution (issue #17), on a fresh `invlog serve`: its
// first page, 3 s for what it reads ahead, keywords' page and timeline, then three entries
// marked resolved (or unresolved) and the table's page, other keywords' page and timeline and
// a quantity view's page and timeline, as a user resolving failures and searching on would ask
// them. Then a small file imported and that import removed (entries gone: what is held from
// them is let go), the table's page, 3 s, and keywords again. Builds take turns, a round each.
//   node bench/resolution.mjs ROUNDS BUILD...   (BUILD: NAME=PATH-TO-invlog@STORE: each
//   build on a store of its own, as resolutions change it and a newer schema may be written)
import { api, serve } from "../tests/e2e/harness.mjs";
import { buildsOf, printTable, timings } from "./stats.mjs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [roundsArg, ...buildArgs] = process.argv.slice(2);
const rounds = Number(roundsArg);
const builds = buildsOf(buildArgs, undefined);
if (!rounds || builds.length === 0 || builds.some((b) => !b.store))
  throw new Error("usage: bench/resolution.mjs ROUNDS NAME=INVLOG@STORE...");

const page = (search, filters = []) => ({
  command: "query",
  args: {
    filters,
    search,
    sort: [],
    columns: ["occurred_at", "sku", "inventory_sent", "status"],
    limit: 100,
    with_total: true,
  },
});
const timeline = (search, filters = []) => ({
  command: "timeline",
  args: { filters, search, buckets: 80, utc_offset_minutes: 330 },
});
const quantity = [{ column: "inventory_sent", op: "ge", values: ["200"] }];

// A Konnect export of 500 pushes a day apart from round `i`'s on, new to the store.
const smallFile = (dir, i) => {
  const header =
    "Product Name,Channel & Account,Location Name,Location Code,Location Type," +
    "Seller Identifier,Channel Identifier,Inventory Sent,Updated On,Buffer Stock," +
    "Committed Inventory,Damaged Inventory,Status,Mfg Date,Exp Date";
  const at = (n) =>
    new Date(Date.UTC(2031, 0, 1 + i, 0, n))
      .toISOString()
      .slice(0, 19)
      .replace("T", " ");
  const rows = Array.from(
    { length: 500 },
    (_, n) =>
      `Removed Tee,Ajio / Ajio-West,Bandra Store,STR002,store,SKU-R${n},ASINR${n},${n},${at(n)},0,0,0,Success,,`,
  );
  const path = join(dir, `small-${i}.csv`);
  writeFileSync(path, [header, ...rows].join("\n") + "\n");
  return path;
};

const { times, record } = timings();
const timed = async (name, build, url, req) => {
  const t0 = performance.now();
  await api(url, req);
  record(name, build, performance.now() - t0);
};

async function round(build, i) {
  const { child, url } = await serve(build.store, build.binary);
  try {
    await api(url, page(null));
    await new Promise((r) => setTimeout(r, 3000));
    await timed(
      "before: keywords 'shirt', page and count",
      build.name,
      url,
      page("shirt"),
    );
    await timed(
      "before: keywords 'shirt', timeline",
      build.name,
      url,
      timeline("shirt"),
    );
    await api(url, {
      command: "set_resolved",
      args: {
        ids: [1000 + i, 2000 + i, 3000 + i],
        resolved: i % 2 === 0,
        note: null,
      },
    });
    await timed("after: the table's page", build.name, url, page(null));
    await timed(
      "after: keywords 'tee', page and count",
      build.name,
      url,
      page("tee"),
    );
    await timed(
      "after: keywords 'tee', timeline",
      build.name,
      url,
      timeline("tee"),
    );
    await timed(
      "after: inventory_sent >= 200, page and count",
      build.name,
      url,
      page(null, quantity),
    );
    await timed(
      "after: inventory_sent >= 200, timeline",
      build.name,
      url,
      timeline(null, quantity),
    );
    const dir = mkdtempSync(join(tmpdir(), "invlog-removal-"));
    try {
      const { result } = await api(url, {
        command: "import",
        args: { paths: [smallFile(dir, i)] },
      });
      await api(url, {
        command: "remove_import",
        args: { import_id: result[0].import_id, confirmed: true },
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
    await timed("removed: the table's page", build.name, url, page(null));
    await new Promise((r) => setTimeout(r, 3000));
    await timed(
      "removed, 3 s later: keywords 'mug', page and count",
      build.name,
      url,
      page("mug"),
    );
    await timed(
      "removed, 3 s later: keywords 'mug', timeline",
      build.name,
      url,
      timeline("mug"),
    );
  } finally {
    child.kill();
    await new Promise((r) => child.once("exit", r));
  }
}

for (let i = 0; i < rounds; i++) for (const b of builds) await round(b, i);

printTable(
  "a resolution, before and after",
  builds.map((b) => b.name),
  times,
);
