"""The ledger: records, posting rules, balances and integrity checks (the pure core)."""

from stockline.ledger import boundary
from stockline.ledger._authorizing import Authorizer
from stockline.ledger._book import Book
from stockline.ledger._documents import Document
from stockline.ledger._hashing import GENESIS_HASH, chain_hash, fingerprint
from stockline.ledger._integrity import IntegrityReport, Problem
from stockline.ledger._master import (
    BUILTIN_STATUSES,
    Container,
    Item,
    Location,
    LocationKind,
    Lot,
    MasterChange,
    Party,
    PartyKind,
    Status,
    Tracking,
    item_gtins,
)
from stockline.ledger._posting import REASON_REQUIRED, post, reversal_of
from stockline.ledger._quantity import MAX_DECIMALS, as_quantity
from stockline.ledger._queries import BalanceQuery, HistoryQuery
from stockline.ledger._records import (
    AVAILABLE,
    Balance,
    ContainerEvent,
    Edge,
    EdgeKind,
    Movement,
    NewTransaction,
    NodeKey,
    NodeSet,
    Position,
    PositionKey,
    Reference,
    Transaction,
    TxKind,
)
from stockline.ledger._reservations import Reservation
from stockline.ledger._store import LedgerReader, LedgerWriter, MasterRecord, StockStore
from stockline.ledger._time import Clock, FixedClock, SystemClock, aware_utc
from stockline.ledger._units import UNITS
from stockline.ledger.boundary import Header

__all__ = [
    "AVAILABLE",
    "BUILTIN_STATUSES",
    "GENESIS_HASH",
    "MAX_DECIMALS",
    "REASON_REQUIRED",
    "UNITS",
    "Authorizer",
    "Balance",
    "BalanceQuery",
    "Book",
    "Clock",
    "Container",
    "ContainerEvent",
    "Document",
    "Edge",
    "EdgeKind",
    "FixedClock",
    "Header",
    "HistoryQuery",
    "IntegrityReport",
    "Item",
    "LedgerReader",
    "LedgerWriter",
    "Location",
    "LocationKind",
    "Lot",
    "MasterChange",
    "MasterRecord",
    "Movement",
    "NewTransaction",
    "NodeKey",
    "NodeSet",
    "Party",
    "PartyKind",
    "Position",
    "PositionKey",
    "Problem",
    "Reference",
    "Reservation",
    "Status",
    "StockStore",
    "SystemClock",
    "Tracking",
    "Transaction",
    "TxKind",
    "as_quantity",
    "aware_utc",
    "boundary",
    "chain_hash",
    "fingerprint",
    "item_gtins",
    "post",
    "reversal_of",
]
