"""`stockline trace` and `stockline recall`, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import run


class TestTrace:
    def test_downstream_tree(self, plant_db: Path) -> None:
        """Downstream, the tree nests what a lot was made into, with each node's shipments."""
        result = run("trace", "API", "--lot", "A1", "--db", str(plant_db), cwd=plant_db.parent)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0] == "Downstream trace of API lot A1 (times in UTC)"
        root = next(i for i, line in enumerate(lines) if line.endswith("API lot A1"))
        bottle = next(i for i, line in enumerate(lines) if "made into BOTTLE lot B1" in line)
        tablet = next(i for i, line in enumerate(lines) if "made into TAB lot T1" in line)
        # B1 hangs below T1, which hangs below A1: deeper indentation at each level.
        indent = [len(lines[i]) - len(lines[i].lstrip("│ └├─")) for i in (root, tablet, bottle)]
        assert indent[0] < indent[1] < indent[2]
        assert any("shipped 20 to PHARMA-7" in line and "SO:SO-2" in line for line in lines)
        assert any("on hand: 200 at P1/FG (available)" in line for line in lines)

    def test_downstream_json(self, plant_db: Path) -> None:
        """--json gives every reached lot and every shipment to a customer."""
        result = run(
            "trace", "API", "--lot", "A1", "--json", "--db", str(plant_db), cwd=plant_db.parent
        )
        data = json.loads(result.stdout)
        assert data["direction"] == "downstream"
        assert {(n["item"], n["lot"]) for n in data["nodes"]} == {
            ("API", "A1"),
            ("TAB", "T1"),
            ("TAB", "T2"),
            ("BOTTLE", "B1"),
        }
        assert sorted((s["lot"], s["quantity"]) for s in data["shipments"]) == [
            ("B1", "20"),
            ("T1", "100"),
        ]

    def test_upstream(self, plant_db: Path) -> None:
        """--upstream goes back through the productions to the supplier receipts."""
        result = run(
            "trace", "BOTTLE", "--lot", "B1", "--upstream", "--db", str(plant_db),
            cwd=plant_db.parent,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Upstream trace of BOTTLE lot B1")
        assert "made from API lot A1" in result.stdout
        assert "received 10 from CHEM" in result.stdout
        assert "received 50 from CHEM" in result.stdout

    def test_serial(self, demo_db: Path) -> None:
        """A serial is traced too: the reversed shipment is left out, the real one shown."""
        result = run(
            "trace", "PUMP-X", "--serial", "PX-0002", "--json", "--db", str(demo_db),
            cwd=demo_db.parent,
        )  # fmt: skip
        shipments = json.loads(result.stdout)["shipments"]
        assert [s["customer"] for s in shipments] == ["CLINIC-3"]

    def test_as_of(self, plant_db: Path) -> None:
        """--as-of traces as things stood then: before production there is nothing made."""
        result = run(
            "trace", "API", "--lot", "A1", "--as-of", "2026-03-02T08:30Z", "--json",
            "--db", str(plant_db), cwd=plant_db.parent,
        )  # fmt: skip
        assert [n["lot"] for n in json.loads(result.stdout)["nodes"]] == ["A1"]

    def test_unknown_lot(self, demo_db: Path) -> None:
        """An unknown lot is refused with exit status 1, naming the lot and the item."""
        result = run("trace", "ASP-100", "--lot", "L99", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.startswith("error: lot 'L99' of ASP-100 is not known")

    def test_unknown_serial_or_serial_of_a_lot_item(self, demo_db: Path) -> None:
        """An unknown serial, or a serial of a lot-tracked item, is one error line and exit
        status 1, never an empty trace or recall."""
        for command, sku, serial, expected in [
            (("trace",), "PUMP-X", "PX-9999", "serial 'PX-9999' of PUMP-X is not known"),
            (("trace", "--upstream"), "PUMP-X", "PX-9999", "serial 'PX-9999' of PUMP-X"),
            (("recall", "--reason", "x"), "PUMP-X", "PX-9999", "serial 'PX-9999' of PUMP-X"),
            (("trace",), "ASP-100", "PX-0002", "item ASP-100 is lot-tracked, not serial-tracked"),
        ]:
            result = run(
                *command, sku, "--serial", serial, "--db", str(demo_db), cwd=demo_db.parent
            )
            assert result.returncode == 1, result.stdout
            assert result.stdout == ""
            assert result.stderr.startswith(f"error: {expected}")
            assert len(result.stderr.strip().splitlines()) == 1

    def test_unknown_item(self, demo_db: Path) -> None:
        """An unknown item is refused with exit status 1, naming it."""
        result = run("trace", "NOPE", "--lot", "L1", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == 1
        assert "NOPE" in result.stderr

    def test_untracked_item(self, demo_db: Path) -> None:
        """An item without lots or serials cannot be traced; the message says why."""
        result = run("trace", "GLOVE-M", "--lot", "X", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == 1
        assert "not lot- or serial-tracked" in result.stderr

    def test_lot_or_serial_required(self, demo_db: Path) -> None:
        """Neither --lot nor --serial is a usage error, exit status 2."""
        result = run("trace", "ASP-100", "--db", str(demo_db), cwd=demo_db.parent)
        assert result.returncode == 2
        assert "one of the arguments --lot --serial is required" in result.stderr

    def test_naive_time(self, demo_db: Path) -> None:
        """A time without a zone is a usage error that says how to write one."""
        result = run(
            "trace", "ASP-100", "--lot", "L24A", "--as-of", "2026-03-02T12:00",
            "--db", str(demo_db), cwd=demo_db.parent,
        )  # fmt: skip
        assert result.returncode == 2
        assert "has no time zone" in result.stderr


class TestRecall:
    def test_report(self, demo_db: Path) -> None:
        """The report lists customers with quantities and documents; nothing is posted."""
        result = run(
            "recall", "ASP-100", "--lot", "L24A", "--reason", "bad batch", "--json",
            "--db", str(demo_db), cwd=demo_db.parent,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["reason"] == "bad batch"
        assert data["containment"] is None
        assert [(c["customer"], c["quantity"], c["documents"]) for c in data["customers"]] == [
            ("PHARMA-7", "30", ["BOL:BOL-5531", "SO:SO-9"])
        ]
        assert [(b["position"]["status"], b["quantity"]) for b in data["on_hand"]] == [
            ("available", "90")
        ]

    def test_table(self, demo_db: Path) -> None:
        """The table output names the recall, the customers and says nothing was posted."""
        result = run(
            "recall", "ASP-100", "--lot", "L24A", "--reason", "bad batch",
            "--db", str(demo_db), cwd=demo_db.parent,
        )  # fmt: skip
        assert result.stdout.startswith("Recall R-")
        assert "PHARMA-7" in result.stdout
        assert "Nothing was posted; add --contain" in result.stdout

    def test_contain_is_idempotent(self, demo_copy: Path) -> None:
        """--contain holds the available stock once; running it again posts nothing new."""
        args = ("recall", "ASP-100", "--lot", "L24A", "--lot", "L24B", "--reason", "bad batch")
        first = run(*args, "--contain", "--actor", "qa", "--json", "--db", str(demo_copy),
                    cwd=demo_copy.parent)  # fmt: skip
        assert first.returncode == 0, first.stderr
        data = json.loads(first.stdout)
        assert data["containment"] == {"transaction_id": 18, "positions": 1}
        assert {b["position"]["status"] for b in data["on_hand"]} == {"hold"}
        again = run(*args, "--contain", "--json", "--db", str(demo_copy), cwd=demo_copy.parent)
        assert json.loads(again.stdout)["containment"] == data["containment"]
        held = run("stock", "--status", "hold", "--json", "--db", str(demo_copy),
                   cwd=demo_copy.parent)  # fmt: skip
        assert sorted(r["lot"] for r in json.loads(held.stdout)) == ["L24A", "L24B"]

    def test_unknown_lot(self, demo_copy: Path) -> None:
        """An unknown lot is exit status 1 and nothing is posted, even with --contain."""
        result = run(
            "recall", "ASP-100", "--lot", "L24A", "--lot", "L99", "--reason", "x", "--contain",
            "--db", str(demo_copy), cwd=demo_copy.parent,
        )  # fmt: skip
        assert result.returncode == 1
        assert result.stderr.startswith("error: lot 'L99' of ASP-100 is not known")
        held = run("stock", "--status", "hold", "--json", "--db", str(demo_copy),
                   cwd=demo_copy.parent)  # fmt: skip
        assert [r["lot"] for r in json.loads(held.stdout)] == ["L24B"]

    def test_nothing_named(self, demo_db: Path) -> None:
        """A recall without --lot or --serial is a usage error, exit status 2."""
        result = run("recall", "ASP-100", "--reason", "x", "--db", str(demo_db),
                     cwd=demo_db.parent)  # fmt: skip
        assert result.returncode == 2
        assert "name what is recalled" in result.stderr

    def test_reason_required(self, demo_db: Path) -> None:
        """--reason is required (it goes on every hold): exit status 2 without it."""
        result = run("recall", "ASP-100", "--lot", "L24A", "--db", str(demo_db),
                     cwd=demo_db.parent)  # fmt: skip
        assert result.returncode == 2
        assert "--reason" in result.stderr


class TestDocsExample:
    def test_trace_page_shows_real_output(self, plant_db: Path) -> None:
        """The tree on docs/cli/trace.md is what `stockline trace API --lot A1` prints."""
        page = (Path(__file__).parents[2] / "docs" / "cli" / "trace.md").read_text()
        command = "$ stockline trace API --lot A1 --db plant.db\n"
        shown = page[page.index(command) + len(command) : page.index("$ stockline trace BOTTLE")]
        result = run("trace", "API", "--lot", "A1", "--db", str(plant_db), cwd=plant_db.parent)
        assert result.stdout == shown


class TestBoundedOutput:
    def test_trace_limit(self, plant_db: Path) -> None:
        """trace draws at most --limit lines of its tree and counts the rest on stderr."""
        every = run("trace", "API", "--lot", "A1", "--all", "--db", str(plant_db),
                    cwd=plant_db.parent)  # fmt: skip
        lines = len(every.stdout.splitlines()) - 1
        two = run("trace", "API", "--lot", "A1", "--limit", "2", "--db", str(plant_db),
                  cwd=plant_db.parent)  # fmt: skip
        assert two.returncode == 0
        assert f"{lines - 2} more lines not shown (--limit 2)" in two.stderr
        assert f"… {lines - 2} more line(s) not shown" in two.stdout
        assert every.stderr == ""

    def test_recall_limit(self, demo_db: Path) -> None:
        """recall shows at most --limit rows per table; --json stays complete."""
        one = run("recall", "PUMP-X", "--serial", "PX-0001", "--serial", "PX-0003",
                  "--reason", "r", "--limit", "1", "--db", str(demo_db),
                  cwd=demo_db.parent)  # fmt: skip
        assert one.returncode == 0, one.stderr
        assert "1 more rows not shown (--limit 1)" in one.stderr
        full = run("recall", "PUMP-X", "--serial", "PX-0001", "--serial", "PX-0003",
                   "--reason", "r", "--limit", "1", "--json", "--db", str(demo_db),
                   cwd=demo_db.parent)  # fmt: skip
        assert len(json.loads(full.stdout)["on_hand"]) == 2
