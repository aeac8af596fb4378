"""Bad input to inv.serials raises a StocklineError and changes nothing, on every store."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest

import stockline as sl
from stockline.errors import StocklineError
from tests.conftest import StoreFactory
from tests.serials.conftest import packaging_line

BAD: list[Any] = [None, "", " x", "a\x00b", "\ud800", 1.5, math.nan, True, b"VIAL", ["VIAL"]]
NOT_WHOLE: list[Any] = [None, True, 1.0, "3", Decimal(3), 0, -1, 10**7, math.nan]
NAIVE = dt.datetime(2026, 1, 1)
FUTURE = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)

#: (verb of inv.serials, positional arguments, keyword arguments)
Call = tuple[str, tuple[Any, ...], dict[str, Any]]

CALLS: list[Call] = []
for bad in BAD:
    CALLS += [
        ("add_pool", (bad,), {}),
        ("issue", (bad, 1), {}),
        ("produce", ("VIAL", 1), {"location": bad}),
        ("void", ("VIAL", ["1"]), {"reason": bad}),
        ("state", ("VIAL", bad), {}),
        ("labels", ("VIAL", [bad]), {}),
        ("sscc.allocate", (bad,), {}),
        ("sscc.label", (bad,), {}),
        ("sscc.create", ("0614141",), {"kind": bad}),
    ]
for bad in NOT_WHOLE:
    CALLS += [
        ("issue", ("VIAL", bad), {}),
        ("produce", ("VIAL", bad), {"location": "PLANT/FG"}),
        ("add_pool", ("VIAL",), {"length": bad}),
        ("sscc.allocate", ("0614141", bad), {}),
        ("sscc.create", ("0614141", bad), {}),
    ]
CALLS += [
    ("add_pool", ("VIAL",), {"scheme": "shuffled"}),
    ("add_pool", ("VIAL",), {"alphabet": 123}),
    ("add_pool", ("VIAL",), {"guess_odds": 1}),
    ("void", ("VIAL", "123"), {"reason": "a string is not a list of serials"}),
    ("produce", ("VIAL", 1), {"location": "PLANT/FG", "consume": ["BULK"]}),
    ("produce", ("VIAL", 1), {"location": "PLANT/FG", "effective_at": NAIVE}),
    ("produce", ("VIAL", 1), {"location": "PLANT/FG", "effective_at": FUTURE}),
    ("produce", ("VIAL", 1), {"location": "NOWHERE"}),
    ("produce", ("VIAL", 1), {"location": "PLANT/FG", "expiry": "2028-01-01"}),
    ("decommission", ("VIAL", "000001"), {"reason": "lost"}),
    ("sscc.allocate", ("0614141",), {"extension": 10}),
    ("sscc.allocate", ("12345",), {}),
    ("sscc.label", ("106141410000000014",), {}),
    ("sscc.void", (["106141410000000019"],), {"reason": "never allocated"}),
    ("labels", ("VIAL", ["A B"]), {}),
    ("sscc.label", ("106141410000000019",), {"count": True}),
    ("sscc.label", ("106141410000000019",), {"count": 12}),
    ("sscc.label", ("106141410000000019",), {"content_gtin": "09506000134353", "count": 1}),
    ("sscc.label", ("106141410000000019",), {"expiry": "2027-03-31"}),
    ("labels", ("VIAL", ["1"]), {"domain": None}),
]


@pytest.fixture
def ledger(any_store: StoreFactory, clock: sl.FixedClock) -> sl.Inventory:
    """A line with a sequential pool that has made one unit."""
    inv = packaging_line(sl.Inventory(store=any_store(), clock=clock))
    inv.serials.add_pool("VIAL", scheme="sequential", length=6)
    inv.serials.produce("VIAL", 1, location="PLANT/FG")
    return inv


def snapshot(inv: sl.Inventory) -> tuple[Any, ...]:
    return (
        inv.history(),
        inv.serials.pools(),
        inv.serials.issued("VIAL"),
        inv.serials.gaps("VIAL"),
        inv.serials.sscc.ranges(),
    )


def test_bad_input_raises_a_stockline_error_and_changes_nothing(ledger: sl.Inventory) -> None:
    """Every bad argument of every serials verb is refused with a StocklineError, before
    anything is written, the same on every store."""
    before = snapshot(ledger)
    escaped = []
    for verb, args, kwargs in CALLS:
        target: Any = ledger.serials
        for part in verb.split("."):
            target = getattr(target, part)
        try:
            target(*args, **kwargs)
        except StocklineError:
            pass
        except Exception as e:  # pragma: no cover - the assertion below names it
            escaped.append(f"{verb}{args}{kwargs}: {type(e).__name__}: {e}")
        else:
            escaped.append(f"{verb}{args}{kwargs}: accepted")
    assert escaped == []
    assert snapshot(ledger) == before
