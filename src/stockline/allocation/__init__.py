"""Allocation: reservations of stock for orders, over the posting context.

The pure deciding is done by :mod:`stockline.policies`; this package reads the candidate
positions, reserves what a policy picked, and picks and ships by order. An ``Inventory``
holds one :class:`Allocations` as ``inv.allocation``:

- :meth:`Allocations.allocate` (also ``inv.allocate``) reserves stock for an order line;
- :meth:`Allocations.available_to_promise` and :meth:`Allocations.reservations` read;
- :meth:`Allocations.pick` stages reserved stock, :meth:`Allocations.ship` ships it, and
  :meth:`Allocations.release` drops it;
- :meth:`Allocations.set_policy` and :meth:`Allocations.policy` choose each item's policy
  (:func:`default_policy` unless set).
"""

from stockline.allocation._allocations import Allocations
from stockline.allocation._policy import default_policy, pick_key

__all__ = ["Allocations", "default_policy", "pick_key"]
