"""The stores stockline ships, certified with its own public kit: the conformance suite and
the stateful model check."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore, StockStore
from stockline.testing import StockStoreContract, store_machine
from tests import _postgres


class TestInMemoryStore(StockStoreContract):
    supports_concurrent_writers = True

    @pytest.fixture
    def store(self) -> StockStore:
        return InMemoryStockStore()


class TestSqliteMemory(StockStoreContract):
    supports_concurrent_writers = True

    @pytest.fixture
    def store(self) -> StockStore:
        return SqlAlchemyStockStore.open("sqlite://")


class TestSqliteFile(StockStoreContract):
    """A database file, opened again for the persistence tests. ``synchronous=NORMAL``
    (no fsync per commit in WAL mode) keeps the suite fast; what reaches the file is the
    same."""

    supports_concurrent_writers = True
    supports_persistence = True

    @pytest.fixture
    def store(self, tmp_path: Path) -> StockStore:
        url = f"sqlite:///{tmp_path / 'stock.db'}"
        return SqlAlchemyStockStore.open(url, sqlite_synchronous="NORMAL")

    def reopen(self, store: StockStore) -> StockStore:
        assert isinstance(store, SqlAlchemyStockStore)
        return SqlAlchemyStockStore.open(store.engine.url, sqlite_synchronous="NORMAL")


@_postgres.requires_postgres
class TestPostgres(StockStoreContract):
    supports_concurrent_writers = True
    supports_persistence = True

    @pytest.fixture
    def store(self, postgres_url: str) -> StockStore:
        return SqlAlchemyStockStore.open(postgres_url, migrate=False)

    def reopen(self, store: StockStore) -> StockStore:
        assert isinstance(store, SqlAlchemyStockStore)
        return SqlAlchemyStockStore.open(store.engine.url, migrate=False)


def _at_most(examples: int) -> settings:
    """The profile's settings with at most ``examples`` examples (steps stay the profile's)."""
    return settings(max_examples=min(settings().max_examples, examples))


# Each step runs every operation on two stores and compares everything after it, so the
# machines run fewer examples than the profile asks for: the in-memory one checks the machine
# itself (memory against memory), SQLite is the store that matters here, and PostgreSQL,
# where every example starts with a fresh database, runs a few (the same properties run in
# full on SQLite; tests/ledger/test_properties.py covers PostgreSQL further).
TestMemoryMachine = store_machine(InMemoryStockStore).TestCase
TestMemoryMachine.settings = _at_most(50)
TestSqliteMachine = store_machine(lambda: SqlAlchemyStockStore.open("sqlite://")).TestCase
TestSqliteMachine.settings = _at_most(15)
TestPostgresMachine = _postgres.requires_postgres(store_machine(_postgres.store).TestCase)
TestPostgresMachine.settings = _at_most(3)
