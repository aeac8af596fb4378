"""Stock-flow analytics: dwell time, turnover, aging, near expiry, supplier non-conformity and
activity by zone and hour.

Most callers use the service :class:`Analytics` on the inventory
(``inv.analytics.dwell_times()``, ``inv.analytics.turnover()``, ...), which runs the report on
the best source the store offers: set-based SQL on the SQLAlchemy store, a fold over the ledger
(:class:`LedgerFold`) elsewhere. Every report returns frozen rows with a JSON-ready
``to_dict()``; the ``plot_*`` functions draw them as PNG charts (the ``plots`` extra,
matplotlib).

The report functions here take an :class:`AnalyticsSource` and are for adapter authors and
for running a report on a source of your own.
"""

from stockline.analytics._charts import (
    plot,
    plot_activity,
    plot_aging,
    plot_dwell_times,
    plot_near_expiry,
    plot_supplier_nonconformity,
    plot_turnover,
)
from stockline.analytics._fold import LedgerFold
from stockline.analytics._records import (
    Activity,
    AgingBucket,
    DwellTime,
    NearExpiry,
    NonconformityKind,
    SupplierNonconformity,
    Turnover,
)
from stockline.analytics._reports import (
    DEFAULT_AGING_EDGES,
    activity,
    aging,
    dwell_times,
    near_expiry,
    supplier_nonconformity,
    turnover,
    zone_of,
)
from stockline.analytics._service import Analytics, source_for
from stockline.analytics._source import (
    ActivitySum,
    AnalyticsSource,
    DwellSum,
    ExpiryStock,
    FlowSum,
    Layer,
    NonconformitySum,
    ReceiptCount,
    Window,
)

__all__ = [
    "DEFAULT_AGING_EDGES",
    "Activity",
    "ActivitySum",
    "AgingBucket",
    "Analytics",
    "AnalyticsSource",
    "DwellSum",
    "DwellTime",
    "ExpiryStock",
    "FlowSum",
    "Layer",
    "LedgerFold",
    "NearExpiry",
    "NonconformityKind",
    "NonconformitySum",
    "ReceiptCount",
    "SupplierNonconformity",
    "Turnover",
    "Window",
    "activity",
    "aging",
    "dwell_times",
    "near_expiry",
    "plot",
    "plot_activity",
    "plot_aging",
    "plot_dwell_times",
    "plot_near_expiry",
    "plot_supplier_nonconformity",
    "plot_turnover",
    "source_for",
    "supplier_nonconformity",
    "turnover",
    "zone_of",
]
