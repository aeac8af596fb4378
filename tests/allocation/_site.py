"""A small site with dated lots, shared by the allocation tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import stockline as sl
from stockline.policies import Allocation

UTC = dt.UTC
D = Decimal

# The `inv` fixture's clock stands at 2026-03-02 08:00 UTC.
EARLY = dt.datetime(2026, 2, 1, 8, tzinfo=UTC)
LATER = dt.datetime(2026, 2, 15, 8, tzinfo=UTC)


def stock_milk(inv: sl.Inventory) -> None:
    """MILK (lot-tracked, packs of 6): three lots in three bins, received on two dates.

    ======  ========  ==========  ==========  ====
    lot     bin       expiry      received    qty
    ======  ========  ==========  ==========  ====
    OLD     DC1/A/01  2026-03-01  02-01       12   (expired on the clock's date)
    SOON    DC1/A/02  2026-03-20  02-15       10
    LATE    DC1/B/01  2026-06-30  02-01       30
    ======  ========  ==========  ==========  ====
    """
    inv.add_item("MILK", tracking="lot", unit="EA", packs=[("CASE", 6)])
    inv.add_location("DC1/STAGING")
    inv.receive(
        "MILK",
        12,
        dst="DC1/A/01",
        lot="OLD",
        expiry=dt.date(2026, 3, 1),
        effective_at=EARLY,
        supplier="ACME",
    )
    inv.receive(
        "MILK",
        10,
        dst="DC1/A/02",
        lot="SOON",
        expiry=dt.date(2026, 3, 20),
        effective_at=LATER,
        supplier="ACME",
    )
    inv.receive(
        "MILK",
        30,
        dst="DC1/B/01",
        lot="LATE",
        expiry=dt.date(2026, 6, 30),
        effective_at=EARLY,
        supplier="ACME",
    )


def picks(plan: Allocation) -> list[tuple[str | None, str, Decimal]]:
    """The picks as (lot, location, quantity)."""
    return [(p.candidate.lot, p.candidate.location, p.quantity) for p in plan.picks]


def reserved(
    inv: sl.Inventory, order: str | None = None
) -> list[tuple[str, str | None, str, Decimal]]:
    """The reservations as (order, lot, location, quantity)."""
    return [
        (r.order, r.lot, r.position.location, r.quantity)
        for r in inv.allocation.reservations(order)
    ]
