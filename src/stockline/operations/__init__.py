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
- **Put-away** (``inv.putaway``, :class:`Putaway`): storage profiles of items
  (:meth:`Putaway.set_item`) and rules of bins (:meth:`Putaway.set_bin`: zone, storage
  conditions, hazard classes, categories, statuses, mixing, capacity); :meth:`Putaway.suggest`
  (and ``suggest_receipt``, ``suggest_container``) plans bins by a pure, composable
  :class:`PutawayStrategy`; :meth:`Putaway.confirm`, :meth:`Putaway.place` and
  :meth:`Putaway.place_scan` post the put-away, judging every bin again.
- **Transfer orders** (``inv.transfers``, :class:`Transfers`): :meth:`Transfers.create`,
  :meth:`Transfers.ship` into the order's transit location, :meth:`Transfers.receive` (and
  ``receive_scan``) in parts, :meth:`Transfers.report` (over/short), :meth:`Transfers.cancel`
  (back to the origin) and :meth:`Transfers.close`.
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
from stockline.operations._putaway import (
    Bin,
    BinChoice,
    BinFilter,
    BinOrder,
    BinRules,
    ComposedStrategy,
    Consolidate,
    EmptyOnly,
    FixedBin,
    Load,
    LoadLine,
    Mixing,
    PickSequence,
    Placement,
    PutawayPlan,
    PutawayStrategy,
    StorageProfile,
    Zones,
    default_strategy,
    plan_putaway,
    putaway_strategy,
)
from stockline.operations._putaway_records import PutawaySuggestion
from stockline.operations._putaway_service import Putaway
from stockline.operations._replenishing import Replenishment
from stockline.operations._replenishment import Proposal, ProposalMove, ReplenishmentRule
from stockline.operations._returning import Returns
from stockline.operations._returns import Disposition, Return, Returnable, ReturnLine
from stockline.operations._scanning import PickCheck, ScannedStock, Scanning, scanned_stock
from stockline.operations._transfers import (
    InTransit,
    TransferLine,
    TransferOrder,
    TransferReport,
    TransferReportLine,
    TransferState,
)
from stockline.operations._transfers_service import Transfers

__all__ = [
    "Bin",
    "BinChoice",
    "BinFilter",
    "BinOrder",
    "BinRules",
    "BomLine",
    "ComposedStrategy",
    "Consolidate",
    "Count",
    "CountLine",
    "CountReport",
    "CountReportLine",
    "CountSheetLine",
    "CountState",
    "Counts",
    "Disposition",
    "EmptyOnly",
    "FixedBin",
    "InTransit",
    "Kit",
    "KitShortage",
    "Kits",
    "Load",
    "LoadLine",
    "Mixing",
    "OrderProgress",
    "OrderState",
    "PickCheck",
    "PickConfirmation",
    "PickList",
    "PickSequence",
    "Picking",
    "Placement",
    "Proposal",
    "ProposalMove",
    "Putaway",
    "PutawayPlan",
    "PutawayStrategy",
    "PutawaySuggestion",
    "Replenishment",
    "ReplenishmentRule",
    "Return",
    "ReturnLine",
    "Returnable",
    "Returns",
    "ScannedStock",
    "Scanning",
    "StorageProfile",
    "TransferLine",
    "TransferOrder",
    "TransferReport",
    "TransferReportLine",
    "TransferState",
    "Transfers",
    "Uncounted",
    "Wave",
    "WaveLine",
    "Zones",
    "default_strategy",
    "plan_putaway",
    "putaway_strategy",
    "scanned_stock",
]
