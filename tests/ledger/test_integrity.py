"""verify(), check() and rebuild(): finding what was changed behind stockline's back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
import pytest

import stockline as sl
from stockline import errors
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
