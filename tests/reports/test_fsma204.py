"""The FSMA 204 sortable spreadsheet: golden files of the food chain, and the rules that map
ledger transactions to critical tracking events and key data elements."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

import stockline as sl
from stockline import Component, Node, Output, errors
from stockline.reports import FSMA204_COLUMNS, Cte, Fsma204Report, FsmaRow
from tests.genealogy.test_food_recall import food_chain
from tests.reports._scenario import fsma_food_chain

GOLDEN = Path(__file__).parent / "golden"
REFDATA = Path("/work/shared/research/refdata/fsma204/fsma204_kdes.json")
D = Decimal
UTC = dt.UTC


def golden(name: str, text: str) -> None:
    """Assert ``text`` is the golden file ``name`` byte for byte (CRLF line ends included)."""
    path = GOLDEN / name
    assert path.exists(), f"golden file {path} is missing"
    assert path.read_bytes() == text.encode("utf-8")


def events(report: Fsma204Report) -> list[tuple[int, str, str | None, str | None, Decimal]]:
    """Rows as (event id, CTE, role, TLC, quantity)."""
    return [(r.event_id, r.cte.value, r.role, r.tlc, r.quantity) for r in report.rows]


@pytest.fixture
def site(inv: sl.Inventory) -> sl.Inventory:
    """Two sites with addresses (DC1 and DC2), a lot-tracked lettuce with a GTIN and salt
    without one, and a grower and a store as parties."""
    inv.master.update_location(
        "DC1", description="Fresh DC North", address="1 North Rd", phone="555-1"
    )
    inv.master.update_location(
        "DC2", description="Fresh DC South", address="2 South Rd", phone="555-2"
    )
    inv.add_item(
        "LETTUCE", gtin="10614141000019", description="Romaine hearts, 3 ct", tracking="lot"
    )
    inv.add_item("HEAD", description="Romaine heads, field run", unit="KGM")
    inv.add_item("SALAD", description="Chopped romaine, 1 lb bag", tracking="lot")
    inv.add_party("GROWER", kind="supplier", name="Green Acres", address="Farm Rd", phone="555-3")
    inv.add_party("STORE", kind="customer", name="Corner Store", address="Main St", phone="555-4")
    return inv


class TestGoldenFoodChain:
    def test_every_event_of_the_food_chain(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """The spreadsheet of the whole food chain is the golden file: receipts, both
        production steps (one row per input lot and per output lot), the pallet shipment as
        one row per lot, the shipments to five customers and the load onto a truck (no
        recipient yet: still in transit); holds, packing and moves inside the plant are not
        events."""
        fsma_food_chain(inv, clock)
        golden("food_chain.csv", inv.reports.fsma204().to_csv())

    def test_recall_of_the_flour_lot(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """fsma204(lots=recall.affected) gives the events of the recalled lot and of every
        lot made from it, each transformation in full (the sugar and egg inputs of the cakes
        too), and nothing of the lots the recall does not reach."""
        fsma_food_chain(inv, clock)
        report = inv.recall(("WHEAT", "F-101"), reason="foreign body in flour")
        golden("food_chain_recall_F-101.csv", inv.reports.fsma204(lots=report.affected).to_csv())

    def test_the_golden_file_is_sorted_by_event_date_then_tlc(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Rows come sorted by event date, then traceability lot code, then time."""
        fsma_food_chain(inv, clock)
        rows = inv.reports.fsma204().rows
        keys = [(r.event_date, r.tlc, r.event_at) for r in rows]
        assert keys == sorted(keys)
        assert len({r.event_date for r in rows}) == 2

    def test_complete_master_data_leaves_only_the_cakes_still_on_the_truck_as_a_gap(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """With items, parties, the site and the received lots described, the only gap is
        the recipient of the cakes still on the truck (not received anywhere yet); the
        truck itself is a transporter, never a location description to fill."""
        fsma_food_chain(inv, clock)
        assert [(g.kde, g.subject) for g in inv.reports.fsma204().gaps] == [
            ("ship_to_location", "CAKE/C-1 in event 24")
        ]


class TestCriticalTrackingEvents:
    def test_receipt_is_receiving_with_the_previous_source_and_the_receive_site(
        self, site: sl.Inventory
    ) -> None:
        """A receipt is a Receiving row: the supplier is the immediate previous source
        (ship-from), the site the dock belongs to is where it was received (ship-to)."""
        site.receive(
            "LETTUCE",
            40,
            lot="R1",
            dst="DC1/DOCK",
            supplier="GROWER",
            ref="PO-7",
            refs={"ASN": "A7"},
        )
        (row,) = site.reports.fsma204().rows
        assert row.cte is Cte.RECEIVING
        assert row.tlc == "(01)10614141000019(10)R1"
        assert (row.ship_from and row.ship_from.name, row.ship_to and row.ship_to.name) == (
            "Green Acres",
            "Fresh DC North",
        )
        assert [(d.type, d.number) for d in row.documents] == [("PO", "PO-7"), ("ASN", "A7")]

    def test_shipment_is_shipping_to_the_customer(self, site: sl.Inventory) -> None:
        """A shipment is a Shipping row from the site to the customer (the immediate
        subsequent recipient)."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        site.ship("LETTUCE", 15, lot="R1", src="DC1/DOCK", customer="STORE", ref="SO-1")
        row = site.reports.fsma204().rows[-1]
        assert (row.cte, row.quantity) == (Cte.SHIPPING, D(15))
        assert row.ship_from is not None
        assert row.ship_from.address == "1 North Rd"
        assert row.ship_to is not None
        assert row.ship_to.name == "Corner Store"

    def test_transfer_between_sites_is_shipping_and_receiving(self, site: sl.Inventory) -> None:
        """A move from one site to another is both a Shipping and a Receiving row of the same
        event; a move inside one site is no event at all."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        site.move("LETTUCE", 10, lot="R1", src="DC1/DOCK", dst="DC1/A/01")
        moved = site.move("LETTUCE", 5, lot="R1", src="DC1/A/01", dst="DC2/DOCK")
        rows = [r for r in site.reports.fsma204().rows if r.event_id == moved.id]
        assert [(r.cte, r.quantity) for r in rows] == [
            (Cte.SHIPPING, D(5)),
            (Cte.RECEIVING, D(5)),
        ]
        for row in rows:
            assert row.ship_from is not None
            assert row.ship_from.name == "Fresh DC North"
            assert row.ship_to is not None
            assert row.ship_to.name == "Fresh DC South"
        assert len(site.reports.fsma204().rows) == 3

    def test_customer_return_is_receiving_from_the_customer(self, site: sl.Inventory) -> None:
        """Stock coming back from a customer is received from that customer."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        site.ship("LETTUCE", 15, lot="R1", src="DC1/DOCK", customer="STORE")
        back = site.post(
            sl.NewTransaction(
                kind=sl.TxKind.RECEIPT,
                counterparty="STORE",
                movements=(
                    sl.Movement(
                        item="LETTUCE",
                        lot="R1",
                        quantity=D(3),
                        src=sl.Position(location="customers/STORE"),
                        dst=sl.Position(location="DC1/DOCK"),
                    ),
                ),
            )
        )
        row = next(r for r in site.reports.fsma204().rows if r.event_id == back.id)
        assert row.cte is Cte.RECEIVING
        assert row.ship_from is not None
        assert row.ship_from.name == "Corner Store"

    def test_production_is_one_transformation_row_per_input_and_output_lot(
        self, site: sl.Inventory
    ) -> None:
        """A production with lot inputs is a Transformation: one input row per lot used, with
        the quantity used from it, and one output row per new lot, all with the event id."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        site.receive("LETTUCE", 40, lot="R2", dst="DC1/DOCK", supplier="GROWER")
        made = site.produce(
            consume=[
                Component(sku="LETTUCE", quantity=10, location="DC1/DOCK", lot="R1"),
                Component(sku="LETTUCE", quantity=4, location="DC1/DOCK", lot="R2"),
            ],
            output=[Output(sku="SALAD", quantity=20, location="DC1/A/01", lot="S1")],
            ref="WO-9",
        )
        rows = [r for r in site.reports.fsma204().rows if r.event_id == made.id]
        assert {(r.role, r.lot, r.quantity) for r in rows} == {
            ("input", "R1", D(10)),
            ("input", "R2", D(4)),
            ("output", "S1", D(20)),
        }
        assert {r.cte for r in rows} == {Cte.TRANSFORMATION}
        output = next(r for r in rows if r.role == "output")
        assert output.tlc == "SALAD/S1"
        assert output.tlc_source is not None
        assert output.tlc_source.name == "Fresh DC North"

    def test_packing_untracked_produce_into_a_new_lot_is_initial_packing(
        self, site: sl.Inventory
    ) -> None:
        """When no input of a production carries a lot code (field-run heads received in
        bulk), the lot made gets its first traceability lot code here: Initial packing, with
        the packing site as the TLC source, no input rows, and a gap for the harvest it
        cannot name."""
        site.receive("HEAD", 500, dst="DC1/DOCK", supplier="GROWER")
        packed = site.produce(
            consume=[Component(sku="HEAD", quantity=480, location="DC1/DOCK")],
            output=[Output(sku="LETTUCE", quantity=160, location="DC1/A/01", lot="P1")],
        )
        rows = [r for r in site.reports.fsma204().rows if r.event_id == packed.id]
        assert [(r.cte, r.role, r.lot, r.quantity) for r in rows] == [
            (Cte.INITIAL_PACKING, "output", "P1", D(160))
        ]
        assert [(g.kde, g.subject) for g in site.reports.fsma204().gaps] == [
            ("harvest_farm_location", f"LETTUCE/P1 in event {packed.id}")
        ]
        assert rows[0].tlc_source is not None
        assert rows[0].tlc_source.name == "Fresh DC North"

    def test_relabel_is_a_transformation_to_a_new_tlc(self, site: sl.Inventory) -> None:
        """Putting a new lot code on stock assigns a new TLC: a transformation."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        tx = site.genealogy.relabel("LETTUCE", 10, lot="R1", new_lot="R1-B", location="DC1/DOCK")
        rows = [(r.cte, r.role, r.lot) for r in site.reports.fsma204().rows if r.event_id == tx.id]
        assert rows == [
            (Cte.TRANSFORMATION, "input", "R1"),
            (Cte.TRANSFORMATION, "output", "R1-B"),
        ]

    def test_reversed_shipment_and_its_reversal_are_not_events(self, site: sl.Inventory) -> None:
        """A shipment reversed in the ledger did not happen: neither it nor the reversal is a
        row."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        shipped = site.ship("LETTUCE", 15, lot="R1", src="DC1/DOCK", customer="STORE")
        site.reverse(shipped.id, reason="keyed twice")
        assert [r.cte for r in site.reports.fsma204().rows] == [Cte.RECEIVING]

    def test_untracked_items_are_not_traced(self, site: sl.Inventory) -> None:
        """Items without lots have no traceability lot code: no row, and no gap either."""
        site.receive("BOLT", 5, dst="DC1/DOCK", supplier="GROWER")
        report = site.reports.fsma204()
        assert (report.rows, report.gaps) == ((), ())


class TestKeyDataElements:
    def test_tlc_source_of_a_received_lot_is_the_reference_its_shipper_sent(
        self, site: sl.Inventory
    ) -> None:
        """A received lot's TLC source is not known here: the row gives the TLC source
        reference recorded on the lot, and no source location."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        site.master.update_lot("LETTUCE", "R1", tlc_source_reference="https://grower.example/tlc")
        (row,) = site.reports.fsma204().rows
        assert (row.tlc_source, row.tlc_source_reference) == (None, "https://grower.example/tlc")

    @pytest.mark.parametrize(
        ("ffrn", "gln", "own", "expected"),
        [
            ("12345678901", "0614141000012", None, "FFRN 12345678901"),
            (None, "0614141000012", None, "GLN 0614141000012"),
            ("12345678901", None, "URL https://x.example", "URL https://x.example"),
            (None, None, None, None),
        ],
    )
    def test_tlc_source_reference_of_a_lot_made_here(
        self,
        site: sl.Inventory,
        ffrn: str | None,
        gln: str | None,
        own: str | None,
        expected: str | None,
    ) -> None:
        """A lot made here is referenced by its own recorded reference, else the making
        site's FDA Food Facility Registration Number, else its GLN."""
        site.master.update_location("DC1", ffrn=ffrn, gln=gln)
        site.receive("HEAD", 500, dst="DC1/DOCK", supplier="GROWER")
        site.produce(
            consume=[Component(sku="HEAD", quantity=480, location="DC1/DOCK")],
            output=[Output(sku="LETTUCE", quantity=160, location="DC1/A/01", lot="P1")],
        )
        if own is not None:
            site.master.update_lot("LETTUCE", "P1", tlc_source_reference=own)
        (row,) = site.reports.fsma204().rows
        assert row.tlc_source_reference == expected

    def test_location_description_comes_from_the_nearest_location_with_an_address(
        self, site: sl.Inventory
    ) -> None:
        """A bin's location description is its site's: the nearest location up the tree with
        an address (a building inside a campus can have its own)."""
        site.add_location("DC1/COLD/01")
        site.master.update_location("DC1/COLD", description="Cold store", address="1b North Rd")
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/COLD/01", supplier="GROWER")
        site.receive("LETTUCE", 40, lot="R2", dst="DC1/A/01", supplier="GROWER")
        names = {r.lot: r.ship_to and r.ship_to.name for r in site.reports.fsma204().rows}
        assert names == {"R1": "Cold store", "R2": "Fresh DC North"}

    def test_event_date_is_in_the_report_time_zone(
        self, site: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """The event date is the local date of the site's time zone; the time stays UTC."""
        at = dt.datetime(2026, 3, 3, 2, 30, tzinfo=UTC)
        clock.advance(days=1)
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER", effective_at=at)
        (utc_row,) = site.reports.fsma204().rows
        (local_row,) = site.reports.fsma204(timezone="America/Chicago").rows
        assert (utc_row.event_date, local_row.event_date) == (
            dt.date(2026, 3, 3),
            dt.date(2026, 3, 2),
        )
        assert local_row.event_at == at

    def test_units_are_written_out(self, site: sl.Inventory) -> None:
        """The unit column gives the unit's name, not its UN/ECE Rec 20 code."""
        site.add_item("SPINACH", description="Baby spinach", unit="LBR", tracking="lot")
        site.receive("SPINACH", "12.5", lot="B1", dst="DC1/DOCK", supplier="GROWER")
        (record,) = site.reports.fsma204().table.records()
        assert (record["quantity"], record["unit"]) == ("12.5", "pound")

    def test_event_without_documents_names_the_ledger_record(self, site: sl.Inventory) -> None:
        """An event posted without business documents gives the ledger transaction as its
        reference document (a database record)."""
        tx = site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        (record,) = site.reports.fsma204().table.records()
        assert (record["reference_document_type"], record["reference_document_number"]) == (
            "Database record (ledger transaction)",
            str(tx.id),
        )


class TestFilters:
    def test_lots_gives_exactly_those_lots_outside_transformations(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Naming one lot gives its receipts and shipments only, even where a transaction
        also moved other lots; its transformations come whole."""
        fsma_food_chain(inv, clock)
        report = inv.reports.fsma204(lots=[("SUGAR", "S-201")])
        assert {(r.cte.value, r.role, r.lot) for r in report.rows} == {
            ("receiving", None, "S-201"),
            ("transformation", "input", "S-201"),
            ("transformation", "input", "D-1"),
            ("transformation", "output", "C-1"),
            ("transformation", "output", "CR-1"),
        }

    def test_lots_accept_nodes_and_tuples_alike(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A lot may be named as ("SKU", "LOT") or as a Node; a serial node counts as its lot."""
        fsma_food_chain(inv, clock)
        assert events(inv.reports.fsma204(lots=[("CAKE", "C-2")])) == events(
            inv.reports.fsma204(lots=[Node(item="CAKE", lot="C-2", serial="X")])
        )

    def test_items_keeps_only_those_foods(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """items= keeps the rows of the listed SKUs (the foods on the Food Traceability List)."""
        fsma_food_chain(inv, clock)
        assert {r.sku for r in inv.reports.fsma204(items=["EGGS", "CAKE"]).rows} == {"EGGS", "CAKE"}

    def test_since_and_until_bound_the_event_time(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """since and until are inclusive bounds on when an event happened."""
        chain = fsma_food_chain(inv, clock)
        at = chain.baked.effective_at
        rows = inv.reports.fsma204(since=at, until=at).rows
        assert {r.event_id for r in rows} >= {chain.baked.id}
        assert {r.event_at for r in rows} == {at}

    def test_dates_cover_whole_days_in_the_time_zone(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A date as since/until means that whole day in the report's time zone."""
        fsma_food_chain(inv, clock)
        day = dt.date(2026, 3, 3)
        assert [r.event_id for r in inv.reports.fsma204(since=day, until=day).rows] == [23, 24]
        # 2 March in Auckland (UTC+13) ends at 10:59 UTC: the 12:00 shipments are not in it.
        rows = inv.reports.fsma204(
            since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 2), timezone="Pacific/Auckland"
        ).rows
        assert rows
        assert max(r.event_at for r in rows) == dt.datetime(2026, 3, 2, 10, tzinfo=UTC)
        assert {r.event_date for r in rows} == {dt.date(2026, 3, 2)}

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"lots": [("CAKE", "NOPE")]}, errors.UnknownLotError),
            ({"lots": [("NOPE", "C-1")]}, errors.UnknownItemError),
            ({"items": ["NOPE"]}, errors.UnknownItemError),
            ({"lots": [Node(item="CAKE", serial="S1")]}, errors.ValidationError),
            ({"lots": ["CAKE/C-1"]}, errors.ValidationError),
            ({"timezone": "Mars/Olympus"}, errors.ValidationError),
            ({"since": dt.date(2026, 3, 4), "until": dt.date(2026, 3, 3)}, errors.ValidationError),
            ({"since": dt.datetime(2026, 3, 3)}, errors.InvalidTimeError),
            ({"until": "2026-03-03"}, errors.ValidationError),
        ],
    )
    def test_bad_requests_are_refused(
        self, inv: sl.Inventory, clock: sl.FixedClock, kwargs: dict[str, object], error: type
    ) -> None:
        """Unknown lots or items, a lot without a code, a bad time zone, an empty period and
        naive or non-time bounds raise a clear error."""
        fsma_food_chain(inv, clock)
        with pytest.raises(error):
            inv.reports.fsma204(**kwargs)  # type: ignore[arg-type]


class TestGaps:
    def test_missing_master_data_is_listed_once_each(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Without FSMA master data every missing fact is a gap, once per thing that lacks
        it, each saying how to record it; the rows are still written."""
        food_chain(inv, clock)
        report = inv.reports.fsma204()
        assert len(report.rows) == 23
        gaps = {(g.kde, g.subject) for g in report.gaps}
        assert {s for k, s in gaps if k == "product_description"} == {
            f"item {sku}" for sku in ("WHEAT", "SUGAR", "EGGS", "DOUGH", "CAKE", "CRUMBS")
        }
        assert {s for k, s in gaps if k == "tlc_source_reference"} == {
            "WHEAT/F-101",
            "WHEAT/F-102",
            "SUGAR/S-201",
            "EGGS/E-301",
        }
        assert {s for k, s in gaps if k == "location_description"} == {
            "location PLANT",
            *(f"supplier {s}" for s in ("MILL", "SUGARCO", "FARM")),
            *(f"customer SHOP-{c}" for c in "ABCDE"),
        }
        assert len(gaps) == len(report.gaps)
        fixes = {g.subject: g.message for g in report.gaps}
        assert "as the lot's tlc_source_reference" in fixes["WHEAT/F-101"]
        assert "1.1345(a)(7)" in fixes["WHEAT/F-101"]
        assert "as the item's description" in fixes["item CAKE"]
        assert "address and phone of location PLANT" in fixes["location PLANT"]
        assert "address and phone of supplier MILL in its party" in fixes["supplier MILL"]

    def test_lot_tracked_stock_moved_without_a_lot_is_a_gap(self, site: sl.Inventory) -> None:
        """A serial-tracked food moved without a lot code has no TLC: a gap, not a row."""
        site.add_item("MELON", description="Melon", tracking="serial")
        site.receive("MELON", serial="M1", dst="DC1/DOCK", supplier="GROWER")
        report = site.reports.fsma204()
        assert report.rows == ()
        assert [(g.kde, g.subject) for g in report.gaps] == [("tlc", "item MELON")]


class TestOutput:
    def test_csv_to_a_path_and_to_an_open_file(
        self, inv: sl.Inventory, clock: sl.FixedClock, tmp_path: Path
    ) -> None:
        """to_csv writes the same text to a path, to an open file, and returns it."""
        fsma_food_chain(inv, clock)
        report = inv.reports.fsma204(lots=[("CAKE", "C-2")])
        text = report.to_csv(tmp_path / "fsma.csv")
        buffer = io.StringIO()
        assert report.to_csv(buffer) == text == buffer.getvalue()
        assert (tmp_path / "fsma.csv").read_bytes() == text.encode()

    def test_json_carries_the_request_the_rows_and_the_gaps(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """to_json gives what was asked for, one object per row keyed by column, and gaps."""
        fsma_food_chain(inv, clock)
        data = json.loads(inv.reports.fsma204(lots=[("CAKE", "C-2")], timezone="UTC").to_json())
        assert (data["lots"], data["timezone"], data["since"]) == ("CAKE/C-2", "UTC", None)
        assert list(data["fsma204"][0]) == [c.key for c in FSMA204_COLUMNS]
        assert data["fsma204"][0]["quantity"] == "20"
        assert data["gaps"] == []

    def test_xlsx_reads_back_with_typed_cells(
        self, inv: sl.Inventory, clock: sl.FixedClock, tmp_path: Path
    ) -> None:
        """The XLSX has the spreadsheet (bold frozen header, autofilter, real dates, numbers,
        text kept as text) and a glossary of every column."""
        openpyxl = pytest.importorskip("openpyxl")
        fsma_food_chain(inv, clock)
        report = inv.reports.fsma204()
        report.to_xlsx(tmp_path / "fsma.xlsx")
        book = openpyxl.load_workbook(tmp_path / "fsma.xlsx")
        assert book.sheetnames == ["FSMA 204", "Glossary"]
        sheet = book["FSMA 204"]
        header = [c.value for c in sheet[1]]
        assert header == [c.header for c in FSMA204_COLUMNS]
        assert all(c.font.b for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(len(FSMA204_COLUMNS))
        assert sheet.auto_filter.ref == f"A1:{last}{len(report.rows) + 1}"
        first = dict(zip(header, sheet[2], strict=True))
        row: FsmaRow = report.rows[0]
        assert first["Event ID"].value == row.event_id
        assert first["Event Date"].is_date
        assert first["Event Date"].value == dt.datetime.combine(row.event_date, dt.time())
        assert first["Event Time (UTC)"].value == row.event_at.replace(tzinfo=None)
        assert first["Quantity"].data_type == "n"
        assert first["Quantity"].value == row.quantity
        assert first["Ship-From Phone"].value == "+1 785 555 0140"
        assert first["Ship-From Phone"].data_type == "s"
        assert sheet.column_dimensions["I"].width > len("Product Description")
        glossary = [tuple(c.value for c in r) for r in book["Glossary"].iter_rows(min_row=2)]
        assert [g[0] for g in glossary] == header
        assert all(g[1] for g in glossary)


class TestGlossary:
    def test_citations_are_those_of_the_rule(self) -> None:
        """Every CFR paragraph the glossary cites is a KDE or a CTE of the rule (the KDE
        table in the reference data, read at test time), and every KDE of all seven critical
        tracking events is cited by a column."""
        if not REFDATA.exists():
            pytest.skip(f"reference data {REFDATA} is not on this machine")
        rule = json.loads(REFDATA.read_text())
        kdes = {k["cfr"]: cte["cte"] for cte in rule["ctes"] for k in cte["kdes"]}
        ctes = {cte["cfr"].removeprefix("21 CFR ") for cte in rule["ctes"]}
        ctes |= {c.split("(")[0] for c in ctes}
        text = " ".join(c.description for c in FSMA204_COLUMNS)
        cited = set(re.findall(r"1\.13[2-5]\d(?:\([a-z]\))?(?:\(\d+\))?(?:\([ivx]+\))?", text))
        assert len(rule["ctes"]) == 7
        assert cited - set(kdes) - ctes <= {"1.1350(a)(1)", "1.1350(a)(2)", "1.1320"}
        for cfr, cte in kdes.items():
            assert cfr in cited, f"KDE {cfr} of {cte} has no column"


def leg(
    inv: sl.Inventory,
    quantity: int,
    src: str,
    dst: str,
    *,
    kind: sl.TxKind = sl.TxKind.TRANSFER,
    counterparty: str | None = None,
    lot: str = "R1",
    at: dt.datetime | None = None,
) -> sl.Transaction:
    """Post one movement of lettuce between any two locations (in and out of transit)."""
    return inv.post(
        sl.NewTransaction(
            kind=kind,
            counterparty=counterparty,
            effective_at=at,
            movements=(
                sl.Movement(
                    item="LETTUCE",
                    lot=lot,
                    quantity=D(quantity),
                    src=sl.Position(location=src),
                    dst=sl.Position(location=dst),
                ),
            ),
        )
    )


def ends(report: Fsma204Report, event: int) -> list[tuple[str, str | None, str | None, Decimal]]:
    """The rows of one event as (CTE, ship-from name, ship-to name, quantity)."""
    return [
        (
            r.cte.value,
            None if r.ship_from is None else r.ship_from.name,
            None if r.ship_to is None else r.ship_to.name,
            r.quantity,
        )
        for r in report.rows
        if r.event_id == event
    ]


@pytest.fixture
def trucks(site: sl.Inventory) -> sl.Inventory:
    """The two-site fixture with a third site DC3, two trucks (transit locations), 40
    lettuce R1 received at DC1, and lots R7-R9 known; every lot has its TLC source reference
    so the only gaps are those of transit."""
    site.add_location("DC3/DOCK")
    site.master.update_location(
        "DC3", description="Fresh DC East", address="3 East Rd", phone="555-5"
    )
    site.add_location("TRUCKS/T1", kind="transit")
    site.add_location("TRUCKS/T2", kind="transit")
    site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
    site.master.update_lot("LETTUCE", "R1", tlc_source_reference="https://grower.example/tlc")
    for lot in ("R7", "R8", "R9"):
        site.add_lot("LETTUCE", lot, tlc_source_reference="https://grower.example/tlc")
    return site


class TestTransit:
    def test_a_transfer_through_a_truck_names_the_two_sites_not_the_truck(
        self, trucks: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """21 CFR 1.1340(a)(4)/1.1345(a)(4) ask for the recipient and the previous source
        "other than a transporter": loading onto a transit location is Shipping to the site
        the stock is unloaded at, the unload is Receiving from the site it was loaded at,
        and the truck asks for no location description."""
        clock.advance(hours=1)
        load = trucks.move("LETTUCE", 10, lot="R1", src="DC1/DOCK", dst="TRUCKS/T1", ref="BOL-1")
        clock.advance(hours=3)
        unload = trucks.move("LETTUCE", 10, lot="R1", src="TRUCKS/T1", dst="DC2/DOCK")
        report = trucks.reports.fsma204()
        assert ends(report, load.id) == [("shipping", "Fresh DC North", "Fresh DC South", D(10))]
        assert ends(report, unload.id) == [("receiving", "Fresh DC North", "Fresh DC South", D(10))]
        assert report.gaps == ()

    def test_stock_still_in_transit_has_no_recipient_yet_and_a_gap_says_so(
        self, trucks: sl.Inventory
    ) -> None:
        """A load not yet received anywhere is Shipping with an empty ship-to and a gap
        saying it is still in transit; the receipt, once posted, names the recipient."""
        load = trucks.move("LETTUCE", 10, lot="R1", src="DC1/DOCK", dst="TRUCKS/T1")
        report = trucks.reports.fsma204()
        assert ends(report, load.id) == [("shipping", "Fresh DC North", None, D(10))]
        (gap,) = report.gaps
        assert (gap.kde, gap.subject) == ("ship_to_location", f"LETTUCE/R1 in event {load.id}")
        assert "has not been received anywhere yet" in gap.message
        trucks.move("LETTUCE", 10, lot="R1", src="TRUCKS/T1", dst="DC2/DOCK")
        assert ends(trucks.reports.fsma204(), load.id)[0][2] == "Fresh DC South"
        assert trucks.reports.fsma204().gaps == ()

    def test_loads_and_unloads_pair_first_in_first_out_by_time(
        self, trucks: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """What leaves a truck is what was loaded first (by effective time, a back-dated
        load included): one load can go to several recipients and one unload come from
        several sites, each a row with its quantity; a delivery from the truck straight to
        a customer makes the customer the load's recipient."""
        start = clock.now()
        trucks.receive("LETTUCE", 20, lot="R1", dst="DC3/DOCK", supplier="GROWER")
        clock.advance(hours=2)
        from_dc1 = trucks.move("LETTUCE", 10, lot="R1", src="DC1/DOCK", dst="TRUCKS/T1")
        from_dc3 = trucks.move(
            "LETTUCE",
            5,
            lot="R1",
            src="DC3/DOCK",
            dst="TRUCKS/T1",
            effective_at=start + dt.timedelta(hours=1),
        )
        clock.advance(hours=1)
        unload = trucks.move("LETTUCE", 12, lot="R1", src="TRUCKS/T1", dst="DC2/DOCK")
        clock.advance(hours=1)
        leg(
            trucks,
            3,
            "TRUCKS/T1",
            "customers/STORE",
            kind=sl.TxKind.SHIPMENT,
            counterparty="STORE",
        )
        report = trucks.reports.fsma204()
        assert sorted(ends(report, from_dc3.id)) == [
            ("shipping", "Fresh DC East", "Fresh DC South", D(5))
        ]
        assert sorted(ends(report, from_dc1.id)) == [
            ("shipping", "Fresh DC North", "Corner Store", D(3)),
            ("shipping", "Fresh DC North", "Fresh DC South", D(7)),
        ]
        assert sorted(ends(report, unload.id)) == [
            ("receiving", "Fresh DC East", "Fresh DC South", D(5)),
            ("receiving", "Fresh DC North", "Fresh DC South", D(7)),
        ]
        assert report.gaps == ()

    def test_stock_is_followed_from_truck_to_truck(self, trucks: sl.Inventory) -> None:
        """A cross-dock from one transit location to another is followed to the end: the
        load names the final site, the unload the first one."""
        load = trucks.move("LETTUCE", 8, lot="R1", src="DC1/DOCK", dst="TRUCKS/T1")
        trucks.move("LETTUCE", 8, lot="R1", src="TRUCKS/T1", dst="TRUCKS/T2")
        unload = trucks.move("LETTUCE", 8, lot="R1", src="TRUCKS/T2", dst="DC2/DOCK")
        report = trucks.reports.fsma204()
        assert ends(report, load.id) == [("shipping", "Fresh DC North", "Fresh DC South", D(8))]
        assert ends(report, unload.id) == [("receiving", "Fresh DC North", "Fresh DC South", D(8))]

    def test_a_round_trip_back_to_the_same_site_is_no_event(self, trucks: sl.Inventory) -> None:
        """Stock loaded and unloaded again at the same site never left it: no Shipping and
        no Receiving row."""
        trucks.move("LETTUCE", 8, lot="R1", src="DC1/DOCK", dst="TRUCKS/T1")
        trucks.move("LETTUCE", 8, lot="R1", src="TRUCKS/T1", dst="DC1/A/01")
        report = trucks.reports.fsma204()
        assert [r.cte for r in report.rows] == [Cte.RECEIVING]
        assert report.gaps == ()

    def test_a_pickup_at_the_supplier_is_received_from_the_supplier(
        self, trucks: sl.Inventory
    ) -> None:
        """Stock our own truck collected from a supplier is received from that supplier."""
        leg(trucks, 6, "suppliers/GROWER", "TRUCKS/T1", counterparty="GROWER", lot="R9")
        unload = leg(trucks, 6, "TRUCKS/T1", "DC2/DOCK", lot="R9")
        assert ends(trucks.reports.fsma204(), unload.id) == [
            ("receiving", "Green Acres", "Fresh DC South", D(6))
        ]

    def test_an_unload_without_a_load_names_its_supplier_or_is_a_gap(
        self, trucks: sl.Inventory
    ) -> None:
        """A receipt out of transit whose load was never posted comes from the receipt's
        counterparty when it names a party; without one, the previous source is a gap
        (never the truck)."""
        named = leg(trucks, 4, "TRUCKS/T1", "DC2/DOCK", counterparty="GROWER", lot="R7")
        unnamed = leg(trucks, 3, "TRUCKS/T2", "DC2/DOCK", lot="R8")
        report = trucks.reports.fsma204()
        assert ends(report, named.id) == [("receiving", "Green Acres", "Fresh DC South", D(4))]
        assert ends(report, unnamed.id) == [("receiving", None, "Fresh DC South", D(3))]
        assert [(g.kde, g.subject) for g in report.gaps] == [
            ("ship_from_location", f"LETTUCE/R8 in event {unnamed.id}")
        ]

    def test_a_reversed_unload_puts_the_stock_back_in_transit(self, trucks: sl.Inventory) -> None:
        """A reversed receipt out of transit did not happen: the load has no recipient."""
        load = trucks.move("LETTUCE", 5, lot="R1", src="DC1/DOCK", dst="TRUCKS/T1")
        unload = trucks.move("LETTUCE", 5, lot="R1", src="TRUCKS/T1", dst="DC2/DOCK")
        trucks.reverse(unload.id, reason="wrong dock")
        report = trucks.reports.fsma204()
        assert ends(report, load.id) == [("shipping", "Fresh DC North", None, D(5))]
        assert ends(report, unload.id) == []
        assert [g.kde for g in report.gaps] == ["ship_to_location"]

    def test_the_recipient_is_named_even_when_received_after_the_period(
        self, trucks: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """The period bounds which events are rows, not what the ledger knows about them: a
        shipment in the period names a recipient that received it after the period."""
        load = trucks.move("LETTUCE", 5, lot="R1", src="DC1/DOCK", dst="TRUCKS/T1")
        clock.advance(days=2)
        trucks.move("LETTUCE", 5, lot="R1", src="TRUCKS/T1", dst="DC2/DOCK")
        report = trucks.reports.fsma204(until=load.effective_at)
        assert ends(report, load.id) == [("shipping", "Fresh DC North", "Fresh DC South", D(5))]

    def test_a_loss_in_transit_has_no_recipient(self, trucks: sl.Inventory) -> None:
        """Stock written off on the truck reached no recipient: its Shipping row has no
        ship-to, and a gap says where it went."""
        load = trucks.move("LETTUCE", 5, lot="R1", src="DC1/DOCK", dst="TRUCKS/T1")
        trucks.move("LETTUCE", 2, lot="R1", src="TRUCKS/T1", dst="DC2/DOCK")
        trucks.scrap("LETTUCE", 3, lot="R1", location="TRUCKS/T1", reason="crushed")
        report = trucks.reports.fsma204()
        assert sorted(ends(report, load.id), key=str) == [
            ("shipping", "Fresh DC North", "Fresh DC South", D(2)),
            ("shipping", "Fresh DC North", None, D(3)),
        ]
        (gap,) = report.gaps
        assert "not a recipient" in gap.message


class TestSelection:
    def test_an_empty_selection_gives_no_rows(self, site: sl.Inventory) -> None:
        """Only None means "every lot" or "every item": an empty lots or items (an upstream
        filter that kept nothing) gives no rows and no gaps, and the report says which."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        site.add_item("MELON", description="Melon", tracking="serial")
        site.receive("MELON", serial="M1", dst="DC1/DOCK", supplier="GROWER")
        for report in (site.reports.fsma204(lots=[]), site.reports.fsma204(items=[])):
            assert (report.rows, report.gaps) == ((), ())
        assert (site.reports.fsma204(lots=[]).lots, site.reports.fsma204().lots) == ((), None)
        assert (site.reports.fsma204(items=[]).items, site.reports.fsma204().items) == ((), None)
        assert json.loads(site.reports.fsma204().to_json())["lots"] is None
        assert len(site.reports.fsma204().rows) == 1

    @pytest.mark.parametrize(
        "kwargs", [{"items": "LETTUCE"}, {"lots": Node(item="LETTUCE", lot="R1")}]
    )
    def test_one_string_or_node_instead_of_a_collection_is_refused(
        self, site: sl.Inventory, kwargs: dict[str, object]
    ) -> None:
        """items="LETTUCE" would be read letter by letter: it is refused with a clear
        error, as is a single Node for lots."""
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        with pytest.raises(errors.ValidationError, match=r"must be a collection"):
            site.reports.fsma204(**kwargs)  # type: ignore[arg-type]

    def test_gaps_are_those_of_the_selected_items_and_lots(self, site: sl.Inventory) -> None:
        """A gap of goods left out by items= or lots= (a serial-tracked pump moved without a
        lot code, an item without a description) is not in the report."""
        site.add_item("PUMP2", tracking="serial")
        site.receive("PUMP2", serial="S1", dst="DC1/DOCK", supplier="GROWER")
        site.add_item("KALE", tracking="lot")
        site.receive("KALE", 5, lot="K1", dst="DC1/DOCK", supplier="GROWER")
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        site.master.update_lot("LETTUCE", "R1", tlc_source_reference="https://grower.example/tlc")
        everything = {(g.kde, g.subject) for g in site.reports.fsma204().gaps}
        assert {("tlc", "item PUMP2"), ("product_description", "item KALE")} <= everything
        assert site.reports.fsma204(items=["LETTUCE"]).gaps == ()
        assert site.reports.fsma204(lots=[("LETTUCE", "R1")]).gaps == ()


class TestInitialPacking:
    def test_lot_coded_packaging_does_not_make_packing_a_transformation(
        self, site: sl.Inventory
    ) -> None:
        """With items= naming the foods, a production none of whose food inputs has a lot
        code is Initial packing (21 CFR 1.1330), even when a non-food input (bag film) is
        lot-tracked; without items= every input counts as food, so it is a Transformation
        with the film as its input row."""
        site.add_item("FILM", description="Bag film", tracking="lot")
        site.receive("HEAD", 50, dst="DC1/DOCK", supplier="GROWER")
        site.receive("FILM", 1000, lot="F1", dst="DC1/DOCK", supplier="GROWER")
        packed = site.produce(
            consume=[
                Component(sku="HEAD", quantity=50, location="DC1/DOCK"),
                Component(sku="FILM", quantity=100, lot="F1", location="DC1/DOCK"),
            ],
            output=[Output(sku="SALAD", quantity=100, lot="P1", location="DC1/A/01")],
        )
        foods = site.reports.fsma204(items=["SALAD", "LETTUCE", "HEAD"])
        assert [(r.cte, r.role, r.lot) for r in foods.rows if r.event_id == packed.id] == [
            (Cte.INITIAL_PACKING, "output", "P1")
        ]
        assert [g.kde for g in foods.gaps] == ["harvest_farm_location"]
        every = site.reports.fsma204()
        assert [(r.cte, r.role, r.lot) for r in every.rows if r.event_id == packed.id] == [
            (Cte.TRANSFORMATION, "input", "F1"),
            (Cte.TRANSFORMATION, "output", "P1"),
        ]

    def test_a_food_input_with_a_lot_code_keeps_it_a_transformation(
        self, site: sl.Inventory
    ) -> None:
        """A food input with a lot code makes a Transformation whatever else is consumed;
        items= then keeps the food rows only."""
        site.add_item("FILM", description="Bag film", tracking="lot")
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="GROWER")
        site.receive("FILM", 1000, lot="F1", dst="DC1/DOCK", supplier="GROWER")
        made = site.produce(
            consume=[
                Component(sku="LETTUCE", quantity=10, lot="R1", location="DC1/DOCK"),
                Component(sku="FILM", quantity=20, lot="F1", location="DC1/DOCK"),
            ],
            output=[Output(sku="SALAD", quantity=20, lot="S1", location="DC1/A/01")],
        )
        rows = site.reports.fsma204(items=["SALAD", "LETTUCE"]).rows
        assert [(r.cte, r.role, r.lot) for r in rows if r.event_id == made.id] == [
            (Cte.TRANSFORMATION, "input", "R1"),
            (Cte.TRANSFORMATION, "output", "S1"),
        ]


class TestPhoneNumbers:
    def test_phone_numbers_are_written_unaltered_in_csv_and_xlsx(
        self, site: sl.Inventory, tmp_path: Path
    ) -> None:
        """A phone number starting with + is not a formula: CSV and XLSX both write it as
        recorded, with no ' in front."""
        openpyxl = pytest.importorskip("openpyxl")
        site.add_party(
            "FARM", kind="supplier", name="Farm", address="1 Rd", phone="+1 831 555 0111"
        )
        site.receive("LETTUCE", 40, lot="R1", dst="DC1/DOCK", supplier="FARM")
        report = site.reports.fsma204()
        (record,) = csv.DictReader(io.StringIO(report.to_csv()))
        assert record["Ship-From Phone"] == "+1 831 555 0111"
        report.to_xlsx(tmp_path / "f.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "f.xlsx")["FSMA 204"]
        header = [c.value for c in sheet[1]]
        cell = sheet.cell(row=2, column=header.index("Ship-From Phone") + 1)
        assert (cell.value, bool(cell.quotePrefix)) == ("+1 831 555 0111", False)
