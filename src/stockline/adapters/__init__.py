"""Storage adapters: the :class:`StockStore` port and the stores stockline ships.

``SqlAlchemyStockStore`` is imported lazily so that using the in-memory store never imports
SQLAlchemy.
"""

from typing import TYPE_CHECKING, Any

from stockline.adapters._memory import InMemoryStockStore
from stockline.ledger import LedgerReader, LedgerWriter, MasterRecord, StockStore

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy import SqlAlchemyStockStore

__all__ = [
    "InMemoryStockStore",
    "LedgerReader",
    "LedgerWriter",
    "MasterRecord",
    "SqlAlchemyStockStore",
    "StockStore",
]


def __getattr__(name: str) -> Any:
    if name == "SqlAlchemyStockStore":
        from stockline.adapters.sqlalchemy import SqlAlchemyStockStore

        return SqlAlchemyStockStore
    raise AttributeError(name)
