"""Waves, pick lists, picking by scan to staging, short picks and shipping staged orders
(``inv.picking``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import stockline as sl
from stockline import errors, gs1
from stockline.gs1 import sscc
from stockline.ledger import TxKind
from stockline.operations import OrderState
from tests.conftest import StoreFactory

D = Decimal
TOTE = sscc("9506000", "000000011")
PALLET = sscc("9506000", "000000012")


def asp(lot: str, expiry: str = "270131") -> str:
    """A GS1 element string for a unit of ASP of ``lot``."""
    return f"(01)09506000134352(17){expiry}(10){lot}"


@pytest.fixture
def site(inv: sl.Inventory) -> sl.Inventory:
    """Zone A (walk 3, 1) and zone B (walk 2) with ASP lots and BOLT; SO-1 and SO-2
    allocated; staging lanes OUT/1 and OUT/2."""
    for path, seq in (("DC1/A/10", 3), ("DC1/A/20", 1), ("DC1/B/10", 2)):
        inv.add_location(path, pick_sequence=seq)
    inv.add_location("DC1/OUT/1")
    inv.add_location("DC1/OUT/2")
    inv.receive("ASP", 6, lot="L1", expiry=dt.date(2027, 1, 31), dst="DC1/A/10", supplier="ACME")
    inv.receive("ASP", 6, lot="L2", expiry=dt.date(2027, 6, 30), dst="DC1/B/10", supplier="ACME")
    inv.receive("BOLT", 10, dst="DC1/A/20", supplier="ACME")
    inv.receive("BOLT", 10, dst="DC1/B/10", supplier="ACME")
    inv.allocate("ASP", 8, order="SO-1")  # 6 of L1 at A/10, 2 of L2 at B/10
    inv.allocate("BOLT", 4, order="SO-2", zones=["DC1/A"])
    return inv


def plan(site: sl.Inventory) -> sl.operations.Wave:
    return site.picking.plan(
        "W-1", ["SO-1", "SO-2"], staging={"SO-1": "DC1/OUT/1", "SO-2": "DC1/OUT/2"}
    )


class TestPlanning:
    def test_lists_per_zone_in_walk_order(self, site: sl.Inventory) -> None:
        """Reservations of both orders become one pick list per zone, by walk sequence."""
        wave = plan(site)
        assert [
            (p.zone, [(x.number, x.src.location, x.order, x.quantity) for x in p.lines])
            for p in wave.lists
        ] == [
            ("DC1/A", [(1, "DC1/A/20", "SO-2", D(4)), (2, "DC1/A/10", "SO-1", D(6))]),
            ("DC1/B", [(3, "DC1/B/10", "SO-1", D(2))]),
        ]
        assert site.picking.wave("W-1") == wave
        assert [w.id for w in site.picking.waves()] == ["W-1"]
        assert site.picking.progress("SO-1").state is OrderState.ALLOCATED

    def test_refusals(self, site: sl.Inventory) -> None:
        """A wave reference used twice, an order twice, an order with nothing reserved, a
        missing staging lane or a non-internal one: refused."""
        plan(site)
        for args, kwargs in [
            (("W-1", ["SO-1"]), {"staging": "DC1/OUT/1"}),
            (("W-2", ["SO-1"]), {"staging": "DC1/OUT/1"}),  # SO-1 is in W-1
            (("W-2", ["SO-9"]), {"staging": "DC1/OUT/1"}),
            (("W-2", ["SO-9", "SO-9"]), {"staging": "DC1/OUT/1"}),
            (("W-2", []), {"staging": "DC1/OUT/1"}),
            (("W-2", "SO-1"), {"staging": "DC1/OUT/1"}),
            (("W-2", ["SO-3"]), {"staging": {"SO-1": "DC1/OUT/1"}}),
            (("W-2", ["SO-1"]), {"staging": "customers/X"}),
            (("W-2", ["SO-1"]), {"staging": "DC1/OUT/1", "zone_depth": 0}),
            ((None, ["SO-1"]), {"staging": "DC1/OUT/1"}),
        ]:
            with pytest.raises(errors.StocklineError):
                site.picking.plan(*args, **kwargs)  # type: ignore[arg-type]
        assert [w.id for w in site.picking.waves()] == ["W-1"]


class TestPicking:
    def test_scan_pick_stage_and_ship(self, site: sl.Inventory) -> None:
        """Picks confirmed by scan move stock and reservation to staging; the order is staged
        when nothing is left, and ships from there."""
        plan(site)
        first = site.picking.confirm("W-1", 2, asp("L1"), quantity=4)
        assert first.transaction is not None
        tx = first.transaction
        assert (tx.kind, [str(r) for r in tx.refs]) == (TxKind.PICK, ["SO:SO-1", "WAVE:W-1"])
        assert site.picking.progress("SO-1").state is OrderState.PICKING
        site.picking.confirm("W-1", 2, asp("L1"))
        site.picking.confirm("W-1", 3, asp("L2", "270630"))
        progress = site.picking.progress("SO-1")
        assert (progress.state, progress.staged, progress.reserved) == (
            OrderState.STAGED,
            D(8),
            D(8),
        )
        assert site.on_hand("ASP", location="DC1/OUT/1") == 8
        shipped = site.picking.ship("SO-1", customer="SHOP", refs={"BOL": "B-1"})
        assert {m.src.location for m in shipped.movements} == {"DC1/OUT/1"}
        progress = site.picking.progress("SO-1")
        assert (progress.state, progress.shipped, progress.reserved) == (
            OrderState.SHIPPED,
            D(8),
            D(0),
        )
        assert site.picking.wave("W-1").line(2).remaining == 0

    def test_a_wrong_scan_posts_nothing(self, site: sl.Inventory) -> None:
        """The scan must be the line's lot; a mismatch is a PickError and nothing moves."""
        plan(site)
        head = site.changes()[-1].id
        with pytest.raises(errors.PickError, match="lot L1"):
            site.picking.confirm("W-1", 2, asp("L2", "270630"))
        with pytest.raises(errors.PickError, match="left to pick"):
            site.picking.confirm("W-1", 2, asp("L1"), quantity=7)
        with pytest.raises(errors.PickError, match="no such line"):
            site.picking.confirm("W-1", 9)
        with pytest.raises(errors.PickError, match="no such wave"):
            site.picking.confirm("W-9", 1)
        for bad in ({"line": 0}, {"line": True}, {"line": 1, "quantity": 1.0}):
            with pytest.raises(errors.StocklineError):
                site.picking.confirm("W-1", **bad)
        with pytest.raises(errors.BarcodeError):
            site.picking.confirm("W-1", 2, "(01)123")
        assert site.changes()[-1].id == head

    def test_short_pick_is_allocated_again(self, site: sl.Inventory) -> None:
        """A short pick releases what was not found and allocates it again by the item's
        policy, never from the same position; the wave grows by the new lines."""
        plan(site)
        done = site.picking.confirm("W-1", 2, asp("L1"), quantity=5, short=True)
        assert done.short == 1
        assert [(x.number, x.src.location, x.lot, x.quantity) for x in done.reallocated] == [
            (4, "DC1/B/10", "L2", D(1))
        ]
        assert done.unallocated == 0
        line = site.picking.wave("W-1").line(2)
        assert (line.picked, line.short, line.remaining) == (D(5), D(1), D(0))
        held = {
            (r.position.location, r.lot): r.quantity for r in site.allocation.reservations("SO-1")
        }
        assert held == {("DC1/OUT/1", "L1"): D(5), ("DC1/B/10", "L2"): D(3)}

    def test_nothing_found_and_nothing_left(self, site: sl.Inventory) -> None:
        """Nothing found anywhere: the shortfall is reported and the order is short."""
        plan(site)
        site.picking.confirm("W-1", 3, asp("L2", "270630"))
        done = site.picking.confirm("W-1", 1, quantity=0, short=True)
        assert done.transaction is None
        assert (done.short, done.unallocated) == (D(4), D(0))  # BOLT at B/10
        with pytest.raises(errors.PickError, match="not staged"):
            site.picking.ship("SO-2", customer="SHOP")

    def test_pick_into_a_container_ships_the_container(self, site: sl.Inventory) -> None:
        """Picks into a tote at staging ship with the tote, named on the shipment."""
        site.containers.create(TOTE, kind="tote")
        plan(site)
        site.picking.confirm("W-1", 1, container=TOTE)
        shipped = site.picking.ship("SO-2", customer="SHOP")
        assert [(e.container, e.location) for e in shipped.containers] == [(TOTE, "customers/SHOP")]
        assert shipped.movements[0].dst.container == TOTE
        events = site.epcis.export()["epcisBody"]["eventList"]
        (ship,) = [e for e in events if e["stockline:kind"] == "shipment"]
        assert any(TOTE in u for u in ship["epcList"])

    def test_a_case_on_a_pallet_ships_with_the_pallet(self, site: sl.Inventory) -> None:
        """A tote nested on a pallet at staging: the pallet goes too, the tote still on it;
        a container holding stock of another order is refused."""
        site.containers.create(TOTE, kind="case")
        site.containers.create(PALLET)
        plan(site)
        site.picking.confirm("W-1", 1, container=TOTE)
        site.containers.nest(TOTE, container=PALLET)
        site.receive("BOLT", 1, dst="DC1/OUT/2", container=PALLET, supplier="ACME")
        with pytest.raises(errors.PickError, match="not reserved for order SO-2"):
            site.picking.ship("SO-2", customer="SHOP")
        site.unpack("BOLT", 1, container=PALLET)
        shipped = site.picking.ship("SO-2", customer="SHOP")
        assert sorted((e.container, e.parent, e.location) for e in shipped.containers) == [
            (TOTE, PALLET, "customers/SHOP"),
            (PALLET, None, "customers/SHOP"),
        ]

    def test_a_retry_with_the_key_picks_once(self, site: sl.Inventory) -> None:
        """The same key returns the first pick; nothing is picked twice."""
        plan(site)
        first = site.picking.confirm("W-1", 1, quantity=2, key="pick-1")
        again = site.picking.confirm("W-1", 1, quantity=2, key="pick-1")
        assert again.transaction == first.transaction
        assert site.picking.wave("W-1").line(1).picked == 2

    def test_orders_states_and_a_second_wave(self, site: sl.Inventory) -> None:
        """An order outside any wave is allocated (or open); once its wave has nothing left
        to pick for it, it may join another."""
        assert site.picking.progress("SO-9").state is OrderState.OPEN
        assert site.picking.progress("SO-2").state is OrderState.ALLOCATED
        site.picking.plan("W-1", ["SO-2"], staging="DC1/OUT/2")
        site.allocate("BOLT", 1, order="SO-2", zones=["DC1/B"])
        with pytest.raises(errors.PickError, match="still has lines to pick"):
            site.picking.plan("W-2", ["SO-2"], staging="DC1/OUT/2")
        site.picking.confirm("W-1", 1)
        second = site.picking.plan("W-2", ["SO-2"], staging="DC1/OUT/2")
        assert [(x.src.location, x.quantity) for x in second.lines] == [("DC1/B/10", D(1))]
        assert site.picking.progress("SO-2").waves == ("W-1", "W-2")


def test_serials_are_checked(inv: sl.Inventory) -> None:
    """A serial-tracked line asks for its own serial."""
    inv.add_item("PHONE", gtin="09506000134369", tracking="serial")
    inv.add_location("DC1/OUT/1")
    inv.receive("PHONE", serials=["S1"], dst="DC1/A/01", supplier="ACME")
    inv.allocate("PHONE", 1, order="SO-5")
    inv.picking.plan("W-5", ["SO-5"], staging="DC1/OUT/1")
    with pytest.raises(errors.PickError, match="serial S1"):
        inv.picking.confirm("W-5", 1, "(01)09506000134369(21)S2")
    tx = inv.picking.confirm("W-5", 1, gs1.parse("(01)09506000134369(21)S1")).transaction
    assert tx is not None
    assert tx.movements[0].serial == "S1"


def test_every_store(any_store: StoreFactory, clock: sl.FixedClock) -> None:
    """Planning, picking short, staging and shipping agree on every store."""
    inv = sl.Inventory(store=any_store(), clock=clock)
    inv.add_item("BOLT")
    for path, seq in (("DC1/A/01", 2), ("DC1/A/02", 1), ("DC1/OUT", 0)):
        inv.add_location(path, pick_sequence=seq)
    inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
    inv.receive("BOLT", 5, dst="DC1/A/02", supplier="ACME")
    inv.allocate("BOLT", 6, order="SO-1")
    wave = inv.picking.plan("W-1", ["SO-1"], staging="DC1/OUT")
    assert [(x.src.location, x.quantity) for x in wave.lines] == [
        ("DC1/A/02", D(5)),
        ("DC1/A/01", D(1)),
    ]
    inv.picking.confirm("W-1", 1, quantity=4, short=True)
    inv.picking.confirm("W-1", 2)
    inv.picking.confirm("W-1", 3)
    assert inv.picking.progress("SO-1").state is OrderState.STAGED
    inv.picking.ship("SO-1", customer="SHOP")
    assert inv.on_hand("BOLT", location="DC1") == 4
    assert inv.picking.progress("SO-1").shipped == 6
