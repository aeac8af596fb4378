"""Writing GS1 data: element strings, HRI, Digital Link URIs, check digits, SSCCs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from biip import ParseConfig
from biip.checksums import gs1_standard_check_digit
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString, GS1ElementStrings

from stockline.errors import BarcodeError
from stockline.gs1 import _rules
from stockline.gs1._dates import encode_date
from stockline.gs1._scan import Element

GS = "\x1d"
_BIIP_CONFIG = ParseConfig(gs1_element_strings_verify_date=False)


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_digit(digits: str) -> int:
    """Return the GS1 mod-10 check digit for ``digits`` (the code without its check digit).

    Args:
        digits: ASCII digits, e.g. the first 13 digits of a GTIN-14.

    Returns:
        The check digit, 0-9.

    Raises:
        BarcodeError: When ``digits`` is empty or not all ASCII digits.

    Example:
        >>> check_digit("950600013435")
        2
    """
    if not _is_digits(digits):
        raise BarcodeError(f"{digits!r} is not a string of digits 0-9", text=digits)
    return gs1_standard_check_digit(digits)


def normalize_gtin(text: str) -> str:
    """Return a GTIN-8, -12, -13 or -14 as GTIN-14, after checking its check digit.

    Args:
        text: The GTIN digits; surrounding whitespace is ignored.

    Returns:
        The 14-digit GTIN, padded with leading zeros.

    Raises:
        BarcodeError: When the text is not 8, 12, 13 or 14 digits or the check digit is wrong.

    Example:
        >>> normalize_gtin("9506000134352")
        '09506000134352'
    """
    gtin = text.strip()
    if not _is_digits(gtin) or len(gtin) not in (8, 12, 13, 14):
        raise BarcodeError(
            f"{text!r} is not a GTIN: expected 8, 12, 13 or 14 digits", text=text, ai="01"
        )
    expected = gs1_standard_check_digit(gtin[:-1])
    if int(gtin[-1]) != expected:
        raise BarcodeError(
            f"GTIN {gtin} has check digit {gtin[-1]}, expected {expected}; correct the GTIN",
            text=text,
            ai="01",
        )
    return gtin.zfill(14)


def is_valid_gtin(text: str) -> bool:
    """Return whether ``text`` is a GTIN-8, -12, -13 or -14 with a correct check digit."""
    try:
        normalize_gtin(text)
    except BarcodeError:
        return False
    return True


def sscc(company_prefix: str, serial_reference: str, extension_digit: int = 0) -> str:
    """Build an 18-digit SSCC: extension digit, company prefix, serial reference, check digit.

    Args:
        company_prefix: The GS1 Company Prefix, 6 to 12 digits.
        serial_reference: The serial reference; with the prefix exactly 16 digits.
        extension_digit: The extension digit 0-9, free for the company to use.

    Returns:
        The SSCC, 18 digits.

    Raises:
        BarcodeError: When the parts are not digits or do not add up to 16 digits.

    Example:
        >>> sscc("0614141", "123456789", extension_digit=1)
        '106141411234567897'
    """
    body = f"{extension_digit}{company_prefix}{serial_reference}"
    if not (
        0 <= extension_digit <= 9
        and _is_digits(company_prefix)
        and _is_digits(serial_reference)
        and 6 <= len(company_prefix) <= 12
        and len(company_prefix) + len(serial_reference) == 16
    ):
        raise BarcodeError(
            "An SSCC needs an extension digit 0-9, a 6-12 digit company prefix and a serial "
            "reference of digits making 16 digits with the prefix; got prefix "
            f"{company_prefix!r} ({len(company_prefix)}) and reference {serial_reference!r} "
            f"({len(serial_reference)})",
            text=body,
            ai="00",
        )
    return body + str(gs1_standard_check_digit(body))


def build_elements(
    *,
    gtin: str | None = None,
    sscc: str | None = None,
    content_gtin: str | None = None,
    count: int | None = None,
    production_date: dt.date | None = None,
    best_before: dt.date | None = None,
    expiry: dt.date | None = None,
    lot: str | None = None,
    serial: str | None = None,
    today: dt.date | None = None,
) -> tuple[Element, ...]:
    """Build checked element strings from values, in the order that needs fewest separators.

    Fixed-length AIs (00, 01, 02, dates) come first and lot/serial/count last, so only the
    variable-length ones need a GS between them.

    Args:
        gtin: A GTIN-8/12/13/14 (written as GTIN-14, AI 01).
        sscc: An 18-digit SSCC (AI 00).
        content_gtin: The GTIN of contained items (AI 02).
        count: The count of contained items (AI 37).
        production_date: AI 11.
        best_before: AI 15.
        expiry: AI 17.
        lot: AI 10, up to 20 characters of GS1 character set 82.
        serial: AI 21, up to 20 characters of GS1 character set 82.
        today: The date the barcode will be read around, for the two-digit-year window.
            Defaults to ``date.today()``.

    Returns:
        The elements, ready for :func:`to_element_string`, :func:`to_hri` or
        :func:`to_digital_link`.

    Raises:
        BarcodeError: When a value breaks a GS1 rule (check digit, length, characters,
            pairing such as a serial without a GTIN) or a date is outside the window.
    """
    reference = dt.date.today() if today is None else today
    text = "build_elements"
    pairs: list[tuple[str, str | None]] = [
        ("00", sscc),
        ("01", normalize_gtin(gtin) if gtin is not None else None),
        ("02", normalize_gtin(content_gtin) if content_gtin is not None else None),
    ]
    for ai, day in (("11", production_date), ("15", best_before), ("17", expiry)):
        if day is None:
            pairs.append((ai, None))
            continue
        try:
            pairs.append((ai, encode_date(day, today=reference)))
        except ValueError as e:
            raise BarcodeError(f"AI ({ai}): {e}", text=text, ai=ai) from e
    pairs += [("37", None if count is None else str(count)), ("10", lot), ("21", serial)]
    elements = tuple(Element(ai=ai, value=value) for ai, value in pairs if value is not None)
    check_elements(elements, today=reference)
    return elements


def check_elements(elements: Sequence[Element], *, today: dt.date | None = None) -> None:
    """Check elements (from one scan, or combined from several) against every GS1 rule.

    Use this on the combined elements of all barcodes on one item after parsing each with
    ``check_pairings=False``.

    Args:
        elements: The elements to check.
        today: The reading date for two-digit years. Defaults to ``date.today()``.

    Raises:
        BarcodeError: For the first rule broken.
    """
    reference = dt.date.today() if today is None else today
    text = to_hri(elements)
    if not elements:
        raise BarcodeError("No element strings given", text=text)
    for element in elements:
        _rules.check_element(element, text=text, today=reference)
    _rules.check_repeats(elements, text=text)
    _rules.check_pairings(elements, text=text)


def to_hri(elements: Iterable[Element]) -> str:
    """Write elements as HRI, ``(01)09506000134352(10)ABC``; ``(`` in data is escaped.

    Example:
        >>> to_hri([Element(ai="01", value="09506000134352"), Element(ai="10", value="A(1)")])
        '(01)09506000134352(10)A\\\\(1)'
    """
    return "".join(f"({e.ai}){e.value.replace('(', chr(92) + '(')}" for e in elements)


def to_element_string(elements: Sequence[Element], *, separator: str = GS, prefix: str = "") -> str:
    """Write elements as a GS1 element string, with a separator only where one is needed.

    Args:
        elements: The elements, in the order to write them.
        separator: What marks FNC1 between fields: GS (the default) or a stand-in.
        prefix: Written first: a symbology identifier such as ``"]d2"``, or the separator
            for "FNC1 in first position" when the data goes to an encoder that wants it.

    Returns:
        The element string.

    Example:
        >>> to_element_string(
        ...     [Element(ai="01", value="09506000134352"), Element(ai="10", value="A1"),
        ...      Element(ai="21", value="S1")], separator="^")
        '010950600013435210A1^21S1'
    """
    parts = [prefix]
    for index, element in enumerate(elements):
        parts.append(element.ai + element.value)
        rule = _rules.rule_for(element.ai, text=element.ai + element.value)
        if rule.fnc1 and index < len(elements) - 1:
            parts.append(separator)
    return "".join(parts)


def to_digital_link(elements: Sequence[Element], *, domain: str = "id.gs1.org") -> str:
    """Write elements as a GS1 Digital Link URI (https, key and qualifiers in the path).

    Args:
        elements: Elements with exactly one Digital Link primary key (01, 00, 414, ...).
        domain: The resolver host, e.g. ``"id.example.com"``.

    Returns:
        The URI; other elements go in the query, sorted by AI.

    Raises:
        BarcodeError: When the elements have no primary key or more than one.

    Example:
        >>> to_digital_link(
        ...     [Element(ai="01", value="09506000134352"), Element(ai="10", value="A1")]
        ... )
        'https://id.gs1.org/01/09506000134352/10/A1'
    """
    keys = [e.ai for e in elements if _rules.RULES[e.ai].dl_qualifiers is not None]
    if len(keys) != 1:
        raise BarcodeError(
            f"A Digital Link URI needs exactly one primary key AI (such as 01 or 00); the "
            f"elements have {len(keys)}: {keys}",
            text=to_hri(elements),
        )
    strings = GS1ElementStrings(
        GS1ElementString.parse(e.ai + e.value, config=_BIIP_CONFIG) for e in elements
    )
    return GS1DigitalLinkURI.from_element_strings(strings).as_uri(domain=domain)
