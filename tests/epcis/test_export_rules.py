"""Export rules a reviewer pinned: whole pallets, reversals of what commissioned, stable IDs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

import pytest

import stockline as sl
from stockline.epcis._ids import MasterHistory
from stockline.genealogy import Component, Output
from stockline.gs1 import sscc
from stockline.ledger import MasterChange
from tests.conftest import StoreFactory
from tests.epcis import _export_scenario as scenario

PALLET = sscc("9506000", "000000001")
CASE = sscc("9506000", "000000002")


def events(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["epcisBody"]["eventList"]  # type: ignore[no-any-return]


def palletised(make_store: StoreFactory) -> sl.Inventory:
    inv = sl.Inventory(store=make_store(), clock=sl.FixedClock(scenario.START))
    inv.add_item("PHONE", gtin="09506000134369", tracking="serial")
    inv.add_location("DC1/DOCK")
    inv.add_location("DC1/B")
    inv.add_party("CUST", kind="customer")
    inv.receive("PHONE", serials=["S1", "S2"], dst="DC1/DOCK", supplier="ACME")
    inv.containers.create(PALLET)
    inv.containers.create(CASE)
    inv.pack("PHONE", container=CASE, serials=["S1", "S2"], location="DC1/DOCK")
    inv.containers.nest(CASE, container=PALLET)
    return inv


class TestWholePallets:
    def test_moving_and_shipping_a_pallet_name_the_pallet(self, make_store: StoreFactory) -> None:
        """A pallet moved or shipped whole is listed by its own SSCC (the outermost moved
        container), not by the cases on it."""
        inv = palletised(make_store)
        inv.containers.move(PALLET, "DC1/B")
        inv.containers.ship(PALLET, customer="CUST", ref="SO-1")
        document = inv.epcis.export()
        for kind in ("transfer", "shipment"):
            (event,) = [
                e
                for e in events(document)
                if e["stockline:kind"] == kind and e["type"] == "ObjectEvent"
            ]
            containers = [u for u in event["epcList"] if "/00/" in u]
            assert containers == [f"https://id.gs1.org/00/{PALLET}"]

    def test_round_trip_receives_the_pallet_by_its_sscc(self, make_store: StoreFactory) -> None:
        """A shipped pallet exported, imported and scanned by its SSCC arrives whole, case on
        pallet, at the receiver."""
        inv = palletised(make_store)
        inv.containers.ship(PALLET, customer="CUST", ref="SO-1")
        document = json.loads(json.dumps(inv.epcis.export()))
        receiver = sl.Inventory(store=make_store(), clock=sl.FixedClock(scenario.START))
        receiver.add_item("PHONE", gtin="09506000134369", tracking="serial")
        receiver.add_location("IN/DOCK")
        (expected,) = receiver.epcis.expect(document)
        receiver.epcis.receive(f"(00){PALLET}", expectation=expected.key, dst="IN/DOCK")
        assert receiver.epcis.report(expected.key).complete
        assert len(receiver.containers.contents(PALLET)) == 2


def bakery(make_store: StoreFactory) -> sl.Inventory:
    inv = sl.Inventory(store=make_store(), clock=sl.FixedClock(scenario.START))
    inv.add_item("FLOUR", gtin="09506000134352", unit="KGM", tracking="lot")
    inv.add_item("BREAD", gtin="09506000134376", tracking="lot")
    inv.add_location("DC1/DOCK")
    inv.receive("FLOUR", 5, lot="F1", dst="DC1/DOCK", supplier="SUP")
    return inv


class TestCommissioning:
    def test_production_creates_its_output_once_with_ilmd(self, make_store: StoreFactory) -> None:
        """Production's output lot is created by the TransformationEvent, which carries its
        ILMD; no separate commissioning ADD creates it a second time."""
        inv = bakery(make_store)
        inv.produce(
            consume=[Component(sku="FLOUR", quantity=1, location="DC1/DOCK", lot="F1")],
            output=[Output(sku="BREAD", quantity=10, location="DC1/DOCK", lot="B1")],
        )
        document = inv.epcis.export()
        assert [e["bizStep"] for e in events(document)] == ["receiving", "creating_class_instance"]
        assert events(document)[1]["ilmd"] == {"cbvmda:lotNumber": "B1"}

    def test_receipts_do_not_commission_supplier_goods(self, make_store: StoreFactory) -> None:
        """A received lot is observed (its lot in the LGTIN), never commissioned: the
        supplier made it."""
        document = bakery(make_store).epcis.export()
        (receipt,) = events(document)
        assert receipt["action"] == "OBSERVE"
        assert receipt["quantityList"][0]["epcClass"].endswith("/10/F1")

    def test_reversal_declares_every_event_it_cancels(self, make_store: StoreFactory) -> None:
        """Reversing a transaction declares erroneous every event it produced, the
        commissioning of what it showed first included, each with the original's eventID."""
        inv = bakery(make_store)
        inv.add_lot("FLOUR", "F9")
        found = inv.adjust("FLOUR", 2, lot="F9", location="DC1/DOCK", reason="found")
        inv.reverse(found.id, reason="never happened")
        document = inv.epcis.export()
        originals = [
            e
            for e in events(document)
            if e["stockline:transaction"] == str(found.id) and "errorDeclaration" not in e
        ]
        declared = [e for e in events(document) if "errorDeclaration" in e]
        assert [e["bizStep"] for e in originals] == ["commissioning", "stock_taking"]
        assert [e["eventID"] for e in declared] == [e["eventID"] for e in originals]


class TestEventIds:
    def test_declaration_names_the_event_sent_before_master_data_changed(
        self, make_store: StoreFactory
    ) -> None:
        """An event is built from the master data as it was when its transaction was
        recorded: after a GLN and a GTIN change, an incremental export's error declaration
        carries the eventID the partner received, and the event re-exported is byte-identical."""
        clock = sl.FixedClock(scenario.START)
        inv = sl.Inventory(store=make_store(), clock=clock)
        inv.add_item("MILK", gtin="09506000134352", unit="LTR", tracking="lot")
        inv.add_location("DC1/DOCK")
        inv.add_location("DC1/A")
        inv.receive("MILK", 10, lot="L1", dst="DC1/DOCK", supplier="FARM")
        move = inv.move("MILK", 10, lot="L1", src="DC1/DOCK", dst="DC1/A")
        first = events(inv.epcis.export())
        sent = {e["bizStep"]: e for e in first}
        clock.set(scenario.START + dt.timedelta(minutes=5))
        inv.master.update_location("DC1", gln="9506000000015")
        inv.master.update_item("MILK", gtin="09506000134369")
        inv.reverse(move.id, reason="wrong bin")
        (declared,) = events(inv.epcis.export(after=move.id))
        assert declared["eventID"] == sent["storing"]["eventID"]
        assert declared["readPoint"] == sent["storing"]["readPoint"]
        assert declared["eventID"].startswith("ni:///sha-256;")
        again = events(inv.epcis.export())[: len(first)]
        assert json.dumps(again) == json.dumps(first)

    def test_events_use_master_data_in_force_when_recorded(self, make_store: StoreFactory) -> None:
        """A GLN, GTIN or lot expiry registered before a transaction shows in its events;
        one registered after it shows only in later transactions' events, while the header's
        lot master data shows today's values."""
        clock = sl.FixedClock(scenario.START)
        inv = sl.Inventory(store=make_store(), clock=clock)
        inv.add_item("MILK", unit="LTR", tracking="lot")
        inv.add_location("DC1/DOCK")
        inv.add_location("DC1/A")
        inv.add_party("FARM", kind="supplier")
        inv.add_lot("MILK", "L1", expiry=dt.date(2026, 4, 1))
        inv.adjust("MILK", 4, lot="L1", location="DC1/DOCK", reason="found")
        clock.set(scenario.START + dt.timedelta(minutes=1))
        inv.master.update_location("DC1", gln="9506000000015")
        inv.master.update_item("MILK", gtin="09506000134352")
        inv.add_party("FARM", kind="supplier", gln="9506000000022")
        inv.master.update_lot("MILK", "L1", expiry=dt.date(2026, 4, 9))
        clock.set(scenario.START + dt.timedelta(minutes=2))
        inv.receive("MILK", 6, lot="L1", dst="DC1/DOCK", supplier="FARM")
        document = inv.epcis.export()
        commissioning, counted, received = events(document)
        assert commissioning["ilmd"]["cbvmda:itemExpirationDate"] == "2026-04-01"
        for old in (commissioning, counted):
            assert old["readPoint"]["id"] == "urn:stockline:location:DC1%2FDOCK"
            assert old["quantityList"][0]["epcClass"] == "urn:stockline:item:MILK:lot:L1"
        assert received["readPoint"]["id"] == "https://id.gs1.org/414/9506000000015/254/DOCK"
        assert received["quantityList"][0]["epcClass"] == (
            "https://id.gs1.org/01/09506000134352/10/L1"
        )
        assert received["sourceList"][0]["source"] == "https://id.gs1.org/417/9506000000022"
        (lot,) = document["epcisHeader"]["epcisMasterData"]["vocabularyList"][0][
            "vocabularyElementList"
        ]
        assert lot["id"] == "https://id.gs1.org/01/09506000134352/10/L1"
        assert {"id": "cbvmda:itemExpirationDate", "attribute": "2026-04-09"} in lot["attributes"]

    @pytest.mark.parametrize("identifiers", ["digital_link", "epc"])
    def test_ids_do_not_depend_on_the_identifier_syntax(
        self, identifiers: Literal["digital_link", "epc"]
    ) -> None:
        """The same ledger gives the same IDs in either identifier syntax."""
        inv = scenario.build()
        options = sl.epcis.EpcisOptions(
            identifiers=identifiers, company_prefixes=(scenario.PREFIX,)
        )
        ids = [e["eventID"] for e in events(inv.epcis.export(options=options))]
        assert ids == [e["eventID"] for e in events(inv.epcis.export())]


def _gln_change(seq: int, minutes: int, gln: str | None) -> MasterChange:
    return MasterChange(
        seq=seq,
        entity="location",
        key="DC1",
        actor=None,
        at=scenario.START + dt.timedelta(minutes=minutes),
        fields=(("gln", str(gln)), ("kind", "internal"), ("path", "DC1")),
    )


class TestMasterHistory:
    def test_value_is_the_last_change_at_or_before_the_time(self) -> None:
        """The value in force is the last change at or before the time; before the first
        change, the earliest known value; 'None' in the log reads as no value."""
        history = MasterHistory([_gln_change(1, 10, None), _gln_change(2, 20, "9506000000015")])

        def at(minutes: int) -> str | None:
            when = scenario.START + dt.timedelta(minutes=minutes)
            return history.value("location", "DC1", when, "today")

        assert (at(0), at(10), at(19), at(20), at(99)) == (
            None,
            None,
            None,
            "9506000000015",
            "9506000000015",
        )

    def test_the_later_of_two_changes_at_one_instant_holds(self) -> None:
        """Two changes recorded at the same instant: the later one (in log order) holds."""
        history = MasterHistory(
            [
                _gln_change(1, 0, None),
                _gln_change(2, 5, "9506000000015"),
                _gln_change(3, 5, "9506000000022"),
            ]
        )
        when = scenario.START + dt.timedelta(minutes=5)
        assert history.value("location", "DC1", when, "today") == "9506000000022"
        assert history.value("location", "DC1", scenario.START, "today") is None

    def test_records_that_never_changed_use_todays_value(self) -> None:
        """A record whose tracked value never changed is not kept: today's value holds."""
        history = MasterHistory([_gln_change(1, 0, "9506000000015")])
        assert history.value("location", "DC1", scenario.START, "today") == "today"
        assert history.epoch(None) == 0
