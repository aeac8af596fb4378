"""Customer returns against their shipments, dispositions and returns to suppliers
(``inv.returns``); the trace, recall, EPCIS and FSMA 204 views of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import stockline as sl
from stockline import errors
from stockline.epcis import validate_epcis
from stockline.genealogy import Node
from stockline.gs1 import sscc
from stockline.ledger import Status, TxKind
from stockline.operations import Disposition
from tests.conftest import StoreFactory

D = Decimal
PALLET = sscc("9506000", "000000007")


@pytest.fixture
def shipped(inv: sl.Inventory) -> sl.Inventory:
    """ASP lots L1 (10) and L2 (10) and BOLT 20 received; SO-1 (tx 6) sent 6 of L1 and 4
    BOLT to SHOP; SO-2 (tx 7) sent 5 of L2 to MART; PUMP serials P1, P2 went to SHOP on SO-3
    (tx 8)."""
    inv.add_location("DC1/RETURNS")
    inv.receive("ASP", 10, lot="L1", dst="DC1/A/01", supplier="ACME")
    inv.receive("ASP", 10, lot="L2", dst="DC1/A/02", supplier="ACME")
    inv.receive("BOLT", 20, dst="DC1/A/01", supplier="ACME")
    inv.receive("PUMP", serials=["P1", "P2", "P3"], dst="DC1/B/01", supplier="ACME")
    inv.receive("ASP", 1, lot="L3", dst="DC1/B/01", supplier="ACME")
    out = sl.Movement
    inv.add_party("SHOP", kind="customer")
    inv.post(
        sl.NewTransaction(
            kind=TxKind.SHIPMENT,
            movements=(
                out(
                    item="ASP",
                    quantity=D(6),
                    lot="L1",
                    src=sl.Position(location="DC1/A/01"),
                    dst=sl.Position(location="customers/SHOP"),
                ),
                out(
                    item="BOLT",
                    quantity=D(4),
                    src=sl.Position(location="DC1/A/01"),
                    dst=sl.Position(location="customers/SHOP"),
                ),
            ),
            refs=(sl.Reference(type="SO", number="SO-1"), sl.Reference(type="BOL", number="B-1")),
            counterparty="SHOP",
        )
    )
    inv.ship("ASP", 5, lot="L2", src="DC1/A/02", customer="MART", ref="SO-2")
    inv.ship("PUMP", serials=["P1", "P2"], src="DC1/B/01", customer="SHOP", ref="SO-3")
    return inv


class TestCustomerReturns:
    def test_by_document_lands_in_returned_status(self, shipped: sl.Inventory) -> None:
        """A return by the shipment's document comes from the customer it went to, lands in
        the returns location in the non-allocatable status ``returned``, and names its RMA
        and its shipment."""
        tx = shipped.returns.receive(
            "ASP",
            2,
            dst="DC1/RETURNS",
            document="SO-1",
            ref="RMA-1",
            reason="torn box",
        )
        assert tx.kind is TxKind.RETURN
        assert tx.counterparty == "SHOP"
        ((m),) = tx.movements
        assert (m.src.location, m.dst.location, m.dst.status, m.lot) == (
            "customers/SHOP",
            "DC1/RETURNS",
            "returned",
            "L1",
        )
        assert [str(r) for r in tx.refs] == ["RMA:RMA-1", "SHIPMENT:6"]
        with shipped.store.read() as r:
            assert r.status("returned") == Status(
                name="returned", allocatable=False, description="returned, awaiting a disposition"
            )
        assert shipped.allocation.available_to_promise("ASP", location="DC1/RETURNS") == 0

    def test_never_more_than_shipped_less_returned(self, shipped: sl.Inventory) -> None:
        """Returns add up per shipment; past what is left, nothing is posted."""
        shipped.returns.receive("ASP", 4, dst="DC1/RETURNS", shipment=6)
        head = shipped.changes()[-1].id
        with pytest.raises(errors.ReturnError) as caught:
            shipped.returns.receive("ASP", 3, dst="DC1/RETURNS", shipment=6)
        assert (caught.value.requested, caught.value.available) == (D(3), D(2))
        assert shipped.changes()[-1].id == head
        shipped.returns.receive("ASP", 2, dst="DC1/RETURNS", shipment=6)
        (asp,) = shipped.returns.returnable(6, sku="ASP")
        assert (asp.shipped, asp.returned, asp.returnable) == (D(6), D(6), D(0))

    def test_a_reversed_return_gives_its_quantity_back(self, shipped: sl.Inventory) -> None:
        """Reversing a return (a mistake) lets the quantity be returned again."""
        first = shipped.returns.receive("BOLT", 4, dst="DC1/RETURNS", document="B-1")
        shipped.reverse(first.id, reason="counted twice")
        assert shipped.returns.returnable(6, sku="BOLT")[0].returned == 0
        assert shipped.returns.get(first.id).reversed

    def test_goods_must_come_from_that_customer(self, shipped: sl.Inventory) -> None:
        """The lot must have gone to the customer named; another lot or customer is refused."""
        with pytest.raises(errors.ReturnError, match="shipped to SHOP, not to MART"):
            shipped.returns.receive("ASP", 1, dst="DC1/RETURNS", shipment=6, customer="MART")
        with pytest.raises(errors.ReturnError, match="did not send it"):
            shipped.returns.receive("ASP", 1, lot="L2", dst="DC1/RETURNS", shipment=6)
        with pytest.raises(errors.ReturnError, match="no shipment by document SO-9"):
            shipped.returns.receive("ASP", 1, dst="DC1/RETURNS", document="SO-9")

    def test_by_serial_finds_its_shipment(self, shipped: sl.Inventory) -> None:
        """A serial names its own shipment; it comes back once, and a serial never shipped
        cannot come back."""
        tx = shipped.returns.receive("PUMP", serial="P2", dst="DC1/RETURNS")
        assert [str(r) for r in tx.refs] == ["SHIPMENT:8"]
        with pytest.raises(errors.ReturnError):
            shipped.returns.receive("PUMP", serial="P2", dst="DC1/RETURNS")
        with pytest.raises(errors.ReturnError):
            shipped.returns.receive("PUMP", serial="P3", dst="DC1/RETURNS")

    def test_by_sscc_of_a_shipped_pallet(self, inv: sl.Inventory) -> None:
        """A pallet shipped whole names its shipment; only what it held may come back."""
        inv.add_location("DC1/RETURNS")
        inv.receive("BOLT", 12, dst="DC1/DOCK", supplier="ACME")
        inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
        inv.containers.create(PALLET)
        inv.pack("BOLT", 12, container=PALLET, location="DC1/DOCK")
        out = inv.containers.ship(PALLET, customer="SHOP", ref="SO-7")
        inv.ship("BOLT", 5, src="DC1/A/01", customer="SHOP", ref="SO-7")
        tx = inv.returns.receive("BOLT", 12, dst="DC1/RETURNS", sscc=PALLET)
        assert str(tx.refs[-1]) == f"SHIPMENT:{out.id}"
        with pytest.raises(errors.ReturnError):
            inv.returns.receive("BOLT", 1, dst="DC1/RETURNS", sscc=PALLET)

    def test_a_document_on_several_shipments_is_ambiguous(self, inv: sl.Inventory) -> None:
        """Two shipments of one order: the document alone does not say which; shipment= does."""
        inv.add_location("DC1/RETURNS")
        inv.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME")
        inv.ship("BOLT", 3, src="DC1/A/01", customer="SHOP", ref="SO-1")
        second = inv.ship("BOLT", 3, src="DC1/A/01", customer="SHOP", ref="SO-1")
        with pytest.raises(errors.ReturnError, match="name one with shipment="):
            inv.returns.receive("BOLT", 1, dst="DC1/RETURNS", document="SO-1")
        # Four cannot come from one shipment of three: only the first that can is meant.
        inv.returns.receive("BOLT", 3, dst="DC1/RETURNS", shipment=second.id)
        assert inv.returns.receive("BOLT", 1, dst="DC1/RETURNS", document="SO-1").refs

    def test_a_shipment_of_two_lots_needs_the_lot(self, inv: sl.Inventory) -> None:
        """When the shipment sent two lots, the lot must be named; then only that lot's
        quantity counts."""
        inv.add_location("DC1/RETURNS")
        for lot in ("L1", "L2"):
            inv.receive("ASP", 3, lot=lot, dst="DC1/A/01", supplier="ACME")
        out = sl.Position(location="DC1/A/01")
        shop = sl.Position(location="customers/SHOP")
        inv.add_party("SHOP", kind="customer")
        tx = inv.post(
            sl.NewTransaction(
                kind=TxKind.SHIPMENT,
                movements=tuple(
                    sl.Movement(item="ASP", quantity=D(3), lot=lot, src=out, dst=shop)
                    for lot in ("L1", "L2")
                ),
                counterparty="SHOP",
            )
        )
        with pytest.raises(errors.ReturnError, match="sent lots L1, L2; say which"):
            inv.returns.receive("ASP", 1, dst="DC1/RETURNS", shipment=tx.id)
        with pytest.raises(errors.ReturnError) as caught:
            inv.returns.receive("ASP", 4, lot="L2", dst="DC1/RETURNS", shipment=tx.id)
        assert caught.value.available == 3
        inv.returns.receive("ASP", 3, lot="L2", dst="DC1/RETURNS", shipment=tx.id)
        assert [(r.lot, r.returnable) for r in inv.returns.returnable(tx.id)] == [
            ("L1", D(3)),
            ("L2", D(0)),
        ]

    def test_refusals_post_nothing(self, shipped: sl.Inventory) -> None:
        """Bad arguments are StocklineErrors and leave the ledger as it was."""
        head = shipped.changes()[-1].id
        bad = [
            {"dst": "DC1/RETURNS"},  # no shipment named
            {"dst": "DC1/RETURNS", "shipment": 6, "document": "SO-1"},
            {"dst": "customers/SHOP", "shipment": 6},
            {"dst": "DC1/RETURNS", "shipment": 6, "status": "available"},
            {"dst": "DC1/RETURNS", "shipment": True},
            {"dst": "DC1/RETURNS", "shipment": 6, "effective_at": "yesterday"},
            {"dst": "DC1/NOWHERE", "shipment": 6},
            {"dst": "DC1/RETURNS", "shipment": 999},
            {"dst": "DC1/RETURNS", "shipment": 1},  # a receipt, not a shipment
            {"dst": "DC1/RETURNS", "shipment": 6, "status": "frozen"},
        ]
        for kwargs in bad:
            with pytest.raises(errors.StocklineError):
                shipped.returns.receive("BOLT", 1, **kwargs)  # type: ignore[arg-type]
        for quantity in (1.5, -1, None, "x", D("NaN")):
            with pytest.raises(errors.StocklineError):
                shipped.returns.receive("BOLT", quantity, dst="DC1/RETURNS", shipment=6)  # type: ignore[arg-type]
        assert shipped.changes()[-1].id == head

    def test_idempotent_with_a_key(self, shipped: sl.Inventory) -> None:
        """A retry with the same key returns the first return."""
        first = shipped.returns.receive("BOLT", 1, dst="DC1/RETURNS", shipment=6, key="rma-1/1")
        again = shipped.returns.receive("BOLT", 1, dst="DC1/RETURNS", shipment=6, key="rma-1/1")
        assert again == first


class TestDispositions:
    def test_restock_quarantine_scrap(self, shipped: sl.Inventory) -> None:
        """Each disposition is linked to its return and takes from what still waits."""
        back = shipped.returns.receive("ASP", 5, dst="DC1/RETURNS", shipment=6)
        restock = shipped.returns.dispose(back.id, "restock", quantity=2, reason="sealed")
        assert restock.kind is TxKind.STATUS_CHANGE
        assert [str(r) for r in restock.refs] == [f"RETURN:{back.id}"]
        held = shipped.returns.dispose(back.id, Disposition.QUARANTINE, quantity=1, reason="?")
        assert held.movements[0].dst.status == "quarantine"
        scrap = shipped.returns.dispose(back.id, "scrap", reason="crushed")
        assert scrap.kind is TxKind.SCRAP
        assert scrap.movements[0].quantity == 2
        found = shipped.returns.get(back.id)
        assert (found.pending, found.dispositions) == (D(0), (restock.id, held.id, scrap.id))
        assert shipped.on_hand("ASP", location="DC1/RETURNS", status="available") == 2
        with pytest.raises(errors.ReturnError, match="awaits a disposition"):
            shipped.returns.dispose(back.id, "restock", reason="again")

    def test_restock_elsewhere_and_reversal(self, shipped: sl.Inventory) -> None:
        """Restocking to another location is a transfer; a reversed disposition is pending
        again."""
        back = shipped.returns.receive("BOLT", 4, dst="DC1/RETURNS", shipment=6)
        moved = shipped.returns.dispose(back.id, "restock", dst="DC1/B/01", reason="as new")
        assert moved.kind is TxKind.TRANSFER
        assert shipped.on_hand("BOLT", location="DC1/B/01") == 4
        shipped.reverse(moved.id, reason="wrong bin")
        assert shipped.returns.get(back.id).pending == 4

    def test_bad_dispositions_post_nothing(self, shipped: sl.Inventory) -> None:
        """Too much, no reason, an unknown action, a non-return: refused, nothing posted."""
        back = shipped.returns.receive("BOLT", 2, dst="DC1/RETURNS", shipment=6)
        head = shipped.changes()[-1].id
        for args, kwargs in [
            (("restock",), {"quantity": 3, "reason": "x"}),
            (("restock",), {"reason": " "}),
            (("sell",), {"reason": "x"}),
            (("scrap",), {"reason": "x", "dst": "DC1/B/01"}),
            (("restock",), {"reason": "x", "dst": "customers/SHOP"}),
        ]:
            with pytest.raises(errors.StocklineError):
                shipped.returns.dispose(back.id, *args, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(errors.ReturnError, match="not a customer return"):
            shipped.returns.dispose(1, "restock", reason="x")
        assert shipped.changes()[-1].id == head


class TestSupplierReturns:
    def test_back_to_the_supplier_with_a_reason(self, shipped: sl.Inventory) -> None:
        """Stock in any status goes back to its supplier as a return, with a reason."""
        shipped.hold("ASP", 2, lot="L2", location="DC1/A/02", reason="leaking")
        tx = shipped.returns.to_supplier(
            "ASP", 2, lot="L2", src="DC1/A/02", status="hold", supplier="ACME",
            ref="RMA-77", reason="leaking",
        )  # fmt: skip
        assert (tx.kind, tx.counterparty, [str(r) for r in tx.refs]) == (
            TxKind.RETURN,
            "ACME",
            ["RMA:RMA-77"],
        )
        assert tx.movements[0].dst.location == "suppliers/ACME"
        with pytest.raises(errors.ValidationError):
            shipped.returns.to_supplier("BOLT", 1, src="DC1/A/01", supplier="ACME", reason="")
        with pytest.raises(errors.InsufficientStockError):
            shipped.returns.to_supplier("BOLT", 99, src="DC1/A/01", supplier="ACME", reason="x")


@pytest.fixture
def every_store_inv(any_store: StoreFactory, clock: sl.FixedClock) -> sl.Inventory:
    inv = sl.Inventory(store=any_store(), clock=clock)
    inv.add_item("ASP", tracking="lot")
    for path in ("DC1/A/01", "DC1/RETURNS"):
        inv.add_location(path)
    inv.receive(
        "ASP", 10, lot="L1", dst="DC1/A/01", supplier="ACME",
        effective_at=clock.now() - dt.timedelta(hours=3),
    )  # fmt: skip
    inv.ship(
        "ASP", 6, lot="L1", src="DC1/A/01", customer="SHOP", ref="SO-1",
        effective_at=clock.now() - dt.timedelta(hours=2),
    )  # fmt: skip
    return inv


class TestEveryStore:
    def test_returnable_trace_and_recall(self, every_store_inv: sl.Inventory) -> None:
        """On every store: returns are bounded by the shipment, a downstream trace shows the
        return (and the return to the supplier), and a recall counts returned stock on hand."""
        inv = every_store_inv
        back = inv.returns.receive("ASP", 4, dst="DC1/RETURNS", document="SO-1", ref="RMA-1")
        with pytest.raises(errors.ReturnError):
            inv.returns.receive("ASP", 3, dst="DC1/RETURNS", document="SO-1")
        inv.returns.to_supplier("ASP", 1, lot="L1", src="DC1/A/01", supplier="ACME", reason="x")
        trace = inv.trace_downstream("ASP", "L1")
        assert [(r.party_kind, r.party, r.quantity, r.location) for r in trace.returns] == [
            ("customer", "SHOP", D(4), "DC1/RETURNS"),
            ("supplier", "ACME", D(1), "DC1/A/01"),
        ]
        assert "returned" in trace.to_table()
        assert trace.to_dict()["returns"][0]["party"] == "SHOP"
        up = inv.trace_upstream("ASP", "L1")
        assert [r.transaction_id for r in up.returns] == [r.transaction_id for r in trace.returns]
        report = inv.recall(("ASP", "L1"), reason="allergen")
        assert {(b.position.location, b.position.status, b.quantity) for b in report.on_hand} == {
            ("DC1/A/01", "available", D(3)),
            ("DC1/RETURNS", "returned", D(4)),
        }
        assert [r.transaction_id for r in report.returns] == [back.id, back.id + 1]
        assert report.to_dict()["returns"]
        assert "customer SHOP" in report.to_table()
        inv.returns.dispose(back.id, "restock", quantity=1, reason="resealed")
        contained = inv.genealogy.contain(inv.recall(("ASP", "L1"), reason="allergen"))
        assert contained is not None
        held = {(m.src.location, m.quantity) for m in contained.movements}
        assert held == {("DC1/A/01", D(3)), ("DC1/RETURNS", D(1))}


class TestStandardsOut:
    def test_epcis_and_fsma(self, every_store_inv: sl.Inventory) -> None:
        """A customer return exports as receiving, disposition returned, from the customer;
        a supplier return as shipping, returned, to the supplier; both validate. FSMA 204
        reads the customer return as a Receiving from the customer."""
        inv = every_store_inv
        inv.returns.receive("ASP", 2, dst="DC1/RETURNS", document="SO-1", ref="RMA-1")
        inv.returns.to_supplier("ASP", 1, lot="L1", src="DC1/A/01", supplier="ACME", reason="x")
        document = inv.epcis.export()
        assert validate_epcis(document) == []
        found = [e for e in document["epcisBody"]["eventList"] if e["stockline:kind"] == "return"]
        assert [(e["bizStep"], e["disposition"]) for e in found] == [
            ("receiving", "returned"),
            ("shipping", "returned"),
        ]
        assert found[0]["sourceList"][0]["source"].endswith("SHOP")
        assert {"type": "rma", "bizTransaction": found[0]["bizTransactionList"][0][
            "bizTransaction"]} in found[0]["bizTransactionList"]  # fmt: skip
        assert found[1]["destinationList"][0]["destination"].endswith("ACME")
        rows = inv.reports.fsma204(lots=[Node(item="ASP", lot="L1")]).rows
        assert [(r.cte.label, r.quantity) for r in rows] == [
            ("Receiving", D(10)),
            ("Shipping", D(6)),
            ("Receiving", D(2)),
            ("Shipping", D(1)),
        ]
