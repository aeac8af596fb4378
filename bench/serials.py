"""Serials issued per second by ``inv.serials.issue`` in batches of 10,000.

Run with ``python -m bench.serials`` (``--postgres URL`` adds a PostgreSQL database, which
must be an empty one it may fill). Per store (in memory, a SQLite file) and scheme (random,
sequential) it issues ``--batches`` batches of 10,000 serials, each one write (one update of
the pool's counter and one batch record), and reports serials per second; then the keyed
permutation alone, and ``inv.serials.produce`` posting 1,000 serialised units per production.
It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pendulum

import stockline as sl
from stockline.serials import Permutation

BATCH = 10_000
GTINS = {"random": "09506000134352", "sequential": "00614141123452"}


def _ledger(inv: sl.Inventory) -> sl.Inventory:
    for scheme, gtin in GTINS.items():
        inv.add_item(f"VIAL-{scheme}", gtin=gtin, tracking="serial")
        inv.serials.add_pool(f"VIAL-{scheme}", scheme=scheme, length=12)
    inv.add_location("PLANT/FG")
    return inv


def _rate(count: int, work: Callable[[], object], repeats: int) -> str:
    """Count per wall-clock second and per CPU second of this process over ``repeats`` runs
    of ``work`` (one warm-up run first), as table cells: on a shared machine the second is
    the steadier figure (a database server's own CPU is not in it)."""
    work()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeats):
        work()
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return f"{count * repeats / wall:>12,.0f}{count * repeats / used:>12,.0f}"


def _measure(name: str, inv: sl.Inventory, batches: int) -> None:
    """Print the rows of one store: issue per scheme, then produce."""
    for scheme in GTINS:
        rate = _rate(BATCH, partial(inv.serials.issue, f"VIAL-{scheme}", BATCH), batches)
        print(f"{name:<13}{scheme:<12}{BATCH:>8,}{rate}")
    units = 1_000
    produce = partial(inv.serials.produce, "VIAL-random", units, location="PLANT/FG")
    print(f"{name:<13}{'produce':<12}{units:>8,}{_rate(units, produce, batches)}")
    inv.close()


def main() -> None:
    """Measure and print one row per store and scheme."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=5, help="batches per figure")
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database")
    args = parser.parse_args()
    clock = sl.FixedClock(pendulum.datetime(2026, 3, 2, 8, tz="UTC"))
    with tempfile.TemporaryDirectory() as folder:
        stores: dict[str, Callable[[], sl.Inventory]] = {
            "memory": lambda: sl.Inventory(clock=clock),
            "sqlite file": lambda: sl.Inventory.open(
                f"sqlite:///{Path(folder) / 'serials.db'}", clock=clock
            ),
        }
        if args.postgres:
            stores["postgresql"] = lambda: sl.Inventory.open(args.postgres, clock=clock)
        print(f"{'store':<13}{'scheme':<12}{'batch':>8}{'per s':>12}{'per CPU s':>12}")
        for name, make in stores.items():
            _measure(name, _ledger(make()), args.batches)
    permutation = Permutation(secrets.token_bytes(32), 10**12)
    rate = _rate(BATCH, lambda: [permutation.permute(n) for n in range(BATCH)], args.batches)
    print(f"{'(none)':<13}{'permutation':<12}{BATCH:>8,}{rate}")


if __name__ == "__main__":
    main()
