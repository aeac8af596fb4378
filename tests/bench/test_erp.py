"""The ERP comparison's plan only ships what it received, stockline's side ends with the
plan's stock, and without Tryton the benchmark says how to install it and stops."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import erp


def test_the_plan_never_ships_more_than_it_received() -> None:
    plan = erp.Plan(seed=7, singles=30, batch=25, batches=2)
    held: dict[str, int] = {}
    for phase in plan.phases:
        for line in phase.lines:
            change = line.quantity if phase.kind == "receipt" else -line.quantity
            held[line.sku] = held.get(line.sku, 0) + change
            assert held[line.sku] >= 0, line
    assert {k: v for k, v in held.items() if v} == {k: v for k, v in plan.stock.items() if v}
    assert [p.batch for p in plan.phases if p.timed] == [1, 1, 25, 25]


def test_stockline_posts_the_plan_and_ends_with_its_stock(tmp_path: Path) -> None:
    plan = erp.Plan(seed=7, singles=5, batch=10, batches=2, items=20)
    side = erp.run_stockline(plan, tmp_path, "NORMAL")
    assert side["stock_checked"]
    assert [(p["kind"], p["documents"]) for p in side["phases"]] == [
        ("receipt", 5),
        ("shipment", 5),
        ("receipt", 20),
        ("shipment", 20),
    ]


def test_without_tryton_it_prints_the_install_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    python = tmp_path / "venv" / "bin" / "python"
    erp.main(["--tryton-python", str(python), "--json", str(tmp_path / "out.json")])
    out = capsys.readouterr().out
    assert f"python3 -m venv {tmp_path / 'venv'} && {tmp_path / 'venv'}/bin/pip install" in out
    assert "trytond trytond_stock" in out
    assert not (tmp_path / "out.json").exists()
