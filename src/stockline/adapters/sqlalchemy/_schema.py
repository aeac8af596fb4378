"""The SQL schema, as SQLAlchemy Core tables.

Every table name starts with ``sl_`` so stockline can live in a host application's own
database. The hot tables (``sl_movements``, ``sl_balances``) hold integers only (ids, scaled
quantities, microsecond times) apart from the serial, to keep rows small and comparisons cheap.
The Alembic migrations in ``migrations/`` create exactly this schema; a test compares them.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "DIGEST",
    "METADATA",
    "QUANTITY_SCALE",
    "TX_ID",
    "balances",
    "checkpoint_balances",
    "checkpoint_late",
    "checkpoints",
    "container_events",
    "container_state",
    "containers",
    "documents",
    "edges",
    "gtins",
    "head",
    "items",
    "locations",
    "lots",
    "master_changes",
    "movements",
    "parties",
    "reservations",
    "statuses",
    "transactions",
]

#: Quantities are stored as integers of 10**-6 base units, so sums in SQL are exact.
QUANTITY_SCALE = 10**6

METADATA = sa.MetaData()

head = sa.Table(
    "sl_head",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_tx", sa.BigInteger, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
    sa.Column("master_version", sa.BigInteger, nullable=False),
)

items = sa.Table(
    "sl_items",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String, nullable=False, unique=True),
    sa.Column("gtin", sa.String(14)),
    sa.Column("description", sa.String, nullable=False),
    sa.Column("unit", sa.String(3), nullable=False),
    sa.Column("decimals", sa.Integer, nullable=False),
    sa.Column("tracking", sa.String(8), nullable=False),
    sa.Column("shelf_life_days", sa.Integer),
    sa.Column("packs", sa.String, nullable=False),
)

gtins = sa.Table(
    "sl_gtins",
    METADATA,
    sa.Column("gtin", sa.String, primary_key=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("sl_items.id"), nullable=False),
)

locations = sa.Table(
    "sl_locations",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("path", sa.String, nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("description", sa.String, nullable=False),
    sa.Column("gln", sa.String(13)),
    sa.Column("pick_sequence", sa.Integer, nullable=False),
    sa.Column("address", sa.String, nullable=False, server_default=""),
    sa.Column("phone", sa.String, nullable=False, server_default=""),
    sa.Column("ffrn", sa.String),
)

parties = sa.Table(
    "sl_parties",
    METADATA,
    sa.Column("code", sa.String, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("gln", sa.String(13)),
    sa.Column("location", sa.String, nullable=False),
    sa.Column("address", sa.String, nullable=False, server_default=""),
    sa.Column("phone", sa.String, nullable=False, server_default=""),
)

lots = sa.Table(
    "sl_lots",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("sl_items.id"), nullable=False),
    sa.Column("code", sa.String, nullable=False),
    sa.Column("expiry", sa.Date),
    sa.Column("produced_on", sa.Date),
    sa.Column("tlc_source_reference", sa.String),
    sa.UniqueConstraint("item_id", "code", name="uq_sl_lots_item_code"),
)

statuses = sa.Table(
    "sl_statuses",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String, nullable=False, unique=True),
    sa.Column("allocatable", sa.Boolean, nullable=False),
    sa.Column("description", sa.String, nullable=False),
)

containers = sa.Table(
    "sl_containers",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String, nullable=False, unique=True),
    sa.Column("kind", sa.String, nullable=False),
)

master_changes = sa.Table(
    "sl_master_changes",
    METADATA,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(16), nullable=False),
    sa.Column("key", sa.String, nullable=False),
    sa.Column("actor", sa.String),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("fields", sa.String, nullable=False),
)

#: A transaction's id: on SQLite an ``INTEGER PRIMARY KEY``, which is the table's rowid itself
#: (no separate key index); a 64-bit integer either way.
TX_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: A SHA-256 digest, stored as its 32 bytes (the records carry it as 64 hex characters).
DIGEST = sa.LargeBinary(32)

# Keys and reversals are rare, so their unique indexes hold only the rows that have one.
transactions = sa.Table(
    "sl_transactions",
    METADATA,
    sa.Column("id", TX_ID, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("effective_at", sa.BigInteger, nullable=False),
    sa.Column("recorded_at", sa.BigInteger, nullable=False),
    sa.Column("key", sa.String),
    sa.Column("fingerprint", DIGEST),
    sa.Column("refs", sa.String),
    sa.Column("counterparty", sa.String),
    sa.Column("actor", sa.String),
    sa.Column("reason", sa.String),
    sa.Column("reverses", sa.BigInteger),
    sa.Column("prev_hash", DIGEST, nullable=False),
    sa.Column("hash", DIGEST, nullable=False),
)
for _column in ("key", "reverses"):
    sa.Index(
        f"ux_sl_transactions_{_column}",
        transactions.c[_column],
        unique=True,
        sqlite_where=transactions.c[_column].is_not(None),
        postgresql_where=transactions.c[_column].is_not(None),
    )

# One row per movement line with both sides; lot_id 0, serial '' and container 0 mean "none"
# so the balance key has no NULLs (NULLs never compare equal in a unique key).
movements = sa.Table(
    "sl_movements",
    METADATA,
    sa.Column("tx_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("lot_id", sa.Integer, nullable=False),
    sa.Column("serial", sa.String, nullable=False),
    sa.Column("qty", sa.BigInteger, nullable=False),
    sa.Column("src_loc", sa.Integer, nullable=False),
    sa.Column("src_status", sa.Integer, nullable=False),
    sa.Column("src_container", sa.Integer, nullable=False),
    sa.Column("dst_loc", sa.Integer, nullable=False),
    sa.Column("dst_status", sa.Integer, nullable=False),
    sa.Column("dst_container", sa.Integer, nullable=False),
    sa.Column("effective_at", sa.BigInteger, nullable=False),
    sa.Index("ix_sl_movements_item", "item_id", "lot_id", "effective_at"),
    sa.Index("ix_sl_movements_src", "src_loc", "effective_at"),
    sa.Index("ix_sl_movements_dst", "dst_loc", "effective_at"),
)

balances = sa.Table(
    "sl_balances",
    METADATA,
    sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("lot_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("serial", sa.String, primary_key=True),
    sa.Column("location_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("container_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("qty", sa.BigInteger, nullable=False),
    sa.Column("last_at", sa.BigInteger, nullable=False),
    sa.Index("ix_sl_balances_location", "location_id"),
    # On SQLite the rows live in the primary key's b-tree: no rowid table beside it.
    sqlite_with_rowid=False,
)

# Genealogy edges; lot 0 and serial '' mean "none", as in sl_movements.
edges = sa.Table(
    "sl_edges",
    METADATA,
    sa.Column("tx_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("p_item", sa.Integer, nullable=False),
    sa.Column("p_lot", sa.Integer, nullable=False),
    sa.Column("p_serial", sa.String, nullable=False),
    sa.Column("c_item", sa.Integer, nullable=False),
    sa.Column("c_lot", sa.Integer, nullable=False),
    sa.Column("c_serial", sa.String, nullable=False),
    sa.Column("qty", sa.BigInteger, nullable=False),
    sa.Column("effective_at", sa.BigInteger, nullable=False),
    sa.Index("ix_sl_edges_parent", "p_item", "p_lot"),
    sa.Index("ix_sl_edges_child", "c_item", "c_lot"),
)

# What each transaction did to containers (the history), and where each one is now.
container_events = sa.Table(
    "sl_container_events",
    METADATA,
    sa.Column("tx_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("container_id", sa.Integer, nullable=False),
    sa.Column("parent_id", sa.Integer, nullable=False),
    sa.Column("location_id", sa.Integer, nullable=False),
    sa.Index("ix_sl_container_events_container", "container_id"),
)

container_state = sa.Table(
    "sl_container_state",
    METADATA,
    sa.Column("container_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("parent_id", sa.Integer, nullable=False),
    sa.Column("location_id", sa.Integer, nullable=False),
    sa.Index("ix_sl_container_state_parent", "parent_id"),
)

sa.Index(
    "ix_sl_movements_serial",
    movements.c.item_id,
    movements.c.serial,
    sqlite_where=movements.c.serial != "",
    postgresql_where=movements.c.serial != "",
)

# Stock held for orders: state, not ledger (rows are deleted when consumed or released).
# line_ref '' means the order as a whole; lot 0, serial '' and container 0 mean "none".
reservations = sa.Table(
    "sl_reservations",
    METADATA,
    sa.Column("order_ref", sa.String, primary_key=True),
    sa.Column("line_ref", sa.String, primary_key=True),
    sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("lot_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("serial", sa.String, primary_key=True),
    sa.Column("location_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("container_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("qty", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String),
    sa.Index(
        "ix_sl_reservations_position",
        "item_id",
        "lot_id",
        "serial",
        "location_id",
        "status_id",
        "container_id",
    ),
)

# Operational state that is not ledger (open counts, expected receipts, replenishment rules):
# keyed, versioned JSON documents, changed with an optimistic version check.
documents = sa.Table(
    "sl_documents",
    METADATA,
    sa.Column("kind", sa.String, primary_key=True),
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String),
)

# As-of checkpoints (see _checkpoints.py): snapshots of the internal balances after a
# transaction, and the movements each checkpoint found posted late (effective before the
# checkpoint before it), so an as-of answer never reads more than one interval of the ledger.
# Derived data, like sl_balances: a rebuild writes them afresh.
checkpoints = sa.Table(
    "sl_checkpoints",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("through_tx", sa.BigInteger, nullable=False, unique=True),
    sa.Column("cutoff", sa.BigInteger, nullable=False),
)

checkpoint_balances = sa.Table(
    "sl_checkpoint_balances",
    METADATA,
    sa.Column("checkpoint_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("lot_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("serial", sa.String, primary_key=True),
    sa.Column("location_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("container_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("qty", sa.BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

checkpoint_late = sa.Table(
    "sl_checkpoint_late",
    METADATA,
    sa.Column("tx_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("checkpoint_id", sa.Integer, nullable=False),
    sqlite_with_rowid=False,
)
