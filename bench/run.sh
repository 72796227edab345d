#!/usr/bin/env bash
# Benchmarks of the core (issue #2). Prints a Markdown report; BENCHMARKS.md quotes it.
#   bench/run.sh [RUNS]      (make bench)
# Import: a 1,000,000-row Konnect CSV into an empty store, against `sqlite3 .import` of the
# same file into a WAL-mode database (and a plain one), runs interleaved, medians.
# Queries: first page and total count of typical views on the resulting store.
# UI: filter-to-paint, scrolling, DOM rows and heap in Chromium; the desktop app's size and
# launch-to-first-rows. Large payloads in the detail drawer.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
TARGET=${CARGO_TARGET_DIR:-target}
INVLOG="$TARGET/release/invlog"
# The browser benchmarks start `invlog serve` through the e2e harness, which reads $INVLOG.
export INVLOG
DATA=bench/data
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DATA"
[ -f "$DATA/konnect-1m.csv" ] || python3 bench/gen_konnect.py 1000000 "$DATA/konnect-1m.csv"
cargo build --release --locked -q --workspace --features invlog-desktop/custom-protocol
cargo build --release --locked -q -p invlog-core --example bench_queries
cargo build --release --locked -q -p invlog-app --example bench_dispatch

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { # prints "seconds peak_kb" of a command
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1
  cat "$WORK/time"
}

# The import budget: against sqlite3 in WAL mode (like for like) and with a rollback journal.
INVLOG="$INVLOG" bench/import.sh "$DATA/konnect-1m.csv" "$RUNS"
echo
# Row identities (issue #15): re-importing a file that overlaps the store by half.
INVLOG="$INVLOG" bench/identity.sh "$RUNS"
echo
# Pulls from the sources' APIs (issue #16): 100,000 Logitrail records from a fake server on
# 127.0.0.1 into a 1M-entry store, against the same records imported from a file.
INVLOG="$INVLOG" bench/pull.sh "$RUNS"
rm -f "$WORK"/inv.db*
"$INVLOG" --db "$WORK/inv.db" import "$DATA/konnect-1m.csv" >/dev/null
echo
echo "## Queries on that store ($RUNS×6 runs each, after one warm-up)"
echo
"$TARGET/release/examples/bench_queries" "$WORK/inv.db" $((RUNS * 6))
echo
# Counts, facets and timelines against DuckDB, the engine Tad runs on (issue #17): its Python
# package, installed here into a virtual environment outside the clone.
DUCK_VENV="${INVLOG_TOOLS:-$HOME/.cache/invlog-tools}/duckdb-venv"
[ -x "$DUCK_VENV/bin/python" ] || python3 -m venv "$DUCK_VENV"
"$DUCK_VENV/bin/python" -c "import duckdb" 2>/dev/null || "$DUCK_VENV/bin/pip" install -q duckdb
echo "## Counts, facets and timelines on 1,000,000 entries, against DuckDB ($((RUNS * 4)) runs each)"
echo
node bench/summary.mjs "$WORK/inv.db" "$DATA/konnect-1m.csv" $((RUNS * 4)) "$DUCK_VENV/bin/python"
echo
# The event timeline's data over HTTP, as the UI asks for it (issue #6).
INVLOG="$INVLOG" node bench/timeline.mjs "$WORK/inv.db" $((RUNS * 6))
echo
# The UI (issue #3) on the same store: in Chromium, then the desktop app's real window.
node bench/ui.mjs "$WORK/inv.db" "$RUNS"
echo
TAURI_DRIVER="${INVLOG_TOOLS:-$HOME/.cache/invlog-tools}/bin/tauri-driver" \
  node bench/desktop.mjs "$WORK/inv.db" "$RUNS"
echo
# Exports of the whole store (issue #5).
INVLOG="$INVLOG" bench/export.sh "$WORK/inv.db" "$RUNS"
echo
# Large API payloads in the detail drawer (issue #4).
INVLOG="$INVLOG" node bench/payload.mjs "$RUNS"
echo
# kill -9 during an import, an export, a resolve and a re-run, on the 1M-row file (issue #12).
echo "## Faults: kill -9 with the 1M-row file"
echo '```'
tests/faults/kill9.sh "$INVLOG" 1000000
echo '```'
# Failures and stock check on a year-sized store (issue #18): 10,000,000 entries.
echo
echo "## Failures and stock check on 10,000,000 entries ($RUNS runs each, after one warm-up)"
echo
[ -f "$DATA/konnect-10m.csv" ] || python3 bench/gen_konnect.py 10000000 "$DATA/konnect-10m.csv"
rm -f "$WORK"/ten.db*
read -r secs kb < <(timed "$INVLOG" --db "$WORK/ten.db" import "$DATA/konnect-10m.csv")
# The import budget at this size too: sqlite3 importing the same file into a WAL database.
read -r ref _ < <(timed sqlite3 "$WORK/ref.db" "PRAGMA journal_mode=WAL" ".mode csv" \
  ".import $DATA/konnect-10m.csv logs")
rm -f "$WORK"/ref.db*
echo "Import: ${secs} s, peak RSS $((kb / 1024)) MiB; sqlite3 (WAL) ${ref} s: \
$(awk -v a="$secs" -v b="$ref" 'BEGIN {printf "%.2f×", a/b}') (budget 1.5×, peak RSS 200 MB)."
# The same year again (a re-export): the file less its last row, so that it is not refused as
# the same file, over a copy of the store. Every row is looked up and found.
head -n 10000000 "$DATA/konnect-10m.csv" >"$WORK/ten-again.csv"
cp "$WORK/ten.db" "$WORK/again.db"
/usr/bin/time -f "%e %M" -o "$WORK/time" "$INVLOG" --db "$WORK/again.db" import "$WORK/ten-again.csv" \
  >"$WORK/again.out" 2>&1
read -r secs kb <"$WORK/time"
echo "Re-import of the same 9,999,999 rows over a copy of that store: ${secs} s, peak RSS \
$((kb / 1024)) MiB (it said: $(tail -n 1 "$WORK/again.out"))."
rm -f "$WORK"/again.db*
# The same file over a store of its first half: 5M rows found, then 5M new (the peak RSS of a
# re-import with many new rows; the budget is 200 MB).
head -n 5000001 "$DATA/konnect-10m.csv" >"$WORK/half.csv"
"$INVLOG" --db "$WORK/half.db" import "$WORK/half.csv" >/dev/null
/usr/bin/time -f "%e %M" -o "$WORK/time" "$INVLOG" --db "$WORK/half.db" import "$WORK/ten-again.csv" \
  >"$WORK/again.out" 2>&1
read -r secs kb <"$WORK/time"
echo "Re-import of those rows over a store of the first 5,000,000: ${secs} s, peak RSS \
$((kb / 1024)) MiB ($((kb * 1024 / 1000000)) MB; it said: $(tail -n 1 "$WORK/again.out"))."
rm -f "$WORK"/half.db* "$WORK/half.csv" "$WORK/ten-again.csv"
echo
"$TARGET/release/examples/bench_queries" "$WORK/ten.db" "$RUNS" triage
# Cold start (issue #17): the first pages after launch, the store's file out of the OS cache
# (when this user may drop the cache; otherwise warm, and said so).
echo
cold=cached
if [ -w /proc/sys/vm/drop_caches ]; then cold="not in the OS cache"; fi
echo "## Cold start on 10,000,000 entries, the file $cold (3 runs)"
echo
echo "| store | serve ready (URL printed) | first page of all entries, with its total | first page of a channel, with its total |"
echo "|---|---:|---:|---:|"
for _ in 1 2 3; do
  if [ -w /proc/sys/vm/drop_caches ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
  node bench/cold.mjs "$WORK/ten.db"
done
echo
echo "## Counts, facets and timelines on 10,000,000 entries, against DuckDB ($((RUNS * 4)) runs each)"
echo
node bench/summary.mjs "$WORK/ten.db" "$DATA/konnect-10m.csv" $((RUNS * 4)) "$DUCK_VENV/bin/python"
# Views no summary answers, scanned on the read connections, and the table's page and an entry's
# detail beside such scans and an export (issue #17). INVLOG_PREVIOUS, another build's binary,
# adds its column and the ratios against it.
echo
# The other build imports the file into a store of its own: it may not open a store this build
# has migrated.
if [ -n "${INVLOG_PREVIOUS:-}" ]; then
  "$INVLOG_PREVIOUS" --db "$WORK/previous.db" import "$DATA/konnect-10m.csv" >/dev/null
fi
node bench/pool.mjs "$WORK/ten.db" "$DATA/konnect-10m.csv" "$RUNS" "$DUCK_VENV/bin/python" \
  "this=$INVLOG" ${INVLOG_PREVIOUS:+"previous=$INVLOG_PREVIOUS@$WORK/previous.db"}
# Such a view's first look in Chromium: its first rows, then its count (issue #17), each build
# serving its own UI.
echo
node bench/first_rows.mjs "$WORK/ten.db" "$RUNS" \
  "this=$INVLOG" ${INVLOG_PREVIOUS:+"previous=$INVLOG_PREVIOUS@$WORK/previous.db"}
echo
node bench/quantity_pages.mjs "$WORK/ten.db" 3 \
  "this=$INVLOG" ${INVLOG_PREVIOUS:+"previous=$INVLOG_PREVIOUS@$WORK/previous.db"}
# Keywords typed into the search box: rows, count and timeline on screen (issue #17).
echo
node bench/search.mjs "$WORK/ten.db" "$RUNS" shirt,tee,mug \
  "this=$INVLOG" ${INVLOG_PREVIOUS:+"previous=$INVLOG_PREVIOUS@$WORK/previous.db"}
# First looks at keywords and a quantity view, straight after the first page and 3 s later
# (and with the store not in the OS cache, where it may be dropped), and the server's memory
# after them (issue #17).
echo
looks=0,3000
if [ -w /proc/sys/vm/drop_caches ]; then looks=cold,$looks; fi
node bench/first_look.mjs "$WORK/ten.db" 3 "$looks" \
  "this=$INVLOG" ${INVLOG_PREVIOUS:+"previous=$INVLOG_PREVIOUS@$WORK/previous.db"}
# Views no summary answers just after a resolution (issue #17); each build resolves in its own
# store.
echo
node bench/resolution.mjs 3 "this=$INVLOG@$WORK/ten.db" \
  ${INVLOG_PREVIOUS:+"previous=$INVLOG_PREVIOUS@$WORK/previous.db"}
# Rows the table reads ahead beside the rows on screen (issue #17).
echo
node bench/rows_ahead.mjs "$WORK/ten.db" 3 \
  "this=$INVLOG" ${INVLOG_PREVIOUS:+"previous=$INVLOG_PREVIOUS@$WORK/previous.db"}
rm -f "$WORK"/previous.db*
# Every row reachable at 10M (issue #17): End, a dropped thumb, paging, in Chromium.
echo
node bench/ui.mjs "$WORK/ten.db" 3
# Deep pages, each from a fresh process (so the first jump into its view: the summary read,
# then the view's total and the slot the page starts in), the whole store and a filtered third.
echo
echo "| deep page (200 rows), a fresh \`invlog query\` each | wall time |"
echo "|---|---:|"
for at in 2500000 5000000 7500000 9999800; do
  read -r secs _ < <(timed "$INVLOG" --db "$WORK/ten.db" query --offset "$at" --limit 200)
  echo "| all entries, offset $at | ${secs} s |"
done
for at in 1600000 3000000; do
  read -r secs _ < <(timed "$INVLOG" --db "$WORK/ten.db" query --filter "channel = Amazon" --offset "$at" --limit 200)
  echo "| channel = Amazon (3.3M), offset $at | ${secs} s |"
done
# The summary after small changes: only the counts they changed are read (last: it changes the
# store).
echo
node bench/refresh.mjs "$WORK/ten.db"
rm -f "$WORK"/ten.db*
if [ "${BENCH_BIG:-0}" = 1 ]; then
  echo
  echo "## Memory stays bounded: 3,000,000 rows"
  python3 bench/gen_konnect.py 3000000 "$WORK/k3m.csv"
  rm -f "$WORK"/big.db*
  read -r secs kb < <(timed "$INVLOG" --db "$WORK/big.db" import "$WORK/k3m.csv")
  echo
  echo "| rows | wall time | peak RSS |"
  echo "|---:|---:|---:|"
  echo "| 3,000,000 ($(du -m "$WORK/k3m.csv" | cut -f1) MB) | ${secs} s | $((kb / 1024)) MiB |"
fi
