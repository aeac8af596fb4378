"""Builders for scenario tables: short positions, demands and expected picks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs

from stockline.policies import Allocation, AllocationPolicy, Candidate, Demand, allocate

TODAY = date(2027, 1, 1)
ITEM = "SKU-1"


def pos(
    lot: str | None,
    qty: int | str,
    *,
    expiry: str | None = None,
    received: str = "2026-06-01",
    location: str = "DC1/A/01",
    seq: int = 0,
    container: str | None = None,
    status: str = "available",
    item: str = ITEM,
) -> Candidate:
    """One position; dates as ISO strings, received at 08:00 UTC on that day."""
    return Candidate(
        item=item,
        lot=lot,
        expiry=date.fromisoformat(expiry) if expiry else None,
        first_received_at=datetime.fromisoformat(received).replace(hour=8, tzinfo=UTC),
        location=location,
        pick_sequence=seq,
        container=container,
        status=status,
        available=Decimal(qty),
    )


def want(qty: int | str | Decimal, **constraints: object) -> Demand:
    """A demand for ``qty`` of the test item on TODAY, with extra constraints."""
    fields: dict[str, object] = {"item": ITEM, "quantity": Decimal(qty), "at": TODAY}
    fields.update(constraints)
    return Demand(**fields)  # type: ignore[arg-type]


@attrs.frozen
class Scenario:
    """One row of a scenario table: stock, demand, expected picks and shortfall.

    ``picks`` are ``(lot, location, quantity)`` in pick order.
    """

    name: str
    stock: Sequence[Candidate]
    demand: Demand
    picks: Sequence[tuple[str | None, str, int | str]]
    shortfall: int | str = 0


def run(scenario: Scenario, policy: AllocationPolicy) -> Allocation:
    """Allocate a scenario and check it against its expectations."""
    plan = allocate(scenario.demand, scenario.stock, policy)
    got = [(p.candidate.lot, p.candidate.location, p.quantity) for p in plan.picks]
    expected = [(lot, loc, Decimal(qty)) for lot, loc, qty in scenario.picks]
    assert got == expected, f"{scenario.name}: picks {got} != {expected}"
    assert plan.shortfall == Decimal(scenario.shortfall), scenario.name
    assert plan.allocated + plan.shortfall == scenario.demand.quantity
    return plan
