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
    "EmptyOnly",
    "FixedBin",
    "InTransit",
    "Kit",
    "KitShortage",
    "Kits",
    "Load",
    "LoadLine",
    "Mixing",
    "PickCheck",
    "PickSequence",
    "Placement",
    "Proposal",
    "ProposalMove",
    "Putaway",
    "PutawayPlan",
    "PutawayStrategy",
    "PutawaySuggestion",
    "Replenishment",
    "ReplenishmentRule",
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
    "Zones",
    "default_strategy",
    "plan_putaway",
    "putaway_strategy",
    "scanned_stock",
]
