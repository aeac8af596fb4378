"""The built-in EPCIS 2.0 validator: agrees with the official schema, reports every problem."""

from __future__ import annotations

import copy
import doctest
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockline.epcis import _validate
from stockline.epcis._import import load_epcis
from stockline.epcis._validate import check_epcis, is_date_time, is_uri, validate_epcis
from stockline.errors import EpcisError, ValidationError
from tests.epcis import _export_scenario as scenario
from tests.epcis._refdata import EXAMPLES, SCHEMA, examples, schema_validator

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-02T08:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def shipped(**fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "eventTime": "2026-03-02T08:00:00.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        "epcList": ["urn:epc:id:sgtin:9506000.013435.S1"],
        **fields,
    }


@pytest.fixture(scope="module")
def validator() -> Any:
    return schema_validator()


class TestReferenceExamples:
    @pytest.mark.parametrize("path", examples("valid"))
    def test_valid_examples_pass(self, path: Path, validator: Any) -> None:
        """Each valid GS1/OpenEPCIS example passes the built-in checks, as it passes the schema."""
        assert not list(validator.iter_errors(json.loads(path.read_text())))
        assert validate_epcis(load_epcis(path)) == []

    @pytest.mark.parametrize("path", examples("invalid"))
    def test_invalid_examples_fail(self, path: Path, validator: Any) -> None:
        """Each invalid example is rejected by the built-in checks, as by the schema, with a
        clear EpcisError that names the JSON path of every problem."""
        assert list(validator.iter_errors(json.loads(path.read_text())))
        with pytest.raises(EpcisError) as caught:
            check_epcis(load_epcis(path))
        assert caught.value.problems
        assert all(p.startswith("$") for p, _ in caught.value.problems)
        assert "nothing was imported" in str(caught.value)

    def test_manifest_agrees(self) -> None:
        """The manifest's expectations are the outcomes the two tests above check."""
        if not (EXAMPLES / "MANIFEST.json").exists():
            pytest.skip("no refdata")
        manifest = json.loads((EXAMPLES / "MANIFEST.json").read_text())
        for entry in manifest["files"]:
            problems = validate_epcis(load_epcis(EXAMPLES.parent / entry["file"]))
            assert (not problems) == (entry["expected"] == "valid"), entry["file"]

    def test_every_problem_of_a_document(self) -> None:
        """A validation returns every problem, not the first: the six broken events of the
        "multiple invalid fields" example give six problems, each at its own path."""
        path = EXAMPLES / "invalid" / "openepcis-Combination_of_multiple_invalid_fields.json"
        if not path.exists():
            pytest.skip("no refdata")
        paths = [p.path for p in validate_epcis(load_epcis(path))]
        assert paths == [
            "$.epcisBody.eventList[0].bizStep",
            "$.epcisBody.eventList[1].disposition",
            "$.epcisBody.eventList[2].sourceList[0].type",
            "$.epcisBody.eventList[3].ilmd.materialType",
            "$.epcisBody.eventList[4].eventTime",
            "$.epcisBody.eventList[4].action",
        ]


class TestOwnExports:
    @pytest.mark.parametrize("identifiers", ["digital_link", "epc"])
    def test_exports_pass_both(self, identifiers: str, validator: Any) -> None:
        """stockline's own exports pass the built-in checks and the schema alike."""
        from stockline.epcis import EpcisOptions

        inv = scenario.build()
        options = EpcisOptions(identifiers=identifiers, company_prefixes=[scenario.PREFIX])  # type: ignore[arg-type]
        doc = json.loads(json.dumps(inv.epcis.export(options=options)))
        assert not list(validator.iter_errors(doc))
        assert validate_epcis(load_epcis(doc)) == []


# One broken field at a time: the built-in checks and the schema must both reject each.
MUTATIONS: dict[str, Any] = {
    "no type": lambda d: d.pop("type"),
    "bad schemaVersion": lambda d: d.update(schemaVersion="v2"),
    "creationDate without zone": lambda d: d.update(creationDate="2026-03-02T08:00:00"),
    "unknown top field": lambda d: d.update(note="x"),
    "eventList not array": lambda d: d["epcisBody"].update(eventList={}),
    "event not object": lambda d: d["epcisBody"]["eventList"].append("x"),
    "offset 15h": lambda d: _ev(d).update(eventTimeZoneOffset="+15:00"),
    "Feb 30": lambda d: _ev(d).update(eventTime="2026-02-30T08:00:00Z"),
    "duplicate epc": lambda d: _ev(d)["epcList"].append(_ev(d)["epcList"][0]),
    "epc with space": lambda d: _ev(d).update(epcList=["urn:epc:id:sgtin:9506000.013435.S 1"]),
    "CBV URN bizStep": lambda d: _ev(d).update(bizStep="urn:epcglobal:cbv:bizstep:shipping"),
    "bad uom": lambda d: _ev(d).update(quantityList=[{"epcClass": "urn:x:y", "uom": "kg"}]),
    "empty quantityList only": lambda d: (_ev(d).pop("epcList"), _ev(d).update(quantityList=[])),
    "ilmd on OBSERVE": lambda d: _ev(d).update(ilmd={"cbvmda:lotNumber": "L1"}),
    "bizTransaction extra": lambda d: _ev(d).update(
        bizTransactionList=[{"type": "po", "bizTransaction": "urn:x:1", "note": "x"}]
    ),
    "source without type": lambda d: _ev(d).update(sourceList=[{"source": "urn:x:1"}]),
    "persistentDisposition empty": lambda d: _ev(d).update(persistentDisposition={}),
    "errorDeclaration without time": lambda d: _ev(d).update(errorDeclaration={}),
    "aggregation without children": lambda d: d["epcisBody"]["eventList"].append(
        {**_agg(), "childEPCs": []}
    ),
    "transformation with action": lambda d: d["epcisBody"]["eventList"].append(
        {**_transform(), "action": "ADD"}
    ),
    "transformation without outputs": lambda d: d["epcisBody"]["eventList"].append(
        {k: v for k, v in _transform().items() if k != "outputEPCList"}
    ),
    "transaction without bizTransactions": lambda d: d["epcisBody"]["eventList"].append(
        {**_ev(d), "type": "TransactionEvent", "bizTransactionList": []}
    ),
    "association without parent": lambda d: d["epcisBody"]["eventList"].append(
        {k: v for k, v in {**_agg(), "type": "AssociationEvent"}.items() if k != "parentID"}
    ),
    "sensor report without type": lambda d: _ev(d).update(
        sensorElementList=[{"sensorReport": [{"value": 1}]}]
    ),
    "extension event type not a URI": lambda d: d["epcisBody"]["eventList"].append(
        {**_ev(d), "type": "MyEvent"}
    ),
    "query document without results": lambda d: (
        d.update(type="EPCISQueryDocument"),
        d.update(epcisBody={}),
    ),
}


def _ev(d: dict[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = d["epcisBody"]["eventList"][0]
    return event


def _agg() -> dict[str, Any]:
    return {
        "type": "AggregationEvent",
        "action": "ADD",
        "parentID": "urn:epc:id:sscc:9506000.0000000001",
        "childEPCs": ["urn:epc:id:sgtin:9506000.013435.S1"],
        "eventTime": "2026-03-02T08:00:00Z",
        "eventTimeZoneOffset": "+00:00",
    }


def _transform() -> dict[str, Any]:
    return {
        "type": "TransformationEvent",
        "inputEPCList": ["urn:epc:id:sgtin:9506000.013435.S1"],
        "outputEPCList": ["urn:epc:id:sgtin:9506000.013435.S2"],
        "eventTime": "2026-03-02T08:00:00Z",
        "eventTimeZoneOffset": "+00:00",
    }


class TestAgreementWithSchema:
    def test_base_document_is_valid(self, validator: Any) -> None:
        """The document the mutations start from is valid under both."""
        base = document(shipped(), _agg(), _transform())
        assert not list(validator.iter_errors(base))
        assert validate_epcis(base) == []

    @pytest.mark.parametrize("name", sorted(MUTATIONS))
    def test_each_mutation_is_rejected_by_both(self, name: str, validator: Any) -> None:
        """Breaking one rule makes both the schema and the built-in checks reject it."""
        doc = document(shipped(), _agg(), _transform())
        MUTATIONS[name](doc)
        assert list(validator.iter_errors(doc)), "the schema accepts it: a wrong mutation"
        assert validate_epcis(load_epcis(copy.deepcopy(doc))), "the built-in checks accept it"

    @settings(max_examples=300)
    @given(
        st.text(
            alphabet=st.sampled_from(list("abz019:/?#[]@!$&'()*+,;=%-._~ \"<>{}|\\^`AF")),
            max_size=24,
        )
    )
    def test_uri_format_as_rfc3987(self, text: str) -> None:
        """The built-in URI check judges strings as rfc3987 (jsonschema's "uri" format) does."""
        rfc3987 = pytest.importorskip("rfc3987")
        try:
            rfc3987.parse(text, rule="URI")
            expected = True
        except ValueError:
            expected = False
        assert is_uri(text) == expected

    @settings(max_examples=200)
    @given(st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()))
    def test_date_time_format(self, text: str) -> None:
        """Python's aware ISO times are RFC 3339 date-times when their offset has no seconds."""
        rfc3339 = pytest.importorskip("rfc3339_validator")
        assert is_date_time(text) == rfc3339.validate_rfc3339(text.upper())


class TestWithSchemaArgument:
    def test_schema_path_adds_its_problems(self) -> None:
        """With schema=, jsonschema's problems are added, marked as the schema's."""
        if not SCHEMA.exists():
            pytest.skip("no refdata")
        doc = document(shipped(action="CREATE"))
        problems = validate_epcis(doc, schema=SCHEMA)
        assert {p.source for p in problems} == {"stockline", "schema"}
        assert validate_epcis(document(shipped()), schema=str(SCHEMA)) == []

    def test_unreadable_schema(self, tmp_path: Path) -> None:
        """A schema that cannot be read is a clear ValidationError."""
        with pytest.raises(ValidationError, match="cannot read the EPCIS schema"):
            validate_epcis(document(shipped()), schema=tmp_path / "missing.json")

    def test_error_lists_every_problem(self) -> None:
        """check_epcis raises one EpcisError whose problems hold every (path, message)."""
        doc = document(shipped(action="CREATE", bizStep="transforming"))
        with pytest.raises(EpcisError) as caught:
            check_epcis(doc)
        assert [p for p, _ in caught.value.problems] == [
            "$.epcisBody.eventList[0].action",
            "$.epcisBody.eventList[0].bizStep",
        ]


class TestDocstrings:
    def test_examples_run(self) -> None:
        """The module's docstring examples give the output they show."""
        result = doctest.testmod(_validate, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0
        assert result.failed == 0
