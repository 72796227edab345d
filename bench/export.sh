#!/usr/bin/env bash
# Export benchmarks (issue #5) on a store: 15 columns sorted by time, all rows.
#   CSV: `invlog export` against `sqlite3 -csv -header` of the same rows (same columns, times
#        written the same way, same order), runs interleaved, medians.
#   XLSX: `invlog export` against Python XlsxWriter in constant_memory mode writing the same
#        rows (its write time only; reading them in is not counted).
#   bench/export.sh STORE [RUNS]     (bench/run.sh runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=$1
RUNS=${2:-3}
INVLOG=${INVLOG:-${CARGO_TARGET_DIR:-target}/release/invlog}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 -c 'import xlsxwriter' 2>/dev/null || pip install --quiet xlsxwriter >/dev/null 2>&1 ||
  pip install --quiet --break-system-packages xlsxwriter >/dev/null

COLS=occurred_at,source,sku,channel_sku,product_name,channel,account,location_name,location_code,location_type,inventory_sent,buffer_stock,committed,status,batch_id
SQL="SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', e.occurred_at / 1000, 'unixepoch') AS \"Updated On\",
  e.source AS \"Source\", pr.sku AS \"Seller Identifier\", pr.channel_sku AS \"Channel Identifier\",
  pr.product_name AS \"Product Name\", e.channel AS \"Channel\", e.account AS \"Account\",
  e.location_name AS \"Location Name\", e.location_code AS \"Location Code\",
  e.location_type AS \"Location Type\", e.inventory_sent AS \"Inventory Sent\",
  e.buffer_stock AS \"Buffer Stock\", e.committed AS \"Committed Inventory\", e.status AS \"Status\",
  e.batch_id AS \"Batch ID\"
  FROM entries e LEFT JOIN products pr ON pr.id = e.product_id ORDER BY e.occurred_at, e.id"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1; cat "$WORK/time"; }

rows=$(sqlite3 "$STORE" "SELECT count(*) FROM entries")
echo "## Export: $rows rows, 15 columns, sorted by time ($RUNS runs each, interleaved, medians)"
echo
: >"$WORK/ref"; : >"$WORK/csv"; : >"$WORK/xlsx"
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$WORK/time" sh -c "sqlite3 -csv -header '$STORE' \"\$1\" > '$WORK/ref.csv'" _ "$SQL"
  cat "$WORK/time" >>"$WORK/ref"
  timed "$INVLOG" --db "$STORE" export --out "$WORK/out.csv" --columns "$COLS" --sort occurred_at --utc >>"$WORK/csv"
  timed "$INVLOG" --db "$STORE" export --out "$WORK/out.xlsx" --columns "$COLS" --sort occurred_at --utc >>"$WORK/xlsx"
done
# The same rows: invlog's CSV equals sqlite3's byte for byte but for line ends and quoting style.
if ! diff -q <(tr -d '\r' <"$WORK/out.csv" | python3 -c 'import csv,sys; w=csv.writer(sys.stdout, lineterminator="\n"); [w.writerow(r) for r in csv.reader(sys.stdin)]') \
             <(python3 -c 'import csv,sys; w=csv.writer(sys.stdout, lineterminator="\n"); [w.writerow(r) for r in csv.reader(sys.stdin)]' <"$WORK/ref.csv") >/dev/null; then
  echo "**the two CSV files differ**"
fi
py=$(python3 bench/xlsxwriter_ref.py "$WORK/out.csv" "$WORK/ref.xlsx")
ref=$(cut -d' ' -f1 "$WORK/ref" | median)
csv=$(cut -d' ' -f1 "$WORK/csv" | median)
xlsx=$(cut -d' ' -f1 "$WORK/xlsx" | median)
rss_csv=$(cut -d' ' -f2 "$WORK/csv" | sort -n | tail -1)
rss_xlsx=$(cut -d' ' -f2 "$WORK/xlsx" | sort -n | tail -1)
echo "| | median wall time | all runs (s) | peak RSS | size |"
echo "|---|---:|---|---:|---:|"
echo "| sqlite3 -csv -header (same SELECT) | ${ref} s | $(cut -d' ' -f1 "$WORK/ref" | tr '\n' ' ') | | $(du -m "$WORK/ref.csv" | cut -f1) MB |"
echo "| invlog export CSV | ${csv} s | $(cut -d' ' -f1 "$WORK/csv" | tr '\n' ' ') | $((rss_csv / 1024)) MiB | $(du -m "$WORK/out.csv" | cut -f1) MB |"
echo "| **ratio CSV invlog / sqlite3** | $(awk -v a="$csv" -v b="$ref" 'BEGIN {printf "%.2f×", a/b}') | target ≤ 1.2× | target ≤ 150 MB | |"
echo "| Python XlsxWriter constant_memory (write only) | ${py} s | | | $(du -m "$WORK/ref.xlsx" | cut -f1) MB |"
echo "| invlog export XLSX (query + write) | ${xlsx} s | $(cut -d' ' -f1 "$WORK/xlsx" | tr '\n' ' ') | $((rss_xlsx / 1024)) MiB | $(du -m "$WORK/out.xlsx" | cut -f1) MB |"
echo "| **XLSX speed-up over XlsxWriter** | $(awk -v a="$py" -v b="$xlsx" 'BEGIN {printf "%.1f×", a/b}') | target ≥ 5× | target ≤ 150 MB | |"
