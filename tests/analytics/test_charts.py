"""Charts: every report's rows draw as a PNG; without matplotlib the error says what to do."""

from __future__ import annotations

import datetime as dt
import struct
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from stockline import analytics
from stockline.analytics import (
    Activity,
    AgingBucket,
    DwellTime,
    NearExpiry,
    NonconformityKind,
    SupplierNonconformity,
    Turnover,
)
from stockline.errors import MissingDependencyError, ValidationError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ROWS: dict[str, list[object]] = {
    "dwell": [
        DwellTime(
            item="BOLT",
            quantity=Decimal(12),
            mean=dt.timedelta(days=2, hours=20),
            shortest=dt.timedelta(days=2),
            longest=dt.timedelta(days=3),
        ),
        DwellTime(
            item=None,
            category="pharma",
            quantity=Decimal(4),
            mean=dt.timedelta(days=1),
            shortest=dt.timedelta(hours=3),
            longest=dt.timedelta(days=2),
        ),
    ],
    "turnover": [
        Turnover(
            item="BOLT",
            shipped=Decimal(12),
            average_on_hand=Decimal("7.285714"),
            turns=Decimal("1.6471"),
            days_of_cover=Decimal("4.25"),
        ),
        Turnover(
            item="ASP",
            shipped=Decimal(0),
            average_on_hand=Decimal(3),
            turns=None,
            days_of_cover=None,
        ),
    ],
    "aging": [
        AgingBucket(item="ASP", bucket="<0", low=None, high=-1, quantity=Decimal(1)),
        AgingBucket(item="ASP", bucket="0-29", low=0, high=29, quantity=Decimal(5)),
        AgingBucket(item="BOLT", bucket="no expiry", low=None, high=None, quantity=Decimal(7)),
        *(
            AgingBucket(item=f"X{i}", bucket="90+", low=90, high=None, quantity=Decimal(i))
            for i in range(1, 11)
        ),
    ],
    "near_expiry": [
        NearExpiry(
            item="ASP",
            lot="L1",
            serial=None,
            expiry=dt.date(2026, 3, 7),
            days_left=5,
            location="DC1/A/01",
            status="available",
            container=None,
            quantity=Decimal(6),
            reserved=Decimal(2),
        )
    ],
    "nonconformity": [
        SupplierNonconformity(
            supplier="S1",
            item="ASP",
            kind=NonconformityKind.HOLD,
            reason="damaged",
            events=2,
            quantity=Decimal(5),
            receipts=2,
        ),
        SupplierNonconformity(
            supplier=None,
            item="BOLT",
            kind=NonconformityKind.SCRAP,
            reason=None,
            events=1,
            quantity=Decimal(1),
            receipts=0,
        ),
    ],
    "activity": [
        Activity(zone="DC1/A", hour=8, inbound=1, outbound=0),
        Activity(zone="DC1/A", hour=14, inbound=2, outbound=2),
        Activity(zone="DC1/DOCK", hour=8, inbound=1, outbound=1),
    ],
}

PLOTTERS = {
    "dwell": analytics.plot_dwell_times,
    "turnover": analytics.plot_turnover,
    "aging": analytics.plot_aging,
    "near_expiry": analytics.plot_near_expiry,
    "nonconformity": analytics.plot_supplier_nonconformity,
    "activity": analytics.plot_activity,
}


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


class TestPlots:
    @pytest.mark.parametrize("report", sorted(ROWS))
    def test_each_report_draws_a_png(self, report: str, tmp_path: Path) -> None:
        """Each report's rows make a PNG of plausible size (about 8 by 2.5 inches or more at
        100 dpi), through its own function and through plot()."""
        own = PLOTTERS[report](ROWS[report], tmp_path / "own.png")  # type: ignore[operator]
        via = analytics.plot(ROWS[report], tmp_path / "via.png", title="A title")
        for path in (own, via):
            width, height = png_size(path)
            assert 700 <= width <= 1100
            assert 200 <= height <= 1000
            assert path.stat().st_size > 5_000

    @pytest.mark.parametrize("report", sorted(ROWS))
    def test_no_rows_draw_an_empty_chart(self, report: str, tmp_path: Path) -> None:
        """A report with no rows still draws (saying there is no data)."""
        path = PLOTTERS[report]([], str(tmp_path / "empty.png"))  # type: ignore[operator]
        assert png_size(path)[0] > 0

    def test_plot_needs_rows_of_one_report(self, tmp_path: Path) -> None:
        """plot() cannot tell the chart from no rows, nor from rows of two reports."""
        with pytest.raises(ValidationError, match="no rows"):
            analytics.plot([], tmp_path / "x.png")
        mixed = [ROWS["dwell"][0], ROWS["activity"][0]]
        with pytest.raises(ValidationError, match="one analytics report"):
            analytics.plot(mixed, tmp_path / "x.png")
        with pytest.raises(ValidationError, match="one analytics report"):
            analytics.plot([object()], tmp_path / "x.png")

    def test_missing_matplotlib_says_how_to_install(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without matplotlib a chart raises MissingDependencyError naming the plots extra."""
        for name in list(sys.modules):
            if name == "matplotlib" or name.startswith("matplotlib."):
                monkeypatch.delitem(sys.modules, name)
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(MissingDependencyError, match=r"stockline\[plots\]") as caught:
            analytics.plot(ROWS["activity"], tmp_path / "x.png")
        assert caught.value.extra == "plots"
        assert not (tmp_path / "x.png").exists()
