"""The in-memory store: the reference semantics every other store is checked against."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any

import attrs

from stockline.ledger import (
    BUILTIN_STATUSES,
    GENESIS_HASH,
    Balance,
    BalanceQuery,
    Container,
    ContainerEvent,
    CustomerExposure,
    Document,
    Edge,
    HistoryQuery,
    Item,
    LedgerLine,
    Location,
    LocationKind,
    Lot,
    MasterChange,
    MasterRecord,
    Movement,
    NodeKey,
    NodeSet,
    Party,
    Position,
    PositionKey,
    Reservation,
    Status,
    TracedEdge,
    Transaction,
    canonical,
    decode_body,
    encode_body,
    item_gtins,
    next_version,
    node_matches,
    sorted_balances,
    to_micros,
    under,
)
from stockline.policies import Candidate

__all__ = ["InMemoryStockStore"]

_Event = tuple[dt.datetime, int, Decimal]
#: How many transactions a rebuild folds between two calls of its progress callback.
_PROGRESS_EVERY = 10_000
_Link = tuple[int, int, dt.datetime, Edge]


def _key(m: Movement, p: Position) -> PositionKey:
    return (m.item, m.lot, m.serial, p.location, p.status, p.container)


def _record_key(record: MasterRecord) -> tuple[str, str]:
    match record:
        case Item():
            return "item", record.sku
        case Location():
            return "location", record.path
        case Party():
            return "party", record.code
        case Lot():
            return "lot", f"{record.item}/{record.code}"
        case Status():
            return "status", record.name
        case Container():
            return "container", record.code


def _fields(record: MasterRecord) -> tuple[tuple[str, str], ...]:
    # Sorted by name, as the SQL store returns them.
    values = attrs.asdict(record, recurse=False)
    return tuple(sorted((name, str(value)) for name, value in values.items()))


def _matches(query: BalanceQuery | HistoryQuery, m: Movement) -> bool:
    return (
        (query.item is None or m.item == query.item)
        and (query.lot is None or m.lot == query.lot)
        and (query.serial is None or m.serial == query.serial)
    )


@attrs.define(repr=False)
class InMemoryStockStore:
    """A complete store kept in this process's memory.

    It is not a test double: it enforces the same rules as the SQL store (stockline's core does
    the checking), is safe to use from several threads (writers are serialised by a lock), and
    is the reference the conformance suite compares other stores with. Its contents are gone
    when the process ends.
    """

    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False)
    _items: dict[str, Item] = attrs.field(factory=dict, init=False)
    _gtins: dict[str, str] = attrs.field(factory=dict, init=False)
    _locations: dict[str, Location] = attrs.field(factory=dict, init=False)
    _lots: dict[tuple[str, str], Lot] = attrs.field(factory=dict, init=False)
    _parties: dict[str, Party] = attrs.field(factory=dict, init=False)
    _statuses: dict[str, Status] = attrs.field(init=False)
    _containers: dict[str, Container] = attrs.field(factory=dict, init=False)
    _changes: list[MasterChange] = attrs.field(factory=list, init=False)
    _txs: list[Transaction] = attrs.field(factory=list, init=False)
    _keys: dict[str, tuple[int, str]] = attrs.field(factory=dict, init=False)
    _reversed: dict[int, int] = attrs.field(factory=dict, init=False)
    _balances: dict[PositionKey, tuple[Decimal, dt.datetime]] = attrs.field(
        factory=dict, init=False
    )
    _by_item: defaultdict[str, set[PositionKey]] = attrs.field(
        factory=lambda: defaultdict(set), init=False
    )
    #: Each item's quantity at each location, over lots, serials, statuses and containers:
    #: the on-hand of an item under a site reads one entry per location, not every position
    #: the item ever had.
    _at_location: defaultdict[str, dict[str, Decimal]] = attrs.field(
        factory=lambda: defaultdict(dict), init=False
    )
    _events: defaultdict[PositionKey, list[_Event]] = attrs.field(
        factory=lambda: defaultdict(list), init=False
    )
    _serial_events: defaultdict[tuple[str, str], list[_Event]] = attrs.field(
        factory=lambda: defaultdict(list), init=False
    )
    _by_lot: defaultdict[tuple[str, str | None], set[PositionKey]] = attrs.field(
        factory=lambda: defaultdict(set), init=False
    )
    _lot_txs: defaultdict[tuple[str, str | None], list[int]] = attrs.field(
        factory=lambda: defaultdict(list), init=False
    )
    _serial_txs: defaultdict[tuple[str, str], list[int]] = attrs.field(
        factory=lambda: defaultdict(list), init=False
    )
    # Edges as (transaction id, position in the transaction, effective time, edge).
    _edges_down: defaultdict[tuple[str, str | None], list[_Link]] = attrs.field(
        factory=lambda: defaultdict(list), init=False
    )
    _edges_up: defaultdict[tuple[str, str | None], list[_Link]] = attrs.field(
        factory=lambda: defaultdict(list), init=False
    )
    _cstate: dict[str, ContainerEvent] = attrs.field(factory=dict, init=False)
    # Reservations by (order, line or "", position key), and their sum per position key.
    _reservations: dict[tuple[str, str, PositionKey], Reservation] = attrs.field(
        factory=dict, init=False
    )
    _reserved_at: dict[PositionKey, Decimal] = attrs.field(factory=dict, init=False)
    # Operational documents: (kind, key) -> (version, body as JSON text, updated_at, actor).
    # A deleted document stays as a tombstone (body None) that keeps its version.
    _documents: dict[tuple[str, str], tuple[int, str | None, Any, str | None]] = attrs.field(
        factory=dict, init=False
    )
    _undo: list[Callable[[], object]] | None = attrs.field(default=None, init=False)

    def __attrs_post_init__(self) -> None:
        self._statuses = {s.name: s for s in BUILTIN_STATUSES}

    def __repr__(self) -> str:
        return f"<InMemoryStockStore transactions={len(self._txs)} items={len(self._items)}>"

    # -- the StockStore port -------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[InMemoryStockStore]:
        """Open a read view (the store itself, under its lock)."""
        with self._lock:
            yield self

    @contextmanager
    def write(self) -> Iterator[InMemoryStockStore]:
        """Open an atomic write block: on an exception every change made in it is undone."""
        with self._lock:
            if self._undo is not None:
                # A nested block joins the outer one, as a SAVEPOINT-less SQL transaction would.
                yield self
                return
            self._undo = []
            try:
                yield self
            except BaseException:
                for undo in reversed(self._undo):
                    undo()
                raise
            finally:
                self._undo = None

    def close(self) -> None:
        """Nothing to release."""

    # -- master data ---------------------------------------------------------------------

    def item(self, sku: str) -> Item | None:
        return self._items.get(sku)

    def item_by_gtin(self, gtin: str) -> Item | None:
        sku = self._gtins.get(gtin)
        return None if sku is None else self._items[sku]

    def items(self) -> list[Item]:
        return [self._items[k] for k in sorted(self._items)]

    def location(self, path: str) -> Location | None:
        return self._locations.get(path)

    def locations(self) -> list[Location]:
        return [self._locations[k] for k in sorted(self._locations)]

    def lot(self, item: str, code: str) -> Lot | None:
        return self._lots.get((item, code))

    def lots(self, item: str | None = None) -> list[Lot]:
        return [v for k, v in sorted(self._lots.items()) if item is None or k[0] == item]

    def party(self, code: str) -> Party | None:
        return self._parties.get(code)

    def parties(self) -> list[Party]:
        return [self._parties[k] for k in sorted(self._parties)]

    def status(self, name: str) -> Status | None:
        return self._statuses.get(name)

    def statuses(self) -> list[Status]:
        return [self._statuses[k] for k in sorted(self._statuses)]

    def container(self, code: str) -> Container | None:
        return self._containers.get(code)

    def master_changes(self, *, after: int = 0) -> list[MasterChange]:
        return self._changes[after:]

    def save(self, record: MasterRecord, *, actor: str | None, at: dt.datetime) -> None:
        """Insert or replace a master record and record the change."""
        table: Any
        key: object
        match record:
            case Item():
                table, key = self._items, record.sku
                old = self._items.get(record.sku)
                gtins = item_gtins(record)
                for g in () if old is None else item_gtins(old):
                    self._set(self._gtins, g, None)
                for g in gtins:
                    self._set(self._gtins, g, record.sku)
            case Location():
                table, key = self._locations, record.path
            case Party():
                table, key = self._parties, record.code
            case Lot():
                table, key = self._lots, (record.item, record.code)
            case Status():
                table, key = self._statuses, record.name
            case Container():
                table, key = self._containers, record.code
        self._set(table, key, record)
        entity, text_key = _record_key(record)
        change = MasterChange(
            seq=len(self._changes) + 1,
            entity=entity,
            key=text_key,
            actor=actor,
            at=at,
            fields=_fields(record),
        )
        self._changes.append(change)
        self._on_undo(self._changes.pop)

    # -- ledger --------------------------------------------------------------------------

    def head(self) -> tuple[int, str]:
        if not self._txs:
            return 0, GENESIS_HASH
        last = self._txs[-1]
        return last.id, last.hash

    def transaction(self, tx_id: int) -> Transaction | None:
        if 1 <= tx_id <= len(self._txs):
            return self._txs[tx_id - 1]
        return None

    def transactions(self, *, after: int = 0, limit: int | None = None) -> list[Transaction]:
        stop = None if limit is None else max(after, 0) + limit
        return self._txs[max(after, 0) : stop]

    def find_key(self, key: str) -> tuple[int, str] | None:
        return self._keys.get(key)

    def reversed_by(self, tx_id: int) -> int | None:
        return self._reversed.get(tx_id)

    def append(self, tx: Transaction, *, fingerprint: str | None) -> None:
        """Append ``tx`` and apply it to the projection."""
        self._txs.append(tx)
        self._on_undo(self._txs.pop)
        if tx.key is not None:
            self._set(self._keys, tx.key, (tx.id, fingerprint or ""))
        if tx.reverses is not None:
            self._set(self._reversed, tx.reverses, tx.id)
        self._project(tx)

    def _project(self, tx: Transaction) -> None:
        for seq, edge in enumerate(tx.edges, start=1):
            traced = (tx.id, seq, tx.effective_at, edge)
            self._push(self._edges_down[(edge.parent_item, edge.parent_lot)], traced)
            self._push(self._edges_up[(edge.child_item, edge.child_lot)], traced)
        for event in tx.containers:
            self._set(self._cstate, event.container, event)
        touched: set[tuple[str, str | None, str | None]] = set()
        for m in tx.movements:
            if (m.item, m.lot, m.serial) not in touched:
                touched.add((m.item, m.lot, m.serial))
                self._push(self._lot_txs[(m.item, m.lot)], tx.id)
                if m.serial is not None:
                    self._push(self._serial_txs[(m.item, m.serial)], tx.id)
        for m in tx.movements:
            for position, sign in ((m.src, -1), (m.dst, 1)):
                delta = m.quantity * sign
                key = _key(m, position)
                old = self._balances.get(key)
                # Canonical like the SQL store's (1.001 - 0.001 is 1, not 1.000).
                qty = delta if old is None else canonical(old[0] + delta)
                last = tx.effective_at if old is None else max(old[1], tx.effective_at)
                self._set(self._balances, key, (qty, last))
                totals = self._at_location[m.item]
                held = totals.get(position.location)
                self._set(totals, position.location, delta if held is None else held + delta)
                for index in (self._by_item[m.item], self._by_lot[(m.item, m.lot)]):
                    if key not in index:
                        index.add(key)
                        self._on_undo(partial(index.discard, key))
                self._push(self._events[key], (tx.effective_at, tx.id, delta))
                if m.serial is not None and self._is_internal(position.location):
                    serial_key = (m.item, m.serial)
                    self._push(self._serial_events[serial_key], (tx.effective_at, tx.id, delta))

    def rebuild_projection(self, *, progress: Callable[[int], None] | None = None) -> None:
        """Rebuild balances and event indexes from the transactions."""
        saved = self._derived()
        undo, self._undo = self._undo, None
        self._balances, self._by_item = {}, defaultdict(set)
        self._at_location = defaultdict(dict)
        self._events, self._serial_events = defaultdict(list), defaultdict(list)
        self._by_lot, self._lot_txs = defaultdict(set), defaultdict(list)
        self._serial_txs, self._cstate = defaultdict(list), {}
        self._edges_down, self._edges_up = defaultdict(list), defaultdict(list)
        try:
            for done, tx in enumerate(self._txs, 1):
                self._project(tx)
                if progress is not None and done % _PROGRESS_EVERY == 0:
                    progress(_PROGRESS_EVERY)
            if progress is not None and len(self._txs) % _PROGRESS_EVERY:
                progress(len(self._txs) % _PROGRESS_EVERY)
        finally:
            self._undo = undo
        self._on_undo(lambda: self._restore(saved))

    _DERIVED = (
        "_balances",
        "_by_item",
        "_at_location",
        "_events",
        "_serial_events",
        "_by_lot",
        "_lot_txs",
        "_serial_txs",
        "_cstate",
        "_edges_down",
        "_edges_up",
    )

    def _derived(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._DERIVED)

    def _restore(self, saved: tuple[object, ...]) -> None:
        for name, value in zip(self._DERIVED, saved, strict=True):
            setattr(self, name, value)

    # -- balances ------------------------------------------------------------------------

    def _is_internal(self, path: str) -> bool:
        location = self._locations.get(path)
        return location is not None and location.kind is LocationKind.INTERNAL

    def _wanted(self, query: BalanceQuery, key: PositionKey) -> bool:
        _, lot, serial, location, status, container = key
        return (
            (query.lot is None or lot == query.lot)
            and (query.serial is None or serial == query.serial)
            and (query.location is None or under(location, query.location))
            and (query.status is None or status == query.status)
            and (query.container is None or container == query.container)
            and (not query.internal_only or self._is_internal(location))
        )

    def balances(self, query: BalanceQuery) -> list[Balance]:
        if query.as_of is not None:
            folded = self._fold(query.as_of, query.known_at)
        else:
            folded = {k: self._balances[k][0] for k in self._candidates(query)}
        return sorted_balances(
            Balance(
                item=k[0],
                lot=k[1],
                serial=k[2],
                position=Position(location=k[3], status=k[4], container=k[5]),
                quantity=qty,
            )
            for k, qty in folded.items()
            if qty != 0 and (query.item is None or k[0] == query.item) and self._wanted(query, k)
        )

    def total(self, query: BalanceQuery) -> Decimal:
        if query.as_of is not None:
            return sum((b.quantity for b in self.balances(query)), Decimal(0))
        if query.item is not None and _by_location_only(query):
            return self._item_total(query.item, query.location, query.internal_only)
        balances = self._balances
        return sum(
            (
                balances[k][0]
                for k in self._candidates(query)
                if (query.item is None or k[0] == query.item) and self._wanted(query, k)
            ),
            Decimal(0),
        )

    def _item_total(self, item: str, root: str | None, internal_only: bool) -> Decimal:
        """An item's quantity at ``root`` and below (everywhere when ``None``), from its
        quantity per location."""
        return canonical(
            sum(
                (
                    qty
                    for path, qty in self._at_location.get(item, {}).items()
                    if qty
                    and (root is None or under(path, root))
                    and (not internal_only or self._is_internal(path))
                ),
                Decimal(0),
            )
        )

    def _candidates(self, query: BalanceQuery) -> Iterable[PositionKey]:
        """The smallest index that holds every key the query can match."""
        if query.item is not None and query.lot is not None:
            return self._by_lot.get((query.item, query.lot), ())
        if query.item is not None:
            return self._by_item.get(query.item, ())
        return self._balances

    def _fold(self, as_of: dt.datetime, known_at: dt.datetime | None) -> dict[PositionKey, Decimal]:
        folded: defaultdict[PositionKey, Decimal] = defaultdict(Decimal)
        for tx in self._txs:
            if tx.effective_at > as_of or (known_at is not None and tx.recorded_at > known_at):
                continue
            for m in tx.movements:
                folded[_key(m, m.src)] -= m.quantity
                folded[_key(m, m.dst)] += m.quantity
        return folded

    def position_balances(
        self, keys: Iterable[PositionKey]
    ) -> dict[PositionKey, tuple[Decimal, dt.datetime | None]]:
        return {k: self._balances[k] for k in keys if k in self._balances}

    def later_deltas(
        self, key: PositionKey, after: dt.datetime
    ) -> list[tuple[dt.datetime, Decimal]]:
        return [(eff, d) for eff, _, d in sorted(self._events.get(key, ())) if eff > after]

    def serial_internal(self, item: str, serial: str) -> tuple[Decimal, dt.datetime | None]:
        events = self._serial_events.get((item, serial), [])
        if not events:
            return Decimal(0), None
        return sum((e[2] for e in events), Decimal(0)), max(e[0] for e in events)

    def later_serial_deltas(
        self, item: str, serial: str, after: dt.datetime
    ) -> list[tuple[dt.datetime, Decimal]]:
        events = self._serial_events.get((item, serial), [])
        return [(eff, d) for eff, _, d in sorted(events) if eff > after]

    def history(self, query: HistoryQuery) -> list[Transaction]:
        found = [
            tx
            for tx in self._txs
            if (query.since is None or tx.effective_at >= query.since)
            and (query.until is None or tx.effective_at <= query.until)
            and any(self._history_match(query, m) for m in tx.movements)
        ]
        found.sort(key=lambda tx: (tx.effective_at, tx.id))
        return found if query.limit is None else found[: query.limit]

    @staticmethod
    def _history_match(query: HistoryQuery, m: Movement) -> bool:
        return (
            _matches(query, m)
            and (
                query.location is None
                or under(m.src.location, query.location)
                or under(m.dst.location, query.location)
            )
            and (query.container is None or query.container in (m.src.container, m.dst.container))
        )

    # -- genealogy and containers ----------------------------------------------------------

    def container_state(self, code: str) -> ContainerEvent | None:
        return self._cstate.get(code)

    def container_history(self, code: str) -> list[tuple[int, ContainerEvent]]:
        return [
            (tx.id, event) for tx in self._txs for event in tx.containers if event.container == code
        ]

    def container_children(self, code: str) -> list[str]:
        return sorted(c for c, state in self._cstate.items() if state.parent == code)

    def edges(
        self, start: Iterable[NodeKey], *, downstream: bool, until: dt.datetime | None = None
    ) -> list[TracedEdge]:
        index = self._edges_down if downstream else self._edges_up
        seen_nodes: set[NodeKey] = set()
        found: dict[tuple[int, int], _Link] = {}
        todo = list(start)
        while todo:
            node = todo.pop()
            if node in seen_nodes:
                continue
            seen_nodes.add(node)
            if node[1] is not None:
                candidates: Iterable[_Link] = index.get((node[0], node[1]), ())
            else:
                candidates = [t for (item, _), ts in index.items() if item == node[0] for t in ts]
            for link in candidates:
                tx_id, seq, effective_at, e = link
                if until is not None and effective_at > until:
                    continue
                near = (
                    (e.parent_item, e.parent_lot, e.parent_serial)
                    if downstream
                    else (e.child_item, e.child_lot, e.child_serial)
                )
                if not node_matches(node, *near):
                    continue
                found[(tx_id, seq)] = link
                todo.append(
                    (e.child_item, e.child_lot, e.child_serial)
                    if downstream
                    else (e.parent_item, e.parent_lot, e.parent_serial)
                )
        # The SQL store's order: by transaction, then by position in the transaction.
        return [(found[k][0], found[k][2], found[k][3]) for k in sorted(found)]

    def movements_of(
        self,
        nodes: Iterable[NodeKey],
        *,
        into: Collection[LocationKind] = (),
        out_of: Collection[LocationKind] = (),
        until: dt.datetime | None = None,
    ) -> list[LedgerLine]:
        ids: set[int] = set()
        wanted = list(nodes)
        for node in wanted:
            ids.update(self._node_txs(node))
        members = NodeSet(wanted)
        found: list[LedgerLine] = []
        for tx_id in sorted(ids):
            tx = self._txs[tx_id - 1]
            if until is not None and tx.effective_at > until:
                continue
            found.extend(
                LedgerLine(
                    transaction_id=tx.id,
                    kind=tx.kind,
                    effective_at=tx.effective_at,
                    counterparty=tx.counterparty,
                    refs=tx.refs,
                    reverses=tx.reverses,
                    movement=m,
                )
                for m in tx.movements
                if (m.item, m.lot, m.serial) in members
                and (self._kind(m.dst.location) in into or self._kind(m.src.location) in out_of)
            )
        return found

    def _node_txs(self, node: NodeKey) -> Iterable[int]:
        item, lot, serial = node
        if serial is not None:
            return self._serial_txs.get((item, serial), ())
        if lot is not None:
            return self._lot_txs.get((item, lot), ())
        return {i for (it, _), txs in self._lot_txs.items() if it == item for i in txs}

    def _kind(self, path: str) -> LocationKind | None:
        location = self._locations.get(path)
        return None if location is None else location.kind

    def exposures(
        self,
        nodes: Iterable[NodeKey],
        *,
        until: dt.datetime | None = None,
        through: int | None = None,
    ) -> list[CustomerExposure]:
        from stockline.genealogy import customer_exposures

        return customer_exposures(self, nodes, until=until, through=through)

    def balances_of(
        self,
        nodes: Iterable[NodeKey],
        *,
        as_of: dt.datetime | None = None,
        kinds: Collection[LocationKind] | None = None,
    ) -> list[Balance]:
        wanted = list(nodes)
        members = NodeSet(wanted)
        folded: dict[PositionKey, Decimal] = {}
        if as_of is None:
            for node in wanted:
                if node[1] is not None or node[2] is None:
                    keys: Iterable[PositionKey] = (
                        self._by_lot.get((node[0], node[1]), ())
                        if node[1] is not None
                        else self._by_item.get(node[0], ())
                    )
                else:
                    keys = self._by_item.get(node[0], ())
                for key in keys:
                    if (key[0], key[1], key[2]) in members:
                        folded[key] = self._balances[key][0]
        else:
            ids = sorted({i for node in wanted for i in self._node_txs(node)})
            sums: defaultdict[PositionKey, Decimal] = defaultdict(Decimal)
            for tx_id in ids:
                tx = self._txs[tx_id - 1]
                if tx.effective_at > as_of:
                    continue
                for m in tx.movements:
                    if (m.item, m.lot, m.serial) in members:
                        sums[_key(m, m.src)] -= m.quantity
                        sums[_key(m, m.dst)] += m.quantity
            folded = dict(sums)
        return sorted_balances(
            Balance(
                item=k[0],
                lot=k[1],
                serial=k[2],
                position=Position(location=k[3], status=k[4], container=k[5]),
                quantity=qty,
            )
            for k, qty in folded.items()
            if qty != 0 and (kinds is None or self._kind(k[3]) in kinds)
        )

    def replay(self) -> Iterator[Balance]:
        folded: defaultdict[PositionKey, Decimal] = defaultdict(Decimal)
        for tx in self._txs:
            for m in tx.movements:
                folded[_key(m, m.src)] -= m.quantity
                folded[_key(m, m.dst)] += m.quantity
        for k, qty in folded.items():
            if qty != 0:
                yield Balance(
                    item=k[0],
                    lot=k[1],
                    serial=k[2],
                    position=Position(location=k[3], status=k[4], container=k[5]),
                    quantity=qty,
                )

    def checkpoint(self) -> int:
        # As-of answers fold the transactions in memory; there is nothing to record.
        return len(self._txs)

    def projection_drift(self, *, limit: int) -> list[tuple[PositionKey, Decimal, Decimal]]:
        replayed = {b.key: b.quantity for b in self.replay()}
        stored = {k: qty for k, (qty, _) in self._balances.items() if qty != 0}
        found = [
            (k, stored.get(k, Decimal(0)), replayed.get(k, Decimal(0)))
            for k in stored.keys() | replayed.keys()
            if stored.get(k, Decimal(0)) != replayed.get(k, Decimal(0))
        ]
        found.sort(key=lambda d: tuple(map(str, d[0])))
        return found[:limit]

    # -- reservations --------------------------------------------------------------------

    def reserved(self, keys: Iterable[PositionKey]) -> dict[PositionKey, Decimal]:
        held = self._reserved_at
        if not held:
            return {}
        return {k: held[k] for k in keys if k in held}

    def reservations(
        self, order: str | None = None, *, item: str | None = None
    ) -> list[Reservation]:
        found = [
            r
            for (o, _, key), r in self._reservations.items()
            if (order is None or o == order) and (item is None or key[0] == item)
        ]
        return sorted(found, key=_reservation_order)

    def candidates(
        self,
        item: str,
        *,
        statuses: Collection[str],
        lot: str | None = None,
        location: str | None = None,
    ) -> list[Candidate]:
        wanted = frozenset(statuses)
        keys = self._by_lot.get((item, lot), ()) if lot is not None else self._by_item.get(item, ())
        held = self._reserved_at
        found: list[tuple[PositionKey, Decimal, Decimal]] = []
        for key in keys:
            if key[4] not in wanted or not self._is_internal(key[3]):
                continue
            if location is not None and not under(key[3], location):
                continue
            on_hand, reserved = self._balances[key][0], held.get(key, Decimal(0))
            if on_hand > 0:
                found.append((key, on_hand, reserved))
        found.sort(key=lambda row: _key_order(row[0]))
        # First receipt: per lot (serial) for tracked stock, per position for untracked.
        first: dict[tuple[str | None, str | None], dt.datetime] = {}
        arrived: dict[PositionKey, dt.datetime] = {}
        plain: dict[dt.datetime, dt.datetime] = {}
        for key in self._by_item.get(item, ()):
            if not self._is_internal(key[3]):
                continue
            ins = [eff for eff, _, delta in self._events.get(key, ()) if delta > 0]
            if not ins:
                continue
            earliest = _plain_utc(min(ins), plain)
            arrived[key] = earliest
            tracked = (key[1], key[2])
            if tracked != (None, None) and (tracked not in first or earliest < first[tracked]):
                first[tracked] = earliest
        return [
            Candidate(
                item=item,
                lot=key[1],
                expiry=None if key[1] is None else self._lots[(item, key[1])].expiry,
                first_received_at=(
                    arrived[key] if (key[1], key[2]) == (None, None) else first[(key[1], key[2])]
                ),
                location=key[3],
                pick_sequence=self._locations[key[3]].pick_sequence,
                container=key[5],
                status=key[4],
                available=max(on_hand - reserved, Decimal(0)),
                reserved=min(reserved, on_hand),
                attributes={} if key[2] is None else {"serial": key[2]},
            )
            for key, on_hand, reserved in found
        ]

    def reserve(self, reservation: Reservation) -> None:
        slot = (reservation.order, reservation.line or "", reservation.key)
        old = self._reservations.get(slot)
        if old is not None:
            reservation = attrs.evolve(old, quantity=old.quantity + reservation.quantity)
        self._set(self._reservations, slot, reservation)
        self._add_reserved(reservation.key, reservation.quantity - (old.quantity if old else 0))

    def consume(self, reservation: Reservation) -> None:
        slot = (reservation.order, reservation.line or "", reservation.key)
        old = self._reservations[slot]
        left = old.quantity - reservation.quantity
        self._set(self._reservations, slot, attrs.evolve(old, quantity=left) if left > 0 else None)
        self._add_reserved(reservation.key, -min(reservation.quantity, old.quantity))

    def release_reservations(self, order: str, line: str | None = None) -> list[Reservation]:
        gone = [
            r
            for (o, ln, _), r in self._reservations.items()
            if o == order and (line is None or ln == line)
        ]
        for r in gone:
            self._set(self._reservations, (r.order, r.line or "", r.key), None)
            self._add_reserved(r.key, -r.quantity)
        return sorted(gone, key=_reservation_order)

    # -- operational documents -------------------------------------------------------------

    def document(self, kind: str, key: str) -> Document | None:
        stored = self._documents.get((kind, key))
        return None if stored is None or stored[1] is None else _document(kind, key, stored)

    def documents(self, kind: str, *, prefix: str = "") -> list[Document]:
        return [
            _document(k, key, stored)
            for (k, key), stored in sorted(self._documents.items())
            if k == kind and key.startswith(prefix) and stored[1] is not None
        ]

    def put_document(
        self,
        kind: str,
        key: str,
        body: Mapping[str, Any],
        *,
        version: int,
        actor: str | None,
        at: dt.datetime,
    ) -> Document:
        text = encode_body(body)
        new = self._next_document_version(kind, key, version)
        self._set(self._documents, (kind, key), (new, text, at, actor))
        return _document(kind, key, (new, text, at, actor))

    def delete_document(self, kind: str, key: str, *, version: int) -> None:
        stored = self._documents.get((kind, key))
        new = self._next_document_version(kind, key, version)
        # A tombstone keeps the version, so the key's versions never repeat.
        at, actor = (stored[2], stored[3]) if stored is not None else (None, None)
        self._set(self._documents, (kind, key), (new, None, at, actor))

    def _next_document_version(self, kind: str, key: str, expected: int) -> int:
        stored = self._documents.get((kind, key))
        return next_version(
            kind,
            key,
            0 if stored is None else stored[0],
            expected,
            exists=stored is not None and stored[1] is not None,
        )

    def _add_reserved(self, key: PositionKey, delta: Decimal) -> None:
        total = self._reserved_at.get(key, Decimal(0)) + delta
        self._set(self._reserved_at, key, total if total > 0 else None)

    # -- undo log ------------------------------------------------------------------------

    def _on_undo(self, action: Callable[[], object]) -> None:
        if self._undo is not None:
            self._undo.append(action)

    def _set(self, table: Any, key: object, value: object) -> None:
        store: dict[object, object] = table
        missing = key not in store
        old = store.get(key)
        if value is None:
            store.pop(key, None)
        else:
            store[key] = value
        if missing:
            self._on_undo(lambda: store.pop(key, None))
        else:
            self._on_undo(lambda: store.__setitem__(key, old))

    def _push(self, events: list[Any], event: object) -> None:
        events.append(event)
        self._on_undo(events.pop)


def _by_location_only(query: BalanceQuery) -> bool:
    """Whether ``query`` filters by nothing but the item and where."""
    return (
        query.lot is None
        and query.serial is None
        and query.status is None
        and query.container is None
    )


def _document(kind: str, key: str, stored: tuple[int, str | None, Any, str | None]) -> Document:
    version, text, at, actor = stored
    assert text is not None, "tombstones are never read as documents"
    return Document(
        kind=kind, key=key, version=version, body=decode_body(text), updated_at=at, actor=actor
    )


def _key_order(key: PositionKey) -> tuple[str, ...]:
    return (key[0], key[1] or "", key[2] or "", key[3], key[4], key[5] or "")


def _reservation_order(r: Reservation) -> tuple[str, ...]:
    return (r.order, r.line or "", *_key_order(r.key))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _plain_utc(moment: dt.datetime, seen: dict[dt.datetime, dt.datetime]) -> dt.datetime:
    # A plain UTC datetime, as the SQL store returns: every ranking reads its offset, and
    # pendulum's costs many times more. Memoised, since positions of a lot share one time.
    found = seen.get(moment)
    if found is None:
        found = seen[moment] = _EPOCH + dt.timedelta(microseconds=to_micros(moment))
    return found
