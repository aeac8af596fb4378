"""Posting speed of the ledger on a local PostgreSQL, against raw psycopg, and under concurrency.

Run from the repository root::

    .venv/bin/python -m bench.postgres                  # 20k batched movements, 15 s per scenario
    .venv/bin/python -m bench.postgres --quick          # 4000 movements, 3 s per scenario (CI)
    .venv/bin/python -m bench.postgres --json out.json  # results elsewhere than bench/results/

With ``STOCKLINE_BENCH_POSTGRES_URL`` set (the URL of a role that may create databases), the
benchmark uses that server; otherwise it starts a throwaway one from the installed binaries
(``initdb`` + ``pg_ctl`` into a temporary directory, a unix socket only, run as the
``postgres`` user when run as root) and stops it at the end. The throwaway server keeps
PostgreSQL's durable defaults (``fsync=on``, ``synchronous_commit=on``) unless
``--no-durability`` is given, so one commit costs a WAL flush to this machine's disk.

1. **Batched posting.** The seeded warehouse simulation of ``bench.ledger`` makes N movements
   (one per transaction), posted with ``Inventory.post_many``, 1000 transactions a call. The
   same movement rows then go into a bare copy of ``sl_movements`` (its DDL compiled from the
   store's own table: the same columns, primary key and indexes) in a database of its own,
   with raw psycopg: ``executemany`` (pipelined by psycopg) and ``COPY FROM STDIN``, one commit
   per 1000 rows. The ratios our/raw are the store's overhead over the physical floor.
2. **Single postings under concurrency.** 1, 4 and 16 writer threads, each with its own
   ``Inventory`` on one shared store (a connection pool as large as the writers), each
   looping receive → move → ship (one call = one commit) for a fixed time. HOT: every writer
   withdraws from the same item at the same two bins; COLD: every writer has its own item,
   dock and bins. Each scenario runs on a fresh database. Latencies are per call.

This is a measurement, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pendulum
import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import stockline as sl
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
    Warehouse,
    _master_data,
    _RawIds,
    _RawRow,
    draft,
    source_digest,
)
from stockline.adapters.sqlalchemy import SqlAlchemyStockStore
from stockline.adapters.sqlalchemy._schema import movements

URL_ENV = "STOCKLINE_BENCH_POSTGRES_URL"
WRITERS = (1, 4, 16)
CONTENTION = ("hot", "cold")
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


# -- 1. batched posting against raw psycopg ------------------------------------------------


def movement_ddl() -> list[str]:
    """``CREATE`` statements for a bare ``sl_movements``, compiled from the store's table."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    statements = [str(sa.schema.CreateTable(movements).compile(dialect=dialect)).strip()]
    for index in sorted(movements.indexes, key=lambda i: str(i.name)):
        statements.append(str(sa.schema.CreateIndex(index).compile(dialect=dialect)).strip())
    return statements


def run_batched(server: Server, *, size: int, batch: int, single: int, seed: int) -> dict[str, Any]:
    """Post ``size`` movements with ``post_many``, then the same rows with raw psycopg."""
    progress = Progress(f"batched N={size:,}")
    warehouse = Warehouse(seed)
    ops = warehouse.take(size)
    drafts = [draft(op) for op in ops]
    lots = [(op.sku, op.lot, op.expiry) for op in ops if op.new_lot]
    progress(f"simulated {len(ops):,} operations, {len(lots):,} lots")

    url = server.fresh_database("batched")
    clock = sl.FixedClock(pendulum.instance(START - dt.timedelta(hours=1)))
    inv = sl.Inventory(store=SqlAlchemyStockStore.open(url), clock=clock)
    started = time.perf_counter()
    _master_data(inv, warehouse, lots)
    setup = time.perf_counter() - started
    progress(f"schema and master data in {setup:.1f}s")
    ours = Stopwatch()
    step = max(batch, size // 5 // batch * batch)
    for start in range(0, len(drafts), batch):
        chunk = drafts[start : start + batch]
        clock.set(ops[start + len(chunk) - 1].at)
        with ours.timing():
            inv.post_many(chunk)
        done = start + len(chunk)
        if done % step == 0 or done == len(drafts):
            progress(f"post_many {done:,}/{len(drafts):,} ({ours.rate(done):,.0f} mv/s)")
    inv.close()
    server.drop(url)

    ids = _RawIds()
    rows = [ids.row(number, op) for number, op in enumerate(ops, start=1)]
    ddl = movement_ddl()
    raw = {
        "executemany": _raw_insert(server, ddl, rows, batch, copy=False),
        "copy": _raw_insert(server, ddl, rows, batch, copy=True),
        "single": _raw_single(server, ddl, rows[:single]),
    }
    progress(
        f"raw executemany {raw['executemany']['per_second']:,.0f} rows/s, "
        f"COPY {raw['copy']['per_second']:,.0f} rows/s"
    )
    per_second = ours.rate(len(drafts))
    return {
        "movements": len(drafts),
        "batch": batch,
        "seed": seed,
        "setup_seconds": setup,
        "ours": {
            "seconds": ours.seconds,
            "cpu_seconds": ours.cpu_seconds,
            "per_second": per_second,
        },
        "raw": raw,
        "raw_ddl": ddl,
        "ratio": {
            "executemany": per_second / raw["executemany"]["per_second"],
            "copy": per_second / raw["copy"]["per_second"],
        },
    }


def _raw_insert(
    server: Server, ddl: Sequence[str], rows: Sequence[_RawRow], batch: int, *, copy: bool
) -> dict[str, Any]:
    """Insert ``rows`` into a bare ``sl_movements`` in a fresh database, one commit a batch."""
    url = server.fresh_database("raw_copy" if copy else "raw_many")
    columns = ", ".join(MOVEMENT_COLUMNS)
    insert = f"INSERT INTO sl_movements ({columns}) VALUES ({', '.join(['%s'] * len(rows[0]))})"
    watch = Stopwatch()
    with psycopg.connect(server.conninfo_of(url)) as conn:
        for statement in ddl:
            conn.execute(statement.encode())
        conn.commit()
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            with watch.timing():
                with conn.cursor() as cur:
                    if copy:
                        with cur.copy(f"COPY sl_movements ({columns}) FROM STDIN".encode()) as cp:
                            for row in chunk:
                                cp.write_row(row)
                    else:
                        cur.executemany(insert.encode(), chunk)
                conn.commit()
        count = conn.execute("SELECT count(*) FROM sl_movements").fetchone()
    server.drop(url)
    if count is None or count[0] != len(rows):
        raise RuntimeError(f"raw insert wrote {count} rows, not {len(rows)}")
    return {
        "method": "COPY FROM STDIN" if copy else "executemany",
        "rows": len(rows),
        "seconds": watch.seconds,
        "cpu_seconds": watch.cpu_seconds,
        "per_second": watch.rate(len(rows)),
    }


def _raw_single(server: Server, ddl: Sequence[str], rows: Sequence[_RawRow]) -> dict[str, Any]:
    """One ``INSERT`` + ``COMMIT`` per row: the floor under one posting's latency."""
    url = server.fresh_database("raw_single")
    columns = ", ".join(MOVEMENT_COLUMNS)
    insert = f"INSERT INTO sl_movements ({columns}) VALUES ({', '.join(['%s'] * len(rows[0]))})"
    times: list[float] = []
    with psycopg.connect(server.conninfo_of(url)) as conn:
        for statement in ddl:
            conn.execute(statement.encode())
        conn.commit()
        for row in rows:
            began = time.perf_counter()
            conn.execute(insert.encode(), row)
            conn.commit()
            times.append(time.perf_counter() - began)
    server.drop(url)
    return {
        "method": "INSERT + COMMIT",
        "rows": len(rows),
        "seconds": sum(times),
        "per_second": len(times) / sum(times),
        "p50_ms": percentile(times, 50) * 1e3,
        "p99_ms": percentile(times, 99) * 1e3,
        "max_ms": max(times) * 1e3,
    }


# -- 2. single postings under concurrency --------------------------------------------------


@attrs.frozen(kw_only=True)
class Lane:
    """Where one writer posts: receive into ``dock``, move ``bins[0]`` → ``bins[1]``, ship from
    ``bins[1]`` (the bins are seeded, so withdrawals never run short)."""

    sku: str
    dock: str
    bins: tuple[str, str]


def _lanes(contention: str, writers: int) -> list[Lane]:
    if contention == "hot":
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


def run_concurrent(
    server: Server, *, writers: int, contention: str, seconds: float, warmup: int
) -> dict[str, Any]:
    """``writers`` threads posting one call (one commit) at a time for ``seconds``."""
    progress = Progress(f"{contention} x{writers}")
    url = server.fresh_database(f"{contention}_{writers}")
    store = SqlAlchemyStockStore.open(url, pool_size=writers, max_overflow=2)
    setup_inv = sl.Inventory(store=store)
    lanes = _lanes(contention, writers)
    setup_inv.add_party("S1", kind="supplier")
    setup_inv.add_party("C1", kind="customer")
    for lane in dict.fromkeys(lanes):
        setup_inv.add_item(lane.sku)
        for path in (lane.dock, *lane.bins):
            setup_inv.add_location(path)
        for path in lane.bins:
            setup_inv.receive(lane.sku, SEED_STOCK, dst=path, supplier="S1")

    barrier = threading.Barrier(writers + 1)
    deadline = [0.0]
    latencies: list[list[float]] = [[] for _ in range(writers)]
    errors: list[str] = []

    def writer(number: int) -> None:
        inv = sl.Inventory(store=store)
        lane, times = lanes[number], latencies[number]
        try:
            for step in range(warmup):  # connections, caches
                _post(inv, lane, step, number)
        except Exception as e:  # reported, not raised, from a thread
            errors.append(f"warm-up: {type(e).__name__}: {e}")
        barrier.wait()
        step = warmup
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                _post(inv, lane, step, number)
            except Exception as e:
                errors.append(f"{type(e).__name__}: {e}")
                continue
            finally:
                step += 1
            times.append(time.perf_counter() - began)

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(writers)]
    for thread in threads:
        thread.start()
    deadline[0] = float("inf")
    cpu = time.process_time()
    # Every writer has warmed up when the barrier opens; the deadline is set just before.
    while barrier.n_waiting < writers and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu
    all_times = [t for times in latencies for t in times]
    posted = len(all_times)
    integrity = setup_inv.verify()
    store.close()
    server.drop(url)
    result: dict[str, Any] = {
        "writers": writers,
        "contention": contention,
        "seconds": wall,
        "cpu_seconds": cpu,
        "postings": posted,
        "per_second": posted / wall if wall > 0 else 0.0,
        "p50_ms": percentile(all_times, 50) * 1e3 if all_times else None,
        "p99_ms": percentile(all_times, 99) * 1e3 if all_times else None,
        "max_ms": max(all_times) * 1e3 if all_times else None,
        "per_writer": [len(times) for times in latencies],
        "errors": len(errors),
        "error_samples": errors[:5],
        "verified": not integrity.problems,
        "transactions": integrity.transactions,
    }
    progress(
        f"{posted:,} postings in {wall:.1f}s ({result['per_second']:,.0f}/s), "
        f"p50 {_ms(result['p50_ms'])} ms, p99 {_ms(result['p99_ms'])} ms, {len(errors)} errors"
    )
    return result


# -- the report ----------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def report(batched: dict[str, Any], concurrent: Sequence[dict[str, Any]], pg: str) -> None:
    """Print the batched table and the concurrency table."""
    raw = batched["raw"]
    print_table(
        f"Batched posting on PostgreSQL ({pg}), movements/s",
        ["N", "post_many", "raw executemany", "÷ executemany", "raw COPY", "÷ COPY"],
        [
            [
                f"{batched['movements']:,}",
                _rate(batched["ours"]["per_second"]),
                _rate(raw["executemany"]["per_second"]),
                f"{batched['ratio']['executemany']:.3f}",
                _rate(raw["copy"]["per_second"]),
                f"{batched['ratio']['copy']:.3f}",
            ]
        ],
        caption=(
            f"post_many: Inventory.post_many, {batched['batch']} transactions (one movement "
            "each) a call, one commit a call, onto an empty ledger. raw: the same movement rows "
            "with psycopg into a bare sl_movements (same columns, PK and indexes, DDL compiled "
            f"from the store's table) in a database of its own, one commit per {batched['batch']}"
            " rows: executemany (psycopg pipelines it) and COPY FROM STDIN (cursor.copy, "
            "write_row). ÷: our rate over raw's."
        ),
    )
    one = raw["single"]
    rows = [
        [
            "raw",
            "1",
            f"{one['rows']:,}",
            f"{one['seconds']:.1f}",
            _rate(one["per_second"]),
            _ms(one["p50_ms"]),
            _ms(one["p99_ms"]),
            _ms(one["max_ms"]),
            "0",
            "—",
        ]
    ]
    for r in concurrent:
        rows.append(
            [
                r["contention"],
                str(r["writers"]),
                f"{r['postings']:,}",
                f"{r['seconds']:.1f}",
                _rate(r["per_second"]),
                _ms(r["p50_ms"]),
                _ms(r["p99_ms"]),
                _ms(r["max_ms"]),
                str(r["errors"]),
                "ok" if r["verified"] else "FAILED",
            ]
        )
    print_table(
        f"Single postings on PostgreSQL ({pg}): one receive/move/ship call = one commit",
        [
            "positions",
            "writers",
            "postings",
            "s",
            "postings/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "errors",
            "verify",
        ],
        rows,
        caption=(
            "Writers are threads in one process (one GIL), each with its own Inventory on one "
            "shared store (pool = writers), looping receive → move → ship of 1 unit for a fixed "
            "time after a warm-up, on a fresh database per row. hot: all writers take from the "
            "same item at the same two bins; cold: each writer its own item, dock and bins. "
            "Every posting takes the sl_head row lock first, so postings are serialized in the "
            "database either way. verify: Inventory.verify() afterwards (hash chain, projection = "
            "replay of the ledger). raw: one movement row INSERT + COMMIT at a time with psycopg "
            "into the bare sl_movements, the floor under a posting's latency."
        ),
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
        "--seconds", type=float, default=15.0, help="timed seconds per concurrency scenario"
    )
    parser.add_argument(
        "--raw-single", type=int, default=500, help="rows of the raw INSERT + COMMIT reference"
    )
    parser.add_argument("--warmup", type=int, default=6, help="untimed postings per writer")
    parser.add_argument("--quick", action="store_true", help="N = 4000 and 3 s per scenario (CI)")
    parser.add_argument(
        "--no-durability",
        action="store_true",
        help="start the server with fsync=off, synchronous_commit=off (as the tests do)",
    )
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--json", type=Path, help="where to write the results")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.seconds = min(args.size, 4000), min(args.seconds, 3.0)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Start (or reach) the server, run both parts, print the tables and write the JSON."""
    args = _arguments(argv)
    writers = [int(w) for w in args.writers.split(",")]
    started = time.perf_counter()
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load > cpus / 2:
        print(
            f"note: load average {load:.1f} on {cpus} CPUs: other work is running, timings will "
            "be noisy",
            file=sys.stderr,
        )
    server = _server(durable=not args.no_durability)
    try:
        settings = server.settings()
        Progress("server")(
            f"PostgreSQL {settings['server_version']} "
            f"({'started here' if server.started_here else 'from ' + URL_ENV}), "
            f"fsync={settings['fsync']}, synchronous_commit={settings['synchronous_commit']}"
        )
        batched = run_batched(
            server, size=args.size, batch=args.batch, single=args.raw_single, seed=args.seed
        )
        concurrent = [
            run_concurrent(
                server, writers=n, contention=c, seconds=args.seconds, warmup=args.warmup
            )
            for c in CONTENTION
            for n in writers
        ]
    finally:
        server.stop()
    elapsed = time.perf_counter() - started
    pg = (
        f"{settings['server_version'].split()[0]}, fsync={settings['fsync']}, "
        f"synchronous_commit={settings['synchronous_commit']}"
    )
    report(batched, concurrent, pg)
    path = args.json or RESULTS / ("postgres-quick.json" if args.quick else "postgres.json")
    write_json(
        path,
        {
            "benchmark": "postgres",
            "command": " ".join([Path(sys.executable).name, "-m", "bench.postgres", *sys.argv[1:]]),
            "environment": environment(),
            "server": {"started_here": server.started_here, **settings},
            "source": source_digest(),
            "settings": {
                "size": args.size,
                "batch": args.batch,
                "writers": writers,
                "seconds_per_scenario": args.seconds,
                "warmup_per_writer": args.warmup,
                "raw_single": args.raw_single,
                "seed": args.seed,
                "quick": args.quick,
            },
            "seconds": elapsed,
            "batched": batched,
            "concurrent": concurrent,
        },
    )
    print(f"\nratios: post_many ÷ executemany {batched['ratio']['executemany']:.3f}, ", end="")
    print(f"÷ COPY {batched['ratio']['copy']:.3f}")
    print(f"done in {elapsed:.0f}s; results written to {path}")


if __name__ == "__main__":
    main()
