#!/usr/bin/env python3
"""A fake Logitrail classic API for the pull benchmark: N products paged by `offset`/`limit`
(at most 500) from `after`, behind HTTP Basic (merchant 1, secret `bench-shared-secret`).
Writes the same N products as one JSON file (the file import's input), then prints its port.
   fake_logitrail.py N PRODUCTS_JSON"""
import base64
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

n = int(sys.argv[1])
GOOD = "Basic " + base64.b64encode(b"M-1:bench-shared-secret").decode()


def product(i):
    available = (i * 7) % 250
    p = {
        "merchants_id": f"LT-{i:06d}",
        "id": f"{100000 + i}",
        "name": f"Benchmark product {i}",
        "gtin": f"64{i:011d}",
        "inventory": {
            "inbound": i % 13,
            "in_stock": available + 3,
            "available": available,
            "reserved": 3,
            "on_hold": 0,
            "last_movement": "2026-11-%02dT%02d:%02d:%02dZ" % (1 + i % 28, i % 24, i % 60, (i // 60) % 60),
        },
    }
    if i % 10 == 0:
        p["inventory"]["availability_by"] = {
            "best_before_dates": {"2027-03-01": available // 2, "2027-06-01": available - available // 2}
        }
    return p


products = [product(i) for i in range(n)]
with open(sys.argv[2], "w") as f:
    json.dump({"total_count": n, "offset": 0, "count": n, "products": products}, f)
# Each page is serialised once and kept: the benchmark measures Invlog, not this server.
pages = {}
chosen_after = {}


def page_body(after, offset, limit):
    key = (after, offset, limit)
    if key not in pages:
        if after not in chosen_after:
            chosen_after[after] = [p for p in products if p["inventory"]["last_movement"] >= after]
        chosen = chosen_after[after]
        page = chosen[offset : offset + limit]
        pages[key] = json.dumps(
            {"total_count": len(chosen), "offset": offset, "count": len(page), "products": page}
        ).encode()
    return pages[key]


# The pages the benchmark's pulls ask for (from --since 2026-01-01), ready before it starts.
for offset in range(0, n + 1, 500):
    page_body("2026-01-01T00:00:00Z", offset, 500)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.headers.get("Authorization") != GOOD:
            self.send_response(401)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            return
        q = parse_qs(urlparse(self.path).query)
        after = q.get("after", [""])[0]
        offset = int(q.get("offset", ["0"])[0])
        limit = min(int(q.get("limit", ["500"])[0]), 500)
        body = page_body(after, offset, limit)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
