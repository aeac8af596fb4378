"""Reservations: stock held for orders (state, not ledger: rows are deleted when consumed).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sl_reservations",
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
    )
    op.create_index(
        "ix_sl_reservations_position",
        "sl_reservations",
        ["item_id", "lot_id", "serial", "location_id", "status_id", "container_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_sl_reservations_position", "sl_reservations")
    op.drop_table("sl_reservations")
