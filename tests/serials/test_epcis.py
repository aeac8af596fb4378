"""The EPCIS events of a serial's life: commissioning and decommissioning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import stockline as sl
from tests.serials.conftest import GTIN

SCHEMA = (
    Path(__file__).parents[2].parent
    / "shared"
    / "research"
    / "refdata"
    / "epcis"
    / "schema"
    / "epcis-json-schema.json"
)


def events(inv: sl.Inventory) -> list[dict[str, Any]]:
    document = inv.epcis.export()
    found: list[dict[str, Any]] = document["epcisBody"]["eventList"]
    return found


class TestCommissioning:
    def test_a_commissioning_is_an_object_event_add(self, line: sl.Inventory) -> None:
        """Units made of nothing the ledger knows are commissioned by an ObjectEvent ADD
        naming each serial, with the work order."""
        line.serials.add_pool("VIAL", scheme="sequential", length=6)
        line.serials.produce("VIAL", 2, location="PLANT/FG", ref="WO-9")
        (event,) = [e for e in events(line) if e.get("stockline:kind") == "production"]
        assert (event["type"], event["action"], event["bizStep"]) == (
            "ObjectEvent",
            "ADD",
            "commissioning",
        )
        assert event["disposition"] == "active"
        assert event["epcList"] == [
            f"https://id.gs1.org/01/{GTIN}/21/000001",
            f"https://id.gs1.org/01/{GTIN}/21/000002",
        ]
        assert event["bizTransactionList"]

    def test_a_production_from_components_stays_a_transformation(self, line: sl.Inventory) -> None:
        """With bulk consumed, the serials' commissioning is the TransformationEvent."""
        line.serials.add_pool("VIAL")
        line.serials.produce(
            "VIAL",
            2,
            location="PLANT/FG",
            consume=[sl.Component(sku="BULK", quantity=1, location="PLANT/RM", lot="B1")],
        )
        (event,) = [e for e in events(line) if e.get("stockline:kind") == "production"]
        assert (event["type"], event["bizStep"]) == ("TransformationEvent", "commissioning")


class TestDecommissioning:
    @pytest.mark.parametrize(
        ("why", "step", "disposition"),
        [
            ("destroyed", "destroying", "destroyed"),
            ("stolen", "decommissioning", "stolen"),
            ("expired", "decommissioning", "expired"),
            ("sample", "decommissioning", "inactive"),
        ],
    )
    def test_the_reason_gives_step_and_disposition(
        self, line: sl.Inventory, why: str, step: str, disposition: str
    ) -> None:
        """A decommissioning is an ObjectEvent DELETE whose step and disposition follow its
        reason; plain scrap stays destruction."""
        line.serials.add_pool("VIAL")
        first, second = line.serials.produce("VIAL", 2, location="PLANT/FG").serials
        line.serials.decommission("VIAL", first, reason=why)
        line.scrap("VIAL", 1, serial=second, location="PLANT/FG", reason="stolen")
        scraps = [e for e in events(line) if e.get("stockline:kind") == "scrap"]
        assert [(e["action"], e["bizStep"], e["disposition"]) for e in scraps] == [
            ("DELETE", step, disposition),
            ("DELETE", "destroying", "destroyed"),
        ]


def test_the_life_of_a_serial_validates_against_the_schema(line: sl.Inventory) -> None:
    """Commissioning, packing, shipping and decommissioning export a valid document."""
    if not SCHEMA.exists():
        pytest.skip(f"the EPCIS JSON schema is not at {SCHEMA}")
    jsonschema = pytest.importorskip("jsonschema")
    line.serials.add_pool("VIAL")
    units = line.serials.produce("VIAL", 3, location="PLANT/FG", ref="WO-1").serials
    (case,) = line.serials.sscc.allocate("0614141").ssccs
    line.containers.create(case, kind="case")
    line.pack("VIAL", serials=units[:2], container=case, location="PLANT/FG")
    line.containers.ship(case, customer="PHARMACY")
    line.serials.decommission("VIAL", units[2], reason="sample")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    document = line.epcis.export()
    assert [e.message for e in validator.iter_errors(document)] == []
