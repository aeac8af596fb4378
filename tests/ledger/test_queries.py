"""Balance, as-of, history and change-feed queries, on every store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

import stockline as sl
from stockline import errors
from tests.conftest import StoreFactory

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def make_store(any_store: StoreFactory) -> StoreFactory:
    """Every kind of store: these tests pin each store to the in-memory one's answers."""
    return any_store


@pytest.fixture
def day(inv: sl.Inventory, clock: sl.FixedClock) -> list[sl.Transaction]:
    """A small day: two receipts, a put-away, a shipment, a hold (one hour apart)."""
    txs = [inv.receive("ASP", 100, lot="L1", dst="DC1/DOCK", supplier="ACME", ref="PO-1")]
    clock.advance(hours=1)
    txs.append(inv.receive("ASP", 50, lot="L2", dst="DC2/DOCK", supplier="BETA", ref="PO-2"))
    clock.advance(hours=1)
    txs.append(inv.move("ASP", 60, lot="L1", src="DC1/DOCK", dst="DC1/A/01"))
    clock.advance(hours=1)
    txs.append(inv.ship("ASP", 20, lot="L1", src="DC1/A/01", customer="PHARMA-7", ref="SO-9"))
    clock.advance(hours=1)
    txs.append(inv.hold("ASP", 10, lot="L2", location="DC2/DOCK", reason="temperature excursion"))
    clock.advance(hours=1)
    return txs


class TestOnHand:
    def test_location_subtree_sums(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """A location includes everything below it, and nothing whose name merely starts alike."""
        inv.add_location("DC10/DOCK")
        inv.receive("ASP", 7, lot="L1", dst="DC10/DOCK", supplier="ACME")
        assert inv.on_hand("ASP", location="DC1") == 80
        assert inv.on_hand("ASP", location="DC1/A") == 40
        assert inv.on_hand("ASP", location="DC10") == 7
        assert inv.on_hand("ASP") == 137

    def test_filters_combine(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """Item, lot, status and location filters combine."""
        assert inv.on_hand("ASP", lot="L2", status="available") == 40
        assert inv.on_hand("ASP", lot="L2", status="hold") == 10
        assert inv.on_hand("ASP", lot="L1", location="DC2") == 0
        assert inv.on_hand(status="hold") == 10
        assert inv.on_hand(lot="L1") == 80

    def test_counterparties_are_not_on_hand(
        self, inv: sl.Inventory, day: list[sl.Transaction]
    ) -> None:
        """On-hand is internal stock; what suppliers gave and customers got is not counted."""
        assert inv.on_hand("ASP", location="customers") == 0
        shipped = inv.stock("ASP", location="customers", internal_only=False)
        assert [(b.position.location, b.quantity) for b in shipped] == [
            ("customers/PHARMA-7", Decimal(20))
        ]

    def test_stock_lists_positions(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """stock() gives one row per non-zero position, in a stable order."""
        rows = [
            (b.lot, b.position.location, b.position.status, b.quantity) for b in inv.stock("ASP")
        ]
        assert rows == [
            ("L1", "DC1/A/01", "available", Decimal(40)),
            ("L1", "DC1/DOCK", "available", Decimal(40)),
            ("L2", "DC2/DOCK", "available", Decimal(40)),
            ("L2", "DC2/DOCK", "hold", Decimal(10)),
        ]

    def test_unknown_filters_are_errors(self, inv: sl.Inventory) -> None:
        """A typo in an item or location is an error, not a silent zero."""
        with pytest.raises(errors.UnknownItemError):
            inv.on_hand("NOPE")
        with pytest.raises(errors.UnknownLocationError):
            inv.on_hand("ASP", location="DC9")


class TestAsOf:
    def test_as_of_effective_time(
        self, inv: sl.Inventory, day: list[sl.Transaction], clock: sl.FixedClock
    ) -> None:
        """as_of folds the movements effective up to that time."""
        t0 = day[0].effective_at
        assert inv.on_hand("ASP", as_of=t0 - HOUR) == 0
        assert inv.on_hand("ASP", as_of=t0) == 100
        assert inv.on_hand("ASP", location="DC1/A", as_of=t0 + 2 * HOUR) == 60
        assert inv.on_hand("ASP", as_of=t0 + 3 * HOUR) == 130
        assert inv.on_hand("ASP", status="hold", as_of=t0 + 3 * HOUR) == 0
        assert inv.on_hand("ASP", status="hold", as_of=clock.now()) == 10

    def test_as_of_stock_rows(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """stock(as_of=...) lists positions as they were."""
        rows = inv.stock("ASP", as_of=day[2].effective_at)
        assert [(b.lot, b.position.location, b.quantity) for b in rows] == [
            ("L1", "DC1/A/01", Decimal(60)),
            ("L1", "DC1/DOCK", Decimal(40)),
            ("L2", "DC2/DOCK", Decimal(50)),
        ]

    def test_backdated_posting_shows_in_as_of_but_not_known_at(
        self, inv: sl.Inventory, day: list[sl.Transaction], clock: sl.FixedClock
    ) -> None:
        """A back-dated posting changes "as of" views; known_at shows what was believed before."""
        t0 = day[0].effective_at
        believed_at = clock.now()
        clock.advance(hours=1)
        inv.scrap("ASP", 5, lot="L1", location="DC1/DOCK", reason="crushed", effective_at=t0 + HOUR)
        assert inv.on_hand("ASP", location="DC1/DOCK", as_of=t0 + HOUR) == 95
        assert inv.on_hand("ASP", location="DC1/DOCK", as_of=t0 + HOUR, known_at=believed_at) == 100
        assert inv.on_hand("ASP", location="DC1/DOCK") == 35

    def test_reversal_restores_as_of_views(
        self, inv: sl.Inventory, day: list[sl.Transaction]
    ) -> None:
        """A reversal is effective at the original's time, so as-of views after it are restored."""
        ship = day[3]
        inv.reverse(ship.id, reason="never left the dock")
        assert inv.on_hand("ASP", lot="L1", as_of=ship.effective_at) == 100
        assert (
            inv.on_hand("ASP", lot="L1", as_of=ship.effective_at, known_at=ship.recorded_at) == 80
        )

    def test_known_at_needs_as_of(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """known_at alone has no meaning and is refused."""
        with pytest.raises(errors.ValidationError):
            inv.on_hand("ASP", known_at=clock.now())

    def test_naive_as_of_is_refused(self, inv: sl.Inventory) -> None:
        """as_of must be aware like every other time."""
        with pytest.raises(errors.InvalidTimeError):
            inv.on_hand("ASP", as_of=dt.datetime(2026, 3, 2))


class TestHistory:
    def test_history_of_a_lot(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """history() lists the transactions that moved the lot, by effective time."""
        assert [tx.id for tx in inv.history("ASP", lot="L1")] == [day[0].id, day[2].id, day[3].id]

    def test_history_of_a_location_subtree(
        self, inv: sl.Inventory, day: list[sl.Transaction]
    ) -> None:
        """A location's history covers movements leaving or entering anything below it."""
        assert [tx.id for tx in inv.history(location="DC1/A")] == [day[2].id, day[3].id]
        assert [tx.id for tx in inv.history(location="DC2")] == [day[1].id, day[4].id]

    def test_history_window_and_limit(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """since/until bound effective times; limit caps the list."""
        t0 = day[0].effective_at
        found = inv.history("ASP", since=t0 + HOUR, until=t0 + 3 * HOUR)
        assert [tx.id for tx in found] == [day[1].id, day[2].id, day[3].id]
        assert len(inv.history("ASP", limit=2)) == 2

    def test_history_in_effective_order(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """A back-dated posting appears where it happened, not where it was posted."""
        late = inv.scrap(
            "ASP",
            1,
            lot="L1",
            location="DC1/DOCK",
            reason="crushed",
            effective_at=day[0].effective_at + dt.timedelta(minutes=30),
        )
        assert [tx.id for tx in inv.history("ASP", lot="L1")][:2] == [day[0].id, late.id]


class TestChangeFeed:
    def test_changes_after_a_cursor(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """changes(after=id) returns later transactions in posting order, in pages."""
        assert inv.changes() == day
        assert inv.changes(after=2, limit=2) == day[2:4]
        assert inv.changes(after=5) == []

    def test_transaction_lookup(self, inv: sl.Inventory, day: list[sl.Transaction]) -> None:
        """A posted transaction reads back exactly as it was returned."""
        assert inv.transaction(day[3].id) == day[3]
        assert day[3].refs == (sl.Reference(type="SO", number="SO-9"),)
        assert day[3].counterparty == "PHARMA-7"
        with pytest.raises(errors.UnknownTransactionError):
            inv.transaction(999)


class TestLargeSubtrees:
    def test_subtree_with_many_locations(self, inv: sl.Inventory) -> None:
        """A subtree of many bins sums every bin, internal only, and no look-alike sibling."""
        for n in range(80):
            inv.add_location(f"DC9/A/{n:03d}")
        inv.add_location("DC9-X/01")
        inv.add_location("DC9/TRUCK", kind="transit")
        for n in range(0, 80, 2):
            inv.receive("BOLT", n + 1, dst=f"DC9/A/{n:03d}", supplier="ACME")
        inv.receive("BOLT", 1000, dst="DC9-X/01", supplier="ACME")
        inv.move("BOLT", 1, src="DC9/A/000", dst="DC9/TRUCK")
        expected = sum(n + 1 for n in range(0, 80, 2)) - 1
        assert inv.on_hand("BOLT", location="DC9") == expected
        assert inv.on_hand("BOLT", location="DC9/A", status="available") == expected
        assert inv.on_hand("BOLT") == expected + 1000

    @pytest.mark.parametrize("bins", [3, 20, 70])
    def test_subtree_whose_locations_were_made_among_others(
        self, inv: sl.Inventory, bins: int
    ) -> None:
        """A subtree whose locations were added between other sites' (so that their ids are
        scattered: a few runs, many short runs, or too many for a list) sums the same."""
        for n in range(bins):
            inv.add_location(f"DC8/A/{n:03d}")
            inv.add_location(f"DC7/A/{n:03d}")
            if n % 2:
                inv.add_location(f"DC8/T/{n:03d}", kind="transit")
        stocked = range(0, bins, 3)
        for n in stocked:
            inv.receive("BOLT", n + 1, dst=f"DC8/A/{n:03d}", supplier="ACME")
        inv.receive("BOLT", 1000, dst=f"DC7/A/{bins - 1:03d}", supplier="ACME")
        inv.move("BOLT", 1, src="DC8/A/000", dst="DC8/T/001")
        expected = sum(n + 1 for n in stocked) - 1
        assert inv.on_hand("BOLT", location="DC8") == expected
        assert inv.on_hand("BOLT", location="DC8/A") == expected
        assert inv.on_hand("BOLT", location="DC8/T/001") == 1
        assert inv.on_hand("BOLT") == expected + 1000

    def test_item_under_a_site_after_a_refused_posting_and_a_rebuild(
        self, inv: sl.Inventory, day: list[sl.Transaction]
    ) -> None:
        """The on-hand of an item under a site is the sum of its positions there, and stays so
        when a posting is refused halfway (nothing of it counts) and after a rebuild."""

        def sums() -> list[Decimal]:
            return [inv.on_hand("ASP", location=root) for root in ("DC1", "DC1/A", "DC2")]

        def positions() -> list[Decimal]:
            return [
                sum((b.quantity for b in inv.stock("ASP", location=root)), Decimal(0))
                for root in ("DC1", "DC1/A", "DC2")
            ]

        assert sums() == positions() == [Decimal(80), Decimal(40), Decimal(50)]
        ok = sl.Movement(
            item="ASP",
            quantity=Decimal(5),
            src=sl.Position(location="DC1/A/01"),
            dst=sl.Position(location="DC1/B/01"),
            lot="L1",
        )
        too_much = attrs.evolve(ok, quantity=Decimal(500))
        with pytest.raises(errors.InsufficientStockError):
            inv.post_many(
                [
                    sl.NewTransaction(kind=sl.TxKind.TRANSFER, movements=(ok,)),
                    sl.NewTransaction(kind=sl.TxKind.TRANSFER, movements=(too_much,)),
                ]
            )
        assert sums() == positions() == [Decimal(80), Decimal(40), Decimal(50)]
        inv.rebuild()
        assert sums() == positions() == [Decimal(80), Decimal(40), Decimal(50)]

    def test_a_location_added_later_counts_in_its_site(self, inv: sl.Inventory) -> None:
        """A site asked for before a new bin was added below it includes the new bin after,
        and a new lot (master data, but no location) changes nothing of where the site is."""
        inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
        assert inv.on_hand("BOLT", location="DC1") == 5
        inv.add_location("DC1/C/01")
        inv.receive("BOLT", 7, dst="DC1/C/01", supplier="ACME")
        assert inv.on_hand("BOLT", location="DC1") == 12
        inv.receive("ASP", 3, lot="NEW", dst="DC1/C/01", supplier="ACME")
        assert inv.on_hand("BOLT", location="DC1") == 12
        assert inv.on_hand("ASP", location="DC1/C") == 3
