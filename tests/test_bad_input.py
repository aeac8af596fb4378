"""Every public call, given one bad argument, refuses it with a StocklineError or accepts it,
the same way on every store, and a refusal leaves the ledger exactly as it was.

The calls are found by introspection: every public method of :class:`~stockline.Inventory` and
of each of its namespaces and their sub-namespaces (``inv.serials.sscc``), with a valid call
written for each (a method without one fails the completeness test, so a new method cannot be
left out). Each example replaces one argument of one valid call (required or optional) by a
hostile value: a wrong type, a non-finite or huge number, bytes, a collection, ``None``, text
with control characters, lone surrogates or surrounding spaces. Then:

* only :class:`~stockline.errors.StocklineError` subclasses escape;
* a refused call leaves a full snapshot (history, balances, master data and its changes,
  counts, expectations, reservations, rules, and the documents the features keep: serial
  pools, SSCC ranges, bin rules, transfer orders, waves, ...) identical;
* an accepted call leaves ``verify()`` ok;
* every store gives the same verdict (the same error class, or all accept): in memory, SQLite
  in memory and in a file, and PostgreSQL where a server can be had (always in CI).

Run with ``-s`` to see how many calls were tried per store and the share that behaved.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import io
import itertools
import math
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import gs1
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore
from stockline.errors import StocklineError
from stockline.genealogy import Component, Output
from stockline.ledger import Movement, NewTransaction, Position, TxKind
from stockline.operations import BomLine
from tests import _postgres

START = pendulum.datetime(2026, 3, 2, 8, tz="UTC")
ASP_GTIN = "09506000134352"
ASP_CASE = "19506000134359"
BOLT_GTIN = "04012345000016"
PUMP_GTIN = "09506000134376"
VIAL_GTIN = "09506000134383"
#: The GS1 Company Prefix SSCCs are allocated under, and the first two it gave (extension 1).
PREFIX = "0614141"
SSCC_1, SSCC_2 = "106141410000000019", "106141410000000026"
#: An SSCC of the same prefix that no allocation gave (for a container made by hand).
SSCC_3 = "306141410000000013"
ASN = "urn:x:asn:1"
#: Public attributes of an Inventory that are not feature namespaces.
NOT_NAMESPACES = {"store", "clock", "authorizer"}
#: Not called: ``close`` ends the inventory the other calls use.
NOT_CALLED = {"inv.close"}

_FILES = tempfile.TemporaryDirectory(prefix="stockline-bad-input-")
_FILE_NAMES = itertools.count()

#: Every store stockline ships; PostgreSQL where a server can be had (always in CI).
STORES: dict[str, Callable[[], Any]] = {
    "memory": InMemoryStockStore,
    "sqlite": lambda: SqlAlchemyStockStore.open("sqlite://"),
    "sqlite-file": lambda: SqlAlchemyStockStore.open(
        f"sqlite:///{_FILES.name}/stock-{next(_FILE_NAMES)}.db"
    ),
}
if _postgres.unavailable_reason() is None or os.environ.get("CI"):
    STORES["postgres"] = _postgres.store


def _document() -> dict[str, Any]:
    """An EPCIS document shipping 5 of ASP lot L2 under despatch advice ASN."""
    when = "2026-03-01T10:00:00Z"
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": when,
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": when,
                    "eventTimeZoneOffset": "+00:00",
                    "action": "OBSERVE",
                    "bizStep": "shipping",
                    "epcList": [],
                    "quantityList": [{"epcClass": gs1.lgtin_uri(ASP_GTIN, "L2", 7), "quantity": 5}],
                    "bizTransactionList": [{"type": "desadv", "bizTransaction": ASN}],
                }
            ]
        },
    }


def _setup(inv: sl.Inventory) -> None:
    """An item of each tracking, a site, stock received, held, packed and reserved, a count,
    a rule and an expected receipt; a serial pool and SSCCs; bin rules and a storage profile;
    transfer orders (one in transit); waves (one staged); a shipment with a return waiting."""
    inv.add_item("BOLT", gtin=BOLT_GTIN, description="M8 bolt")
    inv.add_item("ASP", gtin=ASP_GTIN, tracking="lot", shelf_life_days=730, packs=[(ASP_CASE, 12)])
    inv.add_item("PUMP", gtin=PUMP_GTIN, tracking="serial")
    inv.add_item("VIAL", gtin=VIAL_GTIN, tracking="serial")
    for path in ("DC1/DOCK", "DC1/A/01", "DC1/A/02", "DC1/PICK", "DC2/DOCK"):
        inv.add_location(path)
    inv.add_party("ACME", kind="supplier")
    inv.add_party("CUST", kind="customer")
    inv.receive("BOLT", 20, dst="DC1/A/01", supplier="ACME", ref="PO-1")
    inv.receive("ASP", 10, dst="DC1/A/01", lot="L1", expiry=dt.date(2027, 3, 1), supplier="ACME")
    inv.receive("PUMP", dst="DC1/A/01", serials=["S1", "S2", "S3"], supplier="ACME")
    inv.add_container("C1")
    inv.add_container("C2")
    inv.pack("BOLT", 2, container="C1", location="DC1/A/01")
    hold = inv.hold("ASP", 2, lot="L1", location="DC1/A/01", reason="QA")
    inv.counts.open("DC1/A/02", count_id="CNT-1")
    inv.replenishment.set_rule("BOLT", "DC1/PICK", min=2, max=5, source="DC1/A")
    inv.allocate("BOLT", 1, order="SO-9")
    inv.epcis.expect(_document())
    made: dict[str, Any] = {"allocation": inv.allocate("BOLT", 1, order="SO-11"), "hold": hold.id}
    # inv.serials: a sequential pool that made one unit and issued two serials ahead; SSCCs.
    inv.serials.add_pool("PUMP", scheme="sequential", length=6)
    made["serial"] = inv.serials.produce("PUMP", 1, location="DC1/A/01").serials[0]
    made["issued"] = inv.serials.issue("PUMP", 2).serials
    inv.serials.sscc.allocate(PREFIX, 2, extension=1)
    # inv.putaway: rules for one bin, a profile for one item.
    inv.putaway.set_bin("DC1/A/02", max_units=100, max_pallets=2)
    inv.putaway.set_item("ASP", category="pharma")
    # inv.transfers: TO-1 open, TO-2 in transit.
    inv.transfers.create("TO-1", src="DC1", dst="DC2/DOCK", lines=[("BOLT", 2)])
    inv.transfers.create("TO-2", src="DC1", dst="DC2/DOCK", lines=[("ASP", 2)])
    inv.transfers.ship("TO-2")
    # inv.picking: wave W-1 planned for SO-20; SO-21 picked to staging by wave W-0.
    inv.allocate("BOLT", 2, order="SO-20")
    inv.picking.plan("W-1", ["SO-20"], staging="DC1/DOCK")
    inv.allocate("BOLT", 1, order="SO-21")
    inv.picking.plan("W-0", ["SO-21"], staging="DC1/DOCK")
    inv.picking.confirm("W-0", 1)
    # inv.returns: a shipment to CUST with a return of one unit waiting for a decision.
    made["shipment"] = inv.ship("BOLT", 3, src="DC1/A/01", customer="CUST", ref="SO-3").id
    made["return"] = inv.returns.receive(
        "BOLT", 1, dst="DC1/DOCK", shipment=made["shipment"], customer="CUST"
    ).id
    MADE[id(inv)] = made


#: What the set-up made that a valid call takes (an allocation), by the inventory's id.
MADE: dict[int, dict[str, Any]] = {}


Call = tuple[tuple[Any, ...], dict[str, Any]]


def _report(inv: sl.Inventory) -> Any:
    return inv.recall(("ASP", "L1"), reason="supplier recall")


def _draft() -> NewTransaction:
    here = Position(location="DC1/A/01", status="available")
    there = Position(location="DC1/A/02", status="available")
    return NewTransaction(
        kind=TxKind.TRANSFER,
        movements=(Movement(item="BOLT", quantity=Decimal(1), src=here, dst=there),),
    )


def _pick(inv: sl.Inventory) -> Any:
    return MADE[id(inv)]["allocation"].picks[0]


def _made(**names: str) -> Callable[[sl.Inventory], Call]:
    """Keywords naming what the set-up made: ``_made(return_id="return")``."""
    return lambda inv: ((), {p: MADE[id(inv)][made] for p, made in names.items()})


def _with(call: Callable[[sl.Inventory], Call], **kwargs: Any) -> Callable[[sl.Inventory], Call]:
    """``call`` with more keywords."""

    def made(inv: sl.Inventory) -> Call:
        args, given = call(inv)
        return args, {**given, **kwargs}

    return made


def _kw(**kwargs: Any) -> Callable[[sl.Inventory], Call]:
    return lambda inv: ((), kwargs)


#: A valid call of every public method: positional arguments (only for ``*args``) and keywords.
VALID: dict[str, Callable[[sl.Inventory], Call]] = {
    "inv.add_container": _kw(code="C9", kind="case"),
    "inv.add_item": _kw(sku="NUT", description="nut", unit="EA", tracking="none"),
    "inv.add_location": _kw(path="DC1/B/01", description="bay"),
    "inv.add_lot": _kw(sku="ASP", code="L5", expiry=dt.date(2027, 1, 1)),
    "inv.add_party": _kw(code="NEWCO", kind="supplier", name="New Co"),
    "inv.add_status": _kw(name="recalled", allocatable=False, description="pulled back"),
    "inv.adjust": _kw(sku="BOLT", quantity=-1, location="DC1/A/01", reason="found short"),
    "inv.allocate": _kw(sku="BOLT", quantity=2, order="SO-1"),
    "inv.change_status": _kw(
        sku="BOLT",
        quantity=1,
        location="DC1/A/01",
        status="available",
        dst_status="hold",
        reason="damaged",
    ),
    "inv.changes": _kw(after=0, limit=10),
    "inv.check": _kw(),
    "inv.checkpoint": _kw(),
    "inv.history": _kw(sku="BOLT", location="DC1", limit=5),
    "inv.hold": _kw(sku="BOLT", quantity=1, location="DC1/A/01", reason="QA"),
    "inv.move": _kw(sku="BOLT", quantity=1, src="DC1/A/01", dst="DC1/A/02"),
    "inv.on_hand": _kw(sku="BOLT", location="DC1"),
    "inv.open": _kw(url="sqlite://"),
    "inv.pack": _kw(sku="BOLT", quantity=1, container="C2", location="DC1/A/01"),
    "inv.post": _kw(draft=_draft()),
    "inv.post_many": _kw(drafts=[_draft()]),
    "inv.produce": _kw(
        consume=[Component(sku="BOLT", quantity=2, location="DC1/A/01")],
        output=[Output(sku="ASP", quantity=1, location="DC1/A/01", lot="L9")],
    ),
    "inv.rebuild": _kw(),
    "inv.recall": lambda inv: ((("ASP", "L1"),), {"reason": "supplier recall"}),
    "inv.receive": _kw(sku="BOLT", quantity=5, dst="DC1/DOCK", supplier="ACME", ref="PO-2"),
    "inv.release": _kw(sku="ASP", quantity=1, lot="L1", location="DC1/A/01", reason="passed"),
    "inv.reverse": lambda inv: ((), {"tx_id": MADE[id(inv)]["hold"], "reason": "in error"}),
    "inv.scrap": _kw(sku="BOLT", quantity=1, location="DC1/A/01", reason="broken"),
    "inv.ship": _kw(sku="BOLT", quantity=1, src="DC1/A/01", customer="CUST", ref="SO-2"),
    "inv.stock": _kw(sku="BOLT", internal_only=False),
    "inv.trace_downstream": _kw(sku="ASP", lot="L1"),
    "inv.trace_upstream": _kw(sku="ASP", lot="L1"),
    "inv.transaction": _kw(tx_id=1),
    "inv.unpack": _kw(sku="BOLT", quantity=1, container="C1"),
    "inv.verify": _kw(),
    "master.changes": _kw(after=0),
    "master.item": _kw(sku="BOLT"),
    "master.item_by_gtin": _kw(gtin=BOLT_GTIN),
    "master.items": _kw(),
    "master.location": _kw(path="DC1/A/01"),
    "master.locations": _kw(),
    "master.lot": _kw(sku="ASP", lot="L1"),
    "master.lots": _kw(sku="ASP"),
    "master.parties": _kw(),
    "master.status": _kw(name="hold"),
    "master.statuses": _kw(),
    "master.update_item": _kw(sku="BOLT", description="bolt", shelf_life_days=100),
    "master.update_location": _kw(path="DC1/A/01", description="aisle A", pick_sequence=3),
    "master.update_lot": _kw(sku="ASP", lot="L1", expiry=dt.date(2027, 6, 1)),
    "containers.contents": _kw(container="C1"),
    "containers.create": _kw(sscc=SSCC_3, kind="pallet"),
    "containers.history": _kw(container="C1"),
    "containers.move": _kw(container="C1", dst="DC1/A/02"),
    "containers.nest": _kw(child="C1", container="C2"),
    "containers.ship": _kw(container="C1", customer="CUST"),
    "genealogy.contain": lambda inv: ((), {"report": _report(inv)}),
    "genealogy.merge": _kw(
        sku="ASP", lots={"L1": 1}, new_lot="L8", location="DC1/A/01", expiry=dt.date(2027, 1, 1)
    ),
    "genealogy.relabel": _kw(sku="ASP", quantity=1, lot="L1", new_lot="L7", location="DC1/A/01"),
    "genealogy.release": lambda inv: ((), {"report": _report(inv), "reason": "cleared"}),
    "genealogy.serial_path": _kw(sku="PUMP", serial="S1"),
    "genealogy.split": _kw(sku="ASP", lot="L1", new_lots={"L6": 2}, location="DC1/A/01"),
    "allocation.allocate": _kw(sku="BOLT", quantity=2, order="SO-1"),
    "allocation.available_to_promise": _kw(sku="BOLT", location="DC1"),
    "allocation.pick": lambda inv: (
        (),
        {"allocation": MADE[id(inv)]["allocation"], "dst": "DC1/DOCK"},
    ),
    "allocation.policy": _kw(sku="BOLT"),
    "allocation.policy_of": lambda inv: ((), {"item": inv.master.item("BOLT")}),
    "allocation.release": _kw(order="SO-9"),
    "allocation.reservations": _kw(order="SO-9", sku="BOLT"),
    "allocation.set_policy": lambda inv: (
        (),
        {"sku": "ASP", "policy": inv.allocation.policy("ASP")},
    ),
    "allocation.ship": _kw(order="SO-9", customer="CUST"),
    "counts.cancel": _kw(count_id="CNT-1"),
    "counts.close": _kw(count_id="CNT-1"),
    "counts.get": _kw(count_id="CNT-1"),
    "counts.list": _kw(state="open"),
    "counts.open": _kw(location="DC1/DOCK", sku="BOLT", count_id="CNT-2", reason="cycle"),
    "counts.record": _kw(count_id="CNT-1", sku="BOLT", quantity=3, location="DC1/A/02"),
    "counts.report": _kw(count_id="CNT-1"),
    "counts.sheet": _kw(count_id="CNT-1"),
    "replenishment.post": lambda inv: ((), {"proposals": inv.replenishment.propose()}),
    "replenishment.propose": _kw(sku="BOLT", location="DC1"),
    "replenishment.remove_rule": _kw(sku="BOLT", location="DC1/PICK"),
    "replenishment.rules": _kw(sku="BOLT"),
    "replenishment.set_rule": _kw(sku="BOLT", location="DC1/A/02", min=1, max=4, source="DC1/A/01"),
    "kits.reserve": _kw(bom=[BomLine(sku="BOLT", quantity=2)], quantity=1, order="KIT-1"),
    "scanning.receive": _kw(scan=f"(01){BOLT_GTIN}", quantity=2, dst="DC1/DOCK", supplier="ACME"),
    "scanning.verify_pick": lambda inv: (
        (),
        {"scan": f"(01){BOLT_GTIN}", "pick": _pick(inv)},
    ),
    "epcis.expect": _kw(document=_document(), key="IN-2"),
    "epcis.expectation": _kw(key=ASN),
    "epcis.expectations": _kw(),
    "epcis.events": _kw(after=(1, 0), through=5, party="ACME"),
    "epcis.export": _kw(after=0),
    "epcis.export_xml": _kw(after=0, sender="ME", receiver="ACME"),
    "epcis.location_identifiers": _kw(),
    "epcis.receive": _kw(scan=f"(01){ASP_GTIN}(10)L2", quantity=5, expectation=ASN, dst="DC1/DOCK"),
    "epcis.report": _kw(key=ASN),
    "epcis.write": lambda inv: ((), {"target": io.StringIO()}),
    "epcis.write_xml": lambda inv: ((), {"target": io.StringIO()}),
    "reports.fsma204": _kw(items=["ASP"], timezone="Europe/Paris"),
    "reports.workbook": lambda inv: ((), {"report": _report(inv), "timezone": "UTC"}),
    "food.harvest": _kw(sku="ASP", quantity=5, lot="H1", dst="DC1/DOCK", field="North 40"),
    "food.cool": _kw(sku="ASP", quantity=1, lot="L1", src="DC1/A/01", dst="DC1/A/02"),
    "food.land": _kw(
        sku="ASP",
        quantity=3,
        lot="F1",
        dst="DC1/DOCK",
        supplier="ACME",
        harvest_areas=["FAO 67"],
        harvest_start=dt.date(2026, 2, 27),
        harvest_end=dt.date(2026, 3, 1),
    ),
    "food.record_harvest": _kw(
        sku="ASP", lot="L1", farm="ACME", field="North 40", harvested_on=dt.date(2026, 2, 27)
    ),
    "analytics.activity": _kw(depth=2, timezone="UTC", kinds=["receipt"]),
    "analytics.aging": _kw(basis="expiry", edges=(0, 30), sku="ASP"),
    "analytics.dwell_times": _kw(by="item", sku="BOLT"),
    "analytics.near_expiry": _kw(days=400, sku="ASP"),
    "analytics.supplier_nonconformity": _kw(statuses=["hold"]),
    "analytics.turnover": _kw(since=START.subtract(days=30), sku="BOLT"),
    "serials.add_pool": _kw(sku="VIAL", scheme="random", length=8, guess_odds=100, actor="ann"),
    "serials.decommission": _kw(sku="PUMP", serial="S1", reason="destroyed", note="dropped"),
    "serials.gaps": _kw(sku="PUMP"),
    "serials.issue": _kw(sku="PUMP", count=2, reserved_for="LINE-1"),
    "serials.issued": _kw(sku="PUMP"),
    "serials.labels": _kw(sku="PUMP", serials=["S1"], expiry=dt.date(2028, 1, 31)),
    "serials.pool": _kw(sku="PUMP"),
    "serials.pools": _kw(),
    "serials.produce": _kw(sku="PUMP", quantity=2, location="DC1/A/02", ref="WO-1"),
    "serials.state": _with(_made(serial="serial"), sku="PUMP"),
    "serials.void": lambda inv: (
        (),
        {"sku": "PUMP", "serials": MADE[id(inv)]["issued"][:1], "reason": "spoiled"},
    ),
    "serials.sscc.allocate": _kw(company_prefix=PREFIX, count=2, extension=1),
    "serials.sscc.create": _kw(company_prefix=PREFIX, count=1, kind="pallet"),
    "serials.sscc.gaps": _kw(company_prefix=PREFIX),
    "serials.sscc.label": _kw(code=SSCC_1, content_gtin=BOLT_GTIN, count=12),
    "serials.sscc.ranges": _kw(company_prefix=PREFIX),
    "serials.sscc.void": _kw(ssccs=[SSCC_2], reason="spoiled"),
    "putaway.bins": _kw(within="DC1"),
    "putaway.confirm": lambda inv: (
        (),
        {"suggestions": inv.putaway.suggest("BOLT", 2, src="DC1/A/01"), "key": "pa-1"},
    ),
    "putaway.item": _kw(sku="ASP"),
    "putaway.place": _kw(sku="BOLT", quantity=1, src="DC1/A/01", dst="DC1/A/02", actor="mia"),
    "putaway.place_scan": _kw(
        scan=f"(01){ASP_GTIN}(10)L1", quantity=1, src="DC1/A/01", dst="DC1/A/02", at=START.date()
    ),
    "putaway.remove_bin": _kw(location="DC1/A/02"),
    "putaway.set_bin": _kw(
        location="DC1/A/01", zone="Z", storage=["dry"], statuses=["available"], max_units=50
    ),
    "putaway.set_item": _kw(sku="BOLT", storage="dry", weight=2, fixed_bin="DC1/A/02"),
    "putaway.suggest": _kw(sku="BOLT", quantity=2, src="DC1/A/01", within="DC1/A"),
    "putaway.suggest_container": _kw(container="C1", within="DC1"),
    "putaway.suggest_receipt": _kw(transaction=1, within="DC1"),
    "transfers.cancel": _kw(order="TO-2", reason="not needed"),
    "transfers.close": _kw(order="TO-2", reason="lost"),
    "transfers.create": _kw(order="TO-3", src="DC1", dst="DC2/DOCK", lines=[("BOLT", 2)]),
    "transfers.in_transit": _kw(order="TO-2", sku="ASP"),
    "transfers.order": _kw(order="TO-1"),
    "transfers.orders": _kw(state="open"),
    "transfers.receive": _kw(order="TO-2", sku="ASP", quantity=1, lot="L1", dst="DC2/DOCK"),
    "transfers.receive_scan": _kw(order="TO-2", scan=f"(01){ASP_GTIN}(10)L1", quantity=1),
    "transfers.report": _kw(order="TO-2"),
    "transfers.ship": _kw(order="TO-1", refs={"BOL": "B1"}, at=START.date()),
    "picking.confirm": _kw(wave="W-1", line=1, scan=f"(01){BOLT_GTIN}", quantity=1, key="pk-1"),
    "picking.plan": _kw(wave="W-2", orders=["SO-9"], staging="DC1/DOCK", zone_depth=2),
    "picking.progress": _kw(order="SO-20"),
    "picking.ship": _kw(order="SO-21", customer="CUST", refs={"BOL": "B2"}),
    "picking.wave": _kw(wave="W-1"),
    "picking.waves": _kw(),
    "returns.dispose": _with(
        _made(return_id="return"), disposition="restock", dst="DC1/A/02", reason="resaleable"
    ),
    "returns.get": _made(return_id="return"),
    "returns.receive": _with(
        _made(shipment="shipment"), sku="BOLT", quantity=1, dst="DC1/DOCK", ref="RMA-1"
    ),
    "returns.returnable": _with(_made(shipment="shipment"), sku="BOLT"),
    "returns.to_supplier": _kw(
        sku="BOLT", quantity=1, src="DC1/A/01", supplier="ACME", reason="faulty", ref="RTV-1"
    ),
}


def _namespaces(inv: sl.Inventory) -> list[str]:
    """The feature namespaces of ``inv`` (``inv.master``, ...): found, so none is left out."""
    return [
        name
        for name in dir(inv)
        if not name.startswith("_")
        and name not in NOT_NAMESPACES
        and not callable(getattr(inv, name))
    ]


NAMESPACES = _namespaces(sl.Inventory())


def _targets(inv: sl.Inventory) -> dict[str, Any]:
    """``inv`` and every namespace by name, sub-namespaces (``serials.sscc``) included."""
    found: dict[str, Any] = {"inv": inv}
    pending = [(name, getattr(inv, name)) for name in NAMESPACES]
    while pending:
        prefix, target = pending.pop()
        if any(target is seen for seen in found.values()):
            continue  # a service reachable two ways is called under its first name only
        found[prefix] = target
        pending += [
            (f"{prefix}.{name}", value)
            for name in dir(target)
            if not name.startswith("_")
            for value in (getattr(target, name),)
            if _is_namespace(value)
        ]
    return found


def _is_namespace(value: object) -> bool:
    """A service object of stockline's (not a method, a class, a constant or a value)."""
    return (
        not callable(value)
        and not isinstance(value, (type, enum.Enum))
        and type(value).__module__.startswith("stockline.")
    )


def _public_methods(inv: sl.Inventory) -> dict[str, inspect.Signature]:
    found = {}
    for prefix, target in _targets(inv).items():
        for name in dir(target):
            value = getattr(target, name)
            if name.startswith("_") or inspect.isclass(value) or _is_namespace(value):
                continue
            if callable(value) and not (prefix == "inv" and name in NAMESPACES):
                found[f"{prefix}.{name}"] = inspect.signature(value)
    return found


_SIGNATURES = _public_methods(sl.Inventory())
METHODS = sorted(set(_SIGNATURES) - NOT_CALLED)

_BAD_FIXED: list[object] = [
    None,
    True,
    False,
    0,
    -1,
    7,
    2**63,
    2**64 + 1,
    -(2**63) - 1,
    10**30,
    10**400,
    1.5,
    math.nan,
    math.inf,
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("1E+30"),
    Decimal("1E-30"),
    Decimal("-1"),
    Decimal("0"),
    b"BOLT",
    bytearray(b"L1"),
    [],
    ["BOLT"],
    [1, 2],
    [None],
    (),
    {},
    {"BOLT": 1},
    {1: None},
    set(),
    frozenset({"S1"}),
    object(),
    "",
    " ",
    " BOLT",
    "BOLT ",
    "a\x00b",
    "\x00",
    "a\x01b",
    "a\x7fb",
    "a\u0085b",
    "\ud800",
    "a\udfffb",
    "a\tb",
    "a\nb",
    "a\rb",
    "\u200b",
    "5",
    "-5",
    "1E+30",
    "NaN",
    "Infinity",
    "2030-01-01",
    "20300101",
    "BOLT",
    "ASP",
    "PUMP",
    "L1",
    "S1",
    "C1",
    "CNT-1",
    "DC1/A/01",
    "DC1//A",
    "/DC1",
    "hold",
    "available",
    "teleport",
    20300101,
    dt.date(2030, 1, 1),
    dt.date(1, 1, 1),
    dt.date(9999, 12, 31),
    dt.datetime(2026, 3, 2, 8),  # naive
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
    dt.datetime(1, 1, 1, tzinfo=dt.UTC),
    dt.timedelta(days=1),
]

BAD_VALUES = st.one_of(
    st.sampled_from(_BAD_FIXED),
    st.text(
        st.characters(codec=None, categories=["Cc", "Cs", "Zs", "Lu", "Nd", "Po"]),
        max_size=6,
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.decimals(allow_nan=True, allow_infinity=True),
)

#: Calls tried and calls that behaved, per store (printed at the end of the module).
TALLY: dict[str, Counter[str]] = {name: Counter() for name in STORES}


class _Bench:
    """One inventory per store, set up once and rebuilt only after a call changed it."""

    def __init__(self) -> None:
        self.inventories: dict[str, sl.Inventory] = {}
        self.snapshots: dict[str, str] = {}

    def inventory(self, store: str) -> sl.Inventory:
        if store not in self.inventories:
            inv = sl.Inventory(store=STORES[store](), clock=sl.FixedClock(START))
            _setup(inv)
            self.inventories[store] = inv
            self.snapshots[store] = snapshot(inv)
        return self.inventories[store]

    def discard(self, store: str) -> None:
        inv = self.inventories.pop(store, None)
        if inv is not None:
            inv.close()

    def close(self) -> None:
        for store in list(self.inventories):
            self.discard(store)


@pytest.fixture(scope="module")
def bench() -> Iterator[_Bench]:
    made = _Bench()
    yield made
    made.close()
    for store, tally in TALLY.items():
        tried = tally["tried"]
        if tried:
            print(
                f"\n{store}: {tried} calls tried, {tally['behaved']} behaved "
                f"({tally['behaved'] / tried:.0%}), {tally['accepted']} accepted"
            )


def snapshot(inv: sl.Inventory) -> str:
    """Everything a refused call must leave as it was, as text."""
    parts = [
        inv.changes(limit=100_000),
        inv.stock(internal_only=False),
        inv.master.items(),
        inv.master.locations(),
        inv.master.lots(),
        inv.master.parties(),
        inv.master.changes(),
        inv.counts.list(),
        [inv.counts.sheet(c.id) for c in inv.counts.list()],
        inv.epcis.expectations(),
        inv.allocation.reservations(),
        inv.replenishment.rules(),
        [inv.containers.history(c) for c in ("C1", "C2")],
    ]
    with inv.store.read() as r:
        # What the features keep beside their postings (pools, SSCC ranges, bin rules, storage
        # profiles, transfer orders, waves, ...), each with its version: read whole, so a
        # refusal that rewrote a document is caught even where the public reads would not
        # show it. Returns are postings (and so in the changes above).
        parts += [r.documents(kind) for kind in DOCUMENT_KINDS]
    return "\n".join(repr(p) for p in parts)


#: The kinds of documents the features write (a refused call must leave each as it was).
DOCUMENT_KINDS = (
    "fsma204-event",
    "fsma204-harvest",
    "serial-pool",
    "serial-batch",
    "serial-void",
    "sscc-counter",
    "sscc-range",
    "sscc-void",
    "putaway-bin",
    "putaway-item",
    "transfer-order",
    "wave",
    "kit",
)


def _bound(inv: sl.Inventory, method: str) -> Callable[..., Any]:
    """The bound method ``method`` names: ``inv.receive``, ``serials.sscc.allocate``."""
    *path, name = method.split(".")
    target: Any = inv
    for part in [] if path == ["inv"] else path:
        target = getattr(target, part)
    bound: Callable[..., Any] = getattr(target, name)
    return bound


def _outcome(bench: _Bench, store: str, method: str, parameter: str, value: object) -> str:
    """Call ``method`` on ``store`` with ``parameter`` set to ``value``; return "accepted" or
    the name of the StocklineError raised, after checking what each must leave behind."""
    inv = bench.inventory(store)
    # The bench rebuilds an inventory a call changed, so each call starts from the set-up.
    before = bench.snapshots[store]
    try:
        verdict, after = _call(inv, store, method, parameter, value, before)
    except BaseException:
        bench.discard(store)
        raise
    if after != before:
        bench.discard(store)  # the next call starts from the set-up again
    return verdict


def _call(
    inv: sl.Inventory, store: str, method: str, parameter: str, value: object, before: str
) -> tuple[str, str]:
    """The verdict on one call and the snapshot it left (``before`` is the one it found)."""
    args, kwargs = VALID[method](inv)
    if _SIGNATURES[method].parameters[parameter].kind is inspect.Parameter.VAR_POSITIONAL:
        args = (value,)
    else:
        kwargs = {**kwargs, parameter: value}
    TALLY[store]["tried"] += 1
    call = f"{method}({parameter}={value!r}) on {store}"
    try:
        result = _bound(inv, method)(*args, **kwargs)
    except StocklineError as refused:
        after = snapshot(inv)
        assert after == before, f"{call} was refused but changed the ledger"
        TALLY[store]["behaved"] += 1
        return type(refused).__name__, after
    except Exception as foreign:
        raise AssertionError(f"{call} raised {type(foreign).__name__}: {foreign}") from foreign
    if isinstance(result, sl.Inventory):
        result.close()
    report = inv.verify()
    assert report.ok, f"{call} was accepted and verify() found {report.problems}"
    TALLY[store]["behaved"] += 1
    TALLY[store]["accepted"] += 1
    return "accepted", snapshot(inv)


def _parameters(method: str) -> list[str]:
    """The parameters one bad value can be given to (``**engine_options`` takes any name)."""
    parameters = _SIGNATURES[method].parameters.values()
    return sorted(p.name for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD)


def test_every_public_method_is_called() -> None:
    """Every public method has a valid call to start from (a new one must get one here)."""
    assert set(METHODS) == set(VALID)


def test_valid_calls_are_accepted() -> None:
    """Each valid call goes through as written on the set-up (so a refusal below is the bad
    value's, not the call's), in memory."""
    bench, refused = _Bench(), {}
    try:
        for method in METHODS:
            inv = bench.inventory("memory")
            args, kwargs = VALID[method](inv)
            try:
                result = _bound(inv, method)(*args, **kwargs)
            except StocklineError as e:
                refused[method] = f"{type(e).__name__}: {e}"
            else:
                if isinstance(result, sl.Inventory):
                    result.close()
            if snapshot(inv) != bench.snapshots["memory"]:
                bench.discard("memory")
    finally:
        bench.close()
    assert refused == {}


@settings(
    max_examples=settings().max_examples * 5,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
    database=None,
)
@given(data=st.data())
def test_one_bad_argument(bench: _Bench, data: st.DataObject) -> None:
    """One argument bad, the others valid: a StocklineError or acceptance, the same on every
    store; a refusal changes nothing, an acceptance keeps the chain verified."""
    method = data.draw(st.sampled_from([m for m in METHODS if _parameters(m)]), "method")
    parameter = data.draw(st.sampled_from(_parameters(method)), "parameter")
    value = data.draw(BAD_VALUES, "value")
    verdicts = {store: _outcome(bench, store, method, parameter, value) for store in STORES}
    assert len(set(verdicts.values())) == 1, f"{method}({parameter}={value!r}): {verdicts}"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Calls that take a path (epcis.write) may create files: keep them out of the checkout.
    monkeypatch.chdir(tmp_path)


#: Bad arguments that once escaped as a foreign exception (OverflowError from SQLite, a
#: TypeError or AttributeError from deep inside) or were read differently by the stores.
FOUND = [
    ("inv.changes", "after", 2**63),
    ("inv.changes", "limit", 2**64 + 1),
    ("inv.transaction", "tx_id", 2**63),
    ("inv.reverse", "tx_id", 10**30),
    ("master.changes", "after", 2**63),
    ("master.update_item", "shelf_life_days", 2**31),
    ("master.update_location", "pick_sequence", 2**63),
    ("inv.add_location", "pick_sequence", 2**31),
    ("analytics.supplier_nonconformity", "statuses", True),
    ("counts.report", "costs", True),
    ("epcis.expect", "document", None),
    ("epcis.expect", "document", "a\x00b"),
    ("epcis.export", "lots", True),
    ("genealogy.release", "lots", True),
    ("inv.rebuild", "progress", True),
    ("inv.verify", "progress", 5),
    ("inv.recall", "lots", None),
    ("inv.recall", "lots", ("ASP",)),
    ("inv.open", "url", None),
    ("inv.open", "url", "not a url"),
    ("inv.produce", "effective_at", dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)),
    ("inv.receive", "effective_at", dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
    ("inv.add_item", "shelf_life_days", 10**6),
    ("allocation.policy_of", "item", None),
    ("scanning.verify_pick", "pick", None),
    ("epcis.receive", "scan", None),
    ("epcis.write", "target", None),
    ("epcis.write", "target", "a\x00b"),
    ("epcis.write", "target", "\ud800"),
    ("epcis.write_xml", "target", None),
    ("epcis.export_xml", "receiver", "a\x00b"),
    ("epcis.write", "progress", True),
    ("epcis.expect", "schema", 5),
    ("epcis.expect", "schema", "x" * 5000),
    ("epcis.expect", "document", "\ud800"),
    ("analytics.aging", "edges", True),
    ("analytics.aging", "edges", [10**30]),
    ("analytics.activity", "kinds", 5),
    ("reports.fsma204", "lots", True),
    ("reports.fsma204", "items", 5),
    # Where PostgreSQL could differ: whole numbers past its 32-bit columns, ids past 64 bits,
    # text it cannot keep (NUL), times at the calendar's edge.
    ("master.update_location", "pick_sequence", 2**31),
    ("master.update_item", "shelf_life_days", 2**31),
    ("inv.changes", "after", 2**63),
    ("inv.transaction", "tx_id", 2**63),
    ("inv.add_party", "name", "a\x00b"),
    ("inv.receive", "reason", "\ud800"),
    ("inv.produce", "effective_at", dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)),
    ("inv.receive", "supplier", None),
    ("scanning.receive", "supplier", None),
    ("inv.ship", "customer", None),
    # A path in a folder that does not exist (OSError from opening the file).
    ("epcis.write", "target", "DC1/A/01"),
    ("epcis.write_xml", "target", "DC1/A/01"),
    # A date bound at the calendar's edge (OverflowError from the day after it).
    ("reports.fsma204", "since", dt.date(1, 1, 1)),
    ("reports.fsma204", "until", dt.date(9999, 12, 31)),
]


#: Good arguments that once were refused by one store alone.
ACCEPTED = [
    # Past the change feed's 32-bit column: PostgreSQL refused to compare, the rest found none.
    ("master.changes", "after", 2**31),
]


@pytest.mark.parametrize(("method", "parameter", "value"), ACCEPTED)
def test_found_accepted_alike(bench: _Bench, method: str, parameter: str, value: object) -> None:
    """Each is accepted on every store."""
    verdicts = {store: _outcome(bench, store, method, parameter, value) for store in STORES}
    assert set(verdicts.values()) == {"accepted"}, verdicts


@pytest.mark.parametrize(("method", "parameter", "value"), FOUND)
def test_found_refused_alike(bench: _Bench, method: str, parameter: str, value: object) -> None:
    """Each is refused with the same StocklineError on every store, the ledger untouched."""
    verdicts = {store: _outcome(bench, store, method, parameter, value) for store in STORES}
    assert len(set(verdicts.values())) == 1, verdicts
    assert "accepted" not in verdicts.values()
