"""Master data for FSMA 204 location descriptions and TLC sources; operational documents.

Adds address and phone to locations and parties, the FDA Food Facility Registration Number to
locations, the traceability lot code source reference to lots, and ``sl_documents``: keyed,
versioned JSON documents for operational state that is not ledger (open counts, expected
receipts, replenishment rules).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sl_locations") as batch:
        batch.add_column(sa.Column("address", sa.String, nullable=False, server_default=""))
        batch.add_column(sa.Column("phone", sa.String, nullable=False, server_default=""))
        batch.add_column(sa.Column("ffrn", sa.String))
    with op.batch_alter_table("sl_parties") as batch:
        batch.add_column(sa.Column("address", sa.String, nullable=False, server_default=""))
        batch.add_column(sa.Column("phone", sa.String, nullable=False, server_default=""))
    with op.batch_alter_table("sl_lots") as batch:
        batch.add_column(sa.Column("tlc_source_reference", sa.String))
    op.create_table(
        "sl_documents",
        sa.Column("kind", sa.String, primary_key=True),
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String),
    )


def downgrade() -> None:
    op.drop_table("sl_documents")
    with op.batch_alter_table("sl_lots") as batch:
        batch.drop_column("tlc_source_reference")
    with op.batch_alter_table("sl_parties") as batch:
        batch.drop_column("phone")
        batch.drop_column("address")
    with op.batch_alter_table("sl_locations") as batch:
        batch.drop_column("ffrn")
        batch.drop_column("phone")
        batch.drop_column("address")
