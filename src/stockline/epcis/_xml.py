"""Reading EPCIS 1.2 XML documents into the same typed events as EPCIS 2.0 JSON.

:func:`read_xml` parses a document with a hardened parser (``defusedxml``: a document type
declaration, an entity declaration or a reference to anything outside the document is refused,
never fetched or expanded), checks it against the rules of the EPCIS 1.2 schema
(:mod:`stockline.epcis._xml_check`; every problem, with its path, in one
:class:`~stockline.errors.EpcisError`), optionally validates it with the official XSD as
well, and reads it into :class:`~stockline.epcis.EpcisDocument`:

* ``ObjectEvent``, ``AggregationEvent``, ``TransactionEvent`` and the ``TransformationEvent``
  of ``EventList/extension``, and EPCIS 2.0 events carried in ``EventList/extension/extension``
  (``AssociationEvent``); the 1.2 ``extension``/``baseExtension`` levels are looked through,
  so ``quantityList``, ``sourceList``, ``ilmd``, ``eventID`` and ``errorDeclaration`` are read
  wherever 1.2 puts them;
* CBV 1.x URNs as their bare words (``urn:epcglobal:cbv:bizstep:shipping`` is ``shipping``),
  as the JSON reader does for CBV 2.0 web URIs;
* the standard business document header's sender, receiver and instance identifier, and the
  ``EPCClass`` master data of ``EPCISHeader/extension/EPCISMasterData`` (attribute
  ``urn:epcglobal:cbv:mda#lotNumber`` as ``cbvmda:lotNumber``).

An ``eventTime`` without a time zone is read in the event's ``eventTimeZoneOffset``.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import attrs

from stockline.epcis import _xml_check as _check
from stockline.epcis._import import EpcisDocument, EpcisEvent, QuantityElement
from stockline.epcis._vocab import bare_word as _bare
from stockline.errors import EpcisError

__all__ = ["read_xml"]

_EPCIS_20 = "urn:epcglobal:epcis:xsd:2"
_MDA = "urn:epcglobal:cbv:mda"


# -- parsing -----------------------------------------------------------------------------------


def _iterparse() -> tuple[Any, type[Exception]]:
    try:
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import iterparse
    except ImportError as e:  # pragma: no cover - the extra is part of dev installs
        raise EpcisError(
            problems=(("/", "reading EPCIS 1.2 XML needs defusedxml"),),
            advice="install stockline[xml]",
        ) from e
    return iterparse, DefusedXmlException


def _root(root: Element, where: str) -> str:
    """The kind of document ``root`` starts, refusing anything but EPCIS 1.x documents."""
    kind = _check.local_name(root.tag)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace == _EPCIS_20:
        raise EpcisError(
            problems=(("/", "it is EPCIS 2.0 XML, which stockline does not read"),),
            source=where,
            advice="ask the sender for EPCIS 2.0 JSON-LD or EPCIS 1.2 XML",
        )
    if (namespace, kind) not in (
        (_check.EPCIS_12, "EPCISDocument"),
        (_check.MASTERDATA_12, "EPCISMasterDataDocument"),
    ):
        raise EpcisError(
            problems=(
                (
                    f"/{kind}",
                    f"the root element is {root.tag!r}; an EPCIS 1.2 document is an "
                    f"EPCISDocument in namespace {_check.EPCIS_12!r}",
                ),
            ),
            source=where,
            advice="send the events inside an EPCISDocument",
        )
    return kind


def read_xml(
    data: bytes, *, where: str, schema: str | os.PathLike[str] | None = None
) -> EpcisDocument:
    """Parse, check and read an EPCIS 1.2 XML document.

    The document is read as a stream: each child of ``EventList`` is checked, read and
    dropped as soon as it ends, so memory holds the events read, not the document's tree.

    Args:
        data: The document's bytes.
        where: Where it came from, for messages.
        schema: The official EPCIS 1.2 XSD (``EPCglobal-epcis-1_2.xsd``, or the folder
            holding it and the master-data schema) to validate with as well (needs
            ``xmlschema``, in ``stockline[xml]``).

    Raises:
        EpcisError: It is not well-formed, declares a DTD or entities, is not EPCIS 1.x, or
            breaks the schema; every problem with its path.
    """
    iterparse, refused = _iterparse()
    reader = _Reader()
    found: list[tuple[str, str]] = []
    events: list[EpcisEvent] = []
    digest = hashlib.sha256()
    open_elements: list[Element] = []
    root: Element | None = None
    kind = ""
    typed = False
    entries = 0
    try:
        for step, element in iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        ):
            if step == "start":
                if root is None:
                    root, kind = element, _root(element, where)
                typed = typed or _check.XSI_TYPE in element.attrib
                open_elements.append(element)
                continue
            open_elements.pop()
            if (
                len(open_elements) == 3
                and kind == "EPCISDocument"
                and open_elements[1].tag == "EPCISBody"
                and open_elements[2].tag == "EventList"
            ):
                entries += 1
                path = f"/{kind}/EPCISBody/EventList/{_name(element)}[{entries}]"
                found += _check.entry_problems(element, path)
                if not found:  # once the document is refused, only its problems matter
                    try:
                        events += reader.entry(element, path)
                    except EpcisError as e:
                        found += e.problems
                    except RecursionError:
                        found.append((path, "its elements are nested too deeply to read"))
                _digest(digest, element)
                open_elements[2].remove(element)
    except refused as e:
        raise EpcisError(
            problems=(("/", f"it declares a DTD, an entity or an external reference ({e})"),),
            source=where,
            advice="an EPCIS document needs none of these, and stockline never fetches or "
            "expands them (they are how XML documents read files, reach servers or exhaust "
            "memory). Ask the sender for the document without its DOCTYPE",
        ) from e
    except ParseError as e:
        raise EpcisError(
            problems=(("/", f"it is not well-formed XML ({e})"),),
            source=where,
            advice="ask the sender for a corrected document",
        ) from e
    assert root is not None, "a well-formed document has a root element"
    found = _check.problems(root, data, typed=typed) + found
    if schema is not None:
        namespace = _check.MASTERDATA_12 if kind == "EPCISMasterDataDocument" else _check.EPCIS_12
        found += _check.xsd_problems(data, schema, namespace)
    if found:
        raise EpcisError(
            problems=tuple(found),
            summary="is not valid EPCIS 1.2 XML",
            advice="ask the sender for a corrected document",
        )
    _digest(digest, root)
    return reader.document(root, kind, events, digest.hexdigest())


# -- reading -----------------------------------------------------------------------------------


def _text(element: Element | None) -> str | None:
    if element is None:
        return None
    return (element.text or "").strip()


def _value(element: Element) -> Any:
    """An extension element's value: its text, or its children by name."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return (element.text or "").strip()
    return {_key(c.tag): _value(c) for c in children}


def _key(tag: str) -> str:
    """A qualified element name as the JSON reader keys it: CBV master data as ``cbvmda:``,
    other namespaces as ``{namespace}name``."""
    if tag.startswith("{" + _MDA + "}"):
        return "cbvmda:" + _check.local_name(tag)
    return tag


def _attribute_key(uri: str) -> str:
    """A master-data attribute id: ``urn:epcglobal:cbv:mda#lotNumber`` is ``cbvmda:lotNumber``."""
    for prefix in (_MDA + "#", _MDA + ":"):
        if uri.startswith(prefix):
            return "cbvmda:" + uri[len(prefix) :]
    return uri


@attrs.define
class _Reader:
    """Turns a checked document into :class:`EpcisDocument`."""

    def document(
        self, root: Element, kind: str, events: list[EpcisEvent], digest: str
    ) -> EpcisDocument:
        header = root.find("EPCISHeader")
        sbdh = (
            None
            if header is None
            else header.find(f"{{{_check.SBDH}}}StandardBusinessDocumentHeader")
        )
        classes: dict[str, tuple[Mapping[str, Any], tuple[str, ...]]] = {}
        if kind == "EPCISMasterDataDocument":
            vocabularies = root.find("EPCISBody/VocabularyList")
        else:
            vocabularies = root.find("EPCISHeader/extension/EPCISMasterData/VocabularyList")
        if vocabularies is not None:
            classes = self.classes(vocabularies)
        declared = {e.event_id for e in events if e.retracted and e.event_id is not None}
        events = [attrs.evolve(e, retracted=True) if e.event_id in declared else e for e in events]
        created = root.get("creationDate")
        return EpcisDocument(
            type=kind,
            instance_identifier=_text(
                None
                if sbdh is None
                else sbdh.find(
                    f"{{{_check.SBDH}}}DocumentIdentification/{{{_check.SBDH}}}InstanceIdentifier"
                )
            ),
            sender=self.party(sbdh, "Sender"),
            receiver=self.party(sbdh, "Receiver"),
            created_at=None if created is None else _check.moment(created),
            events=tuple(events),
            classes=classes,
            digest=digest,
        )

    def entry(self, entry: Element, path: str) -> list[EpcisEvent]:
        """The events of one (checked) child of ``EventList``."""
        if entry.tag in ("ObjectEvent", "AggregationEvent", "TransactionEvent"):
            return [self.event(entry, path)]
        if entry.tag != "extension":
            return []  # a QuantityEvent (deprecated since 1.1), or an element of one's own
        events = []
        for inner in entry:
            if inner.tag == "TransformationEvent":
                events.append(self.event(inner, f"{path}/TransformationEvent"))
            elif inner.tag == "extension":
                # EPCIS 2.0 events (AssociationEvent) carried in a 1.2 document.
                events += [
                    self.event(e, f"{path}/extension/{_name(e)}")
                    for e in inner
                    if isinstance(e.tag, str) and e.find("eventTime") is not None
                ]
        return events

    @staticmethod
    def party(sbdh: Element | None, role: str) -> str | None:
        if sbdh is None:
            return None
        return _text(sbdh.find(f"{{{_check.SBDH}}}{role}/{{{_check.SBDH}}}Identifier"))

    @staticmethod
    def classes(vocabularies: Element) -> dict[str, tuple[Mapping[str, Any], tuple[str, ...]]]:
        found: dict[str, tuple[Mapping[str, Any], tuple[str, ...]]] = {}
        for vocabulary in vocabularies.iterfind("Vocabulary"):
            if vocabulary.get("type") not in ("urn:epcglobal:epcis:vtype:EPCClass", "EPCClass"):
                continue
            for element in vocabulary.iterfind("VocabularyElementList/VocabularyElement"):
                attributes = {
                    _attribute_key(a.get("id", "")): _value(a)
                    for a in element.iterfind("attribute")
                }
                children = tuple(_text(c) or "" for c in element.iterfind("children/id"))
                found[(element.get("id") or "").strip()] = (attributes, children)
        return found

    def event(self, element: Element, path: str) -> EpcisEvent:
        fields = _fields(element)
        kind = _check.local_name(element.tag)
        offset = _text(fields.get("eventTimeZoneOffset"))
        time = _check.moment(_text(fields.get("eventTime")) or "", offset)
        if time is None:
            raise EpcisError(
                problems=(
                    (
                        f"{path}/eventTime",
                        "the eventTime has no time zone and the eventTimeZoneOffset does not "
                        "give one",
                    ),
                ),
                summary="is not valid EPCIS 1.2 XML",
            )
        child_lists = kind in ("AggregationEvent", "AssociationEvent")
        epcs = fields.get("childEPCs" if child_lists else "epcList")
        quantities = fields.get("childQuantityList" if child_lists else "quantityList")
        ilmd = fields.get("ilmd")
        return EpcisEvent(
            type=kind,
            path=path,
            time=time,
            event_id=_text(fields.get("eventID")),
            action=_text(fields.get("action")),
            biz_step=_bare(_text(fields.get("bizStep")), "BizStep-"),
            disposition=_bare(_text(fields.get("disposition")), "Disp-"),
            epcs=_epcs(epcs),
            quantities=_quantities(quantities),
            parent=_text(fields.get("parentID")),
            input_epcs=_epcs(fields.get("inputEPCList")),
            input_quantities=_quantities(fields.get("inputQuantityList")),
            output_epcs=_epcs(fields.get("outputEPCList")),
            output_quantities=_quantities(fields.get("outputQuantityList")),
            ilmd={} if ilmd is None else _ilmd(ilmd),
            biz_transactions=_typed(fields.get("bizTransactionList"), "BTT-"),
            sources=_typed(fields.get("sourceList"), "SDT-"),
            destinations=_typed(fields.get("destinationList"), "SDT-"),
            read_point=_text(fields.get("readPoint/id")),
            biz_location=_text(fields.get("bizLocation/id")),
            retracted="errorDeclaration" in fields,
        )


def _fields(event: Element) -> dict[str, Element]:
    """An event's unqualified elements by name, looking through ``extension`` and
    ``baseExtension`` (the 1.1/1.2 places of newer fields), the first of each name."""
    found: dict[str, Element] = {}
    pending = [event]
    while pending:
        element = pending.pop(0)
        for child in element:
            if not isinstance(child.tag, str) or child.tag.startswith("{"):
                continue
            if child.tag in ("extension", "baseExtension"):
                pending.append(child)
            elif child.tag in ("readPoint", "bizLocation"):
                point = child.find("id")
                if point is not None:
                    found.setdefault(child.tag + "/id", point)
            else:
                found.setdefault(child.tag, child)
    return found


def _epcs(element: Element | None) -> tuple[str, ...]:
    if element is None:
        return ()
    return tuple((e.text or "").strip() for e in element.iterfind("epc"))


def _quantities(element: Element | None) -> tuple[QuantityElement, ...]:
    if element is None:
        return ()
    found = []
    for q in element.iterfind("quantityElement"):
        amount = q.find("quantity")
        text = (
            None if amount is None or amount.get(_check.XSI_NIL) in ("true", "1") else amount.text
        )
        try:
            quantity = None if text is None else Decimal(text.strip())
        except InvalidOperation:
            quantity = None
        found.append(
            QuantityElement(
                epc_class=_text(q.find("epcClass")) or "",
                quantity=quantity,
                uom=_text(q.find("uom")),
            )
        )
    return tuple(found)


def _typed(element: Element | None, prefix: str) -> tuple[tuple[str, str], ...]:
    if element is None:
        return ()
    return tuple(
        (_bare(child.get("type"), prefix) or "", (child.text or "").strip())
        for child in element
        if isinstance(child.tag, str)
    )


def _ilmd(element: Element) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "extension":
            found.update(_ilmd(child))
        else:
            found[_key(child.tag)] = _value(child)
    return found


def _digest(digest: Any, top: Element) -> None:
    """Add ``top``'s content (names, attributes, text without surrounding white space, in
    document order; comments left out) to ``digest``: the same content gives the same digest
    however it was indented or which prefixes it used."""
    for element in top.iter():
        children = len(element)  # the parser keeps no comments or processing instructions
        attributes = "\x1f".join(f"{k}={v}" for k, v in sorted(element.attrib.items()))
        text = (element.text or "").strip()
        digest.update(f"{element.tag}\x1e{attributes}\x1e{text}\x1e{children}\x1d".encode())


def _name(element: Element) -> str:
    return _check.local_name(element.tag) if isinstance(element.tag, str) else "?"
