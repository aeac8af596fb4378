"""Serial pools on every store: the same answers, failures that issue nothing, restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

import stockline as sl
from stockline.errors import InsufficientStockError, SerialPoolExhaustedError
from stockline.serials import SerialState
from tests import _postgres
from tests.conftest import StoreFactory
from tests.serials.conftest import packaging_line


def test_every_store_gives_the_same_answers(any_store: StoreFactory, clock: sl.FixedClock) -> None:
    """Issue, produce, a refused production, void, decommission and the reports read the
    same on every store; a refused production leaves the counter where it was."""
    inv = packaging_line(sl.Inventory(store=any_store(), clock=clock))
    inv.serials.add_pool("VIAL", scheme="sequential", length=4)
    assert inv.serials.issue("VIAL", 2, reserved_for="P1").serials == ("0001", "0002")
    made = inv.serials.produce(
        "VIAL",
        3,
        location="PLANT/FG",
        consume=[sl.Component(sku="BULK", quantity=1, location="PLANT/RM", lot="B1")],
        key="run-1",
    )
    assert made.serials == ("0003", "0004", "0005")
    with pytest.raises(InsufficientStockError):
        inv.serials.produce(
            "VIAL",
            2,
            location="PLANT/FG",
            consume=[sl.Component(sku="BULK", quantity=500, location="PLANT/RM", lot="B1")],
        )
    assert inv.serials.produce("VIAL", 3, location="PLANT/FG", key="run-1") == made
    assert inv.serials.pool("VIAL").issued == 5
    assert inv.serials.void("VIAL", ["0001"], reason="torn") == ("0001",)
    inv.serials.decommission("VIAL", "0004", reason="stolen")
    assert [g.number for g in inv.serials.gaps("VIAL")] == ["0002"]
    assert [(b.first, len(b.serials), b.transaction) for b in inv.serials.issued("VIAL")] == [
        (0, 2, None),
        (2, 3, made.transaction.id),
    ]
    states = {s: inv.serials.state("VIAL", s) for s in ("0001", "0002", "0003", "0004")}
    assert [(st.state, st.reason) for st in states.values()] == [
        (SerialState.VOIDED, "torn"),
        (SerialState.ISSUED, None),
        (SerialState.COMMISSIONED, None),
        (SerialState.DECOMMISSIONED, "stolen"),
    ]
    (case,) = inv.serials.sscc.create("0614141", kind="case")
    assert case.code == "006141410000000012"
    assert inv.serials.sscc.allocate("0614141").ssccs == ("006141410000000029",)
    assert [g.number for g in inv.serials.sscc.gaps()] == ["006141410000000029"]


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=_postgres.requires_postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database that outlives the stores opened on it."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path / 'line.db'}"


def test_a_random_pool_carries_on_after_a_restart(url: str) -> None:
    """A random pool opened again goes on from its counter with the same key: no serial
    again, and the serials issued before are still known as issued."""
    with sl.Inventory.open(url) as inv:
        packaging_line(inv)
        inv.serials.add_pool("VIAL", length=6, guess_odds=100_000)
        before = inv.serials.issue("VIAL", 6).serials
    with sl.Inventory.open(url) as inv:
        after = inv.serials.issue("VIAL", 4).serials
        assert not set(before) & set(after)
        assert inv.serials.state("VIAL", before[0]).state is SerialState.ISSUED
        with pytest.raises(SerialPoolExhaustedError):
            inv.serials.issue("VIAL", 1)
