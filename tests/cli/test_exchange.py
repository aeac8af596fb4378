"""`stockline export`, through the real entry point."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.conftest import run


class TestExport:
    def test_epcis_to_file(self, demo_db: Path, tmp_path: Path) -> None:
        """epcis -o writes a JSON-LD document and reports how many events it holds."""
        result = run("export", "epcis", "-o", "out.jsonld", "--json", "--db", str(demo_db),
                     cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        document = json.loads((tmp_path / "out.jsonld").read_text())
        assert document["type"] == "EPCISDocument"
        assert len(document["epcisBody"]["eventList"]) == summary["events"] > 0

    def test_epcis12_to_file_imports_back(self, demo_db: Path, tmp_path: Path) -> None:
        """epcis12 writes EPCIS 1.2 XML with a header; `import epcis` reads it as XML."""
        result = run("export", "epcis12", "-o", "out.xml", "--sender", "9506000000015",
                     "--receiver", "9506000000022", "--json", "--db", str(demo_db),
                     cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        text = (tmp_path / "out.xml").read_text(encoding="utf-8")
        assert text.count("<ObjectEvent>") == json.loads(result.stdout)["events"] > 0
        assert "<sbdh:Receiver>" in text
        db = tmp_path / "copy.db"
        db.write_bytes(demo_db.read_bytes())
        imported = run("import", "epcis", "out.xml", "--key", "BACK", "--json", "--db", str(db),
                       cwd=tmp_path)  # fmt: skip
        assert imported.returncode == 0, imported.stderr
        assert [x["key"] for x in json.loads(imported.stdout)["imported"]] == ["BACK"]

    def test_sender_and_receiver_are_for_epcis12(self, demo_db: Path) -> None:
        result = run("export", "epcis", "--receiver", "X", "--db", str(demo_db),
                     cwd=demo_db.parent)  # fmt: skip
        assert result.returncode == 2
        assert "--sender and --receiver are for epcis12" in result.stderr

    def test_fsma204_csv_to_stdout(self, demo_db: Path) -> None:
        """fsma204 for one lot prints CSV rows for its receipt and its shipment; gaps to stderr."""
        result = run("export", "fsma204", "--sku", "ASP-100", "--lot", "L24A",
                     "--db", str(demo_db), cwd=demo_db.parent)  # fmt: skip
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [r["Critical Tracking Event"] for r in rows] == ["Receiving", "Shipping"]
        assert "gap: " in result.stderr

    def test_unknown_lot(self, demo_db: Path) -> None:
        """An unknown lot is exit status 1 and writes nothing."""
        result = run("export", "epcis", "--sku", "ASP-100", "--lot", "NOPE",
                     "--db", str(demo_db), cwd=demo_db.parent)  # fmt: skip
        assert result.returncode == 1
        assert "lot 'NOPE' of ASP-100 is not known" in result.stderr

    def test_bad_file_type(self, demo_db: Path, tmp_path: Path) -> None:
        """fsma204 to a file that is neither .csv nor .xlsx is a usage error, nothing written."""
        result = run("export", "fsma204", "-o", "f.txt", "--db", str(demo_db), cwd=tmp_path)
        assert result.returncode == 2
        assert "write fsma204 to a .csv or .xlsx file" in result.stderr
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize(
        ("args", "target"),
        [
            (("export", "fsma204", "-o"), "missing/dir/x.csv"),
            (("export", "fsma204", "-o"), "missing/dir/x.xlsx"),
            (("export", "epcis", "-o"), "missing/dir/x.jsonld"),
            (("export", "epcis", "-o"), "."),
            (("export", "fsma204", "-o"), "/proc/x.csv"),
            (("report", "aging", "--png"), "missing/x.png"),
        ],
    )
    def test_an_output_file_that_cannot_be_written(
        self, demo_db: Path, tmp_path: Path, args: tuple[str, ...], target: str
    ) -> None:
        """Every output option that cannot be written is one error line and exit 1, no traceback."""
        result = run(*args, target, "--db", str(demo_db), cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        errors = [line for line in result.stderr.splitlines() if not line.startswith("gap:")]
        assert len(errors) == 1, result.stderr
        assert errors[0].startswith("error: cannot write"), result.stderr
        assert list(tmp_path.iterdir()) == []
