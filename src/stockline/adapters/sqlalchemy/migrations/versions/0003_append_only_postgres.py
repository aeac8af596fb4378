"""Append-only in the database: PostgreSQL refuses UPDATE, DELETE and TRUNCATE of the ledger.

stockline never changes a posted transaction or movement; this makes the database refuse it
too, whoever asks (a hand-written fix, another application, a careless migration), so that a
correction can only be a reversal. A no-op on SQLite and other databases.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = ("sl_transactions", "sl_movements")

_FUNCTION = """
CREATE FUNCTION sl_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stockline: % of % refused: the ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Correct a posted transaction with a reversal (Inventory.reverse).';
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    for table in _TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sl_refuse_change()"
        )
        # TRUNCATE skips row triggers, so it gets a statement trigger of its own.
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION sl_refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _TABLES:
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP FUNCTION sl_refuse_change()")
