"""Concurrent put-aways into the same bins, from several connections: capacity is never
exceeded."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import stockline as sl
from stockline import errors
from tests import _postgres
from tests.conftest import START

THREADS = 4
ROUNDS = 3
EACH = 7  # 4 x 3 x 7 = 84 to put away, room for 50
BINS = {"DC1/A/01": 20, "DC1/A/02": 30}


def _stock(url: str) -> None:
    with sl.Inventory.open(url, clock=sl.FixedClock(START)) as inv:
        inv.add_item("BOLT")
        for n in range(THREADS):
            inv.add_location(f"DC1/DOCK/{n}")
            inv.receive("BOLT", ROUNDS * EACH, dst=f"DC1/DOCK/{n}", supplier="ACME")
        for path, room in BINS.items():
            inv.add_location(path)
            inv.putaway.set_bin(path, max_units=room)


def _race(url: str) -> Decimal:
    placed: list[Decimal] = []
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        try:
            with sl.Inventory.open(url, clock=sl.FixedClock(START)) as inv:
                start.wait()
                for _ in range(ROUNDS):
                    # Suggest outside any write block: the others fill the bins meanwhile,
                    # and confirm must judge them again.
                    found = inv.putaway.suggest("BOLT", EACH, src=f"DC1/DOCK/{n}")
                    if not any(s.placements for s in found):
                        continue
                    try:
                        tx = inv.putaway.confirm(found)
                    except errors.PutawayError:
                        continue
                    placed.append(sum((m.quantity for m in tx.movements), Decimal(0)))
        except BaseException as e:  # reported below, on the main thread
            failures.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "deadlock: a writer never finished"
    assert not failures, failures
    return sum(placed, Decimal(0))


def _check(url: str, placed: Decimal) -> None:
    with sl.Inventory.open(url, clock=sl.FixedClock(START)) as inv:
        held = Decimal(0)
        for path, room in BINS.items():
            there = inv.on_hand("BOLT", location=path)
            assert there <= room, f"{path} holds {there}, more than its {room}"
            held += there
        assert held == placed
        assert held > 0
        assert inv.check().ok


class TestConcurrentPutaway:
    def test_sqlite_file(self, tmp_path: Path) -> None:
        """Threads with their own connections to one SQLite file never pass a bin's
        capacity."""
        url = f"sqlite:///{tmp_path / 'stock.db'}"
        _stock(url)
        _check(url, _race(url))

    @_postgres.requires_postgres
    def test_postgres(self, postgres_url: str) -> None:
        """The same on PostgreSQL, where the sl_head row lock serialises the writers."""
        _stock(postgres_url)
        _check(postgres_url, _race(postgres_url))
