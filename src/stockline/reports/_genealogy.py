"""Recall reports and traces as workbooks: the same tables for CSV, XLSX and JSON."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

from stockline.errors import ValidationError
from stockline.genealogy import Node, RecallReport, Trace
from stockline.ledger import UNITS, Balance, Item, Party, Reference, StockStore
from stockline.reports._fsma_sheet import DOCUMENT_TYPES
from stockline.reports._tables import Cell, Column, ColumnKind, Table, Workbook, joined

__all__ = ["recall_workbook", "trace_workbook", "zone"]

_T, _D = ColumnKind.TEXT, ColumnKind.DECIMAL


def _c(key: str, header: str, kind: ColumnKind = _T, description: str = "") -> Column:
    return Column(key=key, header=header, kind=kind, description=description)


_ITEM = (
    _c("sku", "SKU"),
    _c("product_description", "Product Description"),
    _c("lot", "Lot"),
    _c("serial", "Serial"),
)
_QUANTITY = (_c("quantity", "Quantity", _D), _c("unit", "Unit of Measure"))
_EVENT = (
    _c("event_id", "Event ID", ColumnKind.INTEGER, "The ledger transaction."),
    _c("event_date", "Event Date", ColumnKind.DATE, "The date in the report's time zone."),
    _c("event_time", "Event Time (UTC)", ColumnKind.DATETIME),
)
_DOCUMENTS = (
    _c("reference_document_type", "Reference Document Type"),
    _c("reference_document_number", "Reference Document Number"),
)
_POSITION = (
    _c("location", "Location"),
    _c("status", "Status"),
    _c("container", "Container"),
    *_ITEM,
    *_QUANTITY,
)
_NODES = (*_ITEM, _c("root", "Traced From", ColumnKind.BOOLEAN))


def zone(name: str) -> dt.tzinfo:
    """The time zone called ``name`` (an IANA name such as ``America/Chicago``)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"time zone {name!r} is not known; give an IANA name such as 'UTC' or 'America/Chicago'"
        ) from None


class _WithStore(Protocol):
    """Where master data is read: an :class:`~stockline.Inventory` (or its posting context)."""

    @property
    def store(self) -> StockStore: ...


class _Master:
    """Item and party details from the inventory, when one is given."""

    def __init__(self, inventory: _WithStore | None, timezone: str) -> None:
        self.zone = zone(timezone)
        self.items: dict[str, Item] = {}
        self.parties: dict[str, Party] = {}
        if inventory is not None:
            with inventory.store.read() as r:
                self.items = {i.sku: i for i in r.items()}
                self.parties = {p.code: p for p in r.parties()}

    def item(self, sku: str, lot: str | None, serial: str | None) -> tuple[Cell, ...]:
        item = self.items.get(sku)
        return (sku, item.description if item else None, lot, serial)

    def quantity(self, sku: str, quantity: Decimal) -> tuple[Cell, ...]:
        item = self.items.get(sku)
        unit = None if item is None else UNITS.get(item.unit, (item.unit, 0))[0]
        return (quantity, unit)

    def event(self, tx_id: int, at: dt.datetime) -> tuple[Cell, ...]:
        return (tx_id, at.astimezone(self.zone).date(), at)

    def party(self, code: str) -> str | None:
        party = self.parties.get(code)
        return party.name or None if party else None

    def nodes(self, nodes: Iterable[Node], roots: Sequence[Node]) -> Table:
        return Table(
            key="lots",
            title="Lots",
            columns=_NODES,
            rows=tuple((*self.item(n.item, n.lot, n.serial), n in roots) for n in nodes),
        )

    def positions(self, key: str, title: str, balances: Iterable[Balance]) -> Table:
        return Table(
            key=key,
            title=title,
            columns=_POSITION,
            rows=tuple(
                (
                    b.position.location,
                    b.position.status,
                    b.position.container,
                    *self.item(b.item, b.lot, b.serial),
                    *self.quantity(b.item, b.quantity),
                )
                for b in balances
            ),
        )


def _documents(refs: Iterable[Reference]) -> tuple[str | None, str | None]:
    refs = list(refs)
    return (
        joined(DOCUMENT_TYPES.get(r.type, r.type) for r in refs) or None,
        joined(r.number for r in refs) or None,
    )


def _shipments(master: _Master, trace: Trace) -> Table:
    return Table(
        key="shipments",
        title="Shipments",
        columns=(
            *_EVENT,
            _c("customer", "Customer"),
            _c("customer_name", "Customer Name"),
            *_ITEM,
            *_QUANTITY,
            _c("container", "Container"),
            *_DOCUMENTS,
        ),
        rows=tuple(
            (
                *master.event(s.transaction_id, s.effective_at),
                s.customer,
                master.party(s.customer),
                *master.item(s.item, s.lot, s.serial),
                *master.quantity(s.item, s.quantity),
                s.container,
                *_documents(s.refs),
            )
            for s in trace.shipments
        ),
    )


def _receipts(master: _Master, trace: Trace) -> Table:
    return Table(
        key="receipts",
        title="Receipts",
        columns=(
            *_EVENT,
            _c("supplier", "Supplier"),
            _c("supplier_name", "Supplier Name"),
            *_ITEM,
            *_QUANTITY,
            *_DOCUMENTS,
        ),
        rows=tuple(
            (
                *master.event(r.transaction_id, r.effective_at),
                r.supplier,
                master.party(r.supplier),
                *master.item(r.item, r.lot, r.serial),
                *master.quantity(r.item, r.quantity),
                *_documents(r.refs),
            )
            for r in trace.receipts
        ),
    )


def _links(master: _Master, trace: Trace) -> Table:
    return Table(
        key="links",
        title="Links",
        columns=(
            *_EVENT,
            _c("kind", "Link Kind"),
            _c("parent_sku", "Parent SKU"),
            _c("parent_lot", "Parent Lot"),
            _c("parent_serial", "Parent Serial"),
            _c("child_sku", "Child SKU"),
            _c("child_lot", "Child Lot"),
            _c("child_serial", "Child Serial"),
            _c("quantity", "Quantity", _D, "How much of the parent went in, in its unit."),
            _c("unit", "Unit of Measure"),
        ),
        rows=tuple(
            (
                *master.event(link.transaction_id, link.effective_at),
                link.edge.kind.value,
                link.edge.parent_item,
                link.edge.parent_lot,
                link.edge.parent_serial,
                link.edge.child_item,
                link.edge.child_lot,
                link.edge.child_serial,
                *master.quantity(link.edge.parent_item, link.edge.quantity),
            )
            for link in trace.links
        ),
    )


def trace_workbook(
    trace: Trace, *, inventory: _WithStore | None = None, timezone: str = "UTC"
) -> Workbook:
    """A trace as tables: ``lots``, ``links``, ``shipments``, ``receipts``, ``on_hand`` and
    ``in_transit`` (every table is there, empty when the trace found none).

    Args:
        trace: From :meth:`~stockline.Inventory.trace_downstream` or ``trace_upstream``.
        inventory: Where to look up product descriptions, units and party names; those
            columns stay empty without it.
        timezone: The IANA time zone of the ``Event Date`` columns (times are always UTC).
    """
    master = _Master(inventory, timezone)
    return Workbook(
        key="trace",
        tables=(
            master.nodes(trace.nodes, trace.roots),
            _links(master, trace),
            _shipments(master, trace),
            _receipts(master, trace),
            master.positions("on_hand", "On Hand", trace.positions),
            master.positions("in_transit", "In Transit", trace.in_transit),
        ),
        meta=(
            ("direction", trace.direction),
            ("roots", joined(map(str, trace.roots))),
            ("as_of", trace.as_of),
        ),
    )


def recall_workbook(
    report: RecallReport, *, inventory: _WithStore | None = None, timezone: str = "UTC"
) -> Workbook:
    """A recall report as tables: ``lots`` (affected, the recalled ones marked), ``customers``
    (what each received of each lot), ``shipments``, ``on_hand`` and ``in_transit``.

    Args:
        report: From :meth:`~stockline.Inventory.recall`.
        inventory: Where to look up product descriptions, units and customer names; those
            columns stay empty without it.
        timezone: The IANA time zone of the date columns (times are always UTC).
    """
    master = _Master(inventory, timezone)
    customers = Table(
        key="customers",
        title="Customers",
        columns=(
            _c("customer", "Customer"),
            _c("customer_name", "Customer Name"),
            *_ITEM,
            *_QUANTITY,
            _c("first_shipped", "First Shipped (UTC)", ColumnKind.DATETIME),
            _c("last_shipped", "Last Shipped (UTC)", ColumnKind.DATETIME),
            *_DOCUMENTS,
        ),
        rows=tuple(
            (
                c.customer,
                master.party(c.customer),
                *master.item(c.item, c.lot, c.serial),
                *master.quantity(c.item, c.quantity),
                c.first_shipped,
                c.last_shipped,
                *_documents(
                    Reference(type=t, number=n)
                    for t, _, n in (d.partition(":") for d in c.documents)
                ),
            )
            for c in report.customers
        ),
    )
    return Workbook(
        key="recall",
        tables=(
            master.nodes(report.affected, report.roots),
            customers,
            _shipments(master, report.trace),
            master.positions("on_hand", "On Hand", report.on_hand),
            master.positions("in_transit", "In Transit", report.in_transit),
        ),
        meta=(
            ("recall_id", report.recall_id),
            ("reason", report.reason),
            ("roots", joined(map(str, report.roots))),
            ("as_of", report.trace.as_of),
        ),
    )
