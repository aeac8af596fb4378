"""Scenario tables for the shipped filters: MinShelfLife and ZonePreference."""

from __future__ import annotations

import pytest

from stockline.policies import Fefo, MinShelfLife, ZonePreference, compose

from ._stock import Scenario, pos, run, want

SHELF_LIFE = [
    Scenario(
        "exactly on the boundary is allowed (30 days left, 30 required)",
        [pos("EDGE", 5, expiry="2027-01-31"), pos("LONG", 5, expiry="2027-06-01", location="B")],
        want(5),
        [("EDGE", "DC1/A/01", 5)],
    ),
    Scenario(
        "one day short is excluded (29 days left)",
        [pos("SHORT", 5, expiry="2027-01-30"), pos("LONG", 5, expiry="2027-06-01", location="B")],
        want(5),
        [("LONG", "B", 5)],
    ),
    Scenario(
        "no expiry date always passes",
        [pos("N", 5)],
        want(5),
        [("N", "DC1/A/01", 5)],
    ),
    Scenario(
        "nothing long enough: all shortfall",
        [pos("SHORT", 5, expiry="2027-01-10")],
        want(5),
        [],
        shortfall=5,
    ),
]

DEMAND_SHELF_LIFE = [
    Scenario(
        "demand min shelf life: boundary allowed",
        [pos("EDGE", 5, expiry="2027-01-31"), pos("SHORT", 5, expiry="2027-01-30", location="B")],
        want(10, min_remaining_shelf_life_days=30),
        [("EDGE", "DC1/A/01", 5)],
        shortfall=5,
    ),
]

ZONES = [
    Scenario(
        "allowed zones exclude the rest, by path prefix not string prefix",
        [
            pos("L1", 5, expiry="2027-02-01", location="DC1/AB/01"),
            pos("L2", 5, expiry="2027-03-01", location="DC1/A/07"),
            pos("L3", 5, expiry="2027-04-01", location="DC1/A"),
        ],
        want(8),
        [("L2", "DC1/A/07", 5), ("L3", "DC1/A", 3)],
    ),
]

PREFERRED = [
    Scenario(
        "preferred zone first, FEFO inside and after it",
        [
            pos("L1", 5, expiry="2027-02-01", location="DC1/R/01"),
            pos("L3", 5, expiry="2027-04-01", location="DC1/F/01"),
            pos("L2", 5, expiry="2027-03-01", location="DC1/F/02"),
        ],
        want(12),
        [("L2", "DC1/F/02", 5), ("L3", "DC1/F/01", 5), ("L1", "DC1/R/01", 2)],
    ),
]


def _ids(table: list[Scenario]) -> list[str]:
    return [s.name for s in table]


class TestMinShelfLife:
    @pytest.mark.parametrize("scenario", SHELF_LIFE, ids=_ids(SHELF_LIFE))
    def test_policy(self, scenario: Scenario) -> None:
        """MinShelfLife(30) keeps expiry - at >= 30 days, the boundary included."""
        run(scenario, compose(MinShelfLife(30), Fefo()))

    @pytest.mark.parametrize("scenario", DEMAND_SHELF_LIFE, ids=_ids(DEMAND_SHELF_LIFE))
    def test_demand_field(self, scenario: Scenario) -> None:
        """Demand.min_remaining_shelf_life_days is the same rule, enforced for any policy."""
        run(scenario, Fefo())

    def test_alone_is_a_policy(self) -> None:
        """A filter alone ranks by the final tie-breaker (location first)."""
        stock = [
            pos("L1", 5, expiry="2027-06-01", location="DC1/B/01"),
            pos("L2", 5, expiry="2027-06-01"),
        ]
        expected = [("L2", "DC1/A/01", 5), ("L1", "DC1/B/01", 1)]
        plan = run(Scenario("alone", stock, want(6), expected), MinShelfLife(30))
        assert plan.picks[0].reason == "by location, container, lot"

    def test_negative_days_rejected(self) -> None:
        """Days must be zero or more."""
        with pytest.raises(ValueError, match="days"):
            MinShelfLife(-1)

    def test_single_and_bulk_agree(self) -> None:
        """The bulk select() gives exactly what admits() does."""
        stock = [pos(f"L{d}", 1, expiry=f"2027-01-{d:02d}") for d in range(1, 32)]
        rule = MinShelfLife(20)
        demand = want(1)
        assert rule.select(demand, stock) == [c for c in stock if rule.admits(demand, c)]


class TestZonePreference:
    @pytest.mark.parametrize("scenario", ZONES, ids=_ids(ZONES))
    def test_allowed(self, scenario: Scenario) -> None:
        """Allowed zones are path prefixes: DC1/A holds DC1/A and DC1/A/07, not DC1/AB/01."""
        run(scenario, compose(ZonePreference(allowed=("DC1/A",)), Fefo()))

    @pytest.mark.parametrize("scenario", ZONES, ids=_ids(ZONES))
    def test_allowed_on_demand(self, scenario: Scenario) -> None:
        """Demand.allowed_zones is the same rule, enforced for any policy."""
        demand = want(scenario.demand.quantity, allowed_zones=("DC1/A/",))
        run(Scenario(scenario.name, scenario.stock, demand, scenario.picks), Fefo())

    @pytest.mark.parametrize("scenario", PREFERRED, ids=_ids(PREFERRED))
    def test_preferred(self, scenario: Scenario) -> None:
        """Preferred zones come first, the next order applies inside and after them."""
        run(scenario, compose(ZonePreference(preferred=("DC1/F",)), Fefo()))

    @pytest.mark.parametrize("scenario", PREFERRED, ids=_ids(PREFERRED))
    def test_preferred_on_demand(self, scenario: Scenario) -> None:
        """Demand.preferred_zones puts those zones first around any policy."""
        demand = want(scenario.demand.quantity, preferred_zones=("DC1/F",))
        plan = run(Scenario(scenario.name, scenario.stock, demand, scenario.picks), Fefo())
        assert plan.picks[0].reason.startswith("in preferred zone DC1/F (choice 1 of 1); FEFO")
        assert plan.picks[-1].reason.startswith("outside preferred zones DC1/F; FEFO")

    def test_preferred_rank_order(self) -> None:
        """Several preferred zones rank in the order given; unlisted zones come last."""
        stock = [
            pos("L1", 1, location="Z/1"),
            pos("L2", 1, location="B/1"),
            pos("L3", 1, location="A/1"),
        ]
        scenario = Scenario(
            "rank", stock, want(3), [("L2", "B/1", 1), ("L3", "A/1", 1), ("L1", "Z/1", 1)]
        )
        run(scenario, ZonePreference(preferred=("B", "A")))
        demand = want(3, preferred_zones=("B", "A"))
        run(Scenario("rank", stock, demand, scenario.picks), Fefo())

    def test_bare_string_rejected(self) -> None:
        """A bare string is not a list of zones (it would become one zone per letter)."""
        with pytest.raises(ValueError, match="sequence of location prefixes"):
            ZonePreference(allowed="DC1/A")  # type: ignore[arg-type]

    def test_single_and_bulk_agree(self) -> None:
        """select()/sort_keys() give exactly what admits()/sort_key() do."""
        stock = [pos("L", 1, location=loc) for loc in ["A", "A/1", "AB/1", "B/2/3", "C", "B"]]
        rule = ZonePreference(allowed=("A", "B/2"), preferred=("B", "A/1"))
        demand = want(1)
        assert rule.select(demand, stock) == [c for c in stock if rule.admits(demand, c)]
        assert rule.sort_keys(demand, stock) == [rule.sort_key(demand, c) for c in stock]
