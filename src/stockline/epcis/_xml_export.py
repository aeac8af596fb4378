"""The ledger as an EPCIS 1.2 XML document, written as both the published 1.2 schema and GS1's
2021 edit of it accept it.

The events are the EPCIS 2.0 events of :mod:`stockline.epcis._export` (same content, same
event hash IDs), each written in 1.2's form: children unqualified and in the schema's fixed
order, ``eventID`` and ``errorDeclaration`` inside ``baseExtension``, an ``epcList`` or
``childEPCs`` always present (empty for lot-level events), quantity lists, sources,
destinations and ILMD inside the event's ``extension``, each ``TransformationEvent`` in an
``EventList/extension`` of its own, CBV terms as their 1.x URNs
(``urn:epcglobal:cbv:bizstep:receiving``), stockline's own fields last in the
``urn:stockline:epcis:`` namespace, and the EPCIS 2.0 ``persistentDisposition`` in the
event's innermost ``extension``.

In 1.2 master data lives in the header, before the events, and the header needs a standard
business document header naming sender and receiver: with a receiver given, the events are
spooled (to a temporary file once they outgrow memory) until the lots they show are known.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from stockline.epcis import _export
from stockline.epcis._events import Event
from stockline.epcis._options import is_gln
from stockline.epcis._vocab import CBV_URNS, STOCKLINE_NAMESPACE
from stockline.errors import ValidationError
from stockline.ledger import Book

__all__ = ["export_xml", "write_xml"]

_SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
_OPENING = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1"'
    ' xmlns:cbvmda="urn:epcglobal:cbv:mda"'
    f' xmlns:sbdh="{_SBDH}"'
    f' xmlns:stockline="{STOCKLINE_NAMESPACE}"'
    ' schemaVersion="1.2" creationDate="{created}">\n'
)
_CLOSING = "</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n"
#: Keys of a 2.0 event written by :func:`_event` in their 1.2 places.
_PLACED = frozenset(
    {
        "type",
        "eventID",
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "errorDeclaration",
        "epcList",
        "childEPCs",
        "parentID",
        "action",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "quantityList",
        "childQuantityList",
        "sourceList",
        "destinationList",
        "ilmd",
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
    }
)


def export_xml(book: Book, *, sender: str | None, receiver: str | None, **kwargs: Any) -> str:
    """The whole document as text (see :meth:`stockline.epcis.Epcis.export_xml`)."""
    with tempfile.SpooledTemporaryFile(mode="w+", encoding="utf-8") as out:
        _write(out, book, sender=sender, receiver=receiver, **kwargs)
        out.seek(0)
        return out.read()


def write_xml(
    book: Book,
    target: str | os.PathLike[str] | IO[str],
    *,
    sender: str | None,
    receiver: str | None,
    **kwargs: Any,
) -> int:
    """Stream the document to ``target`` (see :meth:`stockline.epcis.Epcis.write_xml`); return
    the number of events written."""
    if isinstance(target, str | os.PathLike):
        return _export.write_file(
            target, lambda out: _write(out, book, sender=sender, receiver=receiver, **kwargs)
        )
    return _write(target, book, sender=sender, receiver=receiver, **kwargs)


def _write(
    out: IO[str], book: Book, *, sender: str | None, receiver: str | None, **kwargs: Any
) -> int:
    export = _export.start(book, **kwargs)
    created = export.header["creationDate"]
    options = kwargs.get("options")
    if sender is not None and receiver is None:
        raise ValidationError(
            "sender= names who sends the document's header, which also names its receiver: "
            "pass receiver= as well (or neither, for a document without a header)"
        )
    sender = sender or (None if options is None else options.owner_gln)
    if receiver is not None and sender is None:
        raise ValidationError(
            "receiver= asks for a document header, which also names its sender: pass sender= "
            "or EpcisOptions(owner_gln=...)"
        )
    if receiver is None or sender is None:
        # No header: the events go straight out, and the lots' master data stays with the
        # events' ILMD.
        out.write(_OPENING.format(created=created) + "<EPCISBody>\n<EventList>\n")
        count = _events(out, export.events)
        out.write(_CLOSING)
        return count
    with tempfile.SpooledTemporaryFile(max_size=16 << 20, mode="w+", encoding="utf-8") as spool:
        count = _events(spool, export.events)
        finished = export.finish()
        out.write(_OPENING.format(created=created))
        out.write(_header(finished.get("epcisHeader"), sender, receiver, created, count))
        out.write("<EPCISBody>\n<EventList>\n")
        spool.seek(0)
        while chunk := spool.read(1 << 20):
            out.write(chunk)
    out.write(_CLOSING)
    return count


def _events(out: IO[str], events: Iterable[Event]) -> int:
    count = 0
    for event in events:
        out.write(_event(event))
        count += 1
    return count


# -- the header --------------------------------------------------------------------------------


def _header(
    master: Mapping[str, Any] | None, sender: str, receiver: str, created: str, count: int
) -> str:
    instance = hashlib.sha256(f"{sender}|{receiver}|{created}|{count}".encode()).hexdigest()[:20]
    parts = [
        "<EPCISHeader>\n<sbdh:StandardBusinessDocumentHeader>",
        "<sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>",
        f"<sbdh:Sender>{_identifier(sender)}</sbdh:Sender>",
        f"<sbdh:Receiver>{_identifier(receiver)}</sbdh:Receiver>",
        "<sbdh:DocumentIdentification><sbdh:Standard>EPCglobal</sbdh:Standard>"
        "<sbdh:TypeVersion>1.2</sbdh:TypeVersion>"
        f"<sbdh:InstanceIdentifier>{instance}</sbdh:InstanceIdentifier>"
        "<sbdh:Type>Events</sbdh:Type>"
        f"<sbdh:CreationDateAndTime>{created}</sbdh:CreationDateAndTime>"
        "</sbdh:DocumentIdentification>",
        "</sbdh:StandardBusinessDocumentHeader>\n",
    ]
    vocabularies = [] if master is None else master["epcisMasterData"]["vocabularyList"]
    if vocabularies:
        parts.append("<extension><EPCISMasterData><VocabularyList>\n")
        for vocabulary in vocabularies:
            parts.append(
                f"<Vocabulary type={quoteattr(vocabulary['type'])}><VocabularyElementList>\n"
            )
            for element in vocabulary["vocabularyElementList"]:
                parts.append(f"<VocabularyElement id={quoteattr(element['id'])}>")
                for attribute in element.get("attributes", []):
                    key = attribute["id"]
                    if key.startswith("cbvmda:"):
                        key = "urn:epcglobal:cbv:mda#" + key[len("cbvmda:") :]
                    parts.append(
                        f"<attribute id={quoteattr(key)}>{escape(attribute['attribute'])}"
                        "</attribute>"
                    )
                children = element.get("children", [])
                if children:
                    parts.append("<children>" + _list("id", children) + "</children>")
                parts.append("</VocabularyElement>\n")
            parts.append("</VocabularyElementList></Vocabulary>\n")
        parts.append("</VocabularyList></EPCISMasterData></extension>\n")
    parts.append("</EPCISHeader>\n")
    return "".join(parts)


def _identifier(party: str) -> str:
    authority = ' Authority="GS1"' if is_gln(party) else ""
    return f"<sbdh:Identifier{authority}>{escape(party)}</sbdh:Identifier>"


# -- one event ---------------------------------------------------------------------------------


def _cbv(term: str, prefix: str) -> str:
    """A bare CBV word as its 1.x URN; a URI as written."""
    return term if ":" in term else CBV_URNS[prefix] + term


def _text(name: str, value: str) -> str:
    return f"<{name}>{escape(value)}</{name}>"


def _list(name: str, values: Iterable[str]) -> str:
    return "".join(f"<{name}>{escape(v)}</{name}>" for v in values)


def _quantities(name: str, elements: Iterable[Mapping[str, Any]]) -> str:
    parts = [f"<{name}>"]
    for q in elements:
        parts.append("<quantityElement>" + _text("epcClass", q["epcClass"]))
        if "quantity" in q:
            parts.append(_text("quantity", _decimal(q["quantity"])))
            if "uom" in q:
                parts.append(_text("uom", q["uom"]))
        parts.append("</quantityElement>")
    parts.append(f"</{name}>")
    return "".join(parts)


def _decimal(number: float | Decimal) -> str:
    """A JSON number of the 2.0 event as an ``xsd:decimal`` (which has no exponent: 0.00001,
    never 1e-05)."""
    if isinstance(number, int):
        return str(number)
    return format(Decimal(repr(number)) if isinstance(number, float) else number, "f")


def _typed(name: str, entries: Iterable[Mapping[str, Any]], value: str, prefix: str) -> str:
    parts = [f"<{name}List>"]
    for entry in entries:
        kind = entry.get("type")
        attribute = "" if kind is None else f" type={quoteattr(_cbv(kind, prefix))}"
        parts.append(f"<{name}{attribute}>{escape(entry[value])}</{name}>")
    parts.append(f"</{name}List>")
    return "".join(parts)


def _own(key: str, value: Any) -> str:
    """A field of stockline's (or another) namespace: ``stockline:kind`` as an element."""
    if isinstance(value, Mapping):
        inner = "".join(_own(k, v) for k, v in value.items())
        return f"<{key}>{inner}</{key}>"
    return f"<{key}>{escape(str(value))}</{key}>"


def _event(event: Event) -> str:
    kind = event["type"]
    parts = [
        _text("eventTime", event["eventTime"]),
        _text("recordTime", event["recordTime"]) if "recordTime" in event else "",
        _text("eventTimeZoneOffset", event["eventTimeZoneOffset"]),
    ]
    base = []
    if "eventID" in event:
        base.append(_text("eventID", event["eventID"]))
    if "errorDeclaration" in event:
        declaration = event["errorDeclaration"]
        base.append("<errorDeclaration>" + _text("declarationTime", declaration["declarationTime"]))
        if "reason" in declaration:
            base.append(_text("reason", _cbv(declaration["reason"], "ER-")))
        base += [_own(k, v) for k, v in declaration.items() if k.startswith("stockline:")]
        base.append("</errorDeclaration>")
    if base:
        parts.append("<baseExtension>" + "".join(base) + "</baseExtension>")
    where = _where(event)
    extension: list[str] = []
    if kind == "TransformationEvent":
        if "inputEPCList" in event:
            parts.append("<inputEPCList>" + _list("epc", event["inputEPCList"]) + "</inputEPCList>")
        if "inputQuantityList" in event:
            parts.append(_quantities("inputQuantityList", event["inputQuantityList"]))
        if "outputEPCList" in event:
            parts.append(
                "<outputEPCList>" + _list("epc", event["outputEPCList"]) + "</outputEPCList>"
            )
        if "outputQuantityList" in event:
            parts.append(_quantities("outputQuantityList", event["outputQuantityList"]))
        parts += where
        parts += _lists(event)
        if "ilmd" in event:
            parts.append(_ilmd(event["ilmd"]))
        if "persistentDisposition" in event:
            parts.append("<extension>" + _persistent(event) + "</extension>")
    else:
        children = kind == "AggregationEvent"
        if children and "parentID" in event:
            parts.append(_text("parentID", event["parentID"]))
        epcs = "childEPCs" if children else "epcList"
        parts.append(f"<{epcs}>" + _list("epc", event.get(epcs, ())) + f"</{epcs}>")
        parts.append(_text("action", event["action"]))
        parts += where
        quantities = "childQuantityList" if children else "quantityList"
        if quantities in event:
            extension.append(_quantities(quantities, event[quantities]))
        extension += _lists(event)
        if "ilmd" in event and not children:
            extension.append(_ilmd(event["ilmd"]))
        if "persistentDisposition" in event:
            extension.append("<extension>" + _persistent(event) + "</extension>")
        if extension:
            parts.append("<extension>" + "".join(extension) + "</extension>")
    parts += [_own(k, v) for k, v in event.items() if k not in _PLACED]
    body = f"<{kind}>" + "".join(parts) + f"</{kind}>"
    if kind == "TransformationEvent":
        return f"<extension>{body}</extension>\n"
    return body + "\n"


def _where(event: Event) -> list[str]:
    parts = []
    if "bizStep" in event:
        parts.append(_text("bizStep", _cbv(event["bizStep"], "BizStep-")))
    if "disposition" in event:
        parts.append(_text("disposition", _cbv(event["disposition"], "Disp-")))
    for key in ("readPoint", "bizLocation"):
        if key in event:
            parts.append(f"<{key}>" + _text("id", event[key]["id"]) + f"</{key}>")
    if event["type"] == "TransformationEvent":
        return parts
    if "bizTransactionList" in event:
        parts.append(
            _typed("bizTransaction", event["bizTransactionList"], "bizTransaction", "BTT-")
        )
    return parts


def _lists(event: Event) -> list[str]:
    """A transformation's business transactions, and any event's sources and destinations."""
    parts = []
    if event["type"] == "TransformationEvent" and "bizTransactionList" in event:
        parts.append(
            _typed("bizTransaction", event["bizTransactionList"], "bizTransaction", "BTT-")
        )
    if "sourceList" in event:
        parts.append(_typed("source", event["sourceList"], "source", "SDT-"))
    if "destinationList" in event:
        parts.append(_typed("destination", event["destinationList"], "destination", "SDT-"))
    return parts


def _ilmd(ilmd: Mapping[str, Any]) -> str:
    return "<ilmd>" + "".join(_own(k, v) for k, v in ilmd.items()) + "</ilmd>"


def _persistent(event: Event) -> str:
    persistent = event["persistentDisposition"]
    inner = "".join(
        _list(side, (_cbv(d, "Disp-") for d in persistent[side]))
        for side in ("set", "unset")
        if side in persistent
    )
    return f"<persistentDisposition>{inner}</persistentDisposition>"
