"""Tracing: follow genealogy edges, then the ledger, from some lots or serials."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from stockline.errors import TrackingError, UnknownLotError, UnknownSerialError, ValidationError
from stockline.genealogy._records import Link, Node, Receipt, Returned, Shipment, Trace

# Not exported by the ledger package yet.
from stockline.ledger import (
    Book,
    CustomerExposure,
    HistoryQuery,
    LedgerLine,
    LedgerReader,
    LocationKind,
    NodeKey,
    NodeSet,
    Tracking,
    TxKind,
    boundary,
)

__all__ = ["customer_exposures", "trace", "trace_downstream", "trace_upstream"]


def trace_downstream(
    book: Book,
    sku: str,
    lot: str | None = None,
    *,
    serial: str | None = None,
    as_of: dt.datetime | None = None,
) -> Trace:
    """Trace a lot or serial downstream: everything made from it, every shipment of it, and
    where it is now.

    Args:
        book: The posting context to read through.
        sku: The item.
        lot: The lot (or give ``serial``).
        serial: The serial.
        as_of: Trace the ledger as it was at this effective time; now when ``None``.

    Returns:
        The trace, a plain value.

    Raises:
        ValidationError: No lot or serial given, or the item is not tracked.
        UnknownItemError: The item is not in the master data.
        UnknownLotError: The lot is not known.
        TrackingError: A serial of an item that is not serial-tracked.
        UnknownSerialError: No transaction moved the serial.
    """
    return _trace_one(book, sku, lot, serial, as_of, downstream=True)


def trace_upstream(
    book: Book,
    sku: str,
    lot: str | None = None,
    *,
    serial: str | None = None,
    as_of: dt.datetime | None = None,
) -> Trace:
    """Trace a lot or serial upstream: everything it was made from, back to the suppliers'
    receipts.

    Args:
        book: The posting context to read through.
        sku: The item.
        lot: The lot (or give ``serial``).
        serial: The serial.
        as_of: Trace the ledger as it was at this effective time; now when ``None``.

    Returns:
        The trace, a plain value.

    Raises:
        ValidationError: No lot or serial given, or the item is not tracked.
        UnknownItemError: The item is not in the master data.
        UnknownLotError: The lot is not known.
        TrackingError: A serial of an item that is not serial-tracked.
        UnknownSerialError: No transaction moved the serial.
    """
    return _trace_one(book, sku, lot, serial, as_of, downstream=False)


def _trace_one(
    book: Book, sku: object, lot: object, serial: object, as_of: object, *, downstream: bool
) -> Trace:
    """Check one root and trace it, in one read view (every argument checked first)."""
    sku, lot, serial = _canonical(sku, lot, serial)
    when = boundary.optional_moment(as_of, "as_of")
    with book.read() as r:
        root = _checked(r, book, sku, lot, serial)
        return trace(r, [root], downstream=downstream, as_of=when)


def node(book: Book, sku: object, lot: object, serial: object) -> Node:
    """Return the traceable node ``sku`` / ``lot`` / ``serial``, checked against the master
    data and the ledger (an item that is tracked, a lot that is known, a serial of a
    serial-tracked item that some transaction moved), so that a trace never answers "nothing"
    for what stockline does not know.

    Raises:
        ValidationError: No lot or serial given, or the item is not tracked.
        UnknownItemError: The item is not in the master data.
        UnknownLotError: The lot is not known.
        TrackingError: A serial of an item that is not serial-tracked.
        UnknownSerialError: No transaction moved the serial (of that lot, if given).
    """
    code, lot_code, serial_code = _canonical(sku, lot, serial)
    with book.read() as r:
        return _checked(r, book, code, lot_code, serial_code)


def _canonical(sku: object, lot: object, serial: object) -> tuple[str, str | None, str | None]:
    return (
        boundary.code(sku, "sku"),
        boundary.optional_code(lot, "lot"),
        boundary.optional_code(serial, "serial"),
    )


def _checked(r: LedgerReader, book: Book, sku: str, lot: str | None, serial: str | None) -> Node:
    """The node, checked as :func:`node` says, in the read view ``r``."""
    item = book.item(r, sku)
    if lot is None and serial is None:
        raise ValidationError(f"name a lot or a serial of {sku} to trace")
    if item.tracking is Tracking.NONE:
        raise ValidationError(f"item {sku} is not lot- or serial-tracked, so it cannot be traced")
    if lot is not None and r.lot(sku, lot) is None:
        raise UnknownLotError(item=sku, lot=lot)
    if serial is not None:
        # A trace of what the ledger never saw would answer "nothing affected": refuse it.
        if item.tracking is not Tracking.SERIAL:
            raise TrackingError(item=sku, tracking=str(item.tracking), lot=lot, serial=serial)
        if not r.history(HistoryQuery(item=sku, lot=lot, serial=serial, limit=1)):
            raise UnknownSerialError(item=sku, serial=serial)
    return Node(item=sku, lot=lot, serial=serial)


def traced(book: Book, roots: Sequence[Node], *, downstream: bool, as_of: object) -> Trace:
    """Trace ``roots`` in one read view of ``book``'s store."""
    when = boundary.optional_moment(as_of, "as_of")
    with book.read() as r:
        return trace(r, roots, downstream=downstream, as_of=when)


def trace(
    reader: LedgerReader,
    roots: Sequence[Node],
    *,
    downstream: bool,
    as_of: dt.datetime | None = None,
) -> Trace:
    """Trace ``roots`` downstream or upstream through the store behind ``reader``.

    The store does the set-based work (a recursive query over the edges, the balances of
    every node reached, then their shipment or receipt lines); this function only assembles
    the result, a plain value read in the one view ``reader`` gives.

    Args:
        reader: A read view of the store.
        roots: The lots or serials to trace from.
        downstream: Follow edges to children (``True``) or to parents (``False``).
        as_of: Follow only what was effective by then; everything when ``None``.

    Returns:
        The trace.
    """
    through = reader.head()[0]
    links = reader.edges([n.key for n in roots], downstream=downstream, until=as_of)
    reached: dict[NodeKey, Node] = {n.key: n for n in roots}
    for _, _, e in links:
        found = (
            Node(item=e.child_item, lot=e.child_lot, serial=e.child_serial)
            if downstream
            else Node(item=e.parent_item, lot=e.parent_lot, serial=e.parent_serial)
        )
        reached.setdefault(found.key, found)
    keys = tuple(reached)
    kinds = _Kinds(reader)
    balances = reader.balances_of(
        keys, as_of=as_of, kinds=(LocationKind.INTERNAL, LocationKind.TRANSIT)
    )
    parties = (LocationKind.CUSTOMER, LocationKind.SUPPLIER)
    # One read of the lines into or out of a party, split here: what went to a party (out)
    # and what came from one (back); a line between two parties is in both.
    lines = reader.movements_of(keys, into=parties, out_of=parties, until=as_of)
    out = [line for line in lines if kinds.of(line.movement.dst.location) in parties]
    back = [line for line in lines if kinds.of(line.movement.src.location) in parties]
    reversed_ids = _reversed([*out, *back], through)
    return Trace(
        direction="downstream" if downstream else "upstream",
        roots=tuple(roots),
        as_of=as_of,
        nodes=tuple(sorted(reached.values(), key=_node_order)),
        links=tuple(Link(transaction_id=i, effective_at=at, edge=e) for i, at, e in links),
        positions=tuple(
            b for b in balances if kinds.of(b.position.location) is LocationKind.INTERNAL
        ),
        in_transit=tuple(
            b for b in balances if kinds.of(b.position.location) is LocationKind.TRANSIT
        ),
        shipments=_shipments(kinds, out, reversed_ids, through) if downstream else (),
        receipts=() if downstream else _receipts(kinds, back, reversed_ids, through),
        returns=_returns(kinds, out, back, reversed_ids, through),
    )


def _receipts(
    kinds: _Kinds, inbound: Iterable[LedgerLine], reversed_ids: set[int], through: int
) -> tuple[Receipt, ...]:
    return tuple(
        Receipt(
            transaction_id=line.transaction_id,
            effective_at=line.effective_at,
            supplier=line.counterparty or line.movement.src.location,
            item=line.movement.item,
            lot=line.movement.lot,
            serial=line.movement.serial,
            quantity=line.movement.quantity,
            refs=line.refs,
        )
        for line in inbound
        if _counts(line, reversed_ids, through)
        and kinds.of(line.movement.src.location) is LocationKind.SUPPLIER
    )


def _shipments(
    kinds: _Kinds, outbound: Iterable[LedgerLine], reversed_ids: set[int], through: int
) -> tuple[Shipment, ...]:
    return tuple(
        Shipment(
            transaction_id=line.transaction_id,
            effective_at=line.effective_at,
            customer=line.counterparty or line.movement.dst.location,
            item=line.movement.item,
            lot=line.movement.lot,
            serial=line.movement.serial,
            quantity=line.movement.quantity,
            container=line.movement.src.container,
            refs=line.refs,
        )
        for line in outbound
        if _counts(line, reversed_ids, through)
        and kinds.of(line.movement.dst.location) is LocationKind.CUSTOMER
    )


_STOCK = (LocationKind.INTERNAL, LocationKind.TRANSIT)


def _returns(
    kinds: _Kinds,
    out: Iterable[LedgerLine],
    back: Iterable[LedgerLine],
    reversed_ids: set[int],
    through: int,
) -> tuple[Returned, ...]:
    """Movements from a customer back into stock, and from stock back to a supplier."""
    found = []
    for line in [*out, *back]:
        m = line.movement
        src, dst = kinds.of(m.src.location), kinds.of(m.dst.location)
        if src is LocationKind.CUSTOMER and dst in _STOCK:
            party_kind, place, other = "customer", m.dst.location, m.src.location
        elif dst is LocationKind.SUPPLIER and src in _STOCK:
            party_kind, place, other = "supplier", m.src.location, m.dst.location
        else:
            continue
        if not _counts(line, reversed_ids, through):
            continue
        found.append(
            Returned(
                transaction_id=line.transaction_id,
                effective_at=line.effective_at,
                party=line.counterparty or other,
                party_kind=party_kind,
                item=m.item,
                lot=m.lot,
                serial=m.serial,
                quantity=m.quantity,
                location=place,
                refs=line.refs,
            )
        )
    found.sort(key=lambda r: r.transaction_id)
    return tuple(found)


def customer_exposures(
    reader: LedgerReader,
    nodes: Iterable[NodeKey],
    *,
    until: dt.datetime | None = None,
    through: int | None = None,
) -> list[CustomerExposure]:
    """What each customer received of each of ``nodes``, folded from the store's movements.

    The reference for :meth:`~stockline.adapters.LedgerReader.exposures` (a SQL store
    groups in the database instead): shipments to customer locations effective by ``until``
    and posted by transaction ``through``, reversed ones and reversals left out, one summary
    per customer and lot or serial, ordered by customer, item, lot and serial.
    """
    wanted = list(nodes)
    members = NodeSet(wanted)
    outbound = reader.movements_of(wanted, into=[LocationKind.CUSTOMER], until=until)
    back = reader.movements_of(wanted, out_of=[LocationKind.CUSTOMER], until=until)
    reversed_ids = _reversed(back, through)
    kinds = _Kinds(reader)
    groups: defaultdict[tuple[str, str, str, str], list[LedgerLine]] = defaultdict(list)
    for line in outbound:
        m = line.movement
        if (
            _counts(line, reversed_ids, through)
            and kinds.of(m.dst.location) is LocationKind.CUSTOMER
            and (m.item, m.lot, m.serial) in members
        ):
            customer = line.counterparty or m.dst.location
            groups[(customer, m.item, m.lot or "", m.serial or "")].append(line)
    return [
        CustomerExposure(
            customer=customer,
            item=item,
            lot=lot or None,
            serial=serial or None,
            quantity=sum((line.movement.quantity for line in group), Decimal(0)),
            first_shipped=min(line.effective_at for line in group),
            last_shipped=max(line.effective_at for line in group),
            documents=tuple(sorted({str(r) for line in group for r in line.refs})),
        )
        for (customer, item, lot, serial), group in sorted(groups.items())
    ]


def _node_order(node: Node) -> tuple[str, str, str]:
    return (node.item, node.lot or "", node.serial or "")


def _reversed(lines: Iterable[LedgerLine], through: int | None) -> set[int]:
    return {
        line.reverses
        for line in lines
        if line.reverses is not None and (through is None or line.transaction_id <= through)
    }


def _counts(line: LedgerLine, reversed_ids: set[int], through: int | None) -> bool:
    """A movement counts unless it is a reversal, was reversed, or came after the view."""
    return (
        line.kind is not TxKind.REVERSAL
        and line.transaction_id not in reversed_ids
        and (through is None or line.transaction_id <= through)
    )


class _Kinds:
    """Location kinds, looked up once each."""

    def __init__(self, reader: LedgerReader) -> None:
        self._reader = reader
        self._kinds: dict[str, LocationKind | None] = {}

    def of(self, path: str) -> LocationKind | None:
        if path not in self._kinds:
            location = self._reader.location(path)
            self._kinds[path] = None if location is None else location.kind
        return self._kinds[path]
