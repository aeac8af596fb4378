"""Traces and recall reports render as text tables and as JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import stockline as sl


@pytest.fixture
def shipped(inv: sl.Inventory) -> sl.Inventory:
    """ASP lot L1 from ACME, 3 relabelled to L2, 2 of L2 shipped to C1, 1 of L1 on a truck."""
    inv.add_location("transit/T1", kind="transit")
    inv.receive("ASP", 10, lot="L1", dst="DC1/A/01", supplier="ACME", ref="PO-1")
    inv.genealogy.relabel("ASP", 3, lot="L1", new_lot="L2", location="DC1/A/01")
    inv.ship("ASP", 2, lot="L2", src="DC1/A/01", customer="C1", ref="SO-1")
    inv.move("ASP", 1, lot="L1", src="DC1/A/01", dst="transit/T1")
    return inv


def header(table: str, first: str) -> list[str]:
    """The column names of the table whose header starts with ``first``."""
    lines = [line for line in table.splitlines() if line.split()[:1] == [first]]
    assert lines, f"no table starting with {first!r} in:\n{table}"
    return lines[0].split()


class TestTraceRendering:
    def test_downstream_table(self, shipped: sl.Inventory) -> None:
        """A downstream trace renders its lots, shipments and positions as aligned tables."""
        table = shipped.trace_downstream("ASP", "L1").to_table()
        assert table.splitlines()[0] == "downstream trace of ASP lot L1"
        assert header(table, "shipped") == [
            "shipped",
            "customer",
            "item",
            "lot/serial",
            "qty",
            "container",
            "documents",
        ]
        assert header(table, "location") == [
            "location",
            "status",
            "container",
            "item",
            "lot/serial",
            "qty",
        ]
        assert "ASP lot L2" in table
        assert any(
            line.split()[2:] == ["C1", "ASP", "L2", "2", "SO:SO-1"] for line in table.splitlines()
        )
        assert any(
            line.split() == ["transit/T1", "available", "ASP", "L1", "1"]
            for line in table.splitlines()
        )

    def test_upstream_table(self, shipped: sl.Inventory) -> None:
        """An upstream trace renders the suppliers' receipts."""
        table = shipped.trace_upstream("ASP", "L2").to_table()
        assert header(table, "received") == [
            "received",
            "supplier",
            "item",
            "lot/serial",
            "qty",
            "documents",
        ]
        assert any(
            line.split()[2:] == ["ACME", "ASP", "L1", "10", "PO:PO-1"]
            for line in table.splitlines()
        )

    def test_json_keys_and_values(self, shipped: sl.Inventory) -> None:
        """to_json() is valid JSON with every field of the trace; quantities are exact
        strings and times ISO 8601."""
        found = shipped.trace_downstream("ASP", "L1")
        data = json.loads(found.to_json())
        assert data == json.loads(json.dumps(found.to_dict()))
        assert set(data) == {
            "direction",
            "roots",
            "as_of",
            "nodes",
            "links",
            "shipments",
            "receipts",
            "returns",
            "positions",
            "in_transit",
        }
        assert data["roots"] == [{"item": "ASP", "lot": "L1", "serial": None}]
        assert data["links"][0]["edge"]["kind"] == "relabel"
        shipment = data["shipments"][0]
        assert set(shipment) == {
            "transaction_id",
            "effective_at",
            "customer",
            "item",
            "lot",
            "serial",
            "quantity",
            "container",
            "refs",
        }
        assert (shipment["quantity"], shipment["refs"]) == ("2", [{"type": "SO", "number": "SO-1"}])
        assert shipment["effective_at"].endswith("+00:00")
        assert Decimal(data["in_transit"][0]["quantity"]) == 1
        assert json.loads(found.to_json(indent=2)) == data


class TestRecallRendering:
    def test_json_keys(self, shipped: sl.Inventory) -> None:
        """A recall report's JSON has its id, reason, affected lots, customers, shipments and
        stock."""
        report = shipped.recall(("ASP", "L1"), reason="sterility", recall_id="RC-1")
        data = json.loads(report.to_json())
        assert set(data) == {
            "recall_id",
            "reason",
            "as_of",
            "roots",
            "affected",
            "customers",
            "shipments",
            "returns",
            "on_hand",
            "in_transit",
        }
        assert (data["recall_id"], data["reason"], data["as_of"]) == ("RC-1", "sterility", None)
        assert [c["customer"] for c in data["customers"]] == ["C1"]
        assert set(data["customers"][0]) == {
            "customer",
            "item",
            "lot",
            "serial",
            "quantity",
            "first_shipped",
            "last_shipped",
            "documents",
        }
        assert data["customers"][0]["documents"] == ["SO:SO-1"]
        assert [a["lot"] for a in data["affected"]] == ["L1", "L2"]

    def test_table(self, shipped: sl.Inventory) -> None:
        """A recall report renders its title, affected lots, customers, stock and shipments."""
        report = shipped.recall(("ASP", "L1"), reason="sterility", recall_id="RC-1")
        table = report.to_table()
        lines = table.splitlines()
        assert lines[0] == "Recall RC-1: sterility"
        assert lines[2] == "Affected: ASP lot L1, ASP lot L2"
        assert header(table, "customer") == [
            "customer",
            "item",
            "lot/serial",
            "qty",
            "first",
            "shipped",
            "last",
            "shipped",
            "documents",
        ]
        assert any(
            line.split() == ["C1", "ASP", "L2", "2", "2026-03-02", "2026-03-02", "SO:SO-1"]
            for line in lines
        )
        assert header(table, "shipped")[0] == "shipped"
        assert header(table, "location")[0] == "location"

    def test_as_of_is_rendered(self, shipped: sl.Inventory, clock: sl.FixedClock) -> None:
        """A recall as of a time reports that time in its JSON."""
        at = clock.now()
        data = json.loads(shipped.recall(("ASP", "L1"), reason="r", as_of=at).to_json())
        assert data["as_of"] == at.isoformat()
