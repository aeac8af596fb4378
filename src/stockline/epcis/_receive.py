"""Expected receipts in the store: importing, receiving against them, reporting.

The work behind :class:`stockline.epcis.Epcis` (``inv.epcis``), over the posting context.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stockline import gs1
from stockline.epcis._expect import (
    KIND,
    ExpectationReport,
    ExpectedLine,
    ExpectedReceipt,
    Received,
    compare,
    excess,
    expectations_from,
    resolve,
)
from stockline.epcis._import import EpcisSource, read_epcis
from stockline.errors import (
    BarcodeError,
    DuplicateError,
    ScanMismatchError,
    TrackingError,
    UnexpectedReceiptError,
    UnknownExpectationError,
    UnknownItemError,
    ValidationError,
)
from stockline.gs1 import Scan
from stockline.ledger import (
    Book,
    Container,
    ContainerEvent,
    Document,
    Header,
    Item,
    LedgerReader,
    LedgerWriter,
    LocationKind,
    Movement,
    Position,
    Reference,
    Tracking,
    Transaction,
    TxKind,
    boundary,
    refuse_expired,
)

__all__ = ["expect", "expectation_report", "expected_receipt", "expected_receipts", "receive"]

_FORMAT = 1
# CBV business transaction type -> the ledger's reference type (the inverse of the export's).
_REF_TYPES = {
    "po": "PO",
    "desadv": "ASN",
    "bol": "BOL",
    "inv": "INV",
    "prodorder": "WO",
    "recadv": "RECADV",
    "rma": "RMA",
    "cert": "CERT",
    "poc": "POC",
}


def expect(
    book: Book,
    document: EpcisSource,
    *,
    key: str | None,
    schema: str | os.PathLike[str] | Mapping[str, Any] | None,
    replace: bool,
    actor: str | None,
) -> list[ExpectedReceipt]:
    """See :meth:`stockline.epcis.Epcis.expect`."""
    now = book.now()
    parsed = read_epcis(document, schema=schema)
    found = expectations_from(parsed, key=key, today=now.date())
    with book.write() as w:
        for expected in found:
            _store(w, expected, replace=replace, actor=actor, at=now)
    return found


def expected_receipt(book: Book, key: str) -> ExpectedReceipt:
    """See :meth:`stockline.epcis.Epcis.expectation`."""
    with book.read() as r:
        return ExpectedReceipt.from_json(_document(r, key).body["expected"])


def expected_receipts(book: Book) -> list[ExpectedReceipt]:
    """See :meth:`stockline.epcis.Epcis.expectations`."""
    with book.read() as r:
        return [ExpectedReceipt.from_json(d.body["expected"]) for d in r.documents(KIND)]


def expectation_report(book: Book, key: str) -> ExpectationReport:
    """See :meth:`stockline.epcis.Epcis.report`."""
    with book.read() as r:
        doc = _document(r, key)
        expected = ExpectedReceipt.from_json(doc.body["expected"])
        return compare(key, expected, _received(r, doc), _items(r))


# -- storing -----------------------------------------------------------------------------------


def _document(r: LedgerReader, key: str) -> Document:
    doc = r.document(KIND, key)
    if doc is None:
        raise UnknownExpectationError(
            key=key,
        )
    return doc


def _store(
    w: LedgerWriter, expected: ExpectedReceipt, *, replace: bool, actor: str | None, at: dt.datetime
) -> None:
    announced = expected.to_json()
    existing = w.document(KIND, expected.key)
    if existing is None:
        body = {"format": _FORMAT, "expected": announced, "received": []}
        w.put_document(KIND, expected.key, body, version=0, actor=actor, at=at)
        return
    if existing.body["expected"] == announced:
        return
    if not replace:
        raise DuplicateError(
            f"expected receipt {expected.key!r} was imported before with another content; pass "
            "replace=True to take the new announcement (what was received against it is "
            "kept), or key= to import it under another key"
        )
    body = {**existing.body, "expected": announced}
    w.put_document(KIND, expected.key, body, version=existing.version, actor=actor, at=at)


def _received(r: LedgerReader, doc: Document) -> list[Received]:
    """What was received against the expectation, less receipts since reversed."""
    lines = [Received.from_json(entry) for entry in doc.body["received"]]
    reversed_ids = {
        tx for tx in {line.transaction_id for line in lines} if r.reversed_by(tx) is not None
    }
    return [line for line in lines if line.transaction_id not in reversed_ids]


def _items(r: LedgerReader) -> Callable[[str], Item | None]:
    cache: dict[str, Item | None] = {}

    def lookup(gtin: str) -> Item | None:
        if gtin not in cache:
            cache[gtin] = r.item_by_gtin(gtin)
        return cache[gtin]

    return lookup


# -- receiving ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Options:
    """The keywords of :meth:`stockline.epcis.Epcis.receive`, canonical."""

    expectation: str
    dst: str
    supplier: str | None
    status: str
    allow_unexpected: bool
    allow_expired: bool
    at: dt.date | None
    gs_standin: str | None
    header: Header


@attrs.frozen(kw_only=True)
class _Planned:
    """One movement of the receipt to post."""

    item: Item
    gtin: str | None
    lot: str | None
    serial: str | None
    quantity: Decimal
    expiry: dt.date | None
    produced_on: dt.date | None
    container: str | None
    # Where the expiry came from: "17"/"15" a label AI, None the announcement.
    expiry_ai: str | None = None
    # The announced pallet or case scanned, and the SSCCs from it down to ``container``.
    unit: str | None = None
    chain: tuple[str, ...] = ()


def receive(book: Book, scan_or_text: Scan | str, qty: object, o: Options) -> Transaction:
    """See :meth:`stockline.epcis.Epcis.receive`."""
    today = o.at
    if today is None:
        now = book.now() if o.header.effective_at is None else o.header.effective_at
        today = dt.date(now.year, now.month, now.day)
    scan = (
        scan_or_text
        if isinstance(scan_or_text, Scan)
        else gs1.parse(scan_or_text, gs_standin=o.gs_standin, today=today)
    )
    with book.write() as w:
        doc = _document(w, o.expectation)
        expected = ExpectedReceipt.from_json(doc.body["expected"])
        received = _received(w, doc)
        items = _items(w)
        # A retried scan (same idempotency key) is not checked again: post() returns the
        # first receipt, or refuses other content under the same key.
        retry = o.header.key is not None and w.find_key(o.header.key) is not None
        plan = _plan(w, o.expectation, expected, [] if retry else received, scan, qty, items)
        for line in plan:
            refuse_expired(
                item=line.item.sku,
                lot=line.lot,
                expiry=line.expiry,
                on=today,
                allow_expired=o.allow_expired,
                ai=line.expiry_ai,
                announced=True,
            )
        new = [
            Received(
                transaction_id=0,
                item=p.item.sku,
                gtin=p.gtin,
                lot=p.lot,
                serial=p.serial,
                quantity=p.quantity,
                container=p.container,
                unit=p.unit,
            )
            for p in plan
        ]
        beyond = [] if retry else _beyond(o.expectation, expected, received, new, items)
        if beyond and not o.allow_unexpected:
            raise UnexpectedReceiptError(
                key=o.expectation,
                item=plan[0].item.sku,
                lot=plan[0].lot,
                serial=plan[0].serial,
                scanned=_text(scan),
                expected=o.expectation,
                beyond=tuple(beyond),
            )
        actor = o.header.actor
        now = book.now()
        for p in plan:
            if p.lot is not None:
                book.lot(
                    w, p.item.sku, p.lot, expiry=p.expiry, produced_on=p.produced_on, actor=actor
                )
        for container in dict.fromkeys(p.container for p in plan if p.container is not None):
            if w.container(container) is None:
                w.save(Container(code=container, kind="pallet"), actor=actor, at=now)
        # The announced nesting: each SSCC from the scanned pallet down, packed in the one
        # above it, at the receiving location (so the pallet can be moved or shipped whole).
        nesting: dict[str, ContainerEvent] = {}
        for p in plan:
            for depth, code in enumerate(p.chain):
                if w.container(code) is None:
                    kind = "pallet" if depth == 0 else "case"
                    w.save(Container(code=code, kind=kind), actor=actor, at=now)
                parent = p.chain[depth - 1] if depth else None
                nesting.setdefault(
                    code, ContainerEvent(container=code, parent=parent, location=o.dst)
                )
        supplier = o.supplier if o.supplier is not None else _supplier(w, expected)
        src = book.counterparty(w, LocationKind.SUPPLIER, supplier, actor)
        movements = [
            Movement(
                item=p.item.sku,
                quantity=p.quantity,
                src=src,
                dst=Position(location=o.dst, status=o.status, container=p.container),
                lot=p.lot,
                serial=p.serial,
            )
            for p in plan
        ]
        refs = boundary.refs(TxKind.RECEIPT, None, _refs(o.expectation, expected))
        header = attrs.evolve(o.header, refs=refs)
        draft = book.draft(TxKind.RECEIPT, movements, header, counterparty=supplier)
        changed = [
            event for event in nesting.values() if w.container_state(event.container) != event
        ]
        if len(nesting) > 1 and changed:
            draft = attrs.evolve(draft, containers=tuple(changed))
        tx = book.post(w, draft, now=now)
        if retry:
            return tx
        entries = [
            attrs.evolve(r, transaction_id=tx.id, unexpected=bool(beyond)).to_json() for r in new
        ]
        body = {**doc.body, "received": [*doc.body["received"], *entries]}
        w.put_document(KIND, o.expectation, body, version=doc.version, actor=actor, at=now)
        return tx


def _text(scan: Scan) -> str:
    return gs1.to_hri(scan.elements)


def _plan(
    r: LedgerReader,
    key: str,
    expected: ExpectedReceipt,
    received: Sequence[Received],
    scan: Scan,
    qty: object,
    items: Callable[[str], Item | None],
) -> list[_Planned]:
    """The movements a scan stands for: a product, or an announced pallet or case's content."""
    if scan.gtin is not None and scan.serial is not None:
        case = f"(01){scan.gtin}(21){scan.serial}"
        content = expected.under(case)
        if content:
            return _content(key, case, content, received, items, scan.sscc, qty)
    gtin = scan.gtin or scan.content_gtin
    if gtin is None:
        if scan.sscc is None:
            raise BarcodeError(
                f"the scan ({_text(scan)}) names no trade item and no SSCC; scan the product's "
                "barcode or the pallet's SSCC label",
                text=_text(scan),
                ai="01",
            )
        content = expected.under(scan.sscc)
        if not content:
            if scan.sscc in expected.containers:
                raise ScanMismatchError(ai="00", scanned=scan.sscc, expected=None, notice=key)
            raise UnexpectedReceiptError(
                ai="00",
                key=key,
                item="",
                lot=None,
                serial=None,
                scanned=scan.sscc,
                expected=key,
            )
        return _content(key, scan.sscc, content, received, items, scan.sscc, qty)
    return [_product(r, expected, received, scan, qty, items, gtin, key)]


def _product(
    r: LedgerReader,
    expected: ExpectedReceipt,
    received: Sequence[Received],
    scan: Scan,
    qty: object,
    items: Callable[[str], Item | None],
    gtin: str,
    key: str,
) -> _Planned:
    # The same reading of a scan as inv.scanning.receive's, so both post the same quantities.
    from stockline.operations import scanned_stock

    item = items(gtin)
    if item is None:
        raise UnknownItemError(item=gtin)
    found = scanned_stock(scan, item, qty)
    quantity, lot, serial = found.quantity, found.lot, found.serial
    if serial is not None:
        _not_received_yet(key, received, item.sku, serial)
    announced = _announced(expected, items, item, lot, serial)
    if lot is None and serial is not None and announced is not None:
        # A unit label may carry only GTIN and serial; the shipping notice says its lot.
        lot = announced.lot
    ai: str | None = "17" if scan.expiry else "15"
    expiry = scan.expiry or scan.best_before
    if expiry is None:
        ai = None
        expiry = None if announced is None or announced.lot != lot else announced.expiry
        if expiry is None and lot is not None:
            known = r.lot(item.sku, lot)
            expiry = None if known is None else known.expiry
    return _Planned(
        item=item,
        gtin=gtin,
        lot=lot,
        serial=serial,
        quantity=quantity,
        expiry=expiry,
        produced_on=scan.production_date if lot is not None else None,
        container=scan.sscc,
        expiry_ai=ai,
    )


def _announced(
    expected: ExpectedReceipt,
    items: Callable[[str], Item | None],
    item: Item,
    lot: str | None,
    serial: str | None,
) -> ExpectedLine | None:
    """The announced line of this serial (or, without one, of this lot) of ``item``."""
    for line in expected.lines:
        found, found_lot, found_serial, _, _ = resolve(line, items(line.gtin))
        if found is None or found.sku != item.sku:
            continue
        if serial is not None and found_serial == serial:
            return line
        if serial is None and lot is not None and found_lot == lot:
            return line
    return None


def _not_received_yet(key: str, received: Sequence[Received], sku: str, serial: str) -> None:
    for r in received:
        if r.item == sku and r.serial == serial:
            raise UnexpectedReceiptError(
                key=key,
                item=sku,
                lot=r.lot,
                serial=serial,
                scanned=serial,
                expected=key,
                received_in=r.transaction_id,
            )


def _content(
    key: str,
    parent: str,
    content: Sequence[ExpectedLine],
    received: Sequence[Received],
    items: Callable[[str], Item | None],
    scanned_sscc: str | None,
    qty: object,
) -> list[_Planned]:
    """Receive an announced pallet or case as the document says it is packed."""
    if qty is not None and qty != 1:
        raise ScanMismatchError(
            what="quantity",
            value=parent,
            ai=None,
            scanned=1,
            expected=qty,
            advice="a pallet or case is received with its announced content, so leave quantity out",
        )
    # A pallet or case scanned before (or the pallet it is on) is never received again; what
    # was scanned on its own before is left out, the rest is received.
    around = {parent, *_above(content, parent)}
    for r in received:
        if r.unit in around or (r.unit is None and r.gtin is None and r.container == parent):
            raise UnexpectedReceiptError(
                key=key,
                item=r.item,
                lot=r.lot,
                serial=r.serial,
                scanned=parent,
                expected=key,
                unit=parent,
                received_in=r.transaction_id,
                advice=None
                if r.unit in (None, parent)
                else f"it was received by scanning {_label(r.unit)}",
            )
    plan: list[_Planned] = []
    # Lot quantities scanned on their own, not yet set against a line of this pallet.
    loose: dict[tuple[str, str | None], Decimal] = {}
    for r in received:
        if r.unit is None and r.serial is None:
            loose[(r.item, r.lot)] = loose.get((r.item, r.lot), Decimal(0)) + r.quantity
    for line in content:
        item, lot, serial, quantity, why = resolve(line, items(line.gtin))
        if item is None:
            raise (
                UnknownItemError(
                    item=line.gtin,
                )
                if why and why.startswith("the GTIN")
                else ValidationError(f"{parent} holds GTIN {line.gtin} {why}; scan the items")
            )
        if quantity is None:
            raise ScanMismatchError(
                ai=None,
                scanned=parent,
                expected=None,
                notice=key,
                holds=f"how many of {item.sku} (GTIN {line.gtin})",
            )
        if item.tracking is Tracking.LOT and lot is None:
            raise TrackingError(
                item=item.sku,
                tracking="lot",
                advice=f"the shipping notice does not give the lot of what {parent} holds; scan "
                "the items' own barcodes",
            )
        if item.tracking is Tracking.SERIAL and serial is None:
            raise TrackingError(
                item=item.sku,
                tracking="serial",
                advice=f"the shipping notice gives no serials for what {parent} holds; scan "
                "each unit",
            )
        if serial is not None and any(r.item == item.sku and r.serial == serial for r in received):
            continue  # received on its own before
        if serial is None:
            taken = min(quantity, loose.get((item.sku, lot), Decimal(0)))
            loose[(item.sku, lot)] = loose.get((item.sku, lot), Decimal(0)) - taken
            quantity -= taken
        if quantity == 0:
            continue
        below = line.parents[line.parents.index(parent) + 1 :] if parent in line.parents else ()
        chain = tuple(p for p in (parent, *below) if p.isdigit())
        plan.append(
            _Planned(
                item=item,
                gtin=line.gtin,
                lot=lot,
                serial=serial,
                quantity=quantity,
                expiry=line.expiry if lot is not None else None,
                produced_on=None,
                container=line.container or scanned_sscc,
                unit=parent,
                chain=chain,
            )
        )
    if not plan:
        if content and received:
            raise UnexpectedReceiptError(
                key=key,
                item="",
                lot=None,
                serial=None,
                scanned=parent,
                expected=key,
                unit=parent,
            )
        raise ScanMismatchError(ai=None, scanned=parent, expected=None, notice=key)
    return plan


def _above(content: Sequence[ExpectedLine], unit: str) -> set[str]:
    """The announced pallets and cases ``unit`` is packed in."""
    found: set[str] = set()
    for line in content:
        if unit in line.parents:
            found.update(line.parents[: line.parents.index(unit)])
    return found


def _label(unit: str) -> str:
    return f"SSCC {unit}" if unit.isdigit() else f"case {unit}"


def _beyond(
    key: str,
    expected: ExpectedReceipt,
    received: Sequence[Received],
    new: Sequence[Received],
    items: Callable[[str], Item | None],
) -> list[str]:
    """How the new lines would go past the announcement, one sentence each."""
    before = excess(compare(key, expected, received, items))
    after_report = compare(key, expected, [*received, *new], items)
    after = excess(after_report)
    grown = {b for b, amount in after.items() if amount > before.get(b, Decimal(0))}
    return [
        _beyond_text(line)
        for line in after_report.lines
        if line.status in ("over", "unexpected") and (line.item, line.lot, line.serial) in grown
    ]


def _beyond_text(line: Any) -> str:
    what = line.item + (f" lot {line.lot}" if line.lot else "")
    unit = f" {line.unit}" if line.unit else ""
    if line.status == "over":
        return f"{what} would be {line.received}{unit}, more than the {line.expected} announced"
    if line.serial is not None:
        return f"serial {line.serial} of {what} is not announced"
    return f"{what} is not announced (would be {line.received}{unit})"


def _supplier(r: LedgerReader, expected: ExpectedReceipt) -> str | None:
    """The party whose GLN is the shipment's owning-party source, if one has it."""
    for kind, uri in expected.sources:
        if kind != "owning_party":
            continue
        try:
            gln = gs1.decode_epc(uri).gln
        except BarcodeError:
            continue
        for party in r.parties():
            if gln is not None and party.gln == gln:
                return party.code
    return None


def _refs(key: str, expected: ExpectedReceipt) -> list[Reference]:
    refs = [
        Reference(type=_REF_TYPES.get(kind) or kind or "DOC", number=uri)
        for kind, uri in expected.refs
    ]
    if all(ref.number != key for ref in refs):
        refs.append(Reference(type="ASN", number=key))
    return refs
