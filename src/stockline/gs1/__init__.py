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
from stockline.gs1._scan import Element, Measure, Scan

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
