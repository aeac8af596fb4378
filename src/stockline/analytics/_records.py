"""The rows the analytics return: frozen records, each with a JSON-ready ``to_dict()``."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, cast

import attrs

__all__ = [
    "Activity",
    "AgingBucket",
    "DwellTime",
    "NearExpiry",
    "NonconformityKind",
    "SupplierNonconformity",
    "Turnover",
    "plain",
]


def plain(value: object) -> Any:
    """Return ``value`` as JSON-ready data: decimals and dates as text, durations as seconds."""
    match value:
        case bool() | int() | str() | None:
            return value
        case Decimal():
            return str(value)
        case dt.timedelta():
            return int(value.total_seconds())
        case dt.datetime() | dt.date():
            return value.isoformat()
        case enum.Enum():
            return value.value
        case _:
            raise TypeError(f"no plain form for {type(value).__name__}")


class _Row:
    """Shared by every row: ``to_dict()``."""

    def to_dict(self) -> dict[str, Any]:
        """Return the row as a dict of JSON-ready values: quantities as decimal text, dates and
        times in ISO 8601, durations in whole seconds."""
        fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(self)))
        return {f.name: plain(getattr(self, f.name)) for f in fields}


@attrs.frozen(kw_only=True)
class DwellTime(_Row):
    """How long shipped stock had been in the warehouse, for one group.

    Stock is matched first in, first out within each item, lot and serial: each quantity that
    left an internal location for a customer is paired with the oldest quantity that entered
    internal stock and had not yet left. See the how-to "Analyse stock flow" for the full
    definition.

    Attributes:
        item: The SKU (``None`` when grouped by category).
        lot: The lot code (only when grouped by lot; ``None`` for untracked stock).
        category: The category (only when grouped by category; ``None`` for SKUs the mapping
            does not name).
        quantity: How much was shipped, in the item's base unit (mixed units when grouped by
            category).
        mean: The quantity-weighted mean dwell time, to the second.
        shortest: The shortest dwell time of any shipped quantity.
        longest: The longest dwell time of any shipped quantity.
    """

    item: str | None
    lot: str | None = None
    category: str | None = None
    quantity: Decimal
    mean: dt.timedelta
    shortest: dt.timedelta
    longest: dt.timedelta


@attrs.frozen(kw_only=True)
class Turnover(_Row):
    """How often one item's stock turned over in a period.

    Attributes:
        item: The SKU.
        shipped: Quantity moved from internal stock to customers in the period.
        average_on_hand: The time-weighted mean of the internal on-hand quantity over the period
            (at one-second resolution), to six decimals.
        turns: ``shipped / average_on_hand``, to four decimals; ``None`` when nothing was on
            hand on average.
        days_of_cover: How many days the average stock lasts at the period's shipping rate, to
            two decimals; ``None`` when nothing shipped.
    """

    item: str
    shipped: Decimal
    average_on_hand: Decimal
    turns: Decimal | None
    days_of_cover: Decimal | None


@attrs.frozen(kw_only=True)
class AgingBucket(_Row):
    """How much of one item's stock falls in one age (or shelf-life) bucket.

    Attributes:
        item: The SKU.
        bucket: The bucket's label: ``"<0"``, ``"0-29"``, ``"90+"``, or ``"no expiry"``.
        low: The bucket's first day, inclusive (``None``: unbounded below, or no expiry).
        high: The bucket's last day, inclusive (``None``: unbounded above, or no expiry).
        quantity: How much, in the item's base unit.
    """

    item: str
    bucket: str
    low: int | None
    high: int | None
    quantity: Decimal


@attrs.frozen(kw_only=True)
class NearExpiry(_Row):
    """Stock of a lot that expires soon (or has expired), at one position.

    Attributes:
        item: The SKU.
        lot: The lot code.
        serial: The serial, for serial-tracked stock.
        expiry: The lot's expiry date.
        days_left: Days from the report's day to the expiry (negative: expired).
        location: Where the stock is.
        status: Its status.
        container: The container it is in, if any.
        quantity: How much is there.
        reserved: How much of it is reserved for orders.
    """

    item: str
    lot: str
    serial: str | None
    expiry: dt.date
    days_left: int
    location: str
    status: str
    container: str | None
    quantity: Decimal
    reserved: Decimal

    @property
    def unreserved(self) -> Decimal:
        """The quantity not reserved for any order."""
        return self.quantity - self.reserved


class NonconformityKind(enum.StrEnum):
    """What kind of non-conformity a supplier's stock met."""

    HOLD = "hold"
    """The stock entered a blocking status (``hold``, ``damaged``, ...)."""
    RETURN = "return"
    """The stock went back from internal stock to a supplier."""
    SCRAP = "scrap"
    """The stock was written off to scrap."""


@attrs.frozen(kw_only=True)
class SupplierNonconformity(_Row):
    """How often one supplier's stock of one item met one kind of non-conformity, for one
    reason.

    Attributes:
        supplier: The supplier's code: the counterparty of the first receipt of the lot (or
            serial); ``None`` when that cannot be told (untracked stock, goods made in-house,
            receipts without a supplier).
        item: The SKU.
        kind: Hold, return to supplier, or scrap.
        reason: The reason recorded with the transactions.
        events: How many transactions recorded it.
        quantity: How much stock they concerned, in the item's base unit.
        receipts: How many transactions received the item from that supplier in the period
            (``0`` for ``supplier=None``).
    """

    supplier: str | None
    item: str
    kind: NonconformityKind
    reason: str | None
    events: int
    quantity: Decimal
    receipts: int

    @property
    def rate(self) -> Decimal | None:
        """Events per receipt, to four decimals; ``None`` without receipts."""
        if not self.receipts:
            return None
        return (Decimal(self.events) / self.receipts).quantize(Decimal("0.0001"))


@attrs.frozen(kw_only=True)
class Activity(_Row):
    """How many movement lines touched one zone in one hour of the day.

    Attributes:
        zone: The location path cut to the report's depth (``DC1/A``).
        hour: The hour of the day (0-23) in the report's time zone.
        inbound: Movement lines into a location of the zone.
        outbound: Movement lines out of a location of the zone.
    """

    zone: str
    hour: int
    inbound: int
    outbound: int

    @property
    def touches(self) -> int:
        """Inbound and outbound lines together: the zone's workload."""
        return self.inbound + self.outbound
