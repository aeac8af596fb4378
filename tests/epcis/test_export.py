"""EPCIS 2.0 export: schema-valid documents, the event mapping, filters, determinism, streaming."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import stockline as sl
from stockline.epcis import EpcisOptions, event_hash_id
from stockline.epcis._export import DOCUMENT_CONTEXT
from stockline.errors import EpcisExportError, UnknownLotError, ValidationError
from tests.conftest import StoreFactory
from tests.epcis import _export_scenario as scenario

REFDATA = Path(__file__).parents[2].parent / "shared" / "research" / "refdata" / "epcis"
SCHEMA = REFDATA / "schema" / "epcis-json-schema.json"
EPC = EpcisOptions(identifiers="epc", company_prefixes=[scenario.PREFIX], owner_gln=scenario.DC_GLN)


@pytest.fixture(scope="module")
def validator() -> Any:
    """The official EPCIS 2.0 JSON schema (draft-07) with format checking on."""
    if not SCHEMA.exists():
        pytest.skip(f"the EPCIS JSON schema is not at {SCHEMA} (../shared/research/refdata)")
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("rfc3987", reason="format checking of 'uri' needs jsonschema[format]")
    pytest.importorskip("rfc3339_validator", reason="'date-time' needs jsonschema[format]")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="module")
def ledger() -> sl.Inventory:
    """The scenario in memory (shared by the tests that only read it)."""
    return scenario.build()


def events(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["epcisBody"]["eventList"]  # type: ignore[no-any-return]


def of(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The events of one ledger transaction kind."""
    return [e for e in events(document) if e["stockline:kind"] == kind]


def problems(validator: Any, document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


class TestSchemaValidity:
    def test_every_store_exports_a_valid_document_with_every_event_type(
        self, make_store: StoreFactory, validator: Any
    ) -> None:
        """The scenario validates against the official schema with format checking, on every
        store, in both identifier syntaxes, and uses every event the mapping makes."""
        inv = scenario.build(make_store())
        for options in (None, EPC):
            document = inv.epcis.export(options=options)
            assert problems(validator, document) == []
        steps = Counter((e["type"], e.get("action"), e["bizStep"]) for e in events(document))
        assert set(steps) >= {
            ("ObjectEvent", "OBSERVE", "receiving"),
            ("ObjectEvent", "OBSERVE", "storing"),
            ("ObjectEvent", "OBSERVE", "picking"),
            ("ObjectEvent", "OBSERVE", "shipping"),
            ("ObjectEvent", "OBSERVE", "holding"),
            ("ObjectEvent", "OBSERVE", "inspecting"),
            ("ObjectEvent", "DELETE", "destroying"),
            ("ObjectEvent", "DELETE", "cycle_counting"),
            ("ObjectEvent", "ADD", "stock_taking"),
            ("ObjectEvent", "DELETE", "stock_taking"),
            ("TransformationEvent", None, "creating_class_instance"),
            ("AggregationEvent", "ADD", "packing"),
            ("AggregationEvent", "DELETE", "unpacking"),
        }
        assert any("errorDeclaration" in e for e in events(document))

    def test_filtered_and_private_identifier_exports_are_valid(self, validator: Any) -> None:
        """A filtered export, and one with HTTP private identifiers and an offset, validate."""
        inv = scenario.build()
        options = EpcisOptions(private_base="https://id.example.com/", time_zone_offset="-05:00")
        document = inv.epcis.export(lots=[("VAC-10", "VL1")], options=options)
        assert events(document)
        assert problems(validator, document) == []


class TestDeterminism:
    def test_exporting_twice_gives_the_same_bytes(self, ledger: sl.Inventory) -> None:
        """The same ledger exports byte-identical JSON, in memory and streamed."""
        first, second = ledger.epcis.export(), ledger.epcis.export()
        assert json.dumps(first) == json.dumps(second)
        out1, out2 = io.StringIO(), io.StringIO()
        ledger.epcis.write(out1)
        ledger.epcis.write(out2)
        assert out1.getvalue() == out2.getvalue()

    def test_every_store_exports_the_same_document(self, make_store: StoreFactory) -> None:
        """Identifiers, IDs and bytes do not depend on the store the ledger is kept in."""
        expected = json.dumps(scenario.build().epcis.export(options=EPC))
        assert json.dumps(scenario.build(make_store()).epcis.export(options=EPC)) == expected

    def test_event_ids_are_unique_event_hashes(self, ledger: sl.Inventory) -> None:
        """Every eventID is the CBV 2.0 event hash of its event, unique in the document; only
        error-declared copies repeat the ID of the event they declare erroneous."""
        document = ledger.epcis.export()
        ids = Counter(e["eventID"] for e in events(document))
        for event in events(document):
            assert re.fullmatch(r"ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0", event["eventID"])
            if ids[event["eventID"]] > 1:
                twins = [e for e in events(document) if e["eventID"] == event["eventID"]]
                assert sum("errorDeclaration" in e for e in twins) == 1

    def test_event_ids_are_the_hash_of_the_event(self, ledger: sl.Inventory) -> None:
        """An event's ID is what event_hash_id() computes from the event as written (an
        error-declared copy: from the event without its declaration)."""
        for event in events(ledger.epcis.export()):
            body = {k: v for k, v in event.items() if k not in ("eventID", "errorDeclaration")}
            assert event["eventID"] == event_hash_id(body, context=DOCUMENT_CONTEXT)

    def test_later_postings_do_not_change_earlier_ids(self) -> None:
        """IDs depend on the events only: posting more keeps every earlier ID."""
        inv = scenario.build()
        before = [e["eventID"] for e in events(inv.epcis.export())]
        inv.receive("BOLT-8", 7, dst="DC1/DOCK", effective_at=scenario.START, supplier="ACME")
        after = [e["eventID"] for e in events(inv.epcis.export())]
        assert after[: len(before)] == before
        assert len(after) == len(before) + 1


class TestMapping:
    def test_received_and_made_goods_are_not_commissioned(self, ledger: sl.Inventory) -> None:
        """Received lots and serials were commissioned by the supplier, and production's and
        relabelling's outputs are created by their TransformationEvent: the scenario (which
        finds no unknown lot in a count) has no commissioning ObjectEvent at all."""
        document = ledger.epcis.export(options=EPC)
        assert not [
            e
            for e in events(document)
            if e["type"] == "ObjectEvent" and e["bizStep"] == "commissioning"
        ]

    def test_header_master_data_gives_lots_expiry_and_serials(self, ledger: sl.Inventory) -> None:
        """The header's EPCClass vocabulary names each lot the document shows, with its lot
        number, its expiry when known, and the serials of it as children."""
        document = ledger.epcis.export(options=EPC)
        (vocabulary,) = document["epcisHeader"]["epcisMasterData"]["vocabularyList"]
        assert vocabulary["type"] == "urn:epcglobal:epcis:vtype:EPCClass"
        elements = {e["id"]: e for e in vocabulary["vocabularyElementList"]}
        asparagus = elements["urn:epc:class:lgtin:9506000.013435.L24B"]
        assert asparagus["attributes"] == [
            {"id": "cbvmda:lotNumber", "attribute": "L24B"},
            {"id": "cbvmda:itemExpirationDate", "attribute": "2026-03-20"},
        ]
        vaccine = next(
            e for k, e in elements.items() if k.startswith("urn:epc:class:lgtin:9506000.013436.")
        )
        assert "urn:epc:id:sgtin:9506000.013436.V001" in vaccine["children"]
        assert list(document)[-1] == "epcisHeader"  # after the body, so exports can stream

    def test_receipt_names_supplier_documents_and_place(self, ledger: sl.Inventory) -> None:
        """Receiving carries the PO and ASN (desadv), the supplier's PGLN as source and the
        dock as an SGLN with the path below the site as GLN extension."""
        receipt = of(ledger.epcis.export(options=EPC), "receipt")[0]
        assert receipt["bizStep"] == "receiving"
        assert receipt["action"] == "OBSERVE"
        assert receipt["bizTransactionList"] == [
            {"type": "po", "bizTransaction": "urn:stockline:document:PO:PO-1"},
            {"type": "desadv", "bizTransaction": "urn:stockline:document:ASN:DESADV-77"},
        ]
        assert {s["source"] for s in receipt["sourceList"]} == {"urn:epc:id:pgln:9506000.00002"}
        assert receipt["readPoint"] == {"id": "urn:epc:id:sgln:9506000.00001.DOCK"}
        assert receipt["quantityList"] == [
            {"epcClass": "urn:epc:class:lgtin:9506000.013435.L24B", "quantity": 120, "uom": "KGM"}
        ]
        owners = [d for d in receipt["destinationList"] if d["type"] != "location"]
        assert {d["destination"] for d in owners} == {"urn:epc:id:pgln:9506000.00001"}

    def test_shipment_is_in_transit_to_the_customer(self, ledger: sl.Inventory) -> None:
        """Shipping lists the SSCCs and their contents, the BOL and SO, and the customer."""
        (ship,) = of(ledger.epcis.export(), "shipment")
        assert ship["disposition"] == "in_transit"
        assert "bizLocation" not in ship
        containers = [e for e in ship["epcList"] if e.startswith("https://id.gs1.org/00/")]
        assert containers == [f"https://id.gs1.org/00/{scenario.PALLET}"]  # not the case on it
        assert {t["type"] for t in ship["bizTransactionList"]} == {"po", "bol"}
        assert {d["destination"] for d in ship["destinationList"]} == {"urn:stockline:party:SHOP"}

    def test_production_is_a_transformation(self, ledger: sl.Inventory) -> None:
        """Production consumes its inputs and makes its outputs, with the work order."""
        event = of(ledger.epcis.export(), "production")[-1]
        assert event["type"] == "TransformationEvent"
        assert event["inputQuantityList"][0]["quantity"] == 30
        assert event["outputQuantityList"][0]["epcClass"].endswith("/10/S0302")
        assert event["bizTransactionList"][0]["type"] == "prodorder"

    def test_packing_aggregates_onto_the_sscc(self, ledger: sl.Inventory) -> None:
        """Packing is an AggregationEvent ADD with the SSCC as parent, a case into a pallet
        too; unpacking is a DELETE from the pallet."""
        document = ledger.epcis.export(options=EPC)
        packs = [e for e in of(document, "pack") if e["type"] == "AggregationEvent"]
        pallet = "urn:epc:id:sscc:9506000.0000000001"
        case = "urn:epc:id:sscc:9506000.0000000002"
        assert [(e["action"], e["parentID"]) for e in packs] == [
            ("ADD", case),
            ("ADD", pallet),
            ("ADD", pallet),
        ]
        assert packs[2]["childEPCs"] == [case]
        (unpack,) = of(document, "unpack")
        assert (unpack["action"], unpack["parentID"]) == ("DELETE", pallet)

    def test_hold_sets_and_release_unsets_the_persistent_disposition(
        self, ledger: sl.Inventory
    ) -> None:
        """A hold sets non_sellable_other (recalled for a recall); a release unsets it."""
        hold, release, recall = of(ledger.epcis.export(), "status_change")
        assert (hold["bizStep"], hold["persistentDisposition"]) == (
            "holding",
            {"set": ["non_sellable_other"]},
        )
        assert (release["bizStep"], release["persistentDisposition"]) == (
            "inspecting",
            {"unset": ["non_sellable_other"]},
        )
        assert release["disposition"] == "sellable_accessible"
        assert recall["disposition"] == "recalled"

    def test_reversal_declares_the_original_erroneous(self, ledger: sl.Inventory) -> None:
        """A reversal exports a copy of each event it cancels with an error declaration
        (did_not_occur, no corrective events) and the same eventID."""
        document = ledger.epcis.export()
        (copy,) = of(document, "receipt")[-1:]
        (original,) = [
            e
            for e in events(document)
            if e["eventID"] == copy["eventID"] and "errorDeclaration" not in e
        ]
        assert copy["errorDeclaration"]["reason"] == "did_not_occur"
        assert "correctiveEventIDs" not in copy["errorDeclaration"]
        assert {k: v for k, v in copy.items() if k != "errorDeclaration"} == original
        assert copy["errorDeclaration"]["stockline:reason"].startswith("PO-4")

    def test_scrap_count_and_adjustment_directions(self, ledger: sl.Inventory) -> None:
        """Scrap destroys (DELETE); a loss is a DELETE and a gain an ADD."""
        document = ledger.epcis.export()
        (scrap,) = of(document, "scrap")
        assert (scrap["action"], scrap["disposition"]) == ("DELETE", "destroyed")
        loss, gain = of(document, "adjustment")
        assert (loss["action"], gain["action"]) == ("DELETE", "ADD")
        (count,) = of(document, "count")
        assert (count["action"], count["bizStep"]) == ("DELETE", "cycle_counting")

    def test_status_mapping_can_be_overridden(self, ledger: sl.Inventory) -> None:
        """EpcisOptions.dispositions replaces the default disposition of a status."""
        options = EpcisOptions(dispositions={"available": "sellable_not_accessible"})
        receipt = of(ledger.epcis.export(options=options), "receipt")[1]
        assert receipt["disposition"] == "sellable_not_accessible"


class TestFilters:
    def test_since_until_and_after_select_transactions(self, ledger: sl.Inventory) -> None:
        """since/until bound the effective time; after continues from a transaction id."""
        start = scenario.START
        window = ledger.epcis.export(
            since=start + dt.timedelta(minutes=30), until=start + dt.timedelta(minutes=40)
        )
        assert {e["stockline:kind"] for e in events(window)} == {"production", "relabel"}
        later = events(ledger.epcis.export(after=24))
        assert [e["stockline:transaction"] for e in later] == ["25", "5"]
        assert later[1]["errorDeclaration"]["stockline:transaction"] == "26"

    def test_lots_include_the_containers_that_held_them(self, ledger: sl.Inventory) -> None:
        """Filtering by a lot keeps its transactions whole and the container-only packing of
        a case holding it into a pallet."""
        document = ledger.epcis.export(lots=[("VAC-10", "VL1")])
        kinds = [e["stockline:kind"] for e in events(document)]
        assert kinds.count("receipt") == 2  # receiving, twice (no commissioning of supplier goods)
        assert "pack" in kinds
        assert "shipment" in kinds
        assert any(
            e.get("childEPCs") == [f"https://id.gs1.org/00/{scenario.CASE}"]
            for e in events(document)
        )
        assert "production" not in kinds

    def test_bad_filters_are_refused(self, ledger: sl.Inventory) -> None:
        """Unknown lots, naive times, reversed windows and bad ids raise clear errors."""
        with pytest.raises(UnknownLotError):
            ledger.epcis.export(lots=[("ASP-100", "NOPE")])
        with pytest.raises(ValidationError, match=r"\(sku, lot\) pairs"):
            ledger.epcis.export(lots=["L24B"])  # type: ignore[list-item]
        with pytest.raises(sl.errors.InvalidTimeError):
            ledger.epcis.export(since=dt.datetime(2026, 3, 2))
        with pytest.raises(ValidationError, match="after since"):
            ledger.epcis.export(since=scenario.START, until=scenario.START)
        with pytest.raises(ValidationError, match="transaction id"):
            ledger.epcis.export(after=-1)


class TestStreaming:
    def test_written_file_is_the_exported_document(
        self, ledger: sl.Inventory, tmp_path: Path
    ) -> None:
        """epcis.write writes the document epcis.export returns, and counts its events."""
        target = tmp_path / "out.jsonld"
        count = ledger.epcis.write(target, options=EPC)
        document = ledger.epcis.export(options=EPC)
        assert json.loads(target.read_text(encoding="utf-8")) == document
        assert count == len(events(document))
        assert not (tmp_path / "out.jsonld.part").exists()

    def test_failed_export_leaves_no_file(self, ledger: sl.Inventory, tmp_path: Path) -> None:
        """An export that fails half way leaves neither the target nor its part file."""
        target = tmp_path / "out.jsonld"
        with pytest.raises(EpcisExportError, match="company_prefix_length"):
            ledger.epcis.write(target, options=EpcisOptions(identifiers="epc"))
        assert list(tmp_path.iterdir()) == []

    def test_small_batches_stream_the_same_document(self, make_store: StoreFactory) -> None:
        """Reading one transaction at a time gives the same document as large batches."""
        inv = scenario.build(make_store())
        small, large = io.StringIO(), io.StringIO()
        inv.epcis.write(small, options=EpcisOptions(batch_size=1))
        inv.epcis.write(large)
        assert small.getvalue() == large.getvalue()

    def test_progress_counts_every_transaction_read(self, make_store: StoreFactory) -> None:
        """The progress callback hears of every transaction once, a batch at a time."""
        inv = scenario.build(make_store())
        batches: list[int] = []
        inv.epcis.write(io.StringIO(), options=EpcisOptions(batch_size=4), progress=batches.append)
        with inv.store.read() as r:
            head, _ = r.head()
        assert sum(batches) == head
        assert max(batches) == 4

    def test_empty_ledger_exports_an_empty_event_list(self, validator: Any) -> None:
        """An empty ledger is a valid document with no events."""
        document = sl.Inventory(clock=sl.FixedClock(scenario.START)).epcis.export()
        assert events(document) == []
        assert problems(validator, document) == []


class TestOptions:
    def test_epc_uris_need_a_company_prefix(self, ledger: sl.Inventory) -> None:
        """Without a matching prefix or default length EPC export raises; a length works."""
        with pytest.raises(EpcisExportError, match="GTIN 09506000134352"):
            ledger.epcis.export(options=EpcisOptions(identifiers="epc"))
        by_length = EpcisOptions(identifiers="epc", company_prefix_length=7)
        by_prefix = EpcisOptions(identifiers="epc", company_prefixes=["950600", "9506000"])
        document = ledger.epcis.export(options=by_length)
        assert json.dumps(document) == json.dumps(ledger.epcis.export(options=by_prefix))
        assert of(document, "receipt")[0]["quantityList"][0]["epcClass"] == (
            "urn:epc:class:lgtin:9506000.013435.L24B"
        )

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"identifiers": "urn"}, "'digital_link' or 'epc'"),
            ({"digital_link_base": "https://id.example.com/"}, "trailing"),
            ({"company_prefixes": "9506000"}, "list of GS1 Company Prefixes"),
            ({"company_prefixes": ["95060"]}, "6 to 12 digits"),
            ({"company_prefix_length": 13}, "6 to 12"),
            ({"private_base": "stockline"}, "absolute URI"),
            ({"owner_gln": "9506000000016"}, "check digit"),
            ({"time_zone_offset": "+1:00"}, "HH:MM"),
            ({"dispositions": {"hold": "blocked"}}, "not a CBV 2.0 disposition"),
            ({"batch_size": 0}, "positive"),
        ],
    )
    def test_bad_options_are_refused(self, options: dict[str, Any], message: str) -> None:
        """Each malformed option raises ValidationError saying what is expected."""
        with pytest.raises(ValidationError, match=message):
            EpcisOptions(**options)

    def test_malformed_gln_in_master_data_is_reported(self) -> None:
        """A location GLN with a wrong check digit stops the export with its path."""
        inv = sl.Inventory(clock=sl.FixedClock(scenario.START))
        inv.add_item("BOLT-8")
        inv.add_location("DC9", gln="9506000000016")
        inv.add_location("DC9/DOCK")
        inv.receive("BOLT-8", 1, dst="DC9/DOCK", supplier="ACME")
        with pytest.raises(EpcisExportError, match="location DC9 has GLN"):
            inv.epcis.export()
