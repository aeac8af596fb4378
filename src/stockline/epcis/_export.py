"""Walk the ledger in posting order and stream its EPCIS 2.0 document."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import attrs

from stockline.epcis._events import Event, EventMaker, NewNode, format_time
from stockline.epcis._hash import event_hash_id
from stockline.epcis._ids import MasterHistory, Names
from stockline.epcis._options import EpcisOptions
from stockline.epcis._vocab import CONTEXT, STOCKLINE_NAMESPACE
from stockline.errors import UnknownLotError, ValidationError
from stockline.ledger import Book, LocationKind, Transaction, TxKind, aware_utc

__all__ = ["DOCUMENT_CONTEXT", "Export", "export_document", "write_document", "write_file"]

#: The ``@context`` of every document stockline writes.
DOCUMENT_CONTEXT: list[Any] = [CONTEXT, {"stockline": STOCKLINE_NAMESPACE}]


@attrs.frozen(kw_only=True)
class _Filter:
    since: dt.datetime | None
    until: dt.datetime | None
    lots: frozenset[tuple[str, str]] | None
    after: int


#: The lots a document shows, each with the serials of it the document shows.
_Classes = dict[tuple[str, str], dict[str, None]]


@attrs.define
class Export:
    """One export in progress: the document header and a generator of its events.

    The events are produced while the ledger is read, a batch of transactions at a time, so
    memory stays bounded by the master data, the lots and serials and the containers, never by
    the number of transactions. The master data of the lots the events show is known only once
    they are all made, so :meth:`finish` adds it (as ``epcisHeader``, after ``epcisBody``).
    """

    header: dict[str, Any]
    events: Iterator[Event]
    maker: EventMaker
    classes: _Classes

    def finish(self) -> dict[str, Any]:
        """The document without its events, completed with the lots' master data, if any
        (today's: the header is not part of any event or its ID)."""
        if self.classes:
            self.maker.at(None)
            self.header["epcisHeader"] = self.maker.master_data(self.classes)
        return self.header


def export_document(book: Book, **kwargs: Any) -> dict[str, Any]:
    """Build the whole EPCIS document in memory (see :meth:`stockline.epcis.Epcis.export`)."""
    export = start(book, **kwargs)
    events = list(export.events)
    document = export.finish()
    document["epcisBody"]["eventList"] = events
    return document


def write_document(book: Book, target: str | os.PathLike[str] | IO[str], **kwargs: Any) -> int:
    """Stream the EPCIS document to a file (see :meth:`stockline.epcis.Epcis.write`); return the
    number of events written."""
    export = start(book, **kwargs)
    if isinstance(target, str | os.PathLike):
        return write_file(target, lambda out: _write(out, export))
    return _write(target, export)


def write_file(target: str | os.PathLike[str], write: Callable[[IO[str]], int]) -> int:
    """Write a document to the file ``target`` through ``<target>.part``, renamed when complete
    (so a failed export leaves no truncated document); return what ``write`` returns.

    Raises:
        ValidationError: The file cannot be written there (no such folder, no permission, a
            folder of that name); nothing was written.
    """
    path = Path(target)
    part = path.with_name(path.name + ".part")
    try:
        with part.open("w", encoding="utf-8", newline="\n") as out:
            count = write(out)
        part.replace(path)
    except OSError as e:
        raise ValidationError(
            f"cannot write the document to {str(path)!r}: {e.strerror or e}",
            advice="give a path in a folder that exists and can be written, or an open file",
        ) from e
    finally:
        part.unlink(missing_ok=True)
    return count


def _write(out: IO[str], export: Export) -> int:
    header = json.dumps(export.header, ensure_ascii=False, separators=(",", ":"))
    opening = header.rsplit('"eventList":[]', 1)[0]
    out.write(opening + '"eventList":[')
    count = 0
    for event in export.events:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
        count += 1
    whole = json.dumps(export.finish(), ensure_ascii=False, separators=(",", ":"))
    closing = whole.rsplit('"eventList":[]', 1)[1]
    out.write("\n]" + closing + "\n")
    return count


def start(
    book: Book,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    lots: Iterable[tuple[str, str]] | None = None,
    after: int = 0,
    options: EpcisOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> Export:
    """Read the master data and the ledger head, check the arguments, and return the export."""
    options = EpcisOptions() if options is None else options
    if not isinstance(options, EpcisOptions):
        raise ValidationError(f"options must be an EpcisOptions, got {type(options).__name__}")
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise ValidationError(f"after must be a transaction id (an int >= 0), got {after!r}")
    window = _Filter(
        since=None if since is None else aware_utc(since, "since"),
        until=None if until is None else aware_utc(until, "until"),
        lots=None,
        after=after,
    )
    if window.since is not None and window.until is not None and window.until <= window.since:
        raise ValidationError(f"until ({until}) must be after since ({since})")
    with book.read() as r:
        items = {i.sku: i for i in r.items()}
        locations = {loc.path: loc for loc in r.locations()}
        parties = {p.code: p for p in r.parties()}
        statuses = {s.name: s for s in r.statuses()}
        known_lots = {(lot.item, lot.code): lot for lot in r.lots()}
        history = MasterHistory(r.master_changes())
        head, _ = r.head()
        newest = r.transaction(head) if head else None
    if lots is not None:
        wanted = frozenset(_lot_key(entry) for entry in lots)
        for sku, code in sorted(wanted):
            if (sku, code) not in known_lots:
                raise UnknownLotError(
                    item=sku,
                    lot=code,
                )
        window = attrs.evolve(window, lots=wanted)
    created = newest.recorded_at if newest is not None else book.now()
    header = {
        "@context": DOCUMENT_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": format_time(created),
        "epcisBody": {"eventList": []},
    }
    names = Names(options, items, locations, parties, history)
    maker = EventMaker(
        options, names, items=items, locations=locations, statuses=statuses, lots=known_lots
    )
    internal = {path for path, loc in locations.items() if loc.kind is LocationKind.INTERNAL}
    classes: _Classes = {}
    events = _events(book, maker, window, internal, head, options, progress, classes)
    return Export(header=header, events=events, maker=maker, classes=classes)


def _lot_key(entry: object) -> tuple[str, str]:
    if (
        isinstance(entry, tuple)
        and len(entry) == 2
        and all(isinstance(part, str) for part in entry)
    ):
        return entry[0], entry[1]
    raise ValidationError(f"lots takes (sku, lot) pairs such as ('ASP-100', 'L24B'), got {entry!r}")


def _events(
    book: Book,
    maker: EventMaker,
    window: _Filter,
    internal: set[str],
    head: int,
    options: EpcisOptions,
    progress: Callable[[int], None] | None,
    classes: _Classes,
) -> Iterator[Event]:
    first = _FirstSeen(internal)
    parents: dict[str, str | None] = {}
    related: set[str] = set()
    cursor = 0
    while cursor < head:
        with book.read() as r:
            batch = r.transactions(after=cursor, limit=min(options.batch_size, head - cursor))
        if not batch:
            break
        for tx in batch:
            first.record(tx)
            if _included(tx, window, related):
                if tx.kind is TxKind.REVERSAL:
                    assert tx.reverses is not None, "a reversal names the transaction it reverses"
                    with book.read() as r:
                        original = Book.transaction(r, tx.reverses)
                    events = _declared(maker, tx, original, first, parents)
                    _shown(original, classes)
                else:
                    events = _transaction_events(maker, tx, first, parents)
                    _shown(tx, classes)
                yield from events
            for change in tx.containers:
                parents[change.container] = change.parent
        if progress is not None:
            progress(len(batch))
        cursor = batch[-1].id


#: Kinds whose first showing of a lot or serial is not a commissioning: a receipt's goods were
#: commissioned by the supplier, and a transformation's outputs are created (with their ILMD)
#: by the TransformationEvent itself.
_NOT_COMMISSIONING = frozenset({TxKind.RECEIPT, TxKind.PRODUCTION, TxKind.RELABEL})


@attrs.define
class _FirstSeen:
    """Which transaction first showed each lot and serial, in ledger posting order."""

    internal: set[str]
    lots: dict[tuple[str, str], int] = attrs.field(factory=dict)
    serials: dict[tuple[str, str], int] = attrs.field(factory=dict)

    def record(self, tx: Transaction) -> None:
        for m in tx.movements:
            if m.serial is not None:
                self.serials.setdefault((m.item, m.serial), tx.id)
            elif m.lot is not None:
                self.lots.setdefault((m.item, m.lot), tx.id)

    def new(self, tx: Transaction) -> list[NewNode]:
        """The lots and serials ``tx`` is the first transaction to show, where it puts them.

        A serial is new once; a lot once, with the quantity of it this transaction brings into
        internal locations. The answer depends only on the ledger's posting order, so a
        reversal finds again what the transaction it reverses showed first.
        """
        new: list[NewNode] = []
        for m in tx.movements:
            place = (
                m.dst.location
                if m.dst.location in self.internal
                else m.src.location
                if m.src.location in self.internal
                else None
            )
            if place is None:
                continue
            if m.serial is not None:
                if self.serials.get((m.item, m.serial)) == tx.id:
                    new.append((m.item, m.lot, m.serial, place, m.quantity))
            elif (
                m.lot is not None
                and self.lots.get((m.item, m.lot)) == tx.id
                and place == m.dst.location
            ):
                new.append((m.item, m.lot, None, place, m.quantity))
        return new


def _transaction_events(
    maker: EventMaker, tx: Transaction, first: _FirstSeen, parents: dict[str, str | None]
) -> list[Event]:
    """The events of ``tx``, identified: the commissioning of what it shows first (unless its
    kind creates or receives it), then its own.

    They are made from the master data as it was when ``tx`` was recorded, so they, and their
    hash IDs, are the same in every export, however the master data changed since.
    """
    maker.at(tx.recorded_at)
    events = [] if tx.kind in _NOT_COMMISSIONING else maker.commissioning(tx, first.new(tx))
    events += maker.events(tx, parents)
    return [_identified(event) for event in events]


def _shown(tx: Transaction, classes: _Classes) -> None:
    """Remember the lots (and their serials) ``tx``'s events show, for the master data."""
    for m in tx.movements:
        if m.lot is not None:
            serials = classes.setdefault((m.item, m.lot), {})
            if m.serial is not None:
                serials[m.serial] = None


def _included(tx: Transaction, window: _Filter, related: set[str]) -> bool:
    if window.lots is not None:
        hit = False
        for m in tx.movements:
            if m.lot is not None and (m.item, m.lot) in window.lots:
                hit = True
                related.update(c for c in (m.src.container, m.dst.container) if c is not None)
        for change in tx.containers:
            if change.container in related:
                hit = True
                if change.parent is not None:
                    related.add(change.parent)
        if not hit:
            return False
    if tx.id <= window.after:
        return False
    if window.since is not None and tx.effective_at < window.since:
        return False
    return window.until is None or tx.effective_at < window.until


def _declared(
    maker: EventMaker,
    tx: Transaction,
    original: Transaction,
    first: _FirstSeen,
    parents: dict[str, str | None],
) -> list[Event]:
    """Copies of every event the reversed transaction produced (its commissioning events
    too), each declared erroneous and with the original's eventID."""
    # The reversal restores every container the original touched to its state before it.
    before = {**parents, **{c.container: c.parent for c in tx.containers}}
    declaration = {
        "declarationTime": format_time(tx.recorded_at),
        "reason": "did_not_occur",
        "stockline:transaction": str(tx.id),
    }
    if tx.reason:
        declaration["stockline:reason"] = tx.reason
    copies = []
    for event in _transaction_events(maker, original, first, before):
        copy = dict(event)
        copy["errorDeclaration"] = declaration
        copies.append(copy)
    return copies


def _identified(event: Event) -> Event:
    """The event with its canonical event hash ID (the same for an error-declared copy, which
    is declared after the ID is computed)."""
    identified: Event = {
        "type": event["type"],
        "eventID": event_hash_id(event, context=DOCUMENT_CONTEXT),
    }
    identified.update((k, v) for k, v in event.items() if k != "type")
    return identified
