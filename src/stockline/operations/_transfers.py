"""Transfer orders between sites: the order, its lines, what is in transit and the over/short
report."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs

__all__ = [
    "InTransit",
    "TransferLine",
    "TransferOrder",
    "TransferReport",
    "TransferReportLine",
    "TransferState",
]


class TransferState(enum.StrEnum):
    """Where a transfer order stands."""

    OPEN = "open"
    """Created, not shipped."""
    IN_TRANSIT = "in_transit"
    """Shipped; not everything has been received."""
    RECEIVED = "received"
    """Everything shipped was received: nothing is left in transit."""
    CLOSED = "closed"
    """Closed with what never arrived written off (and any over-receipt settled)."""
    CANCELLED = "cancelled"
    """Cancelled; what was in transit went back to the origin."""


@attrs.frozen(kw_only=True)
class TransferLine:
    """One line of a transfer order.

    Attributes:
        line: The line number (1, 2, ...).
        sku: The item.
        quantity: How much to transfer, in the item's base unit.
        lot: Only this lot; any lot (by the item's allocation policy) when ``None``.
    """

    line: int
    sku: str
    quantity: Decimal
    lot: str | None = None


@attrs.frozen(kw_only=True)
class TransferOrder:
    """A transfer of stock from one site to another, through a transit location.

    Attributes:
        order: The order number (the ``TO`` reference of its postings).
        src: Where stock is shipped from (it and everything below it).
        dst: Where it is received by default.
        transit: The transit location that holds it on the way; stock there is in transit on
            this order.
        lines: The lines.
        state: Where the order stands.
        shipments: The ids of its shipment into transit.
        receipts: The ids of its receipts out of transit, in order.
        returns: The id of the move back to the origin, when cancelled in transit.
        closing: The id of the adjustment that closed it, if any.
        updated_at: When it last changed.
        updated_by: Who last changed it.
    """

    order: str
    src: str
    dst: str
    transit: str
    lines: tuple[TransferLine, ...]
    state: TransferState = TransferState.OPEN
    shipments: tuple[int, ...] = ()
    receipts: tuple[int, ...] = ()
    returns: tuple[int, ...] = ()
    closing: tuple[int, ...] = ()
    updated_at: dt.datetime | None = None
    updated_by: str | None = None


@attrs.frozen(kw_only=True)
class InTransit:
    """Stock in transit on a transfer order.

    Attributes:
        order: The transfer order.
        sku: The item.
        lot: The lot, if any.
        serial: The serial, if any.
        status: Its status.
        quantity: How much.
        src: Where it was shipped from.
        dst: Where it is going.
    """

    order: str
    sku: str
    lot: str | None
    serial: str | None
    status: str
    quantity: Decimal
    src: str
    dst: str


@attrs.frozen(kw_only=True)
class TransferReportLine:
    """What was ordered, shipped and received of one item on a transfer order.

    Attributes:
        sku: The item.
        ordered: The quantity ordered.
        shipped: What left the origin.
        received: What arrived at the destination.
        returned: What went back to the origin on cancellation.
        written_off: What was written off as lost when the order was closed (less what was
            found over).
        in_transit: What is in transit now.
        over: Received beyond what was shipped.
        short: Shipped, and not (yet) received nor returned.
    """

    sku: str
    ordered: Decimal
    shipped: Decimal
    received: Decimal
    returned: Decimal
    written_off: Decimal
    in_transit: Decimal
    over: Decimal
    short: Decimal


@attrs.frozen(kw_only=True)
class TransferReport:
    """The over/short report of a transfer order.

    Attributes:
        order: The order number.
        state: Where it stands.
        lines: One line per item, by SKU.
    """

    order: str
    state: TransferState
    lines: tuple[TransferReportLine, ...]

    @property
    def balanced(self) -> bool:
        """Whether nothing is over or short."""
        return all(x.over == 0 and x.short == 0 for x in self.lines)
