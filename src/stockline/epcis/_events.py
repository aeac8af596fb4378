"""One ledger transaction → its EPCIS 2.0 events (as JSON-LD dicts, before their IDs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from stockline.epcis._ids import Names
from stockline.epcis._options import EpcisOptions
from stockline.epcis._vocab import BUSINESS_TRANSACTION_TYPES, COUNT_UNITS, DEFAULT_DISPOSITIONS
from stockline.errors import EpcisExportError
from stockline.ledger import (
    Item,
    Location,
    LocationKind,
    Lot,
    Movement,
    Position,
    Status,
    Transaction,
    TxKind,
)

__all__ = ["Event", "EventMaker", "NewNode", "format_time"]

#: An event as a JSON-compatible dict.
Event = dict[str, Any]
#: A lot or serial seen for the first time: (item, lot, serial, location, quantity).
NewNode = tuple[str, str | None, str | None, str, Decimal]

_MOVES = {TxKind.TRANSFER: "storing", TxKind.PICK: "picking"}
#: How a decommissioning's reason starts (``inv.serials.decommission``), and the business
#: step and disposition of each of its reasons; other scrap is destruction.
_DECOMMISSIONED = "decommissioned: "
_DECOMMISSIONING = {
    "destroyed": ("destroying", "destroyed"),
    "expired": ("decommissioning", "expired"),
    "sample": ("decommissioning", "inactive"),
    "stolen": ("decommissioning", "stolen"),
}
_AGGREGATING = frozenset({TxKind.PACK, TxKind.UNPACK, TxKind.TRANSFER, TxKind.PICK})


def format_time(when: dt.datetime, tz: dt.tzinfo = dt.UTC) -> str:
    """An aware time as ISO 8601 in ``tz`` (``Z`` for UTC), to the millisecond unless it has
    a finer part."""
    local = when.astimezone(tz)
    spec = "milliseconds" if local.microsecond % 1000 == 0 else "microseconds"
    return local.isoformat(timespec=spec).replace("+00:00", "Z")


def _number(quantity: Decimal) -> int | float:
    if quantity == quantity.to_integral_value():
        return int(quantity)
    number = float(quantity)
    if Decimal(repr(number)) != quantity:
        raise EpcisExportError(
            f"quantity {quantity} has more significant digits than a JSON number carries "
            "exactly; EPCIS consumers would read another quantity"
        )
    return number


class EventMaker:
    """Builds the events of one transaction from the master data and the export options."""

    def __init__(
        self,
        options: EpcisOptions,
        names: Names,
        *,
        items: Mapping[str, Item],
        locations: Mapping[str, Location],
        statuses: Mapping[str, Status],
        lots: Mapping[tuple[str, str], Lot],
    ) -> None:
        self.options = options
        self.names = names
        self.items = items
        self.locations = locations
        self.statuses = statuses
        self.lots = lots
        sign = -1 if options.time_zone_offset[0] == "-" else 1
        hours, minutes = options.time_zone_offset[1:].split(":")
        self.tz = dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))

    # -- the events of a transaction -------------------------------------------------------

    def events(self, tx: Transaction, parents: Mapping[str, str | None]) -> list[Event]:
        """The events recording ``tx`` (a reversal's own events are made by the exporter).

        Args:
            tx: The transaction.
            parents: Each container's parent just before ``tx`` (for what unpacking removes
                a container from).
        """
        kind = tx.kind
        if kind is TxKind.PRODUCTION and all(not self._internal(m.src) for m in tx.movements):
            return [self._commissioned(tx)]
        if kind in (TxKind.PRODUCTION, TxKind.RELABEL):
            return [self._transformation(tx)]
        if kind is TxKind.RECEIPT:
            return self._receipts(tx)
        if kind is TxKind.SHIPMENT:
            return self._shipments(tx)
        if kind is TxKind.RETURN:
            return self._returns(tx)
        if kind is TxKind.STATUS_CHANGE:
            return self._status_changes(tx)
        if kind in (TxKind.COUNT, TxKind.ADJUSTMENT):
            return self._corrections(tx)
        if kind is TxKind.SCRAP:
            return self._scraps(tx)
        events = [] if kind in (TxKind.PACK, TxKind.UNPACK) else self._moves(tx)
        if kind in _AGGREGATING:
            events += self._aggregations(tx, parents)
        return events

    def commissioning(self, tx: Transaction, new: Iterable[NewNode]) -> list[Event]:
        """ObjectEvents ADD ``commissioning`` for lots and serials ``tx`` shows first, one per
        item, lot and place, with the lot number and expiry as ILMD."""
        groups: dict[tuple[str, str | None, str], list[NewNode]] = {}
        for node in new:
            groups.setdefault((node[0], node[1], node[3]), []).append(node)
        events = []
        for (sku, lot, place), nodes in groups.items():
            serials = [n[2] for n in nodes if n[2] is not None]
            quantity = sum((n[4] for n in nodes if n[2] is None), Decimal(0))
            event = self._head("ObjectEvent", tx)
            if serials:
                event["epcList"] = [self.names.instance(sku, s) for s in serials]
            if quantity:
                event["quantityList"] = [self._quantity(sku, lot, quantity)]
            event["action"] = "ADD"
            event["bizStep"] = "commissioning"
            event["disposition"] = "active"
            self._place(event, place, place)
            if lot is not None:
                event["ilmd"] = self.ilmd(sku, lot)
            events.append(self._tail(event, tx))
        return events

    def at(self, when: dt.datetime | None) -> None:
        """Build events from the master data as it was at ``when`` (today's for ``None``):
        the GTINs, GLNs and lot expiry dates in force when the transaction was recorded."""
        self.names.at(when)

    def ilmd(self, sku: str, lot: str) -> dict[str, str]:
        """The lot master data of a lot: its number and, if known, its expiry."""
        ilmd: dict[str, str] = {"cbvmda:lotNumber": lot}
        record = self.lots.get((sku, lot))
        current = None if record is None or record.expiry is None else record.expiry.isoformat()
        expiry = self.names.as_of("lot", (sku, lot), current)
        if expiry is not None:
            ilmd["cbvmda:itemExpirationDate"] = expiry
        return ilmd

    def master_data(self, classes: Mapping[tuple[str, str], Iterable[str]]) -> dict[str, Any]:
        """The ``epcisHeader`` describing the lots of a document: per lot class (LGTIN) its lot
        number, its expiry if known, and as ``children`` the serials of that lot the document
        shows (so a reader learns the lot of a serial without a commissioning event)."""
        elements = []
        for (sku, lot), serials in classes.items():
            attributes = [{"id": k, "attribute": v} for k, v in self.ilmd(sku, lot).items()]
            element: dict[str, Any] = {"id": self.names.item_class(sku, lot)}
            element["attributes"] = attributes
            children = [self.names.instance(sku, s) for s in serials]
            if children:
                element["children"] = children
            elements.append(element)
        vocabulary = {
            "type": "urn:epcglobal:epcis:vtype:EPCClass",
            "vocabularyElementList": elements,
        }
        return {"epcisMasterData": {"vocabularyList": [vocabulary]}}

    # -- by kind ---------------------------------------------------------------------------

    def _receipts(self, tx: Transaction) -> list[Event]:
        events = []
        for (place, disposition), lines in self._groups(
            tx.movements, lambda m: (m.dst.location, self.disposition(m.dst.status))
        ).items():
            event = self._object(tx, lines, "OBSERVE", containers=[m.dst.container for m in lines])
            event["bizStep"] = "receiving"
            event["disposition"] = disposition
            self._place(event, place, place)
            self._documents(event, tx)
            if tx.counterparty is not None:
                event["sourceList"] = self._parties("source", self.names.party(tx.counterparty))
            destinations = [{"type": "location", "destination": self.names.location(place)}]
            if self.options.owner_gln is not None:
                destinations += self._parties(
                    "destination", self.names.pgln(self.options.owner_gln)
                )
            event["destinationList"] = destinations
            events.append(self._tail(event, tx))
        return events

    def _shipments(self, tx: Transaction) -> list[Event]:
        events = []
        for (place,), lines in self._groups(tx.movements, lambda m: (m.src.location,)).items():
            shipped = self._outermost(tx, [m.src.container for m in lines])
            event = self._object(tx, lines, "OBSERVE", containers=shipped)
            event["bizStep"] = "shipping"
            event["disposition"] = "in_transit"
            self._place(event, place, None)
            self._documents(event, tx)
            sources = [{"type": "location", "source": self.names.location(place)}]
            if self.options.owner_gln is not None:
                sources += self._parties("source", self.names.pgln(self.options.owner_gln))
            event["sourceList"] = sources
            if tx.counterparty is not None:
                event["destinationList"] = self._parties(
                    "destination", self.names.party(tx.counterparty)
                )
            events.append(self._tail(event, tx))
        return events

    def _returns(self, tx: Transaction) -> list[Event]:
        """A return: goods received back from a customer, or shipped back to a supplier,
        with disposition ``returned`` (the CBV has no step of its own for either)."""
        events = []

        def key(m: Movement) -> tuple[str, str]:
            if self._internal(m.dst):
                return ("receiving", m.dst.location)
            return ("shipping", m.src.location)

        for (step, place), lines in self._groups(tx.movements, key).items():
            into = step == "receiving"
            containers = [(m.dst if into else m.src).container for m in lines]
            event = self._object(tx, lines, "OBSERVE", containers=containers)
            event["bizStep"] = step
            event["disposition"] = "returned"
            self._place(event, place, place if into else None)
            self._documents(event, tx)
            here = [
                {
                    "type": "location",
                    ("destination" if into else "source"): self.names.location(place),
                }
            ]
            if self.options.owner_gln is not None:
                side = "destination" if into else "source"
                here += self._parties(side, self.names.pgln(self.options.owner_gln))
            party = []
            if tx.counterparty is not None:
                party = self._parties(
                    "source" if into else "destination", self.names.party(tx.counterparty)
                )
            event["sourceList" if into else "destinationList"] = party
            event["destinationList" if into else "sourceList"] = here
            if not party:
                del event["sourceList" if into else "destinationList"]
            events.append(self._tail(event, tx))
        return events

    def _moves(self, tx: Transaction) -> list[Event]:
        moved = {e.container for e in tx.containers}
        events = []

        def key(m: Movement) -> tuple[str, str, str]:
            if not self._internal(m.dst):
                return ("departing", m.src.location, "in_transit")
            step = "arriving" if not self._internal(m.src) else _MOVES.get(tx.kind, "storing")
            return (step, m.dst.location, self.disposition(m.dst.status))

        for (step, place, disposition), lines in self._groups(tx.movements, key).items():
            carried = self._outermost(
                tx, [m.dst.container for m in lines if m.dst.container in moved]
            )
            event = self._object(tx, lines, "OBSERVE", containers=carried)
            event["bizStep"] = step
            event["disposition"] = disposition
            self._place(event, place, None if step == "departing" else place)
            self._documents(event, tx)
            events.append(self._tail(event, tx))
        return events

    def _status_changes(self, tx: Transaction) -> list[Event]:
        recall = any(r.type.upper() == "RECALL" for r in tx.refs)
        events = []
        for (place, before, after, release, was_free), lines in self._groups(
            tx.movements,
            lambda m: (
                m.dst.location,
                self.disposition(m.src.status),
                self.disposition(m.dst.status),
                self._allocatable(m.dst.status),
                self._allocatable(m.src.status),
            ),
        ).items():
            event = self._object(tx, lines, "OBSERVE")
            if release:
                event["bizStep"] = "inspecting"
                event["disposition"] = after
                if not was_free and before != after:
                    event["persistentDisposition"] = {"unset": [before]}
            else:
                now = "recalled" if recall else after
                event["bizStep"] = "holding"
                event["disposition"] = now
                persistent: dict[str, list[str]] = {"set": [now]}
                if not was_free and before != now:
                    persistent["unset"] = [before]
                event["persistentDisposition"] = persistent
            self._place(event, place, place)
            self._documents(event, tx)
            events.append(self._tail(event, tx))
        return events

    def _corrections(self, tx: Transaction) -> list[Event]:
        step = "cycle_counting" if tx.kind is TxKind.COUNT else "stock_taking"
        events = []

        def key(m: Movement) -> tuple[str, str, str]:
            if self._internal(m.dst):
                return ("ADD", m.dst.location, self.disposition(m.dst.status))
            return ("DELETE", m.src.location, "unknown")

        for (action, place, disposition), lines in self._groups(tx.movements, key).items():
            event = self._object(tx, lines, action)
            event["bizStep"] = step
            event["disposition"] = disposition
            self._place(event, place, place if action == "ADD" else None)
            self._documents(event, tx)
            events.append(self._tail(event, tx))
        return events

    def _scraps(self, tx: Transaction) -> list[Event]:
        events = []
        for (place,), lines in self._groups(tx.movements, lambda m: (m.src.location,)).items():
            event = self._object(tx, lines, "DELETE")
            event["bizStep"], event["disposition"] = _scrap_step(tx.reason)
            self._place(event, place, None)
            self._documents(event, tx)
            events.append(self._tail(event, tx))
        return events

    def _commissioned(self, tx: Transaction) -> Event:
        """A production that consumed nothing the ledger knows gives its outputs their
        identity: an ObjectEvent ADD ``commissioning``, disposition ``active`` as on the
        other commissioning events (a later status change says more)."""
        outputs = list(tx.movements)
        event = self._object(tx, outputs, "ADD")
        event["bizStep"] = "commissioning"
        event["disposition"] = "active"
        self._place(event, outputs[0].dst.location, outputs[0].dst.location)
        made = {(m.item, m.lot) for m in outputs}
        if len(made) == 1:
            ((sku, lot),) = made
            if lot is not None:
                event["ilmd"] = self.ilmd(sku, lot)
        self._documents(event, tx)
        return self._tail(event, tx)

    def _transformation(self, tx: Transaction) -> Event:
        inputs = [m for m in tx.movements if not self._internal(m.dst)]
        outputs = [m for m in tx.movements if not self._internal(m.src)]
        event = self._head("TransformationEvent", tx)
        epcs, quantities = self._what(inputs)
        if epcs:
            event["inputEPCList"] = epcs
        if quantities:
            event["inputQuantityList"] = quantities
        epcs, quantities = self._what(outputs)
        if epcs:
            event["outputEPCList"] = epcs
        if quantities:
            event["outputQuantityList"] = quantities
        # Serials are instances made here; a lot's class identifier may have been used before.
        serial_only = all(m.serial is not None for m in outputs)
        event["bizStep"] = "commissioning" if serial_only else "creating_class_instance"
        made = {(m.item, m.lot) for m in outputs}
        if len(made) == 1:
            ((sku, lot),) = made
            if lot is not None:
                # The transformation creates its outputs: their lot master data goes here,
                # never on a separate commissioning event (which would create them twice).
                event["ilmd"] = self.ilmd(sku, lot)
        if outputs:
            event["disposition"] = self.disposition(outputs[0].dst.status)
            self._place(event, outputs[0].dst.location, outputs[0].dst.location)
        self._documents(event, tx)
        return self._tail(event, tx)

    def _aggregations(self, tx: Transaction, parents: Mapping[str, str | None]) -> list[Event]:
        changes: dict[tuple[str, str, str | None], tuple[list[Movement], list[str]]] = {}

        def add(action: str, parent: str, place: str | None) -> tuple[list[Movement], list[str]]:
            return changes.setdefault((action, parent, place), ([], []))

        for m in tx.movements:
            if m.src.container == m.dst.container:
                continue
            if m.src.container is not None:
                add("DELETE", m.src.container, m.src.location)[0].append(m)
            if m.dst.container is not None:
                add("ADD", m.dst.container, m.dst.location)[0].append(m)
        for change in tx.containers:
            before = parents.get(change.container)
            if before == change.parent:
                continue
            if before is not None:
                add("DELETE", before, change.location)[1].append(change.container)
            if change.parent is not None:
                add("ADD", change.parent, change.location)[1].append(change.container)
        events = []
        for action in ("DELETE", "ADD"):
            for (act, parent, place), (lines, children) in changes.items():
                if act != action:
                    continue
                event = self._head("AggregationEvent", tx)
                event["parentID"] = self.names.container(parent)
                epcs, quantities = self._what(lines)
                epcs += [self.names.container(c) for c in dict.fromkeys(children)]
                if epcs:
                    event["childEPCs"] = epcs
                if quantities:
                    event["childQuantityList"] = quantities
                event["action"] = action
                event["bizStep"] = "packing" if action == "ADD" else "unpacking"
                if place is not None:
                    self._place(event, place, place)
                self._documents(event, tx)
                events.append(self._tail(event, tx))
        return events

    # -- shared pieces ---------------------------------------------------------------------

    @staticmethod
    def _outermost(tx: Transaction, containers: Iterable[str | None]) -> list[str]:
        """The outermost containers ``tx`` moved that hold ``containers``: a pallet shipped or
        moved whole is named by its own SSCC, not by the cases on it."""
        parent = {c.container: c.parent for c in tx.containers}
        found: dict[str, None] = {}
        for container in containers:
            if container is None:
                continue
            seen = {container}
            while (up := parent.get(container)) is not None and up in parent and up not in seen:
                container = up
                seen.add(up)
            found[container] = None
        return list(found)

    def disposition(self, status: str) -> str:
        """The CBV disposition of stock in ``status``."""
        mapped = self.options.dispositions.get(status) or DEFAULT_DISPOSITIONS.get(status)
        if mapped is not None:
            return mapped
        return "sellable_accessible" if self._allocatable(status) else "non_sellable_other"

    def _allocatable(self, status: str) -> bool:
        record = self.statuses.get(status)
        return record is not None and record.allocatable

    def _internal(self, position: Position) -> bool:
        location = self.locations.get(position.location)
        return location is not None and location.kind is LocationKind.INTERNAL

    @staticmethod
    def _groups(movements: Iterable[Movement], key: Any) -> dict[Any, list[Movement]]:
        groups: dict[Any, list[Movement]] = {}
        for m in movements:
            groups.setdefault(key(m), []).append(m)
        return groups

    def _head(self, kind: str, tx: Transaction) -> Event:
        return {
            "type": kind,
            "eventTime": format_time(tx.effective_at, self.tz),
            "eventTimeZoneOffset": self.options.time_zone_offset,
            "recordTime": format_time(tx.recorded_at),
        }

    @staticmethod
    def _tail(event: Event, tx: Transaction) -> Event:
        event["stockline:transaction"] = str(tx.id)
        event["stockline:kind"] = tx.kind.value
        return event

    def _object(
        self,
        tx: Transaction,
        lines: list[Movement],
        action: str,
        *,
        containers: Iterable[str | None] = (),
    ) -> Event:
        event = self._head("ObjectEvent", tx)
        epcs, quantities = self._what(lines)
        epcs += [self.names.container(c) for c in dict.fromkeys(containers) if c is not None]
        if epcs:
            event["epcList"] = epcs
        if quantities:
            event["quantityList"] = quantities
        event["action"] = action
        return event

    def _what(self, lines: Iterable[Movement]) -> tuple[list[str], list[dict[str, Any]]]:
        epcs: dict[str, None] = {}
        amounts: dict[tuple[str, str | None], Decimal] = {}
        for m in lines:
            if m.serial is not None:
                epcs[self.names.instance(m.item, m.serial)] = None
            else:
                key = (m.item, m.lot)
                amounts[key] = amounts.get(key, Decimal(0)) + m.quantity
        quantities = [self._quantity(sku, lot, q) for (sku, lot), q in amounts.items()]
        return list(epcs), quantities

    def _quantity(self, sku: str, lot: str | None, quantity: Decimal) -> dict[str, Any]:
        element: dict[str, Any] = {
            "epcClass": self.names.item_class(sku, lot),
            "quantity": _number(quantity),
        }
        unit = self.items[sku].unit
        if unit not in COUNT_UNITS:
            element["uom"] = unit
        return element

    def _place(self, event: Event, read_point: str, biz_location: str | None) -> None:
        event["readPoint"] = {"id": self.names.location(read_point)}
        if biz_location is not None:
            event["bizLocation"] = {"id": self.names.location(biz_location)}

    def _documents(self, event: Event, tx: Transaction) -> None:
        found: dict[tuple[str | None, str], None] = {}
        for ref in tx.refs:
            found[(BUSINESS_TRANSACTION_TYPES.get(ref.type.upper()), self.names.document(ref))] = (
                None
            )
        if found:
            event["bizTransactionList"] = [
                {"type": kind, "bizTransaction": uri} if kind else {"bizTransaction": uri}
                for kind, uri in found
            ]

    @staticmethod
    def _parties(side: str, uri: str) -> list[dict[str, str]]:
        return [
            {"type": "owning_party", side: uri},
            {"type": "possessing_party", side: uri},
        ]


def _scrap_step(reason: str | None) -> tuple[str, str]:
    """The business step and disposition of a scrap posting with ``reason``."""
    if reason is not None and reason.startswith(_DECOMMISSIONED):
        why = reason[len(_DECOMMISSIONED) :].split(":", 1)[0].strip()
        if why in _DECOMMISSIONING:
            return _DECOMMISSIONING[why]
    return _DECOMMISSIONING["destroyed"]
