#!/usr/bin/env bash
# Benchmarks of the core (issue #2). Prints a Markdown report; BENCHMARKS.md quotes it.
#   bench/run.sh [RUNS]      (make bench)
# Import: a 1,000,000-row Konnect CSV into an empty store, against plain
# `sqlite3 db ".mode csv" ".import FILE logs"` on the same file, runs interleaved, medians.
# Queries: first page and total count of typical views on the resulting store.
# UI: filter-to-paint, scrolling, DOM rows and heap in Chromium; the desktop app's size and
# launch-to-first-rows. Large payloads in the detail drawer.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
TARGET=${CARGO_TARGET_DIR:-target}
INVLOG="$TARGET/release/invlog"
DATA=bench/data
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DATA"
[ -f "$DATA/konnect-1m.csv" ] || python3 bench/gen_konnect.py 1000000 "$DATA/konnect-1m.csv"
cargo build --release --locked -q --workspace --features invlog-desktop/custom-protocol
cargo build --release --locked -q -p invlog-core --example bench_queries

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { # prints "seconds peak_kb" of a command
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1
  cat "$WORK/time"
}

echo "## Import: 1,000,000-row Konnect CSV ($(du -m "$DATA/konnect-1m.csv" | cut -f1) MB), $RUNS runs each, interleaved"
echo
: >"$WORK/ref"; : >"$WORK/inv"
for i in $(seq "$RUNS"); do
  rm -f "$WORK"/ref.db*; timed sqlite3 "$WORK/ref.db" ".mode csv" ".import $DATA/konnect-1m.csv logs" >>"$WORK/ref"
  rm -f "$WORK"/inv.db*; timed "$INVLOG" --db "$WORK/inv.db" import "$DATA/konnect-1m.csv" >>"$WORK/inv"
done
ref=$(cut -d' ' -f1 "$WORK/ref" | median)
inv=$(cut -d' ' -f1 "$WORK/inv" | median)
rss=$(cut -d' ' -f2 "$WORK/inv" | sort -n | tail -1)
echo "| | median wall time | all runs (s) | peak RSS |"
echo "|---|---:|---|---:|"
echo "| sqlite3 .import (all TEXT, no index) | ${ref} s | $(cut -d' ' -f1 "$WORK/ref" | tr '\n' ' ') | |"
echo "| invlog import (typed, indexes, search index) | ${inv} s | $(cut -d' ' -f1 "$WORK/inv" | tr '\n' ' ') | $((rss / 1024)) MB |"
echo "| ratio invlog / sqlite3 | $(awk -v a="$inv" -v b="$ref" 'BEGIN {printf "%.2f×", a/b}') | target ≤ 1.5× | target ≤ 200 MB |"
echo
echo "Phases of one more run (INVLOG_TRACE=1):"
echo '```'
rm -f "$WORK"/inv.db*
INVLOG_TRACE=1 "$INVLOG" --db "$WORK/inv.db" import "$DATA/konnect-1m.csv" 2>&1 >/dev/null | sed 's/^trace: //'
echo '```'
echo
echo "## Queries on that store ($RUNS×6 runs each, after one warm-up)"
echo
"$TARGET/release/examples/bench_queries" "$WORK/inv.db" $((RUNS * 6))
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
if [ "${BENCH_BIG:-0}" = 1 ]; then
  echo
  echo "## Memory stays bounded: 3,000,000 rows"
  python3 bench/gen_konnect.py 3000000 "$WORK/k3m.csv"
  rm -f "$WORK"/big.db*
  read -r secs kb < <(timed "$INVLOG" --db "$WORK/big.db" import "$WORK/k3m.csv")
  echo
  echo "| rows | wall time | peak RSS |"
  echo "|---:|---:|---:|"
  echo "| 3,000,000 ($(du -m "$WORK/k3m.csv" | cut -f1) MB) | ${secs} s | $((kb / 1024)) MB |"
fi
