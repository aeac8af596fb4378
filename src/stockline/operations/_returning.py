"""Customer and supplier returns over the posting context (``inv.returns``).

A customer return is a posting of its own (kind ``return``) from the customer's location into
a returns location, in a status that cannot be allocated (``returned`` by default), linked to
the shipment it is taken back against by a ``SHIPMENT`` reference. What a shipment may still
take back is read from the ledger every time: what it sent, less the returns linked to it that
were not reversed. A disposition, decided later with a reason, is a status change (restock,
quarantine, hold) or a scrap linked to the return by a ``RETURN`` reference, so what still
awaits one is derived the same way. A supplier return is a ``return`` from stock to the
supplier's location, with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import attrs

from stockline.errors import (
    ReturnError,
    UnknownLocationError,
    UnknownStatusError,
    ValidationError,
)
from stockline.ledger import (
    AVAILABLE,
    Book,
    Header,
    HistoryQuery,
    LedgerReader,
    LedgerWriter,
    LocationKind,
    Movement,
    NodeKey,
    Position,
    Reference,
    Status,
    Transaction,
    TxKind,
    boundary,
)
from stockline.operations._returns import (
    RETURNED,
    Disposition,
    Return,
    Returnable,
    ReturnLine,
)

__all__ = ["Returns"]

#: The document type linking a return to the shipment it takes back (number: its id).
SHIPMENT_REF = "SHIPMENT"
#: The document type linking a disposition to its return (number: the return's id).
RETURN_REF = "RETURN"

_Stock = tuple[str | None, str | None]  # lot, serial


@attrs.define(repr=False)
class Returns:
    """Customer returns against their shipments, their dispositions, and returns to
    suppliers (``inv.returns``).

    Args:
        book: The posting context it reads and posts through.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<Returns>"

    # -- customer returns ----------------------------------------------------------------------

    def receive(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        dst: str,
        shipment: int | None = None,
        document: str | None = None,
        sscc: str | None = None,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        customer: str | None = None,
        status: str = RETURNED,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Take goods back from a customer against the shipment that sent them.

        The shipment is named by its transaction id (``shipment=``), by one of its documents
        (``document=``: an SO, BOL, ... number), by the SSCC it left in (``sscc=``), or, for
        serial-tracked goods, by the serials themselves (their latest shipment that has them
        still out). Only what that shipment sent of the lot or serial, less what came back
        against it already, may be returned; the goods must come from the customer it went
        to. They land at ``dst`` in ``status`` (``returned``: not allocatable, added on first
        use) until :meth:`dispose` decides what becomes of them.

        Args:
            sku: The item.
            quantity: How much (or leave it out and give serials).
            dst: The returns location (internal).
            shipment: The shipment's transaction id.
            document: A document number of the shipment (``SO-1``, or typed as ``SO:SO-1``).
            sscc: The SSCC of a container the shipment sent.
            lot: The lot; may be left out when the shipment sent one lot of ``sku``.
            serial: One serial returned.
            serials: Several serials returned.
            customer: Who returns it; checked against the shipment's customer when given.
            status: The status the goods wait in; one that cannot be allocated.
            ref: The return authorisation (an ``RMA`` reference).
            refs: Other documents.
            key: An idempotency key: a retry returns the first return.
            effective_at: When the goods arrived; now when ``None``.
            actor: Who posts it.
            reason: Why the customer sent it back.

        Returns:
            The posted ``return`` transaction.

        Raises:
            ReturnError: No such shipment, several shipments match, the goods did not go to
                that customer, or more than may still be returned.
            ValidationError: No shipment named, an allocatable status, ``dst`` not internal.
            UnknownItemError: No such item.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("BOLT")
            >>> for path in ("DC1/A/01", "DC1/RETURNS"):
            ...     _ = inv.add_location(path)
            >>> _ = inv.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME")
            >>> out = inv.ship("BOLT", 6, src="DC1/A/01", customer="SHOP", ref="SO-1")
            >>> back = inv.returns.receive("BOLT", 2, dst="DC1/RETURNS", document="SO-1")
            >>> [(r.shipped, r.returned) for r in inv.returns.returnable(out.id)]
            [(Decimal('6'), Decimal('2'))]
        """
        sku = boundary.code(sku, "sku")
        lines = boundary.serial_lines(sku, quantity, serial, serials)
        target = boundary.path(dst, "dst")
        shipment_id = (
            None
            if shipment is None
            else boundary.whole(shipment, "shipment", minimum=1, maximum=boundary.MAX_ID)
        )
        document = boundary.optional_code(document, "document")
        sscc = boundary.optional_code(sscc, "sscc")
        lot = boundary.optional_code(lot, "lot")
        customer = boundary.optional_code(customer, "customer")
        status = boundary.code(status, "status")
        header = Header.of(
            TxKind.RETURN,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        named = [x for x in (shipment_id, document, sscc) if x is not None]
        if len(named) > 1:
            raise ValidationError(
                "name the shipment one way: shipment=, document= or sscc= (or by the serials)"
            )
        if not named and all(s is None for _, s in lines):
            raise ValidationError(
                f"name the shipment {sku} is returned against: shipment= (its transaction), "
                "document= (an SO or BOL number), sscc=, or the serials shipped"
            )
        book = self._book
        with book.write() as w:
            if header.key is not None and (found := w.find_key(header.key)) is not None:
                return book.transaction(w, found[0])  # a retry: what was taken back then
            book.item(w, sku)
            self._landing(w, target, status, header.actor)
            wanted = _wanted(lines)
            if shipment_id is not None:
                chosen = self._shipment(w, sku, shipment_id)
            else:
                chosen = self._find(w, sku, document, sscc, lot, wanted)
            shipped = book.transaction(w, chosen)
            sent = _sent(w, shipped, sku, sscc)
            party = _customer(shipped, sent)
            if customer is not None and customer != party:
                raise ReturnError(
                    item=sku,
                    shipment=chosen,
                    problem=f"it was shipped to {party}, not to {customer}",
                )
            back = _returned(w, chosen, sku)
            movements = []
            for (_, serial_asked), amount in wanted.items():
                stock = _resolve_lot(sku, chosen, sent, lot, serial_asked)
                if _left(sent, {}, stock, serial_asked, None) == 0:
                    raise ReturnError(
                        item=sku,
                        shipment=chosen,
                        lot=stock,
                        serial=serial_asked,
                        problem="the shipment did not send it",
                    )
                left = _left(sent, back, stock, serial_asked, None)
                if amount > left:
                    raise ReturnError(
                        item=sku,
                        shipment=chosen,
                        lot=stock,
                        serial=serial_asked,
                        requested=amount,
                        available=left,
                    )
                movements += _from_customer(sku, stock, serial_asked, amount, sent, target, status)
            refs_ = (*header.refs, Reference(type=SHIPMENT_REF, number=str(chosen)))
            draft = book.draft(
                TxKind.RETURN, movements, attrs.evolve(header, refs=refs_), counterparty=party
            )
            return book.post(w, draft)

    def returnable(self, shipment: int, *, sku: str | None = None) -> list[Returnable]:
        """Return what each lot or serial of a shipment may still bring back.

        Args:
            shipment: The shipment's transaction id.
            sku: Only this item's lines.

        Returns:
            One line per item, lot and serial shipped, ordered by them.

        Raises:
            ReturnError: The transaction shipped nothing to a customer, or was reversed.
            UnknownTransactionError: No such transaction.
        """
        tx_id = boundary.whole(shipment, "shipment", minimum=1, maximum=boundary.MAX_ID)
        sku = boundary.optional_code(sku, "sku")
        with self._book.read() as r:
            tx = self._book.transaction(r, tx_id)
            skus = sorted({m.item for m in tx.movements if sku in (None, m.item)})
            found = []
            for item in skus:
                self._shipment(r, item, tx_id)
                sent = _sent(r, tx, item, None)
                party = _customer(tx, sent)
                back = _returned(r, tx_id, item)
                totals: dict[_Stock, Decimal] = defaultdict(Decimal)
                for (lot, serial, _), q in sent.items():
                    totals[(lot, serial)] += q
                for (lot, serial), q in sorted(totals.items(), key=_stock_order):
                    found.append(
                        Returnable(
                            shipment=tx_id,
                            customer=party,
                            sku=item,
                            lot=lot,
                            serial=serial,
                            shipped=q,
                            returned=back.get((lot, serial), Decimal(0)),
                        )
                    )
            return found

    def get(self, return_id: int) -> Return:
        """Return a customer return with what was disposed of since and what still waits.

        Args:
            return_id: The return transaction's id.

        Returns:
            The return, as a value.

        Raises:
            ReturnError: The transaction is not a customer return.
            UnknownTransactionError: No such transaction.
        """
        tx_id = boundary.whole(return_id, "return_id", minimum=1, maximum=boundary.MAX_ID)
        with self._book.read() as r:
            return self._return(r, tx_id)

    def dispose(
        self,
        return_id: int,
        disposition: Disposition | str,
        *,
        sku: str | None = None,
        quantity: Decimal | int | str | None = None,
        lot: str | None = None,
        serial: str | None = None,
        dst: str | None = None,
        reason: str,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Decide what becomes of returned goods: restock, quarantine, hold or scrap.

        Takes what still awaits a disposition on the return's lines (of ``sku``, ``lot``,
        ``serial`` when given; everything pending when ``quantity`` is ``None``) and posts
        one transaction linked to the return: a status change in place (to ``available``,
        ``quarantine`` or ``hold``; a transfer when ``dst`` moves it too) or a scrap.

        Args:
            return_id: The return transaction's id.
            disposition: ``restock``, ``quarantine``, ``hold`` or ``scrap``.
            sku: Only this item's lines (needed with ``quantity`` when the return holds
                several items).
            quantity: How much; everything pending (of the lines chosen) when ``None``.
            lot: Only this lot.
            serial: Only this serial.
            dst: Move the goods there as well (not with ``scrap``).
            reason: Why; required.
            key: An idempotency key.
            effective_at: When it was decided; now when ``None``.
            actor: Who decides.

        Returns:
            The posted status change, transfer or scrap.

        Raises:
            ReturnError: More than awaits a disposition, or nothing does.
            ValidationError: No reason, or ``dst`` with ``scrap``.
        """
        tx_id = boundary.whole(return_id, "return_id", minimum=1, maximum=boundary.MAX_ID)
        action = boundary.choice(disposition, Disposition, "disposition")
        sku = boundary.optional_code(sku, "sku")
        amount = None if quantity is None else boundary.quantity(quantity)
        lot = boundary.optional_code(lot, "lot")
        serial = boundary.optional_code(serial, "serial")
        target = None if dst is None else boundary.path(dst, "dst")
        reason = boundary.note(reason, "reason")
        if not reason.strip():
            raise ValidationError("a disposition needs a reason; say why, e.g. reason='resealed'")
        if target is not None and action is Disposition.SCRAP:
            raise ValidationError("scrapped goods go to the scrap location; leave dst out")
        kind = {
            Disposition.SCRAP: TxKind.SCRAP,
            Disposition.RESTOCK: TxKind.STATUS_CHANGE,
            Disposition.QUARANTINE: TxKind.STATUS_CHANGE,
            Disposition.HOLD: TxKind.STATUS_CHANGE,
        }[action]
        book = self._book
        with book.write() as w:
            if target is not None:
                _check_internal(w, target, "dst")
                kind = TxKind.TRANSFER
            header = Header.of(
                kind,
                refs=[Reference(type=RETURN_REF, number=str(tx_id))],
                key=key,
                effective_at=effective_at,
                actor=actor,
                reason=reason,
            )
            if header.key is not None and (found := w.find_key(header.key)) is not None:
                return book.transaction(w, found[0])
            found_return = self._return(w, tx_id)
            chosen = [
                line
                for line in found_return.lines
                if line.pending > 0
                and sku in (None, line.sku)
                and lot in (None, line.lot)
                and serial in (None, line.serial)
            ]
            what = sku or (found_return.lines[0].sku if found_return.lines else "")
            if not chosen:
                raise ReturnError(
                    item=what,
                    shipment=found_return.shipment,
                    lot=lot,
                    serial=serial,
                    problem=f"nothing of return {tx_id} awaits a disposition",
                )
            if amount is not None and len({line.sku for line in chosen}) > 1:
                raise ValidationError(
                    f"return {tx_id} holds several items; give sku= with the quantity"
                )
            pending = sum((line.pending for line in chosen), Decimal(0))
            if amount is not None and amount > pending:
                raise ReturnError(
                    item=chosen[0].sku,
                    shipment=found_return.shipment,
                    lot=lot,
                    serial=serial,
                    requested=amount,
                    available=pending,
                )
            left = pending if amount is None else amount
            movements = []
            scrap = (
                book.counterparty(w, LocationKind.SCRAP, None, header.actor)
                if action is Disposition.SCRAP
                else None
            )
            for line in chosen:
                take = min(left, line.pending)
                if take <= 0:
                    break
                left -= take
                if scrap is not None:
                    to = scrap
                else:
                    to = Position(
                        location=line.position.location if target is None else target,
                        status=AVAILABLE if action is Disposition.RESTOCK else action.value,
                    )
                movements.append(
                    Movement(
                        item=line.sku,
                        quantity=take,
                        src=line.position,
                        dst=to,
                        lot=line.lot,
                        serial=line.serial,
                    )
                )
            return book.post(w, book.draft(kind, movements, header))

    # -- supplier returns ------------------------------------------------------------------------

    def to_supplier(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        src: str,
        supplier: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        status: str = AVAILABLE,
        container: str | None = None,
        reason: str,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Send stock back to a supplier (``src`` → the supplier), in any status: damaged,
        quarantined or held goods are what usually goes back.

        Args:
            sku: The item.
            quantity: How much (or leave it out and give serials).
            src: Where the stock is (internal).
            supplier: The supplier's code (added on first use).
            lot: The lot.
            serial: One serial.
            serials: Several serials.
            status: The stock's status at ``src``.
            container: The container it is in at ``src``, if any.
            reason: Why it goes back; required.
            ref: The supplier's return authorisation (an ``RMA`` reference).
            refs: Other documents (the original ``PO``, ...).
            key: An idempotency key.
            effective_at: When it left; now when ``None``.
            actor: Who posts it.

        Returns:
            The posted ``return`` transaction.

        Raises:
            ValidationError: No reason, or ``src`` is not internal.
            InsufficientStockError: There is not that much at ``src``.
            ReservedStockError: The stock is reserved for an order.
        """
        sku = boundary.code(sku, "sku")
        lines = boundary.serial_lines(sku, quantity, serial, serials)
        lot = boundary.optional_code(lot, "lot")
        supplier = boundary.code(supplier, "supplier")
        source = Position(
            location=boundary.path(src, "src"),
            status=boundary.code(status, "status"),
            container=boundary.optional_code(container, "container"),
        )
        header = Header.of(
            TxKind.RETURN,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        if not (header.reason and header.reason.strip()):
            raise ValidationError(
                "a return to a supplier needs a reason; say why, e.g. reason='damaged on arrival'"
            )
        book = self._book
        with book.write() as w:
            if header.key is not None and (found := w.find_key(header.key)) is not None:
                return book.transaction(w, found[0])
            _check_internal(w, source.location, "src")
            dst = book.counterparty(w, LocationKind.SUPPLIER, supplier, header.actor)
            movements = [
                Movement(item=sku, quantity=q, src=source, dst=dst, lot=lot, serial=s)
                for q, s in lines
            ]
            draft = book.draft(TxKind.RETURN, movements, header, counterparty=supplier)
            return book.post(w, draft)

    # -- helpers -------------------------------------------------------------------------------

    def _landing(self, w: LedgerWriter, path: str, status: str, actor: str | None) -> None:
        _check_internal(w, path, "dst")
        found = w.status(status)
        if found is None and status == RETURNED:
            found = Status(
                name=RETURNED, allocatable=False, description="returned, awaiting a disposition"
            )
            self._book.save(w, found, actor)
        if found is None:
            raise UnknownStatusError(status=status)
        if found.allocatable:
            raise ValidationError(
                f"returned goods wait for a disposition in a status that cannot be allocated "
                f"(returned, quarantine, ...); {status} can. Restock them with dispose()"
            )

    def _shipment(self, r: LedgerReader, sku: str, tx_id: int) -> int:
        tx = self._book.transaction(r, tx_id)
        if tx.kind is TxKind.REVERSAL or not _sent(r, tx, sku, None):
            raise ReturnError(
                item=sku, shipment=tx_id, problem=f"transaction {tx_id} shipped no {sku}"
            )
        if r.reversed_by(tx_id) is not None:
            raise ReturnError(item=sku, shipment=tx_id, problem=f"shipment {tx_id} was reversed")
        return tx_id

    def _find(
        self,
        r: LedgerReader,
        sku: str,
        document: str | None,
        sscc: str | None,
        lot: str | None,
        wanted: dict[_Stock, Decimal],
    ) -> int:
        serials = [s for _, s in wanted if s is not None]
        nodes: list[NodeKey] = [(sku, lot, s) for s in serials] or [(sku, lot, None)]
        out = r.movements_of(nodes, into=[LocationKind.CUSTOMER])
        ids: list[int] = []
        for line in out:
            if line.kind is TxKind.REVERSAL or line.transaction_id in ids:
                continue
            if document is not None and not any(
                document in (ref.number, str(ref)) for ref in line.refs
            ):
                continue
            ids.append(line.transaction_id)
        # The latest first: a serial shipped, returned and shipped again is out on its last.
        candidates = []
        matching: list[tuple[int, Decimal]] = []
        for tx_id in sorted(ids, reverse=True):
            if r.reversed_by(tx_id) is not None:
                continue
            tx = self._book.transaction(r, tx_id)
            sent = _sent(r, tx, sku, sscc)
            if not sent:
                continue
            back = _returned(r, tx_id, sku)
            left = {stock: _left(sent, back, stock[0], stock[1], lot) for stock in wanted}
            matching.append((tx_id, min(left.values())))
            if all(left[stock] >= amount for stock, amount in wanted.items()):
                candidates.append(tx_id)
        if not candidates and len(matching) == 1 and len(wanted) == 1:
            ((_, serial_), amount), (tx_id, left_) = next(iter(wanted.items())), matching[0]
            raise ReturnError(
                item=sku, shipment=tx_id, lot=lot, serial=serial_, requested=amount, available=left_
            )
        how = (
            f"document {document}"
            if document is not None
            else f"SSCC {sscc}"
            if sscc is not None
            else "serial " + ", ".join(serials)
        )
        if not candidates:
            raise ReturnError(
                item=sku,
                lot=lot,
                serial=serials[0] if len(serials) == 1 else None,
                problem=f"no shipment by {how} has that much of it out at a customer",
            )
        if serials or len(candidates) == 1:
            return candidates[0]
        raise ReturnError(
            item=sku,
            lot=lot,
            problem=f"shipments {', '.join(map(str, sorted(candidates)))} all match {how}; "
            "name one with shipment=",
        )

    def _return(self, r: LedgerReader, tx_id: int) -> Return:
        tx = self._book.transaction(r, tx_id)
        link = [ref for ref in tx.refs if ref.type == SHIPMENT_REF]
        lines: dict[tuple[str, str | None, str | None, Position], Decimal] = defaultdict(Decimal)
        for m in tx.movements:
            src = r.location(m.src.location)
            if src is not None and src.kind is LocationKind.CUSTOMER:
                lines[(m.item, m.lot, m.serial, m.dst)] += m.quantity
        if tx.kind is not TxKind.RETURN or not link or not lines:
            raise ReturnError(
                item=tx.movements[0].item if tx.movements else "",
                problem=f"transaction {tx_id} is not a customer return",
            )
        disposed: dict[tuple[str, str | None, str | None, Position], Decimal] = defaultdict(Decimal)
        dispositions: list[int] = []
        tag = Reference(type=RETURN_REF, number=str(tx_id))
        for sku, lot, serial, position in list(lines):
            # A disposition takes from where the return put the goods, at or after it.
            query = HistoryQuery(
                item=sku,
                lot=lot,
                serial=serial,
                location=position.location,
                since=tx.effective_at,
            )
            for later in r.history(query):
                if tag not in later.refs or r.reversed_by(later.id) is not None:
                    continue
                if later.id not in dispositions:
                    dispositions.append(later.id)
                    for m in later.movements:
                        disposed[(m.item, m.lot, m.serial, m.src)] += m.quantity
        return Return(
            id=tx.id,
            shipment=int(link[0].number),
            customer=tx.counterparty or tx.movements[0].src.location,
            effective_at=tx.effective_at,
            refs=tuple(ref for ref in tx.refs if ref.type != SHIPMENT_REF),
            reason=tx.reason,
            lines=tuple(
                ReturnLine(
                    sku=sku,
                    lot=lot,
                    serial=serial,
                    position=position,
                    quantity=q,
                    disposed=min(q, disposed.get((sku, lot, serial, position), Decimal(0))),
                )
                for (sku, lot, serial, position), q in lines.items()
            ),
            dispositions=tuple(sorted(dispositions)),
            reversed=r.reversed_by(tx_id) is not None,
        )


def _wanted(lines: list[tuple[Decimal, str | None]]) -> dict[_Stock, Decimal]:
    found: dict[_Stock, Decimal] = defaultdict(Decimal)
    for q, serial in lines:
        found[(None, serial)] += q
    return dict(found)


#: What a shipment sent of one item: (lot, serial, customer location) → quantity.
_Sent = dict[tuple[str | None, str | None, str], Decimal]


def _sent(r: LedgerReader, tx: Transaction, sku: str, sscc: str | None) -> _Sent:
    """What ``tx`` sent of ``sku`` to customer locations (only out of ``sscc`` and the
    containers on it, when given)."""
    inside: set[str | None] = set()
    if sscc is not None:
        parents = {e.container: e.parent for e in tx.containers}
        for code in {*parents, *(m.src.container for m in tx.movements)}:
            seen, up = set(), code
            while up is not None and up not in seen:
                if up == sscc:
                    inside.add(code)
                    break
                seen.add(up)
                up = parents.get(up)
    sent: _Sent = defaultdict(Decimal)
    if tx.kind is TxKind.REVERSAL:
        return sent
    for m in tx.movements:
        if m.item != sku or (sscc is not None and m.src.container not in inside):
            continue
        dst = r.location(m.dst.location)
        if dst is not None and dst.kind is LocationKind.CUSTOMER:
            sent[(m.lot, m.serial, m.dst.location)] += m.quantity
    return dict(sent)


def _customer(tx: Transaction, sent: _Sent) -> str:
    if tx.counterparty is not None:
        return tx.counterparty
    return next(iter(sent))[2]


def _returned(r: LedgerReader, shipment: int, sku: str) -> dict[_Stock, Decimal]:
    """What came back of ``sku`` against ``shipment``: returns linked to it, not reversed."""
    tag = Reference(type=SHIPMENT_REF, number=str(shipment))
    back: dict[_Stock, Decimal] = defaultdict(Decimal)
    reversed_ids: dict[int, bool] = {}
    for line in r.movements_of([(sku, None, None)], out_of=[LocationKind.CUSTOMER]):
        if line.kind is not TxKind.RETURN or tag not in line.refs:
            continue
        tx_id = line.transaction_id
        if tx_id not in reversed_ids:
            reversed_ids[tx_id] = r.reversed_by(tx_id) is not None
        if not reversed_ids[tx_id]:
            back[(line.movement.lot, line.movement.serial)] += line.movement.quantity
    return dict(back)


def _left(
    sent: _Sent, back: dict[_Stock, Decimal], lot: str | None, serial: str | None, given: str | None
) -> Decimal:
    """What may still come back of a serial (or of the lot, or of everything) of a shipment."""
    lot = lot or given
    shipped = sum(
        (
            q
            for (lt, sr, _), q in sent.items()
            if (lot is None or lt == lot) and (serial is None or sr == serial)
        ),
        Decimal(0),
    )
    returned = sum(
        (
            q
            for (lt, sr), q in back.items()
            if (lot is None or lt == lot) and (serial is None or sr == serial)
        ),
        Decimal(0),
    )
    return shipped - returned


def _resolve_lot(
    sku: str, shipment: int, sent: _Sent, lot: str | None, serial: str | None
) -> str | None:
    """The lot returned: the one given, else the one the shipment sent (of the serial)."""
    lots = sorted({lt for lt, sr, _ in sent if lt is not None and serial in (None, sr)})
    if lot is not None or not lots:
        return lot
    if len(lots) == 1:
        return lots[0]
    raise ReturnError(
        item=sku,
        shipment=shipment,
        problem=f"the shipment sent lots {', '.join(lots)}; say which with lot=",
    )


def _from_customer(
    sku: str,
    lot: str | None,
    serial: str | None,
    amount: Decimal,
    sent: _Sent,
    dst: str,
    status: str,
) -> list[Movement]:
    """The return's lines: out of the customer location(s) the goods went to."""
    movements = []
    left = amount
    for (lt, sr, place), q in sorted(sent.items(), key=lambda kv: (kv[0][2], kv[0][0] or "")):
        if lt != lot or (serial is not None and sr != serial) or left <= 0:
            continue
        take = min(left, q)
        left -= take
        movements.append(
            Movement(
                item=sku,
                quantity=take,
                src=Position(location=place),
                dst=Position(location=dst, status=status),
                lot=lot,
                serial=serial,
            )
        )
    return movements


def _check_internal(r: LedgerReader, path: str, what: str) -> None:
    location = r.location(path)
    if location is None:
        raise UnknownLocationError(location=path)
    if location.kind is not LocationKind.INTERNAL:
        raise ValidationError(
            f"{what} {path} is a {location.kind} location; returns go into and out of stock at "
            "internal locations"
        )


def _stock_order(kv: tuple[_Stock, Decimal]) -> tuple[str, str]:
    (lot, serial), _ = kv
    return (lot or "", serial or "")
