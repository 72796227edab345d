// "Open with Invlog": the desktop app started with log files opens its import dialog on them,
// formats detected; a second launch on the same store hands its files to that window and exits.
// Run inside a private D-Bus session (`make desktop-test`), where one window per store is found.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, openApp, root, startDriver, until } from "./harness.mjs";

const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const app =
  process.env.INVLOG_DESKTOP ?? join(target, "debug", "invlog-desktop");
const examples = join(root, "..", "shared", "formats", "examples");
const shots = join(root, "tests", "screenshots");

let dir, db, session, driver;

before(async () => {
  assert.ok(
    process.env.DBUS_SESSION_BUS_ADDRESS,
    "run under dbus-run-session (make desktop-test)",
  );
  dir = mkdtempSync(join(tmpdir(), "invlog-open-"));
  db = join(dir, "open.db");
  for (const f of ["konnect-inventory-logs.csv", "xoro-amazon-logs.csv"]) {
    copyFileSync(join(examples, f), join(dir, f));
  }
  session = await startDriver({ INVLOG_DB: db, HOME: dir });
});

after(async () => {
  await driver?.quit().catch(() => {});
  session?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The import dialog's format select for `name`, once the file is listed. */
async function formatOf(name) {
  const select = await driver.wait(
    until.elementLocated(
      By.css(`dialog select[aria-label="Format of ${name}"]`),
    ),
    30_000,
  );
  await driver.wait(
    async () => (await select.getAttribute("value")) !== "",
    10_000,
  );
  return select.getAttribute("value");
}

test("launched with a file, the app opens the import dialog on it; a second launch adds its file and exits 0", async () => {
  driver = await openApp(app, [join(dir, "konnect-inventory-logs.csv")]);
  assert.equal(await formatOf("konnect-inventory-logs.csv"), "konnect");

  // A relative path, from the second launch's own folder.
  const second = spawn(app, ["--db", db, "xoro-amazon-logs.csv"], {
    cwd: dir,
    env: { ...process.env, DISPLAY: session.display, HOME: dir },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      second.kill();
      reject(
        new Error("the second launch did not exit: it opened its own window"),
      );
    }, 30_000);
    second.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0);
  assert.equal(await formatOf("xoro-amazon-logs.csv"), "xoro");
  // The first file is still listed, its choice kept.
  assert.equal(await formatOf("konnect-inventory-logs.csv"), "konnect");
  mkdirSync(shots, { recursive: true });
  writeFileSync(
    join(shots, "desktop-open-with.png"),
    await driver.takeScreenshot(),
    "base64",
  );

  // Another store is another window: that launch keeps running.
  const other = spawn(
    app,
    ["--db", join(dir, "other.db"), "xoro-amazon-logs.csv"],
    {
      cwd: dir,
      env: { ...process.env, DISPLAY: session.display, HOME: dir },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const exited = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 8_000);
    other.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  other.kill();
  assert.equal(
    exited,
    false,
    "a launch on another store exited instead of opening its window",
  );
});
