"""Scenario tables for the whole-set policies: FewestPicks and WholeContainerFirst."""

from __future__ import annotations

import pytest

from stockline.policies import Fefo, FewestPicks, MinShelfLife, WholeContainerFirst, compose

from ._stock import Scenario, pos, run, want

A, B, C, D = "DC1/A/01", "DC1/B/01", "DC1/C/01", "DC1/D/01"

FEWEST = [
    Scenario(
        "smallest single position that covers, not the earliest expiry",
        [
            pos("L1", 4, expiry="2027-02-01", location=A),
            pos("L2", 50, expiry="2027-03-01", location=B),
            pos("L3", 12, expiry="2027-04-01", location=C),
        ],
        want(10),
        [("L3", C, 10)],
    ),
    Scenario(
        "equally small covering positions: the base order decides",
        [
            pos("L3", 12, expiry="2027-04-01", location=A),
            pos("L2", 12, expiry="2027-03-01", location=B),
        ],
        want(10),
        [("L2", B, 10)],
    ),
    Scenario(
        "no single position: the smallest covering container, FEFO inside it",
        [
            pos("L1", 4, expiry="2027-02-01", location=A),
            pos("L2", 6, expiry="2027-05-01", location=B, container="BIG"),
            pos("L3", 6, expiry="2027-05-01", location=B, container="BIG"),
            pos("L4", 5, expiry="2027-04-01", location=C, container="SMALL"),
            pos("L5", 6, expiry="2027-03-01", location=C, container="SMALL"),
        ],
        want(10),
        [("L5", C, 6), ("L4", C, 4)],
    ),
    Scenario(
        "nothing covers: the base order, with a shortfall",
        [pos("L2", 3, expiry="2027-03-01", location=B), pos("L1", 4, expiry="2027-02-01")],
        want(10),
        [("L1", A, 4), ("L2", B, 3)],
        shortfall=3,
    ),
    Scenario(
        "pack size: covering counts whole packs only",
        [pos("L1", 23, expiry="2027-02-01"), pos("L2", 36, expiry="2027-03-01", location=B)],
        want(24, pack_size=12),
        [("L2", B, 24)],
    ),
]

WHOLE = [
    Scenario(
        "a container that fits whole goes first, then the base order",
        [
            pos("L1", 5, expiry="2027-02-01", location=A),
            pos("L2", 8, expiry="2027-03-01", location=B, container="P1"),
            pos("L3", 20, expiry="2027-04-01", location=C, container="P2"),
        ],
        want(10),
        [("L2", B, 8), ("L1", A, 2)],
    ),
    Scenario(
        "containers are walked in base order and fill what is still wanted",
        [
            pos("L1", 6, expiry="2027-02-01", location=A, container="P1"),
            pos("L2", 6, expiry="2027-03-01", location=B, container="P2"),
            pos("L3", 4, expiry="2027-04-01", location=C, container="P3"),
            pos("L0", 9, expiry="2027-01-15", location=D),
        ],
        want(10),
        [("L1", A, 6), ("L3", C, 4)],
    ),
    Scenario(
        "a container with several positions is taken whole",
        [
            pos("L1", 3, expiry="2027-02-01", location=A),
            pos("L2", 3, expiry="2027-03-01", location=B, container="P1"),
            pos("L3", 4, expiry="2027-02-15", location=B, container="P1"),
        ],
        want(9),
        [("L3", B, 4), ("L2", B, 3), ("L1", A, 2)],
    ),
    Scenario(
        "no container fits: the base order",
        [pos("L1", 30, expiry="2027-02-01", container="P1"), pos("L2", 5, location=B)],
        want(10),
        [("L1", A, 10)],
    ),
    Scenario(
        "pack size: a container with a part pack is not whole",
        [
            pos("L1", 13, expiry="2027-02-01", location=A, container="P1"),
            pos("L2", 12, expiry="2027-03-01", location=B, container="P2"),
        ],
        want(24, pack_size=12),
        [("L2", B, 12), ("L1", A, 12)],
    ),
]


def _ids(table: list[Scenario]) -> list[str]:
    return [s.name for s in table]


class TestFewestPicks:
    @pytest.mark.parametrize("scenario", FEWEST, ids=_ids(FEWEST))
    def test_scenarios(self, scenario: Scenario) -> None:
        """FewestPicks takes the smallest single covering position, else the smallest
        covering container, else the base order."""
        run(scenario, FewestPicks(Fefo()))

    def test_respects_base_filters(self) -> None:
        """A position the base filters out is never promoted, even if it covers."""
        stock = [
            pos("SHORT", 50, expiry="2027-01-10"),
            pos("L2", 6, expiry="2030-01-01", location=B),
        ]
        scenario = Scenario("filtered", stock, want(10), [("L2", B, 6)], shortfall=4)
        run(scenario, FewestPicks(compose(MinShelfLife(30), Fefo())))

    def test_reason(self) -> None:
        """The promoted pick says why it was chosen."""
        plan = run(FEWEST[0], FewestPicks(Fefo()))
        assert plan.picks[0].reason == (
            "FewestPicks: one pick covers 10 (smallest position that does, 12 available)"
        )


class TestWholeContainerFirst:
    @pytest.mark.parametrize("scenario", WHOLE, ids=_ids(WHOLE))
    def test_scenarios(self, scenario: Scenario) -> None:
        """Containers whose whole content fits what is still wanted go first, then the base
        order."""
        run(scenario, WholeContainerFirst(Fefo()))

    @pytest.mark.parametrize("scenario", WHOLE, ids=_ids(WHOLE))
    def test_demand_flag(self, scenario: Scenario) -> None:
        """Demand.prefer_whole_containers applies WholeContainerFirst around any policy."""
        demand = want(
            scenario.demand.quantity,
            prefer_whole_containers=True,
            pack_size=scenario.demand.pack_size,
        )
        run(Scenario(scenario.name, scenario.stock, demand, scenario.picks), Fefo())

    def test_reason(self) -> None:
        """A whole-container pick says which container and what it fits."""
        plan = run(WHOLE[0], WholeContainerFirst(Fefo()))
        assert plan.picks[0].reason == (
            "WholeContainerFirst: container P1 holds 8, which fits the 10 still wanted"
        )
