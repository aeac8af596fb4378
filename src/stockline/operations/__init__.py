"""Warehouse operations on top of the ledger: cycle counts, replenishment and kitting.

The work is done by methods of :class:`~stockline.Inventory`; this package holds the records
they take and return.

- **Counts**: :meth:`~stockline.Inventory.open_count`, :meth:`~stockline.Inventory.record_count`
  (by hand or by scan), :meth:`~stockline.Inventory.close_count` posts the differences as one
  ``count`` transaction against the ``adjustment`` location;
  :meth:`~stockline.Inventory.count_report` shows expected, counted, difference and value.
- **Replenishment** (``inv.replenishment``, :class:`Replenishment`):
  :meth:`Replenishment.set_rule` (min/max per item per pick face), :meth:`Replenishment.propose`
  proposes moves from reserve stock by the item's allocation policy, :meth:`Replenishment.post`
  posts them.
- **Kitting** (``inv.kits``, :class:`Kits`): :meth:`Kits.reserve` allocates every component of
  a bill of materials for a production order, or reports what is short and reserves nothing.

Open counts and replenishment rules are operational documents in the store: they survive a
restart, and closing a count changes its document in the same write block that posts its
differences.
"""

from stockline.operations._counts import (
    Count,
    CountLine,
    CountReport,
    CountReportLine,
    CountSheetLine,
    CountState,
    Uncounted,
)
from stockline.operations._kits import BomLine, Kit, KitShortage
from stockline.operations._kitting import Kits
from stockline.operations._replenishing import Replenishment
from stockline.operations._replenishment import Proposal, ProposalMove, ReplenishmentRule

__all__ = [
    "BomLine",
    "Count",
    "CountLine",
    "CountReport",
    "CountReportLine",
    "CountSheetLine",
    "CountState",
    "Kit",
    "KitShortage",
    "Kits",
    "Proposal",
    "ProposalMove",
    "Replenishment",
    "ReplenishmentRule",
    "Uncounted",
]
