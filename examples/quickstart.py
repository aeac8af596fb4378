"""Quick start: receive, put away, ship, look back in time, retry safely, correct, verify.

Run it with ``python examples/quickstart.py``. It keeps the ledger in memory; change the
``Inventory(...)`` line to ``Inventory.open("sqlite:///stock.db", clock=clock)`` to keep it in
a SQLite file.
"""

import datetime as dt

import pendulum

import stockline as sl

clock = sl.FixedClock(pendulum.datetime(2026, 3, 2, 8, tz="UTC"))
inv = sl.Inventory(clock=clock)

inv.add_item("ASP-100", gtin="09506000134352", unit="EA", tracking="lot", shelf_life_days=730)
inv.add_location("DC1/DOCK")
inv.add_location("DC1/A/01-03")  # internal by default; DC1 and DC1/A are created too

receipt = inv.receive(
    "ASP-100", 120, lot="L1", expiry=dt.date(2027, 3, 31), dst="DC1/DOCK",
    supplier="ACME", ref="PO-1", key="asn-77/1",
)  # fmt: skip
clock.advance(hours=1)
inv.move("ASP-100", 120, lot="L1", src="DC1/DOCK", dst="DC1/A/01-03")
clock.advance(hours=1)
shipment = inv.ship("ASP-100", 20, lot="L1", src="DC1/A/01-03", customer="PHARMA-7", ref="SO-9")

print(inv.on_hand("ASP-100", location="DC1"))  # a location includes everything below it
print(inv.on_hand("ASP-100", as_of=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)))

# A retry with the same idempotency key posts nothing and returns the first receipt.
again = inv.receive(
    "ASP-100", 120, lot="L1", expiry=dt.date(2027, 3, 31), dst="DC1/DOCK",
    supplier="ACME", ref="PO-1", key="asn-77/1",
)  # fmt: skip
print(again.id == receipt.id)

# Nothing is edited or deleted: a mistake is corrected by a reversal.
clock.advance(minutes=5)
reversal = inv.reverse(shipment.id, reason="keyed wrong lot")
print(reversal.id, reversal.kind.value, "of", reversal.reverses, "->", inv.on_hand("ASP-100"))

for tx in inv.history("ASP-100"):
    print(tx.id, tx.effective_at.isoformat(), tx.kind.value)

report = inv.verify()  # the hash chain, and the balances against a replay of the ledger
print(report.ok, report.transactions)
