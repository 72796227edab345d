#!/usr/bin/env python3
"""Writes a deterministic Konnect Unified Inventory Logs export: N rows, the 15 columns the
viewer shows by default (~145 bytes a row). Usage: gen_konnect.py ROWS OUT.csv"""
import csv
import random
import sys
from datetime import datetime, timedelta, timezone

HEADERS = ["Product Name", "Channel & Account", "Location Name", "Location Code",
           "Location Type", "Seller Identifier", "Channel Identifier", "Inventory Sent",
           "Updated On", "Buffer Stock", "Committed Inventory", "Damaged Inventory", "Status",
           "Mfg Date", "Exp Date"]
PRODUCTS = ["Fazer Puikula - Pehmeämpi jälkiuuni", "Cotton Kurta, Indigo \"Classic\"",
            "सूती कुर्ता नीला", "Trail Shoe 42 🥾", "Plain Tee, Black", "Yoga Mat Extra Thick",
            "Gift Box (Kit)", "Steel Water Bottle 1L", "Linen Shirt, White", "Ceramic Mug"]
CHANNELS = ["Amazon / Amazon-Mumbai", "Amazon / Amazon-Delhi", "Flipkart / Flipkart-Main",
            "Shopify / Shopify-Web", "Myntra / Myntra-North", "Ajio / Ajio-West"]
LOCATIONS = [("Mumbai Central Warehouse", "WH01", "warehouse"), ("Delhi Hub", "WH02", "warehouse"),
             ("Pune Hub", "WH03", "warehouse"), ("Bandra Store", "STR002", "store"),
             ("Phoenix Mall Kiosk", "MAL001", "mall")]


def main():
    rows, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(42)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    span = 180 * 86400
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADERS)
        for i in range(rows):
            sku = rnd.randrange(20000)
            loc = LOCATIONS[sku % len(LOCATIONS)]
            t = start + timedelta(seconds=rnd.randrange(span))
            dated = sku % 4 == 0
            w.writerow([
                PRODUCTS[sku % len(PRODUCTS)], CHANNELS[rnd.randrange(len(CHANNELS))],
                loc[0], loc[1], loc[2], f"SKU-{sku:05d}", f"ASIN{sku:07d}",
                rnd.randrange(500), t.strftime("%Y-%m-%d %H:%M:%S"), rnd.randrange(10),
                rnd.randrange(20), rnd.randrange(3),
                "Failed" if rnd.random() < 0.05 else "Success",
                "2025-01-15" if dated else "", "2026-01-15" if dated else "",
            ])


if __name__ == "__main__":
    main()
