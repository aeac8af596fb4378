"""Directed put-away through ``inv.putaway``: rules, suggestions, confirmation, scans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pendulum
import pytest

import stockline as sl
from stockline import errors
from stockline.ledger import TxKind
from stockline.operations import (
    Bin,
    BinRules,
    Consolidate,
    EmptyOnly,
    FixedBin,
    Load,
    LoadLine,
    Mixing,
    PickSequence,
    PutawayPlan,
    StorageProfile,
    Zones,
    plan_putaway,
    putaway_strategy,
)

D = Decimal
EXPIRY = dt.date(2027, 1, 1)


@pytest.fixture
def wh(inv: sl.Inventory) -> sl.Inventory:
    """Ambient bins DC1/A/01-03 (30 units each, A/03 one item only), a frozen bin DC1/F/01
    (20 units, one lot), a hazmat bin DC1/H/01 (class 3, 100 kg), a quarantine cage DC1/Q/01.
    PEAS is frozen and lot-tracked, PAINT is hazard class 3 weighing 2 kg a unit."""
    inv.add_item("PEAS", tracking="lot")
    inv.add_item("PAINT")
    for path, seq in (
        ("DC1/A/03", 3),
        ("DC1/F/01", 10),
        ("DC1/H/01", 20),
        ("DC1/Q/01", 30),
    ):
        inv.add_location(path, pick_sequence=seq)
    inv.master.update_location("DC1/A/01", pick_sequence=1)
    inv.master.update_location("DC1/A/02", pick_sequence=2)
    inv.putaway.set_item("PEAS", storage="frozen")
    inv.putaway.set_item("PAINT", hazard="3", weight=2)
    inv.putaway.set_bin("DC1/A/01", zone="AMB", max_units=30)
    inv.putaway.set_bin("DC1/A/02", zone="AMB", max_units=30)
    inv.putaway.set_bin("DC1/A/03", zone="AMB", max_units=30, mixing="item")
    inv.putaway.set_bin("DC1/F/01", zone="FRZ", storage=["frozen"], max_units=20, mixing="lot")
    inv.putaway.set_bin("DC1/H/01", zone="HAZ", hazards=["3"], max_weight=100)
    inv.putaway.set_bin("DC1/Q/01", zone="QC", statuses=["quarantine"])
    return inv


def _where(suggestions: list[sl.operations.PutawaySuggestion]) -> list[tuple[str, object]]:
    return [(p.location, p.quantity) for s in suggestions for p in s.placements]


class TestRules:
    def test_profiles_and_bins_are_stored(self, wh: sl.Inventory) -> None:
        """Profiles and bin rules read back as set; an item without one is ambient."""
        assert wh.putaway.item("PEAS").storage == "frozen"
        assert wh.putaway.item("BOLT") == StorageProfile(sku="BOLT")
        rules = {b.location: b for b in wh.putaway.bins()}
        assert rules["DC1/F/01"].mixing is Mixing.LOT
        assert rules["DC1/H/01"].max_weight == 100
        assert [b.location for b in wh.putaway.bins(within="DC1/A")] == [
            "DC1/A/01",
            "DC1/A/02",
            "DC1/A/03",
        ]

    def test_remove_bin(self, wh: sl.Inventory) -> None:
        """A removed bin is no longer suggested; removing it twice is an error."""
        wh.putaway.remove_bin("DC1/A/01")
        wh.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        assert _where(wh.putaway.suggest("BOLT", src="DC1/DOCK"))[0][0] == "DC1/A/02"
        with pytest.raises(errors.NotFoundError):
            wh.putaway.remove_bin("DC1/A/01")

    @pytest.mark.parametrize(
        ("call", "error"),
        [
            (lambda inv: inv.putaway.set_item("NOPE"), errors.UnknownItemError),
            (lambda inv: inv.putaway.set_item("BOLT", weight=0.5), errors.InvalidQuantityError),
            (lambda inv: inv.putaway.set_item("BOLT", weight=-1), errors.InvalidQuantityError),
            (lambda inv: inv.putaway.set_item("BOLT", fixed_bin="DC9/X"), errors.NotFoundError),
            (lambda inv: inv.putaway.set_item("BOLT", storage=""), errors.ValidationError),
            (lambda inv: inv.putaway.set_bin("DC1/NOPE"), errors.UnknownLocationError),
            (lambda inv: inv.putaway.set_bin("DC1/A/01", mixing="some"), errors.ValidationError),
            (lambda inv: inv.putaway.set_bin("DC1/A/01", storage="frozen"), errors.ValidationError),
            (lambda inv: inv.putaway.set_bin("DC1/A/01", statuses=["x"]), errors.NotFoundError),
            (lambda inv: inv.putaway.set_bin("DC1/A/01", max_pallets=True), errors.ValidationError),
            (lambda inv: inv.putaway.set_bin("DC1/A/01", blocked=1), errors.ValidationError),
            (lambda inv: inv.putaway.set_bin("DC1/A/01", max_units="\x00"), errors.ValidationError),
            (lambda inv: inv.putaway.set_bin(None), errors.ValidationError),
        ],
    )
    def test_bad_rules_are_refused(self, wh: sl.Inventory, call: object, error: type) -> None:
        """Bad rules raise a StocklineError and change nothing."""
        before = (wh.putaway.bins(), wh.putaway.item("BOLT"))
        with pytest.raises(error):
            call(wh)  # type: ignore[operator]
        assert (wh.putaway.bins(), wh.putaway.item("BOLT")) == before

    def test_counterparty_location_is_not_a_bin(self, wh: sl.Inventory) -> None:
        """Only internal locations are bins."""
        wh.add_location("transit/T1", kind="transit")
        with pytest.raises(errors.ValidationError, match="internal"):
            wh.putaway.set_bin("transit/T1")


class TestSuggest:
    def test_zone_by_storage_condition_and_hazard(self, wh: sl.Inventory) -> None:
        """Frozen goods go only to a frozen bin, hazardous ones only to a bin for their class,
        ambient ones never to either."""
        wh.receive("PEAS", 15, lot="L1", expiry=EXPIRY, dst="DC1/DOCK", supplier="ACME")
        wh.receive("PAINT", 10, dst="DC1/DOCK", supplier="ACME")
        wh.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        assert _where(wh.putaway.suggest("PEAS", src="DC1/DOCK")) == [("DC1/F/01", 15)]
        assert _where(wh.putaway.suggest("PAINT", src="DC1/DOCK")) == [("DC1/H/01", 10)]
        assert _where(wh.putaway.suggest("BOLT", src="DC1/DOCK")) == [("DC1/A/01", 10)]

    def test_capacity_splits_and_reports_unplaced(self, wh: sl.Inventory) -> None:
        """A load larger than a bin is split over bins by their room; what fits nowhere is
        unplaced."""
        wh.receive("PEAS", 25, lot="L1", expiry=EXPIRY, dst="DC1/DOCK", supplier="ACME")
        (s,) = wh.putaway.suggest("PEAS", src="DC1/DOCK")
        assert _where([s]) == [("DC1/F/01", 20)]
        assert s.unplaced == 5

    def test_weight_capacity(self, wh: sl.Inventory) -> None:
        """Capacity by weight counts the items' unit weight: 100 kg holds 50 cans of 2 kg."""
        wh.receive("PAINT", 60, dst="DC1/DOCK", supplier="ACME")
        (s,) = wh.putaway.suggest("PAINT", src="DC1/DOCK")
        assert _where([s]) == [("DC1/H/01", 50)]
        assert s.unplaced == 10

    def test_mixing_one_lot(self, wh: sl.Inventory) -> None:
        """A one-lot bin holding lot L1 takes no other lot."""
        wh.receive("PEAS", 5, lot="L1", expiry=EXPIRY, dst="DC1/F/01", supplier="ACME")
        wh.receive("PEAS", 5, lot="L2", expiry=EXPIRY, dst="DC1/DOCK", supplier="ACME")
        (s,) = wh.putaway.suggest("PEAS", src="DC1/DOCK")
        assert s.placements == ()
        assert s.unplaced == 5

    def test_consolidates_and_explains(self, wh: sl.Inventory) -> None:
        """The default strategy fills a bin holding the item first, and says why."""
        wh.receive("BOLT", 5, dst="DC1/A/02", supplier="ACME")
        wh.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        (s,) = wh.putaway.suggest("BOLT", src="DC1/DOCK")
        assert _where([s]) == [("DC1/A/02", 10)]
        assert "already holds BOLT" in s.placements[0].reason

    def test_fixed_bin_first(self, wh: sl.Inventory) -> None:
        """An item's fixed bin comes before everything else."""
        wh.putaway.set_item("BOLT", fixed_bin="DC1/A/03")
        wh.receive("BOLT", 5, dst="DC1/A/02", supplier="ACME")
        wh.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        (s,) = wh.putaway.suggest("BOLT", src="DC1/DOCK")
        assert s.placements[0].location == "DC1/A/03"
        assert "fixed bin" in s.placements[0].reason

    def test_status_and_blocked(self, wh: sl.Inventory) -> None:
        """Quarantined stock goes only where quarantine is taken; a blocked bin takes
        nothing."""
        wh.receive("BOLT", 10, dst="DC1/DOCK", status="quarantine", supplier="ACME")
        wh.putaway.set_bin("DC1/Q/01", zone="QC", statuses=["quarantine"], blocked=True)
        (s,) = wh.putaway.suggest("BOLT", src="DC1/DOCK", status="quarantine")
        assert [p.location for p in s.placements] == ["DC1/A/01"]
        wh.putaway.set_bin("DC1/A/01", blocked=True)
        wh.putaway.set_bin("DC1/A/02", statuses=["available"])
        wh.putaway.set_bin("DC1/A/03", statuses=["available"])
        wh.putaway.set_bin("DC1/Q/01", zone="QC", statuses=["quarantine"])
        (s,) = wh.putaway.suggest("BOLT", src="DC1/DOCK", status="quarantine")
        assert _where([s]) == [("DC1/Q/01", 10)]

    def test_within_and_strategy(self, wh: sl.Inventory) -> None:
        """``within`` narrows the bins; a strategy can prefer zones."""
        wh.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        wh.putaway.set_bin("DC1/A/03", zone="FAST")
        strategy = putaway_strategy(Zones(preferred=("FAST",)), PickSequence())
        (s,) = wh.putaway.suggest("BOLT", src="DC1/DOCK", strategy=strategy)
        assert s.placements[0].location == "DC1/A/03"
        assert "preferred zone FAST" in s.placements[0].reason
        (s,) = wh.putaway.suggest("BOLT", src="DC1/DOCK", within="DC1/A/02")
        assert _where([s]) == [("DC1/A/02", 10)]

    def test_quantity_more_than_there(self, wh: sl.Inventory) -> None:
        """Asking to put away more than is at the source is an error."""
        wh.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        with pytest.raises(errors.InsufficientStockError):
            wh.putaway.suggest("BOLT", 11, src="DC1/DOCK")

    def test_receipt(self, wh: sl.Inventory) -> None:
        """A receipt's lines still at the dock are suggested, one suggestion per line, and the
        second never takes the room the first was given."""
        wh.add_location("suppliers", kind="supplier")
        tx = wh.post(
            sl.NewTransaction(
                kind=TxKind.RECEIPT,
                movements=(
                    sl.Movement(
                        item="BOLT",
                        quantity=D(20),
                        src=sl.Position(location="suppliers"),
                        dst=sl.Position(location="DC1/DOCK"),
                    ),
                    sl.Movement(
                        item="BOLT",
                        quantity=D(20),
                        src=sl.Position(location="suppliers"),
                        dst=sl.Position(location="DC1/DOCK", status="damaged"),
                    ),
                ),
            )
        )
        found = wh.putaway.suggest_receipt(tx.id)
        assert _where(found) == [("DC1/A/01", 20), ("DC1/A/01", 10), ("DC1/A/02", 10)]

    def test_container(self, wh: sl.Inventory) -> None:
        """A container goes whole into one bin with room for a handling unit, never split."""
        wh.putaway.set_bin("DC1/A/02", zone="AMB", max_units=30, max_pallets=1)
        wh.add_container("P1")
        wh.add_container("P2")
        wh.receive("BOLT", 25, dst="DC1/DOCK", container="P1", supplier="ACME")
        wh.receive("BOLT", 10, dst="DC1/A/01", supplier="ACME")
        s = wh.putaway.suggest_container("P1")
        assert s.container == "P1"
        assert _where([s]) == [("DC1/A/02", 25)]
        tx = wh.putaway.confirm(s)
        assert wh.on_hand("BOLT", location="DC1/A/02", container="P1") == 25
        assert tx.containers[0].location == "DC1/A/02"
        wh.receive("BOLT", 1, dst="DC1/DOCK", container="P2", supplier="ACME")
        other = wh.putaway.suggest_container("P2")
        assert other.placements[0].location == "DC1/A/01"
        forced = attrs.evolve(
            other, placements=(attrs.evolve(other.placements[0], location="DC1/A/02"),)
        )
        with pytest.raises(errors.PutawayError, match="handling units"):
            wh.putaway.confirm(forced)

    def test_bad_input(self, wh: sl.Inventory) -> None:
        """Bad arguments raise StocklineErrors."""
        for call in (
            lambda: wh.putaway.suggest("BOLT", 1.5, src="DC1/DOCK"),
            lambda: wh.putaway.suggest("BOLT", src=None),  # type: ignore[arg-type]
            lambda: wh.putaway.suggest("BOLT", src="DC1/DOCK", strategy="fifo"),  # type: ignore[arg-type]
            lambda: wh.putaway.suggest("NOPE", src="DC1/DOCK"),
            lambda: wh.putaway.suggest_receipt(True),
            lambda: wh.putaway.suggest_receipt(999),
            lambda: wh.putaway.suggest_container("NOPE"),
            lambda: wh.putaway.confirm("x"),  # type: ignore[arg-type]
            lambda: wh.putaway.confirm([1]),  # type: ignore[list-item]
        ):
            with pytest.raises(errors.StocklineError):
                call()


def _sscc() -> str:
    return "003501234500000016"


class TestConfirm:
    def test_confirm_posts_one_transfer(self, wh: sl.Inventory) -> None:
        """Confirming posts the placements as one transfer, and is idempotent by key."""
        wh.receive("BOLT", 40, dst="DC1/DOCK", supplier="ACME")
        found = wh.putaway.suggest("BOLT", src="DC1/DOCK")
        tx = wh.putaway.confirm(found, key="pa-1")
        assert tx.kind is TxKind.TRANSFER
        assert tx.reason == "put-away"
        assert wh.on_hand("BOLT", location="DC1/A/01") == 30
        assert wh.on_hand("BOLT", location="DC1/A/02") == 10
        assert wh.putaway.confirm(found, key="pa-1").id == tx.id
        wh.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        other = wh.putaway.suggest("BOLT", src="DC1/DOCK")
        with pytest.raises(errors.IdempotencyConflictError):
            wh.putaway.confirm(other, key="pa-1")

    def test_stale_suggestion_is_refused(self, wh: sl.Inventory) -> None:
        """A suggestion whose bin was filled in between is refused whole; nothing moves."""
        wh.receive("BOLT", 40, dst="DC1/DOCK", supplier="ACME")
        first = wh.putaway.suggest("BOLT", 30, src="DC1/DOCK")
        second = wh.putaway.suggest("BOLT", 10, src="DC1/DOCK")
        wh.putaway.confirm(first)
        wh.receive("BOLT", 25, dst="DC1/DOCK", supplier="ACME")
        wh.putaway.place("BOLT", 25, src="DC1/DOCK", dst="DC1/A/02")
        head = wh.changes()[-1].id
        with pytest.raises(errors.PutawayError, match="capacity") as caught:
            wh.putaway.confirm(second)
        assert caught.value.location == "DC1/A/01"
        assert wh.changes()[-1].id == head

    def test_rules_changed_since(self, wh: sl.Inventory) -> None:
        """A bin blocked after the suggestion is refused at confirmation."""
        wh.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        found = wh.putaway.suggest("BOLT", src="DC1/DOCK")
        wh.putaway.set_bin("DC1/A/01", blocked=True)
        with pytest.raises(errors.PutawayError, match="blocked"):
            wh.putaway.confirm(found)

    def test_nothing_placed(self, wh: sl.Inventory) -> None:
        """A suggestion that places nothing cannot be confirmed."""
        wh.receive("PEAS", 5, lot="L1", expiry=EXPIRY, dst="DC1/DOCK", supplier="ACME")
        wh.putaway.set_bin("DC1/F/01", storage=["frozen"], blocked=True)
        found = wh.putaway.suggest("PEAS", src="DC1/DOCK")
        with pytest.raises(errors.ValidationError, match="nothing"):
            wh.putaway.confirm(found)

    def test_place_by_hand_is_judged(self, wh: sl.Inventory) -> None:
        """Putting away into a bin of one's own choice is judged by its rules; a location
        without rules is refused."""
        wh.receive("PEAS", 5, lot="L1", expiry=EXPIRY, dst="DC1/DOCK", supplier="ACME")
        with pytest.raises(errors.PutawayError, match="storage"):
            wh.putaway.place("PEAS", 5, lot="L1", src="DC1/DOCK", dst="DC1/A/01")
        with pytest.raises(errors.PutawayError, match="rules"):
            wh.putaway.place("PEAS", 5, lot="L1", src="DC1/DOCK", dst="DC1/B/01")
        wh.putaway.place("PEAS", 5, lot="L1", src="DC1/DOCK", dst="DC1/F/01")
        assert wh.on_hand("PEAS", location="DC1/F/01") == 5

    def test_place_by_scan(self, wh: sl.Inventory) -> None:
        """A GS1 scan names the item and lot put away; a wrong bin is refused."""
        wh.receive("ASP", 12, lot="A1", dst="DC1/DOCK", supplier="ACME")
        scan = "(01)09506000134352(10)A1"
        tx = wh.putaway.place_scan(scan, 4, src="DC1/DOCK", dst="DC1/A/01")
        assert tx.movements[0].lot == "A1"
        assert tx.movements[0].quantity == 4
        wh.putaway.set_item("ASP", storage="chilled")
        with pytest.raises(errors.PutawayError, match="chilled"):
            wh.putaway.place_scan(scan, 4, src="DC1/DOCK", dst="DC1/A/01")
        with pytest.raises(errors.BarcodeError):
            wh.putaway.place_scan("(01)09506000134353", src="DC1/DOCK", dst="DC1/A/01")

    def test_place_container_by_scan(self, wh: sl.Inventory) -> None:
        """Scanning a pallet's SSCC puts the whole pallet away."""
        wh.add_container(_sscc())
        wh.receive("BOLT", 20, dst="DC1/DOCK", container=_sscc(), supplier="ACME")
        tx = wh.putaway.place_scan(f"(00){_sscc()}", src="DC1/DOCK", dst="DC1/A/02")
        assert tx.containers[0].location == "DC1/A/02"
        assert wh.on_hand("BOLT", location="DC1/A/02", container=_sscc()) == 20
        with pytest.raises(errors.ValidationError):
            wh.putaway.place_scan(f"(00){_sscc()}", src="DC1/DOCK", dst="DC1/A/01")


def _pairs(plan: PutawayPlan) -> list[tuple[str, object]]:
    return [(p.location, p.quantity) for p in plan.placements]


def _bin(path: str, **rules: object) -> Bin:
    return Bin(rules=BinRules(location=path, **rules))  # type: ignore[arg-type]


def _load(quantity: int, *, sku: str = "X", lot: str | None = None, **profile: object) -> Load:
    stored = StorageProfile(sku=sku, **profile)  # type: ignore[arg-type]
    line = LoadLine(sku=sku, lot=lot, quantity=D(quantity), profile=stored)
    return Load(lines=(line,))


class TestStrategy:
    """The pure planner, as tables of (bins, load, expected placements)."""

    def test_order_of_steps(self) -> None:
        """Orders compose leftmost first; ties go by path, whatever the input order."""
        bins = [
            attrs_evolve(_bin("B", max_units=D(5)), pick_sequence=1),
            attrs_evolve(_bin("A", max_units=D(5)), pick_sequence=2),
            attrs_evolve(_bin("C", max_units=D(5)), pick_sequence=1),
        ]
        plan = plan_putaway(_load(12), bins, putaway_strategy(PickSequence()))
        assert _pairs(plan) == [
            ("B", 5),
            ("C", 5),
            ("A", 2),
        ]
        assert plan_putaway(_load(12), bins[::-1], putaway_strategy(PickSequence())) == plan

    def test_empty_only_and_zones(self) -> None:
        """Filters narrow: EmptyOnly passes over a bin holding stock, Zones(allowed=...)
        keeps to its zones."""
        held = attrs_evolve(_bin("A"), items=frozenset({"Y"}), units=D(1))
        bins = [held, _bin("B", zone="Z1"), _bin("C", zone="Z2")]
        plan = plan_putaway(_load(3), bins, putaway_strategy(EmptyOnly(), Zones(allowed=("Z2",))))
        assert [p.location for p in plan.placements] == ["C"]

    def test_rules_beat_strategy(self) -> None:
        """A strategy cannot put a load where a rule forbids it: the fixed bin is ambient,
        the load frozen."""
        bins = [_bin("FIX"), _bin("FRZ", storage=("frozen",))]
        load = _load(3, storage="frozen", fixed_bin="FIX")
        plan = plan_putaway(load, bins, putaway_strategy(FixedBin(), Consolidate()))
        assert [p.location for p in plan.placements] == ["FRZ"]

    def test_decimals(self) -> None:
        """A split never leaves a quantity finer than the item's unit."""
        bins = [_bin("A", max_weight=D(10)), _bin("B", max_weight=D(10))]
        line = LoadLine(
            sku="X", quantity=D(5), decimals=0, profile=StorageProfile(sku="X", weight=D(3))
        )
        plan = plan_putaway(Load(lines=(line,)), bins)
        assert _pairs(plan) == [("A", 3), ("B", 2)]

    def test_not_a_step(self) -> None:
        """putaway_strategy refuses what is neither a filter nor an order."""
        with pytest.raises(TypeError):
            putaway_strategy(object())  # type: ignore[arg-type]


def attrs_evolve(b: Bin, **changes: object) -> Bin:
    return attrs.evolve(b, **changes)  # type: ignore[arg-type]


class TestRulesSeenAtOnce:
    def test_a_rule_changed_elsewhere_is_seen_by_the_next_suggestion(
        self, tmp_path: object
    ) -> None:
        """Suggestions keep the decoded rules while they have not changed; a change made by
        another inventory on the same database (another process, say) is seen at once."""
        url = f"sqlite:///{tmp_path}/stock.db"
        clock = sl.FixedClock(pendulum.datetime(2026, 3, 2, 8, tz="UTC"))
        first = sl.Inventory.open(url, clock=clock)
        second = sl.Inventory.open(url, clock=clock)
        try:
            first.add_item("BOLT")
            for path in ("DC1/DOCK", "DC1/A/01", "DC1/A/02"):
                first.add_location(path)
            first.putaway.set_bin("DC1/A/01", max_units=10)
            first.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")

            def bins(inv: sl.Inventory) -> list[str]:
                (s,) = inv.putaway.suggest("BOLT", 5, src="DC1/DOCK")
                return [p.location for p in s.placements]

            assert bins(first) == ["DC1/A/01"]
            second.putaway.set_bin("DC1/A/01", max_units=10, blocked=True)
            second.putaway.set_bin("DC1/A/02", max_units=10)
            assert bins(first) == ["DC1/A/02"]
            second.putaway.remove_bin("DC1/A/02")
            (s,) = first.putaway.suggest("BOLT", 5, src="DC1/DOCK")
            assert (s.placements, s.unplaced) == ((), Decimal(5))
        finally:
            first.close()
            second.close()
