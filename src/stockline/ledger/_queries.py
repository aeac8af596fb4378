"""What to ask the ledger: balance and history queries."""

from __future__ import annotations

import datetime as dt

import attrs

__all__ = ["BalanceQuery", "HistoryQuery"]


@attrs.frozen(kw_only=True)
class BalanceQuery:
    """Which balances to read. Every field left ``None`` matches everything.

    Attributes:
        item: Only this SKU.
        lot: Only this lot code.
        serial: Only this serial.
        location: Only this location and everything below it in the tree.
        status: Only this status.
        container: Only stock in this container.
        internal_only: Only internal locations (real stock); counterparty balances are
            left out.
        as_of: Balances as of this effective time (from the ledger) instead of now (from the
            projection).
        known_at: With ``as_of``: count only transactions recorded by this time ("what did we
            believe on ...").
    """

    item: str | None = None
    lot: str | None = None
    serial: str | None = None
    location: str | None = None
    status: str | None = None
    container: str | None = None
    internal_only: bool = True
    as_of: dt.datetime | None = None
    known_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class HistoryQuery:
    """Which transactions to list: those with at least one movement that matches.

    Attributes:
        item: Movements of this SKU.
        lot: Movements of this lot.
        serial: Movements of this serial.
        location: Movements leaving or entering this location or anything below it.
        container: Movements leaving or entering this container.
        since: Effective at or after this time.
        until: Effective at or before this time.
        limit: At most this many transactions.
    """

    item: str | None = None
    lot: str | None = None
    serial: str | None = None
    location: str | None = None
    container: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int | None = None
