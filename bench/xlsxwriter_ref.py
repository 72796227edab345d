"""The reference for XLSX export speed: Python XlsxWriter in constant_memory mode writing the
same rows Invlog exports (read first from Invlog's own CSV export of them, untimed), with the
same cell types: numbers as numbers, times as date-times with a format, a bold frozen header
and an autofilter. Prints the seconds the writing took.

    python3 bench/xlsxwriter_ref.py ROWS.csv OUT.xlsx
"""
import csv
import sys
import time
from datetime import datetime

import xlsxwriter

NUMERIC = {"Inventory Sent", "Buffer Stock", "Committed Inventory"}
TIMES = {"Updated On"}


def main(src, out):
    with open(src, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        kinds = ["num" if h in NUMERIC else "time" if h in TIMES else "text" for h in header]
        rows = []
        for r in reader:
            row = []
            for kind, v in zip(kinds, r):
                if v == "":
                    row.append(None)
                elif kind == "num":
                    row.append(int(v))
                elif kind == "time":
                    row.append(datetime.fromisoformat(v).replace(tzinfo=None))
                else:
                    row.append(v)
            rows.append(row)

    start = time.perf_counter()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("Logs")
    bold = wb.add_format({"bold": True})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, header, bold)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(header) - 1)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if kinds[j] == "num":
                ws.write_number(i, j, v)
            elif kinds[j] == "time":
                ws.write_datetime(i, j, v, when)
            else:
                ws.write_string(i, j, v)
    wb.close()
    print(f"{time.perf_counter() - start:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
