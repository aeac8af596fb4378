"""Quick start: receive, put away, ship, look back in time, correct a mistake, verify.

Run it with ``python examples/quickstart.py``; it uses a SQLite file in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pendulum

import stockline as sl

with tempfile.TemporaryDirectory() as folder:
    clock = sl.FixedClock(pendulum.datetime(2026, 3, 2, 8, tz="UTC"))
    inv = sl.Inventory.open(f"sqlite:///{Path(folder) / 'stock.db'}", clock=clock)

    inv.add_item("ASP-100", gtin="09506000134352", unit="EA", tracking="lot", shelf_life_days=730)
    inv.add_location("DC1/DOCK")
    inv.add_location("DC1/A/01-03")  # internal by default; DC1 and DC1/A are created too

    inv.receive(
        "ASP-100",
        120,
        lot="L1",
        expiry=dt.date(2027, 3, 31),
        to="DC1/DOCK",
        supplier="ACME",
        ref="PO-1",
        key="asn-77/1",
    )
    clock.advance(hours=1)
    inv.move("ASP-100", 120, lot="L1", src="DC1/DOCK", dst="DC1/A/01-03")
    clock.advance(hours=1)
    shipment = inv.ship("ASP-100", 20, lot="L1", src="DC1/A/01-03", customer="PHARMA-7", ref="SO-9")

    assert inv.on_hand("ASP-100", location="DC1", status="available") == Decimal(100)
    before_shipping = pendulum.datetime(2026, 3, 2, 9, 30, tz="UTC")
    assert inv.on_hand("ASP-100", lot="L1", as_of=before_shipping) == Decimal(120)

    # A retry with the same idempotency key changes nothing and returns the first receipt.
    again = inv.receive(
        "ASP-100",
        120,
        lot="L1",
        expiry=dt.date(2027, 3, 31),
        to="DC1/DOCK",
        supplier="ACME",
        ref="PO-1",
        key="asn-77/1",
    )
    assert again.id == 1

    # Mistakes are corrected by reversal, never by editing.
    clock.advance(minutes=5)
    reversal = inv.reverse(shipment.id, reason="keyed wrong lot")
    assert reversal.reverses == shipment.id
    assert inv.on_hand("ASP-100") == Decimal(120)

    report = inv.verify()
    assert report.ok
    print(f"{report.transactions} transactions, head hash {report.head_hash[:12]}…")
    for balance in inv.stock("ASP-100"):
        print(balance.position, balance.lot, balance.quantity)
    inv.close()
