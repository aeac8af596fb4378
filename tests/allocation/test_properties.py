"""Invariants of reservations under random allocations, releases and picks, on every store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import errors
from stockline.ledger import BalanceQuery
from stockline.policies import Allocation
from tests.conftest import START, StoreFactory

UTC = dt.UTC
BINS = ("DC1/A/01", "DC1/A/02", "DC1/B/01")
LOTS = ("L1", "L2", "L3")

receipts = st.lists(
    st.tuples(st.sampled_from(BINS), st.sampled_from(LOTS), st.integers(1, 20)),
    min_size=1,
    max_size=6,
)
actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("allocate"), st.sampled_from(("SO-1", "SO-2", "SO-3")), st.integers(1, 30)
        ),
        st.tuples(st.just("release"), st.sampled_from(("SO-1", "SO-2", "SO-3")), st.just(0)),
        st.tuples(st.just("pick"), st.sampled_from(("SO-1", "SO-2", "SO-3")), st.just(0)),
        st.tuples(st.just("move"), st.sampled_from(BINS), st.integers(1, 10)),
    ),
    max_size=10,
)


def check(inv: sl.Inventory) -> None:
    """Reserved never exceeds on hand at any position; ATP = on-hand available - reserved."""
    with inv.store.read() as r:
        balances = {
            (
                b.item,
                b.lot,
                b.serial,
                b.position.location,
                b.position.status,
                b.position.container,
            ): (b.quantity)
            for b in r.balances(BalanceQuery(item="MILK"))
        }
        held = r.reserved(balances)
        for key, quantity in held.items():
            assert quantity <= balances[key]
        assert sum(held.values(), Decimal(0)) == sum(
            (x.quantity for x in r.reservations(item="MILK")), Decimal(0)
        )
    on_hand = inv.on_hand("MILK", status="available")
    total_held = sum((x.quantity for x in inv.allocation.reservations(sku="MILK")), Decimal(0))
    atp = inv.allocation.available_to_promise("MILK")
    assert atp == on_hand - total_held
    assert atp >= 0


class TestReservationInvariants:
    @settings(
        max_examples=20,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(receipts=receipts, actions=actions)
    def test_random_allocations_never_overreserve(
        self,
        any_store: StoreFactory,
        receipts: list[tuple[str, str, int]],
        actions: list[tuple[str, str, int]],
    ) -> None:
        """Whatever is allocated, released, picked or moved, no position is reserved beyond
        what it holds and every allocation took at most the ATP before it."""
        inv = sl.Inventory(store=any_store(), clock=sl.FixedClock(START))
        inv.add_item("MILK", tracking="lot")
        for path in (*BINS, "DC1/STAGING"):
            inv.add_location(path)
        for n, lot in enumerate(LOTS, start=1):
            inv.add_lot("MILK", lot, expiry=dt.date(2026, 4, n))
        for day, (path, lot, qty) in enumerate(receipts, start=1):
            expiry = dt.date(2026, 4, LOTS.index(lot) + 1)
            at = dt.datetime(2026, 2, day, tzinfo=UTC)
            inv.receive(
                "MILK", qty, dst=path, lot=lot, expiry=expiry, effective_at=at, supplier="ACME"
            )
        plans: dict[str, list[Allocation]] = {}
        for kind, target, qty in actions:
            if kind == "allocate":
                before = inv.allocation.available_to_promise("MILK")
                plan = inv.allocate("MILK", qty, order=target)
                assert plan.allocated <= before
                assert plan.allocated + plan.shortfall == qty
                assert inv.allocation.available_to_promise("MILK") == before - plan.allocated
                plans.setdefault(target, []).append(plan)
            elif kind == "release":
                inv.allocation.release(target)
                plans.pop(target, None)
            elif kind == "pick" and plans.get(target):
                plan = plans.pop(target)[0]
                staged = all(p.candidate.location == "DC1/STAGING" for p in plan.picks)
                if plan.picks and not staged:
                    inv.allocation.pick(plan, dst="DC1/STAGING")
            elif kind == "move":
                there = inv.on_hand("MILK", lot="L1", location=target)
                held = sum(
                    (
                        x.quantity
                        for x in inv.allocation.reservations(sku="MILK")
                        if x.lot == "L1" and x.position.location == target
                    ),
                    Decimal(0),
                )
                try:
                    inv.move("MILK", qty, src=target, dst="DC1/STAGING", lot="L1")
                    assert qty <= there - held
                except errors.ReservedStockError:
                    assert there - held < qty <= there
                except errors.InsufficientStockError:
                    assert qty > there
            check(inv)
