"""Concurrent writers on SQLite and PostgreSQL never get the same serial or SSCC."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import stockline as sl
from tests import _postgres
from tests.serials._writer import work
from tests.serials.conftest import packaging_line

WRITER = Path(__file__).with_name("_writer.py")
ROUNDS = 3


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=_postgres.requires_postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with the packaging line and a random pool for the vial."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'line.db'}"
    with sl.Inventory.open(url) as inv:
        packaging_line(inv)
        inv.serials.add_pool("VIAL")
    return url


def check(url: str, results: list[dict[str, list[str]]], writers: int) -> None:
    """Every number is distinct, and the pool and counter account for every one."""
    serials = [s for r in results for s in r["serials"]]
    ssccs = [c for r in results for c in r["ssccs"]]
    assert len(serials) == writers * ROUNDS * 30
    assert len(set(serials)) == len(serials)
    assert len(set(ssccs)) == len(ssccs) == writers * ROUNDS * 3
    with sl.Inventory.open(url) as inv:
        assert inv.serials.pool("VIAL").issued == len(serials)
        issued = [s for b in inv.serials.issued("VIAL") for s in b.serials]
        assert sorted(issued) == sorted(serials)
        assert len(inv.serials.gaps("VIAL")) == writers * ROUNDS * 25
        assert inv.verify().ok


class TestConcurrentWriters:
    def test_threads_with_stores_of_their_own(self, url: str) -> None:
        """Four threads, each through its own store, issue, produce and allocate at once."""
        results: list[dict[str, list[str]]] = []
        failures: list[BaseException] = []

        def worker() -> None:
            try:
                results.append(work(url, ROUNDS))
            except BaseException as e:  # pragma: no cover - reported below
                failures.append(e)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        check(url, results, 4)

    def test_processes(self, url: str) -> None:
        """Two processes, started together once both are ready, issue, produce and allocate
        at once."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        procs = [
            subprocess.Popen(
                [sys.executable, str(WRITER), url, str(ROUNDS)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(2)
        ]
        for p in procs:
            assert p.stdout is not None
            assert p.stdout.readline() == "ready\n"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = [p.communicate(timeout=300)[0] for p in procs]
        assert [p.returncode for p in procs] == [0] * 2
        check(url, [json.loads(out) for out in outputs], 2)
