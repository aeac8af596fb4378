"""Properties every allocation keeps, whatever the stock and the demand."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stockline.policies import (
    Allocation,
    AllocationPolicy,
    Candidate,
    Demand,
    Fefo,
    FewestPicks,
    Fifo,
    Lifo,
    MinShelfLife,
    WholeContainerFirst,
    ZonePreference,
    allocate,
    compose,
)

from ._stock import ITEM, TODAY

LOCATIONS = ["DC1/A/01", "DC1/A/02", "DC1/AB/01", "DC1/B/01", "DC2/A/01"]
START = datetime(2026, 1, 1, tzinfo=UTC)

POLICIES: dict[str, AllocationPolicy] = {
    "fefo": Fefo(),
    "fifo": Fifo(),
    "lifo": Lifo(),
    "min-shelf-life": MinShelfLife(20),
    "zones": ZonePreference(allowed=("DC1",), preferred=("DC1/B", "DC1/A")),
    "composed": compose(MinShelfLife(10), ZonePreference(preferred=("DC1/A",)), Fefo()),
    "fewest-picks": FewestPicks(Fefo()),
    "fewest-picks-filtered": FewestPicks(compose(MinShelfLife(15), Fefo())),
    "whole-containers": WholeContainerFirst(Fefo()),
    "whole-containers-zones": WholeContainerFirst(
        compose(ZonePreference(preferred=("DC1/B",)), Fifo())
    ),
}


@st.composite
def candidates(draw: st.DrawFn) -> Candidate:
    """A position of the test item (sometimes another), with odd cases mixed in."""
    expiry = draw(
        st.one_of(st.none(), st.integers(-5, 90).map(lambda d: TODAY + timedelta(days=d)))
    )
    return Candidate(
        item=draw(st.sampled_from([ITEM, ITEM, ITEM, "OTHER"])),
        lot=draw(st.sampled_from(["L1", "L2", "L3", "L4", None])),
        expiry=expiry,
        first_received_at=START + timedelta(hours=draw(st.integers(0, 50))),
        location=draw(st.sampled_from(LOCATIONS)),
        pick_sequence=draw(st.integers(0, 5)),
        container=draw(st.sampled_from([None, None, "P1", "P2", "P3"])),
        status=draw(st.sampled_from(["available", "available", "available", "hold"])),
        available=Decimal(draw(st.integers(0, 40))),
    )


@st.composite
def demands(draw: st.DrawFn) -> Demand:
    """A demand for the test item, sometimes in packs, for a lot, with shelf life or zones."""
    pack = draw(st.sampled_from([None, None, 6, 12]))
    quantity = draw(st.integers(1, 120)) * (pack or 1)
    return Demand(
        item=ITEM,
        quantity=Decimal(quantity),
        at=TODAY,
        lot=draw(st.sampled_from([None, None, None, "L2"])),
        min_remaining_shelf_life_days=draw(st.sampled_from([0, 0, 7, 30])),
        allowed_zones=draw(st.sampled_from([(), (), ("DC1/A",)])),
        preferred_zones=draw(st.sampled_from([(), (), ("DC1/B",)])),
        prefer_whole_containers=draw(st.booleans()),
        pack_size=None if pack is None else Decimal(pack),
    )


stocks = st.lists(candidates(), max_size=25)
policy_names = st.sampled_from(sorted(POLICIES))


def _may_serve(demand: Demand, c: Candidate) -> bool:
    # The hard constraints, written out independently of the implementation.
    return (
        c.item == demand.item
        and c.status == "available"
        and c.available > 0
        and (demand.lot is None or c.lot == demand.lot)
        and (
            c.expiry is None or (c.expiry - demand.at).days >= demand.min_remaining_shelf_life_days
        )
        and (not demand.allowed_zones or any(c.in_zone(z) for z in demand.allowed_zones))
    )


def _key(plan: Allocation) -> list[tuple[Candidate, Decimal, str]]:
    return [(p.candidate, p.quantity, p.reason) for p in plan.picks]


class TestProperties:
    @given(stock=stocks, demand=demands(), name=policy_names)
    def test_picks_plus_shortfall_is_the_demand(
        self, stock: list[Candidate], demand: Demand, name: str
    ) -> None:
        """Sum of picks + shortfall == demand quantity, for every policy."""
        plan = allocate(demand, stock, POLICIES[name])
        assert plan.allocated + plan.shortfall == demand.quantity
        assert plan.shortfall >= 0

    @given(stock=stocks, demand=demands(), name=policy_names)
    def test_picks_are_possible_and_allowed(
        self, stock: list[Candidate], demand: Demand, name: str
    ) -> None:
        """No pick exceeds its position, each is positive, in whole packs, from allowed
        stock, and no position is picked twice."""
        plan = allocate(demand, stock, POLICIES[name])
        for pick in plan.picks:
            assert 0 < pick.quantity <= pick.candidate.available
            assert demand.packs(pick.quantity) == pick.quantity
            assert _may_serve(demand, pick.candidate)
            assert pick.reason
        assert len({id(p.candidate) for p in plan.picks}) == len(plan.picks)

    @given(stock=stocks, demand=demands(), name=policy_names, seed=st.integers(0, 2**32))
    def test_deterministic_under_shuffle(
        self, stock: list[Candidate], demand: Demand, name: str, seed: int
    ) -> None:
        """The same input gives the same plan, whatever order the candidates come in."""
        policy = POLICIES[name]
        first = allocate(demand, stock, policy)
        assert _key(allocate(demand, stock, policy)) == _key(first)
        shuffled = list(stock)
        random.Random(seed).shuffle(shuffled)
        assert _key(allocate(demand, shuffled, policy)) == _key(first)

    @given(stock=stocks, demand=demands())
    def test_fefo_never_passes_over_an_earlier_expiry(
        self, stock: list[Candidate], demand: Demand
    ) -> None:
        """FEFO never picks a lot while an eligible, earlier-expiring one that could serve
        is left unpicked (or only partly picked)."""
        # The demand's own preferences may legitimately override FEFO; leave them out here.
        demand = attrs.evolve(demand, preferred_zones=(), prefer_whole_containers=False)
        plan = allocate(demand, stock, Fefo())
        taken = {id(p.candidate): p.quantity for p in plan.picks}
        latest = max((p.candidate.expiry or date.max for p in plan.picks), default=date.min)
        for c in stock:
            if _may_serve(demand, c) and (c.expiry or date.max) < latest:
                assert taken.get(id(c), Decimal(0)) == demand.packs(c.available), c

    @pytest.mark.parametrize("name", sorted(POLICIES))
    def test_every_policy_is_exercised(self, name: str) -> None:
        """Each policy serves a plain demand from plain stock."""
        stock = [
            Candidate(
                item=ITEM,
                lot="L1",
                expiry=TODAY + timedelta(days=60),
                first_received_at=START,
                location="DC1/A/01",
                available=Decimal(5),
            )
        ]
        plan = allocate(Demand(item=ITEM, quantity=Decimal(3), at=TODAY), stock, POLICIES[name])
        assert plan.is_complete
