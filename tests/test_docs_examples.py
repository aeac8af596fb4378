"""Every Python code block in the README and in docs/ runs, and what it prints is checked.

Conventions (docs/explanation/decisions.md, "Documentation"):

- The ```python blocks of one page run in order in one namespace, in a scratch folder, so a
  page can build up state step by step.
- Snippet includes (``--8<-- "examples/x.py:section"``) are expanded with the same
  pymdownx.snippets settings as the site, so code shown from examples/ is the code run here.
- A block that prints must be followed directly by an output block, a ```text block titled
  ``Output``, and prints exactly that (trailing spaces ignored, ``...`` matches anything, as
  doctest's ELLIPSIS). A block that prints without one fails, and so does an output block
  that follows no Python block.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
from pathlib import Path

import markdown  # type: ignore[import-untyped]
import pytest

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
OUTPUT_INFO = 'text title="Output"'
_CHECKER = doctest.OutputChecker()


def expand_snippets(text: str) -> str:
    """The page as the site renders it: ``--8<--`` includes replaced by the files' lines."""
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(ROOT)], "check_paths": True}},
    )
    return "\n".join(md.preprocessors["snippet"].run(text.split("\n")))


def blocks(text: str) -> list[tuple[str, str, bool]]:
    """The page's Python and output blocks in order: (kind, body, directly after the last)."""
    found: list[tuple[str, str, bool]] = []
    end = None
    for match in FENCE.finditer(text):
        info = match.group("info").strip()
        kind = "python" if info == "python" else "output" if info == OUTPUT_INFO else None
        if kind is not None:
            adjacent = end is not None and not text[end : match.start()].strip()
            found.append((kind, match.group("body"), adjacent))
        end = match.end()
    return found


def _pages_with_code() -> list[Path]:
    return [p for p in PAGES if p.exists() and any(k == "python" for k, _, _ in _blocks_of(p))]


def _blocks_of(page: Path) -> list[tuple[str, str, bool]]:
    return blocks(expand_snippets(page.read_text()))


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()) + "\n"


def test_readme_has_code() -> None:
    """The README's example is found, so the test below cannot pass by finding nothing."""
    assert ROOT / "README.md" in _pages_with_code()


class TestConventions:
    """The runner itself: how blocks and output blocks are found and matched."""

    def test_output_block_pairs_with_the_block_before(self) -> None:
        """An output block directly after a Python block is marked adjacent; prose breaks it."""
        out = f"```{OUTPUT_INFO}\n"
        page = f"```python\nprint(1)\n```\n\n{out}1\n```\ntext\n{out}2\n```\n"
        assert blocks(page) == [
            ("python", "print(1)\n", False),
            ("output", "1\n", True),
            ("output", "2\n", False),
        ]

    def test_other_fences_are_ignored(self) -> None:
        """bash and plain text blocks are neither run nor compared."""
        assert blocks("```bash\nls\n```\n```text\nx\n```\n") == []

    def test_snippets_are_expanded(self) -> None:
        """An include of an example's section yields that section's code."""
        text = expand_snippets('```python\n--8<-- "examples/quickstart.py"\n```\n')
        assert "import stockline as sl" in text
        assert "--8<--" not in text

    def test_ellipsis_matches_anything(self) -> None:
        """``...`` in expected output stands for any text (hashes, timings)."""
        assert _CHECKER.check_output("head ...\n", "head 3f2a9c\n", doctest.ELLIPSIS)
        assert not _CHECKER.check_output("head 1\n", "head 2\n", doctest.ELLIPSIS)


@pytest.mark.parametrize("page", _pages_with_code(), ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page: Path, tmp_path: Path) -> None:
    """Each page's Python blocks run in order without error and print what the page shows."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    printed: str | None = None  # what the last Python block printed, until an output block
    number = 0
    try:
        for kind, body, adjacent in _blocks_of(page):
            if kind == "output":
                where = f"{page.name}: the output block after block {number}"
                assert adjacent, f"{where} must follow the Python block directly"
                assert printed is not None, f"{where} follows no Python block"
                want, got = _normal(body), _normal(printed)
                assert _CHECKER.check_output(want, got, doctest.ELLIPSIS), (
                    f"{page.name} block {number} printed:\n{got}\nbut the page shows:\n{want}"
                )
                printed = None
                continue
            assert not printed, (
                f"{page.name} block {number} printed output but the page shows none; add a "
                f"```{OUTPUT_INFO} block after it:\n{printed}"
            )
            number += 1
            code = compile(body, f"{page.name} block {number}", "exec")
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    exec(code, namespace)
            except BaseException as e:
                e.add_note(f"{page.name} block {number} printed before failing:\n{out.getvalue()}")
                raise
            printed = out.getvalue()
        assert not printed, (
            f"{page.name} block {number} printed output but the page shows none; add a "
            f"```{OUTPUT_INFO} block after it:\n{printed}"
        )
    finally:
        os.chdir(cwd)
        for value in namespace.values():
            close = getattr(value, "close", None)
            if callable(close) and type(value).__name__ == "Inventory":
                close()
