"""Every public call of ``inv.putaway`` and ``inv.transfers``, given one bad argument, refuses
it with a StocklineError or accepts it, the same on the in-memory store and SQLite, and a
refusal leaves the ledger and the documents exactly as they were."""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore
from stockline.errors import StocklineError
from tests.conftest import START

GTIN = "09506000134352"
NAMESPACES = ("putaway", "transfers")

STORES: dict[str, Callable[[], Any]] = {
    "memory": InMemoryStockStore,
    "sqlite": lambda: SqlAlchemyStockStore.open("sqlite://"),
}


def _setup(inv: sl.Inventory) -> None:
    inv.add_item("BOLT")
    inv.add_item("ASP", gtin=GTIN, tracking="lot")
    for path in ("DC1/DOCK", "DC1/A/01", "DC1/A/02", "DC2/DOCK"):
        inv.add_location(path)
    inv.add_container("C1")
    inv.receive("BOLT", 40, dst="DC1/DOCK", supplier="ACME")
    inv.receive("BOLT", 5, dst="DC1/DOCK", container="C1", supplier="ACME")
    inv.receive("ASP", 20, lot="L1", expiry=dt.date(2027, 1, 1), dst="DC1/DOCK", supplier="ACME")
    inv.putaway.set_bin("DC1/A/01", max_units=100)
    inv.putaway.set_bin("DC1/A/02", max_units=100, max_pallets=2)
    inv.putaway.set_item("ASP", category="pharma")
    inv.transfers.create("TO-1", src="DC1", dst="DC2/DOCK", lines=[("BOLT", 10)])
    inv.transfers.create("TO-2", src="DC1", dst="DC2/DOCK", lines=[("ASP", 5)])
    inv.transfers.ship("TO-2")


Call = dict[str, Any]


def _kw(**kwargs: Any) -> Callable[[sl.Inventory], Call]:
    return lambda inv: kwargs


VALID: dict[str, Callable[[sl.Inventory], Call]] = {
    "putaway.set_item": _kw(sku="BOLT", storage="dry", weight=2, fixed_bin="DC1/A/01"),
    "putaway.item": _kw(sku="BOLT"),
    "putaway.set_bin": _kw(
        location="DC1/A/02", zone="Z", storage=["dry"], statuses=["available"], max_units=50
    ),
    "putaway.bins": _kw(within="DC1"),
    "putaway.remove_bin": _kw(location="DC1/A/01"),
    "putaway.suggest": _kw(sku="BOLT", quantity=5, src="DC1/DOCK", within="DC1/A"),
    "putaway.suggest_receipt": _kw(transaction=1),
    "putaway.suggest_container": _kw(container="C1", within="DC1"),
    "putaway.confirm": lambda inv: {
        "suggestions": inv.putaway.suggest("BOLT", 5, src="DC1/DOCK"),
        "key": "pa-1",
    },
    "putaway.place": _kw(sku="BOLT", quantity=3, src="DC1/DOCK", dst="DC1/A/01", actor="mia"),
    "putaway.place_scan": _kw(
        scan=f"(01){GTIN}(10)L1", quantity=2, src="DC1/DOCK", dst="DC1/A/01", at=START.date()
    ),
    "transfers.create": _kw(order="TO-3", src="DC1", dst="DC2/DOCK", lines=[("BOLT", 2)]),
    "transfers.order": _kw(order="TO-1"),
    "transfers.orders": _kw(state="open"),
    "transfers.ship": _kw(order="TO-1", refs={"BOL": "B1"}, at=START.date()),
    "transfers.receive": _kw(order="TO-2", sku="ASP", quantity=2, lot="L1", dst="DC2/DOCK"),
    "transfers.receive_scan": _kw(order="TO-2", scan=f"(01){GTIN}(10)L1", quantity=1),
    "transfers.report": _kw(order="TO-2"),
    "transfers.in_transit": _kw(order="TO-2", sku="ASP"),
    "transfers.cancel": _kw(order="TO-2", reason="not needed"),
    "transfers.close": _kw(order="TO-2", reason="lost"),
}

BAD: list[object] = [
    None,
    True,
    0,
    -1,
    2**64,
    1.5,
    math.nan,
    Decimal("NaN"),
    Decimal("-1"),
    Decimal("1E+30"),
    b"BOLT",
    [],
    ["BOLT"],
    [None],
    {},
    {"BOLT": 1},
    object(),
    "",
    " BOLT",
    "a\x00b",
    "\ud800",
    "DC1//A",
    "teleport",
    "2030-01-01",
    dt.date(1, 1, 1),
    dt.datetime(2026, 3, 2, 8),  # naive
]


def _methods() -> dict[str, inspect.Signature]:
    inv = sl.Inventory()
    found = {}
    for prefix in NAMESPACES:
        target = getattr(inv, prefix)
        for name in dir(target):
            if not name.startswith("_") and callable(getattr(target, name)):
                found[f"{prefix}.{name}"] = inspect.signature(getattr(target, name))
    return found


SIGNATURES = _methods()
CASES = [
    (method, parameter)
    for method in sorted(SIGNATURES)
    for parameter in SIGNATURES[method].parameters
]


def snapshot(inv: sl.Inventory) -> str:
    """What a refused call must leave as it was."""
    with inv.store.read() as r:
        documents = [r.documents(kind) for kind in ("putaway-bin", "putaway-item")]
        documents.append(r.documents("transfer-order"))
    parts = [inv.changes(limit=100_000), inv.stock(internal_only=False), documents]
    return "\n".join(repr(p) for p in parts)


def _verdict(inv: sl.Inventory, method: str, parameter: str, value: object) -> str:
    prefix, name = method.split(".")
    kwargs = dict(VALID[method](inv))
    kwargs[parameter] = value
    before = snapshot(inv)
    try:
        getattr(getattr(inv, prefix), name)(**kwargs)
    except StocklineError as e:
        assert snapshot(inv) == before, f"{method}({parameter}={value!r}) refused, but changed"
        return type(e).__name__
    return "accepted"


@pytest.fixture(scope="module")
def stores() -> Iterator[dict[str, sl.Inventory]]:
    made = {
        name: sl.Inventory(store=make(), clock=sl.FixedClock(START))
        for name, make in STORES.items()
    }
    for inv in made.values():
        _setup(inv)
    yield made
    for inv in made.values():
        inv.close()


def test_every_method_has_a_valid_call() -> None:
    """A new public method of either namespace cannot be left out of these tests."""
    assert set(VALID) == set(SIGNATURES)


def _fresh() -> sl.Inventory:
    inv = sl.Inventory(clock=sl.FixedClock(START))
    _setup(inv)
    return inv


@pytest.mark.parametrize("method", sorted(SIGNATURES))
def test_valid_call_then_bad_values(method: str) -> None:
    """The valid call works; each bad value of each argument is refused with a StocklineError
    (nothing changed) or accepted, on the in-memory store."""
    inv = _fresh()
    prefix, name = method.split(".")
    getattr(getattr(inv, prefix), name)(**VALID[method](inv))
    inv = _fresh()
    fresh = snapshot(inv)
    for parameter in SIGNATURES[method].parameters:
        for value in BAD:
            if _verdict(inv, method, parameter, value) == "accepted" and snapshot(inv) != fresh:
                inv = _fresh()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=st.sampled_from(CASES), value=st.sampled_from(BAD))
def test_same_verdict_on_every_store(
    stores: dict[str, sl.Inventory], case: tuple[str, str], value: object
) -> None:
    """The in-memory store and SQLite give the same verdict for the same bad call."""
    method, parameter = case
    verdicts = {}
    for name, inv in stores.items():
        verdicts[name] = _verdict(inv, method, parameter, value)
        if verdicts[name] == "accepted":
            inv.close()
            stores[name] = sl.Inventory(store=STORES[name](), clock=sl.FixedClock(START))
            _setup(stores[name])
    assert len(set(verdicts.values())) == 1, (method, parameter, value, verdicts)
