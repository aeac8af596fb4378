"""Hypothesis properties of stockline.gs1."""

from __future__ import annotations

import contextlib
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from stockline.errors import BarcodeError
from stockline.gs1 import (
    build_elements,
    check_digit,
    parse,
    to_digital_link,
    to_element_string,
    to_hri,
)

TODAY = dt.date(2026, 1, 1)
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

codes = st.text(alphabet=CSET82, min_size=1, max_size=20)


@st.composite
def gtins(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    return body + str(check_digit(body))


dates = st.dates(min_value=dt.date(1977, 1, 1), max_value=dt.date(2076, 12, 31))


class TestRoundTrip:
    @given(gtin=gtins(), lot=codes, serial=codes, expiry=dates)
    def test_encode_then_parse(self, gtin: str, lot: str, serial: str, expiry: dt.date) -> None:
        """Element string, HRI and Digital Link all parse back to the values encoded."""
        elements = build_elements(gtin=gtin, lot=lot, serial=serial, expiry=expiry, today=TODAY)
        for text, standin in (
            (to_element_string(elements), None),
            (to_element_string(elements, separator="|", prefix="]C1"), "|"),
            (to_hri(elements), None),
            (to_digital_link(elements), None),
        ):
            scan = parse(text, gs_standin=standin, today=TODAY)
            assert (scan.gtin, scan.lot, scan.serial, scan.expiry) == (gtin, lot, serial, expiry)


class TestNeverCrashes:
    @given(st.text())
    def test_only_barcode_error(self, text: str) -> None:
        """Arbitrary text either parses or raises BarcodeError, nothing else."""
        with contextlib.suppress(BarcodeError):
            parse(text, today=TODAY)

    @given(st.text(alphabet="0123456789()^\x1d]ABCdeQ:/.?=&%h", max_size=40))
    def test_only_barcode_error_near_valid(self, text: str) -> None:
        """Text built from GS1-ish characters either parses or raises BarcodeError."""
        with contextlib.suppress(BarcodeError):
            parse(text, gs_standin="^", today=TODAY)
