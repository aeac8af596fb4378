"""Every error stockline raises.

All of them derive from :class:`StocklineError`, so a caller can catch the whole family at
once. Where it helps callers, an error also derives from the matching built-in
(`ValueError` for bad input, `LookupError` for something that does not exist).

Each error carries structured fields (``item``, ``requested``, ``available``, ...) so code can
react without parsing the message, and a message that says what was expected, what was found
and what to do. A command that raises leaves the ledger exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = [
    "AllocationShortfallError",
    "BarcodeError",
    "ConcurrencyError",
    "ContainerError",
    "CountError",
    "DuplicateError",
    "EpcisError",
    "EpcisExportError",
    "ExpiredProductError",
    "GenealogyError",
    "IdempotencyConflictError",
    "InsufficientStockError",
    "IntegrityError",
    "InvalidQuantityError",
    "InvalidTimeError",
    "KitShortageError",
    "MissingDependencyError",
    "NotFoundError",
    "PermissionDeniedError",
    "PostingError",
    "ReplenishmentError",
    "ReservationError",
    "ReservedStockError",
    "ReversalError",
    "ScanMismatchError",
    "SerialError",
    "StaleDocumentError",
    "StatusError",
    "StocklineError",
    "StoreError",
    "TrackingError",
    "UnexpectedReceiptError",
    "UnknownContainerError",
    "UnknownCountError",
    "UnknownExpectationError",
    "UnknownItemError",
    "UnknownLocationError",
    "UnknownLotError",
    "UnknownPartyError",
    "UnknownStatusError",
    "UnknownTransactionError",
    "ValidationError",
]


class StocklineError(Exception):
    """Base class of every error raised by stockline."""


class ValidationError(StocklineError, ValueError):
    """Input that does not make sense on its own (a bad code, a malformed path, ...)."""


class InvalidQuantityError(ValidationError):
    """A quantity that is not a positive decimal within the unit's precision.

    Attributes:
        value: The quantity as given.
    """

    def __init__(self, message: str, *, value: object) -> None:
        super().__init__(message)
        self.value = value


class InvalidTimeError(ValidationError):
    """A time that is naive (no time zone) or otherwise unusable.

    Attributes:
        value: The time as given.
    """

    def __init__(self, message: str, *, value: object) -> None:
        super().__init__(message)
        self.value = value


class DuplicateError(ValidationError):
    """Master data that already exists with different content."""


class NotFoundError(StocklineError, LookupError):
    """Base for every "unknown ..." error."""


class UnknownItemError(NotFoundError):
    """An item (SKU or GTIN) that is not in the master data.

    Attributes:
        item: The SKU or GTIN looked up.
    """

    def __init__(self, message: str, *, item: str) -> None:
        super().__init__(message)
        self.item = item


class UnknownLocationError(NotFoundError):
    """A location path that is not in the master data.

    Attributes:
        location: The path looked up.
    """

    def __init__(self, message: str, *, location: str) -> None:
        super().__init__(message)
        self.location = location


class UnknownLotError(NotFoundError):
    """A lot that is not known for the item.

    Attributes:
        item: The SKU.
        lot: The lot code.
    """

    def __init__(self, message: str, *, item: str, lot: str) -> None:
        super().__init__(message)
        self.item = item
        self.lot = lot


class UnknownPartyError(NotFoundError):
    """A supplier or customer code that is not in the master data."""

    def __init__(self, message: str, *, party: str) -> None:
        super().__init__(message)
        self.party = party


class UnknownStatusError(NotFoundError):
    """A stock status that is neither built in nor registered."""

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


class UnknownContainerError(NotFoundError):
    """A container (handling unit) that was never created."""

    def __init__(self, message: str, *, container: str) -> None:
        super().__init__(message)
        self.container = container


class UnknownTransactionError(NotFoundError):
    """A transaction id that is not in the ledger."""

    def __init__(self, message: str, *, transaction_id: int) -> None:
        super().__init__(message)
        self.transaction_id = transaction_id


class PostingError(StocklineError):
    """A transaction that breaks a posting rule. Nothing was posted."""


class TrackingError(PostingError, ValueError):
    """A lot or serial given where the item's tracking forbids it, or missing where it needs one.

    Attributes:
        item: The SKU.
    """

    def __init__(self, message: str, *, item: str) -> None:
        super().__init__(message)
        self.item = item


class InsufficientStockError(PostingError):
    """A posting that would take an internal position below zero at some time.

    Attributes:
        item: The SKU.
        lot: The lot code, if any.
        serial: The serial, if any.
        position: A readable form of the position (location, status, container).
        requested: The quantity the posting takes out.
        available: The lowest quantity the position holds from the posting's effective time on.
    """

    def __init__(
        self,
        message: str,
        *,
        item: str,
        lot: str | None,
        serial: str | None,
        position: str,
        requested: Decimal,
        available: Decimal,
    ) -> None:
        super().__init__(message)
        self.item = item
        self.lot = lot
        self.serial = serial
        self.position = position
        self.requested = requested
        self.available = available


class SerialError(PostingError):
    """A serial that would be in more than one internal place at once, or moved in a quantity
    other than 1.

    Attributes:
        item: The SKU.
        serial: The serial number.
    """

    def __init__(self, message: str, *, item: str, serial: str) -> None:
        super().__init__(message)
        self.item = item
        self.serial = serial


class StatusError(PostingError):
    """Stock in a status that does not allow the operation (shipping held stock, ...).

    Attributes:
        status: The status at fault.
    """

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


class IdempotencyConflictError(PostingError):
    """An idempotency key reused with different content.

    Attributes:
        key: The idempotency key.
        transaction_id: The transaction first posted with that key.
    """

    def __init__(self, message: str, *, key: str, transaction_id: int) -> None:
        super().__init__(message)
        self.key = key
        self.transaction_id = transaction_id


class ReversalError(PostingError):
    """A reversal that cannot be posted (already reversed, or a reversal of a reversal)."""

    def __init__(self, message: str, *, transaction_id: int) -> None:
        super().__init__(message)
        self.transaction_id = transaction_id


class PermissionDeniedError(PostingError):
    """The host's authorizer refused the posting."""

    def __init__(self, message: str, *, actor: str | None, kind: str) -> None:
        super().__init__(message)
        self.actor = actor
        self.kind = kind


class ContainerError(PostingError):
    """A container operation that makes no sense (packing a container into itself, unpacking
    something that is not inside, ...)."""


class GenealogyError(PostingError):
    """A genealogy edge that would make a lot its own ancestor, or another impossible link."""


class BarcodeError(ValidationError):
    """A scan or GS1 code that is malformed or breaks a GS1 rule.

    Attributes:
        text: The input as given.
        ai: The Application Identifier at fault, where there is one.
    """

    def __init__(self, message: str, *, text: str, ai: str | None = None) -> None:
        super().__init__(message)
        self.text = text
        self.ai = ai


class ScanMismatchError(ValidationError):
    """A well-formed scan that contradicts the caller or the master data (a quantity other
    than the label's count, a container other than the label's SSCC, ...). Nothing was posted.

    Attributes:
        ai: The Application Identifier whose value does not fit, e.g. ``"37"``.
        scanned: What the scan says.
        expected: What the caller or the master data says.
    """

    def __init__(self, message: str, *, ai: str | None, scanned: object, expected: object) -> None:
        super().__init__(message)
        self.ai = ai
        self.scanned = scanned
        self.expected = expected


class ExpiredProductError(ScanMismatchError):
    """A scanned product already past its expiry (or best-before) date. Nothing was posted;
    pass ``allow_expired=True`` to receive it anyway (into ``status="expired"``, say).

    Attributes:
        item: The SKU.
        lot: The lot code, if any.
        expiry: The date the product expired.
        today: The date it was judged on.
    """

    def __init__(
        self,
        message: str,
        *,
        ai: str | None,
        item: str,
        lot: str | None,
        expiry: dt.date,
        today: dt.date,
    ) -> None:
        super().__init__(message, ai=ai, scanned=expiry, expected=today)
        self.item = item
        self.lot = lot
        self.expiry = expiry
        self.today = today


class IntegrityError(StocklineError):
    """The ledger was changed outside stockline: a hash does not match, or an entry is missing.

    Attributes:
        transaction_id: The first transaction found altered or missing.
    """

    def __init__(self, message: str, *, transaction_id: int | None) -> None:
        super().__init__(message)
        self.transaction_id = transaction_id


class MissingDependencyError(StocklineError, ImportError):
    """An optional feature needs a package that is not installed.

    Attributes:
        extra: The stockline extra that installs it (``pip install 'stockline[<extra>]'``).
    """

    def __init__(self, message: str, *, extra: str) -> None:
        super().__init__(message)
        self.extra = extra


class StoreError(StocklineError):
    """The storage backend failed; the original driver error is chained as ``__cause__``."""


class ConcurrencyError(StoreError):
    """A write lost a race with another writer and could not be retried within the limit.

    Attributes:
        attempts: How many times the write was tried.
    """

    def __init__(self, message: str, *, attempts: int, **extra: Any) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.extra = extra


class StaleDocumentError(ConcurrencyError):
    """An operational document (an open count, expected receipts, ...) was changed by someone
    else since it was read; read it again and redo the change.

    Attributes:
        kind: The document's kind.
        key: The document's key.
        expected: The version the change was based on (0: "must not exist yet").
        found: The version stored (0: none).
    """

    def __init__(self, message: str, *, kind: str, key: str, expected: int, found: int) -> None:
        super().__init__(message, attempts=1)
        self.kind = kind
        self.key = key
        self.expected = expected
        self.found = found


class ReservedStockError(InsufficientStockError):
    """A posting that would take stock reserved for an order.

    Reserved units leave a position only by :meth:`~stockline.allocation.Allocations.pick` or
    :meth:`~stockline.allocation.Allocations.ship` for their order; release the reservation
    (:meth:`~stockline.allocation.Allocations.release`) to use them otherwise.

    Attributes:
        orders: The orders holding the position's stock, sorted.
        reserved: The quantity reserved at the position.
    """

    def __init__(
        self,
        message: str,
        *,
        item: str,
        lot: str | None,
        serial: str | None,
        position: str,
        requested: Decimal,
        available: Decimal,
        reserved: Decimal,
        orders: tuple[str, ...],
    ) -> None:
        super().__init__(
            message,
            item=item,
            lot=lot,
            serial=serial,
            position=position,
            requested=requested,
            available=available,
        )
        self.reserved = reserved
        self.orders = orders


class ReservationError(PostingError):
    """A pick or shipment of an order that names stock not reserved for it (released,
    already picked or shipped, or never allocated). Nothing was posted.

    Attributes:
        order: The order.
        line: The order line, if one was given.
    """

    def __init__(self, message: str, *, order: str, line: str | None) -> None:
        super().__init__(message)
        self.order = order
        self.line = line


class AllocationShortfallError(StocklineError):
    """An all-or-nothing allocation that could not be served in full; nothing was reserved.

    Attributes:
        item: The SKU.
        requested: The quantity asked for.
        available: The quantity that could have been allocated.
    """

    def __init__(self, message: str, *, item: str, requested: Decimal, available: Decimal) -> None:
        super().__init__(message)
        self.item = item
        self.requested = requested
        self.available = available


class UnknownCountError(NotFoundError):
    """A count id that was never opened.

    Attributes:
        count: The count id looked up.
    """

    def __init__(self, message: str, *, count: str) -> None:
        super().__init__(message)
        self.count = count


class CountError(StocklineError, ValueError):
    """A count operation that does not fit the count's state or scope (recording on a closed
    count, a position outside its scope, two open counts of the same stock, ...). Nothing was
    changed.

    Attributes:
        count: The count id.
    """

    def __init__(self, message: str, *, count: str) -> None:
        super().__init__(message)
        self.count = count


class ReplenishmentError(PostingError):
    """Replenishment proposals that no longer fit: the pick face was filled (or its rule
    changed) since they were made, so posting them would pass the rule's maximum. Nothing was
    posted; ask for new proposals.

    Attributes:
        sku: The item.
        location: The pick face.
    """

    def __init__(self, message: str, *, sku: str, location: str) -> None:
        super().__init__(message)
        self.sku = sku
        self.location = location


class KitShortageError(StocklineError):
    """A kit (the components of a production order) that cannot be allocated in full; nothing
    was reserved.

    Attributes:
        order: The production order.
        shortages: One :class:`~stockline.operations.KitShortage` per short component
            (``sku``, ``required``, ``available``).
    """

    def __init__(self, message: str, *, order: str, shortages: tuple[Any, ...]) -> None:
        super().__init__(message)
        self.order = order
        self.shortages = shortages


class EpcisError(ValidationError):
    """An EPCIS document that is not valid EPCIS 2.0, or that stockline cannot read; nothing
    was imported. The message lists every problem found, not only the first.

    Attributes:
        problems: Every problem as ``(json_path, message)``, e.g.
            ``("$.epcisBody.eventList[0].action", "... is not an action ...")``.
    """

    def __init__(self, message: str, *, problems: tuple[tuple[str, str], ...]) -> None:
        super().__init__(message)
        self.problems = problems


class EpcisExportError(ValidationError):
    """The ledger cannot be exported as EPCIS the way the options ask: an EPC URI needs a GS1
    Company Prefix that was not given, or master data carries a malformed GLN. Nothing was
    written; fix the options or the master data as the message says.
    """


class UnknownExpectationError(NotFoundError):
    """An expected receipt (an imported ASN / shipping notice) that was never imported.

    Attributes:
        key: The expectation's key.
    """

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class UnexpectedReceiptError(ScanMismatchError):
    """A scan received against an expected receipt that the supplier did not announce: a serial,
    item or lot not in it, more than announced, or a serial already received. Nothing was
    posted; pass ``allow_unexpected=True`` to receive it anyway (it is then reported).

    Attributes:
        key: The expectation's key.
        item: The SKU scanned.
        lot: The lot scanned, if any.
        serial: The serial scanned, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str,
        item: str,
        lot: str | None,
        serial: str | None,
        scanned: object,
        expected: object,
    ) -> None:
        super().__init__(message, ai=None, scanned=scanned, expected=expected)
        self.key = key
        self.item = item
        self.lot = lot
        self.serial = serial
