"""A realistic warehouse day that uses every kind of transaction the EPCIS export maps.

Shared by the export tests (and usable by the import tests for round trips): a food and pharma
distribution centre receives by scan, puts away, produces, relabels, packs onto SSCC pallets,
picks, ships, holds and releases (one hold for a recall), scraps, counts, adjusts and reverses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pendulum

import stockline as sl
from stockline.adapters import StockStore
from stockline.gs1 import sscc
from stockline.ledger import Movement, NewTransaction, Position, TxKind

#: GS1 Company Prefix of every key in the scenario.
PREFIX = "9506000"
ASPARAGUS = "09506000134352"  # lot-tracked, kilograms
VACCINE = "09506000134369"  # serial-tracked (with lots), each
SALAD = "09506000134376"  # lot-tracked, made here, each
DC_GLN = "9506000000015"
FARM_GLN = "9506000000022"
START = pendulum.datetime(2026, 3, 2, 8, tz="UTC")
PALLET = sscc(PREFIX, "000000001")
CASE = sscc(PREFIX, "000000002")


def build(store: StockStore | None = None) -> sl.Inventory:
    """Post the scenario into ``store`` (in memory when ``None``) and return the inventory."""
    clock = sl.FixedClock(START)
    inv = sl.Inventory(store=store, clock=clock) if store else sl.Inventory(clock=clock)

    def at(minutes: int) -> dt.datetime:
        clock.set(START + dt.timedelta(minutes=minutes))
        return clock.now()

    inv.add_item("ASP-100", gtin=ASPARAGUS, unit="KGM", tracking="lot", shelf_life_days=10)
    inv.add_item("VAC-10", gtin=VACCINE, tracking="serial")
    inv.add_item("SALAD", gtin=SALAD, tracking="lot", shelf_life_days=5)
    inv.add_item("BOLT-8", description="M8 bolt, no GTIN")
    inv.add_location("DC1", gln=DC_GLN, description="Distribution centre 1")
    for path in ("DC1/DOCK", "DC1/A/01", "DC1/A/02", "DC1/KITCHEN", "DC1/STAGE", "DC1/COLD ROOM"):
        inv.add_location(path)
    inv.add_party("FARM", kind="supplier", name="Green Farm", gln=FARM_GLN)
    inv.add_party("SHOP", kind="customer", name="Corner Shop")

    at(0)
    inv.scanning.receive(
        f"(01){ASPARAGUS}(17)260320(10)L24B",
        120,
        dst="DC1/DOCK",
        supplier="FARM",
        ref="PO-1",
        refs={"ASN": "DESADV-77"},
        effective_at=at(1),
        at=dt.date(2026, 3, 2),
    )
    inv.scanning.receive(
        f"(01){VACCINE}(21)V001(17)270101(10)VL1",
        dst="DC1/DOCK",
        supplier="FARM",
        ref="PO-2",
        effective_at=at(2),
        at=dt.date(2026, 3, 2),
    )
    inv.receive(
        "VAC-10",
        serials=["V002", "V003"],
        lot="VL1",
        dst="DC1/DOCK",
        supplier="FARM",
        ref="PO-2",
        effective_at=at(3),
    )
    inv.receive("BOLT-8", 500, dst="DC1/DOCK", ref="PO-3", effective_at=at(4), supplier="ACME")
    wrong = inv.receive(
        "BOLT-8", 50, dst="DC1/A/02", ref="PO-4", effective_at=at(5), supplier="ACME"
    )
    inv.move("ASP-100", 100, lot="L24B", src="DC1/DOCK", dst="DC1/A/01", effective_at=at(10))
    inv.move("ASP-100", 20, lot="L24B", src="DC1/DOCK", dst="DC1/COLD ROOM", effective_at=at(11))
    inv.move(
        "VAC-10",
        serials=["V001", "V002", "V003"],
        lot="VL1",
        src="DC1/DOCK",
        dst="DC1/A/02",
        effective_at=at(12),
    )
    inv.produce(
        consume=[sl.Component(sku="ASP-100", quantity=30, lot="L24B", location="DC1/A/01")],
        output=[sl.Output(sku="SALAD", quantity=60, lot="S0302", location="DC1/KITCHEN")],
        ref="WO-9",
        effective_at=at(30),
    )
    inv.genealogy.relabel(
        "SALAD",
        10,
        lot="S0302",
        new_lot="S0302-B",
        location="DC1/KITCHEN",
        effective_at=at(35),
        reason="split for a second customer",
    )
    inv.containers.create(PALLET)
    inv.containers.create(CASE, kind="case")
    inv.pack(
        "VAC-10",
        container=CASE,
        serials=["V001", "V002"],
        lot="VL1",
        location="DC1/A/02",
        effective_at=at(40),
    )
    inv.containers.move(CASE, "DC1/STAGE", effective_at=at(41))
    inv.pack(
        "SALAD", 40, container=PALLET, lot="S0302", location="DC1/KITCHEN", effective_at=at(42)
    )
    inv.containers.move(PALLET, "DC1/STAGE", effective_at=at(43))
    inv.containers.nest(CASE, container=PALLET, effective_at=at(44))
    inv.unpack("SALAD", 5, container=PALLET, lot="S0302", effective_at=at(45))
    inv.move(
        "SALAD",
        5,
        lot="S0302",
        src="DC1/STAGE",
        dst="DC1/KITCHEN",
        kind="pick",
        ref="SO-5",
        effective_at=at(46),
    )
    inv.containers.ship(
        PALLET,
        customer="SHOP",
        ref="SO-5",
        refs={"BOL": "BOL-123"},
        effective_at=at(50),
    )
    inv.hold(
        "ASP-100",
        40,
        lot="L24B",
        location="DC1/A/01",
        reason="temperature excursion",
        effective_at=at(60),
    )
    inv.release(
        "ASP-100",
        15,
        lot="L24B",
        location="DC1/A/01",
        reason="probe within limits",
        effective_at=at(70),
    )
    inv.change_status(
        "ASP-100",
        20,
        lot="L24B",
        location="DC1/COLD ROOM",
        status="available",
        dst_status="hold",
        reason="recall R-7",
        refs={"RECALL": "R-7"},
        effective_at=at(75),
    )
    inv.scrap(
        "ASP-100",
        25,
        lot="L24B",
        location="DC1/A/01",
        status="hold",
        reason="spoiled",
        effective_at=at(80),
    )
    inv.adjust(
        "BOLT-8", Decimal(-3), location="DC1/DOCK", reason="damaged box", effective_at=at(90)
    )
    inv.adjust("BOLT-8", Decimal(1), location="DC1/DOCK", reason="found one", effective_at=at(91))
    inv.post(
        NewTransaction(
            kind=TxKind.COUNT,
            movements=(
                Movement(
                    item="SALAD",
                    quantity=Decimal(2),
                    lot="S0302",
                    src=Position(location="DC1/KITCHEN"),
                    dst=Position(location="adjustment"),
                ),
            ),
            reason="cycle count of the kitchen",
            effective_at=at(95),
        )
    )
    at(100)
    inv.reverse(wrong.id, reason="PO-4 was booked at the wrong site")
    at(120)
    return inv
