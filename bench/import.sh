#!/usr/bin/env bash
# The import budget (issue #12): a fresh 1M-row Konnect CSV import against sqlite3 importing the
# same file into a WAL-mode database (`PRAGMA journal_mode=WAL` then `.import`): like for like,
# since Invlog keeps WAL so readers are never locked out. A plain `.import` (rollback journal)
# is timed too, as BENCHMARKS.md did before. Runs interleaved; medians and ratios.
#   INVLOG=target/release/invlog bench/import.sh FILE [RUNS]
set -euo pipefail
file=${1:?usage: import.sh FILE [RUNS]}
runs=${2:-5}
invlog=${INVLOG:?set INVLOG to the invlog binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { # appends "seconds peak_kb" of a command to $1
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
  cat "$work/time" >>"$out"
}
: >"$work/wal"; : >"$work/plain"; : >"$work/inv"
for _ in $(seq "$runs"); do
  rm -f "$work"/ref.db*
  timed "$work/wal" sqlite3 "$work/ref.db" "PRAGMA journal_mode=WAL" ".mode csv" ".import $file logs"
  rm -f "$work"/ref.db*
  timed "$work/plain" sqlite3 "$work/ref.db" ".mode csv" ".import $file logs"
  rm -f "$work"/inv.db*
  timed "$work/inv" "$invlog" --db "$work/inv.db" import "$file"
done
col() { cut -d' ' -f1 "$1" | median; }
wal=$(col "$work/wal"); plain=$(col "$work/plain"); inv=$(col "$work/inv")
rss=$(cut -d' ' -f2 "$work/inv" | sort -n | tail -1)
runs_of() { cut -d' ' -f1 "$1" | tr '\n' ' '; }
echo "## Import: $(basename "$file") ($(du -m "$file" | cut -f1) MB), $runs runs each, interleaved"
echo
echo "| | median wall time | all runs (s) | peak RSS |"
echo "|---|---:|---|---:|"
echo "| sqlite3, WAL, .import (all TEXT, no index) | ${wal} s | $(runs_of "$work/wal") | |"
echo "| sqlite3 .import, rollback journal | ${plain} s | $(runs_of "$work/plain") | |"
echo "| invlog import, WAL (typed, indexes, search index) | ${inv} s | $(runs_of "$work/inv") | $((rss / 1024)) MiB |"
echo "| **invlog / sqlite3 WAL** | $(awk -v a="$inv" -v b="$wal" 'BEGIN {printf "%.2f×", a/b}') | target ≤ 1.5× | target ≤ 200 MB |"
echo "| invlog / sqlite3 rollback journal | $(awk -v a="$inv" -v b="$plain" 'BEGIN {printf "%.2f×", a/b}') | (as before) | |"
echo
echo "Phases of one more run (INVLOG_TRACE=1):"
echo '```'
rm -f "$work"/inv.db*
INVLOG_TRACE=1 "$invlog" --db "$work/inv.db" import "$file" 2>&1 >/dev/null | sed 's/^trace: //'
echo '```'
