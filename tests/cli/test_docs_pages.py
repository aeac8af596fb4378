"""docs/cli/ has a page per command whose usage block is the command's real `--help` text.

To refresh the pages after changing the parser: `python -m tests.cli.test_docs_pages --write`.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
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


# -- the examples ---------------------------------------------------------------------------

#: A ```console block of a page: `$ stockline ...` lines, each followed by what it prints.
CONSOLE = re.compile(r"```console\n(.*?)```\n", re.DOTALL)
#: Example lines that cannot run here, and why: they need a network or a database server.
ELSEWHERE = {
    "curl -s https://edi.example.com/asn/100 | stockline import epcis - --key ASN-100": "network",
    "stockline init --db postgresql://stock@db.example/stock": "a PostgreSQL server",
    "python3 -m venv .venv && .venv/bin/pip install --quiet '.[cli]' && .venv/bin/stockline demo": (
        "an installation"
    ),
}


def _examples(text: str) -> list[tuple[str, list[str]]]:
    """Each example command of ``text`` (continuation lines joined, a trailing `# ...` comment
    dropped) with the lines the page shows it printing."""
    found: list[tuple[str, list[str]]] = []
    for block in CONSOLE.findall(text):
        command: str | None = None
        for line in block.splitlines():
            if command is not None and command.endswith("\\"):
                command = command[:-1].rstrip() + " " + line.strip()
                found[-1] = (command, [])
            elif line.startswith("$ "):
                command = line[2:]
                found.append((command, []))
            elif found:
                found[-1][1].append(line)
    return [(re.sub(r"\s+#\s.*$", "", c), shown) for c, shown in found]


def _setup(page: str, folder: Path, demo_db: Path, plant_db: Path) -> None:
    """The ledger (and files) a page's examples start from: the demo ledger, as the pages
    say, the plant ledger for trace as plant.db, and the supplier's notice (and a broken
    one) for import, expected and receive."""
    if page not in ("demo", "init"):
        shutil.copy(demo_db, folder / "stockline-demo.db")
    if page == "trace":
        shutil.copy(plant_db, folder / "plant.db")
    if page == "serials":
        import stockline as sl

        with sl.Inventory.open(f"sqlite:///{folder / 'line.db'}") as inv:
            inv.add_item("VIAL", gtin="09506000134352", tracking="serial")
            inv.add_location("PLANT/FG")
    if page in ("import", "expected", "receive"):
        from tests.cli.test_expectations import _notice

        (folder / "acme-asn-100.jsonld").write_text(json.dumps(_notice()))
        notice = _notice()
        events = notice["epcisBody"]["eventList"]
        events[0].update(action="CREATE", bizStep="transforming")
        events[1]["epcList"] = ["x"]
        (folder / "broken.json").write_text(json.dumps(notice))


def _shown(lines: list[str]) -> list[str]:
    """The lines of shown output an example must print: not tables, not elisions."""
    boxes = set("┏┃┡│└━─")
    return [
        line.strip()
        for line in lines
        if line.strip() and not boxes & set(line) and "..." not in line and "(...)" not in line
    ]


@pytest.mark.parametrize("page", sorted(p.stem for p in DOCS.glob("*.md")))
def test_examples_run_as_written(page: str, tmp_path: Path, demo_db: Path, plant_db: Path) -> None:
    """Each page's examples, run in order from the ledger the page describes, succeed (or,
    where the page shows an `error:` line, fail with exit status 1) and print what it shows."""
    examples = _examples((DOCS / f"{page}.md").read_text())
    if not examples:
        pytest.skip(f"{page}.md has no examples")
    _setup(page, tmp_path, demo_db, plant_db)
    python = shlex.quote(sys.executable)
    for command, lines in examples:
        if command in ELSEWHERE:
            continue
        # The index page's `.venv/bin/stockline` is the installed script; this is the same.
        command = command.replace(".venv/bin/stockline", "stockline")
        script = f'stockline() {{ {python} -m stockline "$@"; }}\nset -o pipefail\n{command}'
        result = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        fails = any(line.startswith("error:") for line in lines)
        assert result.returncode == (ExitCode.ERROR if fails else ExitCode.OK), (
            f"docs/cli/{page}.md: `{command}` exited {result.returncode}:\n{result.stderr}"
        )
        printed = " ".join((result.stdout + result.stderr).split())
        for line in _shown(lines):
            assert " ".join(line.split()) in printed, (
                f"docs/cli/{page}.md: `{command}` does not print {line!r}; it printed:\n"
                f"{result.stdout}{result.stderr}"
            )


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
