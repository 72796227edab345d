#!/usr/bin/env bash
# kill -9 at the worst moments: during an import, an export, a resolve, and a re-run between
# sending its request and recording the answer. After each, the store must pass SQLite's
# integrity check, hold exactly what was committed (all of an import or none of it), and its
# history must say what happened (an interrupted export, an attempt whose outcome is unknown).
#
#   tests/faults/kill9.sh INVLOG_BINARY ROWS
# `make test` runs it with a small file on the debug build; `make bench` with 1M rows.
set -euo pipefail
invlog=${1:?usage: kill9.sh INVLOG_BINARY ROWS}
rows=${2:-200000}
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
db="$work/store.db"
passed=0
failed=0
check() { # name, condition already evaluated as exit status of the previous command
  if [ "$2" = 0 ]; then
    passed=$((passed + 1)); echo "ok   $1"
  else
    failed=$((failed + 1)); echo "FAIL $1"
  fi
}
inv() { "$invlog" --db "$db" "$@"; }
total() { inv query --json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
integrity() { [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]; }
# (Work to be killed runs the binary itself in the background, never through `inv`: `$!` must
# be the process that writes, not a subshell around it.)
# Waits until another connection holds the store's write lock (the work is under way).
wait_for_writer() {
  for _ in $(seq 1 3000); do
    if ! sqlite3 -cmd '.timeout 0' "$db" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.01
  done
  return 1
}

python3 - "$work" "$rows" <<'PY'
import sys
work, rows = sys.argv[1], int(sys.argv[2])
head = "Seller Identifier,Channel & Account,Inventory Sent,Updated On,Status,Batch ID\n"
for name, n in (("base.csv", 1000), ("big.csv", rows)):
    with open(f"{work}/{name}", "w") as f:
        f.write(head)
        for i in range(n):
            status = "Failed" if i % 7 == 0 else "Success"
            f.write(f"SKU-{i % 5000},Amazon / Amazon-US,{i % 500},2025-03-{1 + i % 28:02d} "
                    f"10:{i % 60:02d}:00,{status},{name}-{i}\n")
PY
inv import "$work/base.csv" >/dev/null
base=$(total)

# 1. An import killed while it writes: none of it, and no import recorded.
"$invlog" --db "$db" import "$work/big.csv" >/dev/null 2>&1 & victim=$!
wait_for_writer
sleep 0.3
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
integrity; check "integrity after kill -9 during an import" $?
[ "$(total)" = "$base" ]; check "an import killed midway kept nothing ($(total) entries)" $?
[ "$(inv imports --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ]
check "the history lists only the import that finished" $?

# The whole file, for the exports below.
inv import "$work/big.csv" >/dev/null
full=$(total)
[ "$full" = $((base + rows)) ]; check "the same import run to the end keeps all of it" $?

# 2. An export killed while it writes: no file at the destination, and the next command marks
# it interrupted and removes its partial file.
"$invlog" --db "$db" export --out "$work/out.csv" >/dev/null 2>&1 & victim=$!
for _ in $(seq 1 3000); do
  ls "$work"/.out.csv.*.part >/dev/null 2>&1 && break
  sleep 0.01
done
sleep 0.2
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
if [ -f "$work/out.csv" ]; then
  echo "note: the export finished before it was killed"
else
  inv query --json --limit 1 >/dev/null
  ! ls "$work"/.out.csv.*.part >/dev/null 2>&1; check "the next command removes a killed export's partial file" $?
  [ "$(inv exports --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')" = interrupted ]
  check "a killed export shows as interrupted" $?
fi
integrity; check "integrity after kill -9 during an export" $?

# 3. A resolve of many entries killed at once: all of them or none.
ids=$(sqlite3 "$db" "SELECT group_concat(id, ' ') FROM (SELECT id FROM entries WHERE status = 'failed' LIMIT 20000)")
# shellcheck disable=SC2086
"$invlog" --db "$db" resolve $ids --note "kill test" >/dev/null 2>&1 & victim=$!
sleep 0.05
kill -9 "$victim" 2>/dev/null; wait "$victim" 2>/dev/null || true
resolved=$(sqlite3 "$db" "SELECT count(*) FROM resolutions WHERE note = 'kill test'")
{ [ "$resolved" = 0 ] || [ "$resolved" = 20000 ]; }; check "a killed resolve kept all or nothing ($resolved of 20000)" $?
integrity; check "integrity after kill -9 during a resolve" $?

# 4. A re-run killed between sending its request and recording the answer: the attempt is on
# record, shown as outcome unknown, and counted as a re-run.
port_file="$work/port"
python3 - "$port_file" <<'PY' & server_pid=$!
import http.server, sys, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        time.sleep(30)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), Slow)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
for _ in $(seq 1 500); do [ -s "$port_file" ] && break; sleep 0.01; done
port=$(cat "$port_file")
printf '{"batch_id":"K9","sku":"SKU-K9","status":"failed","updated_at":"2025-03-01T10:00:00Z","retry_count":0,"request":{"method":"POST","url":"http://127.0.0.1:%s/x","body":{"q":1}}}\n' "$port" > "$work/push.jsonl"
inv import "$work/push.jsonl" >/dev/null
entry=$(sqlite3 "$db" "SELECT id FROM entries WHERE batch_id = 'K9'")
"$invlog" --db "$db" rerun "$entry" --timeout 60 >/dev/null 2>&1 & victim=$!
for _ in $(seq 1 500); do
  [ "$(sqlite3 "$db" "SELECT count(*) FROM attempts WHERE entry_id = $entry")" = 1 ] && break
  sleep 0.01
done
sleep 0.3
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
inv query --json --limit 1 >/dev/null
[ "$(sqlite3 "$db" "SELECT outcome FROM attempts WHERE entry_id = $entry")" = unknown ]
check "a re-run killed after sending shows its outcome as unknown" $?
[ "$(sqlite3 "$db" "SELECT retry_count FROM entries WHERE id = $entry")" = 1 ]
check "and counts as a re-run" $?
integrity; check "integrity after kill -9 during a re-run" $?

echo "faults: $passed passed, $failed failed"
[ "$failed" = 0 ]
