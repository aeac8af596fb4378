"""One read view or write block over a SQL connection.

Writes are buffered: a transaction's rows and balance changes are kept in memory and sent with
``executemany`` when the block commits (or before a query that must see them), so posting many
transactions in one block costs a handful of statements, not a handful per movement. Writers
are serialised (``BEGIN IMMEDIATE`` on SQLite, a row lock on ``sl_head`` elsewhere), which is
what makes the buffered balances authoritative.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from stockline.adapters.sqlalchemy import _checkpoints as checkpoints
from stockline.adapters.sqlalchemy import _codec as codec
from stockline.adapters.sqlalchemy import _documents as documents
from stockline.adapters.sqlalchemy import _reservations as reserving
from stockline.adapters.sqlalchemy import _schema as t
from stockline.adapters.sqlalchemy import _trace as tracing
from stockline.adapters.sqlalchemy import _transactions as reading
from stockline.adapters.sqlalchemy._codec import to_qty
from stockline.adapters.sqlalchemy._ids import IdMap, Ids
from stockline.ledger import (
    Balance,
    BalanceQuery,
    Container,
    ContainerEvent,
    CustomerExposure,
    Document,
    Edge,
    EdgeKind,
    HistoryQuery,
    Item,
    LedgerLine,
    Location,
    LocationKind,
    Lot,
    MasterChange,
    MasterRecord,
    Movement,
    NodeKey,
    Party,
    Position,
    PositionKey,
    Reservation,
    Status,
    TracedEdge,
    Transaction,
    item_gtins,
    to_micros,
)
from stockline.policies import Candidate

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy._analytics import SqlAnalytics
    from stockline.adapters.sqlalchemy._store import SqlAlchemyStockStore

__all__ = ["SqlSession"]

_IdKey = tuple[int, int, str, int, int, int]
_MISSING = object()
_CHUNK = 400
_SIDES = (
    ("dst_loc", "dst_status", "dst_container", 1),
    ("src_loc", "src_status", "src_container", -1),
)


def listened(conn: sa.Connection) -> bool:
    """Whether a statement listener (logging, tracing, counting) sees ``conn``'s statements:
    if not, SQLite's hot statements may go straight to the driver."""
    return bool(conn.dispatch.before_cursor_execute or conn.dispatch.after_cursor_execute)


def _side(loc: str, status: str, container: str, sign: int) -> sa.Select[Any]:
    """One side of every movement as a signed balance row (destination +, source -)."""
    mv = t.movements
    return sa.select(
        mv.c.item_id,
        mv.c.lot_id,
        mv.c.serial,
        mv.c[loc].label("location_id"),
        mv.c[status].label("status_id"),
        mv.c[container].label("container_id"),
        (mv.c.qty * sign).label("qty"),
        mv.c.effective_at,
    )


class SqlSession:
    """A :class:`~stockline.adapters.LedgerWriter` (or reader) over one connection."""

    def __init__(self, store: SqlAlchemyStockStore, conn: sa.Connection, *, writing: bool) -> None:
        self._store = store
        self._conn = conn
        self._writing = writing
        self._ids = store._ids
        self._new = Ids()
        self._records: dict[tuple[str, object], object] = {}
        self._idkeys: dict[PositionKey, _IdKey] = {}
        # Positions of the movements read back, by (location, status, container) id.
        self._positions: dict[tuple[int, int, int], Position] = {}
        # The canonical texts of the same positions, for checking the chain from the rows.
        self._position_texts: dict[tuple[int, int, int], str] = {}
        # Whether sl_reservations has any row (None: not asked yet in this block).
        self._has_reservations: bool | None = None
        self._cursor: Any = None
        if conn.dialect.name == "sqlite":
            if not listened(conn):
                # Nobody listens to the statements (no logging, tracing or counting hook): the
                # hot statements go straight to the driver, which costs a few microseconds
                # where SQLAlchemy's execution machinery costs tens.
                self._cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            # The write lock is held already (BEGIN IMMEDIATE), so whether anything is
            # reserved cannot change but by this block: asked along with the head.
            row = self._rows(_HEAD_SQLITE)[0]
            self._has_reservations = bool(row[3])
        else:
            head_query = sa.select(t.head.c.last_tx, t.head.c.last_hash, t.head.c.master_version)
            head_query = head_query.where(t.head.c.id == 1)
            if writing:
                # The one lock every writer takes first: it serialises appends to the hash
                # chain, and with them every balance check, so no two writers can oversell.
                head_query = head_query.with_for_update()
            row = conn.execute(head_query).one()
        self._head = (int(row[0]), str(row[1]))
        self._version = int(row[2])
        self._since = self._version
        self._master_dirty = False
        # Whether this block saved a location: only then are the location index and the
        # subtrees derived from it stale once the block commits.
        self._places_changed = False
        store._sync_cache(self._version)
        # write buffers
        self._tx_rows: list[tuple[Any, ...]] = []
        self._mv_rows: list[tuple[int, ...]] = []
        self._txs: dict[int, Transaction] = {}
        self._keys: dict[str, tuple[int, str]] = {}
        self._reversed: dict[int, int] = {}
        self._base: dict[_IdKey, tuple[int, int]] = {}
        # Keys known to have no row (writers are serialised, so that stays true but for us).
        self._absent: set[_IdKey] = set()
        self._pending: dict[_IdKey, list[int]] = {}
        self._pending_serials: dict[tuple[int, str], list[int]] = {}
        self._edge_rows: list[dict[str, Any]] = []
        self._event_rows: list[dict[str, Any]] = []
        self._cstate: dict[int, tuple[int, int]] = {}

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Run one statement written for the driver (``?`` placeholders); return its rows."""
        cursor = self._cursor
        if cursor is None:
            if self._conn.dialect.paramstyle != "qmark":
                sql = sql.replace("?", "%s")
            # One set of parameters in a list: a bare tuple whose first member is a list
            # (the balance look-up's arrays) would be read as many sets.
            result = self._conn.exec_driver_sql(sql, [tuple(params)] if params else ())
            return list(result) if result.returns_rows else []
        try:
            return cursor.execute(sql, params).fetchall()  # type: ignore[no-any-return]
        except self._conn.dialect.loaded_dbapi.Error as e:
            raise _driver_error(sql, params, e, self._conn.dialect) from e

    def _select(self, stmt: sa.Select[Any]) -> list[tuple[Any, ...]]:
        """The rows of a big SELECT as plain tuples: through the driver where nobody listens
        (SQLAlchemy's row objects cost more than the database's own work on a long result),
        else through SQLAlchemy."""
        cursor = self._cursor
        if cursor is not None:
            compiled = stmt.compile(
                dialect=self._conn.dialect, compile_kwargs={"render_postcompile": True}
            )
            params = compiled.params
            values = [params[name] for name in compiled.positiontup or ()]
            # Integers and text need no conversion on their way to SQLite; anything else
            # goes through SQLAlchemy's bind processing.
            if all(type(v) is int or type(v) is str for v in values):
                return self._rows(compiled.string, values)
        return [tuple(row) for row in self._conn.execute(stmt)]

    def _insert_row(self, stmt: sa.Insert, row: dict[str, Any]) -> int:
        """Insert one row; return its id. Straight to the driver where nobody listens (a new
        lot comes with most receipts), else through SQLAlchemy."""
        cursor = self._cursor
        # Plain values and dates only: SQLite keeps a date as ISO text, as SQLAlchemy's Date
        # does there. Anything else (a datetime, say) goes through SQLAlchemy's binding.
        plain = all(v is None or type(v) in (int, str, dt.date) for v in row.values())
        if cursor is None or not plain:
            return _inserted_id(self._conn.execute(stmt, row))
        values = [v.isoformat() if type(v) is dt.date else v for v in row.values()]
        self._rows(_driver_insert(stmt.table.name, tuple(row)), values)
        return int(cursor.lastrowid)

    # -- ids -------------------------------------------------------------------------------

    def _lookup(self, kind: str, key: Any) -> int | None:
        shared: IdMap[Any] = getattr(self._ids, kind)
        found = shared.by_key.get(key)
        if found is None:
            found = getattr(self._new, kind).by_key.get(key)
        if found is None:
            found = self._load_id(kind, key)
        return found

    def _load_id(self, kind: str, key: Any) -> int | None:
        if kind == "lot":
            item_id = self._lookup("item", key[0])
            if item_id is None:
                return None
            # _rows sends it to the driver where nobody listens, else through SQLAlchemy.
            rows = self._rows(_LOT_ID_SQL, (item_id, key[1]))
            found = rows[0][0] if rows else None
        else:
            table, column = _ID_TABLES[kind]
            found = self._conn.execute(_upsert_statements(table, column)[0], {"key": key}).scalar()
        if found is not None:
            self._learn(kind, key, int(found))
        return None if found is None else int(found)

    def _learn(self, kind: str, key: Any, id_: int) -> None:
        if self._writing:
            getattr(self._new, kind).add(key, id_)
        else:
            with self._store._cache_lock:
                getattr(self._ids, kind).add(key, id_)

    def _name(self, kind: str, id_: int) -> Any:
        found = getattr(self._ids, kind).by_id.get(id_)
        if found is None:
            found = getattr(self._new, kind).by_id.get(id_)
        if found is None:
            self._load_names(kind, [id_])
            found = getattr(self._ids, kind).by_id.get(id_) or getattr(self._new, kind).by_id[id_]
        return found

    def _load_names(self, kind: str, ids: Iterable[int]) -> None:
        shared, new = getattr(self._ids, kind), getattr(self._new, kind)
        missing = sorted({i for i in ids if i and i not in shared.by_id and i not in new.by_id})
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            if kind == "lot":
                stmt = (
                    sa.select(t.lots.c.id, t.items.c.sku, t.lots.c.code)
                    .join(t.items, t.items.c.id == t.lots.c.item_id)
                    .where(t.lots.c.id.in_(chunk))
                )
                for id_, sku, code in self._conn.execute(stmt):
                    self._learn(kind, (sku, code), id_)
            else:
                table, column = _ID_TABLES[kind]
                stmt = sa.select(table.c.id, table.c[column]).where(table.c.id.in_(chunk))
                for row in self._conn.execute(stmt):
                    self._learn(kind, row[1], row[0])

    def _idkey(self, key: PositionKey) -> _IdKey | None:
        found = self._idkeys.get(key)
        if found is None:
            found = self._resolve(key)
            if found is not None:
                # Ids never change once given, so a resolved key stays right for the block.
                self._idkeys[key] = found
        return found

    def _resolve(self, key: PositionKey) -> _IdKey | None:
        item, lot, serial, location, status, container = key
        ids = self._ids
        # The shared maps answer nearly every lookup: asked directly first, as this runs for
        # every position a posting touches for the first time in the block.
        item_id = ids.item.by_key.get(item) or self._lookup("item", item)
        lot_id = (
            0
            if lot is None
            else ids.lot.by_key.get((item, lot)) or self._lookup("lot", (item, lot))
        )
        loc_id = ids.location.by_key.get(location) or self._lookup("location", location)
        status_id = ids.status.by_key.get(status) or self._lookup("status", status)
        container_id = (
            0
            if container is None
            else ids.container.by_key.get(container) or self._lookup("container", container)
        )
        if (
            item_id is None
            or lot_id is None
            or loc_id is None
            or status_id is None
            or container_id is None
        ):
            return None
        return (item_id, lot_id, serial or "", loc_id, status_id, container_id)

    def _key_of(self, row: Sequence[Any]) -> PositionKey:
        item_id, lot_id, serial, loc_id, status_id, container_id = row[:6]
        return (
            self._name("item", item_id),
            self._name("lot", lot_id)[1] if lot_id else None,
            serial or None,
            self._name("location", loc_id),
            self._name("status", status_id),
            self._name("container", container_id) if container_id else None,
        )

    # -- master data -----------------------------------------------------------------------

    def _remember(self, entity: str, key: object, record: object) -> None:
        if self._writing:
            self._records[(entity, key)] = record
        else:
            self._store._remember_record(entity, key, record, self._version)

    def _one(
        self,
        entity: str,
        key: object,
        stmt: sa.Select[Any],
        params: dict[str, Any],
        make: Any,
        driver: Callable[[], Any] | None = None,
    ) -> Any:
        """A master record: the block's own copy (most lookups of a posting), else the
        store's cache, else the database (through ``driver``, which reads it straight from
        SQLite's driver, when given and nobody listens; else by ``stmt`` and ``make``)."""
        found = self._records.get((entity, key), _MISSING)
        if found is not _MISSING:
            return found
        hit, record = self._store._cached_record(entity, key, self._version)
        if hit:
            if self._writing:
                # Kept for the rest of the block: a posting looks up the same few records
                # for every line, and the store's cache is behind a lock.
                self._records[(entity, key)] = record
            return record
        if driver is not None and self._cursor is not None:
            record = driver()
        else:
            row = self._conn.execute(stmt, params).mappings().first()
            record = None if row is None else make(row)
        self._remember(entity, key, record)
        return record

    def item(self, sku: str) -> Item | None:
        item: Item | None = self._one("item", sku, _ITEM, {"key": sku}, codec.item_from_row)
        return item

    def item_by_gtin(self, gtin: str) -> Item | None:
        sku = self._conn.execute(
            sa.select(t.items.c.sku)
            .join(t.gtins, t.gtins.c.item_id == t.items.c.id)
            .where(t.gtins.c.gtin == gtin)
        ).scalar()
        return None if sku is None else self.item(sku)

    def items(self) -> list[Item]:
        rows = self._conn.execute(sa.select(t.items).order_by(t.items.c.sku)).mappings()
        return [codec.item_from_row(r) for r in rows]

    def location(self, path: str) -> Location | None:
        location: Location | None = self._one(
            "location", path, _LOCATION, {"key": path}, codec.location_from_row
        )
        return location

    def _load_locations(self, ids: Iterable[int]) -> None:
        """Read, in one query per chunk, the records of these locations that are not cached
        yet: a trace asks the kind of every place it meets, which would otherwise be one
        query per place the first time."""
        missing = []
        for id_ in set(ids):
            path = self._name("location", id_)
            if ("location", path) not in self._records:
                hit, _ = self._store._cached_record("location", path, self._version)
                if not hit:
                    missing.append(path)
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            rows = self._conn.execute(_LOCATIONS, {"paths": chunk}).mappings()
            for row in rows:
                self._remember("location", row["path"], codec.location_from_row(row))

    def locations(self) -> list[Location]:
        rows = self._conn.execute(sa.select(t.locations).order_by(t.locations.c.path)).mappings()
        return [codec.location_from_row(r) for r in rows]

    def lot(self, item: str, code: str) -> Lot | None:
        # Most receipts bring a lot not seen before: read straight from SQLite's driver, its
        # id learnt on the way, instead of through SQLAlchemy and then again for the id.
        lot: Lot | None = self._one(
            "lot",
            (item, code),
            _LOT,
            {"sku": item, "code": code},
            lambda r: codec.lot_from_row(item, r),
            driver=lambda: self._driver_lot(item, code),
        )
        return lot

    def _driver_lot(self, item: str, code: str) -> Lot | None:
        rows = self._rows(_LOT_SQL, (item, code))
        if not rows:
            return None
        id_, expiry, produced_on, tlc_source_reference = rows[0]
        self._learn("lot", (item, code), int(id_))
        return Lot(
            item=item,
            code=code,
            expiry=None if expiry is None else dt.date.fromisoformat(expiry),
            produced_on=None if produced_on is None else dt.date.fromisoformat(produced_on),
            tlc_source_reference=tlc_source_reference,
        )

    def lots(self, item: str | None = None) -> list[Lot]:
        stmt = (
            sa.select(t.items.c.sku, t.lots)
            .join(t.items, t.items.c.id == t.lots.c.item_id)
            .order_by(t.items.c.sku, t.lots.c.code)
        )
        if item is not None:
            stmt = stmt.where(t.items.c.sku == item)
        return [codec.lot_from_row(r["sku"], r) for r in self._conn.execute(stmt).mappings()]

    def party(self, code: str) -> Party | None:
        party: Party | None = self._one("party", code, _PARTY, {"key": code}, codec.party_from_row)
        return party

    def parties(self) -> list[Party]:
        rows = self._conn.execute(sa.select(t.parties).order_by(t.parties.c.code)).mappings()
        return [codec.party_from_row(r) for r in rows]

    def status(self, name: str) -> Status | None:
        status: Status | None = self._one(
            "status", name, _STATUS, {"key": name}, codec.status_from_row
        )
        return status

    def statuses(self) -> list[Status]:
        rows = self._conn.execute(sa.select(t.statuses).order_by(t.statuses.c.name)).mappings()
        return [codec.status_from_row(r) for r in rows]

    def container(self, code: str) -> Container | None:
        container: Container | None = self._one(
            "container", code, _CONTAINER, {"key": code}, codec.container_from_row
        )
        return container

    def master_changes(self, *, after: int = 0) -> list[MasterChange]:
        if after >= _MAX_SEQ:
            # No change is numbered past the column's range; PostgreSQL would refuse to
            # compare its 32-bit column with a larger number instead of finding none.
            return []
        stmt = (
            sa.select(t.master_changes)
            .where(t.master_changes.c.seq > after)
            .order_by(t.master_changes.c.seq)
        )
        return [codec.change_from_row(r) for r in self._conn.execute(stmt).mappings()]

    def save(self, record: MasterRecord, *, actor: str | None, at: dt.datetime) -> None:
        """Insert or replace a master record, and log the change."""
        key: str | tuple[str, str]
        item_id: int | None
        match record:
            case Item():
                entity, key = "item", record.sku
                item_id = self._upsert(t.items, "sku", record.sku, codec.item_row(record))
                self._learn("item", record.sku, item_id)
                self._conn.execute(sa.delete(t.gtins).where(t.gtins.c.item_id == item_id))
                codes = list(item_gtins(record))
                if codes:
                    self._conn.execute(
                        sa.insert(t.gtins), [{"gtin": c, "item_id": item_id} for c in codes]
                    )
            case Location():
                entity, key = "location", record.path
                self._places_changed = True
                self._learn(
                    "location",
                    record.path,
                    self._upsert(t.locations, "path", record.path, codec.location_row(record)),
                )
            case Party():
                entity, key = "party", record.code
                self._upsert(t.parties, "code", record.code, codec.party_row(record))
            case Lot():
                entity, key = "lot", (record.item, record.code)
                item_id = self._lookup("item", record.item)
                row = {
                    "item_id": item_id,
                    "code": record.code,
                    "expiry": record.expiry,
                    "produced_on": record.produced_on,
                    "tlc_source_reference": record.tlc_source_reference,
                }
                lot_id = self._lookup("lot", key)
                if lot_id is None:
                    lot_id = self._insert_row(_INSERT_LOT, row)
                    self._learn("lot", key, lot_id)
                else:
                    self._conn.execute(_UPDATE_LOT, {**row, "lot_id": lot_id})
            case Status():
                entity, key = "status", record.name
                self._learn(
                    "status",
                    record.name,
                    self._upsert(t.statuses, "name", record.name, codec.status_row(record)),
                )
            case Container():
                entity, key = "container", record.code
                row = {"code": record.code, "kind": record.kind}
                self._learn(
                    "container", record.code, self._upsert(t.containers, "code", record.code, row)
                )
        self._records[(entity, key)] = record
        self._master_dirty = True
        self._insert_row(
            _INSERT_CHANGE,
            {
                "entity": entity,
                "key": key if isinstance(key, str) else "/".join(key),
                "actor": actor,
                "at": codec.to_micros(at),
                "fields": codec.change_fields(record),
            },
        )

    def _upsert(self, table: sa.Table, column: str, key: str, row: dict[str, Any]) -> int:
        has_id = "id" in table.c
        find, insert, update = _upsert_statements(table, column)
        found = self._conn.execute(find, {"key": key}).scalar()
        if found is None:
            result = self._conn.execute(insert, row)
            return int(_inserted_id(result)) if has_id else 0
        self._conn.execute(update, {**row, "key": key})
        return int(found) if has_id else 0

    # -- ledger reads ----------------------------------------------------------------------

    def head(self) -> tuple[int, str]:
        return self._head

    def transaction(self, tx_id: int) -> Transaction | None:
        if tx_id in self._txs:
            return self._txs[tx_id]
        found = reading.where(self, t.transactions.c.id == tx_id)
        return found[0] if found else None

    def transactions(self, *, after: int = 0, limit: int | None = None) -> list[Transaction]:
        self.flush()
        return reading.after(self, after, limit)

    def chain_links(self, *, after: int, limit: int) -> list[tuple[int, str, str, str]]:
        self.flush()
        return reading.links(self, after, limit)

    def _load_movement_names(self, rows: Sequence[Any]) -> None:
        """Learn, in a few queries, the names behind every id in these movement rows (all
        ``sl_movements`` columns first, in the table's order)."""
        # Each kind's ids gathered as a set first: most rows repeat a few ids, and a set of
        # plain ints costs far less than looking every column up by key.
        self._load_names("item", {r[2] for r in rows})
        self._load_names("lot", {r[3] for r in rows})
        self._load_names("location", {r[6] for r in rows} | {r[9] for r in rows})
        self._load_names("status", {r[7] for r in rows} | {r[10] for r in rows})
        self._load_names("container", {r[8] for r in rows} | {r[11] for r in rows})

    def _movement(
        self, r: Sequence[Any], positions: dict[tuple[int, int, int], Position] | None = None
    ) -> Movement:
        """A movement row (all ``sl_movements`` columns first, in the table's order) as a
        movement; ``positions`` keeps the positions made, for the rows to come."""
        _, _, item_id, lot_id, serial, qty, *ids = r[:12]
        name = self._name
        found = []
        for loc, status, container in (ids[0:3], ids[3:6]):
            key = (loc, status, container)
            position = None if positions is None else positions.get(key)
            if position is None:
                position = Position(
                    location=name("location", loc),
                    status=name("status", status),
                    container=name("container", container) if container else None,
                )
                if positions is not None:
                    positions[key] = position
            found.append(position)
        return Movement(
            item=name("item", item_id),
            quantity=codec.from_qty(qty),
            src=found[0],
            dst=found[1],
            lot=name("lot", lot_id)[1] if lot_id else None,
            serial=serial or None,
        )

    def find_key(self, key: str) -> tuple[int, str] | None:
        if key in self._keys:
            return self._keys[key]
        row = self._conn.execute(
            sa.select(t.transactions.c.id, t.transactions.c.fingerprint).where(
                t.transactions.c.key == key
            )
        ).first()
        return None if row is None else (int(row.id), codec.digest_text(row.fingerprint or b""))

    def reversed_by(self, tx_id: int) -> int | None:
        if tx_id in self._reversed:
            return self._reversed[tx_id]
        found = self._conn.execute(
            sa.select(t.transactions.c.id).where(t.transactions.c.reverses == tx_id)
        ).scalar()
        return None if found is None else int(found)

    # -- balances --------------------------------------------------------------------------

    def _filters(
        self, query: BalanceQuery, cols: tuple[Any, Any, Any, Any, Any, Any]
    ) -> list[sa.ColumnElement[bool]] | None:
        """SQL conditions for a query over (item, lot, serial, loc, status, container) columns;
        ``None`` when the query can match nothing."""
        item_c, lot_c, serial_c, loc_c, status_c, container_c = cols
        where: list[sa.ColumnElement[bool]] = []
        if query.item is not None:
            item_id = self._lookup("item", query.item)
            if item_id is None:
                return None
            where.append(item_c == item_id)
            if query.lot is not None:
                lot_id = self._lookup("lot", (query.item, query.lot))
                if lot_id is None:
                    return None
                where.append(lot_c == lot_id)
        elif query.lot is not None:
            where.append(lot_c.in_(sa.select(t.lots.c.id).where(t.lots.c.code == query.lot)))
        if query.serial is not None:
            where.append(serial_c == query.serial)
        if query.location is not None or query.internal_only:
            # One list of location ids: the subtree (by a range of the path index) and/or the
            # internal ones.
            places = sa.select(t.locations.c.id)
            if query.location is not None:
                places = self._subtree(query.location)
            if query.internal_only:
                places = places.where(t.locations.c.kind == LocationKind.INTERNAL.value)
            where.append(loc_c.in_(places))
        if query.status is not None:
            status_id = self._lookup("status", query.status)
            if status_id is None:
                return None
            where.append(status_c == status_id)
        if query.container is not None:
            container_id = self._lookup("container", query.container)
            if container_id is None:
                return None
            where.append(container_c == container_id)
        return where

    @staticmethod
    def _subtree(path: str) -> sa.Select[Any]:
        """The ids of ``path`` and every location below it: the path itself and the range
        from "path/" up to (not including) "path0" ("/" sorts just before "0"), which the
        unique index on paths finds without a scan, case-sensitively like ``under()``."""
        loc = t.locations
        return sa.select(loc.c.id).where(
            (loc.c.path == path) | ((loc.c.path >= path + "/") & (loc.c.path < path + "0"))
        )

    def _ledger_sides(self, query: BalanceQuery) -> sa.Subquery | None:
        """Both sides of every movement as signed rows, filtered by ``query`` (as of a time:
        from the nearest checkpoint when one applies)."""
        if query.as_of is not None:
            from_checkpoint = checkpoints.as_of_sides(self, query)
            if from_checkpoint is not None:
                return from_checkpoint
        mv = t.movements
        selects = []
        for loc, status, container, sign in _SIDES:
            cols = (
                mv.c.item_id,
                mv.c.lot_id,
                mv.c.serial,
                mv.c[loc],
                mv.c[status],
                mv.c[container],
            )
            where = self._filters(query, cols)
            if where is None:
                return None
            if query.as_of is not None:
                where.append(mv.c.effective_at <= codec.to_micros(query.as_of))
            if query.known_at is not None:
                where.append(
                    mv.c.tx_id.in_(
                        sa.select(t.transactions.c.id).where(
                            t.transactions.c.recorded_at <= codec.to_micros(query.known_at)
                        )
                    )
                )
            selects.append(_side(loc, status, container, sign).where(*where))
        return sa.union_all(*selects).subquery("sides")

    def _grouped(self, sides: sa.Subquery) -> sa.Select[Any]:
        keys = [
            sides.c[c]
            for c in ("item_id", "lot_id", "serial", "location_id", "status_id", "container_id")
        ]
        return sa.select(
            *keys,
            sa.func.sum(sides.c.qty).label("qty"),
            sa.func.max(sides.c.effective_at).label("last_at"),
        ).group_by(*keys)

    def balances(self, query: BalanceQuery) -> list[Balance]:
        self.flush()
        if query.as_of is not None:
            sides = self._ledger_sides(query)
            if sides is None:
                return []
            grouped = self._grouped(sides).subquery()
            stmt = sa.select(grouped).where(grouped.c.qty != 0)
        else:
            b = t.balances
            cols = _BALANCE_KEY
            where = self._filters(query, cols)
            if where is None:
                return []
            stmt = sa.select(*cols, b.c.qty).where(b.c.qty != 0, *where)
        return self._balances_from(self._select(stmt))

    def _balances_from(self, rows: Sequence[Any]) -> list[Balance]:
        """Balance rows (the six key ids, then the quantity) as balances, sorted."""
        for kind, index in (
            ("item", 0),
            ("lot", 1),
            ("location", 3),
            ("status", 4),
            ("container", 5),
        ):
            self._load_names(kind, (r[index] for r in rows))
        found = []
        for r in rows:
            item, lot, serial, location, status, container = self._key_of(r)
            found.append(
                Balance(
                    item=item,
                    lot=lot,
                    serial=serial,
                    position=Position(location=location, status=status, container=container),
                    quantity=codec.from_qty(int(r[6])),
                )
            )
        from stockline.ledger import sorted_balances

        return sorted_balances(found)

    def total(self, query: BalanceQuery) -> Decimal:
        self.flush()
        if query.as_of is None and (query.lot is None or query.item is not None):
            return self._projected_total(query)
        if query.as_of is not None:
            sides = self._ledger_sides(query)
            if sides is None:
                return Decimal(0)
            stmt = sa.select(sa.func.coalesce(sa.func.sum(sides.c.qty), 0))
        else:
            b = t.balances
            cols = _BALANCE_KEY
            where = self._filters(query, cols)
            if where is None:
                return Decimal(0)
            stmt = sa.select(sa.func.coalesce(sa.func.sum(b.c.qty), 0)).where(*where)
        return codec.from_qty(int(self._conn.execute(stmt).scalar_one()))

    def _projected_total(self, query: BalanceQuery) -> Decimal:
        """The hot path of on_hand(): ids resolved from caches, a prebuilt statement per shape
        of filter, and location subtrees found by bisecting a sorted path index."""
        params: dict[str, Any] = {}
        if query.item is not None:
            item_id = self._lookup("item", query.item)
            if item_id is None:
                return Decimal(0)
            params["item"] = item_id
            if query.lot is not None:
                lot_id = self._lookup("lot", (query.item, query.lot))
                if lot_id is None:
                    return Decimal(0)
                params["lot"] = lot_id
        if query.serial is not None:
            params["serial"] = query.serial
        if query.status is not None:
            status_id = self._lookup("status", query.status)
            if status_id is None:
                return Decimal(0)
            params["status"] = status_id
        if query.container is not None:
            container_id = self._lookup("container", query.container)
            if container_id is None:
                return Decimal(0)
            params["container"] = container_id
        if query.location is not None or query.internal_only:
            ids, runs = self._location_set(query.location, internal=query.internal_only)
            if not ids:
                return Decimal(0)
            if len(ids) == 1:
                params["loc"] = ids[0]
            elif len(runs) <= _RUNS:
                # Locations are mostly made in bulk, so a subtree's ids come in a few runs of
                # consecutive numbers: a handful of comparisons per balance row of the item,
                # where an IN list (or subquery) makes SQLite build a table of ids per call.
                params["runs"] = runs
            elif len(ids) <= _SHORT_LIST or query.location is None:
                params["locs"] = ids
            else:
                # A big, scattered subtree: let the path index find it.
                params["root"] = query.location
                params["lo"], params["hi"] = query.location + "/", query.location + "0"
                if query.internal_only:
                    params["internal"] = LocationKind.INTERNAL.value
        shape = tuple(sorted(params))
        runs = params.pop("runs", ())
        cursor = self._cursor
        if cursor is not None:
            # The lookup a warehouse makes most: straight to the driver (see _rows).
            sql, names = _total_driver_sql(shape, len(params.get("locs", ())), len(runs))
            values: list[Any] = []
            for name in names:
                if name == "locs":
                    values.extend(params[name])
                elif name == "runs":
                    values.extend(bound for run in runs for bound in run)
                else:
                    values.append(params[name])
            return codec.from_qty(int(cursor.execute(sql, values).fetchone()[0]))
        for n, (first, last) in enumerate(runs):
            params[f"first{n}"], params[f"last{n}"] = first, last
        stmt = _total_statement(shape, len(runs))
        return codec.from_qty(int(self._conn.execute(stmt, params).scalar_one()))

    def _location_set(
        self, root: str | None, *, internal: bool
    ) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
        """The sorted ids of ``root`` and every location below it (of every location when
        ``root`` is None), only the internal ones if ``internal``; and the same ids as runs of
        consecutive numbers (first, last). Kept with the location index, so that a lookup
        repeated under one master version costs a dict hit, not a walk of the subtree."""
        key = ("subtree", root, internal)
        if not self._places_changed:
            hit, found = self._store._cached_record("index", key, self._version)
            if hit:
                return found  # type: ignore[no-any-return]
        paths, ids, internals = self._location_index()
        if root is None:
            begin, end = 0, len(paths)
        else:
            # Everything from "root" up to (not including) "root0" is root or below it: "/" is
            # the character just before "0", so "root/..." sorts in that range, "root0" after.
            begin = bisect.bisect_left(paths, root)
            end = bisect.bisect_left(paths, root + "0")
        chosen = sorted(
            ids[i]
            for i in range(begin, end)
            if (root is None or paths[i] == root or paths[i].startswith(root + "/"))
            and (not internal or internals[i])
        )
        runs: list[tuple[int, int]] = []
        for id_ in chosen:
            if runs and runs[-1][1] + 1 == id_:
                runs[-1] = (runs[-1][0], id_)
            else:
                runs.append((id_, id_))
        found = (tuple(chosen), tuple(runs))
        if not self._places_changed:
            self._store._remember_record("index", key, found, self._version)
        return found

    def _location_index(self) -> tuple[list[str], list[int], list[bool]]:
        if not self._places_changed:
            hit, index = self._store._cached_record("index", "locations", self._version)
            if hit:
                return index  # type: ignore[no-any-return]
        loc = t.locations
        rows = self._conn.execute(
            sa.select(loc.c.path, loc.c.id, loc.c.kind).order_by(loc.c.path)
        ).all()
        index = (
            [r.path for r in rows],
            [int(r.id) for r in rows],
            [r.kind == LocationKind.INTERNAL.value for r in rows],
        )
        if not self._places_changed:
            self._store._remember_record("index", "locations", index, self._version)
        return index

    def position_balances(
        self, keys: Iterable[PositionKey]
    ) -> dict[PositionKey, tuple[Decimal, dt.datetime | None]]:
        if not keys:  # a receipt takes from no internal position
            return {}
        wanted: dict[_IdKey, PositionKey] = {}
        for key in keys:
            idkey = self._idkey(key)
            if idkey is not None:
                wanted[idkey] = key
        self._fetch_base(wanted)
        found: dict[PositionKey, tuple[Decimal, dt.datetime | None]] = {}
        for idkey, key in wanted.items():
            base = self._base.get(idkey)
            pending = self._pending.get(idkey)
            if base is None and pending is None:
                continue
            qty = (base[0] if base else 0) + (pending[0] if pending else 0)
            last = max(base[1] if base else 0, pending[1] if pending else 0)
            found[key] = (codec.from_qty(qty), codec.from_micros(last))
        return found

    def _fetch_base(self, wanted: Iterable[_IdKey]) -> None:
        missing = [k for k in wanted if k not in self._base and k not in self._absent]
        if not missing:
            return
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            for row in self._rows(*_balance_lookup(self._conn.dialect, chunk)):
                idkey: _IdKey = (row[0], row[1], row[2], row[3], row[4], row[5])
                self._base[idkey] = (int(row[6]), int(row[7]))
            self._absent.update(k for k in chunk if k not in self._base)

    def later_deltas(
        self, key: PositionKey, after: dt.datetime
    ) -> list[tuple[dt.datetime, Decimal]]:
        self.flush()
        idkey = self._idkey(key)
        if idkey is None:
            return []
        item_id, lot_id, serial, loc_id, status_id, container_id = idkey
        mv = t.movements
        moment = codec.to_micros(after)
        selects = []
        for loc, status, container, sign in _SIDES:
            selects.append(
                sa.select(
                    mv.c.effective_at, mv.c.tx_id, mv.c.line, (mv.c.qty * sign).label("qty")
                ).where(
                    mv.c.item_id == item_id,
                    mv.c.lot_id == lot_id,
                    mv.c.serial == serial,
                    mv.c[loc] == loc_id,
                    mv.c[status] == status_id,
                    mv.c[container] == container_id,
                    mv.c.effective_at > moment,
                )
            )
        union = sa.union_all(*selects).subquery()
        stmt = sa.select(union.c.effective_at, union.c.qty).order_by(
            union.c.effective_at, union.c.tx_id, union.c.line
        )
        return [
            (codec.from_micros(int(at)), codec.from_qty(int(q)))
            for at, q in self._conn.execute(stmt)
        ]

    def serial_internal(self, item: str, serial: str) -> tuple[Decimal, dt.datetime | None]:
        item_id = self._lookup("item", item)
        if item_id is None:
            return Decimal(0), None
        b = t.balances
        row = self._conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(b.c.qty), 0), sa.func.max(b.c.last_at)).where(
                b.c.item_id == item_id,
                b.c.serial == serial,
                b.c.location_id.in_(
                    sa.select(t.locations.c.id).where(
                        t.locations.c.kind == LocationKind.INTERNAL.value
                    )
                ),
            )
        ).one()
        qty, last = int(row[0]), row[1]
        pending = self._pending_serials.get((item_id, serial))
        if pending is not None:
            qty += pending[0]
            last = pending[1] if last is None else max(int(last), pending[1])
        return codec.from_qty(qty), None if last is None else codec.from_micros(int(last))

    def later_serial_deltas(
        self, item: str, serial: str, after: dt.datetime
    ) -> list[tuple[dt.datetime, Decimal]]:
        self.flush()
        item_id = self._lookup("item", item)
        mv = t.movements
        internal = sa.select(t.locations.c.id).where(
            t.locations.c.kind == LocationKind.INTERNAL.value
        )
        selects = [
            sa.select(
                mv.c.effective_at, mv.c.tx_id, mv.c.line, (mv.c.qty * sign).label("qty")
            ).where(
                mv.c.item_id == item_id,
                mv.c.serial == serial,
                mv.c[loc].in_(internal),
                mv.c.effective_at > codec.to_micros(after),
            )
            for loc, _, _, sign in _SIDES
        ]
        union = sa.union_all(*selects).subquery()
        stmt = sa.select(union.c.effective_at, union.c.qty).order_by(
            union.c.effective_at, union.c.tx_id, union.c.line
        )
        return [
            (codec.from_micros(int(at)), codec.from_qty(int(q)))
            for at, q in self._conn.execute(stmt)
        ]

    def history(self, query: HistoryQuery) -> list[Transaction]:
        self.flush()
        mv, tx = t.movements, t.transactions
        where: list[sa.ColumnElement[bool]] = []
        if query.item is not None:
            item_id = self._lookup("item", query.item)
            if item_id is None:
                return []
            where.append(mv.c.item_id == item_id)
            if query.lot is not None:
                lot_id = self._lookup("lot", (query.item, query.lot))
                if lot_id is None:
                    return []
                where.append(mv.c.lot_id == lot_id)
        elif query.lot is not None:
            where.append(mv.c.lot_id.in_(sa.select(t.lots.c.id).where(t.lots.c.code == query.lot)))
        if query.serial is not None:
            # "!= ''" lets the partial index of serials (item, serial) serve: a serial is
            # never ''.
            where.append((mv.c.serial == query.serial) & (mv.c.serial != _NO_SERIAL))
        if query.location is not None:
            subtree = self._subtree(query.location)
            where.append(mv.c.src_loc.in_(subtree) | mv.c.dst_loc.in_(subtree))
        if query.container is not None:
            container_id = self._lookup("container", query.container)
            if container_id is None:
                return []
            where.append(
                (mv.c.src_container == container_id) | (mv.c.dst_container == container_id)
            )
        if query.since is not None:
            where.append(mv.c.effective_at >= codec.to_micros(query.since))
        if query.until is not None:
            where.append(mv.c.effective_at <= codec.to_micros(query.until))
        matching = sa.select(mv.c.tx_id).where(*where).distinct().subquery()
        stmt = (
            sa.select(tx.c.id)
            .where(tx.c.id.in_(sa.select(matching.c.tx_id)))
            .order_by(tx.c.effective_at, tx.c.id)
        )
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        ids = list(self._conn.execute(stmt).scalars())
        by_id: dict[int, Transaction] = {}
        for start in range(0, len(ids), _CHUNK):
            for found in reading.where(self, tx.c.id.in_(ids[start : start + _CHUNK])):
                by_id[found.id] = found
        return [by_id[i] for i in ids]

    # -- genealogy and containers --------------------------------------------------------

    def container_state(self, code: str) -> ContainerEvent | None:
        container_id = self._lookup("container", code)
        if container_id is None:
            return None
        if container_id in self._cstate:
            parent_id, location_id = self._cstate[container_id]
        else:
            cs = t.container_state
            row = self._conn.execute(
                sa.select(cs.c.parent_id, cs.c.location_id).where(cs.c.container_id == container_id)
            ).first()
            if row is None:
                return None
            parent_id, location_id = int(row.parent_id), int(row.location_id)
        return ContainerEvent(
            container=code,
            parent=self._name("container", parent_id) if parent_id else None,
            location=self._name("location", location_id) if location_id else None,
        )

    def container_history(self, code: str) -> list[tuple[int, ContainerEvent]]:
        self.flush()
        container_id = self._lookup("container", code)
        if container_id is None:
            return []
        ev = t.container_events
        rows = self._conn.execute(
            sa.select(ev.c.tx_id, ev.c.parent_id, ev.c.location_id)
            .where(ev.c.container_id == container_id)
            .order_by(ev.c.tx_id, ev.c.seq)
        ).all()
        return [
            (
                int(row.tx_id),
                ContainerEvent(
                    container=code,
                    parent=self._name("container", row.parent_id) if row.parent_id else None,
                    location=self._name("location", row.location_id) if row.location_id else None,
                ),
            )
            for row in rows
        ]

    def container_children(self, code: str) -> list[str]:
        self.flush()
        container_id = self._lookup("container", code)
        if container_id is None:
            return []
        cs = t.container_state
        ids = self._conn.execute(
            sa.select(cs.c.container_id).where(cs.c.parent_id == container_id)
        ).scalars()
        return sorted(self._name("container", i) for i in ids)

    def _node_ids(self, nodes: Iterable[NodeKey]) -> list[tuple[int, int | None, str]]:
        """Nodes as (item id, lot id or None for any lot, serial or '' for any serial)."""
        found = []
        for item, lot, serial in nodes:
            item_id = self._lookup("item", item)
            if item_id is None:
                continue
            lot_id = None if lot is None else self._lookup("lot", (item, lot))
            if lot is not None and lot_id is None:
                continue
            found.append((item_id, lot_id, serial or ""))
        return found

    def edges(
        self, start: Iterable[NodeKey], *, downstream: bool, until: dt.datetime | None = None
    ) -> list[TracedEdge]:
        return tracing.edges(self, start, downstream=downstream, until=until)

    def _leaves(self, nodes: list[NodeKey]) -> bool:
        """Whether no edge, stored or buffered, leaves any of these lots or serials.

        Production checks its new output lots for cycles this way: they are leaves, so the
        answer needs neither the recursive query nor a flush of the block's buffered rows
        (which would cost a round of statements per production in a batch).
        """
        wanted: list[tuple[int, int, str]] = []
        for item, lot, serial in nodes:
            if lot is None:
                return False  # "any lot" needs the movements, so the general path
            item_id = self._lookup("item", item)
            lot_id = self._lookup("lot", (item, lot))
            if item_id is None or lot_id is None:
                continue
            wanted.append((item_id, lot_id, serial or ""))
        for row in self._edge_rows:
            for item_id, lot_id, serial in wanted:
                if (row["p_item"], row["p_lot"]) == (item_id, lot_id) and (
                    not serial or row["p_serial"] == serial
                ):
                    return False
        for item_id, lot_id, serial in wanted:
            if serial:
                found = self._rows(_EDGE_FROM_SERIAL, (item_id, lot_id, serial))
            else:
                found = self._rows(_EDGE_FROM_LOT, (item_id, lot_id))
            if found:
                return False
        return True

    def _traced(self, row: Sequence[Any]) -> TracedEdge:
        """An ``sl_edges`` row (all columns, in the table's order) as a traced edge."""
        tx_id, _, kind, p_item, p_lot, p_serial, c_item, c_lot, c_serial, qty, at = row
        name = self._name
        return (
            int(tx_id),
            codec.from_micros(at),
            Edge(
                kind=EdgeKind(kind),
                parent_item=name("item", p_item),
                parent_lot=name("lot", p_lot)[1] if p_lot else None,
                parent_serial=p_serial or None,
                child_item=name("item", c_item),
                child_lot=name("lot", c_lot)[1] if c_lot else None,
                child_serial=c_serial or None,
                quantity=codec.from_qty(qty),
            ),
        )

    def movements_of(
        self,
        nodes: Iterable[NodeKey],
        *,
        into: Collection[LocationKind] = (),
        out_of: Collection[LocationKind] = (),
        until: dt.datetime | None = None,
    ) -> list[LedgerLine]:
        return tracing.movements_of(self, nodes, into=into, out_of=out_of, until=until)

    def balances_of(
        self,
        nodes: Iterable[NodeKey],
        *,
        as_of: dt.datetime | None = None,
        kinds: Collection[LocationKind] | None = None,
    ) -> list[Balance]:
        return tracing.balances_of(self, nodes, as_of=as_of, kinds=kinds)

    def exposures(
        self,
        nodes: Iterable[NodeKey],
        *,
        until: dt.datetime | None = None,
        through: int | None = None,
    ) -> list[CustomerExposure]:
        return tracing.exposures(self, nodes, until=until, through=through)

    def replay(self) -> Iterator[Balance]:
        return checkpoints.replay(self)

    def projection_drift(self, *, limit: int) -> list[tuple[PositionKey, Decimal, Decimal]]:
        return checkpoints.drift(self, limit)

    # -- writes ----------------------------------------------------------------------------

    def append(self, tx: Transaction, *, fingerprint: str | None) -> None:
        # Rows are built as tuples in the tables' column order (checked where the INSERT
        # statements are made), ready for the driver's executemany.
        at = to_micros(tx.effective_at)
        self._tx_rows.append(
            (
                tx.id,
                tx.kind.value,
                at,
                to_micros(tx.recorded_at),
                tx.key,
                None if tx.key is None or fingerprint is None else bytes.fromhex(fingerprint),
                codec.refs_text(tx.refs) if tx.refs else None,
                tx.counterparty,
                tx.actor,
                tx.reason,
                tx.reverses,
                bytes.fromhex(tx.prev_hash),
                bytes.fromhex(tx.hash),
            )
        )
        self._txs[tx.id] = tx
        if tx.key is not None:
            self._keys[tx.key] = (tx.id, fingerprint or "")
        if tx.reverses is not None:
            self._reversed[tx.reverses] = tx.id
        pending = self._pending
        for line, m in enumerate(tx.movements, start=1):
            src = self._idkey(
                (m.item, m.lot, m.serial, m.src.location, m.src.status, m.src.container)
            )
            dst = self._idkey(
                (m.item, m.lot, m.serial, m.dst.location, m.dst.status, m.dst.container)
            )
            assert src is not None, "posting checked every name"
            assert dst is not None, "posting checked every name"
            qty = to_qty(m.quantity)
            self._mv_rows.append(
                (tx.id, line, *src[:3], qty, *src[3:], *dst[3:], at)  # type: ignore[arg-type]
            )
            for idkey, delta in ((src, -qty), (dst, qty)):
                change = pending.get(idkey)
                if change is None:
                    pending[idkey] = [delta, at]
                else:
                    change[0] += delta
                    if at > change[1]:
                        change[1] = at
            if m.serial is not None:
                for idkey, delta, position in ((src, -qty, m.src), (dst, qty, m.dst)):
                    location = self.location(position.location)
                    if location is not None and location.kind is LocationKind.INTERNAL:
                        serial = self._pending_serials.setdefault((idkey[0], m.serial), [0, at])
                        serial[0] += delta
                        serial[1] = max(serial[1], at)
        for seq, e in enumerate(tx.edges, start=1):
            self._edge_rows.append(
                {
                    "tx_id": tx.id,
                    "seq": seq,
                    "kind": e.kind.value,
                    "p_item": self._lookup("item", e.parent_item),
                    "p_lot": self._lot_id(e.parent_item, e.parent_lot),
                    "p_serial": e.parent_serial or "",
                    "c_item": self._lookup("item", e.child_item),
                    "c_lot": self._lot_id(e.child_item, e.child_lot),
                    "c_serial": e.child_serial or "",
                    "qty": codec.to_qty(e.quantity),
                    "effective_at": at,
                }
            )
        for seq, event in enumerate(tx.containers, start=1):
            container_id = self._lookup("container", event.container)
            assert container_id is not None, "posting checked every container"
            parent_id = 0 if event.parent is None else self._lookup("container", event.parent)
            location_id = 0 if event.location is None else self._lookup("location", event.location)
            assert parent_id is not None, "posting checked every container"
            assert location_id is not None, "posting checked every location"
            self._event_rows.append(
                {
                    "tx_id": tx.id,
                    "seq": seq,
                    "container_id": container_id,
                    "parent_id": parent_id,
                    "location_id": location_id,
                }
            )
            self._cstate[container_id] = (parent_id, location_id)
        self._head = (tx.id, tx.hash)

    def _lot_id(self, item: str, lot: str | None) -> int:
        if lot is None:
            return 0
        found = self._lookup("lot", (item, lot))
        assert found is not None, "posting checked every lot"
        return found

    def flush(self) -> None:
        """Send buffered rows to the database (inside the still-open transaction)."""
        if not self._tx_rows:
            return
        # The hot rows go straight to the driver's executemany: SQLAlchemy's per-row parameter
        # handling cost more than the database's own work here.
        self._driver_many(_INSERT_TRANSACTION, self._tx_rows)
        self._driver_many(_INSERT_MOVEMENT, self._mv_rows)
        self._driver_many(_UPSERT_BALANCE, [(*k, v[0], v[1]) for k, v in self._pending.items()])
        if self._edge_rows:
            self._conn.execute(sa.insert(t.edges), self._edge_rows)
        if self._event_rows:
            self._conn.execute(sa.insert(t.container_events), self._event_rows)
            state = [
                {"container_id": c, "parent_id": p, "location_id": loc}
                for c, (p, loc) in self._cstate.items()
            ]
            self._conn.execute(self._state_upsert(), state)
        for k, (delta, last) in self._pending.items():
            if k in self._base:
                qty, old = self._base[k]
                self._base[k] = (qty + delta, max(old, last))
            elif k in self._absent:
                self._absent.discard(k)
                self._base[k] = (delta, last)
        self._rows(_UPDATE_HEAD, self._head)
        self._tx_rows, self._mv_rows = [], []
        self._pending, self._pending_serials = {}, {}
        self._edge_rows, self._event_rows, self._cstate = [], [], {}

    def _driver_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cursor = self._cursor
        if cursor is None:
            if self._conn.dialect.paramstyle != "qmark":
                sql = sql.replace("?", "%s")
            self._conn.exec_driver_sql(sql, rows)
        elif len(rows) == 1:
            self._rows(sql, rows[0])
        else:
            try:
                cursor.executemany(sql, rows)
            except self._conn.dialect.loaded_dbapi.Error as e:
                raise _driver_error(sql, rows, e, self._conn.dialect) from e

    def _insert(self, table: sa.Table) -> Any:
        if self._conn.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _state_upsert(self) -> Any:
        c = t.container_state
        insert = self._insert(c)
        return insert.on_conflict_do_update(
            index_elements=[c.c.container_id],
            set_={
                "parent_id": insert.excluded.parent_id,
                "location_id": insert.excluded.location_id,
            },
        )

    def rebuild_projection(self, *, progress: Callable[[int], None] | None = None) -> None:
        checkpoints.rebuild_projection(self, progress)

    def checkpoint(self) -> int:
        return checkpoints.take(self)

    # -- reservations (see _reservations.py) ------------------------------------------------

    def reserved(self, keys: Iterable[PositionKey]) -> dict[PositionKey, Decimal]:
        return reserving.reserved(self, keys)

    def reservations(
        self, order: str | None = None, *, item: str | None = None
    ) -> list[Reservation]:
        return reserving.reservations(self, order, item=item)

    def candidates(
        self,
        item: str,
        *,
        statuses: Collection[str],
        lot: str | None = None,
        location: str | None = None,
    ) -> list[Candidate]:
        return reserving.candidates(self, item, statuses=statuses, lot=lot, location=location)

    def reserve(self, reservation: Reservation) -> None:
        reserving.reserve(self, reservation)

    def consume(self, reservation: Reservation) -> None:
        reserving.consume(self, reservation)

    def release_reservations(self, order: str, line: str | None = None) -> list[Reservation]:
        return reserving.release(self, order, line)

    # -- analytics (see _analytics.py) ------------------------------------------------------

    def analytics(self) -> SqlAnalytics:
        """The analytics of this view, answered in set-based SQL."""
        from stockline.adapters.sqlalchemy._analytics import SqlAnalytics

        return SqlAnalytics(self)

    # -- operational documents (see _documents.py) ------------------------------------------

    def document(self, kind: str, key: str) -> Document | None:
        return documents.get(self._conn, kind, key)

    def documents(self, kind: str, *, prefix: str = "") -> list[Document]:
        return documents.list_(self._conn, kind, prefix)

    def put_document(
        self,
        kind: str,
        key: str,
        body: Mapping[str, Any],
        *,
        version: int,
        actor: str | None,
        at: dt.datetime,
    ) -> Document:
        return documents.put(self._conn, kind, key, body, version=version, actor=actor, at=at)

    def delete_document(self, kind: str, key: str, *, version: int) -> None:
        documents.delete(self._conn, kind, key, version=version)

    def commit(self) -> None:
        """Flush and record the new master version; the caller commits the connection."""
        self.flush()
        if self._master_dirty:
            self._version += 1
            self._rows("UPDATE sl_head SET master_version = ? WHERE id = 1", (self._version,))

    def committed(self) -> None:
        """Publish what this block learnt to the store's caches, after a successful commit."""
        self._store._publish(
            self._new,
            self._records,
            self._version,
            since=self._since,
            places_changed=self._places_changed,
        )


#: The head row, and whether anything is reserved, read first by every SQLite block.
_HEAD_SQLITE = (
    "SELECT last_tx, last_hash, master_version, EXISTS (SELECT 1 FROM sl_reservations) "
    "FROM sl_head WHERE id = 1"
)
_UPDATE_HEAD = "UPDATE sl_head SET last_tx = ?, last_hash = ? WHERE id = 1"


def _driver_error(
    sql: str, params: Any, error: Exception, dialect: sa.Dialect
) -> sa.exc.StatementError:
    """A driver's own error as SQLAlchemy would have wrapped it, so the store translates it."""
    return sa.exc.DBAPIError.instance(
        sql, params, error, dialect.loaded_dbapi.Error, dialect=dialect
    )


def _ids_in(column: sa.ColumnElement[Any], ids: list[int]) -> sa.ColumnElement[bool]:
    """``column`` in the sorted ``ids``: a range scan when they are consecutive, else IN."""
    if ids[-1] - ids[0] + 1 == len(ids):
        return column.between(ids[0], ids[-1])
    return column.in_(ids)


def _insert_sql(table: sa.Table, order: tuple[str, ...]) -> str:
    """An INSERT of every column of ``table``, in ``order`` (the order ``append`` builds)."""
    if tuple(c.name for c in table.columns) != order:
        raise AssertionError(f"{table.name}'s columns are not in the order append() builds rows")
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks})"


_INSERT_TRANSACTION = _insert_sql(
    t.transactions,
    (
        "id",
        "kind",
        "effective_at",
        "recorded_at",
        "key",
        "fingerprint",
        "refs",
        "counterparty",
        "actor",
        "reason",
        "reverses",
        "prev_hash",
        "hash",
    ),
)
_INSERT_MOVEMENT = _insert_sql(
    t.movements,
    (
        "tx_id",
        "line",
        "item_id",
        "lot_id",
        "serial",
        "qty",
        "src_loc",
        "src_status",
        "src_container",
        "dst_loc",
        "dst_status",
        "dst_container",
        "effective_at",
    ),
)
_UPSERT_BALANCE = (
    _insert_sql(
        t.balances,
        (
            "item_id",
            "lot_id",
            "serial",
            "location_id",
            "status_id",
            "container_id",
            "qty",
            "last_at",
        ),
    )
    + " ON CONFLICT (item_id, lot_id, serial, location_id, status_id, container_id) DO UPDATE"
    " SET qty = sl_balances.qty + excluded.qty, last_at = CASE WHEN excluded.last_at >"
    " sl_balances.last_at THEN excluded.last_at ELSE sl_balances.last_at END"
)


def _balance_lookup(dialect: sa.Dialect, keys: list[_IdKey]) -> tuple[str, tuple[Any, ...]]:
    """One statement reading the balance rows of ``keys``: a join on a VALUES list.

    Each key is found by the primary key, so the cost follows the number of keys, not the size
    of the projection (SQLite may scan the table for a row-value ``IN``).
    """
    if dialect.paramstyle != "qmark":
        # PostgreSQL: six arrays, one per column, so that the statement's text and its
        # parameters stay the same whatever the number of keys and the driver keeps it
        # prepared (a VALUES list of 400 keys was parsed again on every call).
        return _BALANCES_BY_ARRAYS, tuple(list(column) for column in zip(*keys, strict=True))
    row = "(?, ?, ?, ?, ?, ?)"
    sql = f"WITH k {_KEY_COLUMNS} AS (VALUES {', '.join([row] * len(keys))}) {_BALANCES_OF_K}"
    return sql, tuple(value for key in keys for value in key)


_KEY_COLUMNS = "(item_id, lot_id, serial, location_id, status_id, container_id)"
_BALANCES_OF_K = (
    "SELECT b.item_id, b.lot_id, b.serial, b.location_id, b.status_id, b.container_id, "
    "b.qty, b.last_at FROM k JOIN sl_balances b ON b.item_id = k.item_id "
    "AND b.lot_id = k.lot_id AND b.serial = k.serial AND b.location_id = k.location_id "
    "AND b.status_id = k.status_id AND b.container_id = k.container_id"
)
_BALANCES_BY_ARRAYS = (
    f"WITH k {_KEY_COLUMNS} AS (SELECT * FROM unnest(CAST(%s AS BIGINT[]), "
    "CAST(%s AS BIGINT[]), CAST(%s AS VARCHAR[]), CAST(%s AS BIGINT[]), CAST(%s AS BIGINT[]), "
    f"CAST(%s AS BIGINT[]))) {_BALANCES_OF_K}"
)


#: The identity columns of a balance row, in PositionKey order.
_BALANCE_KEY = (
    t.balances.c.item_id,
    t.balances.c.lot_id,
    t.balances.c.serial,
    t.balances.c.location_id,
    t.balances.c.status_id,
    t.balances.c.container_id,
)

#: '' as a literal in the SQL: a condition "serial <> ''" beside "serial = ?" lets the
#: partial index of serials serve, which a bound '' would not.
_NO_SERIAL: sa.ColumnElement[str] = sa.literal_column("''")

#: Subtrees with more locations than this are matched by path range, not by a list of ids.
_SHORT_LIST = 64
#: Subtrees whose ids make at most this many runs of consecutive numbers are matched by them.
_RUNS = 16


#: The on-hand filters: the condition each adds, with its parameters in order. "hi", "root"
#: and "internal" ride along with "lo": the root, and "root/" up to "root0", is every path
#: below the root and nothing else ("/" sorts just before "0").
_TOTAL_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "item": ("item_id = :item", ("item",)),
    "lot": ("lot_id = :lot", ("lot",)),
    "serial": ("serial = :serial", ("serial",)),
    "status": ("status_id = :status", ("status",)),
    "container": ("container_id = :container", ("container",)),
    "loc": ("location_id = :loc", ("loc",)),
    "locs": ("location_id IN :locs", ("locs",)),
    "runs": ("", ("runs",)),
    "lo": (
        "location_id IN (SELECT id FROM sl_locations WHERE "
        "(path = :root OR (path >= :lo AND path < :hi))",
        ("root", "lo", "hi"),
    ),
}


def _total_where(filters: tuple[str, ...], runs: int = 0) -> tuple[str, tuple[str, ...]]:
    parts: list[str] = []
    names: list[str] = []
    for f in filters:
        if f in _TOTAL_FILTERS:
            condition, params = _TOTAL_FILTERS[f]
            if f == "runs":
                between = (f"location_id BETWEEN :first{n} AND :last{n}" for n in range(runs))
                condition = "(" + " OR ".join(between) + ")"
            if f == "lo":
                condition += " AND kind = :internal)" if "internal" in filters else ")"
                params += ("internal",) if "internal" in filters else ()
            parts.append(condition)
            names.extend(params)
    return " AND ".join(parts) or "1 = 1", tuple(names)


@functools.cache
def _total_statement(filters: tuple[str, ...], runs: int = 0) -> sa.TextClause:
    """The on-hand sum for one combination of filters (a handful exist, each built once);
    ``runs`` ranges of location ids are bound as ``first0``, ``last0``, ..."""
    where, _ = _total_where(filters, runs)
    stmt = sa.text(f"SELECT COALESCE(SUM(qty), 0) FROM sl_balances WHERE {where}")
    if "locs" in filters:
        stmt = stmt.bindparams(sa.bindparam("locs", expanding=True))
    return stmt


@functools.lru_cache(maxsize=512)
def _total_driver_sql(
    filters: tuple[str, ...], locs: int, runs: int = 0
) -> tuple[str, tuple[str, ...]]:
    """:func:`_total_statement` for the SQLite driver: ``?`` placeholders (``locs`` of them
    for a list of locations, two per run) and the names of the parameters in their order."""
    where, names = _total_where(filters, runs)
    where = re.sub(r":\w+", "?", where.replace(":locs", "(" + ", ".join("?" * locs) + ")"))
    return f"SELECT COALESCE(SUM(qty), 0) FROM sl_balances WHERE {where}", names


@functools.cache
def _driver_insert(table: str, columns: tuple[str, ...]) -> str:
    """An INSERT of ``columns`` into ``table`` for the SQLite driver (``?`` placeholders)."""
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


@functools.cache
def _upsert_statements(table: sa.Table, column: str) -> tuple[Any, Any, Any]:
    """Find, insert and update statements of a master table keyed by ``column`` (``:key``),
    built once so that SQLAlchemy's compiled cache serves them."""
    has_id = "id" in table.c
    find = sa.select(table.c.id if has_id else table.c[column]).where(
        table.c[column] == sa.bindparam("key")
    )
    update = sa.update(table).where(table.c[column] == sa.bindparam("key"))
    return find, sa.insert(table), update


def _inserted_id(result: sa.CursorResult[Any]) -> int:
    primary_key = result.inserted_primary_key
    assert primary_key is not None, "an INSERT of one row has a primary key"
    return int(primary_key[0])


# Statements built once; SQLAlchemy caches their compiled form, so a lookup costs a dict hit.
_INSERT_LOT = sa.insert(t.lots)
_LOT_ID_SQL = "SELECT id FROM sl_lots WHERE item_id = ? AND code = ?"
#: The largest number the change feed's 32-bit ``seq`` column holds.
_MAX_SEQ = 2**31 - 1
#: A lot by its item's SKU and its code, for SQLite's driver (dates are ISO text there).
_LOT_SQL = (
    "SELECT l.id, l.expiry, l.produced_on, l.tlc_source_reference FROM sl_lots AS l "
    "JOIN sl_items AS i ON i.id = l.item_id WHERE i.sku = ? AND l.code = ?"
)
_UPDATE_LOT = sa.update(t.lots).where(t.lots.c.id == sa.bindparam("lot_id"))
_INSERT_CHANGE = sa.insert(t.master_changes)
_ITEM = sa.select(t.items).where(t.items.c.sku == sa.bindparam("key"))
_LOCATION = sa.select(t.locations).where(t.locations.c.path == sa.bindparam("key"))
_LOCATIONS = sa.select(t.locations).where(
    t.locations.c.path.in_(sa.bindparam("paths", expanding=True))
)
_LOT = (
    sa.select(t.lots)
    .join(t.items, t.items.c.id == t.lots.c.item_id)
    .where(t.items.c.sku == sa.bindparam("sku"), t.lots.c.code == sa.bindparam("code"))
)
_PARTY = sa.select(t.parties).where(t.parties.c.code == sa.bindparam("key"))
_STATUS = sa.select(t.statuses).where(t.statuses.c.name == sa.bindparam("key"))
_CONTAINER = sa.select(t.containers).where(t.containers.c.code == sa.bindparam("key"))

# Whether any edge leaves a lot (or a serial of it): sent as they are (see _rows).
_EDGE_FROM_LOT = "SELECT tx_id FROM sl_edges WHERE p_item = ? AND p_lot = ? LIMIT 1"
_EDGE_FROM_SERIAL = (
    "SELECT tx_id FROM sl_edges WHERE p_item = ? AND p_lot = ? AND p_serial = ? LIMIT 1"
)

_ID_TABLES: dict[str, tuple[sa.Table, str]] = {
    "item": (t.items, "sku"),
    "location": (t.locations, "path"),
    "status": (t.statuses, "name"),
    "container": (t.containers, "code"),
}
