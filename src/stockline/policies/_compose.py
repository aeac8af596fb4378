"""Composition: filters, then sort keys (leftmost most significant), then the tie-breaker."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from operator import attrgetter
from typing import Any, cast

import attrs

from stockline.policies._protocol import CandidateFilter, CandidateOrder, SortKey
from stockline.policies._records import Candidate, Choice, Demand

__all__ = ["Composed", "Standalone", "compose"]

_TIEBREAK_ONLY = "by location, container, lot"
_TIEBREAK = attrgetter("tiebreak")


def _classify(
    steps: tuple[object, ...],
) -> tuple[tuple[CandidateFilter, ...], tuple[CandidateOrder, ...]]:
    filters: list[CandidateFilter] = []
    orders: list[CandidateOrder] = []
    for step in steps:
        is_filter = isinstance(step, CandidateFilter)
        is_order = isinstance(step, CandidateOrder)
        if not (is_filter or is_order):
            hint = (
                f" {type(step).__name__} ranks a whole set, so wrap instead: "
                f"{type(step).__name__}(compose(...))."
                if hasattr(step, "rank")
                else ""
            )
            raise TypeError(
                f"compose() takes filters (with admits()) and orders (with sort_key() and "
                f"explainer()), got {step!r}.{hint}"
            )
        if is_filter:
            filters.append(cast(CandidateFilter, step))
        if is_order:
            orders.append(cast(CandidateOrder, step))
    return tuple(filters), tuple(orders)


@attrs.frozen
class Composed:
    """A policy built by `compose`; see there.

    Attributes:
        steps: The filters and orders, as given.
    """

    steps: tuple[CandidateFilter | CandidateOrder, ...]
    _filters: tuple[CandidateFilter, ...] = attrs.field(init=False, repr=False, eq=False)
    _orders: tuple[CandidateOrder, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        filters, orders = _classify(self.steps)
        object.__setattr__(self, "_filters", filters)
        object.__setattr__(self, "_orders", orders)

    def eligible(self, demand: Demand, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        """Return the candidates every filter admits (see `AllocationPolicy.eligible`)."""
        for step in self._filters:
            candidates = _select(step, demand, candidates)
        return candidates

    def rank(self, demand: Demand, eligible: Sequence[Candidate]) -> Iterator[Choice]:
        """Yield candidates by the orders' keys, then ``Candidate.tiebreak``, lazily.

        A heap, not a sort: the greedy fill usually reads a handful of candidates out of
        thousands, so only those are ever fully ordered.
        """
        if not self._orders:
            keys: Sequence[Any] = [()] * len(eligible)
        elif len(self._orders) == 1:
            keys = _sort_keys(self._orders[0], demand, eligible)
        else:
            columns = [_sort_keys(order, demand, eligible) for order in self._orders]
            keys = list(zip(*columns, strict=True))
        # The tie-breaker rides along in every entry (map + attrgetter stay in C), so large
        # groups of equal keys (a coarse order such as zones alone) still pop lazily.
        heap = list(zip(keys, map(_TIEBREAK, eligible), range(len(eligible)), strict=True))
        heapq.heapify(heap)
        explainers = [order.explainer(demand, eligible) for order in self._orders]
        while heap:
            candidate = eligible[heapq.heappop(heap)[2]]
            parts = [text for explain in explainers if (text := explain(candidate))]
            yield Choice(candidate=candidate, reason="; ".join(parts) or _TIEBREAK_ONLY)


def _select(
    step: CandidateFilter, demand: Demand, candidates: Sequence[Candidate]
) -> Sequence[Candidate]:
    # Optional bulk method: one pass in the step's own loop saves a call per candidate.
    select = getattr(step, "select", None)
    if select is not None:
        return cast(Sequence[Candidate], select(demand, candidates))
    admits = step.admits
    return [c for c in candidates if admits(demand, c)]


def _sort_keys(
    order: CandidateOrder, demand: Demand, candidates: Sequence[Candidate]
) -> Sequence[SortKey]:
    sort_keys = getattr(order, "sort_keys", None)
    if sort_keys is not None:
        return cast(Sequence[SortKey], sort_keys(demand, candidates))
    key = order.sort_key
    return [key(demand, c) for c in candidates]


def compose(*steps: CandidateFilter | CandidateOrder) -> Composed:
    """Build a policy from filters and orders.

    Every filter applies (wherever it appears), then candidates are sorted by the orders'
    keys, the leftmost order most significant, and finally by ``Candidate.tiebreak``
    (location, container, lot, then the other fields), so the result never depends on the
    order candidates were passed in. A step may be both (``ZonePreference`` filters on
    ``allowed`` and sorts on ``preferred``). Whole-set policies (`FewestPicks`,
    `WholeContainerFirst`) are not steps; they wrap a composed policy.

    A step may also define ``select(demand, candidates) -> list`` (a bulk ``admits``) or
    ``sort_keys(demand, candidates) -> list`` (a bulk ``sort_key``); they are used when
    present, to save a Python call per candidate, and must agree with the single forms.

    Args:
        *steps: Objects with ``admits()`` (a `CandidateFilter`) and/or ``sort_key()`` and
            ``explainer()`` (a `CandidateOrder`).

    Returns:
        An `AllocationPolicy`.

    Raises:
        TypeError: A step is neither a filter nor an order.

    Example:
        >>> from stockline.policies import Fefo, MinShelfLife, ZonePreference
        >>> policy = compose(MinShelfLife(30), ZonePreference(preferred=("DC1/A",)), Fefo())
    """
    return Composed(steps)


class Standalone:
    """Lets a single filter or order be used as a policy on its own: ``allocate(d, c, Fefo())``."""

    __slots__ = ()

    def eligible(self, demand: Demand, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        """Same as ``compose(self).eligible``."""
        return compose(cast(CandidateFilter, self)).eligible(demand, candidates)

    def rank(self, demand: Demand, eligible: Sequence[Candidate]) -> Iterator[Choice]:
        """Same as ``compose(self).rank``."""
        return compose(cast(CandidateFilter, self)).rank(demand, eligible)
