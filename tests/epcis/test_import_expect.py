"""Expected receipts from EPCIS documents, receiving against them, and the report."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import stockline as sl
from stockline.epcis._expect import expectations_from
from stockline.epcis._import import read_epcis
from stockline.errors import (
    DuplicateError,
    EpcisError,
    ExpiredProductError,
    UnexpectedReceiptError,
    UnknownExpectationError,
)
from stockline.gs1 import lgtin_uri, sgtin_uri, sscc, sscc_uri
from tests.conftest import StoreFactory
from tests.epcis import _export_scenario as scenario
from tests.epcis._refdata import EXAMPLES, examples

UNIT = "09506000134352"  # serial-tracked unit
CASE = "19506000134359"  # a case of 4 units
GLOVE = "09506000134376"  # lot-tracked
PALLET = sscc("9506000", "000000001")
ASN = "urn:epcglobal:cbv:bt:9506000000008:ASN-9"
PO = "urn:epcglobal:cbv:bt:9506000000008:PO-1"
T = "2026-03-01T10:00:00Z"


def ev(**fields: Any) -> dict[str, Any]:
    return {"eventTime": T, "eventTimeZoneOffset": "+00:00", **fields}


def dscsa() -> dict[str, Any]:
    """Commissioning (lot, expiry) → packing units into a case, the case and gloves onto a
    pallet → shipping the pallet with its PO and despatch advice."""
    units = [sgtin_uri(UNIT, f"S{i}", 7) for i in range(1, 5)]
    case = sgtin_uri(CASE, "C1", 7)
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": T,
        "epcisBody": {
            "eventList": [
                ev(
                    type="ObjectEvent",
                    action="ADD",
                    bizStep="commissioning",
                    epcList=units,
                    ilmd={"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2027-01-31"},
                ),
                ev(
                    type="AggregationEvent",
                    action="ADD",
                    bizStep="packing",
                    parentID=case,
                    childEPCs=units,
                ),
                ev(
                    type="AggregationEvent",
                    action="ADD",
                    bizStep="packing",
                    parentID=sscc_uri(PALLET, 7),
                    childEPCs=[case],
                    childQuantityList=[{"epcClass": lgtin_uri(GLOVE, "G7", 7), "quantity": 50}],
                ),
                ev(
                    type="ObjectEvent",
                    action="OBSERVE",
                    bizStep="shipping",
                    epcList=[sscc_uri(PALLET, 7)],
                    bizTransactionList=[
                        {"type": "po", "bizTransaction": PO},
                        {"type": "desadv", "bizTransaction": ASN},
                    ],
                    sourceList=[
                        {"type": "owning_party", "source": "urn:epc:id:pgln:9506000.00000"}
                    ],
                ),
            ]
        },
    }


@pytest.fixture
def dock(make_store: StoreFactory, clock: sl.FixedClock) -> sl.Inventory:
    inv = sl.Inventory(store=make_store(), clock=clock)
    inv.add_item("ASP", gtin=UNIT, tracking="serial", packs=[(CASE, 4)])
    inv.add_item("GLOVE", gtin=GLOVE, tracking="lot")
    inv.add_location("DC1/DOCK")
    inv.add_party("ACME", kind="supplier", gln="9506000000008")
    return inv


class TestReadingShipments:
    def test_pallet_expands_through_packing(self) -> None:
        """A shipped SSCC announces what its packing events put in it, at any depth, with lot
        and expiry from the commissioning ilmd; the despatch advice is the key."""
        (expected,) = expectations_from(read_epcis(dscsa()))
        assert expected.key == ASN
        assert expected.containers == (PALLET,)
        serials = [(x.serial, x.lot, x.expiry, x.parents) for x in expected.lines if x.serial]
        assert serials == [
            (f"S{i}", "L1", dt.date(2027, 1, 31), (PALLET, f"(01){CASE}(21)C1"))
            for i in range(1, 5)
        ]
        (gloves,) = [x for x in expected.lines if x.gtin == GLOVE]
        assert (gloves.lot, gloves.quantity, gloves.container) == ("G7", Decimal(50), PALLET)

    def test_retracted_shipping_is_ignored(self) -> None:
        """A shipping event declared erroneous (an errorDeclaration on its eventID) ships
        nothing."""
        doc = dscsa()
        ship = doc["epcisBody"]["eventList"][-1]
        ship["eventID"] = "urn:uuid:6a3f6a9e-1d0b-4a6e-9d3e-000000000001"
        doc["epcisBody"]["eventList"].append(
            {**ship, "errorDeclaration": {"declarationTime": T, "reason": "did_not_occur"}}
        )
        assert expectations_from(read_epcis(doc)) == []

    def test_one_key_per_despatch_advice(self) -> None:
        """Shipping events with different despatch advices become separate expectations; key=
        puts them all under one."""
        doc = dscsa()
        other = {**doc["epcisBody"]["eventList"][-1]}
        other["epcList"] = [sgtin_uri(UNIT, "X1", 7)]
        other["bizTransactionList"] = [{"type": "desadv", "bizTransaction": "urn:x:asn:2"}]
        doc["epcisBody"]["eventList"].append(other)
        assert [e.key for e in expectations_from(read_epcis(doc))] == [ASN, "urn:x:asn:2"]
        assert [e.key for e in expectations_from(read_epcis(doc), key="IN-1")] == ["IN-1"]

    def test_undecodable_shipped_identifier(self) -> None:
        """A shipped SGTIN that does not decode is an EpcisError naming its event."""
        doc = dscsa()
        doc["epcisBody"]["eventList"][-1]["epcList"] = ["urn:epc:id:sgtin:9506000.01343.S1"]
        with pytest.raises(EpcisError, match=r"eventList\[3\]"):
            expectations_from(read_epcis(doc))

    @pytest.mark.parametrize("path", examples("valid"))
    def test_reference_examples_import(self, path: Path) -> None:
        """Every valid reference example imports without error; its shipping events (if any)
        become expectations whose lines all name a GTIN."""
        for expected in expectations_from(read_epcis(path)):
            assert all(len(line.gtin) == 14 for line in expected.lines)

    def test_gs1_shipping_example(self) -> None:
        """GS1's example 9.6.1 ships two SGTINs under its PO."""
        path = EXAMPLES / "valid" / "gs1-Example_9.6.1-ObjectEvent.jsonld"
        if not path.exists():
            pytest.skip("no refdata")
        (expected,) = expectations_from(read_epcis(path))
        assert expected.key == "http://transaction.acme.com/po/12345678"
        assert [x.serial for x in expected.lines] == ["2017", "2018"]

    @pytest.mark.parametrize("path", examples("invalid"))
    def test_invalid_examples_are_refused(self, path: Path, clock: sl.FixedClock) -> None:
        """epcis.expect rejects every invalid example with EpcisError; nothing is stored."""
        inv = sl.Inventory(clock=clock)
        with pytest.raises(EpcisError):
            inv.epcis.expect(path)
        assert inv.epcis.expectations() == []


class TestReceiving:
    def test_scan_each_unit(self, dock: sl.Inventory) -> None:
        """Unit scans are checked against the announcement; the lot comes from the notice when
        the label has none; the receipt carries the PO and ASN and the supplier by GLN."""
        (expected,) = dock.epcis.expect(dscsa())
        assert expected.key == ASN
        tx = dock.epcis.receive(f"(01){UNIT}(21)S1", expectation=ASN, dst="DC1/DOCK")
        assert tx.counterparty == "ACME"
        assert {(r.type, r.number) for r in tx.refs} == {("PO", PO), ("ASN", ASN)}
        assert dock.on_hand("ASP", lot="L1") == 1
        assert dock.master.lot("ASP", "L1").expiry == dt.date(2027, 1, 31)
        report = dock.epcis.report(ASN)
        assert [(x.status, x.serial) for x in report.short if x.serial] == [
            ("short", "S2"),
            ("short", "S3"),
            ("short", "S4"),
        ]
        assert report.missing_serials == (("ASP", "S2"), ("ASP", "S3"), ("ASP", "S4"))

    def test_unexpected_serial_refused_or_flagged(self, dock: sl.Inventory) -> None:
        """A serial not announced is refused and nothing posted; with allow_unexpected it is
        posted and reported as unexpected."""
        dock.epcis.expect(dscsa())
        with pytest.raises(UnexpectedReceiptError, match="serial S9 of ASP"):
            dock.epcis.receive(f"(01){UNIT}(21)S9(10)L1", expectation=ASN, dst="DC1/DOCK")
        assert dock.on_hand("ASP") == 0
        dock.epcis.receive(
            f"(01){UNIT}(21)S9(10)L1", expectation=ASN, dst="DC1/DOCK", allow_unexpected=True
        )
        assert dock.epcis.report(ASN).unexpected_serials == (("ASP", "S9"),)

    def test_serial_received_twice(self, dock: sl.Inventory) -> None:
        """A serial already received against the expectation is always refused."""
        dock.epcis.expect(dscsa())
        dock.epcis.receive(f"(01){UNIT}(21)S1", expectation=ASN, dst="DC1/DOCK")
        with pytest.raises(UnexpectedReceiptError, match="already received"):
            dock.epcis.receive(
                f"(01){UNIT}(21)S1", expectation=ASN, dst="DC1/DOCK", allow_unexpected=True
            )

    def test_over_quantity_and_unexpected_lot(self, dock: sl.Inventory) -> None:
        """More of an announced lot than announced is over; a lot not announced is unexpected;
        both are refused unless allowed, with exact quantities in the report."""
        dock.epcis.expect(dscsa())
        dock.epcis.receive(f"(01){GLOVE}(10)G7", 45, expectation=ASN, dst="DC1/DOCK")
        with pytest.raises(UnexpectedReceiptError, match="more than the 50 announced"):
            dock.epcis.receive(f"(01){GLOVE}(10)G7", 6, expectation=ASN, dst="DC1/DOCK")
        dock.epcis.receive(
            f"(01){GLOVE}(10)G7", 6, expectation=ASN, dst="DC1/DOCK", allow_unexpected=True
        )
        dock.epcis.receive(
            f"(01){GLOVE}(10)G8", 2, expectation=ASN, dst="DC1/DOCK", allow_unexpected=True
        )
        report = dock.epcis.report(ASN)
        (over,) = report.over
        assert (over.lot, over.expected, over.received, over.difference) == (
            "G7",
            Decimal(50),
            Decimal(51),
            Decimal(1),
        )
        (lot,) = report.unexpected
        assert (lot.lot, lot.received) == ("G8", Decimal(2))
        assert not report.complete

    def test_pallet_scan_receives_its_content(self, dock: sl.Inventory) -> None:
        """Scanning the announced SSCC receives everything on it, into that pallet, in one
        transaction; the report is then complete; scanning it again is refused."""
        dock.epcis.expect(dscsa())
        tx = dock.epcis.receive(f"(00){PALLET}", expectation=ASN, dst="DC1/DOCK")
        assert len(tx.movements) == 5
        assert {m.dst.container for m in tx.movements} == {PALLET}
        assert dock.on_hand("GLOVE", lot="G7", container=PALLET) == 50
        assert dock.epcis.report(ASN).complete
        with pytest.raises(UnexpectedReceiptError, match="already received"):
            dock.epcis.receive(f"(00){PALLET}", expectation=ASN, dst="DC1/DOCK")

    def test_case_scan_receives_its_units(self, dock: sl.Inventory) -> None:
        """Scanning an announced serialised case receives the units packed in it."""
        dock.epcis.expect(dscsa())
        tx = dock.epcis.receive(f"(01){CASE}(21)C1", expectation=ASN, dst="DC1/DOCK")
        assert sorted(m.serial or "" for m in tx.movements) == ["S1", "S2", "S3", "S4"]

    def test_reversed_receipt_no_longer_counts(self, dock: sl.Inventory) -> None:
        """Reversing a receipt puts its lines back to short in the report."""
        dock.epcis.expect(dscsa())
        tx = dock.epcis.receive(f"(00){PALLET}", expectation=ASN, dst="DC1/DOCK")
        dock.reverse(tx.id, reason="wrong dock")
        assert len(dock.epcis.report(ASN).short) == 5

    def test_expired_announcement_refused(self, dock: sl.Inventory) -> None:
        """A unit whose announced expiry has passed is refused like an expired label."""
        doc = dscsa()
        doc["epcisBody"]["eventList"][0]["ilmd"]["cbvmda:itemExpirationDate"] = "2026-01-31"
        dock.epcis.expect(doc)
        with pytest.raises(ExpiredProductError, match="shipping notice"):
            dock.epcis.receive(f"(01){UNIT}(21)S1", expectation=ASN, dst="DC1/DOCK")

    def test_idempotent_retry(self, dock: sl.Inventory) -> None:
        """A retried scan with the same key returns the first receipt, counted once."""
        dock.epcis.expect(dscsa())
        first = dock.epcis.receive(f"(01){UNIT}(21)S1", expectation=ASN, dst="DC1/DOCK", key="k1")
        again = dock.epcis.receive(f"(01){UNIT}(21)S1", expectation=ASN, dst="DC1/DOCK", key="k1")
        assert again.id == first.id
        assert dock.epcis.report(ASN).receipts == (first.id,)


class TestStoring:
    def test_reimport_and_replace(self, dock: sl.Inventory) -> None:
        """The same document again changes nothing; a changed one is refused unless replace."""
        dock.epcis.expect(dscsa())
        dock.epcis.expect(json.dumps(dscsa()))
        changed = dscsa()
        changed["epcisBody"]["eventList"][2]["childQuantityList"][0]["quantity"] = 60
        with pytest.raises(DuplicateError, match="replace=True"):
            dock.epcis.expect(changed)
        dock.epcis.expect(changed, replace=True)
        assert any(x.quantity == 60 for x in dock.epcis.expectation(ASN).lines)

    def test_unknown_key(self, dock: sl.Inventory) -> None:
        """Receiving or reporting against a key never imported is UnknownExpectationError."""
        with pytest.raises(UnknownExpectationError):
            dock.epcis.report("nope")
        with pytest.raises(UnknownExpectationError):
            dock.epcis.receive(f"(01){UNIT}(21)S1", expectation="nope", dst="DC1/DOCK")

    def test_survives_reopening(self, tmp_path: Path, clock: sl.FixedClock) -> None:
        """Expectations and what was received against them survive closing the database."""
        url = f"sqlite:///{tmp_path}/stock.db"
        with sl.Inventory.open(url, clock=clock) as inv:
            inv.add_item("ASP", gtin=UNIT, tracking="serial", packs=[(CASE, 4)])
            inv.add_item("GLOVE", gtin=GLOVE, tracking="lot")
            inv.add_location("DC1/DOCK")
            inv.epcis.expect(dscsa())
            inv.epcis.receive(f"(01){CASE}(21)C1", expectation=ASN, dst="DC1/DOCK")
        with sl.Inventory.open(url, clock=clock) as inv:
            report = inv.epcis.report(ASN)
            assert [x.status for x in report.lines] == ["ok"] * 4 + ["short"]


class TestRoundTrip:
    @pytest.mark.parametrize("identifiers", ["digital_link", "epc"])
    def test_export_then_import_then_receive_all(
        self, identifiers: str, make_store: StoreFactory
    ) -> None:
        """What one inventory ships (exported as EPCIS) is expected by another; receiving every
        announced line by scan leaves nothing over or short."""
        from stockline.epcis import EpcisOptions

        sender = scenario.build()
        options = EpcisOptions(identifiers=identifiers, company_prefixes=[scenario.PREFIX])  # type: ignore[arg-type]
        doc = json.dumps(sender.epcis.export(options=options))
        receiver = sl.Inventory(store=make_store(), clock=sl.FixedClock(scenario.START))
        for item in sender.master.items():
            receiver.add_item(
                item.sku, gtin=item.gtin, unit=item.unit, tracking=item.tracking, packs=item.packs
            )
        receiver.add_location("IN/DOCK")
        found = receiver.epcis.expect(doc)
        assert found, "the scenario ships goods"
        for expected in found:
            for line in expected.lines:
                text = f"(01){line.gtin}" + (f"(10){line.lot}" if line.lot else "")
                text += f"(21){line.serial}" if line.serial else ""
                receiver.epcis.receive(
                    text,
                    None if line.serial else line.quantity,
                    expectation=expected.key,
                    dst="IN/DOCK",
                    allow_expired=True,
                    reason="round trip of an old export",
                )
            report = receiver.epcis.report(expected.key)
            assert report.complete, [str(x) for x in report.lines]
