"""The documentation site builds in strict mode, and no page has a broken link.

mkdocs.yml turns on link validation (missing pages, unknown links, anchors), and ``strict``
makes each of its warnings an error. The built HTML is then scanned as a browser would follow
it: every relative ``href``/``src`` must name a file of the site and, with a ``#fragment``, an
``id`` on that page. That also covers what mkdocs does not validate: the API reference's
cross-references, and links inside snippets included from examples/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import stockline

ROOT = Path(__file__).parents[1]


class _Page(HTMLParser):
    """The ids a page defines and the relative links it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.ids_in_order: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name"):
                self.ids.add(value)
                self.ids_in_order.append(value)
            elif (name == "href" and tag in ("a", "link")) or (name == "src" and tag != "script"):
                self.links.append(value)


@cache
def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(site: Path) -> list[str]:
    """Every relative link in ``site`` whose file or anchor does not exist, as text."""
    problems = []
    for html in sorted(site.rglob("*.html")):
        for link in _parse(html).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("/", "mailto:")):
                continue  # external: not this site's to check
            target = (html.parent / unquote(parts.path)).resolve() if parts.path else html
            if target.is_dir():
                target = target / "index.html"
            where = f"{html.relative_to(site)}: {link}"
            if not target.is_file() or site.resolve() not in target.parents:
                problems.append(f"{where} (no such file)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in _parse(target).ids
            ):
                problems.append(f"{where} (no such anchor)")
    return problems


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once for this module with ``mkdocs build --strict``."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


class TestSite:
    """The built site."""

    def test_every_page_is_built(self, site: Path) -> None:
        """Each Markdown page under docs/ becomes a page of the site (none left out)."""
        for page in (ROOT / "docs").rglob("*.md"):
            relative = page.relative_to(ROOT / "docs").with_suffix("")
            folder = relative.parent if relative.name == "index" else relative
            assert (site / folder / "index.html").is_file(), f"{page} was not built"

    def test_no_broken_links(self, site: Path) -> None:
        """No relative link points to a missing page, file or anchor."""
        assert broken_links(site) == []


def _groups(page: Path) -> list[tuple[str, list[str]]]:
    """The sections of a reference page and the ``members:`` each one's directive lists."""
    groups: list[tuple[str, list[str]]] = []
    for section in page.read_text().split("\n## ")[1:]:
        title, _, body = section.partition("\n")
        _, _, listed = body.partition("      members:\n")
        groups.append((title, re.findall(r"^        - (\w+)$", listed.split("\n\n")[0], re.M)))
    return groups


class TestReference:
    """The API reference of ``stockline`` reads from the core verbs outwards."""

    PAGE = ROOT / "docs" / "reference" / "stockline.md"
    ORDER = ("Opening and closing", "Master data", "Posting", "Queries", "Integrity", "Namespaces")

    def test_groups_come_in_order(self) -> None:
        """Inventory's methods are shown in groups, opening first and the namespaces last."""
        assert tuple(title for title, _ in _groups(self.PAGE)) == self.ORDER

    def test_every_listed_method_exists(self) -> None:
        """A name in a group's ``members:`` list is a method of Inventory (mkdocstrings would
        leave out a misspelt one without a word)."""
        listed = [name for _, members in _groups(self.PAGE) for name in members]
        assert listed, "no members: lists found"
        assert [n for n in listed if not hasattr(stockline.Inventory, n)] == []

    def test_methods_are_shown_in_the_listed_order(self, site: Path) -> None:
        """The built page documents exactly the listed methods, in the groups' order: open and
        close first, then master data, posting (receive before any query), queries, integrity."""
        ids = _parse(site / "reference" / "stockline" / "index.html").ids_in_order
        prefix = "stockline.Inventory."
        shown = [i.removeprefix(prefix) for i in ids if i.startswith(prefix) and "(" not in i]
        shown = [name for name in shown if "." not in name and "--" not in name]
        listed = [name for _, members in _groups(self.PAGE) for name in members]
        assert list(dict.fromkeys(shown)) == listed


class TestSearch:
    """Site search finds a name written in code by its parts (``receive_scan``, ``gs1.parse``).

    Material's search splits the index and the query with the ``separator`` regular expression
    of the built index; with the default (spaces and hyphens) ``inv.receive_scan(`` is one word
    that no search for ``receive_scan`` matches.
    """

    @staticmethod
    def _index(site: Path) -> dict[str, Any]:
        index: dict[str, Any] = json.loads((site / "search" / "search_index.json").read_text())
        return index

    @staticmethod
    def _words(separator: str, text: str) -> list[str]:
        # What lunr does with the same expression (JavaScript and Python read it alike here).
        return [word for word in re.split(separator, text) if word]

    def test_separator_splits_names_at_underscores_and_dots(self, site: Path) -> None:
        """Names in code are indexed by their parts; a decimal number stays one word."""
        separator = self._index(site)["config"]["separator"]
        assert self._words(separator, 'tx = inv.receive_scan(scan, to="DC1/DOCK")') == [
            *("tx", "inv", "receive", "scan", "scan", "to", "DC1", "DOCK")
        ]
        assert self._words(separator, "stockline.gs1.parse 0.5") == [
            *("stockline", "gs1", "parse", "0.5")
        ]

    def test_a_name_in_a_howto_code_block_is_found(self, site: Path) -> None:
        """Each word of a search for ``on_hand`` is a word of the scanning how-to's code."""
        index = self._index(site)
        separator = index["config"]["separator"]
        page = [d for d in index["docs"] if d["location"].startswith("howto/scanning/")]
        words = {w.lower() for doc in page for w in self._words(separator, doc["text"])}
        assert "<pre><code>" in "".join(doc["text"] for doc in page)  # code blocks are indexed
        assert set(self._words(separator, "on_hand")) <= words


class TestLinkChecker:
    """The checker itself finds what it must (so the test above cannot pass by seeing nothing)."""

    def test_finds_a_missing_page_and_a_missing_anchor(self, tmp_path: Path) -> None:
        """A link to a file that is not there, or to an id the page lacks, is reported."""
        (tmp_path / "a").mkdir()
        (tmp_path / "a" / "index.html").write_text('<h2 id="here">x</h2>')
        (tmp_path / "index.html").write_text(
            '<a href="a/#here">ok</a><a href="a/#gone">x</a><a href="b/">x</a>'
            '<a href="https://example.com/x">ext</a><a href="#top">x</a><p id="top"></p>'
        )
        assert broken_links(tmp_path) == [
            "index.html: a/#gone (no such anchor)",
            "index.html: b/ (no such file)",
        ]
