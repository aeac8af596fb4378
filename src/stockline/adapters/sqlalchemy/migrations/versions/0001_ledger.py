"""The ledger: master data, transactions, movements, the balance projection.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_BUILTIN_STATUSES = [
    {"name": "available", "allocatable": True, "description": "free to use"},
    {
        "name": "quarantine",
        "allocatable": False,
        "description": "received, not yet released by quality",
    },
    {
        "name": "hold",
        "allocatable": False,
        "description": "blocked, e.g. by a recall or an investigation",
    },
    {"name": "damaged", "allocatable": False, "description": "physically damaged"},
    {"name": "expired", "allocatable": False, "description": "past its expiry date"},
]


def upgrade() -> None:
    head = op.create_table(
        "sl_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_tx", sa.BigInteger, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("master_version", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_tx": 0, "last_hash": "0" * 64, "master_version": 0}])
    op.create_table(
        "sl_items",
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
    op.create_table(
        "sl_gtins",
        sa.Column("gtin", sa.String, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("sl_items.id"), nullable=False),
    )
    op.create_table(
        "sl_locations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("path", sa.String, nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("description", sa.String, nullable=False),
        sa.Column("gln", sa.String(13)),
        sa.Column("pick_sequence", sa.Integer, nullable=False),
    )
    op.create_table(
        "sl_parties",
        sa.Column("code", sa.String, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("gln", sa.String(13)),
        sa.Column("location", sa.String, nullable=False),
    )
    op.create_table(
        "sl_lots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("sl_items.id"), nullable=False),
        sa.Column("code", sa.String, nullable=False),
        sa.Column("expiry", sa.Date),
        sa.Column("produced_on", sa.Date),
        sa.UniqueConstraint("item_id", "code", name="uq_sl_lots_item_code"),
    )
    statuses = op.create_table(
        "sl_statuses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False, unique=True),
        sa.Column("allocatable", sa.Boolean, nullable=False),
        sa.Column("description", sa.String, nullable=False),
    )
    op.bulk_insert(statuses, _BUILTIN_STATUSES)
    op.create_table(
        "sl_containers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String, nullable=False, unique=True),
        sa.Column("kind", sa.String, nullable=False),
    )
    op.create_table(
        "sl_master_changes",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("key", sa.String, nullable=False),
        sa.Column("actor", sa.String),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("fields", sa.String, nullable=False),
    )
    op.create_table(
        "sl_transactions",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("effective_at", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.BigInteger, nullable=False),
        sa.Column("key", sa.String, unique=True),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("refs", sa.String),
        sa.Column("counterparty", sa.String),
        sa.Column("actor", sa.String),
        sa.Column("reason", sa.String),
        sa.Column("reverses", sa.BigInteger, unique=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "sl_movements",
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
    )
    op.create_index("ix_sl_movements_item", "sl_movements", ["item_id", "lot_id", "effective_at"])
    op.create_index("ix_sl_movements_src", "sl_movements", ["src_loc", "effective_at"])
    op.create_index("ix_sl_movements_dst", "sl_movements", ["dst_loc", "effective_at"])
    op.create_table(
        "sl_balances",
        sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("lot_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("serial", sa.String, primary_key=True),
        sa.Column("location_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("status_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("container_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("qty", sa.BigInteger, nullable=False),
        sa.Column("last_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_sl_balances_location", "sl_balances", ["location_id"])


def downgrade() -> None:
    for table in (
        "sl_balances",
        "sl_movements",
        "sl_transactions",
        "sl_master_changes",
        "sl_containers",
        "sl_statuses",
        "sl_lots",
        "sl_parties",
        "sl_locations",
        "sl_gtins",
        "sl_items",
        "sl_head",
    ):
        op.drop_table(table)
