"""Warehouse operations on top of the ledger: cycle counts, scanning, replenishment and kitting.

The work is done by methods of :class:`~stockline.Inventory` and by the services it holds
(``inv.counts``, ``inv.scanning``); this package holds those services and the records they
take and return.

- **Counts** (``inv.counts``, :class:`Counts`): :meth:`Counts.open`, :meth:`Counts.record`
  (by hand or by scan), :meth:`Counts.close` posts the differences as one ``count``
  transaction against the ``adjustment`` location; :meth:`Counts.report` shows expected,
  counted, difference and value.
- **Scanning** (``inv.scanning``, :class:`Scanning`): :meth:`Scanning.receive` posts a receipt
  from a GS1 barcode; :meth:`Scanning.verify_pick` checks a picker's scan against a pick plan
  line and returns a :class:`PickCheck`.
- **Replenishment** (``inv.replenishment``, :class:`Replenishment`):
  :meth:`Replenishment.set_rule` (min/max per item per pick face), :meth:`Replenishment.propose`
  proposes moves from reserve stock by the item's allocation policy, :meth:`Replenishment.post`
  posts them.
- **Kitting** (``inv.kits``, :class:`Kits`): :meth:`Kits.reserve` allocates every component of
  a bill of materials for a production order, or reports what is short and reserves nothing.

- **Picking** (``inv.picking``, :class:`Picking`): :meth:`Picking.plan` groups the
  reservations of several orders into a wave of pick lists per zone in walk order,
  :meth:`Picking.confirm` picks a line by scan to the order's staging location (a short pick
  is allocated again), :meth:`Picking.ship` ships a staged order with its containers, and
  :meth:`Picking.progress` says where an order is.
- **Returns** (``inv.returns``, :class:`Returns`): :meth:`Returns.receive` takes goods back
  from a customer against their shipment into a returns location, :meth:`Returns.dispose`
  restocks, quarantines, holds or scraps them, :meth:`Returns.to_supplier` sends stock back to
  a supplier.

Open counts and replenishment rules are operational documents in the store: they survive a
restart, and closing a count changes its document in the same write block that posts its
differences.
"""

from stockline.operations._counting import Counts
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
from stockline.operations._picking import Picking
from stockline.operations._picks import (
    OrderProgress,
    OrderState,
    PickConfirmation,
    PickList,
    Wave,
    WaveLine,
)
from stockline.operations._replenishing import Replenishment
from stockline.operations._replenishment import Proposal, ProposalMove, ReplenishmentRule
from stockline.operations._returning import Returns
from stockline.operations._returns import Disposition, Return, Returnable, ReturnLine
from stockline.operations._scanning import PickCheck, ScannedStock, Scanning, scanned_stock

__all__ = [
    "BomLine",
    "Count",
    "CountLine",
    "CountReport",
    "CountReportLine",
    "CountSheetLine",
    "CountState",
    "Counts",
    "Disposition",
    "Kit",
    "KitShortage",
    "Kits",
    "OrderProgress",
    "OrderState",
    "PickCheck",
    "PickConfirmation",
    "PickList",
    "Picking",
    "Proposal",
    "ProposalMove",
    "Replenishment",
    "ReplenishmentRule",
    "Return",
    "ReturnLine",
    "Returnable",
    "Returns",
    "ScannedStock",
    "Scanning",
    "Uncounted",
    "Wave",
    "WaveLine",
    "scanned_stock",
]
