"""Every script in examples/ runs to the end, and is shown in the docs from the file itself."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
INCLUDE = re.compile(r'^-{1,}8<-{1,}\s+"(?P<path>examples/[^":]+\.py)(?::[\w-]+)?"', re.MULTILINE)


def test_there_are_examples() -> None:
    """The examples folder is found (so the parametrized tests below are not empty)."""
    assert EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    """The example exits 0 (the docs that include it check what it prints)."""
    result = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_example_is_included_in_the_docs() -> None:
    """Each script is shown in docs/ by a snippet include (``--8<-- "examples/x.py"``), not
    by a copy that could drift from it."""
    included = {
        match["path"]
        for page in (ROOT / "docs").rglob("*.md")
        for match in INCLUDE.finditer(page.read_text())
    }
    missing = [p.name for p in EXAMPLES if f"examples/{p.name}" not in included]
    assert missing == [], f"include these in a docs page with --8<--: {missing}"
