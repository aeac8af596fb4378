"""The stores stockline ships, certified with its own public kit: the conformance suite and
the stateful model check."""

from __future__ import annotations

import itertools
import tempfile
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


_FILES = tempfile.TemporaryDirectory(prefix="stockline-machine-")
_FILE_NAMES = itertools.count()


def _sqlite_file() -> StockStore:
    return SqlAlchemyStockStore.open(f"sqlite:///{_FILES.name}/stock-{next(_FILE_NAMES)}.db")


def _at_most(examples: int) -> settings:
    """The profile's settings with at most ``examples`` examples (steps stay the profile's)."""
    return settings(max_examples=min(settings().max_examples, examples))


# Each step runs every operation on the store under test and on the in-memory reference and
# compares everything after it, so the machines run fewer examples than the profile asks for:
# SQLite in memory is the store that matters here; a SQLite file and PostgreSQL, where every
# example starts with a fresh database, run a few (tests/ledger/test_properties.py covers
# PostgreSQL further). The in-memory store is the reference, so it is not run against itself.
TestSqliteMachine = store_machine(lambda: SqlAlchemyStockStore.open("sqlite://")).TestCase
TestSqliteMachine.settings = _at_most(30)
TestSqliteFileMachine = store_machine(_sqlite_file).TestCase
TestSqliteFileMachine.settings = _at_most(4)
TestPostgresMachine = _postgres.requires_postgres(store_machine(_postgres.store).TestCase)
TestPostgresMachine.settings = _at_most(3)
