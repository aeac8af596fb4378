"""Hypothesis strategies that generate only valid stockline objects.

Values: :func:`skus`, :func:`gtins`, :func:`ssccs`, :func:`quantities`, :func:`items`,
:func:`location_paths`, :func:`location_trees`, :func:`lots`, :func:`gs1_labels` and
:func:`gs1_scans`. Master data: :func:`setups` (a :class:`Setup` to apply to an inventory),
:data:`DEFAULT_SETUP`. Postings: :func:`transactions` (single receipts) and — the one that
finds bugs — :func:`operations`, whole sequences of receive, move, ship, hold, release,
adjust, scrap, produce, pack, unpack, container moves and reversals that are valid at each
step, because the strategy keeps a model of the stock over time; :func:`scenarios` pairs a
set-up with such a sequence.

Example:
    A property every store must keep, checked on the in-memory one::

        import stockline as sl
        from hypothesis import given
        from stockline.testing import strategies as sls

        @given(scenario=sls.scenarios(max_size=15))
        def test_projection_equals_replay(scenario: sls.Scenario) -> None:
            inv = sl.Inventory(clock=sl.FixedClock(sls.START))
            scenario.run(inv)   # every operation is accepted
            assert inv.verify().ok

The import path ``stockline.testing.strategies`` and the names below are stable API.
"""

from stockline.testing._operations import (
    OPERATION_KINDS,
    Operation,
    Scenario,
    operations,
    scenarios,
)
from stockline.testing._setup import DEFAULT_SETUP, START, Setup, setups, transactions
from stockline.testing._values import (
    CSET82,
    GS1Label,
    GS1Scan,
    gs1_labels,
    gs1_scans,
    gtins,
    items,
    location_paths,
    location_trees,
    lots,
    quantities,
    skus,
    ssccs,
)

__all__ = [
    "CSET82",
    "DEFAULT_SETUP",
    "OPERATION_KINDS",
    "START",
    "GS1Label",
    "GS1Scan",
    "Operation",
    "Scenario",
    "Setup",
    "gs1_labels",
    "gs1_scans",
    "gtins",
    "items",
    "location_paths",
    "location_trees",
    "lots",
    "operations",
    "quantities",
    "scenarios",
    "setups",
    "skus",
    "ssccs",
    "transactions",
]
