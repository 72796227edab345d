#!/usr/bin/env bash
# Issue #16, pulls from the sources' APIs: 100,000 Logitrail products pulled from a fake
# Logitrail on 127.0.0.1 (200 pages of 500, HTTP Basic, as the classic API pages them) into a
# store already holding 1,000,000 entries, against the same 100,000 products imported from one
# JSON file into the same store. Wall time, records/s and peak RSS; runs interleaved, medians.
#   INVLOG=target/release/invlog bench/pull.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
invlog=$(realpath "${INVLOG:?set INVLOG to the invlog binary}")
data=bench/data
work=$(mktemp -d)
trap 'kill $(cat "$work/fake.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$data"
[ -f "$data/konnect-1m.csv" ] || python3 bench/gen_konnect.py 1000000 "$data/konnect-1m.csv"
"$invlog" --db "$work/base.db" import "$data/konnect-1m.csv" >/dev/null
python3 bench/fake_logitrail.py 100000 "$work/products.json" > "$work/port" &
echo $! > "$work/fake.pid"
for _ in $(seq 600); do [ -s "$work/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$work/port")/"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { # appends "seconds peak_kb" of a command to $1
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/last.json" 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }
  cat "$work/time" >>"$out"
}
fresh_store() {
  rm -f "$work"/s.db*
  cp "$work/base.db" "$work/s.db"
}
export INVLOG_KEYRING=off BENCH_SECRET=bench-shared-secret
: >"$work/file"; : >"$work/pull"
for _ in $(seq "$runs"); do
  fresh_store
  timed "$work/file" "$invlog" --db "$work/s.db" import --json "$work/products.json"
  fresh_store
  "$invlog" --db "$work/s.db" connections add bench --kind logitrail --merchant-id 1 \
    --base-url "$base" --since 2026-01-01 --secret-env BENCH_SECRET >/dev/null 2>&1
  timed "$work/pull" "$invlog" --db "$work/s.db" pull --json
done
said=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))[0]; print("{:,} new, {:,} already in the store, {:,} updated, {:,} errors, in {} pages".format(p["new"], p["existing"], p["updated"], p["failed"], p["pages"]))' "$work/last.json")
col() { cut -d' ' -f1 "$1" | median; }
rss() { cut -d' ' -f2 "$1" | sort -n | tail -1; }
runs_of() { cut -d' ' -f1 "$1" | tr '\n' ' '; }
file=$(col "$work/file"); pull=$(col "$work/pull")
rate() { awk -v s="$1" 'BEGIN {printf "%\047.0f", 100000 / s}'; }
echo "## Pull of 100,000 Logitrail products (200 pages of 500) into a 1M-entry store ($runs runs each, interleaved)"
echo
echo "| | median wall time | records/s | all runs (s) | peak RSS |"
echo "|---|---:|---:|---|---:|"
echo "| the same products imported from one JSON file ($(du -m "$work/products.json" | cut -f1) MB) | ${file} s | $(rate "$file") | $(runs_of "$work/file") | $(($(rss "$work/file") / 1024)) MiB |"
echo "| \`invlog pull\` from the fake Logitrail on 127.0.0.1 | ${pull} s | $(rate "$pull") | $(runs_of "$work/pull") | $(($(rss "$work/pull") / 1024)) MiB |"
echo "| **pull / file import** | $(awk -v a="$pull" -v b="$file" 'BEGIN {printf "%.2f×", a/b}') | | target ≤ 1.5× | |"
echo
echo "The last pull said: $said."
