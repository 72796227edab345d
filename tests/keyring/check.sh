#!/usr/bin/env bash
# Connection secrets in a real Secret Service: GNOME Keyring, unlocked in a private D-Bus
# session with a throwaway home. A connection added there keeps its secret in the keyring (not
# in the store, not in a file), a pull reads it back; outside the session the same pull says
# the keyring is out of reach and how to move the secret to a file.
# Usage: tests/keyring/check.sh INVLOG_BINARY
set -euo pipefail
invlog=$(realpath "${1:?usage: check.sh INVLOG_BINARY}")
work=$(mktemp -d)
trap 'kill $(cat "$work/fake.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "keyring check: $*" >&2; exit 1; }

# A fake Logitrail on 127.0.0.1: two products for merchant 7 with the right shared secret.
cat > "$work/fake.py" <<'PY'
import base64, json
from http.server import BaseHTTPRequestHandler, HTTPServer
GOOD = "Basic " + base64.b64encode(b"M-7:keyring-s3cret-41").decode()
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != GOOD:
            self.send_response(401); self.end_headers(); self.wfile.write(b"{}"); return
        products = [{"merchants_id": f"KR-{i}", "id": f"K{i}", "name": "Keyring mug",
                     "inventory": {"available": i, "last_movement": "2026-11-30T10:00:00Z"}} for i in range(2)]
        body = json.dumps({"total_count": 2, "offset": 0, "count": 2, "products": products}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$work/fake.py" > "$work/port" & echo $! > "$work/fake.pid"
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$work/port")/"
db="$work/store.db"

# What runs inside the session: the keyring unlocked, then the CLI as a user would run it.
cat > "$work/in-session.sh" <<SESSION
set -euo pipefail
export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share"
mkdir -p "\$HOME"
echo -n throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export WH_SECRET=keyring-s3cret-41
"$invlog" --db "$db" connections add wh --kind logitrail --merchant-id 7 --base-url "$base" --since 2026-11-01 --secret-env WH_SECRET > "$work/added" 2>&1
"$invlog" --db "$db" connections test wh > "$work/tested" 2>&1
"$invlog" --db "$db" pull --json > "$work/pulled" 2>&1
SESSION
if ! dbus-run-session -- bash "$work/in-session.sh" 2>"$work/session.err"; then
  cat "$work/added" "$work/tested" "$work/pulled" "$work/session.err" 2>/dev/null || true
  fail "the commands in the session failed"
fi

grep -q "the secret is in the OS keyring" "$work/added" || fail "not kept in the keyring: $(cat "$work/added")"
[ ! -e "$db.secrets" ] || fail "a secrets file was written although the keyring was reachable"
grep -q "connected: 2 products" "$work/tested" || fail "test: $(cat "$work/tested")"
grep -q '"new": 2' "$work/pulled" || fail "pull: $(cat "$work/pulled")"
if grep -qa "keyring-s3cret-41" "$db" "$db-wal" "$work/added" "$work/tested" "$work/pulled" 2>/dev/null; then
  fail "the secret leaked into the store or an output"
fi

# Cron without a session bus: the pull fails and says where the secret is and what to do.
set +e
env -u DBUS_SESSION_BUS_ADDRESS HOME="$work/home" "$invlog" --db "$db" pull > "$work/cron" 2>&1
code=$?
set -e
[ "$code" -eq 1 ] || fail "a pull without the keyring exited $code: $(cat "$work/cron")"
grep -q "is in the OS keyring, which is out of reach here" "$work/cron" || fail "cron: $(cat "$work/cron")"
grep -q "INVLOG_KEYRING=off invlog connections edit wh --secret-env" "$work/cron" || fail "no way out named: $(cat "$work/cron")"
echo "keyring check: ok (GNOME Keyring kept the secret; without the session bus the pull said how to move it)"
