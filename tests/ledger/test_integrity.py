"""verify(), check() and rebuild(): finding what was changed behind stockline's back."""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

import stockline as sl
from stockline import errors
from stockline.adapters.sqlalchemy import SqlAlchemyStockStore
from stockline.ledger import ChainReader, chain_hash, verify_chain
from stockline.testing._histories import mixed_history
from stockline.testing._setup import DEFAULT_SETUP, START
from tests.conftest import StoreFactory


def _posted(inv: sl.Inventory, clock: sl.FixedClock) -> None:
    inv.add_item("ASP", tracking="lot")
    inv.add_location("DC1/DOCK")
    inv.add_location("DC1/A/01")
    for n in range(5):
        inv.receive("ASP", 10 + n, lot=f"L{n}", dst="DC1/DOCK", supplier="ACME")
        clock.advance(minutes=1)
    inv.move("ASP", 5, lot="L1", src="DC1/DOCK", dst="DC1/A/01")


@pytest.fixture
def db(tmp_path: Path, clock: sl.FixedClock) -> Path:
    path = tmp_path / "stock.db"
    with sl.Inventory.open(f"sqlite:///{path}", clock=clock) as inv:
        _posted(inv, clock)
        assert inv.verify().ok
    return path


def _tamper(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql)
    conn.close()


def _verify(path: Path) -> sl.IntegrityReport:
    with sl.Inventory.open(f"sqlite:///{path}") as inv:
        return inv.verify()


class TestVerify:
    def test_clean_ledger_verifies(self, any_store: StoreFactory, clock: sl.FixedClock) -> None:
        """A ledger written only by stockline verifies, on every store."""
        inv = sl.Inventory(store=any_store(), clock=clock)
        _posted(inv, clock)
        report = inv.verify()
        assert report.ok
        assert report.transactions == 6
        assert report.head_hash == inv.changes()[-1].hash
        report.raise_for_problems()

    def test_altered_quantity_is_named(self, db: Path) -> None:
        """Editing a movement's quantity in the file is found, naming that transaction."""
        _tamper(db, "UPDATE sl_movements SET qty = qty * 2 WHERE tx_id = 3")
        report = _verify(db)
        assert not report.ok
        assert report.first_bad_transaction == 3
        assert report.problems[0].kind == "altered"
        with pytest.raises(errors.IntegrityError) as caught:
            report.raise_for_problems()
        assert caught.value.transaction_id == 3

    def test_altered_header_is_named(self, db: Path) -> None:
        """Editing a transaction's actor or time is found too."""
        _tamper(db, "UPDATE sl_transactions SET actor = 'mallory' WHERE id = 4")
        assert _verify(db).first_bad_transaction == 4
        _tamper(db, "UPDATE sl_transactions SET actor = NULL WHERE id = 4")
        _tamper(db, "UPDATE sl_transactions SET effective_at = effective_at + 1 WHERE id = 2")
        assert _verify(db).first_bad_transaction == 2

    def test_removed_transaction_is_named(self, db: Path) -> None:
        """Deleting a transaction leaves a gap and a broken link, both reported."""
        _tamper(db, "DELETE FROM sl_movements WHERE tx_id = 2")
        _tamper(db, "DELETE FROM sl_transactions WHERE id = 2")
        report = _verify(db)
        assert [p.kind for p in report.problems][:2] == ["missing", "unlinked"]
        assert report.first_bad_transaction == 2

    def test_rehashed_forgery_breaks_the_link(self, db: Path) -> None:
        """Recomputing one row's hash after editing it still breaks the next row's link."""
        with sl.Inventory.open(f"sqlite:///{db}") as inv:
            tx = inv.transaction(2)
        altered = attrs.evolve(tx, actor="mallory")
        rehashed = sl.ledger.chain_hash(altered)
        # The store keeps the digest's 32 bytes; X'..' is SQL for those bytes.
        _tamper(db, f"UPDATE sl_transactions SET actor='mallory', hash=X'{rehashed}' WHERE id = 2")
        report = _verify(db)
        assert [(p.kind, p.transaction_id) for p in report.problems] == [("unlinked", 3)]

    def test_projection_tampering_found_and_rebuilt(self, db: Path) -> None:
        """A balance edited in the projection is found by check() and mended by rebuild()."""
        _tamper(db, "UPDATE sl_balances SET qty = qty + 1000000")
        with sl.Inventory.open(f"sqlite:///{db}") as inv:
            report = inv.check()
            assert not report.ok
            assert all(p.kind == "projection" for p in report.problems)
            before = inv.on_hand("ASP")
            inv.rebuild()
            assert inv.check().ok
            assert inv.verify().ok
            # Six internal positions were each raised by one unit.
            assert inv.on_hand("ASP") == before - 6

    def test_projection_drift_of_every_kind(
        self, any_store: StoreFactory, clock: sl.FixedClock
    ) -> None:
        """A balance changed, one deleted and one added behind the store's back are each
        reported with the stored and the replayed quantity, on each SQL store."""
        store = any_store()
        if not isinstance(store, SqlAlchemyStockStore):
            pytest.skip("the in-memory store has no rows to change behind its back")
        inv = sl.Inventory(store=store, clock=clock)
        _posted(inv, clock)
        lot = "SELECT id FROM sl_lots WHERE code = '{}'"
        dock, shelf = (
            f"(SELECT id FROM sl_locations WHERE path = '{path}')"
            for path in ("DC1/DOCK", "DC1/A/01")
        )
        with store.engine.begin() as conn:
            for sql in (
                f"UPDATE sl_balances SET qty = qty + 1000000 WHERE lot_id = ({lot.format('L1')}) "
                f"AND location_id = {shelf}",
                f"DELETE FROM sl_balances WHERE lot_id = ({lot.format('L0')}) "
                f"AND location_id = {dock}",
                "INSERT INTO sl_balances SELECT item_id, lot_id, 'X', location_id, status_id, "
                f"container_id, 7000000, last_at FROM sl_balances WHERE location_id = {shelf}",
            ):
                conn.execute(sa.text(sql))
        with store.read() as r:
            found = r.projection_drift(limit=10)
        assert found == [
            (("ASP", "L0", None, "DC1/DOCK", "available", None), Decimal(0), Decimal(10)),
            (("ASP", "L1", None, "DC1/A/01", "available", None), Decimal(6), Decimal(5)),
            (("ASP", "L1", "X", "DC1/A/01", "available", None), Decimal(7), Decimal(0)),
        ]
        assert len(inv.verify().problems) == 3
        inv.rebuild()
        assert inv.verify().ok

    def test_progress_is_reported(self, db: Path) -> None:
        """verify() reports progress in transactions checked, for progress bars."""
        seen: list[int] = []
        with sl.Inventory.open(f"sqlite:///{db}") as inv:
            inv.verify(progress=seen.append)
        assert sum(seen) == 6


class TestRebuild:
    def test_rebuild_equals_projection(self, any_store: StoreFactory, clock: sl.FixedClock) -> None:
        """Rebuilding a correct projection changes nothing, on every store."""
        inv = sl.Inventory(store=any_store(), clock=clock)
        _posted(inv, clock)
        before = inv.stock(internal_only=False)
        inv.rebuild()
        assert inv.stock(internal_only=False) == before
        assert inv.check().ok
        inv.move("ASP", 5, lot="L1", src="DC1/A/01", dst="DC1/DOCK")
        assert inv.on_hand("ASP", location="DC1/A/01") == 0


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Every kind of posting (movements, genealogy edges, container events) in a SQLite file,
    with the ids of the transactions by name; copied before each tampering."""
    path = tmp_path_factory.mktemp("mixed") / "stock.db"
    with sl.Inventory.open(f"sqlite:///{path}", clock=sl.FixedClock(START)) as inv:
        DEFAULT_SETUP.apply(inv)
        done = mixed_history(inv, inv.clock)  # type: ignore[arg-type]
    return path, {name: tx.id for name, tx in done.items()}


def _chain(path: Path, batch: int) -> list[sl.ledger.Problem]:
    with sl.Inventory.open(f"sqlite:///{path}") as inv, inv.store.read() as r:
        return verify_chain(r, batch=batch)[2]


#: A change to the rows of one transaction ``{k}``, by what it touches.
_TAMPERING = {
    "header": ("produce", "UPDATE sl_transactions SET reason = 'x' WHERE id = {k}"),
    "movement": ("produce", "UPDATE sl_movements SET qty = qty + 1 WHERE tx_id = {k}"),
    "edge": ("produce", "UPDATE sl_edges SET qty = qty + 1 WHERE tx_id = {k}"),
    "container event": (
        "to_dc2",
        "UPDATE sl_container_events SET location_id = 0 WHERE tx_id = {k}",
    ),
    # Its movement given to the next transaction, across the page boundary when k ends a page.
    "moved movement": (
        "hold",
        "UPDATE sl_movements SET tx_id = {k} + 1, line = line + 100 WHERE tx_id = {k}",
    ),
}


class TestPages:
    """verify() reads the ledger a page of transactions at a time (each table of a page in
    one statement): the same verdict wherever a row falls in its page."""

    def test_the_store_hashes_its_rows_as_chain_hash_does_its_records(
        self, any_store: StoreFactory
    ) -> None:
        """A SQL store's chain pages (hashed from the stored rows as text) give, for every
        kind of posting, what ``chain_hash`` gives for the records it reads back."""
        store = any_store()
        if not isinstance(store, SqlAlchemyStockStore):
            pytest.skip("the in-memory store checks its chain from its records")
        inv = sl.Inventory(store=store, clock=sl.FixedClock(START))
        DEFAULT_SETUP.apply(inv)
        mixed_history(inv, inv.clock)  # type: ignore[arg-type]
        with inv.store.read() as r:
            assert isinstance(r, ChainReader)
            txs = r.transactions()
            for batch in (1, 3, len(txs)):
                links: list[tuple[int, str, str, str]] = []
                while chunk := r.chain_links(after=len(links), limit=batch):
                    links += chunk
                assert links == [(tx.id, tx.prev_hash, tx.hash, chain_hash(tx)) for tx in txs]
            assert all(computed == stored for _, _, stored, computed in links)

    def test_pages_read_the_ledger_whole(self, mixed_db: tuple[Path, dict[str, int]]) -> None:
        """Any page size reads back every transaction as one read of the whole ledger does,
        and the chain verifies."""
        path, _ = mixed_db
        with sl.Inventory.open(f"sqlite:///{path}") as inv, inv.store.read() as r:
            whole = r.transactions()
            for batch in (1, 2, 3, 7, len(whole), len(whole) + 1):
                paged: list[sl.Transaction] = []
                while chunk := r.transactions(after=len(paged), limit=batch):
                    paged += chunk
                assert paged == whole
                assert verify_chain(r, batch=batch)[2] == []

    @pytest.mark.parametrize("what", sorted(_TAMPERING))
    def test_tampering_at_a_page_edge_is_named(
        self, mixed_db: tuple[Path, dict[str, int]], tmp_path: Path, what: str
    ) -> None:
        """A row changed in the first or the last transaction of a page names that
        transaction, as verify() with its own page size does."""
        template, ids = mixed_db
        name, sql = _TAMPERING[what]
        k = ids[name]
        path = tmp_path / "stock.db"
        shutil.copy(template, path)
        _tamper(path, sql.format(k=k))
        report = _verify(path)
        assert report.first_bad_transaction == k
        assert report.problems[0].kind == "altered"
        # Pages ending just before k (k first in its page) and with k (k last in its page).
        for batch in (k - 1, k):
            problems = _chain(path, batch)
            assert [(p.kind, p.transaction_id) for p in problems][:1] == [("altered", k)]
            assert problems == [p for p in report.problems if p.kind != "projection"]

    def test_tampering_is_named_on_every_sql_store(
        self, any_store: StoreFactory, clock: sl.FixedClock
    ) -> None:
        """Each SQL store (SQLite, PostgreSQL) names a movement changed behind its back in the
        first or the last transaction of a page: the page's movements are read through each
        driver."""
        store = any_store()
        if not isinstance(store, SqlAlchemyStockStore):
            pytest.skip("the in-memory store has no rows to change behind its back")
        inv = sl.Inventory(store=store, clock=clock)
        _posted(inv, clock)
        with store.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # PostgreSQL refuses the change but from a superuser who turns triggers off.
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text("UPDATE sl_movements SET qty = qty * 2 WHERE tx_id = 4"))
        assert inv.verify().first_bad_transaction == 4
        for batch in (3, 4):
            with store.read() as r:
                problems = verify_chain(r, batch=batch)[2]
            assert [(p.kind, p.transaction_id) for p in problems] == [("altered", 4)]

    @pytest.mark.parametrize("where", ["first", "last"])
    def test_missing_transaction_at_a_page_edge(
        self, mixed_db: tuple[Path, dict[str, int]], tmp_path: Path, where: str
    ) -> None:
        """A transaction deleted at a page's edge leaves a gap in the ids read by the page
        after it, found as missing and unlinked."""
        template, ids = mixed_db
        k = ids["produce"]
        path = tmp_path / "stock.db"
        shutil.copy(template, path)
        _tamper(path, f"DELETE FROM sl_movements WHERE tx_id = {k}")
        _tamper(path, f"DELETE FROM sl_edges WHERE tx_id = {k}")
        _tamper(path, f"DELETE FROM sl_transactions WHERE id = {k}")
        problems = _chain(path, k - 1 if where == "first" else k)
        assert [(p.kind, p.transaction_id) for p in problems] == [
            ("missing", k),
            ("unlinked", k + 1),
        ]
