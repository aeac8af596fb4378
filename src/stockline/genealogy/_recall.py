"""Recalls: trace the recalled lots, report who got what and where the rest is, contain it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from stockline.errors import ValidationError
from stockline.genealogy._records import (
    Node,
    Returned,
    Shipment,
    Trace,
    _plain,
    balance_table,
    returns_table,
    shipment_table,
    text_table,
)
from stockline.genealogy._trace import node, trace

# Not exported by the ledger package yet.
from stockline.ledger import (
    AVAILABLE,
    Balance,
    Book,
    CustomerExposure,
    Header,
    LocationKind,
    Movement,
    Position,
    PositionKey,
    Reference,
    Transaction,
    TxKind,
    boundary,
)

__all__ = ["CustomerExposure", "RecallReport", "contain", "recall", "release"]


@attrs.frozen(kw_only=True)
class RecallReport:
    """The result of :meth:`stockline.Inventory.recall`: a plain value (it holds no store, and
    pickles). Contain it with ``inv.genealogy.contain(report)``
    (:meth:`stockline.genealogy.Genealogy.contain`).

    Attributes:
        recall_id: A stable id: the same lots and reason give the same id, so containment is
            idempotent across re-runs.
        reason: Why the recall is made; it goes on every hold it posts.
        trace: The downstream trace behind the report.
        customers: What each customer received, per lot or serial: quantity, first and last
            shipment, documents; ordered by customer, item, lot and serial. Summed by the store
            (in SQL on a SQL store), not from the shipment lines.
    """

    recall_id: str
    reason: str
    trace: Trace
    customers: tuple[CustomerExposure, ...] = ()

    @property
    def roots(self) -> tuple[Node, ...]:
        """The recalled lots or serials."""
        return self.trace.roots

    @property
    def affected(self) -> tuple[Node, ...]:
        """Every lot or serial made from the recalled ones, the recalled ones included."""
        return self.trace.nodes

    @property
    def shipments(self) -> tuple[Shipment, ...]:
        """Every shipment of affected stock."""
        return self.trace.shipments

    @property
    def returns(self) -> tuple[Returned, ...]:
        """Affected stock that came back from customers or went back to suppliers."""
        return self.trace.returns

    @property
    def on_hand(self) -> tuple[Balance, ...]:
        """Affected stock in internal locations, by location, status and container: returned
        stock awaiting a disposition included, in its status."""
        return self.trace.positions

    @property
    def in_transit(self) -> tuple[Balance, ...]:
        """Affected stock at transit locations."""
        return self.trace.in_transit

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, ready for JSON.

        Returns:
            The recall id, reason, time, roots, affected lots, customers, shipments and
            stock, as strings, numbers, lists and dicts.
        """
        return {
            "recall_id": self.recall_id,
            "reason": self.reason,
            "as_of": None if self.trace.as_of is None else self.trace.as_of.isoformat(),
            "roots": _plain(self.roots),
            "affected": _plain(self.affected),
            "customers": _plain(self.customers),
            "shipments": _plain(self.shipments),
            "returns": _plain(self.returns),
            "on_hand": _plain(self.on_hand),
            "in_transit": _plain(self.in_transit),
        }

    def to_json(self, **options: Any) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), **options)

    def to_table(self) -> str:
        """The report as text tables."""
        parts = [
            f"Recall {self.recall_id}: {self.reason}",
            "Affected: " + ", ".join(map(str, self.affected)),
            text_table(
                [
                    "customer",
                    "item",
                    "lot/serial",
                    "qty",
                    "first shipped",
                    "last shipped",
                    "documents",
                ],
                [
                    [
                        c.customer,
                        c.item,
                        c.lot or c.serial or "",
                        str(c.quantity),
                        c.first_shipped.strftime("%Y-%m-%d"),
                        c.last_shipped.strftime("%Y-%m-%d"),
                        " ".join(c.documents),
                    ]
                    for c in self.customers
                ],
            ),
            balance_table([*self.on_hand, *self.in_transit]),
        ]
        if self.shipments:
            parts.append(shipment_table(self.shipments))
        if self.returns:
            parts.append(returns_table(self.returns))
        return "\n\n".join(parts)


def recall(
    book: Book,
    *lots: Node | tuple[str, str],
    reason: str,
    as_of: dt.datetime | None = None,
    recall_id: str | None = None,
) -> RecallReport:
    """Trace the recalled lots or serials downstream and report affected lots, customers, stock
    on hand and in transit.

    Args:
        book: The posting context to read through.
        *lots: The recalled lots as ``("ASP-100", "L24B")``, or serials as :class:`Node`.
        reason: Why; it goes on every hold the containment posts.
        as_of: Trace the ledger as it was at this effective time; now when ``None``.
        recall_id: The recall's id; by default one derived from the lots and the reason.

    Returns:
        The report, a plain value; contain it with :func:`contain`.

    Raises:
        ValidationError: No lot named, an empty reason, or a lot that cannot be traced.
        UnknownLotError: A lot is not known.
    """
    if not lots:
        raise ValidationError(
            "name at least one lot to recall, e.g. recall(('ASP-100', 'L24B'), reason=...)"
        )
    reason = boundary.note(reason, "reason")
    if not reason.strip():
        raise ValidationError("a recall needs a reason; it goes on every hold it posts")
    recall_id = boundary.optional_code(recall_id, "recall_id")
    when = boundary.optional_moment(as_of, "as_of")
    named = [n if isinstance(n, Node) else boundary.pair(n, "each of lots") for n in lots]
    roots = [
        node(book, n.item, n.lot, n.serial) if isinstance(n, Node) else node(book, n[0], n[1], None)
        for n in named
    ]
    if recall_id is None:
        text = "|".join(sorted(map(str, roots))) + "|" + reason
        recall_id = "R-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    with book.read() as r:
        found = trace(r, roots, downstream=True, as_of=when)
        customers = tuple(r.exposures([n.key for n in found.nodes], until=when))
    return RecallReport(recall_id=recall_id, reason=reason, trace=found, customers=customers)


def contain(book: Book, report: RecallReport, *, actor: str | None = None) -> Transaction | None:
    """Put every affected *available* position of ``report`` on hold, in one transaction.

    Stock in other statuses (quarantine, damaged, ...) stays as it is. Containing the same
    recall again returns the first containment instead of posting twice.

    Args:
        book: The posting context to post through.
        report: The recall.
        actor: Who contains it.

    Returns:
        The containment, or ``None`` when no affected stock was available.
    """
    key = f"recall:{report.recall_id}:contain"
    header = Header.of(
        TxKind.STATUS_CHANGE,
        refs=[Reference(type="RECALL", number=report.recall_id)],
        key=key,
        actor=actor,
        reason=f"recall {report.recall_id}: {report.reason}",
    )
    with book.write() as w:
        found = w.find_key(key)
        if found is not None:
            return book.transaction(w, found[0])
        movements = []
        for b in w.balances_of([n.key for n in report.affected], kinds=[LocationKind.INTERNAL]):
            status = w.status(b.position.status)
            if status is not None and status.allocatable:
                movements.append(
                    Movement(
                        item=b.item,
                        quantity=b.quantity,
                        lot=b.lot,
                        serial=b.serial,
                        src=b.position,
                        dst=attrs.evolve(b.position, status="hold"),
                    )
                )
        if not movements:
            return None
        return book.post(w, book.draft(TxKind.STATUS_CHANGE, movements, header))


def release(
    book: Book,
    report: RecallReport,
    lots: Iterable[Node] | None = None,
    *,
    reason: str,
    actor: str | None = None,
) -> Transaction | None:
    """Release what the containment of ``report`` held, for the lots cleared.

    Each position gets back at most what the containment put on hold there, less what earlier
    releases of this recall already gave back, and never more than is still on hold in exactly
    that position, so holds placed for other reasons stay.

    Args:
        book: The posting context to post through.
        report: The recall.
        lots: The lots or serials cleared; all of them when ``None``.
        reason: Why they are released.
        actor: Who releases them.

    Returns:
        The release, or ``None`` when the recall was not contained or nothing is left to
        release.
    """
    cleared = None if lots is None else [(n.item, n.lot, n.serial) for n in lots]
    prefix = f"recall:{report.recall_id}"
    header = Header.of(
        TxKind.STATUS_CHANGE,
        refs=[Reference(type="RECALL", number=report.recall_id)],
        actor=actor,
        reason=reason,
    )
    with book.write() as w:
        found = w.find_key(f"{prefix}:contain")
        if found is None:
            return None
        still_held: dict[PositionKey, Decimal] = {}
        for m in book.transaction(w, found[0]).movements:
            held = _position_key(m, m.dst)
            still_held[held] = still_held.get(held, Decimal(0)) + m.quantity
        number = 1
        while (earlier := w.find_key(f"{prefix}:release:{number}")) is not None:
            for m in book.transaction(w, earlier[0]).movements:
                held = _position_key(m, m.src)
                still_held[held] = still_held.get(held, Decimal(0)) - m.quantity
            number += 1
        on_hold = w.position_balances(still_held)
        movements = []
        for held, quantity in still_held.items():
            item, lot, serial, location, status, container = held
            if cleared is not None and not any(
                c[0] == item and c[1] == lot and c[2] in (None, serial) for c in cleared
            ):
                continue
            quantity = min(quantity, on_hold.get(held, (Decimal(0), None))[0])
            if quantity > 0:
                here = Position(location=location, status=status, container=container)
                movements.append(
                    Movement(
                        item=item,
                        lot=lot,
                        serial=serial,
                        quantity=quantity,
                        src=here,
                        dst=attrs.evolve(here, status=AVAILABLE),
                    )
                )
        if not movements:
            return None
        header = attrs.evolve(header, key=f"{prefix}:release:{number}")
        return book.post(w, book.draft(TxKind.STATUS_CHANGE, movements, header))


def _position_key(m: Movement, p: Position) -> PositionKey:
    return (m.item, m.lot, m.serial, p.location, p.status, p.container)
