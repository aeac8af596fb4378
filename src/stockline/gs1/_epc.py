"""EPC pure-identity URIs (GS1 Tag Data Standard) for the EPCIS export.

Every function needs the length of the GS1 Company Prefix inside the key. It cannot be
derived from the digits: prefixes have 6 to 12 digits and are allocated by each GS1 Member
Organisation, so only GS1's live registry (or the brand owner) knows where the prefix ends.
biip's bundled prefix table is incomplete and ages, so stockline asks for the length rather
than guess and write an EPC that identifies nothing.
"""

from __future__ import annotations

import datetime as dt

from stockline.errors import BarcodeError
from stockline.gs1 import _rules
from stockline.gs1._encode import normalize_gtin
from stockline.gs1._scan import Element

# TDS: characters of GS1 character set 82 that a URN cannot carry as they are.
_ESCAPES = str.maketrans(
    {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
)
_ANY_DAY = dt.date(2000, 1, 1)  # the checks below involve no dates


def _check_prefix_length(length: int, text: str) -> None:
    if not 6 <= length <= 12:
        raise BarcodeError(
            f"company_prefix_length must be 6 to 12, got {length}; ask the brand owner or "
            "GS1's registry (GEPIR) for the GS1 Company Prefix length",
            text=text,
        )


def _escaped(ai: str, value: str) -> str:
    _rules.check_element(Element(ai=ai, value=value), text=value, today=_ANY_DAY)
    return value.translate(_ESCAPES)


def _gtin_parts(gtin: str, company_prefix_length: int) -> tuple[str, str]:
    digits = normalize_gtin(gtin)
    _check_prefix_length(company_prefix_length, gtin)
    prefix = digits[1 : 1 + company_prefix_length]
    indicator_item_reference = digits[0] + digits[1 + company_prefix_length : 13]
    return prefix, indicator_item_reference


def sgtin_uri(gtin: str, serial: str, company_prefix_length: int) -> str:
    """Return the SGTIN EPC URI of one serialised trade item.

    Args:
        gtin: A GTIN-8/12/13/14 (check digit verified).
        serial: The serial number (AI 21 rules: 1-20 characters of GS1 character set 82).
        company_prefix_length: Digits of the GS1 Company Prefix in the GTIN, 6 to 12.

    Returns:
        ``urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial``, with ``"%&/<>?``
        escaped in the serial.

    Raises:
        BarcodeError: When an argument breaks a GS1 rule.

    Example:
        >>> sgtin_uri("09506000134352", "A/1", 7)
        'urn:epc:id:sgtin:9506000.013435.A%2F1'
    """
    prefix, item = _gtin_parts(gtin, company_prefix_length)
    return f"urn:epc:id:sgtin:{prefix}.{item}.{_escaped('21', serial)}"


def lgtin_uri(gtin: str, lot: str, company_prefix_length: int) -> str:
    """Return the LGTIN EPC class URI of one lot of a trade item.

    Args:
        gtin: A GTIN-8/12/13/14 (check digit verified).
        lot: The batch/lot (AI 10 rules: 1-20 characters of GS1 character set 82).
        company_prefix_length: Digits of the GS1 Company Prefix in the GTIN, 6 to 12.

    Returns:
        ``urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot``, escaped like SGTIN.

    Raises:
        BarcodeError: When an argument breaks a GS1 rule.
    """
    prefix, item = _gtin_parts(gtin, company_prefix_length)
    return f"urn:epc:class:lgtin:{prefix}.{item}.{_escaped('10', lot)}"


def sscc_uri(sscc: str, company_prefix_length: int) -> str:
    """Return the SSCC EPC URI of a logistic unit.

    Args:
        sscc: The 18-digit SSCC (check digit verified).
        company_prefix_length: Digits of the GS1 Company Prefix in the SSCC, 6 to 12.

    Returns:
        ``urn:epc:id:sscc:CompanyPrefix.ExtensionSerialReference``.

    Raises:
        BarcodeError: When an argument breaks a GS1 rule.

    Example:
        >>> sscc_uri("106141411234567897", 7)
        'urn:epc:id:sscc:0614141.1123456789'
    """
    _rules.check_element(Element(ai="00", value=sscc), text=sscc, today=_ANY_DAY)
    _check_prefix_length(company_prefix_length, sscc)
    prefix = sscc[1 : 1 + company_prefix_length]
    return f"urn:epc:id:sscc:{prefix}.{sscc[0]}{sscc[1 + company_prefix_length : 17]}"


def sgln_uri(gln: str, extension: str | None, company_prefix_length: int) -> str:
    """Return the SGLN EPC URI of a location.

    Args:
        gln: The 13-digit GLN (check digit verified).
        extension: The GLN extension (AI 254), or ``None`` for the location itself,
            written as ``0`` as TDS requires.
        company_prefix_length: Digits of the GS1 Company Prefix in the GLN, 6 to 12.

    Returns:
        ``urn:epc:id:sgln:CompanyPrefix.LocationReference.Extension``.

    Raises:
        BarcodeError: When an argument breaks a GS1 rule.

    Example:
        >>> sgln_uri("0614141123452", None, 7)
        'urn:epc:id:sgln:0614141.12345.0'
    """
    _rules.check_element(Element(ai="414", value=gln), text=gln, today=_ANY_DAY)
    _check_prefix_length(company_prefix_length, gln)
    suffix = "0" if extension is None else _escaped("254", extension)
    prefix, location = gln[:company_prefix_length], gln[company_prefix_length:12]
    return f"urn:epc:id:sgln:{prefix}.{location}.{suffix}"
