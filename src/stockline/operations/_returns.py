"""Return records: what a shipment may still take back, a customer return and its lines, and
the dispositions decided for them."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs

from stockline.ledger import Position, Reference

__all__ = ["Disposition", "Return", "ReturnLine", "Returnable"]

#: The status returned goods wait in until a disposition is decided (not allocatable).
RETURNED = "returned"


class Disposition(enum.StrEnum):
    """What becomes of returned goods, decided after they were inspected."""

    RESTOCK = "restock"
    """Back to sellable stock: status ``available`` (at ``dst`` if given)."""
    QUARANTINE = "quarantine"
    """Kept for quality to decide: status ``quarantine``."""
    HOLD = "hold"
    """Blocked, e.g. for an investigation: status ``hold``."""
    SCRAP = "scrap"
    """Destroyed: out to the ``scrap`` location."""


@attrs.frozen(kw_only=True)
class Returnable:
    """What one lot or serial of a shipment may still come back.

    Attributes:
        shipment: The shipment transaction.
        customer: Who it went to.
        sku: The item.
        lot: The lot shipped.
        serial: The serial shipped.
        shipped: How much the shipment sent.
        returned: How much came back against it already (reversed returns left out).
    """

    shipment: int
    customer: str
    sku: str
    lot: str | None
    serial: str | None
    shipped: Decimal
    returned: Decimal

    @property
    def returnable(self) -> Decimal:
        """What may still come back: shipped less returned."""
        return self.shipped - self.returned


@attrs.frozen(kw_only=True)
class ReturnLine:
    """One line of a customer return and what is decided for it.

    Attributes:
        sku: The item.
        lot: The lot.
        serial: The serial.
        position: Where the goods landed (the returns location, in the returns status).
        quantity: How much came back.
        disposed: How much has had a disposition since (reversed ones left out).
    """

    sku: str
    lot: str | None
    serial: str | None
    position: Position
    quantity: Decimal
    disposed: Decimal

    @property
    def pending(self) -> Decimal:
        """What still awaits a disposition."""
        return self.quantity - self.disposed


@attrs.frozen(kw_only=True)
class Return:
    """A customer return, as the ledger records it: the return transaction, the shipment it
    was taken back against, and the dispositions posted for it.

    Attributes:
        id: The return transaction.
        shipment: The shipment it was returned against.
        customer: Who sent it back.
        effective_at: When it arrived.
        refs: The return's documents (the RMA, ...).
        reason: Why it came back.
        lines: What came back, with what was disposed of.
        dispositions: The disposition transactions, in ledger order.
        reversed: Whether the return itself was reversed (then nothing is pending).
    """

    id: int
    shipment: int
    customer: str
    effective_at: dt.datetime
    refs: tuple[Reference, ...]
    reason: str | None
    lines: tuple[ReturnLine, ...]
    dispositions: tuple[int, ...] = ()
    reversed: bool = False

    @property
    def pending(self) -> Decimal:
        """How much still awaits a disposition."""
        if self.reversed:
            return Decimal(0)
        return sum((line.pending for line in self.lines), Decimal(0))
