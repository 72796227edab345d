#!/usr/bin/env bash
# Issue #15, imports that store each event once: re-importing a 1M-row Konnect file that
# overlaps the store by 50% (500,000 rows already there, 500,000 new), against the fresh import
# of the same file into an empty store; peak RSS of both. Runs interleaved, medians, ratio.
# (The fresh import against sqlite3 is bench/import.sh.)
#   INVLOG=target/release/invlog bench/identity.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
invlog=${INVLOG:?set INVLOG to the invlog binary}
data=bench/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$data"
# The generator is sequential: the first 1M rows of 1.5M are the 1M file's rows.
[ -f "$data/konnect-1.5m.csv" ] || python3 bench/gen_konnect.py 1500000 "$data/konnect-1.5m.csv"
head -n 1000001 "$data/konnect-1.5m.csv" >"$work/first.csv"
{ head -n 1 "$data/konnect-1.5m.csv"; tail -n +500002 "$data/konnect-1.5m.csv"; } >"$work/overlapping.csv"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { # appends "seconds peak_kb" of a command to $1
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/last.json" 2>/dev/null
  cat "$work/time" >>"$out"
}
: >"$work/fresh"; : >"$work/again"
for _ in $(seq "$runs"); do
  rm -f "$work"/s.db*
  timed "$work/fresh" "$invlog" --db "$work/s.db" import --json "$work/overlapping.csv"
  rm -f "$work"/s.db*
  "$invlog" --db "$work/s.db" import "$work/first.csv" >/dev/null
  timed "$work/again" "$invlog" --db "$work/s.db" import --json "$work/overlapping.csv"
done
col() { cut -d' ' -f1 "$1" | median; }
rss() { cut -d' ' -f2 "$1" | sort -n | tail -1; }
runs_of() { cut -d' ' -f1 "$1" | tr '\n' ' '; }
fresh=$(col "$work/fresh"); again=$(col "$work/again")
counts=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; print("{:,} new, {:,} already in the store, {:,} updated".format(r["new"], r["existing"], r["updated"]))' "$work/last.json")
total=$("$invlog" --db "$work/s.db" query --limit 1 --json | python3 -c 'import json,sys; print("{:,}".format(json.load(sys.stdin)["total"]))')
echo "## Re-import of a 1M-row file overlapping the store by 50% ($runs runs each, interleaved)"
echo
echo "| | median wall time | all runs (s) | peak RSS |"
echo "|---|---:|---|---:|"
echo "| fresh import of the file into an empty store | ${fresh} s | $(runs_of "$work/fresh") | $(($(rss "$work/fresh") / 1024)) MiB |"
echo "| the same file into a store holding its first half | ${again} s | $(runs_of "$work/again") | $(($(rss "$work/again") / 1024)) MiB |"
echo "| **re-import / fresh** | $(awk -v a="$again" -v b="$fresh" 'BEGIN {printf "%.2f×", a/b}') | target ≤ 1.5× | target ≤ 200 MB |"
echo
echo "The re-import said: $counts; the store then held $total entries (1,500,000 expected)."
echo
echo "Phases of one more re-import (INVLOG_TRACE=1):"
echo '```'
rm -f "$work"/s.db*
"$invlog" --db "$work/s.db" import "$work/first.csv" >/dev/null
INVLOG_TRACE=1 "$invlog" --db "$work/s.db" import "$work/overlapping.csv" 2>&1 >/dev/null | sed 's/^trace: //'
echo '```'
