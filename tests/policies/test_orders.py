"""Scenario tables for the shipped orders: Fefo, Fifo, Lifo."""

from __future__ import annotations

import pytest

from stockline.policies import Fefo, Fifo, Lifo

from ._stock import Scenario, pos, run, want

A1, A2, B1 = "DC1/A/01", "DC1/A/02", "DC1/B/01"

FEFO = [
    Scenario(
        "earliest expiry first, spilling into the next",
        [pos("L2", 10, expiry="2027-03-31"), pos("L1", 5, expiry="2027-01-31", location=A2)],
        want(8),
        [("L1", A2, 5), ("L2", A1, 3)],
    ),
    Scenario(
        "same expiry: earliest first receipt wins",
        [
            pos("L1", 5, expiry="2027-02-01", received="2026-05-02"),
            pos("L2", 5, expiry="2027-02-01", received="2026-05-01", location=B1),
        ],
        want(5),
        [("L2", B1, 5)],
    ),
    Scenario(
        "same expiry and receipt: lowest pick sequence wins",
        [
            pos("L1", 5, expiry="2027-02-01", location=A1, seq=9),
            pos("L1", 5, expiry="2027-02-01", location=B1, seq=2),
        ],
        want(5),
        [("L1", B1, 5)],
    ),
    Scenario(
        "full tie: location decides",
        [pos("L1", 5, expiry="2027-02-01", location=B1), pos("L1", 5, expiry="2027-02-01")],
        want(6),
        [("L1", A1, 5), ("L1", B1, 1)],
    ),
    Scenario(
        "lots without expiry come last",
        [pos("N", 10), pos("L1", 4, expiry="2030-12-31", location=B1)],
        want(6),
        [("L1", B1, 4), ("N", A1, 2)],
    ),
    Scenario(
        "partial availability: shortfall is the rest",
        [pos("L1", 3, expiry="2027-02-01"), pos("L2", 2, expiry="2027-03-01", location=B1)],
        want(9),
        [("L1", A1, 3), ("L2", B1, 2)],
        shortfall=4,
    ),
    Scenario(
        "expired lot skipped, expiring today still good",
        [
            pos("OLD", 5, expiry="2026-12-31"),
            pos("TODAY", 2, expiry="2027-01-01", location=A2),
            pos("L3", 9, expiry="2027-05-01", location=B1),
        ],
        want(4),
        [("TODAY", A2, 2), ("L3", B1, 2)],
    ),
    Scenario(
        "held stock is not allocated",
        [
            pos("L1", 5, expiry="2027-02-01", status="hold"),
            pos("L2", 5, expiry="2027-03-01", location=B1),
        ],
        want(5),
        [("L2", B1, 5)],
    ),
    Scenario(
        "lot-restricted demand takes only that lot",
        [pos("L1", 5, expiry="2027-02-01"), pos("L2", 5, expiry="2027-03-01", location=B1)],
        want(7, lot="L2"),
        [("L2", B1, 5)],
        shortfall=2,
    ),
    Scenario(
        "pack size: whole cases only, part cases passed over",
        [
            pos("L1", 30, expiry="2027-02-01"),
            pos("L2", 11, expiry="2027-02-15", location=A2),
            pos("L3", 24, expiry="2027-03-01", location=B1),
        ],
        want(36, pack_size=12),
        [("L1", A1, 24), ("L3", B1, 12)],
    ),
    Scenario(
        "pack size with too little: shortfall in whole packs",
        [pos("L1", 30, expiry="2027-02-01")],
        want(36, pack_size=12),
        [("L1", A1, 24)],
        shortfall=12,
    ),
    Scenario(
        "other items are ignored",
        [pos("L1", 5, expiry="2027-02-01", item="OTHER"), pos("L2", 5, location=B1)],
        want(2),
        [("L2", B1, 2)],
    ),
    Scenario("nothing on hand", [], want(3), [], shortfall=3),
]

FIFO = [
    Scenario(
        "earliest receipt first, whatever the expiry",
        [
            pos("NEW", 5, received="2026-06-02", expiry="2027-02-01"),
            pos("OLD", 5, received="2026-06-01", expiry="2027-09-01", location=B1),
        ],
        want(7),
        [("OLD", B1, 5), ("NEW", A1, 2)],
    ),
    Scenario(
        "same receipt: pick sequence, then location",
        [
            pos("L1", 5, location=B1, seq=1),
            pos("L1", 5, location=A2, seq=1),
            pos("L1", 5, location=A1, seq=3),
        ],
        want(12),
        [("L1", A2, 5), ("L1", B1, 5), ("L1", A1, 2)],
    ),
    Scenario(
        "expired stock is excluded even when oldest",
        [pos("OLD", 5, received="2026-01-01", expiry="2026-12-01"), pos("NEW", 5, location=B1)],
        want(5),
        [("NEW", B1, 5)],
    ),
]

LIFO = [
    Scenario(
        "latest receipt first",
        [pos("OLD", 5, received="2026-06-01"), pos("NEW", 5, received="2026-07-01", location=B1)],
        want(7),
        [("NEW", B1, 5), ("OLD", A1, 2)],
    ),
    Scenario(
        "same receipt: pick sequence",
        [pos("L1", 5, location=A1, seq=5), pos("L1", 5, location=B1, seq=1)],
        want(5),
        [("L1", B1, 5)],
    ),
]


def _ids(table: list[Scenario]) -> list[str]:
    return [s.name for s in table]


class TestFefo:
    @pytest.mark.parametrize("scenario", FEFO, ids=_ids(FEFO))
    def test_scenarios(self, scenario: Scenario) -> None:
        """FEFO picks the earliest expiry, breaks ties by receipt then sequence then
        location, skips expired/held/other stock, and honours lots and packs."""
        run(scenario, Fefo())

    def test_reason_ranks_the_lot(self) -> None:
        """The reason names the expiry and its rank among the eligible lots."""
        stock = [
            pos("L1", 1, expiry="2027-01-31"),
            pos("L2", 1, expiry="2027-02-28", location="DC1/A/02"),
            pos("L3", 1, expiry="2027-03-31", location="DC1/A/03"),
            pos("L4", 1, location="DC1/A/04"),
        ]
        plan = run(
            Scenario(
                "reasons",
                stock,
                want(4),
                [
                    ("L1", "DC1/A/01", 1),
                    ("L2", "DC1/A/02", 1),
                    ("L3", "DC1/A/03", 1),
                    ("L4", "DC1/A/04", 1),
                ],
            ),
            Fefo(),
        )
        assert [p.reason for p in plan.picks] == [
            "FEFO: expires 2027-01-31, earliest of 4 eligible lots",
            "FEFO: expires 2027-02-28, 2nd earliest of 4 eligible lots",
            "FEFO: expires 2027-03-31, 3rd earliest of 4 eligible lots",
            "FEFO: no expiry date, after the 3 of 4 eligible lots that expire",
        ]


class TestFifo:
    @pytest.mark.parametrize("scenario", FIFO, ids=_ids(FIFO))
    def test_scenarios(self, scenario: Scenario) -> None:
        """FIFO picks the earliest first receipt; ties by pick sequence then location."""
        run(scenario, Fifo())

    def test_reason(self) -> None:
        """The reason names the receipt time and its rank among the eligible lots."""
        stock = [pos("L1", 1), pos("L2", 1, received="2026-07-01", location="DC1/B/01")]
        plan = run(
            Scenario("r", stock, want(2), [("L1", "DC1/A/01", 1), ("L2", "DC1/B/01", 1)]),
            Fifo(),
        )
        assert (
            plan.picks[0].reason
            == "FIFO: received 2026-06-01 08:00+00:00, oldest of 2 eligible lots"
        )
        assert plan.picks[1].reason.endswith("2nd oldest of 2 eligible lots")


class TestLifo:
    @pytest.mark.parametrize("scenario", LIFO, ids=_ids(LIFO))
    def test_scenarios(self, scenario: Scenario) -> None:
        """LIFO picks the latest first receipt; ties by pick sequence."""
        run(scenario, Lifo())

    def test_reason(self) -> None:
        """The reason ranks the lot among the eligible lots, newest first."""
        stock = [pos("OLD", 1), pos("NEW", 1, received="2026-07-01", location="DC1/B/01")]
        plan = run(
            Scenario("r", stock, want(1), [("NEW", "DC1/B/01", 1)]),
            Lifo(),
        )
        assert plan.picks[0].reason.startswith("LIFO: received 2026-07-01 08:00")
        assert plan.picks[0].reason.endswith("newest of 2 eligible lots")
