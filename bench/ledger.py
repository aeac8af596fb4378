"""Posting and lookup speed of the ledger, in memory and on SQLite, against raw SQLite.

Run from the repository root::

    .venv/bin/python -m bench.ledger                  # N = 10k and 100k movements
    .venv/bin/python -m bench.ledger --quick          # N = 2000, for CI
    .venv/bin/python -m bench.ledger --json out.json  # results elsewhere than bench/results/

A seeded warehouse simulation makes N movements: receipts of lot-tracked items from suppliers
into a dock, put-away moves from the dock to bin locations, and shipments from bins to
customers (one movement per transaction). Each store posts them with ``Inventory.post_many``
in batches; then on-hand lookups are timed and checked against the simulation; then more
movements are posted one ``receive``/``move``/``ship`` call (one database transaction) at a time.

For SQLite the same movement rows are then inserted with raw ``sqlite3`` into a fresh file
holding only ``sl_movements`` (its DDL copied from the store's own file, so the columns,
primary key and the three secondary indexes are the same), with the same pragmas: the
physical floor the store is compared with. Each scenario runs in a fresh process so that
its peak RSS is its own. This is a measurement, not a test: the goals are reported, not
asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import hashlib
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

import attrs
import pendulum

import stockline as sl
from bench._common import (
    RESULTS,
    Memory,
    Progress,
    Stopwatch,
    environment,
    percentile,
    print_table,
    write_json,
)
from stockline.adapters.sqlalchemy import SqlAlchemyStockStore
from stockline.ledger import Lot, Reference

START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ITEMS = 500
AISLES = "ABCDEFGHIJ"
BAYS = 20
LEVELS = 5
DOCKS = 4
SUPPLIERS = 20
CUSTOMERS = 200
#: Share of receipts and put-aways among the operations; the rest are shipments.
RECEIPT_SHARE = 0.25
PUTAWAY_SHARE = 0.35
NEW_LOT_SHARE = 0.4

STORES = ("memory", "sqlite-full", "sqlite-normal")
GOAL_BATCHED_RATIO = 0.25
GOAL_LOOKUP_MS = 1.0
MOVEMENT_COLUMNS = (
    "tx_id",
    "line",
    "item_id",
    "lot_id",
    "serial",
    "qty",
    "src_loc",
    "src_status",
    "src_container",
    "dst_loc",
    "dst_status",
    "dst_container",
    "effective_at",
)

K = TypeVar("K", bound=Hashable)
_StockKey = tuple[str, str, str]  # sku, lot, location
_RawRow = tuple[int, int, int, int, str, int, int, int, int, int, int, int, int]


# -- the simulated warehouse ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Op:
    """One warehouse operation, posted as one transaction of one movement.

    Attributes:
        kind: ``RECEIPT`` (supplier → dock), ``TRANSFER`` (dock → bin) or ``SHIPMENT``
            (bin → customer).
        sku: The item.
        lot: The lot code.
        quantity: Units moved.
        src: The source location, or the supplier's code for a receipt.
        dst: The target location, or the customer's code for a shipment.
        at: The effective time (one second after the operation before).
        ref: The purchase or sales order number.
        expiry: The lot's expiry, for receipts.
        new_lot: Whether this receipt brings a lot not seen before.
    """

    kind: sl.TxKind
    sku: str
    lot: str
    quantity: int
    src: str
    dst: str
    at: dt.datetime
    ref: str | None = None
    expiry: dt.date | None = None
    new_lot: bool = False


class _Bag(Generic[K]):
    """Keys with constant-time add, discard and uniform random choice."""

    def __init__(self) -> None:
        self._keys: list[K] = []
        self._index: dict[K, int] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: K) -> None:
        if key not in self._index:
            self._index[key] = len(self._keys)
            self._keys.append(key)

    def discard(self, key: K) -> None:
        where = self._index.pop(key, None)
        if where is None:
            return
        last = self._keys.pop()
        if where < len(self._keys):
            self._keys[where] = last
            self._index[last] = where

    def choice(self, rng: random.Random) -> K:
        return self._keys[rng.randrange(len(self._keys))]


class Warehouse:
    """A seeded simulation that only asks for stock that is there, so every posting succeeds.

    It also keeps the expected balances, against which the ledger's answers are checked.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.items = [f"SKU-{n:04d}" for n in range(1, ITEMS + 1)]
        self.docks = [f"DC1/DOCK/{n}" for n in range(1, DOCKS + 1)]
        self.bins = [
            f"DC1/{aisle}/{bay:02d}-{level}"
            for aisle in AISLES
            for bay in range(1, BAYS + 1)
            for level in range(1, LEVELS + 1)
        ]
        self.suppliers = [f"S{n:03d}" for n in range(1, SUPPLIERS + 1)]
        self.customers = [f"C{n:04d}" for n in range(1, CUSTOMERS + 1)]
        #: Quantity at docks, and in bins (bins keep a 0 entry once emptied, for lookups).
        self.dock: dict[_StockKey, int] = {}
        self.binned: dict[_StockKey, int] = {}
        #: Internal stock per item (docks and bins).
        self.internal: dict[str, int] = {}
        self._current_lot: dict[str, tuple[str, dt.date]] = {}
        self._lot_count: dict[str, int] = {}
        self._at_dock: _Bag[_StockKey] = _Bag()
        self._in_bins: _Bag[_StockKey] = _Bag()
        self._count = 0

    def take(self, count: int) -> list[Op]:
        """Return the next ``count`` operations."""
        return [self._next() for _ in range(count)]

    def _next(self) -> Op:
        draw = self.rng.random()
        at = START + dt.timedelta(seconds=self._count)
        self._count += 1
        if not self._at_dock and not self._in_bins:
            return self._receipt(at)
        if draw < RECEIPT_SHARE:
            return self._receipt(at)
        if draw < RECEIPT_SHARE + PUTAWAY_SHARE:
            return self._putaway(at) if self._at_dock else self._ship(at)
        return self._ship(at) if self._in_bins else self._putaway(at)

    def _receipt(self, at: dt.datetime) -> Op:
        rng = self.rng
        # Popular items are received (and so moved and shipped) more often.
        sku = self.items[int(len(self.items) * rng.random() ** 2)]
        current = self._current_lot.get(sku)
        new_lot = current is None or rng.random() < NEW_LOT_SHARE
        if new_lot:
            number = self._lot_count[sku] = self._lot_count.get(sku, 0) + 1
            expiry = START.date() + dt.timedelta(days=180 + rng.randrange(540))
            current = self._current_lot[sku] = (f"L{number:05d}", expiry)
        assert current is not None
        lot, expiry = current
        quantity = rng.randrange(12, 241, 12)
        dock = rng.choice(self.docks)
        key = (sku, lot, dock)
        self.dock[key] = self.dock.get(key, 0) + quantity
        self._at_dock.add(key)
        self.internal[sku] = self.internal.get(sku, 0) + quantity
        return Op(
            kind=sl.TxKind.RECEIPT,
            sku=sku,
            lot=lot,
            quantity=quantity,
            src=rng.choice(self.suppliers),
            dst=dock,
            at=at,
            ref=f"PO-{self._count:07d}",
            expiry=expiry,
            new_lot=new_lot,
        )

    def _putaway(self, at: dt.datetime) -> Op:
        rng = self.rng
        key = self._at_dock.choice(rng)
        have = self.dock[key]
        quantity = have if rng.random() < 0.5 else rng.randint(1, have)
        self.dock[key] = have - quantity
        if not self.dock[key]:
            del self.dock[key]
            self._at_dock.discard(key)
        sku, lot, dock = key
        target = (sku, lot, rng.choice(self.bins))
        self.binned[target] = self.binned.get(target, 0) + quantity
        self._in_bins.add(target)
        return Op(
            kind=sl.TxKind.TRANSFER,
            sku=sku,
            lot=lot,
            quantity=quantity,
            src=dock,
            dst=target[2],
            at=at,
        )

    def _ship(self, at: dt.datetime) -> Op:
        rng = self.rng
        key = self._in_bins.choice(rng)
        have = self.binned[key]
        quantity = rng.randint(1, min(have, 48))
        self.binned[key] = have - quantity
        if not self.binned[key]:
            self._in_bins.discard(key)
        sku, lot, location = key
        self.internal[sku] -= quantity
        return Op(
            kind=sl.TxKind.SHIPMENT,
            sku=sku,
            lot=lot,
            quantity=quantity,
            src=location,
            dst=rng.choice(self.customers),
            at=at,
            ref=f"SO-{self._count:07d}",
        )


def draft(op: Op) -> sl.NewTransaction:
    """Return ``op`` as the transaction the facade would build for it."""
    src, dst = sl.Position(location=op.src), sl.Position(location=op.dst)
    counterparty = None
    refs: tuple[Reference, ...] = ()
    if op.kind is sl.TxKind.RECEIPT:
        counterparty, src = op.src, sl.Position(location=f"suppliers/{op.src}")
        refs = (Reference(type="PO", number=op.ref or ""),)
    elif op.kind is sl.TxKind.SHIPMENT:
        counterparty, dst = op.dst, sl.Position(location=f"customers/{op.dst}")
        refs = (Reference(type="SO", number=op.ref or ""),)
    movement = sl.Movement(item=op.sku, quantity=Decimal(op.quantity), src=src, dst=dst, lot=op.lot)
    return sl.NewTransaction(
        kind=op.kind,
        movements=(movement,),
        effective_at=op.at,
        refs=refs,
        counterparty=counterparty,
    )


def post_one(inv: sl.Inventory, op: Op) -> None:
    """Post ``op`` with the facade call a caller would use (one database transaction)."""
    if op.kind is sl.TxKind.RECEIPT:
        inv.receive(
            op.sku,
            op.quantity,
            dst=op.dst,
            lot=op.lot,
            expiry=op.expiry,
            supplier=op.src,
            ref=op.ref,
        )
    elif op.kind is sl.TxKind.TRANSFER:
        inv.move(op.sku, op.quantity, src=op.src, dst=op.dst, lot=op.lot)
    else:
        inv.ship(op.sku, op.quantity, src=op.src, customer=op.dst, lot=op.lot, ref=op.ref)


# -- one scenario ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Scenario:
    """One store at one ledger size.

    Attributes:
        store: ``memory``, ``sqlite-full`` or ``sqlite-normal``.
        size: Movements posted in batches before the lookups.
        batch: Transactions per ``post_many`` call (and rows per raw ``executemany`` commit).
        single: Movements posted one call at a time after the lookups.
        lookups: Timed ``on_hand`` calls of each kind.
        seed: The simulation's seed.
        workdir: Where the SQLite files go.
    """

    store: str
    size: int
    batch: int
    single: int
    lookups: int
    seed: int
    workdir: str


def run_scenario(scenario: Scenario) -> dict[str, Any]:
    """Run one scenario and return its measurements (JSON-ready)."""
    progress = Progress(f"{scenario.store} N={scenario.size:,}")
    warehouse = Warehouse(scenario.seed)
    batched_ops = warehouse.take(scenario.size)
    expected_bins = dict(warehouse.binned)
    expected_items = dict(warehouse.internal)
    single_ops = warehouse.take(scenario.single)
    drafts = [draft(op) for op in batched_ops]
    lots = [(op.sku, op.lot, op.expiry) for op in batched_ops if op.new_lot]
    progress(f"simulated {len(batched_ops) + len(single_ops):,} operations, {len(lots):,} lots")

    clock = sl.FixedClock(pendulum.instance(START - dt.timedelta(hours=1)))
    db_path = Path(scenario.workdir) / f"{scenario.store}-{scenario.size}.db"
    synchronous = {"sqlite-full": "FULL", "sqlite-normal": "NORMAL"}.get(scenario.store)
    if synchronous is None:
        inv = sl.Inventory(clock=clock)
    elif synchronous == "FULL":
        inv = sl.Inventory.open(f"sqlite:///{db_path}", clock=clock)
    else:
        store = SqlAlchemyStockStore.open(f"sqlite:///{db_path}", sqlite_synchronous=synchronous)
        inv = sl.Inventory(store=store, clock=clock)

    result: dict[str, Any] = {
        "store": scenario.store,
        "size": scenario.size,
        "synchronous": synchronous,
        "seed": scenario.seed,
        "load_average_before": os.getloadavg()[0],
        "source": source_digest(),
    }
    started = time.perf_counter()
    _master_data(inv, warehouse, lots)
    result["setup"] = {"seconds": time.perf_counter() - started, "lots": len(lots)}
    progress(f"master data in {result['setup']['seconds']:.1f}s")

    batched, memory = Stopwatch(), Memory()
    step = max(scenario.batch, scenario.size // 10 // scenario.batch * scenario.batch)
    with memory.watching():
        for start in range(0, len(drafts), scenario.batch):
            chunk = drafts[start : start + scenario.batch]
            clock.set(batched_ops[start + len(chunk) - 1].at)
            with batched.timing():
                inv.post_many(chunk)
            done = start + len(chunk)
            if done % step == 0 or done == len(drafts):
                progress(f"batched {done:,}/{len(drafts):,} ({batched.rate(done):,.0f} mv/s)")
    result["batched"] = {
        "movements": len(drafts),
        "batch": scenario.batch,
        "seconds": batched.seconds,
        "per_second": batched.rate(len(drafts)),
        "cpu_seconds": batched.cpu_seconds,
    }
    result["memory"] = {
        "rss_before": memory.before,
        "peak_rss": memory.peak,
        "delta_bytes": memory.delta,
        "bytes_per_movement": memory.delta / max(1, len(drafts)),
    }
    del drafts

    gc.collect()  # the simulation's garbage is the benchmark's, not the store's
    rng = random.Random(scenario.seed + 1)
    positions = list(expected_bins.items())
    sample = [positions[rng.randrange(len(positions))] for _ in range(scenario.lookups)]
    result["lookup"] = _lookups(
        [
            (functools.partial(inv.on_hand, sku, lot=lot, location=path), Decimal(qty))
            for (sku, lot, path), qty in sample
        ]
    )
    skus = [warehouse.items[rng.randrange(ITEMS)] for _ in range(scenario.lookups)]
    result["lookup_item_site"] = _lookups(
        [
            (
                functools.partial(inv.on_hand, sku, location="DC1"),
                Decimal(expected_items.get(sku, 0)),
            )
            for sku in skus
        ]
    )
    progress(
        f"on_hand p50 {result['lookup']['p50_ms']:.3f} ms, p99 {result['lookup']['p99_ms']:.3f} ms,"
        f" {result['lookup']['wrong']} wrong"
    )

    single = Stopwatch()
    latencies: list[float] = []
    for number, op in enumerate(single_ops, start=1):
        clock.set(op.at)
        before = single.seconds
        with single.timing():
            post_one(inv, op)
        latencies.append(single.seconds - before)
        if number % max(1, len(single_ops) // 4) == 0:
            progress(f"single {number:,}/{len(single_ops):,}")
    result["single"] = {
        "movements": len(single_ops),
        "seconds": single.seconds,
        "cpu_seconds": single.cpu_seconds,
        "per_second": single.rate(len(single_ops)),
        "p50_ms": percentile(latencies, 50) * 1e3 if latencies else None,
        "p99_ms": percentile(latencies, 99) * 1e3 if latencies else None,
        "ledger_size_before": len(batched_ops),
    }
    progress(f"single {result['single']['per_second']:,.0f} mv/s")
    total = len(batched_ops) + len(single_ops)
    inv.close()
    result["load_average_after"] = os.getloadavg()[0]

    if synchronous is not None:
        result["file"] = _file_stats(db_path, total)
        ddl = _movement_ddl(db_path)
        raw_path = db_path.with_name(db_path.stem + "-raw.db")
        ids = _RawIds()
        raw_batched = [ids.row(number, op) for number, op in enumerate(batched_ops, start=1)]
        raw_single = [
            ids.row(number, op) for number, op in enumerate(single_ops, start=len(batched_ops) + 1)
        ]
        result["raw"] = _raw_reference(
            raw_path, ddl, raw_batched, raw_single, scenario.batch, synchronous
        )
        result["raw"]["file"] = _file_stats(raw_path, total)
        result["ratio"] = {
            "batched": result["batched"]["per_second"] / result["raw"]["batched"]["per_second"],
            "single": (
                result["single"]["per_second"] / result["raw"]["single"]["per_second"]
                if single_ops
                else None
            ),
        }
        progress(
            f"raw executemany {result['raw']['batched']['per_second']:,.0f} rows/s, "
            f"ratio {result['ratio']['batched']:.3f}"
        )
        for path in (db_path, raw_path):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    return result


def source_digest() -> str:
    """A digest of the stockline sources this process imported, to tell runs (or scenarios of
    one run) that measured different code apart."""
    digest = hashlib.sha256()
    root = Path(sl.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _master_data(
    inv: sl.Inventory, warehouse: Warehouse, lots: Sequence[tuple[str, str, dt.date | None]]
) -> None:
    for sku in warehouse.items:
        inv.add_item(sku, unit="EA", tracking="lot", description=f"item {sku}")
    for path in warehouse.docks + warehouse.bins:
        inv.add_location(path)
    for code in warehouse.suppliers:
        inv.add_party(code, kind="supplier")
    for code in warehouse.customers:
        inv.add_party(code, kind="customer")
    # post_many() does not create lots the way receive() does, and one add_lot() call per
    # lot would be one commit each; an ASN import would register them in one block like this.
    with inv.store.write() as w:
        now = inv.clock.now()
        for sku, code, expiry in lots:
            w.save(Lot(item=sku, code=code, expiry=expiry), actor="bench", at=now)


def _lookups(calls: Sequence[tuple[Callable[[], Decimal], Decimal]]) -> dict[str, Any]:
    for call, _ in calls[:20]:  # warm the caches
        call()
    times: list[float] = []
    wrong = 0
    for call, expected in calls:
        began = time.perf_counter()
        got = call()
        times.append(time.perf_counter() - began)
        wrong += got != expected
    return {
        "count": len(times),
        "p50_ms": percentile(times, 50) * 1e3,
        "p99_ms": percentile(times, 99) * 1e3,
        "mean_ms": sum(times) / len(times) * 1e3,
        "wrong": wrong,
    }


# -- the physical reference ----------------------------------------------------------------


class _RawIds:
    """Small integer ids for the raw rows, handed out in order of first use as the store does."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, object], int] = {}
        self._next: dict[str, int] = {}

    def id(self, kind: str, key: object) -> int:
        found = self._ids.get((kind, key))
        if found is None:
            found = self._ids[(kind, key)] = self._next[kind] = self._next.get(kind, 0) + 1
        return found

    def row(self, tx_id: int, op: Op) -> _RawRow:
        src = f"suppliers/{op.src}" if op.kind is sl.TxKind.RECEIPT else op.src
        dst = f"customers/{op.dst}" if op.kind is sl.TxKind.SHIPMENT else op.dst
        at = (op.at - EPOCH) // dt.timedelta(microseconds=1)
        item, lot = self.id("item", op.sku), self.id("lot", (op.sku, op.lot))
        src_loc, dst_loc = self.id("location", src), self.id("location", dst)
        return (tx_id, 1, item, lot, "", op.quantity * 10**6, src_loc, 1, 0, dst_loc, 1, 0, at)


def _movement_ddl(db_path: Path) -> list[str]:
    """The store's own ``CREATE`` statements for ``sl_movements`` and its indexes."""
    return _ddl(db_path, ("sl_movements",))


def _ddl(db_path: Path, tables: Sequence[str]) -> list[str]:
    """The store's own ``CREATE`` statements for ``tables`` and their indexes, tables first."""
    with sqlite3.connect(db_path) as con:
        rows = con.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN "
            f"({', '.join('?' * len(tables))}) AND sql IS NOT NULL "
            "ORDER BY type = 'table' DESC, name",
            tuple(tables),
        ).fetchall()
    con.close()
    return [str(sql) for (sql,) in rows]


def _raw_connection(path: Path, synchronous: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={synchronous}")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA busy_timeout=60000")
    return con


def _raw_reference(
    path: Path,
    ddl: Sequence[str],
    batched: Sequence[_RawRow],
    single: Sequence[_RawRow],
    batch: int,
    synchronous: str,
) -> dict[str, Any]:
    """Insert the rows with raw ``sqlite3``: ``executemany`` per batch, then one row per commit."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    con = _raw_connection(path, synchronous)
    for statement in ddl:
        con.execute(statement)
    insert = (
        f"INSERT INTO sl_movements ({', '.join(MOVEMENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(MOVEMENT_COLUMNS))})"
    )
    many = Stopwatch()
    for start in range(0, len(batched), batch):
        chunk = batched[start : start + batch]
        with many.timing():
            con.execute("BEGIN IMMEDIATE")
            con.executemany(insert, chunk)
            con.execute("COMMIT")
    one = Stopwatch()
    with one.timing():
        for row in single:
            con.execute("BEGIN IMMEDIATE")
            con.execute(insert, row)
            con.execute("COMMIT")
    con.close()
    return {
        "ddl": list(ddl),
        "batched": {
            "rows": len(batched),
            "seconds": many.seconds,
            "per_second": many.rate(len(batched)),
        },
        "single": {
            "rows": len(single),
            "seconds": one.seconds,
            "per_second": one.rate(len(single)),
        },
    }


def _file_stats(path: Path, movements: int) -> dict[str, Any]:
    """The database's size once closed (WAL checkpointed), per movement, and by table."""
    size = sum(
        os.path.getsize(f"{path}{suffix}")
        for suffix in ("", "-wal")
        if os.path.exists(f"{path}{suffix}")
    )
    tables: dict[str, int] | None = None
    try:
        with sqlite3.connect(path) as con:
            rows = con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
        con.close()
        tables = {str(name): int(bytes_) for name, bytes_ in sorted(rows, key=lambda r: -r[1])}
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        pass
    return {
        "bytes": size,
        "movements": movements,
        "bytes_per_movement": size / max(1, movements),
        "by_table": tables,
    }


# -- the report ----------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _ratio(value: float | None, goal: float | None = None) -> str:
    if value is None:
        return "—"
    text = f"{value:.3f}"
    if goal is not None:
        text += " ✓" if value >= goal else " ✗"
    return text


def report(results: Sequence[dict[str, Any]]) -> None:
    """Print the posting table, the lookup / memory / size table and the size by table."""
    batch = results[0]["batched"]["batch"] if results else 0
    singles = sorted({r["single"]["movements"] for r in results})
    posting = []
    for r in results:
        raw, ratio = r.get("raw"), r.get("ratio", {})
        posting.append(
            [
                r["store"],
                f"{r['size']:,}",
                _rate(r["batched"]["per_second"]),
                _rate(raw["batched"]["per_second"]) if raw else "—",
                _ratio(ratio.get("batched"), GOAL_BATCHED_RATIO),
                f"{r['single']['movements']:,}",
                _rate(r["single"]["per_second"]),
                _ms(r["single"]["p50_ms"]),
                _ms(r["single"]["p99_ms"]),
                _rate(raw["single"]["per_second"]) if raw else "—",
                _ratio(ratio.get("single")),
            ]
        )
    print_table(
        "Posting, movements/s (1 movement per transaction)",
        [
            "store",
            "N",
            "batched",
            "raw batched",
            "÷ raw (≥0.25)",
            "singles",
            "single",
            "p50 ms",
            "p99 ms",
            "raw single",
            "÷ raw",
        ],
        posting,
        caption=(
            f"batched: Inventory.post_many, {batch} transactions a call, onto an empty ledger up "
            "to N. single: one receive/move/ship call (one commit) each, "
            f"{' or '.join(map(str, singles))} of them, posted after the N batched ones "
            "(fewer than N, to keep the run short). raw: "
            "the same movement rows with sqlite3 into a bare sl_movements (same PK and 3 indexes, "
            f"same pragmas): executemany, one commit per {batch} rows; single: INSERT + COMMIT."
        ),
    )
    lookups = []
    for r in results:
        file, raw, look, site = r.get("file"), r.get("raw"), r["lookup"], r["lookup_item_site"]
        lookups.append(
            [
                r["store"],
                f"{r['size']:,}",
                _ms(look["p50_ms"]),
                _ms(look["p99_ms"]) + (" ✓" if look["p99_ms"] < GOAL_LOOKUP_MS else " ✗"),
                _ms(site["p50_ms"]),
                _ms(site["p99_ms"]),
                str(look["wrong"] + site["wrong"]),
                f"{r['memory']['delta_bytes'] / 2**20:,.1f}",
                f"{r['memory']['bytes_per_movement']:,.0f}",
                f"{file['bytes_per_movement']:,.0f}" if file else "—",
                f"{raw['file']['bytes_per_movement']:,.0f}" if raw else "—",
            ]
        )
    print_table(
        "On-hand lookups (ms), memory and file size",
        [
            "store",
            "N",
            "lot@bin p50",
            "p99 (<1)",
            "sku@DC1 p50",
            "p99",
            "wrong",
            "RSS Δ MiB",
            "RSS B/mv",
            "DB B/mv",
            "raw B/mv",
        ],
        lookups,
        caption=(
            "lot@bin: on_hand(sku, lot=, location=<bin>); sku@DC1: on_hand(sku, location='DC1'), "
            "the whole site subtree; each call timed after 20 warm-up calls, on the ledger of N "
            "movements, and checked against the simulation (wrong = mismatches). RSS: peak "
            "ru_maxrss minus RSS before the batched phase, in a fresh process per row. DB B/mv: "
            "the closed file ÷ all movements (batched + single), so it includes transactions, "
            "balances and master data; raw B/mv holds the movement rows and indexes only."
        ),
    )
    sized = [r for r in results if r.get("file") and r["file"].get("by_table")]
    if sized:
        largest = max(sized, key=lambda r: (r["size"], r["store"] == "sqlite-full"))
        file = largest["file"]
        tables = list(file["by_table"].items())
        shown = tables[:8]
        rest = sum(bytes_ for _, bytes_ in tables[8:])
        print_table(
            f"SQLite file by table: {largest['store']}, {file['movements']:,} movements",
            ["table or index", "bytes", "bytes/movement"],
            [
                [name, f"{bytes_:,}", f"{bytes_ / file['movements']:,.1f}"]
                for name, bytes_ in [*shown, ("(the rest)", rest)]
            ],
        )


# -- entry point ---------------------------------------------------------------------------


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ledger", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="10000,100000", help="ledger sizes N (movements)")
    parser.add_argument("--quick", action="store_true", help="N = 2000 and fewer single posts (CI)")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--stores", default=",".join(STORES), help=f"any of {', '.join(STORES)}")
    parser.add_argument("--batch", type=int, default=1000, help="transactions per post_many call")
    parser.add_argument(
        "--single-max", type=int, default=1000, help="single posts after the N batched ones"
    )
    parser.add_argument("--lookups", type=int, default=1000, help="timed on_hand calls per kind")
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--tmpdir", help="where the SQLite files go (default: the system's)")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every scenario in this process (for cProfile; memory figures then overlap)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.single_max = "2000", min(args.single_max, 500)
    unknown = set(args.stores.split(",")) - set(STORES)
    if unknown:
        parser.error(f"unknown stores {sorted(unknown)}; choose from {', '.join(STORES)}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run every store at every size, print the tables and write the JSON."""
    args = _arguments(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    stores = args.stores.split(",")
    started = time.perf_counter()
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load > cpus / 2:
        print(
            f"note: load average {load:.1f} on {cpus} CPUs: other work is running, timings will "
            "be noisy",
            file=sys.stderr,
        )
    results = []
    with tempfile.TemporaryDirectory(prefix="stockline-bench-", dir=args.tmpdir) as workdir:
        for size in sizes:
            for store in stores:
                scenario = Scenario(
                    store=store,
                    size=size,
                    batch=args.batch,
                    single=min(size, args.single_max),
                    lookups=args.lookups,
                    seed=args.seed,
                    workdir=workdir,
                )
                if args.in_process:
                    results.append(run_scenario(scenario))
                else:
                    spawn = multiprocessing.get_context("spawn")
                    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
                        results.append(pool.submit(run_scenario, scenario).result())
    elapsed = time.perf_counter() - started
    report(results)
    digests = sorted({r["source"] for r in results})
    if len(digests) > 1:
        print(f"note: src/stockline changed during the run (digests {', '.join(digests)})")
    path = args.json or RESULTS / ("ledger-quick.json" if args.quick else "ledger.json")
    write_json(
        path,
        {
            "benchmark": "ledger",
            "command": " ".join([Path(sys.executable).name, "-m", "bench.ledger", *sys.argv[1:]]),
            "environment": environment(),
            "settings": {
                "sizes": sizes,
                "stores": stores,
                "batch": args.batch,
                "single_max_sqlite": args.single_max,
                "lookups": args.lookups,
                "seed": args.seed,
                "in_process": args.in_process,
            },
            "goals": {
                "batched_over_raw_min": GOAL_BATCHED_RATIO,
                "lookup_p99_ms_max": GOAL_LOOKUP_MS,
            },
            "seconds": elapsed,
            "results": list(results),
        },
    )
    print(f"\n{len(results)} scenarios in {elapsed:.0f}s; results written to {path}")


if __name__ == "__main__":
    main()
