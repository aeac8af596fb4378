"""The demo scenario: a realistic day in a small pharma and medical-supplies warehouse."""

from __future__ import annotations

import datetime as dt

import pendulum

from stockline import Inventory
from stockline.ledger import FixedClock

__all__ = ["DEMO_START", "build_demo"]

#: When the demo day starts (a fixed time, so the demo prints the same every run).
DEMO_START = pendulum.datetime(2026, 3, 2, 7, 0, tz="Europe/Berlin")


def build_demo(inv: Inventory, clock: FixedClock) -> None:
    """Post the demo day into ``inv``, advancing ``clock`` as the day goes.

    Receipts from two suppliers (one lot-tracked drug in two lots, gloves without lots,
    serial-numbered infusion pumps), put-away, picking and shipping to two customers, a quality
    hold, and a shipment keyed against the wrong lot that is reversed and posted again.
    """
    inv.add_item(
        "ASP-100",
        gtin="09506000134352",
        description="Aspirin 100 mg, 100 tablets",
        tracking="lot",
        shelf_life_days=730,
        actor="setup",
    )
    inv.add_item("GLOVE-M", description="Nitrile gloves, size M, box of 100", actor="setup")
    inv.add_item("PUMP-X", description="Infusion pump X", tracking="serial", actor="setup")
    inv.add_location("DC1/DOCK", description="Berlin DC, goods in", actor="setup")
    inv.add_location("DC1/A/01-01", description="Aisle A, bay 1, level 1", pick_sequence=10)
    inv.add_location("DC1/A/01-02", description="Aisle A, bay 1, level 2", pick_sequence=11)
    inv.add_location("DC1/B/02-01", description="Aisle B, bay 2, level 1", pick_sequence=20)
    inv.add_location("DC1/SHIP", description="Berlin DC, goods out")
    inv.add_location("DC2/DOCK", description="Hamburg DC, goods in")
    inv.add_party("ACME", kind="supplier", name="ACME Pharma GmbH")
    inv.add_party("BETA", kind="supplier", name="Beta Medical Supplies")
    inv.add_party("PHARMA-7", kind="customer", name="Apotheke am Markt")
    inv.add_party("CLINIC-3", kind="customer", name="St. Lukas Klinik")

    clock.advance(minutes=15)
    inv.receive(
        "ASP-100",
        120,
        lot="L24A",
        expiry=dt.date(2027, 3, 31),
        dst="DC1/DOCK",
        supplier="ACME",
        ref="PO-1001",
        refs={"ASN": "asn-77"},
        key="asn-77/1",
        actor="jonas",
    )
    inv.receive(
        "PUMP-X",
        serials=["PX-0001", "PX-0002", "PX-0003"],
        dst="DC1/DOCK",
        supplier="ACME",
        ref="PO-1001",
        refs={"ASN": "asn-77"},
        key="asn-77/2",
        actor="jonas",
    )
    clock.advance(minutes=40)
    inv.receive(
        "ASP-100",
        80,
        lot="L24B",
        expiry=dt.date(2027, 6, 30),
        dst="DC1/DOCK",
        supplier="BETA",
        ref="PO-1002",
        key="po-1002/1",
        actor="jonas",
    )
    inv.receive("GLOVE-M", 500, dst="DC1/DOCK", supplier="BETA", ref="PO-1002", key="po-1002/2")

    clock.advance(minutes=30)
    inv.move("ASP-100", 120, lot="L24A", src="DC1/DOCK", dst="DC1/A/01-01", actor="mia")
    inv.move("ASP-100", 80, lot="L24B", src="DC1/DOCK", dst="DC1/A/01-02", actor="mia")
    inv.move("GLOVE-M", 500, src="DC1/DOCK", dst="DC1/B/02-01", actor="mia")
    inv.move(
        "PUMP-X",
        serials=["PX-0001", "PX-0002", "PX-0003"],
        src="DC1/DOCK",
        dst="DC1/B/02-01",
        actor="mia",
    )

    clock.advance(hours=1)
    inv.hold(
        "ASP-100",
        80,
        lot="L24B",
        location="DC1/A/01-02",
        actor="dr.weber",
        reason="temperature logger shows an excursion on arrival",
    )

    clock.advance(hours=2)
    inv.move(
        "ASP-100",
        30,
        lot="L24A",
        src="DC1/A/01-01",
        dst="DC1/SHIP",
        kind="pick",
        ref="SO-9",
        actor="mia",
    )
    inv.move("GLOVE-M", 100, src="DC1/B/02-01", dst="DC1/SHIP", kind="pick", ref="SO-9")
    inv.move(
        "PUMP-X", serial="PX-0002", src="DC1/B/02-01", dst="DC1/SHIP", kind="pick", ref="SO-10"
    )
    clock.advance(minutes=45)
    inv.ship(
        "ASP-100",
        30,
        lot="L24A",
        src="DC1/SHIP",
        customer="PHARMA-7",
        ref="SO-9",
        refs={"BOL": "BOL-5531"},
        actor="jonas",
    )
    inv.ship(
        "GLOVE-M",
        100,
        src="DC1/SHIP",
        customer="PHARMA-7",
        ref="SO-9",
        refs={"BOL": "BOL-5531"},
        actor="jonas",
    )
    wrong = inv.ship(
        "PUMP-X", serial="PX-0002", src="DC1/SHIP", customer="PHARMA-7", ref="SO-10", actor="jonas"
    )
    clock.advance(minutes=10)
    inv.reverse(wrong.id, reason="pump was for St. Lukas, not the pharmacy", actor="jonas")
    inv.ship(
        "PUMP-X",
        serial="PX-0002",
        src="DC1/SHIP",
        customer="CLINIC-3",
        ref="SO-10",
        refs={"BOL": "BOL-5532"},
        actor="jonas",
    )
