"""Put-away speed: one suggestion over 10,000 bins, pure and through the service.

Run with ``python bench/putaway.py``. Not a test: it prints a table and exits 0. The goal is
under 10 ms for the pure suggestion (``plan_putaway``) over 10,000 bins. The service figure
(``inv.putaway.suggest`` on the in-memory store) adds reading the bins' rules and contents
from the store, which grows with the stock held.
"""

from __future__ import annotations

import functools
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

import pendulum

import stockline as sl
from stockline.operations import (
    Bin,
    BinRules,
    Consolidate,
    EmptyOnly,
    FixedBin,
    Load,
    LoadLine,
    Mixing,
    PickSequence,
    PutawayStrategy,
    StorageProfile,
    Zones,
    default_strategy,
    plan_putaway,
    putaway_strategy,
)

BINS = 10_000
GOAL_MS = 10.0
ZONES = ("AMBIENT", "CHILLED", "FROZEN", "HAZMAT")


def bins(rng: random.Random, count: int) -> list[Bin]:
    """Random bins: four zones, a tenth of them full, most holding one or two items."""
    found = []
    for n in range(count):
        zone = ZONES[n % len(ZONES)]
        storage = {"CHILLED": ("chilled",), "FROZEN": ("frozen",)}.get(zone, ())
        hazards = ("3", "8") if zone == "HAZMAT" else ()
        capacity = Decimal(rng.choice((50, 100, 200)))
        held = capacity if rng.random() < 0.1 else Decimal(rng.randrange(0, int(capacity)))
        items = frozenset(f"SKU-{rng.randrange(500)}" for _ in range(rng.randrange(0, 3)))
        found.append(
            Bin(
                rules=BinRules(
                    location=f"DC1/{zone}/{n // 100:03d}-{n % 100:02d}",
                    zone=zone,
                    storage=storage,
                    hazards=hazards,
                    mixing=Mixing.ITEM if rng.random() < 0.3 else Mixing.ANY,
                    max_units=capacity,
                ),
                pick_sequence=rng.randrange(100_000),
                units=held if items else Decimal(0),
                items=items,
                lots=frozenset((sku, None) for sku in items),
            )
        )
    rng.shuffle(found)
    return found


def strategies() -> dict[str, PutawayStrategy]:
    """The default strategy and a few compositions."""
    return {
        "default (FixedBin, Consolidate, PickSequence)": default_strategy(),
        "PickSequence": putaway_strategy(PickSequence()),
        "Zones(preferred), Consolidate": putaway_strategy(
            Zones(preferred=("CHILLED",)), Consolidate()
        ),
        "EmptyOnly, PickSequence": putaway_strategy(EmptyOnly(), PickSequence()),
        "FixedBin, Zones(allowed), PickSequence": putaway_strategy(
            FixedBin(), Zones(allowed=("AMBIENT", "CHILLED")), PickSequence()
        ),
    }


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, ``repeat`` times."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def cpu(run: Callable[[], object], repeat: int) -> float:
    """The least CPU time of one call, in ms: on a busy machine, what the code costs without
    the time spent waiting for a core."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best * 1000


def load(storage: str | None, quantity: int) -> Load:
    """A load of SKU-7 needing ``storage``."""
    profile = StorageProfile(sku="SKU-7", storage=storage)
    return Load(lines=(LoadLine(sku="SKU-7", quantity=Decimal(quantity), profile=profile),))


def service(rng: random.Random, count: int) -> tuple[float, float]:
    """Best and median ms of ``inv.putaway.suggest`` over ``count`` bins on the memory store
    (each bin with its rules; a tenth holding stock)."""
    inv = sl.Inventory(clock=sl.FixedClock(pendulum.datetime(2026, 3, 2, 8, tz="UTC")))
    inv.add_item("SKU-7")
    inv.add_location("DC1/DOCK")
    for n in range(count):
        path = f"DC1/A/{n // 100:03d}-{n % 100:02d}"
        inv.add_location(path, pick_sequence=rng.randrange(100_000))
        inv.putaway.set_bin(path, max_units=100)
        if n % 10 == 0:
            inv.receive("SKU-7", rng.randrange(1, 100), dst=path, supplier="ACME")
    inv.receive("SKU-7", 250, dst="DC1/DOCK", supplier="ACME")
    times = timed(lambda: inv.putaway.suggest("SKU-7", 250, src="DC1/DOCK"), repeat=10)
    return min(times) * 1000, statistics.median(times) * 1000


def main() -> None:
    """Print the table."""
    rng = random.Random(20260302)
    stock = bins(rng, BINS)
    print(f"one suggestion over {BINS:,} bins (plan_putaway, pure); goal < {GOAL_MS} ms")
    print(f"{'strategy':<48} {'load':<12} {'best ms':>8} {'median ms':>10} {'CPU ms':>7}")
    for name, strategy in strategies().items():
        for what, piece in (("ambient 120", load(None, 120)), ("frozen 500", load("frozen", 500))):
            run = functools.partial(plan_putaway, piece, stock, strategy)
            run()  # warm up
            times = timed(run, repeat=30)
            best, median = min(times) * 1000, statistics.median(times) * 1000
            least = cpu(run, repeat=30)
            flag = "" if best < GOAL_MS else "  (over goal)"
            print(f"{name:<48} {what:<12} {best:>8.2f} {median:>10.2f} {least:>7.2f}{flag}")
    best, median = service(random.Random(3), BINS)
    print(
        f"inv.putaway.suggest over {BINS:,} bins, memory store (reads rules and contents): "
        f"best {best:.1f} ms, median {median:.1f} ms"
    )


if __name__ == "__main__":
    main()
