"""Reservation speed: ``Inventory.allocate`` over 10k candidate positions of one item.

Run with ``python bench/reservations.py``. Not a test: it prints a table and exits 0. For
each store (memory, a SQLite file) it times, over 10k positions (500 bins x 20 of 200 lots):

* ``candidates``: the store's one set-based read of the positions (net of reservations);
* ``pure``: :func:`stockline.policies.allocate` over what that read returned (goal < 5 ms);
* ``end to end``: ``inv.allocate(...)``: the write block, the read, the policy, and the
  reservations written and committed.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pendulum

import stockline as sl
from stockline.ledger import Movement, NewTransaction, Position, TxKind
from stockline.policies import Demand, Fefo, allocate

BINS = 500
LOTS = 200
PER_BIN = 20  # positions (lots) per bin: 500 x 20 = 10k positions
GOAL_MS = 5.0
NOW = pendulum.datetime(2026, 3, 1, 8, tz="UTC")


def build(inv: sl.Inventory, rng: random.Random) -> None:
    """10k positions of SKU-1: every bin holds 20 random lots."""
    inv.add_item("SKU-1", tracking="lot")
    for n in range(LOTS):
        inv.add_lot("SKU-1", f"L{n:03d}", expiry=dt.date(2026, 3, 1) + dt.timedelta(days=n + 5))
    bins = [f"DC1/{'ABCDEFGHIJ'[n % 10]}/{n:03d}" for n in range(BINS)]
    for n, path in enumerate(bins):
        inv.add_location(path, pick_sequence=n)
    supplier = Position(location="suppliers")
    inv.add_location("suppliers", kind="supplier")
    drafts = []
    for n, path in enumerate(bins):
        for lot in rng.sample(range(LOTS), PER_BIN):
            drafts.append(
                NewTransaction(
                    kind=TxKind.RECEIPT,
                    movements=(
                        Movement(
                            item="SKU-1",
                            quantity=Decimal(rng.randrange(1, 50)),
                            src=supplier,
                            dst=Position(location=path),
                            lot=f"L{lot:03d}",
                        ),
                    ),
                    effective_at=NOW - dt.timedelta(days=400) + dt.timedelta(hours=n),
                )
            )
    inv.post_many(drafts)


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(name: str, inv: sl.Inventory) -> None:
    """Print one row per step for one store."""
    build(inv, random.Random(20260301))
    with inv.store.read() as r:
        statuses = [s.name for s in r.statuses() if s.allocatable]
    with inv.store.read() as r:
        stock = r.candidates("SKU-1", statuses=statuses)
    demand = Demand(item="SKU-1", quantity=Decimal(100), at=NOW.date())

    def read() -> object:
        with inv.store.read() as r:
            return r.candidates("SKU-1", statuses=statuses)

    orders = iter(range(1_000_000))
    rows = [
        ("candidates (store read)", timed(read, 10)),
        ("pure allocate (Fefo)", timed(lambda: allocate(demand, stock, Fefo()), 30)),
        (
            "end to end inv.allocate",
            timed(lambda: inv.allocate("SKU-1", 5, order=f"SO-{next(orders)}"), 10),
        ),
    ]
    print(f"{name}: {len(stock):,} candidate positions")
    for step, times in rows:
        goal = "  goal < 5 ms: " + ("met" if min(times) < GOAL_MS else "MISSED")
        flag = goal if step.startswith("pure") else ""
        best, median = min(times), statistics.median(times)
        print(f"  {step:<26} best {best:>8.2f} ms  median {median:>8.2f} ms{flag}")


def main() -> None:
    """Print the table for the in-memory store and a SQLite file."""
    clock = sl.FixedClock(NOW)
    measure("memory", sl.Inventory(clock=clock))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        with sl.Inventory.open(url, clock=clock, sqlite_synchronous="NORMAL") as inv:
            measure("sqlite file", inv)


if __name__ == "__main__":
    main()
