"""Reading GS1 Digital Link URIs into element strings, as strictly as the GS1 Syntax Engine.

biip's own Digital Link parser is lenient where a ledger must not be (it zero-pads short
GTINs, keeps the last of duplicated AIs, drops empty values, accepts a path qualifier as a
query attribute), so the URI structure is read here and each element is then checked like
any other element string.
"""

from __future__ import annotations

import re

from stockline.errors import BarcodeError
from stockline.gs1._rules import RULES, AiRule
from stockline.gs1._scan import Element

_SCHEMES = ("http", "https", "HTTP", "HTTPS")
_URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_HOST = re.compile(r"(?:[A-Za-z0-9\-.]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def looks_like_uri(data: str) -> bool:
    """Whether ``data`` starts like an http(s) URI, in any letter case."""
    return data[:8].lower().startswith(("http://", "https://"))


def read_digital_link(uri: str, *, text: str) -> list[Element]:
    """Return the element strings of a GS1 Digital Link URI: path key, qualifiers, query.

    Raises:
        BarcodeError: When the URI is not a valid GS1 Digital Link URI.
    """
    scheme, separator, rest = uri.partition("://")
    if not separator or scheme not in _SCHEMES:
        raise _error(f"the scheme must be http or https, found {scheme!r}", text)
    if _URI_CHARACTERS.fullmatch(rest) is None:
        bad = next(ch for ch in rest if _URI_CHARACTERS.fullmatch(ch) is None)
        raise _error(f"character {bad!r} is not allowed in a URI; percent-encode it", text)
    rest = rest.partition("#")[0]
    location, _, query = rest.partition("?")
    host, slash, path = location.partition("/")
    for part, name in ((path, "path"), (query, "query")):
        # RFC 3986 allows '[' and ']' only around an IP literal host (sections 3.2.2, 3.3, 3.4).
        bracket = next((ch for ch in part if ch in "[]"), None)
        if bracket is not None:
            raise _error(
                f"character {bracket!r} may not appear unencoded in the {name} (RFC 3986); "
                f"percent-encode it as %{ord(bracket):02X}",
                text,
            )
    if _HOST.fullmatch(host) is None:
        raise _error(f"{host!r} is not a valid host name", text)
    segments = path.split("/") if slash else []
    if any(segment == "" for segment in segments):
        raise _error("the path has an empty segment (a doubled or trailing '/')", text)
    start = _find_primary_key(segments)
    if start is None:
        raise _error(
            "no GS1 primary key (such as /01/ for a GTIN or /00/ for an SSCC) followed by "
            "valid qualifiers was found in the path",
            text,
        )
    elements = [
        Element(ai=segments[i], value=_decode(segments[i + 1], text=text, plus_is_space=False))
        for i in range(start, len(segments), 2)
    ]
    primary = RULES[segments[start]]
    forbidden = _qualifiers_in_use(primary, [e.ai for e in elements[1:]])
    elements.extend(_read_query(query, forbidden=forbidden, text=text))
    seen: set[str] = set()
    for element in elements:
        if element.ai in seen:
            raise BarcodeError(
                f"Digital Link URI carries AI ({element.ai}) twice; each AI may appear once",
                text=text,
                ai=element.ai,
            )
        seen.add(element.ai)
    if primary.ai == "01" and len(elements[0].value) != 14:
        # The GS1 Syntax Engine rejects zero-suppressed GTINs unless told otherwise.
        raise BarcodeError(
            f"Digital Link URI carries GTIN {elements[0].value!r} with {len(elements[0].value)} "
            "digits; GS1 Digital Link requires all 14 digits (pad with leading zeros)",
            text=text,
            ai="01",
        )
    return elements


def _find_primary_key(segments: list[str]) -> int | None:
    # Everything before the primary key is a free path prefix ("stem"), which may itself look
    # like an AI ("/00/faux/00/..."); the key is where a well-formed key/qualifier path starts.
    for start in range(len(segments) % 2, len(segments), 2):
        rule = RULES.get(segments[start])
        if rule is None or rule.dl_qualifiers is None:
            continue
        qualifiers = segments[start + 2 :: 2]
        if any(_is_subsequence(qualifiers, seq) for seq in rule.dl_qualifiers):
            return start
    return None


def _is_subsequence(used: list[str], sequence: tuple[str, ...]) -> bool:
    remaining = iter(sequence)
    return all(ai in remaining for ai in used)


def _qualifiers_in_use(primary: AiRule, used: list[str]) -> set[str]:
    # A query may not carry an AI that belongs in the path as a qualifier of this key (in the
    # qualifier sequences still compatible with the path used).
    assert primary.dl_qualifiers is not None
    return {ai for seq in primary.dl_qualifiers if _is_subsequence(used, seq) for ai in seq}


def _read_query(query: str, *, forbidden: set[str], text: str) -> list[Element]:
    elements: list[Element] = []
    for parameter in query.split("&"):
        key, equals, raw = parameter.partition("=")
        if not equals or not key.isdigit() or not key.isascii():
            continue  # non-AI attributes (and empty or bare parameters) carry no GS1 data
        rule = RULES.get(key)
        if rule is None:
            raise BarcodeError(
                f"Digital Link query has numeric key {key!r}, which is not a GS1 AI",
                text=text,
                ai=key,
            )
        if not raw:
            raise BarcodeError(
                f"Digital Link query gives AI {rule.label} an empty value", text=text, ai=key
            )
        if key in forbidden or not rule.dl_attribute:
            raise BarcodeError(
                f"AI {rule.label} is not allowed in the Digital Link query here; it belongs "
                "in the URI path",
                text=text,
                ai=key,
            )
        elements.append(Element(ai=key, value=_decode(raw, text=text, plus_is_space=True)))
    return elements


def _decode(raw: str, *, text: str, plus_is_space: bool) -> str:
    if re.search(r"%(?![0-9A-Fa-f]{2})", raw):
        raise _error(f"{raw!r} has a '%' not followed by two hexadecimal digits", text)
    if plus_is_space:
        raw = raw.replace("+", " ")
    return _PERCENT.sub(lambda m: chr(int(m[1], 16)), raw)


def _error(problem: str, text: str) -> BarcodeError:
    return BarcodeError(f"Not a valid GS1 Digital Link URI: {problem}", text=text)
