"""Fixed ledger histories the conformance suite builds on a store and on the in-memory
reference, and the snapshots it compares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from stockline import Inventory
from stockline.adapters import InMemoryStockStore
from stockline.genealogy import Component, Output
from stockline.ledger import FixedClock, Transaction
from stockline.testing._setup import DEFAULT_SETUP, START

__all__ = [
    "CASE",
    "PALLET",
    "History",
    "contents",
    "genealogy_history",
    "mixed_history",
    "on_reference",
    "snapshot",
]

PALLET, CASE = DEFAULT_SETUP.containers
#: Builds a history on an inventory (set up with ``DEFAULT_SETUP``) and returns the posted
#: transactions by name.
History = Callable[[Inventory, FixedClock], dict[str, Transaction]]


def snapshot(inv: Inventory) -> tuple[Any, ...]:
    """Everything a refused or rolled-back write must leave as it was."""
    with inv.store.read() as r:
        head = r.head()
        changes = r.master_changes()
        master = (r.items(), r.locations(), r.lots(), r.parties(), r.statuses())
        feed = r.transactions()
    return head, inv.stock(internal_only=False), changes, master, feed


def contents(inv: Inventory) -> dict[tuple[Any, ...], Decimal]:
    """Every non-zero balance, counterparties included, as a plain mapping."""
    return {
        (b.item, b.lot, b.serial, b.position.location, b.position.status, b.position.container): (
            b.quantity
        )
        for b in inv.stock(internal_only=False)
    }


def build(history: History, inv: Inventory) -> dict[str, Transaction]:
    """Build ``history`` on ``inv`` (set up with ``DEFAULT_SETUP``, on a ``FixedClock``)."""
    assert isinstance(inv.clock, FixedClock), "the suite's histories need a FixedClock"
    return history(inv, inv.clock)


def on_reference(history: History) -> tuple[Inventory, dict[str, Transaction]]:
    """Build ``history`` on a fresh in-memory store: what every store must agree with."""
    inv = Inventory(store=InMemoryStockStore(), clock=FixedClock(START))
    DEFAULT_SETUP.apply(inv)
    return inv, build(history, inv)


def mixed_history(inv: Inventory, clock: FixedClock) -> dict[str, Transaction]:
    """Every kind of posting: receipts (lots, serials, decimals, documents), moves, holds,
    shipments, adjustments, scrap, production, packing, container moves, a back-dated
    receipt and a reversal."""

    def tick() -> None:
        clock.advance(minutes=7, microseconds=1234)

    done: dict[str, Transaction] = {}
    steps: list[tuple[str, Callable[[], Transaction]]] = [
        (
            "bolts",
            lambda: inv.receive(
                "BOLT",
                100,
                dst="DC1/DOCK",
                supplier="ACME",
                ref="PO-1",
                refs={"ASN": "asn-7"},
                actor="ann",
                reason="first delivery",
            ),
        ),
        ("asp_l1", lambda: inv.receive("ASP", 40, lot="L1", dst="DC1/DOCK", supplier="ACME")),
        (
            "asp_l2",
            lambda: inv.receive(
                "ASP", 25, lot="L2", expiry=dt.date(2027, 1, 31), dst="DC1/A/01", supplier="PHARMA"
            ),
        ),
        ("flour", lambda: inv.receive("FLOUR", "12.345", dst="DC1/A/02", supplier="ACME")),
        (
            "pumps",
            lambda: inv.receive("PUMP", serials=["S1", "S2"], dst="DC1/DOCK", supplier="ACME"),
        ),
        ("putaway", lambda: inv.move("BOLT", 30, src="DC1/DOCK", dst="DC1/A/01", ref="T-1")),
        ("hold", lambda: inv.hold("ASP", 5, lot="L1", location="DC1/DOCK", reason="damp")),
        ("release", lambda: inv.release("ASP", 2, lot="L1", location="DC1/DOCK", reason="dry")),
        ("ship", lambda: inv.ship("BOLT", 10, src="DC1/A/01", customer="C1", ref="SO-1")),
        ("ship_pump", lambda: inv.ship("PUMP", serial="S1", src="DC1/DOCK", customer="C2")),
        ("loss", lambda: inv.adjust("BOLT", -3, location="DC1/DOCK", reason="count")),
        ("gain", lambda: inv.adjust("FLOUR", "0.5", location="DC1/A/02", reason="count")),
        ("scrap", lambda: inv.scrap("ASP", 1, lot="L2", location="DC1/A/01", reason="broken")),
        (
            "produce",
            lambda: inv.produce(
                consume=[
                    Component(sku="ASP", quantity=10, location="DC1/DOCK", lot="L1"),
                    Component(sku="BOLT", quantity=5, location="DC1/A/01"),
                ],
                output=[Output(sku="ASP", quantity=8, location="DC1/A/02", lot="P1")],
                ref="WO-1",
            ),
        ),
        ("pack_bolts", lambda: inv.pack("BOLT", 20, container=PALLET, location="DC1/DOCK")),
        ("pack_asp", lambda: inv.pack("ASP", 10, container=PALLET, lot="L1")),
        ("to_dc2", lambda: inv.containers.move(PALLET, "DC2/DOCK", ref="T-2")),
        ("unpack", lambda: inv.unpack("ASP", 4, container=PALLET, lot="L1")),
        (
            "late",
            lambda: inv.receive(
                "BOLT",
                7,
                dst="DC1/A/02",
                effective_at=clock.now() - dt.timedelta(hours=1),
                supplier="ACME",
            ),
        ),
        ("mistake", lambda: inv.receive("ASP", 3, lot="L2", dst="DC1/A/02", supplier="ACME")),
        ("undo", lambda: inv.reverse(done["mistake"].id, reason="wrong lot")),
    ]
    for name, step in steps:
        tick()
        done[name] = step()
    return done


def genealogy_history(inv: Inventory, clock: FixedClock) -> dict[str, Transaction]:
    """Two productions in a chain, a relabel, a split, serial outputs and shipments: the
    edges a trace follows, the receipts and shipments it reports."""
    inv.add_item("TAB", tracking="lot", shelf_life_days=365)
    inv.add_item("BOX", tracking="serial")

    def tick() -> None:
        clock.advance(minutes=11)

    done: dict[str, Transaction] = {}
    steps: list[tuple[str, Callable[[], Transaction]]] = [
        ("raw1", lambda: inv.receive("ASP", 50, lot="L1", dst="DC1/DOCK", supplier="ACME")),
        ("raw2", lambda: inv.receive("ASP", 30, lot="L2", dst="DC1/DOCK", supplier="BAYER")),
        (
            "mix",
            lambda: inv.produce(
                consume=[
                    Component(sku="ASP", quantity=20, location="DC1/DOCK", lot="L1"),
                    Component(sku="ASP", quantity=10, location="DC1/DOCK", lot="L2"),
                ],
                output=[Output(sku="TAB", quantity=100, location="DC1/A/01", lot="T1")],
                line="L-1",
            ),
        ),
        (
            "pack",
            lambda: inv.produce(
                consume=[Component(sku="TAB", quantity=40, location="DC1/A/01", lot="T1")],
                output=[
                    Output(sku="BOX", quantity=1, location="DC1/A/02", serial="B1"),
                    Output(sku="BOX", quantity=1, location="DC1/A/02", serial="B2"),
                ],
            ),
        ),
        (
            "relabel",
            lambda: inv.genealogy.relabel("TAB", 10, lot="T1", new_lot="T1R", location="DC1/A/01"),
        ),
        (
            "split",
            lambda: inv.genealogy.split(
                "ASP", lot="L1", new_lots={"L1A": 5, "L1B": 5}, location="DC1/DOCK"
            ),
        ),
        (
            "ship_box",
            lambda: inv.ship("BOX", serial="B1", src="DC1/A/02", customer="C1", ref="SO-9"),
        ),
        ("ship_tab", lambda: inv.ship("TAB", 15, lot="T1", src="DC1/A/01", customer="C2")),
        ("ship_late", lambda: inv.ship("TAB", 5, lot="T1R", src="DC1/A/01", customer="C1")),
        ("unship", lambda: inv.reverse(done["ship_late"].id, reason="wrong customer")),
    ]
    for name, step in steps:
        tick()
        done[name] = step()
    return done
