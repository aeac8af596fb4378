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

from stockline.errors import CountError, UnknownItemError
from stockline.ledger import BalanceQuery, HistoryQuery, LocationKind, PositionKey, Tracking
from stockline.operations._count_docs import (
    COUNT_KIND,
    COUNT_LINE_KIND,
    count_of,
    line_key,
    line_of,
    position_order,
    stored_result,
    under,
)
from stockline.operations._counts import (
    Count,
    CountLine,
    CountReportLine,
    CountSheetLine,
    CountState,
    Uncounted,
)

if TYPE_CHECKING:
    from stockline.ledger import LedgerReader

__all__ = [
    "Moment",
    "book_at",
    "item_tracking",
    "serial_places",
    "settle",
    "sheet_of",
    "touched",
    "with_lines",
]


Moment = tuple[dt.datetime, int | None]
"""A point in the book: an effective time, and the id of the last transaction posted when the
book was looked at (``None``: every transaction effective then). A movement effective at
exactly that time is before the point only if it was posted by then."""


def settle(
    r: LedgerReader, header: Count, lines: Sequence[CountLine], now: dt.datetime
) -> list[CountReportLine]:
    """Expected and counted for every position the count decides, as closing at ``now``
    would post them.

    Raises:
        CountError: A serial this count found is where another count (open, or closed with a
            later observation) says it is.
    """
    recorded: dict[PositionKey, CountLine] = {}
    units: dict[tuple[str, str], Moment] = {}
    empties: dict[str, Moment] = {}
    for line in lines:
        if line.sku is None:
            empties[line.location] = _earliest(line.moment, empties.get(line.location))
            continue
        unit = (line.location, line.sku)
        units[unit] = _earliest(line.moment, units.get(unit))
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
    # what arrived after that is kept as posted, and what left it since is not written off
    # again.
    when: dict[PositionKey, Moment] = {}
    counted: dict[PositionKey, Decimal] = {}
    stamp: dict[PositionKey, dt.datetime | None] = {}
    cutoff: set[PositionKey] = set()
    for key in keys:
        sku, _, _, location, _, _ = key
        if key in recorded:
            line = recorded[key]
            when[key], counted[key], stamp[key] = line.moment, line.quantity, line.counted_at
        elif (location, sku) in units or location in empties:
            t = _earliest(units.get((location, sku)), empties.get(location))
            when[key], counted[key], stamp[key] = t, Decimal(0), t[0]
        elif header.uncounted is Uncounted.ZERO:
            when[key], counted[key], stamp[key] = (
                (header.opened_at, header.ledger_head),
                Decimal(0),
                None,
            )
            cutoff.add(key)
    found_book = _book(r, when)
    book = {key: quantity for key, (quantity, _) in found_book.items()}
    for key in cutoff:
        quantity, left = found_book[key]
        book[key] = max(Decimal(0), quantity - left)
    # A serial found somewhere is in no other place: where the book had it then, it is gone.
    others: list[Count] | None = None
    for key, line in recorded.items():
        if line.serial is None or line.quantity == 0 or book[key] > 0:
            continue
        elsewhere = serial_places(r, line.sku or "", line.serial, line.counted_at) - {key}
        extra = {k: line.moment for k in elsewhere if k not in when}
        for k, held in book_at(r, extra).items():
            if held > 0:
                if others is None:
                    others = _other_counts(r, header)
                _check_elsewhere(r, header, line, k, others)
                when[k], counted[k], stamp[k], book[k] = line.moment, Decimal(0), None, held
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


def _earliest(moment: Moment | None, other: Moment | None) -> Moment:
    found = [m for m in (moment, other) if m is not None]
    return min(found, key=lambda m: m[0])


def _other_counts(r: LedgerReader, header: Count) -> list[Count]:
    """The counts that may contradict this one: open ones, and ones closed since it opened."""
    found = []
    for doc in r.documents(COUNT_KIND):
        other = count_of(doc)
        if other.id == header.id or other.state is CountState.CANCELLED:
            continue
        if other.state is CountState.OPEN or (
            other.closed_at is not None and other.closed_at >= header.opened_at
        ):
            found.append(other)
    return found


def _check_elsewhere(
    r: LedgerReader, header: Count, line: CountLine, there: PositionKey, others: Sequence[Count]
) -> None:
    """Refuse to write a serial found by this count off a position another count vouches for:
    one still open that covers it (its close would settle against a stale view), or one that
    found the serial there at or after this count found it here."""
    sku, serial = line.sku or "", line.serial
    for other in others:
        if other.state is CountState.OPEN and other.covers(sku, there[1], there[3]):
            raise CountError(
                f"count {header.id} found {sku} serial {serial} at {line.location}, but the "
                f"book has it at {there[3]}, which open count {other.id} covers: close (or "
                f"cancel) {other.id} first, then close {header.id}; if both counters saw it, "
                "recount it",
                count=header.id,
            )
        doc = r.document(COUNT_LINE_KIND, line_key(other.id, ["serial", sku, serial]))
        if doc is None or other.state is not CountState.CLOSED:
            continue
        seen = line_of(doc.body)
        if seen.location == there[3] and seen.quantity > 0 and seen.counted_at >= line.counted_at:
            raise CountError(
                f"count {header.id} found {sku} serial {serial} at {line.location} "
                f"({line.counted_at.isoformat()}), but count {other.id} found it at "
                f"{there[3]} at {seen.counted_at.isoformat()}, no earlier: recount serial "
                f"{serial} (record it again where it is), then close {header.id}",
                count=header.id,
            )


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


def book_at(r: LedgerReader, when: Mapping[PositionKey, Moment]) -> dict[PositionKey, Decimal]:
    """The book quantity of each position at its own moment."""
    return {key: quantity for key, (quantity, _) in _book(r, when).items()}


def _book(
    r: LedgerReader, when: Mapping[PositionKey, Moment]
) -> dict[PositionKey, tuple[Decimal, Decimal]]:
    """The book quantity of each position at its own moment, and how much left it after."""
    current = r.position_balances(when)
    found: dict[PositionKey, tuple[Decimal, Decimal]] = {}
    for key, (at, head) in when.items():
        quantity, last = current.get(key, (Decimal(0), None))
        later: list[Decimal] = []
        if last is not None and last > at:
            later += [delta for _, delta in r.later_deltas(key, at)]
        if last is not None and last >= at and head is not None:
            later += _same_instant(r, key, at, head)
        found[key] = (
            quantity - sum(later, Decimal(0)),
            -sum((d for d in later if d < 0), Decimal(0)),
        )
    return found


def _same_instant(r: LedgerReader, key: PositionKey, at: dt.datetime, head: int) -> list[Decimal]:
    """The changes of a position effective at exactly ``at`` posted after transaction ``head``."""
    sku, lot, serial, location, status, container = key
    query = HistoryQuery(item=sku, lot=lot, serial=serial, location=location, since=at, until=at)
    deltas: list[Decimal] = []
    for tx in r.history(query):
        if tx.id <= head or tx.effective_at != at:
            continue
        for m in tx.movements:
            if (m.item, m.lot, m.serial) != (sku, lot, serial):
                continue
            if (m.dst.location, m.dst.status, m.dst.container) == (location, status, container):
                deltas.append(m.quantity)
            if (m.src.location, m.src.status, m.src.container) == (location, status, container):
                deltas.append(-m.quantity)
    return deltas


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
        book = book_at(r, {line.key: line.moment for line in lines if line.sku is not None})
        shown = [
            attrs.evolve(line, expected=book[line.key]) if line.sku is not None else line
            for line in lines
        ]
    return attrs.evolve(header, lines=tuple(shown))


def item_tracking(r: LedgerReader, sku: str) -> Tracking:
    """The tracking of an item in the master data."""
    item = r.item(sku)
    if item is None:
        raise UnknownItemError(item=sku)
    return item.tracking
