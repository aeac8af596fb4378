"""Wave records: pick lists per zone in walk order, the lines picked or short, and an order's
state as the ledger and the wave documents show it."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

import attrs

from stockline.ledger import Position, Transaction

__all__ = ["OrderProgress", "OrderState", "PickConfirmation", "PickList", "Wave", "WaveLine"]


@attrs.frozen(kw_only=True)
class WaveLine:
    """One line of a pick list: take ``quantity`` of a reserved position for an order line.

    Attributes:
        number: The line's number in its wave (1, 2, ...; lines added by a short pick
            continue the count).
        zone: The pick list it is on (the location path cut to the wave's zone depth).
        sequence: The location's place on the walk (its ``pick_sequence``).
        order: The order the stock is reserved for.
        line: The order line, if reservations are kept per line.
        sku: The item.
        lot: The lot.
        serial: The serial.
        src: Where to pick from: location, status, container.
        quantity: How much the plan asks for.
        picked: How much was picked to staging (from the ledger's pick transactions, reversed
            ones left out).
        short: How much the picker did not find (released and allocated again).
    """

    number: int
    zone: str
    sequence: int
    order: str
    line: str | None
    sku: str
    lot: str | None
    serial: str | None
    src: Position
    quantity: Decimal
    picked: Decimal = Decimal(0)
    short: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        """What is still to pick: the plan less what was picked or found short."""
        return self.quantity - self.picked - self.short


@attrs.frozen(kw_only=True)
class PickList:
    """The lines of one zone, in the order a picker walks them.

    Attributes:
        zone: The zone (a location path prefix).
        lines: Its lines, by walk sequence, then location.
    """

    zone: str
    lines: tuple[WaveLine, ...]


def _frozen(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Wave:
    """The reservations of several orders grouped into pick lists, with their progress.

    Attributes:
        id: The wave's reference.
        orders: The orders in it.
        staging: Where each order's picks go.
        lists: One pick list per zone, zones in path order.
        created_at: When it was planned.
        created_by: Who planned it.
    """

    id: str
    orders: tuple[str, ...]
    staging: Mapping[str, str] = attrs.field(converter=_frozen)
    lists: tuple[PickList, ...]
    created_at: dt.datetime
    created_by: str | None = None

    @property
    def lines(self) -> tuple[WaveLine, ...]:
        """Every line of every list, by number."""
        return tuple(sorted((x for p in self.lists for x in p.lines), key=lambda x: x.number))

    @property
    def remaining(self) -> Decimal:
        """What is left to pick in the whole wave."""
        return sum((x.remaining for x in self.lines), Decimal(0))

    def line(self, number: int) -> WaveLine:
        """Return the line ``number``.

        Raises:
            KeyError: There is no such line.
        """
        for found in self.lines:
            if found.number == number:
                return found
        raise KeyError(number)


@attrs.frozen(kw_only=True)
class PickConfirmation:
    """What confirming a wave line did.

    Attributes:
        transaction: The ``pick`` posted, or ``None`` when nothing was found to pick.
        short: What the picker did not find: released at the source.
        reallocated: The wave lines added for it, allocated again by the item's policy.
        unallocated: What could not be allocated again (the order is short by this much).
    """

    transaction: Transaction | None
    short: Decimal = Decimal(0)
    reallocated: tuple[WaveLine, ...] = ()
    unallocated: Decimal = Decimal(0)


class OrderState(enum.StrEnum):
    """Where an order is, as its reservations, waves and shipments show it."""

    OPEN = "open"
    """Nothing reserved and nothing shipped."""
    ALLOCATED = "allocated"
    """Stock is reserved; none of it picked yet."""
    PICKING = "picking"
    """Some reserved stock is at the staging location, some still to pick."""
    STAGED = "staged"
    """Everything reserved is at the order's staging location, ready to ship."""
    SHIPPED = "shipped"
    """Nothing is reserved any more, and the order was shipped."""


@attrs.frozen(kw_only=True)
class OrderProgress:
    """An order's state, derived every time from its reservations, the waves it is in and
    the shipments naming it; never stored.

    Attributes:
        order: The order.
        state: Where it is.
        reserved: What is reserved for it now, wherever.
        staged: What of that is at its staging location.
        shipped: What shipments naming it (as ``SO``) sent (reversed ones left out).
        waves: The waves it is in.
    """

    order: str
    state: OrderState
    reserved: Decimal
    staged: Decimal
    shipped: Decimal
    waves: tuple[str, ...] = ()
