"""Allocation speed: one demand over 10k positions of one item, and a wave of 10k order lines.

Run with ``python bench/allocation.py``. Not a test: it prints a table and exits 0. The goal
is under 5 ms for a single allocation over 10k candidate positions.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from stockline.policies import (
    AllocationPolicy,
    Candidate,
    Demand,
    Fefo,
    FewestPicks,
    Fifo,
    Lifo,
    MinShelfLife,
    WholeContainerFirst,
    ZonePreference,
    allocate,
    compose,
)

POSITIONS = 10_000
WAVE_LINES = 10_000
WAVE_ITEMS = 500
TODAY = date(2026, 3, 1)
GOAL_MS = 5.0


def positions(rng: random.Random, item: str, count: int) -> list[Candidate]:
    """Random positions of one item: 200 lots, half of them in containers, a few on hold."""
    start = datetime(2025, 6, 1, tzinfo=UTC)
    lots = [
        (f"L{n:03d}", TODAY + timedelta(days=rng.randrange(-10, 400)), start + timedelta(hours=n))
        for n in range(200)
    ]
    stock = []
    for n in range(count):
        lot, expiry, received = rng.choice(lots)
        aisle = "ABCDEFGHIJ"[rng.randrange(10)]
        stock.append(
            Candidate(
                item=item,
                lot=lot,
                expiry=expiry,
                first_received_at=received,
                location=f"DC1/{aisle}/{n % 100:02d}-{n // 100 % 10:02d}",
                pick_sequence=rng.randrange(100_000),
                container=f"00350123450{n // 4:07d}" if rng.random() < 0.5 else None,
                status="hold" if rng.random() < 0.02 else "available",
                available=Decimal(rng.randrange(1, 49)),
            )
        )
    rng.shuffle(stock)
    return stock


def policies() -> dict[str, AllocationPolicy]:
    """Every shipped policy, plus a typical composition."""
    return {
        "Fifo": Fifo(),
        "Fefo": Fefo(),
        "Lifo": Lifo(),
        "MinShelfLife(30)": MinShelfLife(30),
        "ZonePreference": ZonePreference(allowed=("DC1",), preferred=("DC1/C", "DC1/D")),
        "compose(MSL, Zone, Fefo)": compose(
            MinShelfLife(30), ZonePreference(preferred=("DC1/C",)), Fefo()
        ),
        "FewestPicks(Fefo)": FewestPicks(Fefo()),
        "WholeContainerFirst(Fefo)": WholeContainerFirst(Fefo()),
    }


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, ``repeat`` times."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def single(stock: Sequence[Candidate], policy: AllocationPolicy) -> tuple[float, float]:
    """Best and median milliseconds for one 100-unit demand over ``stock``.

    The best run is the cost of the code; the median adds whatever else the machine does.
    """
    demand = Demand(item="SKU-1", quantity=Decimal(100), at=TODAY)
    allocate(demand, stock, policy)  # warm up
    times = timed(lambda: allocate(demand, stock, policy), repeat=30)
    return min(times) * 1000, statistics.median(times) * 1000


def wave(rng: random.Random, policy: AllocationPolicy) -> float:
    """Allocations per second over a wave of order lines, 20 positions per item."""
    stock = {f"W{n}": positions(rng, f"W{n}", 20) for n in range(WAVE_ITEMS)}
    lines = [
        Demand(item=item, quantity=Decimal(rng.randrange(1, 60)), at=TODAY)
        for item in rng.choices(sorted(stock), k=WAVE_LINES)
    ]
    started = time.perf_counter()
    for demand in lines:
        allocate(demand, stock[demand.item], policy)
    return WAVE_LINES / (time.perf_counter() - started)


def floor_ms(stock: Sequence[Candidate]) -> float:
    """Best ms of one bare pass over the positions: the machine's floor for any policy."""
    times = timed(lambda: [c for c in stock if c.item == "SKU-1" and c.available], repeat=30)
    return min(times) * 1000


def main() -> None:
    """Print the table."""
    rng = random.Random(20260301)
    stock = positions(rng, "SKU-1", POSITIONS)
    print(f"reference: one bare pass over {POSITIONS:,} positions takes {floor_ms(stock):.2f} ms")
    print(f"single allocation over {POSITIONS:,} positions (100 units); goal < {GOAL_MS} ms")
    print(f"{'policy':<28} {'best ms':>8} {'median ms':>10} {'wave lines/s':>13}")
    for name, policy in policies().items():
        best, median = single(stock, policy)
        rate = wave(random.Random(7), policy)
        flag = "" if best < GOAL_MS else "  (over goal)"
        print(f"{name:<28} {best:>8.2f} {median:>10.2f} {rate:>13,.0f}{flag}")
    print(f"wave: {WAVE_LINES:,} order lines over {WAVE_ITEMS} items, 20 positions each")


if __name__ == "__main__":
    main()
