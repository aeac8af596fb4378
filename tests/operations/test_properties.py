"""Properties of counts and replenishment over generated stock (in-memory store)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stockline as sl
from tests.conftest import START

BINS = ("DC1/A/01", "DC1/A/02", "DC1/B/01")
LOTS = ("L1", "L2", "L3")

receipts = st.lists(
    st.tuples(
        st.sampled_from(["BOLT", "ASP", "PUMP"]),
        st.sampled_from(BINS),
        st.sampled_from(LOTS),
        st.integers(1, 40),
        st.booleans(),  # put part of it on hold
    ),
    min_size=1,
    max_size=12,
)


def _stocked(rows: list[tuple[str, str, str, int, bool]]) -> tuple[sl.Inventory, sl.FixedClock]:
    clock = sl.FixedClock(START)
    inv = sl.Inventory(clock=clock)
    inv.add_item("BOLT")
    inv.add_item("ASP", tracking="lot")
    inv.add_item("PUMP", tracking="serial")
    for path in BINS:
        inv.add_location(path)
    for n, (sku, to, lot, qty, hold) in enumerate(rows):
        if sku == "PUMP":
            inv.receive("PUMP", dst=to, serial=f"S{n}", supplier="ACME")
            if hold:
                inv.hold("PUMP", location=to, serial=f"S{n}", reason="check")
            continue
        tracked = lot if sku == "ASP" else None
        inv.receive(
            sku,
            qty,
            dst=to,
            lot=tracked,
            expiry=dt.date(2027, 1, 1) if tracked else None,
            supplier="ACME",
        )
        if hold:
            inv.hold(sku, (qty + 1) // 2, location=to, lot=tracked, reason="check")
    clock.advance(minutes=5)
    return inv, clock


class TestCountProperties:
    @settings(max_examples=25)
    @given(
        rows=receipts,
        uncounted=st.sampled_from(["keep", "zero"]),
        blind=st.booleans(),
        moved_after=st.booleans(),
    )
    def test_recording_exactly_the_book_posts_nothing(
        self,
        rows: list[tuple[str, str, str, int, bool]],
        uncounted: str,
        blind: bool,
        moved_after: bool,
    ) -> None:
        """A count that records exactly the on-hand quantities closes without posting,
        whatever the mode, and even when stock moves after it was counted."""
        inv, clock = _stocked(rows)
        count = inv.counts.open("DC1", uncounted=uncounted, blind=blind)
        for b in inv.stock():
            inv.counts.record(
                count.id,
                b.item,
                b.quantity if b.serial is None else None,
                location=b.position.location,
                lot=b.lot,
                serial=b.serial,
                status=b.position.status,
            )
        if moved_after:
            clock.advance(minutes=5)
            inv.receive("BOLT", 7, dst="DC1/A/01", supplier="ACME")
        head = inv.verify().transactions
        closed = inv.counts.close(count.id)
        assert closed.transaction_id is None
        assert inv.verify().transactions == head
        assert all(line.difference == 0 for line in inv.counts.report(count.id).lines)

    @settings(max_examples=25)
    @given(rows=receipts, found=st.integers(0, 60))
    def test_a_counted_position_ends_at_its_count(
        self, rows: list[tuple[str, str, str, int, bool]], found: int
    ) -> None:
        """After close, a counted position holds exactly what was counted, and the ledger
        still verifies (conservation through the adjustment location); counting available
        stock where the book holds the item only on hold is refused (a count never changes
        statuses)."""
        inv, _ = _stocked(rows)
        count = inv.counts.open("DC1/A/01", sku="BOLT")
        statuses = {b.position.status for b in inv.stock("BOLT", location="DC1/A/01")}
        if statuses == {"hold"}:
            with pytest.raises(sl.errors.CountError, match="never statuses"):
                inv.counts.record(count.id, "BOLT", found, location="DC1/A/01", status="available")
            return
        inv.counts.record(count.id, "BOLT", found, location="DC1/A/01", status="available")
        inv.counts.close(count.id)
        assert inv.on_hand("BOLT", location="DC1/A/01", status="available") == found
        assert inv.on_hand("BOLT", location="DC1/A/01", status="hold") == 0
        assert inv.verify().ok


reserve = st.lists(
    st.tuples(
        st.sampled_from(["DC1/R/01", "DC1/R/02", "DC1/R/03"]),
        st.integers(1, 30),
        st.sampled_from(["available", "hold"]),
        st.integers(0, 30),  # reserve up to this much of it for an order
    ),
    max_size=6,
)


class TestReplenishmentProperties:
    @settings(max_examples=40)
    @given(
        stock=reserve,
        face=st.integers(0, 30),
        face_reserved=st.integers(0, 30),
        low=st.integers(0, 20),
        span=st.integers(1, 30),
        multiple=st.one_of(st.none(), st.integers(1, 12)),
    )
    def test_never_above_max_never_held_or_reserved(
        self,
        stock: list[tuple[str, int, str, int]],
        face: int,
        face_reserved: int,
        low: int,
        span: int,
        multiple: int | None,
    ) -> None:
        """A pick face is proposed for exactly when its free level is at or below min and
        it has room; a proposal never brings what is physically there (reserved stock
        included) above max, never takes held or reserved stock, moves whole multiples
        only, and posts cleanly."""
        if multiple is not None and span < multiple:
            span = multiple
        inv = sl.Inventory(clock=sl.FixedClock(START))
        inv.add_item("BOLT")
        for path in ("DC1/R/01", "DC1/R/02", "DC1/R/03", "DC1/P/01"):
            inv.add_location(path)
        for n, (to, qty, status, held) in enumerate(stock):
            inv.receive("BOLT", qty, dst=to, status=status, supplier="ACME")
            if status == "available" and held:
                inv.allocate("BOLT", min(held, qty), order=f"SO-{n}", zones=[to])
        if face:
            inv.receive("BOLT", face, dst="DC1/P/01", supplier="ACME")
            if face_reserved:
                inv.allocate("BOLT", min(face, face_reserved), order="SO-F", zones=["DC1/P/01"])
        inv.replenishment.set_rule("BOLT", "DC1/P/01", min=low, max=low + span, multiple=multiple)
        free = {(b.position.location, b.position.status): b.quantity for b in inv.stock("BOLT")}
        for r in inv.allocation.reservations():
            key = (r.position.location, r.position.status)
            free[key] -= r.quantity
        level = free.get(("DC1/P/01", "available"), Decimal(0))
        proposals = inv.replenishment.propose()
        room = Decimal(low + span - face)
        if multiple is not None:
            room = room // multiple * multiple
        if level > low or room <= 0:
            assert proposals == []
            return
        (p,) = proposals
        assert (p.level, p.on_hand, p.wanted) == (level, Decimal(face), room)
        assert face + p.quantity <= low + span
        for m in p.moves:
            assert m.src.status == "available"
            assert m.src.location != "DC1/P/01"
            assert m.quantity <= free[(m.src.location, m.src.status)]
            if multiple is not None:
                assert m.quantity % multiple == 0
        if p.moves:
            inv.replenishment.post(proposals)
            assert inv.on_hand("BOLT", location="DC1/P/01") <= low + span
            assert inv.verify().ok
