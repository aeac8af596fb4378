"""The entry points, usage errors, and the output conventions every command shares."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

import stockline
from stockline import errors
from stockline.cli import ExitCode
from stockline.cli._app import aware_time, date
from stockline.cli._messages import PYTHON_CALL, for_cli
from tests import _postgres
from tests.cli.conftest import run


class TestEntryPoints:
    def test_console_script_and_module_agree(self, demo_db: Path) -> None:
        """`stockline` and `python -m stockline` are the same program."""
        args = ("stock", "--db", str(demo_db), "--json")
        script = run(*args, cwd=demo_db.parent, script=True)
        module = run(*args, cwd=demo_db.parent)
        assert script.returncode == module.returncode == 0
        assert script.stdout == module.stdout

    def test_help(self, tmp_path: Path) -> None:
        """--help lists every command and the exit statuses, exit 0."""
        result = run("--help", cwd=tmp_path)
        assert result.returncode == 0
        for command in ("init", "demo", "stock", "history", "verify", "trace", "recall", "scan"):
            assert f"    {command} " in result.stdout
        assert "Exit status: 0 ok, 1 refused" in result.stdout

    def test_version(self, tmp_path: Path) -> None:
        """--version prints the program and the package version, exit 0."""
        result = run("--version", cwd=tmp_path)
        assert result.returncode == 0
        assert result.stdout == f"stockline {stockline.__version__}\n"


class TestUsageErrors:
    def test_unknown_command(self, tmp_path: Path) -> None:
        """An unknown command is a usage error, exit status 2, listing the commands."""
        result = run("frobnicate", cwd=tmp_path)
        assert result.returncode == int(ExitCode.USAGE) == 2
        assert "invalid choice: 'frobnicate'" in result.stderr

    def test_no_command(self, tmp_path: Path) -> None:
        """No command at all is a usage error."""
        result = run(cwd=tmp_path)
        assert result.returncode == 2
        assert "the following arguments are required: COMMAND" in result.stderr

    def test_unknown_option(self, demo_db: Path) -> None:
        """An unknown option is a usage error, not silently ignored."""
        result = run("stock", "--db", str(demo_db), "--colour", "red", cwd=demo_db.parent)
        assert result.returncode == 2
        assert "unrecognized arguments: --colour red" in result.stderr


class TestOutput:
    def test_json_is_stable(self, demo_db: Path) -> None:
        """The same query prints byte-identical JSON, keys in a fixed order."""
        args = ("history", "--db", str(demo_db), "--sku", "ASP-100", "--json")
        first, second = (run(*args, cwd=demo_db.parent).stdout for _ in range(2))
        assert first == second
        assert list(json.loads(first)[0]) == [
            "id", "kind", "effective_at", "recorded_at", "key", "refs", "counterparty",
            "actor", "reason", "reverses", "movements",
        ]  # fmt: skip

    def test_tables_are_not_folded_in_a_pipe(self, demo_db: Path) -> None:
        """Without a terminal, a wide table keeps each row on one line (no 80-column folding)."""
        result = run("history", "--db", str(demo_db), "--serial", "PX-0002", cwd=demo_db.parent)
        rows = [line for line in result.stdout.splitlines() if "PX-0002" in line]
        assert len(rows) == 6  # one per transaction that moved it
        assert any("pump was for St. Lukas, not the pharmacy" in row for row in rows)
        assert max(map(len, rows)) > 80

    def test_no_colour_codes_in_a_pipe(self, demo_db: Path) -> None:
        """Without a terminal, no ANSI escape codes are written."""
        result = run("stock", "--db", str(demo_db), "--status", "hold", cwd=demo_db.parent)
        assert "\x1b[" not in result.stdout

    def test_errors_are_one_line_on_stderr(self, demo_db: Path) -> None:
        """An error is a single line on stderr, however long, and nothing on stdout."""
        result = run("stock", "--db", str(demo_db), "--sku", "X" * 200, cwd=demo_db.parent)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1


class TestTimesAndDates:
    """Times and dates are taken in the documented ISO 8601 forms only (docs/cli/index.md)."""

    @pytest.mark.parametrize(
        ("text", "utc"),
        [
            ("2026-03-02T12:00Z", "2026-03-02T12:00:00+00:00"),
            ("2026-03-02T12:00+01:00", "2026-03-02T11:00:00+00:00"),
            ("2026-03-02T12:00:30-05:00", "2026-03-02T17:00:30+00:00"),
            ("2026-03-02T12:00:30.25Z", "2026-03-02T12:00:30.250000+00:00"),
        ],
    )
    def test_documented_times_parse(self, text: str, utc: str) -> None:
        """Each documented form means the instant it says."""
        assert aware_time(text).astimezone(dt.UTC).isoformat() == utc

    @pytest.mark.parametrize(
        "text",
        [
            "2026-03-02+01:00Z",
            "2026-03-02X06:20+00:00",
            "2026-03-02 06:20Z",
            "20260302T0620Z",
            "2026-W10-1T06:20Z",
            "2026-03-02T06Z",
            "2026-03-02T06:20",
            "2026-03-02T06:20+0100",
            "2026-03-02T25:00Z",
            "2026-02-30T06:20Z",
            "",
        ],
    )
    def test_other_forms_are_refused_with_fixed_advice(self, text: str) -> None:
        """Anything else is a usage error whose advice parses and does not echo the input."""
        with pytest.raises(argparse.ArgumentTypeError) as caught:
            aware_time(text)
        message = str(caught.value)
        advice = message.split("; ", 1)[1]
        assert text == "" or text not in advice
        for example in re.findall(r"\d{4}-\d{2}-\d{2}T[\d:+Z-]+", advice):
            aware_time(example)

    @pytest.mark.parametrize("text", ["20260302", "2026-W10-1", "2026-03-02T00:00Z", "2026-3-2"])
    def test_other_date_forms_are_refused(self, text: str) -> None:
        """A date is YYYY-MM-DD and nothing else."""
        with pytest.raises(argparse.ArgumentTypeError) as caught:
            date(text)
        date(str(caught.value).rsplit(" ", 1)[1])

    def test_a_date_with_a_zone_is_a_usage_error(self, demo_db: Path) -> None:
        """`2026-03-02+01:00Z` is refused on the command line (exit 2), not read as 01:00 UTC."""
        result = run(
            "history", "--db", str(demo_db), "--since", "2026-03-02+01:00Z", cwd=demo_db.parent
        )
        assert result.returncode == ExitCode.USAGE
        assert "2026-03-02T12:00Z" in result.stderr
        assert "Traceback" not in result.stderr


FILTER_COMMANDS = [
    ("stock",),
    ("history",),
    ("report", "aging"),
    ("report", "near-expiry"),
    ("replenish", "propose"),
    ("replenish", "rule", "list"),
    ("export", "fsma204"),
]


class TestUnknownFilters:
    """An unknown item, location or status in any filter: one verdict in every command."""

    @pytest.mark.parametrize(
        ("option", "value", "message"),
        [
            ("--sku", "NOPE", "item 'NOPE' is not in this ledger's master data"),
            ("--location", "NOPE/X", "location 'NOPE/X' is not in this ledger's master data"),
        ],
    )
    @pytest.mark.parametrize("command", FILTER_COMMANDS, ids=" ".join)
    def test_unknown_filter_is_refused(
        self, demo_db: Path, command: tuple[str, ...], option: str, value: str, message: str
    ) -> None:
        """Exit status 1 and the same one-line message, never an empty table."""
        if option == "--location" and command[-1] in ("aging", "fsma204"):
            pytest.skip(f"{' '.join(command)} has no {option}")
        result = run(*command, option, value, "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == ExitCode.ERROR, result.stdout + result.stderr
        assert result.stderr.startswith(f"error: {message}"), result.stderr
        assert result.stdout == ""

    def test_unknown_status_is_refused(self, demo_db: Path) -> None:
        """`stock --status` with a status nobody registered is refused like an unknown item."""
        result = run("stock", "--status", "nope", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == ExitCode.ERROR
        assert result.stderr.startswith("error: status 'nope' is not known")

    @_postgres.requires_postgres
    def test_same_verdict_on_postgresql(self, postgres_url: str, tmp_path: Path) -> None:
        """A PostgreSQL ledger gives the verdict a SQLite file gives: exit 1, same words."""
        assert run("demo", "--db", postgres_url, cwd=tmp_path).returncode == 0
        for option, value, message in (
            ("--sku", "NOPE", "item 'NOPE' is not in this ledger's master data"),
            ("--location", "NOPE/X", "location 'NOPE/X' is not in this ledger's master data"),
            ("--status", "nope", "status 'nope' is not known"),
        ):
            result = run("stock", option, value, "--db", postgres_url, cwd=tmp_path)
            assert result.returncode == ExitCode.ERROR, result.stderr
            assert result.stderr.startswith(f"error: {message}")


class TestMessagesSpeakTheCommandLine:
    """Errors shown by the command line advise flags and commands, not Python calls."""

    @pytest.mark.parametrize(
        "error",
        [
            errors.UnknownItemError(item="X"),
            errors.UnknownLocationError(location="X"),
            errors.UnknownLotError(item="X", lot="L"),
            errors.UnknownStatusError(status="x"),
            errors.UnknownPartyError(party="X"),
            errors.UnknownTransactionError(transaction_id=9),
            errors.UnknownCountError(count="C-1"),
            errors.UnknownExpectationError(key="K"),
            errors.AllocationShortfallError(item="X", requested=Decimal(2), available=Decimal(1)),
            errors.ExpiredProductError(
                item="X", lot="L", expiry=dt.date(2026, 1, 1), today=dt.date(2026, 2, 1), ai="17"
            ),
            errors.SerialError(item="X", serial="S"),
        ],
        ids=lambda e: type(e).__name__,
    )
    def test_no_python_call_in_a_cli_message(self, error: errors.StocklineError) -> None:
        """The library's message names a call; the command line's does not."""
        assert PYTHON_CALL.search(str(error)) is not None
        shown = for_cli(error)
        assert PYTHON_CALL.search(shown) is None, shown
        assert shown

    def test_through_the_entry_point(self, demo_db: Path) -> None:
        """An unknown lot names --lot and a command, not receive(..., lot=...)."""
        result = run("trace", "ASP-100", "--lot", "NOPE", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == ExitCode.ERROR
        assert "check --lot" in result.stderr
        assert "(" not in result.stderr.split(";", 1)[1].replace("(stockline", "")
