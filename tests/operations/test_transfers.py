"""Transfer orders between sites through ``inv.transfers``: ship into transit, receive in
parts, over/short, cancel, close; FSMA 204 rows and EPCIS events of the move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import stockline as sl
from stockline import errors
from stockline.ledger import TxKind
from stockline.operations import TransferState
from tests.conftest import START, StoreFactory

D = Decimal
EXPIRY = dt.date(2027, 1, 1)


def _site(inv: sl.Inventory) -> sl.Inventory:
    """ASP lots A1 (30, expiring first) and A2 (30) and 50 BOLT at DC1/A/01; TO-1 for 40 ASP
    and 20 BOLT from DC1 to DC2/DOCK."""
    inv.receive("ASP", 30, lot="A1", expiry=dt.date(2026, 12, 1), dst="DC1/A/01", supplier="ACME")
    inv.receive("ASP", 30, lot="A2", expiry=EXPIRY, dst="DC1/A/01", supplier="ACME")
    inv.receive("BOLT", 50, dst="DC1/A/01", supplier="ACME")
    inv.transfers.create("TO-1", src="DC1", dst="DC2/DOCK", lines=[("ASP", 40), ("BOLT", 20)])
    return inv


@pytest.fixture
def wh(inv: sl.Inventory) -> sl.Inventory:
    return _site(inv)


class TestFlow:
    def test_create(self, wh: sl.Inventory) -> None:
        """A new order is open, with its own transit location."""
        order = wh.transfers.order("TO-1")
        assert order.state is TransferState.OPEN
        assert order.transit == "transit/TO-1"
        assert [(x.line, x.sku, int(x.quantity)) for x in order.lines] == [
            (1, "ASP", 40),
            (2, "BOLT", 20),
        ]
        assert [o.order for o in wh.transfers.orders(state="open")] == ["TO-1"]

    def test_ship_puts_stock_in_transit(self, wh: sl.Inventory) -> None:
        """Shipping moves every line into transit by the item's policy (FEFO for lots): on
        hand drops, the transit location holds it, listed by order."""
        tx = wh.transfers.ship("TO-1", refs={"BOL": "B-9"})
        assert tx.kind is TxKind.SHIPMENT
        assert [(r.type, r.number) for r in tx.refs] == [("TO", "TO-1"), ("BOL", "B-9")]
        assert wh.on_hand("ASP", lot="A1") == 0
        assert wh.on_hand("ASP", lot="A2") == 20
        assert wh.on_hand("BOLT") == 30
        assert wh.on_hand("ASP", location="transit/TO-1") == 40
        rows = {(r.sku, r.lot): r.quantity for r in wh.transfers.in_transit()}
        assert rows == {("ASP", "A1"): 30, ("ASP", "A2"): 10, ("BOLT", None): 20}
        assert wh.transfers.order("TO-1").state is TransferState.IN_TRANSIT
        with pytest.raises(errors.TransferError, match="only an open order"):
            wh.transfers.ship("TO-1")

    def test_recall_reports_in_transit_by_order(self, wh: sl.Inventory) -> None:
        """A recall of a lot on the way lists it in transit, at the order's transit location."""
        wh.transfers.ship("TO-1")
        report = wh.recall(("ASP", "A1"), reason="supplier recall")
        assert [(b.position.location, b.quantity) for b in report.in_transit] == [
            ("transit/TO-1", D(30))
        ]

    def test_ship_all_or_nothing(self, wh: sl.Inventory) -> None:
        """A line the origin cannot fill stops the whole shipment."""
        wh.hold("BOLT", 40, location="DC1/A/01", reason="check")
        with pytest.raises(errors.TransferError, match="line 2"):
            wh.transfers.ship("TO-1")
        assert wh.on_hand("ASP") == 60
        assert wh.transfers.order("TO-1").state is TransferState.OPEN

    def test_receive_in_parts_and_report(self, wh: sl.Inventory) -> None:
        """Receiving in parts moves stock out of transit; the report shows what is short until
        all has arrived; then the order is received."""
        wh.transfers.ship("TO-1")
        wh.transfers.receive("TO-1", "ASP", 30, lot="A1")
        wh.transfers.receive("TO-1", "BOLT", 15)
        report = wh.transfers.report("TO-1")
        lines = {x.sku: x for x in report.lines}
        assert (lines["ASP"].received, lines["ASP"].in_transit, lines["ASP"].short) == (
            D(30),
            D(10),
            D(10),
        )
        assert (lines["BOLT"].received, lines["BOLT"].short) == (D(15), D(5))
        assert not report.balanced
        wh.transfers.receive("TO-1", "ASP", 10, lot="A2", dst="DC2/DOCK", status="quarantine")
        wh.transfers.receive("TO-1", "BOLT", 5)
        assert wh.transfers.order("TO-1").state is TransferState.RECEIVED
        assert wh.transfers.report("TO-1").balanced
        assert wh.on_hand("ASP", location="DC2", status="quarantine") == 10
        assert wh.transfers.in_transit() == []

    def test_receive_more_than_in_transit(self, wh: sl.Inventory) -> None:
        """More than is in transit is refused, unless allowed; then it is reported over and
        closing settles it."""
        wh.transfers.ship("TO-1")
        with pytest.raises(errors.TransferError, match="only 20 BOLT"):
            wh.transfers.receive("TO-1", "BOLT", 22)
        with pytest.raises(errors.TransferError, match="only 0 ASP lot ZZ"):
            wh.transfers.receive("TO-1", "ASP", 1, lot="ZZ")
        wh.transfers.receive("TO-1", "BOLT", 22, allow_over=True)
        (bolt,) = [x for x in wh.transfers.report("TO-1").lines if x.sku == "BOLT"]
        assert (bolt.over, bolt.short) == (D(2), D(0))
        with pytest.raises(errors.TransferError, match="close"):
            wh.transfers.cancel("TO-1")
        tx = wh.transfers.close("TO-1", reason="count at DC2")
        assert tx is not None
        assert tx.kind is TxKind.ADJUSTMENT
        assert wh.stock(location="transit/TO-1", internal_only=False) == []
        report = wh.transfers.report("TO-1")
        assert report.state is TransferState.CLOSED
        lines = {x.sku: x for x in report.lines}
        assert lines["ASP"].written_off == 40
        assert lines["BOLT"].written_off == -2

    def test_cancel_brings_stock_back(self, wh: sl.Inventory) -> None:
        """Cancelling returns what is in transit to the origin; what was received stays."""
        wh.transfers.ship("TO-1")
        wh.transfers.receive("TO-1", "BOLT", 5)
        tx = wh.transfers.cancel("TO-1", reason="truck broke down")
        assert tx is not None
        assert wh.on_hand("ASP", location="DC1") == 60
        assert wh.on_hand("BOLT", location="DC1") == 45
        assert wh.on_hand("BOLT", location="DC2") == 5
        report = wh.transfers.report("TO-1")
        assert report.state is TransferState.CANCELLED
        assert {x.sku: x.returned for x in report.lines} == {"ASP": 40, "BOLT": 15}
        assert report.balanced
        with pytest.raises(errors.TransferError):
            wh.transfers.receive("TO-1", "BOLT", 1)
        with pytest.raises(errors.TransferError):
            wh.transfers.cancel("TO-1")

    def test_cancel_open_order(self, wh: sl.Inventory) -> None:
        """An open order is cancelled without a posting."""
        assert wh.transfers.cancel("TO-1") is None
        assert wh.transfers.order("TO-1").state is TransferState.CANCELLED
        with pytest.raises(errors.TransferError):
            wh.transfers.close("TO-1", reason="x")

    def test_receive_by_scan(self, wh: sl.Inventory) -> None:
        """A GS1 scan names the item and lot received."""
        wh.transfers.ship("TO-1")
        tx = wh.transfers.receive_scan("TO-1", "(01)09506000134352(10)A2", 10)
        assert tx.kind is TxKind.RECEIPT
        assert tx.movements[0].lot == "A2"
        assert wh.on_hand("ASP", location="DC2/DOCK") == 10
        with pytest.raises(errors.UnknownItemError):
            wh.transfers.receive_scan("TO-1", "(01)00000000000017", 1)

    def test_idempotent(self, wh: sl.Inventory) -> None:
        """A retry with the same key returns the first posting; a key of another order is a
        conflict."""
        first = wh.transfers.ship("TO-1", key="ship-1")
        assert wh.transfers.ship("TO-1", key="ship-1").id == first.id
        r1 = wh.transfers.receive("TO-1", "BOLT", 5, key="rcv-1")
        assert wh.transfers.receive("TO-1", "BOLT", 5, key="rcv-1").id == r1.id
        assert wh.on_hand("BOLT", location="DC2") == 5
        with pytest.raises(errors.IdempotencyConflictError):
            wh.transfers.receive("TO-1", "BOLT", 5, key="ship-1")
        with pytest.raises(errors.IdempotencyConflictError):
            wh.transfers.receive("TO-1", "BOLT", 6, key="rcv-1")

    def test_fsma_rows_and_epcis_events(self, wh: sl.Inventory) -> None:
        """The move between sites gives FSMA 204 shipping rows at DC1 naming DC2 and receiving
        rows at DC2 naming DC1, and EPCIS shipping (in transit) and receiving events."""
        wh.transfers.ship("TO-1")
        wh.transfers.receive("TO-1", "ASP", 30, lot="A1")
        report = wh.reports.fsma204(lots=[("ASP", "A1")])
        rows = {
            (row.cte.value, row.ship_from.name, row.ship_to.name)
            for row in report.rows
            if row.ship_from is not None and row.ship_to is not None
        }
        assert ("shipping", "DC1", "DC2") in rows
        assert ("receiving", "DC1", "DC2") in rows
        events = wh.epcis.export(lots=[("ASP", "A1")])["epcisBody"]["eventList"]
        steps = [(e["bizStep"], e["disposition"]) for e in events]
        assert ("shipping", "in_transit") in steps
        assert any(step == "receiving" for step, _ in steps)


class TestBadInput:
    @pytest.mark.parametrize(
        "call",
        [
            lambda inv: inv.transfers.create("TO-2", src="DC1", dst="DC2", lines=[]),
            lambda inv: inv.transfers.create("TO-2", src="DC1", dst="DC2", lines="BOLT"),
            lambda inv: inv.transfers.create("TO-2", src="DC1", dst="DC2", lines=[("BOLT",)]),
            lambda inv: inv.transfers.create("TO-2", src="DC1", dst="DC2", lines=[("BOLT", 1.5)]),
            lambda inv: inv.transfers.create("TO-2", src="DC1", dst="DC2", lines=[("NOPE", 1)]),
            lambda inv: inv.transfers.create("TO-2", src="DC1", dst="DC1/B", lines=[("BOLT", 1)]),
            lambda inv: inv.transfers.create("TO-1", src="DC1", dst="DC2", lines=[("BOLT", 1)]),
            lambda inv: inv.transfers.create("T|2", src="DC1", dst="DC2", lines=[("BOLT", 1)]),
            lambda inv: inv.transfers.create(None, src="DC1", dst="DC2", lines=[("BOLT", 1)]),
            lambda inv: inv.transfers.create("T\x00", src="DC1", dst="DC2", lines=[("BOLT", 1)]),
            lambda inv: inv.transfers.order("NOPE"),
            lambda inv: inv.transfers.orders(state="gone"),
            lambda inv: inv.transfers.ship("NOPE"),
            lambda inv: inv.transfers.ship("TO-1", at="2026-01-01"),
            lambda inv: inv.transfers.receive("TO-1", "BOLT", 1),
            lambda inv: inv.transfers.receive("TO-1", "BOLT", D("NaN")),
            lambda inv: inv.transfers.receive("TO-1", "BOLT", 1, allow_over="yes"),
            lambda inv: inv.transfers.receive_scan("TO-1", 42),
            lambda inv: inv.transfers.close("TO-1", reason=""),
            lambda inv: inv.transfers.in_transit(order=7),
        ],
    )
    def test_refused_and_nothing_posted(self, wh: sl.Inventory, call: object) -> None:
        """Bad input raises a StocklineError and posts nothing."""
        head = wh.changes()[-1].id
        orders = wh.transfers.orders()
        with pytest.raises(errors.StocklineError):
            call(wh)  # type: ignore[operator]
        assert wh.changes()[-1].id == head
        assert wh.transfers.orders() == orders


class TestEveryStore:
    def test_flow(self, any_store: StoreFactory) -> None:
        """Ship, receive in parts, cancel the rest: the same answers on every store, and
        stock is conserved across sites."""
        inv = sl.Inventory(store=any_store(), clock=sl.FixedClock(START))
        inv.add_item("BOLT")
        inv.add_item("ASP", gtin="09506000134352", tracking="lot")
        for path in ("DC1/A/01", "DC2/DOCK"):
            inv.add_location(path)
        _site(inv)
        inv.transfers.ship("TO-1")
        inv.transfers.receive("TO-1", "ASP", 25, lot="A1")
        assert inv.on_hand("ASP", location="transit/TO-1") == 15
        inv.transfers.cancel("TO-1", reason="rest stays")
        assert inv.on_hand("ASP") == 60
        assert inv.on_hand("BOLT") == 50
        assert inv.on_hand("ASP", location="DC2") == 25
        assert inv.check().ok
