"""A packaging line: a serial-tracked vial with a GTIN, bulk it is filled from, a plant."""

from __future__ import annotations

import pytest

import stockline as sl
from tests.conftest import StoreFactory

GTIN = "09506000134352"


def packaging_line(inv: sl.Inventory) -> sl.Inventory:
    """Add the vial, the bulk solution and the plant's locations to ``inv``."""
    inv.add_item("VIAL", gtin=GTIN, tracking="serial")
    inv.add_item("BULK", unit="LTR", tracking="lot")
    for path in ("PLANT/FG", "PLANT/RM", "DC1/DOCK"):
        inv.add_location(path)
    inv.receive("BULK", 100, dst="PLANT/RM", lot="B1", supplier="CHEM")
    return inv


@pytest.fixture
def line(make_store: StoreFactory, clock: sl.FixedClock) -> sl.Inventory:
    """An in-memory inventory with the packaging line set up and no pool yet."""
    return packaging_line(sl.Inventory(store=make_store(), clock=clock))
