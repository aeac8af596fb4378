"""`stockline import epcis`, `expected` and `receive`, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stockline.gs1 import lgtin_uri, sscc, sscc_uri
from tests.cli.conftest import run

GTIN = "09506000134352"  # ASP-100 in the demo
PALLET = sscc("9506000", "000000001")
KEY = "urn:acme:asn:ASN-100"
AT = {"eventTime": "2026-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00"}


def _notice() -> dict[str, Any]:
    """ACME ships 40 of ASP-100 lot L25C on pallet PALLET and 10 of lot L25D loose."""
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T10:00:00Z",
        "epcisBody": {
            "eventList": [
                {**AT, "type": "AggregationEvent", "action": "ADD", "bizStep": "packing",
                 "parentID": sscc_uri(PALLET, 7),
                 "childQuantityList": [{"epcClass": lgtin_uri(GTIN, "L25C", 7), "quantity": 40}]},
                {**AT, "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
                 "epcList": [sscc_uri(PALLET, 7)],
                 "quantityList": [{"epcClass": lgtin_uri(GTIN, "L25D", 7), "quantity": 10}],
                 "bizTransactionList": [
                     {"type": "desadv", "bizTransaction": KEY},
                     {"type": "po", "bizTransaction": "urn:acme:po:PO-2001"}]},
            ]
        },
    }  # fmt: skip


@pytest.fixture
def imported(demo_copy: Path) -> Path:
    """A copy of the demo ledger with the notice imported."""
    (demo_copy.parent / "asn.json").write_text(json.dumps(_notice()))
    result = run("import", "epcis", "asn.json", "--db", str(demo_copy), cwd=demo_copy.parent)
    assert result.returncode == 0, result.stderr
    return demo_copy


def _receive(db: Path, *args: str) -> Any:
    return run(
        "receive", "--db", str(db), "--expected", KEY, "--to", "DC1/DOCK", "--supplier", "ACME",
        *args, cwd=db.parent,
    )  # fmt: skip


def _report(db: Path) -> dict[tuple[str, str], tuple[str, str]]:
    result = run("expected", KEY, "--db", str(db), "--json", cwd=db.parent)
    assert result.returncode == 0, result.stderr
    return {
        (line["lot"], line["status"]): (line["expected"], line["received"])
        for line in json.loads(result.stdout)["report"]
    }


class TestImportEpcis:
    def test_imports_and_again_changes_nothing(self, imported: Path) -> None:
        """The summary names the key and what it announces; importing it again is harmless."""
        again = run("import", "epcis", "asn.json", "--db", str(imported), "--json",
                    cwd=imported.parent)  # fmt: skip
        assert again.returncode == 0, again.stderr
        (summary,) = json.loads(again.stdout)["imported"]
        assert (summary["key"], summary["lines"], summary["containers"]) == (KEY, 2, [PALLET])
        listed = run("expected", "--db", str(imported), "--json", cwd=imported.parent)
        (row,) = json.loads(listed.stdout)
        assert (row["key"], row["complete"], row["counts"]["short"]) == (KEY, False, 2)
        table = run("expected", "--db", str(imported), cwd=imported.parent)
        assert KEY in table.stdout
        assert "not received" in table.stdout

    def test_invalid_document_lists_every_problem(self, demo_copy: Path) -> None:
        """An invalid document is refused (exit 1) with every problem on its own line, each
        with its JSON path; --json lists them too; nothing is imported."""
        bad = {**_notice(), "epcisBody": {"eventList": [
            {**AT, "type": "ObjectEvent", "action": "CREATE", "bizStep": "transforming",
             "epcList": ["not a uri"]}]}}  # fmt: skip
        (demo_copy.parent / "bad.json").write_text(json.dumps(bad))
        args = ("import", "epcis", "bad.json", "--db", str(demo_copy))
        result = run(*args, cwd=demo_copy.parent)
        assert result.returncode == 1
        assert "not valid EPCIS 2.0 (3 problems); nothing was imported" in result.stderr
        for path in ("action", "bizStep", "epcList[0]"):
            assert f"  $.epcisBody.eventList[0].{path}: " in result.stderr
        as_json = run(*args, "--json", cwd=demo_copy.parent)
        assert as_json.returncode == 1
        assert len(json.loads(as_json.stdout)["problems"]) == 3
        listed = run("expected", "--db", str(demo_copy), "--json", cwd=demo_copy.parent)
        assert json.loads(listed.stdout) == []

    @pytest.mark.parametrize(
        ("content", "message"),
        [(None, "cannot read the EPCIS document in 'asn.json'"), ("{not json", "is not JSON")],
        ids=["missing", "malformed"],
    )
    def test_unreadable_file(self, demo_db: Path, content: str | None, message: str) -> None:
        """A missing file or one that is not JSON is refused with exit status 1."""
        folder = demo_db.parent / f"unreadable-{content is None}"
        folder.mkdir(exist_ok=True)
        if content is not None:
            (folder / "asn.json").write_text(content)
        result = run("import", "epcis", "asn.json", "--db", str(demo_db), cwd=folder)
        assert result.returncode == 1
        assert message in result.stderr

    def test_reads_standard_input(self, demo_copy: Path) -> None:
        """FILE - reads the document from standard input."""
        result = run("import", "epcis", "-", "--key", "MY-KEY", "--db", str(demo_copy), "--json",
                     cwd=demo_copy.parent, stdin=json.dumps(_notice()))  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert [x["key"] for x in json.loads(result.stdout)["imported"]] == ["MY-KEY"]

    def test_missing_database(self, tmp_path: Path) -> None:
        """No ledger at --db: exit status 1, and no file is created."""
        (tmp_path / "asn.json").write_text(json.dumps(_notice()))
        result = run("import", "epcis", "asn.json", "--db", "none.db", cwd=tmp_path)
        assert result.returncode == 1
        assert "no ledger at none.db" in result.stderr
        assert not (tmp_path / "none.db").exists()


class TestExpected:
    def test_unknown_key(self, demo_db: Path) -> None:
        """Showing an expectation never imported is exit status 1."""
        result = run("expected", "ASN-NOPE", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == 1
        assert "ASN-NOPE" in result.stderr


class TestReceive:
    def test_pallet_and_unit_against_the_notice(self, imported: Path) -> None:
        """The pallet's SSCC receives its announced content; a short lot shows as short."""
        result = _receive(imported, "--qty", "4", "(01)09506000134352(10)L25D", "--json")
        assert result.returncode == 0, result.stderr
        (receipt,) = json.loads(result.stdout)["receipts"]
        assert receipt["transaction"]["refs"] == ["ASN:" + KEY, "PO:urn:acme:po:PO-2001"]
        assert _receive(imported, "(00)" + PALLET).returncode == 0
        assert _report(imported) == {("L25C", "ok"): ("40", "40"), ("L25D", "short"): ("10", "4")}
        table = run("expected", KEY, "--db", str(imported), cwd=imported.parent)
        assert "1 short" in table.stdout

    def test_refused_scan_stops_and_a_retry_posts_nothing_twice(self, imported: Path) -> None:
        """A scan the notice does not announce stops the command (exit 1), naming it and the
        receipts posted before it; run again with the same --key, nothing is posted twice."""
        scans = ("(01)09506000134352(10)L25D", "(00)" + PALLET, "(01)09506000134352(10)L25X")
        first = _receive(imported, "--key", "dock-1", *scans)
        assert first.returncode == 1
        assert "scan 3 of 3 ((01)09506000134352(10)L25X) was refused" in first.stderr
        assert "lot L25X is not announced" in first.stderr
        assert "--allow-unexpected" in first.stderr
        assert "the 2 scan(s) before it were posted (transactions 18, 19)" in first.stderr
        retry = _receive(imported, "--key", "dock-1", *scans[:2], "--json")
        ids = [r["transaction"]["id"] for r in json.loads(retry.stdout)["receipts"]]
        assert (retry.returncode, ids) == (0, [18, 19])
        forced = _receive(imported, "--allow-unexpected", scans[2])
        assert forced.returncode == 0, forced.stderr
        assert _report(imported)[("L25X", "unexpected")] == ("0", "1")

    def test_bad_input(self, imported: Path) -> None:
        """A bad quantity is a usage error (2); an unknown expectation or a bad barcode is
        refused (1); nothing is posted."""
        bad_qty = _receive(imported, "--qty", "many", "(00)" + PALLET)
        assert bad_qty.returncode == 2
        assert "'many' is not a number" in bad_qty.stderr
        unknown = run("receive", "--db", str(imported), "--expected", "NOPE", "--to", "DC1/DOCK",
                      "(00)" + PALLET, cwd=imported.parent)  # fmt: skip
        assert unknown.returncode == 1
        assert "NOPE" in unknown.stderr
        barcode = _receive(imported, "(01)123")
        assert barcode.returncode == 1
        assert _report(imported)[("L25C", "short")] == ("40", "0")

    def test_allow_expired_needs_a_reason(self, imported: Path) -> None:
        """--allow-expired without --reason is refused in the command line's words; with one
        the expired lot is received against the notice."""
        scan = f"(01){GTIN}(17)260101(10)L25D"
        refused = _receive(imported, "--qty", "10", scan)
        assert refused.returncode == 1
        assert "--allow-expired --reason" in refused.stderr
        bare = _receive(imported, "--qty", "10", "--allow-expired", scan)
        assert bare.returncode == 1
        assert "--reason" in bare.stderr, bare.stderr
        assert "allow_expired" not in bare.stderr, bare.stderr
        done = _receive(imported, "--qty", "10", "--allow-expired", "--reason", "for QA", scan)
        assert done.returncode == 0, done.stderr
        assert _report(imported)[("L25D", "ok")] == ("10", "10")
