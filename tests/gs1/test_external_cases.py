"""727 GS1 Digital Link and element-string cases from other projects, run against ``parse``.

The cases come from Solidsoft's Gs1DigitalLinkLib, zxing's GS1 DataBar Expanded test symbols,
gs1/digital-link.js, lamoda/gs1-barcode-parser and GS1's Digital Link toolkit; they live in
``shared/research/refdata/external/gs1/gs1_cases.json`` beside the repository checkout (its
``SOURCES.md`` names each repository, path and commit) and are read at test time, never copied
into the repository. Without the folder the test is skipped.

Each case carries the verdict under GS1's rules (``expect``), the elements a reader must find,
and a ``group``:

- ``in_scope``: stockline agrees with every one: valid cases give the listed elements in
  order (in any order where the source paired an element string with a Digital Link whose AI
  order differs), invalid ones raise ``BarcodeError``.
- ``source_vs_gs1``: the source accepts, GS1's rules refuse (AIs 410-413 and 416 as Digital
  Link keys, a qualifier out of order, an ITIP piece beyond its total); stockline refuses,
  agreeing with GS1. The case's ``why`` gives the rule.
- ``debatable``: listed in :data:`DELIBERATE` with the reason stockline refuses them.
- ``out_of_scope``: Digital Link convenience alphas, compressed URIs and ``]C1`` before
  bracketed HRI, which stockline does not read; each must be read right or refused with
  ``BarcodeError``, never misread or crash.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from stockline.errors import BarcodeError
from stockline.gs1 import parse

# tests/gs1/<this file> -> parents[3] is the folder holding the checkout and "shared".
CASES = Path(__file__).resolve().parents[3] / "shared/research/refdata/external/gs1/gs1_cases.json"
READ_ON = dt.date(2026, 1, 1)

_ZERO_SUPPRESSED = (
    "a GTIN of 8, 12 or 13 digits in a Digital Link path: the DL 1.2 grammar allows it and "
    "decoders pad it, but the GS1 Syntax Engine refuses it by default and so does stockline, "
    "so that one item has one URI (docs/explanation/gs1-identities.md)"
)
_TRAILING_SLASH = (
    "a trailing '/' after the Digital Link path: the source tolerates it, the DL 1.2 grammar "
    "does not produce it; stockline refuses an empty path segment"
)
DELIBERATE: dict[str, str] = {
    **dict.fromkeys(
        [
            "solid-extract-dl-003",
            "solid-dl2es-dl-171",
            "solid-uri-05",
            "dljs-01",
            "dljs-04",
            "dljs-05",
            "dljs-09",
            "dljs-11",
            "dljs-25",
        ],
        _ZERO_SUPPRESSED,
    ),
    "solid-uri-06": _TRAILING_SLASH,
}
"""Cases the file expects valid that stockline refuses on purpose, with the reason."""


def _cases() -> list[Any]:
    if not CASES.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no external cases at {CASES}"))]
    cases: list[dict[str, Any]] = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(case, id=case["id"]) for case in cases]


def _read(case: dict[str, Any]) -> list[list[str]]:
    options = case["options"]
    scan = parse(
        case["input"],
        gs_standin=options.get("gs_standin"),
        check_pairings=options.get("check_pairings", True),
        today=READ_ON,
    )
    elements = [[element.ai, element.value] for element in scan.elements]
    return sorted(elements) if options.get("unordered") else elements


def _expected(case: dict[str, Any]) -> list[list[str]]:
    elements: list[list[str]] = case["elements"]
    return sorted(elements) if case["options"].get("unordered") else elements


@pytest.mark.parametrize("case", _cases())
def test_case(case: dict[str, Any]) -> None:
    """Each case is read with its elements or refused, as its group and the lists above say."""
    if case["id"] in DELIBERATE:
        assert case["expect"] == "valid"
        with pytest.raises(BarcodeError):
            _read(case)
    elif case["group"] == "out_of_scope":
        try:
            elements = _read(case)
        except BarcodeError:
            return
        assert case["expect"] == "valid"
        assert elements == _expected(case)
    elif case["expect"] == "valid":
        assert case["group"] == "in_scope"
        assert _read(case) == _expected(case)
    else:
        assert case["group"] in ("in_scope", "source_vs_gs1")
        with pytest.raises(BarcodeError):
            _read(case)


def test_deliberate_differences_are_the_debatable_cases() -> None:
    """The list names exactly the cases the file calls debatable, so none goes stale."""
    if not CASES.is_file():
        pytest.skip(f"no external cases at {CASES}")
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    assert {case["id"] for case in cases if case["group"] == "debatable"} == set(DELIBERATE)
