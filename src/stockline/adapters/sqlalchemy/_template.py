"""A new SQLite database's schema, made once per process by the shipped migrations.

Running Alembic takes tens of milliseconds (it loads every migration script), which a process
opening many fresh SQLite databases (tests, a CLI building several ledgers) pays each time.
The first empty SQLite database is migrated into an in-memory template; every later empty one
gets the template's schema statements (``sqlite_master``, in creation order) and rows (the
version, the head, the built-in statuses, ``sqlite_sequence``) replayed in its own transaction:
the same database the migrations make, by construction and checked by a test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import attrs
import sqlalchemy as sa

__all__ = ["SqliteTemplate", "is_empty", "template"]

_LOCK = threading.Lock()
_TEMPLATE: list[SqliteTemplate] = []


@attrs.frozen
class SqliteTemplate:
    """What the migrations leave in an empty SQLite database.

    Attributes:
        schema: ``CREATE`` statements of tables, indexes and views, in creation order.
        triggers: ``CREATE TRIGGER`` statements, run after the rows are in.
        rows: Per table (``sqlite_sequence`` last), its column names and rows.
    """

    schema: tuple[str, ...]
    triggers: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...], tuple[tuple[Any, ...], ...]], ...]

    @classmethod
    def of(cls, conn: sa.Connection) -> SqliteTemplate:
        """Read the template from a migrated database."""
        objects = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ).all()
        schema = tuple(
            sql
            for kind, name, sql in objects
            if kind != "trigger" and not name.startswith("sqlite_")
        )
        triggers = tuple(sql for kind, _, sql in objects if kind == "trigger")
        tables = [name for kind, name, _ in objects if kind == "table"]
        tables.sort(key=lambda name: name == "sqlite_sequence")
        rows = []
        for table in tables:
            result = conn.exec_driver_sql(f'SELECT * FROM "{table}"')
            found = tuple(tuple(r) for r in result.all())
            if found:
                rows.append((table, tuple(result.keys()), found))
        return cls(schema, triggers, tuple(rows))

    def replay(self, conn: sa.Connection) -> None:
        """Make the empty database on ``conn`` what the migrations would make it."""
        for statement in self.schema:
            conn.exec_driver_sql(statement)
        for table, columns, rows in self.rows:
            if table == "sqlite_sequence":
                # Inserting into AUTOINCREMENT tables filled it already: take the template's.
                conn.exec_driver_sql("DELETE FROM sqlite_sequence")
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(rows))
        for statement in self.triggers:
            conn.exec_driver_sql(statement)


def is_empty(conn: sa.Connection) -> bool:
    """Whether the SQLite database on ``conn`` has no schema objects at all."""
    count: int = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
    return count == 0


def template(
    engine: Callable[[], sa.Engine], upgrade: Callable[[sa.Connection], None]
) -> SqliteTemplate:
    """The template, made on first use by running ``upgrade`` on a new in-memory database
    from ``engine()``."""
    with _LOCK:
        if not _TEMPLATE:
            made = engine()
            try:
                with made.begin() as conn:
                    upgrade(conn)
                    _TEMPLATE.append(SqliteTemplate.of(conn))
            finally:
                made.dispose()
        return _TEMPLATE[0]
