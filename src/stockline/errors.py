"""Every error stockline raises.

All of them derive from :class:`StocklineError`, so a caller can catch the whole family at
once. Where it helps callers, an error also derives from the matching built-in
(`ValueError` for bad input, `LookupError` for something that does not exist).

Each error is declared once, here, as a frozen attrs exception carrying structured fields
(``item``, ``requested``, ``available``, ...) so code can react without parsing the message;
the message is composed from those fields and says what was expected, what was found and
what to do. A command that raises leaves the ledger exactly as it was.

Raising sites pass fields only (``raise UnknownItemError(item=sku)``). Two fields every error
has:

* ``advice``: what to do, where the raising site knows better than the class (rare).
* ``message``: the whole text, given positionally. The errors with no fields of their own
  (:class:`ValidationError`, :class:`BarcodeError`, :class:`StoreError`, ...) are described by
  it; for every other error it is a transitional override of the composed text, kept so that
  ``UnknownItemError("...", item=sku)`` still works while the last call sites are converted.

Errors compare equal when they are of the same class with equal fields, and survive
``pickle`` (so they cross process boundaries, e.g. from a worker pool).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

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
    "PickError",
    "PostingError",
    "PutawayError",
    "ReplenishmentError",
    "ReservationError",
    "ReservedStockError",
    "ReturnError",
    "ReversalError",
    "ScanMismatchError",
    "SerialError",
    "SerialPoolExhaustedError",
    "StaleDocumentError",
    "StatusError",
    "StocklineError",
    "StoreError",
    "TrackingError",
    "TransferError",
    "UnexpectedReceiptError",
    "UnknownContainerError",
    "UnknownCountError",
    "UnknownExpectationError",
    "UnknownItemError",
    "UnknownLocationError",
    "UnknownLotError",
    "UnknownPartyError",
    "UnknownSerialError",
    "UnknownSerialPoolError",
    "UnknownStatusError",
    "UnknownTransactionError",
    "UnknownTransferError",
    "ValidationError",
]

# Every error is declared with @attrs.define(auto_exc=True, frozen=True, slots=False,
# eq=False): an exception (``args`` holds the field values), immutable, with a ``__dict__``
# (exceptions carry ``__traceback__``, ``__notes__``, ...; slots would clash between the
# built-in bases), and compared by value through StocklineError.__eq__ rather than attrs'
# identity rule for exceptions. Every field but ``message`` is keyword-only.


def _rebuild(kind: type[StocklineError], fields: dict[str, Any]) -> StocklineError:
    """Make an error again from its fields (the other half of ``__reduce__``)."""
    return kind(**fields)


def _lot_serial(lot: str | None, serial: str | None) -> str:
    return f"{f' lot {lot}' if lot else ''}{f' serial {serial}' if serial else ''}"


def _unit(unit: str) -> str:
    """A pallet (its SSCC, all digits) or a case (its ``(01)…(21)…``) as the message names it."""
    return f"SSCC {unit}" if unit.isdigit() else f"case {unit}"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class StocklineError(Exception):
    """Base class of every error raised by stockline.

    Attributes:
        message: The whole message, for the errors that have no fields of their own; on
            the others a transitional override of the composed text (``None``: composed).
        advice: What to do, where the raising site adds to the class's own advice.
    """

    message: str | None = attrs.field(default=None, kw_only=False)
    advice: str | None = attrs.field(default=None, kw_only=True)

    def __str__(self) -> str:
        text = self.message if self.message is not None else self._compose()
        return text if self.advice is None else f"{text}; {self.advice}"

    def _compose(self) -> str:
        """The message from the fields; subclasses with fields override it."""
        doc = (type(self).__doc__ or type(self).__name__).strip()
        return doc.split("\n\n", 1)[0].replace("\n", " ").rstrip(".")

    def _fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self)) if f.init}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, StocklineError)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((type(self), str(self)))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self._fields()))


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ValidationError(StocklineError, ValueError):
    """Input that does not make sense on its own (a bad code, a malformed path, ...).

    An argument of the wrong kind is described by ``what``, ``value`` and ``expected``; a
    rule that is not about one argument by its ``message``.

    Attributes:
        what: The argument at fault, e.g. ``"sku"`` (``None``: the message says).
        value: The value as given.
        expected: What it must be, e.g. ``"text (a str)"`` (on a scan mismatch: the value
            the caller or the master data gives).
    """

    what: str | None = attrs.field(default=None, kw_only=True)
    value: object = attrs.field(default=None, kw_only=True)
    expected: object = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        if self.expected is None:
            return super()._compose()
        shown = repr(self.value)
        kind = type(self.value).__name__
        got = shown if shown.startswith(kind) else f"{kind} {shown}"
        return f"{self.what} must be {self.expected}, got {got}"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class InvalidQuantityError(ValidationError):
    """A quantity that is not a positive decimal within the unit's precision.

    Attributes:
        value: The quantity as given.
        what: What the quantity is, e.g. ``"quantity of SKU-1"``.
        expected: What it must be, where that is not "a positive decimal", e.g.
            ``"zero or more"``.
        decimals: The unit's decimal places, when the quantity has more.
    """

    value: object = attrs.field(kw_only=True)
    what: str = attrs.field(default="quantity", kw_only=True)
    expected: str | None = attrs.field(default=None, kw_only=True)
    decimals: int | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        value, what = self.value, self.what
        if self.expected is not None:
            return super()._compose()
        if self.decimals is not None:
            return (
                f"{what} {value!r} has more than {self.decimals} decimal places, the precision "
                "of its unit; round it, or give the item a finer unit"
            )
        if isinstance(value, bool | float):
            return (
                f"{what} {value!r} is a {type(value).__name__}; stockline takes Decimal, int or "
                f"a decimal string so that amounts stay exact, e.g. Decimal({str(value)!r})"
            )
        if isinstance(value, str):
            try:
                Decimal(value)
            except InvalidOperation:
                return f"{what} {value!r} is not a number; give a decimal such as '12' or '0.5'"
        elif not isinstance(value, Decimal | int):
            return f"{what} must be a Decimal, int or decimal string, got {type(value).__name__}"
        return (
            f"{what} must be positive, got {value!r}; to take stock out, post the movement the "
            "other way round"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class InvalidTimeError(ValidationError):
    """A time that is naive (no time zone) or otherwise unusable.

    Attributes:
        value: The time as given.
        what: What the time is, e.g. ``"effective_at"``.
        expected: What it must be, where that is not "a datetime with a time zone", e.g.
            ``"a datetime.date"``.
    """

    value: object = attrs.field(kw_only=True)
    what: str = attrs.field(default="time", kw_only=True)
    expected: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        value, what = self.value, self.what
        if self.expected is not None:
            return super()._compose()
        if isinstance(value, dt.datetime):
            return (
                f"{what} {value.isoformat()} has no time zone; stockline does not guess one. "
                "Attach the zone it was taken in, e.g. "
                "value.replace(tzinfo=ZoneInfo('Europe/Berlin'))"
            )
        return (
            f"{what} must be a datetime with a time zone, got {type(value).__name__} {value!r}; "
            "pass e.g. datetime(2026, 3, 1, 8, tzinfo=timezone.utc) or pendulum.now()"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class DuplicateError(ValidationError):
    """Master data that already exists with different content."""


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class NotFoundError(StocklineError, LookupError):
    """Base for every "unknown ..." error."""


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownItemError(NotFoundError):
    """An item (SKU or GTIN) that is not in the master data.

    Attributes:
        item: The SKU or GTIN looked up.
    """

    item: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return f"item {self.item!r} is not in the master data; add it with add_item() first"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownLocationError(NotFoundError):
    """A location path that is not in the master data.

    Attributes:
        location: The path looked up.
    """

    location: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"location {self.location!r} is not in the master data; add it with add_location() "
            "first"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownLotError(NotFoundError):
    """A lot that is not known for the item.

    Attributes:
        item: The SKU.
        lot: The lot code.
    """

    item: str = attrs.field(kw_only=True)
    lot: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"lot {self.lot!r} of {self.item} is not known; it is created when received "
            "(receive(..., lot=...)) or with add_lot()"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownSerialError(NotFoundError):
    """A serial that no transaction of the item ever moved.

    Attributes:
        item: The SKU.
        serial: The serial number.
    """

    item: str = attrs.field(kw_only=True)
    serial: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"serial {self.serial!r} of {self.item} is not known: no transaction moved it; "
            "check the serial number and the item"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownPartyError(NotFoundError):
    """A supplier or customer code that is not in the master data.

    Attributes:
        party: The code looked up.
    """

    party: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return f"party {self.party!r} is not in the master data; add it with add_party() first"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownStatusError(NotFoundError):
    """A stock status that is neither built in nor registered.

    Attributes:
        status: The status looked up.
    """

    status: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"status {self.status!r} is not known; the built-in ones are available, "
            "quarantine, hold, damaged and expired, and add_status() adds your own"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownContainerError(NotFoundError):
    """A container (handling unit) that was never created.

    Attributes:
        container: The container looked up.
    """

    container: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return f"container {self.container!r} does not exist; create it first"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownTransactionError(NotFoundError):
    """A transaction id that is not in the ledger.

    Attributes:
        transaction_id: The id looked up.
    """

    transaction_id: int = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"transaction {self.transaction_id} is not in the ledger; list recent ones with "
            "changes()"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class PostingError(StocklineError):
    """A transaction that breaks a posting rule. Nothing was posted."""


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class TrackingError(PostingError, ValueError):
    """A lot or serial given where the item's tracking forbids it, or missing where it needs one.

    Attributes:
        item: The SKU.
        tracking: The item's tracking (``"none"``, ``"lot"`` or ``"serial"``), if known.
        lot: The lot the movement names, if any.
        serial: The serial the movement names, if any.
    """

    item: str = attrs.field(kw_only=True)
    tracking: str | None = attrs.field(default=None, kw_only=True)
    lot: str | None = attrs.field(default=None, kw_only=True)
    serial: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        item = self.item
        if self.tracking == "lot":
            if self.lot is None and self.serial is None:
                return f"item {item} is lot-tracked; every movement of it must name a lot"
            name = "" if self.lot is not None else ", and name its lot"
            return f"item {item} is lot-tracked, not serial-tracked; leave the serial out{name}"
        if self.tracking == "serial":
            return f"item {item} is serial-tracked; every movement of it must name a serial"
        given = [f"{k} {v!r}" for k, v in (("lot", self.lot), ("serial", self.serial)) if v]
        them = "it" if len(given) == 1 else "them"
        named = " and ".join(given) or "a lot or serial"
        return (
            f"item {item} is not lot- or serial-tracked, but {named} was given; leave {them} "
            "out, or change the item's tracking"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class InsufficientStockError(PostingError):
    """A posting that would take an internal position below zero at some time.

    Attributes:
        item: The SKU.
        lot: The lot code, if any.
        serial: The serial, if any.
        position: A readable form of the position (location, status, container).
        requested: The quantity the posting takes out.
        available: The lowest quantity the position holds from the posting's effective time on.
        since: The posting's effective time, when the shortfall comes from later postings.
    """

    item: str = attrs.field(kw_only=True)
    lot: str | None = attrs.field(kw_only=True)
    serial: str | None = attrs.field(kw_only=True)
    position: str = attrs.field(kw_only=True)
    requested: Decimal = attrs.field(kw_only=True)
    available: Decimal = attrs.field(kw_only=True)
    since: dt.datetime | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        when = "" if self.since is None else f" at some time from {self.since.isoformat()} on"
        return (
            f"not enough {self.item}{_lot_serial(self.lot, self.serial)} in {self.position}"
            f"{when}: {self.requested} requested, {max(self.available, Decimal(0))} there; post "
            "the receipt or move that brings it there first, or take less"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class SerialError(PostingError):
    """A serial that would be in more than one internal place at once, or moved in a quantity
    other than 1.

    Attributes:
        item: The SKU.
        serial: The serial number.
        quantity: The quantity it was moved in, when that is not 1 (``None``: the serial is
            already in stock).
        pack: The GTIN of the pack the serial was scanned on, when that is not the unit's
            own GTIN (the serial then names the pack, not a unit).
    """

    item: str = attrs.field(kw_only=True)
    serial: str = attrs.field(kw_only=True)
    quantity: Decimal | None = attrs.field(default=None, kw_only=True)
    pack: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        if self.pack is not None:
            return (
                f"serial {self.serial} is on pack GTIN {self.pack} of {self.item}, so it names "
                f"the pack, not a unit; {self.item} is serial-tracked unit by unit: scan each "
                "unit"
            )
        if self.quantity is not None:
            return (
                f"serial {self.serial} of {self.item} moves in quantity {self.quantity}; a "
                "serial is one unit, so post one movement of quantity 1 per serial"
            )
        return (
            f"serial {self.serial} of {self.item} is already in stock; a serial can be in only "
            "one place at a time. Move it (move()) instead of receiving it again, or check the "
            "serial number"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class StatusError(PostingError):
    """Stock in a status that does not allow the operation (shipping held stock, ...).

    Attributes:
        status: The status at fault.
        location: Where the stock is, if known.
        action: What was refused, e.g. ``"ship"``.
    """

    status: str = attrs.field(kw_only=True)
    location: str | None = attrs.field(default=None, kw_only=True)
    action: str = attrs.field(default="allocate", kw_only=True)

    def _compose(self) -> str:
        at = "" if self.location is None else f" at {self.location}"
        return (
            f"cannot {self.action} stock in status {self.status!r}{at}; only allocatable "
            "statuses (such as 'available') may be; release it first"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class IdempotencyConflictError(PostingError):
    """An idempotency key reused with different content.

    Attributes:
        key: The idempotency key.
        transaction_id: The transaction first posted with that key.
    """

    key: str = attrs.field(kw_only=True)
    transaction_id: int = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"idempotency key {self.key!r} was used by transaction {self.transaction_id} for "
            "different content; use a new key for a new transaction, or repeat the original "
            "request exactly"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ReversalError(PostingError):
    """A reversal that cannot be posted (already reversed, or a reversal of a reversal).

    Attributes:
        transaction_id: The transaction asked to be reversed.
        reversed_by: The reversal that already reversed it (``None``: it is itself a
            reversal).
    """

    transaction_id: int = attrs.field(kw_only=True)
    reversed_by: int | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        if self.reversed_by is not None:
            return (
                f"transaction {self.transaction_id} was already reversed by transaction "
                f"{self.reversed_by}; nothing to do"
            )
        return (
            f"transaction {self.transaction_id} is itself a reversal; to redo the original, "
            "post it again"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class PermissionDeniedError(PostingError):
    """The host's authorizer refused the posting.

    Attributes:
        actor: Who posted (``None``: the posting names no actor).
        kind: The transaction's kind.
        summary: What the posting does, in short (e.g. ``"3 movements of SKU-1"``).
    """

    actor: str | None = attrs.field(kw_only=True)
    kind: str = attrs.field(kw_only=True)
    summary: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        if self.actor is None:
            return (
                f"this inventory checks who posts, and the {self.kind} names no actor; pass actor="
            )
        what = "" if self.summary is None else f" ({self.summary})"
        return (
            f"{self.actor} may not post this {self.kind}{what}; the host's authorizer refused "
            "it and nothing was posted"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ContainerError(PostingError):
    """A container operation that makes no sense (packing a container into itself, unpacking
    something that is not inside, ...)."""


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class GenealogyError(PostingError):
    """A genealogy edge that would make a lot its own ancestor, or another impossible link."""


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class BarcodeError(ValidationError):
    """A scan or GS1 code that is malformed or breaks a GS1 rule.

    Its ``message`` says which rule the code breaks and how to read it again.

    Attributes:
        text: The input as given.
        ai: The Application Identifier at fault, where there is one.
    """

    text: str = attrs.field(kw_only=True)
    ai: str | None = attrs.field(default=None, kw_only=True)


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ScanMismatchError(ValidationError):
    """A well-formed scan that contradicts the caller or the master data (a quantity other
    than the label's count, a container other than the label's SSCC, ...). Nothing was posted.

    ``advice``, where given, says what to do in place of "check the label, or leave the
    argument out".

    Attributes:
        ai: The Application Identifier whose value does not fit, e.g. ``"37"``.
        scanned: What the scan says.
        expected: What the caller or the master data says (``None`` with ``notice``: the
            notice does not say).
        what: The argument the scan contradicts, e.g. ``"lot"`` (``None``: not an argument).
        value: The scan as read, e.g. ``"(01)04012345000016(10)L1"``.
        notice: The expected receipt (shipping notice) the scan is received against, when it
            is the notice that does not say what ``scanned`` holds.
        holds: What the notice does not say about ``scanned``, e.g. ``"how many of BOLT"``
            (``None``: what it holds at all).
    """

    ai: str | None = attrs.field(kw_only=True)
    scanned: object = attrs.field(kw_only=True)
    expected: object = attrs.field(kw_only=True)
    notice: str | None = attrs.field(default=None, kw_only=True)
    holds: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        scan = "the scan" if self.value is None else f"the scan ({self.value})"
        if self.notice is not None:
            holds = "what" if self.holds is None else self.holds
            unit = _unit(str(self.scanned))
            said = f"expected receipt {self.notice!r} does not say {holds} {unit} holds"
            todo = "scan the items on it instead"
        elif self.what is not None:
            ai = "" if self.ai is None else f" ({self.ai})"
            said = f"{scan} says {self.what} {self.scanned}{ai}, but {self.expected} was given"
            todo = "check the label, or leave the argument out"
        else:
            field = scan if self.ai is None else f"{scan}'s AI ({self.ai})"
            said = f"{field} says {self.scanned!r}, but {self.expected!r} was expected"
            todo = "check the label, or leave the argument out"
        return said if self.advice is not None else f"{said}; {todo}"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ExpiredProductError(ScanMismatchError):
    """A scanned product already past its expiry (or best-before) date. Nothing was posted;
    pass ``allow_expired=True`` with a ``reason`` to receive it anyway (into
    ``status="expired"``, say).

    ``scanned`` is the expiry and ``expected`` the date it was judged on.

    Attributes:
        item: The SKU.
        lot: The lot code, if any.
        expiry: The date the product expired.
        today: The date it was judged on.
        announced: Received against an expected receipt, so an expiry not on the label (no
            ``ai``) is the one the shipping notice or the lot gives.
    """

    scanned: object = attrs.field(init=False)
    expected: object = attrs.field(init=False)
    item: str = attrs.field(kw_only=True)
    lot: str | None = attrs.field(kw_only=True)
    expiry: dt.date = attrs.field(kw_only=True)
    today: dt.date = attrs.field(kw_only=True)
    announced: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "scanned", self.expiry)
        object.__setattr__(self, "expected", self.today)

    def _compose(self) -> str:
        name = {
            "17": "expiry date (17) on the label",
            "15": "best-before date (15) on the label",
            "11": "production date (11) on the label plus the item's shelf life",
        }.get(
            self.ai or "",
            "expiry the shipping notice or the lot gives"
            if self.announced
            else "expiry recorded for the lot",
        )
        return (
            f"{self.item}{_lot_serial(self.lot, None)} expired on {self.expiry.isoformat()} "
            f"({name}), before {self.today.isoformat()}; do not receive it, or pass "
            "allow_expired=True with a reason (and status='expired', say) to record it anyway"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class IntegrityError(StocklineError):
    """The ledger was changed outside stockline: a hash does not match, or an entry is missing.

    Attributes:
        transaction_id: The first transaction found altered or missing.
        detail: What was found wrong with it.
        problems: How many problems were found in all.
    """

    transaction_id: int | None = attrs.field(kw_only=True)
    detail: str | None = attrs.field(default=None, kw_only=True)
    problems: int = attrs.field(default=1, kw_only=True)

    def _compose(self) -> str:
        detail = self.detail or f"transaction {self.transaction_id} was altered or is missing"
        return (
            f"ledger integrity check failed: {detail} ({self.problems} problem(s) in all). The "
            "ledger was changed outside stockline; restore it from a backup and compare"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class MissingDependencyError(StocklineError, ImportError):
    """An optional feature needs a package that is not installed.

    Attributes:
        extra: The stockline extra that installs it (``pip install 'stockline[<extra>]'``).
        feature: What needs it, e.g. ``"writing XLSX"``.
        package: The package it needs, e.g. ``"openpyxl"``.
    """

    extra: str = attrs.field(kw_only=True)
    feature: str | None = attrs.field(default=None, kw_only=True)
    package: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        feature = self.feature or "this feature"
        needs = f" needs {self.package}" if self.package else " needs a package that is missing"
        return f"{feature}{needs}; install it with pip install 'stockline[{self.extra}]'"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class StoreError(StocklineError):
    """The storage backend failed; the original driver error is chained as ``__cause__``."""


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ConcurrencyError(StoreError):
    """A write lost a race with another writer and could not be retried within the limit.

    Attributes:
        attempts: How many times the write was tried.
        detail: What the database said.
        extra: Further facts about the race, by name.
    """

    attempts: int = attrs.field(kw_only=True)
    detail: str | None = attrs.field(default=None, kw_only=True)
    extra: Mapping[str, Any] = attrs.field(factory=dict, kw_only=True)

    def _compose(self) -> str:
        said = "" if self.detail is None else f" ({self.detail})"
        return (
            f"the database reported a conflict with another writer {self.attempts} time(s) in a "
            f"row{said}; nothing was written. Retry the operation (with the same key=, it cannot "
            "post twice), or open the store with a larger max_attempts"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class StaleDocumentError(ConcurrencyError):
    """An operational document (an open count, expected receipts, ...) was changed by someone
    else since it was read; read it again and redo the change.

    Attributes:
        kind: The document's kind.
        key: The document's key.
        expected: The version the change was based on (0: "must not exist yet").
        found: The version stored (0: none).
    """

    attempts: int = attrs.field(default=1, kw_only=True)
    kind: str = attrs.field(kw_only=True)
    key: str = attrs.field(kw_only=True)
    expected: int = attrs.field(kw_only=True)
    found: int = attrs.field(kw_only=True)

    def _compose(self) -> str:
        found = "does not exist" if self.found == 0 else f"is at version {self.found}"
        return (
            f"document {self.kind}/{self.key} {found}, but the change was based on version "
            f"{self.expected}; read it again and redo the change"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ReservedStockError(InsufficientStockError):
    """A posting that would take stock reserved for an order.

    Reserved units leave a position only by :meth:`~stockline.allocation.Allocations.pick` or
    :meth:`~stockline.allocation.Allocations.ship` for their order; release the reservation
    (:meth:`~stockline.allocation.Allocations.release`) to use them otherwise.

    Attributes:
        orders: The orders holding the position's stock, sorted.
        reserved: The quantity reserved at the position.
        held: The quantity the position holds.
    """

    reserved: Decimal = attrs.field(kw_only=True)
    orders: tuple[str, ...] = attrs.field(kw_only=True)
    held: Decimal | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        held = "" if self.held is None else f" of the {self.held} there"
        verb = "is" if len(self.orders) == 1 else "are"
        return (
            f"{self.requested} {self.item}{_lot_serial(self.lot, self.serial)} requested from "
            f"{self.position}, but {self.reserved}{held} {verb} reserved for order "
            f"{', '.join(self.orders)}; only {self.available} may be taken. Pick or ship it for "
            "that order, or release the reservation first"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ReservationError(PostingError):
    """A pick or shipment of an order that names stock not reserved for it (released,
    already picked or shipped, or never allocated). Nothing was posted.

    Attributes:
        order: The order.
        line: The order line, if one was given.
        quantity: The quantity the pick asks for, when some stock was named.
        item: The SKU picked, with ``quantity``.
        location: Where it was to be picked from, with ``quantity``.
    """

    order: str = attrs.field(kw_only=True)
    line: str | None = attrs.field(kw_only=True)
    quantity: Decimal | None = attrs.field(default=None, kw_only=True)
    item: str | None = attrs.field(default=None, kw_only=True)
    location: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        line = "" if self.line is None else f" line {self.line}"
        if self.quantity is not None:
            return (
                f"{self.quantity} {self.item} at {self.location} is not reserved for order "
                f"{self.order}{line} (released, picked or shipped already); allocate again"
            )
        return (
            f"nothing is reserved for order {self.order}{line}; allocate it first (or it was "
            "shipped or released already)"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class AllocationShortfallError(StocklineError):
    """An all-or-nothing allocation that could not be served in full; nothing was reserved.

    Attributes:
        item: The SKU.
        requested: The quantity asked for.
        available: The quantity that could have been allocated.
    """

    item: str = attrs.field(kw_only=True)
    requested: Decimal = attrs.field(kw_only=True)
    available: Decimal = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"only {self.available} of {self.requested} {self.item} can be allocated; nothing "
            "was reserved. Allocate less, or without all_or_nothing to take what there is"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownCountError(NotFoundError):
    """A count id that was never opened.

    Attributes:
        count: The count id looked up.
    """

    count: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return f"count {self.count!r} was never opened; list the counts with counts()"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class CountError(StocklineError, ValueError):
    """A count operation that does not fit the count's state or scope (recording on a closed
    count, a position outside its scope, two open counts of the same stock, ...). Nothing was
    changed.

    Its ``message`` says what does not fit.

    Attributes:
        count: The count id.
    """

    count: str = attrs.field(kw_only=True)


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ReplenishmentError(PostingError):
    """Replenishment proposals that no longer fit: the pick face was filled (or its rule
    changed) since they were made, so posting them would pass the rule's maximum. Nothing was
    posted; ask for new proposals.

    Attributes:
        sku: The item.
        location: The pick face.
        removed: The pick face's rule was removed since the proposals were made.
        on_hand: What the pick face holds now (every status, reserved or not), when posting
            would pass the rule's maximum.
        quantity: What the proposals would move there, with ``on_hand``.
        maximum: The rule's maximum, with ``on_hand``.
    """

    sku: str = attrs.field(kw_only=True)
    location: str = attrs.field(kw_only=True)
    removed: bool = attrs.field(default=False, kw_only=True)
    on_hand: Decimal | None = attrs.field(default=None, kw_only=True)
    quantity: Decimal | None = attrs.field(default=None, kw_only=True)
    maximum: Decimal | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        if self.removed:
            return (
                f"the replenishment rule for {self.sku} at {self.location} was removed since "
                "the proposals were made; nothing was posted"
            )
        if self.on_hand is not None:
            return (
                f"{self.location} now holds {self.on_hand} {self.sku} (every status, reserved or "
                f"not); moving {self.quantity} more would pass the rule's max of {self.maximum}. "
                "It was filled (or the rule changed) since the proposals were made; nothing was "
                "posted. Ask replenishment.propose() again"
            )
        return (
            f"the replenishment proposals for {self.sku} at {self.location} no longer fit: the "
            "pick face changed since they were made, and posting them would pass its maximum; "
            "nothing was posted. Ask for new proposals"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class PutawayError(PostingError):
    """A put-away into a location whose put-away rules forbid the stock: the location is
    blocked, does not take the stock's status, storage condition, hazard class or category,
    would mix items or lots where it may not, or would pass its capacity. Nothing was posted.

    Attributes:
        location: The location put away into.
        rule: Which rule forbids it: ``"blocked"``, ``"status"``, ``"storage"``, ``"hazard"``,
            ``"category"``, ``"mixing"``, ``"capacity"`` or ``"rules"`` (the location has no
            put-away rules).
        detail: What breaks the rule, in words.
    """

    location: str = attrs.field(kw_only=True)
    rule: str = attrs.field(kw_only=True)
    detail: str = attrs.field(default="", kw_only=True)

    def _compose(self) -> str:
        why = f": {self.detail}" if self.detail else ""
        return (
            f"put-away into {self.location} breaks its {self.rule} rule{why}. Nothing was "
            "posted; ask putaway.suggest() for a location that takes it"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownTransferError(NotFoundError):
    """A transfer order that was never created.

    Attributes:
        order: The order number looked up.
    """

    order: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return f"transfer order {self.order!r} was never created; list them with transfers.orders()"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class TransferError(StocklineError, ValueError):
    """A transfer order operation that does not fit the order: shipping it twice, receiving
    on a cancelled or closed order, receiving more than is in transit, too little stock to
    ship. Nothing was posted.

    Its ``message`` says what does not fit.

    Attributes:
        order: The order number.
    """

    order: str = attrs.field(kw_only=True)


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class KitShortageError(StocklineError):
    """A kit (the components of a production order) that cannot be allocated in full; nothing
    was reserved.

    Attributes:
        order: The production order.
        shortages: One :class:`~stockline.operations.KitShortage` per short component
            (``sku``, ``required``, ``available``).
    """

    order: str = attrs.field(kw_only=True)
    shortages: tuple[Any, ...] = attrs.field(kw_only=True)

    def _compose(self) -> str:
        listed = "; ".join(
            f"{s.sku}: {s.required} required, {s.available} available" for s in self.shortages
        )
        return (
            f"the kit for order {self.order} is short of {listed}; nothing was reserved. "
            "Receive or move the missing stock, or kit fewer units"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class EpcisError(ValidationError):
    """An EPCIS document that is not valid EPCIS 2.0, or that stockline cannot read; nothing
    was imported. The message lists every problem found, not only the first.

    Attributes:
        problems: Every problem as ``(json_path, message)``, e.g.
            ``("$.epcisBody.eventList[0].action", "... is not an action ...")``.
        source: What could not be read as a document at all, e.g. ``"'asn.json'"`` or
            ``"the bytes given"``; its problems (at ``$``) say why (``None``: the document
            was read, and the problems are in its content).
        summary: What the problems have in common, where that says more than their number,
            e.g. ``"announces goods stockline cannot identify or accept"``.
    """

    problems: tuple[tuple[str, str], ...] = attrs.field(kw_only=True)
    source: str | None = attrs.field(default=None, kw_only=True)
    summary: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        if self.source is not None:
            why = "; ".join(text for _, text in self.problems)
            return f"cannot read the EPCIS document in {self.source}: {why}; nothing was imported"
        listed = "\n".join(f"  {path}: {text}" for path, text in self.problems)
        count = f"{len(self.problems)} problem(s)"
        said = f"has {count}" if self.summary is None else f"{self.summary} ({count})"
        return f"the EPCIS document {said}; nothing was imported:\n{listed}"


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class EpcisExportError(ValidationError):
    """The ledger cannot be exported as EPCIS the way the options ask: an EPC URI needs a GS1
    Company Prefix that was not given, or master data carries a malformed GLN. Nothing was
    written; fix the options or the master data as the message says.
    """


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownExpectationError(NotFoundError):
    """An expected receipt (an imported ASN / shipping notice) that was never imported.

    Attributes:
        key: The expectation's key.
    """

    key: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"no expected receipt has key {self.key!r}; import the supplier's EPCIS document "
            "with inv.epcis.expect() first (inv.epcis.expectations() lists the keys)"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnexpectedReceiptError(ScanMismatchError):
    """A scan received against an expected receipt that the supplier did not announce: a serial,
    item or lot not in it, more than announced, or a serial already received. Nothing was
    posted; pass ``allow_unexpected=True`` to receive it anyway (it is then reported).

    Attributes:
        key: The expectation's key.
        item: The SKU scanned.
        lot: The lot scanned, if any.
        serial: The serial scanned, if any.
        beyond: How the scan goes past the announcement, one sentence each (e.g. ``"GLOVE lot
            G7 would be 51, more than the 50 announced"``).
        unit: The announced pallet (SSCC) or case scanned. Without ``received_in``:
            everything announced on it was already received, item by item.
        received_in: The receipt (transaction id) that already received the serial, or the
            pallet or case, scanned; each arrives once.
    """

    ai: str | None = attrs.field(default=None, kw_only=True)
    key: str = attrs.field(kw_only=True)
    item: str = attrs.field(kw_only=True)
    lot: str | None = attrs.field(kw_only=True)
    serial: str | None = attrs.field(kw_only=True)
    beyond: tuple[str, ...] = attrs.field(default=(), kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    received_in: int | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        key = self.key
        if self.received_in is not None:
            if self.unit is not None:
                what, once = _unit(self.unit), "a pallet or case"
            else:
                what, once = f"serial {self.serial} of {self.item}", "a serial"
            return (
                f"{what} was already received against expected receipt {key!r} (receipt "
                f"{self.received_in}); {once} arrives once. Nothing was posted; check for a "
                "duplicated label"
            )
        if self.unit is not None:
            return (
                f"everything expected receipt {key!r} announces on {_unit(self.unit)} was "
                "already received, item by item; nothing was posted"
            )
        if not self.item and self.ai == "00":
            return (
                f"SSCC {self.scanned} is not in expected receipt {key!r}, so stockline cannot "
                "tell what is on it; nothing was posted. Check the pallet's label and the "
                "shipping notice, or scan the items on it"
            )
        if self.beyond:
            return (
                f"expected receipt {key!r} does not announce this: {'; '.join(self.beyond)}. "
                "Nothing was posted; check the goods against the shipping notice, or pass "
                "allow_unexpected=True to receive them anyway (they are then reported)"
            )
        return (
            f"expected receipt {self.key!r} does not announce {self.item}"
            f"{_lot_serial(self.lot, self.serial)} (scanned {self.scanned!r}, announced "
            f"{self.expected!r}). Nothing was posted; check the goods against the shipping "
            "notice, or pass allow_unexpected=True to receive them anyway (they are then "
            "reported)"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class UnknownSerialPoolError(NotFoundError):
    """An item without a serial pool, asked to issue or look up serials.

    Attributes:
        item: The SKU.
    """

    item: str = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"item {self.item} has no serial pool; add one with inv.serials.add_pool() "
            "(inv.serials.pools() lists them)"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class SerialPoolExhaustedError(StocklineError):
    """More numbers asked of a serial pool or SSCC range than it has left. Nothing was
    issued.

    Attributes:
        pool: The pool: an item's SKU, or an SSCC company prefix with its extension digit.
        requested: How many were asked for.
        remaining: How many it has left.
    """

    pool: str = attrs.field(kw_only=True)
    requested: int = attrs.field(kw_only=True)
    remaining: int = attrs.field(kw_only=True)

    def _compose(self) -> str:
        return (
            f"{self.pool} has {self.remaining} numbers left, {self.requested} were asked for; "
            "numbers are never reused: give the item a new GTIN (or use another extension "
            "digit or company prefix for SSCCs)"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class ReturnError(PostingError):
    """A return that does not fit its shipment or its disposition: more than was shipped and
    not yet returned, goods that did not go to that customer, no such shipment, or a
    disposition of more than awaits one. Nothing was posted.

    Attributes:
        item: The SKU returned.
        shipment: The shipment (transaction id) returned against, when one was found.
        lot: The lot returned.
        serial: The serial returned.
        requested: The quantity asked for.
        available: What may still be returned (or disposed of), with ``requested``.
        problem: What does not fit, when it is not a quantity.
    """

    item: str = attrs.field(kw_only=True)
    shipment: int | None = attrs.field(default=None, kw_only=True)
    lot: str | None = attrs.field(default=None, kw_only=True)
    serial: str | None = attrs.field(default=None, kw_only=True)
    requested: Decimal | None = attrs.field(default=None, kw_only=True)
    available: Decimal | None = attrs.field(default=None, kw_only=True)
    problem: str | None = attrs.field(default=None, kw_only=True)

    def _compose(self) -> str:
        what = f"{self.item}{_lot_serial(self.lot, self.serial)}"
        against = "" if self.shipment is None else f" against shipment {self.shipment}"
        if self.problem is not None:
            return f"cannot return {what}{against}: {self.problem}; nothing was posted"
        return (
            f"cannot take back {self.requested} {what}{against}: only {self.available} "
            "may be (what was shipped less what came back already, or what still awaits a "
            "disposition); nothing was posted"
        )


@attrs.define(auto_exc=True, frozen=True, slots=False, eq=False)
class PickError(PostingError):
    """A pick of a wave that does not fit: an unknown wave or line, more than the line has
    left to pick, or a scan that is not what the line asks for. Nothing was posted.

    Attributes:
        wave: The wave.
        line: The line of the wave, if one was named.
        problems: What does not fit, one sentence each (a scan's mismatches, say).
    """

    wave: str = attrs.field(kw_only=True)
    line: int | None = attrs.field(default=None, kw_only=True)
    problems: tuple[str, ...] = attrs.field(default=(), kw_only=True)

    def _compose(self) -> str:
        where = f"wave {self.wave}" + ("" if self.line is None else f" line {self.line}")
        found = "; ".join(self.problems) or "it does not fit the wave"
        return f"cannot pick {where}: {found}. Nothing was posted"
