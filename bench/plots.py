"""PNG plots of a suite run (``python -m bench.plots results.json out/``), for the docs.

The results of one JSON file may come from several runs (``--add-to`` keeps the sizes an
earlier run measured, ``--only-trace`` replaces the trace figures), and so from different
code. A line joins only the points of one run: each run is its own series, told apart by its
markers (filled for the run with the most sizes, hollow for the others) and named in the
legend by its date and the digest of the code it measured.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

Result = dict[str, Any]
Fill = Literal["full", "left", "right", "bottom", "top", "none"]
#: The markers of the first run are filled, the second's hollow, then half filled.
_FILLS: tuple[Fill, ...] = ("full", "none", "left", "bottom")


def _axes(title: str, ylabel: str) -> tuple[Any, Any]:
    figure, axes = plt.subplots(figsize=(6.4, 4.6), dpi=110)
    axes.set_title(title)
    axes.set_xscale("log")
    axes.set_xlabel("ledger size N (movements)")
    axes.set_ylabel(ylabel)
    axes.grid(True, which="both", alpha=0.3)
    return figure, axes


def run_of(result: Result, part: str | None = None) -> tuple[str, str]:
    """The run that measured ``result`` (or its ``part``, when that was measured apart, as
    ``--only-trace`` does): the digest of its code and when it started."""
    run = (result.get(part) or {}).get("run") if part else None
    run = run or result.get("run") or {}
    return run.get("source", "?"), run.get("environment", {}).get("time", "?")


def runs(results: Sequence[Result], part: str | None = None) -> list[tuple[str, str]]:
    """The runs behind ``results``, the one that measured the most sizes first."""
    found = [run_of(r, part) for r in results]
    return sorted(dict.fromkeys(found), key=lambda run: (-found.count(run), found.index(run)))


def _label(run: tuple[str, str], results: Sequence[Result], part: str | None) -> str:
    source, time = run
    sizes = [r["size"] for r in results if run_of(r, part) == run]
    span = _size(sizes[0]) if len(sizes) == 1 else f"{_size(sizes[0])}–{_size(sizes[-1])}"
    return f"{span}: run of {time[:10]} {time[11:16]} UTC, code {source[:8]}"


def _size(n: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1000)):
        if n >= scale and n % scale == 0:
            return f"{n // scale}{unit}"
    return str(n)


def _at(*keys: str) -> Callable[[Result], float | None]:
    """The value at ``keys`` in a result (``None`` where the run did not measure it)."""

    def value(result: Result) -> float | None:
        found: Any = result
        for key in keys:
            found = found.get(key) if isinstance(found, dict) else None
        return found if isinstance(found, int | float) else None

    return value


def _over(part: str, numerator: str, denominator: str) -> Callable[[Result], float | None]:
    """The ratio of two values of one part of a result (``None`` where either is missing)."""
    top, bottom = _at(part, numerator), _at(part, denominator)

    def value(result: Result) -> float | None:
        a, b = top(result), bottom(result)
        return None if a is None or not b else a / b

    return value


def _verify_over_rebuild(result: Result) -> float | None:
    verify = _at("maintenance", "verify", "seconds")(result)
    rebuild = _at("maintenance", "rebuild", "seconds")(result)
    return None if verify is None or not rebuild else verify / rebuild


def _series(
    axes: Any,
    results: Sequence[Result],
    value: Callable[[Result], float | None],
    *,
    label: str,
    marker: str,
    linestyle: str = "-",
    color: str,
    part: str | None = None,
) -> None:
    """One measure: a line through each run's points, never from one run to another."""
    labelled = False
    for fill, run in zip(_FILLS, runs(results, part), strict=False):
        points = [(r["size"], value(r)) for r in results if run_of(r, part) == run]
        points = [(x, y) for x, y in points if y is not None]
        if not points:
            continue
        axes.plot(
            [x for x, _ in points],
            [y for _, y in points],
            marker=marker,
            linestyle=linestyle,
            color=color,
            fillstyle=fill,
            markerfacecolor="white" if fill == "none" else color,
            label=None if labelled else label,
        )
        labelled = True


def _legend(axes: Any, results: Sequence[Result], part: str | None = None) -> None:
    """Under the plot, the measures' legend and, when there is more than one, the runs'."""
    handles, labels = axes.get_legend_handles_labels()
    found = runs(results, part)
    if len(found) > 1:
        for fill, run in zip(_FILLS, found, strict=False):
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="none",
                    color="0.35",
                    fillstyle=fill,
                    markerfacecolor="white" if fill == "none" else "0.35",
                )
            )
            labels.append(_label(run, results, part))
    measures = len(axes.get_lines())
    axes.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncols=1 if measures <= 2 or len(found) > 1 else 2,
        fontsize="small",
        frameon=False,
    )


def draw(source: Path, folder: Path) -> list[Path]:
    """Draw the suite's plots from the JSON at ``source`` into ``folder``; return the files."""
    data = json.loads(source.read_text(encoding="utf-8"))
    results = sorted(data["results"], key=lambda r: r["size"])
    folder.mkdir(parents=True, exist_ok=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    made = []

    figure, axes = _axes("Batched posting vs raw executemany (SQLite)", "movements / s")
    axes.set_yscale("log")
    build = (
        ("per_second", "post_many", "o", "-"),
        ("raw_per_second", "raw executemany", "s", "--"),
        ("floor_per_second", "floor: the same writes, bare executemany", "^", ":"),
    )
    for (key, label, marker, style), color in zip(build, colors, strict=False):
        _series(
            axes,
            results,
            _at("build", key),
            label=label,
            marker=marker,
            linestyle=style,
            color=color,
        )
    _legend(axes, results)
    made.append(_save(figure, folder / "posting.png"))

    figure, axes = _axes("Against the goals (ratios; a dotted line is a goal)", "ratio")
    axes.set_yscale("log")
    ratios = (
        (_over("build", "ratio", "floor_ratio"), "batched ÷ floor (≥ 0.5)", 0.5, "o"),
        (_at("single", "ratio"), "single ÷ raw commit (≤ 2)", 2.0, "s"),
        (_verify_over_rebuild, "verify ÷ rebuild (≤ 1)", 1.0, "^"),
    )
    for (value, label, goal, marker), color in zip(ratios, colors, strict=False):
        _series(axes, results, value, label=label, marker=marker, color=color)
        axes.axhline(goal, color=color, linestyle=":", linewidth=1, gid="goal")
    _legend(axes, results)
    made.append(_save(figure, folder / "goals.png"))

    figure, axes = _axes("Reads (p50)", "milliseconds")
    axes.set_yscale("log")
    reads = (
        ("lot_bin", "on_hand lot@bin"),
        ("item_site", "on_hand sku@site"),
        ("as_of_lot_bin", "as-of lot@bin"),
        ("as_of_item_site", "as-of sku@site"),
    )
    for (key, label), color in zip(reads, colors, strict=False):
        _series(
            axes,
            results,
            _at("lookups", key, "p50_ms"),
            label=label,
            marker="o",
            color=color,
        )
    _series(
        axes,
        results,
        _at("receipt_traces", "p50_ms"),
        label="trace receipt → customers",
        marker="s",
        color=colors[len(reads) % len(colors)],
    )
    _legend(axes, results)
    made.append(_save(figure, folder / "reads.png"))

    traced = [r for r in results if r.get("trace")]
    if traced:
        figure, axes = _axes("Trace and recall of one raw lot", "seconds")
        traces = (("trace_s", "trace_downstream", "o"), ("recall_s", "recall (traces itself)", "s"))
        for (key, label, marker), color in zip(traces, colors, strict=False):
            _series(
                axes,
                traced,
                _at("trace", key),
                label=label,
                marker=marker,
                color=color,
                part="trace",
            )
        _legend(axes, traced, part="trace")
        made.append(_save(figure, folder / "trace.png"))

    figure, axes = _axes("Database size per movement", "bytes / movement")
    sizes = (("file", "stockline", "o", "-"), ("raw_file", "raw movements", "s", "--"))
    for (key, label, marker, style), color in zip(sizes, colors, strict=False):
        _series(
            axes,
            results,
            _at(key, "bytes_per_movement"),
            label=label,
            marker=marker,
            linestyle=style,
            color=color,
        )
    axes.set_ylim(bottom=0)
    _legend(axes, results)
    made.append(_save(figure, folder / "size.png"))
    return made


#: The writer kinds of ``bench.postgres``: label, marker, line style.
_WRITERS = {
    "hot": ("stockline, one item (hot)", "o", "-"),
    "cold": ("stockline, an item per writer (cold)", "s", "-"),
    "raw head": ("raw UPDATE head + INSERT + COMMIT", "^", "--"),
    "raw insert": ("raw INSERT + COMMIT, no shared row", "v", ":"),
}


def draw_postgres(source: Path, folder: Path) -> list[Path]:
    """Draw the writers plots of ``bench.postgres``'s JSON at ``source`` into ``folder``."""
    data = json.loads(source.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    # The medians over the rounds where the file has them (older files: one round).
    measured = data.get("summary") or data["writers"]
    counts = sorted({r["writers"] for r in measured})
    when = data["environment"]["time"]
    run = f"run of {when[:10]} {when[11:16]} UTC, code {data['source'][:8]}"
    made = []
    for name, title, measures in (
        ("postgres-writers.png", "Commits per second against writers", (("per_second", "-"),)),
        (
            "postgres-latency.png",
            "Latency per commit against writers (p50 solid, p99 dotted)",
            (("p50_ms", "-"), ("p99_ms", ":")),
        ),
    ):
        figure, axes = plt.subplots(figsize=(6.4, 4.6), dpi=110)
        axes.set_title(title)
        axes.set_xscale("log", base=2)
        axes.set_yscale("log")
        axes.set_xticks(counts, [str(c) for c in counts])
        axes.set_xlabel(f"writers (threads, one connection each); {run}")
        axes.set_ylabel("commits / s" if name == "postgres-writers.png" else "milliseconds")
        axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axes.yaxis.set_major_formatter(
            FuncFormatter(lambda value, _: f"{value:,.0f}" if value >= 1 else f"{value:g}")
        )
        axes.yaxis.set_minor_formatter(NullFormatter())
        axes.grid(True, which="both", alpha=0.3)
        for (kind, (label, marker, style)), color in zip(_WRITERS.items(), colors, strict=False):
            rows = sorted((r for r in measured if r["kind"] == kind), key=lambda r: r["writers"])
            for key, dashes in measures:
                points = [(r["writers"], r[key]) for r in rows if r.get(key) is not None]
                if not points:
                    continue
                axes.plot(
                    [x for x, _ in points],
                    [y for _, y in points],
                    marker=marker,
                    linestyle=style if len(measures) == 1 else dashes,
                    color=color,
                    label=label if dashes == "-" else None,
                )
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.15),
            ncols=2,
            fontsize="small",
            frameon=False,
        )
        made.append(_save(figure, folder / name))
    return made


def _save(figure: Any, path: Path) -> Path:
    figure.savefig(path, bbox_inches="tight")
    plt.close(figure)
    return path


if __name__ == "__main__":
    for made in draw(Path(sys.argv[1]), Path(sys.argv[2])):
        print(made)
