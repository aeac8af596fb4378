"""``stockline serials``: pools, issue, list, void, state and SSCCs, run in process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import stockline as sl
from stockline.cli._app import ExitCode, main


@pytest.fixture
def line_db(tmp_path: Path) -> str:
    """A ledger with a serial-tracked vial that has a GTIN and a finished-goods location."""
    path = tmp_path / "line.db"
    with sl.Inventory.open(f"sqlite:///{path}") as inv:
        inv.add_item("VIAL", gtin="09506000134352", tracking="serial")
        inv.add_location("PLANT/FG")
    return str(path)


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Any:
    """Run a command with --json; it must succeed; return its JSON."""
    assert main([*args, "--db", db, "--json"]) == ExitCode.OK
    return json.loads(capsys.readouterr().out)


def fails(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> str:
    """Run a command that must be refused (exit 1); return what it said."""
    assert main([*args, "--db", db]) == ExitCode.ERROR
    return capsys.readouterr().err


class TestSerialsCommand:
    def test_issue_list_void_and_state(
        self, line_db: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A random pool issues serials of its length; gaps list them until voided, and a
        voided serial says why."""
        pool = ok(capsys, line_db, "serials", "pool", "add", "VIAL")
        assert (pool["scheme"], pool["capacity"], pool["guess_probability"]) == (
            "random",
            "100000000",
            "1/10000",
        )
        batch = ok(capsys, line_db, "serials", "issue", "VIAL", "4", "--for", "PRINTER-2")
        assert len(set(batch["serials"])) == 4
        gaps = ok(capsys, line_db, "serials", "list", "VIAL", "--gaps")
        assert [g["number"] for g in gaps] == batch["serials"]
        voided = ok(
            capsys, line_db, "serials", "void", "VIAL", *batch["serials"][:2], "--reason", "torn"
        )
        assert voided == {"voided": batch["serials"][:2]}
        state = ok(capsys, line_db, "serials", "state", "VIAL", batch["serials"][0])
        assert (state["state"], state["reason"]) == ("voided", "torn")
        (listed,) = ok(capsys, line_db, "serials", "list", "VIAL")
        assert listed["reserved_for"] == "PRINTER-2"
        (row,) = ok(capsys, line_db, "serials", "pool", "list")
        assert row["issued"] == "4"

    def test_refusals_exit_1(self, line_db: str, capsys: pytest.CaptureFixture[str]) -> None:
        """No pool, a second pool, a serial never issued, an exhausted prefix: exit 1."""
        assert "no serial pool" in fails(capsys, line_db, "serials", "issue", "VIAL", "1")
        ok(capsys, line_db, "serials", "pool", "add", "VIAL", "--scheme", "sequential")
        assert "never replaced" in fails(capsys, line_db, "serials", "pool", "add", "VIAL")
        err = fails(capsys, line_db, "serials", "void", "VIAL", "000000000009", "--reason", "x")
        assert "not known" in err
        ok(capsys, line_db, "serials", "sscc", "061414112345", "9999")
        assert "0 numbers left" in fails(capsys, line_db, "serials", "sscc", "061414112345")

    def test_sscc_prints_one_a_line(self, line_db: str, capsys: pytest.CaptureFixture[str]) -> None:
        """Without --json, sscc prints the SSCCs one a line, for a label printer."""
        assert main(["serials", "sscc", "0614141", "2", "--extension", "1", "--db", line_db]) == 0
        assert capsys.readouterr().out.split() == ["106141410000000019", "106141410000000026"]
