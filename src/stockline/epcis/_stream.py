"""The export's events read from any position of the ledger on, a batch at a time.

The export walks the ledger from its first transaction, because two things about a
transaction's events depend on what came before it: whether it is the first to show a lot or
serial (then a count or an adjustment commissions it), and what each container it unpacks was
packed in. A query that starts in the middle asks the store for exactly those two facts,
for the lots, serials and containers of the transactions it reads, so its events and their
IDs are the export's, without reading what lies before its starting point. The first showing of
a lot or serial never changes once the ledger holds it, so it is remembered in a
:class:`FirstShowings` kept for as long as the caller likes (``inv.epcis`` keeps one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from stockline.epcis._options import EpcisOptions
from stockline.ledger import (
    Book,
    LedgerReader,
    LocationKind,
    Lot,
    MasterChange,
    NodeKey,
    Transaction,
    TxKind,
)

if TYPE_CHECKING:  # the event makers need the GS1 readers, imported when first used
    from stockline.epcis._events import Event, EventMaker
    from stockline.epcis._export import _FirstSeen
    from stockline.epcis._ids import MasterHistory

__all__ = [
    "FirstShowings",
    "LedgerEvent",
    "MasterMemory",
    "location_identifiers",
    "stream_events",
]

#: Every kind of location: a movement's destination always has one of them.
_ANY_KIND = frozenset(LocationKind)


@attrs.frozen(kw_only=True)
class LedgerEvent:
    """One exported event and where it stands in the ledger.

    Events are ordered by ``(transaction, index)``: the ledger's posting order, then the
    order in which :meth:`stockline.epcis.Epcis.export` writes a transaction's events.

    Attributes:
        transaction: The id of the transaction the event records (for an error declaration,
            the reversal's id).
        index: The event's place among that transaction's events, from 0.
        event: The event, exactly as the export writes it (with its ``eventID``).
    """

    transaction: int
    index: int
    event: dict[str, Any]


@attrs.define(repr=False)
class FirstShowings:
    """The transaction that first showed each lot and serial, looked up once each.

    Keys are ``(item, lot, None)`` for a lot's unserialised stock and ``(item, None, serial)``
    for a serial, as the export's first-seen bookkeeping keeps them.
    """

    known: dict[NodeKey, int] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        return f"<FirstShowings of {len(self.known)} lots and serials>"

    def fill(self, r: LedgerReader, transactions: list[Transaction]) -> None:
        """Look up, in one read, the lots and serials of ``transactions`` not known yet."""
        wanted: dict[NodeKey, None] = {}
        for tx in transactions:
            for m in tx.movements:
                node = _node(m.item, m.lot, m.serial)
                if node is not None and node not in self.known:
                    wanted[node] = None
        if not wanted:
            return
        found: dict[NodeKey, int] = {}
        for line in r.movements_of(wanted, into=_ANY_KIND, out_of=_ANY_KIND):
            m = line.movement
            node = _node(m.item, m.lot, m.serial)
            if node in wanted and line.transaction_id < found.get(node, line.transaction_id + 1):
                found[node] = line.transaction_id
        # Whole answers only: another stream may be reading these at the same time.
        self.known.update(found)

    def seen(self, tx: Transaction, internal: set[str]) -> _FirstSeen:
        """The export's first-seen record, holding what ``tx``'s events need."""
        from stockline.epcis._export import _FirstSeen

        first = _FirstSeen(internal)
        for m in tx.movements:
            node = _node(m.item, m.lot, m.serial)
            if node is None or node not in self.known:
                continue
            if node[2] is not None:
                first.serials[(node[0], node[2])] = self.known[node]
            else:
                first.lots[(node[0], node[1] or "")] = self.known[node]
        return first


@attrs.define(repr=False)
class MasterMemory:
    """The master-data change log and the lots, kept between streams.

    Each stream reads only the changes logged since the last one (usually none), so a page
    deep into a large ledger does not reload every lot and every change. Lots are read one at
    a time when an event needs one (commissioning and transformation ILMD) and forgotten when
    the log shows a change of them.
    """

    seq: int = 0
    changes: list[MasterChange] = attrs.field(factory=list)
    lots: dict[tuple[str, str], Lot | None] = attrs.field(factory=dict)
    _history: MasterHistory | None = None
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def __repr__(self) -> str:
        return f"<MasterMemory at change {self.seq}>"

    def history(self, r: LedgerReader) -> MasterHistory:
        """The change log as of now, read from where the last call left it."""
        from stockline.epcis._ids import MasterHistory

        with self._lock:
            new = r.master_changes(after=self.seq)
            if new or self._history is None:
                self.changes.extend(new)
                for change in new:
                    if change.entity == "lot":
                        fields = dict(change.fields)
                        self.lots.pop((fields.get("item", ""), fields.get("code", "")), None)
                self.seq = self.changes[-1].seq if self.changes else 0
                self._history = MasterHistory(self.changes)
            return self._history


class _Lots(Mapping[tuple[str, str], Lot]):
    """The lots, read from the store when first asked for (only ``get`` is used)."""

    def __init__(self, book: Book, memory: MasterMemory) -> None:
        self._book = book
        self._memory = memory

    def __getitem__(self, key: tuple[str, str]) -> Lot:
        if key not in self._memory.lots:
            with self._book.read() as r:
                self._memory.lots[key] = r.lot(*key)
        found = self._memory.lots[key]
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter([k for k, v in self._memory.lots.items() if v is not None])

    def __len__(self) -> int:
        return sum(1 for v in self._memory.lots.values() if v is not None)


def _node(item: str, lot: str | None, serial: str | None) -> NodeKey | None:
    if serial is not None:
        return (item, None, serial)
    if lot is not None:
        return (item, lot, None)
    return None


def stream_events(
    book: Book,
    *,
    after: tuple[int, int],
    through: int | None,
    visible: Callable[[Transaction, Transaction | None], bool] | None,
    options: EpcisOptions,
    first: FirstShowings,
    master: MasterMemory,
) -> Iterator[LedgerEvent]:
    """Yield the export's events that stand after position ``after`` (a transaction id and an
    event index), of the transactions up to id ``through`` that ``visible`` admits (it is
    given each transaction and, for a reversal, the transaction it reverses).

    The master data is read once (the change log and the lots through ``master``); the ledger
    a batch of ``options.batch_size`` transactions at a time, each batch with one look-up of
    the first showings and one of the containers' earlier states.
    """
    from stockline.epcis._events import EventMaker
    from stockline.epcis._export import _NOT_COMMISSIONING
    from stockline.epcis._ids import Names

    with book.read() as r:
        items = {i.sku: i for i in r.items()}
        locations = {loc.path: loc for loc in r.locations()}
        parties = {p.code: p for p in r.parties()}
        statuses = {s.name: s for s in r.statuses()}
        history = master.history(r)
        head, _ = r.head()
    known_lots = _Lots(book, master)
    names = Names(options, items, locations, parties, history)
    maker = EventMaker(
        options, names, items=items, locations=locations, statuses=statuses, lots=known_lots
    )
    internal = {path for path, loc in locations.items() if loc.kind is LocationKind.INTERNAL}
    last = head if through is None else min(head, through)
    cursor = max(after[0] - 1, 0)
    while cursor < last:
        with book.read() as r:
            batch = r.transactions(after=cursor, limit=min(options.batch_size, last - cursor))
            if not batch:
                return
            work = _originals(r, batch)
            shown = [
                original or tx
                for tx, original in work
                if (visible is None or visible(tx, original))
                and (original or tx).kind not in _NOT_COMMISSIONING
            ]
            first.fill(r, shown)
            parents = _parents(r, work, visible)
        for tx, original in work:
            if visible is not None and not visible(tx, original):
                continue
            events = _events(maker, tx, original, first, internal, parents.get(tx.id, {}))
            for index, event in enumerate(events):
                if (tx.id, index) > after:
                    yield LedgerEvent(transaction=tx.id, index=index, event=event)
        cursor = batch[-1].id


def _originals(
    r: LedgerReader, batch: list[Transaction]
) -> list[tuple[Transaction, Transaction | None]]:
    """Each transaction with, for a reversal, the transaction it reverses."""
    work: list[tuple[Transaction, Transaction | None]] = []
    for tx in batch:
        original = None
        if tx.kind is TxKind.REVERSAL:
            assert tx.reverses is not None, "a reversal names the transaction it reverses"
            original = Book.transaction(r, tx.reverses)
        work.append((tx, original))
    return work


def _parents(
    r: LedgerReader,
    work: list[tuple[Transaction, Transaction | None]],
    visible: Callable[[Transaction, Transaction | None], bool] | None,
) -> dict[int, dict[str, str | None]]:
    """For each transaction that changes containers, each such container's parent just
    before it (what the export's walk would hold at that point)."""
    wanted: dict[int, set[str]] = {}
    for tx, original in work:
        if visible is not None and not visible(tx, original):
            continue
        changed = {c.container for c in tx.containers}
        if original is not None:
            changed.update(c.container for c in original.containers)
        if changed:
            wanted[tx.id] = changed
    found: dict[int, dict[str, str | None]] = {}
    histories: dict[str, list[tuple[int, str | None]]] = {}
    for tx_id, containers in wanted.items():
        before: dict[str, str | None] = {}
        for code in containers:
            if code not in histories:
                histories[code] = [(i, e.parent) for i, e in r.container_history(code)]
            earlier = [parent for i, parent in histories[code] if i < tx_id]
            before[code] = earlier[-1] if earlier else None
        found[tx_id] = before
    return found


def _events(
    maker: EventMaker,
    tx: Transaction,
    original: Transaction | None,
    first: FirstShowings,
    internal: set[str],
    parents: dict[str, str | None],
) -> list[Event]:
    from stockline.epcis._export import _declared, _transaction_events

    seen = first.seen(original or tx, internal)
    if original is None:
        return _transaction_events(maker, tx, seen, parents)
    return _declared(maker, tx, original, seen, parents)


def location_identifiers(book: Book, options: EpcisOptions) -> dict[str, str]:
    """Each location's path and the identifier today's master data gives it in events."""
    from stockline.epcis._ids import MasterHistory, Names

    with book.read() as r:
        items = {i.sku: i for i in r.items()}
        locations = {loc.path: loc for loc in r.locations()}
        parties = {p.code: p for p in r.parties()}
        history = MasterHistory(r.master_changes())
    names = Names(options, items, locations, parties, history)
    names.at(None)
    return {path: names.location(path) for path in sorted(locations)}
