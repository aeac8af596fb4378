"""Tracing: follow genealogy edges, then the ledger, from some lots or serials."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING

from stockline.genealogy._records import Detail, Link, Node, Receipt, Shipment, Trace
from stockline.ledger._master import LocationKind
from stockline.ledger._records import LedgerLine, NodeKey, NodeSet, TxKind

if TYPE_CHECKING:
    from stockline.ledger._records import CustomerExposure
    from stockline.ledger._store import LedgerReader

__all__ = ["customer_exposures", "trace"]

#: Opens a read view of the store a trace came from (``StockStore.read``).
Opener = Callable[[], AbstractContextManager["LedgerReader"]]


def trace(
    reader: LedgerReader,
    roots: Sequence[Node],
    *,
    downstream: bool,
    as_of: dt.datetime | None = None,
    opener: Opener | None = None,
) -> Trace:
    """Trace ``roots`` downstream or upstream through the store behind ``reader``.

    The store does the set-based work (a recursive query over the edges, then the balances of
    every node reached); this function only assembles the result. With ``opener`` (the
    store's ``read``), the shipment or receipt lines are read only when first asked for, from
    the ledger as it was at the trace (an append-only ledger keeps that view: lines are bounded
    by the last transaction id the trace saw), so a trace or recall costs and holds what its
    summary needs, not one record per shipment line. Without it they are read at once.
    """
    through = reader.head()[0]
    links = reader.edges([n.key for n in roots], downstream=downstream, until=as_of)
    reached: dict[NodeKey, Node] = {n.key: n for n in roots}
    for _, _, e in links:
        node = (
            Node(item=e.child_item, lot=e.child_lot, serial=e.child_serial)
            if downstream
            else Node(item=e.parent_item, lot=e.parent_lot, serial=e.parent_serial)
        )
        reached.setdefault(node.key, node)
    keys = tuple(reached)
    kinds = _Kinds(reader)
    balances = reader.balances_of(
        keys, as_of=as_of, kinds=(LocationKind.INTERNAL, LocationKind.TRANSIT)
    )
    detail = _LedgerDetail(keys, downstream=downstream, as_of=as_of, through=through)
    if opener is None:
        detail.load(reader)
    else:
        detail.opener = opener
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
        detail=detail,
    )


class _LedgerDetail(Detail):
    """A trace's shipment or receipt lines and its per-customer summary, read from the store."""

    def __init__(
        self,
        keys: tuple[NodeKey, ...],
        *,
        downstream: bool,
        as_of: dt.datetime | None,
        through: int,
    ) -> None:
        super().__init__()
        self.keys = keys
        self.downstream = downstream
        self.as_of = as_of
        self.through = through
        self.opener: Opener | None = None

    def load(self, reader: LedgerReader) -> None:
        """Read everything now, through ``reader``."""
        self._lines(reader)
        if self.downstream:
            self._exposures(reader)

    def _read(self, read: Callable[[LedgerReader], object]) -> None:
        assert self.opener is not None, "an eager detail is loaded when made"
        with self.opener() as reader:
            read(reader)

    def shipments(self) -> tuple[Shipment, ...]:
        if self._shipments is None:
            self._read(self._lines)
        assert self._shipments is not None
        return self._shipments

    def receipts(self) -> tuple[Receipt, ...]:
        if self._receipts is None:
            self._read(self._lines)
        assert self._receipts is not None
        return self._receipts

    def exposures(self) -> tuple[CustomerExposure, ...]:
        if self._exposures_found is None:
            if not self.downstream:
                self._exposures_found = ()
            else:
                self._read(self._exposures)
        assert self._exposures_found is not None
        return self._exposures_found

    def _exposures(self, reader: LedgerReader) -> None:
        self._exposures_found = tuple(
            reader.exposures(self.keys, until=self.as_of, through=self.through)
        )

    def _lines(self, reader: LedgerReader) -> None:
        kinds = _Kinds(reader)
        through, as_of, keys = self.through, self.as_of, self.keys
        if not self.downstream:
            self._shipments = ()
            inbound = reader.movements_of(keys, out_of=[LocationKind.SUPPLIER], until=as_of)
            back = reader.movements_of(keys, into=[LocationKind.SUPPLIER], until=as_of)
            reversed_ids = _reversed(back, through)
            self._receipts = tuple(
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
            return
        self._receipts = ()
        outbound = reader.movements_of(keys, into=[LocationKind.CUSTOMER], until=as_of)
        back = reader.movements_of(keys, out_of=[LocationKind.CUSTOMER], until=as_of)
        reversed_ids = _reversed(back, through)
        self._shipments = tuple(
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
    from stockline.ledger._records import CustomerExposure

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
