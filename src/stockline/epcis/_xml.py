"""Reading EPCIS 1.2 XML documents into the same typed events as EPCIS 2.0 JSON.

:func:`read_xml` parses a document with a hardened parser (``defusedxml``: a document type
declaration, an entity declaration or a reference to anything outside the document is refused,
never fetched or expanded), checks it against the content model of the EPCIS 1.2 schema
(element order, required elements, actions, dates and decimals: every problem, with its
path, in one :class:`~stockline.errors.EpcisError`), optionally validates it with the
official XSD as well, and reads it into :class:`~stockline.epcis.EpcisDocument`:

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

import datetime as dt
import functools
import hashlib
import io
import os
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import attrs

from stockline.epcis._import import EpcisDocument, EpcisEvent, QuantityElement
from stockline.epcis._vocab import bare_word as _bare
from stockline.errors import EpcisError

__all__ = ["EPCIS_12", "MASTERDATA_12", "read_xml"]

#: The target namespace of EPCIS 1.x capture documents.
EPCIS_12 = "urn:epcglobal:epcis:xsd:1"
#: The target namespace of EPCIS 1.x master-data documents.
MASTERDATA_12 = "urn:epcglobal:epcis-masterdata:xsd:1"
_EPCIS_20 = "urn:epcglobal:epcis:xsd:2"
_SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
_MDA = "urn:epcglobal:cbv:mda"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_NIL = f"{{{_XSI}}}nil"
_XSI_TYPE = f"{{{_XSI}}}type"
_XSD = "http://www.w3.org/2001/XMLSchema"

_DATE_TIME = re.compile(
    r"-?\d{4,}-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?", re.ASCII
)
_OFFSET = re.compile(r"[+-](\d\d):(\d\d)", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
_ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})

# -- the content model of the EPCIS 1.2 schema (EPCglobal-epcis-1_2.xsd) ------------------------
#
# Each complex type is its sequence of unqualified elements, (name, required, repeats, type),
# and what may follow it: "other" (elements of other namespaces), "local" (an extension point:
# anything unqualified) or None. The simple types are checked by _SIMPLE.

_Slot = tuple[str, bool, bool, str]
_BASE: list[_Slot] = [
    ("eventTime", True, False, "dateTime"),
    ("recordTime", False, False, "dateTime"),
    ("eventTimeZoneOffset", True, False, "string"),
    ("baseExtension", False, False, "BaseExtension"),
]
_WHERE: list[_Slot] = [
    ("bizStep", False, False, "uri"),
    ("disposition", False, False, "uri"),
    ("readPoint", False, False, "Place"),
    ("bizLocation", False, False, "Place"),
]
_MODEL: dict[str, tuple[list[_Slot], str | None]] = {
    "EPCISDocument": (
        [
            ("EPCISHeader", False, False, "EPCISHeader"),
            ("EPCISBody", True, False, "EPCISBody"),
            ("extension", False, False, "Local"),
        ],
        "other",
    ),
    "EPCISHeader": (
        [
            (f"{{{_SBDH}}}StandardBusinessDocumentHeader", True, False, "Any"),
            ("extension", False, False, "HeaderExtension"),
        ],
        "other",
    ),
    "HeaderExtension": (
        [
            ("EPCISMasterData", False, False, "EPCISMasterData"),
            ("extension", False, False, "Local"),
        ],
        None,
    ),
    "EPCISMasterData": (
        [("VocabularyList", True, False, "VocabularyList"), ("extension", False, False, "Local")],
        None,
    ),
    "VocabularyList": ([("Vocabulary", False, True, "Vocabulary")], None),
    "Vocabulary": (
        [
            ("VocabularyElementList", False, False, "VocabularyElementList"),
            ("extension", False, False, "Local"),
        ],
        "other",
    ),
    "VocabularyElementList": ([("VocabularyElement", True, True, "VocabularyElement")], None),
    "VocabularyElement": (
        [
            ("attribute", False, True, "Any"),
            ("children", False, False, "IDList"),
            ("extension", False, False, "Local"),
        ],
        "other",
    ),
    "IDList": ([("id", False, True, "uri")], None),
    "EPCISBody": (
        [("EventList", False, False, "EventList"), ("extension", False, False, "Local")],
        "other",
    ),
    "ObjectEvent": (
        [
            *_BASE,
            ("epcList", True, False, "EPCList"),
            ("action", True, False, "action"),
            *_WHERE,
            ("bizTransactionList", False, False, "BizTransactionList"),
            ("extension", False, False, "ObjectEventExtension"),
        ],
        "other",
    ),
    "ObjectEventExtension": (
        [
            ("quantityList", False, False, "QuantityList"),
            ("sourceList", False, False, "SourceList"),
            ("destinationList", False, False, "DestinationList"),
            ("ilmd", False, False, "ILMD"),
            ("extension", False, False, "Local"),
        ],
        None,
    ),
    "AggregationEvent": (
        [
            *_BASE,
            ("parentID", False, False, "uri"),
            ("childEPCs", True, False, "EPCList"),
            ("action", True, False, "action"),
            *_WHERE,
            ("bizTransactionList", False, False, "BizTransactionList"),
            ("extension", False, False, "AggregationEventExtension"),
        ],
        "other",
    ),
    "AggregationEventExtension": (
        [
            ("childQuantityList", False, False, "QuantityList"),
            ("sourceList", False, False, "SourceList"),
            ("destinationList", False, False, "DestinationList"),
            ("extension", False, False, "Local"),
        ],
        None,
    ),
    "QuantityEvent": (
        [
            *_BASE,
            ("epcClass", True, False, "uri"),
            ("quantity", True, False, "int"),
            *_WHERE,
            ("bizTransactionList", False, False, "BizTransactionList"),
            ("extension", False, False, "Local"),
        ],
        "other",
    ),
    "TransactionEvent": (
        [
            *_BASE,
            ("bizTransactionList", True, False, "BizTransactionList"),
            ("parentID", False, False, "uri"),
            ("epcList", True, False, "EPCList"),
            ("action", True, False, "action"),
            *_WHERE,
            ("extension", False, False, "TransactionEventExtension"),
        ],
        "other",
    ),
    "TransactionEventExtension": (
        [
            ("quantityList", False, False, "QuantityList"),
            ("sourceList", False, False, "SourceList"),
            ("destinationList", False, False, "DestinationList"),
            ("extension", False, False, "Local"),
        ],
        None,
    ),
    "TransformationEvent": (
        [
            *_BASE,
            ("inputEPCList", False, False, "EPCList"),
            ("inputQuantityList", False, False, "QuantityList"),
            ("outputEPCList", False, False, "EPCList"),
            ("outputQuantityList", False, False, "QuantityList"),
            ("transformationID", False, False, "uri"),
            *_WHERE,
            ("bizTransactionList", False, False, "BizTransactionList"),
            ("sourceList", False, False, "SourceList"),
            ("destinationList", False, False, "DestinationList"),
            ("ilmd", False, False, "ILMD"),
            ("extension", False, False, "Local"),
        ],
        "other",
    ),
    "BaseExtension": (
        [
            ("eventID", False, False, "uri"),
            ("errorDeclaration", False, False, "ErrorDeclaration"),
            ("extension", False, False, "Local"),
        ],
        None,
    ),
    "ErrorDeclaration": (
        [
            ("declarationTime", True, False, "dateTime"),
            ("reason", False, False, "uri"),
            ("correctiveEventIDs", False, False, "CorrectiveEventIDs"),
            ("extension", False, False, "Local"),
        ],
        "other",
    ),
    "CorrectiveEventIDs": ([("correctiveEventID", False, True, "uri")], None),
    "EPCList": ([("epc", False, True, "uri")], None),
    "QuantityList": ([("quantityElement", False, True, "QuantityElement")], None),
    "QuantityElement": (
        [
            ("epcClass", True, False, "uri"),
            ("quantity", False, False, "decimal"),
            ("uom", False, False, "string"),
        ],
        None,
    ),
    "BizTransactionList": ([("bizTransaction", True, True, "typed")], None),
    "SourceList": ([("source", True, True, "typed!")], None),
    "DestinationList": ([("destination", True, True, "typed!")], None),
    "Place": ([("id", True, False, "uri"), ("extension", False, False, "Local")], "other"),
    "ILMD": ([("extension", False, False, "Local")], "other"),
}
#: Types whose content is not checked (foreign content).
_OPEN = frozenset({"Any"})


@attrs.define
class _Checker:
    """Checks a parsed document against :data:`_MODEL`, collecting every problem."""

    problems: list[tuple[str, str]] = attrs.field(factory=list)

    def problem(self, path: str, text: str) -> None:
        self.problems.append((path, text))

    def check(self, element: Element, kind: str, path: str) -> None:
        if kind in _OPEN:
            return
        if kind == "Local":
            self.local(element, path)
            return
        if kind == "EventList":
            self.event_list(element, path)
            return
        simple = _SIMPLE.get(kind.rstrip("!"))
        if simple is not None:
            self.simple(element, kind, path, simple)
            return
        slots, rest = _MODEL[kind]
        text = (element.text or "").strip()
        if text or any((child.tail or "").strip() for child in element):
            self.problem(path, f"<{_name(element)}> holds text; it holds only elements")
        position, counts = 0, [0] * len(slots)
        for child in element:
            if not isinstance(child.tag, str):
                continue  # a comment or processing instruction
            where = f"{path}/{_name(child)}"
            index = next((i for i in range(position, len(slots)) if slots[i][0] == child.tag), None)
            if index is not None and (index > position or slots[index][2] or not counts[index]):
                position = index
                counts[index] += 1
                self.check(child, slots[index][3], where)
                continue
            if _allowed(child.tag, rest):
                position = len(slots)
                continue
            self.problem(where, _unexpected(child, slots, position, rest))
        for (name, required, _, _), count in zip(slots, counts, strict=True):
            if required and not count:
                self.problem(path, f"<{_name(element)}> lacks the required <{_local(name)}>")

    def event_list(self, element: Element, path: str) -> None:
        for i, child in enumerate(element, start=1):
            if not isinstance(child.tag, str):
                continue
            where = f"{path}/{_name(child)}[{i}]"
            if child.tag in ("ObjectEvent", "AggregationEvent", "TransactionEvent"):
                self.check(child, child.tag, where)
            elif child.tag == "QuantityEvent":
                self.check(child, "QuantityEvent", where)
            elif child.tag == "extension":
                inner = [c for c in child if isinstance(c.tag, str)]
                if len(inner) != 1 or inner[0].tag not in ("TransformationEvent", "extension"):
                    self.problem(
                        where,
                        "an EventList <extension> holds exactly one <TransformationEvent> or "
                        f"one <extension>, not {_listing(inner)}",
                    )
                elif inner[0].tag == "TransformationEvent":
                    self.check(inner[0], "TransformationEvent", f"{where}/TransformationEvent")
            elif not _allowed(child.tag, "other"):
                self.problem(
                    where,
                    f"<{_name(child)}> is not an EPCIS 1.2 event (ObjectEvent, AggregationEvent, "
                    "TransactionEvent, or a TransformationEvent inside <extension>)",
                )

    def local(self, element: Element, path: str) -> None:
        """An extension point: one or more unqualified elements, nothing else."""
        children = [c for c in element if isinstance(c.tag, str)]
        if (element.text or "").strip() or any((c.tail or "").strip() for c in element):
            self.problem(path, "an <extension> holds elements, not text")
        if not children:
            self.problem(path, "an <extension> holds at least one element; leave it out instead")
        for child in children:
            if child.tag.startswith("{"):
                self.problem(
                    f"{path}/{_name(child)}",
                    f"<{_name(child)}> is qualified; an <extension> holds only unqualified "
                    "elements (put elements of your own namespace after the standard ones)",
                )

    def simple(self, element: Element, kind: str, path: str, check: Any) -> None:
        if any(isinstance(c.tag, str) for c in element):
            self.problem(path, f"<{_name(element)}> holds elements; it holds a value")
            return
        if kind.startswith("typed") and kind.endswith("!") and "type" not in element.attrib:
            self.problem(path, f"<{_name(element)}> lacks its type attribute")
        if element.get(_XSI_NIL) in ("true", "1"):
            self.problem(path, f"<{_name(element)}> may not be nil in EPCIS 1.2")
            return
        why = check(element.text or "")
        if why is not None:
            self.problem(path, why)


def _date_time_problem(text: str) -> str | None:
    value = text.strip()
    match = _DATE_TIME.fullmatch(value)
    if match is None or _moment(value) is None:
        return f"{value!r} is not an xsd:dateTime (such as 2026-03-02T08:00:00Z)"
    return None


def _decimal_problem(text: str) -> str | None:
    value = text.strip()
    return None if _DECIMAL.fullmatch(value) else f"{value!r} is not a decimal number"


def _int_problem(text: str) -> str | None:
    value = text.strip()
    return None if re.fullmatch(r"[+-]?\d+", value) else f"{value!r} is not an integer"


def _action_problem(text: str) -> str | None:
    value = text.strip()
    return (
        None if value in _ACTIONS else f"{value!r} is not an action; it is ADD, OBSERVE or DELETE"
    )


def _no_problem(text: str) -> str | None:
    return None


_SIMPLE = {
    "dateTime": _date_time_problem,
    "decimal": _decimal_problem,
    "int": _int_problem,
    "action": _action_problem,
    "uri": _no_problem,
    "string": _no_problem,
    "typed": _no_problem,
}


def _allowed(tag: str, rest: str | None) -> bool:
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    if rest == "other":
        return namespace not in ("", EPCIS_12)
    return rest == "local" and namespace == ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _name(element: Element) -> str:
    return _local(element.tag) if isinstance(element.tag, str) else "?"


def _listing(elements: Sequence[Element]) -> str:
    return "nothing" if not elements else ", ".join(f"<{_name(e)}>" for e in elements)


def _unexpected(child: Element, slots: list[_Slot], position: int, rest: str | None) -> str:
    name = _name(child)
    if child.tag == f"{{{EPCIS_12}}}{name}":
        return f"<{name}> is in the EPCIS namespace; the children of EPCIS elements are unqualified"
    known = [s[0] for s in slots]
    if child.tag in known:
        return f"<{name}> is out of order or repeated; EPCIS 1.2 fixes the order of the elements"
    expected = [f"<{_local(s[0])}>" for s in slots[position:]]
    if rest == "other":
        expected.append("elements of your own namespace (last)")
    return f"<{name}> is not allowed here (expected {', '.join(expected) or 'nothing more'})"


# -- parsing -----------------------------------------------------------------------------------


def _parse(data: bytes, where: str) -> Element:
    """The document's root, parsed with every DTD, entity and external reference refused."""
    try:
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import fromstring
    except ImportError as e:  # pragma: no cover - the extra is part of dev installs
        raise EpcisError(
            problems=(("/", "reading EPCIS 1.2 XML needs defusedxml"),),
            source=where,
            advice="install stockline[xml]",
        ) from e
    try:
        root: Element = fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as e:
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
    return root


def read_xml(
    data: bytes, *, where: str, schema: str | os.PathLike[str] | None = None
) -> EpcisDocument:
    """Parse, check and read an EPCIS 1.2 XML document.

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
    root = _parse(data, where)
    kind = _local(root.tag)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace == _EPCIS_20:
        raise EpcisError(
            problems=(("/", "it is EPCIS 2.0 XML, which stockline does not read"),),
            source=where,
            advice="ask the sender for EPCIS 2.0 JSON-LD or EPCIS 1.2 XML",
        )
    if (namespace, kind) not in ((EPCIS_12, "EPCISDocument"), (MASTERDATA_12, kind)) or (
        namespace == MASTERDATA_12 and kind != "EPCISMasterDataDocument"
    ):
        raise EpcisError(
            problems=(
                (
                    f"/{kind}",
                    f"the root element is {root.tag!r}; an EPCIS 1.2 document is an "
                    f"EPCISDocument in namespace {EPCIS_12!r}",
                ),
            ),
            source=where,
            advice="send the events inside an EPCISDocument",
        )
    checker = _Checker()
    path = f"/{kind}"
    for attribute in ("schemaVersion", "creationDate"):
        if attribute not in root.attrib:
            checker.problem(path, f"<{kind}> lacks the required attribute {attribute}")
    if "creationDate" in root.attrib:
        why = _date_time_problem(root.attrib["creationDate"])
        if why is not None:
            checker.problem(f"{path}/@creationDate", why)
    if "schemaVersion" in root.attrib and _decimal_problem(root.attrib["schemaVersion"]):
        checker.problem(f"{path}/@schemaVersion", "the schemaVersion is not a number such as 1.2")
    if kind == "EPCISDocument":
        checker.check(root, "EPCISDocument", path)
    if b"XMLSchema-instance" in data and any(_XSI_TYPE in e.attrib for e in root.iter()):
        checker.problems += _xsi_type_problems(data)
    if schema is not None:
        checker.problems += _xsd_problems(data, schema, namespace)
    if checker.problems:
        raise EpcisError(
            problems=tuple(checker.problems),
            summary="is not valid EPCIS 1.2 XML",
            advice="ask the sender for a corrected document",
        )
    return _Reader().document(root, kind, data)


def _xsi_type_problems(data: bytes) -> list[tuple[str, str]]:
    """What the schema says of ``xsi:type`` attributes (user extensions use them): the type's
    prefix must be declared, and a value typed as a built-in date-time or number must be one."""
    from defusedxml.ElementTree import iterparse

    problems: list[tuple[str, str]] = []
    typed_values: list[tuple[Element, str, Any]] = []
    scopes: list[dict[str, str]] = [{}]
    names: list[str] = []
    declared: dict[str, str] = {}
    for event, item in iterparse(
        io.BytesIO(data),
        events=("start-ns", "start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    ):
        if event == "start-ns":
            prefix, uri = item
            declared[prefix] = uri
            continue
        if event == "end":
            scopes.pop()
            names.pop()
            continue
        scopes.append({**scopes[-1], **declared})
        declared = {}
        names.append(_name(item))
        typed = item.get(_XSI_TYPE)
        if typed is None:
            continue
        path = "/" + "/".join(names)
        prefix, _, local = typed.strip().rpartition(":")
        namespace = scopes[-1].get(prefix)
        if namespace is None:
            problems.append((path, f"xsi:type {typed!r} uses the undeclared prefix {prefix!r}"))
            continue
        check = _XSD_TYPES.get(local) if namespace == _XSD else None
        if check is not None:
            typed_values.append((item, path, check))
    # The text of an element is complete once it has ended: after the whole parse.
    for element, path, check in typed_values:
        why = check(element.text or "")
        if why is not None:
            problems.append((path, why))
    return problems


_XSD_TYPES = {
    "dateTime": _date_time_problem,
    "decimal": _decimal_problem,
    "integer": _int_problem,
    "int": _int_problem,
    "long": _int_problem,
}


# -- the official schema -----------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _schema(path: str) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(path, allow="local", defuse="always")


def _xsd_problems(
    data: bytes, schema: str | os.PathLike[str], namespace: str
) -> list[tuple[str, str]]:
    try:
        import xmlschema
    except ImportError as e:  # pragma: no cover - the extra is part of dev installs
        raise EpcisError(
            problems=(("/", "validating with the XSD needs xmlschema"),),
            source=str(schema),
            advice="install stockline[xml]",
        ) from e
    path = Path(schema)
    if path.is_dir():
        name = "masterdata-" if namespace == MASTERDATA_12 else ""
        path = path / f"EPCglobal-epcis-{name}1_2.xsd"
    try:
        xsd = _schema(str(path.resolve()))
    except (OSError, xmlschema.XMLSchemaException) as e:
        raise EpcisError(
            problems=(("/", f"the schema cannot be loaded ({e})"),),
            source=repr(str(path)),
            advice="give the path of EPCglobal-epcis-1_2.xsd with the schemas it imports beside it",
        ) from e
    resource = xmlschema.XMLResource(io.BytesIO(data), allow="none", defuse="always")
    return [
        (error.path or "/", str(error.reason or error.message))
        for error in xsd.iter_errors(resource)
    ]


# -- reading -----------------------------------------------------------------------------------


def _moment(text: str, offset: str | None = None) -> dt.datetime | None:
    """An xsd:dateTime as an aware datetime; without a zone, in ``offset`` (``+HH:MM``)."""
    value = text.strip()
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return None
    fraction = match.group(6) or ""
    zone = match.group(7)
    if zone is None:
        if offset is None or _OFFSET.fullmatch(offset.strip()) is None:
            zone = "+00:00" if offset is None else None
        else:
            zone = offset.strip()
        if zone is None:
            return None
    head = value[: match.start(6)] if match.group(6) else value[: match.end(5)]
    iso = head + (fraction[:7].ljust(7, "0") if fraction else "") + zone.replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(iso)
    except ValueError:
        return None


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
        return "cbvmda:" + _local(tag)
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

    def document(self, root: Element, kind: str, data: bytes) -> EpcisDocument:
        header = root.find("EPCISHeader")
        sbdh = None if header is None else header.find(f"{{{_SBDH}}}StandardBusinessDocumentHeader")
        events: list[EpcisEvent] = []
        body = root.find("EPCISBody")
        event_list = None if body is None else body.find("EventList")
        classes: dict[str, tuple[Mapping[str, Any], tuple[str, ...]]] = {}
        if kind == "EPCISMasterDataDocument":
            vocabularies = root.find("EPCISBody/VocabularyList")
        else:
            vocabularies = root.find("EPCISHeader/extension/EPCISMasterData/VocabularyList")
        if vocabularies is not None:
            classes = self.classes(vocabularies)
        if event_list is not None:
            base = f"/{kind}/EPCISBody/EventList"
            for i, child in enumerate(event_list, start=1):
                if not isinstance(child.tag, str):
                    continue
                path = f"{base}/{_name(child)}[{i}]"
                if child.tag in ("ObjectEvent", "AggregationEvent", "TransactionEvent"):
                    events.append(self.event(child, path))
                elif child.tag == "extension":
                    for inner in child:
                        if inner.tag == "TransformationEvent":
                            events.append(self.event(inner, f"{path}/TransformationEvent"))
                        elif inner.tag == "extension":
                            # EPCIS 2.0 events (AssociationEvent) carried in a 1.2 document.
                            events += [
                                self.event(e, f"{path}/extension/{_name(e)}")
                                for e in inner
                                if isinstance(e.tag, str) and e.find("eventTime") is not None
                            ]
        declared = {e.event_id for e in events if e.retracted and e.event_id is not None}
        events = [attrs.evolve(e, retracted=True) if e.event_id in declared else e for e in events]
        created = root.get("creationDate")
        return EpcisDocument(
            type=kind,
            instance_identifier=_text(
                None
                if sbdh is None
                else sbdh.find(f"{{{_SBDH}}}DocumentIdentification/{{{_SBDH}}}InstanceIdentifier")
            ),
            sender=self.party(sbdh, "Sender"),
            receiver=self.party(sbdh, "Receiver"),
            created_at=None if created is None else _moment(created),
            events=tuple(events),
            classes=classes,
            digest=_digest(root),
        )

    @staticmethod
    def party(sbdh: Element | None, role: str) -> str | None:
        if sbdh is None:
            return None
        return _text(sbdh.find(f"{{{_SBDH}}}{role}/{{{_SBDH}}}Identifier"))

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
        kind = _local(element.tag)
        offset = _text(fields.get("eventTimeZoneOffset"))
        time = _moment(_text(fields.get("eventTime")) or "", offset)
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
                found.setdefault(child.tag + "/id", child.find("id"))  # type: ignore[arg-type]
            else:
                found.setdefault(child.tag, child)
    return {k: v for k, v in found.items() if v is not None}


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
        text = None if amount is None or amount.get(_XSI_NIL) in ("true", "1") else amount.text
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


def _digest(root: Element) -> str:
    """The SHA-256 of the document's content (names, attributes, text without surrounding
    white space, in document order; comments left out), hex: the same content gives the same
    digest however it was indented or which prefixes it used."""
    digest = hashlib.sha256()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        children = len(element)  # the parser keeps no comments or processing instructions
        attributes = "\x1f".join(f"{k}={v}" for k, v in sorted(element.attrib.items()))
        text = (element.text or "").strip()
        digest.update(f"{element.tag}\x1e{attributes}\x1e{text}\x1e{children}\x1d".encode())
    return digest.hexdigest()
