"""Every script in examples/ runs to the end, and is shown in the docs from the file itself.

A page shows an example's code in one of two ways:

- a snippet include (``--8<-- "examples/x.py:section"`` inside a fence), which the site expands;
- a copy: a fenced ``python`` block right under ``<!-- examples/x.py:section -->``, for pages
  that must also read well as plain Markdown (GitHub does not expand includes, and the README
  links to docs/index.md and docs/tutorial.md). A test holds each copy equal to the file; to
  refresh the copies after changing an example: ``python -m tests.test_examples --write``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_docs_examples import expand_snippets

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
PAGES = sorted((ROOT / "docs").rglob("*.md"))
INCLUDE = re.compile(r'^-{1,}8<-{1,}\s+"(?P<path>examples/[^":]+\.py)(?::[\w-]+)?"', re.MULTILINE)
#: A copy: the marker naming the file (and section), then the fenced block that shows it.
COPY = re.compile(
    r"^<!-- (?P<path>examples/[^\s:]+\.py)(?::(?P<section>[\w-]+))? -->\n"
    r"```python\n(?P<body>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def shown(path: str, section: str | None) -> str:
    """The code of ``path`` (or of its ``section``) as a snippet include gives it."""
    target = path if section is None else f"{path}:{section}"
    return expand_snippets(f'--8<-- "{target}"').strip("\n") + "\n"


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


def test_every_example_is_shown_in_the_docs() -> None:
    """Each script is shown in docs/ by a snippet include or by a marked copy, never by an
    unmarked copy that could drift from it."""
    shown_by = {
        match["path"]
        for page in PAGES
        for pattern in (INCLUDE, COPY)
        for match in pattern.finditer(page.read_text())
    }
    missing = [p.name for p in EXAMPLES if f"examples/{p.name}" not in shown_by]
    assert missing == [], f"show these in a docs page (--8<-- or a marked copy): {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_copies_are_the_examples_code(page: Path) -> None:
    """A marked copy of an example's code is exactly that code (so the page runs what the
    script runs, and reads the same on GitHub as on the site)."""
    for match in COPY.finditer(page.read_text()):
        where = f"{match['path']}" + (f":{match['section']}" if match["section"] else "")
        assert match["body"] == shown(match["path"], match["section"]), (
            f"{page.relative_to(ROOT)} shows an old copy of {where}: "
            "run python -m tests.test_examples --write"
        )


def test_copy_marker_is_found() -> None:
    """The copy pattern finds a marked block and its section (so the test above cannot pass
    by finding nothing)."""
    text = '<!-- examples/x.py:setup -->\n```python\nprint("hi")\n```\n'
    (match,) = COPY.finditer(text)
    assert (match["path"], match["section"], match["body"]) == (
        "examples/x.py",
        "setup",
        'print("hi")\n',
    )


def _refresh(match: re.Match[str]) -> str:
    marker = match.group(0).split("\n", 1)[0]
    return f"{marker}\n```python\n{shown(match['path'], match['section'])}```"


def _write() -> None:
    for page in PAGES:
        text = page.read_text()
        new = COPY.sub(_refresh, text)
        if new != text:
            page.write_text(new)
            print(f"wrote {page}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.test_examples --write")
    _write()
