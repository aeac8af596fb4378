"""EPCIS export speed and memory: events per second streaming a large SQLite ledger to a file.

Run from the repository root::

    .venv/bin/python -m bench.exports                          # N = 100k movements
    .venv/bin/python -m bench.exports --movements 1000000      # the 1M-movement ledger
    .venv/bin/python -m bench.exports --movements 100000,1000000
    .venv/bin/python -m bench.exports --quick                  # N = 5000, for CI

A deterministic distribution-centre ledger of N movements (one per transaction) is posted
onto a SQLite file with ``Inventory.post_many`` in batches: receipts of lot-tracked items with
GTINs (a new lot every receipt) from suppliers with GLNs into a dock, put-away moves into
bins, picks to a staging lane and shipments to customers. Then ``inv.epcis.write``
streams the whole ledger as an EPCIS 2.0 document to a file, in a fresh process so that its
peak RSS is its own. Reported: events and transactions per second, the document's size, and
how far the peak RSS rose during the export (it should not grow with N: the export reads the
ledger in batches and writes each event as it is made). This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum

import stockline as sl
from bench._common import (
    RESULTS,
    Memory,
    Progress,
    Stopwatch,
    environment,
    print_table,
    write_json,
)
from stockline.adapters.sqlalchemy import SqlAlchemyStockStore
from stockline.gs1 import check_digit
from stockline.ledger import Lot, Reference

START = pendulum.datetime(2026, 3, 2, 6, tz="UTC")
PREFIX = "9506000"
ITEMS = 50
BINS = 200
PARTIES = 20
#: Movements per receipt cycle: receive 100, put away, then 5 x (pick 20, ship 20).
CYCLE = 12


def _gtin(n: int) -> str:
    body = f"0{PREFIX}{n:05d}"
    return body + str(check_digit(body))


def _gln(n: int) -> str:
    body = f"{PREFIX}{n:05d}"
    return body + str(check_digit(body))


def _drafts(size: int) -> Iterator[sl.NewTransaction]:
    """The ledger's transactions, in posting order."""
    at = START
    for n in range(size):
        cycle, step = divmod(n, CYCLE)
        sku, lot = f"SKU-{cycle % ITEMS:03d}", f"L{cycle:07d}"
        dock, bin_ = (
            sl.Position(location="DC1/DOCK"),
            sl.Position(location=f"DC1/BIN-{cycle % BINS:03d}"),
        )
        stage = sl.Position(location="DC1/STAGE")
        at += dt.timedelta(seconds=7)
        if step == 0:
            supplier = f"S{cycle % PARTIES:02d}"
            movement = sl.Movement(
                item=sku,
                quantity=Decimal(100),
                lot=lot,
                src=sl.Position(location=f"suppliers/{supplier}"),
                dst=dock,
            )
            yield sl.NewTransaction(
                kind=sl.TxKind.RECEIPT,
                movements=(movement,),
                effective_at=at,
                counterparty=supplier,
                refs=(Reference(type="PO", number=f"PO-{cycle}"),),
            )
        elif step == 1:
            movement = sl.Movement(item=sku, quantity=Decimal(100), lot=lot, src=dock, dst=bin_)
            yield sl.NewTransaction(kind=sl.TxKind.TRANSFER, movements=(movement,), effective_at=at)
        elif step % 2 == 0:
            movement = sl.Movement(item=sku, quantity=Decimal(20), lot=lot, src=bin_, dst=stage)
            yield sl.NewTransaction(
                kind=sl.TxKind.PICK,
                movements=(movement,),
                effective_at=at,
                refs=(Reference(type="SO", number=f"SO-{n}"),),
            )
        else:
            customer = f"C{n % PARTIES:02d}"
            movement = sl.Movement(
                item=sku,
                quantity=Decimal(20),
                lot=lot,
                src=stage,
                dst=sl.Position(location=f"customers/{customer}"),
            )
            yield sl.NewTransaction(
                kind=sl.TxKind.SHIPMENT,
                movements=(movement,),
                effective_at=at,
                counterparty=customer,
                refs=(Reference(type="SO", number=f"SO-{n - 1}"),),
            )


def build(url: str, size: int, batch: int) -> dict[str, Any]:
    """Post the ledger of ``size`` movements into a new SQLite database at ``url``."""
    progress = Progress(f"build {size:,}")
    end = START + dt.timedelta(seconds=7 * (size + 1))
    inv = sl.Inventory(store=SqlAlchemyStockStore.open(url), clock=sl.FixedClock(end))
    for i in range(ITEMS):
        inv.add_item(f"SKU-{i:03d}", gtin=_gtin(i), tracking="lot", shelf_life_days=30)
    inv.add_location("DC1", gln=_gln(0))
    for path in ["DC1/DOCK", "DC1/STAGE", *(f"DC1/BIN-{b:03d}" for b in range(BINS))]:
        inv.add_location(path)
    for p in range(PARTIES):
        inv.add_party(f"S{p:02d}", kind="supplier", gln=_gln(100 + p))
        inv.add_party(f"C{p:02d}", kind="customer", gln=_gln(200 + p))
    cycles = -(-size // CYCLE)
    with inv.store.write() as w:
        for c in range(cycles):
            w.save(
                Lot(item=f"SKU-{c % ITEMS:03d}", code=f"L{c:07d}", expiry=dt.date(2026, 6, 1)),
                actor="bench",
                at=START,
            )
    watch, chunk = Stopwatch(), []
    for draft in _drafts(size):
        chunk.append(draft)
        if len(chunk) == batch:
            with watch.timing():
                inv.post_many(chunk)
            chunk = []
    if chunk:
        with watch.timing():
            inv.post_many(chunk)
    progress(f"posted in {watch.seconds:.1f}s ({watch.rate(size):,.0f} movements/s)")
    inv.close()
    return {"movements": size, "post_seconds": watch.seconds}


def export(url: str, target: str) -> dict[str, Any]:
    """Stream the whole ledger at ``url`` to ``target`` as EPCIS; time it and watch memory."""
    inv = sl.Inventory(store=SqlAlchemyStockStore.open(url), clock=sl.FixedClock(START))
    with inv.store.read() as r:
        transactions = r.head()[0]
    watch, memory = Stopwatch(), Memory()
    with memory.watching(), watch.timing():
        events = inv.epcis.write(target)
    inv.close()
    return {
        "events": events,
        "transactions": transactions,
        "seconds": watch.seconds,
        "cpu_seconds": watch.cpu_seconds,
        "events_per_second": watch.rate(events),
        "transactions_per_second": watch.rate(transactions),
        "document_bytes": os.path.getsize(target),
        "peak_rss_rise_bytes": memory.delta,
    }


def run(size: int, batch: int, workdir: str) -> dict[str, Any]:
    """Build then export one ledger size, each in a fresh process."""
    url = f"sqlite:///{workdir}/ledger-{size}.db"
    target = f"{workdir}/ledger-{size}.jsonld"
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        built = pool.submit(build, url, size, batch).result()
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        exported = pool.submit(export, url, target).result()
    Progress(f"export {size:,}")(
        f"{exported['events']:,} events in {exported['seconds']:.1f}s "
        f"({exported['events_per_second']:,.0f} events/s)"
    )
    return {**built, **exported}


def main(argv: Sequence[str] | None = None) -> None:
    """Run every size, print the table and write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.exports", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--movements", default="100000", help="ledger sizes N, comma-separated")
    parser.add_argument("--quick", action="store_true", help="N = 5000 (CI)")
    parser.add_argument("--batch", type=int, default=5000, help="transactions per post_many call")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--tmpdir", help="where the SQLite files go (default: the system's)")
    args = parser.parse_args(argv)
    sizes = [5000] if args.quick else [int(s.replace("_", "")) for s in args.movements.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stockline-bench-", dir=args.tmpdir) as workdir:
        results = [run(size, args.batch, workdir) for size in sizes]
    print_table(
        "EPCIS 2.0 export (epcis.write, SQLite file, one process per phase)",
        ["movements", "events", "seconds", "events/s", "tx/s", "document", "peak RSS rise"],
        [
            [
                f"{r['movements']:,}",
                f"{r['events']:,}",
                f"{r['seconds']:,.1f}",
                f"{r['events_per_second']:,.0f}",
                f"{r['transactions_per_second']:,.0f}",
                f"{r['document_bytes'] / 2**20:,.0f} MiB",
                f"{r['peak_rss_rise_bytes'] / 2**20:,.1f} MiB",
            ]
            for r in results
        ],
        caption="events: a commissioning event per new lot plus one event per movement",
    )
    write_json(
        args.json or RESULTS / "exports.json",
        {
            "environment": environment(),
            "results": results,
            "seconds": time.perf_counter() - started,
        },
    )


if __name__ == "__main__":
    main()
