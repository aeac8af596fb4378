"""Posting from GS1 scans: inv.scanning.receive() and verify_pick(), on every store.

Scans are built with stockline.gs1's encoders, so each test also shows the round trip from
values to what a scanner sends (element string, HRI, Digital Link) and back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import errors, gs1
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore, StockStore
from stockline.errors import ExpiredProductError, ScanMismatchError
from stockline.gs1 import GS, Element
from stockline.operations import PickCheck
from stockline.policies import Candidate, Pick

TODAY = dt.date(2026, 3, 2)  # the conftest clock's date
START = pendulum.datetime(2026, 3, 2, 8, tz="UTC")
# Candidates take a plain datetime: policies.micros() fails on a pendulum DateTime.
RECEIVED = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
SOON = dt.date(2026, 9, 30)
ASP = "09506000134352"


def _gtin(body: str) -> str:
    """A GTIN-14 from its first 13 digits, with the check digit computed."""
    return body + str(gs1.check_digit(body))


ASP_CASE = _gtin("1950600013435")  # a case of 12 ASP
BOLT = _gtin("0401234500001")
PUMP = _gtin("0401234500002")
PUMP_BOX = _gtin("1401234500002")
FLOUR = _gtin("9401234500003")  # indicator 9: a variable measure trade item
PALLET = gs1.sscc("0614141", "123456789")
OTHER_PALLET = gs1.sscc("0614141", "987654321")
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def shop(inv: sl.Inventory) -> sl.Inventory:
    """The conftest inventory with GTINs on every item and a case of 12 for ASP."""
    inv.master.update_item("ASP", packs=((ASP_CASE, 12),))
    inv.master.update_item("BOLT", gtin=BOLT)
    inv.master.update_item("PUMP", gtin=PUMP, packs=((PUMP_BOX, 4),))
    inv.master.update_item("FLOUR", gtin=FLOUR)
    return inv


def element_string(**values: Any) -> str:
    """Values → GS1 element string with GS separators, as a GS1-128 scanner sends it."""
    return gs1.to_element_string(gs1.build_elements(today=TODAY, **values), prefix="]C1")


def hri(**values: Any) -> str:
    """Values → bracketed HRI, as printed under the barcode."""
    return gs1.to_hri(gs1.build_elements(today=TODAY, **values))


def digital_link(**values: Any) -> str:
    """Values → GS1 Digital Link URI, as a QR code carries it."""
    return gs1.to_digital_link(gs1.build_elements(today=TODAY, **values))


Snapshot = tuple[list[sl.Transaction], list[sl.Balance]]


def snapshot(inv: sl.Inventory) -> Snapshot:
    return inv.changes(), inv.stock(internal_only=False)


@contextmanager
def unchanged(inv: sl.Inventory) -> Iterator[None]:
    """Assert the ledger (transactions and every balance) is the same after the block."""
    before = snapshot(inv)
    yield
    assert snapshot(inv) == before


class TestReceive:
    def test_element_string_with_gs(self, shop: sl.Inventory) -> None:
        """An element string with GS separators receives the GTIN's item, lot and expiry."""
        text = element_string(gtin=ASP, expiry=SOON, lot="L1", serial="X9")
        assert GS in text  # lot then serial: a variable-length field needs a separator
        tx = shop.scanning.receive(text, 5, dst="DC1/DOCK", supplier="ACME", ref="PO-1")
        assert tx.kind is sl.TxKind.RECEIPT
        assert shop.on_hand("ASP", lot="L1") == 5
        assert shop.master.lot("ASP", "L1").expiry == SOON
        assert [(r.type, r.number) for r in tx.refs] == [("PO", "PO-1")]

    def test_hri(self, shop: sl.Inventory) -> None:
        """HRI text is read like the barcode; no quantity means one scanned unit."""
        shop.scanning.receive(
            hri(gtin=ASP, expiry=SOON, lot="L(2)"), dst="DC1/DOCK", supplier="ACME"
        )
        assert shop.on_hand("ASP", lot="L(2)") == 1

    def test_digital_link(self, shop: sl.Inventory) -> None:
        """A GS1 Digital Link URI receives the same as the element string."""
        shop.scanning.receive(
            digital_link(gtin=ASP, expiry=SOON, lot="L3"), 7, dst="DC1/DOCK", supplier="ACME"
        )
        assert shop.on_hand("ASP", lot="L3") == 7
        assert shop.master.lot("ASP", "L3").expiry == SOON

    def test_gs_standin(self, shop: sl.Inventory) -> None:
        """A scanner sending a stand-in for GS is read with gs_standin."""
        elements = gs1.build_elements(gtin=ASP, lot="L4", serial="S", today=TODAY)
        text = gs1.to_element_string(elements, separator="^")
        shop.scanning.receive(text, 2, dst="DC1/DOCK", gs_standin="^", supplier="ACME")
        assert shop.on_hand("ASP", lot="L4") == 2

    def test_parsed_scan(self, shop: sl.Inventory) -> None:
        """An already parsed Scan is received as is."""
        scan = gs1.parse(hri(gtin=ASP, lot="L5"), today=TODAY)
        shop.scanning.receive(scan, 3, dst="DC1/DOCK", supplier="ACME")
        assert shop.on_hand("ASP", lot="L5") == 3

    def test_case_gtin_counts_cases(self, shop: sl.Inventory) -> None:
        """A pack GTIN resolves to its item; quantity counts packs: 3 cases of 12 are 36."""
        tx = shop.scanning.receive(
            hri(gtin=ASP_CASE, expiry=SOON, lot="L1"), 3, dst="DC1/DOCK", supplier="ACME"
        )
        assert [(m.item, m.quantity) for m in tx.movements] == [("ASP", Decimal(36))]

    def test_logistic_label(self, shop: sl.Inventory) -> None:
        """An SSCC label with 02 + 37 receives the count of the content GTIN, into the pallet."""
        text = element_string(sscc=PALLET, content_gtin=ASP, count=40, expiry=SOON, lot="L1")
        shop.scanning.receive(text, dst="DC1/DOCK", supplier="ACME")
        [balance] = shop.stock("ASP")
        assert balance.quantity == 40
        assert balance.position == sl.Position(location="DC1/DOCK", container=PALLET)

    def test_logistic_label_of_cases(self, shop: sl.Inventory) -> None:
        """A label whose content GTIN is a case counts cases: 10 cases of 12 are 120."""
        text = digital_link(sscc=PALLET, content_gtin=ASP_CASE, count=10, lot="L1")
        shop.scanning.receive(text, 10, dst="DC1/DOCK", supplier="ACME")
        assert shop.on_hand("ASP", container=PALLET) == 120

    def test_known_pallet(self, shop: sl.Inventory) -> None:
        """A pallet already registered (or named as container=) is used as it is."""
        shop.add_container(PALLET, kind="half-pallet")
        text = hri(sscc=PALLET, content_gtin=ASP, count=4, lot="L1")
        shop.scanning.receive(text, dst="DC1/DOCK", container=PALLET, supplier="ACME")
        assert shop.on_hand("ASP", container=PALLET) == 4

    def test_net_weight_is_the_quantity(self, shop: sl.Inventory) -> None:
        """A net weight (310n) in the item's unit is the quantity of one scanned unit."""
        elements = (Element(ai="01", value=FLOUR), Element(ai="3103", value="012345"))
        shop.scanning.receive(gs1.to_hri(elements), dst="DC1/DOCK", supplier="ACME")
        assert shop.on_hand("FLOUR") == Decimal("12.345")

    def test_quantity_counts_weighed_units(self, shop: sl.Inventory) -> None:
        """With a net weight, quantity counts identical scanned units: 4 sacks of 25 kg are 100."""
        text = gs1.to_element_string(
            (Element(ai="01", value=FLOUR), Element(ai="3102", value="002500"))
        )
        shop.scanning.receive(text, 4, dst="DC1/DOCK", supplier="ACME")
        assert shop.on_hand("FLOUR") == 100

    def test_measure_in_another_unit_is_ignored(self, shop: sl.Inventory) -> None:
        """A net weight on an item counted in EA does not change the count."""
        text = gs1.to_hri((Element(ai="01", value=BOLT), Element(ai="3103", value="000500")))
        shop.scanning.receive(text, 6, dst="DC1/DOCK", supplier="ACME")
        assert shop.on_hand("BOLT") == 6

    def test_untracked_item_ignores_the_lot(self, shop: sl.Inventory) -> None:
        """The lot and expiry on an untracked item's label are not posted."""
        tx = shop.scanning.receive(
            hri(gtin=BOLT, expiry=SOON, lot="B1"), 10, dst="DC1/DOCK", supplier="ACME"
        )
        assert [(m.lot, m.serial) for m in tx.movements] == [(None, None)]
        assert shop.master.lots("BOLT") == []

    def test_serial(self, shop: sl.Inventory) -> None:
        """A serial-tracked item receives the scanned serial (and lot) in quantity 1."""
        tx = shop.scanning.receive(
            element_string(gtin=PUMP, lot="P1", serial="SN-1"), dst="DC1/DOCK", supplier="ACME"
        )
        [movement] = tx.movements
        assert (movement.serial, movement.lot, movement.quantity) == ("SN-1", "P1", Decimal(1))

    def test_best_before_is_the_expiry_without_17(self, shop: sl.Inventory) -> None:
        """Without an expiry (17), the best-before date (15) becomes the lot's expiry."""
        shop.scanning.receive(
            hri(gtin=ASP, best_before=SOON, lot="L1"), dst="DC1/DOCK", supplier="ACME"
        )
        assert shop.master.lot("ASP", "L1").expiry == SOON

    def test_expiry_wins_over_best_before(self, shop: sl.Inventory) -> None:
        """With both dates on the label the expiry (17) is the lot's expiry."""
        text = hri(gtin=ASP, best_before=dt.date(2026, 12, 31), expiry=SOON, lot="L1")
        shop.scanning.receive(text, dst="DC1/DOCK", supplier="ACME")
        assert shop.master.lot("ASP", "L1").expiry == SOON

    def test_production_date_and_shelf_life(self, shop: sl.Inventory) -> None:
        """With only a production date (11), the lot expires after the item's shelf life."""
        produced = dt.date(2026, 2, 1)
        shop.scanning.receive(
            hri(gtin=ASP, production_date=produced, lot="L1"), dst="DC1/DOCK", supplier="ACME"
        )
        lot = shop.master.lot("ASP", "L1")
        assert (lot.produced_on, lot.expiry) == (produced, produced + dt.timedelta(days=730))

    def test_expiring_today_is_received(self, shop: sl.Inventory) -> None:
        """Product is good through its expiry date: expiring today (the clock's date) is fine."""
        shop.scanning.receive(
            hri(gtin=ASP, expiry=TODAY, lot="L1"), dst="DC1/DOCK", supplier="ACME"
        )
        assert shop.on_hand("ASP") == 1

    def test_allow_expired(self, shop: sl.Inventory) -> None:
        """allow_expired=True with a reason receives expired product (here into the expired
        status); without a reason it is refused, and nothing is posted."""
        text = hri(gtin=ASP, expiry=dt.date(2026, 1, 31), lot="OLD")
        with pytest.raises(errors.ValidationError, match="reason"):
            shop.scanning.receive(
                text, dst="DC1/DOCK", allow_expired=True, status="expired", supplier="ACME"
            )
        assert shop.changes() == []
        shop.scanning.receive(
            text, dst="DC1/DOCK", allow_expired=True, status="expired", supplier="ACME",
            reason="returned for destruction",
        )  # fmt: skip
        assert shop.on_hand("ASP", status="expired") == 1

    def test_back_dated_receipt_is_judged_on_its_date(self, shop: sl.Inventory) -> None:
        """A receipt effective in the past is judged on that day, when the goods arrived."""
        arrived = START - dt.timedelta(days=3)
        text = hri(gtin=ASP, expiry=TODAY - dt.timedelta(days=2), lot="L1")
        shop.scanning.receive(text, dst="DC1/DOCK", effective_at=arrived, supplier="ACME")
        assert shop.on_hand("ASP", lot="L1") == 1

    def test_at_overrides_the_clock(self, shop: sl.Inventory) -> None:
        """at= is the date expiry is judged on, whatever the clock says."""
        text = hri(gtin=ASP, expiry=SOON, lot="L1")
        with unchanged(shop), pytest.raises(ExpiredProductError):
            shop.scanning.receive(
                text, dst="DC1/DOCK", at=SOON + dt.timedelta(days=1), supplier="ACME"
            )

    def test_same_lot_again(self, shop: sl.Inventory) -> None:
        """A known lot scanned with the same expiry receives more of it."""
        text = hri(gtin=ASP, expiry=SOON, lot="L1")
        shop.scanning.receive(text, 2, dst="DC1/DOCK", supplier="ACME")
        shop.scanning.receive(text, 3, dst="DC1/DOCK", supplier="ACME")
        assert shop.on_hand("ASP", lot="L1") == 5

    def test_retry_with_key(self, shop: sl.Inventory) -> None:
        """A scan retried with the same key returns the first receipt and posts nothing."""
        text = hri(sscc=PALLET, content_gtin=ASP, count=4, lot="L1")
        first = shop.scanning.receive(text, dst="DC1/DOCK", key="asn-1/1", supplier="ACME")
        with unchanged(shop):
            assert (
                shop.scanning.receive(text, dst="DC1/DOCK", key="asn-1/1", supplier="ACME") == first
            )


class TestReceiveRefusals:
    def test_malformed_scan(self, shop: sl.Inventory) -> None:
        """Text that is not GS1 data raises BarcodeError."""
        with unchanged(shop), pytest.raises(errors.BarcodeError):
            shop.scanning.receive(
                "(01)09506000134353(10)L1", dst="DC1/DOCK", supplier="ACME"
            )  # bad check digit

    def test_no_gtin(self, shop: sl.Inventory) -> None:
        """A scan naming no GTIN and no content GTIN (a bare SSCC) is refused."""
        with unchanged(shop), pytest.raises(errors.BarcodeError, match="no GTIN") as caught:
            shop.scanning.receive(hri(sscc=PALLET), dst="DC1/DOCK", supplier="ACME")
        assert caught.value.ai == "01"

    def test_unknown_gtin(self, shop: sl.Inventory) -> None:
        """A GTIN no item (or pack) has is refused with UnknownItemError."""
        with unchanged(shop), pytest.raises(errors.UnknownItemError):
            shop.scanning.receive(hri(gtin=_gtin("0000000000017")), dst="DC1/DOCK", supplier="ACME")

    def test_lot_tracked_without_lot(self, shop: sl.Inventory) -> None:
        """A lot-tracked item scanned without AI 10 is refused: the lot cannot be guessed."""
        with unchanged(shop), pytest.raises(errors.TrackingError, match=r"no lot \(10\)"):
            shop.scanning.receive(hri(gtin=ASP, expiry=SOON), dst="DC1/DOCK", supplier="ACME")

    def test_serial_tracked_without_serial(self, shop: sl.Inventory) -> None:
        """A serial-tracked item scanned without AI 21 is refused."""
        with unchanged(shop), pytest.raises(errors.TrackingError, match=r"no serial \(21\)"):
            shop.scanning.receive(hri(gtin=PUMP, lot="P1"), dst="DC1/DOCK", supplier="ACME")

    def test_serial_in_quantity(self, shop: sl.Inventory) -> None:
        """A serial is one unit: a quantity other than 1 is refused."""
        with unchanged(shop), pytest.raises(errors.SerialError, match="one unit"):
            shop.scanning.receive(hri(gtin=PUMP, serial="SN-1"), 2, dst="DC1/DOCK", supplier="ACME")

    def test_serial_on_a_pack(self, shop: sl.Inventory) -> None:
        """A serial on a pack GTIN names the pack, not a unit of a serial-tracked item."""
        with unchanged(shop), pytest.raises(errors.SerialError, match="names the pack"):
            shop.scanning.receive(
                hri(gtin=PUMP_BOX, serial="BOX-1"), dst="DC1/DOCK", supplier="ACME"
            )

    def test_serial_already_in_stock(self, shop: sl.Inventory) -> None:
        """A serial already in stock cannot be received again."""
        text = hri(gtin=PUMP, serial="SN-1")
        shop.scanning.receive(text, dst="DC1/DOCK", supplier="ACME")
        with unchanged(shop), pytest.raises(errors.SerialError, match="already in stock"):
            shop.scanning.receive(text, dst="DC1/A/01", supplier="ACME")

    def test_expired(self, shop: sl.Inventory) -> None:
        """Product whose expiry (17) is before today is refused, naming the date."""
        expired = TODAY - dt.timedelta(days=1)
        with unchanged(shop), pytest.raises(ExpiredProductError) as caught:
            shop.scanning.receive(
                element_string(gtin=ASP, expiry=expired, lot="L1"), dst="DC1/DOCK", supplier="ACME"
            )
        error = caught.value
        assert (error.ai, error.item, error.lot, error.expiry, error.today) == (
            "17",
            "ASP",
            "L1",
            expired,
            TODAY,
        )
        assert shop.master.lots("ASP") == []

    def test_past_best_before(self, shop: sl.Inventory) -> None:
        """Without 17, a best-before date (15) before today is refused the same way."""
        text = hri(gtin=ASP, best_before=dt.date(2026, 2, 28), lot="L1")
        with unchanged(shop), pytest.raises(ExpiredProductError) as caught:
            shop.scanning.receive(text, dst="DC1/DOCK", supplier="ACME")
        assert caught.value.ai == "15"

    def test_expired_by_shelf_life(self, shop: sl.Inventory) -> None:
        """Produced (11) longer ago than the shelf life is expired too."""
        text = hri(gtin=ASP, production_date=dt.date(2024, 1, 1), lot="L1")
        with unchanged(shop), pytest.raises(ExpiredProductError) as caught:
            shop.scanning.receive(text, dst="DC1/DOCK", supplier="ACME")
        assert caught.value.ai == "11"

    def test_known_lot_expired(self, shop: sl.Inventory) -> None:
        """A label without dates is judged by its lot's recorded expiry."""
        shop.add_lot("ASP", "OLD", expiry=dt.date(2026, 1, 31))
        with unchanged(shop), pytest.raises(ExpiredProductError) as caught:
            shop.scanning.receive(hri(gtin=ASP, lot="OLD"), dst="DC1/DOCK", supplier="ACME")
        assert caught.value.ai is None

    def test_known_lot_with_another_expiry(self, shop: sl.Inventory) -> None:
        """A known lot scanned with a different expiry is refused; the label or lot is wrong."""
        shop.scanning.receive(hri(gtin=ASP, expiry=SOON, lot="L1"), dst="DC1/DOCK", supplier="ACME")
        other = hri(gtin=ASP, expiry=dt.date(2026, 10, 31), lot="L1")
        with unchanged(shop), pytest.raises(errors.ValidationError, match="recorded with expiry"):
            shop.scanning.receive(other, dst="DC1/DOCK", supplier="ACME")

    def test_quantity_against_count(self, shop: sl.Inventory) -> None:
        """A quantity that contradicts the label's count (37) is refused."""
        text = hri(sscc=PALLET, content_gtin=ASP, count=40, lot="L1")
        with unchanged(shop), pytest.raises(ScanMismatchError) as caught:
            shop.scanning.receive(text, 36, dst="DC1/DOCK", supplier="ACME")
        assert (caught.value.ai, caught.value.scanned, caught.value.expected) == ("37", 40, 36)

    def test_container_against_sscc(self, shop: sl.Inventory) -> None:
        """container= naming another pallet than the label's SSCC is refused."""
        text = hri(sscc=PALLET, content_gtin=ASP, count=40, lot="L1")
        with unchanged(shop), pytest.raises(ScanMismatchError, match="SSCC") as caught:
            shop.scanning.receive(text, dst="DC1/DOCK", container=OTHER_PALLET, supplier="ACME")
        assert caught.value.ai == "00"

    def test_float_quantity(self, shop: sl.Inventory) -> None:
        """The quantity follows the quantity rules: a float is refused."""
        with unchanged(shop), pytest.raises(errors.InvalidQuantityError):
            shop.scanning.receive(hri(gtin=BOLT), 1.5, dst="DC1/DOCK", supplier="ACME")

    def test_naive_effective_at(self, shop: sl.Inventory) -> None:
        """A naive effective_at is refused before anything is read or posted."""
        with unchanged(shop), pytest.raises(errors.InvalidTimeError):
            shop.scanning.receive(
                hri(gtin=BOLT),
                dst="DC1/DOCK",
                effective_at=dt.datetime(2026, 3, 1),
                supplier="ACME",
            )

    def test_errors_are_stockline_errors(self) -> None:
        """The new errors are ValidationErrors, so callers catching those catch them."""
        assert issubclass(ExpiredProductError, ScanMismatchError)
        assert issubclass(ScanMismatchError, errors.ValidationError)


def _pick(**candidate: Any) -> Pick:
    fields: dict[str, Any] = {
        "item": "ASP",
        "lot": "L1",
        "expiry": SOON,
        "first_received_at": RECEIVED,
        "location": "DC1/A/01",
        "available": Decimal(50),
    } | candidate
    return Pick(candidate=Candidate(**fields), quantity=Decimal(5), reason="FEFO")


class TestVerifyPick:
    def test_matching_scan(self, shop: sl.Inventory) -> None:
        """The pick's item, lot and expiry scanned: ok, no problems, quantity of one unit."""
        check = shop.scanning.verify_pick(element_string(gtin=ASP, expiry=SOON, lot="L1"), _pick())
        assert check.ok
        assert (check.problems, check.item, check.quantity) == ((), "ASP", Decimal(1))

    def test_case_gtin(self, shop: sl.Inventory) -> None:
        """A case GTIN confirms its item; the check reports the case's 12 units."""
        check = shop.scanning.verify_pick(digital_link(gtin=ASP_CASE, lot="L1"), _pick())
        assert (check.ok, check.item, check.quantity) == (True, "ASP", Decimal(12))

    def test_wrong_item(self, shop: sl.Inventory) -> None:
        """A GTIN of another item is a problem naming both items."""
        check = shop.scanning.verify_pick(hri(gtin=BOLT), _pick(lot=None))
        assert not check.ok
        assert check.item == "BOLT"
        [problem] = check.problems
        assert "the pick is ASP" in problem
        assert "is BOLT" in problem

    def test_unknown_gtin(self, shop: sl.Inventory) -> None:
        """A GTIN no item has is a problem, not an error: the picker scanned the wrong thing."""
        check = shop.scanning.verify_pick(hri(gtin=_gtin("0000000000017"), lot="L1"), _pick())
        assert not check.ok
        assert check.item is None
        assert check.quantity is None
        assert "no item in the master data" in check.problems[0]

    def test_wrong_lot(self, shop: sl.Inventory) -> None:
        """Another lot of the right item is a problem naming the lot to take."""
        check = shop.scanning.verify_pick(hri(gtin=ASP, lot="L2"), _pick())
        assert check.problems == (
            "the pick is lot L1 of ASP, but lot L2 was scanned; take lot L1 from DC1/A/01",
        )

    def test_missing_lot(self, shop: sl.Inventory) -> None:
        """A lot pick confirmed by a barcode without the lot is a problem."""
        check = shop.scanning.verify_pick(hri(gtin=ASP), _pick())
        assert not check.ok
        assert "has no lot (10)" in check.problems[0]

    def test_pallet_label(self, shop: sl.Inventory) -> None:
        """The pick's pallet label (SSCC + 02 + 37 + lot) confirms it, with the label's count."""
        text = hri(sscc=PALLET, content_gtin=ASP, count=40, lot="L1")
        check = shop.scanning.verify_pick(text, _pick(container=PALLET))
        assert (check.ok, check.quantity) == (True, Decimal(40))

    def test_sscc_alone(self, shop: sl.Inventory) -> None:
        """A bare SSCC that is the pick's container confirms it: the pallet vouches for its lot."""
        check = shop.scanning.verify_pick(str(PALLET), _pick(container=PALLET))
        assert check.ok
        assert check.scan.sscc == PALLET

    def test_other_pallet(self, shop: sl.Inventory) -> None:
        """An SSCC other than the pick's container is a problem."""
        check = shop.scanning.verify_pick(hri(sscc=OTHER_PALLET), _pick(container=PALLET))
        assert check.problems == (
            f"the pick is from {PALLET} at DC1/A/01, but SSCC {OTHER_PALLET} was scanned; "
            "take the pallet the plan names",
        )

    def test_pallet_for_loose_stock(self, shop: sl.Inventory) -> None:
        """An SSCC scanned for a pick of loose stock is a problem."""
        check = shop.scanning.verify_pick(hri(sscc=PALLET), _pick())
        assert "loose stock" in check.problems[0]

    def test_case_from_a_pallet(self, shop: sl.Inventory) -> None:
        """Picking a case off the planned pallet: the product scan alone is enough."""
        check = shop.scanning.verify_pick(hri(gtin=ASP_CASE, lot="L1"), _pick(container=PALLET))
        assert check.ok

    def test_serial_is_reported(self, shop: sl.Inventory) -> None:
        """The scanned serial comes back, so the shipment can name it."""
        check = shop.scanning.verify_pick(
            hri(gtin=PUMP, serial="SN-7"), _pick(item="PUMP", lot=None)
        )
        assert (check.ok, check.serial) == (True, "SN-7")

    def test_serial_missing(self, shop: sl.Inventory) -> None:
        """A serial-tracked pick scanned without a serial is a problem."""
        check = shop.scanning.verify_pick(hri(gtin=PUMP), _pick(item="PUMP", lot=None))
        assert check.serial is None
        assert "has no serial (21)" in check.problems[0]

    def test_expired(self, shop: sl.Inventory) -> None:
        """Product expired before today (the clock's date) is a problem."""
        old = dt.date(2026, 2, 27)
        check = shop.scanning.verify_pick(hri(gtin=ASP, expiry=old, lot="L1"), _pick(expiry=old))
        assert check.problems == (
            "the scanned product expired on 2026-02-27, before 2026-03-02; do not ship it, put it "
            "on hold and pick another",
        )

    def test_label_expiry_differs_from_ledger(self, shop: sl.Inventory) -> None:
        """A label whose expiry differs from the lot's recorded one is a problem."""
        check = shop.scanning.verify_pick(
            hri(gtin=ASP, expiry=dt.date(2026, 10, 31), lot="L1"), _pick()
        )
        assert "but the ledger has 2026-09-30" in check.problems[0]

    def test_every_problem_is_reported(self, shop: sl.Inventory) -> None:
        """A check lists every mismatch, not the first."""
        text = hri(sscc=OTHER_PALLET, content_gtin=BOLT, count=3, lot="L9")
        check = shop.scanning.verify_pick(text, _pick(container=PALLET))
        assert len(check.problems) == 3  # item, pallet, lot

    def test_malformed_scan_raises(self, shop: sl.Inventory) -> None:
        """A scan that is not GS1 data raises BarcodeError: there is nothing to check."""
        with pytest.raises(errors.BarcodeError):
            shop.scanning.verify_pick("(99", _pick())

    def test_no_product_data(self, shop: sl.Inventory) -> None:
        """A GS1 scan with neither GTIN nor SSCC is a problem."""
        scan = gs1.parse("(400)PO-1", today=TODAY)
        check = shop.scanning.verify_pick(scan, _pick())
        assert "no GTIN (01/02) and no SSCC (00)" in check.problems[0]

    def test_at_overrides_the_clock(self, shop: sl.Inventory) -> None:
        """at= is the date expiry is judged on, whatever the clock says."""
        text = hri(gtin=ASP, expiry=SOON, lot="L1")
        assert shop.scanning.verify_pick(text, _pick(), at=SOON).ok
        check = shop.scanning.verify_pick(text, _pick(), at=SOON + dt.timedelta(days=1))
        assert "expired on 2026-09-30, before 2026-10-01" in check.problems[0]

    def test_at_must_be_a_date(self, shop: sl.Inventory) -> None:
        """at= is a datetime.date: text is a usage error, raised before anything is read."""
        with pytest.raises(errors.InvalidTimeError, match=r"at must be a datetime\.date"):
            shop.scanning.verify_pick(hri(sscc=PALLET), _pick(), at="2026-03-02")  # type: ignore[arg-type]

    def test_with_an_allocation(self, shop: sl.Inventory) -> None:
        """A pick from a FEFO plan over received stock is confirmed by the scan that received it."""
        from stockline.policies import Demand, Fefo, allocate

        late, early = (
            element_string(gtin=ASP, expiry=day, lot=lot)
            for day, lot in ((dt.date(2027, 1, 31), "LATE"), (SOON, "EARLY"))
        )
        shop.scanning.receive(late, 10, dst="DC1/A/01", supplier="ACME")
        shop.scanning.receive(early, 10, dst="DC1/A/02", supplier="ACME")
        candidates = [
            Candidate(
                item=b.item,
                lot=b.lot,
                expiry=shop.master.lot(b.item, b.lot).expiry if b.lot else None,
                first_received_at=RECEIVED,
                location=b.position.location,
                container=b.position.container,
                available=b.quantity,
            )
            for b in shop.stock("ASP")
        ]
        plan = allocate(Demand(item="ASP", quantity=Decimal(4), at=TODAY), candidates, Fefo())
        [pick] = plan.picks
        assert shop.scanning.verify_pick(early, pick).ok
        assert not shop.scanning.verify_pick(late, pick).ok


class TestPickCheck:
    def test_ok_follows_problems(self) -> None:
        """ok is derived: true exactly when there are no problems."""
        scan = gs1.parse(hri(sscc=PALLET), today=TODAY)
        assert PickCheck(problems=(), scan=scan).ok
        assert not PickCheck(problems=("wrong pallet",), scan=scan).ok

    def test_frozen(self) -> None:
        """A check is a frozen record."""
        import attrs

        check = PickCheck(problems=(), scan=gs1.parse(hri(sscc=PALLET), today=TODAY))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            check.ok = False  # type: ignore[misc]


STORES: dict[str, Callable[[], StockStore]] = {
    "memory": InMemoryStockStore,
    "sqlite": lambda: SqlAlchemyStockStore.open("sqlite://"),
}
WRITERS: dict[str, Callable[..., str]] = {
    "element_string": element_string,
    "hri": hri,
    "digital_link": digital_link,
}


class TestReceiveProperties:
    @pytest.mark.parametrize("store", sorted(STORES))
    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        lot=st.text(alphabet=CSET82, min_size=1, max_size=20),
        expiry=st.dates(min_value=TODAY, max_value=dt.date(2075, 12, 31)),
        qty=st.integers(1, 10_000),
        case=st.booleans(),
        writer=st.sampled_from(sorted(WRITERS)),
    )
    def test_on_hand_by_lot_is_what_was_scanned(
        self, store: str, lot: str, expiry: dt.date, qty: int, case: bool, writer: str
    ) -> None:
        """Receiving any valid scan (any lot of character set 82, any expiry from today on,
        unit or case GTIN, any written form) puts exactly the scanned quantity on hand in
        that lot, with the label's expiry."""
        inv = sl.Inventory(store=STORES[store](), clock=sl.FixedClock(START))
        try:
            inv.add_item("ASP", gtin=ASP, tracking="lot", packs=[(ASP_CASE, 12)])
            inv.add_location("DC1/DOCK")
            text = WRITERS[writer](gtin=ASP_CASE if case else ASP, expiry=expiry, lot=lot)
            inv.scanning.receive(text, qty, dst="DC1/DOCK", supplier="ACME")
            assert inv.on_hand("ASP", lot=lot) == qty * (12 if case else 1)
            assert inv.master.lot("ASP", lot).expiry == expiry
            assert inv.check().ok
        finally:
            inv.close()
