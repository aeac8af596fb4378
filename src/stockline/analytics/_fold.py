"""The reference analytics source: a plain fold over the transactions of any store.

It reads nothing but what :class:`~stockline.adapters.LedgerReader` offers every store, so it
works on the in-memory store and on third-party adapters, and it is the meaning the SQL adapter
is tested against. It reads the whole ledger once per read view; stores with much history
should offer a set-based source of their own (the SQLAlchemy store does).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator
from decimal import Decimal

import attrs

from stockline.analytics._records import NearExpiry, NonconformityKind
from stockline.analytics._source import (
    ActivitySum,
    DwellSum,
    ExpiryStock,
    FlowSum,
    Layer,
    NonconformitySum,
    ReceiptCount,
    Window,
)
from stockline.ledger import (
    BalanceQuery,
    LedgerReader,
    LocationKind,
    Movement,
    Transaction,
    TxKind,
    canonical,
    to_micros,
    under,
)

__all__ = ["LedgerFold", "seconds_between"]

_StockKey = tuple[str, str | None, str | None]
_QUARTER = 15 * 60 * 10**6
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def seconds_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole seconds from ``start`` to ``end``, never below zero."""
    return max(0, to_micros(end) - to_micros(start)) // 10**6


@attrs.frozen
class _Flow:
    """One inflow into or outflow from internal stock."""

    quantity: Decimal
    at: dt.datetime
    to: LocationKind


@attrs.define
class LedgerFold:
    """An :class:`~stockline.analytics.AnalyticsSource` that folds the transactions a reader
    returns.

    Args:
        reader: An open read view of any store.
    """

    reader: LedgerReader
    _lines: list[tuple[Transaction, Movement]] | None = attrs.field(default=None, init=False)
    _kinds: dict[str, LocationKind] | None = attrs.field(default=None, init=False)

    # -- the ledger as the analytics see it ---------------------------------------------------

    def lines(self) -> list[tuple[Transaction, Movement]]:
        """Every movement of a transaction that was neither reversed nor is a reversal, with
        its transaction, in (effective time, id, line) order."""
        if self._lines is None:
            txs = self.reader.transactions()
            undone = {tx.reverses for tx in txs if tx.reverses is not None}
            kept = sorted(
                (
                    tx
                    for tx in txs
                    if tx.kind is not TxKind.REVERSAL
                    and tx.reverses is None
                    and tx.id not in undone
                ),
                key=lambda tx: (tx.effective_at, tx.id),
            )
            self._lines = [(tx, m) for tx in kept for m in tx.movements]
        return self._lines

    def kind(self, path: str) -> LocationKind:
        """The kind of the location at ``path``."""
        if self._kinds is None:
            self._kinds = {loc.path: loc.kind for loc in self.reader.locations()}
        return self._kinds[path]

    def _internal(self, path: str) -> bool:
        return self.kind(path) is LocationKind.INTERNAL

    def _flows(self, item: str | None) -> dict[_StockKey, tuple[list[_Flow], list[_Flow]]]:
        """Inflows and outflows of internal stock per item, lot and serial, in ledger order."""
        flows: dict[_StockKey, tuple[list[_Flow], list[_Flow]]] = {}
        for tx, m in self.lines():
            if item is not None and m.item != item:
                continue
            src, dst = self._internal(m.src.location), self._internal(m.dst.location)
            if src == dst:
                continue
            ins, outs = flows.setdefault((m.item, m.lot, m.serial), ([], []))
            flow = _Flow(quantity=m.quantity, at=tx.effective_at, to=self.kind(m.dst.location))
            (outs if src else ins).append(flow)
        return flows

    # -- the sources' methods ---------------------------------------------------------------

    def dwell(self, *, item: str | None, window: Window) -> list[DwellSum]:
        """See :meth:`AnalyticsSource.dwell`."""
        sums: dict[tuple[str, str | None], list[Decimal | int]] = {}
        for (sku, lot, _), (ins, outs) in self._flows(item).items():
            for quantity, inflow, outflow in _fifo(ins, outs):
                if outflow.to is not LocationKind.CUSTOMER or outflow.at not in window:
                    continue
                seconds = seconds_between(inflow.at, outflow.at)
                found = sums.get((sku, lot))
                if found is None:
                    sums[(sku, lot)] = [quantity, quantity * seconds, seconds, seconds]
                else:
                    found[0] += quantity
                    found[1] += quantity * seconds
                    found[2] = min(found[2], seconds)
                    found[3] = max(found[3], seconds)
        return [
            DwellSum(
                item=sku,
                lot=lot,
                quantity=canonical(Decimal(q)),
                quantity_seconds=canonical(Decimal(qs)),
                shortest=int(low),
                longest=int(high),
            )
            for (sku, lot), (q, qs, low, high) in sums.items()
        ]

    def flow(
        self, *, item: str | None, location: str | None, since: dt.datetime, until: dt.datetime
    ) -> list[FlowSum]:
        """See :meth:`AnalyticsSource.flow`."""
        end = to_micros(until)
        length = (end - to_micros(since)) // 10**6
        shipped: dict[str, Decimal] = defaultdict(Decimal)
        stock: dict[str, Decimal] = defaultdict(Decimal)
        for tx, m in self.lines():
            if (item is not None and m.item != item) or tx.effective_at >= until:
                continue
            src = self._measured(m.src.location, location)
            dst = self._measured(m.dst.location, location)
            if src == dst:
                continue
            at = to_micros(tx.effective_at)
            weight = length if tx.effective_at < since else (end - at) // 10**6
            stock[m.item] += m.quantity * weight if dst else -m.quantity * weight
            if (
                src
                and self.kind(m.dst.location) is LocationKind.CUSTOMER
                and tx.effective_at >= since
            ):
                shipped[m.item] += m.quantity
        return [
            FlowSum(item=sku, shipped=canonical(shipped[sku]), stock_seconds=canonical(stock[sku]))
            for sku in sorted(shipped.keys() | stock.keys())
            if shipped[sku] or stock[sku]
        ]

    def _measured(self, path: str, root: str | None) -> bool:
        return self._internal(path) and (root is None or under(path, root))

    def layers(self, *, item: str | None) -> list[Layer]:
        """See :meth:`AnalyticsSource.layers`."""
        found: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
        for (sku, _, _), (ins, outs) in self._flows(item).items():
            gone = sum((f.quantity for f in outs), Decimal(0))
            end = Decimal(0)
            for inflow in ins:
                start, end = end, end + inflow.quantity
                if end > gone:
                    found[(sku, _utc_date(inflow.at))] += end - max(start, gone)
        return [
            Layer(item=sku, received_on=day, quantity=canonical(q))
            for (sku, day), q in found.items()
        ]

    def expiry_stock(self, *, item: str | None) -> list[ExpiryStock]:
        """See :meth:`AnalyticsSource.expiry_stock`."""
        expiries = self._expiries(item)
        found: dict[tuple[str, dt.date | None], Decimal] = defaultdict(Decimal)
        for b in self.reader.balances(BalanceQuery(item=item)):
            expiry = None if b.lot is None else expiries.get((b.item, b.lot))
            found[(b.item, expiry)] += b.quantity
        return [
            ExpiryStock(item=sku, expiry=expiry, quantity=canonical(q))
            for (sku, expiry), q in found.items()
            if q
        ]

    def _expiries(self, item: str | None) -> dict[tuple[str, str], dt.date]:
        return {
            (lot.item, lot.code): lot.expiry
            for lot in self.reader.lots(item)
            if lot.expiry is not None
        }

    def expiring(
        self, *, before: dt.date, today: dt.date, item: str | None, location: str | None
    ) -> list[NearExpiry]:
        """See :meth:`AnalyticsSource.expiring`."""
        expiries = self._expiries(item)
        due = [
            b
            for b in self.reader.balances(BalanceQuery(item=item, location=location))
            if b.lot is not None
            and (b.item, b.lot) in expiries
            and expiries[(b.item, b.lot)] <= before
        ]
        reserved = self.reader.reserved(b.key for b in due)
        found = []
        for b in due:
            assert b.lot is not None
            expiry = expiries[(b.item, b.lot)]
            found.append(
                NearExpiry(
                    item=b.item,
                    lot=b.lot,
                    serial=b.serial,
                    expiry=expiry,
                    days_left=(expiry - today).days,
                    location=b.position.location,
                    status=b.position.status,
                    container=b.position.container,
                    quantity=b.quantity,
                    reserved=reserved.get(b.key, Decimal(0)),
                )
            )
        return found

    def suppliers(self) -> dict[_StockKey, str | None]:
        """The counterparty of the first movement of each lot or serial from a supplier
        location into internal stock."""
        found: dict[_StockKey, str | None] = {}
        for tx, m in self.lines():
            key = (m.item, m.lot, m.serial)
            if (
                (m.lot is not None or m.serial is not None)
                and key not in found
                and self.kind(m.src.location) is LocationKind.SUPPLIER
                and self._internal(m.dst.location)
            ):
                found[key] = tx.counterparty
        return found

    def nonconformity(self, *, blocking: Collection[str], window: Window) -> list[NonconformitySum]:
        """See :meth:`AnalyticsSource.nonconformity`."""
        suppliers = self.suppliers()
        groups: dict[
            tuple[str | None, str, NonconformityKind, str | None], tuple[set[int], list[Decimal]]
        ] = {}
        for tx, m in self._in_window(window):
            kind = self._nonconformity(m, blocking)
            if kind is None:
                continue
            supplier = suppliers.get((m.item, m.lot, m.serial))
            events, quantity = groups.setdefault(
                (supplier, m.item, kind, tx.reason), (set(), [Decimal(0)])
            )
            events.add(tx.id)
            quantity[0] += m.quantity
        return [
            NonconformitySum(
                supplier=supplier,
                item=sku,
                kind=kind,
                reason=reason,
                events=len(events),
                quantity=canonical(quantity[0]),
            )
            for (supplier, sku, kind, reason), (events, quantity) in groups.items()
        ]

    def _nonconformity(self, m: Movement, blocking: Collection[str]) -> NonconformityKind | None:
        if self._internal(m.dst.location):
            if m.dst.status in blocking and m.src.status not in blocking:
                return NonconformityKind.HOLD
            return None
        if not self._internal(m.src.location):
            return None
        return {
            LocationKind.SUPPLIER: NonconformityKind.RETURN,
            LocationKind.SCRAP: NonconformityKind.SCRAP,
        }.get(self.kind(m.dst.location))

    def _in_window(self, window: Window) -> Iterator[tuple[Transaction, Movement]]:
        return ((tx, m) for tx, m in self.lines() if tx.effective_at in window)

    def receipts(self, *, window: Window) -> list[ReceiptCount]:
        """See :meth:`AnalyticsSource.receipts`."""
        found: dict[tuple[str | None, str], set[int]] = defaultdict(set)
        for tx, m in self._in_window(window):
            if self.kind(m.src.location) is LocationKind.SUPPLIER and self._internal(
                m.dst.location
            ):
                found[(tx.counterparty, m.item)].add(tx.id)
        return [
            ReceiptCount(supplier=supplier, item=sku, receipts=len(ids))
            for (supplier, sku), ids in found.items()
        ]

    def activity(self, *, window: Window, kinds: Collection[TxKind] | None) -> list[ActivitySum]:
        """See :meth:`AnalyticsSource.activity`."""
        counts: dict[tuple[str, dt.datetime], list[int]] = {}
        for tx, m in self._in_window(window):
            if kinds is not None and tx.kind not in kinds:
                continue
            micros = to_micros(tx.effective_at)
            start = _EPOCH + dt.timedelta(microseconds=micros - micros % _QUARTER)
            for path, side in ((m.dst.location, 0), (m.src.location, 1)):
                if self._internal(path):
                    counts.setdefault((path, start), [0, 0])[side] += 1
        return [
            ActivitySum(location=path, start=start, inbound=inbound, outbound=outbound)
            for (path, start), (inbound, outbound) in counts.items()
        ]


def _fifo(ins: list[_Flow], outs: list[_Flow]) -> Iterator[tuple[Decimal, _Flow, _Flow]]:
    """Pair outflows with inflows first in first out, by their running totals: the quantity
    between running totals a and b of the inflows is the same stock as between a and b of the
    outflows."""
    i = j = 0
    in_left = ins[0].quantity if ins else Decimal(0)
    out_left = outs[0].quantity if outs else Decimal(0)
    while i < len(ins) and j < len(outs):
        quantity = min(in_left, out_left)
        yield quantity, ins[i], outs[j]
        in_left -= quantity
        out_left -= quantity
        if not in_left:
            i += 1
            in_left = ins[i].quantity if i < len(ins) else Decimal(0)
        if not out_left:
            j += 1
            out_left = outs[j].quantity if j < len(outs) else Decimal(0)


def _utc_date(when: dt.datetime) -> dt.date:
    return when.astimezone(dt.UTC).date()
