"""Alembic environment for stockline's own tables.

stockline runs its migrations on a connection it passes in ``config.attributes``; its version
table is ``sl_alembic_version`` so it never collides with a host application's own Alembic.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table="sl_alembic_version")
with context.begin_transaction():
    context.run_migrations()
