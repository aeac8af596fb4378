"""Posting speed of the ledger on a local PostgreSQL, against raw psycopg, and under concurrency.

Run from the repository root::

    .venv/bin/python -m bench.postgres                  # 20k movements; writers 3 x 10 s each
    .venv/bin/python -m bench.postgres --quick          # 4000 movements, 3 s per scenario (CI)
    .venv/bin/python -m bench.postgres --json out.json  # results elsewhere than bench/results/
    .venv/bin/python -m bench.postgres --plots docs/performance --markdown
                                                        # plots and Markdown tables, for the docs

With ``STOCKLINE_BENCH_POSTGRES_URL`` set (the URL of a role that may create databases), the
benchmark uses that server; otherwise it starts a throwaway one from the installed binaries
(``initdb`` + ``pg_ctl`` into a temporary directory, a unix socket only, run as the
``postgres`` user when run as root) and stops it at the end. The throwaway server keeps
PostgreSQL's durable defaults (``fsync=on``, ``synchronous_commit=on``) unless
``--no-durability`` is given, so one commit costs a WAL flush to this machine's disk.

Every reference is measured in the same run as the figure it is compared with, and where the
machine's load could drift, in alternation with it:

1. **Batched posting.** The seeded warehouse simulation of ``bench.ledger`` makes N movements
   (one per transaction), posted with ``Inventory.post_many``, 1000 transactions a call. After
   each call, the same movement rows go into a bare copy of ``sl_movements`` (the store's own
   DDL, reflected from its database: the same columns, primary key and indexes) in databases of
   their own, with raw psycopg: ``executemany`` (pipelined by psycopg) and ``COPY FROM STDIN``,
   one commit per 1000 rows. Then the **floor**: every row the call wrote (transactions,
   movements, one balance upsert per position touched) is read back, untimed, and written
   again with the store's own statements by bare ``executemany`` into copies of those three
   tables, one commit: the database work alone, with no Python checks, hashing or look-ups,
   as the SQLite suite's ``Floor`` does.
2. **Single posting.** One receive/move/ship call (one commit) on that ledger, alternating
   with a raw one-row ``INSERT`` + ``COMMIT`` into the bare ``sl_movements``; p50 of each.
3. **Writers.** 1, 4 and 16 writer threads for a fixed time each, on a fresh database per
   scenario, in four kinds, interleaved by writer count; the whole series runs three times
   (``--rounds``) and the tables give the medians of the rounds:

   - ``hot``: each writer its own ``Inventory`` on one shared store (a connection pool as large
     as the writers), looping receive → move → ship (one call = one commit), all withdrawing
     from the same item at the same two bins;
   - ``cold``: the same, each writer with its own item, dock and bins;
   - ``raw insert``: each writer its own psycopg connection, looping one movement row
     ``INSERT`` + ``COMMIT`` into a bare ``sl_movements``: no shared row, so the server may
     flush many writers' commits in one WAL write;
   - ``raw head``: the same, but each transaction first ``UPDATE``\\ s the one row of a bare
     ``sl_head`` (as every posting locks it): the pure serialisation ceiling, since the row
     lock is held until the commit's WAL flush is done.

This is a measurement, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import pwd
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pendulum
import psycopg
import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

import stockline as sl
from bench import _common
from bench._common import (
    RESULTS,
    Progress,
    Stopwatch,
    environment,
    percentile,
    print_table,
    write_json,
)
from bench.ledger import (
    MOVEMENT_COLUMNS,
    START,
    Op,
    Warehouse,
    _master_data,
    _RawIds,
    draft,
    post_one,
    source_digest,
)
from stockline.adapters.sqlalchemy import SqlAlchemyStockStore
from stockline.adapters.sqlalchemy._schema import movements, transactions
from stockline.adapters.sqlalchemy._session import (
    _INSERT_MOVEMENT,
    _INSERT_TRANSACTION,
    _UPSERT_BALANCE,
)

URL_ENV = "STOCKLINE_BENCH_POSTGRES_URL"
WRITERS = (1, 4, 16)
#: Units put at every position a scenario withdraws from, so no withdrawal ever fails.
SEED_STOCK = 10**9
_USER = "stockline"


# -- the server ----------------------------------------------------------------------------


def _bin_dir() -> Path | None:
    versions = [
        p.parent
        for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
        if p.parent.parent.name.isdigit()
    ]
    if versions:
        return max(versions, key=lambda p: int(p.parent.name))
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A PostgreSQL server to create (and drop) the benchmark's databases on."""

    def __init__(self, admin_url: sa.URL, *, directory: Path | None = None) -> None:
        self.admin_url = admin_url
        self.started_here = directory is not None
        self._directory = directory
        self._stop_command: list[str] | None = None
        self._made: list[str] = []
        self._prefix = f"sl_bench_{os.getpid()}"
        params: dict[str, Any] = {
            "user": admin_url.username,
            "password": admin_url.password,
            "host": admin_url.host,
            "port": admin_url.port,
            "dbname": admin_url.database,
        }
        params.update({k: v for k, v in admin_url.query.items() if isinstance(v, str)})
        self.conninfo = psycopg.conninfo.make_conninfo(
            "", **{k: v for k, v in params.items() if v is not None}
        )

    @classmethod
    def start(cls, *, durable: bool) -> Server:
        """Start a throwaway server in a temporary directory, listening on a unix socket."""
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise SystemExit(
                "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or "
                f"on the PATH): apt-get install postgresql, or set {URL_ENV} to a server's URL"
            )
        directory = Path(tempfile.mkdtemp(prefix="slbench-pg-"))
        as_user: Sequence[str] = ()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(directory, owner.pw_uid, owner.pw_gid)
            as_user = ("runuser", "-u", "postgres", "--")
        data = directory / "data"
        port = _free_port()
        options = f"-k {directory} -c listen_addresses='' -p {port} -c max_connections=100"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust"]
        initdb += ["-E", "UTF8", "--no-sync", "--no-instructions"]
        pg_ctl = [str(bin_dir / "pg_ctl"), "start", "-w", "-D", str(data)]
        pg_ctl += ["-l", str(directory / "server.log"), "-o", options]
        for command in ([*as_user, *initdb], [*as_user, *pg_ctl]):
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                shutil.rmtree(directory, ignore_errors=True)
                raise SystemExit(f"{command[len(as_user)]} failed: {done.stdout}{done.stderr}")
        url = sa.URL.create(
            "postgresql+psycopg",
            username=_USER,
            database="postgres",
            query={"host": str(directory), "port": str(port)},
        )
        server = cls(url, directory=directory)
        server._stop_command = [*as_user, str(bin_dir / "pg_ctl"), "stop", "-m", "fast"]
        server._stop_command += ["-D", str(data)]
        return server

    def execute(self, *statements: str) -> None:
        """Run statements (CREATE/DROP DATABASE, ...) as the admin role, in autocommit."""
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement.encode())

    def checkpoint(self) -> bool:
        """Write every dirty buffer out now (``CHECKPOINT``), so that the writes a phase's set-up
        (or the phase before) left behind are not flushed while the next one is timed; return
        whether the role was allowed to."""
        try:
            self.execute("CHECKPOINT")
        except psycopg.Error:
            return False
        return True

    def settings(self) -> dict[str, str]:
        """The server's version and the settings that decide what a commit costs."""
        names = (
            "server_version",
            "fsync",
            "synchronous_commit",
            "full_page_writes",
            "wal_sync_method",
            "shared_buffers",
            "max_connections",
        )
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            shown = {name: conn.execute(f"SHOW {name}").fetchone() for name in names}
        return {name: str(row[0]) if row else "?" for name, row in shown.items()}

    def fresh_database(self, label: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        name = f"{self._prefix}_{label}"
        self.execute(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
        self._made.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def conninfo_of(self, url: str) -> str:
        """The psycopg connection string of a database made by :meth:`fresh_database`."""
        database = sa.make_url(url).database
        return psycopg.conninfo.make_conninfo(self.conninfo, dbname=database)

    def drop(self, url: str) -> None:
        """Drop a database made by :meth:`fresh_database` (and any connection left to it)."""
        name = sa.make_url(url).database
        if name in self._made:
            self._made.remove(name)
            self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Drop the databases made here; stop the server and remove it if it was started here."""
        try:
            if self._stop_command is None:
                self.execute(*(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in self._made))
            self._made.clear()
        finally:
            if self._stop_command is not None:
                subprocess.run(self._stop_command, capture_output=True, check=False)
                self._stop_command = None
            if self._directory is not None:
                shutil.rmtree(self._directory, ignore_errors=True)
                self._directory = None


def _server(*, durable: bool) -> Server:
    given = os.environ.get(URL_ENV)
    if not given:
        return Server.start(durable=durable)
    url = sa.make_url(given)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return Server(url)


# -- the store's own tables, bare ------------------------------------------------------------


#: The tables a posting writes rows into (sl_head aside): the floor's copies.
WRITTEN = ("sl_transactions", "sl_movements", "sl_balances")


def store_ddl(server: Server) -> dict[str, list[str]]:
    """The ``CREATE`` statements of the store's tables and their indexes, reflected from a
    database the store's own migrations made (so the copies are what a store really has)."""
    url = server.fresh_database("ddl")
    store = SqlAlchemyStockStore.open(url)
    try:
        metadata = sa.MetaData()
        names = (*WRITTEN, "sl_head")
        metadata.reflect(store.engine, only=list(names))
        ddl: dict[str, list[str]] = {}
        for name in names:
            table = metadata.tables[name]
            statements = [str(CreateTable(table).compile(dialect=store.engine.dialect)).strip()]
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                statements.append(str(CreateIndex(index).compile(dialect=store.engine.dialect)))
            ddl[name] = statements
    finally:
        store.close()
        server.drop(url)
    return ddl


class Bare:
    """Bare copies of some of the store's tables in a database of their own, over psycopg."""

    def __init__(self, server: Server, label: str, statements: Sequence[str]) -> None:
        self._server = server
        self.url = server.fresh_database(label)
        self.conn = psycopg.connect(server.conninfo_of(self.url))
        for statement in statements:
            self.conn.execute(statement.encode())
        self.conn.commit()

    def count(self, table: str) -> int:
        row = self.conn.execute(f"SELECT count(*) FROM {table}".encode()).fetchone()
        self.conn.commit()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.conn.close()
        self._server.drop(self.url)


def _pg(sql: str) -> bytes:
    """A statement the store writes with ``?`` placeholders, as it sends it to psycopg."""
    return sql.replace("?", "%s").encode()


_COLUMNS = ", ".join(MOVEMENT_COLUMNS)
_INSERT = f"INSERT INTO sl_movements ({_COLUMNS}) VALUES ({', '.join(['%s'] * 13)})".encode()
_COPY = f"COPY sl_movements ({_COLUMNS}) FROM STDIN".encode()


class Floor:
    """The rows a batch of postings wrote, written again with bare ``executemany``.

    After each batch, the transaction and movement rows the ledger appended are read back
    (untimed) from the store's database and inserted into copies of those tables, with the
    store's own statements, and the balance changes they make are upserted into a copy of
    ``sl_balances`` the way the store does (one upsert per position touched): the cost of the
    database work alone, with no Python checks, hashing or look-ups. No implementation that
    keeps this schema can post faster through one connection.
    """

    def __init__(self, server: Server, ddl: dict[str, list[str]], source_url: str) -> None:
        self.bare = Bare(server, "floor", [s for name in WRITTEN for s in ddl[name]])
        self.source = psycopg.connect(server.conninfo_of(source_url), autocommit=True)
        self.last = 0
        self.watch = Stopwatch()
        tx_columns = ", ".join(f'"{c.name}"' for c in transactions.columns)
        mv_columns = ", ".join(f'"{c.name}"' for c in movements.columns)
        self._txs = f"SELECT {tx_columns} FROM sl_transactions WHERE id > %s ORDER BY id".encode()
        self._mvs = f"SELECT {mv_columns} FROM sl_movements WHERE tx_id > %s".encode()

    def replay(self) -> None:
        """Write the rows of the transactions posted since the last call; time it."""
        txs = self.source.execute(self._txs, (self.last,)).fetchall()
        mvs = self.source.execute(self._mvs, (self.last,)).fetchall()
        changes: dict[tuple[Any, ...], list[int]] = {}
        for m in mvs:
            # item, lot, serial, then each side's location, status, container; qty; effective
            for key, delta in (((*m[2:5], *m[6:9]), -m[5]), ((*m[2:5], *m[9:12]), m[5])):
                change = changes.setdefault(key, [0, m[12]])
                change[0] += delta
                change[1] = max(change[1], m[12])
        rows = [(*key, qty, at) for key, (qty, at) in changes.items()]
        conn = self.bare.conn
        with self.watch.timing():
            with conn.cursor() as cur:
                cur.executemany(_pg(_INSERT_TRANSACTION), txs)
                cur.executemany(_pg(_INSERT_MOVEMENT), mvs)
                cur.executemany(_pg(_UPSERT_BALANCE), rows)
            conn.commit()
        if txs:
            self.last = int(txs[-1][0])

    def close(self) -> None:
        self.source.close()
        self.bare.close()


# -- 1. batched posting, 2. single posting -------------------------------------------------


def run_posting(
    server: Server, ddl: dict[str, list[str]], *, size: int, batch: int, singles: int, seed: int
) -> dict[str, Any]:
    """``post_many`` in batches, each followed by its raw and floor references; then single
    calls alternating with raw one-row commits."""
    progress = Progress(f"batched N={size:,}")
    warehouse = Warehouse(seed)
    ops = warehouse.take(size)
    later = warehouse.take(singles + 10)
    lots = [(op.sku, op.lot, op.expiry) for op in ops if op.new_lot]
    progress(f"simulated {len(ops):,} operations, {len(lots):,} lots")

    url = server.fresh_database("batched")
    clock = sl.FixedClock(pendulum.instance(START - dt.timedelta(hours=1)))
    inv = sl.Inventory(store=SqlAlchemyStockStore.open(url), clock=clock)
    started = time.perf_counter()
    _master_data(inv, warehouse, lots)
    setup = time.perf_counter() - started
    progress(f"schema and master data in {setup:.1f}s")
    many = Bare(server, "raw_many", ddl["sl_movements"])
    copy = Bare(server, "raw_copy", ddl["sl_movements"])
    floor = Floor(server, ddl, url)
    server.checkpoint()
    ids = _RawIds()
    ours, many_watch, copy_watch = Stopwatch(), Stopwatch(), Stopwatch()
    step = max(batch, size // 5 // batch * batch)
    try:
        for start in range(0, size, batch):
            chunk = ops[start : start + batch]
            drafts = [draft(op) for op in chunk]
            clock.set(chunk[-1].at)
            with ours.timing():
                inv.post_many(drafts)
            rows = [ids.row(start + n, op) for n, op in enumerate(chunk, start=1)]
            with many_watch.timing():
                with many.conn.cursor() as cur:
                    cur.executemany(_INSERT, rows)
                many.conn.commit()
            with copy_watch.timing():
                with copy.conn.cursor() as cur, cur.copy(_COPY) as cp:
                    for row in rows:
                        cp.write_row(row)
                copy.conn.commit()
            floor.replay()
            done = start + len(chunk)
            if done % step == 0 or done == size:
                progress(
                    f"{done:,}/{size:,}: post_many {ours.rate(done):,.0f} mv/s, executemany "
                    f"{many_watch.rate(done):,.0f}, COPY {copy_watch.rate(done):,.0f}, floor "
                    f"{floor.watch.rate(done):,.0f}"
                )
        for bare in (many, copy, floor.bare):
            if (found := bare.count("sl_movements")) != size:
                raise RuntimeError(f"a raw reference wrote {found} movement rows, not {size}")
        server.checkpoint()
        single = _singles(inv, clock, many, ids, later, first_id=size + 1, count=singles)
        progress(
            f"single p50 {single['p50_ms']:.2f} ms, raw INSERT + COMMIT p50 "
            f"{single['raw_p50_ms']:.2f} ms"
        )
    finally:
        inv.close()
        floor.close()
        many.close()
        copy.close()
        server.drop(url)

    per_second = ours.rate(size)
    rates = {
        "executemany": many_watch.rate(size),
        "copy": copy_watch.rate(size),
        "floor": floor.watch.rate(size),
    }
    return {
        "movements": size,
        "batch": batch,
        "seed": seed,
        "setup_seconds": setup,
        "ours": {
            "seconds": ours.seconds,
            "cpu_seconds": ours.cpu_seconds,
            "per_second": per_second,
        },
        "raw": {
            name: {"seconds": watch.seconds, "cpu_seconds": watch.cpu_seconds, "per_second": rate}
            for (name, rate), watch in zip(
                rates.items(), (many_watch, copy_watch, floor.watch), strict=True
            )
        },
        "ratio": {name: per_second / rate for name, rate in rates.items()},
        "floor_over_executemany": rates["floor"] / rates["executemany"],
        "single": single,
    }


def _singles(
    inv: sl.Inventory,
    clock: sl.FixedClock,
    raw: Bare,
    ids: _RawIds,
    ops: Sequence[Op],
    *,
    first_id: int,
    count: int,
) -> dict[str, Any]:
    """One facade call per operation, alternating with a raw one-row INSERT + COMMIT."""
    ours: list[float] = []
    theirs: list[float] = []
    kinds: dict[str, list[float]] = {}
    for number, op in enumerate(ops):
        clock.set(op.at)
        row = ids.row(first_id + number, op)
        began = time.perf_counter()
        post_one(inv, op)
        spent = time.perf_counter() - began
        began = time.perf_counter()
        raw.conn.execute(_INSERT, row)
        raw.conn.commit()
        if number >= len(ops) - count:  # the first few warm the caches
            ours.append(spent)
            theirs.append(time.perf_counter() - began)
            kinds.setdefault(op.kind.value, []).append(spent)
    return {
        "count": len(ours),
        "p50_ms": percentile(ours, 50) * 1e3,
        "p99_ms": percentile(ours, 99) * 1e3,
        "raw_p50_ms": percentile(theirs, 50) * 1e3,
        "raw_p99_ms": percentile(theirs, 99) * 1e3,
        "ratio": percentile(ours, 50) / percentile(theirs, 50),
        "p50_ms_by_kind": {kind: percentile(times, 50) * 1e3 for kind, times in kinds.items()},
    }


# -- 3. writers ----------------------------------------------------------------------------

#: The kinds of writer, in the order they run at each writer count.
KINDS = ("hot", "cold", "raw insert", "raw head")
#: What one step of a writer does: given its step number, post or commit once.
Step = Callable[[int], None]


@attrs.frozen(kw_only=True)
class Lane:
    """Where one writer posts: receive into ``dock``, move ``bins[0]`` → ``bins[1]``, ship from
    ``bins[1]`` (the bins are seeded, so withdrawals never run short)."""

    sku: str
    dock: str
    bins: tuple[str, str]


def _lanes(kind: str, writers: int) -> list[Lane]:
    if kind == "hot":
        return [Lane(sku="HOT", dock="DC1/DOCK/1", bins=("DC1/A/01", "DC1/A/02"))] * writers
    return [
        Lane(
            sku=f"COLD-{w:02d}", dock=f"DC1/DOCK/{w:02d}", bins=(f"DC1/{w:02d}/1", f"DC1/{w:02d}/2")
        )
        for w in range(1, writers + 1)
    ]


def _post(inv: sl.Inventory, lane: Lane, step: int, writer: int) -> None:
    kind = step % 3
    if kind == 0:
        inv.receive(lane.sku, 1, dst=lane.dock, supplier="S1", ref=f"PO-{writer}-{step}")
    elif kind == 1:
        inv.move(lane.sku, 1, src=lane.bins[0], dst=lane.bins[1])
    else:
        inv.ship(lane.sku, 1, src=lane.bins[1], customer="C1", ref=f"SO-{writer}-{step}")


def _ledger_writers(
    server: Server, kind: str, writers: int
) -> tuple[Callable[[int], Step], Callable[[], dict[str, Any]]]:
    """Writers posting through stockline, and how to check and close their ledger after."""
    url = server.fresh_database(f"{kind}_{writers}")
    store = SqlAlchemyStockStore.open(url, pool_size=writers, max_overflow=2)
    setup = sl.Inventory(store=store)
    lanes = _lanes(kind, writers)
    setup.add_party("S1", kind="supplier")
    setup.add_party("C1", kind="customer")
    for lane in dict.fromkeys(lanes):
        setup.add_item(lane.sku)
        for path in (lane.dock, *lane.bins):
            setup.add_location(path)
        for path in lane.bins:
            setup.receive(lane.sku, SEED_STOCK, dst=path, supplier="S1")

    def writer(number: int) -> Step:
        inv = sl.Inventory(store=store)
        return lambda step: _post(inv, lanes[number], step, number)

    def finish() -> dict[str, Any]:
        integrity = setup.verify()
        store.close()
        server.drop(url)
        return {"verified": not integrity.problems, "transactions": integrity.transactions}

    return writer, finish


def _raw_writers(
    server: Server, kind: str, writers: int, ddl: dict[str, list[str]]
) -> tuple[Callable[[int], Step], Callable[[], dict[str, Any]]]:
    """Writers committing one movement row at a time with psycopg (``raw head``: after taking
    the one head row's lock, as every posting does)."""
    head = kind == "raw head"
    bare = Bare(server, f"{kind.replace(' ', '_')}_{writers}", ddl["sl_movements"] + ddl["sl_head"])
    bare.conn.execute(b"INSERT INTO sl_head VALUES (1, 0, '', 0)")
    bare.conn.commit()
    connections: list[psycopg.Connection[Any]] = []
    lock = threading.Lock()
    at = (START - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    digest = "0" * 64

    def writer(number: int) -> Step:
        conn = psycopg.connect(server.conninfo_of(bare.url))
        with lock:
            connections.append(conn)

        def step(n: int) -> None:
            if head:
                row = conn.execute(
                    b"UPDATE sl_head SET last_tx = last_tx + 1, last_hash = %s WHERE id = 1 "
                    b"RETURNING last_tx",
                    (digest,),
                ).fetchone()
                tx_id = int(row[0]) if row else 0
            else:
                tx_id = (number + 1) * 10**9 + n
            conn.execute(_INSERT, (tx_id, 1, 1, 1, "", 10**6, 1, 1, 0, 2, 1, 0, at + n))
            conn.commit()

        return step

    def finish() -> dict[str, Any]:
        for conn in connections:
            conn.close()
        rows = bare.count("sl_movements")
        bare.close()
        return {"verified": None, "transactions": rows}

    return writer, finish


def run_writers(
    server: Server,
    ddl: dict[str, list[str]],
    *,
    kind: str,
    writers: int,
    seconds: float,
    warmup: int,
) -> dict[str, Any]:
    """``writers`` threads committing one step at a time for ``seconds``."""
    progress = Progress(f"{kind} x{writers}")
    if kind in ("hot", "cold"):
        make, finish = _ledger_writers(server, kind, writers)
    else:
        make, finish = _raw_writers(server, kind, writers, ddl)
    barrier = threading.Barrier(writers + 1)
    deadline = [float("inf")]
    latencies: list[list[float]] = [[] for _ in range(writers)]
    errors: list[str] = []

    def run(number: int) -> None:
        times = latencies[number]
        step = 0
        try:
            work = make(number)
            for step in range(warmup):  # connections, caches
                work(step)
        except Exception as e:  # reported, not raised, from a thread
            errors.append(f"warm-up: {type(e).__name__}: {e}")
            barrier.abort()
            return
        try:
            barrier.wait()
        except threading.BrokenBarrierError:  # another writer failed to warm up
            return
        step = warmup
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                work(step)
            except Exception as e:
                errors.append(f"{type(e).__name__}: {e}")
                continue
            finally:
                step += 1
            times.append(time.perf_counter() - began)

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(writers)]
    for thread in threads:
        thread.start()
    # Every writer has warmed up when the barrier opens; the deadline is set just before.
    while barrier.n_waiting < writers and not barrier.broken:
        time.sleep(0.01)
    server.checkpoint()
    cpu = time.process_time()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    with contextlib.suppress(threading.BrokenBarrierError):  # a writer failed to warm up
        barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu
    all_times = [t for times in latencies for t in times]
    commits = len(all_times)
    checked = finish()
    result: dict[str, Any] = {
        "kind": kind,
        "writers": writers,
        "seconds": wall,
        "cpu_seconds": cpu,
        "commits": commits,
        "per_second": commits / wall if wall > 0 else 0.0,
        "cpu_ms_per_commit": cpu / commits * 1e3 if commits else None,
        "p50_ms": percentile(all_times, 50) * 1e3 if all_times else None,
        "p99_ms": percentile(all_times, 99) * 1e3 if all_times else None,
        "max_ms": max(all_times) * 1e3 if all_times else None,
        "per_writer": [len(times) for times in latencies],
        "errors": len(errors),
        "error_samples": errors[:5],
        **checked,
    }
    progress(
        f"{commits:,} commits in {wall:.1f}s ({result['per_second']:,.0f}/s), "
        f"p50 {_ms(result['p50_ms'])} ms, p99 {_ms(result['p99_ms'])} ms, {len(errors)} errors"
    )
    return result


def summary(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per kind and writer count, over its rounds: the medians of the rounds' rates
    and latencies (each round's rate kept in ``per_second_rounds``), the sums of commits,
    time and errors, the worst max."""
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["kind"], row["writers"]), []).append(row)

    def median(values: Sequence[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return statistics.median(known) if known else None

    combined = []
    for (kind, writers), rounds in groups.items():
        checked = [r["verified"] for r in rounds]
        combined.append(
            {
                "kind": kind,
                "writers": writers,
                "rounds": len(rounds),
                "commits": sum(r["commits"] for r in rounds),
                "seconds": sum(r["seconds"] for r in rounds),
                "per_second": median([r["per_second"] for r in rounds]),
                "per_second_rounds": [r["per_second"] for r in rounds],
                "p50_ms": median([r["p50_ms"] for r in rounds]),
                "p99_ms": median([r["p99_ms"] for r in rounds]),
                "max_ms": max(
                    (r["max_ms"] for r in rounds if r["max_ms"] is not None), default=None
                ),
                "cpu_ms_per_commit": median([r["cpu_ms_per_commit"] for r in rounds]),
                "errors": sum(r["errors"] for r in rounds),
                "verified": None if None in checked else all(checked),
            }
        )
    return combined


def ceiling(writers: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """At the most writers measured: the ledger's commits/s against the two raw references."""
    most = max(r["writers"] for r in writers)
    rate = {r["kind"]: r["per_second"] for r in writers if r["writers"] == most}
    ledger = max(rate.get("hot", 0.0), rate.get("cold", 0.0))
    return {
        "writers": most,
        **{kind: rate.get(kind) for kind in KINDS},
        "ledger_over_head": ledger / rate["raw head"] if rate.get("raw head") else None,
        "ledger_over_insert": ledger / rate["raw insert"] if rate.get("raw insert") else None,
        "head_over_insert": (
            rate["raw head"] / rate["raw insert"]
            if rate.get("raw head") and rate.get("raw insert")
            else None
        ),
    }


# -- the report ----------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def report(data: dict[str, Any]) -> None:
    """Print the tables of one run's results."""
    posting, writers, top = data["posting"], data["summary"], data["ceiling"]
    s = data["server"]
    pg = f"{s['server_version'].split()[0]}, fsync={s['fsync']}, "
    pg += f"synchronous_commit={s['synchronous_commit']}"
    raw, ratio = posting["raw"], posting["ratio"]
    print_table(
        f"Batched posting on PostgreSQL ({pg}), movements/s",
        [
            "N",
            "post_many",
            "raw executemany",
            "÷ executemany",
            "raw COPY",
            "÷ COPY",
            "floor",
            "floor ÷ executemany",
            "÷ floor",
        ],
        [
            [
                f"{posting['movements']:,}",
                _rate(posting["ours"]["per_second"]),
                _rate(raw["executemany"]["per_second"]),
                _ratio(ratio["executemany"]),
                _rate(raw["copy"]["per_second"]),
                _ratio(ratio["copy"]),
                _rate(raw["floor"]["per_second"]),
                _ratio(posting["floor_over_executemany"]),
                _ratio(ratio["floor"]),
            ]
        ],
        caption=(
            f"post_many: Inventory.post_many, {posting['batch']} one-movement transactions a "
            "call, one commit a call. After each call, the same movement rows with psycopg into "
            "a bare sl_movements (the store's DDL, reflected) in a database of its own, one "
            "commit per call's rows: executemany (pipelined) and COPY FROM STDIN. floor: every "
            "row the call wrote (transactions, movements, one balance upsert per position "
            "touched), written again with the store's statements by bare executemany, one "
            "commit. ÷: post_many's rate over the reference's."
        ),
    )
    one = posting["single"]
    print_table(
        f"Single posting on PostgreSQL ({pg})",
        ["calls", "p50 ms", "p99 ms", "raw p50 ms", "raw p99 ms", "÷ raw p50"],
        [
            [
                f"{one['count']:,}",
                _ms(one["p50_ms"]),
                _ms(one["p99_ms"]),
                _ms(one["raw_p50_ms"]),
                _ms(one["raw_p99_ms"]),
                f"{one['ratio']:.2f}",
            ]
        ],
        caption=(
            "One receive/move/ship call (one commit) on the batched ledger, alternating with "
            "one movement row INSERT + COMMIT through psycopg into the bare sl_movements."
        ),
    )
    print_table(
        f"Writers on PostgreSQL ({pg}): one commit per step",
        [
            "kind",
            "writers",
            "commits",
            "s",
            "commits/s",
            "each round",
            "p50 ms",
            "p99 ms",
            "max ms",
            "CPU ms/commit",
            "errors",
            "verify",
        ],
        [
            [
                r["kind"],
                str(r["writers"]),
                f"{r['commits']:,}",
                f"{r['seconds']:.1f}",
                _rate(r["per_second"]),
                " / ".join(_rate(x) for x in r["per_second_rounds"]),
                _ms(r["p50_ms"]),
                _ms(r["p99_ms"]),
                _ms(r["max_ms"]),
                _ms(r["cpu_ms_per_commit"]),
                str(r["errors"]),
                {True: "ok", False: "FAILED", None: "—"}[r["verified"]],
            ]
            for r in writers
        ],
        caption=(
            "Threads in one process, each writer with its own connection, for a fixed time "
            "after a warm-up, on a fresh database per scenario; the scenarios run by writer "
            "count, the four kinds in turn, and the whole series once per round. commits/s, "
            "p50, p99, CPU: the median over the rounds; commits, s, max, errors: over all "
            "rounds. hot/cold: receive → move → ship "
            "calls through stockline (one Inventory per writer on one store; hot: one item at "
            "the same two bins; cold: each writer its own item and bins); every posting takes "
            "the sl_head row lock first. raw insert: one movement row INSERT + COMMIT through "
            "psycopg, no shared row. raw head: UPDATE of the one sl_head row, INSERT, COMMIT "
            "(the serialisation alone). CPU: this process's, per commit. verify: "
            "Inventory.verify() afterwards (hash chain, projection = replay)."
        ),
    )
    print_table(
        f"The head row's ceiling with {top['writers']} writers, commits/s",
        [
            "hot",
            "cold",
            "raw head",
            "raw insert",
            "ledger ÷ head",
            "ledger ÷ insert",
            "head ÷ insert",
        ],
        [
            [
                _rate(top["hot"]),
                _rate(top["cold"]),
                _rate(top["raw head"]),
                _rate(top["raw insert"]),
                _ratio(top["ledger_over_head"]),
                _ratio(top["ledger_over_insert"]),
                _ratio(top["head_over_insert"]),
            ]
        ],
        caption="ledger: the better of hot and cold.",
    )


# -- entry point ---------------------------------------------------------------------------


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.postgres", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--size", type=int, default=20_000, help="batched movements N")
    parser.add_argument("--batch", type=int, default=1000, help="transactions per post_many call")
    parser.add_argument(
        "--writers", default=",".join(map(str, WRITERS)), help="concurrent writer counts"
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="timed seconds per writers scenario"
    )
    parser.add_argument(
        "--singles", type=int, default=300, help="single calls (and raw one-row commits) timed"
    )
    parser.add_argument("--warmup", type=int, default=6, help="untimed steps per writer")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="how many times the writers series is run (1 with --quick)",
    )
    parser.add_argument("--quick", action="store_true", help="N = 4000 and 3 s per scenario (CI)")
    parser.add_argument(
        "--no-durability",
        action="store_true",
        help="start the server with fsync=off, synchronous_commit=off (as the tests do)",
    )
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--plots", type=Path, help="draw the writers plots into this folder")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument(
        "--report", action="store_true", help="print the tables of the JSON file, run nothing"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.seconds = min(args.size, 4000), min(args.seconds, 3.0)
        args.singles, args.rounds = min(args.singles, 100), 1
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Start (or reach) the server, run every part, print the tables and write the JSON."""
    args = _arguments(argv)
    _common.MARKDOWN = args.markdown
    path = args.json or RESULTS / ("postgres-quick.json" if args.quick else "postgres.json")
    if args.report:
        report(json.loads(path.read_text(encoding="utf-8")))
        if args.plots:
            from bench.plots import draw_postgres  # matplotlib: the plots extra

            for made in draw_postgres(path, args.plots):
                print(made)
        return
    writer_counts = [int(w) for w in args.writers.split(",")]
    started = time.perf_counter()
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load > cpus / 2:
        print(
            f"note: load average {load:.1f} on {cpus} CPUs: other work is running, timings will "
            "be noisy",
            file=sys.stderr,
        )
    before = environment()
    server = _server(durable=not args.no_durability)
    try:
        settings = server.settings()
        Progress("server")(
            f"PostgreSQL {settings['server_version']} "
            f"({'started here' if server.started_here else 'from ' + URL_ENV}), "
            f"fsync={settings['fsync']}, synchronous_commit={settings['synchronous_commit']}"
        )
        ddl = store_ddl(server)
        posting = run_posting(
            server, ddl, size=args.size, batch=args.batch, singles=args.singles, seed=args.seed
        )
        writers = [
            {
                "round": number,
                **run_writers(
                    server, ddl, kind=kind, writers=n, seconds=args.seconds, warmup=args.warmup
                ),
            }
            for number in range(1, args.rounds + 1)
            for n in writer_counts
            for kind in KINDS
        ]
    finally:
        server.stop()
    elapsed = time.perf_counter() - started
    data = {
        "benchmark": "postgres",
        "command": " ".join([Path(sys.executable).name, "-m", "bench.postgres", *sys.argv[1:]]),
        "environment": before,
        "load_average_after": os.getloadavg(),
        "server": {"started_here": server.started_here, **settings},
        "source": source_digest(),
        "settings": {
            "size": args.size,
            "batch": args.batch,
            "writers": writer_counts,
            "seconds_per_scenario": args.seconds,
            "warmup_per_writer": args.warmup,
            "rounds": args.rounds,
            "singles": args.singles,
            "seed": args.seed,
            "quick": args.quick,
        },
        "seconds": elapsed,
        "ddl": ddl,
        "posting": posting,
        "writers": writers,
        "summary": summary(writers),
        "ceiling": ceiling(summary(writers)),
    }
    report(data)
    write_json(path, data)
    if args.plots:
        from bench.plots import draw_postgres  # matplotlib: the plots extra

        for made in draw_postgres(path, args.plots):
            print(made)
    print(f"done in {elapsed:.0f}s; results written to {path}")


if __name__ == "__main__":
    main()
