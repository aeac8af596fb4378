"""Put-away suggestions: what to move where, as the service returns them."""

from __future__ import annotations

from decimal import Decimal

import attrs

from stockline.ledger import Balance, Position
from stockline.operations._putaway import Placement

__all__ = ["PutawaySuggestion"]


@attrs.frozen(kw_only=True)
class PutawaySuggestion:
    """Where to put stock away: loose stock of one position, or a whole container.

    A suggestion reserves nothing; :meth:`~stockline.operations.Putaway.confirm` checks every
    bin's rules again when it posts.

    Attributes:
        src: Where the stock is now (for a container: its location).
        stock: What is put away: one balance of loose stock (with the quantity to put away),
            or everything in the container when it was suggested.
        container: The container, when a whole handling unit is put away.
        placements: The bins, best first, each with how much and why.
        unplaced: What no bin could take.
    """

    src: Position
    stock: tuple[Balance, ...]
    container: str | None = None
    placements: tuple[Placement, ...] = ()
    unplaced: Decimal = Decimal(0)

    @property
    def quantity(self) -> Decimal:
        """Everything the suggestion is about, placed or not."""
        return sum((b.quantity for b in self.stock), Decimal(0))
