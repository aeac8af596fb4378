"""Genealogy reads in SQL, for :class:`SqlSession`: the movements and balances of a set of
lots or serials, and what each customer received of them, grouped in the database."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Collection, Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from stockline.adapters.sqlalchemy import _codec as codec
from stockline.adapters.sqlalchemy import _schema as t
from stockline.ledger import (
    Balance,
    CustomerExposure,
    LedgerLine,
    LocationKind,
    NodeKey,
    NodeSet,
    Position,
    Reference,
    TracedEdge,
    TxKind,
)

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy._session import SqlSession

__all__ = ["balances_of", "edges", "exposures", "movements_of"]

_CHUNK = 4000
#: Start nodes per recursive query.
_SEEDS = 400
#: Node sets up to this size are read with statements written once per shape (how many lots
#: of how many items), sent as they are; larger ones are built and compiled per call, where
#: the compilation is small beside the rows read.
_FEW = 1000
#: A small node set's condition: lots per item (items in id order), serials, whole items.
_Shape = tuple[tuple[int, ...], int, int]
#: Every sl_movements column, in the table's order, then the transaction's columns a ledger
#: line needs: the row layout movements_of() decodes.
_LINE_COLUMNS = (
    "m.tx_id, m.line, m.item_id, m.lot_id, m.serial, m.qty, m.src_loc, m.src_status, "
    "m.src_container, m.dst_loc, m.dst_status, m.dst_container, m.effective_at, "
    "x.kind, x.counterparty, x.refs, x.reverses"
)
#: '' as a literal in the SQL: a condition "serial <> ''" beside "serial = ?" lets the
#: partial index of serials serve, which a bound '' would not.
_NO_SERIAL: sa.ColumnElement[str] = sa.literal_column("''")
_SIDES = (
    ("dst_loc", "dst_status", "dst_container", 1),
    ("src_loc", "src_status", "src_container", -1),
)


def kind_ids(kinds: Collection[LocationKind]) -> sa.Select[Any]:
    """The ids of the locations of these kinds, as a subquery."""
    return sa.select(t.locations.c.id).where(t.locations.c.kind.in_([k.value for k in kinds]))


def edges(
    s: SqlSession, start: Iterable[NodeKey], *, downstream: bool, until: dt.datetime | None = None
) -> list[TracedEdge]:
    """See :meth:`~stockline.adapters.LedgerReader.edges`: a recursive CTE over ``sl_edges``
    from the start nodes (in chunks of seeds), every edge reached read once."""
    start = list(start)
    if downstream and s._leaves(start):
        return []
    s.flush()
    nodes = _start_nodes(s, start)
    if not nodes:
        return []
    e = t.edges
    near = (
        (e.c.p_item, e.c.p_lot, e.c.p_serial)
        if downstream
        else (e.c.c_item, e.c.c_lot, e.c.c_serial)
    )
    far = (
        (e.c.c_item, e.c.c_lot, e.c.c_serial)
        if downstream
        else (e.c.p_item, e.c.p_lot, e.c.p_serial)
    )
    when = [] if until is None else [e.c.effective_at <= codec.to_micros(until)]
    found: list[Any] = []
    for begin in range(0, len(nodes), _SEEDS):
        chunk = nodes[begin : begin + _SEEDS]
        rows = [
            sa.select(
                sa.literal(i, sa.Integer).label("item"),
                sa.literal(lot, sa.Integer).label("lot"),
                sa.literal(serial, sa.String).label("serial"),
            )
            for i, lot, serial in chunk
        ]
        # A recursive CTE must start from a plain SELECT, so several seeds are wrapped.
        if len(rows) == 1:
            seeds = rows[0]
        else:
            union = sa.union_all(*rows).subquery("seeds")
            seeds = sa.select(union.c.item, union.c.lot, union.c.serial)
        reach = seeds.cte("reach", recursive=True)
        r = reach.alias("r")
        step = (
            sa.select(far[0], far[1], far[2])
            .join(
                r,
                (near[0] == r.c.item)
                & (near[1] == r.c.lot)
                & ((r.c.serial == "") | (near[2] == r.c.serial)),
            )
            .where(*when)
        )
        reach = reach.union(step)
        stmt = (
            sa.select(e)
            .join(
                reach,
                (near[0] == reach.c.item)
                & (near[1] == reach.c.lot)
                & ((reach.c.serial == "") | (near[2] == reach.c.serial)),
            )
            .where(*when)
            .distinct()
        )
        found.extend(s._select(stmt))
    # Rows hold every sl_edges column in order: parent item and lot at 3 and 4, child's at 6, 7.
    s._load_names("item", {row[3] for row in found} | {row[6] for row in found})
    s._load_names("lot", {row[4] for row in found} | {row[7] for row in found})
    unique = {(row[0], row[1]): row for row in found}
    return [s._traced(unique[k]) for k in sorted(unique)]


def _start_nodes(s: SqlSession, nodes: Iterable[NodeKey]) -> list[tuple[int, int, str]]:
    """Resolve "any lot" to the lots the item (or serial) actually moved in."""
    mv = t.movements
    start: set[tuple[int, int, str]] = set()
    for item_id, lot_id, serial in s._node_ids(nodes):
        if lot_id is not None:
            start.add((item_id, lot_id, serial))
            continue
        stmt = sa.select(mv.c.lot_id).where(mv.c.item_id == item_id)
        if serial:
            # A serial's few lines by the serial index (DISTINCT would make SQLite prefer
            # the item's index, every movement of the item); the set drops repeats.
            stmt = stmt.where(mv.c.serial == serial, mv.c.serial != _NO_SERIAL)
        else:
            stmt = stmt.distinct()
        start.update((item_id, int(lot), serial) for lot in s._conn.execute(stmt).scalars())
    return sorted(start)


def node_filter(
    s: SqlSession, nodes: Iterable[NodeKey], table: sa.Table
) -> sa.ColumnElement[bool] | None:
    """A condition on ``table``'s item_id, lot_id and serial columns matching ``nodes`` (a
    superset for serials of a named lot: callers keep exact members with a ``NodeSet``).

    Lots are matched as ``item_id IN (...) AND lot_id IN (...)``: both lead the movement index
    and the balance key, so each lot is found by index however long the ledger (a bare
    ``lot_id IN`` would scan). A lot id belongs to one item, so the pair is exact.
    """
    lots: dict[int, set[int]] = {}
    serials: list[tuple[int, str]] = []
    untracked: list[int] = []
    for item_id, lot_id, serial in s._node_ids(nodes):
        if serial:
            serials.append((item_id, serial))
        elif lot_id is not None:
            lots.setdefault(item_id, set()).add(lot_id)
        else:
            untracked.append(item_id)
    parts: list[sa.ColumnElement[bool]] = []
    for item_id, ids in sorted(lots.items()):
        ordered = sorted(ids)
        for begin in range(0, len(ordered), _CHUNK):
            parts.append(
                (table.c.item_id == item_id) & table.c.lot_id.in_(ordered[begin : begin + _CHUNK])
            )
    for begin in range(0, len(serials), _CHUNK):
        pairs = serials[begin : begin + _CHUNK]
        parts.append(sa.tuple_(table.c.item_id, table.c.serial).in_(pairs))
    if untracked:
        parts.append(table.c.item_id.in_(untracked))
    return sa.or_(*parts) if parts else None


def movements_of(
    s: SqlSession,
    nodes: Iterable[NodeKey],
    *,
    into: Collection[LocationKind] = (),
    out_of: Collection[LocationKind] = (),
    until: dt.datetime | None = None,
) -> list[LedgerLine]:
    """See :meth:`~stockline.adapters.LedgerReader.movements_of`."""
    s.flush()
    wanted = list(nodes)
    if not (into or out_of):
        return []
    few = _few_nodes(s, wanted)
    if few is not None:
        shape, params = few
        if shape is None:
            return []
        sides = [k.value for k in into] + [k.value for k in out_of]
        moment = [] if until is None else [codec.to_micros(until)]
        sql = _movements_sql(shape, len(into), len(out_of), until is not None)
        rows = s._rows(sql, [*params, *sides, *moment])
    else:
        rows = _movement_rows(s, wanted, into, out_of, until)
    s._load_movement_names(rows)
    s._load_locations({r[6] for r in rows} | {r[9] for r in rows})
    refs: dict[str | None, tuple[Reference, ...]] = {}
    kinds = {kind.value: kind for kind in TxKind}
    positions: dict[tuple[int, int, int], Position] = {}
    found = []
    for r in rows:
        # Every sl_movements column (tx_id first, effective_at last), then the transaction's.
        kind, counterparty, text, reverses = r[13:17]
        if text not in refs:
            refs[text] = codec.refs_from_text(text)
        found.append(
            LedgerLine(
                transaction_id=int(r[0]),
                kind=kinds[kind],
                effective_at=codec.from_micros(r[12]),
                counterparty=counterparty,
                refs=refs[text],
                reverses=reverses,
                movement=s._movement(r, positions),
            )
        )
    return found


def _movement_rows(
    s: SqlSession,
    wanted: list[NodeKey],
    into: Collection[LocationKind],
    out_of: Collection[LocationKind],
    until: dt.datetime | None,
) -> list[Any]:
    condition = node_filter(s, wanted, t.movements)
    if condition is None:
        return []
    mv = t.movements
    sides = []
    if into:
        sides.append(mv.c.dst_loc.in_(kind_ids(into)))
    if out_of:
        sides.append(mv.c.src_loc.in_(kind_ids(out_of)))
    where = [condition, sa.or_(*sides)]
    if until is not None:
        where.append(mv.c.effective_at <= codec.to_micros(until))
    tx = t.transactions
    stmt = (
        sa.select(mv, tx.c.kind, tx.c.counterparty, tx.c.refs, tx.c.reverses)
        .join(tx, tx.c.id == mv.c.tx_id)
        .where(*where)
        .order_by(mv.c.tx_id, mv.c.line)
    )
    return s._select(stmt)


def _few_nodes(s: SqlSession, nodes: Iterable[NodeKey]) -> tuple[_Shape | None, list[Any]] | None:
    """A small node set as the shape of its condition (lots per item, serials, whole items)
    and the condition's parameters in order; ``None`` for a large set. An empty shape
    matches nothing."""
    ids = s._node_ids(nodes)
    if len(ids) > _FEW:
        return None
    lots: dict[int, set[int]] = {}
    serials: list[tuple[int, str]] = []
    untracked: list[int] = []
    for item_id, lot_id, serial in ids:
        if serial:
            serials.append((item_id, serial))
        elif lot_id is not None:
            lots.setdefault(item_id, set()).add(lot_id)
        else:
            untracked.append(item_id)
    params: list[Any] = []
    counts = []
    for item_id, found in sorted(lots.items()):
        counts.append(len(found))
        params.append(item_id)
        params.extend(sorted(found))
    for item_id, serial in serials:
        params.extend((item_id, serial))
    params.extend(untracked)
    if not params:
        return None, []
    return (tuple(counts), len(serials), len(untracked)), params


@functools.lru_cache(maxsize=256)
def _node_sql(shape: _Shape, alias: str) -> str:
    """:func:`node_filter` as SQL text with ``?`` placeholders, for one shape of node set."""
    lots, serials, untracked = shape
    parts = [f"({alias}.item_id = ? AND {alias}.lot_id IN ({_marks(count)}))" for count in lots]
    # "<> ''" lets the partial index of serials (item, serial) serve: a serial is never ''.
    parts += [f"({alias}.item_id = ? AND {alias}.serial = ? AND {alias}.serial <> '')"] * serials
    if untracked:
        parts.append(f"{alias}.item_id IN ({_marks(untracked)})")
    return "(" + " OR ".join(parts) + ")"


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _kind_of(column: str, count: int) -> str:
    """Whether the location in ``column`` is of one of ``count`` kinds: one look-up by key
    per row, since a lot's rows are few and ``IN (SELECT ...)`` would read every location."""
    return f"(SELECT kind FROM sl_locations WHERE id = {column}) IN ({_marks(count)})"


@functools.lru_cache(maxsize=256)
def _movements_sql(shape: _Shape, into: int, out_of: int, until: bool) -> str:
    """movements_of() for a small node set: the nodes' parameters, then the kinds ``into``
    and ``out_of``, then the time ``until`` if given."""
    sides = []
    if into:
        sides.append(_kind_of("m.dst_loc", into))
    if out_of:
        sides.append(_kind_of("m.src_loc", out_of))
    sql = (
        f"SELECT {_LINE_COLUMNS} FROM sl_movements m JOIN sl_transactions x ON x.id = m.tx_id "
        f"WHERE {_node_sql(shape, 'm')} AND ({' OR '.join(sides)})"
    )
    if until:
        sql += " AND m.effective_at <= ?"
    return sql + " ORDER BY m.tx_id, m.line"


@functools.lru_cache(maxsize=256)
def _balances_sql(shape: _Shape, kinds: int | None) -> str:
    """balances_of() (current) for a small node set: the nodes' parameters, then the kinds."""
    sql = (
        "SELECT b.item_id, b.lot_id, b.serial, b.location_id, b.status_id, b.container_id, "
        f"b.qty FROM sl_balances b WHERE b.qty <> 0 AND {_node_sql(shape, 'b')}"
    )
    if kinds is not None:
        sql += " AND " + _kind_of("b.location_id", kinds)
    return sql


def balances_of(
    s: SqlSession,
    nodes: Iterable[NodeKey],
    *,
    as_of: dt.datetime | None = None,
    kinds: Collection[LocationKind] | None = None,
) -> list[Balance]:
    """See :meth:`~stockline.adapters.LedgerReader.balances_of`."""
    from stockline.adapters.sqlalchemy._session import _BALANCE_KEY, _side

    s.flush()
    wanted = list(nodes)
    few = None if as_of is not None else _few_nodes(s, wanted)
    if few is not None:
        shape, params = few
        if shape is None:
            return []
        values = [k.value for k in kinds] if kinds is not None else []
        sql = _balances_sql(shape, None if kinds is None else len(values))
        rows = s._rows(sql, [*params, *values])
    elif as_of is None:
        b = t.balances
        condition = node_filter(s, wanted, b)
        if condition is None:
            return []
        where = [b.c.qty != 0, condition]
        if kinds is not None:
            where.append(b.c.location_id.in_(kind_ids(kinds)))
        rows = s._select(sa.select(*_BALANCE_KEY, b.c.qty).where(*where))
    else:
        mv = t.movements
        condition = node_filter(s, wanted, mv)
        if condition is None:
            return []
        selects = []
        for loc, status, container, sign in _SIDES:
            where = [condition, mv.c.effective_at <= codec.to_micros(as_of)]
            if kinds is not None:
                where.append(mv.c[loc].in_(kind_ids(kinds)))
            selects.append(_side(loc, status, container, sign).where(*where))
        grouped = s._grouped(sa.union_all(*selects).subquery("sides")).subquery()
        rows = s._select(sa.select(grouped).where(grouped.c.qty != 0))
    members = NodeSet(wanted)
    found = s._balances_from(rows)  # learns the names of the ids in rows
    s._load_locations({r[3] for r in rows})
    return [b for b in found if (b.item, b.lot, b.serial) in members]


def exposures(
    s: SqlSession,
    nodes: Iterable[NodeKey],
    *,
    until: dt.datetime | None = None,
    through: int | None = None,
) -> list[CustomerExposure]:
    """See :meth:`~stockline.adapters.LedgerReader.exposures`: one ``GROUP BY`` over the
    shipments of the nodes, so the rows read are the summaries, not the shipment lines."""
    s.flush()
    wanted = list(nodes)
    few = _few_nodes(s, wanted)
    if few is not None:
        shape, params = few
        if shape is None:
            return []
        bounds = [codec.to_micros(until)] if until is not None else []
        bounds += [through] if through is not None else []
        sql = _exposures_sql(shape, until is not None, through is not None, s._conn.dialect.name)
        rows = s._rows(
            sql, [*params, LocationKind.CUSTOMER.value, TxKind.REVERSAL.value, *bounds, *bounds]
        )
    else:
        rows = _exposure_rows(s, wanted, until, through)
    s._load_names("item", {r[1] for r in rows})
    s._load_names("lot", {r[2] for r in rows})
    members = NodeSet(wanted)
    # The condition is exact for whole items and lots; only serials named within a lot need
    # the exact check (node_filter reads a superset for them).
    exact = not any(serial for _, _, serial in wanted)
    items: dict[int, str] = {}
    lots: dict[int, str | None] = {0: None}
    found: list[tuple[tuple[str, str, str, str], CustomerExposure]] = []
    from_micros, from_qty, name = codec.from_micros, codec.from_qty, s._name
    for customer_, item_id, lot_id, serial, qty, first_at, last_at, texts in rows:
        item = items.get(item_id)
        if item is None:
            item = items[item_id] = name("item", item_id)
        if lot_id in lots:
            lot = lots[lot_id]
        else:
            lot = lots[lot_id] = name("lot", lot_id)[1]
        if not exact and (item, lot, serial or None) not in members:
            continue
        first = from_micros(first_at)
        # Ids and names correspond one to one, so each group is one row and one key.
        found.append(
            (
                (customer_, item, lot or "", serial),
                CustomerExposure(
                    customer=customer_,
                    item=item,
                    lot=lot,
                    serial=serial or None,
                    quantity=from_qty(int(qty)),
                    first_shipped=first,
                    # One shipment (the usual group) has one time: made once.
                    last_shipped=first if last_at == first_at else from_micros(last_at),
                    documents=_documents(texts),
                ),
            )
        )
    found.sort(key=itemgetter(0))
    return [exposure for _, exposure in found]


def _exposure_rows(
    s: SqlSession,
    wanted: list[NodeKey],
    until: dt.datetime | None,
    through: int | None,
) -> list[Any]:
    mv, tx, loc = t.movements, t.transactions, t.locations
    condition = node_filter(s, wanted, mv)
    if condition is None:
        return []
    undo = tx.alias("undo")
    undone = [undo.c.reverses == mv.c.tx_id]
    where = [
        condition,
        loc.c.kind == LocationKind.CUSTOMER.value,
        tx.c.kind != TxKind.REVERSAL.value,
    ]
    if until is not None:
        where.append(mv.c.effective_at <= codec.to_micros(until))
        undone.append(undo.c.effective_at <= codec.to_micros(until))
    if through is not None:
        where.append(mv.c.tx_id <= through)
        undone.append(undo.c.id <= through)
    where.append(~sa.exists().where(*undone))
    customer = sa.func.coalesce(tx.c.counterparty, loc.c.path).label("customer")
    if s._conn.dialect.name == "sqlite":
        documents = sa.func.group_concat(sa.distinct(tx.c.refs))
    else:
        documents = sa.func.string_agg(sa.distinct(tx.c.refs), sa.literal_column("','"))
    keys = (customer, mv.c.item_id, mv.c.lot_id, mv.c.serial)
    stmt = (
        sa.select(
            *keys,
            sa.func.sum(mv.c.qty).label("qty"),
            sa.func.min(mv.c.effective_at).label("first_at"),
            sa.func.max(mv.c.effective_at).label("last_at"),
            documents.label("documents"),
        )
        .select_from(mv.join(tx, tx.c.id == mv.c.tx_id).join(loc, loc.c.id == mv.c.dst_loc))
        .where(*where)
        .group_by(*keys)
    )
    return s._select(stmt)


@functools.lru_cache(maxsize=256)
def _exposures_sql(shape: _Shape, until: bool, through: bool, dialect: str) -> str:
    """exposures() for a small node set: the nodes' parameters, the customer kind, the
    reversal kind, then ``until`` and ``through`` if given, twice (shipments, reversals)."""
    documents = (
        "group_concat(DISTINCT x.refs)"
        if dialect == "sqlite"
        else "string_agg(DISTINCT x.refs, ',')"
    )
    customer = "COALESCE(x.counterparty, l.path)"
    bounds = (" AND {0}.effective_at <= ?" if until else "") + (
        " AND {0}.{1} <= ?" if through else ""
    )
    return (
        f"SELECT {customer}, m.item_id, m.lot_id, m.serial, SUM(m.qty), MIN(m.effective_at), "
        f"MAX(m.effective_at), {documents} FROM sl_movements m "
        "JOIN sl_transactions x ON x.id = m.tx_id JOIN sl_locations l ON l.id = m.dst_loc "
        f"WHERE {_node_sql(shape, 'm')} AND l.kind = ? AND x.kind <> ?"
        + bounds.format("m", "tx_id")
        + " AND NOT EXISTS (SELECT 1 FROM sl_transactions u WHERE u.reverses = m.tx_id"
        + bounds.format("u", "id")
        + f") GROUP BY {customer}, m.item_id, m.lot_id, m.serial"
    )


def _documents(text: str | None) -> tuple[str, ...]:
    """The distinct references in an aggregated ``refs`` text (JSON arrays joined by commas)."""
    if not text:
        return ()
    one = codec.one_reference(text)  # one shipment's one reference, the usual group
    if one is not None:
        return (f"{one[0]}:{one[1]}",)
    refs = json.loads(f"[{text}]")
    if len(refs) == 1 and len(refs[0]) == 1:
        ((kind, number),) = refs[0]
        return (f"{kind}:{number}",)
    return tuple(sorted({f"{kind}:{number}" for group in refs for kind, number in group}))
