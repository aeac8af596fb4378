"""Cycle counts and stock takes through the Inventory, on every store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import stockline as sl
from stockline import errors
from stockline.ledger import Position, Reference, TxKind
from stockline.operations import CountState, Uncounted
from tests.conftest import START

D = Decimal
UTC = dt.UTC
GTIN_ASP = "09506000134352"


@pytest.fixture
def site(inv: sl.Inventory, clock: sl.FixedClock) -> sl.Inventory:
    """BOLT 100 at A/01 and 50 at A/02 and 20 at B/01; ASP lot L1 30 and lot L2 8 at A/01;
    stock received at 08:00, the clock then at 09:00."""
    inv.receive("BOLT", 100, dst="DC1/A/01", supplier="ACME")
    inv.receive("BOLT", 50, dst="DC1/A/02", supplier="ACME")
    inv.receive("BOLT", 20, dst="DC1/B/01", supplier="ACME")
    inv.receive("ASP", 30, dst="DC1/A/01", lot="L1", expiry=dt.date(2027, 1, 31), supplier="ACME")
    inv.receive("ASP", 8, dst="DC1/A/01", lot="L2", expiry=dt.date(2027, 6, 30), supplier="ACME")
    clock.advance(hours=1)
    return inv


def moves(tx: sl.Transaction) -> list[tuple[str, str | None, str | None, str, str, Decimal]]:
    """The movements as (item, lot, serial, src, dst, quantity)."""
    return [
        (m.item, m.lot, m.serial, m.src.location, m.dst.location, m.quantity) for m in tx.movements
    ]


def head(inv: sl.Inventory) -> int:
    return inv.verify().transactions


class TestOpenCount:
    def test_open_gives_an_id_and_an_open_count(self, site: sl.Inventory) -> None:
        """A count opens with a generated id, open, cycle-count mode, not blind."""
        count = site.counts.open("DC1/A", actor="ann")
        assert (count.id, count.state, count.uncounted, count.blind) == (
            "C-000001",
            CountState.OPEN,
            Uncounted.KEEP,
            False,
        )
        assert (count.location, count.opened_by, count.lines) == ("DC1/A", "ann", ())
        assert site.counts.open("DC1/B").id == "C-000002"
        assert [c.id for c in site.counts.list(state="open")] == ["C-000001", "C-000002"]

    def test_overlapping_open_counts_are_refused(self, site: sl.Inventory) -> None:
        """Two open counts may not cover the same stock; disjoint scopes may be open at once."""
        site.counts.open("DC1/A", sku="BOLT", count_id="A-BOLT")
        for location, sku in (("DC1", None), ("DC1/A/01", "BOLT"), ("DC1/A", None)):
            with pytest.raises(errors.CountError, match="A-BOLT"):
                site.counts.open(location, sku=sku)
        site.counts.open("DC1/A", sku="ASP")
        site.counts.open("DC1/B")
        site.counts.cancel("A-BOLT")
        site.counts.open("DC1/A/01", sku="BOLT")

    def test_bad_openings(self, site: sl.Inventory) -> None:
        """Unknown or counterparty locations, a lot without item, a taken id are refused."""
        with pytest.raises(errors.UnknownLocationError):
            site.counts.open("DC9")
        with pytest.raises(errors.ValidationError, match="only internal"):
            site.counts.open("suppliers")
        with pytest.raises(errors.ValidationError, match="sku= with lot="):
            site.counts.open("DC1", lot="L1")
        with pytest.raises(errors.UnknownLotError):
            site.counts.open("DC1", sku="ASP", lot="NOPE")
        with pytest.raises(errors.ValidationError, match="uncounted"):
            site.counts.open("DC1", uncounted="all")
        site.counts.open("DC1/A", count_id="X-1")
        with pytest.raises(errors.CountError, match="taken"):
            site.counts.open("DC2", count_id="X-1")
        with pytest.raises(errors.ValidationError, match="count id"):
            site.counts.open("DC2", count_id="a|b")

    def test_unknown_count(self, site: sl.Inventory) -> None:
        """Every operation on a count that was never opened raises UnknownCountError."""
        with pytest.raises(errors.UnknownCountError) as caught:
            site.counts.get("C-9")
        assert caught.value.count == "C-9"
        with pytest.raises(errors.UnknownCountError):
            site.counts.record("C-9", "BOLT", 1, location="DC1/A/01")
        with pytest.raises(errors.UnknownCountError):
            site.counts.close("C-9")


class TestRecordCount:
    def test_lines_carry_the_book_at_the_time_counted(
        self, site: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A non-blind count shows each line's book quantity at the time it was counted."""
        count = site.counts.open("DC1/A")
        lines = site.counts.record(count.id, "BOLT", 97, location="DC1/A/01", actor="bob")
        assert [(x.sku, x.quantity, x.expected, x.actor) for x in lines] == [
            ("BOLT", D(97), D(100), "bob")
        ]
        clock.advance(minutes=5)
        site.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME")
        assert site.counts.get(count.id).lines[0].expected == D(100)

    def test_blind_count_hides_book_quantities(self, site: sl.Inventory) -> None:
        """On an open blind count neither lines, sheet nor report reveal the book."""
        count = site.counts.open("DC1/A", blind=True)
        lines = site.counts.record(count.id, "BOLT", 97, location="DC1/A/01")
        assert lines[0].expected is None
        assert site.counts.get(count.id).lines[0].expected is None
        assert {x.expected for x in site.counts.sheet(count.id)} == {None}
        with pytest.raises(errors.CountError, match="blind"):
            site.counts.report(count.id)
        site.counts.close(count.id)
        assert site.counts.get(count.id).lines[0].expected == D(100)
        assert [(x.expected, x.counted) for x in site.counts.report(count.id).lines] == [
            (D(100), D(97))
        ]

    def test_recount_replaces_and_add_accumulates(
        self, site: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Recording a position again replaces it; add=True adds, keeping the first time."""
        count = site.counts.open("DC1/A")
        first = clock.now()
        site.counts.record(count.id, "BOLT", 40, location="DC1/A/01")
        clock.advance(minutes=1)
        site.counts.record(count.id, "BOLT", 60, location="DC1/A/01", add=True)
        (line,) = site.counts.get(count.id).lines
        assert (line.quantity, line.counted_at) == (D(100), first)
        clock.advance(minutes=1)
        site.counts.record(count.id, "BOLT", 99, location="DC1/A/01")
        (line,) = site.counts.get(count.id).lines
        assert (line.quantity, line.counted_at) == (D(99), clock.now())

    def test_scope_and_state_are_enforced(self, site: sl.Inventory) -> None:
        """Positions outside the scope, and recording on a closed count, are refused."""
        count = site.counts.open("DC1/A", sku="ASP", lot="L1")
        for sku, lot, location in (
            ("ASP", "L1", "DC1/B/01"),
            ("BOLT", None, "DC1/A/01"),
            ("ASP", "L2", "DC1/A/01"),
        ):
            with pytest.raises(errors.CountError, match="outside"):
                site.counts.record(count.id, sku, 1, location=location, lot=lot)
        with pytest.raises(errors.CountError, match="ASP only"):
            site.counts.record(count.id, location="DC1/A/01", empty=True)
        site.counts.close(count.id)
        with pytest.raises(errors.CountError, match="closed"):
            site.counts.record(count.id, "ASP", 1, location="DC1/A/01", lot="L1")

    def test_bad_lines_are_refused(self, site: sl.Inventory, clock: sl.FixedClock) -> None:
        """Tracking, quantities, lots, statuses, containers and times are checked; nothing
        is recorded."""
        count = site.counts.open("DC1")
        cases: list[tuple[type[Exception], dict[str, object]]] = [
            (errors.TrackingError, {"sku": "ASP", "quantity": 3}),
            (errors.TrackingError, {"sku": "BOLT", "quantity": 3, "lot": "L1"}),
            (errors.TrackingError, {"sku": "PUMP", "quantity": 1}),
            (errors.TrackingError, {"sku": "ASP", "quantity": 1, "lot": "L1", "serial": "S"}),
            (errors.InvalidQuantityError, {"sku": "BOLT", "quantity": -1}),
            (errors.InvalidQuantityError, {"sku": "BOLT", "quantity": 1.5}),
            (errors.InvalidQuantityError, {"sku": "BOLT", "quantity": "2.5"}),
            (errors.ValidationError, {"sku": "BOLT"}),
            (errors.ValidationError, {"sku": "PUMP", "quantity": 2, "serial": "S1"}),
            (errors.UnknownLotError, {"sku": "ASP", "quantity": 1, "lot": "NEW"}),
            (errors.UnknownStatusError, {"sku": "BOLT", "quantity": 1, "status": "lost"}),
            (errors.UnknownContainerError, {"sku": "BOLT", "quantity": 1, "container": "P"}),
            (errors.UnknownItemError, {"sku": "NOPE", "quantity": 1}),
            (errors.ValidationError, {"quantity": 1}),
            (errors.ValidationError, {"sku": "BOLT", "quantity": 1, "empty": True}),
            (
                errors.ValidationError,
                {"sku": "BOLT", "quantity": 1, "counted_at": clock.now() + dt.timedelta(1)},
            ),
            (
                errors.ValidationError,
                {"sku": "BOLT", "quantity": 1, "counted_at": clock.now() - dt.timedelta(1)},
            ),
            (
                errors.InvalidTimeError,
                {"sku": "BOLT", "quantity": 1, "counted_at": dt.datetime(2026, 3, 2, 9)},
            ),
            (
                errors.ValidationError,
                {"sku": "PUMP", "serial": "S1", "add": True},
            ),
        ]
        for error, kwargs in cases:
            with pytest.raises(error):
                site.counts.record(count.id, location="DC1/A/01", **kwargs)  # type: ignore[arg-type]
        with pytest.raises(errors.ValidationError, match="only internal"):
            site.counts.record(count.id, "BOLT", 1, location="suppliers")
        assert site.counts.get(count.id).lines == ()


class TestCloseCount:
    def test_differences_post_as_one_count_transaction(self, site: sl.Inventory) -> None:
        """Losses go to and gains come from `adjustment`, in one `count` transaction with a
        COUNT reference; counted positions end at the counted quantity."""
        count = site.counts.open("DC1/A")
        site.counts.record(count.id, "BOLT", 97, location="DC1/A/01")
        site.counts.record(count.id, "BOLT", 50, location="DC1/A/02")
        site.counts.record(count.id, "ASP", 32, location="DC1/A/01", lot="L1")
        site.counts.record(count.id, "ASP", 8, location="DC1/A/01", lot="L2")
        closed = site.counts.close(count.id, actor="sue")
        assert (closed.state, closed.closed_by) == (CountState.CLOSED, "sue")
        assert closed.transaction_id is not None
        tx = site.transaction(closed.transaction_id)
        assert tx.kind is TxKind.COUNT
        assert tx.refs == (Reference(type="COUNT", number=count.id),)
        assert tx.reason == f"cycle count {count.id}"
        assert sorted(moves(tx)) == [
            ("ASP", "L1", None, "adjustment", "DC1/A/01", D(2)),
            ("BOLT", None, None, "DC1/A/01", "adjustment", D(3)),
        ]
        assert site.on_hand("BOLT", location="DC1/A/01") == D(97)
        assert site.on_hand("ASP", lot="L1") == D(32)
        assert site.verify().ok

    def test_exact_count_posts_nothing(self, site: sl.Inventory) -> None:
        """A count that finds exactly the book closes without a transaction."""
        before = head(site)
        count = site.counts.open("DC1")
        for b in site.stock():
            site.counts.record(
                count.id, b.item, b.quantity, location=b.position.location, lot=b.lot
            )
        closed = site.counts.close(count.id)
        assert (closed.state, closed.transaction_id) == (CountState.CLOSED, None)
        assert head(site) == before

    def test_movements_during_the_count_are_not_corrected_twice(
        self, site: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """The correction is counted less the book when counted; movements after that are
        kept: 100 counted as 98, then +10 and -5 posted, closes at 103."""
        count = site.counts.open("DC1/A/01", sku="BOLT")
        site.counts.record(count.id, "BOLT", 98, location="DC1/A/01")
        clock.advance(minutes=10)
        site.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME")
        clock.advance(minutes=10)
        site.ship("BOLT", 5, src="DC1/A/01", customer="CUST")
        report = site.counts.report(count.id)
        assert [(x.expected, x.counted, x.difference) for x in report.lines] == [
            (D(100), D(98), D(-2))
        ]
        closed = site.counts.close(count.id)
        assert closed.transaction_id is not None
        assert moves(site.transaction(closed.transaction_id)) == [
            ("BOLT", None, None, "DC1/A/01", "adjustment", D(2))
        ]
        assert site.on_hand("BOLT", location="DC1/A/01") == D(103)

    def test_back_dated_movement_before_the_count_time_is_in_the_book(
        self, site: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A receipt posted late but effective before the count time was there when counted,
        so counting it posts nothing for it."""
        count = site.counts.open("DC1/A/01", sku="BOLT")
        counted_at = clock.now()
        clock.advance(minutes=30)
        site.counts.record(count.id, "BOLT", 110, location="DC1/A/01", counted_at=counted_at)
        site.receive(
            "BOLT",
            10,
            dst="DC1/A/01",
            effective_at=counted_at - dt.timedelta(minutes=5),
            supplier="ACME",
        )
        closed = site.counts.close(count.id)
        assert closed.transaction_id is None
        assert site.on_hand("BOLT", location="DC1/A/01") == D(110)

    def test_cycle_count_keeps_what_was_not_counted(self, site: sl.Inventory) -> None:
        """uncounted="keep": a location (or item) nobody counted keeps its book stock."""
        count = site.counts.open("DC1")
        site.counts.record(count.id, "BOLT", 90, location="DC1/A/01")
        site.counts.close(count.id)
        assert site.on_hand("BOLT", location="DC1/A/02") == D(50)
        assert site.on_hand("ASP") == D(38)
        assert site.on_hand("BOLT", location="DC1/A/01") == D(90)

    def test_counting_an_item_at_a_location_counts_all_of_it(self, site: sl.Inventory) -> None:
        """Lots, statuses and containers of a counted item at a counted location that were
        not recorded count as zero; other items there are untouched."""
        site.hold("BOLT", 4, location="DC1/A/01", reason="damaged box")
        count = site.counts.open("DC1/A")
        site.counts.record(count.id, "ASP", 30, location="DC1/A/01", lot="L1")
        site.counts.record(count.id, "BOLT", 96, location="DC1/A/01", status="available")
        closed = site.counts.close(count.id)
        assert closed.transaction_id is not None
        tx = site.transaction(closed.transaction_id)
        assert sorted((m.item, m.lot, m.src.status, m.quantity) for m in tx.movements) == [
            ("ASP", "L2", "available", D(8)),
            ("BOLT", None, "hold", D(4)),
        ]
        assert site.on_hand("BOLT", location="DC1/A/02") == D(50)

    def test_stock_take_writes_off_what_was_not_counted(self, site: sl.Inventory) -> None:
        """uncounted="zero": stock in scope nobody counted is written off; outside the scope
        nothing changes."""
        count = site.counts.open("DC1/A", uncounted="zero")
        site.counts.record(count.id, "BOLT", 100, location="DC1/A/01")
        closed = site.counts.close(count.id)
        assert closed.transaction_id is not None
        tx = site.transaction(closed.transaction_id)
        assert tx.reason == f"stock take {count.id}"
        assert sorted(moves(tx)) == [
            ("ASP", "L1", None, "DC1/A/01", "adjustment", D(30)),
            ("ASP", "L2", None, "DC1/A/01", "adjustment", D(8)),
            ("BOLT", None, None, "DC1/A/02", "adjustment", D(50)),
        ]
        assert site.on_hand("BOLT", location="DC1/B") == D(20)

    def test_stock_take_cut_off_is_the_opening(
        self, site: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """On a full stock take, uncounted stock is written off as of the opening: a
        receipt into an uncounted position after that is kept."""
        count = site.counts.open("DC1/A/02", uncounted="zero")
        clock.advance(minutes=5)
        site.receive("BOLT", 6, dst="DC1/A/02", supplier="ACME")
        closed = site.counts.close(count.id)
        assert closed.transaction_id is not None
        assert moves(site.transaction(closed.transaction_id)) == [
            ("BOLT", None, None, "DC1/A/02", "adjustment", D(50))
        ]
        assert site.on_hand("BOLT", location="DC1/A/02") == D(6)

    def test_found_stock_and_empty_locations(self, site: sl.Inventory) -> None:
        """Stock found where the book has none is a gain from `adjustment`; a location
        recorded empty loses everything the book has there."""
        site.add_location("DC1/A/03")
        count = site.counts.open("DC1/A")
        site.counts.record(count.id, "BOLT", 4, location="DC1/A/03")
        site.counts.record(count.id, location="DC1/A/02", empty=True)
        closed = site.counts.close(count.id)
        assert closed.transaction_id is not None
        assert sorted(moves(site.transaction(closed.transaction_id))) == [
            ("BOLT", None, None, "DC1/A/02", "adjustment", D(50)),
            ("BOLT", None, None, "adjustment", "DC1/A/03", D(4)),
        ]
        assert site.on_hand(location="DC1/A/02") == 0

    def test_a_zero_for_a_lot_item_counts_every_lot(self, site: sl.Inventory) -> None:
        """Quantity 0 of a lot-tracked item without a lot says none of any lot is there."""
        count = site.counts.open("DC1/A/01", sku="ASP")
        site.counts.record(count.id, "ASP", 0, location="DC1/A/01")
        site.counts.close(count.id)
        assert site.on_hand("ASP") == 0

    def test_impossible_correction_leaves_everything_as_it_was(
        self, site: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """If more left a position after it was counted than the count found, closing fails
        with InsufficientStockError; the count stays open and nothing is posted."""
        count = site.counts.open("DC1/A/01", sku="BOLT")
        site.counts.record(count.id, "BOLT", 98, location="DC1/A/01")
        clock.advance(minutes=1)
        site.ship("BOLT", 99, src="DC1/A/01", customer="CUST")
        before = head(site)
        with pytest.raises(errors.InsufficientStockError):
            site.counts.close(count.id)
        assert site.counts.get(count.id).state is CountState.OPEN
        assert head(site) == before

    def test_a_count_below_the_reserved_quantity_needs_a_release(self, site: sl.Inventory) -> None:
        """Counting less than is reserved at a position cannot close until the reservation
        is released."""
        site.allocate("BOLT", 60, order="SO-1", zones=["DC1/A/01"])
        count = site.counts.open("DC1/A/01", sku="BOLT")
        site.counts.record(count.id, "BOLT", 55, location="DC1/A/01")
        with pytest.raises(errors.ReservedStockError) as caught:
            site.counts.close(count.id)
        assert caught.value.orders == ("SO-1",)
        site.allocation.release("SO-1")
        site.counts.close(count.id)
        assert site.on_hand("BOLT", location="DC1/A/01") == D(55)

    def test_close_twice_and_cancel(self, site: sl.Inventory) -> None:
        """A closed or cancelled count cannot be closed or cancelled again; cancelling posts
        nothing."""
        count = site.counts.open("DC1/A")
        site.counts.record(count.id, "BOLT", 1, location="DC1/A/01")
        before = head(site)
        cancelled = site.counts.cancel(count.id, actor="ann")
        assert (cancelled.state, cancelled.closed_by, len(cancelled.lines)) == (
            CountState.CANCELLED,
            "ann",
            1,
        )
        assert head(site) == before
        for operation in (site.counts.close, site.counts.cancel):
            with pytest.raises(errors.CountError, match="cancelled"):
                operation(count.id)
        with pytest.raises(errors.CountError, match="no report"):
            site.counts.report(count.id)
        other = site.counts.open("DC1/A")
        site.counts.close(other.id)
        with pytest.raises(errors.CountError, match="closed"):
            site.counts.close(other.id)


class TestSerialCount:
    @pytest.fixture
    def pumps(self, site: sl.Inventory, clock: sl.FixedClock) -> sl.Inventory:
        site.receive("PUMP", dst="DC1/A/01", serials=["S1", "S2", "S3"], supplier="ACME")
        site.receive("PUMP", dst="DC1/A/02", serial="S4", supplier="ACME")
        site.receive("PUMP", dst="DC1/B/01", serial="S5", supplier="ACME")
        site.receive("PUMP", dst="DC1/B/01", serial="S6", supplier="ACME")
        site.ship("PUMP", src="DC1/B/01", serial="S6", customer="CUST")
        clock.advance(minutes=5)
        return site

    def test_missing_unexpected_and_moved_serials(self, pumps: sl.Inventory) -> None:
        """Serials are counted one by one: S3 not found at A/01 is missing; S4 found at A/01
        is gone from A/02; S5 found is gone from B/01 (outside the scope, but a serial is in
        one place); S6, shipped, found again is a gain."""
        count = pumps.counts.open("DC1/A", sku="PUMP")
        pumps.counts.record(count.id, "PUMP", location="DC1/A/01", serials=["S1", "S2", "S4"])
        pumps.counts.record(count.id, "PUMP", location="DC1/A/01", serial="S5")
        pumps.counts.record(count.id, "PUMP", location="DC1/A/02", serial="S6")
        report = pumps.counts.report(count.id)
        assert [(x.serial, x.location) for x in report.missing_serials] == [
            ("S3", "DC1/A/01"),
            ("S4", "DC1/A/02"),
            ("S5", "DC1/B/01"),
        ]
        assert [(x.serial, x.location) for x in report.unexpected_serials] == [
            ("S4", "DC1/A/01"),
            ("S5", "DC1/A/01"),
            ("S6", "DC1/A/02"),
        ]
        pumps.counts.close(count.id)
        here = sorted((b.serial, b.position.location) for b in pumps.stock("PUMP"))
        assert here == [
            ("S1", "DC1/A/01"),
            ("S2", "DC1/A/01"),
            ("S4", "DC1/A/01"),
            ("S5", "DC1/A/01"),
            ("S6", "DC1/A/02"),
        ]
        assert pumps.verify().ok

    def test_recording_a_serial_elsewhere_moves_its_line(self, pumps: sl.Inventory) -> None:
        """A serial has one line: scanning it again at another place moves the line."""
        count = pumps.counts.open("DC1/A", sku="PUMP")
        pumps.counts.record(count.id, "PUMP", location="DC1/A/01", serial="S4")
        pumps.counts.record(count.id, "PUMP", location="DC1/A/02", serial="S4")
        assert [(x.serial, x.location) for x in pumps.counts.get(count.id).lines] == [
            ("S4", "DC1/A/02")
        ]


class TestCountByScan:
    def test_scan_gives_item_lot_and_quantity(self, site: sl.Inventory) -> None:
        """A GS1 scan is parsed: item by GTIN, lot by (10); the quantity counts scans."""
        count = site.counts.open("DC1/A")
        lines = site.counts.record(
            count.id, location="DC1/A/01", scan=f"(01){GTIN_ASP}(10)L1", quantity=29
        )
        assert [(x.sku, x.lot, x.quantity) for x in lines] == [("ASP", "L1", D(29))]
        site.counts.record(count.id, location="DC1/A/01", scan=f"(01){GTIN_ASP}(10)L1", add=True)
        assert site.counts.get(count.id).lines[0].quantity == D(30)

    def test_a_scanned_unknown_lot_is_added_with_its_expiry(self, site: sl.Inventory) -> None:
        """Found stock of a lot stockline does not know is recorded; the lot is added with
        the label's expiry, and closing posts the gain."""
        count = site.counts.open("DC1/A")
        site.counts.record(
            count.id, location="DC1/A/02", scan=f"(01){GTIN_ASP}(17)271231(10)L9", quantity=6
        )
        assert site.master.lot("ASP", "L9").expiry == dt.date(2027, 12, 31)
        site.counts.close(count.id)
        assert site.on_hand("ASP", lot="L9", location="DC1/A/02") == D(6)

    def test_scan_contradicting_the_caller_is_refused(self, site: sl.Inventory) -> None:
        """A scan naming another item or lot than the caller gives is a ScanMismatchError."""
        count = site.counts.open("DC1/A")
        with pytest.raises(errors.ScanMismatchError):
            site.counts.record(count.id, "BOLT", location="DC1/A/01", scan=f"(01){GTIN_ASP}(10)L1")
        with pytest.raises(errors.ScanMismatchError):
            site.counts.record(
                count.id, location="DC1/A/01", lot="L2", scan=f"(01){GTIN_ASP}(10)L1"
            )
        with pytest.raises(errors.BarcodeError):
            site.counts.record(count.id, location="DC1/A/01", scan="(01)09506000134353")

    def test_serials_by_scan(self, site: sl.Inventory) -> None:
        """A serial-tracked item's unit barcode records its serial."""
        site.master.update_item("PUMP", gtin="09506000134376")
        site.receive("PUMP", dst="DC1/A/01", serial="S1", supplier="ACME")
        count = site.counts.open("DC1/A/01", sku="PUMP")
        lines = site.counts.record(count.id, location="DC1/A/01", scan="(01)09506000134376(21)S1")
        assert [(x.sku, x.serial, x.quantity, x.expected) for x in lines] == [
            ("PUMP", "S1", D(1), D(1))
        ]


class TestCountReport:
    def test_report_values_differences_at_cost(self, site: sl.Inventory) -> None:
        """The report has expected, counted, difference and value where a cost is given;
        the total is None while a line with a difference has no cost."""
        count = site.counts.open("DC1/A")
        site.counts.record(count.id, "BOLT", 97, location="DC1/A/01")
        site.counts.record(count.id, "BOLT", 50, location="DC1/A/02")
        site.counts.record(count.id, "ASP", 32, location="DC1/A/01", lot="L1")
        site.counts.record(count.id, "ASP", 8, location="DC1/A/01", lot="L2")
        preview = site.counts.report(count.id, costs={"BOLT": D("0.25")})
        assert preview.state is CountState.OPEN
        rows = [
            (x.location, x.sku, x.lot, x.expected, x.counted, x.difference, x.value)
            for x in preview.lines
        ]
        assert rows == [
            ("DC1/A/01", "ASP", "L1", D(30), D(32), D(2), None),
            ("DC1/A/01", "ASP", "L2", D(8), D(8), D(0), None),
            ("DC1/A/01", "BOLT", None, D(100), D(97), D(-3), D("-0.75")),
            ("DC1/A/02", "BOLT", None, D(50), D(50), D(0), D(0)),
        ]
        assert preview.total_value is None
        closed = site.counts.close(count.id)
        report = site.counts.report(count.id, costs={"BOLT": D("0.25"), "ASP": D("12.10")})
        assert (report.state, report.transaction_id) == (CountState.CLOSED, closed.transaction_id)
        assert report.total_value == D("23.45")
        assert [x.difference for x in report.differences] == [D(2), D(-3)]
        with pytest.raises(errors.ValidationError, match="floats"):
            site.counts.report(count.id, costs={"BOLT": 0.25})  # type: ignore[dict-item]

    def test_closed_report_does_not_change_with_later_movements(
        self, site: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """What a closed count posted is reported as posted, whatever happens later."""
        count = site.counts.open("DC1/A/01", sku="BOLT")
        site.counts.record(count.id, "BOLT", 97, location="DC1/A/01")
        site.counts.close(count.id)
        clock.advance(minutes=1)
        site.receive("BOLT", 7, dst="DC1/A/01", supplier="ACME")
        assert [(x.expected, x.counted) for x in site.counts.report(count.id).lines] == [
            (D(100), D(97))
        ]


class TestCountSheet:
    def test_sheet_lists_positions_and_empty_bins_in_pick_sequence(
        self, site: sl.Inventory
    ) -> None:
        """The sheet lists every book position in scope, and empty bins to visit, by pick
        sequence then location."""
        site.add_location("DC1/A/00", pick_sequence=9)
        count = site.counts.open("DC1/A")
        sheet = [(x.location, x.sku, x.lot, x.expected) for x in site.counts.sheet(count.id)]
        assert sheet == [
            ("DC1/A/01", "ASP", "L1", D(30)),
            ("DC1/A/01", "ASP", "L2", D(8)),
            ("DC1/A/01", "BOLT", None, D(100)),
            ("DC1/A/02", "BOLT", None, D(50)),
            ("DC1/A/00", None, None, D(0)),
        ]


class TestPersistence:
    def test_an_open_count_survives_a_restart(self, tmp_path: Path) -> None:
        """An open count and its lines are in the store: a new process closes it."""
        url = f"sqlite:///{tmp_path / 'stock.db'}"
        clock = sl.FixedClock(START)
        with sl.Inventory.open(url, clock=clock) as inv:
            inv.add_item("BOLT")
            inv.add_location("DC1/A/01")
            inv.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME")
            clock.advance(minutes=1)
            count = inv.counts.open("DC1", blind=True)
            inv.counts.record(count.id, "BOLT", 8, location="DC1/A/01")
        with sl.Inventory.open(url, clock=clock) as inv:
            assert [(x.sku, x.quantity) for x in inv.counts.get(count.id).lines] == [("BOLT", D(8))]
            closed = inv.counts.close(count.id)
            assert closed.transaction_id is not None
            assert inv.on_hand("BOLT") == D(8)
            assert inv.transaction(closed.transaction_id).movements[0].src == Position(
                location="DC1/A/01"
            )


class TestCountKeepsStatuses:
    def test_a_count_never_changes_a_status_or_container(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A count corrects quantities, never statuses or containers: a line without status=
        takes the book's status there (held stock stays held); a status or container that
        differs from every one the book has the stock in there is refused, nothing recorded;
        several book statuses need status=; stock the book does not have there is found
        stock, available unless status= says otherwise."""
        inv.receive(
            "ASP", 10, dst="DC1/A/01", lot="L1", expiry=dt.date(2027, 1, 1), supplier="ACME"
        )
        inv.hold("ASP", 10, lot="L1", location="DC1/A/01", reason="recall R-1")
        inv.receive("BOLT", 6, dst="DC1/A/01", supplier="ACME")
        inv.hold("BOLT", 2, location="DC1/A/01", reason="damaged")
        inv.add_container("P1")
        clock.advance(hours=1)
        count = inv.counts.open("DC1/A")
        for bad, match in (
            ({"sku": "ASP", "lot": "L1", "status": "available"}, "never statuses"),
            ({"sku": "ASP", "lot": "L1", "container": "P1"}, "never containers"),
            ({"sku": "BOLT"}, "statuses available, hold: record"),
        ):
            with pytest.raises(errors.CountError, match=match):
                inv.counts.record(count.id, quantity=10, location="DC1/A/01", **bad)  # type: ignore[arg-type]
        assert inv.counts.get(count.id).lines == ()
        [line] = inv.counts.record(count.id, "ASP", 10, location="DC1/A/01", lot="L1")
        assert (line.status, line.expected) == ("hold", D(10))
        inv.counts.record(count.id, "BOLT", 4, location="DC1/A/01", status="available")
        inv.counts.record(count.id, "BOLT", 2, location="DC1/A/01", status="hold")
        [found] = inv.counts.record(count.id, "BOLT", 3, location="DC1/A/02")
        assert found.status == "available"
        closed = inv.counts.close(count.id)
        assert closed.transaction_id is not None
        tx = inv.transaction(closed.transaction_id)
        assert [(m.item, m.dst.location, m.dst.status, m.quantity) for m in tx.movements] == [
            ("BOLT", "DC1/A/02", "available", D(3))
        ]
        assert inv.on_hand("ASP", status="hold") == D(10)
        assert inv.on_hand("ASP", status="available") == 0


class TestCountSameInstant:
    def test_a_movement_posted_after_a_line_at_the_same_instant_is_after_it(
        self, inv: sl.Inventory
    ) -> None:
        """The book at a count line is what was effective before its counted_at, plus what
        was effective at exactly that instant and posted before the line was recorded: a
        receipt at the same instant posted after the line is kept, not corrected away."""
        inv.receive(
            "BOLT", 100, dst="DC1/A/01", supplier="ACME"
        )  # same instant, posted before the line
        count = inv.counts.open("DC1/A/01")
        [line] = inv.counts.record(count.id, "BOLT", 95, location="DC1/A/01")
        inv.receive(
            "BOLT", 10, dst="DC1/A/01", supplier="ACME"
        )  # same instant, posted after the line
        assert inv.counts.get(count.id).lines[0].expected == D(100) == line.expected
        [report] = inv.counts.report(count.id).lines
        assert (report.expected, report.counted) == (D(100), D(95))
        inv.counts.close(count.id)
        assert inv.on_hand("BOLT", location="DC1/A/01") == D(105)


class TestStockTakeMoves:
    def test_stock_moved_out_of_an_uncounted_bin_is_not_written_off_twice(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """On a full stock take, an uncounted position is written off by what it held at
        the cut-off less what has left it since (never below zero): stock moved into a
        counted bin is counted there, arrivals after the cut-off are kept, and the close
        never fails for stock that already left."""
        inv.receive("BOLT", 50, dst="DC1/A/02", supplier="ACME")
        inv.receive("BOLT", 40, dst="DC1/B/01", supplier="ACME")
        clock.advance(minutes=1)
        take = inv.counts.open("DC1", sku="BOLT", uncounted="zero")
        clock.advance(minutes=1)
        inv.move("BOLT", 50, src="DC1/A/02", dst="DC1/A/01")
        inv.move("BOLT", 30, src="DC1/B/01", dst="DC1/A/01")
        inv.receive("BOLT", 10, dst="DC1/B/01", supplier="ACME")
        clock.advance(minutes=1)
        inv.counts.record(take.id, "BOLT", 80, location="DC1/A/01")
        lines = [(x.location, x.expected, x.counted) for x in inv.counts.report(take.id).lines]
        assert lines == [("DC1/A/01", D(80), D(80)), ("DC1/B/01", D(10), D(0))]
        closed = inv.counts.close(take.id)
        assert closed.transaction_id is not None
        assert moves(inv.transaction(closed.transaction_id)) == [
            ("BOLT", None, None, "DC1/B/01", "adjustment", D(10))
        ]
        assert [inv.on_hand("BOLT", location=p) for p in ("DC1/A/01", "DC1/A/02", "DC1/B/01")] == [
            D(80),
            D(0),
            D(10),
        ]
        assert inv.verify().ok


class TestSerialSeenByTwoCounts:
    def test_a_serial_found_elsewhere_is_not_taken_from_another_counts_position(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A serial found away from where the book has it is written off there only if no
        open count covers that position and no closed count found it there at or after this
        count found it: the contradiction is raised (CountError naming the other count),
        nothing is posted, and recounting the serial settles it."""
        inv.receive("PUMP", dst="DC1/B/01", serials=["S1"], supplier="ACME")
        clock.advance(minutes=5)
        a = inv.counts.open("DC1/A", sku="PUMP")
        b = inv.counts.open("DC1/B", sku="PUMP")
        clock.advance(minutes=5)
        inv.counts.record(b.id, "PUMP", location="DC1/B/01", serials=["S1"])
        inv.counts.record(a.id, "PUMP", location="DC1/A/01", serials=["S1"])
        before = head(inv)
        with pytest.raises(errors.CountError, match=f"open count {b.id} covers"):
            inv.counts.close(a.id)
        assert head(inv) == before
        assert inv.counts.get(a.id).state is CountState.OPEN
        assert inv.counts.close(b.id).transaction_id is None
        with pytest.raises(errors.CountError, match=f"count {b.id} found it at DC1/B/01"):
            inv.counts.close(a.id)
        assert head(inv) == before
        clock.advance(minutes=5)
        inv.counts.record(a.id, "PUMP", location="DC1/A/01", serials=["S1"])  # recounted
        assert inv.counts.close(a.id).transaction_id is not None
        assert [b.position.location for b in inv.stock("PUMP")] == ["DC1/A/01"]
