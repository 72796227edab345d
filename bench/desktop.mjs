// Desktop app benchmarks (issue #3): the release binary's size, and the time from launching
// it to the first rows painted in its real window, under Xvfb via tauri-driver.
//   node bench/desktop.mjs STORE [LAUNCHES]
import { execFileSync } from "node:child_process";
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
const empty = join(home, "empty.db");

/** Launches the app on `db` `launches` times; ms from launch to `selector` painted. */
async function launchTimes(db, selector) {
  const session = await startDriver({ INVLOG_DB: db, HOME: home });
  const times = [];
  try {
    for (let i = 0; i < launches; i++) {
      const start = Date.now();
      const driver = await openApp(app);
      try {
        await driver.wait(until.elementLocated(By.css(selector)), 60_000);
        // One more frame: the rows are in the DOM and painted.
        await driver.executeAsyncScript(
          "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => done());",
        );
        times.push(Date.now() - start);
      } finally {
        await driver.quit();
      }
    }
  } finally {
    session.stop();
  }
  return times.sort((a, b) => a - b);
}

let times, baseline;
try {
  times = await launchTimes(store, '.grid-body [role="row"]:not(.loading) [role="gridcell"]');
  // The same launch on an empty store, to its "No logs yet": what WebDriver, WebKit and the
  // app cost before any row is read.
  baseline = await launchTimes(empty, ".empty h2");
} finally {
  rmSync(home, { recursive: true, force: true });
}
const median = (xs) => xs[Math.floor(xs.length / 2)];
const size = statSync(app).size / 2 ** 20;
// The release profile keeps line tables for readable backtraces; what a package would ship
// is the stripped binary.
const stripped = join(tmpdir(), `invlog-desktop-stripped-${process.pid}`);
execFileSync("strip", ["-o", stripped, app]);
const strippedSize = statSync(stripped).size / 2 ** 20;
rmSync(stripped);
console.log("## Desktop app (release build, WebKitGTK under Xvfb)");
console.log();
console.log("| measure | result | target |");
console.log("|---|---:|---:|");
console.log(
  `| release binary size (${app.split("/").pop()}): as built (line tables) / stripped | ${size.toFixed(1)} MB / ${strippedSize.toFixed(1)} MB | |`,
);
console.log(
  `| launch to first rows painted, median / max of ${launches} (includes the WebDriver session start) | ${median(times)} ms / ${times.at(-1)} ms | ≤ 1 s |`,
);
console.log(
  `| the same launch on an empty store, to its empty state (WebDriver + WebKit + app start) | ${median(baseline)} ms / ${baseline.at(-1)} ms | |`,
);
console.log(
  `| hence the 1M-row store's own share of the launch (median difference) | ${median(times) - median(baseline)} ms | |`,
);
