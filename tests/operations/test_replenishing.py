"""Min/max replenishment and kitting through ``inv.replenishment`` and ``inv.kits``, on every
store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import stockline as sl
from stockline import errors
from stockline.ledger import TxKind
from stockline.operations import BomLine, Proposal
from stockline.policies import Lifo

D = Decimal
UTC = dt.UTC
EARLY = dt.datetime(2026, 2, 1, 8, tzinfo=UTC)
LATER = dt.datetime(2026, 2, 15, 8, tzinfo=UTC)


@pytest.fixture
def site(inv: sl.Inventory) -> sl.Inventory:
    """Reserve bins DC1/R/01-04 and pick faces DC1/P/01-02.

    ASP (lot-tracked) in reserve: L1 20 (expires 2026-06-01) at R/01, L2 30 (2026-04-01) at
    R/02, L3 50 (2026-03-15) on hold at R/03, L0 40 (expired 2026-03-01) at R/04; 5 of L9
    (2026-12-31) at the pick face P/01. BOLT (untracked): 30 received 02-01 at R/01, 30
    received 02-15 at R/02; 3 at P/01.
    """
    for path in ("DC1/R/01", "DC1/R/02", "DC1/R/03", "DC1/R/04", "DC1/P/01", "DC1/P/02"):
        inv.add_location(path)
    lots = [
        ("L1", 20, "DC1/R/01", dt.date(2026, 6, 1)),
        ("L2", 30, "DC1/R/02", dt.date(2026, 4, 1)),
        ("L3", 50, "DC1/R/03", dt.date(2026, 3, 15)),
        ("L0", 40, "DC1/R/04", dt.date(2026, 3, 1)),
        ("L9", 5, "DC1/P/01", dt.date(2026, 12, 31)),
    ]
    for lot, qty, to, expiry in lots:
        inv.receive("ASP", qty, dst=to, lot=lot, expiry=expiry, effective_at=EARLY, supplier="ACME")
    inv.hold("ASP", 50, location="DC1/R/03", lot="L3", reason="quality check")
    inv.receive("BOLT", 30, dst="DC1/R/01", effective_at=EARLY, supplier="ACME")
    inv.receive("BOLT", 30, dst="DC1/R/02", effective_at=LATER, supplier="ACME")
    inv.receive("BOLT", 3, dst="DC1/P/01", effective_at=LATER, supplier="ACME")
    return inv


def moves(p: Proposal) -> list[tuple[str | None, str, Decimal]]:
    """A proposal's moves as (lot, source location, quantity)."""
    return [(m.lot, m.src.location, m.quantity) for m in p.moves]


class TestRules:
    def test_set_list_replace_remove(self, site: sl.Inventory) -> None:
        """A rule is stored per item and pick face; setting it again replaces it."""
        rule = site.replenishment.set_rule("ASP", "DC1/P/01", min=10, max=40, actor="ann")
        assert (rule.min, rule.max, rule.multiple, rule.source_root, rule.updated_by) == (
            D(10),
            D(40),
            None,
            "DC1",
            "ann",
        )
        site.replenishment.set_rule("BOLT", "DC1/P/01", min=6, max=24, multiple=6, source="DC1/R")
        site.replenishment.set_rule("ASP", "DC1/P/01", min=12, max=36)
        found = [(r.sku, r.location, r.min, r.max) for r in site.replenishment.rules()]
        assert found == [("ASP", "DC1/P/01", D(12), D(36)), ("BOLT", "DC1/P/01", D(6), D(24))]
        assert [r.sku for r in site.replenishment.rules(sku="BOLT")] == ["BOLT"]
        assert site.replenishment.rules(location="DC1/R") == []
        assert site.replenishment.remove_rule("ASP", "DC1/P/01").max == D(36)
        with pytest.raises(errors.NotFoundError):
            site.replenishment.remove_rule("ASP", "DC1/P/01")

    def test_bad_rules_are_refused(self, site: sl.Inventory) -> None:
        """Rules that could never work are refused with a reason."""
        bad: list[tuple[type[Exception], str, dict[str, object]]] = [
            (errors.ValidationError, "below min", {"min": 10, "max": 5}),
            (errors.ValidationError, "less than one", {"min": 10, "max": 15, "multiple": 6}),
            (errors.ValidationError, "inside it", {"min": 1, "max": 5, "source": "DC1/P/01"}),
            (errors.InvalidQuantityError, "min of BOLT", {"min": -1, "max": 5}),
            (errors.InvalidQuantityError, "max of BOLT", {"min": 1, "max": 0}),
            (errors.InvalidQuantityError, "float", {"min": 1, "max": 2.5}),
            (errors.UnknownLocationError, "DC9", {"min": 1, "max": 5, "source": "DC9"}),
        ]
        for error, match, kwargs in bad:
            with pytest.raises(error, match=match):
                site.replenishment.set_rule("BOLT", "DC1/P/01", **kwargs)  # type: ignore[arg-type]
        with pytest.raises(errors.UnknownItemError):
            site.replenishment.set_rule("NOPE", "DC1/P/01", min=1, max=5)
        with pytest.raises(errors.ValidationError, match="internal"):
            site.replenishment.set_rule("BOLT", "suppliers", min=1, max=5)
        assert site.replenishment.rules() == []

    def test_rules_survive_a_restart(self, tmp_path: Path) -> None:
        """Rules are in the store, not in the Inventory object."""
        url = f"sqlite:///{tmp_path / 'stock.db'}"
        with sl.Inventory.open(url) as inv:
            inv.add_item("BOLT")
            inv.add_location("DC1/P/01")
            inv.replenishment.set_rule("BOLT", "DC1/P/01", min=5, max=20, multiple=5)
        with sl.Inventory.open(url) as inv:
            (rule,) = inv.replenishment.rules()
            assert (rule.sku, rule.min, rule.max, rule.multiple) == ("BOLT", D(5), D(20), D(5))


class TestReplenishment:
    def test_fefo_from_reserve_never_held_or_expired(self, site: sl.Inventory) -> None:
        """ASP at P/01 holds 5 < min 10: 35 are proposed up to max 40, FEFO: L2 (04-01) 30,
        then L1 (06-01) 5; held L3 and expired L0 are never proposed."""
        site.replenishment.set_rule("ASP", "DC1/P/01", min=10, max=40)
        (p,) = site.replenishment.propose()
        assert (p.sku, p.location, p.level, p.wanted, p.quantity, p.shortfall) == (
            "ASP",
            "DC1/P/01",
            D(5),
            D(35),
            D(35),
            D(0),
        )
        assert moves(p) == [("L2", "DC1/R/02", D(30)), ("L1", "DC1/R/01", D(5))]
        assert p.moves[0].reason.startswith("FEFO")

    def test_fifo_in_whole_multiples(self, site: sl.Inventory) -> None:
        """BOLT at P/01 holds 3 < min 6: up to max 40 in multiples of 12 is 36, FIFO: 24
        (whole multiples only) from R/01 (received first), then 12 from R/02."""
        site.replenishment.set_rule("BOLT", "DC1/P/01", min=6, max=40, multiple=12)
        (p,) = site.replenishment.propose()
        assert (p.level, p.wanted) == (D(3), D(36))
        assert moves(p) == [(None, "DC1/R/01", D(24)), (None, "DC1/R/02", D(12))]

    def test_no_proposal_above_min(self, site: sl.Inventory) -> None:
        """A pick face holding more than its minimum is left alone."""
        site.replenishment.set_rule("ASP", "DC1/P/01", min=4, max=40)
        assert site.replenishment.propose() == []

    def test_reserved_stock_is_neither_level_nor_source(self, site: sl.Inventory) -> None:
        """Reserved units at the pick face do not count toward its level (but take room
        under max), and reserved units in reserve are never proposed."""
        site.allocate("BOLT", 2, order="SO-1", zones=["DC1/P/01"])
        site.allocate("BOLT", 25, order="SO-2", zones=["DC1/R/01"])
        site.replenishment.set_rule("BOLT", "DC1/P/01", min=5, max=20)
        (p,) = site.replenishment.propose()
        assert (p.level, p.on_hand, p.wanted) == (D(1), D(3), D(17))
        assert moves(p) == [(None, "DC1/R/01", D(5)), (None, "DC1/R/02", D(12))]

    def test_pick_faces_are_never_sources_and_never_share_units(self, site: sl.Inventory) -> None:
        """Two pick faces of one item: neither robs the other, and together they are never
        proposed the same reserve units; what is missing is the shortfall."""
        site.replenishment.set_rule("ASP", "DC1/P/01", min=10, max=40)
        site.replenishment.set_rule("ASP", "DC1/P/02", min=10, max=40)
        first, second = site.replenishment.propose()
        assert moves(first) == [("L2", "DC1/R/02", D(30)), ("L1", "DC1/R/01", D(5))]
        assert (second.location, second.level, second.wanted, second.shortfall) == (
            "DC1/P/02",
            D(0),
            D(40),
            D(25),
        )
        assert moves(second) == [("L1", "DC1/R/01", D(15))]
        assert site.replenishment.propose(location="DC1/P/02")[0].quantity == D(40)

    def test_source_subtree_and_item_policy(self, site: sl.Inventory) -> None:
        """source= limits where stock comes from; set_policy changes the order."""
        site.replenishment.set_rule("BOLT", "DC1/P/01", min=6, max=20, source="DC1/R/02")
        assert moves(site.replenishment.propose()[0]) == [(None, "DC1/R/02", D(17))]
        site.replenishment.set_rule("BOLT", "DC1/P/01", min=6, max=20)
        site.allocation.set_policy("BOLT", Lifo())
        assert moves(site.replenishment.propose()[0]) == [(None, "DC1/R/02", D(17))]
        site.allocation.set_policy("BOLT", None)
        assert moves(site.replenishment.propose()[0]) == [(None, "DC1/R/01", D(17))]

    def test_expired_stock_at_the_pick_face_does_not_count(self, site: sl.Inventory) -> None:
        """Expired lots at a pick face cannot be picked, so they are not part of its level;
        they still take room under max."""
        site.receive(
            "ASP",
            15,
            dst="DC1/P/02",
            lot="L0",
            allow_expired=True,
            reason="found at the face",
            supplier="ACME",
        )
        site.replenishment.set_rule("ASP", "DC1/P/02", min=10, max=20)
        (p,) = site.replenishment.propose()
        assert (p.level, p.on_hand, p.quantity) == (D(0), D(15), D(5))
        assert site.replenishment.propose(at=dt.date(2026, 2, 28)) == []


class TestPostReplenishment:
    def test_one_transfer_fills_to_max(self, site: sl.Inventory) -> None:
        """Posting the proposals is one transfer; every pick face ends at its max."""
        site.replenishment.set_rule("ASP", "DC1/P/01", min=10, max=40)
        site.replenishment.set_rule("BOLT", "DC1/P/01", min=6, max=40, multiple=12)
        proposals = site.replenishment.propose()
        tx = site.replenishment.post(proposals, actor="rex")
        assert (tx.kind, tx.actor, tx.reason, len(tx.movements)) == (
            TxKind.TRANSFER,
            "rex",
            "replenishment",
            4,
        )
        assert site.on_hand("ASP", location="DC1/P/01") == D(40)
        assert site.on_hand("BOLT", location="DC1/P/01") == D(39)
        assert site.replenishment.propose() == []

    def test_stale_proposals_are_refused(self, site: sl.Inventory) -> None:
        """Posting proposals again (or after the face was filled) would pass max: refused,
        nothing posted; a keyed retry returns the first transfer."""
        site.replenishment.set_rule("ASP", "DC1/P/01", min=10, max=40)
        proposals = site.replenishment.propose()
        first = site.replenishment.post(proposals, key="repl-1")
        assert site.replenishment.post(proposals, key="repl-1") == first
        with pytest.raises(errors.ReplenishmentError, match="max") as caught:
            site.replenishment.post(proposals)
        assert (caught.value.sku, caught.value.location) == ("ASP", "DC1/P/01")
        site.replenishment.remove_rule("ASP", "DC1/P/01")
        with pytest.raises(errors.ReplenishmentError, match="removed"):
            site.replenishment.post(proposals)

    def test_stock_held_since_the_proposal_is_not_moved(self, site: sl.Inventory) -> None:
        """If proposed stock was put on hold since, posting fails and moves nothing."""
        site.replenishment.set_rule("ASP", "DC1/P/01", min=10, max=40)
        proposals = site.replenishment.propose()
        site.hold("ASP", 30, location="DC1/R/02", lot="L2", reason="recall check")
        before = site.verify().transactions
        with pytest.raises(errors.InsufficientStockError):
            site.replenishment.post(proposals)
        assert site.verify().transactions == before

    def test_nothing_to_move(self, site: sl.Inventory) -> None:
        """Proposals without moves cannot be posted."""
        site.replenishment.set_rule("ASP", "DC1/P/01", min=10, max=40, source="DC1/R/03")
        (p,) = site.replenishment.propose()
        assert (p.moves, p.shortfall) == ((), D(35))
        with pytest.raises(errors.ValidationError, match="nothing"):
            site.replenishment.post([p])


class TestKit:
    @pytest.fixture
    def parts(self, site: sl.Inventory) -> sl.Inventory:
        site.add_item("WHEEL")
        site.receive("WHEEL", 8, dst="DC1/R/01", supplier="ACME")
        site.receive("WHEEL", 8, dst="DC1/R/02", supplier="ACME")
        site.receive("FLOUR", 3, dst="DC1/R/01", supplier="ACME")
        return site

    def test_complete_kit_reserves_every_component(self, parts: sl.Inventory) -> None:
        """Every component is allocated by its policy and reserved for the order, one line
        per component; an allocation can be picked as usual."""
        kit = parts.kits.reserve({"ASP": 3, "WHEEL": 2, "BOLT": 4}, 5, order="WO-1", actor="mia")
        assert (kit.is_complete, kit.reserved, kit.quantity) == (True, True, D(5))
        assert [(a.demand.item, a.allocated) for a in kit.allocations] == [
            ("ASP", D(15)),
            ("WHEEL", D(10)),
            ("BOLT", D(20)),
        ]
        held = [
            (r.line, r.lot, r.position.location, r.quantity, r.actor)
            for r in parts.allocation.reservations("WO-1")
        ]
        assert held == [
            ("ASP", "L2", "DC1/R/02", D(15), "mia"),
            ("BOLT", None, "DC1/R/01", D(20), "mia"),
            ("WHEEL", None, "DC1/R/01", D(8), "mia"),
            ("WHEEL", None, "DC1/R/02", D(2), "mia"),
        ]
        parts.add_location("DC1/LINE")
        parts.allocation.pick(kit.allocations[1], dst="DC1/LINE")
        assert parts.on_hand("WHEEL", location="DC1/LINE") == D(10)
        assert kit.raise_for_shortage() is kit

    def test_short_kit_reserves_nothing(self, parts: sl.Inventory) -> None:
        """If any component is short, nothing is reserved and every short component is
        listed with required and available; held, expired and reserved stock is not
        available."""
        parts.allocate("BOLT", 50, order="SO-1")
        bom = [BomLine(sku="ASP", quantity=11), BomLine(sku="BOLT", quantity=4)]
        kit = parts.kits.reserve(bom, 5, order="WO-2")
        assert (kit.is_complete, kit.reserved) == (False, False)
        # ASP: 55 = L1 20 + L2 30 + L9 5 (L3 is held, L0 expired); BOLT: 63 less 50 reserved.
        assert [(s.sku, s.required, s.available, s.short) for s in kit.shortages] == [
            ("BOLT", D(20), D(13), D(7))
        ]
        assert parts.allocation.reservations("WO-2") == []
        with pytest.raises(errors.KitShortageError, match="BOLT: 20 required, 13 available") as e:
            kit.raise_for_shortage()
        assert e.value.shortages == kit.shortages

    def test_every_short_component_is_listed(self, parts: sl.Inventory) -> None:
        """All short components are reported, in bill-of-materials order."""
        kit = parts.kits.reserve({"WHEEL": 4, "ASP": 12}, 5, order="WO-3")
        assert [(s.sku, s.required, s.available) for s in kit.shortages] == [
            ("WHEEL", D(20), D(16)),
            ("ASP", D(60), D(55)),
        ]

    def test_check_only_and_rounding(self, parts: sl.Inventory) -> None:
        """reserve=False checks without reserving; a requirement is rounded up to what the
        unit counts (KGM: 3 decimals); a component named twice is needed twice."""
        kit = parts.kits.reserve(
            [BomLine(sku="FLOUR", quantity="0.3335"), BomLine(sku="FLOUR", quantity="0.5")],
            "3",
            order="WO-4",
            reserve=False,
        )
        assert (kit.is_complete, kit.reserved) == (True, False)
        assert kit.allocations[0].demand.quantity == D("2.501")
        assert parts.allocation.reservations("WO-4") == []

    def test_zones_and_shelf_life(self, parts: sl.Inventory) -> None:
        """zones= and min_shelf_life_days= constrain every component."""
        kit = parts.kits.reserve({"ASP": 1}, 25, order="WO-5", zones=["DC1/R/01"])
        assert [(s.required, s.available) for s in kit.shortages] == [(D(25), D(20))]
        kit = parts.kits.reserve({"ASP": 1}, 26, order="WO-6", min_shelf_life_days=60)
        assert [(s.required, s.available) for s in kit.shortages] == [(D(26), D(25))]

    def test_bad_kits(self, parts: sl.Inventory) -> None:
        """An empty bill, an unknown component, a bad quantity or no order are refused."""
        with pytest.raises(errors.ValidationError, match="no components"):
            parts.kits.reserve({}, 1, order="WO-1")
        with pytest.raises(errors.UnknownItemError):
            parts.kits.reserve({"NOPE": 1}, 1, order="WO-1")
        with pytest.raises(errors.InvalidQuantityError):
            parts.kits.reserve({"BOLT": 1}, 0, order="WO-1")
        with pytest.raises(errors.InvalidQuantityError):
            parts.kits.reserve({"BOLT": 0.5}, 1, order="WO-1")
        with pytest.raises(errors.ValidationError, match="BomLine"):
            parts.kits.reserve([("BOLT", 1)], 1, order="WO-1")  # type: ignore[list-item]
        with pytest.raises(errors.ValidationError, match="order"):
            parts.kits.reserve({"BOLT": 1}, 1, order="")
        assert parts.allocation.reservations() == []


class TestReplenishmentLimits:
    def test_stock_that_cannot_be_picked_takes_room_under_max(self, site: sl.Inventory) -> None:
        """The trigger is the free level, but what is physically at the pick face (reserved
        and held stock included) never passes max: proposals are capped, and posting
        re-checks the physical stock."""
        site.replenishment.set_rule("BOLT", "DC1/P/01", min=10, max=40)
        site.receive("BOLT", 27, dst="DC1/P/01", supplier="ACME")  # 30 there now
        site.allocate("BOLT", 25, order="SO-1", zones=["DC1/P"])
        (p,) = site.replenishment.propose()
        assert (p.level, p.on_hand, p.wanted, p.quantity) == (D(5), D(30), D(10), D(10))
        site.replenishment.post([p])
        assert site.on_hand("BOLT", location="DC1/P/01") == D(40)
        assert site.replenishment.propose() == []  # level 15, above min
        site.replenishment.set_rule("BOLT", "DC1/P/01", min=20, max=45)
        (p,) = site.replenishment.propose()
        assert p.quantity == D(5)
        site.receive("BOLT", 1, dst="DC1/P/01", status="hold", supplier="ACME")  # takes the room
        with pytest.raises(errors.ReplenishmentError, match="every status"):
            site.replenishment.post([p])
        assert site.on_hand("BOLT", location="DC1/P/01") == D(41)

    def test_min_is_a_reorder_point(self, site: sl.Inventory) -> None:
        """A rule triggers when the level falls to min or below, so min=0 refills an empty
        pick face and a pick face exactly at min is refilled."""
        site.add_location("DC1/P/09")
        site.replenishment.set_rule("BOLT", "DC1/P/09", min=0, max=20)
        (p,) = site.replenishment.propose(location="DC1/P/09")
        assert (p.level, p.quantity) == (D(0), D(20))
        site.replenishment.set_rule("ASP", "DC1/P/01", min=5, max=40)  # 5 of L9 there
        (p,) = site.replenishment.propose(sku="ASP")
        assert (p.level, p.wanted) == (D(5), D(35))


class TestKitRepeats:
    @pytest.fixture
    def parts(self, site: sl.Inventory) -> sl.Inventory:
        site.add_item("WHEEL")
        site.receive("WHEEL", 10, dst="DC1/R/01", supplier="ACME")
        return site

    def test_kitting_an_order_again_is_idempotent(self, parts: sl.Inventory) -> None:
        """kits.reserve() is idempotent per order: a repeat with the same bill of materials and
        quantity returns the kit already reserved (nothing reserved twice); a different one
        is refused until the kit is released; an order holding allocate() reservations is
        not kitted; a zero quantity gets a kit-specific message."""
        first = parts.kits.reserve({"BOLT": 4, "WHEEL": 2}, 2, order="WO-1")
        again = parts.kits.reserve({"WHEEL": 2, "BOLT": 4}, 2, order="WO-1")
        assert again == first
        held = [(r.line, r.quantity) for r in parts.allocation.reservations("WO-1")]
        assert held == [("BOLT", D(8)), ("WHEEL", D(4))]
        for bom, quantity in (({"BOLT": 4, "WHEEL": 2}, 3), ({"BOLT": 4}, 2)):
            with pytest.raises(errors.ValidationError, match=r"allocation\.release\('WO-1'\)"):
                parts.kits.reserve(bom, quantity, order="WO-1")
        assert [(r.line, r.quantity) for r in parts.allocation.reservations("WO-1")] == held
        parts.allocation.release("WO-1", "WHEEL")
        with pytest.raises(errors.ValidationError, match="partly shipped or released"):
            parts.kits.reserve({"BOLT": 4, "WHEEL": 2}, 2, order="WO-1")
        parts.allocation.release("WO-1")
        bigger = parts.kits.reserve({"BOLT": 4, "WHEEL": 2}, 3, order="WO-1")
        assert [(r.line, r.quantity) for r in parts.allocation.reservations("WO-1")] == [
            ("BOLT", D(12)),
            ("WHEEL", D(6)),
        ]
        assert parts.kits.reserve({"BOLT": 4, "WHEEL": 2}, 3, order="WO-1") == bigger
        parts.allocate("BOLT", 1, order="SO-9")
        with pytest.raises(errors.ValidationError, match="no kit made"):
            parts.kits.reserve({"BOLT": 1}, 1, order="SO-9")
        with pytest.raises(errors.InvalidQuantityError, match=r"kit quantity .* more than zero"):
            parts.kits.reserve({"BOLT": 4}, 0, order="WO-2")
        with pytest.raises(errors.InvalidQuantityError, match=r"component BOLT .* more than"):
            parts.kits.reserve({"BOLT": 0}, 1, order="WO-2")


class TestBoundary:
    def test_arguments_are_refused_before_anything_is_written(self, site: sl.Inventory) -> None:
        """A lone string is not a list of zones or of proposals, a number is not a location,
        text is not a date; nothing is stored, reserved or posted."""
        with pytest.raises(errors.ValidationError):
            site.replenishment.set_rule("BOLT", 7, min=1, max=5)  # type: ignore[arg-type]
        with pytest.raises(errors.InvalidTimeError):
            site.replenishment.propose(at="2026-03-02")  # type: ignore[arg-type]
        with pytest.raises(errors.ValidationError):
            site.replenishment.post("everything")  # type: ignore[arg-type]
        with pytest.raises(errors.ValidationError):
            site.kits.reserve({"BOLT": 1}, 1, order="WO-1", zones="DC1/R")
        with pytest.raises(errors.ValidationError):
            site.kits.reserve({"BOLT": 1}, 1, order="WO-1", reserve="no")  # type: ignore[arg-type]
        with pytest.raises(errors.ValidationError):
            site.kits.reserve("BOLT", 1, order="WO-1")  # type: ignore[arg-type]
        assert site.replenishment.rules() == []
        assert site.allocation.reservations() == []

    def test_public_signatures_resolve(self) -> None:
        """Every public method of the services has type hints that resolve."""
        import typing

        from stockline.operations import Kits, Replenishment

        for service in (Replenishment, Kits):
            for name in dir(service):
                if not name.startswith("_"):
                    assert typing.get_type_hints(getattr(service, name)) is not None, name
