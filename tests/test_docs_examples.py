"""Every Python code block in the README and in docs/ runs (blocks of one page share state)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _pages_with_code() -> list[Path]:
    return [p for p in PAGES if p.exists() and BLOCK.search(p.read_text())]


def test_readme_has_code() -> None:
    """The README's example is found, so the test below cannot pass by finding nothing."""
    assert ROOT / "README.md" in _pages_with_code()


@pytest.mark.parametrize("page", _pages_with_code(), ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page: Path, tmp_path: Path) -> None:
    """Each page's Python blocks run in order, in a scratch folder, without error."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for number, block in enumerate(BLOCK.findall(page.read_text()), start=1):
            code = compile(block, f"{page.name} block {number}", "exec")
            exec(code, namespace)
    finally:
        os.chdir(cwd)
        for value in namespace.values():
            close = getattr(value, "close", None)
            if callable(close) and type(value).__name__ == "Inventory":
                close()
