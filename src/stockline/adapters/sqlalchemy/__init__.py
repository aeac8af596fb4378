"""The SQLAlchemy store: SQLite (embedded, zero set-up) and PostgreSQL."""

from stockline.adapters.sqlalchemy._store import VERSION_TABLE, SqlAlchemyStockStore

__all__ = ["VERSION_TABLE", "SqlAlchemyStockStore"]
