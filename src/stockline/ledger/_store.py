"""The storage port: what a store must offer stockline.

A store is deliberately simple. It keeps master data, appends transactions, keeps a balance
projection in step with the ledger, and answers a handful of set-based questions. Every posting
rule (non-negativity, serial uniqueness, idempotency, the hash chain) is enforced by stockline's
core using these primitives inside one :meth:`StockStore.write` block, so every store enforces
the same rules the same way; the store's job is to make that block atomic and to serialise
writers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from stockline.ledger._documents import Document
from stockline.ledger._master import (
    Container,
    Item,
    Location,
    LocationKind,
    Lot,
    MasterChange,
    Party,
    Status,
)
from stockline.ledger._queries import BalanceQuery, HistoryQuery
from stockline.ledger._records import (
    Balance,
    ContainerEvent,
    CustomerExposure,
    LedgerLine,
    NodeKey,
    PositionKey,
    TracedEdge,
    Transaction,
)
from stockline.ledger._reservations import Reservation
from stockline.policies import Candidate

__all__ = [
    "BalanceQuery",
    "ChainReader",
    "HistoryQuery",
    "LedgerReader",
    "LedgerWriter",
    "MasterRecord",
    "StockStore",
]

#: Any master data record a store keeps.
MasterRecord = Item | Location | Party | Lot | Status | Container


class MasterReader(Protocol):
    """Master data: items, locations, lots, parties, statuses, containers and their change log."""

    def item(self, sku: str) -> Item | None:
        """Return the item with this SKU, or ``None``."""
        ...

    def item_by_gtin(self, gtin: str) -> Item | None:
        """Return the item with this GTIN-14 (as item or pack GTIN), or ``None``."""
        ...

    def items(self) -> list[Item]:
        """Return every item, ordered by SKU."""
        ...

    def location(self, path: str) -> Location | None:
        """Return the location at this path, or ``None``."""
        ...

    def locations(self) -> list[Location]:
        """Return every location, ordered by path."""
        ...

    def lot(self, item: str, code: str) -> Lot | None:
        """Return the lot, or ``None``."""
        ...

    def lots(self, item: str | None = None) -> list[Lot]:
        """Return the lots (of one item), ordered by item and code."""
        ...

    def party(self, code: str) -> Party | None:
        """Return the party, or ``None``."""
        ...

    def parties(self) -> list[Party]:
        """Return every party, ordered by code."""
        ...

    def status(self, name: str) -> Status | None:
        """Return the status, or ``None``."""
        ...

    def statuses(self) -> list[Status]:
        """Return every status, ordered by name."""
        ...

    def container(self, code: str) -> Container | None:
        """Return the container, or ``None``."""
        ...

    def master_changes(self, *, after: int = 0) -> list[MasterChange]:
        """Return the master data changes with ``seq > after``, oldest first."""
        ...


class MasterWriter(MasterReader, Protocol):
    """Writes of master, inside a write block."""

    def save(self, record: MasterRecord, *, actor: str | None, at: dt.datetime) -> None:
        """Insert or replace a master record, and record the change."""
        ...


class JournalReader(Protocol):
    """The journal: transactions, the chain's head, idempotency keys, reversals, history."""

    def head(self) -> tuple[int, str]:
        """Return the last transaction's id and hash (``0`` and the genesis hash when empty)."""
        ...

    def transaction(self, tx_id: int) -> Transaction | None:
        """Return the transaction with this id, or ``None``."""
        ...

    def transactions(self, *, after: int = 0, limit: int | None = None) -> list[Transaction]:
        """Return transactions with ``id > after`` in id order: the change feed."""
        ...

    def find_key(self, key: str) -> tuple[int, str] | None:
        """Return the id and request fingerprint of the transaction posted with ``key``."""
        ...

    def reversed_by(self, tx_id: int) -> int | None:
        """Return the id of the transaction that reverses ``tx_id``, or ``None``."""
        ...

    def history(self, query: HistoryQuery) -> list[Transaction]:
        """Return the transactions with a movement matching ``query``, by effective time then id."""
        ...


class JournalWriter(JournalReader, Protocol):
    """Writes of journal, inside a write block."""

    def append(self, tx: Transaction, *, fingerprint: str | None) -> None:
        """Append a transaction and apply its movements to the projection.

        The caller has checked every rule; the store only stores. ``tx.id`` is ``head()[0] + 1``.
        """
        ...


class BalancesReader(Protocol):
    """Balances: the projection kept with the journal, as-of answers, the checks posting needs."""

    def balances(self, query: BalanceQuery) -> list[Balance]:
        """Return the non-zero balances matching ``query``.

        Without ``query.as_of`` they come from the projection; with it, from the ledger.
        """
        ...

    def total(self, query: BalanceQuery) -> Decimal:
        """Return the sum of the balances matching ``query``."""
        ...

    def position_balances(
        self, keys: Iterable[PositionKey]
    ) -> dict[PositionKey, tuple[Decimal, dt.datetime | None]]:
        """Return the current quantity and last effective time of each key that has a balance.

        Keys that were never touched are left out.
        """
        ...

    def later_deltas(
        self, key: PositionKey, after: dt.datetime
    ) -> list[tuple[dt.datetime, Decimal]]:
        """Return the signed changes of one position effective after ``after``, each with its
        effective time, in effective-time order (ledger order within one time)."""
        ...

    def serial_internal(self, item: str, serial: str) -> tuple[Decimal, dt.datetime | None]:
        """Return how many units of the serial are in internal locations, and when that last
        changed."""
        ...

    def later_serial_deltas(
        self, item: str, serial: str, after: dt.datetime
    ) -> list[tuple[dt.datetime, Decimal]]:
        """Return the signed changes of the serial's internal total effective after ``after``,
        each with its effective time, in effective-time order."""
        ...

    def replay(self) -> Iterator[Balance]:
        """Fold every movement of the ledger into balances (counterparty ones included),
        without reading the projection."""
        ...

    def projection_drift(self, *, limit: int) -> list[tuple[PositionKey, Decimal, Decimal]]:
        """Return up to ``limit`` balance keys where the projection differs from the fold of
        the ledger, each with the stored and the folded quantity, ordered by key.

        A SQL store compares the two in the database, so a sound projection costs one pass
        and returns nothing.
        """
        ...


class BalancesWriter(BalancesReader, Protocol):
    """Writes of balances, inside a write block."""

    def rebuild_projection(self, *, progress: Callable[[int], None] | None = None) -> None:
        """Replace the balance projection with a replay of the ledger.

        ``progress``, if given, is called with how far the replay got since its last call,
        in transactions (their sum is the ledger's length).
        """
        ...

    def checkpoint(self) -> int:
        """Record what as-of answers need to start from the last transaction rather than from
        the beginning of the ledger (a store that folds in memory records nothing); return
        that transaction's id.

        Checkpoints are derived data: they never change the ledger or any answer, only how
        fast an as-of answer comes, and back-dated postings after them stay correct.
        """
        ...


class GenealogyReader(Protocol):
    """Genealogy: containers, the edges between lots and serials, what reached customers."""

    def container_state(self, code: str) -> ContainerEvent | None:
        """Return the container's current state (parent and location), or ``None`` if it was
        never packed or moved."""
        ...

    def container_history(self, code: str) -> list[tuple[int, ContainerEvent]]:
        """Return every state the container was put in, with the transaction id, oldest first."""
        ...

    def container_children(self, code: str) -> list[str]:
        """Return the containers currently packed directly in ``code``, ordered by code."""
        ...

    def edges(
        self, start: Iterable[NodeKey], *, downstream: bool, until: dt.datetime | None = None
    ) -> list[TracedEdge]:
        """Return every genealogy edge reachable from ``start``, following edges from parent to
        child (``downstream``) or child to parent, effective at or before ``until``.

        A node with no serial stands for its whole lot (every serial of it); a node with no
        lot and no serial stands for the whole item.
        """
        ...

    def movements_of(
        self,
        nodes: Iterable[NodeKey],
        *,
        into: Collection[LocationKind] = (),
        out_of: Collection[LocationKind] = (),
        until: dt.datetime | None = None,
    ) -> list[LedgerLine]:
        """Return the movements of any of ``nodes`` into a location of a kind in ``into`` or
        out of one of a kind in ``out_of``, with their transactions' headers, in ledger order."""
        ...

    def balances_of(
        self,
        nodes: Iterable[NodeKey],
        *,
        as_of: dt.datetime | None = None,
        kinds: Collection[LocationKind] | None = None,
    ) -> list[Balance]:
        """Return the non-zero balances of any of ``nodes`` at locations of a kind in
        ``kinds`` (every kind when ``None``)."""
        ...

    def exposures(
        self,
        nodes: Iterable[NodeKey],
        *,
        until: dt.datetime | None = None,
        through: int | None = None,
    ) -> list[CustomerExposure]:
        """Return what each customer received of any of ``nodes``, as one set-based read.

        Movements into customer locations effective at or before ``until`` in transactions
        with id at most ``through``; reversals, and shipments reversed by a transaction within
        those bounds, left out. One summary per customer (the transaction's counterparty, else
        the location's path) and item, lot and serial, with the total, the first and last
        effective time and the documents; ordered by customer, item, lot and serial.
        :func:`stockline.genealogy._trace.customer_exposures` is the reference fold.
        """
        ...


class ReservationsReader(Protocol):
    """Reservations: stock held for order lines, and the candidates allocation ranks."""

    def reserved(self, keys: Iterable[PositionKey]) -> dict[PositionKey, Decimal]:
        """Return the quantity reserved (for any order) at each of ``keys`` that has some."""
        ...

    def reservations(
        self, order: str | None = None, *, item: str | None = None
    ) -> list[Reservation]:
        """Return the reservations (of one order, of one item), ordered by order, line, item,
        lot, serial, location, status, container."""
        ...

    def candidates(
        self,
        item: str,
        *,
        statuses: Collection[str],
        lot: str | None = None,
        location: str | None = None,
    ) -> list[Candidate]:
        """Return the positions of ``item`` an allocation may take from, as one set-based read.

        Internal locations only (under ``location`` if given), statuses in ``statuses``, and
        only positions with stock on hand: ``available`` is the quantity on hand less what is
        reserved there (zero when all of it is), ``reserved`` what is reserved there. Each
        carries its lot's expiry, its location's pick sequence, its container and when the
        stock was first received: for lot- or serial-tracked stock the
        earliest movement of that lot (serial) into an internal location, for untracked stock
        the earliest movement into that position. The serial, if any, is in
        ``attributes["serial"]``. Ordered by balance key.
        """
        ...


class ReservationsWriter(ReservationsReader, Protocol):
    """Writes of reservations, inside a write block."""

    def reserve(self, reservation: Reservation) -> None:
        """Hold ``reservation.quantity`` more at its position for its order line (adding to a
        reservation of the same line and position; the first ``created_at`` is kept).

        The caller has checked there is enough unreserved stock; the store only stores.
        """
        ...

    def consume(self, reservation: Reservation) -> None:
        """Take ``reservation.quantity`` off the same order line's reservation at the same
        position, deleting it when nothing is left. The caller has checked it is there."""
        ...

    def release_reservations(self, order: str, line: str | None = None) -> list[Reservation]:
        """Delete the reservations of ``order`` (only ``line`` when given; every line when
        ``None``) and return them."""
        ...


class DocumentsReader(Protocol):
    """Operational documents (counts, rules, expectations), versioned for optimistic updates."""

    def document(self, kind: str, key: str) -> Document | None:
        """Return the operational document ``kind``/``key``, or ``None``."""
        ...

    def documents(self, kind: str, *, prefix: str = "") -> list[Document]:
        """Return the documents of ``kind`` whose key starts with ``prefix``, ordered by key."""
        ...


class DocumentsWriter(DocumentsReader, Protocol):
    """Writes of documents, inside a write block."""

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
        """Create (``version=0``) or replace the document based on ``version`` and return it at
        its new version.

        Raises:
            StaleDocumentError: The stored version is not ``version``.
            ValidationError: ``body`` holds a value JSON does not keep exactly.
        """
        ...

    def delete_document(self, kind: str, key: str, *, version: int) -> None:
        """Delete the document, which must be at ``version``.

        Raises:
            StaleDocumentError: The stored version is not ``version``.
        """
        ...


@runtime_checkable
class ChainReader(Protocol):
    """What a store may offer so that ``verify()`` checks its hash chain faster: the chain a
    page at a time, hashed from the stored content without building records (with
    :func:`~stockline.ledger.link_hash` and the text functions beside it). Optional: a store
    without it is checked through :meth:`JournalReader.transactions` and
    :func:`~stockline.ledger.chain_hash`, with the same verdicts."""

    def chain_links(self, *, after: int, limit: int) -> list[tuple[int, str, str, str]]:
        """Return, for the transactions with ``id > after`` in id order (at most ``limit``),
        each one's id, stored ``prev_hash``, stored ``hash`` and the hash of its stored
        content."""
        ...


class LedgerReader(
    MasterReader,
    JournalReader,
    BalancesReader,
    GenealogyReader,
    ReservationsReader,
    DocumentsReader,
    Protocol,
):
    """Read access to one consistent view of a store: every concern's reads."""


class LedgerWriter(
    LedgerReader,
    MasterWriter,
    JournalWriter,
    BalancesWriter,
    ReservationsWriter,
    DocumentsWriter,
    Protocol,
):
    """A write block: everything done in it is committed together, or not at all."""


class StockStore(Protocol):
    """A place stockline keeps its ledger.

    Implementations: :class:`~stockline.adapters.InMemoryStockStore` (the reference semantics)
    and :class:`~stockline.adapters.SqlAlchemyStockStore` (SQLite, PostgreSQL).
    """

    def read(self) -> AbstractContextManager[LedgerReader]:
        """Open a consistent read view."""
        ...

    def write(self) -> AbstractContextManager[LedgerWriter]:
        """Open an atomic write block; writers are serialised."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...


def sorted_balances(balances: Iterable[Balance]) -> list[Balance]:
    """Return balances in the canonical order every store uses."""
    return sorted(balances, key=_balance_order)


def _balance_order(b: Balance) -> tuple[str, str, str, str, str, str]:
    p = b.position
    return (b.item, b.lot or "", b.serial or "", p.location, p.status, p.container or "")


def under(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or below it."""
    return path == root or path.startswith(root + "/")


def sum_quantities(values: Sequence[Decimal]) -> Decimal:
    """Return the sum of decimals (``0`` for none)."""
    return sum(values, Decimal(0))
