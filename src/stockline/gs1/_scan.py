"""The records a scan is read into."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs


@attrs.frozen(kw_only=True)
class Element:
    """One GS1 element string exactly as it was carried in the barcode.

    Attributes:
        ai: The Application Identifier, e.g. ``"01"`` or ``"3103"``.
        value: The data field, unchanged (dates stay ``YYMMDD``, decimals stay unscaled).
    """

    ai: str
    value: str


@attrs.frozen(kw_only=True)
class Measure:
    """A trade measure from AIs 31nn-36nn (net weight, length, area, volume, ...).

    Attributes:
        ai: The Application Identifier, e.g. ``"3103"``; its last digit is the decimal places.
        value: The measure, scaled by the AI's last digit (``3103`` + ``001250`` is ``1.250``).
        unit: The UN/ECE Recommendation 20 unit code, e.g. ``KGM``, ``MTR``, ``LTR``, ``LBR``.
    """

    ai: str
    value: Decimal
    unit: str


@attrs.frozen(kw_only=True)
class Scan:
    """What one barcode scan says, after every GS1 rule stockline checks has passed.

    Fields are ``None`` (or empty) when the scan does not carry them; where an AI occurs more
    than once (allowed only with the same value) the field holds that value once, and
    ``elements`` keeps every occurrence.

    Attributes:
        gtin: The GTIN of the trade item (AI 01, or a plain GTIN/UPC), always as GTIN-14.
        content_gtin: The GTIN of the trade items contained in a logistic unit (AI 02).
        sscc: The Serial Shipping Container Code (AI 00, or a plain 18-digit SSCC).
        lot: The batch or lot number (AI 10).
        serial: The serial number (AI 21).
        expiry: The expiration ("use by") date (AI 17); day ``00`` is the last day of the month.
        best_before: The best before date (AI 15); day ``00`` is the last day of the month.
        production_date: The production date (AI 11); day ``00`` is the last day of the month.
        count: The count of trade items contained in a logistic unit (AI 37).
        measures: The trade measures (AIs 31nn-36nn) in scan order.
        elements: Every element string in scan order, raw.
        symbology: The symbology identifier the scanner sent (e.g. ``"]d2"``), or ``None``.
        source_format: How the data was written: ``"element_string"``, ``"hri"``,
            ``"digital_link"``, ``"plain_gtin"``, ``"plain_upc_e"`` or ``"plain_sscc"``.
    """

    gtin: str | None = None
    content_gtin: str | None = None
    sscc: str | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    best_before: dt.date | None = None
    production_date: dt.date | None = None
    count: int | None = None
    measures: tuple[Measure, ...] = ()
    elements: tuple[Element, ...] = ()
    symbology: str | None = None
    source_format: str
