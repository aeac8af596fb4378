"""The genealogy namespace (``inv.genealogy``): relabel, split and merge lots, follow a serial,
contain and release a recall."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from stockline.errors import ValidationError
from stockline.genealogy._production import regroup
from stockline.genealogy._recall import RecallReport, contain, release
from stockline.genealogy._records import Node
from stockline.genealogy._trace import node
from stockline.ledger import (
    AVAILABLE,
    Book,
    EdgeKind,
    Header,
    HistoryQuery,
    Position,
    Transaction,
    TxKind,
    boundary,
)

__all__ = ["Genealogy"]


@attrs.define(repr=False)
class Genealogy:
    """Lot regrouping, serial paths and recall containment (``inv.genealogy``).

    Production, tracing and the recall report itself are the core verbs
    :meth:`stockline.Inventory.produce`, :meth:`~stockline.Inventory.trace_downstream`,
    :meth:`~stockline.Inventory.trace_upstream` and :meth:`~stockline.Inventory.recall`.

    Args:
        book: The posting context to read and post through.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<Genealogy>"

    def relabel(
        self,
        sku: str,
        quantity: object,
        *,
        lot: str,
        new_lot: str,
        location: str,
        new_sku: str | None = None,
        expiry: dt.date | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Put a new lot code (or a new SKU) on stock, linking old to new so traces follow.

        Args:
            sku: The item.
            quantity: How much is relabelled.
            lot: The lot it has.
            new_lot: The lot it gets.
            location: Where it is (and stays).
            new_sku: The item it becomes; the same item when ``None``.
            expiry: The new lot's expiry; the old lot's when ``None``.
            status: The status of the stock.
            container: The container it is in.
            ref: The main document.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: Why.

        Returns:
            The relabel transaction.

        Raises:
            UnknownLotError: ``lot`` is not known.
            ValidationError: ``new_lot`` is ``lot`` of the same item.
        """
        sku = boundary.code(sku, "sku")
        amount = boundary.quantity(quantity)
        target = sku if new_sku is None else boundary.code(new_sku, "new_sku")
        return regroup(
            self._book,
            EdgeKind.RELABEL,
            sources=[(sku, boundary.code(lot, "lot"), amount)],
            targets=[(target, boundary.code(new_lot, "new_lot"), amount)],
            here=_here(location, status, container),
            expiry=boundary.optional_day(expiry, "expiry"),
            header=_header(ref, refs, key, effective_at, actor, reason),
        )

    def split(
        self,
        sku: str,
        *,
        lot: str,
        new_lots: Mapping[str, object],
        location: str,
        status: str = AVAILABLE,
        container: str | None = None,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Split part or all of a lot into new lots: ``new_lots={"L1-A": 40, "L1-B": 60}``.

        The new lots keep the old one's expiry.

        Args:
            sku: The item.
            lot: The lot split.
            new_lots: Each new lot with the quantity it gets.
            location: Where it is (and stays).
            status: The status of the stock.
            container: The container it is in.
            ref: The main document.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: Why.

        Returns:
            The relabel transaction.

        Raises:
            UnknownLotError: ``lot`` is not known.
            ValidationError: A new lot is ``lot``, or no new lots given.
        """
        sku = boundary.code(sku, "sku")
        targets = [(sku, code, amount) for code, amount in _lots(new_lots, "new_lots")]
        return regroup(
            self._book,
            EdgeKind.SPLIT,
            sources=[(sku, boundary.code(lot, "lot"), sum((t[2] for t in targets), Decimal(0)))],
            targets=targets,
            here=_here(location, status, container),
            expiry=None,
            header=_header(ref, refs, key, effective_at, actor, reason),
        )

    def merge(
        self,
        sku: str,
        *,
        lots: Mapping[str, object],
        new_lot: str,
        location: str,
        expiry: dt.date | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Combine quantities of several lots into one lot: ``lots={"L1": 10, "L2": 5}``.

        The merged lot expires with the earliest of its sources unless ``expiry`` is given.

        Args:
            sku: The item.
            lots: Each lot merged with the quantity taken from it.
            new_lot: The lot they become.
            location: Where they are (and stay).
            expiry: The merged lot's expiry.
            status: The status of the stock.
            container: The container it is in.
            ref: The main document.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: Why.

        Returns:
            The relabel transaction.

        Raises:
            UnknownLotError: A lot is not known.
            ValidationError: ``new_lot`` is one of ``lots``, or no lots given.
        """
        sku = boundary.code(sku, "sku")
        sources = [(sku, code, amount) for code, amount in _lots(lots, "lots")]
        return regroup(
            self._book,
            EdgeKind.MERGE,
            sources=sources,
            targets=[
                (sku, boundary.code(new_lot, "new_lot"), sum((s[2] for s in sources), Decimal(0)))
            ],
            here=_here(location, status, container),
            expiry=boundary.optional_day(expiry, "expiry"),
            header=_header(ref, refs, key, effective_at, actor, reason),
        )

    def serial_path(self, sku: str, serial: str) -> list[Transaction]:
        """Where a serial has been: every transaction that moved it, in order.

        Args:
            sku: The item.
            serial: The serial.

        Returns:
            The transactions, by effective time.

        Raises:
            UnknownItemError: The item is not in the master data.
            ValidationError: The item is not tracked.
        """
        found = node(self._book, sku, None, boundary.code(serial, "serial"))
        with self._book.read() as r:
            return r.history(HistoryQuery(item=found.item, serial=found.serial))

    def contain(self, report: RecallReport, *, actor: str | None = None) -> Transaction | None:
        """Put every affected *available* position of a recall on hold, in one transaction.

        Stock in other statuses (quarantine, damaged, ...) stays as it is. Containing the same
        recall again returns the first containment instead of posting twice.

        Args:
            report: The recall (from :meth:`stockline.Inventory.recall`).
            actor: Who contains it.

        Returns:
            The containment, or ``None`` when no affected stock was available.
        """
        return contain(self._book, _report(report), actor=actor)

    def release(
        self,
        report: RecallReport,
        lots: Iterable[Node] | None = None,
        *,
        reason: str,
        actor: str | None = None,
    ) -> Transaction | None:
        """Release what :meth:`contain` put on hold, for the lots cleared.

        Only quantities the containment held are released, never more than is still on hold
        in that position; holds placed for other reasons stay.

        Args:
            report: The recall.
            lots: The lots or serials cleared; all of them when ``None``.
            reason: Why they are released.
            actor: Who releases them.

        Returns:
            The release, or ``None`` when the recall was not contained or nothing is left.
        """
        cleared = None if lots is None else tuple(_nodes(lots))
        return release(self._book, _report(report), cleared, reason=reason, actor=actor)


def _header(
    ref: object, refs: object, key: object, effective_at: object, actor: object, reason: object
) -> Header:
    return Header.of(
        TxKind.RELABEL,
        ref=ref,
        refs=refs,
        key=key,
        effective_at=effective_at,
        actor=actor,
        reason=reason,
    )


def _here(location: object, status: object, container: object) -> Position:
    return Position(
        location=boundary.code(location, "location"),
        status=boundary.code(status, "status"),
        container=boundary.optional_code(container, "container"),
    )


def _lots(given: object, what: str) -> list[tuple[str, Decimal]]:
    if not isinstance(given, Mapping) or not given:
        raise ValidationError(
            f"{what} must be a non-empty mapping of lot code to quantity, "
            f"e.g. {{'L1-A': 40}}; got {given!r}"
        )
    return [
        (boundary.code(code, f"a lot of {what}"), boundary.quantity(amount))
        for code, amount in given.items()
    ]


def _report(report: object) -> RecallReport:
    if not isinstance(report, RecallReport):
        raise ValidationError(f"expected a RecallReport from recall(), got {report!r}")
    return report


def _nodes(lots: Iterable[Node]) -> Iterable[Node]:
    if isinstance(lots, Node):
        raise ValidationError(f"lots must be a sequence of Node, got {lots!r}; write ({lots!r},)")
    for one in boundary.sequence(lots, "lots"):
        if not isinstance(one, Node):
            raise ValidationError(f"each of lots must be a Node, got {one!r}")
        yield one
