"""A food chain, end to end: three suppliers' raw lots, two production steps with a
co-product, cases on SSCC pallets, five customers, and a recall of one raw lot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

import stockline as sl
from stockline import Component, Node, Output, errors
from stockline.genealogy import CustomerExposure
from tests.genealogy._helpers import code, refused, unchanged, where

D = Decimal
HOUR = dt.timedelta(hours=1)
PLANT = ("PLANT/RAW", "PLANT/MIX", "PLANT/FG", "PLANT/QA", "PLANT/SHIP")
CASE1, CASE2, CASE3, CASE4, P1, P2 = (code(n) for n in range(1, 7))


@attrs.frozen
class Chain:
    """What the scenario posted, for the expectations."""

    received: dict[str, sl.Transaction]
    mixed: sl.Transaction
    baked: sl.Transaction
    shipped: dict[str, list[sl.Transaction]]


def food_chain(inv: sl.Inventory, clock: sl.FixedClock, *, pallets: bool = True) -> Chain:
    """Post the chain; stock ends up loose, in cases on pallets, held, quarantined and on a
    truck. Without ``pallets`` the cases are moved and shipped one by one instead."""
    inv.add_item("WHEAT", unit="KGM", tracking="lot")
    inv.add_item("SUGAR", unit="KGM", tracking="lot")
    inv.add_item("EGGS", tracking="lot")
    inv.add_item("DOUGH", unit="KGM", tracking="lot", shelf_life_days=3)
    inv.add_item("CAKE", tracking="lot", shelf_life_days=10)
    inv.add_item("CRUMBS", unit="KGM", tracking="lot")
    for path in PLANT:
        inv.add_location(path)
    inv.add_location("transit/TRUCK-1", kind="transit")
    received = {
        "F-101": inv.receive(
            "WHEAT",
            100,
            lot="F-101",
            dst="PLANT/RAW",
            supplier="MILL",
            ref="PO-1",
            refs={"ASN": "ASN-1"},
        ),
        "F-102": inv.receive(
            "WHEAT", 50, lot="F-102", dst="PLANT/RAW", supplier="MILL", ref="PO-9"
        ),
        "S-201": inv.receive(
            "SUGAR", 40, lot="S-201", dst="PLANT/RAW", supplier="SUGARCO", ref="PO-2"
        ),
        "E-301": inv.receive(
            "EGGS", 120, lot="E-301", dst="PLANT/RAW", supplier="FARM", ref="PO-3"
        ),
    }
    clock.advance(hours=1)
    mixed = inv.produce(
        consume=[
            Component(sku="EGGS", quantity=60, location="PLANT/RAW", lot="E-301"),
            Component(sku="WHEAT", quantity=60, location="PLANT/RAW", lot="F-101"),
        ],
        output=[Output(sku="DOUGH", quantity=100, location="PLANT/MIX", lot="D-1")],
        line="MIX",
        ref="WO-1",
    )
    inv.produce(
        consume=[
            Component(sku="EGGS", quantity=30, location="PLANT/RAW", lot="E-301"),
            Component(sku="WHEAT", quantity=30, location="PLANT/RAW", lot="F-102"),
        ],
        output=[Output(sku="DOUGH", quantity=50, location="PLANT/MIX", lot="D-2")],
        line="MIX",
        ref="WO-2",
    )
    clock.advance(hours=1)
    baked = inv.produce(
        consume=[
            Component(sku="DOUGH", quantity=80, location="PLANT/MIX", lot="D-1"),
            Component(sku="SUGAR", quantity=20, location="PLANT/RAW", lot="S-201"),
        ],
        output=[
            Output(sku="CAKE", quantity=50, location="PLANT/FG", lot="C-1"),
            Output(sku="CRUMBS", quantity=5, location="PLANT/FG", lot="CR-1"),
        ],
        line="BAKE",
        ref="WO-3",
    )
    inv.produce(
        consume=[Component(sku="DOUGH", quantity=40, location="PLANT/MIX", lot="D-2")],
        output=[Output(sku="CAKE", quantity=20, location="PLANT/FG", lot="C-2")],
        line="BAKE",
        ref="WO-4",
    )
    clock.advance(hours=1)
    for case, lot in ((CASE1, "C-1"), (CASE2, "C-1"), (CASE3, "C-1"), (CASE4, "C-2")):
        inv.containers.create(case, kind="case")
        inv.pack("CAKE", 10, container=case, lot=lot, location="PLANT/FG")
    if pallets:
        for pallet, cases in ((P1, (CASE1, CASE2)), (P2, (CASE3, CASE4))):
            inv.containers.create(pallet)
            for case in cases:
                inv.containers.nest(case, container=pallet)
        inv.containers.move(P2, "PLANT/SHIP")
    else:
        inv.containers.move(CASE3, "PLANT/SHIP")
        inv.containers.move(CASE4, "PLANT/SHIP")
    clock.advance(hours=1)
    first = [
        inv.containers.ship(unit, customer="SHOP-A", ref="SO-1", refs={"BOL": "BOL-1"})
        for unit in ((P1,) if pallets else (CASE1, CASE2))
    ]
    shipped: dict[str, list[sl.Transaction]] = {
        "SHOP-A": first,
        "SHOP-B": [inv.ship("CAKE", 5, lot="C-1", src="PLANT/FG", customer="SHOP-B", ref="SO-2")],
        "SHOP-C": [
            inv.ship("CRUMBS", 2, lot="CR-1", src="PLANT/FG", customer="SHOP-C", ref="SO-4")
        ],
        "SHOP-D": [inv.ship("CAKE", 10, lot="C-2", src="PLANT/FG", customer="SHOP-D", ref="SO-6")],
        "SHOP-E": [inv.ship("DOUGH", 5, lot="D-1", src="PLANT/MIX", customer="SHOP-E", ref="SO-5")],
    }
    clock.advance(days=1)
    shipped["SHOP-B"].append(
        inv.ship("CAKE", 3, lot="C-1", src="PLANT/FG", customer="SHOP-B", ref="SO-3")
    )
    inv.move("CAKE", 2, lot="C-1", src="PLANT/FG", dst="transit/TRUCK-1")
    inv.move("CAKE", 1, lot="C-1", src="PLANT/FG", dst="PLANT/QA", dst_status="quarantine")
    inv.hold("CAKE", 1, lot="C-1", location="PLANT/FG", reason="label check")
    clock.advance(hours=1)
    return Chain(received=received, mixed=mixed, baked=baked, shipped=shipped)


def recall(inv: sl.Inventory, *, as_of: dt.datetime | None = None) -> sl.RecallReport:
    """Recall the wheat flour lot F-101."""
    return inv.recall(("WHEAT", "F-101"), reason="foreign body in flour", as_of=as_of)


#: Affected stock still in the plant once the chain has run, and where it is.
ON_HAND = {
    ("CAKE", "C-1", "PLANT/FG", "available", None): D(8),
    ("CAKE", "C-1", "PLANT/FG", "hold", None): D(1),
    ("CAKE", "C-1", "PLANT/QA", "quarantine", None): D(1),
    ("CAKE", "C-1", "PLANT/SHIP", "available", CASE3): D(10),
    ("CRUMBS", "CR-1", "PLANT/FG", "available", None): D(3),
    ("DOUGH", "D-1", "PLANT/MIX", "available", None): D(15),
    ("WHEAT", "F-101", "PLANT/RAW", "available", None): D(40),
}
#: What containment puts on hold: the available part of ON_HAND.
CONTAINED = {k: q for k, q in ON_HAND.items() if k[3] == "available"}


class TestFoodRecall:
    def test_affected_lots_are_exactly_those_made_from_the_recalled_lot(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A recall reaches every lot made from the raw lot, co-products included, and no lot
        that only shares another ingredient with it."""
        food_chain(inv, clock)
        report = recall(inv)
        assert report.roots == (Node(item="WHEAT", lot="F-101"),)
        assert report.affected == (
            Node(item="CAKE", lot="C-1"),
            Node(item="CRUMBS", lot="CR-1"),
            Node(item="DOUGH", lot="D-1"),
            Node(item="WHEAT", lot="F-101"),
        )

    def test_customers_with_quantities_dates_and_documents(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Each customer's exposure sums its shipments of each affected lot, with the first and
        last shipping time and every document; a customer of unaffected lots is not named."""
        chain = food_chain(inv, clock)
        a, b1, b2 = chain.shipped["SHOP-A"][0], *chain.shipped["SHOP-B"]
        c, e = chain.shipped["SHOP-C"][0], chain.shipped["SHOP-E"][0]
        report = recall(inv)
        assert report.customers == (
            CustomerExposure(
                customer="SHOP-A",
                item="CAKE",
                lot="C-1",
                serial=None,
                quantity=D(20),
                first_shipped=a.effective_at,
                last_shipped=a.effective_at,
                documents=("BOL:BOL-1", "SO:SO-1"),
            ),
            CustomerExposure(
                customer="SHOP-B",
                item="CAKE",
                lot="C-1",
                serial=None,
                quantity=D(8),
                first_shipped=b1.effective_at,
                last_shipped=b2.effective_at,
                documents=("SO:SO-2", "SO:SO-3"),
            ),
            CustomerExposure(
                customer="SHOP-C",
                item="CRUMBS",
                lot="CR-1",
                serial=None,
                quantity=D(2),
                first_shipped=c.effective_at,
                last_shipped=c.effective_at,
                documents=("SO:SO-4",),
            ),
            CustomerExposure(
                customer="SHOP-E",
                item="DOUGH",
                lot="D-1",
                serial=None,
                quantity=D(5),
                first_shipped=e.effective_at,
                last_shipped=e.effective_at,
                documents=("SO:SO-5",),
            ),
        )
        assert b2.effective_at - b1.effective_at == dt.timedelta(days=1)
        assert report.trace.customers == ("SHOP-A", "SHOP-B", "SHOP-C", "SHOP-E")

    def test_pallet_shipment_names_each_case(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """A pallet shipment is reported line by line with the case each quantity left in."""
        chain = food_chain(inv, clock)
        pallet = chain.shipped["SHOP-A"][0]
        lines = [
            (s.transaction_id, s.container, s.quantity)
            for s in recall(inv).shipments
            if s.customer == "SHOP-A"
        ]
        assert sorted(lines) == [(pallet.id, CASE1, D(10)), (pallet.id, CASE2, D(10))]

    def test_on_hand_by_location_status_and_container_and_in_transit(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """On hand lists affected stock in internal locations (loose, held, quarantined and
        inside a case on a pallet); stock on a truck is reported as in transit."""
        food_chain(inv, clock)
        report = recall(inv)
        assert where(report.on_hand) == ON_HAND
        assert where(report.in_transit) == {
            ("CAKE", "C-1", "transit/TRUCK-1", "available", None): D(2)
        }

    def test_contain_holds_exactly_the_available_affected_positions(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """genealogy.contain posts one status change putting every available affected position
        on hold; quarantined, already held, in-transit and unaffected stock stay as they were."""
        food_chain(inv, clock)
        others = [
            b
            for b in inv.stock()
            if (b.item, b.lot)
            not in {("CAKE", "C-1"), ("CRUMBS", "CR-1"), ("DOUGH", "D-1"), ("WHEAT", "F-101")}
        ]
        report = recall(inv)
        tx = inv.genealogy.contain(report, actor="qa")
        assert tx is not None
        assert tx.kind is sl.TxKind.STATUS_CHANGE
        moved = {
            (m.item, m.lot, m.src.location, m.src.status, m.src.container): m.quantity
            for m in tx.movements
        }
        assert moved == CONTAINED
        assert all(m.dst == attrs.evolve(m.src, status="hold") for m in tx.movements)
        assert tx.refs == (sl.Reference(type="RECALL", number=report.recall_id),)
        held = where(recall(inv).on_hand)
        assert held == {
            ("CAKE", "C-1", "PLANT/FG", "hold", None): D(9),
            ("CAKE", "C-1", "PLANT/QA", "quarantine", None): D(1),
            ("CAKE", "C-1", "PLANT/SHIP", "hold", CASE3): D(10),
            ("CRUMBS", "CR-1", "PLANT/FG", "hold", None): D(3),
            ("DOUGH", "D-1", "PLANT/MIX", "hold", None): D(15),
            ("WHEAT", "F-101", "PLANT/RAW", "hold", None): D(40),
        }
        assert where(recall(inv).in_transit) == where(report.in_transit)
        assert [b for b in inv.stock() if b in others] == others
        assert inv.verify().ok

    def test_second_contain_returns_the_same_transaction(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Containment is idempotent per recall: a re-run returns the first transaction and
        posts nothing, even from a freshly computed report."""
        food_chain(inv, clock)
        first = inv.genealogy.contain(recall(inv))
        clock.advance(minutes=5)
        with unchanged(inv):
            assert inv.genealogy.contain(recall(inv)) == first

    def test_contained_stock_cannot_ship(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """After containment affected stock cannot leave: not loose, not on its pallet."""
        food_chain(inv, clock)
        inv.genealogy.contain(recall(inv))
        refused(
            inv,
            errors.StatusError,
            lambda: inv.ship("CAKE", 1, lot="C-1", src="PLANT/FG", status="hold", customer="X"),
        )
        refused(inv, errors.StatusError, lambda: inv.containers.ship(P2, customer="SHOP-D"))
        refused(
            inv,
            errors.InsufficientStockError,
            lambda: inv.ship("DOUGH", 1, lot="D-1", src="PLANT/MIX", customer="SHOP-E"),
        )

    def test_release_of_cleared_lots_restores_what_was_held(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """genealogy.release of the cleared lots moves back exactly what the containment held for
        them; a hold for another reason and the lots not cleared stay on hold."""
        food_chain(inv, clock)
        report = recall(inv)
        inv.genealogy.contain(report)
        clock.advance(hours=2)
        tx = inv.genealogy.release(
            report,
            (Node(item="CAKE", lot="C-1"), Node(item="WHEAT", lot="F-101")),
            reason="lab: clean",
        )
        assert tx is not None
        assert {
            (m.item, m.lot, m.src.location, m.dst.status, m.src.container): m.quantity
            for m in tx.movements
        } == {k: q for k, q in CONTAINED.items() if k[0] in ("CAKE", "WHEAT")}
        assert all(m.src.status == "hold" for m in tx.movements)
        expected = {k: q for k, q in ON_HAND.items() if k[0] in ("CAKE", "WHEAT")}
        expected[("CRUMBS", "CR-1", "PLANT/FG", "hold", None)] = D(3)
        expected[("DOUGH", "D-1", "PLANT/MIX", "hold", None)] = D(15)
        assert where(recall(inv).on_hand) == expected

    def test_release_of_everything_restores_the_stock_before_containment(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """genealogy.release with no lots undoes the containment exactly: every balance is as it was
        before contain(), the hold for another reason included."""
        food_chain(inv, clock)
        before = inv.stock(internal_only=False)
        report = recall(inv)
        inv.genealogy.contain(report)
        clock.advance(hours=2)
        assert inv.genealogy.release(report, reason="all clear") is not None
        assert inv.stock(internal_only=False) == before
        assert inv.verify().ok

    def test_upstream_trace_of_a_cake_reaches_the_three_suppliers(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Tracing a cake lot upstream reaches every ingredient lot and exactly the suppliers'
        receipts of them, with quantities and documents; the other flour lot is not reached."""
        chain = food_chain(inv, clock)
        up = inv.trace_upstream("CAKE", "C-1")
        assert up.direction == "upstream"
        assert up.nodes == (
            Node(item="CAKE", lot="C-1"),
            Node(item="DOUGH", lot="D-1"),
            Node(item="EGGS", lot="E-301"),
            Node(item="SUGAR", lot="S-201"),
            Node(item="WHEAT", lot="F-101"),
        )
        assert up.suppliers == ("FARM", "MILL", "SUGARCO")
        assert up.shipments == ()
        assert sorted(
            (r.supplier, r.item, r.lot, r.quantity, r.transaction_id, r.effective_at, r.refs)
            for r in up.receipts
        ) == sorted(
            (tx.counterparty, m.item, m.lot, m.quantity, tx.id, tx.effective_at, tx.refs)
            for lot, tx in chain.received.items()
            if lot != "F-102"
            for m in tx.movements
        )
        assert {(r.lot, r.quantity, tuple(map(str, r.refs))) for r in up.receipts} == {
            ("F-101", D(100), ("PO:PO-1", "ASN:ASN-1")),
            ("S-201", D(40), ("PO:PO-2",)),
            ("E-301", D(120), ("PO:PO-3",)),
        }
        assert {
            (link.transaction_id, link.edge.parent_lot, link.edge.child_lot, link.edge.quantity)
            for link in up.links
        } == {
            (chain.baked.id, "D-1", "C-1", D(80)),
            (chain.baked.id, "S-201", "C-1", D(20)),
            (chain.mixed.id, "E-301", "D-1", D(60)),
            (chain.mixed.id, "F-101", "D-1", D(60)),
        }

    def test_recall_as_of_before_production_reaches_fewer_lots(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A recall as of a past time follows only the links made by then, and reports stock
        and shipments as they were then."""
        chain = food_chain(inv, clock)
        before_baking = chain.baked.effective_at - dt.timedelta(minutes=1)
        then = recall(inv, as_of=before_baking)
        assert then.affected == (Node(item="DOUGH", lot="D-1"), Node(item="WHEAT", lot="F-101"))
        assert then.customers == ()
        assert where(then.on_hand) == {
            ("DOUGH", "D-1", "PLANT/MIX", "available", None): D(100),
            ("WHEAT", "F-101", "PLANT/RAW", "available", None): D(40),
        }
        first = recall(inv, as_of=chain.mixed.effective_at - dt.timedelta(minutes=1))
        assert first.affected == (Node(item="WHEAT", lot="F-101"),)
        assert where(first.on_hand) == {("WHEAT", "F-101", "PLANT/RAW", "available", None): D(100)}
        assert len(recall(inv).affected) == 4
