"""The roles an allocation policy and its building blocks play."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeAlias, runtime_checkable

from stockline.policies._records import Candidate, Choice, Demand

__all__ = ["AllocationPolicy", "CandidateFilter", "CandidateOrder", "SortKey"]

SortKey: TypeAlias = tuple[Any, ...]
"""What a `CandidateOrder` sorts by; smaller comes first."""


@runtime_checkable
class AllocationPolicy(Protocol):
    """Decides which positions serve a demand, and in which order. Pure: never reads storage.

    `allocate` first drops what no policy may take (wrong item or lot, a status that is not
    allocatable, expired, too short a shelf life, outside the allowed zones), then asks the
    policy for its `eligible` candidates and their `rank`, and takes from them greedily.
    Build one with `compose` rather than by hand when filters and sort keys are enough.
    """

    def eligible(self, demand: Demand, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        """Return the candidates this policy is willing to pick from.

        Args:
            demand: The demand being allocated.
            candidates: Positions that already meet the demand's hard constraints.

        Returns:
            A subset of ``candidates`` (the same objects); order does not matter.
        """
        ...

    def rank(self, demand: Demand, eligible: Sequence[Candidate]) -> Iterable[Choice]:
        """Return the eligible candidates, best first, each with a reason.

        The result may be lazy (a generator): the greedy fill stops reading once the demand
        is served, so a ranking that only sorts as far as it is read stays fast.

        Wrappers such as `FewestPicks` also call it on a subset of that result (to order
        just the positions they promote), so it must rank any such subset consistently.

        Args:
            demand: The demand being allocated.
            eligible: The result of `eligible`, or a subset of it.

        Returns:
            Each of ``eligible`` at most once, best first. Ties must be broken
            deterministically (``Candidate.tiebreak`` is a total order).
        """
        ...


@runtime_checkable
class CandidateFilter(Protocol):
    """A rule a position must meet; a building block for `compose`."""

    def admits(self, demand: Demand, candidate: Candidate) -> bool:
        """Return whether ``candidate`` may serve ``demand``."""
        ...


@runtime_checkable
class CandidateOrder(Protocol):
    """A sort key over positions; a building block for `compose`."""

    def sort_key(self, demand: Demand, candidate: Candidate) -> SortKey:
        """Return the key to sort ``candidate`` by; smaller keys are picked first."""
        ...

    def explainer(
        self, demand: Demand, eligible: Sequence[Candidate]
    ) -> Callable[[Candidate], str]:
        """Return a function that says why a candidate comes where it does.

        It is built once per allocation, so it may summarise ``eligible`` up front (for
        "earliest of 4 eligible lots"), and then called once per offered candidate. An
        empty string means "nothing to add".
        """
        ...
