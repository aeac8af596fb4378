"""Properties of serial pools: unique per GTIN, no repeat before exhaustion, a clear end."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline.adapters import InMemoryStockStore
from stockline.errors import SerialPoolExhaustedError
from stockline.serials import ALPHANUMERIC, DIGITS
from tests.conftest import START
from tests.serials.conftest import packaging_line

#: One step: ("issue" | "produce", how many).
steps = st.lists(
    st.tuples(st.sampled_from(["issue", "produce"]), st.integers(min_value=1, max_value=40)),
    min_size=1,
    max_size=8,
)


def fresh() -> sl.Inventory:
    return packaging_line(sl.Inventory(store=InMemoryStockStore(), clock=sl.FixedClock(START)))


class TestPoolProperties:
    @settings(max_examples=15)
    @given(
        scheme=st.sampled_from(["random", "sequential"]),
        alphabet=st.sampled_from([DIGITS, ALPHANUMERIC, "AB"]),
        steps=steps,
    )
    def test_issued_serials_are_unique_per_gtin(
        self, scheme: str, alphabet: str, steps: list[tuple[str, int]]
    ) -> None:
        """Whatever mix of issues and productions, every serial of the GTIN is new, has the
        pool's length and alphabet, and the pool's count is the number issued."""
        inv = fresh()
        length = 20 if alphabet == "AB" else 8  # two letters need 20 to reach a million
        # Odds of 1 in 100 leave at least 10,000 serials, more than the steps take.
        inv.serials.add_pool(
            "VIAL", scheme=scheme, length=length, alphabet=alphabet, guess_odds=100
        )
        seen: list[str] = []
        for verb, n in steps:
            if verb == "issue":
                seen += inv.serials.issue("VIAL", n).serials
            else:
                seen += inv.serials.produce("VIAL", n, location="PLANT/FG").serials
        assert len(set(seen)) == len(seen)
        assert all(len(s) == length and set(s) <= set(alphabet) for s in seen)
        assert inv.serials.pool("VIAL").issued == len(seen)
        assert [s for b in inv.serials.issued("VIAL") for s in b.serials] == seen

    @settings(max_examples=10)
    @given(
        odds=st.integers(min_value=10_000, max_value=200_000),
        chunks=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=40),
    )
    def test_random_pools_never_repeat_before_exhaustion(
        self, odds: int, chunks: list[int]
    ) -> None:
        """A random pool of a million numbers issues its whole capacity (a million over the
        odds) without a repeat, then refuses every request with what is left: nothing."""
        inv = fresh()
        pool = inv.serials.add_pool("VIAL", length=6, guess_odds=odds)
        assert pool.capacity == 10**6 // odds
        seen: list[str] = []
        for n in chunks:
            left = pool.capacity - len(seen)
            if n > left:
                with pytest.raises(SerialPoolExhaustedError) as caught:
                    inv.serials.issue("VIAL", n)
                assert (caught.value.requested, caught.value.remaining) == (n, left)
                n = left
                if n == 0:
                    break
            seen += inv.serials.issue("VIAL", n).serials
        while len(seen) < pool.capacity:
            seen += inv.serials.issue("VIAL", pool.capacity - len(seen)).serials
        assert len(set(seen)) == len(seen) == pool.capacity
        with pytest.raises(SerialPoolExhaustedError):
            inv.serials.issue("VIAL", 1)
