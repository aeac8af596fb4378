"""Posting rules at the edges of the ledger, on every store: containment has no side door,
a trace never answers "nothing" for what it does not know, receipts into containers, reversals
in any order, lot dates, and the range of balances every store keeps exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest

import stockline as sl
from stockline import errors
from stockline.ledger import Movement, NewTransaction, Position, TxKind
from tests.conftest import StoreFactory

DAY = dt.timedelta(days=1)


@pytest.fixture
def make_store(any_store: StoreFactory) -> StoreFactory:
    """Every test here runs on each store: the verdict must be the same everywhere."""
    return any_store


def snapshot(inv: sl.Inventory) -> tuple[Any, ...]:
    with inv.store.read() as r:
        head = r.head()
        changes = len(r.master_changes())
        lots = r.lots()
    return head, inv.stock(internal_only=False), changes, lots


@contextmanager
def unchanged(inv: sl.Inventory) -> Iterator[None]:
    """Assert the block leaves ledger, balances and master data exactly as they were."""
    before = snapshot(inv)
    yield
    assert snapshot(inv) == before


def refused(inv: sl.Inventory, error: type[Exception], call: Callable[[], object]) -> Exception:
    with unchanged(inv), pytest.raises(error) as caught:
        call()
    return caught.value


class TestContainment:
    @pytest.fixture
    def held(self, inv: sl.Inventory) -> sl.Inventory:
        inv.receive("BOLT", 10, dst="DC1/A/01", supplier="S1")
        inv.hold("BOLT", 10, location="DC1/A/01", reason="QA")
        inv.add_party("C1", kind="customer")
        return inv

    def test_move_to_a_customer_is_refused_and_points_at_ship(self, held: sl.Inventory) -> None:
        """move() keeps stock internal: a customer as dst is refused, naming ship(), whatever
        the status (held stock must not leave through move)."""
        for status in ("hold", "available"):
            err = refused(
                held,
                errors.ValidationError,
                lambda s=status: held.move(  # type: ignore[misc]
                    "BOLT", 1, src="DC1/A/01", status=s, dst="customers/C1"
                ),
            )
            assert "ship()" in str(err)
            assert getattr(err, "what", None) == "dst"

    @pytest.mark.parametrize(
        ("end", "path", "verb"),
        [
            ("dst", "scrap", "scrap()"),
            ("dst", "adjustment", "adjust()"),
            ("dst", "suppliers/S1", "reverse()"),
            ("src", "suppliers/S1", "receive()"),
            ("src", "adjustment", "adjust()"),
        ],
    )
    def test_move_from_or_to_any_counterparty_is_refused(
        self, held: sl.Inventory, end: str, path: str, verb: str
    ) -> None:
        """Every counterparty end of a move is refused with the verb meant for it."""
        held.adjust("BOLT", 1, location="DC1/A/01", reason="found")
        held.scrap("BOLT", 1, location="DC1/A/01", reason="broken")
        ends = {"src": "DC1/A/01", "dst": "DC1/A/02", end: path}
        err = refused(
            held,
            errors.ValidationError,
            lambda: held.move("BOLT", 1, src=ends["src"], dst=ends["dst"]),
        )
        assert verb in str(err)

    def test_move_to_transit_is_still_a_move(self, held: sl.Inventory) -> None:
        """A transit location is stock in the company's hands: move() goes there and back."""
        held.add_location("TRUCKS/T1", kind="transit")
        held.receive("BOLT", 2, dst="DC1/DOCK", supplier="ACME")
        held.move("BOLT", 2, src="DC1/DOCK", dst="TRUCKS/T1")
        held.move("BOLT", 2, src="TRUCKS/T1", dst="DC2/DOCK")
        assert held.on_hand("BOLT", location="DC2/DOCK") == 2

    def test_no_draft_ships_held_stock(self, held: sl.Inventory) -> None:
        """Whatever its kind, a hand-built posting may not send held stock to a customer."""
        for kind in (TxKind.SHIPMENT, TxKind.TRANSFER, TxKind.PICK):
            draft = NewTransaction(
                kind=kind,
                movements=(
                    Movement(
                        item="BOLT",
                        quantity=Decimal(1),
                        src=Position(location="DC1/A/01", status="hold"),
                        dst=Position(location="customers/C1"),
                    ),
                ),
            )
            err = refused(held, errors.StatusError, lambda d=draft: held.post(d))  # type: ignore[misc]
            assert isinstance(err, errors.StatusError)
            assert err.status == "hold"

    def test_held_stock_leaves_by_scrap_adjust_or_reversal(self, held: sl.Inventory) -> None:
        """The verbs meant for it still take held stock out, with a reason."""
        held.scrap("BOLT", 1, location="DC1/A/01", status="hold", reason="damaged")
        held.adjust("BOLT", -1, location="DC1/A/01", status="hold", reason="count")
        returned = held.receive("BOLT", 1, dst="DC1/A/02", status="hold", supplier="S1")
        held.reverse(returned.id, reason="wrong supplier")
        assert held.on_hand("BOLT", status="hold") == 8


class TestTraceOfTheUnknown:
    """A trace or recall of what the ledger never saw is refused, never "nothing affected"."""

    @pytest.fixture
    def traced(self, inv: sl.Inventory) -> sl.Inventory:
        inv.receive("PUMP", serial="P-1", dst="DC1/DOCK", supplier="ACME")
        inv.receive("ASP", 5, lot="L1", dst="DC1/DOCK", supplier="ACME")
        return inv

    @pytest.mark.parametrize(
        ("sku", "lot", "serial", "error"),
        [
            ("PUMP", None, "P-404", errors.UnknownSerialError),
            ("PUMP", "L1", "P-1", errors.UnknownLotError),
            ("ASP", None, "P-1", errors.TrackingError),
            ("ASP", "L1", "P-1", errors.TrackingError),
            ("ASP", "L404", None, errors.UnknownLotError),
            ("NOPE", "L1", None, errors.UnknownItemError),
        ],
    )
    def test_every_way_in_refuses_it(
        self,
        traced: sl.Inventory,
        sku: str,
        lot: str | None,
        serial: str | None,
        error: type[errors.StocklineError],
    ) -> None:
        """trace_downstream, trace_upstream, recall and serial_path refuse an unknown serial,
        a serial of a lot-tracked item, an unknown lot or item, with the error naming it."""
        calls: list[Callable[[], object]] = [
            lambda: traced.trace_downstream(sku, lot, serial=serial),
            lambda: traced.trace_upstream(sku, lot, serial=serial),
            lambda: traced.recall(sl.Node(item=sku, lot=lot, serial=serial), reason="x"),
        ]
        if serial is not None and lot is None:
            calls.append(lambda: traced.genealogy.serial_path(sku, serial))
        for call in calls:
            err = refused(traced, error, call)
            assert sku in str(err)

    def test_known_serial_traces(self, traced: sl.Inventory) -> None:
        """A serial some transaction moved is traced as before."""
        found = traced.trace_downstream("PUMP", serial="P-1")
        assert [b.quantity for b in found.positions] == [1]
        assert len(traced.genealogy.serial_path("PUMP", "P-1")) == 1


class TestReceiptIntoAContainer:
    def test_receipt_places_the_container_and_unpack_finds_it(self, inv: sl.Inventory) -> None:
        """receive(container=...) records the container's place, as pack does: it has a
        history, and unpack finds it and its contents."""
        inv.add_container("PAL-1")
        tx = inv.receive("BOLT", 5, dst="DC1/DOCK", container="PAL-1", supplier="ACME")
        assert [e.location for e in tx.containers] == ["DC1/DOCK"]
        assert [e.location for _, e in inv.containers.history("PAL-1")] == ["DC1/DOCK"]
        out = inv.unpack(container="PAL-1")
        assert inv.on_hand("BOLT", location="DC1/DOCK", container=None) == 5
        assert out.movements[0].dst.location == "DC1/DOCK"
        assert inv.verify().ok

    def test_reversal_puts_the_container_back_nowhere(self, inv: sl.Inventory) -> None:
        """Reversing the receipt leaves the container empty and nowhere again."""
        inv.add_container("PAL-1")
        tx = inv.receive("BOLT", 5, dst="DC1/DOCK", container="PAL-1", supplier="ACME")
        inv.reverse(tx.id, reason="wrong dock")
        tx = inv.receive("BOLT", 5, dst="DC1/A/01", container="PAL-1", supplier="ACME")
        assert [e.location for _, e in inv.containers.history("PAL-1")] == [
            "DC1/DOCK",
            None,
            "DC1/A/01",
        ]

    def test_stock_into_a_container_elsewhere_is_refused(self, inv: sl.Inventory) -> None:
        """A container holding stock at one place takes no stock at another: it would be in
        two places at once."""
        inv.add_container("PAL-1")
        inv.receive("BOLT", 5, dst="DC1/DOCK", container="PAL-1", supplier="ACME")
        inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
        refused(
            inv,
            errors.ContainerError,
            lambda: inv.receive("BOLT", 1, dst="DC1/A/01", container="PAL-1", supplier="ACME"),
        )
        refused(
            inv,
            errors.ContainerError,
            lambda: inv.move("BOLT", 1, src="DC1/A/01", dst="DC1/A/01", dst_container="PAL-1"),
        )

    def test_moving_all_of_a_containers_stock_moves_the_container(self, inv: sl.Inventory) -> None:
        """Moving everything in a container to another place takes the container along."""
        inv.add_container("PAL-1")
        inv.receive("BOLT", 5, dst="DC1/DOCK", container="PAL-1", supplier="ACME")
        inv.move(
            "BOLT", 5, src="DC1/DOCK", dst="DC1/A/01", container="PAL-1", dst_container="PAL-1"
        )
        assert inv.containers.history("PAL-1")[-1][1].location == "DC1/A/01"


class TestReversalsInAnyOrder:
    def test_receipt_reversed_after_its_shipment_was(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Receive 1 (t-2), ship 1 (t-1), reverse the shipment, then reverse the receipt: the
        balance is 1 at every time, so both reversals go through (a shipment and its reversal
        at one effective time are simultaneous, never a moment at zero)."""
        now = clock.now()
        receipt = inv.receive(
            "BOLT", 1, dst="DC1/A/01", effective_at=now - 2 * DAY, supplier="ACME"
        )
        shipment = inv.ship("BOLT", 1, src="DC1/A/01", customer="C1", effective_at=now - DAY)
        inv.reverse(shipment.id, reason="not sent")
        inv.reverse(receipt.id, reason="not received")
        assert inv.on_hand("BOLT") == 0
        assert inv.on_hand("BOLT", as_of=now - DAY) == 0
        assert inv.verify().ok

    def test_simultaneous_serial_changes_net(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """The same for a serial: it is in stock at most once at every time."""
        now = clock.now()
        receipt = inv.receive(
            "PUMP", serial="P-1", dst="DC1/A/01", effective_at=now - 2 * DAY, supplier="ACME"
        )
        shipment = inv.ship(
            "PUMP", serial="P-1", src="DC1/A/01", customer="C1", effective_at=now - DAY
        )
        inv.reverse(shipment.id, reason="not sent")
        inv.reverse(receipt.id, reason="not received")
        inv.receive(
            "PUMP", serial="P-1", dst="DC1/A/02", effective_at=now - 2 * DAY, supplier="ACME"
        )
        assert inv.on_hand("PUMP", location="DC1/A/02") == 1

    def test_a_real_dip_is_still_refused(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """Netting is per effective time only: a shipment at one time that a receipt at a later
        time makes good still leaves the position short in between."""
        now = clock.now()
        receipt = inv.receive(
            "BOLT", 1, dst="DC1/A/01", effective_at=now - 3 * DAY, supplier="ACME"
        )
        inv.ship("BOLT", 1, src="DC1/A/01", customer="C1", effective_at=now - 2 * DAY)
        inv.receive("BOLT", 1, dst="DC1/A/01", effective_at=now - DAY, supplier="ACME")
        refused(
            inv,
            errors.InsufficientStockError,
            lambda: inv.reverse(receipt.id, reason="not received"),
        )


class TestLotDates:
    def test_expired_lot_is_refused_unless_allowed_with_a_reason(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A receipt of a lot expired before the day it arrives is refused, as a scan is;
        allow_expired=True takes it, with a reason."""
        today = clock.now().date()
        err = refused(
            inv,
            errors.ExpiredProductError,
            lambda: inv.receive(
                "ASP", 5, lot="OLD", expiry=today - DAY, dst="DC1/DOCK", supplier="ACME"
            ),
        )
        assert "allow_expired=True" in str(err)
        refused(
            inv,
            errors.ValidationError,
            lambda: inv.receive(
                "ASP",
                5,
                lot="OLD",
                expiry=today - DAY,
                dst="DC1/DOCK",
                allow_expired=True,
                supplier="ACME",
            ),
        )
        inv.receive(
            "ASP", 5, lot="OLD", expiry=today - DAY, dst="DC1/DOCK", allow_expired=True,
            reason="for destruction", status="hold", supplier="ACME",
        )  # fmt: skip
        # Judged on the day it was received: back-dated before the expiry, it was fresh.
        inv.receive(
            "ASP", 5, lot="OLD", dst="DC1/DOCK", effective_at=clock.now() - 2 * DAY, supplier="ACME"
        )
        inv.receive("ASP", 5, lot="TODAY", expiry=today, dst="DC1/DOCK", supplier="ACME")
        assert inv.on_hand("ASP") == 15

    def test_expiry_before_production_is_refused_everywhere(self, inv: sl.Inventory) -> None:
        """A lot cannot expire before it is made: receive, add_lot and update_lot refuse it."""
        made, before = dt.date(2026, 2, 1), dt.date(2026, 1, 31)
        calls: list[Callable[[], object]] = [
            lambda: inv.receive(
                "ASP",
                1,
                lot="X",
                expiry=before,
                produced_on=made,
                dst="DC1/DOCK",
                allow_expired=True,
                reason="r",
                supplier="ACME",
            ),
            lambda: inv.add_lot("ASP", "X", expiry=before, produced_on=made),
        ]
        for call in calls:
            err = refused(inv, errors.ValidationError, call)
            assert "production date 2026-02-01" in str(err)
        inv.add_lot("ASP", "Y", expiry=dt.date(2027, 1, 1), produced_on=made)
        refused(
            inv, errors.ValidationError, lambda: inv.master.update_lot("ASP", "Y", expiry=before)
        )
        refused(
            inv,
            errors.ValidationError,
            lambda: inv.master.update_lot("ASP", "Y", produced_on=dt.date(2027, 2, 1)),
        )


class TestBalanceRange:
    def test_a_balance_beyond_the_exact_range_is_refused(self, inv: sl.Inventory) -> None:
        """Nine receipts of the largest movement fill a position to 9 trillion; one more
        unit, in the position or at the supplier's side, is refused on every store alike, and
        what is there still verifies."""
        big = 10**12
        for _ in range(9):
            inv.receive("BOLT", big, dst="DC1/A/01", supplier="S1")
        err = refused(
            inv,
            errors.InvalidQuantityError,
            lambda: inv.receive("BOLT", 1, dst="DC1/A/01", supplier="S1"),
        )
        assert "9,000,000,000,000" in str(err)
        # The supplier's side is as full (minus 9 trillion): another dock does not help.
        err = refused(
            inv,
            errors.InvalidQuantityError,
            lambda: inv.receive("BOLT", 1, dst="DC1/A/02", supplier="S1"),
        )
        assert "suppliers/S1" in str(err)
        inv.receive("BOLT", 1, dst="DC1/A/02", supplier="S2")
        inv.move("BOLT", 5, src="DC1/A/01", dst="DC1/A/02")
        assert inv.on_hand("BOLT") == 9 * big + 1
        assert inv.verify().ok


class TestAllocationSaysWhy:
    def test_a_short_allocation_names_held_and_expired_stock(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """inv.allocate returns, with its shortfall, the held and the expired stock it left
        out, with quantities, on every store."""
        today = clock.now().date()
        inv.receive("ASP", 5, lot="GOOD", expiry=today + 30 * DAY, dst="DC1/A/01", supplier="ACME")
        inv.receive("ASP", 4, lot="HELD", expiry=today + 30 * DAY, dst="DC1/A/02", supplier="ACME")
        inv.hold("ASP", 4, lot="HELD", location="DC1/A/02", reason="QA")
        inv.receive(
            "ASP", 3, lot="OLD", expiry=today - DAY, dst="DC1/B/01", allow_expired=True,
            reason="returned for destruction", supplier="ACME",
        )  # fmt: skip
        plan = inv.allocate("ASP", 12, order="SO-1")
        assert plan.shortfall == 7
        assert sorted((e.candidate.lot, e.quantity, e.reason) for e in plan.excluded) == [
            ("HELD", Decimal(4), "status"),
            ("OLD", Decimal(3), "expired"),
        ]

    def test_a_short_allocation_names_reserved_stock(self, inv: sl.Inventory) -> None:
        """Stock reserved for other orders, in full or in part, is named with what is
        reserved there; held stock stays a status exclusion."""
        inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
        inv.receive("BOLT", 4, dst="DC1/A/02", supplier="ACME")
        inv.allocate("BOLT", 5, order="SO-1", zones=["DC1/A/01"])
        inv.allocate("BOLT", 1, order="SO-2", zones=["DC1/A/02"])
        plan = inv.allocate("BOLT", 6, order="SO-3")
        assert (plan.allocated, plan.shortfall) == (Decimal(3), Decimal(3))
        assert sorted((e.candidate.location, e.quantity, e.reason) for e in plan.excluded) == [
            ("DC1/A/01", Decimal(5), "reserved"),
            ("DC1/A/02", Decimal(1), "reserved"),
        ]
        assert inv.allocation.available_to_promise("BOLT") == 0
