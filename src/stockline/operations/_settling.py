"""What a count decides: for every position it touches, the book quantity when it was
counted and the quantity found; and the sheet a counter walks.

The book of a position at the time it was counted is its current balance less every change
effective after that time, so one batched balance read plus the later changes of the few
positions that moved since answer the whole count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from stockline.errors import UnknownItemError
from stockline.ledger._master import LocationKind, Tracking
from stockline.ledger._queries import BalanceQuery, HistoryQuery
from stockline.ledger._records import PositionKey
from stockline.operations._count_docs import position_order, stored_result, under
from stockline.operations._counts import (
    Count,
    CountLine,
    CountReportLine,
    CountSheetLine,
    CountState,
    Uncounted,
)

if TYPE_CHECKING:
    from stockline.adapters._protocol import LedgerReader

__all__ = [
    "book_at",
    "item_tracking",
    "serial_places",
    "settle",
    "sheet_of",
    "touched",
    "with_lines",
]


def settle(
    r: LedgerReader, header: Count, lines: Sequence[CountLine], now: dt.datetime
) -> list[CountReportLine]:
    """Expected and counted for every position the count decides, as closing at ``now``
    would post them."""
    recorded: dict[PositionKey, CountLine] = {}
    units: dict[tuple[str, str], dt.datetime] = {}
    empties: dict[str, dt.datetime] = {}
    for line in lines:
        if line.sku is None:
            empties[line.location] = min(line.counted_at, empties.get(line.location, now))
            continue
        unit = (line.location, line.sku)
        units[unit] = min(line.counted_at, units.get(unit, now))
        if line.quantity != 0 or line.serial is not None:
            recorded[line.key] = line
        elif line.lot is not None or item_tracking(r, line.sku) is Tracking.NONE:
            recorded[line.key] = line  # a zero that names a real position
    # Every position that holds scope stock now, or may have held it since the count opened.
    scope = BalanceQuery(item=header.sku, lot=header.lot, location=header.location)
    keys: set[PositionKey] = {b.key for b in r.balances(scope)}
    since = HistoryQuery(
        item=header.sku, lot=header.lot, location=header.location, since=header.opened_at
    )
    keys |= touched(r, since, lambda key: header.covers(key[0], key[1], key[3]))
    keys |= recorded.keys()
    # When each position's book is read: when it was counted (or its unit was); on a full
    # stock take, stock nobody counted is taken as not there when the count was opened, so
    # what arrived or left after that is kept as posted.
    when: dict[PositionKey, dt.datetime] = {}
    counted: dict[PositionKey, Decimal] = {}
    stamp: dict[PositionKey, dt.datetime | None] = {}
    for key in keys:
        sku, _, _, location, _, _ = key
        if key in recorded:
            line = recorded[key]
            when[key], counted[key], stamp[key] = line.counted_at, line.quantity, line.counted_at
        elif (location, sku) in units or location in empties:
            t = min(units.get((location, sku), now), empties.get(location, now))
            when[key], counted[key], stamp[key] = t, Decimal(0), t
        elif header.uncounted is Uncounted.ZERO:
            when[key], counted[key], stamp[key] = header.opened_at, Decimal(0), None
    book = book_at(r, when)
    # A serial found somewhere is in no other place: where the book had it then, it is gone.
    for key, line in recorded.items():
        if line.serial is None or line.quantity == 0 or book[key] > 0:
            continue
        elsewhere = serial_places(r, line.sku or "", line.serial, line.counted_at) - {key}
        extra = {k: line.counted_at for k in elsewhere if k not in when}
        for k, found in book_at(r, extra).items():
            if found > 0:
                when[k], counted[k], stamp[k], book[k] = line.counted_at, Decimal(0), None, found
    report = [
        CountReportLine(
            location=key[3],
            sku=key[0],
            lot=key[1],
            serial=key[2],
            status=key[4],
            container=key[5],
            expected=book[key],
            counted=counted[key],
            counted_at=stamp[key],
        )
        for key in when
        if key in recorded or book[key] != 0
    ]
    report.sort(key=lambda line: position_order(line.key))
    return report


def touched(r: LedgerReader, query: HistoryQuery, keep: Any) -> set[PositionKey]:
    """The internal positions matching ``keep`` that transactions matching ``query`` moved."""
    internal: dict[str, bool] = {}
    found: set[PositionKey] = set()
    for tx in r.history(query):
        for m in tx.movements:
            for p in (m.src, m.dst):
                key = (m.item, m.lot, m.serial, p.location, p.status, p.container)
                if p.location not in internal:
                    place = r.location(p.location)
                    internal[p.location] = place is not None and place.kind is LocationKind.INTERNAL
                if internal[p.location] and keep(key):
                    found.add(key)
    return found


def serial_places(r: LedgerReader, sku: str, serial: str, at: dt.datetime) -> set[PositionKey]:
    """Internal positions that hold, or held at or after ``at``, the serial."""
    places = {b.key for b in r.balances(BalanceQuery(item=sku, serial=serial))}
    query = HistoryQuery(item=sku, serial=serial, since=at)
    return places | touched(r, query, lambda key: key[2] == serial)


def book_at(r: LedgerReader, when: Mapping[PositionKey, dt.datetime]) -> dict[PositionKey, Decimal]:
    """The book quantity of each position at its own effective time."""
    current = r.position_balances(when)
    found: dict[PositionKey, Decimal] = {}
    for key, at in when.items():
        quantity, last = current.get(key, (Decimal(0), None))
        if last is not None and last > at:
            quantity -= sum(r.later_deltas(key, at), Decimal(0))
        found[key] = quantity
    return found


def sheet_of(r: LedgerReader, header: Count) -> list[CountSheetLine]:
    places = {
        loc.path: loc
        for loc in r.locations()
        if loc.kind is LocationKind.INTERNAL and under(loc.path, header.location)
    }
    scope = BalanceQuery(item=header.sku, lot=header.lot, location=header.location)
    hide = header.blind and header.state is CountState.OPEN
    lines = [
        CountSheetLine(
            location=b.position.location,
            sku=b.item,
            lot=b.lot,
            serial=b.serial,
            status=b.position.status,
            container=b.position.container,
            expected=None if hide else b.quantity,
        )
        for b in r.balances(scope)
    ]
    stocked = {line.location for line in lines}
    parents = {p.rpartition("/")[0] for p in places}
    lines += [
        CountSheetLine(location=path, sku=None, expected=None if hide else Decimal(0))
        for path in places
        if path not in stocked and path not in parents
    ]

    def walk(line: CountSheetLine) -> tuple[Any, ...]:
        place = places.get(line.location)
        sequence = place.pick_sequence if place is not None else 0
        return (
            sequence,
            line.location,
            line.sku or "",
            line.lot or "",
            line.serial or "",
            line.status,
            line.container or "",
        )

    return sorted(lines, key=walk)


def with_lines(r: LedgerReader, header: Count, lines: Sequence[CountLine]) -> Count:
    """The count with ``lines``, each with its expected quantity unless that is hidden."""
    if header.state is CountState.CLOSED:
        expected = {line.key: line.expected for line in stored_result(r, header)}
        shown = [
            attrs.evolve(line, expected=expected.get(line.key, Decimal(0)))
            if line.sku is not None
            else line
            for line in lines
        ]
    elif header.blind:
        shown = list(lines)
    else:
        book = book_at(r, {line.key: line.counted_at for line in lines if line.sku is not None})
        shown = [
            attrs.evolve(line, expected=book[line.key]) if line.sku is not None else line
            for line in lines
        ]
    return attrs.evolve(header, lines=tuple(shown))


def item_tracking(r: LedgerReader, sku: str) -> Tracking:
    """The tracking of an item in the master data."""
    item = r.item(sku)
    if item is None:
        raise UnknownItemError(
            f"item {sku!r} is not in the master data; add it with add_item()", item=sku
        )
    return item.tracking
