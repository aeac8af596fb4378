"""Containers: packing stock into handling units, nesting them, and moving or shipping a whole
unit (aggregation edges of the genealogy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from stockline.errors import ContainerError, UnknownContainerError, ValidationError

# Not exported by the ledger package yet.
from stockline.ledger import (
    AVAILABLE,
    Balance,
    BalanceQuery,
    Book,
    Container,
    ContainerEvent,
    Header,
    LedgerReader,
    LedgerWriter,
    LocationKind,
    Movement,
    Position,
    Transaction,
    TxKind,
    boundary,
    ensure_allocatable,
)

__all__ = ["Containers", "pack", "unpack"]


def pack(
    book: Book,
    sku: str,
    quantity: object = None,
    *,
    container: str,
    lot: str | None = None,
    serial: str | None = None,
    serials: Sequence[str] = (),
    location: str | None = None,
    status: str = AVAILABLE,
    src_container: str | None = None,
    ref: str | None = None,
    refs: boundary.Refs = (),
    key: str | None = None,
    effective_at: dt.datetime | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> Transaction:
    """Pack stock into ``container`` where the container is (or at ``location`` for an empty
    one).

    Args:
        book: The posting context to post through.
        sku: The item.
        quantity: How much; for serials, their number (the default).
        container: The container packed into.
        lot: The lot.
        serial: One serial.
        serials: Several serials.
        location: Where to pack, for an empty container that is nowhere yet.
        status: The status of the stock.
        src_container: The container the stock is taken from; loose stock when ``None``.
        ref: The main document.
        refs: Other documents.
        key: An idempotency key.
        effective_at: When it was packed; now when ``None``.
        actor: Who packed it.
        reason: A note.

    Returns:
        The pack transaction.

    Raises:
        UnknownContainerError: The container does not exist.
        ContainerError: The container is elsewhere than ``location``.
        ValidationError: An empty container and no ``location``.
    """
    sku = boundary.code(sku, "sku")
    lines = boundary.serial_lines(sku, quantity, serial, serials)
    container = boundary.code(container, "container")
    lot = boundary.optional_code(lot, "lot")
    location = boundary.optional_code(location, "location")
    status = boundary.code(status, "status")
    src_container = boundary.optional_code(src_container, "src_container")
    header = Header.of(
        TxKind.PACK,
        ref=ref,
        refs=refs,
        key=key,
        effective_at=effective_at,
        actor=actor,
        reason=reason,
    )
    with book.write() as w:
        state = _state(w, container)
        place = _place(w, container, state, location)
        source = Position(location=place, status=status, container=src_container)
        target = Position(location=place, status=status, container=container)
        movements = [
            Movement(item=sku, quantity=q, lot=lot, serial=s, src=source, dst=target)
            for q, s in lines
        ]
        event = ContainerEvent(container=container, parent=state.parent, location=place)
        draft = attrs.evolve(book.draft(TxKind.PACK, movements, header), containers=(event,))
        return book.post(w, draft)


def unpack(
    book: Book,
    sku: str | None = None,
    quantity: object = None,
    *,
    container: str,
    lot: str | None = None,
    serial: str | None = None,
    serials: Sequence[str] = (),
    child: str | None = None,
    status: str = AVAILABLE,
    ref: str | None = None,
    refs: boundary.Refs = (),
    key: str | None = None,
    effective_at: dt.datetime | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> Transaction:
    """Take stock (``sku`` ...), a packed container (``child=``) or, with neither, everything
    directly inside out of ``container``; it stays where the container is.

    Args:
        book: The posting context to post through.
        sku: The item to take out.
        quantity: How much; for serials, their number (the default).
        container: The container unpacked.
        lot: The lot.
        serial: One serial.
        serials: Several serials.
        child: A container packed inside to take out.
        status: The status of the stock.
        ref: The main document.
        refs: Other documents.
        key: An idempotency key.
        effective_at: When it was unpacked; now when ``None``.
        actor: Who unpacked it.
        reason: A note.

    Returns:
        The unpack transaction.

    Raises:
        UnknownContainerError: The container does not exist.
        ContainerError: What is asked for is not inside the container.
    """
    container = boundary.code(container, "container")
    sku = boundary.optional_code(sku, "sku")
    lines = [] if sku is None else boundary.serial_lines(sku, quantity, serial, serials)
    lot = boundary.optional_code(lot, "lot")
    child = boundary.optional_code(child, "child")
    status = boundary.code(status, "status")
    header = Header.of(
        TxKind.UNPACK,
        ref=ref,
        refs=refs,
        key=key,
        effective_at=effective_at,
        actor=actor,
        reason=reason,
    )
    with book.write() as w:
        state = _state(w, container)
        if state.location is None:
            raise ContainerError(f"container {container} is empty and nowhere; nothing to unpack")
        movements: list[Movement] = []
        events: list[ContainerEvent] = []
        loose = Position(location=state.location, status=status)
        if sku is not None:
            inside = Position(location=state.location, status=status, container=container)
            for q, s in lines:
                there = w.total(
                    BalanceQuery(item=sku, lot=lot, serial=s, container=container, status=status)
                )
                if there <= 0:
                    what = f"{sku}{f' lot {lot}' if lot else ''}{f' serial {s}' if s else ''}"
                    raise ContainerError(
                        f"{what} is not in container {container}; nothing to unpack"
                    )
                movements.append(
                    Movement(item=sku, quantity=q, lot=lot, serial=s, src=inside, dst=loose)
                )
        elif child is not None:
            if child not in w.container_children(container):
                raise ContainerError(f"container {child} is not packed in {container}")
            events.append(ContainerEvent(container=child, parent=None, location=state.location))
        else:
            for b in w.balances(BalanceQuery(container=container)):
                movements.append(
                    Movement(
                        item=b.item,
                        quantity=b.quantity,
                        lot=b.lot,
                        serial=b.serial,
                        src=b.position,
                        dst=attrs.evolve(b.position, container=None),
                    )
                )
            for code in w.container_children(container):
                events.append(ContainerEvent(container=code, parent=None, location=state.location))
            if not movements and not events:
                raise ContainerError(f"container {container} is empty; nothing to unpack")
        draft = attrs.evolve(book.draft(TxKind.UNPACK, movements, header), containers=tuple(events))
        return book.post(w, draft)


@attrs.define(repr=False)
class Containers:
    """Handling units identified by an SSCC: create, nest, move and ship a whole unit, and
    what is in it (``inv.containers``).

    Packing stock into a container and taking it out are the core verbs
    :meth:`stockline.Inventory.pack` and :meth:`stockline.Inventory.unpack`.

    Args:
        book: The posting context to read and post through.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<Containers>"

    def create(self, sscc: str, *, kind: str = "pallet", actor: str | None = None) -> Container:
        """Create a logistic unit identified by an SSCC (18 digits, check digit verified).

        For handling units without an SSCC (totes, bins) use
        :meth:`stockline.Inventory.add_container`.

        Args:
            sscc: The SSCC, 18 digits.
            kind: What it is (``pallet``, ``case``, ...).
            actor: Who creates it.

        Returns:
            The container (the existing one, if it was created with the same kind).

        Raises:
            ValidationError: Not 18 digits, or a wrong check digit.
            DuplicateError: It exists with another kind.
        """
        if not (isinstance(sscc, str) and len(sscc) == 18 and sscc.isdigit()):
            raise ValidationError(f"an SSCC has 18 digits, got {sscc!r}")
        expected = _check_digit(sscc[:17])
        if expected != int(sscc[17]):
            raise ValidationError(
                f"SSCC {sscc} has a wrong check digit (expected {expected}); "
                "check the label, or make one with stockline.gs1.sscc()"
            )
        record = Container(code=sscc, kind=boundary.note(kind, "kind"))
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            return self._book.add(w, w.container(sscc), record, actor, "another code")

    def nest(
        self,
        child: str,
        *,
        container: str,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Pack container ``child`` (a case) into ``container`` (a pallet).

        Args:
            child: The container packed.
            container: The container it is packed into.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: A note.

        Returns:
            The pack transaction (container events only, no stock movements).

        Raises:
            UnknownContainerError: Either container does not exist.
            ContainerError: ``child`` is already inside another container, is ``container`` or
                contains it, or the two are at different places.
        """
        child = boundary.code(child, "child")
        container = boundary.code(container, "container")
        header = Header.of(
            TxKind.PACK, key=key, effective_at=effective_at, actor=actor, reason=reason
        )
        with self._book.write() as w:
            state, outer = _state(w, child), _state(w, container)
            if state.parent is not None:
                raise ContainerError(
                    f"container {child} is already in {state.parent}; unpack it first"
                )
            if state.location is None:
                raise ContainerError(
                    f"container {child} is nowhere yet; pack something into it first"
                )
            if outer.location not in (None, state.location):
                raise ContainerError(
                    f"container {child} is at {state.location} but {container} is at "
                    f"{outer.location}; move one to the other first"
                )
            events = [ContainerEvent(container=child, parent=container, location=state.location)]
            if outer.location is None:
                events.append(
                    ContainerEvent(
                        container=container, parent=outer.parent, location=state.location
                    )
                )
            draft = attrs.evolve(
                self._book.draft(TxKind.PACK, (), header), containers=tuple(events)
            )
            return self._book.post(w, draft)

    def move(
        self,
        container: str,
        dst: str,
        *,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Move a container and everything in it, at any depth, to ``dst``: one transaction
        with a movement line per item, lot and serial inside.

        Args:
            container: The outermost container moved.
            dst: The location it goes to.
            ref: The main document.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: A note.

        Returns:
            The transfer.

        Raises:
            UnknownContainerError: The container does not exist.
            ContainerError: It is packed in another one, or is empty.
        """
        container = boundary.code(container, "container")
        dst = boundary.code(dst, "dst")
        header = Header.of(
            TxKind.TRANSFER,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        with self._book.write() as w:
            return self._move_tree(
                w, container, Position(location=dst), TxKind.TRANSFER, None, header
            )

    def ship(
        self,
        container: str,
        *,
        customer: str,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Ship a container and everything in it to ``customer``; all of it must be in an
        allocatable status.

        Args:
            container: The outermost container shipped.
            customer: The customer's code (added on first use).
            ref: The sales order (an ``SO`` reference).
            refs: Other documents.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: A note.

        Returns:
            The shipment.

        Raises:
            UnknownContainerError: The container does not exist.
            ContainerError: It is packed in another one, or is empty.
            StatusError: Something inside may not ship.
        """
        container = boundary.code(container, "container")
        customer = boundary.code(customer, "customer")
        header = Header.of(
            TxKind.SHIPMENT,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        with self._book.write() as w:
            dst = self._book.counterparty(w, LocationKind.CUSTOMER, customer, header.actor)
            return self._move_tree(w, container, dst, TxKind.SHIPMENT, customer, header)

    def contents(self, container: str) -> list[Balance]:
        """Return what is in ``container`` and in every container packed inside it.

        Args:
            container: The container.

        Returns:
            The balances inside, container by container.

        Raises:
            UnknownContainerError: The container does not exist.
        """
        container = boundary.code(container, "container")
        with self._book.read() as r:
            _state(r, container)
            return [
                b
                for code in _subtree(r, container)
                for b in r.balances(BalanceQuery(container=code))
            ]

    def history(self, container: str) -> list[tuple[int, ContainerEvent]]:
        """Return every state the container was in (parent, location) with the transaction id.

        What was packed into it and taken out, and when, is
        :meth:`stockline.Inventory.history` with ``container=``.

        Args:
            container: The container.

        Returns:
            ``(transaction id, state)`` pairs in posting order.

        Raises:
            UnknownContainerError: The container does not exist.
        """
        container = boundary.code(container, "container")
        with self._book.read() as r:
            _state(r, container)
            return r.container_history(container)

    def _move_tree(
        self,
        w: LedgerWriter,
        container: str,
        dst: Position,
        kind: TxKind,
        counterparty: str | None,
        header: Header,
    ) -> Transaction:
        state = _state(w, container)
        if state.parent is not None:
            raise ContainerError(
                f"container {container} is packed in {state.parent}; move {state.parent}, or "
                f"unpack {container} from it first"
            )
        tree = _subtree(w, container)
        movements = []
        for code in tree:
            for b in w.balances(BalanceQuery(container=code)):
                if kind is TxKind.SHIPMENT:
                    ensure_allocatable(w, b.position, "ship")
                movements.append(
                    Movement(
                        item=b.item,
                        quantity=b.quantity,
                        lot=b.lot,
                        serial=b.serial,
                        src=b.position,
                        dst=attrs.evolve(dst, status=b.position.status, container=code),
                    )
                )
        if not movements:
            raise ContainerError(f"container {container} is empty; nothing to move")
        events = tuple(
            ContainerEvent(
                container=code,
                parent=(_state(w, code).parent if code != container else None),
                location=dst.location,
            )
            for code in tree
        )
        draft = self._book.draft(kind, movements, header, counterparty=counterparty)
        return self._book.post(w, attrs.evolve(draft, containers=events))


def _check_digit(digits: str) -> int:
    # The GS1 mod-10 check digit; the core does not import the gs1 package.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def _state(r: LedgerReader, container: str) -> ContainerEvent:
    if r.container(container) is None:
        raise UnknownContainerError(container=container)
    return r.container_state(container) or ContainerEvent(
        container=container, parent=None, location=None
    )


def _place(r: LedgerReader, container: str, state: ContainerEvent, location: str | None) -> str:
    if location is None:
        if state.location is None:
            raise ValidationError(
                f"container {container} is empty and nowhere; say where to pack (location=...)"
            )
        return state.location
    if state.location not in (None, location) and r.total(BalanceQuery(container=container)) > 0:
        raise ContainerError(f"container {container} is at {state.location}, not {location}")
    return location


def _subtree(r: LedgerReader, container: str) -> list[str]:
    found, todo = [], [container]
    while todo:
        code = todo.pop(0)
        found.append(code)
        todo.extend(r.container_children(code))
    return found
