"""docs/cli/ has a page per command whose usage block is the command's real `--help` text.

To refresh the pages after changing the parser: `python -m tests.cli.test_docs_pages --write`.
"""

from __future__ import annotations

import re
import sys
from functools import partial
from pathlib import Path

import pytest

from stockline.cli._app import ExitCode, build_parser, commands, help_text
from tests.cli.conftest import run

DOCS = Path(__file__).parents[2] / "docs" / "cli"
#: The marker above each page's usage block; the fenced block after it is --help.
BLOCK = re.compile(r"<!-- (stockline(?: [a-z0-9-]+)*) --help -->\n```text\n(.*?)```\n", re.DOTALL)
WIDTH = 88


def _page(command: str | None) -> Path:
    return DOCS / ("index.md" if command is None else f"{command}.md")


def _names() -> list[str]:
    return list(commands(build_parser()))


def _nested(command: str) -> list[str]:
    """The subcommands of ``command`` at any depth (``count open``, ``replenish rule set``)."""
    parser = build_parser()
    for name in command.split():
        parser = commands(parser)[name]
    found = []
    for name in commands(parser):
        found += [f"{command} {name}", *_nested(f"{command} {name}")]
    return found


def _blocks(page: Path | str) -> dict[str, str]:
    text = page if isinstance(page, str) else page.read_text()
    return {m.group(1): m.group(2) for m in BLOCK.finditer(text)}


def _words(text: str) -> list[str]:
    # Compared word by word: a Python release that wraps help differently is not drift.
    return text.split()


@pytest.mark.parametrize("command", [None, *_names()], ids=lambda c: c or "stockline")
def test_page_shows_the_help(command: str | None) -> None:
    """Each command's page holds its --help text, word for word."""
    page = _page(command)
    assert page.is_file(), (
        f"{page} is missing; run python -m tests.cli.test_docs_pages --write after adding it"
    )
    title = "stockline" if command is None else f"stockline {command}"
    blocks = _blocks(page)
    assert title in blocks, f"{page} has no '<!-- {title} --help -->' block"
    assert _words(blocks[title]) == _words(help_text(command, width=WIDTH)), (
        f"{page} is out of date: run python -m tests.cli.test_docs_pages --write"
    )


@pytest.mark.parametrize(
    "command", [n for c in _names() for n in _nested(c)], ids=lambda c: c.replace(" ", "-")
)
def test_page_shows_each_subcommands_help(command: str) -> None:
    """A command with subcommands shows each subcommand's --help on its page, word for word."""
    page = _page(command.split()[0])
    title = f"stockline {command}"
    blocks = _blocks(page)
    assert title in blocks, f"{page} has no '<!-- {title} --help -->' block"
    assert _words(blocks[title]) == _words(help_text(command, width=WIDTH)), (
        f"{page} is out of date: run python -m tests.cli.test_docs_pages --write"
    )


def test_no_page_without_a_command() -> None:
    """Every page in docs/cli/ belongs to a command (none left behind by a removed one)."""
    assert {p.stem for p in DOCS.glob("*.md")} == {"index", *_names()}


def test_index_links_every_command() -> None:
    """The overview page links every command's page."""
    text = _page(None).read_text()
    for name in _names():
        assert f"]({name}.md)" in text, f"docs/cli/index.md does not link {name}.md"


def test_index_documents_every_exit_status() -> None:
    """The exit status table lists every ExitCode with its number."""
    text = _page(None).read_text()
    for code in ExitCode:
        assert re.search(rf"^\| `{code.value}` \|", text, re.MULTILINE), code


def test_mkdocs_nav_lists_every_page() -> None:
    """mkdocs.yml's nav has each command page (mkdocs --strict would only warn otherwise)."""
    nav = (DOCS.parents[1] / "mkdocs.yml").read_text()
    for page in DOCS.glob("*.md"):
        assert f"cli/{page.name}" in nav, f"mkdocs.yml nav lacks cli/{page.name}"


@pytest.mark.parametrize("command", ["stock", "recall"])
def test_entry_point_prints_the_same_help(command: str, tmp_path: Path) -> None:
    """The installed command prints the text the pages are made from."""
    result = run(command, "--help", cwd=tmp_path, env={"COLUMNS": str(WIDTH)})
    assert result.returncode == 0
    assert result.stdout == help_text(command, width=WIDTH)


def _replace(match: re.Match[str], *, title: str, block: str) -> str:
    return block if match.group(1) == title else match.group(0)


def _write() -> None:
    for command in [None, *_names()]:
        page = _page(command)
        title = "stockline" if command is None else f"stockline {command}"
        text = page.read_text() if page.exists() else f"# {title}\n\n<!-- {title} --help -->\n"
        for shown in [command, *([] if command is None else _nested(command))]:
            title = "stockline" if shown is None else f"stockline {shown}"
            block = f"<!-- {title} --help -->\n```text\n{help_text(shown, width=WIDTH)}```\n"
            if title in _blocks(text):
                text = BLOCK.sub(partial(_replace, title=title, block=block), text)
            else:
                text = text.replace(f"<!-- {title} --help -->\n", block)
        page.write_text(text)
        print(f"wrote {page}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.cli.test_docs_pages --write")
    _write()
