"""The shipped orders: FIFO, FEFO and LIFO."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import date, datetime

import attrs

from stockline.policies._compose import Standalone
from stockline.policies._protocol import SortKey
from stockline.policies._records import Candidate, Demand

__all__ = ["Fefo", "Fifo", "Lifo"]

_NEVER = date.max  # sorts after every real expiry; the None flag before it settles ties


def _nth(rank: int, word: str) -> str:
    if rank == 1:
        return word
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix} {word}"


def _lots(count: int) -> str:
    return f"{count} eligible lot" + ("" if count == 1 else "s")


def _minutes(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="minutes")


@attrs.frozen
class Fefo(Standalone):
    """First expired, first out: the earliest expiry first.

    Ties go to the earliest first receipt, then the lowest location pick sequence, then
    ``Candidate.tiebreak``. Lots without an expiry date come after every lot that has one.
    """

    def sort_key(self, demand: Demand, candidate: Candidate) -> SortKey:
        """Sort by expiry (none last), first receipt, pick sequence."""
        return (
            candidate.expiry is None,
            candidate.expiry or _NEVER,
            candidate.received_us,
            candidate.pick_sequence,
        )

    def sort_keys(self, demand: Demand, candidates: Sequence[Candidate]) -> list[SortKey]:
        """`sort_key` for every candidate, in one pass."""
        return [
            (c.expiry is None, c.expiry or _NEVER, c.received_us, c.pick_sequence)
            for c in candidates
        ]

    def explainer(
        self, demand: Demand, eligible: Sequence[Candidate]
    ) -> Callable[[Candidate], str]:
        """Say where the candidate's expiry ranks among the eligible lots."""
        # Distinct (lot, expiry) pairs are few, and reducing them is independent of input
        # order; a lot whose positions disagree counts with its earliest date.
        expiries: dict[str | None, date | None] = {}
        for lot, expiry in {(c.lot, c.expiry) for c in eligible}:
            known = expiries.get(lot)
            if lot not in expiries or (expiry is not None and (known is None or expiry < known)):
                expiries[lot] = expiry
        dated = sorted(e for e in expiries.values() if e is not None)
        lots = _lots(len(expiries))

        def explain(candidate: Candidate) -> str:
            if candidate.expiry is None:
                return f"FEFO: no expiry date, after the {len(dated)} of {lots} that expire"
            rank = bisect_left(dated, candidate.expiry) + 1
            return f"FEFO: expires {candidate.expiry}, {_nth(rank, 'earliest')} of {lots}"

        return explain


def _receipt_explainer(
    eligible: Sequence[Candidate], *, name: str, word: str, sign: int
) -> Callable[[Candidate], str]:
    # Each lot ranks by its earliest receipt (latest, for LIFO); sign flips the direction.
    best: dict[str | None, int] = {}
    get = best.get
    for c in eligible:
        moment = sign * c.received_us
        if get(c.lot, moment) >= moment:
            best[c.lot] = moment
    ordered = sorted(best.values())
    lots = _lots(len(best))

    def explain(candidate: Candidate) -> str:
        rank = bisect_left(ordered, sign * candidate.received_us) + 1
        when = _minutes(candidate.first_received_at)
        return f"{name}: received {when}, {_nth(rank, word)} of {lots}"

    return explain


@attrs.frozen
class Fifo(Standalone):
    """First in, first out: the earliest first receipt first; ties by pick sequence."""

    def sort_key(self, demand: Demand, candidate: Candidate) -> SortKey:
        """Sort by first receipt, then pick sequence."""
        return (candidate.received_us, candidate.pick_sequence)

    def sort_keys(self, demand: Demand, candidates: Sequence[Candidate]) -> list[SortKey]:
        """`sort_key` for every candidate, in one pass."""
        return [(c.received_us, c.pick_sequence) for c in candidates]

    def explainer(
        self, demand: Demand, eligible: Sequence[Candidate]
    ) -> Callable[[Candidate], str]:
        """Say where the candidate's receipt ranks among the eligible lots."""
        return _receipt_explainer(eligible, name="FIFO", word="oldest", sign=1)


@attrs.frozen
class Lifo(Standalone):
    """Last in, first out: the latest first receipt first; ties by pick sequence."""

    def sort_key(self, demand: Demand, candidate: Candidate) -> SortKey:
        """Sort by first receipt, newest first, then pick sequence."""
        return (-candidate.received_us, candidate.pick_sequence)

    def sort_keys(self, demand: Demand, candidates: Sequence[Candidate]) -> list[SortKey]:
        """`sort_key` for every candidate, in one pass."""
        return [(-c.received_us, c.pick_sequence) for c in candidates]

    def explainer(
        self, demand: Demand, eligible: Sequence[Candidate]
    ) -> Callable[[Candidate], str]:
        """Say where the candidate's receipt ranks among the eligible lots, newest first."""
        return _receipt_explainer(eligible, name="LIFO", word="newest", sign=-1)
