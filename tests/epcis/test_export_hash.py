"""The EPCIS event hash ID against the published vectors of the GS1 reference implementation,
and the canonical identifiers it hashes."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any
from urllib.parse import quote

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import gs1
from stockline.epcis import EpcisOptions, event_hash_id, prehash
from stockline.epcis._hash_ids import canonical_id
from stockline.errors import ValidationError
from tests.conftest import StoreFactory
from tests.epcis import _hash_vectors as vectors


class TestEventHashId:
    @pytest.mark.parametrize(
        ("event", "expected"),
        vectors.VECTORS,
        ids=[f"{i}-{e['type']}" for i, (e, _) in enumerate(vectors.VECTORS)],
    )
    def test_matches_the_reference_vectors(self, event: dict[str, object], expected: str) -> None:
        """Each event hashes to the ID the reference implementation publishes for it."""
        assert event_hash_id(event, context=vectors.CONTEXT) == expected

    def test_error_declared_event_matches_reference_pre_hash_and_hash(self) -> None:
        """eventID and errorDeclaration stay out; 452.0 is written 452; times go to UTC ms."""
        event = vectors.ERROR_DECLARED
        assert prehash(event) == vectors.ERROR_DECLARED_PREHASH
        assert event_hash_id(event) == vectors.ERROR_DECLARED_HASH

    def test_field_order_and_list_order_do_not_matter(self) -> None:
        """The same event with its keys and list elements reordered has the same ID."""
        event, expected = vectors.VECTORS[4]
        shuffled = dict(reversed(list(event.items())))
        shuffled["childEPCs"] = list(reversed(event["childEPCs"]))
        assert event_hash_id(shuffled, context=vectors.CONTEXT) == expected

    def test_record_time_and_event_id_do_not_change_the_id(self) -> None:
        """recordTime and eventID are not part of the event's identity."""
        event, expected = copy.deepcopy(vectors.VECTORS[2])
        event["recordTime"] = "2030-01-01T00:00:00Z"
        event["eventID"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
        assert event_hash_id(event, context=vectors.CONTEXT) == expected

    def test_any_business_change_changes_the_id(self) -> None:
        """A different quantity, time, or an added extension field gives another ID."""
        event, expected = copy.deepcopy(vectors.VECTORS[3])
        event["quantityList"][0]["quantity"] = 601
        assert event_hash_id(event, context=vectors.CONTEXT) != expected
        event, _ = copy.deepcopy(vectors.VECTORS[3])
        event["eventTime"] = "2019-10-21T14:58:56.001+02:00"
        assert event_hash_id(event, context=vectors.CONTEXT) != expected
        event, _ = copy.deepcopy(vectors.VECTORS[3])
        event["example:note"] = "x"
        assert event_hash_id(event, context=vectors.CONTEXT) != expected

    def test_epc_uri_and_digital_link_forms_hash_alike(self) -> None:
        """An event written with GS1 Digital Link URIs has the ID of its EPC URI twin."""
        event, expected = copy.deepcopy(vectors.VECTORS[2])
        event["epcList"] = ["https://example.com/00/040123451111111110?x=1"]
        event["readPoint"] = {"id": "https://id.gs1.org/414/4012345000245"}
        assert event_hash_id(event, context=vectors.CONTEXT) == expected

    def test_other_algorithms_name_themselves(self) -> None:
        """sha-512 gives an ni URI naming sha-512 with a 128-hex-digit digest."""
        event, _ = vectors.VECTORS[0]
        found = event_hash_id(event, context=vectors.CONTEXT, algorithm="sha-512")
        assert found.startswith("ni:///sha-512;")
        assert found.endswith("?ver=CBV2.0")
        assert len(found.split(";")[1].split("?")[0]) == 128

    def test_refuses_what_it_cannot_hash(self) -> None:
        """No type or eventTime, sensor data, or an unknown algorithm raise ValidationError."""
        event, _ = vectors.VECTORS[0]
        with pytest.raises(ValidationError, match="'type' and an 'eventTime'"):
            event_hash_id({"type": "ObjectEvent"})
        with pytest.raises(ValidationError, match="sensorElementList"):
            event_hash_id({**event, "sensorElementList": []})
        with pytest.raises(ValidationError, match="sha-256"):
            event_hash_id(event, algorithm="md5")
        with pytest.raises(ValidationError, match="'table' or 'ralphtro'"):
            event_hash_id(event, order="sorted")  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="JSON object"):
            event_hash_id(["not", "an", "event"])  # type: ignore[arg-type]


class TestOrder:
    @pytest.mark.parametrize("index", range(len(vectors.VECTORS)))
    def test_ralphtro_order_reproduces_its_current_vectors(self, index: int) -> None:
        """order="ralphtro" gives RalphTro's current IDs: other IDs for the two events with
        both sources and destinations, the same IDs for the other eleven."""
        event, table = vectors.VECTORS[index]
        expected = vectors.RALPHTRO_IDS.get(index, table)
        assert event_hash_id(event, context=vectors.CONTEXT, order="ralphtro") == expected

    def test_ralphtro_order_sorts_the_lists_with_ilmd_and_extensions(self) -> None:
        """Destinations come before sources, and ILMD between them; the table keeps sources,
        destinations, ILMD, extensions."""
        event = {
            **vectors.VECTORS[0][0],
            "ilmd": {"example:batch": "B1"},
            "example:note": "n",
        }
        table = prehash(event, context=vectors.CONTEXT)
        ralphtro = prehash(event, context=vectors.CONTEXT, order="ralphtro")
        note = "{https://ns.example.com/epcis/}note"
        names = ("bizTransactionList", "sourceList", "destinationList", "ilmd", note)
        assert [table.index(n) for n in names] == sorted(table.index(n) for n in names)
        assert [ralphtro.index(n) for n in sorted(names)] == sorted(
            ralphtro.index(n) for n in names
        )

    def test_certification_info_and_parent_id(self) -> None:
        """RalphTro's order hashes certificationInfo after the offset and parentID before
        epcList; the table leaves certificationInfo out."""
        event = {
            **vectors.VECTORS[8][0],
            "parentID": "urn:epc:id:sscc:4012345.0111111111",
            "certificationInfo": "https://cert.example.com/1",
        }
        table = prehash(event)
        ralphtro = prehash(event, order="ralphtro")
        assert "certificationInfo" not in table
        assert table.index("epcList") < table.index("parentID")
        assert "-06:00certificationInfo=https://cert.example.com/1parentID=" in ralphtro
        assert ralphtro.index("parentID") < ralphtro.index("epcList")


class TestPlaceExtensions:
    @pytest.mark.parametrize("order", ["table", "ralphtro"])
    def test_read_point_extension_follows_its_id(self, order: Any) -> None:
        """An extension field inside readPoint or bizLocation is hashed right after the ID."""
        event, expected = copy.deepcopy(vectors.VECTORS[2])
        event["readPoint"]["example:dock"] = "D1"
        event["bizLocation"] = {"id": "urn:epc:id:sgln:4012345.00024.0", "example:room": "R"}
        found = prehash(event, context=vectors.CONTEXT, order=order)
        assert (
            "readPointid=https://id.gs1.org/414/4012345000245{https://ns.example.com/epcis/}dock=D1"
            "bizLocationid=https://id.gs1.org/414/4012345000245{https://ns.example.com/epcis/}room=R"
        ) in found
        assert event_hash_id(event, context=vectors.CONTEXT, order=order) != expected


#: GS1 keys in every EPC URI form the Tag Data Standard defines for them, and their
#: constrained canonical Digital Link URI.
EPC_FORMS = [
    ("urn:epc:id:sgtin:4012345.011111.98%22", "/01/04012345111118/21/98%22"),
    ("urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()", None),
    ("urn:epc:class:lgtin:4012345.012345.Lot987", "/01/04012345123456/10/Lot987"),
    ("urn:epc:idpat:sgtin:4012345.066666.*", "/01/04012345666663"),
    ("urn:epc:id:sscc:4012345.3111111111", "/00/340123451111111111"),
    ("urn:epc:id:sgln:4012345.00005.0", "/414/4012345000054"),
    ("urn:epc:id:sgln:4012345.00005.A%2F1", "/414/4012345000054/254/A%2F1"),
    ("urn:epc:id:pgln:999999999999.", "/417/9999999999994"),
    ("urn:epc:id:grai:4012345.00022.334455", "/8003/04012345000221334455"),
    ("urn:epc:idpat:grai:4012345.00022.*", "/8003/04012345000221"),
    ("urn:epc:id:giai:4012345.ABC345", "/8004/4012345ABC345"),
    ("urn:epc:id:gsrn:4012345.0000006765", "/8018/401234500000067657"),
    ("urn:epc:id:gsrnp:4012345.0000000007", "/8017/401234500000000074"),
    ("urn:epc:id:gdti:4012345.00009.PO-4711", "/253/4012345000092PO-4711"),
    ("urn:epc:id:gdti:987659999999..9", "/253/98765999999929"),
    ("urn:epc:idpat:gdti:4012345.00009.*", "/253/4012345000092"),
    (
        "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
        "/8010/061414111111111111111-A%23%2F/8011/1234",
    ),
    ("urn:epc:idpat:cpi:0614141.123ABC.*", "/8010/0614141123ABC"),
    ("urn:epc:id:sgcn:4012345.67890.04711", "/255/401234567890104711"),
    ("urn:epc:idpat:sgcn:4012345.67890.*", "/255/4012345678901"),
    ("urn:epc:id:ginc:0614141.xyz47%2F11", "/401/0614141xyz47%2F11"),
    ("urn:epc:id:gsin:4012345.222333444", "/402/40123452223334442"),
    ("urn:epc:id:itip:4012345.011111.01.02.987", "/8006/040123451111180102/21/987"),
    ("urn:epc:idpat:itip:4012345.011111.01.02.*", "/8006/040123451111180102"),
    (
        "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
        "/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB",
    ),
    ("urn:epc:idpat:upui:1234567.098765.*", "/01/01234567987651"),
]


class TestCanonicalIds:
    @pytest.mark.parametrize(("epc", "path"), [f for f in EPC_FORMS if f[1]])
    def test_every_epc_scheme_becomes_digital_link(self, epc: str, path: str) -> None:
        """Each EPC URI scheme with a GS1 key hashes as its Digital Link URI on id.gs1.org,
        which is its own canonical form (so urn:epc:id:gsin:4012345.222333444 and
        https://id.gs1.org/402/40123452223334442 hash alike)."""
        assert canonical_id(epc) == "https://id.gs1.org" + path
        assert canonical_id("https://id.gs1.org" + path) == "https://id.gs1.org" + path
        assert canonical_id("https://brand.example.com/dl" + path) == "https://id.gs1.org" + path

    def test_escapes_are_written_one_way(self) -> None:
        """EPC escapes stay, '!()*+,:' are escaped, as the reference writes them."""
        assert canonical_id(EPC_FORMS[1][0]) == (
            "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29"
        )

    @pytest.mark.parametrize(
        "uri",
        [
            "https://id.gs1.org/01/09506000134369/21/S%2F4",
            "https://id.gs1.org/01/09506000134369/21/S%2f4",
            "https://brand.example.com/01/09506000134369/21/S%2F4",
            "https://brand.example.com/dl/gtin/09506000134369/ser/S%2F4?17=260320#top",
            "http://brand.example.com/01/09506000134369/22/V1/10/L1/21/S%2F4/",
            "https://id.gs1.org/01/9506000134369/21/S%2F4",
            "urn:epc:id:sgtin:9506000.013436.S%2F4",
        ],
    )
    def test_one_identifier_one_form(self, uri: str) -> None:
        """Any domain, path prefix, short name, escape case, zero-suppressed GTIN, qualifier
        above the serial, query or fragment: one canonical URI."""
        assert canonical_id(uri) == "https://id.gs1.org/01/09506000134369/21/S%2F4"

    @pytest.mark.parametrize(
        "uri",
        [
            "urn:epc:id:sgtin:4012345.01111.1",  # 12 digits of prefix and item reference
            "urn:epc:id:sgtin:12345.0111111.1",  # a 5-digit company prefix
            "urn:epc:id:sgtin:4012345.011111.%E2%82%AC",  # not GS1 character set 82
            "urn:epc:id:sgtin:4012345.011111." + "9" * 21,  # a serial of 21 characters
            "urn:epc:id:sscc:4012345.311111111",
            "urn:epc:idpat:sgtin:4012345.*.*",
            "urn:epc:id:itip:4012345.011111.1.02.987",
            "urn:epc:id:unknown:4012345.1",
            "https://example.com/products/123",
            "https://id.gs1.org/01/95060001343/21/S",  # 11 digits
            "https://id.gs1.org/01/09506000134369/21/S%20T",
        ],
    )
    def test_not_a_key_is_hashed_as_written(self, uri: str) -> None:
        """A URI that is not a well-formed GS1 key has no canonical form."""
        assert canonical_id(uri) is None


def _ledger(store: sl.adapters.StockStore) -> sl.Inventory:
    clock = sl.FixedClock(pendulum.datetime(2026, 3, 2, 8, tz="UTC"))
    inv = sl.Inventory(store=store, clock=clock)
    inv.add_item("VAC", gtin="09506000134369", tracking="serial")
    inv.add_item("ASP", gtin="09506000134352", unit="KGM", tracking="lot")
    inv.add_location("DC1", gln="9506000000015")
    inv.add_location("DC1/A/01")
    inv.add_party("FARM", kind="supplier", gln="9506000000022")
    inv.receive("VAC", 1, dst="DC1/A/01", serial="S/4", supplier="FARM", ref="PO-1")
    inv.receive("ASP", 5, dst="DC1/A/01", lot="L(1)+2", supplier="FARM", ref="PO-2")
    clock.set(clock.now() + dt.timedelta(minutes=5))
    inv.move("ASP", 2, src="DC1/A/01", dst="DC1", lot="L(1)+2")
    return inv


class TestExportIdsDoNotDependOnSyntax:
    def test_custom_domain_and_epc_exports_have_the_default_ids(
        self, any_store: StoreFactory
    ) -> None:
        """Serials, lots and GLN extensions that need percent-escapes, written on a brand's
        domain (with a path prefix) or as EPC URIs, give the default export's event IDs, on
        every store."""
        inv = _ledger(any_store())

        def ids(options: EpcisOptions | None) -> list[str]:
            document = inv.epcis.export(options=options)
            return [event["eventID"] for event in document["epcisBody"]["eventList"]]

        default = ids(None)
        assert len(default) == 3
        assert ids(EpcisOptions(digital_link_base="https://brand.example.com")) == default
        assert ids(EpcisOptions(digital_link_base="https://brand.example.com/dl")) == default
        assert ids(EpcisOptions(identifiers="epc", company_prefixes=["9506000"])) == default


_BASE = {"type": "ObjectEvent", "eventTime": "2020-01-01T00:00:00Z"}
_INT_KEY: dict[Any, Any] = {**_BASE}
_INT_KEY[1] = "a"
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["id", "type", "source", "epcClass", "quantity", "set", "ex:x", "#text"]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)
_FIELDS = [
    "eventTime",
    "epcList",
    "parentID",
    "quantityList",
    "persistentDisposition",
    "readPoint",
    "bizTransactionList",
    "sourceList",
    "ilmd",
    "ex:ext",
    "certificationInfo",
    "@context",
]


class TestBadInput:
    @settings(max_examples=100)
    @given(
        fields=st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=4),
        order=st.sampled_from(["table", "ralphtro"]),
    )
    def test_any_json_hashes_or_raises_validation_error(
        self, fields: dict[str, Any], order: Any
    ) -> None:
        """Fields of any JSON type give an ID or a ValidationError, never another error."""
        try:
            found = event_hash_id({**_BASE, **fields}, order=order)
        except ValidationError:
            return
        assert found.startswith("ni:///sha-256;")

    @pytest.mark.parametrize(
        ("event", "message"),
        [
            ({**_BASE, "epcList": "urn:epc:id:sscc:4012345.0111111111"}, "epcList must be a list"),
            ({**_BASE, "readPoint": "urn:epc:id:sgln:4012345.00024.0"}, "readPoint must be"),
            ({**_BASE, "sourceList": [["x"]]}, "sourceList must be a list of objects"),
            ({**_BASE, "quantityList": [{"quantity": [1]}]}, "text or a number"),
            ({**_BASE, "epcList": ["urn:epc:id:sgtin:4012345.011111.\ud800"]}, "surrogate"),
            ({**_BASE, "ex:x": "\udfff"}, "surrogate"),
            ({**_BASE, "ilmd": {1: "a"}}, "field names inside ilmd"),
            (_INT_KEY, "field names are text"),
        ],
    )
    def test_wrong_shapes_are_named(self, event: dict[Any, Any], message: str) -> None:
        """A field of the wrong type or text that is not Unicode is refused, naming it."""
        with pytest.raises(ValidationError, match=message):
            event_hash_id(event)

    def test_deep_nesting_is_refused(self) -> None:
        """An extension nested deeper than Python recurses raises ValidationError."""
        deep: list[Any] = []
        inner = deep
        for _ in range(5000):
            inner.append([])
            inner = inner[0]
        with pytest.raises(ValidationError, match="nested too deeply"):
            event_hash_id({**_BASE, "ex:deep": deep})


_CSET82 = st.text(
    alphabet="!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
    min_size=1,
    max_size=20,
)


class TestOneKeyOneForm:
    @settings(max_examples=40)
    @given(serial=_CSET82, lot=_CSET82, extension=_CSET82.filter(lambda text: text != "0"))
    def test_every_writer_of_a_key_hashes_alike(
        self, serial: str, lot: str, extension: str
    ) -> None:
        """A serial, lot or GLN extension of any GS1 characters, written as an EPC URI, as a
        Digital Link on id.gs1.org or on a brand's domain (escapes in either case), has one
        canonical form."""
        gtin, gln = "09506000134352", "9506000000015"
        for ai, value, epc, key in (
            ("21", serial, gs1.sgtin_uri(gtin, serial, 7), f"01/{gtin}"),
            ("10", lot, gs1.lgtin_uri(gtin, lot, 7), f"01/{gtin}"),
            ("254", extension, gs1.sgln_uri(gln, extension, 7), f"414/{gln}"),
        ):
            elements = [gs1.Element(ai=key[: key.index("/")], value=key[key.index("/") + 1 :])]
            digital_link = gs1.to_digital_link([*elements, gs1.Element(ai=ai, value=value)])
            path = digital_link.removeprefix("https://id.gs1.org/")
            expected = canonical_id(epc)
            assert expected is not None
            assert canonical_id(digital_link) == expected
            assert canonical_id(f"https://brand.example.com/dl/{path}") == expected
            lower = re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), path)
            assert canonical_id(f"https://id.gs1.org/{lower}") == expected
            quoted = quote(value, safe="")
            assert canonical_id(f"https://a.example/{key}/{ai}/{quoted}?x=1#f") == expected

    @pytest.mark.parametrize("identifiers", ["digital_link", "epc"])
    def test_extension_zero_is_not_the_gln_itself(self, identifiers: Any) -> None:
        """A sublocation whose path remainder is "0" gets a private URI: as an SGLN extension
        "0" would name the GLN itself, in both syntaxes alike."""
        inv = sl.Inventory(clock=sl.FixedClock(pendulum.datetime(2026, 3, 2, 8, tz="UTC")))
        inv.add_item("BOLT", gtin="09506000134352")
        inv.add_location("DC1", gln="9506000000015")
        inv.add_location("DC1/0")
        inv.receive("BOLT", 1, dst="DC1/0", supplier="ACME")
        inv.receive("BOLT", 1, dst="DC1", supplier="ACME")
        options = EpcisOptions(identifiers=identifiers, company_prefixes=["9506000"])
        places = [
            event["readPoint"]["id"]
            for event in inv.epcis.export(options=options)["epcisBody"]["eventList"]
        ]
        assert places[0] == "urn:stockline:location:DC1%2F0"
        assert places[1] != places[0]
