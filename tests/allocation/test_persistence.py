"""Reservations survive a restart of a SQL store."""

from __future__ import annotations

from pathlib import Path

import stockline as sl
from tests.allocation._site import D, reserved, stock_milk
from tests.conftest import START


class TestRestart:
    def test_reservations_survive_close_and_reopen(self, tmp_path: Path) -> None:
        """Close the SQLite file and open it again: the reservations, and the rule that no
        one else may take the units, are still there."""
        url = f"sqlite:///{tmp_path / 'stock.db'}"
        clock = sl.FixedClock(START)
        with sl.Inventory.open(url, clock=clock) as inv:
            inv.add_location("DC1/A/01")
            inv.add_location("DC1/A/02")
            inv.add_location("DC1/B/01")
            stock_milk(inv)
            inv.allocate("MILK", 15, order="SO-1", line="1", actor="ann")
        with sl.Inventory.open(url, clock=clock) as inv:
            assert reserved(inv) == [
                ("SO-1", "LATE", "DC1/B/01", D(5)),
                ("SO-1", "SOON", "DC1/A/02", D(10)),
            ]
            assert [(r.line, r.actor, r.created_at) for r in inv.allocation.reservations()] == [
                ("1", "ann", START),
                ("1", "ann", START),
            ]
            assert inv.allocation.available_to_promise("MILK") == D(37)
            second = inv.allocate("MILK", 24, order="SO-2")
            assert second.allocated == D(24)
            inv.allocation.pick(inv.allocate("MILK", 1, order="SO-3"), dst="DC1/STAGING")
        with sl.Inventory.open(url, clock=clock) as inv:
            assert inv.allocation.available_to_promise("MILK") == D(12)
            assert inv.allocation.ship("SO-1", customer="SHOP").kind is sl.TxKind.SHIPMENT
            assert inv.verify().ok
