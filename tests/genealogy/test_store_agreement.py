"""The SQL stores trace with a recursive CTE and set-based queries, the in-memory store with
a graph walk: on the same ledger they must give identical traces and recall reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import stockline as sl
from stockline import Component, Output
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore, StockStore
from tests import _postgres
from tests.conftest import START
from tests.genealogy.test_food_recall import food_chain

Build = Callable[[sl.Inventory, sl.FixedClock], object]


@pytest.fixture(
    params=[
        "sqlite-memory",
        "sqlite-file",
        pytest.param("postgres", marks=_postgres.requires_postgres),
    ]
)
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StockStore]:
    """A fresh SQL store of each kind, closed after the test."""
    store: StockStore
    if request.param == "sqlite-memory":
        store = SqlAlchemyStockStore.open("sqlite://")
    elif request.param == "sqlite-file":
        store = SqlAlchemyStockStore.open(f"sqlite:///{tmp_path}/agree.db")
    else:
        store = _postgres.store()
    yield store
    store.close()


def results(store: StockStore, build: Build) -> dict[str, Any]:
    """Build the ledger on ``store``; return its traces and recall reports as plain data."""
    clock = sl.FixedClock(START)
    inv = sl.Inventory(store=store, clock=clock)
    build(inv, clock)
    lots = [(lot.item, lot.code) for lot in inv.master.lots() if lot.item not in ("ASP",)]
    found: dict[str, Any] = {}
    for item, lot in lots:
        found[f"down {item} {lot}"] = inv.trace_downstream(item, lot).to_dict()
        found[f"up {item} {lot}"] = inv.trace_upstream(item, lot).to_dict()
        found[f"recall {item} {lot}"] = inv.recall((item, lot), reason="r").to_dict()
        found[f"recall {item} {lot} then"] = inv.recall(
            (item, lot), reason="r", as_of=START.add(minutes=90)
        ).to_dict()
    return found


def compare(sql_store: StockStore, build: Build) -> None:
    memory = InMemoryStockStore()
    expected = results(memory, build)
    memory.close()
    got = results(sql_store, build)
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        assert got[name] == value, name


def food_without_pallets(inv: sl.Inventory, clock: sl.FixedClock) -> object:
    return food_chain(inv, clock, pallets=False)


def food_with_pallets(inv: sl.Inventory, clock: sl.FixedClock) -> object:
    return food_chain(inv, clock)


def same_lot_from_two_bins(inv: sl.Inventory, clock: sl.FixedClock) -> object:
    """One production consumes one lot from two locations: two links with the same ends."""
    inv.add_item("R", tracking="lot")
    inv.add_item("P", tracking="lot")
    for path in ("DC1/A", "DC1/B"):
        inv.add_location(path)
        inv.receive("R", 10, lot="A", dst=path, supplier="S")
    clock.advance(hours=1)
    return inv.produce(
        consume=[
            Component(sku="R", quantity=5, location="DC1/A", lot="A"),
            Component(sku="R", quantity=3, location="DC1/B", lot="A"),
        ],
        output=[Output(sku="P", quantity=8, location="DC1/A", lot="P1")],
    )


def components_not_in_name_order(inv: sl.Inventory, clock: sl.FixedClock) -> object:
    """A production whose components are listed against alphabetical order."""
    for sku in ("R1", "R2", "P"):
        inv.add_item(sku, tracking="lot")
    inv.add_location("DC1/A")
    inv.receive("R1", 10, lot="A", dst="DC1/A", supplier="S")
    inv.receive("R2", 10, lot="B", dst="DC1/A", supplier="S")
    clock.advance(hours=1)
    return inv.produce(
        consume=[
            Component(sku="R2", quantity=1, location="DC1/A", lot="B"),
            Component(sku="R1", quantity=1, location="DC1/A", lot="A"),
        ],
        output=[Output(sku="P", quantity=2, location="DC1/A", lot="P1")],
    )


class TestStoresAgree:
    def test_food_chain_without_pallets(self, sql_store: StockStore) -> None:
        """Every lot of the food chain (cases moved and shipped one by one) traces and recalls
        identically on the SQL store and in memory, now and as of a past time."""
        compare(sql_store, food_without_pallets)

    def test_food_chain_with_pallets(self, sql_store: StockStore) -> None:
        """The full food chain, cases on pallets, traces and recalls identically."""
        compare(sql_store, food_with_pallets)

    def test_a_lot_consumed_from_two_bins(self, sql_store: StockStore) -> None:
        """A lot consumed from two places in one production gives two links (5 and 3) on
        every store."""
        compare(sql_store, same_lot_from_two_bins)

    def test_link_order(self, sql_store: StockStore) -> None:
        """Links come in the same order from every store."""
        compare(sql_store, components_not_in_name_order)
