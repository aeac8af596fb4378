"""Serial pools: issue, produce in the same write, gaps and voids, life cycle, labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

import stockline as sl
from stockline.errors import (
    BarcodeError,
    IdempotencyConflictError,
    InsufficientStockError,
    SerialPoolExhaustedError,
    UnknownSerialError,
    UnknownSerialPoolError,
    ValidationError,
)
from stockline.serials import ALPHANUMERIC, Decommission, Scheme, SerialState
from tests.serials.conftest import GTIN


class TestPools:
    def test_a_random_pool_states_its_guess_probability(self, line: sl.Inventory) -> None:
        """Twelve digits at the default odds: a hundred million serials, 1 guess in 10,000."""
        pool = line.serials.add_pool("VIAL")
        assert pool.scheme is Scheme.RANDOM
        assert (pool.space, pool.capacity, pool.issued) == (10**12, 10**8, 0)
        assert pool.guess_probability == Fraction(1, 10_000)
        assert line.serials.pools() == [pool]
        assert line.serials.pool("VIAL") == pool

    def test_a_sequential_pool_counts_from_one_padded_to_its_length(
        self, line: sl.Inventory
    ) -> None:
        """Sequential serials are 1, 2, 3 written to the pool's length; guessing one is
        certain."""
        pool = line.serials.add_pool("VIAL", scheme="sequential", length=6)
        assert pool.guess_probability == 1
        assert line.serials.issue("VIAL", 3).serials == ("000001", "000002", "000003")
        assert line.serials.issue("VIAL", 1).serials == ("000004",)

    def test_random_serials_use_the_alphabet_and_length(self, line: sl.Inventory) -> None:
        """Serials of an alphanumeric pool are exactly its length, of its characters."""
        line.serials.add_pool("VIAL", length=10, alphabet=ALPHANUMERIC)
        serials = line.serials.issue("VIAL", 200).serials
        assert len(set(serials)) == 200
        assert all(len(s) == 10 and set(s) <= set(ALPHANUMERIC) for s in serials)

    def test_a_pool_is_never_replaced(self, line: sl.Inventory) -> None:
        """A second pool for the GTIN is refused: it could issue the same serials again."""
        line.serials.add_pool("VIAL")
        with pytest.raises(ValidationError, match="never replaced"):
            line.serials.add_pool("VIAL", scheme="sequential")

    def test_pools_need_a_serial_item_with_a_gtin(self, line: sl.Inventory) -> None:
        """A lot-tracked item, and a serial item without a GTIN, get no pool."""
        line.add_item("LOOSE", tracking="serial")
        with pytest.raises(ValidationError, match="not by serial"):
            line.serials.add_pool("BULK")
        with pytest.raises(ValidationError, match="no GTIN"):
            line.serials.add_pool("LOOSE")
        with pytest.raises(UnknownSerialPoolError):
            line.serials.issue("LOOSE", 1)

    def test_a_random_pool_needs_a_million_numbers(self, line: sl.Inventory) -> None:
        """Five digits (100,000 serials) are too few for a keyed permutation."""
        with pytest.raises(ValidationError, match="at least 1,000,000"):
            line.serials.add_pool("VIAL", length=5)
        with pytest.raises(ValidationError, match="could issue none"):
            line.serials.add_pool("VIAL", length=6, guess_odds=2_000_000)
        with pytest.raises(ValidationError, match="character set 82"):
            line.serials.add_pool("VIAL", alphabet="0123456789 ")
        with pytest.raises(ValidationError, match="distinct"):
            line.serials.add_pool("VIAL", alphabet="00")
        assert line.serials.pools() == []


class TestExhaustion:
    def test_a_random_pool_issues_its_capacity_and_then_refuses(self, line: sl.Inventory) -> None:
        """A pool of 10 (10^6 numbers at odds 1 in 100,000) issues 10 distinct serials, then
        refuses, issuing nothing."""
        line.serials.add_pool("VIAL", length=6, guess_odds=100_000)
        serials = line.serials.issue("VIAL", 7).serials + line.serials.issue("VIAL", 3).serials
        assert len(set(serials)) == 10
        with pytest.raises(SerialPoolExhaustedError) as caught:
            line.serials.issue("VIAL", 1)
        assert (caught.value.requested, caught.value.remaining) == (1, 0)
        assert "never reused" in str(caught.value)
        assert line.serials.pool("VIAL").issued == 10

    def test_a_request_over_what_is_left_issues_nothing(self, line: sl.Inventory) -> None:
        """Asking for more than is left is refused whole, by issue and by produce."""
        line.serials.add_pool("VIAL", scheme="sequential", length=1)
        line.serials.issue("VIAL", 5)
        with pytest.raises(SerialPoolExhaustedError) as caught:
            line.serials.produce("VIAL", 5, location="PLANT/FG")
        assert (caught.value.requested, caught.value.remaining) == (5, 4)
        assert line.serials.pool("VIAL").issued == 5
        assert line.history() == line.history()[:1]  # only the bulk receipt


class TestProduce:
    def test_produce_issues_the_serials_of_its_outputs(self, line: sl.Inventory) -> None:
        """A production consumes bulk and makes one unit per new serial, each linked to the
        bulk lot; the batch records the transaction."""
        line.serials.add_pool("VIAL")
        made = line.serials.produce(
            "VIAL",
            4,
            location="PLANT/FG",
            consume=[sl.Component(sku="BULK", quantity=2, location="PLANT/RM", lot="B1")],
            line="L1",
            ref="WO-1",
        )
        assert len(set(made.serials)) == 4
        assert {m.serial for m in made.transaction.movements if m.item == "VIAL"} == set(
            made.serials
        )
        assert all(line.on_hand("VIAL", serial=s) == 1 for s in made.serials)
        (batch,) = line.serials.issued("VIAL")
        assert (batch.serials, batch.transaction) == (made.serials, made.transaction.id)
        assert batch.reserved_for == "L1"
        down = line.trace_downstream("BULK", "B1")
        assert {n.serial for n in down.nodes if n.item == "VIAL"} == set(made.serials)

    def test_a_failed_production_issues_nothing(self, line: sl.Inventory) -> None:
        """When the posting is refused (not enough bulk), the pool's counter stays: serials
        are issued only with the posting that uses them."""
        line.serials.add_pool("VIAL")
        with pytest.raises(InsufficientStockError):
            line.serials.produce(
                "VIAL",
                2,
                location="PLANT/FG",
                consume=[sl.Component(sku="BULK", quantity=500, location="PLANT/RM", lot="B1")],
            )
        assert line.serials.pool("VIAL").issued == 0
        assert line.serials.issued("VIAL") == []

    def test_a_repeat_with_the_same_key_issues_nothing_more(self, line: sl.Inventory) -> None:
        """A retried production (same key) returns the first one and its serials."""
        line.serials.add_pool("VIAL")
        first = line.serials.produce("VIAL", 3, location="PLANT/FG", key="wo-1/run-1")
        again = line.serials.produce("VIAL", 3, location="PLANT/FG", key="wo-1/run-1")
        assert again == first
        assert line.serials.pool("VIAL").issued == 3
        with pytest.raises(IdempotencyConflictError):
            line.serials.produce("VIAL", 2, location="PLANT/FG", key="wo-1/run-1")

    def test_units_go_straight_into_a_case_in_quarantine(self, line: sl.Inventory) -> None:
        """Produced into a case, in quarantine: packed, and counted in that status."""
        line.serials.add_pool("VIAL")
        (case,) = line.serials.sscc.create("0614141", kind="case")
        made = line.serials.produce(
            "VIAL", 2, location="PLANT/FG", container=case.code, status="quarantine"
        )
        status = line.serials.state("VIAL", made.serials[0])
        assert (status.state, status.container) == (SerialState.PACKED, case.code)
        assert line.on_hand("VIAL", location="PLANT/FG", status="quarantine") == 2
        assert line.serials.sscc.gaps() == []

    def test_serials_issued_ahead_are_not_given_out_again(self, line: sl.Inventory) -> None:
        """A batch issued for a printer and a later production never share a serial."""
        line.serials.add_pool("VIAL", scheme="sequential", length=4)
        printed = line.serials.issue("VIAL", 3, reserved_for="PRINTER-2").serials
        made = line.serials.produce("VIAL", 3, location="PLANT/FG").serials
        assert not set(printed) & set(made)


class TestGapsAndVoids:
    def test_unused_serials_are_gaps_until_voided(self, line: sl.Inventory) -> None:
        """Serials issued for a printer and not used are gaps; voided ones leave the report
        and say why; voiding again changes nothing."""
        line.serials.add_pool("VIAL")
        printed = line.serials.issue("VIAL", 3, reserved_for="PRINTER-2").serials
        line.serials.produce("VIAL", 2, location="PLANT/FG")
        gaps = line.serials.gaps("VIAL")
        assert [g.number for g in gaps] == list(printed)
        assert {g.reserved_for for g in gaps} == {"PRINTER-2"}
        assert line.serials.void("VIAL", printed[:2], reason="labels torn") == printed[:2]
        assert line.serials.void("VIAL", printed[:1], reason="labels torn") == ()
        assert [g.number for g in line.serials.gaps("VIAL")] == [printed[2]]
        status = line.serials.state("VIAL", printed[0])
        assert (status.state, status.reason) == (SerialState.VOIDED, "labels torn")

    def test_only_unused_issued_serials_are_voided(self, line: sl.Inventory) -> None:
        """A serial on the ledger, or one the pool never issued, is not voided."""
        line.serials.add_pool("VIAL", scheme="sequential", length=6)
        made = line.serials.produce("VIAL", 1, location="PLANT/FG").serials
        with pytest.raises(ValidationError, match="on the ledger"):
            line.serials.void("VIAL", made, reason="oops")
        with pytest.raises(UnknownSerialError):
            line.serials.void("VIAL", ["000009"], reason="oops")
        with pytest.raises(UnknownSerialError):
            line.serials.void("VIAL", ["ABC"], reason="oops")

    def test_a_reversed_production_leaves_its_serials_as_gaps(self, line: sl.Inventory) -> None:
        """Reversing a commissioning does not return its serials to the pool: they show as
        gaps (to void), and the next production takes new ones."""
        line.serials.add_pool("VIAL")
        made = line.serials.produce("VIAL", 2, location="PLANT/FG")
        line.reverse(made.transaction.id, reason="wrong line")
        assert [g.number for g in line.serials.gaps("VIAL")] == list(made.serials)
        again = line.serials.produce("VIAL", 2, location="PLANT/FG")
        assert not set(again.serials) & set(made.serials)


class TestLifeCycle:
    def test_a_serial_from_issue_to_return(self, line: sl.Inventory) -> None:
        """Issued, commissioned, packed, shipped, returned: each read from the ledger."""
        line.serials.add_pool("VIAL")
        (serial,) = line.serials.issue("VIAL", 1).serials
        assert line.serials.state("VIAL", serial).state is SerialState.ISSUED
        (made,) = line.serials.produce("VIAL", 1, location="PLANT/FG").serials
        status = line.serials.state("VIAL", made)
        assert (status.state, status.location) == (SerialState.COMMISSIONED, "PLANT/FG")
        (case,) = line.serials.sscc.allocate("0614141").ssccs
        line.containers.create(case, kind="case")
        line.pack("VIAL", 1, serial=made, container=case, location="PLANT/FG")
        status = line.serials.state("VIAL", made)
        assert (status.state, status.container) == (SerialState.PACKED, case)
        line.unpack("VIAL", 1, serial=made, container=case)
        shipped = line.ship("VIAL", 1, serial=made, src="PLANT/FG", customer="PHARMACY")
        assert line.serials.state("VIAL", made).state is SerialState.SHIPPED
        line.reverse(shipped.id, reason="sent to the wrong pharmacy")
        assert line.serials.state("VIAL", made).state is SerialState.COMMISSIONED
        shipped = line.ship("VIAL", 1, serial=made, src="PLANT/FG", customer="PHARMACY")
        (out,) = shipped.movements
        back = sl.Movement(item="VIAL", quantity=Decimal(1), serial=made, src=out.dst, dst=out.src)
        line.post(sl.NewTransaction(kind=sl.TxKind.TRANSFER, movements=(back,)))
        status = line.serials.state("VIAL", made)
        assert (status.state, status.location) == (SerialState.RETURNED, "PLANT/FG")

    @pytest.mark.parametrize("why", list(Decommission))
    def test_decommissioning_says_why(self, line: sl.Inventory, why: Decommission) -> None:
        """A decommissioned serial is out for the reason given, and cannot go again."""
        line.serials.add_pool("VIAL")
        (made,) = line.serials.produce("VIAL", 1, location="PLANT/FG").serials
        tx = line.serials.decommission("VIAL", made, reason=why, note="QA-7")
        assert tx.reason == f"decommissioned: {why}: QA-7"
        status = line.serials.state("VIAL", made)
        assert (status.state, status.reason) == (SerialState.DECOMMISSIONED, why.value)
        assert line.on_hand("VIAL", serial=made) == 0
        with pytest.raises(ValidationError, match="not in stock"):
            line.serials.decommission("VIAL", made, reason=why)

    def test_plain_scrap_is_destruction(self, line: sl.Inventory) -> None:
        """Scrap posted without a decommissioning reason reads as destroyed."""
        line.serials.add_pool("VIAL")
        (made,) = line.serials.produce("VIAL", 1, location="PLANT/FG").serials
        line.scrap("VIAL", 1, serial=made, location="PLANT/FG", reason="dropped")
        assert line.serials.state("VIAL", made).reason == "destroyed"

    def test_unknown_serials_are_refused(self, line: sl.Inventory) -> None:
        """A serial neither the pool nor the ledger knows has no state and is not
        decommissioned."""
        line.serials.add_pool("VIAL")
        with pytest.raises(UnknownSerialError):
            line.serials.state("VIAL", "000000000000")
        with pytest.raises(UnknownSerialError):
            line.serials.decommission("VIAL", "000000000000", reason="stolen")


class TestLabels:
    def test_unit_labels_carry_gtin_expiry_lot_and_serial(self, line: sl.Inventory) -> None:
        """Element string (GS before the serial), HRI and Digital Link of each unit."""
        (label,) = line.serials.labels("VIAL", ["A1B2"], lot="L1", expiry=dt.date(2028, 1, 31))
        assert label.hri == f"(01){GTIN}(17)280131(10)L1(21)A1B2"
        assert label.element_string == f"01{GTIN}17280131" + "10L1\x1d21A1B2"
        assert label.digital_link == f"https://id.gs1.org/01/{GTIN}/10/L1/21/A1B2?17=280131"
        (other,) = line.serials.labels("VIAL", ["7"], domain="id.example.com")
        assert other.digital_link == f"https://id.example.com/01/{GTIN}/21/7"

    def test_labels_need_a_gtin(self, line: sl.Inventory) -> None:
        """An item without a GTIN has no GS1 unit label."""
        line.add_item("LOOSE", tracking="serial")
        with pytest.raises(ValidationError, match="no GTIN"):
            line.serials.labels("LOOSE", ["1"])


class TestSscc:
    def test_allocations_continue_the_counter_per_prefix_and_extension(
        self, line: sl.Inventory
    ) -> None:
        """Each prefix and extension digit counts on its own, with GS1 check digits."""
        first = line.serials.sscc.allocate("0614141", 2, extension=1, reserved_for="LINE-1")
        second = line.serials.sscc.allocate("0614141", 1, extension=1)
        other = line.serials.sscc.allocate("0614141", 1, extension=2)
        assert first.ssccs == ("106141410000000019", "106141410000000026")
        assert second.ssccs == ("106141410000000033",)
        assert other.ssccs == ("206141410000000016",)
        assert [r.first for r in line.serials.sscc.ranges("0614141")] == [1, 3, 1]
        assert line.serials.sscc.ranges()[0].reserved_for == "LINE-1"

    def test_create_allocates_and_makes_the_containers_together(self, line: sl.Inventory) -> None:
        """Containers made by create are used, so they are no gaps."""
        cases = line.serials.sscc.create("0614141", 2, kind="case")
        assert [c.kind for c in cases] == ["case", "case"]
        with line.store.read() as r:
            assert [r.container(c.code) for c in cases] == list(cases)
        (spare,) = line.serials.sscc.allocate("0614141").ssccs
        assert [g.number for g in line.serials.sscc.gaps()] == [spare]

    def test_unused_ssccs_are_voided_used_ones_are_not(self, line: sl.Inventory) -> None:
        """A spoiled SSCC label is voided once; an SSCC naming a container, or one never
        allocated, is refused."""
        (used,) = line.serials.sscc.create("0614141")
        (spare,) = line.serials.sscc.allocate("0614141").ssccs
        assert line.serials.sscc.void([spare], reason="jammed") == (spare,)
        assert line.serials.sscc.void([spare], reason="jammed") == ()
        assert line.serials.sscc.gaps() == []
        with pytest.raises(ValidationError, match="names a container"):
            line.serials.sscc.void([used.code], reason="jammed")
        with pytest.raises(ValidationError, match="not allocated"):
            line.serials.sscc.void(["006141410000000098"], reason="jammed")

    def test_a_prefix_runs_out_clearly(self, line: sl.Inventory) -> None:
        """A 12-digit prefix leaves 4 digits: 9,999 SSCCs, then a clear refusal."""
        line.serials.sscc.allocate("061414112345", 9_998)
        with pytest.raises(SerialPoolExhaustedError) as caught:
            line.serials.sscc.allocate("061414112345", 2)
        assert (caught.value.requested, caught.value.remaining) == (2, 1)
        (last,) = line.serials.sscc.allocate("061414112345").ssccs
        assert last[:17] == "00614141123459999"

    def test_labels_of_a_pallet(self, line: sl.Inventory) -> None:
        """The pallet label carries (00) and the SSCC's Digital Link."""
        label = line.serials.sscc.label("106141410000000019", domain="id.example.com")
        assert label.element_string == "00106141410000000019"
        assert label.hri == "(00)106141410000000019"
        assert label.digital_link == "https://id.example.com/00/106141410000000019"

    def test_labels_of_a_case_of_one_trade_item(self, line: sl.Inventory) -> None:
        """A case label names its contents: (02) GTIN, (17) expiry, (37) count, (10) lot;
        a count without the contents' GTIN is refused as GS1 refuses it."""
        label = line.serials.sscc.label(
            "106141410000000019",
            content_gtin=GTIN,
            count=12,
            lot="L24A",
            expiry=dt.date(2027, 3, 31),
        )
        assert label.hri == f"(00)106141410000000019(02){GTIN}(17)270331(37)12(10)L24A"
        assert label.element_string == f"0010614141000000001902{GTIN}172703313712\x1d10L24A"
        assert label.digital_link == (
            f"https://id.gs1.org/00/106141410000000019?02={GTIN}&10=L24A&17=270331&37=12"
        )
        with pytest.raises(BarcodeError):
            line.serials.sscc.label("106141410000000019", count=12)
