// Large API payloads in the detail drawer (issue #4): how long the core takes to hand over a
// 20 MB and a 50 MB response (parse, mask secrets, pretty-print), and what opening one does to
// the page in Chromium: time until the raw view shows it, the longest main-thread task, and how
// soon the next entry opens after it.
//   INVLOG=target/release/invlog node bench/payload.mjs [RUNS]     (bench/run.sh runs it)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { invlog, launchChromium, openPage, serve } from "../tests/e2e/harness.mjs";

const runs = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), "invlog-payload-"));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A failed push whose response body is `mb` megabytes of stock lines. */
function push(sku, mb) {
  const line = {
    sku: "BIG-000000",
    warehouse: "WH1",
    quantities: { available: 10, reserved: 2, inbound: 5 },
    message: "stock level accepted after validation of the warehouse allocation rules",
  };
  const n = Math.round((mb * 1024 * 1024) / JSON.stringify(line).length);
  const lines = Array.from({ length: n }, (_, i) => ({ ...line, sku: `BIG-${String(i).padStart(6, "0")}` }));
  return JSON.stringify({
    sku,
    product_name: `Product ${sku}`,
    status: "failed",
    updated_at: "2025-03-01T10:00:00Z",
    request: { method: "PUT", url: "https://api.example/v1/bulk", headers: { Authorization: "Bearer t" }, body: { n } },
    response: { status: 413, body: { lines } },
  });
}

try {
  const db = join(dir, "p.db");
  const file = join(dir, "p.jsonl");
  writeFileSync(file, [push("SMALL", 0.001), push("MB20", 20), push("MB50", 50)].join("\n"));
  execFileSync(invlog, ["--db", db, "import", file], { stdio: "ignore" });
  const { child, url } = await serve(db);
  const browser = await launchChromium();
  console.log(`## Large payloads in the detail drawer (${runs} runs each, medians)`);
  console.log();
  console.log("| response body | core: entry command, answer received | open → raw view shown | longest task | next entry after it |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [sku, id] of [["MB20", 2], ["MB50", 3]]) {
    const core = [], open = [], longest = [], next = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      // The command's answer as the UI receives it, read to its last byte.
      const { origin, searchParams } = new URL(url);
      const t = performance.now();
      const res = await fetch(`${origin}/api`, {
        method: "POST",
        headers: { Authorization: `Bearer ${searchParams.get("token")}`, "Content-Type": "application/json" },
        body: JSON.stringify({ command: "entry", args: { id, reveal_secrets: false } }),
      });
      const body = await res.arrayBuffer();
      core.push(performance.now() - t);
      bytes = JSON.parse(new TextDecoder().decode(body)).result.response.bytes;
      const { page, grid, context } = await openPage(browser, url);
      await grid.getByRole("row").filter({ hasText: "SMALL" }).waitFor();
      await page.evaluate(() => {
        window.__longest = 0;
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
        }).observe({ type: "longtask" });
      });
      const drawer = page.getByRole("complementary", { name: "Entry details" });
      const t0 = performance.now();
      await grid.getByRole("row").filter({ hasText: sku }).click();
      await drawer.getByRole("region", { name: "API Response" }).locator(".cm-line").first().waitFor({ timeout: 120_000 });
      open.push(performance.now() - t0);
      const t1 = performance.now();
      await grid.getByRole("row").filter({ hasText: "SMALL" }).click();
      await drawer.getByRole("heading", { name: "Product SMALL" }).waitFor();
      next.push(performance.now() - t1);
      longest.push(await page.evaluate(() => window.__longest));
      await context.close();
    }
    const ms = (x) => `${Math.round(median(x)).toLocaleString("en")} ms`;
    console.log(
      `| ${(bytes / 1024 / 1024).toFixed(1)} MB | ${ms(core)} | ${ms(open)} | ${ms(longest)} (all: ${longest.map(Math.round).join(", ")}) | ${ms(next)} |`,
    );
  }
  await browser.close();
  child.kill();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
