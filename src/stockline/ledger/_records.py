"""Ledger records: positions, movements, transactions and balances."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs

__all__ = [
    "AVAILABLE",
    "Balance",
    "Movement",
    "NewTransaction",
    "Position",
    "PositionKey",
    "Reference",
    "Transaction",
    "TxKind",
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
    prev_hash: str = ""
    hash: str = ""


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
