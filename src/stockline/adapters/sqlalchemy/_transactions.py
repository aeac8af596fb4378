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
from stockline.ledger import (
    ContainerEvent,
    Edge,
    Movement,
    Position,
    Transaction,
    TxKind,
    edge_text,
    event_text,
    link_hash,
    movement_text,
    position_text,
    utc_text,
)

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy._session import SqlSession

__all__ = ["after", "links", "where"]

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


def links(s: SqlSession, tx_id: int, limit: int) -> list[tuple[int, str, str, str]]:
    """The chain after ``tx_id``, at most ``limit`` transactions: each one's id, its stored
    ``prev_hash`` and ``hash``, and the hash its stored content gives.

    The content goes from the rows to its canonical text without becoming records: each
    distinct name, position, quantity and time of the page is written as text once. Links
    and container events (rare) are read as records first.
    """
    if limit <= 0:
        return []
    rows = s._rows(_PAGE, (tx_id, limit))
    if not rows:
        return []
    ids = [int(r[0]) for r in rows]
    lines = _movement_texts(s, _children(s, t.movements, "line", ids))
    edges = _edges(s, _children(s, t.edges, "seq", ids))
    events = _events(s, _children(s, t.container_events, "seq", ids))
    digest, from_micros = codec.digest_text, codec.from_micros
    times = {at: utc_text(from_micros(at)) for at in {r[2] for r in rows} | {r[3] for r in rows}}
    found = []
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
    ) in rows:
        prev = prev_hash.hex() if type(prev_hash) is bytes else digest(prev_hash)
        computed = link_hash(
            tx_id=id_,
            prev_hash=prev,
            kind=kind,
            effective_at=times[effective_at],
            recorded_at=times[recorded_at],
            key=key,
            refs=_documents(refs) if refs else (),
            counterparty=counterparty,
            actor=actor,
            reason=reason,
            reverses=reverses,
            movements=lines.get(id_, ()),
            edges=[edge_text(e) for e in edges[id_]] if id_ in edges else (),
            containers=[event_text(c) for c in events[id_]] if id_ in events else (),
        )
        found.append((id_, prev, hash_.hex() if type(hash_) is bytes else digest(hash_), computed))
    return found


def _documents(text: str) -> list[tuple[str, str]]:
    """The type and number of each reference of the stored text."""
    one = codec.one_reference(text)
    if one is not None:
        return [one]
    return [(r.type, r.number) for r in codec.refs_from_text(text)]


def _page_names(s: SqlSession, rows: Sequence[Any]) -> tuple[dict[int, str], dict[int, str | None]]:
    """The SKUs and lot codes of a page of ``sl_movements`` rows, by id, each read once."""
    s._load_movement_names(rows)
    name = s._name
    items = {i: name("item", i) for i in {r[2] for r in rows}}
    lots: dict[int, str | None] = {i: name("lot", i)[1] for i in {r[3] for r in rows} if i}
    lots[0] = None
    return items, lots


def _movement_texts(s: SqlSession, rows: Sequence[Any]) -> dict[int, list[str]]:
    """``sl_movements`` rows (all columns, in the table's order) as canonical texts, by
    transaction (see :func:`movement_text`)."""
    items, lots = _page_names(s, rows)
    name = s._name
    quantities = {q: str(codec.from_qty(q)) for q in {r[5] for r in rows}}
    positions = s._position_texts
    for loc, status, container in ({r[6:9] for r in rows} | {r[9:12] for r in rows}).difference(
        positions
    ):
        positions[loc, status, container] = position_text(
            name("location", loc),
            name("status", status),
            name("container", container) if container else None,
        )
    lines: defaultdict[int, list[str]] = defaultdict(list)
    for tx_id, _, item_id, lot_id, serial, qty, sl, ss, sc, dl, ds, dc, _at in rows:
        lines[tx_id].append(
            movement_text(
                items[item_id],
                lots[lot_id],
                serial or None,
                quantities[qty],
                positions[sl, ss, sc],
                positions[dl, ds, dc],
            )
        )
    return lines


def _movements(s: SqlSession, rows: Sequence[Any]) -> dict[int, list[Movement]]:
    """``sl_movements`` rows (all columns, in the table's order) as movements, by transaction.

    The names and quantities of the page are decoded first, each distinct one once (a page
    repeats its items and quantities), and the positions once per read or write block (a
    ledger's bins are few beside its movements), so each row is then a few lookups.
    """
    items, lots = _page_names(s, rows)
    name = s._name
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
