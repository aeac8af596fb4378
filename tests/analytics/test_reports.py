"""Each analytics report on a small scenario, with its numbers worked out by hand, on every
store (the in-memory store folds the ledger, the SQL stores run set-based SQL)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

import stockline as sl
from stockline import errors
from stockline.analytics import NonconformityKind
from tests.conftest import START

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
#: The clock stands here, so postings from START on are in the past (Wednesday 1 April 2026).
NOW = START + 30 * DAY
TODAY = NOW.date()


def td(days: int = 0, hours: int = 0, minutes: int = 0, seconds: int = 0) -> dt.timedelta:
    return dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


@pytest.fixture
def inv(inv: sl.Inventory, clock: sl.FixedClock) -> sl.Inventory:
    """The shared inventory with the clock moved to NOW."""
    clock.set(NOW)
    return inv


@pytest.fixture
def bolts(inv: sl.Inventory) -> sl.Inventory:
    """BOLT: 10 in on day 0, 5 in on day 1, 12 shipped on day 3 (all at 08:00 UTC)."""
    inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="S1", effective_at=START)
    inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="S1", effective_at=START + DAY)
    inv.ship("BOLT", 12, src="DC1/DOCK", customer="C1", effective_at=START + 3 * DAY)
    return inv


class TestDwellTimes:
    def test_first_in_first_out(self, bolts: sl.Inventory) -> None:
        """The 12 shipped are the 10 oldest (3 days in) and 2 of the next (2 days in): mean
        (10·3 + 2·2) / 12 days = 2 d 20 h, shortest 2 d, longest 3 d."""
        [row] = bolts.analytics.dwell_times()
        assert row == sl.analytics.DwellTime(
            item="BOLT",
            quantity=Decimal(12),
            mean=td(days=2, hours=20),
            shortest=td(days=2),
            longest=td(days=3),
        )

    def test_moves_inside_do_not_restart_the_clock(self, bolts: sl.Inventory) -> None:
        """Put-away and status changes between internal positions are not receipts: the
        dwell still runs from the receipt."""
        bolts.move("BOLT", 3, src="DC1/DOCK", dst="DC1/A/01", effective_at=START + 4 * DAY)
        bolts.ship("BOLT", 3, src="DC1/A/01", customer="C1", effective_at=START + 5 * DAY)
        rows = bolts.analytics.dwell_times(since=START + 4 * DAY)
        assert [(r.quantity, r.mean) for r in rows] == [(Decimal(3), td(days=4))]

    def test_reversed_transactions_are_left_out(self, bolts: sl.Inventory) -> None:
        """A receipt posted by mistake and reversed takes no part in the matching."""
        wrong = bolts.receive(
            "BOLT", 100, dst="DC1/DOCK", effective_at=START - DAY, supplier="ACME"
        )
        bolts.reverse(wrong.id, reason="keyed twice")
        [row] = bolts.analytics.dwell_times()
        assert (row.quantity, row.mean, row.longest) == (
            Decimal(12),
            td(days=2, hours=20),
            td(days=3),
        )

    def test_scrap_takes_the_oldest_but_is_not_a_shipment(self, inv: sl.Inventory) -> None:
        """Stock written off leaves first in first out too, so the shipment after it is
        matched with younger stock; the scrapped quantity has no dwell row."""
        inv.receive("BOLT", 4, dst="DC1/DOCK", effective_at=START, supplier="ACME")
        inv.receive("BOLT", 4, dst="DC1/DOCK", effective_at=START + DAY, supplier="ACME")
        inv.scrap("BOLT", 4, location="DC1/DOCK", reason="rust", effective_at=START + 2 * DAY)
        inv.ship("BOLT", 4, src="DC1/DOCK", customer="C1", effective_at=START + 5 * DAY)
        [row] = inv.analytics.dwell_times()
        assert (row.quantity, row.mean, row.shortest) == (Decimal(4), td(days=4), td(days=4))

    def test_by_lot_item_and_category(self, bolts: sl.Inventory) -> None:
        """Lots are matched on their own; rows roll up to the item or to a caller's
        categories, SKUs without a category going under None."""
        inv = bolts
        inv.receive("ASP", 10, lot="L1", dst="DC1/A/01", effective_at=START, supplier="ACME")
        inv.receive("ASP", 10, lot="L2", dst="DC1/A/01", effective_at=START + DAY, supplier="ACME")
        inv.ship("ASP", 4, lot="L1", src="DC1/A/01", customer="C1", effective_at=START + 2 * DAY)
        inv.ship("ASP", 6, lot="L2", src="DC1/A/01", customer="C1", effective_at=START + 4 * DAY)
        by_lot = [(r.item, r.lot, r.quantity, r.mean) for r in inv.analytics.dwell_times(by="lot")]
        assert by_lot == [
            ("ASP", "L1", Decimal(4), td(days=2)),
            ("ASP", "L2", Decimal(6), td(days=3)),
            ("BOLT", None, Decimal(12), td(days=2, hours=20)),
        ]
        [asp] = inv.analytics.dwell_times(sku="ASP")
        # (4·2 + 6·3) / 10 = 2.6 days
        assert (asp.quantity, asp.mean) == (Decimal(10), td(days=2, hours=14, minutes=24))
        rows = inv.analytics.dwell_times(by="category", categories={"ASP": "pharma"})
        assert [(r.category, r.item, r.quantity, r.mean) for r in rows] == [
            ("pharma", None, Decimal(10), td(days=2, hours=14, minutes=24)),
            (None, None, Decimal(12), td(days=2, hours=20)),
        ]

    def test_fractional_quantities_and_seconds(self, inv: sl.Inventory) -> None:
        """Quantities keep every decimal and dwell counts whole seconds: 0.375 kg over
        1 d 0 h 0 min 7 s and 0.125 kg over 3 s mean (0.375·86407 + 0.125·3)/0.5 = 64806 s."""
        inv.receive("FLOUR", "0.375", dst="DC1/DOCK", effective_at=START, supplier="ACME")
        inv.receive(
            "FLOUR",
            "1000.125",
            dst="DC1/DOCK",
            effective_at=START + td(days=1, seconds=4),
            supplier="ACME",
        )
        inv.ship("FLOUR", "0.5", src="DC1/DOCK", customer="C1", effective_at=START + td(1, 0, 0, 7))
        [row] = inv.analytics.dwell_times()
        assert row.quantity == Decimal("0.5")
        assert row.mean == td(seconds=64806)
        assert (row.shortest, row.longest) == (td(seconds=3), td(days=1, seconds=7))

    def test_window_selects_shipments(self, bolts: sl.Inventory) -> None:
        """since/until select shipments by their own time; the receipts matched may be older."""
        assert bolts.analytics.dwell_times(until=START + 3 * DAY) == []
        [row] = bolts.analytics.dwell_times(since=START + 3 * DAY, until=START + 4 * DAY)
        assert row.quantity == 12

    def test_bad_arguments_are_refused(self, bolts: sl.Inventory) -> None:
        """A category grouping without categories, an unknown item, a naive time or an
        empty window raise clear errors."""
        with pytest.raises(errors.ValidationError, match="categories="):
            bolts.analytics.dwell_times(by="category")
        with pytest.raises(errors.ValidationError, match="by must be"):
            bolts.analytics.dwell_times(by="supplier")  # type: ignore[arg-type]
        with pytest.raises(errors.UnknownItemError):
            bolts.analytics.dwell_times(sku="NOPE")
        with pytest.raises(errors.InvalidTimeError):
            bolts.analytics.dwell_times(since=dt.datetime(2026, 3, 1))
        with pytest.raises(errors.ValidationError, match="must come after"):
            bolts.analytics.dwell_times(since=START, until=START)


class TestTurnover:
    def test_time_weighted_average(self, bolts: sl.Inventory) -> None:
        """Over 2-9 March: on hand 10 for 1 day, 15 for 2 days, 3 for 3 d 16 h = 51 unit-days
        over 7 days = 7.285714 on average; 12 shipped turn it 1.6471 times, and the average
        lasts 51 / 12 = 4.25 days at that rate."""
        rows = bolts.analytics.turnover(since=START - 8 * HOUR, until=START + 7 * DAY - 8 * HOUR)
        assert rows == [
            sl.analytics.Turnover(
                item="BOLT",
                shipped=Decimal(12),
                average_on_hand=Decimal("7.285714"),
                turns=Decimal("1.6471"),
                days_of_cover=Decimal("4.25"),
            )
        ]

    def test_opening_stock_counts_for_the_whole_period(self, bolts: sl.Inventory) -> None:
        """Stock from before the period counts from its start: 3 on hand all of 10-12 March
        and nothing shipped is 0 turns, no cover figure."""
        [row] = bolts.analytics.turnover(since=START + 8 * DAY, until=START + 10 * DAY)
        assert (row.shipped, row.average_on_hand, row.turns, row.days_of_cover) == (
            Decimal(0),
            Decimal(3),
            Decimal(0),
            None,
        )

    def test_location_counts_moves_in_and_out(self, bolts: sl.Inventory) -> None:
        """Measured at DC1/A, moving stock there is an inflow: 3 arrive at 08:00 on day 4, so
        over day 4 the average is 3 · 16 / 24 = 2; nothing shipped from there."""
        bolts.move("BOLT", 3, src="DC1/DOCK", dst="DC1/A/01", effective_at=START + 4 * DAY)
        [row] = bolts.analytics.turnover(
            since=START + 4 * DAY - 8 * HOUR, until=START + 5 * DAY - 8 * HOUR, location="DC1/A"
        )
        assert (row.average_on_hand, row.shipped) == (Decimal(2), Decimal(0))
        assert bolts.analytics.turnover(since=START, until=START + DAY, location="DC2") == []

    def test_until_defaults_to_now(self, bolts: sl.Inventory, clock: sl.FixedClock) -> None:
        """Without until, the period ends at the clock's now."""
        clock.set(START + 7 * DAY - 8 * HOUR)
        [row] = bolts.analytics.turnover(since=START - 8 * HOUR)
        assert row.average_on_hand == Decimal("7.285714")

    def test_bad_arguments_are_refused(self, bolts: sl.Inventory) -> None:
        """A period under a second, an unknown location or item raise clear errors."""
        with pytest.raises(errors.ValidationError, match="at least a second"):
            bolts.analytics.turnover(since=START, until=START + dt.timedelta(microseconds=999_999))
        with pytest.raises(errors.UnknownLocationError):
            bolts.analytics.turnover(since=START, until=START + DAY, location="NOPE")
        with pytest.raises(errors.UnknownItemError):
            bolts.analytics.turnover(since=START, until=START + DAY, sku="NOPE")


class TestAging:
    def test_by_expiry(self, inv: sl.Inventory) -> None:
        """Days to each lot's expiry put its stock in a bucket; expired stock is below 0 and
        stock without an expiry has its own bucket."""
        for lot, days, qty in (("OLD", -1, 1), ("SOON", 0, 2), ("NEAR", 29, 3), ("MID", 45, 4)):
            inv.receive(
                "ASP", qty, lot=lot, expiry=TODAY + td(days), dst="DC1/A/01", supplier="ACME",
                allow_expired=days < 0, reason="already expired" if days < 0 else None,
            )  # fmt: skip
        inv.receive("BOLT", 7, dst="DC1/A/01", supplier="ACME")
        rows = inv.analytics.aging()
        assert [(r.item, r.bucket, r.low, r.high, r.quantity) for r in rows] == [
            ("ASP", "<0", None, -1, Decimal(1)),
            ("ASP", "0-29", 0, 29, Decimal(5)),
            ("ASP", "30-59", 30, 59, Decimal(4)),
            ("BOLT", "no expiry", None, None, Decimal(7)),
        ]
        rows = inv.analytics.aging(edges=[40], at=TODAY + td(10), sku="ASP")
        assert [(r.bucket, r.quantity) for r in rows] == [("<40", Decimal(10))]

    def test_by_receipt_first_in_first_out(self, inv: sl.Inventory) -> None:
        """What is left after shipping is the youngest stock: of 10 received 40 days ago and
        5 received 10 days ago, 12 shipped leave 3 that are 10 days old."""
        inv.receive("BOLT", 10, dst="DC1/DOCK", effective_at=NOW - 40 * DAY, supplier="ACME")
        inv.receive("BOLT", 5, dst="DC1/DOCK", effective_at=NOW - 10 * DAY, supplier="ACME")
        inv.receive(
            "ASP", 6, lot="L1", dst="DC1/DOCK", effective_at=NOW - 70 * DAY, supplier="ACME"
        )
        inv.ship("BOLT", 12, src="DC1/DOCK", customer="C1", effective_at=NOW - DAY)
        rows = inv.analytics.aging(basis="receipt")
        assert [(r.item, r.bucket, r.quantity) for r in rows] == [
            ("ASP", "60-89", Decimal(6)),
            ("BOLT", "0-29", Decimal(3)),
        ]

    def test_bad_edges_are_refused(self, inv: sl.Inventory) -> None:
        """Edges must be increasing whole numbers; the basis must be known."""
        for edges in ([], [30, 30], [30, 10], [1.5]):
            with pytest.raises(errors.ValidationError, match="edges"):
                inv.analytics.aging(edges=edges)  # type: ignore[arg-type]
        with pytest.raises(errors.ValidationError, match="basis"):
            inv.analytics.aging(basis="age")  # type: ignore[arg-type]


class TestNearExpiry:
    def test_lists_positions_with_reservations(self, inv: sl.Inventory) -> None:
        """Lots expiring within the horizon (or expired) are listed per position, soonest
        first, whatever their status, with what is reserved there."""
        inv.receive("ASP", 10, lot="SOON", expiry=TODAY + td(5), dst="DC1/A/01", supplier="ACME")
        inv.move("ASP", 4, lot="SOON", src="DC1/A/01", dst="DC1/B/01")
        inv.receive(
            "ASP", 3, lot="GONE", expiry=TODAY - td(2), dst="DC1/A/02",
            allow_expired=True, reason="kept for the test of expired stock", supplier="ACME",
        )  # fmt: skip
        inv.hold("ASP", 1, lot="GONE", location="DC1/A/02", reason="expired")
        inv.receive("ASP", 8, lot="LATER", expiry=TODAY + td(31), dst="DC1/A/01", supplier="ACME")
        inv.allocate("ASP", 2, order="SO-1", lot="SOON", zones=["DC1/B"])
        rows = inv.analytics.near_expiry(30)
        assert [
            (r.lot, r.days_left, r.location, r.status, r.quantity, r.reserved, r.unreserved)
            for r in rows
        ] == [
            ("GONE", -2, "DC1/A/02", "available", Decimal(2), Decimal(0), Decimal(2)),
            ("GONE", -2, "DC1/A/02", "hold", Decimal(1), Decimal(0), Decimal(1)),
            ("SOON", 5, "DC1/A/01", "available", Decimal(6), Decimal(0), Decimal(6)),
            ("SOON", 5, "DC1/B/01", "available", Decimal(4), Decimal(2), Decimal(2)),
        ]
        assert [r.lot for r in inv.analytics.near_expiry(31)][-1] == "LATER"
        assert [r.location for r in inv.analytics.near_expiry(30, location="DC1/B")] == ["DC1/B/01"]
        assert [r.lot for r in inv.analytics.near_expiry(0)] == ["GONE", "GONE"]
        assert inv.analytics.near_expiry(30, at=TODAY - td(40)) == []

    def test_bad_arguments_are_refused(self, inv: sl.Inventory) -> None:
        """A negative horizon, a datetime for a date, an unknown location raise clear errors."""
        with pytest.raises(errors.ValidationError, match="days"):
            inv.analytics.near_expiry(-1)
        with pytest.raises(errors.ValidationError, match=r"at must be a datetime\.date"):
            inv.analytics.near_expiry(3, at=NOW)
        with pytest.raises(errors.UnknownLocationError):
            inv.analytics.near_expiry(3, location="NOPE")

    def test_a_horizon_is_at_most_a_century(self, inv: sl.Inventory) -> None:
        """days is bounded at 36525 (100 years): more is a ValidationError naming the bound,
        not an OverflowError of the date arithmetic; the bound itself works, even counted
        from the last days of the calendar."""
        inv.receive("ASP", 10, lot="FAR", expiry=TODAY + td(20000), dst="DC1/A/01", supplier="ACME")
        for days in (36526, 10**7):
            with pytest.raises(errors.ValidationError, match="36525"):
                inv.analytics.near_expiry(days)
        assert [r.lot for r in inv.analytics.near_expiry(36525)] == ["FAR"]
        assert [r.lot for r in inv.analytics.near_expiry(36525, at=dt.date(9999, 12, 1))] == ["FAR"]


class TestSupplierNonconformity:
    @pytest.fixture
    def findings(self, inv: sl.Inventory) -> sl.Inventory:
        """L1 from S1 (held twice, then some scrapped), L2 from S2 (received in quarantine,
        then partly returned), BOLT from S1 (untracked, held once)."""
        inv.receive("ASP", 10, lot="L1", dst="DC1/A/01", supplier="S1")
        inv.receive("ASP", 5, lot="L1", dst="DC1/A/01", supplier="S1")
        inv.receive("ASP", 8, lot="L2", dst="DC1/A/02", supplier="S2", status="quarantine")
        inv.receive("BOLT", 4, dst="DC1/A/01", supplier="S1")
        inv.hold("ASP", 3, lot="L1", location="DC1/A/01", reason="damaged")
        inv.release("ASP", 3, lot="L1", location="DC1/A/01", reason="checked")
        inv.hold("ASP", 2, lot="L1", location="DC1/A/01", reason="damaged")
        inv.scrap("ASP", 2, lot="L1", location="DC1/A/01", status="hold", reason="damaged")
        inv.change_status(
            "ASP", 8, lot="L2", location="DC1/A/02", status="quarantine", dst_status="hold",
            reason="failed inspection",
        )  # fmt: skip
        # Goods back to the supplier: move() keeps stock in-house, so a hand-built posting.
        back = sl.Movement(
            item="ASP",
            quantity=Decimal(5),
            lot="L2",
            src=sl.Position(location="DC1/A/02", status="hold"),
            dst=sl.Position(location="suppliers/S2"),
        )
        inv.post(
            sl.NewTransaction(
                kind=sl.TxKind.TRANSFER, movements=(back,), reason="failed inspection"
            )
        )
        inv.hold("BOLT", 1, location="DC1/A/01", reason="damaged")
        return inv

    def test_events_by_supplier_kind_and_reason(self, findings: sl.Inventory) -> None:
        """Holds (entering a blocking status; leaving quarantine for hold counts, releasing
        does not), returns and scrap are counted per supplier of the lot, with the supplier's
        receipts of the item; untracked stock has no supplier."""
        rows = findings.analytics.supplier_nonconformity()
        hold, ret, scrap = NonconformityKind.HOLD, NonconformityKind.RETURN, NonconformityKind.SCRAP
        assert [
            (r.supplier, r.item, r.kind, r.reason, r.events, r.quantity, r.receipts) for r in rows
        ] == [
            ("S1", "ASP", hold, "damaged", 2, Decimal(5), 2),
            ("S1", "ASP", scrap, "damaged", 1, Decimal(2), 2),
            ("S2", "ASP", hold, "failed inspection", 1, Decimal(8), 1),
            ("S2", "ASP", ret, "failed inspection", 1, Decimal(5), 1),
            (None, "BOLT", hold, "damaged", 1, Decimal(1), 0),
        ]
        assert rows[0].rate == Decimal(1)
        assert rows[-1].rate is None

    def test_statuses_and_window(self, findings: sl.Inventory, clock: sl.FixedClock) -> None:
        """Only the given statuses make a hold; only events in the window count."""
        rows = findings.analytics.supplier_nonconformity(statuses=["quarantine"])
        assert {(r.supplier, r.kind, r.events) for r in rows} == {
            ("S2", NonconformityKind.HOLD, 1),
            ("S1", NonconformityKind.SCRAP, 1),
            ("S2", NonconformityKind.RETURN, 1),
        }
        assert findings.analytics.supplier_nonconformity(since=clock.now() + DAY) == []

    def test_unknown_status_is_refused(self, findings: sl.Inventory) -> None:
        """A status that does not exist is an error, not an empty report."""
        with pytest.raises(errors.UnknownStatusError, match="HOLD"):
            findings.analytics.supplier_nonconformity(statuses=["HOLD"])


class TestActivity:
    @pytest.fixture
    def busy(self, inv: sl.Inventory) -> sl.Inventory:
        """A receipt at 08:10, a put-away at 08:50, a pick at 14:05 and a hold at 14:20 (UTC)."""
        inv.receive(
            "BOLT", 10, dst="DC1/DOCK", effective_at=START + td(minutes=10), supplier="ACME"
        )
        inv.move("BOLT", 10, src="DC1/DOCK", dst="DC1/A/01", effective_at=START + td(minutes=50))
        inv.move(
            "BOLT", 4, src="DC1/A/01", dst="DC1/A/02", kind="pick",
            effective_at=START + td(hours=6, minutes=5),
        )  # fmt: skip
        inv.hold(
            "BOLT",
            1,
            location="DC1/A/02",
            reason="check",
            effective_at=START + td(hours=6, minutes=20),
        )
        return inv

    def test_zone_by_hour(self, busy: sl.Inventory) -> None:
        """Each line counts inbound where it enters and outbound where it leaves (internal
        locations only), by zone and hour."""
        rows = busy.analytics.activity()
        assert [(r.zone, r.hour, r.inbound, r.outbound) for r in rows] == [
            ("DC1/A", 8, 1, 0),
            ("DC1/A", 14, 2, 2),
            ("DC1/DOCK", 8, 1, 1),
        ]
        assert [(r.zone, r.hour, r.touches) for r in busy.analytics.activity(depth=1)] == [
            ("DC1", 8, 3),
            ("DC1", 14, 4),
        ]

    def test_time_zone_kinds_and_window(self, busy: sl.Inventory) -> None:
        """Hours are counted in the given time zone (Berlin is UTC+1 in early March); kinds and
        the window select transactions."""
        rows = busy.analytics.activity(depth=1, timezone="Europe/Berlin")
        assert [(r.hour, r.touches) for r in rows] == [(9, 3), (15, 4)]
        rows = busy.analytics.activity(kinds=["pick"])
        assert [(r.zone, r.hour, r.inbound, r.outbound) for r in rows] == [("DC1/A", 14, 1, 1)]
        assert busy.analytics.activity(since=START + td(hours=7)) == []

    def test_bad_arguments_are_refused(self, busy: sl.Inventory) -> None:
        """A depth below 1, an unknown time zone or kind raise clear errors."""
        with pytest.raises(errors.ValidationError, match="depth"):
            busy.analytics.activity(depth=0)
        with pytest.raises(errors.ValidationError, match="time zone"):
            busy.analytics.activity(timezone="Mars/Olympus")
        with pytest.raises(errors.ValidationError, match="transaction kind"):
            busy.analytics.activity(kinds=["teleport"])
        with pytest.raises(errors.ValidationError, match="transaction kind"):
            busy.analytics.activity(kinds="teleport")

    def test_one_kind_may_be_given_alone(self, busy: sl.Inventory) -> None:
        """kinds="pick" (or a TxKind) is one kind, not the letters p, i, c, k."""
        picks = busy.analytics.activity(kinds=["pick"])
        assert picks
        assert busy.analytics.activity(kinds="pick") == picks
        assert busy.analytics.activity(kinds=sl.TxKind.PICK) == picks

    @pytest.mark.parametrize("minutes", [20, -20, 7])
    def test_a_fixed_offset_off_the_quarter_hour_is_refused(
        self, inv: sl.Inventory, minutes: int
    ) -> None:
        """Sources count per quarter hour in UTC, so a time zone whose offset is not whole
        quarter hours (+05:20) would put lines in the wrong hour: refused, even before
        anything is counted."""
        zone = dt.timezone(dt.timedelta(hours=5 if minutes > 0 else -5, minutes=minutes))
        with pytest.raises(errors.ValidationError, match="quarter"):
            inv.analytics.activity(timezone=zone)

    def test_quarter_hour_offsets_are_taken(self, busy: sl.Inventory) -> None:
        """+05:45 (Nepal) is whole quarter hours: hours are counted in it (08:10 UTC is
        13:55, 08:50 is 14:35)."""
        zone = dt.timezone(dt.timedelta(hours=5, minutes=45))
        assert [(r.hour, r.touches) for r in busy.analytics.activity(depth=1, timezone=zone)] == [
            (13, 1),
            (14, 2),
            (19, 2),
            (20, 2),
        ]

    def test_a_zone_off_the_quarter_hour_where_it_counts_is_refused(
        self, busy: sl.Inventory
    ) -> None:
        """A zone whose offset varies (no fixed offset to check up front) is refused where a
        counted line falls at an offset that is not whole quarter hours."""

        class Odd(dt.tzinfo):
            def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
                return None if when is None else dt.timedelta(minutes=20)

            def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
                return dt.timedelta(0)

            def tzname(self, when: dt.datetime | None) -> str:
                return "ODD"

            def fromutc(self, when: dt.datetime) -> dt.datetime:
                return when + dt.timedelta(minutes=20)

        with pytest.raises(errors.ValidationError, match="quarter"):
            busy.analytics.activity(timezone=Odd())


class TestRows:
    def test_to_dict_is_json_ready(self, bolts: sl.Inventory) -> None:
        """Rows turn into plain JSON: decimals as text, durations in seconds, enums as values."""
        [row] = bolts.analytics.dwell_times()
        assert json.loads(json.dumps(row.to_dict())) == {
            "item": "BOLT",
            "lot": None,
            "category": None,
            "quantity": "12",
            "mean": 244800,
            "shortest": 172800,
            "longest": 259200,
        }
        bolts.hold("BOLT", 1, location="DC1/DOCK", reason="dent")
        [finding] = bolts.analytics.supplier_nonconformity()
        assert finding.to_dict()["kind"] == "hold"
