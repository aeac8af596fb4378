"""Helpers shared by the benchmarks: timing, percentiles, memory, progress, tables and JSON.

Nothing here knows about stockline's API; a benchmark module builds its own data and calls
these to measure it and report it the same way as the others.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
from rich.console import Console
from rich.table import Table

__all__ = [
    "RESULTS",
    "Memory",
    "Progress",
    "Stopwatch",
    "environment",
    "peak_rss_bytes",
    "percentile",
    "print_table",
    "rss_bytes",
    "write_json",
]

#: Where benchmarks write their JSON unless told otherwise.
RESULTS = Path(__file__).with_name("results")
#: The narrowest the tables are printed.
WIDTH = 150


@attrs.define
class Stopwatch:
    """Wall-clock time (``perf_counter``) summed over the blocks timed with :meth:`timing`.

    The process's CPU time is summed too: on a shared machine it is the steadier figure
    (though it leaves out waiting for the disk).
    """

    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @contextmanager
    def timing(self) -> Iterator[None]:
        """Add the time spent in the ``with`` block to :attr:`seconds` and :attr:`cpu_seconds`."""
        start, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - start
            self.cpu_seconds += time.process_time() - cpu

    def rate(self, count: int) -> float:
        """Return ``count`` per second of timed work (0 when nothing was timed)."""
        return count / self.seconds if self.seconds > 0 else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Return the ``q``-th percentile (0-100) of ``values``, linearly interpolated."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rss_bytes() -> int:
    """Return the process's resident set size now (Linux ``/proc``; else the peak)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return peak_rss_bytes()
    return pages * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """Return the process's peak resident set size so far (``ru_maxrss``), or since the last
    :func:`reset_peak_rss` that worked."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak if sys.platform == "darwin" else peak * 1024


def reset_peak_rss() -> bool:
    """Reset the process's peak RSS to its current RSS (Linux 4.0 on); return whether it was."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


@attrs.define
class Memory:
    """How far the peak RSS rose above the RSS at the start of a phase.

    The peak is reset to the current RSS when the phase starts (Linux), so an earlier, higher
    peak of the process (a build that held more and gave it back) does not show as the phase's
    own. Where it cannot be reset, ``ru_maxrss`` is a high-water mark for the whole process and
    the figure is only meaningful in a process that did not peak higher before the phase
    (``reset`` says which). Unlike ``tracemalloc`` it sees SQLite's page cache and costs
    nothing, so the timings of the phase are not disturbed.
    """

    before: int = 0
    peak: int = 0
    reset: bool = False

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Measure the ``with`` block."""
        self.reset = reset_peak_rss()
        self.before = rss_bytes()
        try:
            yield
        finally:
            self.peak = peak_rss_bytes()

    @property
    def delta(self) -> int:
        """Bytes the peak RSS rose during the block (0 if it did not rise)."""
        return max(0, self.peak - self.before)


@attrs.define
class Progress:
    """Progress lines on stderr, prefixed with a label and the seconds since creation."""

    label: str
    start: float = attrs.field(factory=time.perf_counter)

    def __call__(self, message: str) -> None:
        elapsed = time.perf_counter() - self.start
        print(f"[{elapsed:7.1f}s] {self.label}: {message}", file=sys.stderr, flush=True)


#: Set by ``--markdown``: tables are printed as Markdown, for the documentation.
MARKDOWN = False


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], *, caption: str = ""
) -> None:
    """Print a table with ``rich`` (numbers right-aligned, first column left), or as Markdown."""
    if MARKDOWN:
        print(f"\n**{title}**\n")
        print("| " + " | ".join(columns) + " |")
        print("|---|" + "---:|" * (len(columns) - 1))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        if caption:
            print(f"\n{caption}")
        return
    table = Table(title=title, caption=caption or None, caption_justify="left")
    for number, column in enumerate(columns):
        table.add_column(column, justify="left" if number == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    # Wide enough for the numbers when the output goes to a file or a CI log.
    Console(width=max(WIDTH, Console().width)).print(table)


def environment() -> dict[str, Any]:
    """Return what a reader needs to compare two result files."""
    versions: dict[str, str | None] = {}
    for package in ("stockline", "SQLAlchemy", "attrs", "pendulum"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` as indented JSON, creating the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
