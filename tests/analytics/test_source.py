"""Which source the Inventory runs the analytics on, and that the in-memory path stays free
of SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import stockline as sl
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore
from stockline.adapters.sqlalchemy._analytics import SqlAnalytics
from stockline.analytics import LedgerFold, Window, source_for


class _Offered:
    """A stand-in source that records it was used."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def dwell(self, *, item: str | None, window: Window) -> list[Any]:
        self.calls.append("dwell")
        return []


class _Reader:
    def __init__(self, source: _Offered) -> None:
        self._source = source

    def analytics(self) -> _Offered:
        return self._source


class TestSourceFor:
    def test_in_memory_store_folds(self) -> None:
        """The in-memory store has no source of its own: the fold is used."""
        with InMemoryStockStore().read() as r:
            assert isinstance(source_for(r), LedgerFold)

    def test_sql_store_runs_sql(self) -> None:
        """The SQLAlchemy store's read view gets the set-based SQL source."""
        store = SqlAlchemyStockStore.open("sqlite://")
        try:
            with store.read() as r:
                assert isinstance(source_for(r), SqlAnalytics)
        finally:
            store.close()

    def test_a_readers_own_source_wins(self) -> None:
        """A reader with an analytics() method supplies its own source (for third-party
        adapters with a faster way)."""
        offered = _Offered()
        found: object = source_for(_Reader(offered))  # type: ignore[arg-type]
        assert found is offered


class TestImports:
    def test_memory_analytics_need_no_sqlalchemy_or_matplotlib(self) -> None:
        """Running every report on the in-memory store imports neither SQLAlchemy nor
        matplotlib."""
        code = textwrap.dedent(
            """
            import importlib.abc, sys

            class Block(importlib.abc.MetaPathFinder):
                def find_spec(self, name, path, target=None):
                    if name.split(".")[0] in {"sqlalchemy", "matplotlib", "alembic"}:
                        raise ImportError(f"must not import {name}")
                    return None

            sys.meta_path.insert(0, Block())
            import datetime as dt
            import stockline as sl
            inv = sl.Inventory()
            inv.add_item("X", tracking="lot")
            inv.add_location("A/1")
            inv.receive("X", 5, lot="L", expiry=dt.date(2030, 1, 1), dst="A/1", supplier="S")
            inv.ship("X", 2, lot="L", src="A/1", customer="C")
            assert inv.analytics.dwell_times()[0].quantity == 2
            now = inv.clock.now()
            day = dt.timedelta(days=1)
            inv.analytics.turnover(since=now - day, until=now + day)
            inv.analytics.aging(); inv.analytics.aging(basis="receipt")
            inv.analytics.near_expiry(9999)
            inv.analytics.supplier_nonconformity(); inv.analytics.activity()
            """
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr

    def test_inventory_uses_the_sql_source(self, monkeypatch: Any) -> None:
        """Inventory methods on the SQL store go through SqlAnalytics, not the fold."""
        used: list[str] = []
        original = SqlAnalytics.dwell

        def spy(self: SqlAnalytics, **kwargs: Any) -> Any:
            used.append("sql")
            return original(self, **kwargs)

        monkeypatch.setattr(SqlAnalytics, "dwell", spy)
        inv = sl.Inventory.open("sqlite://")
        try:
            assert inv.analytics.dwell_times() == []
        finally:
            inv.close()
        assert used == ["sql"]
