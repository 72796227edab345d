// Desktop app benchmarks (issue #3): the release binary's size, and the time from launching
// it to the first rows painted in its real window, under Xvfb via tauri-driver.
//   node bench/desktop.mjs STORE [LAUNCHES]
import { statSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, openApp, root, startDriver, until } from "../tests/desktop/harness.mjs";

const store = process.argv[2];
const launches = Number(process.argv[3] ?? 5);
if (!store) {
  console.error("usage: node bench/desktop.mjs STORE [LAUNCHES]");
  process.exit(2);
}
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const app = process.env.INVLOG_DESKTOP ?? join(target, "release", "invlog-desktop");
const home = mkdtempSync(join(tmpdir(), "invlog-bench-home-"));
const session = await startDriver({ INVLOG_DB: store, HOME: home });
const times = [];
try {
  for (let i = 0; i < launches; i++) {
    const start = Date.now();
    const driver = await openApp(app);
    try {
      await driver.wait(until.elementLocated(By.css('.grid-body [role="row"]:not(.loading) [role="gridcell"]')), 60_000);
      // One more frame: the rows are in the DOM and painted.
      await driver.executeAsyncScript("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => done());");
      times.push(Date.now() - start);
    } finally {
      await driver.quit();
    }
  }
} finally {
  session.stop();
  rmSync(home, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
const size = statSync(app).size / 2 ** 20;
console.log("## Desktop app (release build, WebKitGTK under Xvfb)");
console.log();
console.log("| measure | result | target |");
console.log("|---|---:|---:|");
console.log(`| release binary size (${app.split("/").pop()}) | ${size.toFixed(1)} MB | |`);
console.log(
  `| launch to first rows painted, median / max of ${launches} (includes the WebDriver session start) | ${times[Math.floor(times.length / 2)]} ms / ${times.at(-1)} ms | ≤ 1 s |`,
);
