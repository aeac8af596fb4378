"""Reading EPC URIs (GS1 Tag Data Standard) and GS1 Digital Link URIs back into GS1 keys.

EPCIS documents name objects by EPC pure-identity URNs (``urn:epc:id:sgtin:...``), EPC class
URNs (``urn:epc:class:lgtin:...``, ``urn:epc:idpat:sgtin:...*``) or GS1 Digital Link URIs
(``https://id.gs1.org/01/.../21/...``). :func:`decode_epc` turns any of them into the GTIN,
serial, lot, SSCC or GLN they stand for, checking what :func:`stockline.gs1.parse` checks for
the same data in a barcode: check digits, character sets, lengths. The URN's dots give the GS1
Company Prefix length, which is kept so the identifier can be written back unchanged with
:func:`~stockline.gs1.sgtin_uri` and friends.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from stockline.errors import BarcodeError
from stockline.gs1 import _rules
from stockline.gs1._dl import looks_like_uri
from stockline.gs1._encode import check_digit
from stockline.gs1._parse import parse
from stockline.gs1._scan import Element

__all__ = ["Epc", "decode_epc"]

_ANY_DAY = dt.date(2000, 1, 1)  # the element checks below involve no two-digit years
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
# TDS "GS3A3" component: the URI characters an EPC serial, lot or extension may carry.
_COMPONENT = re.compile(r"(?:[A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2})+")
_DIGITS = re.compile(r"[0-9]+")


@attrs.frozen(kw_only=True)
class Epc:
    """What an EPC or Digital Link URI identifies.

    Attributes:
        uri: The URI as given.
        kind: ``"sgtin"`` (one serialised trade item), ``"lgtin"`` (a lot of a trade item),
            ``"gtin"`` (any instance of a trade item: ``urn:epc:idpat:sgtin:...*`` or a Digital
            Link with only ``/01/``), ``"sscc"`` (a logistic unit), ``"sgln"`` (a location,
            possibly with an extension) or ``"pgln"`` (a party).
        gtin: The GTIN-14 (sgtin, lgtin, gtin).
        serial: The serial number, unescaped (sgtin).
        lot: The batch/lot, unescaped (lgtin; a Digital Link may carry one with a serial).
        sscc: The 18-digit SSCC (sscc).
        gln: The 13-digit GLN (sgln, pgln).
        extension: The GLN extension (AI 254), ``None`` for the location itself (sgln).
        expiry: The expiry date from a Digital Link's ``?17=`` attribute.
        company_prefix_length: Digits of the GS1 Company Prefix, as the URN's dots mark them;
            ``None`` for a Digital Link URI, which does not mark it.
    """

    uri: str
    kind: str
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    sscc: str | None = None
    gln: str | None = None
    extension: str | None = None
    expiry: dt.date | None = None
    company_prefix_length: int | None = None


def decode_epc(uri: str, *, today: dt.date | None = None) -> Epc:
    """Return the GS1 key an EPC URN or a GS1 Digital Link URI names.

    Decoded: ``urn:epc:id:sgtin``, ``urn:epc:class:lgtin``, ``urn:epc:idpat:sgtin`` with a
    ``*`` serial, ``urn:epc:id:sscc``, ``urn:epc:id:sgln``, ``urn:epc:id:pgln``, and Digital
    Link URIs whose primary key is ``01`` (with ``10``/``21``), ``00``, ``414`` (with ``254``)
    or ``417``. The ``urn:epc`` prefix is read in any letter case, as URN syntax allows.

    Args:
        uri: The identifier.
        today: The date two-digit years of a Digital Link's ``?17=`` are read around; the
            current date when ``None``.

    Returns:
        The decoded identifier.

    Raises:
        BarcodeError: The URI is malformed (a wrong number of digits, a bad check digit, a
            character GS1 does not allow), or it is an identifier of another kind (GRAI,
            GIAI, a company-wide pattern, a plain URL ...), which the message names.

    Example:
        >>> decode_epc("urn:epc:id:sgtin:9506000.013435.A%2F1").gtin
        '09506000134352'
        >>> decode_epc("urn:epc:id:sgtin:9506000.013435.A%2F1").serial
        'A/1'
        >>> decode_epc("urn:epc:id:sscc:0614141.1123456789").sscc
        '106141411234567897'
        >>> decode_epc("https://id.gs1.org/01/09506000134352/10/L7").kind
        'lgtin'
    """
    if not isinstance(uri, str):
        raise BarcodeError(f"an EPC URI must be text, got {type(uri).__name__}", text=repr(uri))
    head = uri[:21].lower()
    for prefix, decoder in _URNS:
        if head.startswith(prefix):
            return decoder(uri, uri[len(prefix) :])
    if head.startswith("urn:epc:"):
        scheme = ":".join(uri.split(":")[2:4])
        raise _error(
            uri,
            f"{scheme!r} is an EPC scheme stockline does not decode; it reads "
            "urn:epc:id:sgtin, urn:epc:class:lgtin, urn:epc:idpat:sgtin (serial *), "
            "urn:epc:id:sscc, urn:epc:id:sgln and urn:epc:id:pgln",
        )
    if looks_like_uri(uri):
        return _digital_link(uri, today)
    raise _error(uri, "it is neither an EPC URN (urn:epc:...) nor a GS1 Digital Link URI")


def _error(uri: str, problem: str) -> BarcodeError:
    return BarcodeError(f"cannot decode EPC {uri!r}: {problem}", text=uri)


def _parts(uri: str, rest: str, count: int, layout: str, *, empty_last: bool = False) -> list[str]:
    # The last component (serial, lot, extension) may itself hold dots.
    parts = rest.split(".", count - 1)
    # A 12-digit company prefix leaves an empty location or party reference.
    if len(parts) != count or not parts[0] or not (parts[-1] or empty_last):
        raise _error(uri, f"expected {layout} after the scheme, found {rest!r}")
    return parts


def _prefix_length(uri: str, prefix: str) -> int:
    if _DIGITS.fullmatch(prefix) is None or not 6 <= len(prefix) <= 12:
        raise _error(uri, f"the GS1 Company Prefix {prefix!r} must be 6 to 12 digits")
    return len(prefix)


def _digits(uri: str, what: str, value: str, length: int) -> None:
    if len(value) != length or (value and _DIGITS.fullmatch(value) is None):
        raise _error(
            uri,
            f"the {what} {value!r} must be {length} digits to complete the Company Prefix "
            "(their total is fixed)",
        )


def _unescape(uri: str, ai: str, value: str) -> str:
    if _COMPONENT.fullmatch(value) is None:
        bad = next((ch for ch in value if _COMPONENT.fullmatch(ch) is None), value)
        raise _error(uri, f"character {bad!r} must be percent-encoded in an EPC URI")
    decoded = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), value)
    try:
        _rules.check_element(Element(ai=ai, value=decoded), text=uri, today=_ANY_DAY)
    except BarcodeError as e:
        raise _error(uri, str(e).partition("; rescan")[0]) from None
    return decoded


def _gtin(uri: str, prefix: str, indicator_item: str) -> tuple[str, int]:
    length = _prefix_length(uri, prefix)
    _digits(uri, "indicator digit and item reference", indicator_item, 13 - length)
    body = indicator_item[0] + prefix + indicator_item[1:]
    return body + str(check_digit(body)), length


def _sgtin(uri: str, rest: str) -> Epc:
    prefix, item, serial = _parts(uri, rest, 3, "CompanyPrefix.IndicatorItemRef.Serial")
    gtin, length = _gtin(uri, prefix, item)
    return Epc(
        uri=uri,
        kind="sgtin",
        gtin=gtin,
        serial=_unescape(uri, "21", serial),
        company_prefix_length=length,
    )


def _lgtin(uri: str, rest: str) -> Epc:
    prefix, item, lot = _parts(uri, rest, 3, "CompanyPrefix.IndicatorItemRef.Lot")
    gtin, length = _gtin(uri, prefix, item)
    return Epc(
        uri=uri,
        kind="lgtin",
        gtin=gtin,
        lot=_unescape(uri, "10", lot),
        company_prefix_length=length,
    )


def _sgtin_pattern(uri: str, rest: str) -> Epc:
    prefix, item, serial = _parts(uri, rest, 3, "CompanyPrefix.IndicatorItemRef.*")
    if item == "*" or serial != "*":
        raise _error(
            uri,
            "only a pattern of every serial of one GTIN (CompanyPrefix.IndicatorItemRef.*) "
            "names a trade item",
        )
    gtin, length = _gtin(uri, prefix, item)
    return Epc(uri=uri, kind="gtin", gtin=gtin, company_prefix_length=length)


def _sscc(uri: str, rest: str) -> Epc:
    prefix, serial_reference = _parts(uri, rest, 2, "CompanyPrefix.SerialReference")
    length = _prefix_length(uri, prefix)
    _digits(uri, "extension digit and serial reference", serial_reference, 17 - length)
    body = serial_reference[0] + prefix + serial_reference[1:]
    return Epc(
        uri=uri, kind="sscc", sscc=body + str(check_digit(body)), company_prefix_length=length
    )


def _gln(uri: str, prefix: str, reference: str) -> tuple[str, int]:
    length = _prefix_length(uri, prefix)
    _digits(uri, "location reference", reference, 12 - length)
    body = prefix + reference
    return body + str(check_digit(body)), length


def _sgln(uri: str, rest: str) -> Epc:
    prefix, reference, extension = _parts(uri, rest, 3, "CompanyPrefix.LocationRef.Extension")
    gln, length = _gln(uri, prefix, reference)
    return Epc(
        uri=uri,
        kind="sgln",
        gln=gln,
        # TDS: extension 0 is the location itself (no AI 254).
        extension=None if extension == "0" else _unescape(uri, "254", extension),
        company_prefix_length=length,
    )


def _pgln(uri: str, rest: str) -> Epc:
    prefix, reference = _parts(uri, rest, 2, "CompanyPrefix.PartyRef", empty_last=True)
    gln, length = _gln(uri, prefix, reference)
    return Epc(uri=uri, kind="pgln", gln=gln, company_prefix_length=length)


_URNS = (
    ("urn:epc:id:sgtin:", _sgtin),
    ("urn:epc:class:lgtin:", _lgtin),
    ("urn:epc:idpat:sgtin:", _sgtin_pattern),
    ("urn:epc:id:sscc:", _sscc),
    ("urn:epc:id:sgln:", _sgln),
    ("urn:epc:id:pgln:", _pgln),
)


def _digital_link(uri: str, today: dt.date | None) -> Epc:
    scan = parse(uri, today=today)
    if scan.source_format != "digital_link":  # pragma: no cover - looks_like_uri guards this
        raise _error(uri, "it is not a GS1 Digital Link URI")
    values = {e.ai: e.value for e in scan.elements}
    if scan.gtin is not None:
        kind = "sgtin" if scan.serial is not None else "lgtin" if scan.lot is not None else "gtin"
        return Epc(
            uri=uri,
            kind=kind,
            gtin=scan.gtin,
            serial=scan.serial,
            lot=scan.lot,
            expiry=scan.expiry,
        )
    if scan.sscc is not None:
        return Epc(uri=uri, kind="sscc", sscc=scan.sscc)
    if "414" in values:
        return Epc(uri=uri, kind="sgln", gln=values["414"], extension=values.get("254"))
    if "417" in values:
        return Epc(uri=uri, kind="pgln", gln=values["417"])
    key = scan.elements[0].ai if scan.elements else "?"
    raise _error(
        uri,
        f"its primary key is AI ({key}), which names no trade item, logistic unit or "
        "location; stockline decodes Digital Link keys 01, 00, 414 and 417",
    )
