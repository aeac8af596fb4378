"""Recall reports on small ledgers: stable ids, reversed shipments, and the containment's
release rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

import stockline as sl
from stockline import Node
from tests.genealogy._helpers import code, unchanged, where

D = Decimal


@pytest.fixture
def relabelled(inv: sl.Inventory) -> sl.Inventory:
    """ASP lot L1 (10 at DC1/A/01), 4 of it relabelled to L2, 2 of L1 held by QA."""
    inv.receive("ASP", 10, lot="L1", dst="DC1/A/01", supplier="ACME")
    inv.genealogy.relabel("ASP", 4, lot="L1", new_lot="L2", location="DC1/A/01")
    inv.hold("ASP", 2, lot="L1", location="DC1/A/01", reason="QA sample")
    return inv


class TestRecallReport:
    def test_recall_id_is_stable_and_reason_specific(self, relabelled: sl.Inventory) -> None:
        """The same lots and reason give the same recall id; another reason another id; an
        explicit id is kept."""
        a = relabelled.recall(("ASP", "L1"), reason="r1")
        assert a.recall_id == relabelled.recall(("ASP", "L1"), reason="r1").recall_id
        assert a.recall_id != relabelled.recall(("ASP", "L1"), reason="r2").recall_id
        assert relabelled.recall(("ASP", "L1"), reason="r1", recall_id="RC-7").recall_id == "RC-7"

    def test_reversed_shipment_is_left_out(self, relabelled: sl.Inventory) -> None:
        """A shipment that was reversed is not exposure; the stock it brought back is on
        hand again."""
        kept = relabelled.ship("ASP", 1, lot="L2", src="DC1/A/01", customer="C1", ref="SO-1")
        undone = relabelled.ship("ASP", 2, lot="L2", src="DC1/A/01", customer="C2", ref="SO-2")
        relabelled.reverse(undone.id, reason="keyed in twice")
        report = relabelled.recall(("ASP", "L1"), reason="r")
        assert [(s.transaction_id, s.customer, s.quantity) for s in report.shipments] == [
            (kept.id, "C1", D(1))
        ]
        assert where(report.on_hand)[("ASP", "L2", "DC1/A/01", "available", None)] == D(3)

    def test_recall_of_a_product_lot_does_not_reach_its_source(
        self, relabelled: sl.Inventory
    ) -> None:
        """A recall goes downstream only: recalling L2 does not affect L1."""
        report = relabelled.recall(("ASP", "L2"), reason="r")
        assert report.affected == (Node(item="ASP", lot="L2"),)
        assert where(report.on_hand) == {("ASP", "L2", "DC1/A/01", "available", None): D(4)}


class TestContainment:
    def test_contain_with_nothing_available_posts_nothing(self, relabelled: sl.Inventory) -> None:
        """With no affected stock available, genealogy.contain returns None and posts nothing."""
        relabelled.ship("ASP", 4, lot="L1", src="DC1/A/01", customer="C1")
        relabelled.ship("ASP", 4, lot="L2", src="DC1/A/01", customer="C1")
        with unchanged(relabelled):
            assert (
                relabelled.genealogy.contain(relabelled.recall(("ASP", "L1"), reason="r")) is None
            )

    def test_release_before_contain_posts_nothing(self, relabelled: sl.Inventory) -> None:
        """Releasing a recall that was never contained returns None and posts nothing."""
        with unchanged(relabelled):
            assert (
                relabelled.genealogy.release(
                    relabelled.recall(("ASP", "L1"), reason="r"), reason="ok"
                )
                is None
            )

    def test_release_all_restores_exactly(self, relabelled: sl.Inventory) -> None:
        """genealogy.release after genealogy.contain gives back exactly the state before
        containment: the QA hold stays."""
        before = relabelled.stock(internal_only=False)
        report = relabelled.recall(("ASP", "L1"), reason="r")
        assert relabelled.genealogy.contain(report) is not None
        assert relabelled.on_hand("ASP", status="available") == 0
        assert relabelled.genealogy.release(report, reason="ok") is not None
        assert relabelled.stock(internal_only=False) == before

    def test_release_after_a_partial_release_keeps_other_holds(
        self, relabelled: sl.Inventory
    ) -> None:
        """Releasing one lot and then everything releases only what the containment held; the
        QA hold of 2 stays on hold."""
        report = relabelled.recall(("ASP", "L1"), reason="r")
        relabelled.genealogy.contain(report)
        relabelled.genealogy.release(report, (Node(item="ASP", lot="L1"),), reason="L1 cleared")
        relabelled.genealogy.release(report, reason="all cleared")
        assert where(relabelled.stock("ASP", status="hold")) == {
            ("ASP", "L1", "DC1/A/01", "hold", None): D(2)
        }

    def test_release_counts_only_the_contained_position(self, inv: sl.Inventory) -> None:
        """After part of the contained loose stock was moved away, genealogy.release releases the
        loose rest, not counting stock held in a case at the same location."""
        inv.receive("ASP", 10, lot="L1", dst="DC1/A/01", supplier="ACME")
        case = code(31)
        inv.containers.create(case)
        inv.pack("ASP", 3, container=case, lot="L1", location="DC1/A/01")
        inv.hold("ASP", 3, lot="L1", location="DC1/A/01", container=case, reason="torn wrap")
        report = inv.recall(("ASP", "L1"), reason="r")
        inv.genealogy.contain(report)
        inv.move("ASP", 4, lot="L1", src="DC1/A/01", dst="DC1/B/01", status="hold")
        tx = inv.genealogy.release(report, reason="ok")
        assert tx is not None
        assert [(m.quantity, m.src.container) for m in tx.movements] == [(D(3), None)]
        assert inv.on_hand("ASP", container=case, status="hold") == 3
