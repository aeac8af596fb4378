"""Reservations: stock held for an order, so no other allocation or posting takes it.

A reservation is state, not ledger: it is not a transaction, is not in the hash chain, and is
deleted when it is consumed (picked or shipped) or released (the order is cancelled). What
the ledger records is the pick or shipment that consumed it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from stockline.ledger._records import Position, PositionKey

__all__ = ["Reservation"]


@attrs.frozen(kw_only=True)
class Reservation:
    """A quantity of one position held for one order line.

    Reservations of the same order line at the same position add up to one record.
    """

    order: str
    """The order the stock is held for, e.g. ``"SO-9"``."""
    line: str | None = None
    """The order line, or None for the order as a whole."""
    item: str
    """The SKU."""
    lot: str | None = None
    """The lot code, if the item is lot-tracked."""
    serial: str | None = None
    """The serial, if the item is serial-tracked."""
    position: Position
    """Where the stock is held: location, status and container."""
    quantity: Decimal
    """How much is held, in the item's base unit; greater than zero."""
    created_at: dt.datetime
    """When the stock was first reserved for this line at this position (aware, UTC)."""
    actor: str | None = None
    """Who first reserved it."""

    @property
    def key(self) -> PositionKey:
        """The balance key of the position held: item, lot, serial, location, status,
        container."""
        p = self.position
        return (self.item, self.lot, self.serial, p.location, p.status, p.container)
