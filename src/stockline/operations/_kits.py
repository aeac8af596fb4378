"""Kitting records: a bill of materials, and what allocating it found."""

from __future__ import annotations

from decimal import Decimal

import attrs

from stockline.errors import KitShortageError
from stockline.policies import Allocation

__all__ = ["BomLine", "Kit", "KitShortage"]


@attrs.frozen(kw_only=True)
class BomLine:
    """One component of a bill of materials.

    Attributes:
        sku: The component.
        quantity: How much of it one unit of the product needs, in its base unit.
    """

    sku: str
    quantity: Decimal | int | str


@attrs.frozen(kw_only=True)
class KitShortage:
    """A component a kit cannot get enough of.

    Attributes:
        sku: The component.
        required: What the kit needs.
        available: What could be allocated (allocatable, unreserved, unexpired stock that the
            constraints allow).
    """

    sku: str
    required: Decimal
    available: Decimal

    @property
    def short(self) -> Decimal:
        """What is missing: ``required`` less ``available``."""
        return self.required - self.available


@attrs.frozen(kw_only=True)
class Kit:
    """The components of a production order, allocated together or not at all.

    Attributes:
        order: The production (work) order the components are reserved for; each
            component's reservations are the order line named by its SKU.
        quantity: How many units of the product the kit is for.
        allocations: One allocation per component, in bill-of-materials order. When the
            kit is short they show what could be had, but nothing is reserved.
        shortages: The components that are short; empty when the kit is complete.
        reserved: Whether the allocations were reserved (complete, and not a check only).
    """

    order: str
    quantity: Decimal
    allocations: tuple[Allocation, ...]
    shortages: tuple[KitShortage, ...] = ()
    reserved: bool = False

    @property
    def is_complete(self) -> bool:
        """Whether every component can be served in full."""
        return not self.shortages

    def raise_for_shortage(self) -> Kit:
        """Return the kit if complete, else raise :class:`~stockline.errors.KitShortageError`
        listing every short component."""
        if self.shortages:
            raise KitShortageError(order=self.order, shortages=self.shortages)
        return self
