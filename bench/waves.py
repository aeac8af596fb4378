"""Wave planning speed: ``inv.picking.plan`` of 1,000 order lines over 100,000 positions.

Run with ``python -m bench.waves``. Not a test: it prints a table and exits 0. For each store
(memory, a SQLite file) it builds 100,000 positions (1,000 items in 2,000 bins, 50 items a
bin), allocates 1,000 order lines (200 orders of 5 lines, each line by the
item's default policy), then times:

* ``allocate``: the 1,000 ``inv.allocate`` calls (setup, shown for scale);
* ``plan``: ``inv.picking.plan`` of the 200 orders into one wave: reading their reservations
  and the locations' walk sequence, grouping per zone, sorting, and saving the wave document
  (goal < 1 s);
* ``wave``: reading the planned wave back (``inv.picking.wave``).
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pendulum

import stockline as sl
from stockline.ledger import Movement, NewTransaction, Position, TxKind

ITEMS = 1_000
BINS = 2_000
PER_BIN = 50  # 2,000 bins x 50 items = 100,000 positions
ORDERS = 200
LINES = 5  # 200 orders x 5 lines = 1,000 order lines
GOAL_S = 1.0
NOW = pendulum.datetime(2026, 3, 1, 8, tz="UTC")


def build(inv: sl.Inventory, rng: random.Random) -> int:
    """100,000 positions: every bin holds 50 items."""
    for n in range(ITEMS):
        inv.add_item(f"SKU-{n:04d}")
    zones = "ABCDEFGHIJ"
    bins = [f"DC1/{zones[n % 10]}/{n:04d}" for n in range(BINS)]
    for n, path in enumerate(bins):
        inv.add_location(path, pick_sequence=n)
    for n in range(ORDERS):
        inv.add_location(f"DC1/OUT/{n % 20:02d}")
    inv.add_location("suppliers", kind="supplier")
    supplier = Position(location="suppliers")
    received = NOW - dt.timedelta(days=30)
    drafts = []
    for path in bins:
        for sku in rng.sample(range(ITEMS), PER_BIN):
            drafts.append(
                NewTransaction(
                    kind=TxKind.RECEIPT,
                    movements=(
                        Movement(
                            item=f"SKU-{sku:04d}",
                            quantity=Decimal(rng.randrange(5, 50)),
                            src=supplier,
                            dst=Position(location=path),
                        ),
                    ),
                    effective_at=received,
                )
            )
    for start in range(0, len(drafts), 5_000):
        inv.post_many(drafts[start : start + 5_000])
    return len(drafts)


def run(name: str, inv: sl.Inventory) -> None:
    rng = random.Random(20)
    t0 = time.perf_counter()
    positions = build(inv, rng)
    built = time.perf_counter() - t0
    orders = [f"SO-{n:03d}" for n in range(ORDERS)]
    t0 = time.perf_counter()
    lines = 0
    for order in orders:
        for line in range(LINES):
            inv.allocate(f"SKU-{rng.randrange(ITEMS):04d}", rng.randrange(1, 20), order=order,
                         line=str(line))  # fmt: skip
            lines += 1
    allocated = time.perf_counter() - t0
    staging = {order: f"DC1/OUT/{n % 20:02d}" for n, order in enumerate(orders)}
    t0 = time.perf_counter()
    wave = inv.picking.plan("W-1", orders, staging=staging)
    planned = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = inv.picking.wave("W-1")
    read = time.perf_counter() - t0
    assert again == wave
    mark = "ok" if planned < GOAL_S else "SLOW"
    print(
        f"{name:8} positions {positions:,}  order lines {lines:,}  wave lines "
        f"{len(wave.lines):,} in {len(wave.lists)} lists | build {built:6.1f} s  "
        f"allocate {allocated:6.2f} s  plan {planned * 1000:7.1f} ms ({mark})  "
        f"wave {read * 1000:7.1f} ms"
    )


def main() -> None:
    print(f"wave planning: goal plan < {GOAL_S} s for {ORDERS * LINES:,} order lines")
    run("memory", sl.Inventory(clock=sl.FixedClock(NOW)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "waves.db"
        with sl.Inventory.open(f"sqlite:///{path}", clock=sl.FixedClock(NOW)) as inv:
            run("sqlite", inv)


if __name__ == "__main__":
    main()
