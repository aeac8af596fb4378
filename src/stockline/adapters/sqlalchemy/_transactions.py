"""Transactions read back, for :class:`SqlSession`: rows of ``sl_transactions`` with their
movements, genealogy edges and container events, decoded into records.

A page of transactions costs one statement per table, however many transactions it holds: a
walk of the whole ledger (``verify()`` reads every transaction this way) reads consecutive
ids, so each table is read by a range of its primary key, with statements written once for
the driver. Names come from the session's cached id → name maps, and the positions,
quantities and times a page repeats are decoded once per page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from stockline.adapters.sqlalchemy import _codec as codec
from stockline.adapters.sqlalchemy import _schema as t
from stockline.ledger import ContainerEvent, Edge, Movement, Position, Transaction, TxKind

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy._session import SqlSession

__all__ = ["after", "where"]

#: Transaction ids per ``IN`` list when the ids asked for are not consecutive.
_CHUNK = 4000
_KINDS = {kind.value: kind for kind in TxKind}


def _columns(table: sa.Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns)


#: A page of the ledger: every column of the transactions after an id, in the table's order.
_PAGE = f"SELECT {_columns(t.transactions)} FROM sl_transactions WHERE id > ? ORDER BY id LIMIT ?"
#: Every column of the rows of ``table`` belonging to a range of transaction ids, in order.
_RANGE = {
    table.name: (
        f"SELECT {_columns(table)} FROM {table.name} "
        f"WHERE tx_id BETWEEN ? AND ? ORDER BY tx_id, {order}"
    )
    for table, order in (
        (t.movements, "line"),
        (t.edges, "seq"),
        (t.container_events, "seq"),
    )
}


def after(s: SqlSession, tx_id: int, limit: int | None) -> list[Transaction]:
    """The transactions after ``tx_id``, in id order, at most ``limit`` of them."""
    if limit is None:
        return where(s, t.transactions.c.id > tx_id)
    if limit <= 0:
        return []
    return _decode(s, s._rows(_PAGE, (tx_id, limit)))


def where(
    s: SqlSession, condition: sa.ColumnElement[bool], limit: int | None = None
) -> list[Transaction]:
    """The transactions meeting ``condition``, in id order, at most ``limit`` of them."""
    stmt = sa.select(t.transactions).where(condition).order_by(t.transactions.c.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return _decode(s, s._select(stmt))


def _children(s: SqlSession, table: sa.Table, order: str, ids: list[int]) -> list[Any]:
    """Every row of ``table`` (all columns, in the table's order) of the transactions ``ids``
    (ascending), ordered by transaction and ``order``."""
    if ids[-1] - ids[0] + 1 == len(ids):
        return s._rows(_RANGE[table.name], (ids[0], ids[-1]))
    rows: list[Any] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows += s._select(
            sa.select(table).where(table.c.tx_id.in_(chunk)).order_by(table.c.tx_id, table.c[order])
        )
    return rows


def _decode(s: SqlSession, rows: Sequence[Any]) -> list[Transaction]:
    """``sl_transactions`` rows (all columns, in the table's order, ascending ids) as
    transactions, with their movements, edges and container events."""
    if not rows:
        return []
    ids = [int(r[0]) for r in rows]
    lines = _movements(s, _children(s, t.movements, "line", ids))
    edges = _edges(s, _children(s, t.edges, "seq", ids))
    events = _events(s, _children(s, t.container_events, "seq", ids))
    from_micros, refs_from_text, digest = codec.from_micros, codec.refs_from_text, codec.digest_text
    # A batch is recorded at one time: each time of the page is decoded once.
    times = {at: from_micros(at) for at in {r[2] for r in rows} | {r[3] for r in rows}}
    return [
        Transaction(
            id=id_,
            kind=_KINDS[kind],
            movements=tuple(lines[id_]) if id_ in lines else (),
            effective_at=times[effective_at],
            recorded_at=times[recorded_at],
            key=key,
            refs=refs_from_text(refs) if refs else (),
            counterparty=counterparty,
            actor=actor,
            reason=reason,
            reverses=reverses,
            edges=tuple(edges[id_]) if id_ in edges else (),
            containers=tuple(events[id_]) if id_ in events else (),
            prev_hash=prev_hash.hex() if type(prev_hash) is bytes else digest(prev_hash),
            hash=hash_.hex() if type(hash_) is bytes else digest(hash_),
        )
        for (
            id_,
            kind,
            effective_at,
            recorded_at,
            key,
            _fingerprint,
            refs,
            counterparty,
            actor,
            reason,
            reverses,
            prev_hash,
            hash_,
        ) in rows
    ]


def _movements(s: SqlSession, rows: Sequence[Any]) -> dict[int, list[Movement]]:
    """``sl_movements`` rows (all columns, in the table's order) as movements, by transaction.

    The names and quantities of the page are decoded first, each distinct one once (a page
    repeats its items and quantities), and the positions once per read or write block (a
    ledger's bins are few beside its movements), so each row is then a few lookups.
    """
    s._load_movement_names(rows)
    name = s._name
    items = {i: name("item", i) for i in {r[2] for r in rows}}
    lots: dict[int, str | None] = {i: name("lot", i)[1] for i in {r[3] for r in rows} if i}
    lots[0] = None
    quantities = {q: codec.from_qty(q) for q in {r[5] for r in rows}}
    positions = s._positions
    for loc, status, container in ({r[6:9] for r in rows} | {r[9:12] for r in rows}).difference(
        positions
    ):
        positions[loc, status, container] = Position(
            location=name("location", loc),
            status=name("status", status),
            container=name("container", container) if container else None,
        )
    lines: defaultdict[int, list[Movement]] = defaultdict(list)
    for tx_id, _, item_id, lot_id, serial, qty, sl, ss, sc, dl, ds, dc, _at in rows:
        lines[tx_id].append(
            Movement(
                item=items[item_id],
                quantity=quantities[qty],
                src=positions[sl, ss, sc],
                dst=positions[dl, ds, dc],
                lot=lots[lot_id],
                serial=serial or None,
            )
        )
    return lines


def _edges(s: SqlSession, rows: Sequence[Any]) -> dict[int, list[Edge]]:
    """``sl_edges`` rows (all columns, in the table's order) as edges, by transaction."""
    if not rows:
        return {}
    s._load_names("item", (i for r in rows for i in (r[3], r[6])))
    s._load_names("lot", (i for r in rows for i in (r[4], r[7])))
    found: defaultdict[int, list[Edge]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(s._traced(row)[2])
    return found


def _events(s: SqlSession, rows: Sequence[Any]) -> dict[int, list[ContainerEvent]]:
    """``sl_container_events`` rows (all columns, in the table's order) as container events,
    by transaction."""
    if not rows:
        return {}
    s._load_names("container", (i for r in rows for i in (r[2], r[3])))
    s._load_names("location", (r[4] for r in rows))
    name = s._name
    found: defaultdict[int, list[ContainerEvent]] = defaultdict(list)
    for tx_id, _seq, container, parent, location in rows:
        found[tx_id].append(
            ContainerEvent(
                container=name("container", container),
                parent=name("container", parent) if parent else None,
                location=name("location", location) if location else None,
            )
        )
    return found
