"""Whole-set policies that wrap another: FewestPicks and WholeContainerFirst.

They cannot be a sort key, because whether a position comes first depends on the demand
quantity and on every other position, so they wrap a base policy and reorder what it
ranks. To stay fast they ask the base to rank only the few positions they promote (a
ranking must accept any subset of what ``eligible`` returned), and then read the base's
full ranking lazily for the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

import attrs

from stockline.policies._protocol import AllocationPolicy
from stockline.policies._records import Candidate, Choice, Demand

__all__ = ["FewestPicks", "WholeContainerFirst"]

_ZERO = Decimal(0)


def _capacities(demand: Demand, eligible: Sequence[Candidate]) -> list[Decimal]:
    # What the greedy fill could take from each position: whole packs only.
    if demand.pack_size is None:
        return [c.available for c in eligible]
    return [demand.packs(c.available) for c in eligible]


def _by_container(
    eligible: Sequence[Candidate], caps: Sequence[Decimal]
) -> tuple[dict[str, Decimal], dict[str, list[Candidate]]]:
    content: dict[str, Decimal] = {}
    members: dict[str, list[Candidate]] = {}
    for c, cap in zip(eligible, caps, strict=True):
        if c.container is not None:
            content[c.container] = content.get(c.container, _ZERO) + cap
            members.setdefault(c.container, []).append(c)
    return content, members


def _first(policy: AllocationPolicy, demand: Demand, among: Sequence[Candidate]) -> Candidate:
    # Ties go to the base's order; ranking just the tied few is cheap.
    if len(among) == 1:
        return among[0]
    return next(iter(policy.rank(demand, among))).candidate


def _ranked(
    policy: AllocationPolicy, demand: Demand, among: Sequence[Candidate], reason: str
) -> list[Choice]:
    return [
        Choice(candidate=choice.candidate, reason=reason) for choice in policy.rank(demand, among)
    ]


def _rest(ranking: Iterator[Choice], taken: Sequence[Candidate]) -> Iterator[Choice]:
    skip = {id(c) for c in taken}
    return (choice for choice in ranking if id(choice.candidate) not in skip)


@attrs.frozen
class FewestPicks:
    """One pick when one will do: the smallest single position that covers the demand.

    If no single position covers the demand (in whole packs, with a ``pack_size``), the
    smallest container whose eligible content covers it is picked first, its positions in
    the base order. Otherwise the base order is kept. Ties between equally small positions
    or containers go to the one the base ranks first. Taking the *smallest* covering
    position keeps large ones intact for large orders.

    Attributes:
        base: The policy that filters and orders everything else.
    """

    base: AllocationPolicy

    def eligible(self, demand: Demand, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        """The base policy's eligible candidates."""
        return self.base.eligible(demand, candidates)

    def rank(self, demand: Demand, eligible: Sequence[Candidate]) -> Iterator[Choice]:
        """The smallest covering position (or container) first, then the base order."""
        wanted = demand.quantity
        caps = _capacities(demand, eligible)
        best = min((cap for cap in caps if cap >= wanted), default=None)
        if best is not None:
            tied = [c for c, cap in zip(eligible, caps, strict=True) if cap == best]
            chosen = _first(self.base, demand, tied)
            yield Choice(
                candidate=chosen,
                reason=f"FewestPicks: one pick covers {wanted} "
                f"(smallest position that does, {chosen.available} available)",
            )
            yield from _rest(iter(self.base.rank(demand, eligible)), [chosen])
            return
        content, members = _by_container(eligible, caps)
        best = min((size for size in content.values() if size >= wanted), default=None)
        if best is None:
            yield from self.base.rank(demand, eligible)
            return
        tied = [first for key, size in content.items() if size == best for first in members[key]]
        container = _first(self.base, demand, tied).container
        assert container is not None  # only container members were ranked
        reason = (
            f"FewestPicks: container {container} covers {wanted} "
            f"(smallest container that does, {best} available)"
        )
        yield from _ranked(self.base, demand, members[container], reason)
        yield from _rest(iter(self.base.rank(demand, eligible)), members[container])


@attrs.frozen
class WholeContainerFirst:
    """Whole containers first: those whose entire content fits what is still wanted.

    Containers are considered in the base order (by their first position in it); each one
    whose eligible content fits the quantity still wanted is taken whole, and the rest of
    the demand is then filled in the base order. A container's content is the sum of the
    eligible candidates in it, so pass every position of a container to see it whole. With
    a ``pack_size``, a container holding a part pack is never "whole".

    Attributes:
        base: The policy that filters and orders everything else.
    """

    base: AllocationPolicy

    def eligible(self, demand: Demand, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        """The base policy's eligible candidates."""
        return self.base.eligible(demand, candidates)

    def rank(self, demand: Demand, eligible: Sequence[Candidate]) -> Iterator[Choice]:
        """Fitting whole containers first, then the base order."""
        caps = _capacities(demand, eligible)
        content, members = _by_container(eligible, caps)
        for key, group in members.items():
            if any(demand.packs(c.available) != c.available for c in group):
                del content[key]  # a part pack would be left behind
        remaining = demand.quantity
        fitting = [c for key, size in content.items() if size <= remaining for c in members[key]]
        chosen: list[str] = []
        # Walk only the positions of containers that could fit at all, in the base order.
        if fitting:
            smallest = min(content[c.container] for c in fitting if c.container is not None)
            seen: set[str] = set()
            for choice in self.base.rank(demand, fitting):
                container = choice.candidate.container
                if container is None or container in seen:
                    continue
                seen.add(container)
                if content[container] <= remaining:
                    chosen.append(container)
                    remaining -= content[container]
                    if remaining < smallest:
                        break
        still = demand.quantity
        for key in chosen:
            reason = (
                f"WholeContainerFirst: container {key} holds {content[key]}, which fits "
                f"the {still} still wanted"
            )
            yield from _ranked(self.base, demand, members[key], reason)
            still -= content[key]
        taken = [c for key in chosen for c in members[key]]
        yield from _rest(iter(self.base.rank(demand, eligible)), taken)
