"""The EPCIS 1.2 schema's rules, checked on a parsed document without the XSD, and the
official XSD's verdict when the caller has it.

:func:`problems` checks what ``EPCglobal-epcis-1_2.xsd`` (and the master-data schema) say of a
document, as a table-driven content model: each complex type is its sequence of unqualified
elements and what may follow them (elements of other namespaces, or anything unqualified at an
extension point); element order, required and repeated elements, text where only elements
belong, one TransformationEvent per ``EventList/extension``, actions, ``xsd:dateTime`` (white
space collapsed, as XSD 1.0 says) and decimals, no ``xsi:nil``, and ``xsi:type`` prefixes that
are declared. It agrees with the published XSD on the public 1.2 documents stockline is tested
against. With ``schema=``, :func:`xsd_problems` adds the XSD's own verdict through
``xmlschema``.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import attrs

from stockline.errors import EpcisError

__all__ = [
    "EPCIS_12",
    "MASTERDATA_12",
    "SBDH",
    "XSI_NIL",
    "XSI_TYPE",
    "entry_problems",
    "local_name",
    "moment",
    "problems",
    "xsd_problems",
]

#: The target namespace of EPCIS 1.x capture documents.
EPCIS_12 = "urn:epcglobal:epcis:xsd:1"
#: The target namespace of EPCIS 1.x master-data documents.
MASTERDATA_12 = "urn:epcglobal:epcis-masterdata:xsd:1"
SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{_XSI}}}nil"
XSI_TYPE = f"{{{_XSI}}}type"
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
    "EPCISMasterDataDocument": (
        [
            ("EPCISHeader", False, False, "EPCISHeader"),
            ("EPCISBody", True, False, "MasterDataBody"),
            ("extension", False, False, "Local"),
        ],
        "other",
    ),
    "MasterDataBody": (
        [("VocabularyList", False, False, "VocabularyList"), ("extension", False, False, "Local")],
        "other",
    ),
    "EPCISHeader": (
        [
            (f"{{{SBDH}}}StandardBusinessDocumentHeader", True, False, "SBDH"),
            ("extension", False, False, "HeaderExtension"),
        ],
        "other",
    ),
    "SBDH": (
        [
            (f"{{{SBDH}}}HeaderVersion", True, False, "string"),
            (f"{{{SBDH}}}Sender", True, True, "Any"),
            (f"{{{SBDH}}}Receiver", True, True, "Any"),
            (f"{{{SBDH}}}DocumentIdentification", True, False, "DocumentIdentification"),
            (f"{{{SBDH}}}Manifest", False, False, "Any"),
            (f"{{{SBDH}}}BusinessScope", False, False, "Any"),
        ],
        None,
    ),
    "DocumentIdentification": (
        [
            (f"{{{SBDH}}}Standard", True, False, "string"),
            (f"{{{SBDH}}}TypeVersion", True, False, "string"),
            (f"{{{SBDH}}}InstanceIdentifier", True, False, "string"),
            (f"{{{SBDH}}}Type", True, False, "string"),
            (f"{{{SBDH}}}MultipleType", False, False, "boolean"),
            (f"{{{SBDH}}}CreationDateAndTime", True, False, "dateTime"),
        ],
        None,
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
        foreign: Element | None = None  # the first element of another namespace
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
                foreign = child if foreign is None else foreign
                continue
            if foreign is not None and child.tag in (s[0] for s in slots):
                why = (
                    f"<{_name(child)}> comes after <{_name(foreign)}>, an element of another "
                    "namespace; those come last, after the standard elements"
                )
            else:
                why = _unexpected(child, slots, position, rest)
            # As a schema validator does, one misplaced element is reported, not the
            # consequences of its place for the elements after it.
            self.problem(where, why)
            return
        for (name, required, _, _), count in zip(slots, counts, strict=True):
            if required and not count:
                self.problem(path, f"<{_name(element)}> lacks the required <{_local(name)}>")
        if kind == "QuantityElement" and counts[2] and not counts[1]:
            self.problem(path, "a <uom> needs the <quantity> it is the unit of")

    def event_list(self, element: Element, path: str) -> None:
        for i, child in enumerate(element, start=1):
            if isinstance(child.tag, str):
                self.entry(child, f"{path}/{_name(child)}[{i}]")

    def entry(self, child: Element, where: str) -> None:
        """One child of ``EventList``: an event, or an ``extension`` holding one."""
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
        if element.get(XSI_NIL) in ("true", "1"):
            self.problem(path, f"<{_name(element)}> may not be nil in EPCIS 1.2")
            return
        why = check(element.text or "")
        if why is not None:
            self.problem(path, why)


def _date_time_problem(text: str) -> str | None:
    value = text.strip()
    match = _DATE_TIME.fullmatch(value)
    if match is None or moment(value) is None:
        return f"{value!r} is not an xsd:dateTime (such as 2026-03-02T08:00:00Z)"
    return None


def _decimal_problem(text: str) -> str | None:
    value = text.strip()
    return None if _DECIMAL.fullmatch(value) else f"{value!r} is not a decimal number"


def _int_problem(text: str) -> str | None:
    value = text.strip()
    return None if re.fullmatch(r"[+-]?\d+", value, re.ASCII) else f"{value!r} is not an integer"


def _action_problem(text: str) -> str | None:
    value = text.strip()
    return (
        None if value in _ACTIONS else f"{value!r} is not an action; it is ADD, OBSERVE or DELETE"
    )


def _boolean_problem(text: str) -> str | None:
    value = text.strip()
    return None if value in ("true", "false", "1", "0") else f"{value!r} is not a boolean"


def _no_problem(text: str) -> str | None:
    return None


_SIMPLE = {
    "dateTime": _date_time_problem,
    "decimal": _decimal_problem,
    "int": _int_problem,
    "action": _action_problem,
    "boolean": _boolean_problem,
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


def entry_problems(entry: Element, where: str) -> list[tuple[str, str]]:
    """Every way one child of ``EventList`` (an event, or an ``extension`` holding one) at
    path ``where`` breaks the EPCIS 1.2 schema, as ``(path, problem)``."""
    checker = _Checker()
    checker.entry(entry, where)
    return checker.problems


def problems(root: Element, data: bytes, *, typed: bool) -> list[tuple[str, str]]:
    """Every way the parsed document ``root`` (of ``data``) breaks the EPCIS 1.2 schema, as
    ``(path, problem)``; ``typed``: some element of it has an ``xsi:type``."""
    kind = _local(root.tag)
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
    checker.check(root, kind, path)
    if typed:
        checker.problems += _xsi_type_problems(data)
    return checker.problems


def local_name(tag: str) -> str:
    """An element's name without its namespace."""
    return _local(tag)


def moment(text: str, offset: str | None = None) -> dt.datetime | None:
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
        typed = item.get(XSI_TYPE)
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


def xsd_problems(
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
    try:
        if path.is_dir():
            name = "masterdata-" if namespace == MASTERDATA_12 else ""
            path = path / f"EPCglobal-epcis-{name}1_2.xsd"
        xsd = _schema(str(path.resolve()))
    except (OSError, ValueError, xmlschema.XMLSchemaException) as e:
        raise EpcisError(
            problems=(("/", f"the schema cannot be loaded ({e})"),),
            source=repr(str(path)),
            advice="give the path of EPCglobal-epcis-1_2.xsd with the schemas it imports beside it",
        ) from e
    try:
        # Lazy: the document is validated as it is read, with no limit on its size (a loaded
        # resource refuses more than a million elements).
        resource = xmlschema.XMLResource(io.BytesIO(data), allow="none", defuse="always", lazy=True)
        return [
            (error.path or "/", str(error.reason or error.message))
            for error in xsd.iter_errors(resource)
        ]
    except (xmlschema.XMLSchemaException, ValueError, RecursionError) as e:
        # Nested too deeply for the validator: as its own depth limit is, a document refused.
        raise EpcisError(
            problems=(("/", f"the XSD validator cannot read it ({e})"),),
            source=repr(str(path)),
            advice="validate without schema= (the built-in check applies the same rules)",
        ) from e
