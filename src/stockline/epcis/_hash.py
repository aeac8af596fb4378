"""The EPCIS event hash ID (CBV 2.0, section 8.9): a canonical fingerprint of one event.

The algorithm builds a *pre-hash string* from the event's fields in a fixed property order,
each value canonicalised (times in UTC at millisecond precision, numbers without trailing
zeros, CBV words and URNs as CBV web URIs, EPC URIs and GS1 Digital Link URIs as constrained
canonical Digital Link URIs on ``https://id.gs1.org``, extension and ILMD names as
``{namespace}local``), and hashes it into an RFC 6920 ``ni:`` URI such as
``ni:///sha-256;5f39...?ver=CBV2.0``.

Where the standard's prose leaves a choice open, this follows the GS1 reference
implementation (RalphTro/epcis-event-hash-generator), so the IDs stockline writes are the IDs
a partner computes from the same event:

- ``eventID``, ``recordTime``, ``errorDeclaration`` and comments are left out, so an
  error-declared copy of an event keeps its ID;
- each list's elements are sorted; a business transaction, source or destination reads
  ``type=...`` before its value; extension fields of a read point or business location follow
  its ID, sorted;
- any value that reads as a number is written as one (``23.0`` becomes ``23``);
- a key without a declared prefix expands with the well-known EPCIS prefixes (``cbvmda`` as
  ``urn:epcglobal:cbv:mda``, the XML namespace, as the reference does when the document does
  not redeclare it).

Where the reference implementations disagree (the order of the fields after the business
location, and ``certificationInfo``), ``order`` chooses; see :func:`prehash`.

Sensor data (``sensorElementList``) is not supported: stockline never writes it, and hashing
it is refused rather than done approximately.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from stockline.epcis._hash_ids import canonical_id, mod10
from stockline.epcis._vocab import CBV_WEB, CBV_WORDS
from stockline.errors import ValidationError

__all__ = ["event_hash_id", "mod10", "prehash"]

_ALGORITHMS = {"sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512"}
_VERSION = "CBV2.0"

#: Prefixes every EPCIS 2.0 JSON-LD document may use without declaring them.
_WELL_KNOWN = {
    "gs1": "https://ref.gs1.org/voc/",
    "cbv": "https://ref.gs1.org/cbv/",
    "epcis": "https://ref.gs1.org/epcis/",
    "cbvmda": "urn:epcglobal:cbv:mda",
}
#: Fields that never enter the pre-hash string.
_IGNORED = frozenset(
    {"@context", "type", "eventID", "recordTime", "errorDeclaration", "certificationInfo"}
)
#: Human-readable comments, which the reference leaves out wherever they appear.
_COMMENTS = frozenset({"rdfs:comment", "comment"})
_EPC_LISTS = ("epcList", "parentID", "inputEPCList", "childEPCs")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList")
_ORDERED = frozenset(
    {
        "eventTime",
        "eventTimeZoneOffset",
        *_EPC_LISTS,
        *_QUANTITY_LISTS,
        "outputEPCList",
        "outputQuantityList",
        "action",
        "transformationID",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
    }
)
_URNS = (
    ("urn:epcglobal:cbv:bizstep:", "BizStep-"),
    ("urn:epcglobal:cbv:disp:", "Disp-"),
    ("urn:epcglobal:cbv:btt:", "BTT-"),
    ("urn:epcglobal:cbv:sdt:", "SDT-"),
    ("urn:epcglobal:cbv:er:", "ER-"),
)


#: How the fields after the business location are ordered (see :func:`prehash`).
HashOrder = Literal["table", "ralphtro"]
_ORDERS = ("table", "ralphtro")


def event_hash_id(
    event: Mapping[str, Any],
    *,
    context: Sequence[Any] | str | None = None,
    algorithm: str = "sha-256",
    order: HashOrder = "table",
) -> str:
    """Return the EPCIS event hash ID of one event (a JSON-LD event as a dict).

    Args:
        event: The event, as parsed from EPCIS 2.0 JSON-LD.
        context: The enclosing document's ``@context`` (its prefix declarations name the
            namespaces of extension fields); the event's own ``@context`` when ``None``.
        algorithm: ``sha-256`` (the default the CBV recommends), ``sha-384`` or ``sha-512``.
        order: ``"table"`` (the default, the CBV's property order) or ``"ralphtro"`` (what the
            reference implementation's current code computes); see :func:`prehash`.

    Returns:
        ``ni:///sha-256;<hex digest>?ver=CBV2.0``.

    Raises:
        ValidationError: Not an event this implementation can hash (no ``type`` or
            ``eventTime``, sensor data), an unknown algorithm or order.

    Example:
        >>> event_hash_id({
        ...     "type": "ObjectEvent",
        ...     "eventTime": "2019-10-21T16:45:00.000+02:00",
        ...     "eventTimeZoneOffset": "+01:00",
        ...     "epcList": ["urn:epc:id:sscc:4012345.0111111111"],
        ...     "action": "OBSERVE",
        ...     "bizStep": "inspecting",
        ...     "disposition": "in_progress",
        ...     "readPoint": {"id": "urn:epc:id:sgln:4012345.00024.0"},
        ... })
        'ni:///sha-256;c50842eb714406394a77fb7b517fea621c78a61f65549874de7c9e019afe7b6f?ver=CBV2.0'
    """
    name = _ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
    if name is None:
        raise ValidationError(
            f"hash algorithm must be one of {', '.join(_ALGORITHMS)}, got {algorithm!r}"
        )
    text = prehash(event, context=context, order=order)
    digest = hashlib.new(name, text.encode("utf-8")).hexdigest()
    return f"ni:///{algorithm};{digest}?ver={_VERSION}"


def prehash(
    event: Mapping[str, Any],
    *,
    context: Sequence[Any] | str | None = None,
    order: HashOrder = "table",
) -> str:
    """Return the canonical pre-hash string of one event (what :func:`event_hash_id` hashes).

    The two public reference implementations agree on every field up to the business
    location and differ after it. ``order="table"`` follows the CBV's canonical property
    table: ``bizTransactionList``, ``sourceList``, ``destinationList``, then ILMD and the
    event's extension fields (sorted); ``certificationInfo`` is not hashed. This reproduces
    the openepcis fork's published CBV 2.0 pre-hash. ``order="ralphtro"`` computes what
    RalphTro/epcis-event-hash-generator's current code (and its PyPI package) does:
    ``certificationInfo`` after the time zone offset, ``parentID`` before ``epcList``, and
    the business transactions, sources, destinations, ILMD and extensions as one lexically
    sorted group (so destinations before sources). The two give the same ID to every event
    that has not both a source and a destination list (nor ILMD with a source list, a
    ``certificationInfo``, or a ``parentID`` with an ``epcList``).

    Args:
        event: The event, as parsed from EPCIS 2.0 JSON-LD.
        context: The enclosing document's ``@context``; the event's own when ``None``.
        order: ``"table"`` or ``"ralphtro"``, as above.

    Raises:
        ValidationError: As :func:`event_hash_id`.
    """
    if not isinstance(event, Mapping):
        raise ValidationError(f"an EPCIS event is a JSON object, got {type(event).__name__}")
    if not isinstance(order, str) or order not in _ORDERS:
        raise ValidationError(f"hash order must be 'table' or 'ralphtro', got {order!r}")
    kind = event.get("type")
    if not isinstance(kind, str) or "eventTime" not in event:
        raise ValidationError("an EPCIS event needs a 'type' and an 'eventTime' to be hashed")
    if "sensorElementList" in event:
        raise ValidationError(
            "stockline does not hash events with sensorElementList; use the GS1 reference "
            "implementation for sensor events"
        )
    _check_shape(event)
    try:
        text = _build(event, kind, context, sorted_tail=order == "ralphtro")
        if not text.isascii():
            text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "the event holds text that is not valid Unicode (a lone surrogate); it cannot be hashed"
        ) from None
    except RecursionError:
        raise ValidationError("the event is nested too deeply to be hashed") from None
    return text


def _build(
    event: Mapping[str, Any],
    kind: str,
    context: Sequence[Any] | str | None,
    *,
    sorted_tail: bool,
) -> str:
    names = _namespaces(event.get("@context") if context is None else context)
    parts = [f"eventType={kind}"]
    parts.append(_field("eventTime", event, _timestamp))
    parts.append(_field("eventTimeZoneOffset", event, _canonical))
    if sorted_tail:
        parts.append(_certification(event.get("certificationInfo")))
        parts.append(_field("parentID", event, _canonical))
    parts.append(_epcs("epcList", event))
    if not sorted_tail:
        parts.append(_field("parentID", event, _canonical))
    parts.append(_epcs("inputEPCList", event))
    parts.append(_epcs("childEPCs", event))
    for name in _QUANTITY_LISTS:
        parts.append(_quantities(name, event))
    parts.append(_epcs("outputEPCList", event))
    parts.append(_quantities("outputQuantityList", event))
    parts.append(_field("action", event, _canonical))
    parts.append(_field("transformationID", event, _canonical))
    parts.append(_field("bizStep", event, lambda v: _canonical(_word(v, "BizStep-"))))
    parts.append(_field("disposition", event, lambda v: _canonical(_word(v, "Disp-"))))
    parts.append(_persistent(event.get("persistentDisposition")))
    for name in ("readPoint", "bizLocation"):
        parts.append(_place(name, event.get(name), names))
    lists = [
        _typed("bizTransactionList", "bizTransaction", "BTT-", event),
        _typed("sourceList", "source", "SDT-", event),
        _typed("destinationList", "destination", "SDT-", event),
    ]
    rest = [
        entry
        for key, value in event.items()
        if key not in _ORDERED and key not in _IGNORED and key not in _COMMENTS
        for entry in _generic(_expand(key, names), value, names)
    ]
    if sorted_tail:
        parts.extend(sorted(lists + rest))
    else:
        parts.extend(lists)
        parts.extend(sorted(rest))
    return "".join(parts)


# -- the ordered fields --------------------------------------------------------------------


def _field(name: str, event: Mapping[str, Any], canon: Any) -> str:
    value = event.get(name)
    if value is None:
        return ""
    text = canon(_text(value))
    return f"{name}={text}" if text else ""


def _epcs(name: str, event: Mapping[str, Any]) -> str:
    values = event.get(name)
    if not values:
        return ""
    items = sorted(f"epc={_canonical(_text(v))}" for v in values if _text(v))
    return name + "".join(items) if items else ""


def _quantities(name: str, event: Mapping[str, Any]) -> str:
    elements = event.get(name)
    if not elements:
        return ""
    items = []
    for element in elements:
        text = "".join(
            f"{key}={_canonical(_text(element[key]))}"
            for key in ("epcClass", "quantity", "uom")
            if element.get(key) is not None and _text(element[key])
        )
        if text:
            items.append("quantityElement" + text)
    return name + "".join(sorted(items)) if items else ""


def _persistent(value: Any) -> str:
    if not isinstance(value, Mapping):
        return ""
    words = {key: value.get(key) or () for key in ("set", "unset")}
    text = "".join(
        "".join(sorted(f"{key}={_canonical(_word(_text(v), 'Disp-'))}" for v in values))
        for key, values in words.items()
    )
    return f"persistentDisposition{text}" if text else ""


def _certification(value: Any) -> str:
    values = value if isinstance(value, list) else [] if value is None else [value]
    return "".join(sorted(f"certificationInfo={_canonical(_text(v))}" for v in values))


def _place(name: str, place: Any, names: Mapping[str, str]) -> str:
    """A read point or business location: its ID, then its extension fields, sorted."""
    if not isinstance(place, Mapping):
        return ""
    head = f"{name}id={_canonical(_text(place['id']))}" if place.get("id") else name
    extensions = sorted(
        entry
        for key, value in place.items()
        if key != "id" and not key.startswith("@") and key not in _COMMENTS
        for entry in _generic(_expand(key, names), value, names)
    )
    return head + "".join(extensions) if place.get("id") or extensions else ""


def _typed(name: str, key: str, prefix: str, event: Mapping[str, Any]) -> str:
    elements = event.get(name)
    if not elements:
        return ""
    items = []
    for element in elements:
        kind = element.get("type")
        head = f"type={_canonical(_word(_text(kind), prefix))}" if kind else ""
        items.append(f"{head}{key}={_canonical(_text(element.get(key, '')))}")
    return name + "".join(sorted(items))


# -- extensions and ILMD -------------------------------------------------------------------


def _generic(key: str, value: Any, names: Mapping[str, str]) -> list[str]:
    if isinstance(value, list):
        return [entry for element in value for entry in _generic(key, element, names)]
    if isinstance(value, Mapping):
        if not all(isinstance(child, str) for child in value):
            raise ValidationError(f"the field names inside {key} must be text")
        inner = [
            entry
            for child, child_value in value.items()
            if not child.startswith("@") and child != "#text" and child not in _COMMENTS
            for entry in _generic(_expand(child, names), child_value, names)
        ]
        text = value.get("#text")
        head = f"{key}={_canonical(_text(text))}" if text not in (None, "") else key
        return [head + "".join(sorted(inner))]
    text = _text(value).strip()
    return [f"{key}={_canonical(text)}" if text else key]


def _namespaces(context: Sequence[Any] | str | None) -> dict[str, str]:
    names = dict(_WELL_KNOWN)
    if isinstance(context, Sequence) and not isinstance(context, str):
        for entry in context:
            if isinstance(entry, Mapping):
                names.update({k: v for k, v in entry.items() if isinstance(v, str)})
    return names


def _expand(key: str, names: Mapping[str, str]) -> str:
    prefix, colon, local = key.partition(":")
    if colon and prefix in names:
        return "{" + names[prefix] + "}" + local
    return key


# -- value canonicalisation ----------------------------------------------------------------


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is not None and not isinstance(value, _SCALARS):
        raise ValidationError(
            f"an EPCIS event value must be text or a number here, got {type(value).__name__}"
        )
    return "" if value is None else str(value).strip()


# -- the event's shape ---------------------------------------------------------------------

_SCALARS = (str, int, float)


_OBJECT = "object"
_SHAPES: dict[str, tuple[Any, str]] = {
    **dict.fromkeys(("epcList", "inputEPCList", "childEPCs", "outputEPCList"), (_SCALARS, "URIs")),
    **dict.fromkeys(
        (*_QUANTITY_LISTS, "outputQuantityList"), (Mapping, "quantity elements (objects)")
    ),
    **dict.fromkeys(("bizTransactionList", "sourceList", "destinationList"), (Mapping, "objects")),
    **dict.fromkeys(("readPoint", "bizLocation", "persistentDisposition"), (_OBJECT, "")),
}


def _check_shape(event: Mapping[str, Any]) -> None:
    """Refuse fields of the wrong JSON type, naming the field, before anything is built."""
    for key, value in event.items():
        if type(key) is not str:
            raise ValidationError(f"an EPCIS event's field names are text, got {key!r}")
        shape = _SHAPES.get(key)
        if shape is None or value is None:
            continue
        kind, what = shape
        if kind is not _OBJECT:
            _list_of(key, value, kind, what)
        elif not _is_object(value):
            raise ValidationError(f"{key} must be an object, got {type(value).__name__}")
    persistent = event.get("persistentDisposition") or {}
    for name in ("set", "unset"):
        _list_of(f"persistentDisposition.{name}", persistent.get(name), _SCALARS, "words")


def _is_object(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _list_of(name: str, value: Any, kind: Any, what: str) -> None:
    if value is None:
        return
    test = _is_object if kind is Mapping else lambda item: isinstance(item, kind)
    if type(value) is not list or not all(test(item) for item in value):
        raise ValidationError(f"{name} must be a list of {what}, got {value!r:.80}")


def _word(value: str, kind: str) -> str:
    """A bare CBV word (``receiving``) as its web URI; anything else unchanged."""
    return f"{CBV_WEB}{kind}{value}" if value in CBV_WORDS.get(kind, ()) else value


@functools.lru_cache(maxsize=1 << 16)
def _canonical(text: str) -> str:
    # Cached: an export repeats the same item, location and party URIs in every event; the
    # bound keeps memory flat however many distinct values pass through.
    for urn, kind in _URNS:
        if text.startswith(urn):
            text = CBV_WEB + kind + text[len(urn) :]
    text = _numeric(text)
    return canonical_id(text) or text


def _numeric(text: str) -> str:
    # As the reference does: anything Python reads as a float is written back as one, and an
    # integral value without its ".0".
    try:
        number = float(text)
        return str(int(number)) if number == int(number) else str(number)
    except (ValueError, OverflowError):
        return text


def _timestamp(text: str) -> str:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return _canonical(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    when = when.astimezone(dt.UTC)
    # Round (half to even, as Python's round()) to the millisecond.
    millis = round(when.microsecond, -3)
    when = when.replace(microsecond=0) + dt.timedelta(microseconds=millis)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
