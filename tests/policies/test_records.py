"""Demand, Candidate and Allocation: validation at the boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest

from stockline.errors import InvalidQuantityError, InvalidTimeError
from stockline.policies import Candidate, Demand, Fefo, allocate

from ._stock import pos, want


class TestDemand:
    def test_float_quantity_rejected(self) -> None:
        """Floats are rejected with an error that carries the value and suggests Decimal."""
        with pytest.raises(InvalidQuantityError, match=r"Decimal\('1.5'\)") as caught:
            Demand(item="X", quantity=1.5, at=date(2027, 1, 1))  # type: ignore[arg-type]
        assert caught.value.value == 1.5

    def test_int_quantity_becomes_decimal(self) -> None:
        """An int is exact, so it is accepted and stored as Decimal."""
        demand = Demand(item="X", quantity=3, at=date(2027, 1, 1))
        assert isinstance(demand.quantity, Decimal)

    @pytest.mark.parametrize("bad", [Decimal(0), Decimal(-1), Decimal("NaN"), True])
    def test_non_positive_or_odd_quantity_rejected(self, bad: Decimal) -> None:
        """Zero, negative, NaN and booleans are not quantities."""
        with pytest.raises(InvalidQuantityError):
            Demand(item="X", quantity=bad, at=date(2027, 1, 1))

    def test_quantity_must_be_whole_packs(self) -> None:
        """With a pack size, the quantity is a multiple of it."""
        with pytest.raises(InvalidQuantityError, match="must be a multiple of pack_size 12"):
            want(30, pack_size=12)

    def test_float_pack_size_rejected(self) -> None:
        """pack_size is a quantity too: no floats."""
        with pytest.raises(InvalidQuantityError):
            want(24, pack_size=12.0)

    def test_datetime_at_rejected(self) -> None:
        """``at`` is a date; a datetime would not compare with expiry dates."""
        with pytest.raises(InvalidTimeError):
            Demand(item="X", quantity=Decimal(1), at=datetime(2027, 1, 1, tzinfo=UTC))

    def test_attributes_are_copied_and_read_only(self) -> None:
        """The attributes mapping is a read-only copy."""
        source = {"customer": "ACME"}
        demand = want(1, attributes=source)
        source["customer"] = "other"
        assert demand.attributes["customer"] == "ACME"
        with pytest.raises(TypeError):
            demand.attributes["customer"] = "x"  # type: ignore[index]

    def test_frozen(self) -> None:
        """Records are immutable; use attrs.evolve."""
        demand = want(1)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            demand.quantity = Decimal(2)  # type: ignore[misc]
        assert attrs.evolve(demand, quantity=Decimal(2)).quantity == 2


class TestCandidate:
    def test_naive_receipt_rejected(self) -> None:
        """first_received_at must be aware; no time zone is assumed."""
        with pytest.raises(InvalidTimeError, match="aware"):
            Candidate(
                item="X",
                first_received_at=datetime(2026, 1, 1),
                location="A",
                available=Decimal(1),
            )

    def test_float_available_rejected(self) -> None:
        """available is a Decimal; floats are rejected."""
        with pytest.raises(InvalidQuantityError, match=r"Candidate\.available"):
            Candidate(
                item="X",
                first_received_at=datetime(2026, 1, 1, tzinfo=UTC),
                location="A",
                available=0.5,  # type: ignore[arg-type]
            )

    def test_negative_available_rejected(self) -> None:
        """A position never holds negative available stock."""
        with pytest.raises(InvalidQuantityError, match="zero or more"):
            pos("L", -1)

    def test_in_zone_is_a_path_prefix(self) -> None:
        """A zone holds its own path and everything below it, not siblings sharing letters."""
        assert pos("L", 1, location="DC1/A").in_zone("DC1/A")
        assert pos("L", 1, location="DC1/A/01").in_zone("DC1/A/")
        assert not pos("L", 1, location="DC1/AB").in_zone("DC1/A")

    def test_derived_fields_do_not_affect_equality(self) -> None:
        """Candidates equal in every field compare equal."""
        assert pos("L", 1) == pos("L", 1)


class TestAllocation:
    def test_helpers(self) -> None:
        """allocated sums the picks; is_complete means no shortfall."""
        plan = allocate(want(5), [pos("A", 2), pos("B", 9, location="DC1/B")], Fefo())
        assert plan.allocated == 5
        assert plan.is_complete
        assert plan.demand == want(5)
