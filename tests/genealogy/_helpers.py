"""Shared helpers of the genealogy tests: refusal checks, SSCCs and the known store bugs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest

import stockline as sl
from stockline.gs1 import sscc


def code(n: int) -> str:
    """A valid SSCC with serial reference ``n``."""
    return sscc("0614141", f"{n:09d}")


def snapshot(inv: sl.Inventory) -> tuple[Any, ...]:
    """Ledger head, every balance, master data changes and lots."""
    with inv.store.read() as r:
        head = r.head()
        changes = len(r.master_changes())
        lots = r.lots()
    return head, inv.stock(internal_only=False), changes, lots


@contextmanager
def unchanged(inv: sl.Inventory) -> Iterator[None]:
    """Assert the block leaves ledger, balances and master data exactly as they were."""
    before = snapshot(inv)
    yield
    assert snapshot(inv) == before


def refused(inv: sl.Inventory, error: type[Exception], call: Callable[[], object]) -> Exception:
    """Assert ``call`` raises ``error`` and changes nothing."""
    with unchanged(inv), pytest.raises(error) as caught:
        call()
    return caught.value


Where = tuple[str, str | None, str, str, str | None]


def where(balances: Any) -> dict[Where, Decimal]:
    """Balances as {(item, serial or lot, location, status, container): quantity}."""
    found: dict[Where, Decimal] = {}
    for b in balances:
        key = (
            b.item,
            b.serial or b.lot,
            b.position.location,
            b.position.status,
            b.position.container,
        )
        found[key] = found.get(key, Decimal(0)) + b.quantity
    return found
