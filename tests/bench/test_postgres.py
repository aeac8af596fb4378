"""What ``bench.postgres`` concludes from its writer scenarios."""

from __future__ import annotations

from typing import Any

from bench import postgres


def _row(kind: str, writers: int, per_second: float) -> dict[str, Any]:
    return {"kind": kind, "writers": writers, "per_second": per_second}


class TestCeiling:
    """The head row's ceiling is judged at the most writers measured."""

    def test_ledger_is_the_better_of_hot_and_cold(self) -> None:
        """The ratios use the better stockline row and the raw rows of the same count."""
        rows = [
            _row("hot", 1, 999.0),
            _row("raw head", 1, 1.0),
            _row("hot", 16, 150.0),
            _row("cold", 16, 100.0),
            _row("raw head", 16, 300.0),
            _row("raw insert", 16, 3000.0),
        ]
        top = postgres.ceiling(rows)
        assert top["writers"] == 16
        assert top["ledger_over_head"] == 0.5
        assert top["ledger_over_insert"] == 0.05
        assert top["head_over_insert"] == 0.1

    def test_a_missing_reference_gives_no_ratio(self) -> None:
        """Without the raw rows (``--writers`` runs them always, but a file may lack them)
        the ratios are None, not a division by zero."""
        top = postgres.ceiling([_row("hot", 4, 120.0)])
        assert top["raw head"] is None
        assert top["ledger_over_head"] is None
        assert top["head_over_insert"] is None


class TestSummary:
    """The rounds of one scenario are reported as one row."""

    def test_medians_of_rounds_and_sums_of_counts(self) -> None:
        """Rates and latencies are the rounds' medians (each round's rate kept), commits and
        errors are summed, the max is the worst, and the ledger is verified only if every
        round was; raw rows, which have nothing to verify, stay unverified (None)."""

        def measured(kind: str, rate: float, p50: float, verified: bool | None) -> dict[str, Any]:
            return {
                **_row(kind, 4, rate),
                "seconds": 10.0,
                "commits": int(rate * 10),
                "p50_ms": p50,
                "p99_ms": p50 * 3,
                "max_ms": p50 * 9,
                "cpu_ms_per_commit": 2.0,
                "errors": 1,
                "verified": verified,
            }

        rows = [
            measured("hot", 100.0, 30.0, True),
            measured("raw head", 300.0, 10.0, None),
            measured("hot", 160.0, 20.0, False),
            measured("raw head", 200.0, 12.0, None),
            measured("hot", 120.0, 25.0, True),
            measured("raw head", 250.0, 11.0, None),
        ]
        hot, head = postgres.summary(rows)
        assert (hot["kind"], hot["writers"], hot["rounds"]) == ("hot", 4, 3)
        assert hot["per_second"] == 120.0
        assert hot["per_second_rounds"] == [100.0, 160.0, 120.0]
        assert (hot["p50_ms"], hot["max_ms"]) == (25.0, 270.0)
        assert (hot["commits"], hot["errors"], hot["seconds"]) == (3800, 3, 30.0)
        assert hot["verified"] is False
        assert head["per_second"] == 250.0
        assert head["verified"] is None
