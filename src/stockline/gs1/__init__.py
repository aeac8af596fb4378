"""GS1 barcodes: read scans strictly, write GS1 data, and build EPC URIs.

This is the only part of stockline that uses `biip`. On top of biip it enforces what a
ledger needs and biip leaves out: check digits on every key that has one, AI pairings from
the GS1 Barcode Syntax Dictionary (``req=`` and ``ex=``), repeated AIs, dates and strict
GS1 Digital Link structure.

Example:
    >>> from datetime import date
    >>> from stockline import gs1
    >>> scan = gs1.parse("(01)09506000134352(17)250500(10)ABC123", today=date(2026, 1, 1))
    >>> scan.gtin, scan.lot, scan.expiry.isoformat()
    ('09506000134352', 'ABC123', '2025-05-31')
"""

from typing import TYPE_CHECKING, Any

# The records a scan is read into need nothing but attrs; everything that reads or writes
# GS1 data uses biip and loads on first use, so that importing stockline (whose services
# name these records in their signatures) never loads biip.
from stockline.gs1._scan import Element, Measure, Scan

if TYPE_CHECKING:
    from stockline.gs1._encode import (
        build_elements,
        check_digit,
        check_elements,
        is_valid_gtin,
        normalize_gtin,
        sscc,
        to_digital_link,
        to_element_string,
        to_hri,
    )
    from stockline.gs1._epc import lgtin_uri, sgln_uri, sgtin_uri, sscc_uri
    from stockline.gs1._epc_decode import Epc, decode_epc
    from stockline.gs1._parse import GS, parse
    from stockline.gs1._rules import RULES

__all__ = [
    "GS",
    "RULES",
    "Element",
    "Epc",
    "Measure",
    "Scan",
    "build_elements",
    "check_digit",
    "check_elements",
    "decode_epc",
    "is_valid_gtin",
    "lgtin_uri",
    "normalize_gtin",
    "parse",
    "sgln_uri",
    "sgtin_uri",
    "sscc",
    "sscc_uri",
    "to_digital_link",
    "to_element_string",
    "to_hri",
]

_LAZY = {
    **dict.fromkeys(
        (
            "build_elements",
            "check_digit",
            "check_elements",
            "is_valid_gtin",
            "normalize_gtin",
            "sscc",
            "to_digital_link",
            "to_element_string",
            "to_hri",
        ),
        "_encode",
    ),
    **dict.fromkeys(("lgtin_uri", "sgln_uri", "sgtin_uri", "sscc_uri"), "_epc"),
    **dict.fromkeys(("Epc", "decode_epc"), "_epc_decode"),
    **dict.fromkeys(("GS", "parse"), "_parse"),
    "RULES": "_rules",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stockline.gs1' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"stockline.gs1.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
