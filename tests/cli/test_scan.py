"""`stockline scan`, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import run

GS = "\x1d"


class TestScan:
    def test_hri(self, tmp_path: Path) -> None:
        """Bracketed HRI is read into typed fields; the element strings stay raw."""
        result = run("scan", "(01)09506000134352(17)270331(10)L24A(3103)001250", "--json",
                     cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["gtin"], data["lot"], data["expiry"]) == (
            "09506000134352",
            "L24A",
            "2027-03-31",
        )
        assert data["measures"] == [{"ai": "3103", "value": "1.250", "unit": "KGM"}]
        assert data["elements"][1] == {"ai": "17", "title": "USE BY or EXPIRY", "value": "270331"}
        assert data["source_format"] == "hri"

    def test_table(self, tmp_path: Path) -> None:
        """The table names each field and each AI with its GS1 title."""
        result = run("scan", "(01)09506000134352(10)L24A", cwd=tmp_path)
        assert "GS1 scan (hri)" in result.stdout
        assert "BATCH/LOT" in result.stdout
        assert "09506000134352" in result.stdout

    def test_gs_standin(self, tmp_path: Path) -> None:
        """--gs-standin stands for the GS separator a shell cannot pass."""
        result = run("scan", "]d2010950600013435210L24A^17270331", "--gs-standin", "^", "--json",
                     cwd=tmp_path)  # fmt: skip
        data = json.loads(result.stdout)
        assert (data["lot"], data["symbology"]) == ("L24A", "]d2")

    def test_stdin(self, tmp_path: Path) -> None:
        """'-' reads the scan from standard input, real GS separators and all."""
        text = f"]d20109506000134352217X{GS}10L24A\n"
        result = run("scan", "-", "--json", cwd=tmp_path, stdin=text)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["serial"] == "7X"

    def test_digital_link(self, tmp_path: Path) -> None:
        """A GS1 Digital Link URI is read too."""
        result = run("scan", "https://id.gs1.org/01/09506000134352/10/L24A", "--json",
                     cwd=tmp_path)  # fmt: skip
        assert json.loads(result.stdout)["source_format"] == "digital_link"

    def test_today(self, tmp_path: Path) -> None:
        """--today sets the window two-digit years are read in."""
        result = run("scan", "(01)09506000134352(17)750101", "--today", "2050-01-01", "--json",
                     cwd=tmp_path)  # fmt: skip
        assert json.loads(result.stdout)["expiry"] == "2075-01-01"

    def test_bad_check_digit(self, tmp_path: Path) -> None:
        """A malformed scan is exit status 1 with one line naming the AI and the fix."""
        result = run("scan", "(01)09506000134353", cwd=tmp_path)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == (
            "error: AI (01) GTIN value '09506000134353': check digit is 3, expected 2; rescan, "
            "or correct the data at its source\n"
        )

    def test_not_gs1(self, tmp_path: Path) -> None:
        """Text that is no GS1 data at all is exit status 1, not a traceback."""
        result = run("scan", "hello world", cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.startswith("error: ")
        assert "Traceback" not in result.stderr

    def test_pairing_rule(self, tmp_path: Path) -> None:
        """A serial without its GTIN breaks a pairing rule; --no-pairings lets it through."""
        assert run("scan", "(21)7X", cwd=tmp_path).returncode == 1
        result = run("scan", "(21)7X", "--no-pairings", "--json", cwd=tmp_path)
        assert json.loads(result.stdout)["serial"] == "7X"

    def test_bad_standin(self, tmp_path: Path) -> None:
        """A stand-in of more than one character is a usage error in the command line's words."""
        result = run("scan", "(01)09506000134352", "--gs-standin", "^^", cwd=tmp_path)
        assert result.returncode == 2
        assert "'^^' is not one character" in result.stderr
        assert "gs_standin" not in result.stderr

    def test_bad_date(self, tmp_path: Path) -> None:
        """--today that is not a date is a usage error, exit status 2."""
        result = run("scan", "(01)09506000134352", "--today", "March", cwd=tmp_path)
        assert result.returncode == 2
        assert "'March' is not an ISO 8601 date" in result.stderr

    def test_needs_no_ledger(self, tmp_path: Path) -> None:
        """scan reads no database and creates none."""
        assert run("scan", "(01)09506000134352", cwd=tmp_path).returncode == 0
        assert list(tmp_path.iterdir()) == []


class TestStandinAdvice:
    """A refused scan that looks like it uses a stand-in for GS says how to pass it."""

    @pytest.mark.parametrize("char", ["^", "|", "~", "#"])
    def test_a_standin_character_is_suggested(self, tmp_path: Path, char: str) -> None:
        """The hint names --gs-standin with the character that makes the scan read."""
        result = run("scan", f"010950600013435217270331{char}10L24A", cwd=tmp_path)
        assert result.returncode == 1
        assert f"add --gs-standin '{char}'" in result.stderr
        assert result.stderr.count("\n") == 1
        again = run("scan", f"010950600013435217270331{char}10L24A", "--gs-standin", char,
                    cwd=tmp_path)  # fmt: skip
        assert again.returncode == 0, again.stderr

    @pytest.mark.parametrize("spelled", ["\\x1d", "<GS>"])
    def test_a_separator_written_out_is_explained(self, tmp_path: Path, spelled: str) -> None:
        """GS typed as text cannot be a one-character stand-in: the hint says to pipe it."""
        result = run("scan", f"010950600013435217270331{spelled}10L24A", cwd=tmp_path)
        assert result.returncode == 1
        assert "stockline scan -" in result.stderr

    def test_no_hint_for_an_unrelated_error(self, tmp_path: Path) -> None:
        """A scan wrong for another reason gets no stand-in advice."""
        result = run("scan", "(01)09506000134353", cwd=tmp_path)
        assert result.returncode == 1
        assert "--gs-standin" not in result.stderr
