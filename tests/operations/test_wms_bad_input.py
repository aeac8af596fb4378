"""Every public call of ``inv.returns`` and ``inv.picking``, given one bad argument, refuses
it with a StocklineError or accepts it; a refusal leaves the ledger, the reservations and the
waves exactly as they were; the in-memory store and SQLite give the same verdict."""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pendulum
import pytest

import stockline as sl
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore
from stockline.errors import StocklineError

START = pendulum.datetime(2026, 3, 2, 8, tz="UTC")
GTIN = "09506000134352"
NAMESPACES = ("returns", "picking")

BAD: list[object] = [
    None,
    True,
    0,
    -1,
    2**63,
    1.5,
    math.nan,
    Decimal("NaN"),
    Decimal("-1"),
    Decimal("1E+30"),
    b"BOLT",
    ["BOLT"],
    {},
    object(),
    "",
    " BOLT",
    "a\x00b",
    "\ud800",
    "a\nb",
    "DC1//A",
    "teleport",
    dt.date(2030, 1, 1),
    dt.datetime(2026, 3, 2, 8),  # naive
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
]

STORES: dict[str, Callable[[], Any]] = {
    "memory": InMemoryStockStore,
    "sqlite": lambda: SqlAlchemyStockStore.open("sqlite://"),
}


def _setup(inv: sl.Inventory) -> None:
    """A shipment to return against (tx 3) with a return waiting (tx 4), a wave W-1 of
    order SO-2, SO-3 allocated, and SO-4 staged by wave W-0."""
    inv.add_item("ASP", gtin=GTIN, tracking="lot")
    for path in ("DC1/A/01", "DC1/A/02", "DC1/RET", "DC1/OUT"):
        inv.add_location(path)
    inv.receive("ASP", 20, lot="L1", expiry=dt.date(2027, 1, 31), dst="DC1/A/01", supplier="S")
    inv.receive("ASP", 20, lot="L1", dst="DC1/A/02", supplier="S")
    inv.ship("ASP", 10, lot="L1", src="DC1/A/01", customer="SHOP", ref="SO-1")
    inv.returns.receive("ASP", 2, dst="DC1/RET", shipment=3)
    inv.allocate("ASP", 5, order="SO-2")
    inv.picking.plan("W-1", ["SO-2"], staging="DC1/OUT")
    inv.allocate("ASP", 1, order="SO-3")
    inv.allocate("ASP", 1, order="SO-4")
    inv.picking.plan("W-0", ["SO-4"], staging="DC1/OUT")
    inv.picking.confirm("W-0", 1)


def _kw(**kwargs: Any) -> Callable[[sl.Inventory], dict[str, Any]]:
    return lambda inv: kwargs


VALID: dict[str, Callable[[sl.Inventory], dict[str, Any]]] = {
    "returns.receive": _kw(sku="ASP", quantity=1, dst="DC1/RET", shipment=3, lot="L1",
                           customer="SHOP", status="returned", ref="RMA-1", refs={"X": "1"},
                           key="k-1", effective_at=START, actor="ann", reason="torn"),
    "returns.returnable": _kw(shipment=3, sku="ASP"),
    "returns.get": _kw(return_id=4),
    "returns.dispose": _kw(return_id=4, disposition="restock", sku="ASP", quantity=1, lot="L1",
                           dst="DC1/A/02", reason="ok", key="k-2", effective_at=START,
                           actor="ann"),
    "returns.to_supplier": _kw(sku="ASP", quantity=1, src="DC1/A/02", supplier="S", lot="L1",
                               status="available", reason="bad", ref="R-1", refs={"PO": "1"},
                               key="k-3", effective_at=START, actor="ann"),
    "picking.plan": _kw(wave="W-2", orders=["SO-3"], staging="DC1/OUT", zone_depth=2,
                        actor="ann"),
    "picking.wave": _kw(wave="W-1"),
    "picking.waves": _kw(),
    "picking.confirm": _kw(wave="W-1", line=1, scan=f"(01){GTIN}(10)L1", quantity=1,
                           short=False, container=None, at=dt.date(2026, 3, 2),
                           gs_standin="^", key="k-4", effective_at=START, actor="ann",
                           reason="pick"),
    "picking.ship": _kw(order="SO-4", customer="SHOP", refs={"BOL": "B"}, key="k-5",
                        effective_at=START, actor="ann", reason="go"),
    "picking.progress": _kw(order="SO-2"),
}  # fmt: skip


def _methods() -> dict[str, inspect.Signature]:
    inv = sl.Inventory()
    found = {}
    for prefix in NAMESPACES:
        target = getattr(inv, prefix)
        for name in dir(target):
            value = getattr(target, name)
            if not name.startswith("_") and callable(value):
                found[f"{prefix}.{name}"] = inspect.signature(value)
    return found


SIGNATURES = _methods()


def snapshot(inv: sl.Inventory) -> str:
    parts = [
        inv.changes(limit=100_000),
        inv.stock(internal_only=False),
        inv.master.changes(),
        inv.allocation.reservations(),
        inv.picking.waves(),
    ]
    return "\n".join(repr(p) for p in parts)


class _Bench:
    def __init__(self) -> None:
        self.inventories: dict[str, sl.Inventory] = {}
        self.snapshots: dict[str, str] = {}

    def inventory(self, store: str) -> sl.Inventory:
        if store not in self.inventories:
            inv = sl.Inventory(store=STORES[store](), clock=sl.FixedClock(START))
            _setup(inv)
            self.inventories[store] = inv
            self.snapshots[store] = snapshot(inv)
        return self.inventories[store]

    def call(self, store: str, method: str, parameter: str, value: object) -> str:
        inv = self.inventory(store)
        kwargs = {**VALID[method](inv), parameter: value}
        prefix, name = method.split(".")
        where = f"{method}({parameter}={value!r}) on {store}"
        try:
            getattr(getattr(inv, prefix), name)(**kwargs)
        except StocklineError as refused:
            assert snapshot(inv) == self.snapshots[store], f"{where} refused, but changed"
            return type(refused).__name__
        except Exception as foreign:
            raise AssertionError(f"{where} raised {type(foreign).__name__}") from foreign
        assert inv.verify().ok
        if snapshot(inv) != self.snapshots[store]:
            inv.close()
            del self.inventories[store]
        return "accepted"

    def close(self) -> None:
        for inv in self.inventories.values():
            inv.close()


@pytest.fixture(scope="module")
def bench() -> Iterator[_Bench]:
    made = _Bench()
    yield made
    made.close()


def test_every_method_has_a_valid_call() -> None:
    """A new public method of the two services must get a valid call here."""
    assert set(SIGNATURES) == set(VALID)


def test_valid_calls_are_accepted(bench: _Bench) -> None:
    """Each valid call goes through as written (so a refusal below is the bad value's)."""
    for method in sorted(VALID):
        params = SIGNATURES[method].parameters
        if not params:
            continue
        first = next(iter(params))
        kwargs = VALID[method](sl.Inventory())
        if first in kwargs:
            assert bench.call("memory", method, first, kwargs[first]) == "accepted", method


@pytest.mark.parametrize("method", sorted(m for m in VALID if SIGNATURES[m].parameters))
def test_one_bad_argument(bench: _Bench, method: str) -> None:
    """Each parameter given half the hostile values (every value to every other parameter):
    a StocklineError or acceptance, nothing changed by a refusal, the same verdict on SQLite
    as in memory (on a sample)."""
    for i, parameter in enumerate(sorted(SIGNATURES[method].parameters)):
        for j, value in enumerate(BAD):
            if (i + j) % 2:
                continue
            verdict = bench.call("memory", method, parameter, value)
            if (i + j) % 8 == 0:
                assert bench.call("sqlite", method, parameter, value) == verdict, (
                    f"{method}({parameter}={value!r})"
                )
