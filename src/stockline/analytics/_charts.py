"""PNG charts of analytics rows, drawn with matplotlib (the ``plots`` extra).

matplotlib is imported when a chart is drawn, never before, and only through its object API
with the Agg canvas: stockline never calls ``pyplot`` or switches the host application's
backend.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stockline.analytics._records import (
    Activity,
    AgingBucket,
    DwellTime,
    NearExpiry,
    NonconformityKind,
    SupplierNonconformity,
    Turnover,
)
from stockline.errors import MissingDependencyError, ValidationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot",
    "plot_activity",
    "plot_aging",
    "plot_dwell_times",
    "plot_near_expiry",
    "plot_supplier_nonconformity",
    "plot_turnover",
]

PathLike = str | os.PathLike[str]
_DPI = 100
#: Bars of at most this many items are drawn one by one; the rest are summed as "other".
_MAX_SERIES = 8


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise MissingDependencyError(
            extra="plots",
            feature="drawing charts",
            package="matplotlib",
            advice="the rows themselves need nothing: use to_dict() to export them",
        ) from e
    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _save(fig: Figure, path: PathLike) -> Path:
    target = Path(path)
    fig.savefig(target, format="png")
    return target


def _empty(ax: Axes, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def _days(seconds: float) -> float:
    return seconds / 86_400


def plot_dwell_times(rows: Sequence[DwellTime], path: PathLike, *, title: str = "") -> Path:
    """Draw mean dwell time per group as horizontal bars, with a line from the shortest to the
    longest; return the PNG's path."""
    fig, ax = _figure(8, max(2.5, 0.45 * len(rows) + 1.5))
    title = title or "Dwell time, receipt to shipment"
    if not rows:
        _empty(ax, title)
        return _save(fig, path)
    labels = [_dwell_label(r) for r in rows]
    means = [_days(r.mean.total_seconds()) for r in rows]
    low = [m - _days(r.shortest.total_seconds()) for m, r in zip(means, rows, strict=True)]
    high = [_days(r.longest.total_seconds()) - m for m, r in zip(means, rows, strict=True)]
    positions = range(len(rows))
    ax.barh(positions, means, xerr=[low, high], color="#4C72B0", capsize=3)
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    ax.set_xlabel("days (bar: quantity-weighted mean; line: shortest to longest)")
    ax.set_title(title)
    return _save(fig, path)


def _dwell_label(row: DwellTime) -> str:
    if row.item is None:
        return row.category or "(no category)"
    return row.item if row.lot is None else f"{row.item} / {row.lot}"


def plot_turnover(rows: Sequence[Turnover], path: PathLike, *, title: str = "") -> Path:
    """Draw turns per item as horizontal bars; return the PNG's path."""
    fig, ax = _figure(8, max(2.5, 0.45 * len(rows) + 1.5))
    title = title or "Stock turnover"
    if not rows:
        _empty(ax, title)
        return _save(fig, path)
    positions = range(len(rows))
    ax.barh(positions, [float(r.turns or 0) for r in rows], color="#55A868")
    ax.set_yticks(list(positions), [r.item for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("turns (shipped / time-weighted average on hand)")
    ax.set_title(title)
    return _save(fig, path)


def plot_aging(rows: Sequence[AgingBucket], path: PathLike, *, title: str = "") -> Path:
    """Draw an aging histogram: one bar per bucket, stacked by item; return the PNG's path."""
    fig, ax = _figure(8, 4.5)
    title = title or "Stock aging"
    if not rows:
        _empty(ax, title)
        return _save(fig, path)
    buckets: list[str] = []
    for r in rows:  # rows come sorted by bucket within each item; keep the first-seen order
        if r.bucket not in buckets:
            buckets.append(r.bucket)
    buckets.sort(key=lambda b: _bucket_key(b, rows))
    series = _top_series({(r.item, r.bucket): r.quantity for r in rows}, buckets)
    bottom = [0.0] * len(buckets)
    for name, values in series:
        ax.bar(buckets, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xlabel("days")
    ax.set_ylabel("quantity (base units)")
    ax.legend(fontsize="small")
    ax.set_title(title)
    return _save(fig, path)


def _bucket_key(bucket: str, rows: Sequence[AgingBucket]) -> tuple[int, int]:
    row = next(r for r in rows if r.bucket == bucket)
    if row.low is None and row.high is None:
        return (2, 0)
    if row.low is None:
        return (0, 0)
    return (1, row.low)


def _top_series(
    values: dict[tuple[str, str], Decimal], columns: list[str]
) -> list[tuple[str, list[float]]]:
    """One series per name (the largest first), the smallest summed as "other"."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (name, _), q in values.items():
        totals[name] += q
    names = sorted(totals, key=lambda n: (-totals[n], n))
    shown, rest = names[:_MAX_SERIES], names[_MAX_SERIES:]
    series = [(n, [float(values.get((n, c), 0)) for c in columns]) for n in shown]
    if rest:
        series.append(
            ("other", [float(sum(values.get((n, c), Decimal(0)) for n in rest)) for c in columns])
        )
    return series


def plot_near_expiry(rows: Sequence[NearExpiry], path: PathLike, *, title: str = "") -> Path:
    """Draw near-expiry stock per lot, reserved and unreserved stacked, soonest first; return
    the PNG's path."""
    fig, ax = _figure(8, 4.5)
    title = title or "Stock near expiry"
    if not rows:
        _empty(ax, title)
        return _save(fig, path)
    lots: dict[str, list[Decimal]] = {}
    for r in rows:
        found = lots.setdefault(
            f"{r.item} / {r.lot}\n{r.expiry} ({r.days_left} d)",
            [
                Decimal(0),
                Decimal(0),
            ],
        )
        found[0] += r.reserved
        found[1] += r.unreserved
    labels = list(lots)
    reserved = [float(v[0]) for v in lots.values()]
    free = [float(v[1]) for v in lots.values()]
    positions = range(len(labels))
    ax.barh(positions, reserved, color="#C44E52", label="reserved")
    ax.barh(positions, free, left=reserved, color="#8172B2", label="unreserved")
    ax.set_yticks(list(positions), labels, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("quantity (base units)")
    ax.legend(fontsize="small")
    ax.set_title(title)
    return _save(fig, path)


def plot_supplier_nonconformity(
    rows: Sequence[SupplierNonconformity], path: PathLike, *, title: str = ""
) -> Path:
    """Draw non-conformity events per supplier, stacked by kind; return the PNG's path."""
    fig, ax = _figure(8, 4.5)
    title = title or "Supplier non-conformity"
    if not rows:
        _empty(ax, title)
        return _save(fig, path)
    suppliers = sorted({r.supplier or "(unknown)" for r in rows})
    bottom = [0.0] * len(suppliers)
    for kind in NonconformityKind:
        values = [
            float(
                sum(r.events for r in rows if (r.supplier or "(unknown)") == s and r.kind is kind)
            )
            for s in suppliers
        ]
        if any(values):
            ax.bar(suppliers, values, bottom=bottom, label=kind.value)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("events (transactions)")
    ax.legend(fontsize="small")
    ax.set_title(title)
    return _save(fig, path)


def plot_activity(rows: Sequence[Activity], path: PathLike, *, title: str = "") -> Path:
    """Draw a zone × hour-of-day heat map of movement lines (inbound and outbound); return the
    PNG's path."""
    zones = sorted({r.zone for r in rows})
    fig, ax = _figure(10, max(2.5, 0.4 * len(zones) + 1.8))
    title = title or "Movement activity by zone and hour"
    if not rows:
        _empty(ax, title)
        return _save(fig, path)
    grid = [[0] * 24 for _ in zones]
    index = {z: i for i, z in enumerate(zones)}
    for r in rows:
        grid[index[r.zone]][r.hour] += r.touches
    image = ax.imshow(grid, aspect="auto", cmap="viridis", interpolation="nearest")
    ax.set_xticks(range(24), [str(h) for h in range(24)], fontsize="small")
    ax.set_yticks(range(len(zones)), zones)
    ax.set_xlabel("hour of day")
    fig.colorbar(image, ax=ax, label="movement lines")
    ax.set_title(title)
    return _save(fig, path)


_PLOTTERS: dict[type, Any] = {
    DwellTime: plot_dwell_times,
    Turnover: plot_turnover,
    AgingBucket: plot_aging,
    NearExpiry: plot_near_expiry,
    SupplierNonconformity: plot_supplier_nonconformity,
    Activity: plot_activity,
}


def plot(rows: Sequence[object], path: PathLike, *, title: str = "") -> Path:
    """Draw the chart that suits ``rows`` (any one report's rows) into a PNG at ``path``.

    Raises:
        ValidationError: ``rows`` is empty (call the report's own ``plot_*`` function to draw an
            empty chart) or not the rows of one report.
        MissingDependencyError: matplotlib is not installed (``pip install 'stockline[plots]'``).
    """
    if not rows:
        raise ValidationError(
            "there are no rows to tell which chart to draw; call the report's plot_* function "
            "to draw an empty chart"
        )
    kinds = sorted({type(r).__name__ for r in rows})
    plotter = _PLOTTERS.get(type(rows[0])) if len(kinds) == 1 else None
    if plotter is None:
        raise ValidationError(
            "plot() takes the rows of one analytics report (dwell times, turnover, aging, near "
            f"expiry, supplier non-conformity or activity); got rows of {', '.join(kinds)}"
        )
    result: Path = plotter(rows, path, title=title)
    return result
