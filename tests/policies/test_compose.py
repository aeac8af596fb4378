"""compose(): filters first, then orders leftmost-first, then the tie-breaker."""

from __future__ import annotations

import textwrap

import pytest

import stockline.policies
from stockline.policies import (
    AllocationPolicy,
    Fefo,
    FewestPicks,
    Fifo,
    MinShelfLife,
    ZonePreference,
    compose,
)

from ._stock import Scenario, pos, run, want

COMPOSED = [
    Scenario(
        "shelf life, then preferred zone, then FEFO",
        [
            pos("SHORT", 9, expiry="2027-01-20", location="DC1/F/01"),
            pos("L2", 4, expiry="2027-05-01", location="DC1/F/02"),
            pos("L1", 9, expiry="2027-03-01", location="DC1/R/01"),
        ],
        want(6),
        [("L2", "DC1/F/02", 4), ("L1", "DC1/R/01", 2)],
    ),
]


class TestCompose:
    @pytest.mark.parametrize("scenario", COMPOSED, ids=[s.name for s in COMPOSED])
    def test_scenarios(self, scenario: Scenario) -> None:
        """Filters apply first, then orders with the leftmost most significant."""
        plan = run(
            scenario, compose(MinShelfLife(30), ZonePreference(preferred=("DC1/F",)), Fefo())
        )
        assert plan.picks[0].reason == (
            "in preferred zone DC1/F (choice 1 of 1); "
            "FEFO: expires 2027-05-01, 2nd earliest of 2 eligible lots"
        )

    def test_filter_position_does_not_matter(self) -> None:
        """A filter listed after an order still filters before ranking."""
        scenario = COMPOSED[0]
        first = compose(MinShelfLife(30), ZonePreference(preferred=("DC1/F",)), Fefo())
        last = compose(ZonePreference(preferred=("DC1/F",)), Fefo(), MinShelfLife(30))
        assert run(scenario, first).picks == run(scenario, last).picks

    def test_later_orders_break_ties(self) -> None:
        """A second order only decides among candidates the first ranks equal."""
        stock = [
            pos("L1", 1, expiry="2027-03-01", received="2026-02-01", location="DC1/A/01"),
            pos("L2", 1, expiry="2027-03-01", received="2026-01-01", location="DC1/A/02"),
            pos("L3", 1, expiry="2027-02-01", received="2026-03-01", location="DC1/A/03"),
        ]
        expected = [("L3", "DC1/A/03", 1), ("L2", "DC1/A/02", 1), ("L1", "DC1/A/01", 1)]
        run(Scenario("ties", stock, want(3), expected), compose(Fefo(), Fifo()))

    def test_whole_set_policy_is_not_a_step(self) -> None:
        """Whole-set policies are wrapped, not composed, and the error says so."""
        with pytest.raises(TypeError, match=r"wrap instead: FewestPicks\(compose"):
            compose(FewestPicks(Fefo()))  # type: ignore[arg-type]

    def test_not_a_step(self) -> None:
        """Anything without admits() or sort_key()/explainer() is refused."""
        with pytest.raises(TypeError, match="takes filters"):
            compose(object())  # type: ignore[arg-type]

    def test_shipped_policies_satisfy_the_protocol(self) -> None:
        """Every shipped policy and composition is an AllocationPolicy."""
        policies: list[object] = [
            Fefo(),
            Fifo(),
            MinShelfLife(1),
            ZonePreference(),
            compose(Fefo()),
            FewestPicks(Fefo()),
        ]
        assert all(isinstance(p, AllocationPolicy) for p in policies)

    def test_repr_reads_like_the_code(self) -> None:
        """A composed policy shows its steps, for logs and error messages."""
        assert (
            repr(compose(MinShelfLife(30), Fefo()))
            == "Composed(steps=(MinShelfLife(days=30), Fefo()))"
        )


class TestCustomPolicyExample:
    def test_module_docstring_example_runs(self) -> None:
        """The custom-policy example in the package docstring runs and its asserts hold."""
        doc = stockline.policies.__doc__ or ""
        block = doc.split("A complete example::")[1].split("A policy that needs")[0]
        exec(compile(textwrap.dedent(block), "policies-example", "exec"), {})
