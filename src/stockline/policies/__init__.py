"""Allocation policies: which stock serves a demand, in which order, and why.

Everything here is pure: a policy gets a `Demand` and the `Candidate` positions the caller
read from its store, and `allocate` returns an `Allocation` (ordered `Pick` lines, each
with a reason, and the shortfall as a value). Nothing reads storage or the clock.

How an allocation is decided:

1. `allocate` drops what no policy may take: another item or lot, a status not in
   ``allocatable_statuses`` (default ``{"available"}``), nothing available, expired on
   ``Demand.at`` or short of ``Demand.min_remaining_shelf_life_days``, outside
   ``Demand.allowed_zones``. A policy can narrow this further, never widen it.
2. The policy keeps what it finds eligible and ranks it, best first, with a reason.
3. One shared greedy fill takes from the ranking until the demand is served, in whole
   packs when ``Demand.pack_size`` is set.

Shipped building blocks are `Fifo`, `Fefo`, `Lifo` (orders), `MinShelfLife` (a filter)
and `ZonePreference` (both). Each works alone, ``allocate(d, stock, Fefo())``, and they
combine with `compose`: filters apply first, then the orders' keys, leftmost most
significant, then the final tie-breaker ``Candidate.tiebreak`` (location, container,
lot, ...), so a plan never depends on the order candidates were passed in. `FewestPicks`
and `WholeContainerFirst` look at the whole set, so they wrap a policy instead:
``FewestPicks(compose(MinShelfLife(30), Fefo()))``.

A custom rule is a small object with ``admits`` (a filter) or ``sort_key`` and
``explainer`` (an order), composed with the shipped ones. A complete example::

    from collections.abc import Callable, Sequence
    from datetime import date, datetime, timezone
    from decimal import Decimal

    import attrs

    from stockline.policies import Candidate, Demand, Fefo, allocate, compose


    @attrs.frozen
    class AcceptedOrigins:  # a filter
        # Only lots from the origins the customer accepts, if the demand names any.

        def admits(self, demand: Demand, candidate: Candidate) -> bool:
            origins = demand.attributes.get("origins")
            return origins is None or candidate.attributes.get("origin") in origins


    @attrs.frozen
    class NearestFirst:  # an order: the shortest walk first

        def sort_key(self, demand: Demand, candidate: Candidate) -> tuple[int]:
            return (candidate.pick_sequence,)

        def explainer(
            self, demand: Demand, eligible: Sequence[Candidate]
        ) -> Callable[[Candidate], str]:
            return lambda candidate: f"pick sequence {candidate.pick_sequence}"


    received = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    stock = [
        Candidate(item="MILK", lot=lot, expiry=date(2026, 3, day), location=loc,
                  pick_sequence=seq, first_received_at=received,
                  available=Decimal(qty), attributes={"origin": origin})
        for lot, day, loc, seq, qty, origin in [
            ("L1", 10, "DC1/A/01", 5, "6", "NL"),
            ("L2", 10, "DC1/A/02", 1, "6", "NL"),
            ("L3", 5, "DC1/B/01", 9, "24", "BE"),
        ]
    ]
    demand = Demand(item="MILK", quantity=Decimal("10"), at=date(2026, 3, 1),
                    attributes={"origins": {"NL"}})

    # Only accepted origins (L3 is out), FEFO, and the nearest of lots expiring together.
    plan = allocate(demand, stock, compose(AcceptedOrigins(), Fefo(), NearestFirst()))
    assert [(p.candidate.lot, p.quantity) for p in plan.picks] == [
        ("L2", Decimal("6")), ("L1", Decimal("4"))]
    assert plan.is_complete

A policy that needs the whole set (like `FewestPicks`) implements `AllocationPolicy`
directly: ``eligible(demand, candidates)`` and ``rank(demand, eligible)``.
"""

from stockline.policies._allocate import DEFAULT_ALLOCATABLE_STATUSES, allocate
from stockline.policies._compose import Composed, compose
from stockline.policies._containers import FewestPicks, WholeContainerFirst
from stockline.policies._filters import MinShelfLife, ZonePreference
from stockline.policies._greedy import fill
from stockline.policies._orders import Fefo, Fifo, Lifo
from stockline.policies._protocol import (
    AllocationPolicy,
    CandidateFilter,
    CandidateOrder,
    SortKey,
)
from stockline.policies._records import Allocation, Candidate, Choice, Demand, Exclusion, Pick

__all__ = [
    "DEFAULT_ALLOCATABLE_STATUSES",
    "Allocation",
    "AllocationPolicy",
    "Candidate",
    "CandidateFilter",
    "CandidateOrder",
    "Choice",
    "Composed",
    "Demand",
    "Exclusion",
    "Fefo",
    "FewestPicks",
    "Fifo",
    "Lifo",
    "MinShelfLife",
    "Pick",
    "SortKey",
    "WholeContainerFirst",
    "ZonePreference",
    "allocate",
    "compose",
    "fill",
]
