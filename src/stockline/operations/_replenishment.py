"""Replenishment records: min/max rules and the moves proposed to keep pick faces filled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from stockline.ledger import Position

__all__ = ["Proposal", "ProposalMove", "ReplenishmentRule"]


@attrs.frozen(kw_only=True)
class ReplenishmentRule:
    """Keep between ``min`` and ``max`` of an item at a pick face or line-side supermarket.

    When the pick face's level (on hand in allocatable statuses, not reserved, not expired)
    falls to ``min`` or below, :meth:`~stockline.Inventory.replenishment` proposes moves that
    bring what is physically there (every status, reserved or not) up to ``max`` at most.

    Attributes:
        sku: The item.
        location: The pick face (stock in locations below it counts too).
        min: The reorder point: replenish when the level is this or less (0: when empty).
        max: Never fill above this: the pick face's stock in every status, reserved or not.
        multiple: Move only whole multiples of this (a kanban bin, a case); every move from a
            reserve position is a whole multiple, so a position holding less is passed over.
        source: Where stock may come from (a location subtree); the site (the first segment of
            ``location``) when ``None``. Pick faces of the item's other rules are never
            sources.
        updated_at: When the rule was last set.
        updated_by: Who last set it.
    """

    sku: str
    location: str
    min: Decimal
    max: Decimal
    multiple: Decimal | None = None
    source: str | None = None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None

    @property
    def source_root(self) -> str:
        """The subtree stock is taken from: ``source``, or the pick face's site."""
        return self.source if self.source is not None else self.location.split("/")[0]


@attrs.frozen(kw_only=True)
class ProposalMove:
    """One move of a proposal: take ``quantity`` from ``src``.

    Attributes:
        lot: The lot moved.
        serial: The serial moved (then ``quantity`` is 1).
        src: The reserve position taken from.
        quantity: How much is moved.
        reason: Why this position, as the item's allocation policy explains it.
    """

    lot: str | None = None
    serial: str | None = None
    src: Position
    quantity: Decimal
    reason: str = ""


@attrs.frozen(kw_only=True)
class Proposal:
    """What to move to one pick face to bring it back up to its rule's ``max``.

    Attributes:
        sku: The item.
        location: The pick face; stock is moved there loose, in status ``available``.
        level: What the pick face held when proposed that could be picked (allocatable,
            unreserved, unexpired): what triggered the proposal.
        on_hand: Everything physically at the pick face when proposed (every status,
            reserved or expired stock included).
        min: The rule's minimum.
        max: The rule's maximum.
        wanted: How much would bring ``on_hand`` to ``max`` (in whole multiples).
        moves: The moves, in the order the allocation policy ranked the sources.
        shortfall: What the reserve could not give (``wanted`` less what is moved).
    """

    sku: str
    location: str
    level: Decimal
    on_hand: Decimal = Decimal(0)
    min: Decimal
    max: Decimal
    wanted: Decimal
    moves: tuple[ProposalMove, ...] = ()
    shortfall: Decimal = Decimal(0)

    @property
    def quantity(self) -> Decimal:
        """The total proposed to move."""
        return sum((m.quantity for m in self.moves), Decimal(0))
