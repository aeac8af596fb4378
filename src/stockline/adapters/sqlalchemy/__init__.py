"""The SQLAlchemy store: SQLite (embedded, zero set-up) and PostgreSQL."""

from stockline.adapters.sqlalchemy._store import SqlAlchemyStockStore

__all__ = ["SqlAlchemyStockStore"]
