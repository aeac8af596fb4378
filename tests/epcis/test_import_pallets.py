"""Receiving announced pallets: nesting, re-scans, units received first; odd documents."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest

import stockline as sl
from stockline.errors import EpcisError, UnexpectedReceiptError
from stockline.gs1 import lgtin_uri, sgtin_uri, sscc, sscc_uri
from tests.conftest import StoreFactory

VAC = "09506000134352"  # serial-tracked (with lots)
GLOVE = "09506000134376"  # lot-tracked
PALLET = sscc("9506000", "000000001")
CASE = sscc("9506000", "000000002")
AT = {"eventTime": "2026-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00"}


def document(*, nested: bool, serials: bool = True) -> dict[str, Any]:
    """Three serials of lot L1 and 50 gloves of lot G7 on a pallet (in a case on it when
    ``nested``), shipped under despatch advice ASN-9."""
    units = [sgtin_uri(VAC, f"S{i}", 7) for i in (1, 2, 3)] if serials else []
    glove = [{"epcClass": lgtin_uri(GLOVE, "G7", 7), "quantity": 50}]
    inner = sscc_uri(CASE if nested else PALLET, 7)
    packs = [
        {
            **AT,
            "type": "AggregationEvent",
            "action": "ADD",
            "bizStep": "packing",
            "parentID": inner,
            **({"childEPCs": units} if units else {}),
            "childQuantityList": glove,
        },
    ]
    if nested:
        packs.append(
            {
                **AT,
                "type": "AggregationEvent",
                "action": "ADD",
                "bizStep": "packing",
                "parentID": sscc_uri(PALLET, 7),
                "childEPCs": [inner],
            }
        )
    commissioning = (
        [
            {
                **AT,
                "type": "ObjectEvent",
                "action": "ADD",
                "bizStep": "commissioning",
                "epcList": units,
                "ilmd": {"cbvmda:lotNumber": "L1"},
            }
        ]
        if units
        else []
    )
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": AT["eventTime"],
        "epcisBody": {
            "eventList": [
                *commissioning,
                *packs,
                {
                    **AT,
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "bizStep": "shipping",
                    "epcList": [sscc_uri(PALLET, 7)],
                    "bizTransactionList": [
                        {"type": "desadv", "bizTransaction": "urn:acme:asn:ASN-9"}
                    ],
                },
            ]
        },
    }


@pytest.fixture
def dock(make_store: StoreFactory) -> sl.Inventory:
    inv = sl.Inventory(
        store=make_store(), clock=sl.FixedClock(pendulum.datetime(2026, 3, 2, 9, tz="UTC"))
    )
    inv.add_item("VAC-10", gtin=VAC, tracking="serial")
    inv.add_item("GLOVE", gtin=GLOVE, tracking="lot")
    inv.add_location("DC1/DOCK")
    inv.add_location("DC1/B")
    return inv


def head(inv: sl.Inventory) -> int:
    with inv.store.read() as r:
        return r.head()[0]


class TestPallets:
    def test_pallet_after_a_unit_receives_the_rest(self, dock: sl.Inventory) -> None:
        """A unit received on its own first, the pallet's scan receives what is left on it."""
        (e,) = dock.epcis.expect(document(nested=False))
        dock.epcis.receive(f"(01){VAC}(21)S1", expectation=e.key, dst="DC1/DOCK")
        tx = dock.epcis.receive(f"(00){PALLET}", expectation=e.key, dst="DC1/DOCK")
        assert sorted(m.serial or m.lot or "" for m in tx.movements) == ["G7", "S2", "S3"]
        assert dock.epcis.report(e.key).complete

    def test_nested_pallet_scanned_twice_is_refused(self, dock: sl.Inventory) -> None:
        """A pallet already received is refused, also when nested and with
        allow_unexpected; so is a case on it; nothing is posted."""
        (e,) = dock.epcis.expect(document(nested=True, serials=False))
        dock.epcis.receive(f"(00){PALLET}", expectation=e.key, dst="DC1/DOCK")
        for scanned in (PALLET, CASE):
            with pytest.raises(UnexpectedReceiptError, match="already received"):
                dock.epcis.receive(
                    f"(00){scanned}", expectation=e.key, dst="DC1/DOCK", allow_unexpected=True
                )
        assert head(dock) == 1
        assert dock.on_hand("GLOVE") == Decimal(50)

    def test_nested_pallet_is_built_as_announced(self, dock: sl.Inventory) -> None:
        """Receiving a pallet creates it and its cases, the cases packed on it, so the
        pallet can then be moved whole."""
        (e,) = dock.epcis.expect(document(nested=True))
        dock.epcis.receive(f"(00){PALLET}", expectation=e.key, dst="DC1/DOCK")
        assert len(dock.containers.contents(PALLET)) == 4
        assert len(dock.containers.contents(CASE)) == 4
        dock.containers.move(PALLET, "DC1/B")
        assert dock.on_hand("GLOVE", location="DC1/B") == Decimal(50)

    def test_everything_received_item_by_item_refuses_the_pallet(self, dock: sl.Inventory) -> None:
        """A pallet whose content all arrived unit by unit has nothing left: refused."""
        (e,) = dock.epcis.expect(document(nested=False))
        for n in (1, 2, 3):
            dock.epcis.receive(f"(01){VAC}(21)S{n}", expectation=e.key, dst="DC1/DOCK")
        dock.epcis.receive(f"(01){GLOVE}(10)G7", 50, expectation=e.key, dst="DC1/DOCK")
        with pytest.raises(UnexpectedReceiptError, match="already received"):
            dock.epcis.receive(f"(00){PALLET}", expectation=e.key, dst="DC1/DOCK")


class TestOddDocuments:
    def test_non_utf8_file_is_refused(self, dock: sl.Inventory, tmp_path: Path) -> None:
        """A file that is not UTF-8 is an EpcisError saying it must be UTF-8 JSON."""
        doc = document(nested=False)
        doc["epcisBody"]["eventList"][-1]["stockline:note"] = "Lieferschein Müller"
        path = tmp_path / "latin1.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="cp1252")
        with pytest.raises(EpcisError, match="must be UTF-8"):
            dock.epcis.expect(path)
        with pytest.raises(EpcisError, match="must be UTF-8"):
            dock.epcis.expect(path.read_bytes())

    @pytest.mark.parametrize(
        ("quantity", "why"),
        [(-5, "more than 0"), (0, "more than 0"), (2.5, "whole number")],
    )
    def test_impossible_quantities_are_refused(
        self, dock: sl.Inventory, quantity: float, why: str
    ) -> None:
        """Beyond the schema: an announced quantity must be positive, and a count without a
        unit whole; nothing is imported otherwise."""
        doc = copy.deepcopy(document(nested=False))
        ship = doc["epcisBody"]["eventList"][-1]
        ship["quantityList"] = [{"epcClass": lgtin_uri(GLOVE, "G8", 7), "quantity": quantity}]
        with pytest.raises(EpcisError, match=why):
            dock.epcis.expect(doc)
        assert dock.epcis.expectations() == []
