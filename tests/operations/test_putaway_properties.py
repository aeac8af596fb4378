"""Properties of put-away and transfer orders over generated operations (in-memory store)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import errors
from stockline.operations import (
    Bin,
    BinRules,
    Load,
    LoadLine,
    Mixing,
    StorageProfile,
    TransferState,
    plan_putaway,
)
from tests.conftest import START

D = Decimal
BINS = ("DC1/A/01", "DC1/A/02", "DC1/A/03")
EXPIRY = dt.date(2027, 1, 1)

bin_rules = st.tuples(
    st.one_of(st.none(), st.integers(1, 40)),  # max_units
    st.sampled_from(list(Mixing)),
)

steps = st.lists(
    st.tuples(
        st.sampled_from(["BOLT", "ASP"]),
        st.sampled_from(["L1", "L2"]),
        st.integers(1, 30),
        st.one_of(st.none(), st.sampled_from(BINS)),  # None: as suggested; else by hand
    ),
    min_size=1,
    max_size=8,
)


class TestPutawayProperties:
    @settings(max_examples=30, deadline=None)
    @given(rules=st.tuples(bin_rules, bin_rules, bin_rules), ops=steps)
    def test_never_over_capacity_nor_mixed(
        self,
        rules: tuple[tuple[int | None, Mixing], ...],
        ops: list[tuple[str, str, int, str | None]],
    ) -> None:
        """Whatever is received and put away, by suggestion or by hand, no bin ever holds
        more than its capacity, nor two items (lots) where its mixing rule forbids it."""
        inv = sl.Inventory(clock=sl.FixedClock(START))
        inv.add_item("BOLT")
        inv.add_item("ASP", tracking="lot")
        inv.add_location("DC1/DOCK")
        for path, (units, mixing) in zip(BINS, rules, strict=True):
            inv.add_location(path)
            inv.putaway.set_bin(path, max_units=units, mixing=mixing)
        for sku, lot, qty, by_hand in ops:
            tracked = lot if sku == "ASP" else None
            inv.receive(
                sku,
                qty,
                dst="DC1/DOCK",
                lot=tracked,
                expiry=EXPIRY if tracked else None,
                supplier="ACME",
            )
            try:
                if by_hand is None:
                    found = inv.putaway.suggest(sku, qty, lot=tracked, src="DC1/DOCK")
                    if any(s.placements for s in found):
                        inv.putaway.confirm(found)
                else:
                    inv.putaway.place(sku, qty, lot=tracked, src="DC1/DOCK", dst=by_hand)
            except errors.PutawayError:
                pass
            for path, (units, mixing) in zip(BINS, rules, strict=True):
                held = inv.stock(location=path)
                assert units is None or sum(b.quantity for b in held) <= units
                if mixing is Mixing.ITEM:
                    assert len({b.item for b in held}) <= 1
                if mixing is Mixing.LOT:
                    assert len({(b.item, b.lot) for b in held}) <= 1

    @settings(max_examples=50, deadline=None)
    @given(
        rooms=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=12),
        quantity=st.integers(1, 200),
        weight=st.one_of(st.none(), st.integers(1, 5)),
    )
    def test_plan_fits(
        self, rooms: list[tuple[int, int]], quantity: int, weight: int | None
    ) -> None:
        """A plan places exactly the load less what is unplaced, and no placement passes a
        bin's room, by units or by weight."""
        bins = [
            Bin(
                rules=BinRules(
                    location=f"B{n:02d}",
                    max_units=D(units),
                    max_weight=None if weight is None else D(units * 2),
                ),
                units=D(min(held, units)),
                weight=D(0),
            )
            for n, (units, held) in enumerate(rooms)
        ]
        profile = StorageProfile(sku="X", weight=None if weight is None else D(weight))
        load = Load(lines=(LoadLine(sku="X", quantity=D(quantity), profile=profile),))
        plan = plan_putaway(load, bins)
        assert sum(p.quantity for p in plan.placements) + plan.unplaced == quantity
        by_path = {b.location: b for b in bins}
        for p in plan.placements:
            b = by_path[p.location]
            assert b.units + p.quantity <= (b.rules.max_units or 0)
            if weight is not None:
                assert p.quantity * weight <= (b.rules.max_weight or 0)
        assert len({p.location for p in plan.placements}) == len(plan.placements)


class TestTransferProperties:
    @settings(max_examples=25, deadline=None)
    @given(
        shipped=st.integers(1, 40),
        parts=st.lists(st.integers(1, 15), max_size=4),
        end=st.sampled_from(["none", "cancel", "close"]),
    )
    def test_conserves_stock_across_sites(self, shipped: int, parts: list[int], end: str) -> None:
        """Shipping, receiving in parts and cancelling never make or lose stock: what is at
        both sites plus what is in transit is what was there, less only what closing wrote
        off; and nothing is received beyond what was shipped."""
        inv = sl.Inventory(clock=sl.FixedClock(START))
        inv.add_item("ASP", tracking="lot")
        for path in ("DC1/A", "DC2/DOCK"):
            inv.add_location(path)
        inv.receive("ASP", 25, lot="L1", expiry=EXPIRY, dst="DC1/A", supplier="ACME")
        inv.receive("ASP", 25, lot="L2", expiry=EXPIRY, dst="DC1/A", supplier="ACME")
        inv.transfers.create("TO-1", src="DC1", dst="DC2/DOCK", lines=[("ASP", shipped)])
        inv.transfers.ship("TO-1")
        received = D(0)
        for part in parts:
            rows = inv.transfers.in_transit(order="TO-1")
            if not rows:
                break
            row = rows[0]
            try:
                inv.transfers.receive("TO-1", "ASP", part, lot=row.lot)
                received += part
            except errors.TransferError:
                assert part > row.quantity
        written_off = D(0)
        if end == "cancel":
            if inv.transfers.order("TO-1").state is TransferState.RECEIVED:
                with pytest.raises(errors.TransferError):
                    inv.transfers.cancel("TO-1")  # all of it arrived: nothing to cancel
            else:
                inv.transfers.cancel("TO-1")
        elif end == "close":
            tx = inv.transfers.close("TO-1", reason="end of test")
            written_off = sum((m.quantity for m in tx.movements), D(0)) if tx else D(0)
        in_transit = inv.on_hand("ASP", location="transit/TO-1")
        assert inv.on_hand("ASP") + in_transit == 50 - written_off
        assert inv.on_hand("ASP", location="DC2") == received <= shipped
        report = inv.transfers.report("TO-1")
        (line,) = report.lines
        assert line.over == 0
        assert line.received + line.returned + line.in_transit + line.written_off == shipped
