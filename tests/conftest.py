"""Shared fixtures: every store stockline ships, a fixed clock, Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pendulum
import pytest
from hypothesis import HealthCheck, settings

import stockline as sl
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore, StockStore
from tests import _postgres

settings.register_profile(
    "dev",
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=200,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

START = pendulum.datetime(2026, 3, 2, 8, tz="UTC")

StoreFactory = Callable[[], StockStore]


def _sqlite_file(tmp_path: Path) -> StoreFactory:
    counter = iter(range(1_000_000))
    return lambda: SqlAlchemyStockStore.open(f"sqlite:///{tmp_path}/stock-{next(counter)}.db")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[_postgres.PostgresServer]:
    """A PostgreSQL server for this test session (see tests/_postgres.py): the one at
    STOCKLINE_TEST_POSTGRES_URL, or a throwaway one started from the installed binaries."""
    yield _postgres.server()
    _postgres.stop()


@pytest.fixture
def postgres_url(postgres_server: _postgres.PostgresServer) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database, dropped after the test."""
    url = postgres_server.fresh_database()
    yield url
    postgres_server.drop(url)


@pytest.fixture
def make_store() -> Iterator[StoreFactory]:
    """A factory of fresh, empty in-memory stores.

    Feature tests run on the in-memory store only: what each store must do is pinned by the
    store contract (tests/testing, stockline.testing), tests/adapters, the property tests and
    the stateful machine, on every store. A test module that pins every store to the in-memory
    one's answers overrides this fixture with :func:`any_store`.
    """
    made: list[StockStore] = []

    def make() -> StockStore:
        made.append(InMemoryStockStore())
        return made[-1]

    yield make
    for store in made:
        store.close()


@pytest.fixture(
    params=[
        "memory",
        "sqlite-memory",
        "sqlite-file",
        pytest.param("postgres", marks=_postgres.requires_postgres),
    ]
)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory of fresh, empty stores of one kind; every test using it runs on each kind."""
    made: list[StockStore] = []
    urls: list[str] = []

    def postgres() -> StockStore:
        server: _postgres.PostgresServer = request.getfixturevalue("postgres_server")
        urls.append(server.fresh_database())
        return SqlAlchemyStockStore.open(urls[-1], migrate=False)

    factories: dict[str, StoreFactory] = {
        "memory": InMemoryStockStore,
        "sqlite-memory": lambda: SqlAlchemyStockStore.open("sqlite://"),
        "sqlite-file": _sqlite_file(tmp_path),
        "postgres": postgres,
    }

    def make() -> StockStore:
        store = factories[request.param]()
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()
    for url in urls:
        _postgres.server().drop(url)


@pytest.fixture
def clock() -> sl.FixedClock:
    """A clock standing at Monday 2 March 2026, 08:00 UTC."""
    return sl.FixedClock(START)


@pytest.fixture
def inv(make_store: StoreFactory, clock: sl.FixedClock) -> sl.Inventory:
    """An inventory on a fresh store, with an item of each tracking kind and a small site."""
    inventory = sl.Inventory(store=make_store(), clock=clock)
    inventory.add_item("BOLT", description="M8 bolt")
    inventory.add_item("ASP", gtin="09506000134352", tracking="lot", shelf_life_days=730)
    inventory.add_item("PUMP", tracking="serial")
    inventory.add_item("FLOUR", unit="KGM")
    for path in ("DC1/DOCK", "DC1/A/01", "DC1/A/02", "DC1/B/01", "DC2/DOCK"):
        inventory.add_location(path)
    return inventory
