"""A slimmer ledger: binary hashes, rowid transaction ids, partial unique indexes.

* ``sl_transactions``: ``fingerprint``, ``prev_hash`` and ``hash`` hold the 32 bytes of the
  SHA-256 digest instead of 64 hex characters; the unique indexes on ``key`` and ``reverses``
  only hold the rows that have one (most have neither); on SQLite ``id`` becomes an
  ``INTEGER PRIMARY KEY``, the rowid itself, so the table needs no separate key index.
* ``sl_balances``: on SQLite a ``WITHOUT ROWID`` table, its rows kept in the primary key's own
  b-tree (one b-tree to update per balance change instead of two).

The rows are carried over unchanged apart from the hashes' encoding, so ``verify()`` gives
the same answer before and after. On PostgreSQL the columns change type in place; no row
trigger fires, so the append-only triggers of revision 0003 stay as they are.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_DIGESTS = ("fingerprint", "prev_hash", "hash")


def _transactions(name: str, *, binary: bool) -> list[Any]:
    digest: Any = sa.LargeBinary(32) if binary else sa.String(64)
    tx_id: Any = sa.Integer if binary else sa.BigInteger
    return [
        name,
        sa.Column("id", tx_id, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("effective_at", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.BigInteger, nullable=False),
        sa.Column("key", sa.String, unique=not binary),
        sa.Column("fingerprint", digest),
        sa.Column("refs", sa.String),
        sa.Column("counterparty", sa.String),
        sa.Column("actor", sa.String),
        sa.Column("reason", sa.String),
        sa.Column("reverses", sa.BigInteger, unique=not binary),
        sa.Column("prev_hash", digest, nullable=False),
        sa.Column("hash", digest, nullable=False),
    ]


def _balances(name: str) -> list[Any]:
    return [
        name,
        sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("lot_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("serial", sa.String, primary_key=True),
        sa.Column("location_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("status_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("container_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("qty", sa.BigInteger, nullable=False),
        sa.Column("last_at", sa.BigInteger, nullable=False),
    ]


_COLUMNS = (
    "id, kind, effective_at, recorded_at, key, {fingerprint}, refs, counterparty, actor, "
    "reason, reverses, {prev_hash}, {hash}"
)
_BALANCE_COLUMNS = "item_id, lot_id, serial, location_id, status_id, container_id, qty, last_at"


def _hex_to_bytes(value: object) -> object:
    return bytes.fromhex(value) if isinstance(value, str) else value


def _bytes_to_hex(value: object) -> object:
    return value.hex() if isinstance(value, bytes) else value


def _rebuild_sqlite_transactions(*, binary: bool) -> None:
    """Copy sl_transactions into a table of the other shape (SQLite cannot alter types)."""
    bind = op.get_bind()
    convert = _hex_to_bytes if binary else _bytes_to_hex
    # The conversion runs in Python: SQLite before 3.41 has no unhex().
    bind.connection.driver_connection.create_function(  # type: ignore[union-attr]
        "sl_convert_digest", 1, convert, deterministic=True
    )
    op.create_table(*_transactions("sl_transactions_new", binary=binary))
    target = _COLUMNS.format(fingerprint="fingerprint", prev_hash="prev_hash", hash="hash")
    source = _COLUMNS.format(**{c: f"sl_convert_digest({c})" for c in _DIGESTS})
    op.execute(
        f"INSERT INTO sl_transactions_new ({target}) SELECT {source} FROM sl_transactions "
        "ORDER BY id"
    )
    op.drop_table("sl_transactions")
    op.rename_table("sl_transactions_new", "sl_transactions")


def _rebuild_sqlite_balances(*, with_rowid: bool) -> None:
    op.create_table(*_balances("sl_balances_new"), sqlite_with_rowid=with_rowid)
    op.execute(
        f"INSERT INTO sl_balances_new ({_BALANCE_COLUMNS}) SELECT {_BALANCE_COLUMNS} "
        "FROM sl_balances"
    )
    op.drop_index("ix_sl_balances_location", table_name="sl_balances")
    op.drop_table("sl_balances")
    op.rename_table("sl_balances_new", "sl_balances")
    op.create_index("ix_sl_balances_location", "sl_balances", ["location_id"])


def _partial_unique_indexes() -> None:
    for column in ("key", "reverses"):
        op.create_index(
            f"ux_sl_transactions_{column}",
            "sl_transactions",
            [column],
            unique=True,
            sqlite_where=sa.column(column).is_not(None),
            postgresql_where=sa.column(column).is_not(None),
        )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite_transactions(binary=True)
        _partial_unique_indexes()
        _rebuild_sqlite_balances(with_rowid=False)
        return
    for constraint in sa.inspect(bind).get_unique_constraints("sl_transactions"):
        if constraint["name"] is not None:
            op.drop_constraint(constraint["name"], "sl_transactions", type_="unique")
    _partial_unique_indexes()
    for column in _DIGESTS:
        op.alter_column(
            "sl_transactions",
            column,
            type_=sa.LargeBinary(32),
            postgresql_using=f"decode({column}, 'hex')",
        )


def downgrade() -> None:
    bind = op.get_bind()
    for column in ("key", "reverses"):
        op.drop_index(f"ux_sl_transactions_{column}", table_name="sl_transactions")
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite_balances(with_rowid=True)
        _rebuild_sqlite_transactions(binary=False)
        return
    for column in _DIGESTS:
        op.alter_column(
            "sl_transactions",
            column,
            type_=sa.String(64),
            postgresql_using=f"encode({column}, 'hex')",
        )
    for column in ("key", "reverses"):
        op.create_unique_constraint(f"sl_transactions_{column}_key", "sl_transactions", [column])
