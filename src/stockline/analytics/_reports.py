"""From a source's partial aggregates to the rows callers see.

These functions are pure: they take an :class:`AnalyticsSource` and plain arguments, and do
the small exact arithmetic that is the same whichever source did the heavy part (roll-ups,
buckets, ratios, time zones). :class:`Analytics` (``inv.analytics``) calls them with the best
source the store offers; call them yourself to run a report on a source of your own.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import zoneinfo
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Literal

import attrs

from stockline.analytics._records import (
    Activity,
    AgingBucket,
    DwellTime,
    NearExpiry,
    SupplierNonconformity,
    Turnover,
)
from stockline.analytics._source import AnalyticsSource, DwellSum, Window
from stockline.errors import ValidationError
from stockline.ledger import TxKind, canonical, to_micros

__all__ = [
    "DEFAULT_AGING_EDGES",
    "activity",
    "aging",
    "dwell_times",
    "near_expiry",
    "supplier_nonconformity",
    "turnover",
    "zone_of",
]

#: Aging buckets by default: below 0 days, 0-29, 30-59, 60-89, 90 and more.
DEFAULT_AGING_EDGES: tuple[int, ...] = (0, 30, 60, 90)

_DAY = 86_400


def dwell_times(
    source: AnalyticsSource,
    *,
    by: Literal["item", "lot", "category"] = "item",
    categories: Mapping[str, str] | None = None,
    item: str | None = None,
    window: Window | None = None,
) -> list[DwellTime]:
    """Dwell time of shipped stock, per item, lot, or category (see :class:`DwellTime`).

    Args:
        source: Where the partial sums come from.
        by: ``"item"``, ``"lot"`` (item and lot) or ``"category"``.
        categories: SKU → category, required with ``by="category"``; SKUs it does not name
            go under category ``None``.
        item: Only this SKU.
        window: Only shipments effective in this window (the receipts they are matched to may
            be older).

    Raises:
        ValidationError: An unknown ``by``, or ``by="category"`` without ``categories``.
    """
    if by not in ("item", "lot", "category"):
        raise ValidationError(f"by must be 'item', 'lot' or 'category', got {by!r}")
    if by == "category" and categories is None:
        raise ValidationError(
            "by='category' needs categories=: a mapping of SKU to category (stockline items "
            "have no category of their own)"
        )
    groups: dict[tuple[str | None, str | None, str | None], list[DwellSum]] = {}
    for s in source.dwell(item=item, window=window or Window()):
        if by == "item":
            key: tuple[str | None, str | None, str | None] = (s.item, None, None)
        elif by == "lot":
            key = (s.item, s.lot, None)
        else:
            assert categories is not None
            key = (None, None, categories.get(s.item))
        groups.setdefault(key, []).append(s)
    rows = []
    for (sku, lot, category), sums in groups.items():
        quantity = sum((s.quantity for s in sums), Decimal(0))
        weighted = sum((s.quantity_seconds for s in sums), Decimal(0))
        with decimal.localcontext(prec=60):
            mean = (weighted / quantity).to_integral_value(decimal.ROUND_HALF_EVEN)
        rows.append(
            DwellTime(
                item=sku,
                lot=lot,
                category=category,
                quantity=canonical(quantity),
                mean=dt.timedelta(seconds=int(mean)),
                shortest=dt.timedelta(seconds=min(s.shortest for s in sums)),
                longest=dt.timedelta(seconds=max(s.longest for s in sums)),
            )
        )
    return sorted(rows, key=lambda r: (_text_order(r.category), r.item or "", _text_order(r.lot)))


def turnover(
    source: AnalyticsSource,
    *,
    since: dt.datetime,
    until: dt.datetime,
    item: str | None = None,
    location: str | None = None,
) -> list[Turnover]:
    """Stock turnover per item over ``since <= t < until`` (see :class:`Turnover`).

    Args:
        source: Where the partial sums come from.
        since: The period's start (aware).
        until: The period's end, at least a second after ``since`` (aware).
        item: Only this SKU.
        location: Measure stock and shipments of the internal locations at or below this one
            only (every internal location when ``None``).

    Raises:
        ValidationError: The period is shorter than a second.
    """
    if to_micros(until) - to_micros(since) < 10**6:
        raise ValidationError(
            f"a turnover period needs until after since by at least a second; got since "
            f"{since.isoformat()}, until {until.isoformat()}"
        )
    length = (to_micros(until) - to_micros(since)) // 10**6
    rows = []
    with decimal.localcontext(prec=60):
        for s in source.flow(item=item, location=location, since=since, until=until):
            average = (s.stock_seconds / length).quantize(Decimal("0.000001"))
            turns = (
                (s.shipped * length / s.stock_seconds).quantize(Decimal("0.0001"))
                if s.stock_seconds > 0
                else None
            )
            cover = (
                (s.stock_seconds / (_DAY * s.shipped)).quantize(Decimal("0.01"))
                if s.shipped
                else None
            )
            rows.append(
                Turnover(
                    item=s.item,
                    shipped=canonical(s.shipped),
                    average_on_hand=canonical(average),
                    turns=None if turns is None else canonical(turns),
                    days_of_cover=None if cover is None else canonical(cover),
                )
            )
    return sorted(rows, key=lambda r: r.item)


def aging(
    source: AnalyticsSource,
    *,
    basis: Literal["expiry", "receipt"] = "expiry",
    at: dt.date,
    edges: Sequence[int] = DEFAULT_AGING_EDGES,
    item: str | None = None,
) -> list[AgingBucket]:
    """On-hand stock per item in day buckets (see :class:`AgingBucket`).

    With ``basis="expiry"`` a quantity's days are those from ``at`` to its lot's expiry
    (negative: expired; stock with no expiry goes in a ``"no expiry"`` bucket). With
    ``basis="receipt"`` they are the days since the (UTC) day the stock entered internal stock,
    first in first out within each item, lot and serial.

    Args:
        source: Where the partial sums come from.
        basis: ``"expiry"`` or ``"receipt"``.
        at: The day to count from.
        edges: Increasing day counts where buckets start: ``(0, 30)`` makes ``<0``, ``0-29``
            and ``30+``.
        item: Only this SKU.

    Raises:
        ValidationError: An unknown basis, or edges that are not increasing whole numbers.
    """
    if basis not in ("expiry", "receipt"):
        raise ValidationError(f"basis must be 'expiry' or 'receipt', got {basis!r}")
    bounds = _buckets(edges)
    found: dict[tuple[str, int | None, int | None, str], Decimal] = {}

    def add(sku: str, days: int | None, quantity: Decimal) -> None:
        if days is None:
            low, high, label = None, None, "no expiry"
        else:
            low, high, label = next(b for b in bounds if _in_bucket(days, b[0], b[1]))
        key = (sku, low, high, label)
        found[key] = found.get(key, Decimal(0)) + quantity

    if basis == "expiry":
        for e in source.expiry_stock(item=item):
            add(e.item, None if e.expiry is None else (e.expiry - at).days, e.quantity)
    else:
        for layer in source.layers(item=item):
            add(layer.item, (at - layer.received_on).days, layer.quantity)
    rows = [
        AgingBucket(item=sku, bucket=label, low=low, high=high, quantity=canonical(q))
        for (sku, low, high, label), q in found.items()
        if q
    ]
    return sorted(rows, key=lambda r: (r.item, _bucket_order(r.low, r.high)))


#: The longest look-ahead :func:`near_expiry` takes: 100 years of days.
MAX_EXPIRY_DAYS = 36_525


def near_expiry(
    source: AnalyticsSource,
    *,
    days: int,
    at: dt.date,
    item: str | None = None,
    location: str | None = None,
) -> list[NearExpiry]:
    """Stock of lots expiring within ``days`` of ``at`` (or expired), per position, with
    what is reserved there; soonest expiry first (see :class:`NearExpiry`).

    Raises:
        ValidationError: ``days`` is not a whole number from 0 to 36525 (100 years).
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_EXPIRY_DAYS:
        raise ValidationError(
            f"days must be a whole number from 0 to {MAX_EXPIRY_DAYS} (100 years), got "
            f"{days!r}; for every lot by expiry use aging(basis='expiry')"
        )
    rows = [
        attrs.evolve(r, quantity=canonical(r.quantity), reserved=canonical(r.reserved))
        for r in source.expiring(
            before=at + dt.timedelta(days=min(days, (dt.date.max - at).days)),
            today=at,
            item=item,
            location=location,
        )
    ]
    return sorted(
        rows,
        key=lambda r: (
            r.expiry,
            r.item,
            r.lot,
            r.serial or "",
            r.location,
            r.status,
            r.container or "",
        ),
    )


def supplier_nonconformity(
    source: AnalyticsSource, *, blocking: Collection[str], window: Window | None = None
) -> list[SupplierNonconformity]:
    """Holds, returns and scrap of each supplier's stock, by item and reason, with the
    supplier's receipts of the item in the same window (see :class:`SupplierNonconformity`).

    Args:
        source: Where the partial sums come from.
        blocking: The statuses whose entry counts as a hold.
        window: Only events (and receipts) effective in this window.
    """
    window = window or Window()
    receipts = {(r.supplier, r.item): r.receipts for r in source.receipts(window=window)}
    rows = [
        SupplierNonconformity(
            supplier=s.supplier,
            item=s.item,
            kind=s.kind,
            reason=s.reason,
            events=s.events,
            quantity=canonical(s.quantity),
            receipts=0 if s.supplier is None else receipts.get((s.supplier, s.item), 0),
        )
        for s in source.nonconformity(blocking=frozenset(blocking), window=window)
    ]
    return sorted(
        rows,
        key=lambda r: (r.supplier is None, r.supplier or "", r.item, r.kind, _text_order(r.reason)),
    )


def activity(
    source: AnalyticsSource,
    *,
    depth: int = 2,
    timezone: str | dt.tzinfo = "UTC",
    window: Window | None = None,
    kinds: TxKind | str | Iterable[TxKind | str] | None = None,
) -> list[Activity]:
    """Movement lines per zone and hour of the day (see :class:`Activity`).

    Args:
        source: Where the partial sums come from.
        depth: How many path segments name a zone: 1 for ``DC1``, 2 for ``DC1/A``. Locations
            nearer the root are zones of their own.
        timezone: The time zone whose hours to count in: a name (``"Europe/Berlin"``) or a tzinfo.
            Its offsets must be whole quarter hours (every zone in use today's are): the
            sources count per quarter hour in UTC.
        window: Only movements effective in this window.
        kinds: Only transactions of these kinds: one (``"pick"``) or several
            (``["pick", "transfer"]``).

    Raises:
        ValidationError: A depth below 1, an unknown time zone or transaction kind, or a
            time zone whose offset (fixed, or at a counted time) is not whole quarter hours.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValidationError(f"depth must be a whole number of at least 1, got {depth!r}")
    zone_info = _zone(timezone)
    if isinstance(kinds, str):  # a TxKind is a str too
        kinds = (kinds,)
    wanted = None if kinds is None else frozenset(_tx_kind(k) for k in kinds)
    counts: dict[tuple[str, int], list[int]] = {}
    for s in source.activity(window=window or Window(), kinds=wanted):
        local = s.start.astimezone(zone_info)
        _quarter_hours(timezone, local.utcoffset(), f" at {s.start.isoformat()}")
        key = (zone_of(s.location, depth), local.hour)
        found = counts.setdefault(key, [0, 0])
        found[0] += s.inbound
        found[1] += s.outbound
    return [
        Activity(zone=zone, hour=hour, inbound=inbound, outbound=outbound)
        for (zone, hour), (inbound, outbound) in sorted(counts.items())
    ]


def zone_of(path: str, depth: int) -> str:
    """The zone a location belongs to: its path cut to ``depth`` segments.

    Example:
        >>> zone_of("DC1/A/01-03", 2)
        'DC1/A'
    """
    return "/".join(path.split("/")[:depth])


def _zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    if isinstance(tz, dt.tzinfo):
        # A fixed offset is known up front; a zone's offsets are checked where they are used.
        _quarter_hours(tz, tz.utcoffset(None), "")
        return tz
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            f"time zone {tz!r} is not known; give an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from None


def _quarter_hours(tz: str | dt.tzinfo, offset: dt.timedelta | None, when: str) -> None:
    """Refuse a UTC offset that is not whole quarter hours: hours counted per quarter hour
    in UTC would land in the wrong local hour."""
    if offset is not None and offset % dt.timedelta(minutes=15):
        raise ValidationError(
            f"time zone {tz} has UTC offset {offset}{when}, not a whole number of quarter "
            "hours; activity counts per quarter hour, so give a zone with quarter-hour offsets"
        )


def _tx_kind(kind: TxKind | str) -> TxKind:
    try:
        return TxKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in TxKind)
        raise ValidationError(f"transaction kind must be one of {kinds}; got {kind!r}") from None


def _buckets(edges: Sequence[int]) -> list[tuple[int | None, int | None, str]]:
    values = list(edges)
    if (
        not values
        or any(isinstance(e, bool) or not isinstance(e, int) for e in values)
        or any(b <= a for a, b in itertools.pairwise(values))
    ):
        raise ValidationError(
            f"aging edges must be one or more increasing whole numbers of days, got {edges!r}"
        )
    bounds: list[tuple[int | None, int | None, str]] = [(None, values[0] - 1, f"<{values[0]}")]
    for low, high in itertools.pairwise(values):
        bounds.append((low, high - 1, f"{low}-{high - 1}"))
    bounds.append((values[-1], None, f"{values[-1]}+"))
    return bounds


def _in_bucket(days: int, low: int | None, high: int | None) -> bool:
    return (low is None or days >= low) and (high is None or days <= high)


def _bucket_order(low: int | None, high: int | None) -> tuple[int, int]:
    if low is None and high is None:
        return (2, 0)  # "no expiry" last
    if low is None:
        return (0, 0)
    return (1, low)


def _text_order(value: str | None) -> tuple[bool, str]:
    """Sort ``None`` after every text."""
    return (value is None, value or "")
