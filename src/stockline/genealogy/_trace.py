"""Tracing: follow genealogy edges, then the ledger, from some lots or serials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from stockline.genealogy._records import Link, Node, Receipt, Shipment, Trace
from stockline.ledger._master import LocationKind
from stockline.ledger._records import LedgerLine, NodeKey, TxKind

if TYPE_CHECKING:
    from stockline.adapters._protocol import LedgerReader

__all__ = ["trace"]


def trace(
    reader: LedgerReader,
    roots: Sequence[Node],
    *,
    downstream: bool,
    as_of: dt.datetime | None = None,
) -> Trace:
    """Trace ``roots`` downstream or upstream through the store behind ``reader``.

    The store does the set-based work (a recursive query over the edges, then the movements
    of every node reached); this function only assembles the result.
    """
    links = reader.edges([n.key for n in roots], downstream=downstream, until=as_of)
    reached: dict[NodeKey, Node] = {n.key: n for n in roots}
    for _, _, e in links:
        node = (
            Node(item=e.child_item, lot=e.child_lot, serial=e.child_serial)
            if downstream
            else Node(item=e.parent_item, lot=e.parent_lot, serial=e.parent_serial)
        )
        reached.setdefault(node.key, node)
    keys = list(reached)
    kinds = _Kinds(reader)
    shipments: list[Shipment] = []
    receipts: list[Receipt] = []
    if downstream:
        outbound = reader.movements_of(keys, into=[LocationKind.CUSTOMER], until=as_of)
        back = reader.movements_of(keys, out_of=[LocationKind.CUSTOMER], until=as_of)
        reversed_ids = _reversed(back)
        shipments = [
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
            if _counts(line, reversed_ids)
            and kinds.of(line.movement.dst.location) is LocationKind.CUSTOMER
        ]
    else:
        inbound = reader.movements_of(keys, out_of=[LocationKind.SUPPLIER], until=as_of)
        back = reader.movements_of(keys, into=[LocationKind.SUPPLIER], until=as_of)
        reversed_ids = _reversed(back)
        receipts = [
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
            if _counts(line, reversed_ids)
            and kinds.of(line.movement.src.location) is LocationKind.SUPPLIER
        ]
    balances = reader.balances_of(keys, as_of=as_of)
    return Trace(
        direction="downstream" if downstream else "upstream",
        roots=tuple(roots),
        as_of=as_of,
        nodes=tuple(sorted(reached.values(), key=_node_order)),
        links=tuple(Link(transaction_id=i, effective_at=at, edge=e) for i, at, e in links),
        shipments=tuple(shipments),
        receipts=tuple(receipts),
        positions=tuple(
            b for b in balances if kinds.of(b.position.location) is LocationKind.INTERNAL
        ),
        in_transit=tuple(
            b for b in balances if kinds.of(b.position.location) is LocationKind.TRANSIT
        ),
    )


def _node_order(node: Node) -> tuple[str, str, str]:
    return (node.item, node.lot or "", node.serial or "")


def _reversed(lines: Iterable[LedgerLine]) -> set[int]:
    return {line.reverses for line in lines if line.reverses is not None}


def _counts(line: LedgerLine, reversed_ids: set[int]) -> bool:
    """A movement counts unless it is a reversal or was reversed."""
    return line.kind is not TxKind.REVERSAL and line.transaction_id not in reversed_ids


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
