"""`stockline init`, `demo`, `stock`, `history` and `verify`, through the real entry point."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console, RenderableType

import stockline as sl
from stockline.cli._app import DEFAULT_LIMIT, Output, build_parser, when
from stockline.cli._ledger import _history_table
from tests import _postgres
from tests.cli.conftest import run


class TestInit:
    def test_creates_an_empty_ledger(self, tmp_path: Path) -> None:
        """init makes a ledger the read commands accept, with no stock in it."""
        result = run("init", "--db", "new.db", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Created an empty ledger in new.db." in result.stdout
        stock = run("stock", "--db", "new.db", "--json", cwd=tmp_path)
        assert (stock.returncode, json.loads(stock.stdout)) == (0, [])

    def test_again_is_harmless(self, demo_copy: Path) -> None:
        """init on an existing ledger changes nothing and says what is there."""
        result = run("init", "--db", str(demo_copy), "--json", cwd=demo_copy.parent)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["created"] is False
        assert json.loads(result.stdout)["transactions"] == 17

    def test_needs_a_database(self, tmp_path: Path) -> None:
        """init has no default database: without --db it is a usage error."""
        result = run("init", cwd=tmp_path)
        assert result.returncode == 2
        assert "--db" in result.stderr
        assert list(tmp_path.iterdir()) == []

    def test_not_a_database(self, tmp_path: Path) -> None:
        """A file that is not SQLite is refused with exit status 1, and left as it was."""
        (tmp_path / "notes.txt").write_text("shopping list\n" * 100)
        result = run("init", "--db", "notes.txt", cwd=tmp_path)
        assert result.returncode == 1
        assert "notes.txt" in result.stderr
        assert (tmp_path / "notes.txt").read_text() == "shopping list\n" * 100


class TestDemo:
    def test_stock_after_the_demo(self, demo_db: Path) -> None:
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

    def test_console_script_with_default_database(self, tmp_path: Path) -> None:
        """The README's command: the `stockline` script builds stockline-demo.db and verifies."""
        result = run("demo", cwd=tmp_path, script=True)
        assert result.returncode == 0, result.stderr
        assert "Posted the demo day: 17 transactions into stockline-demo.db." in result.stdout
        assert "verified" in result.stdout
        assert (tmp_path / "stockline-demo.db").is_file()

    def test_replaces_an_earlier_demo(self, demo_copy: Path) -> None:
        """Running the demo again replaces an earlier demo, even one posted into since."""
        run("recall", "ASP-100", "--lot", "L24A", "--reason", "x", "--contain",
            "--db", str(demo_copy), cwd=demo_copy.parent)  # fmt: skip
        result = run("demo", "--db", str(demo_copy), "--json", cwd=demo_copy.parent)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["transactions"], data["verified"]) == (17, True)

    def test_refuses_to_replace_another_ledger(self, plant_db: Path, tmp_path: Path) -> None:
        """A ledger that is not a demo is not deleted: exit status 1, pointing at --force."""
        before = plant_db.read_bytes()
        result = run("demo", "--db", str(plant_db), cwd=tmp_path)
        assert result.returncode == 1
        assert "is not a stockline demo ledger; refusing to replace it" in result.stderr
        assert "--force" in result.stderr
        assert plant_db.read_bytes() == before

    def test_refuses_to_replace_a_foreign_file(self, tmp_path: Path) -> None:
        """A file that is no ledger at all is not deleted either; --force replaces it."""
        (tmp_path / "x.db").write_text("precious")
        assert run("demo", "--db", "x.db", cwd=tmp_path).returncode == 1
        assert (tmp_path / "x.db").read_text() == "precious"
        assert run("demo", "--db", "x.db", "--force", cwd=tmp_path).returncode == 0

    def test_sqlite_url(self, tmp_path: Path) -> None:
        """--db takes a SQLAlchemy URL as well as a path."""
        url = f"sqlite:///{tmp_path / 'u.db'}"
        assert run("demo", "--db", url, cwd=tmp_path).returncode == 0
        result = run("stock", "--db", url, "--sku", "GLOVE-M", "--json", cwd=tmp_path)
        assert [r["quantity"] for r in json.loads(result.stdout)] == ["400"]

    @_postgres.requires_postgres
    def test_postgres(self, postgres_url: str, tmp_path: Path) -> None:
        """The demo builds into an empty PostgreSQL ledger, and refuses a second time."""
        assert run("demo", "--db", postgres_url, cwd=tmp_path).returncode == 0
        assert run("verify", "--db", postgres_url, cwd=tmp_path).returncode == 0
        again = run("demo", "--db", postgres_url, cwd=tmp_path)
        assert again.returncode == 1
        assert "already holds a ledger" in again.stderr


class TestStock:
    def test_filters(self, demo_db: Path) -> None:
        """Filters combine: status, item, lot, location subtree, serial."""

        def rows(*filters: str) -> list[tuple[str, str]]:
            result = run("stock", "--db", str(demo_db), "--json", *filters, cwd=demo_db.parent)
            assert result.returncode == 0, result.stderr
            return [(r["lot"] or r["serial"], r["quantity"]) for r in json.loads(result.stdout)]

        assert rows("--status", "hold") == [("L24B", "80")]
        assert rows("--sku", "ASP-100", "--location", "DC1/A") == [("L24A", "90"), ("L24B", "80")]
        assert rows("--sku", "PUMP-X", "--serial", "PX-0003") == [("PX-0003", "1")]
        assert rows("--location", "DC1/B", "--sku", "GLOVE-M") == [("", "400")]

    def test_as_of(self, demo_db: Path) -> None:
        """--as-of shows the stock at a past time: before put-away everything was at the dock."""
        result = run("stock", "--db", str(demo_db), "--json", "--as-of", "2026-03-02T07:30+01:00",
                     cwd=demo_db.parent)  # fmt: skip
        assert {r["location"] for r in json.loads(result.stdout)} == {"DC1/DOCK"}

    def test_table(self, demo_db: Path) -> None:
        """The default output is a table with statuses shown, not swallowed as markup."""
        result = run("stock", "--db", str(demo_db), "--status", "hold", cwd=demo_db.parent)
        assert result.stdout.splitlines()[0].rstrip() == "Stock on hand"
        assert "L24B" in result.stdout
        assert "hold" in result.stdout
        assert "L24A" not in result.stdout

    def test_nothing_matches(self, demo_db: Path) -> None:
        """No match is not an error: an empty list, or a sentence instead of an empty table."""
        args = ("stock", "--db", str(demo_db), "--status", "damaged")
        assert json.loads(run(*args, "--json", cwd=demo_db.parent).stdout) == []
        assert run(*args, cwd=demo_db.parent).stdout == "Stock on hand: nothing matches.\n"

    def test_unknown_item(self, demo_db: Path) -> None:
        """An unknown SKU is refused with exit status 1 and named."""
        result = run("stock", "--db", str(demo_db), "--sku", "NOPE", cwd=demo_db.parent)
        assert result.returncode == 1
        assert result.stderr.startswith("error: ")
        assert "NOPE" in result.stderr

    def test_unknown_location(self, demo_db: Path) -> None:
        """An unknown location is refused with exit status 1 and named."""
        result = run("stock", "--db", str(demo_db), "--location", "DC9", cwd=demo_db.parent)
        assert result.returncode == 1
        assert "DC9" in result.stderr


class TestHistory:
    def test_serial(self, demo_db: Path) -> None:
        """history lists a serial's path, including the reversal of the mis-keyed shipment."""
        result = run("history", "--db", str(demo_db), "--serial", "PX-0002", "--json",
                     cwd=demo_db.parent)  # fmt: skip
        txs = json.loads(result.stdout)
        assert [tx["kind"] for tx in txs] == [
            "receipt", "transfer", "pick", "shipment", "reversal", "shipment"
        ]  # fmt: skip
        assert txs[4]["reverses"] == txs[3]["id"]
        assert txs[-1]["counterparty"] == "CLINIC-3"

    def test_window_and_limit(self, demo_db: Path) -> None:
        """--since/--until bound the effective time; --limit caps the count."""
        result = run("history", "--db", str(demo_db), "--json", "--since", "2026-03-02T08:00Z",
                     "--until", "2026-03-02T11:00Z", cwd=demo_db.parent)  # fmt: skip
        kinds = [tx["kind"] for tx in json.loads(result.stdout)]
        assert kinds == ["status_change", "pick", "pick", "pick"]
        limited = run("history", "--db", str(demo_db), "--json", "--limit", "2",
                      cwd=demo_db.parent)  # fmt: skip
        assert [tx["id"] for tx in json.loads(limited.stdout)] == [1, 2]

    def test_bad_limit(self, demo_db: Path) -> None:
        """A limit that is not a whole number of 0 or more is a usage error."""
        for bad in ("-1", "x", "1.5"):
            result = run("history", "--db", str(demo_db), "--limit", bad, cwd=demo_db.parent)
            assert result.returncode == 2
            assert "not a whole number of 0 or more" in result.stderr

    def test_output_is_bounded_by_default(self, demo_db: Path) -> None:
        """Without --limit at most 50 transactions are shown; what is left out is counted on
        stderr, and --all or --limit 0 lift the bound."""
        two = run("history", "--db", str(demo_db), "--json", "--limit", "2", cwd=demo_db.parent)
        assert len(json.loads(two.stdout)) == 2
        every = run("history", "--db", str(demo_db), "--json", "--all", cwd=demo_db.parent)
        total = len(json.loads(every.stdout))
        assert f"{total - 2} more transactions not shown (--limit 2)" in two.stderr
        assert "--all shows every one" in two.stderr
        assert every.stderr == ""
        zero = run("history", "--db", str(demo_db), "--json", "--limit", "0", cwd=demo_db.parent)
        assert zero.stdout == every.stdout
        default = build_parser().parse_args(["history"])
        assert default.limit == DEFAULT_LIMIT == 50

    def test_readable_at_80_columns(self, demo_db: Path) -> None:
        """At 80 columns no serial, kind, time or document is cut: the rows are stacked."""
        with sl.Inventory.open(f"sqlite:///{demo_db}") as inv:
            txs = inv.history(serial="PX-0002")
        text = _at_80(_history_table(txs))
        assert "…" not in text
        for tx in txs:
            assert str(tx.kind) in text
            assert when(tx.effective_at) in text
            for m in tx.movements:
                assert (m.serial or m.lot or m.item) in text
            for r in tx.refs:
                assert r.number in text
        assert max(len(line) for line in text.splitlines()) <= 80


class TestVerify:
    def test_ok(self, demo_db: Path) -> None:
        """verify exits 0 on an untouched ledger and names the head hash."""
        result = run("verify", "--db", str(demo_db), "--json", cwd=demo_db.parent)
        assert result.returncode == 0
        data = json.loads(result.stdout)
        assert (data["ok"], data["transactions"], data["problems"]) == (True, 17, [])
        assert len(data["head_hash"]) == 64

    def test_names_tampering(self, demo_copy: Path) -> None:
        """verify exits 3 and names the altered transaction after a direct edit."""
        with sqlite3.connect(demo_copy) as conn:
            conn.execute("UPDATE sl_transactions SET reason = 'nothing to see' WHERE id = 9")
        conn.close()
        result = run("verify", "--db", str(demo_copy), cwd=demo_copy.parent)
        assert result.returncode == 3
        assert result.stdout.startswith("FAILED: ")
        assert "transaction 9" in result.stdout


class TestRebuild:
    def test_rebuild_restores_tampered_balances(self, demo_copy: Path) -> None:
        """rebuild replaces a projection edited behind stockline's back with a replay of the
        ledger, and verify then passes."""
        with sqlite3.connect(demo_copy) as conn:
            conn.execute("UPDATE sl_balances SET qty = qty + 1000000")
        conn.close()
        assert run("verify", "--db", str(demo_copy), cwd=demo_copy.parent).returncode == 3
        result = run("rebuild", "--db", str(demo_copy), "--json", cwd=demo_copy.parent)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"rebuilt": True, "transactions": 17, "ok": True}
        assert run("verify", "--db", str(demo_copy), cwd=demo_copy.parent).returncode == 0

    def test_checkpoint_only(self, demo_copy: Path) -> None:
        """--checkpoint-only takes one checkpoint after the last transaction."""
        result = run("rebuild", "--db", str(demo_copy), "--checkpoint-only", cwd=demo_copy.parent)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "Took an as-of checkpoint after transaction 17."


class TestMissingDatabase:
    @pytest.mark.parametrize(
        "command",
        [
            ["stock"],
            ["history"],
            ["verify"],
            ["trace", "ASP-100", "--lot", "L24A"],
            ["recall", "ASP-100", "--lot", "L24A", "--reason", "x"],
        ],
        ids=lambda c: c[0],
    )
    def test_missing_file(self, command: list[str], tmp_path: Path) -> None:
        """A missing file is exit status 1 with a hint how to make one, and is not created."""
        result = run(*command, "--db", "nope.db", cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            "error: no ledger at nope.db: the file does not exist; create one with "
            "'stockline init --db nope.db', or 'stockline demo --db nope.db'"
        )
        assert list(tmp_path.iterdir()) == []

    def test_missing_file_in_a_url(self, tmp_path: Path) -> None:
        """The same holds for a sqlite:/// URL."""
        result = run("stock", "--db", f"sqlite:///{tmp_path}/nope.db", cwd=tmp_path)
        assert result.returncode == 1
        assert "the file does not exist" in result.stderr
        assert list(tmp_path.iterdir()) == []

    def test_default_database_missing(self, tmp_path: Path) -> None:
        """Without --db the demo ledger is read; missing, it says how to build it."""
        result = run("stock", cwd=tmp_path)
        assert result.returncode == 1
        assert "stockline demo --db stockline-demo.db" in result.stderr

    def test_sqlite_file_without_a_ledger(self, tmp_path: Path) -> None:
        """A SQLite database without stockline's tables is refused, and not given them."""
        with sqlite3.connect(tmp_path / "other.db") as conn:
            conn.execute("CREATE TABLE t (x)")
        conn.close()
        result = run("stock", "--db", "other.db", cwd=tmp_path)
        assert result.returncode == 1
        assert "other.db is not a stockline ledger" in result.stderr
        with sqlite3.connect(tmp_path / "other.db") as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
        conn.close()
        assert tables == ["t"]

    def test_url_password_is_masked(self, tmp_path: Path) -> None:
        """A database URL in a message never shows its password."""
        result = run("stock", "--db", "postgresql+nosuchdriver://u:secret@h/db", cwd=tmp_path)
        assert result.returncode == 1
        assert "secret" not in result.stderr

    def test_mistyped_url_scheme(self, tmp_path: Path) -> None:
        """A URL naming no known database is one error line naming the scheme, no traceback."""
        result = run("stock", "--db", "postgress://u@localhost/db", cwd=tmp_path)
        assert result.returncode == 1
        assert "no database driver is called 'postgress'" in result.stderr
        assert "Traceback" not in result.stderr

    def test_empty_database_name(self, tmp_path: Path) -> None:
        """An empty --db is refused with a message saying what to give."""
        result = run("stock", "--db", "", cwd=tmp_path)
        assert result.returncode == 1
        assert "--db is empty" in result.stderr


def _at_80(part: RenderableType) -> str:
    """What ``part`` looks like in a terminal 80 columns wide (no colour)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, color_system=None, highlight=False)
    Output(json=False, console=console, err=console).emit(None, lambda: [part])
    return buffer.getvalue()
