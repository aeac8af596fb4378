"""The SQLAlchemy store: schema by migrations, SQLite set-up, persistence, concurrent writers."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import given
from hypothesis import strategies as st

import stockline as sl
from stockline import errors
from stockline.adapters import SqlAlchemyStockStore
from stockline.adapters.sqlalchemy import _codec as codec
from stockline.adapters.sqlalchemy import _store
from stockline.adapters.sqlalchemy._schema import METADATA
from stockline.adapters.sqlalchemy._template import SqliteTemplate
from stockline.adapters.sqlalchemy._trace import _documents
from stockline.ledger import Reference

_MIGRATIONS = "adapters/sqlalchemy/migrations"


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(Path(sl.__file__).parent / _MIGRATIONS))
    return ScriptDirectory.from_config(config)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'stock.db'}"


class TestSchema:
    def test_migrations_create_exactly_the_schema(self, url: str) -> None:
        """The shipped migrations and the tables the code queries do not drift apart."""
        store = SqlAlchemyStockStore.open(url)
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": "sl_alembic_version"})
            assert compare_metadata(context, METADATA) == []
            assert set(context.get_current_heads()) == set(_script().get_heads())
        store.close()

    def test_new_sqlite_database_equals_what_the_migrations_make(self, tmp_path: Path) -> None:
        """An empty SQLite database gets the schema and rows the migrations made once in this
        process (cheaper than running Alembic each time): exactly what running them makes."""
        fast = SqlAlchemyStockStore.open(f"sqlite:///{tmp_path / 'fast.db'}")
        slow = SqlAlchemyStockStore.open(f"sqlite:///{tmp_path / 'slow.db'}", migrate=False)
        with slow.engine.begin() as conn:
            _store._upgrade(conn)
        with fast.engine.connect() as a, slow.engine.connect() as b:
            made, migrated = SqliteTemplate.of(a), SqliteTemplate.of(b)
        assert made == migrated
        assert len(made.schema) > 20
        assert {table for table, _, _ in made.rows} >= {"sl_alembic_version", "sl_statuses"}
        fast.close()
        slow.close()

    def test_a_database_with_other_tables_is_migrated(self, url: str) -> None:
        """A host's database that has tables of its own is migrated by Alembic around them."""
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
        engine.dispose()
        store = SqlAlchemyStockStore.open(url)
        names = set(sa.inspect(store.engine).get_table_names())
        assert {"invoices", "sl_transactions", "sl_alembic_version"} <= names
        store.close()

    def test_opening_twice_does_not_migrate_twice(self, url: str) -> None:
        """Opening an up-to-date database leaves it as it is."""
        SqlAlchemyStockStore.open(url).close()
        store = SqlAlchemyStockStore.open(url)
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM sl_statuses")).scalar() == 5
        store.close()

    def test_only_prefixed_tables(self, url: str) -> None:
        """Every table stockline creates starts with sl_, so it can share a host database."""
        store = SqlAlchemyStockStore.open(url)
        names = sa.inspect(store.engine).get_table_names()
        assert names
        assert all(name.startswith("sl_") for name in names)
        store.close()


class TestSqlite:
    def test_wal_and_foreign_keys(self, url: str) -> None:
        """A SQLite file is opened in WAL mode with foreign keys enforced."""
        store = SqlAlchemyStockStore.open(url)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        store.close()

    def test_synchronous_setting(self, url: str) -> None:
        """synchronous=NORMAL can be chosen; nonsense is refused."""
        store = SqlAlchemyStockStore.open(url, sqlite_synchronous="NORMAL")
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
        store.close()
        with pytest.raises(errors.StoreError):
            SqlAlchemyStockStore.open(url, sqlite_synchronous="SOMETIMES")

    def test_data_survives_reopening(self, url: str, clock: sl.FixedClock) -> None:
        """What was committed is there after closing and opening again."""
        with sl.Inventory.open(url, clock=clock) as inv:
            inv.add_item("ASP", tracking="lot")
            inv.add_location("DC1/DOCK")
            tx = inv.receive("ASP", 12, lot="L1", dst="DC1/DOCK", supplier="ACME", key="asn-1")
        with sl.Inventory.open(url, clock=clock) as inv:
            assert inv.on_hand("ASP", lot="L1") == 12
            assert inv.transaction(tx.id) == tx
            assert (
                inv.receive("ASP", 12, lot="L1", dst="DC1/DOCK", supplier="ACME", key="asn-1") == tx
            )
            assert inv.verify().ok

    def test_second_process_sees_master_data_changes(self, url: str, clock: sl.FixedClock) -> None:
        """A store's caches notice master data changed through another store on the same file."""
        a = sl.Inventory.open(url, clock=clock)
        b = sl.Inventory.open(url, clock=clock)
        a.add_item("BOLT")
        assert b.master.item("BOLT").description == ""
        a.master.update_item("BOLT", description="M8")
        assert b.master.item("BOLT").description == "M8"
        a.close()
        b.close()

    def test_driver_errors_become_store_errors(self, tmp_path: Path) -> None:
        """A database that cannot be opened raises StoreError with the driver error as cause."""
        with pytest.raises(errors.StoreError) as caught:
            SqlAlchemyStockStore.open(f"sqlite:///{tmp_path}/missing-dir/x.db")
        assert caught.value.__cause__ is not None

    def test_errors_of_statements_sent_to_the_driver_become_store_errors(
        self, url: str, clock: sl.FixedClock
    ) -> None:
        """The hot statements skip SQLAlchemy when nobody listens; a refusal by the database
        (here a transaction id taken behind stockline's back) is still a StoreError, and
        nothing is posted."""
        inv = sl.Inventory.open(url, clock=clock)
        inv.add_item("BOLT")
        inv.add_location("DC1/A/01")
        inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sl_transactions (id, kind, effective_at, recorded_at, prev_hash, "
                "hash) VALUES (2, 'receipt', 0, 0, x'00', x'00')"
            )
        engine.dispose()
        with pytest.raises(errors.StoreError) as caught:
            inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
        assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
        assert inv.on_hand("BOLT") == 5
        inv.close()

    def test_statement_listeners_see_every_statement(self, url: str) -> None:
        """With a before_cursor_execute listener (logging, tracing), postings go through
        SQLAlchemy, so the listener sees the inserts too."""
        inv = sl.Inventory.open(url)
        inv.add_item("BOLT")
        inv.add_location("DC1/A/01")
        seen: list[str] = []
        sa.event.listen(
            inv.store.engine,  # type: ignore[attr-defined]
            "before_cursor_execute",
            lambda _c, _cur, statement, *_a: seen.append(statement),
        )
        inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
        assert any(s.startswith("INSERT INTO sl_movements") for s in seen)
        assert any(s.startswith("INSERT INTO sl_transactions") for s in seen)
        inv.close()


class TestConcurrentWriters:
    @pytest.mark.parametrize("memory", [False, True], ids=["file", "memory"])
    def test_no_oversell(self, url: str, memory: bool, clock: sl.FixedClock) -> None:
        """Threads shipping from the same position never take more than is there."""
        inv = sl.Inventory.open("sqlite://" if memory else url, clock=clock)
        inv.add_item("BOLT")
        inv.add_location("DC1/A/01")
        inv.receive("BOLT", 100, dst="DC1/A/01", supplier="ACME")
        shipped: list[Decimal] = []
        refused: list[Exception] = []

        def worker(n: int) -> None:
            for _ in range(15):
                try:
                    tx = inv.ship("BOLT", 3, src="DC1/A/01", customer=f"C{n}")
                    shipped.append(tx.movements[0].quantity)
                except errors.InsufficientStockError as e:
                    refused.append(e)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(shipped) == 99
        assert len(refused) == 60 - 33
        assert inv.on_hand("BOLT") == 1
        report = inv.verify()
        assert report.ok, report.problems
        inv.close()


class TestShipmentDocuments:
    """The recall summary reads each customer's documents from aggregated ``refs`` texts, and
    transactions read back their own; the common one-reference text is split by hand,
    everything else parsed as JSON."""

    @given(
        st.lists(
            st.lists(
                st.tuples(st.sampled_from(["SO", "BOL", 'Q"T', "ÄÖ"]), st.text(max_size=12)),
                min_size=1,
                max_size=3,
            ),
            min_size=1,
            max_size=3,
        )
    )
    def test_same_as_json(self, groups: list[list[tuple[str, str]]]) -> None:
        texts = [
            codec.refs_text(tuple(Reference(type=k, number=n) for k, n in refs)) for refs in groups
        ]
        parsed = [json.loads(text) for text in texts if text]
        expected = tuple(sorted({f"{k}:{n}" for group in parsed for k, n in group}))
        assert _documents(",".join(t for t in texts if t)) == expected
        for refs, text in zip(groups, texts, strict=True):
            assert codec.refs_from_text(text) == tuple(Reference(type=k, number=n) for k, n in refs)


class TestDriverShortcuts:
    """On SQLite the store sends its hot statements straight to the driver unless someone
    listens to statements; either way the answers must be the same."""

    @staticmethod
    def _scenario(inv: sl.Inventory) -> dict[str, object]:
        inv.add_item("JAM", tracking="lot", shelf_life_days=200)
        for n in range(70):
            inv.add_location(f"DC/A/{n:02d}")
        inv.add_location("DC/T", kind="transit")
        inv.add_location("DC/B/1")
        inv.add_location("DC/B/2")
        inv.receive("JAM", 10, dst="DC/A/00", lot="L1", expiry=dt.date(2027, 3, 1), supplier="S")
        inv.receive(
            "JAM", 5, dst="DC/A/01", lot="L2", produced_on=dt.date(2026, 1, 2), supplier="S"
        )
        inv.move("JAM", 3, src="DC/A/00", dst="DC/T", lot="L1")
        inv.hold("JAM", 2, location="DC/A/01", lot="L2", reason="check")
        inv.ship("JAM", 4, src="DC/A/00", customer="C1", lot="L1", ref="SO-1")
        inv.move("JAM", 1, src="DC/A/00", dst="DC/B/2", lot="L1")
        found: dict[str, object] = {
            "lots": [inv.master.lot("JAM", code) for code in ("L1", "L2")],
            "changes": [(c.entity, c.key, c.fields) for c in inv.master.changes()],
        }
        for name, kwargs in {
            "lot@bin": {"lot": "L1", "location": "DC/A/00"},
            "subtree": {"location": "DC"},
            "big subtree held": {"location": "DC/A", "status": "hold"},
            "two bins": {"location": "DC/B"},
            "item": {},
        }.items():
            found[name] = inv.on_hand("JAM", **kwargs)  # type: ignore[arg-type]
        recall = inv.recall(("JAM", "L1"), reason="test")
        found["customers"] = recall.customers
        found["positions"] = recall.trace.positions
        found["transactions"] = inv.history("JAM")
        return found

    def test_with_and_without_a_listener(self, tmp_path: Path) -> None:
        answers = []
        for listening in (False, True):
            store = SqlAlchemyStockStore.open(f"sqlite:///{tmp_path / f'{listening}.db'}")
            seen: list[str] = []
            if listening:
                sa.event.listen(
                    store.engine, "before_cursor_execute", lambda *a, seen=seen: seen.append(a[2])
                )
            clock = sl.FixedClock(pendulum.datetime(2026, 5, 4, 8, tz="UTC"))
            inv = sl.Inventory(store=store, clock=clock)
            answers.append(self._scenario(inv))
            assert inv.verify().ok
            inv.close()
            assert bool(seen) is listening
        assert answers[0] == answers[1]
        assert answers[0]["lot@bin"] == Decimal(2)
        assert answers[0]["two bins"] == Decimal(1)
        assert answers[0]["big subtree held"] == Decimal(2)
        lots = answers[0]["lots"]
        assert isinstance(lots, list)
        assert lots[0].expiry == dt.date(2027, 3, 1)
        assert lots[1].expiry == dt.date(2026, 7, 21)
