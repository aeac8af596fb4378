"""Ledger records: positions, movements, transactions and balances."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal

import attrs

__all__ = [
    "AVAILABLE",
    "Balance",
    "ContainerEvent",
    "CustomerExposure",
    "Edge",
    "EdgeKind",
    "LedgerLine",
    "Movement",
    "NewTransaction",
    "NodeKey",
    "NodeSet",
    "Position",
    "PositionKey",
    "Reference",
    "TracedEdge",
    "Transaction",
    "TxKind",
    "node_matches",
]

AVAILABLE = "available"


class TxKind(enum.StrEnum):
    """What a transaction records; it decides how it is reported and exported."""

    RECEIPT = "receipt"
    TRANSFER = "transfer"
    PICK = "pick"
    SHIPMENT = "shipment"
    PRODUCTION = "production"
    PACK = "pack"
    UNPACK = "unpack"
    STATUS_CHANGE = "status_change"
    COUNT = "count"
    ADJUSTMENT = "adjustment"
    SCRAP = "scrap"
    RELABEL = "relabel"
    REVERSAL = "reversal"
    RETURN = "return"
    """Goods back from a customer (customer → internal), or back to a supplier (internal →
    supplier): a posting of its own, never a reversal of the shipment or receipt."""


@attrs.frozen(kw_only=True, order=True)
class Position:
    """Where a quantity is: a place, a status and optionally a container.

    Attributes:
        location: The location path.
        status: The stock status (``available``, ``hold``, ...).
        container: The handling unit's code (an SSCC), or ``None`` for loose stock.
    """

    location: str
    status: str = AVAILABLE
    container: str | None = None

    def __str__(self) -> str:
        text = f"{self.location} [{self.status}]"
        return f"{text} in {self.container}" if self.container else text


@attrs.frozen(kw_only=True)
class Movement:
    """One line of a transaction: a quantity of an item leaves one position and enters another.

    Attributes:
        item: The item's SKU.
        quantity: How much moves, in the item's base unit; always positive.
        src: The position the quantity leaves.
        dst: The position the quantity enters.
        lot: The lot code, for lot-tracked items.
        serial: The serial number, for serial-tracked items (then ``quantity`` is 1).
    """

    item: str
    quantity: Decimal
    src: Position
    dst: Position
    lot: str | None = None
    serial: str | None = None

    def mirrored(self) -> Movement:
        """Return the movement that undoes this one."""
        return attrs.evolve(self, src=self.dst, dst=self.src)


@attrs.frozen(kw_only=True)
class Reference:
    """A business document a transaction belongs to.

    Attributes:
        type: The document type: ``PO``, ``ASN``, ``SO``, ``WO``, ``BOL``, ``INV``, ... (free text;
            those names are mapped to standard types on export).
        number: The document number.
    """

    type: str
    number: str

    def __str__(self) -> str:
        return f"{self.type}:{self.number}"


class EdgeKind(enum.StrEnum):
    """How a genealogy edge came about."""

    TRANSFORMATION = "transformation"
    """Production: the parent was consumed to make the child."""
    RELABEL = "relabel"
    """The same goods under a new lot code (or a new item)."""
    SPLIT = "split"
    """Part of the parent lot became the child lot."""
    MERGE = "merge"
    """The parent lot went into a lot combined from several."""


@attrs.frozen(kw_only=True)
class Edge:
    """A genealogy link: (part of) the parent lot or serial went into the child.

    Attributes:
        kind: How the link came about.
        parent_item: The parent's SKU.
        parent_lot: The parent's lot code.
        parent_serial: The parent's serial.
        child_item: The child's SKU.
        child_lot: The child's lot code.
        child_serial: The child's serial.
        quantity: How much of the parent went into the child, in the parent's unit.
    """

    kind: EdgeKind
    parent_item: str
    parent_lot: str | None
    parent_serial: str | None
    child_item: str
    child_lot: str | None
    child_serial: str | None
    quantity: Decimal


@attrs.frozen(kw_only=True)
class ContainerEvent:
    """A container's state after a transaction: what it is in, and where it is.

    The history of these events is the history of what was in which container, and when.

    Attributes:
        container: The container's code (an SSCC for GS1 logistic units).
        parent: The container it is now packed in, or ``None``.
        location: The location it is now at, or ``None`` when it is empty and nowhere.
    """

    container: str
    parent: str | None
    location: str | None


@attrs.frozen(kw_only=True)
class NewTransaction:
    """A transaction as the caller asks for it, before it is posted.

    Attributes:
        kind: What the transaction records.
        movements: The movement lines; all are posted or none.
        effective_at: When it happened on the floor; the clock's "now" when ``None``.
        key: An idempotency key: posting the same key with the same content again returns the
            first transaction; with different content it raises.
        refs: Business documents (PO, ASN, SO, work order, BOL).
        counterparty: The supplier or customer code.
        actor: Who posted it.
        reason: Why (required for holds, adjustments and reversals).
        reverses: The id of the transaction this one reverses.
        edges: Genealogy links the transaction makes (production, relabel, split, merge).
        containers: Container states the transaction sets (pack, unpack, container moves).
    """

    kind: TxKind
    movements: tuple[Movement, ...]
    effective_at: dt.datetime | None = None
    key: str | None = None
    refs: tuple[Reference, ...] = ()
    counterparty: str | None = None
    actor: str | None = None
    reason: str | None = None
    reverses: int | None = None
    edges: tuple[Edge, ...] = ()
    containers: tuple[ContainerEvent, ...] = ()


@attrs.frozen(kw_only=True)
class Transaction:
    """A posted transaction (journal entry). Never changed once posted.

    Attributes:
        id: The transaction's number; ids increase in posting order without gaps.
        kind: What the transaction records.
        movements: The movement lines.
        effective_at: When it happened on the floor (UTC).
        recorded_at: When it was posted (UTC).
        key: The idempotency key it was posted with, if any.
        refs: Business documents.
        counterparty: The supplier or customer code.
        actor: Who posted it.
        reason: Why.
        reverses: The id of the transaction this one reverses.
        edges: Genealogy links the transaction made.
        containers: Container states the transaction set.
        prev_hash: The hash of the transaction before it (the genesis hash for the first).
        hash: The hash of this transaction's canonical content chained to ``prev_hash``.
    """

    id: int
    kind: TxKind
    movements: tuple[Movement, ...]
    effective_at: dt.datetime
    recorded_at: dt.datetime
    key: str | None = None
    refs: tuple[Reference, ...] = ()
    counterparty: str | None = None
    actor: str | None = None
    reason: str | None = None
    reverses: int | None = None
    edges: tuple[Edge, ...] = ()
    containers: tuple[ContainerEvent, ...] = ()
    prev_hash: str = ""
    hash: str = ""


@attrs.frozen(kw_only=True)
class LedgerLine:
    """One movement together with the header of the transaction it belongs to.

    Attributes:
        transaction_id: The transaction's id.
        kind: The transaction's kind.
        effective_at: When it happened.
        counterparty: The transaction's supplier or customer.
        refs: The transaction's documents.
        reverses: The id the transaction reverses, if it is a reversal.
        movement: The movement.
    """

    transaction_id: int
    kind: TxKind
    effective_at: dt.datetime
    counterparty: str | None
    refs: tuple[Reference, ...]
    reverses: int | None
    movement: Movement


#: A node of the genealogy: item, lot, serial. ``None`` for lot or serial widens the node to
#: every lot or serial.
NodeKey = tuple[str, str | None, str | None]

#: An edge as found by a trace: the transaction that made it, when, and the edge.
TracedEdge = tuple[int, dt.datetime, Edge]

#: The identity of a balance: item, lot, serial, location, status, container.
PositionKey = tuple[str, str | None, str | None, str, str, str | None]


@attrs.frozen(kw_only=True)
class Balance:
    """A quantity of one item (lot, serial) in one position.

    Attributes:
        item: The item's SKU.
        lot: The lot code, if any.
        serial: The serial, if any.
        position: Where the quantity is.
        quantity: How much (negative only at counterparty locations).
    """

    item: str
    lot: str | None
    serial: str | None
    position: Position
    quantity: Decimal

    @property
    def key(self) -> PositionKey:
        """The balance's identity as a tuple."""
        p = self.position
        return (self.item, self.lot, self.serial, p.location, p.status, p.container)


def node_matches(node: NodeKey, item: str, lot: str | None, serial: str | None) -> bool:
    """Whether stock of (item, lot, serial) belongs to ``node`` (``None`` widens the node)."""
    node_item, node_lot, node_serial = node
    return (
        node_item == item
        and (node_lot is None or node_lot == lot)
        and (node_serial is None or node_serial == serial)
    )


class NodeSet:
    """A set of genealogy nodes with O(1) membership for stock of (item, lot, serial)."""

    __slots__ = ("_items", "_lots", "_serials")

    def __init__(self, nodes: Iterable[NodeKey]) -> None:
        self._items: set[str] = set()
        self._lots: set[tuple[str, str | None]] = set()
        self._serials: set[tuple[str, str | None, str]] = set()
        for item, lot, serial in nodes:
            if serial is not None:
                self._serials.add((item, lot, serial))
            elif lot is not None:
                self._lots.add((item, lot))
            else:
                self._items.add(item)

    def __contains__(self, stock: tuple[str, str | None, str | None]) -> bool:
        item, lot, serial = stock
        return (
            item in self._items
            or (item, lot) in self._lots
            or (
                serial is not None
                and ((item, lot, serial) in self._serials or (item, None, serial) in self._serials)
            )
        )


@attrs.frozen(kw_only=True)
class CustomerExposure:
    """What one customer received of one affected lot or serial.

    Attributes:
        customer: The customer's code.
        item: The SKU.
        lot: The lot code.
        serial: The serial.
        quantity: The total shipped (reversed shipments left out).
        first_shipped: The first shipment's time.
        last_shipped: The last shipment's time.
        documents: The shipments' documents (SO, BOL, ...).
    """

    customer: str
    item: str
    lot: str | None
    serial: str | None
    quantity: Decimal
    first_shipped: dt.datetime
    last_shipped: dt.datetime
    documents: tuple[str, ...]
