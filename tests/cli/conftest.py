"""Run the command line through its real entry points, against shared demo ledgers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import stockline as sl
from stockline import Component, Output
from stockline.ledger._time import FixedClock
from tests.conftest import START

#: The console script pip installs next to the interpreter (the README's `.venv/bin/stockline`).
SCRIPT = Path(sys.executable).with_name("stockline")


def run(
    *args: str,
    cwd: Path,
    stdin: str | None = None,
    script: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``stockline ARGS`` as a user would (``python -m stockline``, or the console script)."""
    command = [str(SCRIPT)] if script else [sys.executable, "-m", "stockline"]
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    environment.update(env or {})
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo ledger, built once by `stockline demo`; tests that post copy it first."""
    folder = tmp_path_factory.mktemp("demo")
    result = run("demo", "--db", "demo.db", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "demo.db"


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo ledger, for a test that posts into it."""
    return Path(shutil.copy(demo_db, tmp_path / "demo.db"))


@pytest.fixture(scope="session")
def plant_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with genealogy: API lot A1 and excipient lot E1 made into tablets T1 and T2,
    T1 packed into bottles B1; T1 and B1 shipped, T2 and some B1 on hand."""
    return build_plant(tmp_path_factory.mktemp("plant") / "plant.db")


def build_plant(path: Path) -> Path:
    """Build the ledger of :func:`plant_db` at ``path``."""
    clock = FixedClock(START)
    with sl.Inventory.open(f"sqlite:///{path}", clock=clock) as inv:
        for sku in ("API", "EXC", "TAB", "BOTTLE"):
            inv.add_item(sku, tracking="lot", shelf_life_days=365)
        inv.add_location("P1/RAW")
        inv.add_location("P1/FG")
        inv.add_party("CHEM", kind="supplier")
        inv.add_party("PHARMA-7", kind="customer")
        inv.receive("API", 10, lot="A1", dst="P1/RAW", supplier="CHEM", ref="PO-1")
        inv.receive("EXC", 50, lot="E1", dst="P1/RAW", supplier="CHEM", ref="PO-2")
        clock.advance(hours=1)
        inv.produce(
            consume=[
                Component(sku="API", quantity=8, location="P1/RAW", lot="A1"),
                Component(sku="EXC", quantity=40, location="P1/RAW", lot="E1"),
            ],
            output=[
                Output(sku="TAB", quantity=600, location="P1/FG", lot="T1"),
                Output(sku="TAB", quantity=200, location="P1/FG", lot="T2"),
            ],
            ref="WO-1",
        )
        clock.advance(hours=1)
        inv.produce(
            consume=[Component(sku="TAB", quantity=500, location="P1/FG", lot="T1")],
            output=[Output(sku="BOTTLE", quantity=50, location="P1/FG", lot="B1")],
            ref="WO-2",
        )
        clock.advance(hours=1)
        inv.ship("TAB", 100, lot="T1", src="P1/FG", customer="PHARMA-7", ref="SO-1")
        clock.advance(hours=1)
        inv.ship("BOTTLE", 20, lot="B1", src="P1/FG", customer="PHARMA-7", ref="SO-2")
    return path
