"""Stock-flow analytics of an inventory (``inv.analytics``).

Each method validates its arguments against the master data, opens one read view, and runs
the report in :mod:`stockline.analytics` on the best source the store offers: the reader's own
``analytics()`` if it has one, set-based SQL on the SQLAlchemy store, and otherwise a fold over
the ledger (:class:`~stockline.analytics.LedgerFold`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Literal, cast

import attrs

from stockline.analytics import _reports
from stockline.analytics._fold import LedgerFold
from stockline.analytics._records import (
    Activity,
    AgingBucket,
    DwellTime,
    NearExpiry,
    SupplierNonconformity,
    Turnover,
)
from stockline.analytics._reports import DEFAULT_AGING_EDGES
from stockline.analytics._source import AnalyticsSource, Window
from stockline.errors import UnknownStatusError, ValidationError
from stockline.ledger import Book, LedgerReader, TxKind, boundary

__all__ = ["Analytics", "source_for"]

#: Statuses that are not allocatable but do not mean something is wrong with the goods.
_NOT_FINDINGS = frozenset({"quarantine"})


def source_for(reader: LedgerReader) -> AnalyticsSource:
    """Return the analytics source for an open read view.

    Args:
        reader: An open read view of a store.

    Returns:
        The reader's own ``analytics()`` if it offers one (the SQLAlchemy store's answers in
        set-based SQL), else a fold over the ledger.
    """
    offered = getattr(reader, "analytics", None)
    if callable(offered):
        return cast(AnalyticsSource, offered())
    return LedgerFold(reader)


@attrs.define(repr=False)
class Analytics:
    """Stock-flow analytics of an inventory (``inv.analytics``): dwell time, turnover, aging,
    near expiry, supplier non-conformity, activity by zone and hour.

    Args:
        book: The posting context of the inventory.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<Analytics>"

    def dwell_times(
        self,
        *,
        by: Literal["item", "lot", "category"] = "item",
        categories: Mapping[str, str] | None = None,
        sku: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[DwellTime]:
        """Return how long shipped stock had been in the warehouse, per item, lot or category.

        Within each item, lot and serial, every quantity that left internal stock is matched
        first in first out with the oldest quantity that entered it (a receipt, production
        output, a found difference, a transfer in from transit) and had not left yet. The
        pieces that went to a customer are the shipped ones; their dwell is shipment time
        less entry time, in whole seconds. Reversed transactions and their reversals are left
        out.

        Example:
            >>> import datetime as dt, stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_location("DC1/DOCK")
            >>> _ = inv.add_item("BOLT")
            >>> day = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
            >>> _ = inv.receive("BOLT", 10, dst="DC1/DOCK", effective_at=day, supplier="ACME")
            >>> _ = inv.ship("BOLT", 4, src="DC1/DOCK", customer="C1",
            ...              effective_at=day + dt.timedelta(days=3))
            >>> row = inv.analytics.dwell_times()[0]
            >>> row.item, row.quantity, row.mean.days
            ('BOLT', Decimal('4'), 3)

        Args:
            by: ``"item"``, ``"lot"`` (one row per item and lot) or ``"category"``.
            categories: SKU → category, needed for ``by="category"``: stockline items have no
                category of their own. SKUs it leaves out go under category ``None``.
            sku: Only this item.
            since: Only shipments effective at or after this time.
            until: Only shipments effective before this time.

        Returns:
            One row per item, lot or category.

        Raises:
            ValidationError: A bad ``by``, a missing ``categories``, or a bad time window.
            UnknownItemError: ``sku`` is not in the master data.
        """
        sku = boundary.optional_code(sku, "sku")
        window = _window(since, until)
        with self._book.read() as r:
            _check(r, sku=sku)
            return _reports.dwell_times(
                source_for(r), by=by, categories=categories, item=sku, window=window
            )

    def turnover(
        self,
        *,
        since: dt.datetime,
        until: dt.datetime | None = None,
        sku: str | None = None,
        location: str | None = None,
    ) -> list[Turnover]:
        """Return each item's stock turnover over ``since <= t < until``.

        *Turns* are the quantity shipped to customers in the period divided by the average
        on-hand quantity, averaged over time (each level weighted by how long it lasted, at
        one-second resolution) at internal locations. Items with neither stock nor shipments
        in the period are left out.

        Args:
            since: The period's start.
            until: The period's end; now when ``None``.
            sku: Only this item.
            location: Count only stock at, and shipments from, internal locations at or below
                this one; moving stock in or out of it changes its stock like a receipt or an
                issue.

        Returns:
            One row per item.

        Raises:
            ValidationError: The period is shorter than a second.
            UnknownItemError: ``sku`` is not in the master data.
            UnknownLocationError: ``location`` is not in the master data.
        """
        start = boundary.moment(since, "since")
        end = boundary.moment(self._book.now() if until is None else until, "until")
        sku = boundary.optional_code(sku, "sku")
        location = boundary.optional_code(location, "location")
        with self._book.read() as r:
            _check(r, sku=sku, location=location)
            return _reports.turnover(
                source_for(r), since=start, until=end, item=sku, location=location
            )

    def aging(
        self,
        *,
        basis: Literal["expiry", "receipt"] = "expiry",
        edges: Sequence[int] = DEFAULT_AGING_EDGES,
        at: dt.date | None = None,
        sku: str | None = None,
    ) -> list[AgingBucket]:
        """Return on-hand stock per item in day buckets, by lot expiry or by age since
        receipt.

        With ``basis="expiry"`` the days are those left until the lot's expiry (negative:
        expired; stock without an expiry goes in ``"no expiry"``). With ``basis="receipt"``
        they are the days since the stock entered internal stock (its UTC date), first in
        first out within each item, lot and serial.

        Args:
            basis: ``"expiry"`` or ``"receipt"``.
            edges: Increasing day counts where buckets start; the default ``(0, 30, 60, 90)``
                makes ``<0``, ``0-29``, ``30-59``, ``60-89`` and ``90+``.
            at: The day to count from; the clock's date (UTC) when ``None``.
            sku: Only this item.

        Returns:
            One row per item and bucket that holds stock.

        Raises:
            ValidationError: A bad basis or edges.
            InvalidTimeError: ``at`` is not a date.
            UnknownItemError: ``sku`` is not in the master data.
        """
        day = self._day(at)
        sku = boundary.optional_code(sku, "sku")
        steps = tuple(
            boundary.whole(e, "each of edges", maximum=boundary.MAX_DAYS)
            for e in boundary.sequence(edges, "edges")
        )
        with self._book.read() as r:
            _check(r, sku=sku)
            return _reports.aging(source_for(r), basis=basis, at=day, edges=steps, item=sku)

    def near_expiry(
        self,
        days: int = 30,
        *,
        at: dt.date | None = None,
        sku: str | None = None,
        location: str | None = None,
    ) -> list[NearExpiry]:
        """Return stock of lots that expire within ``days`` (or have expired), per position,
        with how much of it is reserved for orders; soonest expiry first.

        Every status counts (stock on hold that is about to expire is worth knowing about).

        Args:
            days: How many days ahead to look, at most 36525 (100 years); ``0`` lists what
                expires on ``at`` or has expired.
            at: The day to count from; the clock's date (UTC) when ``None``.
            sku: Only this item.
            location: Only stock at or below this location.

        Returns:
            One row per position holding such a lot, soonest expiry first.

        Raises:
            ValidationError: ``days`` is negative, over 36525 or not a whole number.
            InvalidTimeError: ``at`` is not a date.
            UnknownItemError: ``sku`` is not in the master data.
            UnknownLocationError: ``location`` is not in the master data.
        """
        day = self._day(at)
        sku = boundary.optional_code(sku, "sku")
        location = boundary.optional_code(location, "location")
        with self._book.read() as r:
            _check(r, sku=sku, location=location)
            return _reports.near_expiry(
                source_for(r), days=days, at=day, item=sku, location=location
            )

    def supplier_nonconformity(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        statuses: Collection[str] | None = None,
    ) -> list[SupplierNonconformity]:
        """Return how often each supplier's stock was put on hold, returned or scrapped, by
        item and reason.

        Stock is attributed to the supplier of its lot (or serial): the counterparty of the
        first movement of that lot from a supplier into internal stock. Untracked stock
        cannot be told apart by supplier and is counted under supplier ``None``. A *hold* is
        stock entering one of ``statuses`` at an internal location (receiving straight into
        it counts); a *return* is stock sent from internal stock back to a supplier; a
        *scrap* is stock written off. Each row also has the supplier's receipts of the item
        in the same window, so ``row.rate`` is events per receipt.

        Args:
            since: Only events effective at or after this time.
            until: Only events effective before this time.
            statuses: The statuses whose entry is a hold; by default every status that is
                not allocatable except ``quarantine`` (goods waiting for inspection are not
                a finding).

        Returns:
            One row per supplier, item, kind and reason.

        Raises:
            ValidationError: A bad time window, or ``statuses`` given as one string.
            UnknownStatusError: A status in ``statuses`` is not known.
        """
        window = _window(since, until)
        wanted = (
            None
            if statuses is None
            else boundary.codes(boundary.sequence(statuses, "statuses"), "statuses")
        )
        with self._book.read() as r:
            known = {s.name: s for s in r.statuses()}
            if statuses is None:
                blocking = {
                    name
                    for name, s in known.items()
                    if not s.allocatable and name not in _NOT_FINDINGS
                }
            else:
                blocking = set(wanted or ())
                for name in sorted(blocking - known.keys()):
                    raise UnknownStatusError(
                        status=name,
                    )
            return _reports.supplier_nonconformity(source_for(r), blocking=blocking, window=window)

    def activity(
        self,
        *,
        depth: int = 2,
        timezone: str | dt.tzinfo = "UTC",
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        kinds: TxKind | str | Iterable[TxKind | str] | None = None,
    ) -> list[Activity]:
        """Return how many movement lines touched each zone in each hour of the day.

        A zone is a location path cut to ``depth`` segments (``DC1/A`` for ``DC1/A/01-03`` at
        depth 2). A movement line counts as *outbound* for the zone it leaves and *inbound*
        for the zone it enters (a move within a zone counts as both, a status change too:
        each is a task at each end). Only internal locations count.

        Args:
            depth: How many path segments name a zone.
            timezone: The time zone of the hours: an IANA name or a tzinfo, whose UTC offsets are
                whole quarter hours.
            since: Only movements effective at or after this time.
            until: Only movements effective before this time.
            kinds: Only transactions of these kinds: one (``"pick"``) or several
                (``["pick", "transfer"]``).

        Returns:
            One row per zone and hour with movements.

        Raises:
            ValidationError: A bad depth, kind or time window, an unknown time zone, or one
                whose offset is not whole quarter hours (``+05:20``).
        """
        window = _window(since, until)
        if kinds is not None and not isinstance(kinds, str | TxKind):
            kinds = boundary.sequence(kinds, "kinds")  # type: ignore[assignment]
        with self._book.read() as r:
            return _reports.activity(
                source_for(r), depth=depth, timezone=timezone, window=window, kinds=kinds
            )

    def _day(self, at: dt.date | None) -> dt.date:
        found = boundary.optional_day(at, "at")
        return self._book.now().astimezone(dt.UTC).date() if found is None else found


def _window(since: dt.datetime | None, until: dt.datetime | None) -> Window:
    start = boundary.optional_moment(since, "since")
    end = boundary.optional_moment(until, "until")
    if start is not None and end is not None and end <= start:
        raise ValidationError(
            f"until ({end.isoformat()}) must come after since ({start.isoformat()})"
        )
    return Window(since=start, until=end)


def _check(r: LedgerReader, *, sku: str | None = None, location: str | None = None) -> None:
    if sku is not None:
        Book.item(r, sku)
    if location is not None:
        Book.location(r, location)
