"""The analytics source of the SQLAlchemy store: every analysis as set-based SQL.

Each method is one statement over ``sl_movements`` (or the balance projection) that returns
small aggregates; nothing is looped over in Python but the result rows. First-in first-out
matching uses running totals (window functions, SQLite 3.25+ and PostgreSQL): the stock
between running totals *a* and *b* of an item's inflows is the stock between *a* and *b* of its
outflows, so every inflow and outflow start is a cut point, and each stretch between
consecutive cut points is one matched piece. That is O(n log n) per item, lot and serial,
where joining every inflow to every outflow would be O(n²).

Products of a quantity (an integer of 10**-6 units) and a number of seconds can pass 2**63, so
a quantity is split into whole units, thousandths and millionths, each part multiplied and
summed on its own, and the parts joined exactly in Python.

The semantics are those of :class:`~stockline.analytics.LedgerFold`; a property test holds the
two equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from stockline.adapters.sqlalchemy import _codec as codec
from stockline.adapters.sqlalchemy import _schema as t
from stockline.analytics import (
    ActivitySum,
    DwellSum,
    ExpiryStock,
    FlowSum,
    Layer,
    NearExpiry,
    NonconformityKind,
    NonconformitySum,
    ReceiptCount,
    Window,
)
from stockline.ledger import LocationKind, TxKind, canonical

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy._session import SqlSession

__all__ = ["SqlAnalytics"]

_SECOND = 10**6
_DAY = 86_400 * _SECOND
_QUARTER = 15 * 60 * _SECOND
_EPOCH_DAY = dt.date(1970, 1, 1)
_INTERNAL = LocationKind.INTERNAL.value
_KEY = ("item_id", "lot_id", "serial")


def _parts(qty: Any) -> list[Any]:
    """A quantity split in whole units, thousandths and millionths (qty = a·10⁶ + b·10³ + c,
    with SQL's truncating division on both sides, so the identity holds for any sign)."""
    rest = qty % _SECOND
    return [qty // _SECOND, rest // 1000, rest % 1000]


def _join_parts(units: Any, thousandths: Any, millionths: Any) -> Decimal:
    """The exact sum of (quantity × seconds) from the three partial sums, in base units."""
    scaled = int(units or 0) * _SECOND + int(thousandths or 0) * 1000 + int(millionths or 0)
    return canonical(Decimal(scaled).scaleb(-6))


class SqlAnalytics:
    """An :class:`~stockline.analytics.AnalyticsSource` over one SQL read view or write block.

    Args:
        session: The store's open session (what ``store.read()`` yields).
    """

    def __init__(self, session: SqlSession) -> None:
        self._s = session
        self._conn: sa.Connection = session._conn

    # -- the ledger as the analytics see it ---------------------------------------------------

    def _lines(self, item: str | None, window: Window | None = None) -> sa.CTE | None:
        """Every movement of a kept transaction (neither reversed nor a reversal), with its
        locations' kinds and its transaction's header; ``None`` when ``item`` is unknown."""
        self._s.flush()
        mv, tx = t.movements, t.transactions
        src, dst = t.locations.alias("src_l"), t.locations.alias("dst_l")
        undone = t.transactions.alias("undone")
        where: list[sa.ColumnElement[bool]] = [
            tx.c.kind != TxKind.REVERSAL.value,
            tx.c.reverses.is_(None),
            ~sa.exists().where(undone.c.reverses == tx.c.id),
        ]
        if item is not None:
            item_id = self._s._lookup("item", item)
            if item_id is None:
                return None
            where.append(mv.c.item_id == item_id)
        if window is not None:
            where += _in_window(mv.c.effective_at, window)
        stmt = (
            sa.select(
                mv.c.tx_id,
                mv.c.line,
                mv.c.item_id,
                mv.c.lot_id,
                mv.c.serial,
                mv.c.qty,
                mv.c.effective_at.label("at"),
                mv.c.src_loc,
                mv.c.dst_loc,
                mv.c.src_status,
                mv.c.dst_status,
                src.c.kind.label("src_kind"),
                dst.c.kind.label("dst_kind"),
                tx.c.kind.label("tx_kind"),
                tx.c.counterparty,
                tx.c.reason,
            )
            .join(tx, tx.c.id == mv.c.tx_id)
            .join(src, src.c.id == mv.c.src_loc)
            .join(dst, dst.c.id == mv.c.dst_loc)
            .where(*where)
        )
        return stmt.cte("lines")

    def _points(self, lines: sa.CTE) -> sa.Subquery:
        """Every inflow into and outflow from internal stock as a cut point: where its range
        of running totals starts (``pos``), per item, lot and serial.

        Inflow columns are NULL on outflow rows and the other way round, so that window
        maximums over them pick the latest inflow (outflow) started at or before a point:
        flows are numbered in ledger order, which is also time order.
        """
        key = [lines.c[k] for k in _KEY]
        is_in = lines.c.src_kind != _INTERNAL
        side = [*key, is_in]
        order = [lines.c.at, lines.c.tx_id, lines.c.line]
        # Cast: PostgreSQL sums bigints as numeric, and numeric division is not integer.
        running = sa.cast(
            sa.func.sum(lines.c.qty).over(partition_by=side, order_by=order, rows=(None, 0)),
            sa.BigInteger,
        )
        total = sa.cast(sa.func.sum(lines.c.qty).over(partition_by=side), sa.BigInteger)
        seq = sa.func.row_number().over(partition_by=side, order_by=order)
        to_customer = sa.case((lines.c.dst_kind == LocationKind.CUSTOMER.value, 1), else_=0)
        flows = (
            sa.select(
                *key,
                is_in.label("is_in"),
                lines.c.at,
                lines.c.qty,
                to_customer.label("to_customer"),
                running.label("running"),
                total.label("total"),
                seq.label("seq"),
            )
            .where((lines.c.src_kind == _INTERNAL) != (lines.c.dst_kind == _INTERNAL))
            .subquery("flows")
        )
        f = flows.c
        inflow = f.is_in
        return sa.select(
            *_key(flows),
            f.is_in,
            (f.running - f.qty).label("pos"),
            f.running.label("end"),
            # On a tie, inflows before outflows, each in ledger order: a total order.
            sa.case((inflow, 0), else_=1).label("tag"),
            f.seq,
            sa.case((inflow, f.at)).label("in_at"),
            sa.case((inflow, f.total)).label("in_total"),
            sa.case((~inflow, f.at)).label("out_at"),
            sa.case((~inflow, f.seq * 2 + f.to_customer)).label("out_tag"),
            sa.case((~inflow, f.total)).label("out_total"),
        ).subquery("points")

    # -- the source's methods ---------------------------------------------------------------

    def dwell(self, *, item: str | None, window: Window) -> list[DwellSum]:
        """See :meth:`AnalyticsSource.dwell`.

        Between consecutive cut points the stock is one inflow's and one outflow's: the
        latest of each started at or before the point. The last stretch ends where the
        inflows or the outflows run out.
        """
        lines = self._lines(item)
        if lines is None:
            return []
        points = self._points(lines)
        p = points.c
        key = _key(points)
        order = [p.pos, p.tag, p.seq]

        def so_far(column: Any) -> Any:
            return sa.func.max(column).over(partition_by=key, order_by=order, rows=(None, 0))

        segments = sa.select(
            *key,
            p.pos,
            sa.func.lead(p.pos).over(partition_by=key, order_by=order).label("next_pos"),
            so_far(p.in_at).label("t_in"),
            so_far(p.out_at).label("t_out"),
            so_far(p.out_tag).label("out_tag"),
            sa.func.max(p.in_total).over(partition_by=key).label("total_in"),
            sa.func.max(p.out_total).over(partition_by=key).label("total_out"),
        ).subquery("segments")
        g = segments.c
        cap = sa.case((g.total_in < g.total_out, g.total_in), else_=g.total_out)
        end = sa.case((sa.and_(g.next_pos.is_not(None), g.next_pos < cap), g.next_pos), else_=cap)
        seconds = sa.case((g.t_out > g.t_in, (g.t_out - g.t_in) // _SECOND), else_=0)
        pieces = (
            sa.select(g.item_id, g.lot_id, (end - g.pos).label("m"), seconds.label("s"))
            .where(
                end > g.pos,
                g.t_in.is_not(None),
                g.out_tag % 2 == 1,  # the outflow went to a customer
                *_in_window(g.t_out, window),
            )
            .subquery("pieces")
        )
        c = pieces.c
        stmt = sa.select(
            c.item_id,
            c.lot_id,
            sa.func.sum(c.m),
            *(sa.func.sum(part * c.s) for part in _parts(c.m)),
            sa.func.min(c.s),
            sa.func.max(c.s),
        ).group_by(c.item_id, c.lot_id)
        rows = self._conn.execute(stmt).all()
        self._s._load_names("item", (r[0] for r in rows))
        self._s._load_names("lot", (r[1] for r in rows))
        return [
            DwellSum(
                item=self._s._name("item", r[0]),
                lot=self._s._name("lot", r[1])[1] if r[1] else None,
                quantity=codec.from_qty(int(r[2])),
                quantity_seconds=_join_parts(r[3], r[4], r[5]),
                shortest=int(r[6]),
                longest=int(r[7]),
            )
            for r in rows
        ]

    def flow(
        self, *, item: str | None, location: str | None, since: dt.datetime, until: dt.datetime
    ) -> list[FlowSum]:
        """See :meth:`AnalyticsSource.flow`."""
        lines = self._lines(item, Window(until=until))
        if lines is None:
            return []
        loc = t.locations
        measured = sa.select(loc.c.id).where(loc.c.kind == _INTERNAL)
        if location is not None:
            measured = measured.where(loc.c.id.in_(self._s._subtree(location)))
        src_in = sa.case((lines.c.src_loc.in_(measured), 1), else_=0)
        dst_in = sa.case((lines.c.dst_loc.in_(measured), 1), else_=0)
        start, end = codec.to_micros(since), codec.to_micros(until)
        length = (end - start) // _SECOND
        weight = sa.case((lines.c.at < start, length), else_=(end - lines.c.at) // _SECOND)
        sides = sa.select(
            lines.c.item_id,
            lines.c.qty,
            lines.c.at,
            lines.c.dst_kind,
            src_in.label("src_in"),
            dst_in.label("dst_in"),
            weight.label("w"),
        ).subquery("sides")
        c = sides.c
        signed_weight = (c.dst_in - c.src_in) * c.w
        shipped = sa.case(
            (
                sa.and_(c.src_in == 1, c.dst_kind == LocationKind.CUSTOMER.value, c.at >= start),
                c.qty,
            ),
            else_=0,
        )
        stmt = (
            sa.select(
                c.item_id,
                sa.func.sum(shipped),
                *(sa.func.sum(part * signed_weight) for part in _parts(c.qty)),
            )
            .where(c.src_in != c.dst_in)
            .group_by(c.item_id)
        )
        rows = self._conn.execute(stmt).all()
        self._s._load_names("item", (r[0] for r in rows))
        found = [
            FlowSum(
                item=self._s._name("item", r[0]),
                shipped=codec.from_qty(int(r[1])),
                stock_seconds=_join_parts(r[2], r[3], r[4]),
            )
            for r in rows
        ]
        return [f for f in found if f.shipped or f.stock_seconds]

    def layers(self, *, item: str | None) -> list[Layer]:
        """See :meth:`AnalyticsSource.layers`: what is left of each inflow once every
        outflow has taken the oldest first."""
        lines = self._lines(item)
        if lines is None:
            return []
        points = self._points(lines)
        p = points.c
        spread = sa.select(
            p.item_id,
            p.is_in,
            p.pos,
            p.end,
            p.in_at,
            sa.func.coalesce(sa.func.max(p.out_total).over(partition_by=_key(points)), 0).label(
                "gone"
            ),
        ).subquery("spread")
        c = spread.c
        left = c.end - sa.case((c.pos > c.gone, c.pos), else_=c.gone)
        day = c.in_at // _DAY
        stmt = (
            sa.select(c.item_id, day.label("day"), sa.func.sum(left))
            .where(c.is_in, c.end > c.gone)
            .group_by(c.item_id, day)
        )
        rows = self._conn.execute(stmt).all()
        self._s._load_names("item", (r[0] for r in rows))
        return [
            Layer(
                item=self._s._name("item", r[0]),
                received_on=_EPOCH_DAY + dt.timedelta(days=int(r[1])),
                quantity=codec.from_qty(int(r[2])),
            )
            for r in rows
        ]

    def _internal_balances(self, item: str | None) -> tuple[sa.Select[Any], bool]:
        b, loc = t.balances, t.locations
        stmt = (
            sa.select(b)
            .join(loc, loc.c.id == b.c.location_id)
            .where(loc.c.kind == _INTERNAL, b.c.qty != 0)
        )
        if item is not None:
            item_id = self._s._lookup("item", item)
            if item_id is None:
                return stmt, False
            stmt = stmt.where(b.c.item_id == item_id)
        return stmt, True

    def expiry_stock(self, *, item: str | None) -> list[ExpiryStock]:
        """See :meth:`AnalyticsSource.expiry_stock`."""
        self._s.flush()
        balances, known = self._internal_balances(item)
        if not known:
            return []
        b, lots = balances.subquery("b"), t.lots
        total = sa.func.sum(b.c.qty)
        stmt = (
            sa.select(b.c.item_id, lots.c.expiry, total)
            .select_from(b)
            .outerjoin(lots, lots.c.id == b.c.lot_id)
            .group_by(b.c.item_id, lots.c.expiry)
            .having(total != 0)
        )
        rows = self._conn.execute(stmt).all()
        self._s._load_names("item", (r[0] for r in rows))
        return [
            ExpiryStock(
                item=self._s._name("item", r[0]),
                expiry=r[1],
                quantity=codec.from_qty(int(r[2])),
            )
            for r in rows
        ]

    def expiring(
        self, *, before: dt.date, today: dt.date, item: str | None, location: str | None
    ) -> list[NearExpiry]:
        """See :meth:`AnalyticsSource.expiring`."""
        self._s.flush()
        balances, known = self._internal_balances(item)
        if not known:
            return []
        if location is not None:
            balances = balances.where(t.balances.c.location_id.in_(self._s._subtree(location)))
        b, lots, r = balances.subquery("b"), t.lots, t.reservations
        key = ["item_id", "lot_id", "serial", "location_id", "status_id", "container_id"]
        held = (
            sa.select(*(r.c[k] for k in key), sa.func.sum(r.c.qty).label("qty"))
            .group_by(*(r.c[k] for k in key))
            .subquery("held")
        )
        stmt = (
            sa.select(
                *(b.c[k] for k in key),
                b.c.qty,
                lots.c.expiry,
                sa.func.coalesce(held.c.qty, 0),
            )
            .select_from(b)
            .join(lots, lots.c.id == b.c.lot_id)
            .outerjoin(held, sa.and_(*(held.c[k] == b.c[k] for k in key)))
            .where(lots.c.expiry.is_not(None), lots.c.expiry <= before)
        )
        rows = self._conn.execute(stmt).all()
        for kind, index in (("item", 0), ("lot", 1), ("location", 3), ("status", 4)):
            self._s._load_names(kind, (row[index] for row in rows))
        self._s._load_names("container", (row[5] for row in rows))
        found = []
        for row in rows:
            sku, lot, serial, path, status, container = self._s._key_of(row)
            assert lot is not None
            expiry: dt.date = row[7]
            found.append(
                NearExpiry(
                    item=sku,
                    lot=lot,
                    serial=serial,
                    expiry=expiry,
                    days_left=(expiry - today).days,
                    location=path,
                    status=status,
                    container=container,
                    quantity=codec.from_qty(int(row[6])),
                    reserved=codec.from_qty(int(row[8])),
                )
            )
        return found

    def nonconformity(self, *, blocking: Collection[str], window: Window) -> list[NonconformitySum]:
        """See :meth:`AnalyticsSource.nonconformity`."""
        lines = self._lines(None)
        assert lines is not None
        key = [lines.c[k] for k in _KEY]
        first = (
            sa.select(
                *key,
                lines.c.counterparty,
                sa.func.row_number()
                .over(partition_by=key, order_by=[lines.c.at, lines.c.tx_id, lines.c.line])
                .label("rank"),
            )
            .where(
                lines.c.src_kind == LocationKind.SUPPLIER.value,
                lines.c.dst_kind == _INTERNAL,
                sa.or_(lines.c.lot_id != 0, lines.c.serial != ""),
            )
            .subquery("first")
        )
        suppliers = (
            sa.select(*_key(first), first.c.counterparty.label("supplier"))
            .where(first.c.rank == 1)
            .subquery("suppliers")
        )
        ids = [i for i in (self._s._lookup("status", name) for name in blocking) if i is not None]
        kind = sa.case(
            (
                sa.and_(
                    lines.c.dst_kind == _INTERNAL,
                    lines.c.dst_status.in_(ids),
                    lines.c.src_status.not_in(ids),
                ),
                NonconformityKind.HOLD.value,
            ),
            (
                sa.and_(
                    lines.c.src_kind == _INTERNAL,
                    lines.c.dst_kind == LocationKind.SUPPLIER.value,
                ),
                NonconformityKind.RETURN.value,
            ),
            (
                sa.and_(
                    lines.c.src_kind == _INTERNAL, lines.c.dst_kind == LocationKind.SCRAP.value
                ),
                NonconformityKind.SCRAP.value,
            ),
            else_=sa.null(),
        )
        events = (
            sa.select(
                suppliers.c.supplier,
                lines.c.item_id,
                kind.label("kind"),
                lines.c.reason,
                lines.c.tx_id,
                lines.c.qty,
            )
            .select_from(lines)
            .outerjoin(suppliers, sa.and_(*_same(suppliers, lines.c)))
            .where(*_in_window(lines.c.at, window))
            .subquery("events")
        )
        e = events.c
        groups = [e.supplier, e.item_id, e.kind, e.reason]
        stmt = (
            sa.select(*groups, sa.func.count(sa.distinct(e.tx_id)), sa.func.sum(e.qty))
            .where(e.kind.is_not(None))
            .group_by(*groups)
        )
        rows = self._conn.execute(stmt).all()
        self._s._load_names("item", (r[1] for r in rows))
        return [
            NonconformitySum(
                supplier=r[0],
                item=self._s._name("item", r[1]),
                kind=NonconformityKind(r[2]),
                reason=r[3],
                events=int(r[4]),
                quantity=codec.from_qty(int(r[5])),
            )
            for r in rows
        ]

    def receipts(self, *, window: Window) -> list[ReceiptCount]:
        """See :meth:`AnalyticsSource.receipts`."""
        lines = self._lines(None, window)
        assert lines is not None
        stmt = (
            sa.select(
                lines.c.counterparty, lines.c.item_id, sa.func.count(sa.distinct(lines.c.tx_id))
            )
            .where(lines.c.src_kind == LocationKind.SUPPLIER.value, lines.c.dst_kind == _INTERNAL)
            .group_by(lines.c.counterparty, lines.c.item_id)
        )
        rows = self._conn.execute(stmt).all()
        self._s._load_names("item", (r[1] for r in rows))
        return [
            ReceiptCount(supplier=r[0], item=self._s._name("item", r[1]), receipts=int(r[2]))
            for r in rows
        ]

    def activity(self, *, window: Window, kinds: Collection[TxKind] | None) -> list[ActivitySum]:
        """See :meth:`AnalyticsSource.activity`."""
        lines = self._lines(None, window)
        assert lines is not None
        where = [] if kinds is None else [lines.c.tx_kind.in_([k.value for k in kinds])]
        start = lines.c.at - lines.c.at % _QUARTER
        sides = sa.union_all(
            sa.select(
                lines.c.dst_loc.label("loc"),
                start.label("start"),
                sa.literal(1).label("inbound"),
                sa.literal(0).label("outbound"),
            ).where(lines.c.dst_kind == _INTERNAL, *where),
            sa.select(lines.c.src_loc, start, sa.literal(0), sa.literal(1)).where(
                lines.c.src_kind == _INTERNAL, *where
            ),
        ).subquery("sides")
        c = sides.c
        stmt = sa.select(c.loc, c.start, sa.func.sum(c.inbound), sa.func.sum(c.outbound)).group_by(
            c.loc, c.start
        )
        rows = self._conn.execute(stmt).all()
        self._s._load_names("location", (r[0] for r in rows))
        return [
            ActivitySum(
                location=self._s._name("location", r[0]),
                start=codec.from_micros(int(r[1])),
                inbound=int(r[2]),
                outbound=int(r[3]),
            )
            for r in rows
        ]


def _key(table: Any) -> list[Any]:
    return [table.c[k] for k in _KEY]


def _same(table: Any, other: Any) -> list[sa.ColumnElement[bool]]:
    """Equal item, lot and serial; ``other`` is a column collection."""
    return [table.c[k] == other[k] for k in _KEY]


def _in_window(column: Any, window: Window) -> list[sa.ColumnElement[bool]]:
    where = []
    if window.since is not None:
        where.append(column >= codec.to_micros(window.since))
    if window.until is not None:
        where.append(column < codec.to_micros(window.until))
    return where
