"""Trace and recall over a synthetic genealogy: 100k lots, depth-10 chains, about 1M movements.

Run ``python -m bench.genealogy`` (``--lots 2000`` for a quick run). Each store is measured in
a fresh process so that the peak RSS figure belongs to that store alone.

The dataset (seeded, so every run builds the same one): raw lots are received from suppliers
and put away; ten production levels each make new lots from two lots of the level before
(fan-in 2, so fan-out about 2); every lot is moved from the line to a bin; each lot of the last
level is shipped to many customers. One raw lot is then traced downstream and recalled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum

import stockline as sl
from bench._common import RESULTS, Memory, Progress, environment, print_table, write_json
from stockline.adapters import SqlAlchemyStockStore
from stockline.ledger import (
    Edge,
    EdgeKind,
    Lot,
    Movement,
    NewTransaction,
    Position,
    TxKind,
    post,
)

LEVELS = 10
SHIPMENTS_PER_FINAL_LOT = 30
START = pendulum.datetime(2026, 1, 5, 6, tz="UTC")
BATCH = 500


def build(inv: sl.Inventory, lots: int, seed: int, progress: Progress) -> dict[str, Any]:
    """Post the dataset into ``inv``; return what was built."""
    rng = random.Random(seed)
    per_level = max(2, lots // (LEVELS + 1))
    for level in range(LEVELS + 1):
        inv.add_item(f"L{level}", tracking="lot", description=f"level {level} product")
    for path in ("DC/LINE", "DC/BIN", "DC/SHIP"):
        inv.add_location(path)
    for n in range(50):
        inv.add_party(f"S{n}", kind="supplier")
    for n in range(500):
        inv.add_party(f"C{n}", kind="customer")
    clock = inv.clock
    assert isinstance(clock, sl.FixedClock)
    movements = 0
    pending: list[tuple[Lot | None, NewTransaction]] = []

    def flush() -> None:
        nonlocal movements
        with inv.store.write() as w:
            for lot, draft in pending:
                if lot is not None:
                    w.save(lot, actor=None, at=clock.now())
                movements += len(post(w, draft, now=clock.now()).movements)
        pending.clear()

    def add(lot: Lot | None, draft: NewTransaction) -> None:
        clock.advance(seconds=1)
        pending.append((lot, attrs_evolve(draft, effective_at=clock.now())))
        if len(pending) >= BATCH:
            flush()

    line, bin_, ship = (Position(location=p) for p in ("DC/LINE", "DC/BIN", "DC/SHIP"))
    previous: list[str] = []
    for n in range(per_level):
        code = f"R{n:06d}"
        supplier = f"S{rng.randrange(50)}"
        add(
            Lot(item="L0", code=code, expiry=dt.date(2028, 1, 1)),
            NewTransaction(
                kind=TxKind.RECEIPT,
                counterparty=supplier,
                refs=(sl.Reference(type="PO", number=f"PO-{n}"),),
                movements=(
                    Movement(
                        item="L0",
                        lot=code,
                        quantity=Decimal(1000),
                        src=Position(location=f"suppliers/{supplier}"),
                        dst=line,
                    ),
                ),
            ),
        )
        previous.append(code)
    flush()
    progress(f"received {per_level} raw lots")
    production = Position(location="production")
    inv.add_location("production", kind="production")
    for level in range(1, LEVELS + 1):
        made = []
        for n in range(per_level):
            code = f"P{level:02d}-{n:06d}"
            parents = rng.sample(previous, 2)
            sku, parent_sku = f"L{level}", f"L{level - 1}"
            add(
                Lot(item=sku, code=code, expiry=dt.date(2028, 1, 1)),
                NewTransaction(
                    kind=TxKind.PRODUCTION,
                    refs=(sl.Reference(type="WO", number=f"WO-{level}-{n}"),),
                    movements=(
                        *(
                            Movement(
                                item=parent_sku,
                                lot=p,
                                quantity=Decimal(2),
                                src=line,
                                dst=production,
                            )
                            for p in parents
                        ),
                        Movement(
                            item=sku, lot=code, quantity=Decimal(100), src=production, dst=line
                        ),
                    ),
                    edges=tuple(
                        Edge(
                            kind=EdgeKind.TRANSFORMATION,
                            parent_item=parent_sku,
                            parent_lot=p,
                            parent_serial=None,
                            child_item=sku,
                            child_lot=code,
                            child_serial=None,
                            quantity=Decimal(2),
                        )
                        for p in parents
                    ),
                ),
            )
            made.append(code)
        flush()
        if level == LEVELS:
            for code in made:
                add(
                    None,
                    NewTransaction(
                        kind=TxKind.TRANSFER,
                        movements=(
                            Movement(
                                item=f"L{level}", lot=code, quantity=Decimal(90), src=line, dst=ship
                            ),
                        ),
                    ),
                )
        previous = made
        progress(f"level {level}: {len(made)} lots, {movements} movements so far")
    flush()
    for number, code in enumerate(previous):
        for k in range(SHIPMENTS_PER_FINAL_LOT):
            customer = f"C{rng.randrange(500)}"
            add(
                None,
                NewTransaction(
                    kind=TxKind.SHIPMENT,
                    counterparty=customer,
                    refs=(sl.Reference(type="SO", number=f"SO-{number}-{k}"),),
                    movements=(
                        Movement(
                            item=f"L{LEVELS}",
                            lot=code,
                            quantity=Decimal(3),
                            src=ship,
                            dst=Position(location=f"customers/{customer}"),
                        ),
                    ),
                ),
            )
    flush()
    progress(f"shipped: {movements} movements")
    # Moves of every intermediate lot between line and bin, so the ledger is as busy as a real
    # one (about a million movements at 100k lots).
    for trip in range(4):
        src, dst = (line, bin_) if trip % 2 == 0 else (bin_, line)
        for level in range(LEVELS):
            for n in range(per_level):
                code = f"R{n:06d}" if level == 0 else f"P{level:02d}-{n:06d}"
                move = Movement(item=f"L{level}", lot=code, quantity=Decimal(1), src=src, dst=dst)
                add(None, NewTransaction(kind=TxKind.TRANSFER, movements=(move,)))
    flush()
    progress(f"built: {movements} movements, {per_level * (LEVELS + 1)} lots")
    return {"movements": movements, "lots": per_level * (LEVELS + 1), "raw_lots": per_level}


def attrs_evolve(draft: NewTransaction, **changes: Any) -> NewTransaction:
    return attrs.evolve(draft, **changes)


def measure(store_kind: str, lots: int, seed: int) -> dict[str, Any]:
    """Build the dataset on one store, then time trace and recall of one raw lot."""
    progress = Progress(f"genealogy/{store_kind}")
    folder = tempfile.mkdtemp(prefix="stockline-bench-")
    clock = sl.FixedClock(START)
    if store_kind == "memory":
        inv = sl.Inventory(clock=clock)
    else:
        store = SqlAlchemyStockStore.open(
            f"sqlite:///{folder}/genealogy.db", sqlite_synchronous="NORMAL"
        )
        inv = sl.Inventory(store=store, clock=clock)
    built = build(inv, lots, seed, progress)
    raw = f"R{random.Random(seed + 1).randrange(built['raw_lots']):06d}"
    timings: dict[str, list[float]] = {"trace": [], "recall": []}
    result: Any = None
    for _ in range(5):
        start = time.perf_counter()
        found = inv.trace_downstream("L0", raw)
        timings["trace"].append(time.perf_counter() - start)
        start = time.perf_counter()
        report = inv.recall(("L0", raw), reason="bench")
        customers = report.customers
        timings["recall"].append(time.perf_counter() - start)
        result = (found, report, customers)
    found, report, customers = result
    memory = Memory()
    with memory.watching():
        tracemalloc.start()
        inv.recall(("L0", raw), reason="bench").customers  # noqa: B018
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    row = {
        "store": store_kind,
        **built,
        "traced_lot": raw,
        "descendant_lots": len(found.nodes) - 1,
        "shipments": len(found.shipments),
        "customers": len({c.customer for c in customers}),
        "trace_s_best": min(timings["trace"]),
        "trace_s_median": sorted(timings["trace"])[2],
        "recall_s_best": min(timings["recall"]),
        "recall_s_median": sorted(timings["recall"])[2],
        "recall_python_peak_bytes": traced_peak,
    }
    if store_kind != "memory":
        row["db_bytes"] = Path(f"{folder}/genealogy.db").stat().st_size
    inv.close()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stores", default="memory,sqlite")
    parser.add_argument("--json", type=Path, default=RESULTS / "genealogy.json")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        import json

        print(json.dumps(measure(args.one, args.lots, args.seed)))
        return 0
    rows = []
    for kind in args.stores.split(","):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.genealogy",
                "--one",
                kind,
                "--lots",
                str(args.lots),
                "--seed",
                str(args.seed),
            ],
            capture_output=False,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        import json

        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    goals = {"memory": 0.2, "sqlite": 1.0}
    print_table(
        f"Downstream trace and recall report of one raw lot ({args.lots} lots)",
        [
            "store",
            "movements",
            "lots",
            "descendants",
            "shipments",
            "trace best s",
            "recall best s",
            "recall median s",
            "goal s",
            "python peak MB",
        ],
        [
            [
                r["store"],
                f"{r['movements']:,}",
                f"{r['lots']:,}",
                f"{r['descendant_lots']:,}",
                f"{r['shipments']:,}",
                f"{r['trace_s_best']:.3f}",
                f"{r['recall_s_best']:.3f}",
                f"{r['recall_s_median']:.3f}",
                f"{goals.get(r['store'], 0):.1f}",
                f"{r['recall_python_peak_bytes'] / 1e6:.1f}",
            ]
            for r in rows
        ],
        caption="Goals: under 1 s on SQLite, under 0.2 s in memory, memory bounded by the result.",
    )
    write_json(args.json, {"environment": environment(), "lots": args.lots, "results": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
