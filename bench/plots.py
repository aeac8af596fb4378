"""PNG plots of a suite run (``python -m bench.plots results.json out/``), for the docs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _axes(title: str, ylabel: str) -> tuple[Any, Any]:
    figure, axes = plt.subplots(figsize=(6.4, 3.8), dpi=110)
    axes.set_title(title)
    axes.set_xscale("log")
    axes.set_xlabel("ledger size N (movements)")
    axes.set_ylabel(ylabel)
    axes.grid(True, which="both", alpha=0.3)
    return figure, axes


def draw(source: Path, folder: Path) -> list[Path]:
    """Draw the suite's plots from the JSON at ``source`` into ``folder``; return the files."""
    data = json.loads(source.read_text(encoding="utf-8"))
    results = sorted(data["results"], key=lambda r: r["size"])
    sizes = [r["size"] for r in results]
    folder.mkdir(parents=True, exist_ok=True)
    made = []

    figure, axes = _axes("Batched posting vs raw executemany (SQLite)", "movements / s")
    axes.set_yscale("log")
    axes.plot(sizes, [r["build"]["per_second"] for r in results], "o-", label="post_many")
    axes.plot(
        sizes, [r["build"]["raw_per_second"] for r in results], "s--", label="raw executemany"
    )
    floored = [r for r in results if "floor_per_second" in r["build"]]
    if floored:
        axes.plot(
            [r["size"] for r in floored],
            [r["build"]["floor_per_second"] for r in floored],
            "^:",
            label="floor: the same writes, bare executemany",
        )
    axes.legend()
    made.append(_save(figure, folder / "posting.png"))

    figure, axes = _axes("Reads (p50)", "milliseconds")
    axes.set_yscale("log")
    for key, label in (
        ("lot_bin", "on_hand lot@bin"),
        ("item_site", "on_hand sku@site"),
        ("as_of_lot_bin", "as-of lot@bin"),
        ("as_of_item_site", "as-of sku@site"),
    ):
        axes.plot(sizes, [r["lookups"][key]["p50_ms"] for r in results], "o-", label=label)
    axes.legend(fontsize="small")
    made.append(_save(figure, folder / "reads.png"))

    traced = [r for r in results if r.get("trace")]
    if traced:
        figure, axes = _axes("Trace and recall of one raw lot", "seconds")
        xs = [r["size"] for r in traced]
        axes.plot(xs, [r["trace"]["trace_s"] for r in traced], "o-", label="trace_downstream")
        axes.plot(
            xs, [r["trace"]["recall_s"] for r in traced], "s-", label="recall (traces itself)"
        )
        axes.legend()
        made.append(_save(figure, folder / "trace.png"))

    figure, axes = _axes("Database size per movement", "bytes / movement")
    axes.plot(sizes, [r["file"]["bytes_per_movement"] for r in results], "o-", label="stockline")
    axes.plot(
        sizes, [r["raw_file"]["bytes_per_movement"] for r in results], "s--", label="raw movements"
    )
    axes.set_ylim(bottom=0)
    axes.legend()
    made.append(_save(figure, folder / "size.png"))
    return made


def _save(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


if __name__ == "__main__":
    for made in draw(Path(sys.argv[1]), Path(sys.argv[2])):
        print(made)
