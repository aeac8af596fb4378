"""Genealogy edges, container history and state, and an index of serial movements.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sl_edges",
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
    )
    op.create_index("ix_sl_edges_parent", "sl_edges", ["p_item", "p_lot"])
    op.create_index("ix_sl_edges_child", "sl_edges", ["c_item", "c_lot"])
    op.create_table(
        "sl_container_events",
        sa.Column("tx_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("container_id", sa.Integer, nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=False),
        sa.Column("location_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_sl_container_events_container", "sl_container_events", ["container_id"])
    op.create_table(
        "sl_container_state",
        sa.Column("container_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("parent_id", sa.Integer, nullable=False),
        sa.Column("location_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_sl_container_state_parent", "sl_container_state", ["parent_id"])
    op.create_index(
        "ix_sl_movements_serial",
        "sl_movements",
        ["item_id", "serial"],
        sqlite_where=sa.text("serial != ''"),
        postgresql_where=sa.text("serial != ''"),
    )


def downgrade() -> None:
    op.drop_index("ix_sl_movements_serial", "sl_movements")
    op.drop_table("sl_container_state")
    op.drop_table("sl_container_events")
    op.drop_table("sl_edges")
