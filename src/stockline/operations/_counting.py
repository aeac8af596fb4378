"""Cycle counts and stock takes (``inv.counts``).

A count is an operational document (kind ``count``) with one more document per recorded line
(kind ``count-line``), so a count of thousands of positions is recorded line by line without
rewriting the whole count each time. Closing computes every position's difference, posts them
as one ``count`` transaction against the ``adjustment`` location, and marks the count closed
in the same write block.

The correction of a counted position is what was counted less the book quantity of that
position *at the time it was counted* (an as-of read by effective time), applied when the
count closes. A movement posted into or out of the position after it was counted is in the
book then, and is neither lost nor corrected twice.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stockline.errors import CountError, TrackingError, UnknownLotError, ValidationError
from stockline.gs1 import Scan
from stockline.ledger import (
    AVAILABLE,
    BalanceQuery,
    Book,
    Header,
    HistoryQuery,
    LedgerReader,
    LedgerWriter,
    LocationKind,
    Movement,
    Position,
    Reference,
    Tracking,
    TxKind,
    boundary,
)
from stockline.operations._count_docs import (
    COUNT_KIND,
    COUNT_LINE_KIND,
    count_of,
    ensure_open,
    header_doc,
    line_body,
    line_key,
    line_of,
    position_order,
    read_count,
    read_lines,
    result_body,
    stored_result,
    time_of,
    time_text,
    under,
)
from stockline.operations._count_input import amounts, check_position, from_scan
from stockline.operations._counts import (
    Count,
    CountLine,
    CountReport,
    CountReportLine,
    CountSheetLine,
    CountState,
    Uncounted,
)
from stockline.operations._settling import (
    Moment,
    book_at,
    serial_places,
    settle,
    sheet_of,
    touched,
    with_lines,
)

__all__ = ["Counts"]

_REF_TYPE = "COUNT"


@attrs.define(repr=False)
class Counts:
    """Cycle counts and stock takes (``inv.counts``).

    Args:
        book: The posting context it reads and posts through.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<Counts>"

    def open(
        self,
        location: str,
        *,
        sku: str | None = None,
        lot: str | None = None,
        blind: bool = False,
        uncounted: Uncounted | str = Uncounted.KEEP,
        count_id: str | None = None,
        reason: str | None = None,
        actor: str | None = None,
    ) -> Count:
        """Open a count of the stock at ``location`` and below (only ``sku``, ``lot`` if given).

        Two open counts may not cover the same stock: their differences would be corrected
        twice.

        Args:
            location: The root of the subtree to count (an internal location).
            sku: Count only this item.
            lot: Count only this lot (give ``sku`` too).
            blind: Hide book quantities from the count and its sheet until it is closed.
            uncounted: ``"keep"`` (a cycle count, the default): stock nobody counted keeps its
                book quantity; ``"zero"`` (a full stock take): it is written off at close.
            count_id: The count's reference; ``C-000001``, ``C-000002``, ... when ``None``.
            reason: The reason the count transaction carries; ``"cycle count <id>"`` or
                ``"stock take <id>"`` when ``None``.
            actor: Who opens it.

        Returns:
            The open count.

        Raises:
            CountError: Another open count covers some of the same stock, or the id is taken.
            UnknownLocationError: No such location.
            UnknownItemError: No such item.
            ValidationError: An argument of the wrong type, or a lot without its item.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("BOLT")
            >>> _ = inv.add_location("DC1/A/01")
            >>> _ = inv.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME")
            >>> count = inv.counts.open("DC1/A")
            >>> _ = inv.counts.record(count.id, "BOLT", 9, location="DC1/A/01")
            >>> closed = inv.counts.close(count.id)
            >>> inv.on_hand("BOLT"), inv.transaction(closed.transaction_id).kind
            (Decimal('9'), <TxKind.COUNT: 'count'>)
        """
        location = boundary.code(location, "location")
        sku = boundary.optional_code(sku, "sku")
        lot = boundary.optional_code(lot, "lot")
        blind = boundary.flag(blind, "blind")
        mode = boundary.choice(uncounted, Uncounted, "uncounted")
        count_id = boundary.optional_code(count_id, "count id")
        reason = boundary.optional_note(reason, "reason")
        actor = boundary.optional_code(actor, "actor")
        if lot is not None and sku is None:
            raise ValidationError("a count of one lot names its item too: give sku= with lot=")
        if reason is not None and not reason.strip():
            raise ValidationError("a count's reason, when given, must not be blank")
        if count_id is not None:
            _check_id(count_id)
        return _open(self._book, location, sku, lot, blind, mode, count_id, reason, actor)

    def get(self, count_id: str) -> Count:
        """Return a count with its lines; on an open blind count the lines carry no
        ``expected`` quantity.

        Args:
            count_id: The count.

        Returns:
            The count, with its lines.

        Raises:
            UnknownCountError: No such count.
        """
        count_id = boundary.code(count_id, "count id")
        with self._book.read() as r:
            header = read_count(r, count_id)
            return with_lines(r, header, read_lines(r, header))

    def list(self, *, state: CountState | str | None = None) -> builtins.list[Count]:
        """Return every count (in ``state`` only, if given), ordered by id, without lines.

        Args:
            state: Only counts in this state (``open``, ``closed``, ``cancelled``).

        Returns:
            The counts.

        Raises:
            ValidationError: ``state`` is not a count state.
        """
        wanted = None if state is None else boundary.choice(state, CountState, "state")
        with self._book.read() as r:
            found = [count_of(d) for d in r.documents(COUNT_KIND)]
        return [c for c in found if wanted is None or c.state is wanted]

    def sheet(self, count_id: str) -> builtins.list[CountSheetLine]:
        """Return what a counter should visit: every position the book has in the count's
        scope now, and every location in scope with no stock (stock may be found there),
        in pick sequence. On a blind count the lines carry no ``expected`` quantity.

        Args:
            count_id: The count.

        Returns:
            The sheet's lines.

        Raises:
            UnknownCountError: No such count.
        """
        count_id = boundary.code(count_id, "count id")
        with self._book.read() as r:
            return sheet_of(r, read_count(r, count_id))

    def record(
        self,
        count_id: str,
        sku: str | None = None,
        quantity: object = None,
        *,
        location: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        status: str | None = None,
        container: str | None = None,
        scan: Scan | str | None = None,
        gs_standin: str | None = None,
        add: bool = False,
        empty: bool = False,
        counted_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> builtins.list[CountLine]:
        """Record what was found at one position of an open count.

        A position is (location, item, lot, serial, status, container). Recording a position
        again replaces what was recorded (a recount), unless ``add`` is true: then the
        quantity is added to it (scanning case by case); the time it was counted stays the
        first. A serial is recorded where it was found; recording it again elsewhere moves
        its line. Counting an item at a location counts *all* of it there: lots, serials,
        statuses and containers of it not recorded count as zero at close.

        A count corrects quantities, never statuses or containers: stock the book has at the
        location (a serial: anywhere) is recorded in a status and container the book has it
        in. Without ``status=`` the line takes the book's status there; stock the book does
        not have there is found stock, ``available`` unless ``status=`` says otherwise.

        Args:
            count_id: The open count.
            sku: The item; taken from the scan's GTIN when ``scan`` is given.
            quantity: How much was found (0: none of the item here). For a scan, how many
                of the scanned thing (units, cases): one when ``None``.
            location: The location counted (exactly this path).
            lot: The lot found.
            serial: A serial found (serial-tracked items).
            serials: Several serials found at the same position.
            status: The status of the stock found; by default the status the book has it in
                there (``available`` for stock the book does not have there).
            container: The container it was found in (a scan's SSCC by default; loose when
                ``None``).
            scan: A GS1 barcode as the scanner sent it, or a parsed
                :class:`~stockline.gs1.Scan`: item by GTIN (or pack GTIN), lot, serial, count,
                SSCC. A lot new to stockline is added with the scan's expiry.
            gs_standin: The character the scanner sends for GS, e.g. ``"^"``.
            add: Add to what is recorded for the position instead of replacing it.
            empty: Record that nothing at all is at ``location`` (give no item).
            counted_at: When it was counted; now when ``None``.
            actor: Who counted.

        Returns:
            The lines as recorded now (without ``expected`` on a blind count).

        Raises:
            CountError: The count is not open, the position is outside its scope, or the status
                or container differs from every one the book has the stock in there (or the
                book has it in several statuses and ``status=`` is not given).
            UnknownCountError: No such count.
            TrackingError: A lot or serial missing or given against the item's tracking.
            ScanMismatchError: The scan contradicts ``sku``, ``lot`` or ``container``.
            ValidationError: An argument of the wrong type.
        """
        found_serials = ([boundary.code(serial, "serial")] if serial is not None else []) + list(
            boundary.codes(serials, "serials")
        )
        return _record(
            self._book,
            boundary.code(count_id, "count id"),
            boundary.optional_code(sku, "sku"),
            quantity,
            location=boundary.code(location, "location"),
            lot=boundary.optional_code(lot, "lot"),
            serials=found_serials,
            status=boundary.optional_code(status, "status"),
            container=boundary.optional_code(container, "container"),
            scan=scan,
            gs_standin=boundary.optional_note(gs_standin, "gs_standin"),
            add=boundary.flag(add, "add"),
            empty=boundary.flag(empty, "empty"),
            counted_at=boundary.optional_moment(counted_at, "counted_at"),
            actor=boundary.optional_code(actor, "actor"),
        )

    def report(self, count_id: str, *, costs: Mapping[str, Decimal] | None = None) -> CountReport:
        """Return expected, counted and difference for every position the count touches,
        valued at ``costs`` (SKU → cost per base unit) where given.

        For a closed count it is what was posted; for an open count, a preview of what
        closing now would post (refused on a blind count: its book quantities stay hidden
        until it is closed).

        Args:
            count_id: The count.
            costs: Cost per base unit by SKU, to value the differences.

        Returns:
            The report.

        Raises:
            CountError: The count is blind and still open, or was cancelled.
            UnknownCountError: No such count.
        """
        count_id = boundary.code(count_id, "count id")
        if costs is not None:
            boundary.mapping(costs, "costs")
        with self._book.read() as r:
            header = read_count(r, count_id)
            if header.state is CountState.CANCELLED:
                raise CountError(
                    f"count {count_id} was cancelled; it has no report", count=count_id
                )
            if header.state is CountState.OPEN:
                if header.blind:
                    raise CountError(
                        f"count {count_id} is blind: its book quantities stay hidden until it "
                        "is closed; close it, then ask for the report",
                        count=count_id,
                    )
                lines = settle(r, header, read_lines(r, header), self._book.now())
            else:
                lines = stored_result(r, header)
        report = CountReport(
            count=count_id,
            state=header.state,
            transaction_id=header.transaction_id,
            lines=tuple(lines),
        )
        return report if costs is None else report.priced(costs)

    def close(self, count_id: str, *, actor: str | None = None) -> Count:
        """Close an open count: post every difference as one ``count`` transaction against
        the ``adjustment`` location (with a ``COUNT`` reference to the count), and mark the
        count closed, in one write block. A count with no difference posts nothing.

        Args:
            count_id: The open count.
            actor: Who closes it.

        Returns:
            The closed count (``transaction_id`` is the posted transaction, or ``None``).

        Raises:
            CountError: The count is not open.
            UnknownCountError: No such count.
            InsufficientStockError: Stock left a counted position after it was counted, more
                than the count found there (recount it); nothing was posted.
            ReservedStockError: The count found less than is reserved at a position; release
                the reservation first.
            SerialError: A serial found would be in two places (it moved after it was
                counted); recount it.
        """
        count_id = boundary.code(count_id, "count id")
        actor = boundary.optional_code(actor, "actor")
        return _close(self._book, count_id, actor)

    def cancel(self, count_id: str, *, actor: str | None = None) -> Count:
        """Cancel an open count: nothing is posted; its lines are kept for the record.

        Args:
            count_id: The open count.
            actor: Who cancels it.

        Returns:
            The cancelled count.

        Raises:
            CountError: The count is not open.
            UnknownCountError: No such count.
        """
        count_id = boundary.code(count_id, "count id")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            doc = header_doc(w, count_id)
            header = count_of(doc)
            ensure_open(header)
            now = self._book.now()
            body = {**doc.body, "state": CountState.CANCELLED.value}
            body.update(closed_at=time_text(now), closed_by=actor)
            new = w.put_document(
                COUNT_KIND, count_id, body, version=doc.version, actor=actor, at=now
            )
            return with_lines(w, count_of(new), read_lines(w, header))


# -- opening ---------------------------------------------------------------------------------


def _open(
    book: Book,
    location: str,
    sku: str | None,
    lot: str | None,
    blind: bool,
    mode: Uncounted,
    count_id: str | None,
    reason: str | None,
    actor: str | None,
) -> Count:
    """Open a count (see :meth:`Counts.open`), its arguments canonical."""
    with book.write() as w:
        _internal_location(w, location)
        if sku is not None:
            item = book.item(w, sku)
            if lot is not None and w.lot(sku, lot) is None:
                raise UnknownLotError(item=sku, lot=lot)
            if lot is not None and item.tracking is Tracking.NONE:
                raise TrackingError(item=sku, tracking="none", lot=lot)
        existing = [count_of(d) for d in w.documents(COUNT_KIND)]
        if count_id is None:
            count_id = _next_id({c.id for c in existing})
        if any(c.id == count_id for c in existing):
            raise CountError(
                f"count id {count_id} is taken; give another, or leave it out for a new one",
                count=count_id,
            )
        for other in existing:
            if other.state is CountState.OPEN and _overlaps(other, location, sku, lot):
                raise CountError(
                    f"open count {other.id} already covers {_scope_text(location, sku, lot)} "
                    f"({_scope_text(other.location, other.sku, other.lot)}); close or cancel "
                    "it first, or count something else",
                    count=count_id,
                )
        now = book.now()
        body: dict[str, Any] = {
            "location": location,
            "sku": sku,
            "lot": lot,
            "blind": blind,
            "uncounted": mode.value,
            "state": CountState.OPEN.value,
            "opened_at": time_text(now),
            "opened_by": actor,
            "reason": reason,
            "closed_at": None,
            "closed_by": None,
            "transaction": None,
            "ledger_head": w.head()[0],
        }
        return count_of(w.put_document(COUNT_KIND, count_id, body, version=0, actor=actor, at=now))


def _next_id(taken: set[str]) -> str:
    number = len(taken) + 1
    while f"C-{number:06d}" in taken:
        number += 1
    return f"C-{number:06d}"


def _check_id(count_id: str) -> None:
    if "|" in count_id:
        raise ValidationError(
            f"a count id must be a non-empty string without surrounding spaces or '|', "
            f"got {count_id!r}"
        )


def _overlaps(other: Count, location: str, sku: str | None, lot: str | None) -> bool:
    nested = under(location, other.location) or under(other.location, location)
    same_item = sku is None or other.sku is None or sku == other.sku
    same_lot = lot is None or other.lot is None or lot == other.lot
    return nested and same_item and same_lot


def _scope_text(location: str, sku: str | None, lot: str | None) -> str:
    what = "everything" if sku is None else sku + (f" lot {lot}" if lot else "")
    return f"{what} under {location}"


# -- recording -------------------------------------------------------------------------------


def _record(
    book: Book,
    count_id: str,
    sku: str | None,
    quantity: object,
    *,
    location: str,
    lot: str | None,
    serials: list[str],
    status: str | None,
    container: str | None,
    scan: Scan | str | None,
    gs_standin: str | None,
    add: bool,
    empty: bool,
    counted_at: dt.datetime | None,
    actor: str | None,
) -> list[CountLine]:
    """Record count lines (see :meth:`Counts.record`), the arguments canonical."""
    now = book.now()
    when = now if counted_at is None else counted_at
    if when > now:
        raise ValidationError(
            f"counted_at {when.isoformat()} is later than now ({now.isoformat()}); record a "
            "count when it has been made"
        )
    new_lot = None
    if scan is not None:
        with book.read() as r:
            sku, quantity, lot, serials, container, new_lot = from_scan(
                r, scan, sku, quantity, lot, serials, container, gs_standin, when
            )
    if empty:
        if sku is not None or quantity is not None or lot is not None or serials:
            raise ValidationError(
                "empty=True records that nothing is at the location; give no item, quantity, "
                "lot or serial with it"
            )
    elif sku is None:
        raise ValidationError(
            "say what was counted: give the item (sku=) or a scan, or empty=True for an "
            "empty location"
        )
    if len(set(serials)) != len(serials):
        raise ValidationError(f"the serials recorded repeat one another: {serials}")
    with book.write() as w:
        header = read_count(w, count_id)
        ensure_open(header)
        head = w.head()[0]
        if when < header.opened_at:
            raise ValidationError(
                f"counted_at {when.isoformat()} is before count {count_id} was opened "
                f"({header.opened_at.isoformat()}); a count records what was found after it "
                "was opened"
            )
        _internal_location(w, location)
        if not under(location, header.location):
            raise CountError(
                f"location {location} is outside count {count_id}, which counts "
                f"{_scope_text(header.location, header.sku, header.lot)}",
                count=count_id,
            )
        if empty:
            if header.sku is not None:
                raise CountError(
                    f"count {count_id} counts {header.sku} only: record none of it here with "
                    f"inv.counts.record({count_id!r}, {header.sku!r}, 0, location=...)",
                    count=count_id,
                )
            body = line_body(
                location, None, None, None, AVAILABLE, None, Decimal(0), when, actor, head
            )
            written = [_put_line(w, count_id, ["empty", location], body, actor, now)]
            return _shown(w, header, written)
        assert sku is not None
        item = book.item(w, sku)
        if not header.covers(sku, lot, location):
            raise CountError(
                f"{sku}{f' lot {lot}' if lot else ''} at {location} is outside count "
                f"{count_id}, which counts {_scope_text(header.location, header.sku, header.lot)}",
                count=count_id,
            )
        check_position(w, status or AVAILABLE, container)
        found = amounts(item, quantity, lot, serials)
        if lot is not None and w.lot(sku, lot) is None:
            if scan is None:
                raise UnknownLotError(
                    item=sku,
                    lot=lot,
                )
            book.lot(w, sku, lot, expiry=new_lot, produced_on=None, actor=actor)
        written = []
        moment = (when, head)
        for serial, amount in found:
            book_status = _as_booked(
                w, count_id, sku, location, lot, serial, status, container, moment
            )
            if serial is not None:
                # A serial is in one place: its line is keyed by the serial alone.
                path: list[str | None] = ["serial", sku, serial]
            else:
                path = ["pos", location, sku, lot, book_status, container]
            key = line_key(count_id, path)
            first: dt.datetime = when
            first_head: int | None = head
            if add:
                if serial is not None:
                    raise ValidationError(
                        "add=True adds to a counted quantity; a serial is there or not, so "
                        "record it without add"
                    )
                old = w.document(COUNT_LINE_KIND, key)
                if old is not None:
                    amount += Decimal(old.body["quantity"])
                    if time_of(old.body["counted_at"]) <= first:
                        first = time_of(old.body["counted_at"])
                        first_head = old.body.get("ledger_head")
            body = line_body(
                location, sku, lot, serial, book_status, container, amount, first, actor, first_head
            )
            written.append(_put_line(w, count_id, path, body, actor, now))
        return _shown(w, header, written)


def _as_booked(
    r: LedgerReader,
    count_id: str,
    sku: str,
    location: str,
    lot: str | None,
    serial: str | None,
    status: str | None,
    container: str | None,
    moment: Moment,
) -> str:
    """The status a line is recorded in, checked against the book: a count never changes
    statuses or containers.

    The book is read at the moment counted: the positions of the item (its lot) at exactly
    ``location``, or every internal position of a serial (a serial found away from where the
    book has it keeps the book's status; its container is the one it was found in).
    """
    if serial is not None:
        places = serial_places(r, sku, serial, moment[0])
    elif lot is None and (item := r.item(sku)) is not None and item.tracking is not Tracking.NONE:
        return status or AVAILABLE  # "none of this item here": a zero that names no lot
    else:
        query = BalanceQuery(item=sku, lot=lot, location=location)
        since = HistoryQuery(item=sku, lot=lot, location=location, since=moment[0])
        places = {b.key for b in r.balances(query)}
        places |= touched(r, since, lambda key: key[0] == sku)
        places = {k for k in places if k[3] == location and k[1] == lot and k[2] is None}
    held = sorted(
        (k for k, quantity in book_at(r, dict.fromkeys(places, moment)).items() if quantity > 0),
        key=position_order,
    )
    what = sku + (f" lot {lot}" if lot else "") + (f" serial {serial}" if serial else "")
    statuses = sorted({k[4] for k in held})
    if status is None:
        if len(statuses) > 1:
            raise CountError(
                f"the book has {what} at {location} in statuses {', '.join(statuses)}: record "
                "what was found in each with status=",
                count=count_id,
            )
        status = statuses[0] if statuses else AVAILABLE
    elif statuses and status not in statuses:
        places_text = ", ".join(sorted({k[3] for k in held}))
        raise CountError(
            f"the book has {what} at {places_text} in status {', '.join(statuses)}, not "
            f"{status}: a count corrects quantities, never statuses. Record it with "
            f"status={statuses[0]!r} (or leave status= out); if its status really changed, "
            "post that first (release(), change_status()), then count it",
            count=count_id,
        )
    here = [k for k in held if k[3] == location and k[4] == status]
    containers = {k[5] for k in here}
    if here and container not in containers:
        shown = ", ".join(sorted(c or "loose" for c in containers))
        raise CountError(
            f"the book has {what} at {location} in {status} {shown}, not "
            f"{container or 'loose'}: a count corrects quantities, never containers. Record "
            "it with container= as the book has it; if it was packed or unpacked, post that "
            "first, then count it",
            count=count_id,
        )
    return status


def _put_line(
    w: LedgerWriter,
    count_id: str,
    path: Sequence[str | None],
    body: dict[str, Any],
    actor: str | None,
    now: dt.datetime,
) -> CountLine:
    key = line_key(count_id, path)
    old = w.document(COUNT_LINE_KIND, key)
    doc = w.put_document(
        COUNT_LINE_KIND, key, body, version=0 if old is None else old.version, actor=actor, at=now
    )
    return line_of(doc.body)


def _shown(r: LedgerReader, header: Count, lines: list[CountLine]) -> list[CountLine]:
    if header.blind:
        return lines
    return list(with_lines(r, header, lines).lines)


# -- closing and reporting -------------------------------------------------------------------


def _close(book: Book, count_id: str, actor: str | None) -> Count:
    """Close a count (see :meth:`Counts.close`), its arguments canonical."""
    with book.write() as w:
        doc = header_doc(w, count_id)
        header = count_of(doc)
        ensure_open(header)
        now = book.now()
        result = settle(w, header, read_lines(w, header), now)
        movements = _corrections(book, w, result, actor)
        tx_id = None
        if movements:
            reason = header.reason or (
                f"{'stock take' if header.uncounted is Uncounted.ZERO else 'cycle count'} "
                f"{count_id}"
            )
            document = Header(
                refs=(Reference(type=_REF_TYPE, number=count_id),), actor=actor, reason=reason
            )
            draft = book.draft(TxKind.COUNT, movements, document)
            tx_id = book.post(w, draft, now=now).id
        body = {
            **doc.body,
            "state": CountState.CLOSED.value,
            "closed_at": time_text(now),
            "closed_by": actor,
            "transaction": tx_id,
            "result": [result_body(line) for line in result],
        }
        new = w.put_document(COUNT_KIND, count_id, body, version=doc.version, actor=actor, at=now)
        closed = count_of(new)
        return with_lines(w, closed, read_lines(w, closed))


def _corrections(
    book: Book, w: LedgerWriter, result: Iterable[CountReportLine], actor: str | None
) -> list[Movement]:
    movements: list[Movement] = []
    there: Position | None = None
    for line in result:
        if line.difference == 0:
            continue
        if there is None:
            there = book.counterparty(w, LocationKind.ADJUSTMENT, None, actor)
        here = Position(location=line.location, status=line.status, container=line.container)
        src, dst = (there, here) if line.difference > 0 else (here, there)
        movements.append(
            Movement(
                item=line.sku,
                quantity=abs(line.difference),
                src=src,
                dst=dst,
                lot=line.lot,
                serial=line.serial,
            )
        )
    return movements


# -- small helpers ---------------------------------------------------------------------------


def _internal_location(r: LedgerReader, path: str) -> None:
    place = Book.location(r, path)
    if place.kind is not LocationKind.INTERNAL:
        raise ValidationError(
            f"location {path} is a {place.kind} location; only internal stock is counted"
        )
