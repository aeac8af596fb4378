"""Allocate, reserve, pick, ship, release and ATP through ``inv.allocation``, on every store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import stockline as sl
from stockline import errors
from stockline.policies import Fifo, Lifo, MinShelfLife, compose
from tests.allocation._site import D, picks, reserved, stock_milk


@pytest.fixture
def milk(inv: sl.Inventory) -> sl.Inventory:
    stock_milk(inv)
    return inv


class TestPolicyChoice:
    def test_default_is_fefo_for_tracked_and_fifo_for_untracked(self, milk: sl.Inventory) -> None:
        """Lot-tracked items default to FEFO, untracked ones to FIFO."""
        assert type(milk.allocation.policy("MILK")).__name__ == "Fefo"
        assert type(milk.allocation.policy("BOLT")).__name__ == "Fifo"

    def test_fefo_skips_expired_and_takes_earliest_expiry(self, milk: sl.Inventory) -> None:
        """The expired lot OLD is never taken; SOON goes before LATE."""
        plan = milk.allocate("MILK", 15, order="SO-1")
        assert picks(plan) == [("SOON", "DC1/A/02", D(10)), ("LATE", "DC1/B/01", D(5))]
        assert plan.is_complete

    def test_set_policy_and_per_call_override(self, milk: sl.Inventory) -> None:
        """set_policy changes the item's policy; policy= overrides it for one call."""
        milk.allocation.set_policy("MILK", Fifo())
        # FIFO: LATE (received 02-01) before SOON (02-15); OLD is expired whatever the policy.
        assert picks(milk.allocate("MILK", 5, order="SO-1")) == [("LATE", "DC1/B/01", D(5))]
        assert picks(milk.allocate("MILK", 5, order="SO-2", policy=Lifo())) == [
            ("SOON", "DC1/A/02", D(5))
        ]
        milk.allocation.set_policy("MILK", None)
        assert type(milk.allocation.policy("MILK")).__name__ == "Fefo"

    def test_set_policy_of_unknown_item(self, milk: sl.Inventory) -> None:
        """A policy for an item that does not exist is refused."""
        with pytest.raises(errors.UnknownItemError):
            milk.allocation.set_policy("NOPE", Fifo())

    def test_min_shelf_life(self, milk: sl.Inventory) -> None:
        """min_shelf_life_days=30 leaves out SOON (18 days left)."""
        plan = milk.allocate("MILK", 5, order="SO-1", min_shelf_life_days=30)
        assert picks(plan) == [("LATE", "DC1/B/01", D(5))]
        plan = milk.allocate("MILK", 5, order="SO-2", policy=compose(MinShelfLife(30), Fifo()))
        assert picks(plan) == [("LATE", "DC1/B/01", D(5))]

    def test_zones_and_lot(self, milk: sl.Inventory) -> None:
        """zones= and lot= are hard constraints."""
        assert picks(milk.allocate("MILK", 3, order="SO-1", zones=["DC1/B"])) == [
            ("LATE", "DC1/B/01", D(3))
        ]
        assert picks(milk.allocate("MILK", 3, order="SO-2", lot="LATE")) == [
            ("LATE", "DC1/B/01", D(3))
        ]


class TestReserving:
    def test_allocation_reserves_and_atp_drops(self, milk: sl.Inventory) -> None:
        """ATP is allocatable on-hand less reserved: 52 - 15 = 37 (expired stock counts in
        ATP; allocate leaves it out)."""
        assert milk.allocation.available_to_promise("MILK") == D(52)
        milk.allocate("MILK", 15, order="SO-1", line="1")
        assert reserved(milk) == [
            ("SO-1", "LATE", "DC1/B/01", D(5)),
            ("SO-1", "SOON", "DC1/A/02", D(10)),
        ]
        assert milk.allocation.available_to_promise("MILK") == D(37)
        assert milk.allocation.available_to_promise("MILK", lot="LATE") == D(25)
        assert milk.allocation.available_to_promise("MILK", location="DC1/A") == D(12)
        assert milk.on_hand("MILK") == D(52)

    def test_second_allocation_never_takes_reserved_units(self, milk: sl.Inventory) -> None:
        """Two orders over the same lots share nothing: the second gets what is left."""
        first = milk.allocate("MILK", 30, order="SO-1")
        second = milk.allocate("MILK", 30, order="SO-2")
        assert first.is_complete
        assert picks(second) == [("LATE", "DC1/B/01", D(10))]
        assert second.shortfall == D(20)
        assert milk.allocation.available_to_promise("MILK") == D(12)  # only the expired lot is left

    def test_same_line_twice_adds_up(self, milk: sl.Inventory) -> None:
        """Allocating the same order line again at the same position adds to one reservation."""
        milk.allocate("MILK", 4, order="SO-1", line="1", lot="LATE")
        milk.allocate("MILK", 6, order="SO-1", line="1", lot="LATE")
        assert reserved(milk) == [("SO-1", "LATE", "DC1/B/01", D(10))]

    def test_all_or_nothing_raises_and_reserves_nothing(self, milk: sl.Inventory) -> None:
        """A short all-or-nothing allocation raises with the numbers and reserves nothing."""
        with pytest.raises(errors.AllocationShortfallError) as caught:
            milk.allocate("MILK", 50, order="SO-1", all_or_nothing=True)
        assert (caught.value.item, caught.value.requested, caught.value.available) == (
            "MILK",
            D(50),
            D(40),
        )
        assert milk.allocation.reservations() == []

    def test_shortfall_is_a_value(self, milk: sl.Inventory) -> None:
        """Without all_or_nothing, what there is is reserved and the rest is the shortfall."""
        plan = milk.allocate("MILK", 50, order="SO-1")
        assert (plan.allocated, plan.shortfall) == (D(40), D(10))

    def test_held_stock_is_never_allocated(self, milk: sl.Inventory) -> None:
        """Stock on hold is neither allocated nor promised."""
        milk.hold("MILK", 30, location="DC1/B/01", lot="LATE", reason="QA")
        plan = milk.allocate("MILK", 15, order="SO-1")
        assert picks(plan) == [("SOON", "DC1/A/02", D(10))]
        assert plan.shortfall == D(5)
        assert milk.allocation.available_to_promise("MILK") == D(12)

    def test_whole_packs(self, milk: sl.Inventory) -> None:
        """whole_packs=True allocates whole cases of 6: 12 from SOON (10) and LATE (30) is
        two picks of whole cases."""
        plan = milk.allocate("MILK", 12, order="SO-1", whole_packs=True)
        assert plan.demand.pack_size == D(6)
        assert all(p.quantity % 6 == 0 for p in plan.picks)
        assert plan.allocated == D(12)
        assert picks(milk.allocate("MILK", 6, order="SO-2", whole_packs="CASE")) != []
        with pytest.raises(errors.ValidationError):
            milk.allocate("BOLT", 6, order="SO-3", whole_packs=True)


class TestPostingsRespectReservations:
    def test_move_of_reserved_units_is_refused(self, milk: sl.Inventory) -> None:
        """A plain move may take unreserved units, never reserved ones, and says which order
        holds them."""
        milk.allocate("MILK", 25, order="SO-1", lot="LATE")
        milk.move("MILK", 5, src="DC1/B/01", dst="DC1/A/01", lot="LATE")  # the 5 unreserved
        with pytest.raises(errors.ReservedStockError) as caught:
            milk.move("MILK", 1, src="DC1/B/01", dst="DC1/A/01", lot="LATE")
        assert caught.value.orders == ("SO-1",)
        assert caught.value.reserved == D(25)
        assert isinstance(caught.value, errors.InsufficientStockError)

    def test_ship_and_hold_of_reserved_units_are_refused(self, milk: sl.Inventory) -> None:
        """Shipping or holding reserved units outside the order is refused too."""
        milk.allocate("MILK", 10, order="SO-1", lot="SOON")
        with pytest.raises(errors.ReservedStockError):
            milk.ship("MILK", 1, src="DC1/A/02", lot="SOON", customer="SHOP")
        with pytest.raises(errors.ReservedStockError):
            milk.hold("MILK", 1, location="DC1/A/02", lot="SOON", reason="QA")
        milk.allocation.release("SO-1")
        milk.ship("MILK", 1, src="DC1/A/02", lot="SOON", customer="SHOP")


class TestPickShipRelease:
    def test_allocate_pick_ship(self, milk: sl.Inventory) -> None:
        """Pick moves the picks to staging with their reservations; ship ships them
        and consumes the reservations."""
        plan = milk.allocate("MILK", 15, order="SO-1")
        tx = milk.allocation.pick(plan, dst="DC1/STAGING")
        assert tx.kind is sl.TxKind.PICK
        assert [str(r) for r in tx.refs] == ["SO:SO-1"]
        assert milk.on_hand("MILK", location="DC1/STAGING") == D(15)
        assert reserved(milk) == [
            ("SO-1", "LATE", "DC1/STAGING", D(5)),
            ("SO-1", "SOON", "DC1/STAGING", D(10)),
        ]
        assert milk.allocation.available_to_promise("MILK") == D(37)
        shipped = milk.allocation.ship("SO-1", customer="SHOP")
        assert shipped.kind is sl.TxKind.SHIPMENT
        assert sorted((m.lot, m.quantity) for m in shipped.movements) == [
            ("LATE", D(5)),
            ("SOON", D(10)),
        ]
        assert milk.allocation.reservations() == []
        assert milk.on_hand("MILK") == D(37)
        assert milk.allocation.available_to_promise("MILK") == D(37)
        assert milk.verify().ok

    def test_ship_without_pick(self, milk: sl.Inventory) -> None:
        """Reserved stock can ship straight from where it is."""
        milk.allocate("MILK", 3, order="SO-1", line="1")
        milk.allocate("MILK", 4, order="SO-1", line="2", lot="LATE")
        shipped = milk.allocation.ship("SO-1", customer="SHOP", line="2")
        assert [(m.lot, m.quantity) for m in shipped.movements] == [("LATE", D(4))]
        assert [r.line for r in milk.allocation.reservations("SO-1")] == ["1"]

    def test_picking_a_released_allocation_is_refused(self, milk: sl.Inventory) -> None:
        """Once released (cancelled), an allocation cannot be picked; nothing is posted."""
        plan = milk.allocate("MILK", 5, order="SO-1")
        released = milk.allocation.release("SO-1")
        assert [(r.lot, r.quantity) for r in released] == [("SOON", D(5))]
        head = milk.changes()[-1].id
        with pytest.raises(errors.ReservationError):
            milk.allocation.pick(plan, dst="DC1/STAGING")
        assert milk.changes()[-1].id == head
        assert milk.allocation.available_to_promise("MILK") == D(52)

    def test_ship_with_nothing_reserved_is_refused(self, milk: sl.Inventory) -> None:
        """Shipping an order with no reservation is an error; releasing one is a no-op."""
        with pytest.raises(errors.ReservationError):
            milk.allocation.ship("SO-404", customer="SHOP")
        assert milk.allocation.release("SO-404") == []

    def test_idempotent_pick_and_ship(self, milk: sl.Inventory) -> None:
        """A retried pick or shipment with the same key returns the first transaction."""
        plan = milk.allocate("MILK", 5, order="SO-1")
        first = milk.allocation.pick(plan, dst="DC1/STAGING", key="pick-1")
        assert milk.allocation.pick(plan, dst="DC1/STAGING", key="pick-1") == first
        shipped = milk.allocation.ship("SO-1", customer="SHOP", key="ship-1")
        assert milk.allocation.ship("SO-1", customer="SHOP", key="ship-1") == shipped

    def test_failed_posting_keeps_reservations(self, milk: sl.Inventory) -> None:
        """A pick that fails (unknown staging location) leaves the reservations as they were."""
        plan = milk.allocate("MILK", 5, order="SO-1")
        before = milk.allocation.reservations()
        with pytest.raises(errors.StocklineError):
            milk.allocation.pick(plan, dst="NOWHERE/AT/ALL")
        assert milk.allocation.reservations() == before


class TestUntrackedAndSerial:
    def test_fifo_on_untracked_stock(self, inv: sl.Inventory) -> None:
        """Untracked stock: FIFO by when each bin was first filled."""
        inv.receive(
            "BOLT",
            5,
            dst="DC1/A/02",
            effective_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            supplier="ACME",
        )
        inv.receive(
            "BOLT",
            5,
            dst="DC1/A/01",
            effective_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
            supplier="ACME",
        )
        plan = inv.allocate("BOLT", 7, order="SO-1")
        assert picks(plan) == [(None, "DC1/A/02", D(5)), (None, "DC1/A/01", D(2))]

    def test_serials_are_reserved_one_by_one(self, inv: sl.Inventory) -> None:
        """Serial stock is allocated per serial, and picked serial by serial."""
        inv.add_location("DC1/STAGING")
        inv.receive("PUMP", dst="DC1/A/01", serials=["S1", "S2", "S3"], supplier="ACME")
        plan = inv.allocate("PUMP", 2, order="SO-1")
        assert plan.allocated == D(2)
        serials = sorted(r.serial or "" for r in inv.allocation.reservations())
        assert serials == ["S1", "S2"]
        tx = inv.allocation.pick(plan, dst="DC1/STAGING")
        assert sorted(m.serial or "" for m in tx.movements) == ["S1", "S2"]
        assert inv.allocation.available_to_promise("PUMP") == Decimal(1)


class TestBoundary:
    def test_arguments_are_refused_before_anything_is_read(self, milk: sl.Inventory) -> None:
        """A lone string is not a list of zones, a bool is not a quantity, text is not a date,
        and a policy must be one; nothing is reserved."""
        bad: list[tuple[type[Exception], dict[str, object]]] = [
            (errors.ValidationError, {"zones": "DC1/B"}),
            (errors.ValidationError, {"preferred_zones": "DC1/B"}),
            (errors.InvalidTimeError, {"at": "2026-03-02"}),
            (errors.ValidationError, {"policy": "FEFO"}),
            (errors.ValidationError, {"all_or_nothing": 1}),
            (errors.ValidationError, {"min_shelf_life_days": True}),
            (errors.ValidationError, {"attributes": ["origin"]}),
        ]
        for error, kwargs in bad:
            with pytest.raises(error):
                milk.allocate("MILK", 5, order="SO-1", **kwargs)  # type: ignore[arg-type]
        with pytest.raises(errors.InvalidQuantityError):
            milk.allocate("MILK", True, order="SO-1")
        with pytest.raises(errors.ValidationError):
            milk.allocation.set_policy("MILK", "FEFO")  # type: ignore[arg-type]
        with pytest.raises(errors.ValidationError):
            milk.allocation.pick("SO-1", dst="DC1/STAGING")  # type: ignore[arg-type]
        assert milk.allocation.reservations() == []

    def test_policy_of_reads_nothing(self, milk: sl.Inventory) -> None:
        """policy_of answers from the item record and the policies set, as policy() does."""
        item = sl.Item(sku="MILK", tracking=sl.Tracking.LOT)
        assert type(milk.allocation.policy_of(item)).__name__ == "Fefo"
        milk.allocation.set_policy("MILK", Fifo())
        assert milk.allocation.policy_of(item) == milk.allocation.policy("MILK") == Fifo()

    def test_public_signatures_resolve(self) -> None:
        """Every public method of the service (and Inventory.allocate) has resolvable hints."""
        import typing

        from stockline.allocation import Allocations

        for name in dir(Allocations):
            if not name.startswith("_"):
                assert typing.get_type_hints(getattr(Allocations, name)) is not None, name
        assert typing.get_type_hints(sl.Inventory.allocate)["return"].__name__ == "Allocation"
