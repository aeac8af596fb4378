"""Which policy allocates an item, and the balance key of what a pick takes."""

from __future__ import annotations

from stockline.ledger import Item, PositionKey, Tracking
from stockline.policies import AllocationPolicy, Fefo, Fifo, Pick

__all__ = ["default_policy", "pick_key"]


def default_policy(item: Item) -> AllocationPolicy:
    """Return the policy an item is allocated by unless told otherwise.

    FEFO for lot- and serial-tracked items (their lots carry expiry dates; undated lots come
    last, oldest first), FIFO for untracked items.

    Args:
        item: The item, as the master data holds it.

    Returns:
        A fresh :class:`~stockline.policies.Fefo` or :class:`~stockline.policies.Fifo`.
    """
    return Fifo() if item.tracking is Tracking.NONE else Fefo()


def pick_key(pick: Pick) -> PositionKey:
    """Return the balance key of the position a pick takes from.

    Args:
        pick: A pick of an allocation; its serial, if any, is the candidate's
            ``attributes["serial"]``.

    Returns:
        ``(item, lot, serial, location, status, container)``.
    """
    c = pick.candidate
    serial = c.attributes.get("serial")
    return (
        c.item,
        c.lot,
        serial if isinstance(serial, str) else None,
        c.location,
        c.status,
        c.container,
    )
