"""Recall reports and traces export as workbooks with the shared column conventions."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

import stockline as sl
from stockline import errors
from stockline.reports import recall_workbook, trace_workbook
from tests.reports._scenario import fsma_food_chain

D = Decimal


def recall(inv: sl.Inventory) -> sl.RecallReport:
    """Recall the flour lot F-101 of the food chain."""
    return inv.recall(("WHEAT", "F-101"), reason="foreign body in flour")


class TestRecallWorkbook:
    def test_tables_and_columns(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """A recall exports its lots, customers, shipments, on-hand and in-transit stock."""
        fsma_food_chain(inv, clock)
        book = inv.reports.workbook(recall(inv))
        assert [t.key for t in book] == ["lots", "customers", "shipments", "on_hand", "in_transit"]
        assert book["customers"].headers == [
            "Customer",
            "Customer Name",
            "SKU",
            "Product Description",
            "Lot",
            "Serial",
            "Quantity",
            "Unit of Measure",
            "First Shipped (UTC)",
            "Last Shipped (UTC)",
            "Reference Document Type",
            "Reference Document Number",
        ]

    def test_customers_with_names_units_and_documents(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Each customer row carries the customer's name, the product's description and unit,
        and the documents split into types and numbers like the FSMA spreadsheet."""
        fsma_food_chain(inv, clock)
        rows = inv.reports.workbook(recall(inv))["customers"].records()
        assert [(r["customer"], r["lot"], r["quantity"]) for r in rows] == [
            ("SHOP-A", "C-1", "20"),
            ("SHOP-B", "C-1", "8"),
            ("SHOP-C", "CR-1", "2"),
            ("SHOP-E", "D-1", "5"),
        ]
        first = rows[0]
        assert first["customer_name"] == "Corner Grocer Downtown"
        assert (first["product_description"], first["unit"]) == ("Sponge cake, 500 g", "each")
        assert (first["reference_document_type"], first["reference_document_number"]) == (
            "Bill of Lading; Sales Order",
            "BOL-1; SO-1",
        )
        assert first["first_shipped"] == "2026-03-02T12:00:00+00:00"

    def test_recalled_lot_is_marked_among_the_affected(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """The lots table marks the recalled lot as the one traced from."""
        fsma_food_chain(inv, clock)
        rows = inv.reports.workbook(recall(inv))["lots"].records()
        assert {(r["sku"], r["lot"]) for r in rows if r["root"]} == {("WHEAT", "F-101")}
        assert len(rows) == 4

    def test_without_an_inventory_master_data_columns_stay_empty(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """recall_workbook without an inventory has the same columns, master data left empty."""
        fsma_food_chain(inv, clock)
        report = recall(inv)
        bare, full = recall_workbook(report), inv.reports.workbook(report)
        assert [t.headers for t in bare] == [t.headers for t in full]
        assert {r["customer_name"] for r in bare["customers"].records()} == {None}

    def test_json_carries_the_recall_facts(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """The JSON document starts with the recall id, reason, roots and time of the data."""
        fsma_food_chain(inv, clock)
        report = recall(inv)
        data = json.loads(inv.reports.workbook(report).to_json())
        assert (data["recall_id"], data["reason"], data["roots"], data["as_of"]) == (
            report.recall_id,
            "foreign body in flour",
            "WHEAT lot F-101",
            None,
        )
        assert {r["location"] for r in data["in_transit"]} == {"transit/TRUCK-1"}

    def test_xlsx_has_a_sheet_per_table(
        self, inv: sl.Inventory, clock: sl.FixedClock, tmp_path: Path
    ) -> None:
        """The XLSX has one sheet per table with the same headings and typed cells."""
        openpyxl = pytest.importorskip("openpyxl")
        fsma_food_chain(inv, clock)
        book = inv.reports.workbook(recall(inv))
        book.to_xlsx(tmp_path / "recall.xlsx")
        read = openpyxl.load_workbook(tmp_path / "recall.xlsx")
        assert read.sheetnames == [t.title for t in book]
        shipments = read["Shipments"]
        assert [c.value for c in shipments[1]] == book["shipments"].headers
        assert shipments["B2"].is_date
        assert shipments["C2"].value == dt.datetime(2026, 3, 2, 12)
        assert len(list(shipments.iter_rows())) == len(book["shipments"].rows) + 1


class TestTraceWorkbook:
    def test_upstream_trace_lists_receipts_and_links(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """An upstream trace of a cake exports the links back to the raw lots and the three
        suppliers' receipts with their names; the shipments table is there and empty."""
        fsma_food_chain(inv, clock)
        book = inv.reports.workbook(inv.trace_upstream("CAKE", "C-1"))
        receipts = book["receipts"].records()
        assert {(r["supplier_name"], r["lot"], r["quantity"]) for r in receipts} == {
            ("Prairie Mill Co.", "F-101", "100"),
            ("Gulf Sugar Refining", "S-201", "40"),
            ("Hillside Egg Farm", "E-301", "120"),
        }
        links = book["links"].records()
        assert {(r["parent_lot"], r["child_lot"], r["quantity"], r["unit"]) for r in links} >= {
            ("F-101", "D-1", "60", "kilogram"),
            ("D-1", "C-1", "80", "kilogram"),
        }
        assert book["shipments"].rows == ()

    def test_csv_files_per_table(
        self, inv: sl.Inventory, clock: sl.FixedClock, tmp_path: Path
    ) -> None:
        """A trace writes one CSV per table, in table order."""
        fsma_food_chain(inv, clock)
        paths = trace_workbook(inv.trace_downstream("WHEAT", "F-101")).to_csv_dir(tmp_path)
        assert [p.stem for p in paths] == [
            "lots",
            "links",
            "shipments",
            "receipts",
            "on_hand",
            "in_transit",
        ]
        assert paths[2].read_text().splitlines()[0].startswith("Event ID,Event Date,Event Time")

    def test_event_dates_follow_the_time_zone(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Event dates are in the time zone asked for; times stay UTC."""
        fsma_food_chain(inv, clock)
        trace = inv.trace_downstream("WHEAT", "F-101")
        utc = inv.reports.workbook(trace)["shipments"].records()
        kiritimati = inv.reports.workbook(trace, timezone="Pacific/Kiritimati")["shipments"]
        assert {r["event_date"] for r in utc} == {"2026-03-02", "2026-03-03"}
        assert {r["event_date"] for r in kiritimati.records()} == {"2026-03-03", "2026-03-04"}
        assert [r["event_time"] for r in kiritimati.records()] == [r["event_time"] for r in utc]
        with pytest.raises(errors.ValidationError, match="time zone"):
            inv.reports.workbook(trace, timezone="Nowhere/Land")
