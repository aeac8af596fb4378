"""``parse()``: from what a scanner sends to a checked :class:`Scan`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from biip import ParseConfig, ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString
from biip.gtin import Gtin
from biip.sscc import Sscc
from biip.upc import Upc

from stockline.errors import BarcodeError, ValidationError
from stockline.gs1 import _rules
from stockline.gs1._dates import decode_date
from stockline.gs1._dl import looks_like_uri, read_digital_link
from stockline.gs1._rules import find_ai, rule_for
from stockline.gs1._scan import Element, Measure, Scan
from stockline.gs1._units import UNITS

GS = "\x1d"

# Dates are decoded here, against the injected reading date; biip would use the wall clock.
_BIIP_CONFIG = ParseConfig(gs1_element_strings_verify_date=False)

_AI_SYMBOLOGIES = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})
"""GS1-128, GS1 DataBar, GS1 DataMatrix, GS1 QR Code, GS1 DotCode: AI element strings."""
_GTIN_SYMBOLOGIES = {"]E0": 13, "]E4": 8, "]I1": 14}
"""EAN-13/UPC-A/UPC-E, EAN-8 and ITF-14, with the number of digits each transmits."""
_PLAIN_SYMBOLOGIES = frozenset({"]Q1", "]d1", "]J0"})
"""QR Code, Data Matrix and DotCode in non-GS1 mode: only a Digital Link URI is GS1 data."""
_COMPOSITE = "|]e0"


def parse(
    text: str,
    *,
    gs_standin: str | None = None,
    today: dt.date | None = None,
    check_pairings: bool = True,
) -> Scan:
    """Read one scan and check it against the GS1 rules.

    Accepted input: GS1 element strings with GS (``\\x1d``) separators, or a stand-in
    character for GS; optionally led by a symbology identifier (``]C1``, ``]e0``, ``]d2``,
    ``]Q3``, ``]J1``; ``]E0``/``]E4``/``]I1`` for GTINs, with a ``|]e0`` composite part;
    ``]Q1``/``]d1``/``]J0`` carrying a Digital Link URI); bracketed HRI ``(01)...(17)...``
    (``\\(`` escapes a bracket in data); GS1 Digital Link URIs; plain GTIN-8/12/13/14,
    UPC-E and SSCC.

    Without a symbology identifier, bare digits of a GTIN length (8, 12, 13, 14) with a
    correct check digit are read as a GTIN, 18 such digits as an SSCC, 6 or 7 digits as
    UPC-E; anything else as element strings. Configure scanners to send symbology
    identifiers to remove that guess.

    Every element is checked for format, character set, check digits (every AI the GS1
    Syntax Dictionary marks), dates, and repeated AIs; with ``check_pairings`` also for
    mandatory and invalid AI pairings (``req=``/``ex=``).

    Args:
        text: The scan as received. Surrounding whitespace is ignored.
        gs_standin: A character the scanner sends instead of GS for FNC1, e.g. ``"^"``.
        today: The reading date for two-digit years (GS1 sliding window, 49 years back to
            50 ahead). Defaults to ``date.today()``.
        check_pairings: Check mandatory and invalid AI pairings. Turn off when one item
            carries several barcodes (a logistic label with three GS1-128 symbols): GS1
            evaluates pairings over all of them, so check the combined elements with
            :func:`check_elements` instead.

    Returns:
        The scan's fields and raw elements.

    Raises:
        BarcodeError: When the input is not GS1 data or breaks a rule; the message names
            the AI and the problem.

    Example:
        >>> from datetime import date
        >>> scan = parse("]d2010950600013435217250500" "10ABC123", today=date(2026, 1, 1))
        >>> scan.gtin, scan.lot, scan.expiry
        ('09506000134352', 'ABC123', datetime.date(2025, 5, 31))
    """
    reference = dt.date.today() if today is None else today
    if gs_standin is not None and len(gs_standin) != 1:
        raise ValidationError(
            f"gs_standin must be one character, got {gs_standin!r}; pass the single character "
            "your scanner sends in place of GS, such as '^' or '|'"
        )
    data = text.strip()
    if not data:
        raise BarcodeError("The scan is empty; scan again", text=text)
    symbology: str | None = None
    if data.startswith("]"):
        symbology, data = data[:3], data[3:]
    if gs_standin is not None:
        data = data.replace(gs_standin, GS)
    reader = _Reader(text=text, today=reference, check_pairings=check_pairings)
    return reader.read(data, symbology)


class _Reader:
    """One parse call's settings, so the routing helpers need not pass them around."""

    def __init__(self, *, text: str, today: dt.date, check_pairings: bool) -> None:
        self.text = text
        self.today = today
        self.check_pairings = check_pairings

    def read(self, data: str, symbology: str | None) -> Scan:
        if symbology is None:
            return self._read_unidentified(data)
        if symbology in _GTIN_SYMBOLOGIES:
            return self._read_linear(data, symbology)
        if symbology in _AI_SYMBOLOGIES or symbology in _PLAIN_SYMBOLOGIES:
            if looks_like_uri(data) and symbology not in ("]C1", "]e0", "]J1"):
                elements = read_digital_link(data, text=self.text)
                return self._scan(elements, symbology=symbology, source_format="digital_link")
            if symbology in _PLAIN_SYMBOLOGIES:
                raise BarcodeError(
                    f"Symbology {symbology} carries data that is not GS1 (no GS1 Digital "
                    "Link URI); scan a GS1 barcode",
                    text=self.text,
                )
            elements = self._split_element_string(data.lstrip(GS))
            return self._scan(elements, symbology=symbology, source_format="element_string")
        raise BarcodeError(
            f"Symbology identifier {symbology!r} is not one stockline reads as GS1 data "
            "(]C1, ]e0, ]d2, ]Q3, ]J1, ]E0, ]E4, ]I1, or ]Q1/]d1/]J0 with a Digital Link URI)",
            text=self.text,
        )

    def _read_unidentified(self, data: str) -> Scan:
        if data.startswith("("):
            return self._scan(self._split_hri(data), symbology=None, source_format="hri")
        if looks_like_uri(data):
            elements = read_digital_link(data, text=self.text)
            return self._scan(elements, symbology=None, source_format="digital_link")
        if data.isascii() and data.isdigit():
            plain = self._read_plain_digits(data)
            if plain is not None:
                return plain
        return self._scan(
            self._split_element_string(data), symbology=None, source_format="element_string"
        )

    def _read_plain_digits(self, digits: str) -> Scan | None:
        try:
            if len(digits) in (6, 7):
                upc = Upc.parse(digits)
                return self._plain("01", upc.as_gtin_14(), "plain_upc_e")
            if len(digits) in (8, 12, 13, 14):
                return self._plain("01", Gtin.parse(digits).as_gtin_14(), "plain_gtin")
            if len(digits) == 18:
                return self._plain("00", Sscc.parse(digits).value, "plain_sscc")
        except ParseError:
            # Not a valid plain code; the digits may still be element strings.
            return None
        return None

    def _plain(self, ai: str, value: str, source_format: str) -> Scan:
        return self._scan(
            [Element(ai=ai, value=value)], symbology=None, source_format=source_format
        )

    def _read_linear(self, data: str, symbology: str) -> Scan:
        linear, composite, rest = data.partition(_COMPOSITE)
        width = _GTIN_SYMBOLOGIES[symbology]
        if len(linear) != width or not (linear.isascii() and linear.isdigit()):
            raise BarcodeError(
                f"Symbology {symbology} transmits exactly {width} digits, got {linear!r}; "
                "check the scanner's symbology settings",
                text=self.text,
                ai="01",
            )
        gtin = linear.zfill(14)
        elements = [Element(ai="01", value=gtin)]
        if composite:
            elements.extend(self._split_element_string(rest.lstrip(GS)))
        return self._scan(elements, symbology=symbology, source_format="plain_gtin")

    def _split_element_string(self, data: str) -> list[Element]:
        elements: list[Element] = []
        position = 0
        while position < len(data):
            if data[position] == GS:
                position += 1
                continue
            rule = find_ai(data[position:])
            if rule is None:
                raise BarcodeError(
                    f"No GS1 AI starts at {data[position : position + 4]!r} (character "
                    f"{position + 1}); the data is not GS1 element strings, or a separator is "
                    "missing or misplaced",
                    text=self.text,
                )
            start = position + len(rule.ai)
            if rule.fnc1:
                end = data.find(GS, start)
                end = len(data) if end < 0 else end
            else:
                end = min(start + rule.max_length, len(data))
            elements.append(Element(ai=rule.ai, value=data[start:end]))
            position = end
        return elements

    def _split_hri(self, data: str) -> list[Element]:
        elements: list[Element] = []
        position = 0
        while position < len(data):
            close = data.find(")", position)
            ai = data[position + 1 : close] if close > 0 else ""
            if data[position] != "(" or not (ai.isascii() and ai.isdigit() and 2 <= len(ai) <= 4):
                raise BarcodeError(
                    f"HRI must be written as (AI)value(AI)value...; cannot read an AI at "
                    f"character {position + 1}",
                    text=self.text,
                )
            rule_for(ai, text=self.text)
            value: list[str] = []
            position = close + 1
            while position < len(data) and data[position] != "(":
                # "\(" is a literal bracket inside the data, as in the GS1 Syntax Engine.
                if data.startswith("\\(", position):
                    value.append("(")
                    position += 2
                else:
                    value.append(data[position])
                    position += 1
            elements.append(Element(ai=ai, value="".join(value)))
        return elements

    def _scan(
        self, elements: Sequence[Element], *, symbology: str | None, source_format: str
    ) -> Scan:
        if not elements:
            raise BarcodeError(
                "The scan carries no GS1 element strings; scan the barcode again",
                text=self.text,
            )
        for element in elements:
            _rules.check_element(element, text=self.text, today=self.today)
            self._check_with_biip(element)
        _rules.check_repeats(elements, text=self.text)
        if self.check_pairings:
            _rules.check_pairings(elements, text=self.text)
        first: dict[str, str] = {}
        for element in elements:
            first.setdefault(element.ai, element.value)
        return Scan(
            gtin=first.get("01"),
            content_gtin=first.get("02"),
            sscc=first.get("00"),
            lot=first.get("10"),
            serial=first.get("21"),
            expiry=self._date(first.get("17")),
            best_before=self._date(first.get("15")),
            production_date=self._date(first.get("11")),
            count=int(first["37"]) if "37" in first else None,
            measures=tuple(_measure(ai, value) for ai, value in first.items() if ai[:3] in UNITS),
            elements=tuple(elements),
            symbology=symbology,
            source_format=source_format,
        )

    def _check_with_biip(self, element: Element) -> None:
        # A second opinion from biip's own AI table; an AI newer than biip's table is left to
        # the dictionary rules already applied.
        try:
            known = GS1ApplicationIdentifier.extract(element.ai).ai == element.ai
        except ParseError:
            known = False
        if not known:
            return
        try:
            GS1ElementString.parse(element.ai + element.value, config=_BIIP_CONFIG)
        except ParseError as e:
            raise BarcodeError(
                f"AI ({element.ai}) value {element.value!r} does not match its GS1 format: {e}",
                text=self.text,
                ai=element.ai,
            ) from e

    def _date(self, value: str | None) -> dt.date | None:
        if value is None:
            return None
        return decode_date(value, today=self.today, day_zero=True)


def _measure(ai: str, value: str) -> Measure:
    return Measure(ai=ai, value=Decimal(value).scaleb(-int(ai[3])), unit=UNITS[ai[:3]])
