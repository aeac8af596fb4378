"""As-of checkpoints: snapshots of the internal balances, and the late movements each found.

Derived data, like sl_balances (``Inventory.rebuild`` writes them afresh); an existing ledger
starts with none, so as-of answers fold the ledger as before until a checkpoint is taken.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sl_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("through_tx", sa.BigInteger, nullable=False, unique=True),
        sa.Column("cutoff", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "sl_checkpoint_balances",
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
    op.create_table(
        "sl_checkpoint_late",
        sa.Column("tx_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("checkpoint_id", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("sl_checkpoint_late")
    op.drop_table("sl_checkpoint_balances")
    op.drop_table("sl_checkpoints")
