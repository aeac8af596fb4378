"""The shipped filters: minimum remaining shelf life, and zones (allowed and preferred)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import attrs

from stockline.policies._compose import Standalone
from stockline.policies._protocol import SortKey
from stockline.policies._records import Candidate, Demand, _zones

__all__ = [
    "MinShelfLife",
    "ZonePreference",
    "has_shelf_life",
    "zone_explainer",
    "zone_rank",
    "zone_ranks",
]


def has_shelf_life(expiry: date | None, at: date, days: int) -> bool:
    """Whether stock expiring on ``expiry`` still has ``days`` of shelf life on ``at``.

    Exactly ``days`` left is enough; stock without an expiry date always is.
    """
    return expiry is None or (expiry - at).days >= days


def zone_rank(candidate: Candidate, zones: Sequence[str]) -> int:
    """The index of the first of ``zones`` holding ``candidate``, or ``len(zones)`` if none."""
    for index, zone in enumerate(zones):
        if candidate.in_zone(zone):
            return index
    return len(zones)


def _zone_prefixes(zones: Sequence[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    # str.startswith with a tuple runs in C: one call per location instead of one per zone.
    return frozenset(zones), tuple(zone + "/" for zone in zones)


def zone_ranks(candidates: Sequence[Candidate], zones: Sequence[str]) -> list[int]:
    """`zone_rank` for every candidate, in one pass."""
    exact, below = _zone_prefixes(zones)
    outside = len(zones)
    return [
        zone_rank(c, zones) if c.location in exact or c.location.startswith(below) else outside
        for c in candidates
    ]


@attrs.frozen
class MinShelfLife(Standalone):
    """Only stock with at least ``days`` of shelf life left on ``Demand.at``.

    A lot expiring on 2027-01-31 has 30 days left on 2027-01-01 and passes
    ``MinShelfLife(30)``: exactly on the boundary is allowed. Stock without an expiry date
    always passes. (``Demand.min_remaining_shelf_life_days`` is the same rule, per demand.)

    Attributes:
        days: The minimum days left; 0 only excludes what is expired.
    """

    days: int = attrs.field(validator=attrs.validators.ge(0))

    def admits(self, demand: Demand, candidate: Candidate) -> bool:
        """Whether the candidate has ``days`` of shelf life left on ``demand.at``."""
        return has_shelf_life(candidate.expiry, demand.at, self.days)

    def select(self, demand: Demand, candidates: Sequence[Candidate]) -> list[Candidate]:
        """`admits` over all candidates, in one pass."""
        # expiry - at >= days  <=>  expiry >= at + days, one comparison per candidate.
        try:
            first_ok = demand.at + timedelta(days=self.days)
        except OverflowError:
            first_ok = date.max
        return [c for c in candidates if c.expiry is None or c.expiry >= first_ok]


@attrs.frozen(kw_only=True)
class ZonePreference(Standalone):
    """Only stock in the allowed zones, from the preferred zones first.

    Zones are location path prefixes: ``"DC1/A"`` holds ``"DC1/A"`` and ``"DC1/A/01-03"``
    but not ``"DC1/AB"``. As a `compose` step it is a filter (``allowed``) and an order
    (``preferred``): ``compose(ZonePreference(preferred=("DC1/A",)), Fefo())`` takes FEFO
    order inside DC1/A before anything elsewhere.

    Attributes:
        allowed: Zones stock may come from; empty means anywhere.
        preferred: Zones to pick from first, most preferred first; stock in none of them
            comes last.
    """

    allowed: tuple[str, ...] = attrs.field(default=(), converter=_zones)
    preferred: tuple[str, ...] = attrs.field(default=(), converter=_zones)

    def admits(self, demand: Demand, candidate: Candidate) -> bool:
        """Whether the candidate is in one of the allowed zones (always, if none are set)."""
        return not self.allowed or any(candidate.in_zone(zone) for zone in self.allowed)

    def select(self, demand: Demand, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        """`admits` over all candidates, in one pass."""
        if not self.allowed:
            return candidates
        exact, below = _zone_prefixes(self.allowed)
        return [c for c in candidates if c.location in exact or c.location.startswith(below)]

    def sort_key(self, demand: Demand, candidate: Candidate) -> SortKey:
        """Sort by the rank of the first preferred zone holding the candidate."""
        return (zone_rank(candidate, self.preferred),)

    def sort_keys(self, demand: Demand, candidates: Sequence[Candidate]) -> list[SortKey]:
        """`sort_key` for every candidate, in one pass."""
        return [(rank,) for rank in zone_ranks(candidates, self.preferred)]

    def explainer(
        self, demand: Demand, eligible: Sequence[Candidate]
    ) -> Callable[[Candidate], str]:
        """Say which preferred zone holds the candidate (nothing when none are set)."""
        return zone_explainer(self.preferred)


def zone_explainer(zones: tuple[str, ...]) -> Callable[[Candidate], str]:
    """The reason text for a zone preference (shared with `Demand.preferred_zones`)."""

    def explain(candidate: Candidate) -> str:
        if not zones:
            return ""
        rank = zone_rank(candidate, zones)
        if rank == len(zones):
            return f"outside preferred zones {', '.join(zones)}"
        return f"in preferred zone {zones[rank]} (choice {rank + 1} of {len(zones)})"

    return explain
