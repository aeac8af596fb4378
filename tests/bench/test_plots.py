"""The benchmark's plots never draw a line between points measured by different runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest

from bench import plots


def _result(size: int, source: str, time: str, *, trace_run: str | None = None) -> dict[str, Any]:
    run = {"source": source, "environment": {"time": time}}
    measured = {"bytes_per_movement": 400.0}
    trace: dict[str, Any] = {"trace_s": 0.1, "recall_s": 0.5}
    if trace_run is not None:
        trace["run"] = {"source": trace_run, "environment": {"time": time}}
    return {
        "size": size,
        "run": run,
        "build": {"per_second": 5000.0, "raw_per_second": 20000.0},
        "lookups": {
            key: {"p50_ms": 0.1}
            for key in ("lot_bin", "item_site", "as_of_lot_bin", "as_of_item_site")
        },
        "file": measured,
        "raw_file": measured,
        "trace": trace,
    }


@pytest.fixture
def results() -> list[dict[str, Any]]:
    """Three sizes from one run, a fourth from an earlier run on other code, whose trace
    figures were replaced by a third run (``--only-trace``)."""
    new, old = ("new", "2026-11-22T13:46:46+0000"), ("old", "2026-11-22T12:24:29+0000")
    return [
        _result(10_000, *new),
        _result(100_000, *new),
        _result(1_000_000, *new),
        _result(10_000_000, *old, trace_run="older"),
    ]


class TestRuns:
    """Which run measured what."""

    def test_runs_most_sizes_first(self, results: list[dict[str, Any]]) -> None:
        """The run with the most sizes comes first (it gets the filled markers)."""
        assert [source for source, _ in plots.runs(results)] == ["new", "old"]

    def test_a_part_measured_apart_has_its_own_run(self, results: list[dict[str, Any]]) -> None:
        """Trace figures put in by a later ``--only-trace`` run belong to that run."""
        assert plots.run_of(results[-1], "trace")[0] == "older"
        assert plots.run_of(results[-1])[0] == "old"
        assert plots.run_of(results[0], "trace")[0] == "new"


class TestDraw:
    """The PNGs drawn from a results file."""

    def test_no_line_joins_two_runs(
        self, results: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every drawn line holds the sizes of one run only: 10k–1M joined, 10M on its own."""
        source = tmp_path / "suite.json"
        source.write_text(json.dumps({"results": results}))
        lines: list[list[float]] = []
        save = plots._save

        def keep(figure: Any, path: Path) -> Path:
            for axes in figure.axes:
                lines.extend(
                    [
                        list(line.get_xdata())
                        for line in axes.get_lines()
                        if line.get_gid() != "goal"
                    ]
                )
            return save(figure, path)

        monkeypatch.setattr(plots, "_save", keep)
        made = plots.draw(source, tmp_path / "out")
        assert [p.name for p in made] == [
            "posting.png",
            "goals.png",
            "reads.png",
            "trace.png",
            "size.png",
        ]
        assert lines
        for xs in lines:
            assert xs in ([10_000, 100_000, 1_000_000], [10_000_000]), xs
        plt.close("all")


class TestDrawPostgres:
    """The writers plots of ``bench.postgres``."""

    def test_one_line_per_kind_over_the_writer_counts(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each kind of writer is one line through the writer counts it was measured at, in
        order; the latency plot has a p50 and a p99 line per kind."""
        kinds = ("hot", "cold", "raw insert", "raw head")
        rows = [
            {"kind": kind, "writers": n, "per_second": 100.0 * n, "p50_ms": 1.0, "p99_ms": 2.0}
            for n in (16, 1, 4)
            for kind in kinds
        ]
        source = tmp_path / "postgres.json"
        data = {"environment": {"time": "2026-12-06T07:18:33+0000"}, "source": "abc"}
        source.write_text(json.dumps({**data, "writers": rows}))
        lines: dict[str, list[tuple[list[float], list[float]]]] = {}
        save = plots._save

        def keep(figure: Any, path: Path) -> Path:
            for axes in figure.axes:
                lines[path.name] = [
                    (list(line.get_xdata()), list(line.get_ydata())) for line in axes.get_lines()
                ]
            return save(figure, path)

        monkeypatch.setattr(plots, "_save", keep)
        made = plots.draw_postgres(source, tmp_path / "out")
        assert [p.name for p in made] == ["postgres-writers.png", "postgres-latency.png"]
        assert all(p.stat().st_size > 0 for p in made)
        assert lines["postgres-writers.png"] == [([1, 4, 16], [100.0, 400.0, 1600.0])] * 4
        assert len(lines["postgres-latency.png"]) == 8
        plt.close("all")
