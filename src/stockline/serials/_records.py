"""Serialization records: pools, issued batches, a serial's state, labels, SSCC ranges."""

from __future__ import annotations

import datetime as dt
import enum
from fractions import Fraction

import attrs

from stockline.ledger import Transaction

__all__ = [
    "ALPHANUMERIC",
    "DIGITS",
    "Commissioned",
    "Decommission",
    "Gap",
    "Label",
    "Scheme",
    "SerialBatch",
    "SerialPool",
    "SerialState",
    "SerialStatus",
    "SsccRange",
]

#: The ten digits: serials that read aloud and key in without doubt (the default).
DIGITS = "0123456789"
#: Digits and capital letters without I and O (read as 1 and 0 on a worn label).
ALPHANUMERIC = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class Scheme(enum.StrEnum):
    """How a pool picks its serials."""

    #: 1, 2, 3, ... written to the pool's length: easy to read off, easy to predict.
    SEQUENTIAL = "sequential"
    #: A keyed pseudo-random permutation of the number space: not predictable from the
    #: serials seen, and sparse enough that a guess is right at most once in ``guess_odds``.
    RANDOM = "random"


class SerialState(enum.StrEnum):
    """Where a serial is in its life, derived from the ledger and the pool."""

    #: Taken from the pool, not yet on any posting.
    ISSUED = "issued"
    #: Issued, never used, and voided with a reason: it will never be used.
    VOIDED = "voided"
    #: Made (produced, received) and in stock, loose.
    COMMISSIONED = "commissioned"
    #: In stock inside a case or pallet.
    PACKED = "packed"
    #: At a customer (or back with a supplier).
    SHIPPED = "shipped"
    #: In stock again after it was shipped.
    RETURNED = "returned"
    #: Out of the supply chain for good: destroyed, taken as a sample, stolen, expired,
    #: consumed by a production, or written off.
    DECOMMISSIONED = "decommissioned"


class Decommission(enum.StrEnum):
    """Why a serial leaves the supply chain for good (the EPCIS disposition follows)."""

    DESTROYED = "destroyed"
    SAMPLE = "sample"
    STOLEN = "stolen"
    EXPIRED = "expired"


@attrs.frozen(kw_only=True)
class SerialPool:
    """The serial numbers of one GTIN and what has been taken from them.

    Attributes:
        sku: The serial-tracked item.
        gtin: Its GTIN-14 (serials are unique per GTIN).
        scheme: Sequential or random.
        length: Characters per serial (AI 21 allows 1 to 20).
        alphabet: The characters serials are written with (GS1 character set 82).
        space: How many distinct serials ``length`` characters of ``alphabet`` can write.
        capacity: How many the pool will ever issue: the whole space when sequential, a
            ``1/guess_odds`` share of it when random.
        issued: How many it has issued so far.
        guess_odds: For a random pool, one guess at a valid serial is right at most once in
            this many tries; 1 for a sequential pool (every serial is guessable).
        created_at: When the pool was added.
        created_by: Who added it.
    """

    sku: str
    gtin: str
    scheme: Scheme
    length: int
    alphabet: str
    space: int
    capacity: int
    issued: int
    guess_odds: int
    created_at: dt.datetime
    created_by: str | None = None

    @property
    def remaining(self) -> int:
        """How many serials are left to issue."""
        return self.capacity - self.issued

    @property
    def guess_probability(self) -> Fraction:
        """The chance that one guess of a serial (knowing the scheme, length and alphabet,
        and any number of serials seen, but not the pool's key) is one the pool issues:
        ``capacity / space`` for a random pool, 1 for a sequential one."""
        if self.scheme is Scheme.SEQUENTIAL:
            return Fraction(1)
        return Fraction(self.capacity, self.space)


@attrs.frozen(kw_only=True)
class SerialBatch:
    """Serials issued together, in one write.

    Attributes:
        sku: The item.
        gtin: Its GTIN.
        first: The pool's count of serials issued before this batch.
        serials: The serials, in the order issued.
        issued_at: When.
        issued_by: Who.
        reserved_for: What they were issued for (a line, a printer), if said.
        transaction: The production that used them, when issued by one.
    """

    sku: str
    gtin: str
    first: int
    serials: tuple[str, ...]
    issued_at: dt.datetime
    issued_by: str | None = None
    reserved_for: str | None = None
    transaction: int | None = None


@attrs.frozen(kw_only=True)
class Commissioned:
    """A production that issued its outputs' serials from the pool.

    Attributes:
        transaction: The production transaction.
        serials: The serials it made, in output order.
    """

    transaction: Transaction
    serials: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Gap:
    """A number issued but never used on a posting, not voided.

    Attributes:
        number: The serial (or the SSCC).
        issued_at: When it was issued.
        reserved_for: What it was issued for, if said.
    """

    number: str
    issued_at: dt.datetime
    reserved_for: str | None = None


@attrs.frozen(kw_only=True)
class SerialStatus:
    """A serial's state, as the ledger tells it.

    Attributes:
        sku: The item.
        serial: The serial.
        state: Where it is in its life.
        reason: Why it was voided or decommissioned (``None`` otherwise).
        location: Where it is (in stock, or the counterparty that has it); ``None`` when
            issued or voided.
        container: The case or pallet it is in, if any.
        lot: Its lot, if any.
        transaction: The last transaction that moved it.
        issued_at: When the pool issued it (``None``: not issued by a pool, e.g. received).
    """

    sku: str
    serial: str
    state: SerialState
    reason: str | None = None
    location: str | None = None
    container: str | None = None
    lot: str | None = None
    transaction: int | None = None
    issued_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class Label:
    """What a barcode carries for one unit, case or pallet (its content, not its image).

    Attributes:
        element_string: The GS1 element string, with ``<GS>`` (ASCII 29) where FNC1 goes;
            give it to a GS1 DataMatrix or GS1-128 encoder (FNC1 first).
        hri: The human-readable interpretation printed under the barcode,
            ``(01)…(17)…(10)…(21)…``.
        digital_link: The GS1 Digital Link URI, for a QR code.
    """

    element_string: str
    hri: str
    digital_link: str


@attrs.frozen(kw_only=True)
class SsccRange:
    """SSCCs allocated together from one company prefix and extension digit.

    Attributes:
        company_prefix: The GS1 Company Prefix.
        extension: The extension digit.
        first: The first serial reference, as a number.
        ssccs: The SSCCs, 18 digits each, check digit included.
        allocated_at: When.
        allocated_by: Who.
        reserved_for: The line or offline printer they are for, if said.
    """

    company_prefix: str
    extension: int
    first: int
    ssccs: tuple[str, ...]
    allocated_at: dt.datetime
    allocated_by: str | None = None
    reserved_for: str | None = None
