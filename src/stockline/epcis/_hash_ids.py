"""GS1 identifiers for the event hash: any EPC or Digital Link URI as one canonical URI.

The CBV 2.0 event hash writes every identifier that carries a GS1 key as a *constrained
canonical* GS1 Digital Link URI: on ``https://id.gs1.org``, with numeric AIs, the finest
identification level only (a serial wins over a lot, a CPV is dropped), no query string, and
each value percent-encoded one way. So an EPC URI, a Digital Link URI on a brand's own domain
(with or without a path prefix, short names such as ``/gtin/``, a zero-suppressed GTIN, escapes
in either letter case) and the same URI on ``id.gs1.org`` all hash alike.

Values are percent-decoded and encoded again the way the GS1 reference implementation writes
them from EPC URIs: every character except letters, digits and ``' - . ; = _`` is escaped
(``S/4`` as ``S%2F4``, ``(`` as ``%28``). An identifier that is not a well-formed GS1 key (a
wrong length, a character outside the AI's character set) is returned as ``None`` and hashed
as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, unquote

__all__ = ["canonical_id", "mod10"]

_DL = "https://id.gs1.org"
_Convert = Callable[[str, list[str], str], "str | None"]


def mod10(digits: str) -> str:
    """The GS1 mod-10 check digit of ``digits``, as text."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def canonical_id(text: str) -> str | None:
    """The constrained canonical Digital Link URI of an EPC or Digital Link URI, else None."""
    if text.startswith("urn:epc:"):
        return _from_epc(text)
    if text.startswith(("http://", "https://")):
        return _from_digital_link(text)
    return None


def _encode(value: str) -> str:
    return quote(value, safe="';=")


# -- values --------------------------------------------------------------------------------

_CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*")
_CSET39 = re.compile(r"[#\-/0-9A-Z]*")
_DIGITS = re.compile(r"[0-9]*")


def _text(charset: re.Pattern[str], low: int, high: int) -> Callable[[str], bool]:
    return lambda value: low <= len(value) <= high and charset.fullmatch(value) is not None


def _digits_then(length: int, rest: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda value: _digits(length)(value[:length]) and rest(value[length:])


def _digits(low: int, high: int | None = None) -> Callable[[str], bool]:
    return _text(_DIGITS, low, low if high is None else high)


#: How the value of each Digital Link key and qualifier reads.
_VALUES: dict[str, Callable[[str], bool]] = {
    "00": _digits(18),
    "01": _digits(14),
    "253": _digits_then(13, _text(_CSET82, 0, 17)),
    "255": _digits_then(13, _digits(0, 12)),
    "401": _text(_CSET82, 1, 30),
    "402": _digits(17),
    "414": _digits(13),
    "417": _digits(13),
    "8003": _digits_then(14, _text(_CSET82, 0, 16)),
    "8004": _text(_CSET82, 1, 30),
    "8006": _digits(18),
    "8010": _text(_CSET39, 1, 30),
    "8017": _digits(18),
    "8018": _digits(18),
    "10": _text(_CSET82, 1, 20),
    "21": _text(_CSET82, 1, 20),
    "235": _text(_CSET82, 1, 28),
    "254": _text(_CSET82, 1, 20),
    "8011": _digits(1, 12),
}
#: The qualifiers kept for each key, finest first: only the first one present is kept.
_QUALIFIERS = {"01": ("21", "235", "10"), "8006": ("21", "10"), "414": ("254",), "8010": ("8011",)}


def _uri(key: str, value: str, *qualifier: str) -> str | None:
    """The canonical URI of a key value and an optional (AI, value) qualifier, if valid."""
    if not _VALUES[key](value):
        return None
    uri = f"{_DL}/{key}/{_encode(value)}"
    if qualifier:
        ai, text = qualifier
        if not _VALUES[ai](text):
            return None
        uri += f"/{ai}/{_encode(text)}"
    return uri


# -- EPC URIs (GS1 Tag Data Standard) --------------------------------------------------------


def _from_epc(text: str) -> str | None:
    fields = text.split(":", 4)
    if len(fields) != 5:
        return None
    _, _, kind, scheme, rest = fields
    convert = _EPC.get((kind, scheme))
    if convert is None:
        return None
    parts = rest.split(".")
    prefix = parts[0]
    if not (6 <= len(prefix) <= 12 and prefix.isdigit() and prefix.isascii()):
        return None
    if re.fullmatch(r"(?:%[0-9A-Fa-f]{2}|[!'()*+,\-.0-9:;=A-Za-z_])*", rest) is None:
        return None
    try:
        return convert(prefix, [unquote(part) for part in parts[1:]], rest)
    except _NotAKeyError:
        return None


class _NotAKeyError(Exception):
    """The URI has the scheme's name but not its shape."""


def _take(parts: list[str], count: int, *, last_holds_dots: bool = False) -> list[str]:
    if last_holds_dots and len(parts) > count:
        parts = [*parts[: count - 1], ".".join(parts[count - 1 :])]
    if len(parts) != count:
        raise _NotAKeyError
    return parts


def _body(prefix: str, reference: str, digits: int, *, indicator: bool = False) -> str:
    if not (reference.isdigit() or reference == "") or len(prefix) + len(reference) != digits:
        raise _NotAKeyError
    body = reference[:1] + prefix + reference[1:] if indicator else prefix + reference
    return body + mod10(body)


def _gtin(prefix: str, reference: str) -> str:
    return _body(prefix, reference, 13, indicator=True)


def _sgtin(prefix: str, parts: list[str], _: str) -> str | None:
    item, serial = _take(parts, 2, last_holds_dots=True)
    return _uri("01", _gtin(prefix, item), "21", serial)


def _lgtin(prefix: str, parts: list[str], _: str) -> str | None:
    item, lot = _take(parts, 2, last_holds_dots=True)
    return _uri("01", _gtin(prefix, item), "10", lot)


def _upui(prefix: str, parts: list[str], _: str) -> str | None:
    item, tpx = _take(parts, 2, last_holds_dots=True)
    return _uri("01", _gtin(prefix, item), "235", tpx)


def _itip(prefix: str, parts: list[str], raw: str) -> str | None:
    item, piece, total, serial = _take(parts, 4, last_holds_dots=True)
    if not (len(piece) == len(total) == 2 and (piece + total).isdigit()):
        raise _NotAKeyError
    key = _gtin(prefix, item) + piece + total
    return _uri("8006", key) if raw.endswith(".*") else _uri("8006", key, "21", serial)


def _sscc(prefix: str, parts: list[str], _: str) -> str | None:
    (reference,) = _take(parts, 1)
    return _uri("00", _body(prefix, reference, 17, indicator=True))


def _sgln(prefix: str, parts: list[str], _: str) -> str | None:
    reference, extension = _take(parts, 2, last_holds_dots=True)
    gln = _body(prefix, reference, 12)
    # Extension 0 is the location itself (TDS), which has no AI 254.
    return _uri("414", gln) if extension == "0" else _uri("414", gln, "254", extension)


def _pgln(prefix: str, parts: list[str], _: str) -> str | None:
    (reference,) = _take(parts, 1)
    return _uri("417", _body(prefix, reference, 12))


def _grai(prefix: str, parts: list[str], raw: str) -> str | None:
    asset, serial = _take(parts, 2, last_holds_dots=True)
    key = "0" + _body(prefix, asset, 12)
    return _uri("8003", key if raw.endswith(".*") else key + serial)


def _gdti(prefix: str, parts: list[str], raw: str) -> str | None:
    document, serial = _take(parts, 2, last_holds_dots=True)
    key = _body(prefix, document, 12)
    return _uri("253", key if raw.endswith(".*") else key + serial)


def _sgcn(prefix: str, parts: list[str], raw: str) -> str | None:
    coupon, serial = _take(parts, 2)
    key = _body(prefix, coupon, 12)
    return _uri("255", key if raw.endswith(".*") else key + serial)


def _cpi(prefix: str, parts: list[str], raw: str) -> str | None:
    reference, serial = _take(parts, 2)
    if raw.endswith(".*"):
        return _uri("8010", prefix + reference)
    return _uri("8010", prefix + reference, "8011", serial)


def _one_reference(ai: str, digits: int | None) -> _Convert:
    def convert(prefix: str, parts: list[str], _: str) -> str | None:
        (reference,) = _take(parts, 1, last_holds_dots=True)
        if digits is None:
            return _uri(ai, prefix + reference)
        return _uri(ai, _body(prefix, reference, digits))

    return convert


def _pattern(convert: _Convert) -> _Convert:
    # An ID pattern names a key only when just its last (serial) component is '*'.
    def of_pattern(prefix: str, parts: list[str], raw: str) -> str | None:
        if not raw.endswith(".*") or "*" in raw[:-1]:
            raise _NotAKeyError
        return convert(prefix, [*parts[:-1], ""], raw)

    return of_pattern


def _gtin_pattern(prefix: str, parts: list[str], raw: str) -> str | None:
    (item, _) = _take(parts, 2)
    return _uri("01", _gtin(prefix, item))


_EPC: dict[tuple[str, str], _Convert] = {
    ("id", "sgtin"): _sgtin,
    ("class", "lgtin"): _lgtin,
    ("id", "sscc"): _sscc,
    ("id", "sgln"): _sgln,
    ("id", "pgln"): _pgln,
    ("id", "grai"): _grai,
    ("id", "giai"): _one_reference("8004", None),
    ("id", "gsrn"): _one_reference("8018", 17),
    ("id", "gsrnp"): _one_reference("8017", 17),
    ("id", "gdti"): _gdti,
    ("id", "sgcn"): _sgcn,
    ("id", "cpi"): _cpi,
    ("id", "ginc"): _one_reference("401", None),
    ("id", "gsin"): _one_reference("402", 16),
    ("id", "itip"): _itip,
    ("id", "upui"): _upui,
    ("idpat", "sgtin"): _pattern(_gtin_pattern),
    ("idpat", "upui"): _pattern(_gtin_pattern),
    ("idpat", "itip"): _pattern(_itip),
    ("idpat", "grai"): _pattern(_grai),
    ("idpat", "gdti"): _pattern(_gdti),
    ("idpat", "sgcn"): _pattern(_sgcn),
    ("idpat", "cpi"): _pattern(_cpi),
}


# -- GS1 Digital Link URIs -------------------------------------------------------------------

_SHORT_NAMES = {
    "gtin": "01",
    "itip": "8006",
    "cpid": "8010",
    "gln": "414",
    "party": "417",
    "gsrnp": "8017",
    "gsrn": "8018",
    "gcn": "255",
    "sscc": "00",
    "gdti": "253",
    "ginc": "401",
    "gsin": "402",
    "grai": "8003",
    "giai": "8004",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
}
_KEYS = frozenset(_VALUES) - {"10", "21", "235", "254", "8011"}


def _from_digital_link(text: str) -> str | None:
    location = text.split("#", 1)[0].split("?", 1)[0]
    segments = [_SHORT_NAMES.get(s, s) for s in location.split("://", 1)[1].split("/")[1:]]
    if segments and segments[-1] == "":
        segments.pop()  # a trailing '/'
    # Anything before the key is the resolver's own path; the key is the first AI segment
    # whose value has at least five characters (no GS1 key is shorter), as the reference reads.
    start = next(
        (
            i
            for i, s in enumerate(segments)
            if s in _KEYS and i + 1 < len(segments) and len(segments[i + 1]) >= 5
        ),
        None,
    )
    if start is None or (len(segments) - start) % 2:
        return None
    pairs = [(segments[i], unquote(segments[i + 1])) for i in range(start, len(segments), 2)]
    key, value = pairs[0]
    qualifiers = dict(pairs[1:])
    if key == "01" and value.isdigit() and len(value) in (8, 12, 13):
        value = value.rjust(14, "0")
    for ai in _QUALIFIERS.get(key, ()):
        if ai in qualifiers:
            return _uri(key, value, ai, qualifiers[ai])
    return _uri(key, value)
