"""stockline: an append-only, double-entry stock ledger with lot and serial traceability.

The names most users need are here; the rest live in :mod:`stockline.ledger`,
:mod:`stockline.adapters`, :mod:`stockline.gs1`, :mod:`stockline.errors` and
:mod:`stockline.testing`.
"""

from typing import TYPE_CHECKING, Any

from stockline._inventory import Inventory
from stockline.adapters import InMemoryStockStore
from stockline.errors import StocklineError
from stockline.genealogy import Component, Node, Output, RecallReport, Trace
from stockline.ledger import (
    Authorizer,
    Balance,
    FixedClock,
    IntegrityReport,
    Item,
    Location,
    LocationKind,
    Lot,
    Movement,
    NewTransaction,
    Position,
    Reference,
    Tracking,
    Transaction,
    TxKind,
)

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy import SqlAlchemyStockStore

__version__ = "0.1.0.dev0"

__all__ = [
    "Authorizer",
    "Balance",
    "Component",
    "FixedClock",
    "InMemoryStockStore",
    "IntegrityReport",
    "Inventory",
    "Item",
    "Location",
    "LocationKind",
    "Lot",
    "Movement",
    "NewTransaction",
    "Node",
    "Output",
    "Position",
    "RecallReport",
    "Reference",
    "SqlAlchemyStockStore",
    "StocklineError",
    "Trace",
    "Tracking",
    "Transaction",
    "TxKind",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "SqlAlchemyStockStore":
        from stockline.adapters.sqlalchemy import SqlAlchemyStockStore

        return SqlAlchemyStockStore
    raise AttributeError(f"module 'stockline' has no attribute {name!r}")
