"""`stockline report ...`: the analytics reports, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DAY = ("--since", "2026-03-02T00:00Z", "--until", "2026-03-03T00:00Z")


def _report(db: Path, *args: str, cwd: Path | None = None) -> Any:
    result = run("report", *args, "--db", str(db), "--json", cwd=cwd or db.parent)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["report"] == args[0]
    return data


class TestReports:
    def test_dwell(self, demo_db: Path) -> None:
        """Dwell per lot of what the demo shipped, in whole seconds in JSON."""
        rows = _report(demo_db, "dwell", "--by", "lot")["rows"]
        assert {(r["item"], r["lot"]): (r["quantity"], r["mean"]) for r in rows} == {
            ("ASP-100", "L24A"): ("30", 4 * 3600 + 55 * 60),
            ("GLOVE-M", None): ("100", 4 * 3600 + 15 * 60),
            ("PUMP-X", None): ("1", 5 * 3600 + 5 * 60),
        }

    def test_turnover_and_activity(self, demo_db: Path) -> None:
        """Turnover over the demo day ranks items; activity counts movement lines per zone."""
        turnover = {r["item"]: r for r in _report(demo_db, "turnover", *DAY)["rows"]}
        assert turnover["ASP-100"]["shipped"] == "30"
        assert turnover["GLOVE-M"]["shipped"] == "100"
        rows = _report(demo_db, "activity", "--depth", "1", "--timezone", "Europe/Berlin", *DAY)
        hours = {(r["zone"], r["hour"]) for r in rows["rows"]}
        assert ("DC1", 7) in hours  # the first receipts, 07:15 in Berlin
        assert all(zone == "DC1" for zone, _ in hours)

    def test_aging_near_expiry_nonconformity(self, demo_db: Path) -> None:
        """Aging by expiry buckets the lots; near expiry lists the lot within reach on its
        position; the hold of BETA's lot is a supplier finding."""
        aging = _report(demo_db, "aging", "--today", "2027-03-01", "--edges", "0,60,180")["rows"]
        assert {(r["item"], r["bucket"]): r["quantity"] for r in aging} == {
            ("ASP-100", "0-59"): "90",
            ("ASP-100", "60-179"): "80",
            ("GLOVE-M", "no expiry"): "400",
            ("PUMP-X", "no expiry"): "2",
        }
        near = _report(demo_db, "near-expiry", "--days", "60", "--today", "2027-03-01")["rows"]
        assert [(r["lot"], r["days_left"], r["location"], r["quantity"]) for r in near] == [
            ("L24A", 30, "DC1/A/01-01", "90")
        ]
        (finding,) = _report(demo_db, "nonconformity")["rows"]
        assert (finding["supplier"], finding["kind"], finding["quantity"]) == ("BETA", "hold", "80")

    def test_table(self, demo_db: Path) -> None:
        """Without --json, a table for people."""
        result = run("report", "near-expiry", "--days", "60", "--today", "2027-03-01",
                     "--db", str(demo_db), cwd=demo_db.parent)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "Stock expired or expiring within 60 days" in result.stdout
        assert "L24A" in result.stdout


class TestPng:
    def test_writes_the_chart(self, demo_db: Path, tmp_path: Path) -> None:
        """--png draws the chart at PATH and says where (in JSON too)."""
        data = _report(demo_db, "aging", "--png", "aging.png", cwd=tmp_path)
        assert data["png"] == "aging.png"
        assert (tmp_path / "aging.png").read_bytes()[:8] == PNG_MAGIC
        table = run("report", "dwell", "--png", "dwell.png", "--db", str(demo_db), cwd=tmp_path)
        assert "Chart written to dwell.png." in table.stdout
        assert (tmp_path / "dwell.png").read_bytes()[:8] == PNG_MAGIC

    def test_without_matplotlib(self, demo_db: Path, tmp_path: Path) -> None:
        """Without matplotlib, --png is refused (exit 1) naming the extra to install."""
        blocked = tmp_path / "blocked" / "matplotlib"
        blocked.mkdir(parents=True)
        (blocked / "__init__.py").write_text("raise ImportError('matplotlib blocked by a test')\n")
        result = run("report", "aging", "--png", "aging.png", "--db", str(demo_db),
                     cwd=tmp_path, env={"PYTHONPATH": str(blocked.parent)})  # fmt: skip
        assert result.returncode == 1
        assert "pip install 'stockline[plots]'" in result.stderr
        assert not (tmp_path / "aging.png").exists()

    def test_missing_folder(self, demo_db: Path, tmp_path: Path) -> None:
        """A chart path in a folder that does not exist is refused before any work."""
        result = run("report", "aging", "--png", "no/such/aging.png", "--db", str(demo_db),
                     cwd=tmp_path)  # fmt: skip
        assert result.returncode == 1
        assert "folder no/such does not exist" in result.stderr


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "status", "message"),
        [
            (("near-expiry", "--sku", "NOPE"), 1, "NOPE"),
            (("turnover", "--since", "2026-03-02T00:00Z", "--location", "DC9"), 1, "DC9"),
            (("activity", "--timezone", "Mars/Base"), 1, "time zone 'Mars/Base' is not known"),
            (("nonconformity", "--status", "mouldy"), 1, "status 'mouldy' is not known"),
            (("aging", "--edges", "30,0"), 2, "the edges must increase"),
            (("near-expiry", "--days", "-1"), 2, "give 0 or more"),
            (("turnover",), 2, "the following arguments are required: --since"),
            (("dwell", "--by", "category"), 2, "--by category needs --category"),
        ],
        ids=[
            "unknown-item",
            "unknown-location",
            "bad-zone",
            "unknown-status",
            "bad-edges",
            "negative-days",
            "no-since",
            "no-categories",
        ],
    )
    def test_refused(self, demo_db: Path, args: tuple[str, ...], status: int, message: str) -> None:
        """Unknown master data is refused (1); a malformed command line is a usage error (2)."""
        result = run("report", *args, "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == status, result.stderr
        assert message in result.stderr
        assert result.stdout == ""

    def test_missing_database(self, tmp_path: Path) -> None:
        """Without a ledger at --db the report is refused (1) and no file is created."""
        result = run("report", "aging", "--db", "none.db", cwd=tmp_path)
        assert result.returncode == 1
        assert "no ledger at none.db" in result.stderr
        assert list(tmp_path.iterdir()) == []
