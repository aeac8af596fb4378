"""The 600 shared GS1 test vectors, run against ``stockline.gs1.parse``.

The vectors live in ``shared/research/refdata`` beside the repository checkout and are read
at test time; they are never copied into the repository.

Each vector's ``valid`` is its source's verdict under that source's rules. stockline follows
the GS1 Syntax Engine's defaults; where that, or a deliberate scope decision, gives another
outcome, the vector is listed below with the reason and the test asserts stockline's
outcome instead, so every listed vector still pins a behaviour.

``expected`` keys compared: gtin (as GTIN-14), content_gtin, sscc, lot, serial, expiry,
best_before, production_date, count, measures (ai and value), symbology_identifier, plus
``expected_elements``. Not modelled as Scan fields (but covered by ``expected_elements``
where the source gives them): cpv, tpx, grai, giai, gdti, gcn, itip, order_number,
var_count, gln_*, ship_to_*, amounts 390n-395n in measures, date/datetime(s)/decimal of
other AIs, pack_date, upc*, gtin_format, *_raw.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stockline.errors import BarcodeError
from stockline.gs1 import Scan, parse

# tests/gs1/test_vectors.py -> parents[0]=tests/gs1, [1]=tests, [2]=repo, [3]=the folder
# holding the repo checkout and "shared".
VECTORS = Path(__file__).resolve().parents[3] / "shared/research/refdata/gs1_vectors.json"
READ_ON = dt.date(2026, 1, 1)  # the vectors' dates were computed "read in 2026"

PAIRING_CHECKS = frozenset(
    {"ai_requisites", "ai_mutual_exclusion", "ai_repeats_consistent", "digsig_serialised_key"}
)
"""Checks whose source evaluates AI pairings. The other sources test one barcode's syntax
(the Syntax Engine's parse/lint tests, biip's element tests), where GS1 leaves pairings to be
evaluated over all carriers of the item; those run with ``check_pairings=False``."""

_LINTER = "content linter {} is not implemented (needs {}); stockline accepts the value"
NOT_IMPLEMENTED_LINTERS: dict[str, str] = {
    "v0115": _LINTER.format("csumalpha", "the GMN check-pair algorithm"),
    "v0116": _LINTER.format("csumalpha", "the GMN check-pair algorithm"),
    "v0117": _LINTER.format("gcppos1", "the GS1 Company Prefix rules"),
    "v0118": _LINTER.format("gcppos1", "the GS1 Company Prefix rules"),
    "v0125": _LINTER.format("iso3166", "the ISO 3166 code list"),
    "v0126": _LINTER.format("iso3166999", "the ISO 3166 code list"),
    "v0127": _LINTER.format("iso3166alpha2", "the ISO 3166 code list"),
    "v0128": _LINTER.format("iso4217", "the ISO 4217 code list"),
    **{f"v{n:04d}": _LINTER.format("iban", "IBAN country rules") for n in range(129, 133)},
    **{
        f"v{n:04d}": _LINTER.format("couponcode/couponposoffer", "the NA coupon structure")
        for n in range(142, 196)
    },
}
"""Invalid vectors that stockline accepts because it does not run that content linter."""

_ZERO_SUPPRESSED = (
    "needs option permit_zero_suppressed_gtin_in_dl_uris; stockline follows the Syntax "
    "Engine default and refuses a GTIN shorter than 14 digits in a Digital Link URI"
)
_BIIP_PADS = (
    "biip zero-pads a short GTIN in a Digital Link URI; the GS1 Syntax Engine refuses it "
    "(v0326, v0328, v0330) and so does stockline"
)
_NON_GS1 = (
    "non-GS1 data in a non-GS1 symbology: the Syntax Engine passes it through as plain data; "
    "stockline.gs1.parse reads only GS1 data and raises"
)
REJECTED_BY_DESIGN: dict[str, str] = {
    "v0217": "needs option permit_unknown_ais (AI 89); stockline refuses unknown AIs",
    "v0395": "needs option permit_unknown_ais (AI 89); stockline refuses unknown AIs",
    "v0320": "needs option permit_convenience_alphas (/gtin/); stockline reads numeric keys",
    "v0321": "needs option permit_convenience_alphas (/gtin/); stockline reads numeric keys",
    "v0322": "needs option permit_convenience_alphas (/sscc/); stockline reads numeric keys",
    **dict.fromkeys(
        [
            "v0325",
            "v0327",
            "v0329",
            "v0331",
            "v0333",
            "v0367",
            "v0368",
            "v0374",
            "v0376",
            "v0378",
            "v0380",
        ],
        _ZERO_SUPPRESSED,
    ),
    **dict.fromkeys(["v0475", "v0497", "v0501", "v0511", "v0512", "v0515"], _BIIP_PADS),
    **dict.fromkeys(
        [
            "v0407",
            "v0408",
            "v0409",
            "v0410",
            "v0416",
            "v0417",
            "v0418",
            "v0419",
            "v0423",
            "v0424",
            "v0425",
            "v0426",
        ],
        _NON_GS1,
    ),
    "v0415": _NON_GS1 + " (as a Digital Link its mixed-case scheme is refused, as in v0295)",
    "v0477": "biip does not check the GRAI (8003) check digit; it is wrong (expected 1)",
    "v0526": "biip does not check the GRAI (8003) check digit; it is wrong (expected 1)",
    "v0481": "needs biip option gs1_element_strings_verify_date=False; date 000000 is refused",
}
"""Valid vectors (under their source's rules or options) that stockline refuses."""

_BARE = (
    "bare digits of a plain-code length with a valid check digit are read as a plain code "
    "(see parse()); the source tested them as {}"
)
READ_OTHERWISE: dict[str, tuple[str, str]] = {
    "v0029": ("plain_upc_e", _BARE.format("^-form element strings missing the leading FNC1")),
    "v0483": ("plain_gtin", _BARE.format("a GS1 message")),
    "v0491": (
        "element_string",
        "the source tested its HRI-only parser; stockline reads bare digits as element strings",
    ),
    "v0502": ("plain_gtin", _BARE.format("a Digital Link URI")),
    "v0522": ("plain_upc_e", _BARE.format("an element string (10)0329")),
    "v0527": ("plain_upc_e", _BARE.format("an element string")),
    "v0548": ("plain_gtin", _BARE.format("an element string")),
    "v0529": ("plain_gtin", _BARE.format("an element string (11)030201")),
    "v0546": ("plain_gtin", _BARE.format("an element string (8008)0001021415")),
}
"""Vectors that stockline reads in another format than the source's parser did."""


def _load() -> list[Any]:
    if not VECTORS.is_file():
        return [
            pytest.param(
                None, marks=pytest.mark.skip(reason=f"shared vectors not found at {VECTORS}")
            )
        ]
    vectors: list[dict[str, Any]] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return [pytest.param(vector, id=vector["id"]) for vector in vectors]


def _parse(vector: dict[str, Any]) -> Scan:
    standin = "^" if vector["input_format"] == "element_string_caret_fnc1" else None
    return parse(
        vector["input"],
        gs_standin=standin,
        today=READ_ON,
        check_pairings=vector["check"] in PAIRING_CHECKS,
    )


def _assert_expected(scan: Scan, vector: dict[str, Any]) -> None:
    expected: dict[str, Any] = vector.get("expected") or {}
    if "gtin" in expected:
        assert scan.gtin == expected.get("gtin14", expected["gtin"].zfill(14))
    for field in ("content_gtin", "sscc", "lot", "serial"):
        if field in expected:
            assert getattr(scan, field) == expected[field], field
    for field in ("expiry", "best_before", "production_date"):
        if field in expected:
            assert getattr(scan, field) == dt.date.fromisoformat(expected[field]), field
    if "count" in expected:
        assert scan.count == int(expected["count"])
    if "measures" in expected:
        # Scan.measures models the trade measures 31nn-36nn; amounts 390n-395n are not.
        assert [(m.ai, m.value) for m in scan.measures] == [
            (m["ai"], Decimal(m["value"])) for m in expected["measures"] if m["ai"][:2] < "37"
        ]
    if "symbology_identifier" in expected:
        assert scan.symbology == expected["symbology_identifier"]
    if vector.get("expected_elements") and not scan.source_format.startswith("plain_"):
        assert [(e.ai, e.value) for e in scan.elements] == [
            (e["ai"], e["value"]) for e in vector["expected_elements"]
        ]


@pytest.mark.parametrize("vector", _load())
def test_vector(vector: dict[str, Any]) -> None:
    """Each vector is accepted with its expected fields or refused, per the lists above."""
    vid = vector["id"]
    if vid in REJECTED_BY_DESIGN:
        with pytest.raises(BarcodeError):
            _parse(vector)
    elif vid in READ_OTHERWISE:
        assert _parse(vector).source_format == READ_OTHERWISE[vid][0]
    elif vid in NOT_IMPLEMENTED_LINTERS:
        assert not vector["valid"]
        _parse(vector)
    elif vector["valid"]:
        _assert_expected(_parse(vector), vector)
    else:
        with pytest.raises(BarcodeError):
            _parse(vector)


def test_exception_lists_name_existing_vectors() -> None:
    """Every listed vector id exists, so a renumbered file cannot silently empty the lists."""
    if not VECTORS.is_file():
        pytest.skip(f"shared vectors not found at {VECTORS}")
    ids = {vector["id"] for vector in json.loads(VECTORS.read_text(encoding="utf-8"))}
    listed = set(NOT_IMPLEMENTED_LINTERS) | set(REJECTED_BY_DESIGN) | set(READ_OTHERWISE)
    assert listed <= ids
