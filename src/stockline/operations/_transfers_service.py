"""Transfer orders between sites over the posting context (``inv.transfers``).

An order is an operational document (kind ``transfer-order``, key the order number); its
stock is in the ledger. Shipping moves the lines from the origin into the order's own transit
location (a ``shipment``), so what is in transit on an order is the balance there; receiving
moves it out to the destination (a ``receipt``), in as many parts as it arrives; cancelling
moves what is left in transit back to the origin; closing writes off what never arrived.
Every posting carries the reference ``TO`` = the order number, and changes the order's
document in the same write block.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stockline import gs1
from stockline.allocation import Allocations
from stockline.errors import (
    DuplicateError,
    IdempotencyConflictError,
    TransferError,
    UnknownItemError,
    UnknownTransferError,
    ValidationError,
)
from stockline.gs1 import Scan
from stockline.ledger import (
    Balance,
    BalanceQuery,
    Book,
    Document,
    Header,
    LedgerReader,
    LedgerWriter,
    LocationKind,
    Movement,
    Position,
    Reference,
    Transaction,
    TxKind,
    boundary,
)
from stockline.operations._scanning import scanned_stock
from stockline.operations._transfers import (
    InTransit,
    TransferLine,
    TransferOrder,
    TransferReport,
    TransferReportLine,
    TransferState,
)
from stockline.policies import Demand, allocate

__all__ = ["ORDER_KIND", "TRANSIT_ROOT", "Transfers"]

#: Document kind of a transfer order.
ORDER_KIND = "transfer-order"
#: Where the transit locations of orders are made by default: ``transit/<order>``.
TRANSIT_ROOT = "transit"

_ZERO = Decimal(0)


@attrs.define(repr=False)
class Transfers:
    """Transfer orders between sites, with stock in transit (``inv.transfers``).

    Args:
        book: The posting context it reads and posts through.
        allocation: The allocation service, whose per-item policies choose the stock shipped.
    """

    _book: Book
    _allocation: Allocations

    def __repr__(self) -> str:
        return "<Transfers>"

    def create(
        self,
        order: str,
        *,
        src: str,
        dst: str,
        lines: Sequence[tuple[str, object] | tuple[str, object, str]],
        transit: str | None = None,
        actor: str | None = None,
    ) -> TransferOrder:
        """Create a transfer order.

        Args:
            order: The order number.
            src: The internal location stock is shipped from (it and below it).
            dst: The internal location it is received into by default.
            lines: ``(sku, quantity)`` or ``(sku, quantity, lot)`` per line.
            transit: The transit location that holds the stock on the way;
                ``transit/<order>`` when ``None`` (made when missing).
            actor: Who creates it.

        Returns:
            The order, ``open``.

        Raises:
            DuplicateError: An order with that number exists.
            UnknownItemError: A line's item does not exist.
            UnknownLocationError: ``src`` or ``dst`` does not exist.
            ValidationError: Bad lines; ``src`` and ``dst`` are not internal or are the same
                site; a ``transit`` location of another kind.
        """
        order = boundary.code(order, "order")
        src = boundary.path(src, "src")
        dst = boundary.path(dst, "dst")
        raw = boundary.sequence(lines, "lines")
        if not raw:
            raise ValidationError(what="lines", value=lines, expected="at least one line")
        parsed = [_line(n, line) for n, line in enumerate(raw, start=1)]
        if transit is None:
            path = boundary.path(f"{TRANSIT_ROOT}/{order}", "transit (transit/<order>)")
        else:
            path = boundary.path(transit, "transit")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            if w.document(ORDER_KIND, order) is not None:
                raise DuplicateError(
                    f"transfer order {order} exists; look it up with transfers.order()"
                )
            for end, what in ((src, "src"), (dst, "dst")):
                if Book.location(w, end).kind is not LocationKind.INTERNAL:
                    raise ValidationError(what=what, value=end, expected="an internal location")
            if src.split("/")[0] == dst.split("/")[0]:
                raise ValidationError(
                    what="dst",
                    value=dst,
                    expected=f"a location at another site than {src}",
                    advice="within a site, move() the stock",
                )
            checked = []
            for line in parsed:
                item = self._book.item(w, line.sku)
                quantity = boundary.quantity(
                    line.quantity, f"quantity of {line.sku}", decimals=item.decimals
                )
                checked.append(attrs.evolve(line, quantity=quantity))
            self._book.ensure_location(w, path, LocationKind.TRANSIT, actor)
            if _transit_taken(w, path):
                raise ValidationError(
                    what="transit",
                    value=path,
                    expected="a transit location no other open order uses",
                )
            record = TransferOrder(
                order=order, src=src, dst=dst, transit=path, lines=tuple(checked)
            )
            return self._save(w, record, 0, actor)

    def order(self, order: str) -> TransferOrder:
        """Return the transfer order ``order``.

        Raises:
            UnknownTransferError: No such order.
        """
        order = boundary.code(order, "order")
        with self._book.read() as r:
            return _order(r, order)[0]

    def orders(self, *, state: TransferState | str | None = None) -> list[TransferOrder]:
        """Return the transfer orders (only those in ``state``), by number."""
        wanted = None if state is None else boundary.choice(state, TransferState, "state")
        with self._book.read() as r:
            found = [_order_of(d) for d in r.documents(ORDER_KIND)]
        return [o for o in found if wanted is None or o.state is wanted]

    def ship(
        self,
        order: str,
        *,
        refs: boundary.Refs = (),
        at: dt.date | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Ship every line from the origin into transit: one ``shipment``.

        Stock is taken from ``src`` and below, in statuses that may be allocated, not
        reserved, unexpired on ``at``, chosen by the item's allocation policy (FEFO for lot-
        and serial-tracked items); a line with a lot takes only that lot. All lines ship or
        none.

        Args:
            order: The order number.
            refs: Other documents (a bill of lading: ``{"BOL": "..."}``).
            at: The date expiry is judged on; today by the clock when ``None``.
            key: An idempotency key.
            effective_at: When it left; now when ``None``.
            actor: Who shipped it.
            reason: A note.

        Returns:
            The shipment.

        Raises:
            TransferError: The order is not open, or the origin lacks stock for a line.
        """
        order = boundary.code(order, "order")
        day = self._day(at)
        header = _header(TxKind.SHIPMENT, order, refs, key, effective_at, actor, reason)
        with self._book.write() as w:
            first = _repeated(w, header, TxKind.SHIPMENT, order)
            if first is not None:
                return first
            record, version = _order(w, order)
            if record.state is not TransferState.OPEN:
                raise TransferError(
                    f"transfer order {order} is {record.state}; only an open order ships",
                    order=order,
                )
            statuses = sorted(s.name for s in w.statuses() if s.allocatable)
            movements: list[Movement] = []
            short: list[str] = []
            used: dict[Any, Decimal] = defaultdict(Decimal)
            for line in record.lines:
                item = self._book.item(w, line.sku)
                candidates = []
                for c in w.candidates(line.sku, statuses=statuses, location=record.src):
                    serial = c.attributes.get("serial")
                    k = (c.item, c.lot, serial, c.location, c.status, c.container)
                    left = c.available - used[k]
                    if left > 0:
                        candidates.append(attrs.evolve(c, available=left))
                plan = allocate(
                    Demand(item=line.sku, quantity=line.quantity, at=day, lot=line.lot),
                    candidates,
                    self._allocation.policy_of(item),
                    allocatable_statuses=statuses,
                )
                if plan.shortfall > 0:
                    short.append(f"line {line.line}: {plan.shortfall} {line.sku} short")
                    continue
                for pick in plan.picks:
                    c = pick.candidate
                    serial = c.attributes.get("serial")
                    serial = serial if isinstance(serial, str) else None
                    used[(c.item, c.lot, serial, c.location, c.status, c.container)] += (
                        pick.quantity
                    )
                    movements.append(
                        Movement(
                            item=line.sku,
                            quantity=pick.quantity,
                            lot=c.lot,
                            serial=serial,
                            src=Position(
                                location=c.location, status=c.status, container=c.container
                            ),
                            dst=Position(location=record.transit, status=c.status),
                        )
                    )
            if short:
                raise TransferError(
                    f"transfer order {order} cannot ship: {'; '.join(short)} at {record.src} "
                    "(allocatable, unreserved, unexpired stock). Nothing was posted",
                    order=order,
                )
            tx = self._book.post(w, self._book.draft(TxKind.SHIPMENT, movements, header))
            changed = attrs.evolve(
                record, state=TransferState.IN_TRANSIT, shipments=(*record.shipments, tx.id)
            )
            self._save(w, changed, version, header.actor)
            return tx

    def receive(
        self,
        order: str,
        sku: str,
        quantity: object = None,
        *,
        lot: str | None = None,
        serial: str | None = None,
        dst: str | None = None,
        status: str | None = None,
        allow_over: bool = False,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Receive part (or all) of what is in transit on ``order``: one ``receipt`` out of
        transit into ``dst``.

        Args:
            order: The order number.
            sku: The item.
            quantity: How much (1 for a serial).
            lot: The lot.
            serial: The serial.
            dst: Where it goes; the order's ``dst`` when ``None``.
            status: Its status on arrival; as it was shipped when ``None``.
            allow_over: Receive more than is in transit of it (the excess shows as ``over``
                in the report until the order is closed); refused otherwise.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When it arrived; now when ``None``.
            actor: Who received it.
            reason: A note.

        Returns:
            The receipt.

        Raises:
            TransferError: The order is not in transit, or less than ``quantity`` of the item
                (lot, serial) is in transit on it and ``allow_over`` is not given.
        """
        order = boundary.code(order, "order")
        sku = boundary.code(sku, "sku")
        ((amount, serial_),) = boundary.serial_lines(sku, quantity, serial, ())
        lot = boundary.optional_code(lot, "lot")
        target = None if dst is None else boundary.path(dst, "dst")
        status = boundary.optional_code(status, "status")
        allow_over = boundary.flag(allow_over, "allow_over")
        header = _header(TxKind.RECEIPT, order, refs, key, effective_at, actor, reason)
        goods = _Goods(sku=sku, lot=lot, serial=serial_, quantity=amount)
        return self._receive(order, goods, target, status, allow_over, header)

    def receive_scan(
        self,
        order: str,
        scan: Scan | str,
        quantity: object = None,
        *,
        dst: str | None = None,
        status: str | None = None,
        allow_over: bool = False,
        at: dt.date | None = None,
        gs_standin: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Receive what a GS1 barcode says out of transit on ``order``.

        The item, lot and serial come from the scan; ``quantity`` counts scanned units (a
        case GTIN of 12 with ``quantity=3`` is 36), as
        :meth:`~stockline.operations.Scanning.receive` counts them. Otherwise as
        :meth:`receive`.

        Raises:
            BarcodeError: Not a GS1 scan of a trade item.
            UnknownItemError: No item has the scanned GTIN.
            TransferError: As :meth:`receive`.
        """
        order = boundary.code(order, "order")
        day = self._day(at)
        standin = boundary.optional_code(gs_standin, "gs_standin")
        if isinstance(scan, str):
            parsed = gs1.parse(scan, gs_standin=standin, today=day)
        elif isinstance(scan, Scan):
            parsed = scan
        else:
            raise ValidationError(what="scan", value=scan, expected="a str or a gs1.Scan")
        target = None if dst is None else boundary.path(dst, "dst")
        status = boundary.optional_code(status, "status")
        allow_over = boundary.flag(allow_over, "allow_over")
        header = _header(TxKind.RECEIPT, order, refs, key, effective_at, actor, reason)
        gtin = parsed.gtin or parsed.content_gtin
        with self._book.read() as r:
            item = None if gtin is None else r.item_by_gtin(gtin)
        if item is None:
            raise UnknownItemError(item=gtin or str(scan))
        found = scanned_stock(parsed, item, quantity)
        goods = _Goods(sku=found.sku, lot=found.lot, serial=found.serial, quantity=found.quantity)
        return self._receive(order, goods, target, status, allow_over, header)

    def cancel(
        self,
        order: str,
        *,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction | None:
        """Cancel ``order``: what is in transit on it goes back to the origin (``src``), in
        the status it was shipped in, as one ``transfer``.

        Returns:
            The move back, or ``None`` when nothing was in transit (an open order).

        Raises:
            TransferError: The order is received, closed or cancelled, or more was received
                than shipped of something (close it instead).
        """
        order = boundary.code(order, "order")
        header = _header(TxKind.TRANSFER, order, (), key, effective_at, actor, reason)
        with self._book.write() as w:
            first = _repeated(w, header, TxKind.TRANSFER, order)
            if first is not None:
                return first
            record, version = _order(w, order)
            if record.state not in (TransferState.OPEN, TransferState.IN_TRANSIT):
                raise TransferError(
                    f"transfer order {order} is {record.state}; it can no longer be cancelled",
                    order=order,
                )
            held = _transit(w, record)
            if any(b.quantity < 0 for b in held):
                raise TransferError(
                    f"more was received on transfer order {order} than was shipped; close it "
                    "with transfers.close() to settle the difference instead",
                    order=order,
                )
            tx = None
            if held:
                movements = [
                    Movement(
                        item=b.item,
                        quantity=b.quantity,
                        lot=b.lot,
                        serial=b.serial,
                        src=b.position,
                        dst=Position(location=record.src, status=b.position.status),
                    )
                    for b in held
                ]
                tx = self._book.post(w, self._book.draft(TxKind.TRANSFER, movements, header))
            changed = attrs.evolve(
                record,
                state=TransferState.CANCELLED,
                returns=record.returns if tx is None else (*record.returns, tx.id),
            )
            self._save(w, changed, version, header.actor)
            return tx

    def close(
        self,
        order: str,
        *,
        reason: str,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction | None:
        """Close ``order``: what is still in transit is written off as lost, and what was
        received over is settled, as one ``adjustment`` with ``reason``.

        Returns:
            The adjustment, or ``None`` when nothing was left to settle.

        Raises:
            TransferError: The order is open (cancel it), closed or cancelled.
            ValidationError: No reason.
        """
        order = boundary.code(order, "order")
        header = _header(TxKind.ADJUSTMENT, order, (), key, effective_at, actor, reason)
        if not header.reason:
            raise ValidationError(what="reason", value=reason, expected="why it is closed")
        with self._book.write() as w:
            first = _repeated(w, header, TxKind.ADJUSTMENT, order)
            if first is not None:
                return first
            record, version = _order(w, order)
            if record.state not in (TransferState.IN_TRANSIT, TransferState.RECEIVED):
                raise TransferError(
                    f"transfer order {order} is {record.state}; only a shipped order is closed"
                    + (" (cancel an open one)" if record.state is TransferState.OPEN else ""),
                    order=order,
                )
            held = _transit(w, record)
            tx = None
            if held:
                other = self._book.counterparty(w, LocationKind.ADJUSTMENT, None, header.actor)
                movements = [
                    Movement(
                        item=b.item,
                        quantity=abs(b.quantity),
                        lot=b.lot,
                        serial=b.serial,
                        src=b.position if b.quantity > 0 else other,
                        dst=other if b.quantity > 0 else b.position,
                    )
                    for b in held
                ]
                tx = self._book.post(w, self._book.draft(TxKind.ADJUSTMENT, movements, header))
            changed = attrs.evolve(
                record,
                state=TransferState.CLOSED,
                closing=record.closing if tx is None else (*record.closing, tx.id),
            )
            self._save(w, changed, version, header.actor)
            return tx

    def report(self, order: str) -> TransferReport:
        """Return the over/short report of ``order``: per item, what was ordered, shipped,
        received, returned, written off, and is in transit, over and short.

        Raises:
            UnknownTransferError: No such order.
        """
        order = boundary.code(order, "order")
        with self._book.read() as r:
            record, _ = _order(r, order)
            sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
            for line in record.lines:
                sums[line.sku]["ordered"] += line.quantity
            for name, ids in (
                ("shipped", record.shipments),
                ("received", record.receipts),
                ("returned", record.returns),
                ("written_off", record.closing),
            ):
                for tx_id in ids:
                    for m in Book.transaction(r, tx_id).movements:
                        sign = 1 if m.src.location == record.transit else -1
                        if name == "shipped":
                            sign = -sign
                        sums[m.item][name] += sign * m.quantity
            for b in _transit(r, record):
                sums[b.item]["in_transit"] += b.quantity
        lines = []
        for sku in sorted(sums):
            s = sums[sku]
            arrived = s["received"] + s["returned"]
            lines.append(
                TransferReportLine(
                    sku=sku,
                    ordered=s["ordered"],
                    shipped=s["shipped"],
                    received=s["received"],
                    returned=s["returned"],
                    written_off=s["written_off"],
                    in_transit=max(s["in_transit"], _ZERO),
                    over=max(arrived - s["shipped"], _ZERO),
                    short=max(s["shipped"] - arrived, _ZERO),
                )
            )
        return TransferReport(order=order, state=record.state, lines=tuple(lines))

    def in_transit(self, *, order: str | None = None, sku: str | None = None) -> list[InTransit]:
        """Return the stock in transit, by order: what each order's transit location holds.

        Args:
            order: Only this order's.
            sku: Only this item's.

        Returns:
            One row per order, item, lot, serial and status, by order.
        """
        order = boundary.optional_code(order, "order")
        sku = boundary.optional_code(sku, "sku")
        with self._book.read() as r:
            if order is not None:
                records = [_order(r, order)[0]]
            else:
                records = [_order_of(d) for d in r.documents(ORDER_KIND)]
            return [
                InTransit(
                    order=o.order,
                    sku=b.item,
                    lot=b.lot,
                    serial=b.serial,
                    status=b.position.status,
                    quantity=b.quantity,
                    src=o.src,
                    dst=o.dst,
                )
                for o in records
                if o.state is TransferState.IN_TRANSIT
                for b in _transit(r, o)
                if b.quantity > 0 and (sku is None or b.item == sku)
            ]

    # -- helpers -----------------------------------------------------------------------------

    def _day(self, at: object) -> dt.date:
        day = boundary.optional_day(at, "at")
        if day is None:
            now = self._book.now()
            day = dt.date(now.year, now.month, now.day)
        return day

    def _receive(
        self,
        order: str,
        stock: _Goods,
        target: str | None,
        status: str | None,
        allow_over: bool,
        header: Header,
    ) -> Transaction:
        with self._book.write() as w:
            first = _repeated(w, header, TxKind.RECEIPT, order)
            if first is not None:
                if _received(first) != (stock.sku, stock.lot, stock.serial, stock.quantity):
                    assert header.key is not None
                    raise IdempotencyConflictError(key=header.key, transaction_id=first.id)
                return first
            record, version = _order(w, order)
            if record.state not in (TransferState.IN_TRANSIT, TransferState.RECEIVED):
                raise TransferError(
                    f"transfer order {order} is {record.state}; only a shipped order is received",
                    order=order,
                )
            item = self._book.item(w, stock.sku)
            boundary.quantity(stock.quantity, "quantity", decimals=item.decimals)
            dst = record.dst if target is None else target
            if Book.location(w, dst).kind is not LocationKind.INTERNAL:
                raise ValidationError(what="dst", value=dst, expected="an internal location")
            there = [
                b
                for b in _transit(w, record)
                if b.item == stock.sku
                and b.lot == stock.lot
                and b.serial == stock.serial
                and b.quantity > 0
            ]
            left = stock.quantity
            movements = []
            for b in there:
                take = min(left, b.quantity)
                if take <= 0:
                    break
                left -= take
                movements.append(_out(b.position, stock, take, dst, status))
            if left > 0:
                if not allow_over:
                    what = (
                        f"{stock.sku}"
                        + (f" lot {stock.lot}" if stock.lot else "")
                        + (f" serial {stock.serial}" if stock.serial else "")
                    )
                    raise TransferError(
                        f"only {stock.quantity - left} {what} is in transit on transfer order "
                        f"{order}, not {stock.quantity}. Nothing was posted; check the goods, "
                        "or pass allow_over=True to receive them anyway (they are then "
                        "reported over)",
                        order=order,
                    )
                shipped_in = there[0].position.status if there else status or "available"
                origin = Position(location=record.transit, status=shipped_in)
                movements.append(_out(origin, stock, left, dst, status))
            tx = self._book.post(w, self._book.draft(TxKind.RECEIPT, movements, header))
            remaining = _transit(w, record)
            state = (
                TransferState.RECEIVED
                if all(b.quantity == 0 for b in remaining)
                else TransferState.IN_TRANSIT
            )
            changed = attrs.evolve(record, state=state, receipts=(*record.receipts, tx.id))
            self._save(w, changed, version, header.actor)
            return tx

    def _save(
        self, w: LedgerWriter, record: TransferOrder, version: int, actor: str | None
    ) -> TransferOrder:
        doc = w.put_document(
            ORDER_KIND,
            record.order,
            _body(record),
            version=version,
            actor=actor,
            at=self._book.now(),
        )
        return _order_of(doc)


@attrs.frozen(kw_only=True)
class _Goods:
    """What a receipt out of transit is about."""

    sku: str
    lot: str | None
    serial: str | None
    quantity: Decimal


def _repeated(w: LedgerReader, header: Header, kind: TxKind, order: str) -> Transaction | None:
    """The transaction first posted with the header's key, if any; a key used for another
    kind of posting, or another order, is a conflict."""
    found = None if header.key is None else w.find_key(header.key)
    if found is None or header.key is None:
        return None
    tx = Book.transaction(w, found[0])
    if tx.kind is not kind or Reference(type="TO", number=order) not in tx.refs:
        raise IdempotencyConflictError(key=header.key, transaction_id=tx.id)
    return tx


def _received(tx: Transaction) -> tuple[str, str | None, str | None, Decimal] | None:
    """What a receipt out of transit took: its item, lot, serial and quantity."""
    goods = {(m.item, m.lot, m.serial) for m in tx.movements}
    if len(goods) != 1:
        return None
    ((sku, lot, serial),) = goods
    return sku, lot, serial, sum((m.quantity for m in tx.movements), _ZERO)


def _out(src: Position, stock: _Goods, quantity: Decimal, dst: str, status: str | None) -> Movement:
    return Movement(
        item=stock.sku,
        quantity=quantity,
        lot=stock.lot,
        serial=stock.serial,
        src=src,
        dst=Position(location=dst, status=src.status if status is None else status),
    )


def _header(
    kind: TxKind,
    order: str,
    refs: object,
    key: object,
    effective_at: object,
    actor: object,
    reason: object,
) -> Header:
    header = Header.of(
        kind, refs=refs, key=key, effective_at=effective_at, actor=actor, reason=reason
    )
    return attrs.evolve(header, refs=(Reference(type="TO", number=order), *header.refs))


def _line(n: int, value: object) -> TransferLine:
    if (
        isinstance(value, str | bytes)
        or not isinstance(value, Sequence)
        or len(value)
        not in (
            2,
            3,
        )
    ):
        raise ValidationError(
            what=f"line {n}", value=value, expected="(sku, quantity) or (sku, quantity, lot)"
        )
    sku = boundary.code(value[0], f"sku of line {n}")
    quantity = boundary.quantity(value[1], f"quantity of line {n}")
    lot = boundary.code(value[2], f"lot of line {n}") if len(value) == 3 else None
    return TransferLine(line=n, sku=sku, quantity=quantity, lot=lot)


def _transit_taken(r: LedgerReader, path: str) -> bool:
    return any(
        _order_of(d).transit == path
        and _order_of(d).state in (TransferState.OPEN, TransferState.IN_TRANSIT)
        for d in r.documents(ORDER_KIND)
    )


def _transit(r: LedgerReader, record: TransferOrder) -> list[Balance]:
    return [
        b
        for b in r.balances(BalanceQuery(location=record.transit, internal_only=False))
        if b.quantity != 0
    ]


def _order(r: LedgerReader, order: str) -> tuple[TransferOrder, int]:
    doc = r.document(ORDER_KIND, order)
    if doc is None:
        raise UnknownTransferError(order=order)
    return _order_of(doc), doc.version


def _body(o: TransferOrder) -> Mapping[str, Any]:
    return {
        "src": o.src,
        "dst": o.dst,
        "transit": o.transit,
        "lines": [
            {"line": x.line, "sku": x.sku, "quantity": str(x.quantity), "lot": x.lot}
            for x in o.lines
        ],
        "state": o.state.value,
        "shipments": list(o.shipments),
        "receipts": list(o.receipts),
        "returns": list(o.returns),
        "closing": list(o.closing),
    }


def _order_of(doc: Document) -> TransferOrder:
    b = doc.body
    return TransferOrder(
        order=doc.key,
        src=b["src"],
        dst=b["dst"],
        transit=b["transit"],
        lines=tuple(
            TransferLine(
                line=x["line"], sku=x["sku"], quantity=Decimal(x["quantity"]), lot=x["lot"]
            )
            for x in b["lines"]
        ),
        state=TransferState(b["state"]),
        shipments=tuple(b["shipments"]),
        receipts=tuple(b["receipts"]),
        returns=tuple(b["returns"]),
        closing=tuple(b["closing"]),
        updated_at=doc.updated_at,
        updated_by=doc.actor,
    )
