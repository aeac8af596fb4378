"""The one greedy fill every policy shares: take from the ranking, in order, until served."""

from __future__ import annotations

from collections.abc import Iterable

from stockline.policies._records import Allocation, Choice, Demand, Pick

__all__ = ["fill"]


def fill(demand: Demand, ranking: Iterable[Choice]) -> Allocation:
    """Take from each ranked candidate as much as it has, until the demand is served.

    With a ``pack_size``, each pick is rounded down to whole packs, so a position holding
    less than a pack is passed over. The ranking is read only as far as needed.

    Args:
        demand: The demand to serve.
        ranking: Candidates best first, as a policy ranks them.

    Returns:
        The picks in ranking order and the quantity left unserved.
    """
    remaining = demand.quantity
    picks: list[Pick] = []
    for choice in ranking:
        quantity = demand.packs(min(choice.candidate.available, remaining))
        if quantity <= 0:
            continue
        picks.append(Pick(candidate=choice.candidate, quantity=quantity, reason=choice.reason))
        remaining -= quantity
        if remaining == 0:
            break
    return Allocation(demand=demand, picks=tuple(picks), shortfall=remaining)
