"""The SQLAlchemy store: SQLite (embedded default) and PostgreSQL, one code path."""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import sqlalchemy as sa
from sqlalchemy import event, exc, pool

from stockline.adapters.sqlalchemy import _schema as t
from stockline.adapters.sqlalchemy._ids import Ids
from stockline.adapters.sqlalchemy._session import SqlSession, listened
from stockline.adapters.sqlalchemy._template import is_empty, template
from stockline.errors import ConcurrencyError, StocklineError, StoreError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["VERSION_TABLE", "SqlAlchemyStockStore"]

_MIGRATIONS = Path(__file__).with_name("migrations")
#: The table where Alembic records a stockline database's schema version; a database that
#: has it is a stockline ledger.
VERSION_TABLE = "sl_alembic_version"
#: SQLSTATEs after which the database has rolled the transaction back and a new attempt may
#: succeed: serialization_failure and deadlock_detected.
_RETRYABLE = frozenset({"40001", "40P01"})
#: Any constant will do: concurrent first opens of an empty database take turns migrating.
_MIGRATION_LOCK = 7_146_557_105
_T = TypeVar("_T")


@attrs.define(repr=False)
class SqlAlchemyStockStore:
    """A store in a SQL database reached through SQLAlchemy 2.x.

    Use :meth:`open` with a URL, or pass an existing ``Engine``. The schema is created and
    migrated by the Alembic migrations shipped in the package when the store is opened
    (``migrate=False`` to leave that to your own deployment).

    Writers are serialised: on SQLite by ``BEGIN IMMEDIATE`` (with a busy timeout, so writers
    from other processes wait their turn), elsewhere by a row lock on ``sl_head`` taken first
    in every write block. Balance checks and the hash chain rely on that.

    When the database reports a serialization failure or a deadlock (SQLSTATE ``40001`` or
    ``40P01``, as a distributed SQL engine running ``SERIALIZABLE`` may at any statement), the
    write block is tried again on a fresh transaction, up to ``max_attempts`` times, replaying
    what it had read and written so far: if every read gives the same answer again, the writes
    computed from them are still right; if not, or after the last attempt,
    :class:`~stockline.errors.ConcurrencyError` is raised and nothing was written.

    To post inside a transaction of your own (an invoice row and its stock movement committed
    or rolled back together), use :meth:`on_connection`.

    Attributes:
        engine: The SQLAlchemy engine.
        max_attempts: How many times a write block is tried when the database reports a
            serialization failure or a deadlock.
    """

    engine: sa.Engine
    max_attempts: int = attrs.field(default=10, kw_only=True)
    _ids: Ids = attrs.field(factory=Ids, init=False)
    _cache: dict[tuple[str, object], object] = attrs.field(factory=dict, init=False)
    _cache_version: int = attrs.field(default=-1, init=False)
    _cache_lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)
    # The cache's derived entries ("index"), dropped when master data change.
    _derived: set[tuple[str, object]] = attrs.field(factory=set, init=False)
    # A single shared connection (SQLite in memory) must not be used by two threads at once.
    # A context manager, not threading.RLock: that is a factory function, not a type.
    _single: AbstractContextManager[bool] | None = attrs.field(default=None, init=False)
    # The host's connection, when postings join the host's own transaction.
    _joined: sa.Connection | None = attrs.field(default=None, init=False)

    def __repr__(self) -> str:
        return f"<SqlAlchemyStockStore {self.engine.url.render_as_string(hide_password=True)}>"

    @classmethod
    def open(
        cls,
        url: str | sa.URL,
        *,
        migrate: bool = True,
        sqlite_synchronous: str = "FULL",
        max_attempts: int = 10,
        **engine_options: Any,
    ) -> SqlAlchemyStockStore:
        """Open the database at ``url``, creating or upgrading its schema.

        Args:
            url: ``sqlite:///path.db``, ``sqlite://`` (in memory) or any SQLAlchemy URL such as
                ``postgresql+psycopg://user:pw@host/db``. A bare ``postgresql://`` URL uses
                psycopg 3 (install ``stockline[postgres]``).
            migrate: Apply the shipped migrations (create the schema if absent).
            sqlite_synchronous: SQLite's ``synchronous`` setting. ``FULL`` (default) loses
                nothing committed even on power loss; ``NORMAL`` is faster and still never
                corrupts, but a power cut may lose the last commits.
            max_attempts: How many times a write block is tried when the database reports a
                serialization failure or a deadlock before
                :class:`~stockline.errors.ConcurrencyError` is raised.
            **engine_options: Passed to :func:`sqlalchemy.create_engine`. On PostgreSQL the
                isolation level defaults to ``READ COMMITTED``, which is all stockline needs.
        """
        if max_attempts < 1:
            raise StoreError(f"max_attempts must be at least 1, not {max_attempts}")
        try:
            url = sa.make_url(url)
        except sa.exc.ArgumentError as e:
            raise StoreError(f"not a database URL: {url!r} ({e})") from None
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() == "sqlite":
            memory = url.database in (None, "", ":memory:")
            if memory:
                engine_options.setdefault("poolclass", pool.StaticPool)
                engine_options.setdefault("connect_args", {"check_same_thread": False})
            engine = sa.create_engine(url, **engine_options)
            _configure_sqlite(engine, synchronous=sqlite_synchronous, wal=not memory)
            store = cls(engine, max_attempts=max_attempts)
            if memory:
                store._single = threading.RLock()
        else:
            if url.get_backend_name() == "postgresql":
                engine_options.setdefault("isolation_level", "READ COMMITTED")
            try:
                engine = sa.create_engine(url, **engine_options)
            except ModuleNotFoundError as e:
                raise StoreError(
                    f"the database driver for {url.drivername} is not installed ({e}); "
                    "for PostgreSQL install stockline[postgres] (psycopg 3)"
                ) from e
            store = cls(engine, max_attempts=max_attempts)
        if migrate:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the schema up to the newest migration."""
        with self._guard(), _translated(), self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # DDL is transactional here: a second process opening the same empty database
                # waits, then finds the schema up to date.
                lock = sa.func.pg_advisory_xact_lock(sa.literal(_MIGRATION_LOCK, sa.BigInteger))
                conn.execute(sa.select(lock))
            if conn.dialect.name == "sqlite" and is_empty(conn):
                # What the migrations make of an empty database, made once per process.
                template(_template_engine, _upgrade).replay(conn)
                return
            _upgrade(conn)

    @classmethod
    def on_connection(cls, connection: sa.Connection) -> SqlAlchemyStockStore:
        """A store whose reads and postings run in the host's own transaction on ``connection``.

        Nothing is committed by stockline: the host commits (its own rows and the postings
        together) or rolls back (neither happened). A posting that stockline refuses is rolled
        back to a savepoint, so the host's transaction stays usable. The schema must already be
        migrated (``SqlAlchemyStockStore(engine).migrate()`` at deployment).

        Example:
            >>> import sqlalchemy as sa, stockline as sl
            >>> engine = SqlAlchemyStockStore.open("sqlite://").engine
            >>> with engine.begin() as conn:  # the host's transaction
            ...     inv = sl.Inventory(store=SqlAlchemyStockStore.on_connection(conn))
            ...     _ = inv.add_item("BOLT")

        Writers still take stockline's lock first (``sl_head``; on SQLite the database's write
        lock), and hold it until the host's transaction ends, so keep such transactions short.
        The store keeps no caches across blocks, since it cannot know whether the host
        committed. Serialization failures are not retried here (the transaction is the
        host's): they raise :class:`~stockline.errors.ConcurrencyError`.
        """
        store = cls(connection.engine, max_attempts=1)
        store._joined = connection
        return store

    def close(self) -> None:
        """Dispose of the engine's connections (a store on a host's connection leaves it open)."""
        if self._joined is None:
            self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[SqlSession]:
        """Open a read view (one database transaction, a consistent snapshot)."""
        if self._joined is not None:
            self._forget()
            with _translated():
                yield SqlSession(self, self._joined, writing=False)
            return
        with self._guard(), _translated(), self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # One snapshot for the whole view: a check comparing the projection with the
                # ledger must not see a writer's commit between its two queries. A read-only
                # REPEATABLE READ transaction never fails to serialize.
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield SqlSession(self, conn, writing=False)

    @contextmanager
    def write(self) -> Iterator[SqlSession]:
        """Open an atomic write block, tried again on serialization failures and deadlocks."""
        if self._joined is not None:
            with self._joined_write() as session:
                yield session
            return
        if self.engine.dialect.name == "sqlite":
            # BEGIN IMMEDIATE serialises SQLite writers before they read anything, so the
            # database never asks for a retry: no need to record the block for a replay.
            with self._guard(), _translated(), self.engine.connect() as conn:
                conn = conn.execution_options(stockline_write=True)
                with conn.begin():
                    session = SqlSession(self, conn, writing=True)
                    yield session
                    session.commit()
                session.committed()
            return
        with self._guard(), _translated():
            block = _WriteBlock(self)
            try:
                block.start()
                # The block stands in for the session, recording each call so that it can be
                # replayed on a fresh transaction if the database asks for a retry.
                yield cast(SqlSession, block)
                block.finish()
            finally:
                block.close()

    @contextmanager
    def _joined_write(self) -> Iterator[SqlSession]:
        conn = self._joined
        assert conn is not None
        self._forget()
        with _translated():
            if conn.dialect.name == "sqlite":
                # Take SQLite's write lock before reading anything, as BEGIN IMMEDIATE would:
                # the balances read next must not change before this block writes.
                conn.execute(sa.update(t.head).where(t.head.c.id == 1).values(id=t.head.c.id))
            with conn.begin_nested():
                session = SqlSession(self, conn, writing=True)
                yield session
                session.commit()

    def _forget(self) -> None:
        """Drop every cache: what a host's transaction showed may yet be rolled back."""
        with self._cache_lock:
            self._ids = Ids()
            self._cache.clear()
            self._cache_version = -1

    @contextmanager
    def _guard(self) -> Iterator[None]:
        if self._single is None:
            yield
        else:
            with self._single:
                yield

    # -- caches shared by sessions -----------------------------------------------------------

    def _sync_cache(self, version: int) -> None:
        with self._cache_lock:
            if version != self._cache_version:
                self._cache.clear()
                self._cache_version = version

    def _cached_record(self, entity: str, key: object, version: int) -> tuple[bool, Any]:
        with self._cache_lock:
            if version == self._cache_version and (entity, key) in self._cache:
                return True, self._cache[(entity, key)]
        return False, None

    def _remember_record(self, entity: str, key: object, record: object, version: int) -> None:
        with self._cache_lock:
            if version == self._cache_version:
                self._cache[(entity, key)] = record
                if entity == "index":
                    self._derived.add((entity, key))

    def _publish(
        self,
        ids: Ids,
        records: dict[tuple[str, object], object],
        version: int,
        *,
        since: int | None = None,
        places_changed: bool = True,
    ) -> None:
        """Take in what a committed block learnt and saved.

        ``since`` is the master version the block started from. If the cache holds that
        version, the block's own saves are the only master changes in between (writers are
        serialised), so the cache is kept and only those records replaced: a receipt that
        creates a lot must not make every later posting read all master data again.
        Otherwise another writer changed master data, and the cache starts afresh. The derived
        entries (the location index and the subtrees found in it) are kept unless the block
        saved a location (``places_changed``): most master changes are new lots.
        """
        with self._cache_lock:
            self._ids.merge(ids)
            if version != self._cache_version:
                if since is not None and since == self._cache_version:
                    # Derived entries (the location index) are stale only if a location
                    # changed; records are replaced.
                    if places_changed:
                        for key in self._derived:
                            self._cache.pop(key, None)
                        self._derived.clear()
                else:
                    self._cache.clear()
                    self._derived.clear()
                self._cache_version = version
            self._cache.update(records)


class _ReplayMismatchError(Exception):
    """A replayed read gave another answer: the block's writes may no longer be right."""


class _WriteBlock:
    """A write block that survives serialization failures and deadlocks.

    Every call the caller makes on the session goes through here and is logged with its
    result. When the database reports SQLSTATE 40001 or 40P01 (it has rolled the transaction
    back), the block opens a fresh transaction, takes the head lock again, replays the log
    and checks that every call returns what it returned before; the caller's code, which only
    decided from those answers, then carries on (or commits) none the wiser.
    """

    def __init__(self, store: SqlAlchemyStockStore) -> None:
        self._store = store
        self._conn: sa.Connection | None = None
        self._session: SqlSession | None = None
        self._log: list[tuple[str, tuple[Any, ...], dict[str, Any], Any]] = []
        self.attempts = 1

    def start(self) -> None:
        self._retrying(lambda: None, fresh=True)

    def finish(self) -> None:
        def commit() -> None:
            assert self._session is not None
            assert self._conn is not None
            self._session.commit()
            self._conn.commit()

        self._retrying(commit)
        assert self._session is not None
        self._session.committed()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()  # rolls back whatever was not committed
            self._conn = None

    def __getattr__(self, name: str) -> Any:
        method = getattr(SqlSession, name)
        if not callable(method) or name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            # An iterator argument could not be read twice on a replay.
            args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)
            kwargs = {k: list(v) if isinstance(v, Iterator) else v for k, v in kwargs.items()}

            def once() -> Any:
                assert self._session is not None
                return getattr(self._session, name)(*args, **kwargs)

            result = self._retrying(once)
            self._log.append((name, args, kwargs, result))
            return result

        return call

    def _open(self) -> None:
        self.close()
        conn = self._store.engine.connect().execution_options(stockline_write=True)
        self._conn = conn
        conn.begin()
        self._session = SqlSession(self._store, conn, writing=True)  # locks the head first

    def _retrying(self, step: Callable[[], _T], *, fresh: bool = False) -> _T:
        while True:
            try:
                if fresh:
                    self._open()
                    self._replay()
                return step()
            except exc.DBAPIError as e:
                if _sqlstate(e) not in _RETRYABLE:
                    raise
                if self.attempts >= self._store.max_attempts:
                    raise ConcurrencyError(attempts=self.attempts, detail=_text(e)) from e
                self.close()
                self.attempts += 1
                fresh = True
                # Jittered exponential back-off, so that the writers that collided spread out.
                time.sleep(min(0.002 * 2**self.attempts, 0.25) * random.uniform(0.5, 1.5))
            except _ReplayMismatchError as e:
                raise ConcurrencyError(
                    attempts=self.attempts,
                    detail=f"on the retry, another writer's changes had altered what the block "
                    f"read: {e}",
                ) from None

    def _replay(self) -> None:
        assert self._session is not None
        for name, args, kwargs, result in self._log:
            again = getattr(self._session, name)(*args, **kwargs)
            if isinstance(result, Iterator) or again != result:
                raise _ReplayMismatchError(f"{name}() answered differently")


def _sqlstate(error: exc.DBAPIError) -> str | None:
    """The SQLSTATE of a driver error (psycopg 3 and 2 spell it differently)."""
    for attribute in ("sqlstate", "pgcode"):
        code = getattr(error.orig, attribute, None)
        if isinstance(code, str):
            return code
    return None


def _text(error: exc.DBAPIError) -> str:
    return (str(error.orig) if error.orig is not None else str(error)).strip()


def _configure_sqlite(engine: sa.Engine, *, synchronous: str, wal: bool) -> None:
    """Let SQLAlchemy, not pysqlite, say when transactions begin, and set the pragmas."""
    if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise StoreError(
            f"sqlite_synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}"
        )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # IMMEDIATE takes the write lock up front: two writers that both read a balance and
        # then try to write would otherwise deadlock or fail on upgrade.
        immediate = conn.get_execution_options().get("stockline_write", False)
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        if listened(conn):
            conn.exec_driver_sql(statement)
        else:
            # Nobody listens: straight to the driver, as the session sends its hot statements.
            conn.connection.driver_connection.execute(statement)  # type: ignore[union-attr]


@functools.cache
def _heads() -> frozenset[str]:
    """The newest revisions of the shipped migrations (reading them loads every script)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(_alembic_config()).get_heads())


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def _template_engine() -> sa.Engine:
    """An in-memory SQLite engine set up as :meth:`SqlAlchemyStockStore.open` sets one up."""
    engine = sa.create_engine("sqlite://", poolclass=pool.StaticPool)
    _configure_sqlite(engine, synchronous="OFF", wal=False)
    return engine


def _upgrade(conn: sa.Connection) -> None:
    """Apply the shipped migrations that ``conn``'s database lacks, in its transaction."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    # "heads", not "head": migrations developed side by side may branch from one revision;
    # every branch is applied.
    if set(context.get_current_heads()) == _heads():
        return
    config = _alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "heads")


@contextmanager
def _translated() -> Iterator[None]:
    """Re-raise driver errors as stockline errors, keeping the original as the cause."""
    try:
        yield
    except StocklineError:
        raise
    except exc.DBAPIError as e:
        text = _text(e)
        if _sqlstate(e) in _RETRYABLE or "database is locked" in text:
            raise ConcurrencyError(attempts=1, detail=f"the database stayed busy: {text}") from e
        raise StoreError(f"the database refused the operation: {text}") from e
