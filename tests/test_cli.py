"""The stockline command line, through its real entry point."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stockline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = run("demo", "--db", "demo.db", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout
    return folder / "demo.db"


class TestDemo:
    def test_demo_shows_stock_by_location_and_lot(self, demo_db: Path) -> None:
        """The demo leaves the expected stock: held lot, shipped units gone, pumps by serial."""
        result = run("stock", "--db", str(demo_db), "--json", cwd=demo_db.parent)
        rows = {
            (r["location"], r["item"], r["lot"], r["serial"], r["status"]): r["quantity"]
            for r in json.loads(result.stdout)
        }
        assert rows == {
            ("DC1/A/01-01", "ASP-100", "L24A", "", "available"): "90",
            ("DC1/A/01-02", "ASP-100", "L24B", "", "hold"): "80",
            ("DC1/B/02-01", "GLOVE-M", "", "", "available"): "400",
            ("DC1/B/02-01", "PUMP-X", "", "PX-0001", "available"): "1",
            ("DC1/B/02-01", "PUMP-X", "", "PX-0003", "available"): "1",
        }

    def test_demo_can_be_run_again(self, demo_db: Path) -> None:
        """Running the demo twice replaces the file rather than failing on duplicates."""
        result = run("demo", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == 0, result.stderr
        assert "17 transactions" in result.stdout

    def test_history_of_a_serial(self, demo_db: Path) -> None:
        """history lists a serial's path, including the reversal of the mis-keyed shipment."""
        result = run(
            "history", "--db", str(demo_db), "--serial", "PX-0002", "--json", cwd=demo_db.parent
        )
        kinds = [tx["kind"] for tx in json.loads(result.stdout)]
        assert kinds == ["receipt", "transfer", "pick", "shipment", "reversal", "shipment"]

    def test_stock_table_is_readable(self, demo_db: Path) -> None:
        """The default output is a table with statuses shown, not swallowed as markup."""
        result = run("stock", "--db", str(demo_db), "--status", "hold", cwd=demo_db.parent)
        assert "L24B" in result.stdout
        assert "hold" in result.stdout
        assert "L24A" not in result.stdout


class TestVerify:
    def test_verify_ok(self, demo_db: Path) -> None:
        """verify exits 0 on an untouched ledger."""
        result = run("verify", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == 0
        assert "OK" in result.stdout

    def test_verify_names_tampering(self, tmp_path: Path) -> None:
        """verify exits 3 and names the altered transaction after a direct edit."""
        assert run("demo", "--db", "d.db", cwd=tmp_path).returncode == 0
        conn = sqlite3.connect(tmp_path / "d.db")
        with conn:
            conn.execute("UPDATE sl_transactions SET reason = 'nothing to see' WHERE id = 9")
        conn.close()
        result = run("verify", "--db", "d.db", cwd=tmp_path)
        assert result.returncode == 3
        assert "transaction 9" in result.stdout


class TestBadInput:
    def test_missing_database(self, tmp_path: Path) -> None:
        """A missing file is an error with a hint, exit 1, not a new empty ledger."""
        result = run("stock", "--db", "nope.db", cwd=tmp_path)
        assert result.returncode == 1
        assert "stockline demo" in result.stderr
        assert not (tmp_path / "nope.db").exists()

    def test_unknown_item(self, demo_db: Path) -> None:
        """An unknown SKU is reported clearly, exit 1."""
        result = run("stock", "--db", str(demo_db), "--sku", "NOPE", cwd=demo_db.parent)
        assert result.returncode == 1
        assert "NOPE" in result.stderr

    def test_usage_error(self, tmp_path: Path) -> None:
        """An unknown command is a usage error, exit 2."""
        assert run("frobnicate", cwd=tmp_path).returncode == 2
