"""The port the analytics read through, and the partial aggregates it returns.

Every analysis is split in two. A *source* does the heavy part over the whole ledger (first-in
first-out matching, time-weighted sums, grouping) and returns small exact aggregates; shared
Python code in :mod:`stockline.analytics._reports` turns those into the rows callers see
(bucketing, category roll-up, ratios, time zones). Two sources ship: :class:`LedgerFold`, a
plain fold over the transactions any :class:`~stockline.adapters.LedgerReader` returns (the
reference semantics), and the SQLAlchemy adapter's set-based SQL. A store offers its own by
giving its reader an ``analytics()`` method that returns an :class:`AnalyticsSource`.

Common rules of every source:

- A transaction that was reversed, and the reversal of it, are both left out: together they
  are a mistake that was corrected.
- Movements are taken in the order (effective time, transaction id, line).
- Time windows are half-open: ``since <= effective_at < until``; ``None`` leaves a side open.
- Durations are counted in whole seconds (microseconds are cut off).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import Protocol

import attrs

from stockline.analytics._records import NearExpiry, NonconformityKind
from stockline.ledger import TxKind

__all__ = [
    "ActivitySum",
    "AnalyticsSource",
    "DwellSum",
    "ExpiryStock",
    "FlowSum",
    "Layer",
    "NonconformitySum",
    "ReceiptCount",
    "Window",
]


@attrs.frozen(kw_only=True)
class Window:
    """A half-open time window ``since <= t < until``; ``None`` leaves a side open.

    Attributes:
        since: The first instant in the window (aware).
        until: The first instant after the window (aware).
    """

    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def __contains__(self, when: dt.datetime) -> bool:
        return (self.since is None or when >= self.since) and (
            self.until is None or when < self.until
        )


@attrs.frozen(kw_only=True)
class DwellSum:
    """First-in first-out pieces shipped to customers, summed for one item and lot.

    Attributes:
        item: The SKU.
        lot: The lot code, or ``None``.
        quantity: The shipped quantity matched to earlier inflows.
        quantity_seconds: The sum of each matched quantity times its dwell in seconds.
        shortest: The shortest dwell of any piece, in seconds.
        longest: The longest dwell of any piece, in seconds.
    """

    item: str
    lot: str | None
    quantity: Decimal
    quantity_seconds: Decimal
    shortest: int
    longest: int


@attrs.frozen(kw_only=True)
class FlowSum:
    """What one item shipped in a period, and its on-hand stock integrated over the period.

    Attributes:
        item: The SKU.
        shipped: Quantity moved from the measured locations to customer locations.
        stock_seconds: The sum of each change of on-hand quantity (in the measured locations)
            times the whole seconds from it to the period's end; a change before the period
            counts for the period's full length.
    """

    item: str
    shipped: Decimal
    stock_seconds: Decimal


@attrs.frozen(kw_only=True)
class Layer:
    """On-hand stock of one item by the (UTC) day it entered internal stock, first in first
    out.

    Attributes:
        item: The SKU.
        received_on: The UTC date of the inflow the stock remains from.
        quantity: How much of that day's inflows is still on hand.
    """

    item: str
    received_on: dt.date
    quantity: Decimal


@attrs.frozen(kw_only=True)
class ExpiryStock:
    """On-hand stock of one item with one expiry date.

    Attributes:
        item: The SKU.
        expiry: The lots' expiry date, or ``None`` (untracked stock, lots without expiry).
        quantity: How much is on hand at internal locations.
    """

    item: str
    expiry: dt.date | None
    quantity: Decimal


@attrs.frozen(kw_only=True)
class NonconformitySum:
    """Non-conformity events of one supplier's stock of one item, of one kind and reason.

    Attributes:
        supplier: The counterparty of the first supplier receipt of the lot or serial.
        item: The SKU.
        kind: Hold, return or scrap.
        reason: The transactions' reason.
        events: How many transactions.
        quantity: How much stock.
    """

    supplier: str | None
    item: str
    kind: NonconformityKind
    reason: str | None
    events: int
    quantity: Decimal


@attrs.frozen(kw_only=True)
class ReceiptCount:
    """How many transactions moved an item from a supplier into internal stock.

    Attributes:
        supplier: The receiving transactions' counterparty.
        item: The SKU.
        receipts: How many transactions.
    """

    supplier: str | None
    item: str
    receipts: int


@attrs.frozen(kw_only=True)
class ActivitySum:
    """Movement lines into and out of one internal location in one quarter of an hour.

    Attributes:
        location: The location path.
        start: The quarter hour's start (UTC).
        inbound: Lines whose destination is the location.
        outbound: Lines whose source is the location.
    """

    location: str
    start: dt.datetime
    inbound: int
    outbound: int


class AnalyticsSource(Protocol):
    """Where the analytics get their partial aggregates from (see the module's rules).

    Records come back in no particular order; the reports sort what they return.
    """

    def dwell(self, *, item: str | None, window: Window) -> list[DwellSum]:
        """Match, per item, lot and serial, every outflow from internal stock with the
        inflows into it first in first out (an inflow comes from a non-internal location into
        an internal one; an outflow goes the other way); sum the pieces whose outflow went to
        a customer location within ``window``, per item and lot. A piece's dwell is its
        outflow time less its inflow time, never below zero."""
        ...

    def flow(
        self, *, item: str | None, location: str | None, since: dt.datetime, until: dt.datetime
    ) -> list[FlowSum]:
        """Sum, per item, the shipments out of the internal locations at or below ``location``
        (every internal location when ``None``) and their on-hand stock there, over
        ``since <= t < until``. Only items with
        a shipment or a non-zero sum are returned."""
        ...

    def layers(self, *, item: str | None) -> list[Layer]:
        """Return on-hand stock by inflow day: per item, lot and serial, the inflows left once
        every outflow has taken the oldest first."""
        ...

    def expiry_stock(self, *, item: str | None) -> list[ExpiryStock]:
        """Return the non-zero on-hand stock at internal locations by item and expiry date."""
        ...

    def expiring(
        self, *, before: dt.date, today: dt.date, item: str | None, location: str | None
    ) -> list[NearExpiry]:
        """Return the non-zero balances at internal locations (under ``location``) of lots
        expiring on or before ``before``, each with what is reserved there."""
        ...

    def nonconformity(self, *, blocking: Collection[str], window: Window) -> list[NonconformitySum]:
        """Return the non-conformity events within ``window``, by supplier, item, kind and
        reason: a *hold* is a movement into an internal location in a status of ``blocking``
        from one that is not; a *return* a movement from internal stock to a supplier
        location; a *scrap* one from internal stock to a scrap location."""
        ...

    def receipts(self, *, window: Window) -> list[ReceiptCount]:
        """Return how many transactions within ``window`` moved each item from a supplier
        location into internal stock, by the transactions' counterparty."""
        ...

    def activity(self, *, window: Window, kinds: Collection[TxKind] | None) -> list[ActivitySum]:
        """Count movement lines into and out of each internal location per quarter hour (of
        transactions of ``kinds`` only, when given)."""
        ...
