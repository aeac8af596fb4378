"""Master data: items, locations, parties, lots, statuses; every change recorded."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

import stockline as sl
from stockline import errors
from stockline.ledger import LocationKind


class TestItems:
    def test_gtin_is_stored_as_gtin14(self, inv: sl.Inventory) -> None:
        """A GTIN-13 is stored as GTIN-14 and found by either form."""
        item = inv.add_item("TEA", gtin="4006381333931")
        assert item.gtin == "04006381333931"
        assert inv.master.item_by_gtin("4006381333931").sku == "TEA"

    def test_bad_check_digit_is_refused(self, inv: sl.Inventory) -> None:
        """A GTIN with a wrong check digit is refused."""
        with pytest.raises(errors.BarcodeError):
            inv.add_item("TEA", gtin="4006381333932")
        with pytest.raises(errors.UnknownItemError):
            inv.master.item("TEA")

    def test_pack_gtins_resolve_to_the_item(self, inv: sl.Inventory) -> None:
        """A case GTIN finds the item it packs."""
        inv.add_item("TEA", gtin="04006381333931", packs=[("14006381333938", 12)])
        assert inv.master.item_by_gtin("14006381333938").sku == "TEA"
        assert inv.master.item("TEA").packs == (("14006381333938", 12),)

    def test_gtin_belongs_to_one_item(self, inv: sl.Inventory) -> None:
        """Two items cannot share a GTIN."""
        with pytest.raises(errors.DuplicateError):
            inv.add_item("ASP-COPY", gtin="09506000134352")

    def test_adding_again_is_idempotent_but_not_a_change(self, inv: sl.Inventory) -> None:
        """add_item with the same fields returns the item; with other fields it is refused."""
        assert inv.add_item("BOLT", description="M8 bolt") == inv.master.item("BOLT")
        with pytest.raises(errors.DuplicateError, match="update_item"):
            inv.add_item("BOLT", description="M10 bolt")

    def test_unit_precision_and_unknown_units(self, inv: sl.Inventory) -> None:
        """Known Rec 20 units get a default precision; others need decimals=."""
        assert inv.add_item("MILK", unit="LTR").decimals == 3
        with pytest.raises(errors.ValidationError, match="decimals="):
            inv.add_item("ROPE", unit="FOT")
        assert inv.add_item("ROPE", unit="FOT", decimals=2).decimals == 2

    def test_bad_tracking(self, inv: sl.Inventory) -> None:
        """Tracking is none, lot or serial."""
        with pytest.raises(errors.ValidationError):
            inv.add_item("X", tracking="batch")

    def test_update_records_the_change(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """Descriptive fields change with who and when recorded; tracking cannot change."""
        clock.advance(days=1)
        inv.master.update_item("BOLT", description="M8x40 bolt", actor="maria")
        change = inv.master.changes()[-1]
        assert (change.entity, change.key, change.actor, change.at) == (
            "item",
            "BOLT",
            "maria",
            clock.now(),
        )
        assert ("description", "M8x40 bolt") in change.fields
        # What movements were posted under cannot change: there is no keyword for it.
        assert "tracking" not in inspect.signature(inv.master.update_item).parameters


class TestLocations:
    def test_parents_are_created(self, inv: sl.Inventory) -> None:
        """Adding DC3/A/01 adds DC3 and DC3/A too."""
        inv.add_location("DC3/A/01", description="bin 1")
        paths = {loc.path: loc for loc in inv.master.locations()}
        assert {"DC3", "DC3/A", "DC3/A/01"} <= paths.keys()
        assert paths["DC3/A/01"].description == "bin 1"

    @pytest.mark.parametrize("path", ["", "/DC1", "DC1/", "DC1//A", " DC1", "DC1/%", "DC1/-A"])
    def test_malformed_paths(self, inv: sl.Inventory, path: str) -> None:
        """Paths are non-empty segments of letters, digits and a few marks joined by '/'."""
        with pytest.raises(errors.ValidationError):
            inv.add_location(path)

    def test_counterparty_kinds(self, inv: sl.Inventory) -> None:
        """A transit location may go negative; parties get their own counterparty location."""
        inv.add_location("transit/TRUCK-1", kind="transit")
        inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        kinds = {loc.path: loc.kind for loc in inv.master.locations()}
        assert kinds["transit/TRUCK-1"] is LocationKind.TRANSIT
        assert kinds["suppliers/ACME"] is LocationKind.SUPPLIER
        assert [p.code for p in inv.master.parties()] == ["ACME"]

    def test_bad_kind(self, inv: sl.Inventory) -> None:
        """Unknown kinds are refused with the list of valid ones."""
        with pytest.raises(errors.ValidationError, match="internal"):
            inv.add_location("X", kind="warehouse")


class TestLots:
    def test_receipt_creates_the_lot_with_expiry(self, inv: sl.Inventory) -> None:
        """The first receipt of a lot creates it with its expiry."""
        inv.receive(
            "ASP", 5, lot="L1", expiry=dt.date(2027, 3, 31), dst="DC1/DOCK", supplier="ACME"
        )
        assert inv.master.lot("ASP", "L1").expiry == dt.date(2027, 3, 31)

    def test_expiry_defaults_from_shelf_life(self, inv: sl.Inventory) -> None:
        """Without an expiry, production date plus the item's shelf life gives it."""
        inv.receive(
            "ASP", 5, lot="L2", produced_on=dt.date(2026, 1, 1), dst="DC1/DOCK", supplier="ACME"
        )
        assert inv.master.lot("ASP", "L2").expiry == dt.date(2028, 1, 1)

    def test_conflicting_expiry_is_refused(self, inv: sl.Inventory) -> None:
        """A known lot received with another expiry is refused, nothing posted."""
        inv.receive(
            "ASP", 5, lot="L1", expiry=dt.date(2027, 3, 31), dst="DC1/DOCK", supplier="ACME"
        )
        with pytest.raises(errors.ValidationError, match="update_lot"):
            inv.receive(
                "ASP", 5, lot="L1", expiry=dt.date(2027, 4, 30), dst="DC1/DOCK", supplier="ACME"
            )
        assert inv.on_hand("ASP") == 5

    def test_correcting_a_lot(self, inv: sl.Inventory) -> None:
        """update_lot corrects a lot, recorded as a change."""
        inv.add_lot("ASP", "L1", expiry=dt.date(2027, 3, 31))
        inv.master.update_lot("ASP", "L1", expiry=dt.date(2027, 4, 30), actor="qa")
        assert inv.master.lot("ASP", "L1").expiry == dt.date(2027, 4, 30)
        assert inv.master.changes()[-1].actor == "qa"

    def test_no_lots_for_untracked_items(self, inv: sl.Inventory) -> None:
        """An untracked item has no lots."""
        with pytest.raises(errors.ValidationError):
            inv.add_lot("BOLT", "L1")

    def test_failed_receipt_creates_no_lot(self, inv: sl.Inventory) -> None:
        """A receipt refused by a posting rule leaves no lot behind."""
        with pytest.raises(errors.InvalidQuantityError):
            inv.receive("ASP", 0, lot="L7", dst="DC1/DOCK", supplier="ACME")
        with pytest.raises(errors.UnknownLotError):
            inv.master.lot("ASP", "L7")


class TestStatuses:
    def test_own_status(self, inv: sl.Inventory) -> None:
        """User-defined statuses work like built-in ones; non-allocatable ones cannot ship."""
        inv.add_status("inspection")
        inv.receive("BOLT", 5, dst="DC1/DOCK", status="inspection", supplier="ACME")
        assert inv.on_hand("BOLT", status="inspection") == 5
        with pytest.raises(errors.StatusError):
            inv.ship("BOLT", 1, src="DC1/DOCK", status="inspection", customer="C")


class TestGtinOwnership:
    def test_update_cannot_take_another_items_gtin(self, inv: sl.Inventory) -> None:
        """update_item refuses a GTIN that names another item, on every store."""
        inv.add_item("TEA", gtin="04006381333931")
        with pytest.raises(errors.DuplicateError, match="ASP"):
            inv.master.update_item("TEA", gtin="09506000134352")
        assert inv.master.item_by_gtin("09506000134352").sku == "ASP"

    def test_pack_names_are_not_gtins(self, inv: sl.Inventory) -> None:
        """Two items may both call a pack "CASE"; only digit codes are GTINs."""
        inv.add_item("TEA", packs=[("CASE", 12)])
        inv.add_item("COFFEE", packs=[("CASE", 6)])
        assert inv.master.item("COFFEE").packs == (("CASE", 6),)


class TestSameAnswersEverywhere:
    def test_quantities_are_canonical(self, inv: sl.Inventory) -> None:
        """1.001 less 0.001 reads back as 1 on every store, not 1.000."""
        inv.receive("FLOUR", "1.001", dst="DC1/DOCK", supplier="ACME")
        inv.adjust("FLOUR", "-0.001", location="DC1/DOCK", reason="spill")
        [balance] = inv.stock("FLOUR")
        assert str(balance.quantity) == "1"

    def test_master_change_fields_sorted(self, inv: sl.Inventory) -> None:
        """Master data changes list their fields sorted by name on every store."""
        names = [name for name, _ in inv.master.changes()[-1].fields]
        assert names == sorted(names)
