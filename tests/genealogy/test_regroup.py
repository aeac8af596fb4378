"""Relabel, split and merge: traces follow them both ways, and expiries are inherited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import stockline as sl
from stockline import Node, errors
from stockline.ledger import EdgeKind
from tests.genealogy._helpers import refused, where

D = Decimal
EXPIRY_1, EXPIRY_2 = dt.date(2027, 6, 30), dt.date(2027, 1, 31)


def two_lots(inv: sl.Inventory) -> None:
    """ASP lots L1 (10, later expiry) and L2 (5, earlier expiry) at DC1/A/01."""
    inv.receive("ASP", 10, lot="L1", expiry=EXPIRY_1, dst="DC1/A/01", supplier="ACME", ref="PO-1")
    inv.receive("ASP", 5, lot="L2", expiry=EXPIRY_2, dst="DC1/A/01", supplier="BETA", ref="PO-2")


class TestRelabel:
    def test_trace_follows_a_relabel_both_ways(self, inv: sl.Inventory) -> None:
        """A relabelled lot is downstream of the old one and the old one (with its receipt) is
        upstream of the new one."""
        two_lots(inv)
        tx = inv.genealogy.relabel("ASP", 4, lot="L1", new_lot="L1R", location="DC1/A/01")
        down = inv.trace_downstream("ASP", "L1")
        assert down.nodes == (Node(item="ASP", lot="L1"), Node(item="ASP", lot="L1R"))
        assert [
            (link.transaction_id, link.edge.kind, link.edge.quantity) for link in down.links
        ] == [(tx.id, EdgeKind.RELABEL, D(4))]
        up = inv.trace_upstream("ASP", "L1R")
        assert up.nodes == (Node(item="ASP", lot="L1"), Node(item="ASP", lot="L1R"))
        assert [(r.supplier, r.lot, r.quantity) for r in up.receipts] == [("ACME", "L1", D(10))]
        assert where(inv.stock("ASP", lot="L1R")) == {
            ("ASP", "L1R", "DC1/A/01", "available", None): D(4)
        }
        assert inv.on_hand("ASP", lot="L1") == 6

    def test_new_lot_keeps_the_old_expiry(self, inv: sl.Inventory) -> None:
        """The new lot inherits the old lot's expiry unless one is given."""
        two_lots(inv)
        inv.genealogy.relabel("ASP", 1, lot="L1", new_lot="KEEP", location="DC1/A/01")
        inv.genealogy.relabel(
            "ASP", 1, lot="L1", new_lot="NEW", location="DC1/A/01", expiry=EXPIRY_2
        )
        assert inv.master.lot("ASP", "KEEP").expiry == EXPIRY_1
        assert inv.master.lot("ASP", "NEW").expiry == EXPIRY_2

    def test_relabel_to_another_sku_is_traced(self, inv: sl.Inventory) -> None:
        """A relabel onto a new SKU links the two items, so a recall of the old lot reaches
        the new SKU's customers."""
        two_lots(inv)
        inv.add_item("ASP-EXPORT", tracking="lot")
        inv.genealogy.relabel(
            "ASP", 3, lot="L2", new_lot="X2", new_sku="ASP-EXPORT", location="DC1/A/01"
        )
        inv.ship("ASP-EXPORT", 2, lot="X2", src="DC1/A/01", customer="EXPORTER", ref="SO-1")
        report = inv.recall(("ASP", "L2"), reason="sterility")
        assert report.affected == (Node(item="ASP", lot="L2"), Node(item="ASP-EXPORT", lot="X2"))
        assert [(c.customer, c.item, c.lot, c.quantity) for c in report.customers] == [
            ("EXPORTER", "ASP-EXPORT", "X2", D(2))
        ]

    def test_relabel_to_itself_is_refused(self, inv: sl.Inventory) -> None:
        """A lot cannot be relabelled to its own code: it would be its own parent."""
        two_lots(inv)
        refused(
            inv,
            errors.ValidationError,
            lambda: inv.genealogy.relabel("ASP", 1, lot="L1", new_lot="L1", location="DC1/A/01"),
        )

    def test_relabel_of_an_unknown_lot_is_refused(self, inv: sl.Inventory) -> None:
        """Relabelling a lot that was never received raises UnknownLotError."""
        two_lots(inv)
        refused(
            inv,
            errors.UnknownLotError,
            lambda: inv.genealogy.relabel("ASP", 1, lot="NOPE", new_lot="L9", location="DC1/A/01"),
        )


class TestSplit:
    def test_trace_follows_a_split_both_ways(self, inv: sl.Inventory) -> None:
        """Each part of a split is downstream of the lot, with its own quantity on the link;
        each part traces back to the lot's receipt."""
        two_lots(inv)
        tx = inv.genealogy.split(
            "ASP", lot="L1", new_lots={"L1-A": 3, "L1-B": 7}, location="DC1/A/01"
        )
        down = inv.trace_downstream("ASP", "L1")
        assert down.nodes == (
            Node(item="ASP", lot="L1"),
            Node(item="ASP", lot="L1-A"),
            Node(item="ASP", lot="L1-B"),
        )
        assert sorted(
            (link.edge.child_lot, link.edge.quantity, link.edge.kind) for link in down.links
        ) == [("L1-A", D(3), EdgeKind.SPLIT), ("L1-B", D(7), EdgeKind.SPLIT)]
        assert {link.transaction_id for link in down.links} == {tx.id}
        for part in ("L1-A", "L1-B"):
            up = inv.trace_upstream("ASP", part)
            assert up.nodes == (Node(item="ASP", lot="L1"), Node(item="ASP", lot=part))
            assert [(r.supplier, r.lot) for r in up.receipts] == [("ACME", "L1")]
            assert inv.master.lot("ASP", part).expiry == EXPIRY_1
        assert inv.on_hand("ASP", lot="L1") == 0

    def test_split_into_the_same_code_is_refused(self, inv: sl.Inventory) -> None:
        """A split part may not keep the source lot's code."""
        two_lots(inv)
        refused(
            inv,
            errors.ValidationError,
            lambda: inv.genealogy.split(
                "ASP", lot="L1", new_lots={"L1": 3, "L1-B": 7}, location="DC1/A/01"
            ),
        )


class TestMerge:
    def test_trace_follows_a_merge_both_ways(self, inv: sl.Inventory) -> None:
        """A merged lot is downstream of each source and traces back to both receipts."""
        two_lots(inv)
        inv.genealogy.merge("ASP", lots={"L1": 4, "L2": 5}, new_lot="M1", location="DC1/A/01")
        for source in ("L1", "L2"):
            assert Node(item="ASP", lot="M1") in inv.trace_downstream("ASP", source).nodes
        up = inv.trace_upstream("ASP", "M1")
        assert up.nodes == tuple(Node(item="ASP", lot=c) for c in ("L1", "L2", "M1"))
        assert sorted((r.supplier, r.lot, r.quantity) for r in up.receipts) == [
            ("ACME", "L1", D(10)),
            ("BETA", "L2", D(5)),
        ]
        assert sorted((link.edge.parent_lot, link.edge.quantity) for link in up.links) == [
            ("L1", D(4)),
            ("L2", D(5)),
        ]
        assert inv.on_hand("ASP", lot="M1") == 9

    def test_merged_lot_expires_with_the_earliest_source(self, inv: sl.Inventory) -> None:
        """The merged lot takes the earliest expiry of its sources unless one is given."""
        two_lots(inv)
        inv.genealogy.merge("ASP", lots={"L1": 1, "L2": 1}, new_lot="M1", location="DC1/A/01")
        inv.genealogy.merge(
            "ASP", lots={"L1": 1, "L2": 1}, new_lot="M2", location="DC1/A/01", expiry=EXPIRY_1
        )
        assert inv.master.lot("ASP", "M1").expiry == EXPIRY_2
        assert inv.master.lot("ASP", "M2").expiry == EXPIRY_1

    def test_recall_of_one_source_reaches_the_merged_lots_customers(
        self, inv: sl.Inventory
    ) -> None:
        """A recall of one merged source reaches the merged lot and who received it, but not
        the other source."""
        two_lots(inv)
        inv.genealogy.merge("ASP", lots={"L1": 4, "L2": 5}, new_lot="M1", location="DC1/A/01")
        inv.ship("ASP", 6, lot="M1", src="DC1/A/01", customer="CLINIC", ref="SO-5")
        report = inv.recall(("ASP", "L2"), reason="sterility")
        assert report.affected == (Node(item="ASP", lot="L2"), Node(item="ASP", lot="M1"))
        assert [(c.customer, c.lot, c.quantity, c.documents) for c in report.customers] == [
            ("CLINIC", "M1", D(6), ("SO:SO-5",))
        ]
        assert where(report.on_hand) == {("ASP", "M1", "DC1/A/01", "available", None): D(3)}
