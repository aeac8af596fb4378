"""Concurrent allocations over the same stock, from several connections: never oversold."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path

import stockline as sl
from tests import _postgres
from tests.conftest import START

THREADS = 6
ROUNDS = 5
EACH = 7  # 6 x 5 x 7 = 210 wanted, 100 there


def _stock(url: str) -> None:
    with sl.Inventory.open(url, clock=sl.FixedClock(START)) as inv:
        inv.add_item("MILK", tracking="lot")
        for n, path in enumerate(("DC1/A/01", "DC1/A/02", "DC1/B/01", "DC1/B/02")):
            inv.add_location(path)
            inv.receive(
                "MILK", 25, dst=path, lot=f"L{n}", expiry=dt.date(2026, 5, n + 1), supplier="ACME"
            )


def _race(url: str) -> list[Decimal]:
    allocated: list[Decimal] = []
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        try:
            with sl.Inventory.open(url, clock=sl.FixedClock(START)) as inv:
                start.wait()
                for k in range(ROUNDS):
                    plan = inv.allocate("MILK", EACH, order=f"SO-{n}-{k}")
                    allocated.append(plan.allocated)
        except BaseException as e:  # reported below, on the main thread
            failures.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "deadlock: a writer never finished"
    assert not failures, failures
    return allocated


def _check(url: str, allocated: list[Decimal]) -> None:
    with sl.Inventory.open(url, clock=sl.FixedClock(START)) as inv:
        total = sum((r.quantity for r in inv.allocation.reservations()), Decimal(0))
        assert total == sum(allocated, Decimal(0))
        # More was wanted than there is, so everything ends up reserved, and no more.
        assert total == Decimal(100)
        assert inv.allocation.available_to_promise("MILK") == 0
        with inv.store.read() as r:
            for res in r.reservations():
                ((quantity, _),) = r.position_balances([res.key]).values()
                assert res.quantity <= quantity


class TestConcurrentAllocation:
    def test_sqlite_file(self, tmp_path: Path) -> None:
        """Threads with their own connections to one SQLite file never reserve a unit twice."""
        url = f"sqlite:///{tmp_path / 'stock.db'}"
        _stock(url)
        _check(url, _race(url))

    @_postgres.requires_postgres
    def test_postgres(self, postgres_url: str) -> None:
        """The same on PostgreSQL, where the sl_head row lock serialises the writers."""
        _stock(postgres_url)
        _check(postgres_url, _race(postgres_url))
