"""`stockline count`, `replenish` and `kit`, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import run


def _ok(db: Path, *args: str) -> Any:
    """Run a command with --json on ``db``; it must succeed; return its JSON."""
    result = run(*args, "--db", str(db), "--json", cwd=db.parent)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _fails(db: Path, *args: str, status: int = 1) -> str:
    """Run a command on ``db`` that must fail with ``status``; return its stderr."""
    result = run(*args, "--db", str(db), cwd=db.parent)
    assert result.returncode == status, (result.stdout, result.stderr)
    assert result.stdout == ""
    return result.stderr


def _stock(db: Path, *filters: str) -> dict[tuple[str, str, str], str]:
    rows = _ok(db, "stock", *filters)
    return {(r["location"], r["item"], r["lot"]): r["quantity"] for r in rows}


class TestCount:
    def test_open_record_report_close(self, demo_copy: Path) -> None:
        """A cycle count: the sheet lists the book, typed and scanned records are kept, the
        report previews the difference with its value, and closing posts it as one count
        transaction."""
        count = _ok(demo_copy, "count", "open", "DC1/A", "--actor", "ann")
        assert (count["id"], count["state"], count["uncounted"]) == ("C-000001", "open", "keep")
        sheet = _ok(demo_copy, "count", "sheet", "C-000001")
        assert [(s["location"], s["lot"], s["expected"]) for s in sheet] == [
            ("DC1/A/01-01", "L24A", "90"),
            ("DC1/A/01-02", "L24B", "80"),
        ]
        _ok(demo_copy, "count", "record", "C-000001", "--location", "DC1/A/01-01",
            "--sku", "ASP-100", "--lot", "L24A", "--qty", "80")  # fmt: skip
        (line,) = _ok(demo_copy, "count", "record", "C-000001", "--location", "DC1/A/01-01",
                      "--scan", "(01)09506000134352(10)L24A", "--qty", "5", "--add")  # fmt: skip
        assert (line["sku"], line["lot"], line["quantity"]) == ("ASP-100", "L24A", "85")
        report = _ok(demo_copy, "count", "report", "C-000001", "--cost", "ASP-100=2.50",
                     "--differences")  # fmt: skip
        assert [(x["counted"], x["difference"], x["value"]) for x in report["lines"]] == [
            ("85", "-5", "-12.50")
        ]
        assert report["total_value"] == "-12.50"
        closed = _ok(demo_copy, "count", "close", "C-000001")
        tx = closed["transaction"]
        assert (closed["count"]["state"], tx["kind"], tx["refs"]) == (
            "closed", "count", ["COUNT:C-000001"],
        )  # fmt: skip
        assert _stock(demo_copy, "--sku", "ASP-100", "--location", "DC1/A/01-01") == {
            ("DC1/A/01-01", "ASP-100", "L24A"): "85"
        }
        listed = _ok(demo_copy, "count", "list", "--state", "closed")
        assert [c["id"] for c in listed] == ["C-000001"]
        again = _fails(demo_copy, "count", "record", "C-000001", "--location", "DC1/A/01-01",
                       "--sku", "ASP-100", "--lot", "L24A", "--qty", "1")  # fmt: skip
        assert "count C-000001 is closed" in again

    def test_blind_count_hides_the_book(self, demo_copy: Path) -> None:
        """A blind count's sheet shows no book quantity, its report is refused until it is
        closed, and cancelling it posts nothing."""
        _ok(demo_copy, "count", "open", "DC1/B", "--blind", "--id", "B-1")
        table = run("count", "sheet", "B-1", "--db", str(demo_copy), cwd=demo_copy.parent)
        assert "(blind)" in table.stdout
        assert "400" not in table.stdout
        assert "blind" in _fails(demo_copy, "count", "report", "B-1")
        _ok(demo_copy, "count", "record", "B-1", "--location", "DC1/B/02-01",
            "--sku", "PUMP-X", "--serial", "PX-0001")  # fmt: skip
        shown = _ok(demo_copy, "count", "show", "B-1")
        assert [(x["serial"], x["expected"]) for x in shown["lines"]] == [("PX-0001", None)]
        assert _ok(demo_copy, "count", "cancel", "B-1")["state"] == "cancelled"
        history = _ok(demo_copy, "history", "--sku", "PUMP-X")
        assert all(tx["kind"] != "count" for tx in history)

    def test_bad_input(self, demo_db: Path) -> None:
        """An unknown count is refused (1), as is a record that names no item; a quantity
        that is not a number and a malformed --cost are usage errors (2). Nothing is written."""
        assert "'C-404' was never opened" in _fails(demo_db, "count", "close", "C-404")
        assert "'C-404' was never opened" in _fails(
            demo_db, "count", "record", "C-404", "--location", "DC1/A/01-01", "--empty"
        )
        qty = _fails(demo_db, "count", "record", "C-404", "--location", "X", "--sku", "BOLT",
                     "--qty", "ten", status=2)  # fmt: skip
        assert "argument --qty: 'ten' is not a number" in qty
        cost = _fails(demo_db, "count", "report", "C-404", "--cost", "ASP-100", status=2)
        assert "is not SKU=NUMBER" in cost
        bare = run("count", cwd=demo_db.parent)
        assert bare.returncode == 2
        assert "the following arguments are required: ACTION" in bare.stderr

    def test_record_needs_an_item(self, demo_copy: Path) -> None:
        """A record with neither --sku, --scan nor --empty says what to give (exit 1)."""
        _ok(demo_copy, "count", "open", "DC1/A")
        error = _fails(demo_copy, "count", "record", "C-000001", "--location", "DC1/A/01-01")
        assert "say what was counted" in error


class TestReplenish:
    def test_rule_propose_post_remove(self, demo_copy: Path) -> None:
        """A rule below its minimum is proposed from reserve, posted as one transfer (a retry
        with the same key posts nothing more and answers with that transfer), then nothing is
        left to propose."""
        rule = _ok(demo_copy, "replenish", "rule", "set", "GLOVE-M", "DC1/A/01-02",
                   "--min", "50", "--max", "200", "--multiple", "100")  # fmt: skip
        assert (rule["min"], rule["max"], rule["source"]) == ("50", "200", "DC1")
        assert [r["location"] for r in _ok(demo_copy, "replenish", "rule", "list")] == [
            "DC1/A/01-02"
        ]
        (proposal,) = _ok(demo_copy, "replenish", "propose")
        assert (proposal["wanted"], [m["quantity"] for m in proposal["moves"]]) == ("200", ["200"])
        posted = _ok(demo_copy, "replenish", "post", "--key", "r-1")
        assert posted["transaction"]["kind"] == "transfer"
        assert _stock(demo_copy, "--sku", "GLOVE-M")[("DC1/A/01-02", "GLOVE-M", "")] == "200"
        again = _ok(demo_copy, "replenish", "post", "--key", "r-1")
        assert again["proposals"] == []
        assert again["transaction"] == posted["transaction"]
        assert _ok(demo_copy, "replenish", "post")["transaction"] is None
        _ok(demo_copy, "replenish", "rule", "remove", "GLOVE-M", "DC1/A/01-02")
        assert _ok(demo_copy, "replenish", "rule", "list") == []

    def test_retry_with_a_key_of_another_kind(self, demo_copy: Path) -> None:
        """A key already used by a transaction that is not a transfer is refused (exit 1)."""
        error = _fails(demo_copy, "replenish", "post", "--key", "asn-77/1")
        assert "idempotency key 'asn-77/1' was used by transaction 1" in error

    def test_bad_input(self, demo_db: Path) -> None:
        """A rule with max below min or for an unknown item, or removing a rule that does not
        exist, is refused (1); a non-numeric --min is a usage error (2)."""
        set_ = ("replenish", "rule", "set")
        assert "below min" in _fails(demo_db, *set_, "GLOVE-M", "DC1/A/01-01",
                                     "--min", "50", "--max", "10")  # fmt: skip
        assert "NOPE" in _fails(demo_db, *set_, "NOPE", "DC1/A/01-01", "--min", "1", "--max", "2")
        assert "no replenishment rule" in _fails(
            demo_db, "replenish", "rule", "remove", "GLOVE-M", "DC1/A/01-01"
        )
        _fails(demo_db, *set_, "GLOVE-M", "DC1/A/01-01", "--min", "x", "--max", "2", status=2)


class TestKit:
    def test_reserves_every_component(self, demo_copy: Path) -> None:
        """A kit that can be served is reserved for the order, component by component."""
        kit = _ok(demo_copy, "kit", "GLOVE-M=2", "ASP-100=1", "--quantity", "10",
                  "--order", "WO-1")  # fmt: skip
        assert (kit["complete"], kit["reserved"]) == (True, True)
        assert [(c["sku"], c["required"], c["allocated"]) for c in kit["components"]] == [
            ("GLOVE-M", "20", "20"),
            ("ASP-100", "10", "10"),
        ]
        assert kit["components"][1]["picks"][0]["lot"] == "L24A"

    def test_short_kit_reserves_nothing(self, demo_copy: Path) -> None:
        """A short kit lists the short components, reserves nothing and exits 1."""
        args = ("kit", "GLOVE-M=2", "ASP-100=1", "--quantity", "100", "--order", "WO-2")
        result = run(*args, "--db", str(demo_copy), "--json", cwd=demo_copy.parent)
        assert result.returncode == 1
        assert "short of ASP-100: 100 required, 90 available; nothing was reserved" in (
            result.stderr
        )
        kit = json.loads(result.stdout)
        assert (kit["reserved"], kit["shortages"][0]["sku"]) == (False, "ASP-100")
        retry = _ok(demo_copy, "kit", "GLOVE-M=2", "ASP-100=1", "--quantity", "45",
                    "--order", "WO-2", "--check")  # fmt: skip
        assert (retry["complete"], retry["reserved"]) == (True, False)

    @pytest.mark.parametrize(
        ("args", "status", "message"),
        [
            (("GLOVE-M",), 2, "'GLOVE-M' is not SKU=NUMBER"),
            (("GLOVE-M=lots",), 2, "'lots' is not a number"),
            (("NOPE=1",), 1, "NOPE"),
        ],
        ids=["no-quantity", "bad-quantity", "unknown-item"],
    )
    def test_bad_input(
        self, demo_db: Path, args: tuple[str, ...], status: int, message: str
    ) -> None:
        """A malformed component is a usage error; an unknown item is refused."""
        assert message in _fails(demo_db, "kit", *args, "--order", "WO-9", status=status)


@pytest.mark.parametrize(
    "command",
    [
        ("count", "list"),
        ("count", "open", "DC1"),
        ("replenish", "propose"),
        ("kit", "GLOVE-M=1", "--order", "WO-1"),
    ],
    ids=lambda c: "-".join(c[:2]),
)
def test_missing_database(command: tuple[str, ...], tmp_path: Path) -> None:
    """Without a ledger at --db, every command is refused (1) and creates no file."""
    result = run(*command, "--db", "none.db", cwd=tmp_path)
    assert result.returncode == 1
    assert "no ledger at none.db" in result.stderr
    assert list(tmp_path.iterdir()) == []
