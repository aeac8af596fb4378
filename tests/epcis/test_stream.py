"""The event stream (``inv.epcis.events``): the export's events, from any position, per party."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import stockline as sl
from stockline.adapters import InMemoryStockStore
from stockline.epcis import EpcisOptions, LedgerEvent
from stockline.errors import ValidationError
from tests.conftest import StoreFactory
from tests.epcis import _export_scenario as scenario

EPC = EpcisOptions(identifiers="epc", company_prefixes=[scenario.PREFIX], owner_gln=scenario.DC_GLN)


def _exported(inv: sl.Inventory, options: EpcisOptions | None = None) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = inv.epcis.export(options=options)["epcisBody"]["eventList"]
    return events


def _fresh(inv: sl.Inventory) -> sl.Inventory:
    """Another inventory on the same store: nothing remembered from earlier streams."""
    return sl.Inventory(store=inv.store, clock=inv.clock)


class TestSameAsExport:
    def test_every_store_from_every_position(self, any_store: StoreFactory) -> None:
        """Started after any event, with nothing remembered, the stream yields exactly the
        export's remaining events (same IDs, same bytes) on every store: what an event
        depends on before the start (first showings, containers' parents) is looked up."""
        inv = scenario.build(any_store())
        full = _exported(inv)
        streamed = list(inv.epcis.events())
        assert [e.event for e in streamed] == full
        # Every position on the reference store; a sample of them (every transaction's kind
        # included) where each resume costs round trips to a database.
        step = 1 if isinstance(inv.store, InMemoryStockStore) else 3
        for n, start in list(enumerate(streamed))[::step]:
            rest = _fresh(inv).epcis.events(after=(start.transaction, start.index))
            assert [e.event for e in rest] == full[n + 1 :], (
                f"after {start.transaction, start.index}"
            )

    def test_positions_are_ordered_and_name_the_transaction(self) -> None:
        """Positions increase strictly; each event names its transaction (an error
        declaration, the reversal's), and indexes count that transaction's events from 0."""
        streamed = list(scenario.build().epcis.events())
        positions = [(e.transaction, e.index) for e in streamed]
        assert positions == sorted(set(positions))
        for e in streamed:
            named = e.event.get("errorDeclaration", e.event)["stockline:transaction"]
            assert named == str(e.transaction)
            assert e.index == 0 or (e.transaction, e.index - 1) in positions

    def test_options_are_the_exports(self) -> None:
        """With EPC URIs, the stream still matches the export made with the same options."""
        inv = scenario.build()
        assert [e.event for e in inv.epcis.events(options=EPC)] == _exported(inv, EPC)

    def test_through_bounds_the_transactions_read(self) -> None:
        """``through`` stops after that transaction; continuing after it gives the rest."""
        inv = scenario.build()
        full = list(inv.epcis.events())
        first = list(inv.epcis.events(through=10))
        assert first == [e for e in full if e.transaction <= 10]
        assert first + list(inv.epcis.events(after=(10, 2**31 - 1))) == full

    def test_postings_after_a_position_come_after_it(self) -> None:
        """A position stays valid while the ledger grows: continuing from it yields what was
        left, then the new transactions' events, as a fresh export would list them."""
        inv = scenario.build()
        first = list(inv.epcis.events(through=12))
        inv.ship("SALAD", 1, lot="S0302-B", src="DC1/KITCHEN", customer="SHOP")
        last = first[-1]
        rest = list(inv.epcis.events(after=(last.transaction, last.index)))
        assert [e.event for e in first + rest] == _exported(inv)
        assert rest[-1].event["bizStep"] == "shipping"

    def test_master_data_changes_between_streams(self) -> None:
        """What the stream remembers of the master data follows its change log: after a lot's
        expiry or a location's GLN is corrected, a stream from the same inventory is what a
        fresh export makes (earlier events keep the values of their time; later ones and the
        ILMD of a lot read today's)."""
        inv = scenario.build()
        assert [e.event for e in inv.epcis.events()] == _exported(inv)
        inv.clock = sl.FixedClock(scenario.START + dt.timedelta(hours=5))
        inv.master.update_lot("SALAD", "S0302", expiry=dt.date(2026, 3, 9))
        inv.master.update_location("DC1", gln="9506000000039")
        inv.adjust("SALAD", Decimal(1), lot="S0302", location="DC1/KITCHEN", reason="found")
        inv.add_lot("ASP-100", "NEW-1", expiry=dt.date(2026, 3, 30))
        inv.adjust("ASP-100", Decimal(2), lot="NEW-1", location="DC1/KITCHEN", reason="found")
        assert [e.event for e in inv.epcis.events()] == _exported(inv)

    def test_empty_ledger(self) -> None:
        """An empty ledger streams nothing."""
        assert list(sl.Inventory().epcis.events()) == []


class TestParty:
    def test_only_the_partys_transactions_and_their_reversals(self) -> None:
        """``party`` keeps the events of transactions with that counterparty, and the error
        declarations of their reversals; nothing else."""
        inv = scenario.build()
        inv.add_party("CAFE", kind="customer")
        shipped = inv.ship("SALAD", 3, lot="S0302-B", src="DC1/KITCHEN", customer="CAFE")
        inv.reverse(shipped.id, reason="keyed twice")
        cafe = list(inv.epcis.events(party="CAFE"))
        assert [e.transaction for e in cafe] == [shipped.id, shipped.id + 1]
        assert "errorDeclaration" in cafe[1].event
        assert cafe[1].event["eventID"] == cafe[0].event["eventID"]
        full = {(e.transaction, e.index): e for e in inv.epcis.events()}
        for party in ("FARM", "SHOP", "CAFE"):
            for e in inv.epcis.events(party=party):
                assert full[(e.transaction, e.index)] == e
                tx = inv.transaction(e.transaction)
                original = inv.transaction(tx.reverses) if tx.reverses else tx
                assert original.counterparty == party

    def test_unknown_party_sees_nothing(self) -> None:
        """A party no transaction names sees no event."""
        assert list(scenario.build().epcis.events(party="NOBODY")) == []


class TestBadInput:
    @pytest.mark.parametrize(
        ("kwargs", "named"),
        [
            ({"after": 3}, "after"),
            ({"after": "3.0"}, "after"),
            ({"after": (1,)}, "after"),
            ({"after": (True, 0)}, "after transaction"),
            ({"after": (1, -2)}, "after index"),
            ({"after": (-1, 0)}, "after transaction"),
            ({"after": (1, 1.5)}, "after index"),
            ({"after": (2**63, 0)}, "after transaction"),
            ({"through": -1}, "through"),
            ({"through": "9"}, "through"),
            ({"party": ""}, "party"),
            ({"party": "A\x00B"}, "party"),
            ({"party": 7}, "party"),
            ({"options": {"identifiers": "epc"}}, "options"),
        ],
    )
    def test_refused_before_reading(self, kwargs: dict[str, Any], named: str) -> None:
        """Bad arguments raise ValidationError naming them when the stream is asked for,
        not when it is first read."""
        inv = sl.Inventory()
        with pytest.raises(ValidationError) as caught:
            inv.epcis.events(**kwargs)
        assert caught.value.what == named or str(caught.value).startswith(named)

    def test_location_identifiers(self) -> None:
        """Every location has the identifier today's events give it."""
        inv = scenario.build()
        ids = inv.epcis.location_identifiers()
        assert set(ids) == {loc.path for loc in inv.master.locations()}
        seen = {e["bizLocation"]["id"] for e in _exported(inv) if "bizLocation" in e}
        assert seen <= set(ids.values())
        with pytest.raises(ValidationError):
            inv.epcis.location_identifiers(options="epc")  # type: ignore[arg-type]


def test_record_is_frozen() -> None:
    """A streamed event is a frozen record."""
    event = LedgerEvent(transaction=1, index=0, event={})
    with pytest.raises(AttributeError):
        event.index = 2  # type: ignore[misc]
