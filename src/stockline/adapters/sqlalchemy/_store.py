"""The SQLAlchemy store: SQLite (embedded default) and PostgreSQL, one code path."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import event, exc, pool

from stockline.adapters.sqlalchemy._ids import Ids
from stockline.adapters.sqlalchemy._session import SqlSession
from stockline.errors import ConcurrencyError, StocklineError, StoreError

__all__ = ["SqlAlchemyStockStore"]

_MIGRATIONS = Path(__file__).with_name("migrations")
_VERSION_TABLE = "sl_alembic_version"


@attrs.define(repr=False)
class SqlAlchemyStockStore:
    """A store in a SQL database reached through SQLAlchemy 2.x.

    Use :meth:`open` with a URL, or pass an existing ``Engine``. The schema is created and
    migrated by the Alembic migrations shipped in the package when the store is opened
    (``migrate=False`` to leave that to your own deployment).

    Writers are serialised: on SQLite by ``BEGIN IMMEDIATE`` (with a busy timeout, so writers
    from other processes wait their turn), elsewhere by a row lock on ``sl_head`` taken first
    in every write block. Balance checks and the hash chain rely on that.

    Attributes:
        engine: The SQLAlchemy engine.
    """

    engine: sa.Engine
    _ids: Ids = attrs.field(factory=Ids, init=False)
    _cache: dict[tuple[str, object], object] = attrs.field(factory=dict, init=False)
    _cache_version: int = attrs.field(default=-1, init=False)
    _cache_lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)
    # A single shared connection (SQLite in memory) must not be used by two threads at once.
    _single: threading.RLock | None = attrs.field(default=None, init=False)

    def __repr__(self) -> str:
        return f"<SqlAlchemyStockStore {self.engine.url.render_as_string(hide_password=True)}>"

    @classmethod
    def open(
        cls,
        url: str | sa.URL,
        *,
        migrate: bool = True,
        sqlite_synchronous: str = "FULL",
        **engine_options: Any,
    ) -> SqlAlchemyStockStore:
        """Open the database at ``url``, creating or upgrading its schema.

        Args:
            url: ``sqlite:///path.db``, ``sqlite://`` (in memory) or any SQLAlchemy URL such as
                ``postgresql+psycopg://user:pw@host/db``.
            migrate: Apply the shipped migrations (create the schema if absent).
            sqlite_synchronous: SQLite's ``synchronous`` setting. ``FULL`` (default) loses
                nothing committed even on power loss; ``NORMAL`` is faster and still never
                corrupts, but a power cut may lose the last commits.
            **engine_options: Passed to :func:`sqlalchemy.create_engine`.
        """
        url = sa.make_url(url)
        if url.get_backend_name() == "sqlite":
            memory = url.database in (None, "", ":memory:")
            if memory:
                engine_options.setdefault("poolclass", pool.StaticPool)
                engine_options.setdefault("connect_args", {"check_same_thread": False})
            engine = sa.create_engine(url, **engine_options)
            _configure_sqlite(engine, synchronous=sqlite_synchronous, wal=not memory)
            store = cls(engine)
            if memory:
                store._single = threading.RLock()
        else:
            store = cls(sa.create_engine(url, **engine_options))
        if migrate:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the schema up to the newest migration."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        script = ScriptDirectory.from_config(config)
        with self._guard(), _translated(), self.engine.begin() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": _VERSION_TABLE})
            if context.get_current_revision() == script.get_current_head():
                return
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[SqlSession]:
        """Open a read view (one database transaction)."""
        with self._guard(), _translated(), self.engine.connect() as conn, conn.begin():
            yield SqlSession(self, conn, writing=False)

    @contextmanager
    def write(self) -> Iterator[SqlSession]:
        """Open an atomic write block."""
        with self._guard(), _translated(), self.engine.connect() as conn:
            conn = conn.execution_options(stockline_write=True)
            with conn.begin():
                session = SqlSession(self, conn, writing=True)
                yield session
                session.commit()
            session.committed()

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

    def _publish(self, ids: Ids, records: dict[tuple[str, object], object], version: int) -> None:
        with self._cache_lock:
            self._ids.merge(ids)
            if version != self._cache_version:
                self._cache.clear()
                self._cache_version = version
            self._cache.update(records)


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
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def _translated() -> Iterator[None]:
    """Re-raise driver errors as stockline errors, keeping the original as the cause."""
    try:
        yield
    except StocklineError:
        raise
    except exc.DBAPIError as e:
        text = str(e.orig) if e.orig is not None else str(e)
        if "locked" in text or "deadlock" in text or "could not serialize" in text:
            raise ConcurrencyError(
                f"the database stayed busy with another writer: {text}; retry the operation",
                attempts=1,
            ) from e
        raise StoreError(f"the database refused the operation: {text}") from e
