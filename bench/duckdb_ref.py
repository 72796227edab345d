#!/usr/bin/env python3
"""The reference for Invlog's counts, facets and timelines (issue #17): the same questions asked
of DuckDB, as Tad asks them, over the same generated Konnect CSV loaded into an in-memory table.
Prints one JSON object: the load time and, per question, each run's milliseconds.
Usage: duckdb_ref.py CSV RUNS QUESTIONS.json   (QUESTIONS as bench/summary.mjs writes them; a
question's own "runs", if given, stands for RUNS)"""
import json
import sys
import time

import duckdb


def main():
    csv, runs, questions = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))
    db = duckdb.connect()
    t0 = time.perf_counter()
    # The columns Invlog derives from the file: channel and account from "Channel & Account",
    # the status in lower case, the time in UTC milliseconds, the quantities as integers.
    db.execute(
        """CREATE TABLE entries AS SELECT
             split_part("Channel & Account", ' / ', 1) AS channel,
             split_part("Channel & Account", ' / ', 2) AS account,
             "Location Code" AS location_code,
             lower("Status") AS status,
             epoch_ms("Updated On"::TIMESTAMP) AS occurred_at,
             TRY_CAST("Inventory Sent" AS INTEGER) AS inventory_sent,
             TRY_CAST("Buffer Stock" AS INTEGER) AS buffer_stock,
             "Seller Identifier" AS sku,
             "Product Name" AS product_name
           FROM read_csv(?, header = true, all_varchar = true)""",
        [csv],
    )
    load_s = time.perf_counter() - t0
    out = {"load_s": load_s, "rows": db.execute("SELECT count(*) FROM entries").fetchone()[0]}
    for q in questions:
        sql, params = q["sql"], q.get("params", [])
        db.execute(sql, params).fetchall()  # warm, as Invlog's first run is
        times = []
        for _ in range(q.get("runs", runs)):
            t0 = time.perf_counter()
            db.execute(sql, params).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
        out[q["name"]] = times
    print(json.dumps(out))


if __name__ == "__main__":
    main()
