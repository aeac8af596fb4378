"""The SQL store in production: PostgreSQL, many writers, crashes, migrations, host transactions.

The tests run on a real server (see tests/_postgres.py) and, where the rule is not specific to
PostgreSQL, on a SQLite file too. Nothing is mocked: conflicts are produced by real concurrent
writers, or injected by a trigger that raises the SQLSTATE a database would.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import stockline as sl
from stockline import errors
from stockline.adapters import SqlAlchemyStockStore
from stockline.adapters.sqlalchemy import _store
from stockline.adapters.sqlalchemy._schema import METADATA
from tests import _postgres

pytestmark = _postgres.requires_postgres

WRITER = Path(__file__).with_name("_writer.py")


def _config(conn: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_store._MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def _revisions() -> list[str]:
    """Every shipped revision, oldest first."""
    script = ScriptDirectory.from_config(_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'stock.db'}"


@pytest.fixture
def any_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """A fresh, migrated database of the kind in the test's ``kind`` parameter."""
    if request.node.callspec.params["kind"] == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    SqlAlchemyStockStore.open(sqlite_url).close()
    return sqlite_url


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema) of the kind in the test's ``kind`` parameter."""
    if request.node.callspec.params["kind"] == "sqlite-file":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: _postgres.PostgresServer = request.getfixturevalue("postgres_server")
    name = f"sl_empty_{os.getpid()}_{random.randrange(10**9)}"
    server.execute(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _seed(url: str, clock: sl.Clock | None = None, *, stock: int = 0) -> sl.Inventory:
    inv = sl.Inventory.open(url, clock=clock)
    inv.add_item("BOLT", description="M8 bolt")
    inv.add_party("ACME", kind="supplier")
    for path in ("DC1/A/01", "DC1/A/02", "DC1/B/01"):
        inv.add_location(path)
    if stock:
        for shelf in ("DC1/A/01", "DC1/A/02"):
            inv.receive("BOLT", stock + 1, dst=shelf, supplier="ACME")
            inv.ship("BOLT", 1, src=shelf, customer="C1")
    return inv


class TestOpen:
    def test_psycopg3_url_and_bare_postgresql_url(self, postgres_url: str) -> None:
        """postgresql+psycopg:// opens with psycopg 3, and so does a bare postgresql:// URL."""
        bare = sa.make_url(postgres_url).set(drivername="postgresql")
        for url in (postgres_url, bare.render_as_string(hide_password=False)):
            store = SqlAlchemyStockStore.open(url)
            assert store.engine.dialect.driver == "psycopg"
            store.close()

    def test_read_committed_writers_snapshot_readers(self, postgres_url: str) -> None:
        """Writers run in READ COMMITTED (they lock sl_head first); a read view is a snapshot."""
        store = SqlAlchemyStockStore.open(postgres_url)
        with store.engine.connect() as conn:
            assert conn.get_isolation_level() == "READ COMMITTED"
        with store.read() as r:
            level = "SELECT current_setting('transaction_isolation')"
            assert r._conn.exec_driver_sql(level).scalar() == "repeatable read"
        store.close()

    def test_migrations_create_exactly_the_schema(self, postgres_url: str) -> None:
        """On PostgreSQL too, the migrations build exactly the tables the code queries."""
        store = SqlAlchemyStockStore.open(postgres_url)
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": "sl_alembic_version"})
            assert compare_metadata(context, METADATA) == []
        store.close()

    def test_data_survives_reopening(self, postgres_url: str, clock: sl.FixedClock) -> None:
        """What was committed is there after closing and opening again, chain intact."""
        with sl.Inventory.open(postgres_url, clock=clock) as inv:
            inv.add_item("ASP", tracking="lot")
            inv.add_location("DC1/DOCK")
            tx = inv.receive("ASP", 12, lot="L1", dst="DC1/DOCK", supplier="ACME", key="asn-1")
        with sl.Inventory.open(postgres_url, clock=clock) as inv:
            assert inv.on_hand("ASP", lot="L1") == 12
            assert inv.transaction(tx.id) == tx
            assert inv.verify().ok

    def test_concurrent_first_opens_migrate_once(
        self, postgres_server: _postgres.PostgresServer
    ) -> None:
        """Several processes opening the same empty database at once take turns migrating."""
        name = f"sl_race_{os.getpid()}"
        postgres_server.execute(f"CREATE DATABASE {name}")
        url = postgres_server.url(name)
        code = "import sys, stockline as sl; sl.Inventory.open(sys.argv[1]).close()"
        procs = [subprocess.Popen([sys.executable, "-c", code, url]) for _ in range(4)]
        assert [p.wait(timeout=120) for p in procs] == [0] * 4
        with sl.Inventory.open(url) as inv:
            assert inv.verify().ok
            with inv.store.read() as r:
                assert len(r.statuses()) == 5
        postgres_server.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _copy_rows(source: str, target: str) -> None:
    """Copy every row of the tables (and columns) the target's schema has from the source,
    as if they had been posted when the target's schema was current."""
    src, dst = sa.create_engine(source), sa.create_engine(target)
    schema = sa.MetaData()
    schema.reflect(dst)
    tables = [t for t in schema.sorted_tables if t.name != "sl_alembic_version"]
    with src.connect() as read, dst.begin() as write:
        for table in reversed(tables):
            write.execute(table.delete())  # the rows the migrations seeded come again
        for table in tables:
            columns = ", ".join(table.c.keys())
            rows = read.exec_driver_sql(f"SELECT {columns} FROM {table.name}").mappings().all()
            if rows:
                write.execute(table.insert(), [_as_then(table, row) for row in rows])
            if dst.dialect.name == "postgresql":
                for column in table.primary_key.columns:
                    if not isinstance(column.type, sa.Integer):
                        continue
                    write.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"(SELECT COALESCE(MAX({column.name}), 0) + 1 FROM {table.name}), false) "
                        f"WHERE pg_get_serial_sequence('{table.name}', '{column.name}') IS NOT NULL"
                    )
    src.dispose()
    dst.dispose()


def _as_then(table: sa.Table, row: Any) -> dict[str, Any]:
    """A row as a revision that stored digests as hex text held it (0006 made them bytes)."""
    return {
        name: value.hex()
        if isinstance(value, bytes) and isinstance(table.c[name].type, sa.String)
        else value
        for name, value in row.items()
    }


@pytest.mark.parametrize("kind", ["sqlite-file", "postgres"])
class TestUpgradePath:
    @pytest.mark.parametrize("revision", _revisions())
    def test_data_from_any_revision_survives_upgrading(
        self, kind: str, revision: str, any_url: str, empty_url: str, clock: sl.FixedClock
    ) -> None:
        """A database at any shipped revision, holding a ledger, upgrades to the newest schema
        with every transaction, balance and hash intact, and takes new postings.

        The ledger is posted by today's code on a current database and its rows copied into
        one created at ``revision`` (the columns that revision has), so the test covers every
        revision, however far the code has moved on since."""
        with sl.Inventory.open(any_url, clock=clock) as inv:
            inv.add_item("BOLT")
            inv.add_item("ASP", tracking="lot", shelf_life_days=365)
            inv.add_location("DC1/A/01")
            received = inv.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME", key="po-1")
            inv.receive("ASP", 5, lot="L1", dst="DC1/A/01", supplier="ACME")
            clock.advance(minutes=5)
            inv.ship("BOLT", 4, src="DC1/A/01", customer="C1")
            inv.hold("ASP", 2, lot="L1", location="DC1/A/01", reason="QA")
            before = (inv.changes(limit=100), inv.stock(internal_only=False), inv.master.items())
        engine = sa.create_engine(empty_url)
        with engine.begin() as conn:
            command.upgrade(_config(conn), revision)
        engine.dispose()
        _copy_rows(any_url, empty_url)

        with sl.Inventory.open(empty_url, clock=clock) as upgraded:
            assert (
                upgraded.changes(limit=100),
                upgraded.stock(internal_only=False),
                upgraded.master.items(),
            ) == before
            assert upgraded.verify().ok
            again = upgraded.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME", key="po-1")
            assert again == received
            clock.advance(minutes=5)
            upgraded.add_item("NUT")
            upgraded.ship("BOLT", 6, src="DC1/A/01", customer="C1")
            assert upgraded.on_hand("BOLT") == 0
            assert upgraded.verify().ok


class TestAppendOnly:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE sl_transactions SET reason = 'rewritten'",
            "DELETE FROM sl_transactions WHERE id = 2",
            "UPDATE sl_movements SET qty = qty * 2",
            "DELETE FROM sl_movements",
            "TRUNCATE sl_movements",
            "TRUNCATE sl_transactions CASCADE",
        ],
    )
    def test_postgres_refuses_changing_the_ledger(self, postgres_url: str, statement: str) -> None:
        """On PostgreSQL the database itself refuses to update, delete or truncate posted
        transactions and movements, whoever asks."""
        inv = _seed(postgres_url, stock=5)
        engine = sa.create_engine(postgres_url)
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
        engine.dispose()
        assert inv.verify().ok
        inv.close()

    def test_projection_stays_writable(self, postgres_url: str) -> None:
        """The balance projection is not the ledger: it can still be rebuilt."""
        inv = _seed(postgres_url, stock=5)
        inv.rebuild()
        assert inv.check().ok
        inv.close()

    def test_no_op_on_sqlite(self, sqlite_url: str) -> None:
        """On SQLite the migration adds nothing (the library alone keeps the ledger)."""
        store = SqlAlchemyStockStore.open(sqlite_url)
        with store.engine.connect() as conn:
            triggers = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
            assert triggers.all() == []
        store.close()


def _ledger_shipped(inv: sl.Inventory) -> dict[str, Decimal]:
    shipped = {"DC1/A/01": Decimal(0), "DC1/A/02": Decimal(0)}
    for tx in inv.changes(limit=100_000):
        if tx.key is not None:
            for m in tx.movements:
                shipped[m.src.location] += m.quantity
    return shipped


class TestConcurrentWriters:
    """Writers race for the same two positions, each withdrawal taking from both, in orders
    that would deadlock under per-row locking: no oversell, no lost update, no deadlock."""

    STOCK = 150  # per shelf: 50 withdrawals of 3 from A/01 fit, 75 of 2 from A/02

    def _check(self, inv: sl.Inventory, posted: list[str], refused: int, tries: int) -> None:
        assert len(posted) + refused == tries
        assert len(posted) == self.STOCK // 3, "every withdrawal that fits, and no more"
        assert {tx.key for tx in inv.changes(limit=100_000) if tx.key} == set(posted)
        assert _ledger_shipped(inv) == {
            "DC1/A/01": Decimal(3 * len(posted)),
            "DC1/A/02": Decimal(2 * len(posted)),
        }
        assert inv.on_hand("BOLT", location="DC1/A/01") == self.STOCK - 3 * len(posted)
        assert inv.on_hand("BOLT", location="DC1/A/02") == self.STOCK - 2 * len(posted)
        report = inv.verify()
        assert report.ok, report.problems

    @pytest.mark.parametrize("isolation", ["READ COMMITTED", "SERIALIZABLE"])
    def test_threads(self, postgres_url: str, isolation: str) -> None:
        """Eight threads on one store. Under SERIALIZABLE a writer that waited for the head
        lock gets a serialization failure, and is retried transparently."""
        _seed(postgres_url, stock=self.STOCK).close()
        inv = sl.Inventory.open(postgres_url, isolation_level=isolation, max_attempts=100)
        posted: list[str] = []
        refused: list[int] = []

        def worker(n: int) -> None:
            shelves = ("DC1/A/01", "DC1/A/02") if n % 2 else ("DC1/A/02", "DC1/A/01")
            for i in range(10):
                key = f"t{n}-{i}"
                draft = sl.NewTransaction(
                    kind=sl.TxKind.SHIPMENT,
                    counterparty="C1",
                    key=key,
                    movements=tuple(
                        sl.Movement(
                            item="BOLT",
                            quantity=Decimal(3 if shelf == "DC1/A/01" else 2),
                            src=sl.Position(location=shelf),
                            dst=sl.Position(location="customers/C1"),
                        )
                        for shelf in shelves
                    ),
                )
                try:
                    inv.post(draft)
                    posted.append(key)
                except errors.InsufficientStockError:
                    refused.append(n)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self._check(inv, posted, len(refused), 80)
        inv.close()

    @pytest.mark.parametrize("kind", ["sqlite-file", "postgres"])
    def test_processes(self, kind: str, any_url: str) -> None:
        """Six processes, each with its own store, post 15 withdrawals each."""
        _seed(any_url, stock=self.STOCK).close()
        procs = [
            subprocess.Popen(
                [sys.executable, str(WRITER), "ship", any_url, str(n), "15"],
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(6)
        ]
        outputs = [p.communicate(timeout=300)[0] for p in procs]
        assert [p.returncode for p in procs] == [0] * 6
        results = [json.loads(out) for out in outputs]
        posted = [key for r in results for key in r["posted"]]
        with sl.Inventory.open(any_url) as inv:
            self._check(inv, posted, sum(r["refused"] for r in results), 90)


_INJECT = """
CREATE SEQUENCE sl_test_conflicts;
CREATE FUNCTION sl_test_conflict() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('sl_test_conflicts') <= {times} THEN
        RAISE EXCEPTION 'injected conflict' USING ERRCODE = '{sqlstate}';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER sl_test_conflict AFTER INSERT ON {table}
    {deferred} FOR EACH ROW EXECUTE FUNCTION sl_test_conflict();
"""


def _inject(url: str, *, times: int, sqlstate: str, table: str, at_commit: bool) -> None:
    """Make the next ``times`` inserts into ``table`` fail with ``sqlstate``, at commit or at
    once (a sequence counts them: it is not rolled back with the failed transaction)."""
    deferred = "DEFERRABLE INITIALLY DEFERRED" if at_commit else "NOT DEFERRABLE"
    sql = _INJECT.format(times=times, sqlstate=sqlstate, table=table, deferred=deferred)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def _conflicts(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = int(conn.exec_driver_sql("SELECT last_value FROM sl_test_conflicts").scalar_one())
    engine.dispose()
    return count


class TestRetry:
    @pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
    def test_conflict_at_commit_is_retried(
        self, postgres_url: str, sqlstate: str, clock: sl.FixedClock
    ) -> None:
        """A serialization failure or deadlock reported at commit is retried on a fresh
        transaction; the caller sees one clean posting."""
        inv = _seed(postgres_url, clock, stock=10)
        _inject(postgres_url, times=2, sqlstate=sqlstate, table="sl_transactions", at_commit=True)
        tx = inv.ship("BOLT", 4, src="DC1/A/01", customer="C1", key="so-1")
        assert _conflicts(postgres_url) == 3
        assert inv.transaction(tx.id) == tx
        assert inv.on_hand("BOLT", location="DC1/A/01") == 6
        assert inv.verify().ok
        inv.close()

    def test_conflict_mid_block_is_retried(self, postgres_url: str, clock: sl.FixedClock) -> None:
        """A conflict reported by a statement inside the block is retried too: the block's
        earlier calls are replayed on the new transaction and the caller carries on."""
        inv = _seed(postgres_url, clock)
        _inject(postgres_url, times=1, sqlstate="40001", table="sl_master_changes", at_commit=False)
        inv.add_item("NUT", description="M8 nut")
        assert _conflicts(postgres_url) == 2
        assert inv.master.item("NUT").description == "M8 nut"
        assert [c.key for c in inv.master.changes()].count("NUT") == 1
        inv.close()

    def test_gives_up_after_max_attempts(self, postgres_url: str, clock: sl.FixedClock) -> None:
        """After max_attempts conflicts in a row, ConcurrencyError says how many, and nothing
        was written."""
        _seed(postgres_url, clock, stock=10).close()
        inv = sl.Inventory.open(postgres_url, clock=clock, max_attempts=3)
        _inject(postgres_url, times=99, sqlstate="40001", table="sl_transactions", at_commit=True)
        head = inv.changes(limit=1000)
        with pytest.raises(errors.ConcurrencyError) as caught:
            inv.ship("BOLT", 4, src="DC1/A/01", customer="C1")
        assert caught.value.attempts == 3
        assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
        assert _conflicts(postgres_url) == 3
        assert inv.changes(limit=1000) == head
        assert inv.on_hand("BOLT", location="DC1/A/01") == 10
        inv.close()

    def test_changed_reads_are_not_replayed(self, postgres_url: str, clock: sl.FixedClock) -> None:
        """If another writer commits between the conflict and the retry, what the block read no
        longer holds: ConcurrencyError, never a write computed from stale reads."""
        inv = _seed(postgres_url, clock, stock=10)
        other = sl.Inventory.open(postgres_url, clock=clock)
        _inject(postgres_url, times=99, sqlstate="40001", table="sl_master_changes", at_commit=True)
        shipper = threading.Thread(
            target=other.ship, args=("BOLT", 1), kwargs={"src": "DC1/A/02", "customer": "C1"}
        )
        with (  # noqa: PT012 - the block is the thing under test
            pytest.raises(errors.ConcurrencyError, match="altered what the block read"),
            inv.store.write() as w,
        ):
            w.head()
            w.save(inv.master.item("BOLT"), actor="test", at=clock.now())
            shipper.start()  # waits for the head lock, and takes it when the commit fails
            time.sleep(0.2)
        shipper.join()
        assert inv.on_hand("BOLT", location="DC1/A/02") == 9
        assert inv.verify().ok
        inv.close()
        other.close()

    def test_default_attempts(self) -> None:
        """A store retries ten times by default; max_attempts below one is refused."""
        store = SqlAlchemyStockStore.open("sqlite://")
        assert store.max_attempts == 10
        store.close()
        with pytest.raises(errors.StoreError):
            SqlAlchemyStockStore.open("sqlite://", max_attempts=0)


@pytest.mark.parametrize("kind", ["sqlite-file", "postgres"])
class TestHostTransaction:
    """An ERP posts its invoice row and its stock movement in one transaction of its own."""

    def _invoices(self, engine: sa.Engine) -> sa.Table:
        table = sa.Table(
            "erp_invoices",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("customer", sa.String),
        )
        table.create(engine, checkfirst=True)
        return table

    def test_host_commits_both(self, kind: str, any_url: str, clock: sl.FixedClock) -> None:
        """Host commits: the invoice row and the shipment are both there."""
        _seed(any_url, clock, stock=10).close()
        engine = sa.create_engine(any_url)
        invoices = self._invoices(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(invoices).values(id=1, customer="C1"))
            inv = sl.Inventory(store=SqlAlchemyStockStore.on_connection(conn), clock=clock)
            tx = inv.ship("BOLT", 4, src="DC1/A/01", customer="C1", ref="INV-1")
            assert inv.on_hand("BOLT", location="DC1/A/01") == 6
            inv.close()  # leaves the host's connection alone
        with sl.Inventory.open(any_url, clock=clock) as after:
            assert after.transaction(tx.id) == tx
            assert after.on_hand("BOLT", location="DC1/A/01") == 6
            assert after.verify().ok
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(invoices)).scalar() == 1
        engine.dispose()

    def test_host_rolls_back_both(self, kind: str, any_url: str, clock: sl.FixedClock) -> None:
        """Host rolls back: no invoice, no stock moved, no ledger row, no new master data."""
        _seed(any_url, clock, stock=10).close()
        engine = sa.create_engine(any_url)
        invoices = self._invoices(engine)
        with engine.connect() as conn:
            with conn.begin() as host:
                conn.execute(sa.insert(invoices).values(id=1, customer="C9"))
                inv = sl.Inventory(store=SqlAlchemyStockStore.on_connection(conn), clock=clock)
                inv.add_item("NUT")
                inv.ship("BOLT", 4, src="DC1/A/01", customer="C9")
                host.rollback()
            assert conn.execute(sa.select(sa.func.count()).select_from(invoices)).scalar() == 0
            # The same store, after the rollback, sees the database as it is.
            inv.add_item("WASHER")
            assert [i.sku for i in inv.master.items()] == ["BOLT", "WASHER"]
            conn.rollback()
        with sl.Inventory.open(any_url, clock=clock) as after:
            assert [i.sku for i in after.master.items()] == ["BOLT"]
            assert after.on_hand("BOLT", location="DC1/A/01") == 10
            assert [p.code for p in after.master.parties()] == ["ACME", "C1"]
            assert len(after.changes(limit=100)) == 4
            assert after.verify().ok
        engine.dispose()

    def test_refused_posting_leaves_host_transaction_usable(
        self, kind: str, any_url: str, clock: sl.FixedClock
    ) -> None:
        """A posting stockline refuses is undone to a savepoint; the host's own work stands."""
        _seed(any_url, clock, stock=10).close()
        engine = sa.create_engine(any_url)
        invoices = self._invoices(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(invoices).values(id=1, customer="C9"))
            inv = sl.Inventory(store=SqlAlchemyStockStore.on_connection(conn), clock=clock)
            with pytest.raises(errors.InsufficientStockError):
                inv.ship("BOLT", 40, src="DC1/A/01", customer="C9")
            inv.ship("BOLT", 1, src="DC1/A/01", customer="C1")
        with sl.Inventory.open(any_url, clock=clock) as after:
            assert after.on_hand("BOLT", location="DC1/A/01") == 9
            assert after.verify().ok
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(invoices)).scalar() == 1
        engine.dispose()


class TestCrash:
    BATCH = 1500

    @pytest.mark.parametrize("kind", ["sqlite-file", "postgres"])
    def test_sigkill_mid_batch(self, kind: str, any_url: str) -> None:
        """A writer killed with SIGKILL while it sends a large batch leaves the ledger as it was
        before the batch or after it, never in between: whole transactions (all three lines),
        whole batches, the hash chain and projection == replay intact; writing resumes."""
        _seed(any_url).close()
        rng = random.Random(7)
        kills = 0
        for _ in range(3):
            proc = subprocess.Popen(
                [sys.executable, str(WRITER), "batch", any_url, str(self.BATCH)],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None
            seen_commit = False
            for line in proc.stdout:
                if line.startswith("committed"):
                    seen_commit = True
                elif line.startswith("writing") and seen_commit:
                    time.sleep(rng.uniform(0, 0.02))
                    os.kill(proc.pid, signal.SIGKILL)
                    kills += 1
                    break
            proc.wait(timeout=60)
            proc.stdout.close()
            assert proc.returncode == -signal.SIGKILL

            with sl.Inventory.open(any_url) as inv:
                report = inv.verify()
                assert report.ok, report.problems
                txs = inv.changes(limit=1_000_000)
                assert all(len(tx.movements) == 3 for tx in txs), "whole transactions"
                assert len(txs) % self.BATCH == 0, "whole batches"
                for shelf in ("DC1/A/01", "DC1/A/02", "DC1/B/01"):
                    assert inv.on_hand("BOLT", location=shelf) == len(txs)
        assert kills == 3
