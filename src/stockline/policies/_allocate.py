"""The entry point: hard constraints, the demand's preferences, the policy, the greedy fill."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date, timedelta

import attrs

from stockline.errors import ValidationError
from stockline.policies._containers import WholeContainerFirst
from stockline.policies._filters import ZonePreference, zone_explainer, zone_rank, zone_ranks
from stockline.policies._greedy import fill
from stockline.policies._protocol import AllocationPolicy
from stockline.policies._records import Allocation, Candidate, Choice, Demand, Exclusion

__all__ = ["DEFAULT_ALLOCATABLE_STATUSES", "allocate"]

DEFAULT_ALLOCATABLE_STATUSES: frozenset[str] = frozenset({"available"})
"""The statuses `allocate` takes from unless told otherwise."""


def allocate(
    demand: Demand,
    candidates: Iterable[Candidate],
    policy: AllocationPolicy,
    *,
    allocatable_statuses: Collection[str] = DEFAULT_ALLOCATABLE_STATUSES,
) -> Allocation:
    """Plan which positions serve ``demand``, using ``policy``. Pure and deterministic.

    Steps, in order:

    1. Keep only candidates that may serve the demand whatever the policy: the demand's
       item; a status in ``allocatable_statuses``; something available; the demand's lot,
       if it names one; not expired (an expiry on ``demand.at`` is still good) and with
       ``demand.min_remaining_shelf_life_days`` left; inside ``demand.allowed_zones``.
    2. Apply the demand's preferences around the policy: ``demand.preferred_zones`` first
       (keeping the policy's order inside each zone), and, with
       ``demand.prefer_whole_containers``, `WholeContainerFirst` around that.
    3. Ask the policy for its eligible candidates and ranking, and take greedily from the
       ranking (whole packs only, with ``demand.pack_size``).

    Args:
        demand: What to allocate.
        candidates: Positions that might serve it, in any order; others are ignored.
        policy: How to choose among them, e.g. ``Fefo()`` or ``compose(MinShelfLife(30),
            Fefo())``.
        allocatable_statuses: Stock statuses that may be allocated.

    Returns:
        The picks, best first, and the shortfall (zero when fully served). A shortfall is
        not an error.

    Raises:
        ValidationError: ``allocatable_statuses`` is a bare string, or the policy offered a
            candidate twice or one that breaks the demand's hard constraints.

    Example:
        >>> from datetime import UTC, date, datetime
        >>> from decimal import Decimal
        >>> from stockline.policies import Candidate, Demand, Fefo, MinShelfLife, compose
        >>> received = datetime(2026, 1, 5, tzinfo=UTC)
        >>> stock = [
        ...     Candidate(item="MILK", lot=lot, expiry=date(2026, 3, day), location="DC1/A/01",
        ...               first_received_at=received, available=Decimal(8))
        ...     for lot, day in [("L1", 31), ("L2", 20), ("L3", 2)]
        ... ]
        >>> demand = Demand(item="MILK", quantity=Decimal(10), at=date(2026, 2, 1))
        >>> plan = allocate(demand, stock, compose(MinShelfLife(30), Fefo()))
        >>> plan.is_complete, [(p.candidate.lot, p.quantity) for p in plan.picks]
        (True, [('L2', Decimal('8')), ('L1', Decimal('2'))])
    """
    if isinstance(allocatable_statuses, str):
        raise ValidationError(
            what="allocatable_statuses",
            value=allocatable_statuses,
            expected="a collection of statuses",
            advice=f"write {{{allocatable_statuses!r}}}",
        )
    statuses = frozenset(allocatable_statuses)
    candidates = candidates if isinstance(candidates, Sequence) else list(candidates)
    pool = _pool(demand, candidates, statuses)
    effective = policy
    if demand.preferred_zones:
        effective = _PreferredZonesFirst(effective)
    if demand.prefer_whole_containers:
        effective = WholeContainerFirst(effective)
    eligible = effective.eligible(demand, pool)
    ranking = effective.rank(demand, eligible)
    plan = fill(demand, _checked(demand, ranking, statuses, policy))
    if plan.shortfall == 0:
        return plan
    return attrs.evolve(plan, excluded=_excluded(demand, candidates, statuses, eligible))


def _excluded(
    demand: Demand,
    candidates: Sequence[Candidate],
    statuses: frozenset[str],
    eligible: Sequence[Candidate],
) -> tuple[Exclusion, ...]:
    """The demanded item's positions that were left out, each with the first rule that kept
    it out (checked in the order `allocate` applies them)."""
    offered = {id(c) for c in eligible}
    good = _first_good_expiry(demand)
    found = []
    for c in candidates:
        if c.item != demand.item:
            continue
        if c.reserved and c.status in statuses and (demand.lot is None or c.lot == demand.lot):
            found.append(Exclusion(candidate=c, quantity=c.reserved, reason="reserved"))
        if not c.available or id(c) in offered:
            continue
        if c.status not in statuses:
            reason = "status"
        elif demand.lot is not None and c.lot != demand.lot:
            reason = "lot"
        elif c.expiry is not None and c.expiry < demand.at:
            reason = "expired"
        elif c.expiry is not None and c.expiry < good:
            reason = "shelf_life"
        elif demand.allowed_zones and not any(c.in_zone(z) for z in demand.allowed_zones):
            reason = "zone"
        else:
            reason = "policy"
        found.append(Exclusion(candidate=c, quantity=c.available, reason=reason))
    return tuple(found)


def _first_good_expiry(demand: Demand) -> date:
    # expiry - at >= days  <=>  expiry >= at + days; an expiry on demand.at itself is still
    # good when no shelf life is required (0 days left >= 0 days).
    try:
        return demand.at + timedelta(days=demand.min_remaining_shelf_life_days)
    except OverflowError:
        return date.max


def _pool(
    demand: Demand, candidates: Iterable[Candidate], statuses: frozenset[str]
) -> list[Candidate]:
    # One list comprehension, not a call per candidate: this pass sees every position.
    item, lot, good = demand.item, demand.lot, _first_good_expiry(demand)
    pool = [
        c
        for c in candidates
        if c.item == item
        and c.status in statuses
        and c.available  # never negative, so non-zero is positive
        and (c.expiry is None or c.expiry >= good)
    ]
    if lot is not None:
        pool = [c for c in pool if c.lot == lot]
    if demand.allowed_zones:
        pool = list(ZonePreference(allowed=demand.allowed_zones).select(demand, pool))
    return pool


def _may_serve(demand: Demand, candidate: Candidate, statuses: frozenset[str]) -> bool:
    return bool(_pool(demand, (candidate,), statuses))


def _checked(
    demand: Demand,
    ranking: Iterable[Choice],
    statuses: frozenset[str],
    policy: AllocationPolicy,
) -> Iterator[Choice]:
    # Re-checking what is actually picked (a few positions, not all) keeps a custom policy
    # from ever breaking a demand's hard constraints, at almost no cost.
    offered: set[int] = set()
    for choice in ranking:
        candidate = choice.candidate
        if id(candidate) in offered:
            raise ValidationError(f"policy {policy!r} offered {candidate!r} twice")
        if not _may_serve(demand, candidate, statuses):
            raise ValidationError(
                f"policy {policy!r} offered {candidate!r}, which the demand does not allow "
                "(wrong item, lot, status, expiry, shelf life or zone)"
            )
        offered.add(id(candidate))
        yield choice


@attrs.frozen
class _PreferredZonesFirst:
    """``Demand.preferred_zones`` around any policy: a stable partition of its ranking.

    Lazy: the counts per zone are known up front, so a zone's positions are released as
    soon as every position of the zones before it has been read.
    """

    base: AllocationPolicy

    def eligible(self, demand: Demand, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        return self.base.eligible(demand, candidates)

    def rank(self, demand: Demand, eligible: Sequence[Candidate]) -> Iterator[Choice]:
        zones = demand.preferred_zones
        explain = zone_explainer(zones)
        left = [0] * (len(zones) + 1)
        for rank in zone_ranks(eligible, zones):
            left[rank] += 1
        held: list[list[Choice]] = [[] for _ in left]
        current = 0
        for choice in self.base.rank(demand, eligible):
            rank = zone_rank(choice.candidate, zones)
            held[rank].append(choice)
            # Release a zone only when every position of the zones before it is out.
            while current < len(left):
                for ready in held[current]:
                    left[current] -= 1
                    yield Choice(
                        candidate=ready.candidate,
                        reason=f"{explain(ready.candidate)}; {ready.reason}",
                    )
                held[current] = []
                if left[current] > 0:
                    break
                current += 1
        for rest in held:
            for ready in rest:
                yield Choice(
                    candidate=ready.candidate, reason=f"{explain(ready.candidate)}; {ready.reason}"
                )
