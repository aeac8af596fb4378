"""Operational documents in SQL, for :class:`SqlSession`.

Rows are written straight away, not buffered with the ledger rows: the write block is one
database transaction either way, and writers are serialised, so the version read here is the
version the change replaces. A deleted document stays as a row with an empty body (a
tombstone) that keeps its version, so the key's versions never repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from stockline.adapters.sqlalchemy import _codec as codec
from stockline.adapters.sqlalchemy import _schema as t
from stockline.ledger import Document, decode_body, encode_body, next_version

__all__ = ["delete", "get", "list_", "put"]

_D = t.documents


def get(conn: sa.Connection, kind: str, key: str) -> Document | None:
    """Return one document, or ``None``."""
    row = (
        conn.execute(sa.select(_D).where(_D.c.kind == kind, _D.c.key == key, _D.c.body != ""))
        .mappings()
        .first()
    )
    return None if row is None else _document(row)


def list_(conn: sa.Connection, kind: str, prefix: str) -> list[Document]:
    """Return the documents of ``kind`` whose key starts with ``prefix``, ordered by key."""
    stmt = sa.select(_D).where(_D.c.kind == kind, _D.c.body != "").order_by(_D.c.key)
    if prefix:
        # A range on the primary key, not LIKE: no escaping, and it uses the index.
        stmt = stmt.where(_D.c.key >= prefix, _D.c.key < prefix + "\U0010ffff")
    return [_document(r) for r in conn.execute(stmt).mappings()]


def put(
    conn: sa.Connection,
    kind: str,
    key: str,
    body: Mapping[str, Any],
    *,
    version: int,
    actor: str | None,
    at: dt.datetime,
) -> Document:
    """Create or replace a document based on ``version``."""
    text = encode_body(body)
    stored, exists = _stored(conn, kind, key)
    new = next_version(kind, key, stored, version, exists=exists)
    row = {"version": new, "body": text, "updated_at": codec.to_micros(at), "actor": actor}
    if stored == 0:
        conn.execute(sa.insert(_D).values(kind=kind, key=key, **row))
    else:
        conn.execute(sa.update(_D).where(_D.c.kind == kind, _D.c.key == key).values(**row))
    return Document(
        kind=kind, key=key, version=new, body=decode_body(text), updated_at=at, actor=actor
    )


def delete(conn: sa.Connection, kind: str, key: str, *, version: int) -> None:
    """Delete a document that is at ``version`` (leaving a tombstone that keeps the version)."""
    stored, exists = _stored(conn, kind, key)
    new = next_version(kind, key, stored, version, exists=exists)
    conn.execute(
        sa.update(_D).where(_D.c.kind == kind, _D.c.key == key).values(version=new, body="")
    )


def _stored(conn: sa.Connection, kind: str, key: str) -> tuple[int, bool]:
    """The key's last version (0: never written) and whether a document is there now."""
    row = conn.execute(
        sa.select(_D.c.version, _D.c.body).where(_D.c.kind == kind, _D.c.key == key)
    ).first()
    return (0, False) if row is None else (int(row[0]), row[1] != "")


def _document(row: Any) -> Document:
    return Document(
        kind=row["kind"],
        key=row["key"],
        version=row["version"],
        body=decode_body(row["body"]),
        updated_at=codec.from_micros(row["updated_at"]),
        actor=row["actor"],
    )
