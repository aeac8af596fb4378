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
