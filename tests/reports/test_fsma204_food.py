"""FSMA 204 harvesting, cooling and first land-based receiving (``inv.food``): what each
posts, the key data elements their rows carry, how harvest lots reach the initial packing,
and the gaps for what is missing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import Component, Output, errors
from stockline.reports import Cte, Fsma204Report, FsmaRow, HarvestRecord
from tests.conftest import START
from tests.reports._produce import produce_chain

D = Decimal
GOLDEN = Path(__file__).parent / "golden"
ZONE = "America/Los_Angeles"


@pytest.fixture
def farm(inv: sl.Inventory) -> sl.Inventory:
    """A farm (FARM), a cooling and packing house (PACK, with an FFRN), a fish dock (DOCK,
    with a GLN), a customer and a grower and a cooler as suppliers; romaine (a lot-tracked
    commodity), cases of hearts, and tuna."""
    for path, name, address, phone in (
        ("FARM", "Green Acres Farm", "1 Field Rd", "555-0111"),
        ("PACK", "Valley Packing", "2 Cooler Ave", "555-0120"),
        ("DOCK", "Harbor Seafood", "3 Pier St", "555-0140"),
    ):
        inv.add_location(path, description=name, address=address, phone=phone)
    inv.master.update_location("PACK", ffrn="22334455667")
    inv.master.update_location("DOCK", gln="0614141000043")
    for path in ("FARM/BINS", "FARM/COOLER", "PACK/DOCK", "PACK/HYDRO", "PACK/CASES", "DOCK/1"):
        inv.add_location(path)
    inv.add_location("TRUCKS/T1", kind="transit")
    inv.add_item("ROMAINE", description="Romaine lettuce, Green Forest", tracking="lot")
    inv.add_item("HEARTS", description="Romaine hearts, case of 12", tracking="lot")
    inv.add_item("TUNA", description="Yellowfin tuna, whole", unit="KGM", tracking="lot")
    inv.add_party("GROCER", kind="customer", name="Corner Grocer", address="5 Main", phone="1")
    inv.add_party("GROWER", kind="supplier", name="Hill Farm", address="9 Hill Rd", phone="2")
    inv.add_party("ICE", kind="supplier", name="Ice House", address="7 Cold St", phone="3")
    inv.add_party("MARLIN", kind="supplier", name="F/V Marlin")
    return inv


def rows_of(report: Fsma204Report, tx: sl.Transaction) -> list[FsmaRow]:
    """The rows of one event."""
    return [r for r in report.rows if r.event_id == tx.id]


def pack(inv: sl.Inventory, lot: str, quantity: int, location: str) -> sl.Transaction:
    """Pack ``quantity`` of harvest lot ``lot`` of romaine at ``location`` into cases P-<lot>."""
    return inv.produce(
        consume=[Component(sku="ROMAINE", quantity=quantity, lot=lot, location=location)],
        output=[Output(sku="HEARTS", quantity=quantity * 8, lot=f"P-{lot}", location="PACK/CASES")],
    )


class TestGoldenProduceChain:
    def test_csv_is_the_golden_file_byte_for_byte(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """harvest → cool → initial pack → ship → receive → transform → ship gives the golden
        spreadsheet: a harvesting, a cooling, an initial packing (the harvest lot in, the
        cases out), a shipping and a receiving through the truck naming the two sites, a
        transformation and a shipping to the grocer, with every KDE filled."""
        produce_chain(inv, clock)
        report = inv.reports.fsma204(timezone=ZONE)
        assert (GOLDEN / "produce_chain.csv").read_bytes() == report.to_csv().encode()
        assert report.gaps == ()

    def test_json_is_the_golden_file_byte_for_byte(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """The same report as JSON (two-space indent, one line break at the end)."""
        produce_chain(inv, clock)
        text = inv.reports.fsma204(timezone=ZONE).to_json(indent=2) + "\n"
        assert (GOLDEN / "produce_chain.json").read_bytes() == text.encode()

    def test_xlsx_holds_the_golden_rows(
        self, inv: sl.Inventory, clock: sl.FixedClock, tmp_path: Path
    ) -> None:
        """The XLSX sheet has the golden file's header and rows, dates as dates, empty
        cells where the CSV is empty."""
        openpyxl = pytest.importorskip("openpyxl")
        produce_chain(inv, clock)
        inv.reports.fsma204(timezone=ZONE).to_xlsx(tmp_path / "chain.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "chain.xlsx")["FSMA 204"]
        golden = list(csv.reader(io.StringIO((GOLDEN / "produce_chain.csv").read_text())))

        header = golden[0]

        def text(value: object, column: str) -> str:
            if value is None:
                return ""
            if isinstance(value, dt.datetime) and column == "Event Time (UTC)":
                return value.replace(tzinfo=dt.UTC).isoformat()
            if isinstance(value, dt.datetime):
                assert value.time() == dt.time()
                return value.date().isoformat()
            return str(value)

        cells = [
            [text(c.value, h) for c, h in zip(row, header, strict=True)]
            for row in sheet.iter_rows()
        ]
        assert cells == golden

    def test_recall_of_the_field_tag_reaches_the_grocer(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A recall of the harvest lot reaches the cases and the bags made from it: the
        report of the lots it affects has every event from the field to the grocer."""
        chain = produce_chain(inv, clock)
        recall = inv.recall(("ROMAINE", "FT-0302"), reason="E. coli in irrigation water")
        report = inv.reports.fsma204(lots=recall.affected, timezone=ZONE)
        assert {r.event_id for r in report.rows} == {
            tx.id
            for tx in (
                chain.harvested,
                chain.cooled,
                chain.packed,
                chain.loaded,
                chain.unloaded,
                chain.cut,
                chain.shipped,
            )
        }


class TestHarvesting:
    def test_a_harvest_is_a_production_from_the_field_into_the_farm(
        self, farm: sl.Inventory
    ) -> None:
        """inv.food.harvest posts the harvest lot into the farm; its row is Harvesting with
        no TLC (none is assigned before initial packing), the commodity and variety, the
        farm's location description, the field and the harvest date."""
        tx = farm.food.harvest(
            "ROMAINE", 75, lot="FT-1", dst="FARM/BINS", field="Block 7", ref="HL-9"
        )
        assert tx.kind is sl.TxKind.PRODUCTION
        assert farm.on_hand("ROMAINE", location="FARM", lot="FT-1") == D(75)
        (row,) = farm.reports.fsma204().rows
        assert (row.cte, row.cte.label, row.tlc, row.lot, row.quantity) == (
            Cte.HARVESTING,
            "Harvesting",
            None,
            "FT-1",
            D(75),
        )
        assert row.product_description == "Romaine lettuce, Green Forest"
        assert row.farm is not None
        assert (row.farm.name, row.farm.phone) == ("Green Acres Farm", "555-0111")
        assert (row.growing_area, row.harvest_date) == ("Block 7", row.event_date)
        assert (row.tlc_source, row.tlc_source_reference) == (None, None)
        (record,) = farm.reports.fsma204().table.records()
        assert (record["reference_document_type"], record["reference_document_number"]) == (
            "Harvest Log",
            "HL-9",
        )

    def test_the_recipient_is_where_the_lot_went_next(self, farm: sl.Inventory) -> None:
        """The immediate subsequent recipient (1.1325(a)(1)(i)) is read off what happened
        next: a party the lot went to unpacked, a site it went to through a truck (never
        the truck), the site itself when the lot is cooled there; moves inside the farm do
        not count. The unpacked lot's own trip is no Shipping or Receiving (1.1340)."""
        to_grocer = farm.food.harvest("ROMAINE", 10, lot="A", dst="FARM/BINS", field="F1")
        farm.move("ROMAINE", 10, lot="A", src="FARM/BINS", dst="FARM/COOLER")
        farm.ship("ROMAINE", 10, lot="A", src="FARM/COOLER", customer="GROCER")
        by_truck = farm.food.harvest("ROMAINE", 10, lot="B", dst="FARM/BINS", field="F1")
        farm.move("ROMAINE", 10, lot="B", src="FARM/BINS", dst="TRUCKS/T1")
        farm.move("ROMAINE", 10, lot="B", src="TRUCKS/T1", dst="PACK/DOCK")
        cooled_here = farm.food.harvest("ROMAINE", 10, lot="C", dst="FARM/BINS", field="F1")
        cooled = farm.food.cool("ROMAINE", 10, lot="C", src="FARM/BINS", dst="FARM/COOLER")
        report = farm.reports.fsma204()
        recipients = {
            r.lot: r.ship_to and r.ship_to.name for r in report.rows if r.cte is Cte.HARVESTING
        }
        assert recipients == {
            "A": "Corner Grocer",
            "B": "Valley Packing",
            "C": "Green Acres Farm",
        }
        assert {r.cte for r in report.rows} == {Cte.HARVESTING, Cte.COOLING}
        assert [rows_of(report, tx)[0].cte for tx in (to_grocer, by_truck, cooled_here)] == [
            Cte.HARVESTING
        ] * 3
        # Lot C is still in the farm's cooler: the cooling has no recipient yet.
        assert [(g.kde, g.subject) for g in report.gaps] == [
            ("ship_to_location", f"ROMAINE/C in event {cooled.id}")
        ]

    def test_a_lot_still_on_the_farm_has_no_recipient_yet(self, farm: sl.Inventory) -> None:
        """A harvest lot that has not gone on has an empty ship-to and a gap saying what is
        missing and when it will be known."""
        tx = farm.food.harvest("ROMAINE", 10, lot="A", dst="FARM/BINS", field="F1")
        (gap,) = farm.reports.fsma204().gaps
        assert (gap.kde, gap.subject) == ("ship_to_location", f"ROMAINE/A in event {tx.id}")
        assert "1.1325(a)(1)(i)" in gap.message
        assert "once the lot is cooled, packed or shipped" in gap.message

    def test_a_reversed_harvest_did_not_happen(self, farm: sl.Inventory) -> None:
        """A harvest reversed in the ledger is no row, and its lot is no longer a harvest
        lot: its receipt from a grower is an ordinary Receiving."""
        tx = farm.food.harvest("ROMAINE", 10, lot="A", dst="FARM/BINS", field="F1")
        farm.reverse(tx.id, reason="keyed on the wrong farm")
        farm.receive("ROMAINE", 10, lot="A", dst="PACK/DOCK", supplier="GROWER")
        assert [r.cte for r in farm.reports.fsma204().rows] == [Cte.RECEIVING]

    def test_a_repeat_with_the_same_key_returns_the_first_harvest(self, farm: sl.Inventory) -> None:
        """An idempotency key makes a retry return the first posting; the same key with
        another field is a conflict, and nothing more is posted."""
        first = farm.food.harvest("ROMAINE", 5, lot="A", dst="FARM/BINS", field="F1", key="h-1")
        again = farm.food.harvest("ROMAINE", 5, lot="A", dst="FARM/BINS", field="F1", key="h-1")
        assert again == first
        with pytest.raises(errors.IdempotencyConflictError):
            farm.food.harvest("ROMAINE", 5, lot="A", dst="FARM/BINS", field="F2", key="h-1")
        assert len(farm.reports.fsma204().rows) == 1

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"dst": "suppliers"}, errors.ValidationError),
            ({"dst": "NOWHERE"}, errors.UnknownLocationError),
            ({"sku": "NOPE"}, errors.UnknownItemError),
            ({"field": ""}, errors.ValidationError),
            ({"field": None}, errors.ValidationError),
            ({"field": "a\x00b"}, errors.ValidationError),
            ({"quantity": 1.5}, errors.InvalidQuantityError),
            ({"quantity": 0}, errors.InvalidQuantityError),
            ({"lot": None}, errors.ValidationError),
            ({"ref": 7}, errors.ValidationError),
            ({"effective_at": dt.datetime(2026, 3, 1)}, errors.InvalidTimeError),
        ],
    )
    def test_bad_harvests_are_refused_and_change_nothing(
        self, farm: sl.Inventory, kwargs: dict[str, object], error: type[Exception]
    ) -> None:
        """A harvest into a counterparty or unknown location, of an unknown item, without a
        field, with a bad quantity, lot, ref or a naive time is refused before anything is
        written."""
        call: dict[str, object] = {
            "sku": "ROMAINE",
            "quantity": 5,
            "lot": "A",
            "dst": "FARM/BINS",
            "field": "F1",
        }
        before = farm.changes()
        with pytest.raises(error):
            farm.food.harvest(**{**call, **kwargs})  # type: ignore[arg-type]
        assert farm.changes() == before
        assert farm.reports.fsma204().rows == ()

    def test_an_untracked_commodity_cannot_be_harvested_under_a_lot(
        self, farm: sl.Inventory
    ) -> None:
        """A harvest lot needs a lot-tracked item."""
        farm.add_item("HAY", description="Hay")
        with pytest.raises(errors.ValidationError, match="not lot-tracked"):
            farm.food.harvest("HAY", 5, lot="A", dst="FARM/BINS", field="F1")


class TestCooling:
    def test_cooling_rows_carry_the_harvest_and_the_cooler(self, farm: sl.Inventory) -> None:
        """A Cooling row names where and when it was cooled, and the farm, field and harvest
        date of its harvest lot; its recipient is where the lot went next (the packing site
        where it is packed)."""
        harvested = farm.food.harvest("ROMAINE", 20, lot="A", dst="FARM/BINS", field="F1")
        cooled = farm.food.cool("ROMAINE", 20, lot="A", src="FARM/BINS", dst="PACK/HYDRO")
        pack(farm, "A", 20, "PACK/HYDRO")
        report = farm.reports.fsma204()
        (row,) = rows_of(report, cooled)
        assert row.cte is Cte.COOLING
        assert row.cooling_location is not None
        assert row.cooling_location.name == "Valley Packing"
        assert row.cooling_date == row.event_date
        assert row.farm is not None
        assert (row.farm.name, row.growing_area, row.harvest_date) == (
            "Green Acres Farm",
            "F1",
            rows_of(report, harvested)[0].event_date,
        )
        assert row.ship_to is not None
        assert row.ship_to.name == "Valley Packing"
        assert report.gaps == ()

    def test_cooling_a_lot_received_from_a_grower_takes_the_harvest_the_grower_sent(
        self, farm: sl.Inventory
    ) -> None:
        """A cooler that receives a harvest lot from a grower records what the grower sent
        with inv.food.record_harvest; until then the farm is a gap. The receipt of a harvest
        lot is not a Receiving row (the rule starts receiving after initial packing)."""
        farm.receive("ROMAINE", 30, lot="G-1", dst="PACK/DOCK", supplier="GROWER")
        cooled = farm.food.cool("ROMAINE", 30, lot="G-1", src="PACK/DOCK", dst="PACK/HYDRO")
        report = farm.reports.fsma204()
        assert [r.cte for r in report.rows] == [Cte.COOLING]
        assert ("harvest_farm_location", "ROMAINE/G-1") in {(g.kde, g.subject) for g in report.gaps}
        gap = next(g for g in report.gaps if g.kde == "harvest_farm_location")
        assert "record the harvest the grower sent with the lot" in gap.message
        record = farm.food.record_harvest(
            "ROMAINE", "G-1", farm="GROWER", field="Hill 3", harvested_on=dt.date(2026, 3, 1)
        )
        day = dt.date(2026, 3, 1)
        assert record == HarvestRecord(
            sku="ROMAINE", lot="G-1", farm="GROWER", field="Hill 3", harvested_on=day
        )
        (row,) = rows_of(farm.reports.fsma204(), cooled)
        assert row.farm is not None
        assert (row.farm.name, row.farm.address, row.growing_area, row.harvest_date) == (
            "Hill Farm",
            "9 Hill Rd",
            "Hill 3",
            dt.date(2026, 3, 1),
        )
        assert "harvest_farm_location" not in {g.kde for g in farm.reports.fsma204().gaps}

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"dst": "FARM/BINS"}, errors.ValidationError),
            ({"src": "suppliers/GROWER"}, errors.ValidationError),
            ({"dst": "TRUCKS/T1"}, errors.ValidationError),
            ({"quantity": 99}, errors.InsufficientStockError),
            ({"lot": "NOPE"}, errors.UnknownLotError),
        ],
    )
    def test_bad_coolings_are_refused(
        self, farm: sl.Inventory, kwargs: dict[str, object], error: type[Exception]
    ) -> None:
        """Cooling moves stock the site holds into a cooler at a site: the same place twice,
        a counterparty or transit location, more than is there or an unknown lot are
        refused, and nothing changes."""
        farm.food.harvest("ROMAINE", 20, lot="A", dst="FARM/BINS", field="F1")
        call: dict[str, object] = {
            "sku": "ROMAINE",
            "quantity": 5,
            "lot": "A",
            "src": "FARM/BINS",
            "dst": "FARM/COOLER",
        }
        before = farm.changes()
        with pytest.raises(error):
            farm.food.cool(**{**call, **kwargs})  # type: ignore[arg-type]
        assert farm.changes() == before


class TestInitialPackingOfHarvestLots:
    def test_the_packing_names_each_harvest_lot_with_its_harvest_and_cooling(
        self, farm: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Packing harvest lots is an Initial packing: one input row per harvest lot (no TLC,
        the quantity packed, the date it reached the packing site, its farm, field, harvest
        and cooling, 1.1330(a)(1)-(10)) and one output row per lot packed, which gets its
        TLC and the packing site as TLC source."""
        farm.food.harvest("ROMAINE", 20, lot="A", dst="FARM/BINS", field="F1")
        clock.advance(days=1)
        farm.food.cool("ROMAINE", 20, lot="A", src="FARM/BINS", dst="FARM/COOLER")
        clock.advance(days=1)
        arrived = farm.move("ROMAINE", 20, lot="A", src="FARM/COOLER", dst="PACK/DOCK")
        clock.advance(days=1)
        packed = pack(farm, "A", 12, "PACK/DOCK")
        rows = rows_of(farm.reports.fsma204(), packed)
        assert [(r.cte, r.role, r.tlc, r.quantity) for r in rows] == [
            (Cte.INITIAL_PACKING, "input", None, D(12)),
            (Cte.INITIAL_PACKING, "output", "HEARTS/P-A", D(96)),
        ]
        given, made = rows
        assert given.receive_date == arrived.effective_at.date()
        assert given.farm is not None
        assert given.cooling_location is not None
        assert (given.farm.name, given.growing_area, given.cooling_location.name) == (
            "Green Acres Farm",
            "F1",
            "Green Acres Farm",
        )
        assert given.harvest_date is not None
        assert given.cooling_date == given.harvest_date + dt.timedelta(days=1)
        assert made.tlc_source is not None
        assert (made.tlc_source.name, made.tlc_source_reference) == (
            "Valley Packing",
            "FFRN 22334455667",
        )
        assert farm.reports.fsma204().gaps == ()

    def test_a_harvest_record_with_a_cooler_fills_the_cooling_kdes(
        self, farm: sl.Inventory
    ) -> None:
        """A harvest lot received with the grower's record (cooled by another business)
        gives its input row the cooler's location description and the cooling date."""
        received = farm.receive("ROMAINE", 30, lot="G-1", dst="PACK/DOCK", supplier="GROWER")
        farm.food.record_harvest(
            "ROMAINE",
            "G-1",
            farm="GROWER",
            field="Hill 3",
            harvested_on=dt.date(2026, 2, 28),
            cooler="ICE",
            cooled_on=dt.date(2026, 3, 1),
        )
        packed = pack(farm, "G-1", 30, "PACK/DOCK")
        report = farm.reports.fsma204()
        assert [r.cte for r in report.rows] == [Cte.INITIAL_PACKING] * 2
        given = rows_of(report, packed)[0]
        assert given.cooling_location is not None
        cooling = (given.cooling_location.name, given.cooling_date)
        assert cooling == ("Ice House", dt.date(2026, 3, 1))
        assert given.receive_date == received.effective_at.date()
        assert report.gaps == ()

    def test_record_harvest_replaces_and_is_checked(self, farm: sl.Inventory) -> None:
        """Recording a lot's harvest again replaces it; an unknown lot, a customer as the
        farm, or cooling before harvesting are refused."""
        farm.receive("ROMAINE", 30, lot="G-1", dst="PACK/DOCK", supplier="GROWER")
        for field in ("Hill 3", "Hill 4"):
            farm.food.record_harvest(
                "ROMAINE", "G-1", farm="GROWER", field=field, harvested_on=dt.date(2026, 3, 1)
            )
        assert [r.growing_area for r in farm.reports.fsma204().rows] == []
        packed = pack(farm, "G-1", 30, "PACK/DOCK")
        assert rows_of(farm.reports.fsma204(), packed)[0].growing_area == "Hill 4"
        day = dt.date(2026, 3, 1)
        with pytest.raises(errors.UnknownLotError):
            farm.food.record_harvest("ROMAINE", "NOPE", farm="GROWER", field="F", harvested_on=day)
        with pytest.raises(errors.DuplicateError):
            farm.food.record_harvest("ROMAINE", "G-1", farm="GROCER", field="F", harvested_on=day)
        with pytest.raises(errors.ValidationError, match="cooled_on"):
            farm.food.record_harvest(
                "ROMAINE",
                "G-1",
                farm="GROWER",
                field="F",
                harvested_on=day,
                cooled_on=day - dt.timedelta(days=1),
            )
        with pytest.raises(errors.ValidationError):
            farm.food.record_harvest(
                "ROMAINE",
                "G-1",
                farm="GROWER",
                field="F",
                harvested_on="2026-03-01",  # type: ignore[arg-type]
            )


class TestFirstLandBasedReceiving:
    def test_a_landing_assigns_the_tlc_at_the_dock(self, farm: sl.Inventory) -> None:
        """inv.food.land receives a catch from the vessel: a First land-based receiving row
        (no Receiving row) with the TLC assigned here, the dock as TLC source (its GLN as
        reference), the species, the trip's fishing areas and harvest date range; a later
        shipment names the dock as the TLC source."""
        landed = farm.food.land(
            "TUNA",
            "300.5",
            lot="T-0302",
            dst="DOCK/1",
            supplier="MARLIN",
            harvest_areas=["FAO 77", "NMFS 101"],
            harvest_start=dt.date(2026, 2, 20),
            harvest_end=dt.date(2026, 3, 1),
            refs={"CATCH CERTIFICATE": "CC-9"},
        )
        assert landed.kind is sl.TxKind.RECEIPT
        assert landed.counterparty == "MARLIN"
        farm.ship("TUNA", 100, lot="T-0302", src="DOCK/1", customer="GROCER")
        report = farm.reports.fsma204()
        assert [(r.cte, r.cte.label) for r in report.rows] == [
            (Cte.FIRST_LAND_BASED_RECEIVING, "First land-based receiving"),
            (Cte.SHIPPING, "Shipping"),
        ]
        row, shipped = report.rows
        assert (row.tlc, row.quantity, row.unit) == ("TUNA/T-0302", D("300.5"), "KGM")
        assert row.tlc_source is not None
        assert (row.tlc_source.name, row.tlc_source_reference) == (
            "Harbor Seafood",
            "GLN 0614141000043",
        )
        assert (row.growing_area, row.harvest_date, row.harvest_end_date) == (
            "FAO 77; NMFS 101",
            dt.date(2026, 2, 20),
            dt.date(2026, 3, 1),
        )
        assert shipped.tlc_source == row.tlc_source
        assert report.gaps == ()

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"harvest_areas": []}, errors.ValidationError),
            ({"harvest_areas": "FAO 77"}, errors.ValidationError),
            ({"harvest_areas": ["FAO 77", ""]}, errors.ValidationError),
            ({"harvest_start": "2026-02-20"}, errors.ValidationError),
            ({"harvest_end": dt.date(2026, 2, 19)}, errors.ValidationError),
            ({"supplier": "GROCER"}, errors.DuplicateError),
            ({"supplier": None}, errors.ValidationError),
            ({"dst": "TRUCKS/T1"}, errors.ValidationError),
        ],
    )
    def test_bad_landings_are_refused(
        self, farm: sl.Inventory, kwargs: dict[str, object], error: type[Exception]
    ) -> None:
        """No fishing area, areas as one string, a date as text, a range that ends before
        it starts, a customer or no vessel, a transit location: refused, nothing changes."""
        call: dict[str, object] = {
            "sku": "TUNA",
            "quantity": 10,
            "lot": "T-1",
            "dst": "DOCK/1",
            "supplier": "MARLIN",
            "harvest_areas": ["FAO 77"],
            "harvest_start": dt.date(2026, 2, 20),
        }
        before = farm.changes()
        with pytest.raises(error):
            farm.food.land(**{**call, **kwargs})  # type: ignore[arg-type]
        assert farm.changes() == before


class TestGapWording:
    def test_a_receipt_from_no_named_supplier_is_a_previous_source_gap(
        self, farm: sl.Inventory
    ) -> None:
        """An old receipt from the bare suppliers location (no supplier named) has no ship-
        from, and a gap names the missing immediate previous source and TLC source and how
        to supply them, never advising to describe the suppliers location itself."""
        farm.add_lot("HEARTS", "H-1")
        tx = farm.post(
            sl.NewTransaction(
                kind=sl.TxKind.RECEIPT,
                movements=(
                    sl.Movement(
                        item="HEARTS",
                        lot="H-1",
                        quantity=D(5),
                        src=sl.Position(location="suppliers"),
                        dst=sl.Position(location="PACK/DOCK"),
                    ),
                ),
            )
        )
        report = farm.reports.fsma204()
        (row,) = report.rows
        assert (row.cte, row.ship_from) == (Cte.RECEIVING, None)
        gaps = {g.kde: g for g in report.gaps}
        assert set(gaps) == {"ship_from_location", "tlc_source_reference"}
        gap = gaps["ship_from_location"]
        assert gap.subject == f"HEARTS/H-1 in event {tx.id}"
        assert "immediate previous source (21 CFR 1.1345(a)(4))" in gap.message
        assert "where its traceability lot code was assigned" in gap.message
        assert "post it again naming its supplier" in gap.message
        for g in report.gaps:
            assert "update_location" not in g.message
            assert "location suppliers" not in g.message

    def test_a_shipment_to_no_named_customer_is_a_recipient_gap(self, farm: sl.Inventory) -> None:
        """An old shipment to the bare customers location names no recipient: a gap."""
        farm.food.harvest("ROMAINE", 4, lot="A", dst="FARM/BINS", field="F1")
        pack(farm, "A", 4, "FARM/BINS")
        tx = farm.post(
            sl.NewTransaction(
                kind=sl.TxKind.SHIPMENT,
                movements=(
                    sl.Movement(
                        item="HEARTS",
                        lot="P-A",
                        quantity=D(8),
                        src=sl.Position(location="PACK/CASES"),
                        dst=sl.Position(location="customers"),
                    ),
                ),
            )
        )
        report = farm.reports.fsma204()
        assert rows_of(report, tx)[0].ship_to is None
        ((kde, subject, message),) = [(g.kde, g.subject, g.message) for g in report.gaps]
        assert (kde, subject) == ("ship_to_location", f"HEARTS/P-A in event {tx.id}")
        assert "post it again naming its customer" in message

    def test_gaps_cite_the_rule_and_name_no_python_call(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Every gap of a chain without master data cites the paragraph of the rule and says
        how to supply the KDE in the library's terms (the field and the verb), never as a
        call with arguments."""
        inv.add_item("ROMAINE", tracking="lot")
        inv.add_item("HEARTS", tracking="lot")
        inv.add_location("FARM/BINS")
        inv.add_location("FARM/COLD")
        inv.food.harvest("ROMAINE", 4, lot="A", dst="FARM/BINS", field="F1")
        inv.receive("ROMAINE", 4, lot="B", dst="FARM/BINS", supplier="GROWER")
        inv.food.cool("ROMAINE", 4, lot="B", src="FARM/BINS", dst="FARM/COLD")
        inv.produce(
            consume=[Component(sku="ROMAINE", quantity=4, lot="A", location="FARM/BINS")],
            output=[Output(sku="HEARTS", quantity=4, lot="P", location="FARM/BINS")],
        )
        inv.ship("HEARTS", 4, lot="P", src="FARM/BINS", customer="SHOP")
        gaps = inv.reports.fsma204().gaps
        assert {g.kde for g in gaps} >= {
            "product_description",
            "location_description",
            "harvest_farm_location",
            "ship_to_location",
        }
        for gap in gaps:
            assert "21 CFR" in gap.message, gap
            assert not re.search(r"\b[A-Za-z_][\w.]*\(|\binv\.|=", gap.message), gap


class TestSelectionOfHarvestLots:
    def test_a_packed_lot_brings_its_whole_initial_packing(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Asking for the packed lot gives its initial packing whole (the harvest lot's input
        row with the farm and field too), but not the harvesting and cooling, which are the
        harvest lot's own events."""
        chain = produce_chain(inv, clock)
        report = inv.reports.fsma204(lots=[("HEARTS", "RH-0302")])
        packing = rows_of(report, chain.packed)
        assert [(r.role, r.lot) for r in packing] == [("input", "FT-0302"), ("output", "RH-0302")]
        assert packing[0].growing_area == "Block 7"
        assert {chain.harvested.id, chain.cooled.id}.isdisjoint(r.event_id for r in report.rows)
        assert report.gaps == ()

    def test_items_keeps_the_listed_foods_without_inventing_a_gap(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """items= keeps the rows of the listed SKUs; leaving the harvested commodity out
        drops its rows, and the packing still knows it packed a harvest lot (no gap)."""
        produce_chain(inv, clock)
        report = inv.reports.fsma204(items=["HEARTS"])
        assert {r.sku for r in report.rows} == {"HEARTS"}
        assert [r.role for r in report.rows if r.cte is Cte.INITIAL_PACKING] == ["output"]
        assert report.gaps == ()
        raw = inv.reports.fsma204(items=["ROMAINE"])
        assert [r.cte for r in raw.rows] == [Cte.HARVESTING, Cte.COOLING, Cte.INITIAL_PACKING]


#: Where a harvest lot can go between its harvest and its packing: the farm's cooler, the
#: packing house's dock, a truck, or a customer.
STEPS = ("cool at farm", "cool at packhouse", "to packhouse", "by truck", "to grocer")


class TestHarvestLotProperties:
    @settings(max_examples=25, deadline=None, database=None)
    @given(steps=st.lists(st.sampled_from(STEPS), max_size=4), packed=st.booleans())
    def test_a_harvest_lot_is_never_shipped_or_received_and_always_accounted_for(
        self, steps: list[str], packed: bool
    ) -> None:
        """Whatever a harvest lot does before it is packed: none of its rows is Shipping or
        Receiving or has a TLC; every harvesting and cooling row names its recipient or has
        a gap saying it is not known yet; the packing's input row names the farm."""
        clock = sl.FixedClock(START)
        inv = sl.Inventory(clock=clock)
        for path, name in (("FARM", "Green Acres"), ("PACK", "Valley Packing")):
            inv.add_location(path, description=name, address="1 Rd", phone="555")
        for path in ("FARM/BINS", "FARM/COOLER", "PACK/DOCK", "PACK/HYDRO", "PACK/CASES"):
            inv.add_location(path)
        inv.add_location("TRUCKS/T1", kind="transit")
        inv.add_item("ROMAINE", description="Romaine", tracking="lot")
        inv.add_item("HEARTS", description="Hearts", tracking="lot")
        inv.add_party("GROCER", kind="customer", name="Grocer", address="5 Main", phone="1")
        inv.food.harvest("ROMAINE", 10, lot="A", dst="FARM/BINS", field="F1")
        here = "FARM/BINS"
        for step in steps:
            clock.advance(hours=1)
            if here.startswith("customers"):
                break
            if step == "cool at farm" and not here.startswith("FARM/COOLER"):
                inv.food.cool("ROMAINE", 10, lot="A", src=here, dst="FARM/COOLER")
                here = "FARM/COOLER"
            elif step == "cool at packhouse" and here != "PACK/HYDRO":
                inv.food.cool("ROMAINE", 10, lot="A", src=here, dst="PACK/HYDRO")
                here = "PACK/HYDRO"
            elif step == "to packhouse" and here.startswith("FARM"):
                inv.move("ROMAINE", 10, lot="A", src=here, dst="PACK/DOCK")
                here = "PACK/DOCK"
            elif step == "by truck":
                target = "PACK/DOCK" if here.startswith("FARM") else "FARM/BINS"
                inv.move("ROMAINE", 10, lot="A", src=here, dst="TRUCKS/T1")
                clock.advance(hours=1)
                inv.move("ROMAINE", 10, lot="A", src="TRUCKS/T1", dst=target)
                here = target
            elif step == "to grocer":
                inv.ship("ROMAINE", 10, lot="A", src=here, customer="GROCER")
                here = "customers/GROCER"
        if packed and not here.startswith("customers"):
            clock.advance(hours=1)
            inv.produce(
                consume=[Component(sku="ROMAINE", quantity=10, lot="A", location=here)],
                output=[Output(sku="HEARTS", quantity=80, lot="P", location="PACK/CASES")],
            )
        report = inv.reports.fsma204()
        raw = [r for r in report.rows if r.sku == "ROMAINE"]
        assert all(r.tlc is None for r in raw)
        assert not {r.cte for r in raw} & {Cte.SHIPPING, Cte.RECEIVING}
        open_ends = {g.subject for g in report.gaps if g.kde == "ship_to_location"}
        for row in raw:
            if row.cte in (Cte.HARVESTING, Cte.COOLING):
                subject = f"ROMAINE/A in event {row.event_id}"
                assert (row.ship_to is None) == (subject in open_ends), row
            else:
                assert (row.cte, row.role) == (Cte.INITIAL_PACKING, "input")
                assert row.farm is not None
                assert row.farm.name == "Green Acres"
        assert {g.kde for g in report.gaps} <= {"ship_to_location"}
