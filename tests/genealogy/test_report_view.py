"""A trace or recall report is a plain value: its lines and per-customer summary are those of
the ledger as it was at the trace, on every store, whatever is posted afterwards; it holds no
store and pickles; the store's grouped summary equals the reference fold."""

from __future__ import annotations

import pickle
from decimal import Decimal

import attrs

import stockline as sl
from stockline.genealogy._trace import customer_exposures

D = Decimal


def _shipped(inv: sl.Inventory) -> sl.Inventory:
    """ASP lot L1: 10 received, relabelled in part to L2; shipments to C1 (twice, two orders),
    C2 (reversed) and C3."""
    clock = inv.clock
    assert isinstance(clock, sl.FixedClock)
    inv.receive("ASP", 10, lot="L1", dst="DC1/A/01", supplier="ACME", ref="PO-1")
    inv.genealogy.relabel("ASP", 4, lot="L1", new_lot="L2", location="DC1/A/01")
    clock.advance(hours=1)
    inv.ship("ASP", 1, lot="L1", src="DC1/A/01", customer="C1", ref="SO-1")
    inv.ship("ASP", 2, lot="L2", src="DC1/A/01", customer="C1", ref="SO-2")
    clock.advance(hours=1)
    inv.ship("ASP", 1, lot="L1", src="DC1/A/01", customer="C1", ref="SO-3")
    undone = inv.ship("ASP", 2, lot="L1", src="DC1/A/01", customer="C2", ref="SO-4")
    clock.advance(hours=1)
    inv.reverse(undone.id, reason="keyed twice")
    refs = [sl.Reference(type="SO", number="5"), sl.Reference(type="BOL", number="9")]
    inv.ship("ASP", 1, lot="L2", src="DC1/A/01", customer="C3", refs=refs)
    return inv


class TestReportView:
    def test_lines_and_customers_are_those_of_the_ledger_at_the_recall(
        self, inv: sl.Inventory
    ) -> None:
        """A shipment (and a reversal) posted after the recall, before its lines or customers
        are first read, is not in them; the report equals one made before it."""
        _shipped(inv)
        report = inv.recall(("ASP", "L1"), reason="r")
        early = inv.recall(("ASP", "L1"), reason="r")
        _ = early.shipments, early.customers
        later = inv.ship("ASP", 1, lot="L1", src="DC1/A/01", customer="C9", ref="SO-9")
        first_c1 = report.shipments[0].transaction_id
        inv.reverse(first_c1, reason="after the recall")
        assert [s.customer for s in report.shipments] == ["C1", "C1", "C1", "C3"]
        assert "C9" not in report.trace.customers
        assert [(c.customer, c.lot, c.quantity) for c in report.customers] == [
            ("C1", "L1", D(2)),
            ("C1", "L2", D(2)),
            ("C3", "L2", D(1)),
        ]
        assert report.trace == early.trace
        assert report.to_dict() == early.to_dict()
        assert later.id not in {
            s.transaction_id for s in inv.recall(("ASP", "L2"), reason="r").shipments
        }

    def test_trace_and_report_are_plain_values(self, inv: sl.Inventory) -> None:
        """A trace and a recall report pickle and come back equal, with their lines and
        customers, and hold neither a store nor an inventory."""
        _shipped(inv)
        report = inv.recall(("ASP", "L1"), reason="r")
        down = inv.trace_downstream("ASP", "L1")
        up = inv.trace_upstream("ASP", "L2")
        for value in (report, down, up):
            copy = pickle.loads(pickle.dumps(value))
            assert copy == value
            assert copy.to_dict() == value.to_dict()
        assert pickle.loads(pickle.dumps(report)).customers == report.customers
        assert up.suppliers == ("ACME",)
        held = [
            getattr(value, f.name)
            for value in (report, report.trace)
            for f in attrs.fields(type(value))
        ]
        assert not any(isinstance(v, sl.Inventory) or hasattr(v, "read") for v in held)

    def test_customer_summary_quantities_dates_and_documents(self, inv: sl.Inventory) -> None:
        """Per customer and lot: the total, first and last shipment and every document, the
        reversed shipment left out."""
        _shipped(inv)
        by = {(c.customer, c.lot): c for c in inv.recall(("ASP", "L1"), reason="r").customers}
        assert set(by) == {("C1", "L1"), ("C1", "L2"), ("C3", "L2")}
        c1 = by[("C1", "L1")]
        assert (c1.quantity, c1.documents) == (D(2), ("SO:SO-1", "SO:SO-3"))
        assert c1.first_shipped < c1.last_shipped
        assert by[("C3", "L2")].documents == ("BOL:9", "SO:5")

    def test_store_summary_equals_the_reference_fold(self, inv: sl.Inventory) -> None:
        """The store's exposures equal the fold of its movements, for every bound of
        effective time and transaction id."""
        _shipped(inv)
        nodes = [("ASP", "L1", None), ("ASP", "L2", None)]
        with inv.store.read() as r:
            head = r.head()[0]
            times = sorted({tx.effective_at for tx in r.transactions()})
            for through in (None, 1, 3, head - 2, head):
                for until in (None, *times):
                    assert r.exposures(nodes, until=until, through=through) == customer_exposures(
                        r, nodes, until=until, through=through
                    ), (through, until)
