"""The posting rules: what makes a transaction acceptable, checked inside the write block.

Every store gets the same rules because they live here, written against the store's primitives
(:class:`~stockline.adapters.LedgerWriter`): a store that serialises its write blocks gets
non-negative stock, unique serials and a gapless hash chain without any logic of its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial

import attrs

from stockline.errors import (
    ContainerError,
    GenealogyError,
    IdempotencyConflictError,
    InsufficientStockError,
    InvalidQuantityError,
    ReservedStockError,
    ReversalError,
    SerialError,
    StatusError,
    TrackingError,
    UnknownContainerError,
    UnknownItemError,
    UnknownLocationError,
    UnknownLotError,
    UnknownStatusError,
    UnknownTransactionError,
    ValidationError,
)
from stockline.ledger._hashing import chain_hash, fingerprint
from stockline.ledger._master import Item, Location, LocationKind, Status, Tracking
from stockline.ledger._quantity import MAX_BALANCE, MAX_DECIMALS, as_quantity, is_canonical, places
from stockline.ledger._queries import BalanceQuery
from stockline.ledger._records import (
    ContainerEvent,
    Edge,
    Movement,
    NewTransaction,
    NodeKey,
    Position,
    PositionKey,
    Transaction,
    TxKind,
)
from stockline.ledger._store import LedgerReader, LedgerWriter
from stockline.ledger._time import aware_utc, plain_utc, utc_time

__all__ = ["REASON_REQUIRED", "Checks", "ensure_allocatable", "post", "reversal_of"]

_Later = Callable[[], list[tuple[dt.datetime, Decimal]]]

#: Kinds of transaction that must say why they were posted.
REASON_REQUIRED = frozenset(
    {TxKind.STATUS_CHANGE, TxKind.ADJUSTMENT, TxKind.SCRAP, TxKind.REVERSAL, TxKind.COUNT}
)


class Checks:
    """What the postings of one batch have found already, so that each is checked once.

    Names found in the master data (items, lots, locations, statuses, containers), positions
    found well formed, and the balance of every position the batch touched, kept up to date as
    its postings are appended. Good for one run of postings in one write block in which nothing
    else appends or changes master data: :meth:`Book.post_many
    <stockline.ledger.Book.post_many>` posts a batch with one, and a lone posting gets its own.
    """

    def __init__(self, reader: LedgerReader) -> None:
        self.reader = reader
        self._items: dict[str, Item] = {}
        self._lots: set[tuple[str, str]] = set()
        self._positions: set[tuple[str, str, str | None]] = set()
        self._locations: dict[str, Location | None] = {}
        self._statuses: dict[str, Status | None] = {}
        self._internal: dict[str, bool] = {}
        self._balances: dict[PositionKey, tuple[Decimal, dt.datetime | None]] = {}

    def item(self, sku: str) -> Item:
        """The item ``sku``; :class:`~stockline.errors.UnknownItemError` if there is none."""
        found = self._items.get(sku)
        if found is None:
            found = self.reader.item(sku)
            if found is None:
                raise UnknownItemError(item=sku)
            self._items[sku] = found
        return found

    def lot(self, item: str, code: str) -> None:
        """Raise :class:`~stockline.errors.UnknownLotError` unless the lot is known."""
        if (item, code) not in self._lots:
            if self.reader.lot(item, code) is None:
                raise UnknownLotError(item=item, lot=code)
            self._lots.add((item, code))

    def location(self, path: str) -> Location | None:
        """The location at ``path``, or ``None``."""
        try:
            return self._locations[path]
        except KeyError:
            found = self._locations[path] = self.reader.location(path)
            return found

    def internal(self, path: str) -> bool:
        """Whether ``path`` is an internal location (one that holds real stock)."""
        found = self._internal.get(path)
        if found is None:
            location = self.location(path)
            found = self._internal[path] = (
                location is not None and location.kind is LocationKind.INTERNAL
            )
        return found

    def status(self, name: str) -> Status | None:
        """The status ``name``, or ``None``."""
        try:
            return self._statuses[name]
        except KeyError:
            found = self._statuses[name] = self.reader.status(name)
            return found

    def position(self, position: Position) -> None:
        """Raise the ``Unknown...Error`` of the first name in ``position`` that is not known."""
        key = (position.location, position.status, position.container)
        if key in self._positions:
            return
        if self.location(position.location) is None:
            raise UnknownLocationError(location=position.location)
        if self.status(position.status) is None:
            raise UnknownStatusError(status=position.status)
        container = position.container
        if container is not None and self.reader.container(container) is None:
            raise UnknownContainerError(container=container)
        self._positions.add(key)

    def read_balances(self, keys: Iterable[PositionKey]) -> None:
        """Read the balances of ``keys`` not known yet, in one set-based read."""
        known = self._balances
        missing = [k for k in keys if k not in known]
        if missing:
            found = self.reader.position_balances(missing)
            for key in missing:
                quantity, last = found.get(key, _NOTHING)
                known[key] = (quantity, None if last is None else plain_utc(last))

    def balances(
        self, keys: Iterable[PositionKey]
    ) -> dict[PositionKey, tuple[Decimal, dt.datetime | None]]:
        """The balance and last effective time of each of ``keys``, as of the postings so far
        (times as :func:`plain_utc` gives them)."""
        self.read_balances(keys)
        known = self._balances
        return {k: known[k] for k in keys}

    def posted(self, changes: dict[PositionKey, Decimal], at: dt.datetime) -> None:
        """Apply an appended posting's changes to the balances kept (``at``: its effective
        time, as :func:`plain_utc` gives it)."""
        known = self._balances
        for key, delta in changes.items():
            quantity, last = known[key]
            known[key] = (quantity + delta, at if last is None or at > last else last)


_NOTHING: tuple[Decimal, dt.datetime | None] = (Decimal(0), None)


def post(
    writer: LedgerWriter,
    draft: NewTransaction,
    *,
    now: dt.datetime,
    checks: Checks | None = None,
) -> Transaction:
    """Check ``draft`` against every posting rule and append it; return the posted transaction.

    Must be called inside ``store.write()``. On any error nothing has been appended, and the
    caller's write block rolls back whatever else it did.

    Args:
        writer: The open write block.
        draft: The transaction to post.
        now: The posting time (``recorded_at``), from the caller's clock.
        checks: What earlier postings of the same batch found (see :class:`Checks`); a lone
            posting leaves it out.

    Raises:
        PostingError: A rule is broken; the subclass says which.
        ValidationError: The draft itself is malformed.
        LookupError: Something it names does not exist (a ``StocklineError`` too).
    """
    recorded_at = aware_utc(now, "recorded_at")
    # The request's fingerprint only matters for idempotency keys (hashing costs), and is
    # taken of canonical quantities; _checked() makes them canonical for the rest.
    request = None
    key = draft.key
    if key is not None:
        normal = tuple(map(_normal_quantity, draft.movements))
        if any(a is not b for a, b in zip(normal, draft.movements, strict=True)):
            draft = attrs.evolve(draft, movements=normal)
        request = fingerprint(draft)
        found = writer.find_key(key)
        if found is not None:
            return _repeat(writer, key, found, request)
    effective_at = (
        recorded_at if draft.effective_at is None else utc_time(draft.effective_at, "effective_at")
    )
    plain = plain_utc(effective_at)
    if plain > plain_utc(recorded_at):
        raise ValidationError(
            f"effective_at {effective_at.isoformat()} is later than now "
            f"({recorded_at.isoformat()}); the ledger records what happened, so post it when it "
            "has happened"
        )
    if draft.kind in REASON_REQUIRED and not (draft.reason and draft.reason.strip()):
        raise ValidationError(
            f"a {draft.kind} transaction needs a reason; say why, e.g. reason='damaged in transit'"
        )
    if not draft.movements and not draft.containers:
        raise ValidationError("a transaction needs at least one movement")
    if checks is None:
        checks = Checks(writer)
    movements = tuple([_checked(checks, m) for m in draft.movements])
    edges = tuple(_checked_edge(writer, e) for e in draft.edges)
    if edges:
        _check_acyclic(writer, edges)
    containers = draft.containers
    if any(m.dst.container is not None for m in movements):
        containers += _placed(writer, movements, draft.containers)
    if containers:
        _check_containers(writer, containers)
    if draft.reverses is not None:
        _check_reversal(writer, draft.reverses, draft.kind)
    _check_containment(checks, movements, draft.kind)
    changes = _check_stock(checks, movements, effective_at, plain)
    last_id, last_hash = writer.head()
    tx = Transaction(
        id=last_id + 1,
        kind=TxKind(draft.kind),
        movements=movements,
        effective_at=effective_at,
        recorded_at=recorded_at,
        key=draft.key,
        refs=draft.refs,
        counterparty=draft.counterparty,
        actor=draft.actor,
        reason=draft.reason,
        reverses=draft.reverses,
        edges=edges,
        containers=containers,
        prev_hash=last_hash,
    )
    # The hash covers every other field, so it is set on the new, not yet shared record in
    # place: building the frozen record a second time would cost as much as the hash.
    object.__setattr__(tx, "hash", chain_hash(tx))
    writer.append(tx, fingerprint=request)
    checks.posted(changes, plain)
    return tx


def _normal_quantity(m: Movement) -> Movement:
    return _with_quantity(m, as_quantity(m.quantity, what=f"quantity of {m.item}"))


def _with_quantity(m: Movement, quantity: Decimal) -> Movement:
    """``m`` with ``quantity``, its quantity's canonical form: ``m`` itself if it has it."""
    given = m.quantity
    if given is quantity or is_canonical(given):
        return m
    return attrs.evolve(m, quantity=quantity)


def reversal_of(
    reader: LedgerReader,
    tx_id: int,
    *,
    reason: str,
    actor: str | None = None,
    effective_at: dt.datetime | None = None,
    key: str | None = None,
) -> NewTransaction:
    """Return the transaction that reverses ``tx_id``: every movement mirrored.

    It is effective at the original's effective time unless told otherwise, so balances "as of"
    any time after the original show the correction, while ``known_at`` queries still show what
    was believed before it was posted.

    Raises:
        UnknownTransactionError: No such transaction.
        ReversalError: It is a reversal itself, or was reversed already.
    """
    original = reader.transaction(tx_id)
    if original is None:
        raise UnknownTransactionError(transaction_id=tx_id)
    # A keyed retry must reach post(), which returns the first reversal, instead of being
    # refused here as "already reversed".
    if key is None or reader.find_key(key) is None:
        _check_reversal(reader, tx_id, TxKind.REVERSAL)
    return NewTransaction(
        kind=TxKind.REVERSAL,
        movements=tuple(m.mirrored() for m in original.movements),
        containers=tuple(_state_before(reader, e.container, tx_id) for e in original.containers),
        effective_at=original.effective_at if effective_at is None else effective_at,
        key=key,
        refs=original.refs,
        counterparty=original.counterparty,
        actor=actor,
        reason=reason,
        reverses=tx_id,
    )


def _state_before(reader: LedgerReader, container: str, tx_id: int) -> ContainerEvent:
    """The container's state before transaction ``tx_id`` (nowhere, in nothing, if none)."""
    earlier = [event for number, event in reader.container_history(container) if number < tx_id]
    if earlier:
        return earlier[-1]
    return ContainerEvent(container=container, parent=None, location=None)


def _repeat(writer: LedgerWriter, key: str, found: tuple[int, str], request: str) -> Transaction:
    tx_id, first_request = found
    if first_request != request:
        raise IdempotencyConflictError(key=key, transaction_id=tx_id)
    tx = writer.transaction(tx_id)
    assert tx is not None, "a key points at a transaction that is not stored"
    return tx


def _check_reversal(reader: LedgerReader, tx_id: int, kind: TxKind) -> None:
    if kind is not TxKind.REVERSAL:
        raise ValidationError(f"only a reversal may name the transaction it reverses, not a {kind}")
    original = reader.transaction(tx_id)
    if original is None:
        raise UnknownTransactionError(transaction_id=tx_id)
    if original.kind is TxKind.REVERSAL:
        raise ReversalError(transaction_id=tx_id)
    by = reader.reversed_by(tx_id)
    if by is not None:
        raise ReversalError(transaction_id=tx_id, reversed_by=by)


def _checked(checks: Checks, m: Movement) -> Movement:
    item = checks.item(m.item)
    quantity = as_quantity(m.quantity, what=f"quantity of {m.item}")
    if item.decimals < MAX_DECIMALS and places(quantity) > item.decimals:
        as_quantity(m.quantity, decimals=item.decimals, what=f"quantity of {m.item}")
    _check_tracking(checks, item, m, quantity)
    if m.src == m.dst:
        raise ValidationError(
            f"a movement of {m.item} leaves and enters the same position {m.src}; "
            "a movement must change the location, status or container"
        )
    checks.position(m.src)
    checks.position(m.dst)
    return _with_quantity(m, quantity)


def _check_tracking(checks: Checks, item: Item, m: Movement, quantity: Decimal) -> None:
    tracking = item.tracking
    if tracking is Tracking.NONE and (m.lot is not None or m.serial is not None):
        raise TrackingError(item=item.sku, tracking="none", lot=m.lot, serial=m.serial)
    if tracking is Tracking.LOT:
        if m.lot is None:
            raise TrackingError(item=item.sku, tracking="lot", serial=m.serial)
        if m.serial is not None:
            raise TrackingError(item=item.sku, tracking="lot", lot=m.lot, serial=m.serial)
    if tracking is Tracking.SERIAL:
        if m.serial is None:
            raise TrackingError(item=item.sku, tracking="serial", lot=m.lot)
        if quantity != 1:
            raise SerialError(item=item.sku, serial=m.serial, quantity=quantity)
    if m.lot is not None:
        checks.lot(item.sku, m.lot)


def _checked_edge(reader: LedgerReader, e: Edge) -> Edge:
    for item, lot in ((e.parent_item, e.parent_lot), (e.child_item, e.child_lot)):
        if reader.item(item) is None:
            raise UnknownItemError(item=item)
        if lot is not None and reader.lot(item, lot) is None:
            raise UnknownLotError(item=item, lot=lot)
    quantity = as_quantity(e.quantity, what=f"quantity linked from {e.parent_item}")
    return attrs.evolve(e, quantity=quantity)


def _check_acyclic(reader: LedgerReader, edges: tuple[Edge, ...]) -> None:
    """Refuse links that would make a lot or serial its own ancestor.

    A new link parent → child closes a cycle only if the parent can already be reached from
    the child. So the search runs downstream from the children, which for the usual case (new
    output lots) finds nothing at once, however deep the genealogy above them.
    """
    children = {(e.child_item, e.child_lot, e.child_serial) for e in edges}
    graph: defaultdict[NodeKey, set[NodeKey]] = defaultdict(set)
    for _, _, e in reader.edges(children, downstream=True):
        graph[(e.parent_item, e.parent_lot, e.parent_serial)].add(
            (e.child_item, e.child_lot, e.child_serial)
        )
    for e in edges:
        graph[(e.parent_item, e.parent_lot, e.parent_serial)].add(
            (e.child_item, e.child_lot, e.child_serial)
        )
    for e in edges:
        parent = (e.parent_item, e.parent_lot, e.parent_serial)
        seen: set[NodeKey] = set()
        todo: list[NodeKey] = [(e.child_item, e.child_lot, e.child_serial)]
        while todo:
            node = todo.pop()
            if _same_node(node, parent):
                child = _node_text(e.child_item, e.child_lot, e.child_serial)
                raise GenealogyError(
                    f"linking {_node_text(*parent)} to {child} would make {child} its own "
                    "ancestor; give the output a new lot code"
                )
            if node not in seen:
                seen.add(node)
                todo.extend(_successors(graph, node))


def _successors(graph: defaultdict[NodeKey, set[NodeKey]], node: NodeKey) -> set[NodeKey]:
    # A lot node stands for its serials too, so it also continues where any serial does.
    found = set(graph.get(node, ()))
    for other, targets in graph.items():
        if other != node and _same_node(other, node):
            found |= targets
    return found


def _same_node(a: NodeKey, b: NodeKey) -> bool:
    return a[0] == b[0] and a[1] == b[1] and (a[2] is None or b[2] is None or a[2] == b[2])


def _node_text(item: str, lot: str | None, serial: str | None) -> str:
    return item + (f" lot {lot}" if lot else "") + (f" serial {serial}" if serial else "")


def _placed(
    reader: LedgerReader, movements: Iterable[Movement], events: tuple[ContainerEvent, ...]
) -> tuple[ContainerEvent, ...]:
    """The container events a posting implies but does not carry: stock put into a container
    that is empty and nowhere (a receipt onto a new pallet, say) puts the container there, so
    it has a place and a history, as a pack records.

    Raises:
        ContainerError: Stock would go into a container that is somewhere else, or into one
            container at two places.
    """
    given = {e.container for e in events}
    placed: dict[str, ContainerEvent] = {}
    movements = tuple(movements)
    for m in movements:
        code, path = m.dst.container, m.dst.location
        if code is None or code in given:
            continue
        if code in placed:
            if placed[code].location != path:
                raise ContainerError(
                    f"container {code} cannot be at {placed[code].location} and {path} at once"
                )
            continue
        state = reader.container_state(code)
        if state is not None and state.location == path:
            continue
        if state is not None and state.location is not None:
            # Stock this posting takes out of it elsewhere does not stay behind.
            leaving = sum((n.quantity for n in movements if n.src.container == code), Decimal(0))
            left = reader.total(BalanceQuery(container=code)) - leaving
            if state.parent is not None or left > 0:
                raise ContainerError(
                    f"container {code} is at {state.location}, not {path}; move the container "
                    "there first (inv.containers.move), or use another one"
                )
        placed[code] = ContainerEvent(container=code, parent=None, location=path)
    return tuple(placed.values())


def _check_containers(reader: LedgerReader, events: tuple[ContainerEvent, ...]) -> None:
    """Refuse unknown containers and nesting a container in itself or in its own content."""
    parents: dict[str, str | None] = {}
    for event in events:
        for code in filter(None, (event.container, event.parent)):
            if reader.container(code) is None:
                raise UnknownContainerError(container=code)
        if event.location is not None and reader.location(event.location) is None:
            raise UnknownLocationError(location=event.location)
        parents[event.container] = event.parent
        ancestor = event.parent
        seen: set[str] = set()
        while ancestor is not None and ancestor not in seen:
            if ancestor == event.container:
                raise ContainerError(
                    f"container {event.container} cannot go into {event.parent}: "
                    f"{event.parent} is {event.container} itself or is packed inside it"
                )
            seen.add(ancestor)
            if ancestor in parents:
                ancestor = parents[ancestor]
            else:
                state = reader.container_state(ancestor)
                ancestor = None if state is None else state.parent


def _check_containment(checks: Checks, movements: Iterable[Movement], kind: TxKind) -> None:
    """Refuse to send stock in a status that may not be allocated (held, quarantined, ...) to
    a customer, whatever the verb or hand-built draft: containment must not have a side door.

    Only a reversal may, as it undoes a posting that brought the stock in (a return received
    into quarantine, say); scrap and adjustments go to their own locations.
    """
    if kind is TxKind.REVERSAL:
        return
    for m in movements:
        dst = checks.location(m.dst.location)
        if dst is None or dst.kind is not LocationKind.CUSTOMER:
            continue
        status = checks.status(m.src.status)
        if status is not None and not status.allocatable:
            raise StatusError(status=status.name, location=m.src.location, action="ship")


def _check_stock(
    checks: Checks, movements: Iterable[Movement], at: dt.datetime, plain: dt.datetime
) -> dict[PositionKey, Decimal]:
    """Refuse a posting that would take more than a position holds (at its effective time
    ``at``, ``plain`` as :func:`plain_utc` gives it, or any later one), take reserved units,
    count a serial twice, or leave a balance out of range.

    Returns the change it makes to each position's balance.
    """
    reader = checks.reader
    every: dict[PositionKey, Decimal] = {}
    internal: dict[PositionKey, Decimal] = {}
    serial_deltas: dict[tuple[str, str], Decimal] = {}
    for m in movements:
        quantity, item, lot, serial = m.quantity, m.item, m.lot, m.serial
        src, dst = m.src, m.dst
        source = (item, lot, serial, src.location, src.status, src.container)
        target = (item, lot, serial, dst.location, dst.status, dst.container)
        for key, path, delta in (
            (source, src.location, -quantity),
            (target, dst.location, quantity),
        ):
            every[key] = every.get(key, _ZERO) + delta
            if not checks.internal(path):
                continue
            internal[key] = internal.get(key, _ZERO) + delta
            if serial is not None:
                whose = (item, serial)
                serial_deltas[whose] = serial_deltas.get(whose, _ZERO) + delta
    current = checks.balances(every)
    _check_range(every, current)
    takes = {k: d for k, d in internal.items() if d < 0}
    # Sorted so that the error names the same position whatever the order of the lines.
    ordered = takes.items() if len(takes) < 2 else sorted(takes.items(), key=_key_order)
    for key, delta in ordered:
        quantity, last = current[key]
        lowest = _lowest(quantity, last, plain, partial(reader.later_deltas, key, at))
        if lowest + delta < 0:
            item, lot, serial, path, status, container = key
            position = Position(location=path, status=status, container=container)
            raise InsufficientStockError(
                item=item,
                lot=lot,
                serial=serial,
                position=str(position),
                requested=-delta,
                available=lowest,
                since=None if last is None or plain >= last else at,
            )
    if takes:
        _check_reserved(reader, takes, current)
    for (item, serial), delta in serial_deltas.items():
        if delta <= 0:
            continue
        total, last = reader.serial_internal(item, serial)
        highest = _highest(total, last, at, partial(reader.later_serial_deltas, item, serial, at))
        if highest + delta > 1:
            raise SerialError(item=item, serial=serial)
    return every


_ZERO = Decimal(0)


def _check_range(
    deltas: dict[PositionKey, Decimal],
    current: dict[PositionKey, tuple[Decimal, dt.datetime | None]],
) -> None:
    """Refuse a posting that would leave any position (a counterparty's too) holding more
    than :data:`MAX_BALANCE` in size: beyond it not every store keeps the balance exactly."""
    over = [k for k, d in deltas.items() if abs(current[k][0] + d) > MAX_BALANCE]
    if not over:
        return
    key = min(over, key=lambda k: tuple(str(x) for x in k))
    balance = current[key][0] + deltas[key]
    item, lot, serial, path, status, container = key
    position = Position(location=path, status=status, container=container)
    raise InvalidQuantityError(
        value=balance,
        what=f"balance of {item}{_node_text('', lot, serial)} in {position}",
        expected=f"at most {MAX_BALANCE:,} in size, the range every store keeps exactly",
        advice="use a larger unit of measure for this item",
    )


def _check_reserved(
    reader: LedgerReader,
    takes: dict[PositionKey, Decimal],
    current: dict[PositionKey, tuple[Decimal, dt.datetime | None]],
) -> None:
    """Refuse to take reserved units: a posting may not leave a position holding less than
    is reserved there. Picking or shipping for an order consumes its reservation first."""
    held = reader.reserved(takes)
    if not held:
        return
    for key in sorted(held, key=lambda k: tuple(str(x) for x in k)):
        reserved, delta = held[key], takes[key]
        quantity = current.get(key, (Decimal(0), None))[0]
        if quantity + delta >= reserved:
            continue
        item, lot, serial, path, status, container = key
        position = Position(location=path, status=status, container=container)
        orders = tuple(sorted({r.order for r in reader.reservations(item=item) if r.key == key}))
        free = max(quantity - reserved, Decimal(0))
        raise ReservedStockError(
            item=item,
            lot=lot,
            serial=serial,
            position=str(position),
            requested=-delta,
            available=free,
            reserved=reserved,
            orders=orders,
            held=quantity,
        )


def _key_order(item: tuple[PositionKey, Decimal]) -> tuple[str, ...]:
    return tuple(str(x) for x in item[0])


def _balances(quantity: Decimal, changes: list[tuple[dt.datetime, Decimal]]) -> list[Decimal]:
    """The balances a position had from ``at`` on: at ``at``, then after each later effective
    time. Changes at one effective time are simultaneous (a shipment and its reversal, say),
    so only their net counts: there is no time at which the balance is between them."""
    running = quantity - sum((delta for _, delta in changes), Decimal(0))
    found = [running]
    for i, (when, delta) in enumerate(changes):
        running += delta
        if i + 1 == len(changes) or changes[i + 1][0] != when:
            found.append(running)
    return found


def _lowest(quantity: Decimal, last: dt.datetime | None, at: dt.datetime, later: _Later) -> Decimal:
    """The lowest balance of a position from ``at`` on."""
    if last is None or at >= last:
        return quantity
    return min(_balances(quantity, later()))


def _highest(
    quantity: Decimal, last: dt.datetime | None, at: dt.datetime, later: _Later
) -> Decimal:
    """The highest internal count of a serial from ``at`` on."""
    if last is None or at >= last:
        return quantity
    return max(_balances(quantity, later()))


def ensure_allocatable(reader: LedgerReader, position: Position, what: str) -> None:
    """Raise :class:`StatusError` unless stock in ``position`` may be allocated or shipped."""
    status = reader.status(position.status)
    if status is not None and not status.allocatable:
        raise StatusError(status=status.name, location=position.location, action=what)
