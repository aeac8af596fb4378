"""The entry point: hard constraints, statuses, and the guard around custom policies."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

import attrs
import pytest

from stockline.errors import ValidationError
from stockline.policies import (
    Candidate,
    Choice,
    Demand,
    Fefo,
    Fifo,
    allocate,
    fill,
)

from ._stock import Scenario, pos, run, want


@attrs.frozen
class _Offers:
    """A misbehaving custom policy: offers exactly what it was built with."""

    offered: tuple[Candidate, ...]

    def eligible(self, demand: Demand, candidates: Sequence[Candidate]) -> Sequence[Candidate]:
        return candidates

    def rank(self, demand: Demand, eligible: Sequence[Candidate]) -> Iterator[Choice]:
        return iter(Choice(candidate=c, reason="custom") for c in self.offered)


class TestAllocate:
    def test_statuses_default_to_available(self) -> None:
        """Only 'available' stock is allocated unless the caller names other statuses."""
        stock = [pos("Q", 5, status="quarantine"), pos("A", 2, location="DC1/B/01")]
        run(Scenario("default", stock, want(5), [("A", "DC1/B/01", 2)], shortfall=3), Fefo())

    def test_custom_allocatable_statuses(self) -> None:
        """The caller's set of allocatable statuses replaces the default."""
        stock = [pos("Q", 5, status="quarantine"), pos("A", 2, location="DC1/B/01")]
        plan = allocate(want(5), stock, Fefo(), allocatable_statuses={"quarantine"})
        assert [(p.candidate.lot, p.quantity) for p in plan.picks] == [("Q", Decimal(5))]

    def test_statuses_as_bare_string_rejected(self) -> None:
        """A bare string is not a set of statuses."""
        with pytest.raises(ValidationError, match="collection of statuses"):
            allocate(want(1), [], Fefo(), allocatable_statuses="available")

    def test_zero_available_positions_skipped(self) -> None:
        """A position with nothing available never appears as a pick."""
        stock = [pos("Z", 0), pos("A", 2, location="DC1/B/01")]
        run(Scenario("zero", stock, want(2), [("A", "DC1/B/01", 2)]), Fifo())

    def test_guard_rejects_forbidden_candidate(self) -> None:
        """A custom policy cannot pick stock the demand forbids (here: on hold)."""
        held = pos("H", 5, status="hold")
        with pytest.raises(ValidationError, match="does not allow"):
            allocate(want(1), [held], _Offers((held,)))

    def test_guard_rejects_duplicates(self) -> None:
        """A custom policy cannot offer the same position twice."""
        one = pos("A", 1)
        with pytest.raises(ValidationError, match="twice"):
            allocate(want(2), [one], _Offers((one, one)))

    def test_shortfall_is_a_value(self) -> None:
        """An unservable demand returns a shortfall, not an error."""
        plan = allocate(want(3), [], Fefo())
        assert plan.picks == ()
        assert plan.shortfall == 3
        assert not plan.is_complete
        assert plan.allocated == 0

    def test_candidates_may_be_an_iterator(self) -> None:
        """Candidates are read once, so a generator from a store query works."""
        plan = allocate(want(1), iter([pos("A", 1)]), Fefo())
        assert plan.is_complete


class TestFill:
    def test_stops_reading_once_served(self) -> None:
        """The greedy fill reads the ranking only as far as it needs."""
        read: list[str] = []

        def ranking() -> Iterator[Choice]:
            for lot in ["A", "B", "C"]:
                read.append(lot)
                yield Choice(candidate=pos(lot, 5), reason=lot)

        plan = fill(want(5), ranking())
        assert read == ["A"]
        assert plan.is_complete

    def test_never_more_than_available(self) -> None:
        """Each pick takes at most what the position has."""
        plan = fill(want(7), [Choice(candidate=pos("A", 3), reason="r")])
        assert [p.quantity for p in plan.picks] == [Decimal(3)]
        assert plan.shortfall == 4


class TestExclusions:
    def test_a_short_allocation_says_what_was_left_out_and_why(self) -> None:
        """With a shortfall, every position of the item left out is returned with its
        quantity and the rule that kept it out; other items are not mentioned."""
        from datetime import UTC, date, datetime

        from stockline.policies import Candidate, Demand, Fefo, MinShelfLife, allocate, compose

        received = datetime(2026, 1, 5, tzinfo=UTC)

        def at(lot: str, expiry: date | None, **kw: object) -> Candidate:
            fields: dict[str, object] = {
                "item": "MILK", "lot": lot, "expiry": expiry, "location": "DC1/A/01",
                "first_received_at": received, "available": Decimal(5),
            }  # fmt: skip
            fields.update(kw)
            return Candidate(**fields)  # type: ignore[arg-type]

        stock = [
            at("OK", date(2026, 6, 1)),
            at("HELD", date(2026, 6, 1), status="hold"),
            at("OLD", date(2026, 1, 31)),
            at("SOON", date(2026, 2, 10)),
            at("FAR", date(2026, 6, 1), location="DC2/A/01"),
            at("THIN", date(2026, 2, 20)),
            at("OK", date(2026, 6, 1), item="CREAM"),
        ]
        demand = Demand(
            item="MILK",
            quantity=Decimal(40),
            at=date(2026, 2, 1),
            min_remaining_shelf_life_days=14,
            allowed_zones=("DC1",),
        )
        plan = allocate(demand, stock, compose(MinShelfLife(20), Fefo()))
        assert plan.shortfall == 35
        five = Decimal(5)
        assert [(e.candidate.lot, e.quantity, e.reason) for e in plan.excluded] == [
            ("HELD", five, "status"),
            ("OLD", five, "expired"),
            ("SOON", five, "shelf_life"),
            ("FAR", five, "zone"),
            ("THIN", five, "policy"),
        ]
        full = allocate(attrs.evolve(demand, quantity=Decimal(5)), stock, Fefo())
        assert full.is_complete
        assert full.excluded == ()
