"""EPCIS 1.2 XML: hardened parsing, the reference documents and their schema verdicts, 1.2/2.0
pairs, and the ledger written as 1.2 XML that both the published XSD and GS1's 2021 edit accept.

The reference material (``../shared/research/refdata/external/epcis12``: the XSDs, 49
documents from five independent origins with each schema's verdict, and 1.2/2.0 pairs) is read
at test time; the tests that need it skip when it is absent.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import stockline as sl
from stockline.epcis import EpcisOptions, read_epcis
from stockline.epcis._expect import expectations_from
from stockline.errors import EpcisError, ValidationError
from tests.conftest import StoreFactory
from tests.epcis import _export_scenario as scenario

REFDATA = Path(__file__).parents[2].parent / "shared" / "research" / "refdata" / "external"
EPCIS12 = REFDATA / "epcis12"
XSD = EPCIS12 / "xsd"
PUBLISHED = XSD / "EPCglobal-epcis-1_2.xsd"
VARIANT = XSD / "EPCglobal-epcis-1_2.gs1-xsl-2021-variant.xsd"
EPC = EpcisOptions(identifiers="epc", company_prefixes=[scenario.PREFIX], owner_gln=scenario.DC_GLN)

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" '
    'creationDate="2026-03-02T08:00:00Z"><EPCISBody><EventList>'
)
TAIL = "</EventList></EPCISBody></epcis:EPCISDocument>"
SHIPPING = (
    "<ObjectEvent><eventTime>2026-03-02T07:00:00</eventTime>"
    "<eventTimeZoneOffset>-05:00</eventTimeZoneOffset><epcList/><action>OBSERVE</action>"
    "<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>"
    "<bizTransactionList><bizTransaction type='urn:epcglobal:cbv:btt:desadv'>urn:acme:asn:7"
    "</bizTransaction></bizTransactionList><extension><quantityList><quantityElement>"
    "<epcClass>urn:epc:class:lgtin:9506000.013435.L7</epcClass><quantity>12.5</quantity>"
    "<uom>KGM</uom></quantityElement></quantityList></extension></ObjectEvent>"
)


def document(events: str) -> str:
    return HEAD + events + TAIL


def refdata(*parts: str) -> Path:
    path = EPCIS12.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"no EPCIS 1.2 reference material at {path}")
    return path


def files(kind: str) -> list[Any]:
    found = sorted((EPCIS12 / kind).glob("*.xml")) if EPCIS12.exists() else []
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no refdata at {EPCIS12}"))]
    return [pytest.param(path, id=path.name) for path in found]


def manifest_pairs() -> list[Any]:
    path = EPCIS12 / "MANIFEST.json"
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no refdata at {EPCIS12}"))]
    entries = json.loads(path.read_text(encoding="utf-8"))["files"]
    return [pytest.param(e, id=Path(e["file"]).name) for e in entries if e["kind"] == "pair-json"]


@functools.lru_cache(maxsize=2)
def xsd(path: Path) -> Any:
    xmlschema = pytest.importorskip("xmlschema")
    if not path.exists():
        pytest.skip(f"no XSD at {path}")
    return xmlschema.XMLSchema(str(path))


def schema_errors(schema_path: Path, text: str) -> list[str]:
    return [
        f"{e.path}: {e.reason}"
        for e in xsd(schema_path).iter_errors(io.BytesIO(text.encode("utf-8")))
    ]


def core(event: Any) -> dict[str, Any]:
    """What an event says, without where it sits in its document or its (2.0-only) ID."""
    found = attrs.asdict(event, recurse=False)
    del found["path"], found["event_id"]
    found["ilmd"] = {k: v for k, v in event.ilmd.items() if k.startswith("cbvmda:")}
    return found


def announced(doc: Any) -> list[Any]:
    """The expected receipts, without the document digest (which names the bytes)."""
    return [attrs.evolve(r, document="") for r in expectations_from(doc, key="K")]


# -- hardened parsing --------------------------------------------------------------------------


class TestHardenedParsing:
    def test_an_external_entity_is_refused_not_read(self, tmp_path: Path) -> None:
        """A SYSTEM entity naming a local file is refused; the file's content never shows."""
        secret = tmp_path / "secret.txt"
        secret.write_text("TOP-SECRET-CONTENT")
        text = (
            f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            + document(SHIPPING.replace("urn:acme:asn:7", "&x;"))[
                len('<?xml version="1.0" encoding="UTF-8"?>\n') :
            ]
        )
        with pytest.raises(EpcisError, match="DTD, an entity or an external") as caught:
            read_epcis(text)
        assert "TOP-SECRET" not in str(caught.value)

    def test_an_entity_expansion_bomb_is_refused_before_expanding(self) -> None:
        """The billion laughs: refused at the declaration, nothing is expanded."""
        entities = '<!ENTITY a0 "lol">' + "".join(
            f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
        )
        text = f'<?xml version="1.0"?><!DOCTYPE d [{entities}]><d>&a9;</d>'
        with pytest.raises(EpcisError, match="DTD, an entity"):
            read_epcis(text.encode())

    @pytest.mark.parametrize(
        "doctype",
        [
            "<!DOCTYPE epcis:EPCISDocument>",
            '<!DOCTYPE epcis:EPCISDocument SYSTEM "http://127.0.0.1:9/epcis.dtd">',
            '<!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
        ],
        ids=["internal", "external-dtd", "parameter-entity"],
    )
    def test_a_document_type_declaration_is_refused(self, doctype: str) -> None:
        """Any DTD is refused (an EPCIS document needs none); nothing is fetched."""
        text = '<?xml version="1.0"?>' + doctype + document(SHIPPING).split("\n", 1)[1]
        with pytest.raises(EpcisError, match="DTD, an entity or an external"):
            read_epcis(text.encode())

    def test_a_refused_document_imports_nothing(self) -> None:
        """The import is refused with EpcisError and the ledger keeps no expectation."""
        inv = sl.Inventory()
        text = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]>' + document(SHIPPING)[39:]
        with pytest.raises(EpcisError):
            inv.epcis.expect(text)
        assert inv.epcis.expectations() == []

    def test_not_well_formed_xml_is_refused(self) -> None:
        with pytest.raises(EpcisError, match="not well-formed XML"):
            read_epcis(b"<epcis:EPCISDocument>")


# -- reading -----------------------------------------------------------------------------------


class TestReading:
    def test_a_shipping_event_reads_as_its_json_twin(self) -> None:
        """CBV URNs become bare words, the extension's quantity list is read, a time without
        a zone is read in the event's offset, and the expectation is the JSON one's."""
        doc = read_epcis(document(SHIPPING))
        event = doc.events[0]
        assert (event.biz_step, event.action) == ("shipping", "OBSERVE")
        assert event.time == dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
        assert event.quantities[0].quantity == Decimal("12.5")
        assert event.biz_transactions == (("desadv", "urn:acme:asn:7"),)
        (expected,) = expectations_from(doc)
        assert expected.key == "urn:acme:asn:7"
        assert (expected.lines[0].gtin, expected.lines[0].lot) == ("09506000134352", "L7")

    def test_inventory_imports_xml_like_json(self) -> None:
        """``inv.epcis.expect`` takes the XML as text, bytes, a path or an open file."""
        inv = sl.Inventory()
        (found,) = inv.epcis.expect(document(SHIPPING).encode())
        assert inv.epcis.expectation("urn:acme:asn:7") == found
        assert inv.epcis.expect(io.StringIO(document(SHIPPING))) == [found]

    @pytest.mark.parametrize(
        ("events", "message"),
        [
            (SHIPPING.replace("<epcList/>", ""), "lacks the required <epcList>"),
            (
                SHIPPING.replace("<action>OBSERVE</action>", "<action>MOVE</action>"),
                "not an action",
            ),
            (
                SHIPPING.replace(
                    "<epcList/><action>OBSERVE</action>", "<action>OBSERVE</action><epcList/>"
                ),
                "out of order",
            ),
            (SHIPPING.replace("<quantity>12.5</quantity>", "<quantity>lots</quantity>"), "decimal"),
            (
                SHIPPING.replace("<action>", "<epcis:action>").replace(
                    "</action>", "</epcis:action>"
                ),
                "unqualified",
            ),
            (
                "<extension><TransformationEvent><eventTime>2026-03-02T07:00:00Z</eventTime>"
                "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset></TransformationEvent>"
                "<TransformationEvent><eventTime>2026-03-02T07:00:00Z</eventTime>"
                "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset></TransformationEvent>"
                "</extension>",
                "exactly one <TransformationEvent>",
            ),
            (
                SHIPPING.replace("<eventTime>2026-03-02T07:00:00", "<eventTime>2026-03-02T07:00Z"),
                "not an xsd:dateTime",
            ),
            (SHIPPING.replace("<quantity>12.5</quantity>", ""), "needs the <quantity>"),
            (
                SHIPPING.replace(
                    "<quantity>12.5</quantity><uom>KGM</uom>",
                    '<quantity xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                    'xsi:nil="true"/>',
                ),
                "may not be nil",
            ),
            (SHIPPING.replace("</ObjectEvent>", "<extension/></ObjectEvent>"), "or repeated"),
            (
                SHIPPING.replace(
                    "</quantityList></extension>", "</quantityList><extension/></extension>"
                ),
                "at least one element",
            ),
            (
                SHIPPING.replace("<eventTime>", "<eventID>urn:uuid:1</eventID><eventTime>", 1),
                "not allowed here",
            ),
            (
                SHIPPING.replace("<eventTime>", '<my:x xmlns:my="urn:my">1</my:x><eventTime>', 1),
                "comes after <x>, an element of another namespace",
            ),
        ],
        ids=[
            "no-epcList",
            "action",
            "order",
            "decimal",
            "qualified",
            "two-transformations",
            "date-time",
            "uom-without-quantity",
            "nil-quantity",
            "second-extension",
            "empty-extension",
            "event-id-first",
            "own-element-first",
        ],
    )
    def test_what_the_schema_refuses_is_refused(self, events: str, message: str) -> None:
        """The content model of the 1.2 schema is checked without the XSD, with every
        problem's path; the published XSD refuses each document too."""
        with pytest.raises(EpcisError, match=message) as caught:
            read_epcis(document(events))
        assert caught.value.problems[0][0].startswith("/EPCISDocument/EPCISBody/EventList/")
        if PUBLISHED.exists() and importlib.util.find_spec("xmlschema"):
            assert schema_errors(PUBLISHED, document(events))

    def test_the_document_those_are_made_from_is_valid(self) -> None:
        if not PUBLISHED.exists():
            pytest.skip(f"no XSD at {PUBLISHED}")
        assert schema_errors(PUBLISHED, document(SHIPPING)) == []
        assert len(read_epcis(document(SHIPPING), schema=PUBLISHED).events) == 1

    def test_epcis_2_xml_and_other_roots_are_refused(self) -> None:
        with pytest.raises(EpcisError, match=r"EPCIS 2\.0 XML"):
            read_epcis(document("").replace("xsd:1", "xsd:2"))
        with pytest.raises(EpcisError, match="root element"):
            read_epcis("<ObjectEvent/>")

    @pytest.mark.parametrize(
        "encode",
        [
            lambda text: text.replace('"UTF-8"', '"ISO-8859-1"').encode("latin-1"),
            lambda text: text.replace('"UTF-8"', '"UTF-16"').encode("utf-16"),
            lambda text: text.replace('"UTF-8"', '"ISO-8859-1"'),
        ],
        ids=["latin-1-bytes", "utf-16-bytes", "text-declaring-latin-1"],
    )
    def test_the_declared_encoding_is_honoured(self, encode: Any) -> None:
        """Bytes are decoded as their declaration says; text is already decoded."""
        text = document(SHIPPING.replace("urn:acme:asn:7", "urn:acmé:asn:7"))
        (event,) = read_epcis(encode(text)).events
        assert event.biz_transactions == (("desadv", "urn:acmé:asn:7"),)

    def test_a_missing_schema_file_is_refused(self, tmp_path: Path) -> None:
        pytest.importorskip("xmlschema")
        with pytest.raises(EpcisError, match="schema cannot be loaded"):
            read_epcis(document(SHIPPING), schema=tmp_path / "none.xsd")

    def test_a_json_schema_is_not_an_xsd(self) -> None:
        with pytest.raises(ValidationError, match="schema"):
            read_epcis(document(SHIPPING), schema={"type": "object"})


# -- the reference documents -------------------------------------------------------------------


class TestReferenceDocuments:
    """Every document the XSD accepts is read, every one it refuses is refused: with the
    built-in check alone, and with the published XSD as well."""

    @pytest.mark.parametrize("path", files("valid") + files("disputed"))
    def test_schema_valid_documents_are_read(self, path: Path) -> None:
        pytest.importorskip("xmlschema")
        bare = read_epcis(path)
        checked = read_epcis(path, schema=XSD)
        assert [core(e) for e in bare.events] == [core(e) for e in checked.events]
        assert bare.type in ("EPCISDocument", "EPCISMasterDataDocument")

    @pytest.mark.parametrize("path", files("invalid"))
    def test_schema_invalid_documents_are_refused(self, path: Path) -> None:
        pytest.importorskip("xmlschema")
        with pytest.raises(EpcisError):
            read_epcis(path)
        with pytest.raises(EpcisError):
            read_epcis(path, schema=XSD)

    def test_dscsa_example_ships_its_pallet_content(self) -> None:
        """GS1 US guideline example 2.2.1.1: the SSCC shipped expands into the serialised
        cases and units packed onto it, sender from the business document header."""
        path = refdata("valid", "openepcis-test-resources__GS1_US_Pharma_Example_2_2_1_1.xml")
        doc = read_epcis(path)
        assert doc.sender == "urn:epc:id:sgln:030001.111111.0"
        (expected,) = expectations_from(doc)
        assert len(expected.containers) == 1
        assert {line.serial for line in expected.lines} >= {"11", "12", "13"}
        assert all(expected.containers[0] in line.parents for line in expected.lines)

    @pytest.mark.parametrize("entry", manifest_pairs())
    def test_a_pair_imports_to_the_same_expectations(self, entry: dict[str, Any]) -> None:
        """1.2 XML and 2.0 JSON of the same data give the same events and expectations
        (except what the reference data lists as differing)."""
        xml_path = refdata(entry["pair_of"])
        json_doc = read_epcis(refdata(entry["file"]))
        if "invalid/" in entry["pair_of"]:
            with pytest.raises(EpcisError):  # the XSD refuses its 1.2 half
                read_epcis(xml_path)
            return
        xml_doc = read_epcis(xml_path)
        assert announced(xml_doc) == announced(json_doc)
        xml_events = [core(e) for e in xml_doc.events]
        json_events = [core(e) for e in json_doc.events]
        if entry["match"] == "near":  # the JSON adds a source and destination list
            for event in json_events:
                event["sources"] = event["destinations"] = ()
        assert xml_events == json_events


# -- writing -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger() -> sl.Inventory:
    return scenario.build()


class TestWriting:
    @pytest.mark.parametrize("schema", [PUBLISHED, VARIANT], ids=["published", "gs1-2021"])
    @pytest.mark.parametrize(
        "kwargs",
        [{}, {"options": EPC, "receiver": "9506000000022"}],
        ids=["digital-link", "epc-with-header"],
    )
    def test_export_is_valid_under_both_schemas(
        self, ledger: sl.Inventory, schema: Path, kwargs: dict[str, Any]
    ) -> None:
        """Every event type the ledger makes (receipts, moves, production, packing, holds,
        reversals, ...) is accepted by the published 1.2 XSD and GS1's 2021 edit."""
        text = ledger.epcis.export_xml(**kwargs)
        assert schema_errors(schema, text) == []

    def test_reading_the_export_gives_the_json_export(self, ledger: sl.Inventory) -> None:
        """The same events, lot master data and expected receipts as the 2.0 JSON export."""
        as_xml = read_epcis(ledger.epcis.export_xml(options=EPC, receiver="X"))
        as_json = read_epcis(ledger.epcis.export(options=EPC))
        assert [core(e) for e in as_xml.events] == [core(e) for e in as_json.events]
        assert [e.event_id for e in as_xml.events] == [e.event_id for e in as_json.events]
        assert as_xml.classes == as_json.classes
        assert [attrs.evolve(r, sender=None) for r in announced(as_xml)] == announced(as_json)

    def test_written_file_is_the_exported_text(self, ledger: sl.Inventory, tmp_path: Path) -> None:
        path = tmp_path / "ledger.xml"
        count = ledger.epcis.write_xml(path, options=EPC, receiver="X")
        assert path.read_text(encoding="utf-8") == ledger.epcis.export_xml(
            options=EPC, receiver="X"
        )
        assert count == len(read_epcis(path).events)
        assert not path.with_name("ledger.xml.part").exists()

    def test_lot_level_events_carry_an_empty_epc_list(self, ledger: sl.Inventory) -> None:
        text = ledger.epcis.export_xml()
        assert "<epcList></epcList><action>OBSERVE</action>" in text
        assert "<extension><TransformationEvent>" in text
        assert "<baseExtension><eventID>ni:///sha-256;" in text

    @pytest.mark.parametrize("receiver", [None, "9506000000022"], ids=["bare", "header"])
    def test_an_empty_ledger_is_an_empty_valid_document(self, receiver: str | None) -> None:
        text = sl.Inventory().epcis.export_xml(
            sender=None if receiver is None else "9506000000015", receiver=receiver
        )
        assert read_epcis(text).events == ()
        if PUBLISHED.exists() and importlib.util.find_spec("xmlschema"):
            assert schema_errors(PUBLISHED, text) == []

    def test_a_small_measured_quantity_is_a_decimal_not_an_exponent(self) -> None:
        """0.00001 kg is written ``0.00001``: xsd:decimal has no exponent (JSON's 1e-05)."""
        inv = sl.Inventory(clock=sl.FixedClock(scenario.START))
        inv.add_item("SAFFRON", gtin=scenario.ASPARAGUS, unit="KGM", tracking="lot", decimals=6)
        inv.add_location("DC1/DOCK")
        inv.receive("SAFFRON", Decimal("0.00001"), lot="S1", dst="DC1/DOCK", supplier="FARM")
        text = inv.epcis.export_xml()
        assert "<quantity>0.00001</quantity>" in text
        assert read_epcis(text).events[0].quantities[0].quantity == Decimal("0.00001")
        if PUBLISHED.exists() and importlib.util.find_spec("xmlschema"):
            assert schema_errors(PUBLISHED, text) == []

    def test_bad_arguments_are_refused(self, ledger: sl.Inventory) -> None:
        with pytest.raises(ValidationError):
            ledger.epcis.export_xml(receiver=7)  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            ledger.epcis.export_xml(sender=" padded ")
        with pytest.raises(ValidationError):
            ledger.epcis.write_xml(42)  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            ledger.epcis.export_xml(after=-1)
        with pytest.raises(ValidationError, match="receiver="):
            ledger.epcis.export_xml(sender="9506000000015")
        with pytest.raises(ValidationError, match="sender="):
            ledger.epcis.export_xml(receiver="9506000000022")


class TestEveryStore:
    def test_every_store_writes_and_imports_the_same(self, any_store: StoreFactory) -> None:
        """The 1.2 document of a ledger, and what importing it announces, do not depend on
        the store."""
        expected_text = scenario.build().epcis.export_xml(options=EPC, receiver="X")
        inv = scenario.build(any_store())
        text = inv.epcis.export_xml(options=EPC, receiver="X")
        assert text == expected_text
        other = sl.Inventory(store=any_store())
        found = other.epcis.expect(text, key="SHOP-1")
        assert found == sl.Inventory().epcis.expect(text, key="SHOP-1")
        assert other.epcis.expectation("SHOP-1") == found[0]
        with pytest.raises(EpcisError):
            other.epcis.expect(text.replace("<action>OBSERVE", "<action>SEE"), key="SHOP-2")
        assert [e.key for e in other.epcis.expectations()] == ["SHOP-1"]
