"""What a trace or a recall finds: typed records that also render as a table and as JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stockline.ledger import Balance, Edge, NodeKey, Reference

__all__ = ["Link", "Node", "Receipt", "Returned", "Shipment", "Trace", "text_table"]


@attrs.frozen(kw_only=True, order=True)
class Node:
    """A lot or serial in the genealogy.

    Attributes:
        item: The SKU.
        lot: The lot code, or ``None``.
        serial: The serial, or ``None`` (a lot node stands for every serial of the lot).
    """

    item: str
    lot: str | None = None
    serial: str | None = None

    @property
    def key(self) -> NodeKey:
        """The node as a tuple."""
        return (self.item, self.lot, self.serial)

    def __str__(self) -> str:
        text = self.item
        if self.lot:
            text += f" lot {self.lot}"
        if self.serial:
            text += f" serial {self.serial}"
        return text


@attrs.frozen(kw_only=True)
class Link:
    """A genealogy edge as found by a trace.

    Attributes:
        transaction_id: The transaction that made it.
        effective_at: When.
        edge: The link itself (parent, child, quantity, kind).
    """

    transaction_id: int
    effective_at: dt.datetime
    edge: Edge


@attrs.frozen(kw_only=True)
class Shipment:
    """A quantity of an affected lot or serial that left for a customer.

    Attributes:
        transaction_id: The shipment transaction.
        effective_at: When it shipped.
        customer: The customer's code.
        item: The SKU.
        lot: The lot code.
        serial: The serial.
        quantity: How much.
        container: The container (pallet SSCC) it left in, if any.
        refs: The shipment's documents (SO, BOL, ...).
    """

    transaction_id: int
    effective_at: dt.datetime
    customer: str
    item: str
    lot: str | None
    serial: str | None
    quantity: Decimal
    container: str | None
    refs: tuple[Reference, ...]


@attrs.frozen(kw_only=True)
class Receipt:
    """A quantity of an ancestor lot or serial received from a supplier.

    Attributes:
        transaction_id: The receipt transaction.
        effective_at: When it arrived.
        supplier: The supplier's code.
        item: The SKU.
        lot: The lot code.
        serial: The serial.
        quantity: How much.
        refs: The receipt's documents (PO, ASN, ...).
    """

    transaction_id: int
    effective_at: dt.datetime
    supplier: str
    item: str
    lot: str | None
    serial: str | None
    quantity: Decimal
    refs: tuple[Reference, ...]


@attrs.frozen(kw_only=True)
class Returned:
    """A quantity of a reached lot or serial that came back from a customer, or went back to
    a supplier: a return, never a reversal.

    Attributes:
        transaction_id: The return transaction.
        effective_at: When it came back (or left).
        party: The customer who sent it back, or the supplier it went back to.
        party_kind: ``customer`` or ``supplier``.
        item: The SKU.
        lot: The lot code.
        serial: The serial.
        quantity: How much.
        location: The internal location it came into (from a customer) or left (to a
            supplier).
        refs: The return's documents (RMA, the shipment it was taken back against, ...).
    """

    transaction_id: int
    effective_at: dt.datetime
    party: str
    party_kind: str
    item: str
    lot: str | None
    serial: str | None
    quantity: Decimal
    location: str
    refs: tuple[Reference, ...]


@attrs.frozen(kw_only=True)
class Trace:
    """Everything reachable from some lots or serials, in one direction: a plain value, read
    from the ledger at once (it holds no store, and pickles).

    Attributes:
        direction: ``downstream`` (what was made from them, where it went) or ``upstream``
            (what they were made from, where that came from).
        roots: The lots or serials traced from.
        as_of: The time the trace looks from (``None``: now).
        nodes: Every lot or serial reached, roots included.
        links: The genealogy edges followed.
        positions: Where reached stock is now, in internal locations.
        in_transit: Reached stock at transit locations.
        shipments: Shipments of any reached node to customers (reversed ones left out), in
            ledger order; empty upstream.
        receipts: Receipts of any reached node from suppliers (reversed ones left out), in
            ledger order; empty downstream.
        returns: Returns of any reached node, in both directions: from customers back into
            stock and from stock back to suppliers (reversed ones left out), in ledger order.
    """

    direction: str
    roots: tuple[Node, ...]
    as_of: dt.datetime | None
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    positions: tuple[Balance, ...]
    in_transit: tuple[Balance, ...]
    shipments: tuple[Shipment, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    returns: tuple[Returned, ...] = ()

    @property
    def customers(self) -> tuple[str, ...]:
        """The customers that received reached stock, sorted."""
        return tuple(sorted({s.customer for s in self.shipments}))

    @property
    def suppliers(self) -> tuple[str, ...]:
        """The suppliers reached stock came from, sorted."""
        return tuple(sorted({r.supplier for r in self.receipts}))

    def to_dict(self) -> dict[str, Any]:
        """The trace as plain data (strings, numbers, lists), ready for JSON."""
        return {
            "direction": self.direction,
            "roots": _plain(self.roots),
            "as_of": _plain(self.as_of),
            "nodes": _plain(self.nodes),
            "links": _plain(self.links),
            "shipments": _plain(self.shipments),
            "receipts": _plain(self.receipts),
            "returns": _plain(self.returns),
            "positions": _plain(self.positions),
            "in_transit": _plain(self.in_transit),
        }

    def to_json(self, **options: Any) -> str:
        """The trace as JSON text; ``options`` go to :func:`json.dumps`."""
        return json.dumps(self.to_dict(), **options)

    def to_table(self) -> str:
        """The trace as text tables: nodes, shipments or receipts, and positions."""
        parts = [f"{self.direction} trace of {', '.join(map(str, self.roots))}"]
        parts.append(text_table(["lot / serial"], [[str(n)] for n in self.nodes]))
        if self.shipments:
            parts.append(shipment_table(self.shipments))
        if self.receipts:
            parts.append(
                text_table(
                    ["received", "supplier", "item", "lot/serial", "qty", "documents"],
                    [
                        [
                            r.effective_at.strftime("%Y-%m-%d %H:%M"),
                            r.supplier,
                            r.item,
                            r.lot or r.serial or "",
                            str(r.quantity),
                            " ".join(map(str, r.refs)),
                        ]
                        for r in self.receipts
                    ],
                )
            )
        if self.returns:
            parts.append(returns_table(self.returns))
        if self.positions or self.in_transit:
            parts.append(balance_table([*self.positions, *self.in_transit]))
        return "\n\n".join(parts)


def shipment_table(shipments: Iterable[Shipment]) -> str:
    """Shipments as a text table."""
    return text_table(
        ["shipped", "customer", "item", "lot/serial", "qty", "container", "documents"],
        [
            [
                s.effective_at.strftime("%Y-%m-%d %H:%M"),
                s.customer,
                s.item,
                s.lot or s.serial or "",
                str(s.quantity),
                s.container or "",
                " ".join(map(str, s.refs)),
            ]
            for s in shipments
        ],
    )


def returns_table(returns: Iterable[Returned]) -> str:
    """Returns as a text table."""
    return text_table(
        ["returned", "from / to", "item", "lot/serial", "qty", "location", "documents"],
        [
            [
                r.effective_at.strftime("%Y-%m-%d %H:%M"),
                f"{r.party_kind} {r.party}",
                r.item,
                r.lot or r.serial or "",
                str(r.quantity),
                r.location,
                " ".join(map(str, r.refs)),
            ]
            for r in returns
        ],
    )


def balance_table(balances: Iterable[Balance]) -> str:
    """Balances as a text table."""
    return text_table(
        ["location", "status", "container", "item", "lot/serial", "qty"],
        [
            [
                b.position.location,
                b.position.status,
                b.position.container or "",
                b.item,
                b.lot or b.serial or "",
                str(b.quantity),
            ]
            for b in balances
        ],
    )


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table with aligned columns (numbers right-aligned)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(w) if _numeric(cell) else cell.ljust(w)
            for cell, w in zip(cells, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _numeric(cell: str) -> bool:
    return bool(cell) and cell.replace(".", "", 1).lstrip("-").isdigit()


def _plain(value: object) -> Any:
    if attrs.has(type(value)):
        names = [f.name for f in attrs.fields(type(value)) if not f.name.startswith("_")]  # type: ignore[arg-type]
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)
