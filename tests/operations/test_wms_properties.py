"""Properties of returns and waves: returns never exceed what was shipped; a wave never picks
more than was reserved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import errors
from stockline.ledger import Reference

D = Decimal
START = pendulum.datetime(2026, 3, 2, 8, tz="UTC")

shipments = st.lists(st.integers(1, 6), min_size=1, max_size=4)
attempts = st.lists(
    st.tuples(st.integers(0, 3), st.integers(1, 7), st.booleans()), min_size=1, max_size=10
)


class TestReturnsNeverExceedShipped:
    @settings(max_examples=25)
    @given(shipped=shipments, attempts=attempts)
    def test_returns_are_bounded(
        self, shipped: list[int], attempts: list[tuple[int, int, bool]]
    ) -> None:
        """Whatever returns are tried (and some reversed), what came back against a shipment
        never passes what it sent; a return is accepted exactly when it fits, and a refused
        one posts nothing."""
        inv = sl.Inventory(clock=sl.FixedClock(START))
        inv.add_item("BOLT")
        inv.add_location("DC1/A")
        inv.add_location("DC1/RET")
        inv.receive(
            "BOLT", 100, dst="DC1/A", effective_at=START - dt.timedelta(days=1), supplier="ACME"
        )
        ids = [
            inv.ship("BOLT", q, src="DC1/A", customer=f"C{i % 2}", ref=f"SO-{i}").id
            for i, q in enumerate(shipped)
        ]
        for which, quantity, undo in attempts:
            shipment = ids[which % len(ids)]
            (line,) = inv.returns.returnable(shipment)
            head = inv.changes()[-1].id
            if quantity <= line.returnable:
                tx = inv.returns.receive("BOLT", quantity, dst="DC1/RET", shipment=shipment)
                assert Reference(type="SHIPMENT", number=str(shipment)) in tx.refs
                if undo:
                    inv.reverse(tx.id, reason="mistake")
            else:
                with pytest.raises(errors.ReturnError) as refused:
                    inv.returns.receive("BOLT", quantity, dst="DC1/RET", shipment=shipment)
                assert refused.value.available == line.returnable
                assert inv.changes()[-1].id == head
        for shipment, q in zip(ids, shipped, strict=True):
            (line,) = inv.returns.returnable(shipment)
            assert line.shipped == q
            assert 0 <= line.returned <= q
        back = sum(inv.returns.returnable(i)[0].returned for i in ids)
        assert inv.on_hand("BOLT", location="DC1/RET", status="returned") == back


stock = st.lists(st.tuples(st.sampled_from("ABC"), st.integers(1, 4), st.integers(1, 8)),
                 min_size=1, max_size=6)  # fmt: skip
demands = st.lists(st.integers(1, 10), min_size=1, max_size=3)
picks = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 9), st.booleans()), min_size=1, max_size=12
)


class TestWaveNeverPicksMoreThanReserved:
    @settings(max_examples=25)
    @given(stock=stock, demands=demands, picks=picks)
    def test_picks_are_bounded(
        self,
        stock: list[tuple[str, int, int]],
        demands: list[int],
        picks: list[tuple[int, int, bool]],
    ) -> None:
        """Whatever is confirmed (too much, short, nothing), no line picks past its plan, no
        order has more picked than it had reserved, and what an order holds plus what a
        short pick could not allocate again is what it was allocated."""
        inv = sl.Inventory(clock=sl.FixedClock(START))
        inv.add_item("BOLT")
        for zone, bin_, qty in stock:
            path = f"DC1/{zone}/{bin_:02d}"
            inv.add_location(path, pick_sequence=bin_) if not _known(inv, path) else None
            inv.receive(
                "BOLT", qty, dst=path, effective_at=START - dt.timedelta(days=1), supplier="ACME"
            )
        orders = []
        for n, q in enumerate(demands):
            order = f"SO-{n}"
            inv.add_location(f"DC1/OUT/{n}")
            if inv.allocate("BOLT", q, order=order).picks:
                orders.append(order)
        if not orders:
            return
        allocated = {o: sum(r.quantity for r in inv.allocation.reservations(o)) for o in orders}
        staging = {o: f"DC1/OUT/{o[3:]}" for o in orders}
        inv.picking.plan("W", orders, staging=staging, zone_depth=2)
        unallocated = dict.fromkeys(orders, D(0))
        for which, quantity, short in picks:
            lines = inv.picking.wave("W").lines
            line = lines[which % len(lines)]
            try:
                done = inv.picking.confirm(
                    "W", line.number, quantity=None if quantity == 9 else quantity, short=short
                )
            except errors.StocklineError:
                assert quantity > line.remaining or quantity == 0 or line.remaining == 0
                continue
            unallocated[line.order] += done.unallocated
        wave = inv.picking.wave("W")
        for line in wave.lines:
            assert line.picked + line.short <= line.quantity
        for order in orders:
            picked = sum(x.picked for x in wave.lines if x.order == order)
            held = sum(r.quantity for r in inv.allocation.reservations(order))
            assert picked <= allocated[order]
            assert held + unallocated[order] == allocated[order]
            assert inv.on_hand("BOLT", location=staging[order]) == picked
            assert inv.picking.progress(order).staged == picked


def _known(inv: sl.Inventory, path: str) -> bool:
    return any(loc.path == path for loc in inv.master.locations())
