"""Reservations and allocation candidates in SQL, for :class:`SqlSession`.

Reservation rows are written straight away (not buffered with the ledger rows): they are
few, and the write block is one database transaction either way. Reads that join the balance
projection flush the session's buffered postings first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from stockline.adapters.sqlalchemy import _codec as codec
from stockline.adapters.sqlalchemy import _schema as t
from stockline.ledger import LocationKind, Position, PositionKey, Reservation, to_micros
from stockline.policies import Candidate

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy._session import SqlSession

__all__ = [
    "candidates",
    "consume",
    "release",
    "reservations",
    "reserve",
    "reserved",
]

_CHUNK = 400
_R = t.reservations
_KEY = (
    _R.c.item_id,
    _R.c.lot_id,
    _R.c.serial,
    _R.c.location_id,
    _R.c.status_id,
    _R.c.container_id,
)
_IdKey = tuple[int, int, str, int, int, int]


def _like_escape(path: str) -> str:
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def key_order(key: PositionKey) -> tuple[str, ...]:
    """The canonical order of balance keys (as the in-memory store sorts them)."""
    return (key[0], key[1] or "", key[2] or "", key[3], key[4], key[5] or "")


def _reservation_order(r: Reservation) -> tuple[str, ...]:
    return (r.order, r.line or "", *key_order(r.key))


def _any(s: SqlSession) -> bool:
    # Most postings run where nothing is reserved: one cheap probe per block, not per key.
    if s._has_reservations is None:
        s._has_reservations = s._conn.execute(sa.select(_R.c.qty).limit(1)).first() is not None
    return s._has_reservations


def _idkey(s: SqlSession, key: PositionKey) -> _IdKey:
    found = s._idkey(key)
    assert found is not None, "the caller checked every part of the position exists"
    return found


def reserved(s: SqlSession, keys: Iterable[PositionKey]) -> dict[PositionKey, Decimal]:
    """See :meth:`LedgerReader.reserved`."""
    wanted_keys = list(keys)
    if not wanted_keys or not _any(s):
        return {}
    wanted: dict[_IdKey, PositionKey] = {}
    for key in wanted_keys:
        known = s._idkey(key)
        if known is not None:
            wanted[known] = key
    ids = list(wanted)
    found: dict[PositionKey, Decimal] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        if len(chunk) == 1:
            condition = sa.and_(*(c == v for c, v in zip(_KEY, chunk[0], strict=True)))
        else:
            condition = sa.tuple_(*_KEY).in_(chunk)
        stmt = sa.select(*_KEY, sa.func.sum(_R.c.qty)).where(condition).group_by(*_KEY)
        for row in s._conn.execute(stmt):
            idkey: _IdKey = (row[0], row[1], row[2], row[3], row[4], row[5])
            found[wanted[idkey]] = codec.from_qty(int(row[6]))
    return found


def reservations(
    s: SqlSession, order: str | None = None, *, item: str | None = None
) -> list[Reservation]:
    """See :meth:`LedgerReader.reservations`."""
    stmt = sa.select(_R)
    if order is not None:
        stmt = stmt.where(_R.c.order_ref == order)
    if item is not None:
        item_id = s._lookup("item", item)
        if item_id is None:
            return []
        stmt = stmt.where(_R.c.item_id == item_id)
    rows = s._conn.execute(stmt).all()
    for kind, column in (
        ("item", "item_id"),
        ("lot", "lot_id"),
        ("location", "location_id"),
        ("status", "status_id"),
        ("container", "container_id"),
    ):
        s._load_names(kind, (getattr(r, column) for r in rows))
    found = []
    for row in rows:
        key = s._key_of(
            (row.item_id, row.lot_id, row.serial, row.location_id, row.status_id, row.container_id)
        )
        found.append(
            Reservation(
                order=row.order_ref,
                line=row.line_ref or None,
                item=key[0],
                lot=key[1],
                serial=key[2],
                position=Position(location=key[3], status=key[4], container=key[5]),
                quantity=codec.from_qty(int(row.qty)),
                created_at=codec.from_micros(int(row.created_at)),
                actor=row.actor,
            )
        )
    return sorted(found, key=_reservation_order)


def _where(s: SqlSession, r: Reservation) -> list[sa.ColumnElement[bool]]:
    idkey = _idkey(s, r.key)
    return [
        _R.c.order_ref == r.order,
        _R.c.line_ref == (r.line or ""),
        *(c == v for c, v in zip(_KEY, idkey, strict=True)),
    ]


def reserve(s: SqlSession, r: Reservation) -> None:
    """See :meth:`LedgerWriter.reserve`."""
    item_id, lot_id, serial, location_id, status_id, container_id = _idkey(s, r.key)
    insert = s._insert(_R).values(
        order_ref=r.order,
        line_ref=r.line or "",
        item_id=item_id,
        lot_id=lot_id,
        serial=serial,
        location_id=location_id,
        status_id=status_id,
        container_id=container_id,
        qty=codec.to_qty(r.quantity),
        created_at=to_micros(r.created_at),
        actor=r.actor,
    )
    s._conn.execute(
        insert.on_conflict_do_update(
            index_elements=[_R.c.order_ref, _R.c.line_ref, *_KEY],
            set_={"qty": _R.c.qty + insert.excluded.qty},
        )
    )
    s._has_reservations = True


def consume(s: SqlSession, r: Reservation) -> None:
    """See :meth:`LedgerWriter.consume`."""
    where = _where(s, r)
    s._conn.execute(sa.update(_R).where(*where).values(qty=_R.c.qty - codec.to_qty(r.quantity)))
    s._conn.execute(sa.delete(_R).where(*where, _R.c.qty <= 0))


def release(s: SqlSession, order: str, line: str | None = None) -> list[Reservation]:
    """See :meth:`LedgerWriter.release_reservations`."""
    gone = [r for r in reservations(s, order) if line is None or r.line == line]
    if gone:
        stmt = sa.delete(_R).where(_R.c.order_ref == order)
        if line is not None:
            stmt = stmt.where(_R.c.line_ref == line)
        s._conn.execute(stmt)
    return gone


def candidates(
    s: SqlSession,
    item: str,
    *,
    statuses: Collection[str],
    lot: str | None = None,
    location: str | None = None,
) -> list[Candidate]:
    """See :meth:`LedgerReader.candidates`: one query for the positions (net of
    reservations) and one for when their stock was first received."""
    s.flush()
    item_id = s._lookup("item", item)
    status_ids = [i for i in (s._lookup("status", name) for name in statuses) if i is not None]
    if item_id is None or not status_ids:
        return []
    lot_id: int | None = None
    if lot is not None:
        lot_id = s._lookup("lot", (item, lot))
        if lot_id is None:
            return []
    b, loc, lots = t.balances, t.locations, t.lots
    held = (
        sa.select(*_KEY, sa.func.sum(_R.c.qty).label("qty"))
        .where(_R.c.item_id == item_id)
        .group_by(*_KEY)
        .subquery()
    )
    reserved = sa.func.coalesce(held.c.qty, 0)
    filters: list[Any] = [
        b.c.item_id == item_id,
        b.c.status_id.in_(status_ids),
        loc.c.kind == LocationKind.INTERNAL.value,
        b.c.qty > 0,
    ]
    if lot_id is not None:
        filters.append(b.c.lot_id == lot_id)
    if location is not None:
        filters.append(
            (loc.c.path == location) | loc.c.path.like(_like_escape(location) + "/%", escape="\\")
        )
    stmt = (
        sa.select(
            b.c.lot_id,
            b.c.serial,
            b.c.location_id,
            b.c.status_id,
            b.c.container_id,
            b.c.qty.label("on_hand"),
            reserved.label("reserved"),
            loc.c.path,
            loc.c.pick_sequence,
            lots.c.expiry,
        )
        .join(loc, loc.c.id == b.c.location_id)
        .outerjoin(lots, lots.c.id == b.c.lot_id)
        .outerjoin(
            held,
            sa.and_(
                held.c.item_id == b.c.item_id,
                held.c.lot_id == b.c.lot_id,
                held.c.serial == b.c.serial,
                held.c.location_id == b.c.location_id,
                held.c.status_id == b.c.status_id,
                held.c.container_id == b.c.container_id,
            ),
        )
        .where(*filters)
    )
    rows = s._conn.execute(stmt).all()
    if not rows:
        return []
    first, arrived = _first_receipts(s, item_id, lot_id)
    for kind, column in (("lot", "lot_id"), ("status", "status_id"), ("container", "container_id")):
        s._load_names(kind, (getattr(r, column) for r in rows))
    found: list[tuple[PositionKey, Candidate]] = []
    for r in rows:
        lot_code = s._name("lot", r.lot_id)[1] if r.lot_id else None
        container = s._name("container", r.container_id) if r.container_id else None
        status = s._name("status", r.status_id)
        tracked = r.lot_id != 0 or r.serial != ""
        received = (
            first[(r.lot_id, r.serial)]
            if tracked
            else arrived[(r.location_id, r.status_id, r.container_id)]
        )
        key: PositionKey = (item, lot_code, r.serial or None, r.path, status, container)
        found.append(
            (
                key,
                Candidate(
                    item=item,
                    lot=lot_code,
                    expiry=r.expiry,
                    first_received_at=codec.from_micros(received),
                    location=r.path,
                    pick_sequence=int(r.pick_sequence),
                    container=container,
                    status=status,
                    available=codec.from_qty(max(int(r.on_hand) - int(r.reserved), 0)),
                    reserved=codec.from_qty(min(int(r.reserved), int(r.on_hand))),
                    attributes={"serial": r.serial} if r.serial else {},
                ),
            )
        )
    found.sort(key=lambda pair: key_order(pair[0]))
    return [c for _, c in found]


def _first_receipts(
    s: SqlSession, item_id: int, lot_id: int | None
) -> tuple[dict[tuple[int, str], int], dict[tuple[int, int, int], int]]:
    m, loc = t.movements, t.locations
    stmt = (
        sa.select(
            m.c.lot_id,
            m.c.serial,
            m.c.dst_loc,
            m.c.dst_status,
            m.c.dst_container,
            sa.func.min(m.c.effective_at),
        )
        .join(loc, loc.c.id == m.c.dst_loc)
        .where(m.c.item_id == item_id, loc.c.kind == LocationKind.INTERNAL.value)
        .group_by(m.c.lot_id, m.c.serial, m.c.dst_loc, m.c.dst_status, m.c.dst_container)
    )
    if lot_id is not None:
        stmt = stmt.where(m.c.lot_id == lot_id)
    first: dict[tuple[int, str], int] = {}
    arrived: dict[tuple[int, int, int], int] = {}
    for lot, serial, loc_id, status_id, container_id, earliest in s._conn.execute(stmt):
        at = int(earliest)
        if lot == 0 and serial == "":
            arrived[(loc_id, status_id, container_id)] = at
        elif (lot, serial) not in first or at < first[(lot, serial)]:
            first[(lot, serial)] = at
    return first, arrived
