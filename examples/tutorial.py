"""The tutorial (docs/tutorial.md) as one script: a yoghurt plant from goods-in to a recall.

Receive by scanning, put away, produce, pack a pallet, allocate FEFO, ship, and recall a
contaminated ingredient lot with containment. Run it with ``python examples/tutorial.py``;
it keeps everything in memory and prints what the tutorial shows.
"""

# --8<-- [start:setup]

import pendulum

import stockline as sl
from stockline import gs1

clock = sl.FixedClock(pendulum.datetime(2026, 3, 2, 7, tz="UTC"))
inv = sl.Inventory(clock=clock)  # in memory; sl.Inventory.open("sqlite:///plant.db") for a file

inv.add_item("CREAM", gtin="09506000134376", tracking="lot", packs=[("19506000134373", 12)])
inv.add_item("BERRY", gtin="99506000134386", unit="KGM", tracking="lot")  # weighed: indicator 9
inv.add_item("YOG-500", gtin="09506000134390", tracking="lot", shelf_life_days=21)
for path in ("PLANT/DOCK", "PLANT/COLD/01", "PLANT/COLD/02", "PLANT/FG/01", "PLANT/STAGING"):
    inv.add_location(path)  # internal by default; PLANT, PLANT/COLD and PLANT/FG are created too
# --8<-- [end:setup]

# --8<-- [start:receive]
# 10 cases of cream: the case's DataMatrix carries GTIN (01), expiry (17) and lot (10).
case_label = "]d201195060001343731726041510C-0225"  # as the scanner sends it
inv.scanning.receive(case_label, 10, dst="PLANT/DOCK", supplier="DAIRY-CO", ref="PO-4711")
# Two drums of strawberry purée, each label with its net weight (3102: 25.00 kg), one lot each.
for drum in (
    "(01)99506000134386(3102)002500(17)260930(10)B-7",
    "(01)99506000134386(3102)002500(17)261031(10)B-8",
):
    inv.scanning.receive(drum, dst="PLANT/DOCK", supplier="FRUIT-SA", ref="PO-4712")

for lot in inv.master.lots():
    print(
        lot.item, lot.code, lot.expiry, inv.on_hand(lot.item, lot=lot.code, location="PLANT/DOCK")
    )
# --8<-- [end:receive]

# --8<-- [start:putaway]
clock.advance(minutes=30)
inv.move("CREAM", 120, lot="C-0225", src="PLANT/DOCK", dst="PLANT/COLD/01")
inv.move("BERRY", 25, lot="B-7", src="PLANT/DOCK", dst="PLANT/COLD/02")
inv.move("BERRY", 25, lot="B-8", src="PLANT/DOCK", dst="PLANT/COLD/02")

print(inv.on_hand("CREAM", location="PLANT/COLD"), inv.on_hand("BERRY", location="PLANT/COLD"))
print(inv.on_hand("CREAM", location="PLANT/DOCK"))
# --8<-- [end:putaway]

# --8<-- [start:produce]
clock.advance(hours=2)
inv.produce(
    consume=[
        sl.Component(sku="CREAM", quantity=48, lot="C-0225", location="PLANT/COLD/01"),
        sl.Component(sku="BERRY", quantity="12.5", lot="B-7", location="PLANT/COLD/02"),
    ],
    output=[sl.Output(sku="YOG-500", quantity=120, lot="Y-0302", location="PLANT/FG/01")],
    ref="WO-88",
)
clock.advance(days=1)
inv.produce(
    consume=[
        sl.Component(sku="CREAM", quantity=48, lot="C-0225", location="PLANT/COLD/01"),
        sl.Component(sku="BERRY", quantity="12.5", lot="B-8", location="PLANT/COLD/02"),
    ],
    output=[sl.Output(sku="YOG-500", quantity=120, lot="Y-0303", location="PLANT/FG/01")],
    ref="WO-89",
)

for lot in inv.master.lots("YOG-500"):
    print(lot.code, lot.expiry, inv.on_hand("YOG-500", lot=lot.code))
print([str(n) for n in inv.trace_upstream("YOG-500", "Y-0302").nodes])
# --8<-- [end:produce]

# --8<-- [start:pack]
pallet = gs1.sscc("9506000", "000000001")  # company prefix + serial reference, check digit added
inv.containers.create(pallet)
inv.pack("YOG-500", 96, container=pallet, lot="Y-0303", location="PLANT/FG/01")

print(pallet)
for b in inv.containers.contents(pallet):
    print(b.item, b.lot, b.quantity, b.position.location)
# --8<-- [end:pack]

# --8<-- [start:allocate]
clock.advance(hours=1)
plan = inv.allocate("YOG-500", 80, order="SO-501")
for pick in plan.picks:
    print(pick.candidate.lot, pick.quantity, pick.candidate.location, "|", pick.reason)
promise = inv.allocation.available_to_promise("YOG-500")
print("short:", plan.shortfall, "| available to promise:", promise)
# --8<-- [end:allocate]

# --8<-- [start:ship]
inv.allocation.pick(plan, dst="PLANT/STAGING")
order = inv.allocation.ship("SO-501", customer="SHOP-1", refs={"BOL": "BOL-9001"})
wholesale = inv.containers.ship(pallet, customer="WHOLESALE-2", ref="SO-502")

for tx in (order, wholesale):
    refs = " ".join(f"{r.type}:{r.number}" for r in tx.refs)
    print(tx.id, tx.kind.value, tx.counterparty, sum(m.quantity for m in tx.movements), refs)
for b in inv.stock("YOG-500", location="PLANT"):
    print(b.lot, b.quantity, b.position.location)
# --8<-- [end:ship]

# --8<-- [start:recall]
clock.advance(days=2)
report = inv.recall(("BERRY", "B-7"), reason="supplier reports Listeria in purée lot B-7")
print(report.to_table())
# --8<-- [end:recall]

# --8<-- [start:contain]
held = inv.genealogy.contain(report, actor="qa-lead")
assert held is not None
print(held.id, held.kind.value, held.reason)
for m in held.movements:
    print(f"  {m.item} {m.lot} {m.quantity} at {m.src.location}: {m.src.status} -> {m.dst.status}")

again = inv.allocate("YOG-500", 30, order="SO-503")  # held stock is never allocated
print([(p.candidate.lot, p.quantity) for p in again.picks], "short:", again.shortfall)
print(inv.genealogy.contain(report) == held, inv.verify().ok)
# --8<-- [end:contain]
