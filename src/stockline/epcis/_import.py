"""Reading EPCIS documents into typed events: 2.0 JSON(-LD) here, 1.2 XML through
:mod:`stockline.epcis._xml`.

:func:`read_epcis` loads a document (a parsed ``dict``, JSON text or bytes, a path or an open
file), validates it with :func:`~stockline.epcis._validate.check_epcis` (every problem, with its
JSON path, in one :class:`~stockline.errors.EpcisError`) and returns its events as
:class:`EpcisEvent` records: times as aware datetimes, quantities as ``Decimal`` (JSON numbers
are read as decimals, never floats), CBV terms as their bare words whether the document wrote
``shipping`` or ``https://ref.gs1.org/cbv/BizStep-shipping``. Identifiers stay as URIs; the
receipt expectations decode the ones they need with :func:`stockline.gs1.decode_epc`.

An ``EPCISQueryDocument`` yields the events of its query results, and a stand-alone event
(with its own ``@context``) yields itself. Events that carry an ``errorDeclaration``, and the
events they declare erroneous (same ``eventID``), are marked ``retracted``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import attrs

from stockline.epcis._validate import check_epcis, schema_argument
from stockline.epcis._vocab import bare_word as _bare
from stockline.errors import EpcisError, ValidationError

__all__ = ["EpcisDocument", "EpcisEvent", "QuantityElement", "load_epcis", "read_epcis"]

#: What :func:`read_epcis` accepts: parsed JSON, JSON or XML text or bytes, a path, or an open
#: file.
EpcisSource = Mapping[str, Any] | str | bytes | os.PathLike[str] | IO[str] | IO[bytes]

_FRACTION = re.compile(r"(\.\d+)")
_DECLARED_ENCODING = re.compile(
    r"^(\ufeff?\s*<\?xml[^>]*?\sencoding\s*=\s*[\"'])[A-Za-z0-9._-]*([\"'])"
)


@attrs.frozen(kw_only=True)
class QuantityElement:
    """A quantity of a class of objects (``quantityList`` and friends).

    Attributes:
        epc_class: The class URI (``urn:epc:class:lgtin:...``, ``urn:epc:idpat:sgtin:...*``,
            or a Digital Link URI).
        quantity: How many (instances, or ``uom`` units); ``None`` when the event does not say.
        uom: The UN/ECE Rec 20 unit of ``quantity``; ``None`` means a count of instances.
    """

    epc_class: str
    quantity: Decimal | None = None
    uom: str | None = None


@attrs.frozen(kw_only=True)
class EpcisEvent:
    """One EPCIS event, as read from a document.

    Attributes:
        type: ``ObjectEvent``, ``AggregationEvent``, ``TransactionEvent``,
            ``TransformationEvent``, ``AssociationEvent`` or an extension type URI.
        path: Its JSON path in the document (its element path in an XML document), for
            messages.
        time: ``eventTime``.
        event_id: ``eventID``, if any.
        action: ``ADD``, ``OBSERVE`` or ``DELETE`` (``None`` for a transformation).
        biz_step: The bizStep as a bare CBV word (or the document's own URI).
        disposition: The disposition, likewise.
        epcs: ``epcList``, or for aggregation and association events ``childEPCs``.
        quantities: ``quantityList``, or ``childQuantityList``.
        parent: ``parentID``.
        input_epcs: A transformation's ``inputEPCList``.
        input_quantities: A transformation's ``inputQuantityList``.
        output_epcs: A transformation's ``outputEPCList``.
        output_quantities: A transformation's ``outputQuantityList``.
        ilmd: Instance/lot master data, keys as written (``cbvmda:lotNumber``, ...).
        biz_transactions: ``(type, URI)`` pairs; the type is a bare CBV word, a URI, or ``""``.
        sources: ``(type, URI)`` pairs of ``sourceList``.
        destinations: ``(type, URI)`` pairs of ``destinationList``.
        read_point: ``readPoint.id``.
        biz_location: ``bizLocation.id``.
        retracted: The event carries an ``errorDeclaration``, or another event of the
            document declares an error on its ``eventID``.
    """

    type: str
    path: str
    time: dt.datetime
    event_id: str | None = None
    action: str | None = None
    biz_step: str | None = None
    disposition: str | None = None
    epcs: tuple[str, ...] = ()
    quantities: tuple[QuantityElement, ...] = ()
    parent: str | None = None
    input_epcs: tuple[str, ...] = ()
    input_quantities: tuple[QuantityElement, ...] = ()
    output_epcs: tuple[str, ...] = ()
    output_quantities: tuple[QuantityElement, ...] = ()
    ilmd: Mapping[str, Any] = attrs.field(factory=dict)
    biz_transactions: tuple[tuple[str, str], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    destinations: tuple[tuple[str, str], ...] = ()
    read_point: str | None = None
    biz_location: str | None = None
    retracted: bool = False


@attrs.frozen(kw_only=True)
class EpcisDocument:
    """An EPCIS document's header and events.

    Attributes:
        type: ``EPCISDocument``, ``EPCISQueryDocument``, the event type of a stand-alone
            event, or (EPCIS 1.2 XML) ``EPCISMasterDataDocument``.
        id: The document's ``id``, if any.
        instance_identifier: ``instanceIdentifier`` (1.2: the business document header's
            ``InstanceIdentifier``), if any.
        sender: ``sender`` (1.2: the header's ``Sender/Identifier``), if any.
        receiver: ``receiver`` (1.2: the header's ``Receiver/Identifier``), if any.
        created_at: ``creationDate`` (``None`` for a stand-alone event).
        events: The events in document order.
        digest: The SHA-256 of the document's canonical JSON (sorted keys), or of an XML
            document's elements, attributes and trimmed text, hex: the same content gives the
            same digest however it was formatted.
        classes: The ``EPCClass`` master data of ``epcisHeader.epcisMasterData``: per element
            ``id``, its attributes (``{"cbvmda:lotNumber": ...}``, keys as written) and its
            ``children`` (stockline writes a lot's serials there).
    """

    type: str
    id: str | None = None
    instance_identifier: str | None = None
    sender: str | None = None
    receiver: str | None = None
    created_at: dt.datetime | None = None
    events: tuple[EpcisEvent, ...] = ()
    digest: str = ""
    classes: Mapping[str, tuple[Mapping[str, Any], tuple[str, ...]]] = attrs.field(factory=dict)


def load_epcis(source: EpcisSource) -> Any:
    """Return the parsed JSON of ``source``, with every JSON number as a ``Decimal``.

    A mapping is returned with its float values turned into decimals (by their shortest
    repr, so ``150.5`` is ``Decimal('150.5')``); text that starts with ``{`` or ``[`` is read
    as JSON, other text as a file name.

    Raises:
        EpcisError: The text is not JSON, or the file cannot be read.
    """
    content, where = _content(source)
    if isinstance(content, Mapping):
        return _decimals(_shallow(content, where))
    return _parse(_utf8(content, where) if isinstance(content, bytes) else content, where)


def _content(source: EpcisSource) -> tuple[Mapping[str, Any] | str | bytes, str]:
    """What ``source`` holds (a mapping, text or bytes, a file's bytes) and where it is from."""
    if isinstance(source, Mapping):
        return source, "the mapping given"
    if isinstance(source, bytes):
        return source, "the bytes given"
    if isinstance(source, str) and source.lstrip()[:1] in ("{", "[", "<"):
        return source, "the text given"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), repr(str(path))
        except (OSError, ValueError) as e:  # ValueError: a NUL in the name
            problem = f"{getattr(e, 'strerror', None) or e}"
            raise EpcisError(problems=(("$", problem),), source=repr(str(path))) from e
    if not callable(getattr(source, "read", None)):
        raise ValidationError(
            what="document",
            value=source,
            expected="an EPCIS document: a mapping, JSON or XML text or bytes, a path or an "
            "open file",
        )
    data = source.read()
    if not isinstance(data, str | bytes):
        raise ValidationError(
            what="document", value=source, expected="a file that reads text or bytes"
        )
    return data, "the file given"


def _is_xml(content: Mapping[str, Any] | str | bytes) -> bool:
    """Whether ``content`` is an XML document (it starts with ``<``, after any byte order
    mark and white space; a UTF-16 document starts with its byte order mark)."""
    if isinstance(content, str):
        return content.lstrip("\ufeff \t\r\n")[:1] == "<"
    if isinstance(content, bytes):
        head = content[:4]
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return True
        return content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
    return False


def _utf8(data: bytes, where: str) -> str:
    """``data`` decoded as UTF-8 (a byte order mark allowed), as JSON requires (RFC 8259)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise EpcisError(
            problems=(
                ("$", f"it is not UTF-8 (byte {e.start} is {data[e.start : e.start + 1]!r})"),
            ),
            source=where,
            advice="an EPCIS 2.0 JSON document must be UTF-8 encoded JSON. Re-save it as UTF-8 "
            "(it was probably written as Latin-1 or Windows-1252)",
        ) from e


#: How deep a document may nest arrays and objects; an EPCIS document nests about ten levels
#: (sensor reports included), and deeper nesting only serves to exhaust the reader's stack.
MAX_DEPTH = 64


def _shallow(value: Any, where: str) -> Any:
    """``value``, unless it nests deeper than :data:`MAX_DEPTH` (checked without recursion)."""
    level: list[tuple[Any, int]] = [(value, 0)]
    while level:
        node, depth = level.pop()
        if depth > MAX_DEPTH:
            raise EpcisError(
                problems=(("$", f"it nests arrays and objects deeper than {MAX_DEPTH} levels"),),
                source=where,
                advice="an EPCIS document nests about ten levels; this is not one",
            )
        if isinstance(node, Mapping):
            level.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list | tuple):
            level.extend((v, depth + 1) for v in node)
    return value


def _parse(text: str, where: str) -> Any:
    try:
        return _shallow(json.loads(text, parse_float=Decimal), where)
    except RecursionError:
        raise EpcisError(
            problems=(("$", f"it nests arrays and objects deeper than {MAX_DEPTH} levels"),),
            source=where,
            advice="an EPCIS document nests about ten levels; this is not one",
        ) from None
    except ValueError as e:
        raise EpcisError(
            problems=(("$", f"it is not JSON ({e})"),),
            source=where,
            advice="an EPCIS 2.0 document is a JSON(-LD) object, an EPCIS 1.2 document an XML "
            "EPCISDocument",
        ) from e


def _decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals(v) for v in value]
    return value


def read_epcis(
    source: EpcisSource,
    *,
    schema: str | os.PathLike[str] | Mapping[str, Any] | None = None,
) -> EpcisDocument:
    """Load, validate and read an EPCIS 2.0 JSON(-LD) or EPCIS 1.2 XML document.

    Text, bytes or a file that starts with ``<`` is EPCIS 1.2 XML: it is parsed with
    ``defusedxml`` (a DTD, an entity declaration or an external reference is refused, never
    fetched or expanded), checked against the content model of the EPCIS 1.2 schema, and read
    into the same records as JSON (see :mod:`stockline.epcis._xml`).

    Args:
        source: The document: parsed JSON, JSON or XML text or bytes, a file path, or an open
            file.
        schema: The official GS1 EPCIS JSON schema (path or parsed) to validate with as
            well, through ``jsonschema`` (see :func:`~stockline.epcis._validate.validate_epcis`);
            for XML, the path of ``EPCglobal-epcis-1_2.xsd`` or of its folder, through
            ``xmlschema``.

    Returns:
        The document's header and events.

    Raises:
        EpcisError: The document is not JSON or not valid EPCIS 2.0, or not well-formed or
            not valid EPCIS 1.2 XML, or declares a DTD or entities; the error lists every
            problem with its JSON or element path.
        ValidationError: A JSON schema given for an XML document.

    Example:
        >>> doc = read_epcis('''{
        ...   "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        ...   "type": "EPCISDocument", "schemaVersion": "2.0",
        ...   "creationDate": "2026-03-02T08:00:00Z",
        ...   "epcisBody": {"eventList": [{"type": "ObjectEvent", "action": "OBSERVE",
        ...     "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
        ...     "eventTime": "2026-03-02T07:00:00-05:00", "eventTimeZoneOffset": "-05:00",
        ...     "quantityList": [{"epcClass": "urn:epc:class:lgtin:9506000.013435.L7",
        ...                       "quantity": 12.5, "uom": "KGM"}]}]}}''')
        >>> event = doc.events[0]
        >>> event.biz_step, event.time.isoformat(), event.quantities[0].quantity
        ('shipping', '2026-03-02T07:00:00-05:00', Decimal('12.5'))
    """
    schema = schema_argument(schema)
    content, where = _content(source)
    if _is_xml(content):
        from stockline.epcis._xml import read_xml

        if isinstance(schema, Mapping):
            raise ValidationError(
                what="schema",
                value=schema,
                expected="for an EPCIS 1.2 XML document, the path of the XSD",
            )
        if isinstance(content, str):
            # Text is already decoded: whatever encoding its declaration names, the bytes
            # handed to the parser are UTF-8.
            content = _DECLARED_ENCODING.sub(r"\1UTF-8\2", content, count=1).encode("utf-8")
        assert isinstance(content, bytes)
        return read_xml(content, where=where, schema=schema)
    data = load_epcis(content)
    check_epcis(data, schema=schema)
    return _document(data)


def _document(data: Mapping[str, Any]) -> EpcisDocument:
    kind = data["type"]
    if kind == "EPCISDocument":
        raw_events = data["epcisBody"]["eventList"]
        base = "$.epcisBody.eventList"
    elif kind == "EPCISQueryDocument":
        raw_events = data["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        base = "$.epcisBody.queryResults.resultsBody.eventList"
    else:
        raw_events = [data]
        base = ""
    events = [_event(raw, f"{base}[{i}]" if base else "$") for i, raw in enumerate(raw_events)]
    declared = {e.event_id for e in events if e.retracted and e.event_id is not None}
    events = [attrs.evolve(e, retracted=True) if e.event_id in declared else e for e in events]
    return EpcisDocument(
        type=kind,
        id=data.get("id") if kind in ("EPCISDocument", "EPCISQueryDocument") else None,
        instance_identifier=data.get("instanceIdentifier"),
        sender=data.get("sender"),
        receiver=data.get("receiver"),
        created_at=_time(data["creationDate"]) if "creationDate" in data else None,
        events=tuple(events),
        classes=_classes(data),
        digest=hashlib.sha256(
            json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
        ).hexdigest(),
    )


def _classes(data: Mapping[str, Any]) -> dict[str, tuple[dict[str, Any], tuple[str, ...]]]:
    """The EPCClass vocabulary of a (validated) document's header master data."""
    found: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}
    master = data.get("epcisHeader", {}).get("epcisMasterData", {})
    for vocabulary in master.get("vocabularyList", []):
        if vocabulary["type"] not in (_EPC_CLASS, "EPCClass"):
            continue
        for element in vocabulary.get("vocabularyElementList", []):
            attributes = {a["id"]: a.get("attribute") for a in element.get("attributes", [])}
            found[element["id"]] = (attributes, tuple(element.get("children", [])))
    return found


_EPC_CLASS = "urn:epcglobal:epcis:vtype:EPCClass"


def _event(raw: Mapping[str, Any], path: str) -> EpcisEvent:
    kind = raw["type"]
    child_lists = kind in ("AggregationEvent", "AssociationEvent")
    epcs = raw.get("childEPCs" if child_lists else "epcList", [])
    quantities = raw.get("childQuantityList" if child_lists else "quantityList", [])
    return EpcisEvent(
        type=kind,
        path=path,
        time=_time(raw["eventTime"]),
        event_id=raw.get("eventID"),
        action=raw.get("action"),
        biz_step=_bare(raw.get("bizStep"), "BizStep-"),
        disposition=_bare(raw.get("disposition"), "Disp-"),
        epcs=tuple(epcs),
        quantities=_quantities(quantities),
        parent=raw.get("parentID"),
        input_epcs=tuple(raw.get("inputEPCList", ())),
        input_quantities=_quantities(raw.get("inputQuantityList", ())),
        output_epcs=tuple(raw.get("outputEPCList", ())),
        output_quantities=_quantities(raw.get("outputQuantityList", ())),
        ilmd=dict(raw.get("ilmd", {})),
        biz_transactions=tuple(
            (_bare(b.get("type"), "BTT-") or "", b["bizTransaction"])
            for b in raw.get("bizTransactionList", ())
        ),
        sources=tuple(
            (_bare(s["type"], "SDT-") or "", s["source"]) for s in raw.get("sourceList", ())
        ),
        destinations=tuple(
            (_bare(d["type"], "SDT-") or "", d["destination"])
            for d in raw.get("destinationList", ())
        ),
        read_point=raw.get("readPoint", {}).get("id"),
        biz_location=raw.get("bizLocation", {}).get("id"),
        retracted="errorDeclaration" in raw,
    )


def _quantities(raw: Sequence[Mapping[str, Any]]) -> tuple[QuantityElement, ...]:
    return tuple(
        QuantityElement(
            epc_class=q["epcClass"],
            quantity=None if q.get("quantity") is None else Decimal(q["quantity"]),
            uom=q.get("uom"),
        )
        for q in raw
    )


def _time(text: str) -> dt.datetime:
    """An RFC 3339 date-time the validator accepted, as an aware datetime."""
    value = text.upper().replace("Z", "+00:00")
    # datetime reads at most microseconds; EPCIS allows any number of fraction digits.
    value = _FRACTION.sub(lambda m: m.group(1)[:7].ljust(7, "0"), value, count=1)
    return dt.datetime.fromisoformat(value)
