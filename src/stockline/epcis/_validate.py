"""Structural validation of EPCIS 2.0 JSON / JSON-LD documents, without the schema file.

The official GS1 JSON schema (draft-07) is not shipped with stockline, so its rules are written
out here, definition by definition: required fields, types, the CBV vocabularies for
``bizStep``, ``disposition``, business transaction, source/destination and error reason
types, event-specific identifier lists, ``ilmd`` only on ``ADD``, namespaced extension fields,
and the ``uri`` (RFC 3986) and ``date-time`` (RFC 3339) formats the schema names. The test
suite checks that this validator and the schema (run by ``jsonschema`` with its format checker)
judge the 42 GS1/OpenEPCIS example documents and stockline's own exports the same way.

Validation collects every problem, each with the JSON path of the value at fault, rather than
stopping at the first. A caller holding the official schema can pass it as ``schema=`` to check
with ``jsonschema`` too (the optional ``stockline[epcis]`` extra).
"""

from __future__ import annotations

import calendar
import ipaddress
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from stockline.epcis._vocab import CBV_WORDS
from stockline.errors import EpcisError, MissingDependencyError, ValidationError
from stockline.ledger import boundary

__all__ = [
    "ACTIONS",
    "BIZ_STEPS",
    "BIZ_TRANSACTION_TYPES",
    "DISPOSITIONS",
    "ERROR_REASONS",
    "EVENT_TYPES",
    "SOURCE_DEST_TYPES",
    "EpcisProblem",
    "check_epcis",
    "validate_epcis",
]

# -- vocabularies (CBV 2.0 and the GS1 Web Vocabulary, as the EPCIS 2.0.1 schema lists them) --

BIZ_STEPS = CBV_WORDS["BizStep-"]
DISPOSITIONS = CBV_WORDS["Disp-"]
BIZ_TRANSACTION_TYPES = CBV_WORDS["BTT-"]
ERROR_REASONS = CBV_WORDS["ER-"]
SOURCE_DEST_TYPES = CBV_WORDS["SDT-"]
ACTIONS = frozenset({"OBSERVE", "ADD", "DELETE"})
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
_MEASUREMENT_TYPES = frozenset(
    [
        "AbsoluteHumidity",
        "AbsorbedDose",
        "AbsorbedDoseRate",
        "Acceleration",
        "Radioactivity",
        "Altitude",
        "AmountOfSubstance",
        "AmountOfSubstancePerUnitVolume",
        "Angle",
        "AngularAcceleration",
        "AngularMomentum",
        "AngularVelocity",
        "Area",
        "Capacitance",
        "Conductance",
        "Conductivity",
        "Count",
        "Density",
        "Dimensionless",
        "DoseEquivalent",
        "DoseEquivalentRate",
        "DynamicViscosity",
        "ElectricCharge",
        "ElectricCurrent",
        "ElectricCurrentDensity",
        "ElectricFieldStrength",
        "Energy",
        "Exposure",
        "Force",
        "Frequency",
        "Illuminance",
        "Inductance",
        "Irradiance",
        "KinematicViscosity",
        "Length",
        "LinearMomentum",
        "Luminance",
        "LuminousFlux",
        "LuminousIntensity",
        "MagneticFlux",
        "MagneticFluxDensity",
        "MagneticVectorPotential",
        "Mass",
        "MassConcentration",
        "MassFlowRate",
        "MassPerAreaTime",
        "MemoryCapacity",
        "MolalityOfSolute",
        "MolarEnergy",
        "MolarMass",
        "MolarVolume",
        "Power",
        "Pressure",
        "RadiantFlux",
        "RadiantIntensity",
        "RelativeHumidity",
        "Resistance",
        "Resistivity",
        "SolidAngle",
        "SpecificVolume",
        "Speed",
        "SurfaceDensity",
        "SurfaceTension",
        "Temperature",
        "Time",
        "Torque",
        "Voltage",
        "Volume",
        "VolumeFlowRate",
        "VolumeFraction",
        "VolumetricFlux",
        "Wavenumber",
    ]
)
_SENSOR_ALERTS = frozenset({"ALARM_CONDITION", "ERROR_CONDITION"})
_COMPONENTS = frozenset(
    [
        "x",
        "y",
        "z",
        "axial_distance",
        "azimuth",
        "height",
        "spherical_radius",
        "polar_angle",
        "elevation_angle",
        "easting",
        "northing",
        "latitude",
        "longitude",
        "altitude",
    ]
)

# -- formats -----------------------------------------------------------------------------------

# RFC 3986 section 3 (URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]), with the
# IP-literal host checked separately.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SEGMENT = rf"{_PCHAR}*"
_SEGMENT_NZ = rf"{_PCHAR}+"
_URI = re.compile(
    rf"""
    (?P<scheme>[A-Za-z][A-Za-z0-9+\-.]*):
    (?:
        //(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?
          (?P<host>\[[^\]/?#@]*\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)
          (?::[0-9]*)?
          (?:/{_SEGMENT})*
      | /(?:{_SEGMENT_NZ}(?:/{_SEGMENT})*)?
      | {_SEGMENT_NZ}(?:/{_SEGMENT})*
      |
    )
    (?:\?(?:{_PCHAR}|[/?])*)?
    (?:\#(?:{_PCHAR}|[/?])*)?
    """,
    re.VERBOSE,
)
_IPV_FUTURE = re.compile(rf"v[0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+")
# RFC 3339 date-time, read in upper case as jsonschema's format checker reads it.
_DATE_TIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
_OFFSET = re.compile(r"[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00)")
_VERSION = re.compile(r"\d+(?:\.\d+)*", re.ASCII)
_UOM = re.compile(r"[A-Z0-9]{2,3}")
_HEX = re.compile(r"[A-Fa-f0-9]+")
_CBV_URI = re.compile(r"urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/")
_GS1_WEBVOC_URI = re.compile(r"https?://(?:www\.)?gs1\.org/voc/")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_uri(value: object) -> bool:
    """Whether ``value`` is an absolute URI by RFC 3986 (what the schema's ``uri`` format is)."""
    if not isinstance(value, str):
        return False
    match = _URI.fullmatch(value)
    if match is None:
        return False
    host = match.group("host")
    if host and host.startswith("["):
        inner = host[1:-1]
        if _IPV_FUTURE.fullmatch(inner) is not None:
            return True
        try:
            ipaddress.IPv6Address(inner)
        except ValueError:
            return False
    return True


def is_date_time(value: object) -> bool:
    """Whether ``value`` is an RFC 3339 date-time (time zone required, no leap second)."""
    if not isinstance(value, str):
        return False
    match = _DATE_TIME.fullmatch(value.upper())
    if match is None:
        return False
    year, month, day = (int(g) for g in match.groups())
    return year > 0 and 1 <= day <= calendar.monthrange(year, month)[1]


# -- problems ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EpcisProblem:
    """One thing wrong in an EPCIS document.

    Attributes:
        path: The JSON path of the value at fault, e.g. ``$.epcisBody.eventList[1].bizStep``.
        message: What is wrong and what the standard expects.
        source: ``"stockline"`` for the built-in checks, ``"schema"`` for a problem the official
            JSON schema reported (only with ``schema=``).
    """

    path: str
    message: str
    source: str = "stockline"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) <= 60 else "a long string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_number(value: object) -> bool:
    # read_epcis parses JSON numbers as Decimal, so they count as numbers too.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _unique(items: Sequence[Any]) -> bool:
    seen = {json.dumps(i, sort_keys=True) for i in items}
    return len(seen) == len(items)


_Check = Callable[[Any, str], None]


@attrs.define
class _Checker:
    """Walks a document as the schema's definitions do, collecting every problem."""

    problems: list[EpcisProblem] = attrs.field(factory=list)

    def add(self, path: str, message: str) -> None:
        self.problems.append(EpcisProblem(path=path, message=message))

    # -- primitives -------------------------------------------------------------------------

    def is_object(self, value: object, path: str, what: str) -> bool:
        if isinstance(value, dict):
            return True
        self.add(path, f"{what} must be a JSON object, found {_kind(value)}")
        return False

    def array(self, value: object, path: str, what: str, *, min_items: int = 0) -> bool:
        if not isinstance(value, list):
            self.add(path, f"{what} must be an array, found {_kind(value)}")
            return False
        if len(value) < min_items:
            self.add(path, f"{what} must not be empty")
            return False
        return True

    def string(self, value: object, path: str) -> None:
        if not isinstance(value, str):
            self.add(path, f"must be a string, found {_kind(value)}")

    def uri(self, value: object, path: str) -> None:
        if not isinstance(value, str):
            self.add(path, f"must be a URI string, found {_kind(value)}")
        elif not is_uri(value):
            self.add(
                path,
                f"{value!r} is not an absolute URI (RFC 3986: a scheme, ':', then URI "
                "characters; percent-encode spaces and other characters)",
            )

    def time(self, value: object, path: str) -> None:
        if not isinstance(value, str):
            self.add(path, f"must be a date-time string, found {_kind(value)}")
        elif not is_date_time(value):
            self.add(
                path,
                f"{value!r} is not an RFC 3339 date-time such as 2026-03-02T08:15:00.000+01:00 "
                "(date, 'T', time, and a time zone offset or Z)",
            )

    def number(self, value: object, path: str) -> None:
        if not _is_number(value):
            self.add(path, f"must be a number, found {_kind(value)}")

    def pattern(self, value: object, path: str, regex: re.Pattern[str], expected: str) -> None:
        if not isinstance(value, str):
            self.add(path, f"must be a string ({expected}), found {_kind(value)}")
        elif regex.fullmatch(value) is None:
            self.add(path, f"{value!r} is not {expected}")

    def vocabulary(
        self,
        value: object,
        path: str,
        words: frozenset[str],
        what: str,
        *,
        forbidden: re.Pattern[str] = _CBV_URI,
    ) -> None:
        """A bare standard word, or a URI of one's own (not a standard term spelt as a URI)."""
        if isinstance(value, str) and value in words:
            return
        if isinstance(value, str) and is_uri(value):
            if forbidden.match(value) is None:
                return
            self.add(
                path,
                f"{value!r} spells a standard {what} as a URI; EPCIS 2.0 JSON uses the bare word "
                f"(e.g. {sorted(words)[0]!r})",
            )
            return
        listed = sorted(words)
        shown = ", ".join(listed[:6]) + (", ..." if len(listed) > 6 else "")
        self.add(
            path,
            f"{_kind(value)} is not a standard {what} ({shown}) and not a URI; a {what} of "
            "your own must be a URI, e.g. 'https://example.com/vocabulary/x'",
        )

    def names(self, value: dict[str, Any], path: str, allowed: Iterable[str], what: str) -> None:
        """Every key is a standard one or a namespaced extension (a URI or CURIE)."""
        known = set(allowed)
        for key in value:
            if key not in known and not is_uri(key):
                self.add(
                    _child(path, key),
                    f"{key!r} is not a field of {what}; a field of your own must be namespaced "
                    "(prefix:name, with the prefix declared in @context)",
                )

    def closed(self, value: dict[str, Any], path: str, allowed: Iterable[str], what: str) -> None:
        known = set(allowed)
        for key in value:
            if key not in known:
                self.add(
                    _child(path, key),
                    f"{key!r} is not allowed in {what}; it has only {', '.join(sorted(known))}",
                )

    def required(self, value: dict[str, Any], path: str, fields: Iterable[str], what: str) -> None:
        for name in fields:
            if name not in value:
                self.add(path, f"{what} lacks the required field {name!r}")

    def items(self, value: list[Any], path: str, check: _Check) -> None:
        for i, item in enumerate(value):
            check(item, _child(path, i))

    def fields(self, value: dict[str, Any], path: str, checks: Mapping[str, _Check]) -> None:
        for name, check in checks.items():
            if name in value:
                check(value[name], _child(path, name))

    def list_of(self, check: _Check, what: str, *, min_items: int = 0) -> _Check:
        def run(value: Any, path: str) -> None:
            if self.array(value, path, what, min_items=min_items):
                self.items(value, path, check)

        return run

    # -- shared definitions -----------------------------------------------------------------

    def context(self, value: object, path: str) -> None:
        def one(item: Any, item_path: str) -> None:
            if isinstance(item, dict):
                return
            if isinstance(item, str):
                self.uri(item, item_path)
                return
            self.add(item_path, f"a @context entry must be a URI or an object, found {_kind(item)}")

        if isinstance(value, list):
            if not _unique(value):
                self.add(path, "@context lists the same entry twice")
            self.items(value, path, one)
        else:
            one(value, path)

    def epc_list(self, value: object, path: str, what: str, *, unique: bool = True) -> None:
        if self.array(value, path, what):
            assert isinstance(value, list)
            if unique and not _unique(value):
                self.add(path, f"{what} names the same identifier twice")
            self.items(value, path, self.uri)

    def quantity_element(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "a quantity element"):
            return
        assert isinstance(value, dict)
        self.closed(value, path, ("epcClass", "quantity", "uom"), "a quantity element")
        self.required(value, path, ("epcClass",), "the quantity element")
        self.fields(
            value,
            path,
            {
                "epcClass": self.uri,
                "quantity": self.number,
                "uom": lambda v, p: self.pattern(
                    v, p, _UOM, "a UN/ECE Rec 20 unit code of 2-3 capitals or digits (e.g. KGM)"
                ),
            },
        )

    def quantity_list(self, value: object, path: str, what: str, *, min_items: int = 0) -> None:
        if self.array(value, path, what, min_items=min_items):
            assert isinstance(value, list)
            self.items(value, path, self.quantity_element)

    def biz_transaction(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "a business transaction"):
            return
        assert isinstance(value, dict)
        self.closed(value, path, ("type", "bizTransaction"), "a business transaction")
        self.required(value, path, ("bizTransaction",), "the business transaction")
        self.fields(
            value,
            path,
            {
                "type": lambda v, p: self.vocabulary(
                    v, p, BIZ_TRANSACTION_TYPES, "business transaction type"
                ),
                "bizTransaction": self.uri,
            },
        )

    def place(self, value: object, path: str, what: str) -> None:
        if self.is_object(value, path, what):
            assert isinstance(value, dict)
            self.required(value, path, ("id",), what)
            self.fields(value, path, {"id": self.uri})

    def source_dest(self, field: str) -> _Check:
        def run(value: Any, path: str) -> None:
            if not self.is_object(value, path, f"a {field}"):
                return
            self.closed(value, path, ("type", field), f"a {field}")
            self.required(value, path, ("type", field), f"the {field}")
            self.fields(
                value,
                path,
                {
                    "type": lambda v, p: self.vocabulary(
                        v, p, SOURCE_DEST_TYPES, "source/destination type"
                    ),
                    field: self.uri,
                },
            )

        return run

    def persistent_disposition(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "persistentDisposition"):
            return
        assert isinstance(value, dict)
        self.closed(value, path, ("set", "unset"), "persistentDisposition")
        if "set" not in value and "unset" not in value:
            self.add(path, "persistentDisposition needs 'set' or 'unset'")
        for name in ("set", "unset"):
            if name in value:
                sub = _child(path, name)
                if self.array(value[name], sub, f"persistentDisposition.{name}", min_items=1):
                    if not _unique(value[name]):
                        self.add(sub, f"persistentDisposition.{name} repeats a disposition")
                    self.items(value[name], sub, self.disposition)

    def disposition(self, value: object, path: str) -> None:
        self.vocabulary(value, path, DISPOSITIONS, "disposition")

    def biz_step(self, value: object, path: str) -> None:
        self.vocabulary(value, path, BIZ_STEPS, "bizStep")

    def ilmd(self, value: object, path: str) -> None:
        if self.is_object(value, path, "ilmd"):
            assert isinstance(value, dict)
            for key in value:
                if not is_uri(key):
                    self.add(
                        _child(path, key),
                        f"ilmd key {key!r} must be a URI or a CURIE such as "
                        "'cbvmda:lotNumber' or 'example:materialType'",
                    )

    def certification_info(self, value: object, path: str) -> None:
        if isinstance(value, list):
            self.items(value, path, self.uri)
        else:
            self.uri(value, path)

    def error_declaration(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "errorDeclaration"):
            return
        assert isinstance(value, dict)
        self.names(
            value, path, ("declarationTime", "reason", "correctiveEventIDs"), "errorDeclaration"
        )
        self.required(value, path, ("declarationTime",), "errorDeclaration")
        self.fields(
            value,
            path,
            {
                "declarationTime": self.time,
                "reason": lambda v, p: self.vocabulary(v, p, ERROR_REASONS, "error reason"),
                "correctiveEventIDs": self.list_of(self.uri, "correctiveEventIDs"),
            },
        )

    # -- sensors ----------------------------------------------------------------------------

    def sensor_element(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "a sensor element"):
            return
        assert isinstance(value, dict)
        self.names(value, path, ("sensorMetadata", "sensorReport"), "a sensor element")
        self.required(value, path, ("sensorReport",), "the sensor element")
        self.fields(
            value,
            path,
            {
                "sensorMetadata": self.sensor_metadata,
                "sensorReport": self.list_of(self.sensor_report, "sensorReport", min_items=1),
            },
        )

    def sensor_metadata(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "sensorMetadata"):
            return
        assert isinstance(value, dict)
        checks: dict[str, _Check] = {
            "time": self.time,
            "startTime": self.time,
            "endTime": self.time,
            **dict.fromkeys(
                ("deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"),
                self.uri,
            ),
        }
        self.names(value, path, checks, "sensorMetadata")
        self.fields(value, path, checks)

    def sensor_report(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "a sensor report"):
            return
        assert isinstance(value, dict)
        uris = [
            "deviceID",
            "deviceMetadata",
            "rawData",
            "dataProcessingMethod",
            "bizRules",
            "microorganism",
            "chemicalSubstance",
            "coordinateReferenceSystem",
            "uriValue",
        ]
        numbers = ["value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"]
        checks: dict[str, _Check] = {
            "type": lambda v, p: self.vocabulary(
                v, p, _MEASUREMENT_TYPES, "measurement type", forbidden=_GS1_WEBVOC_URI
            ),
            "exception": lambda v, p: self.vocabulary(
                v, p, _SENSOR_ALERTS, "sensor alert type", forbidden=_GS1_WEBVOC_URI
            ),
            "time": self.time,
            "component": lambda v, p: self.vocabulary(v, p, _COMPONENTS, "component"),
            "stringValue": self.string,
            "uom": self.string,
            "booleanValue": lambda v, p: (
                None
                if isinstance(v, bool)
                else self.add(p, f"must be true or false, found {_kind(v)}")
            ),
            "hexBinaryValue": lambda v, p: self.pattern(v, p, _HEX, "hexadecimal digits"),
            **dict.fromkeys(uris, self.uri),
            **dict.fromkeys(numbers, self.number),
        }
        self.names(value, path, checks, "a sensor report")
        self.required(value, path, ("type",), "the sensor report")
        self.fields(value, path, checks)

    # -- events -----------------------------------------------------------------------------

    def event(self, value: object, path: str, *, bare: bool = False) -> None:
        if not self.is_object(value, path, "an event"):
            return
        assert isinstance(value, dict)
        if "type" not in value:
            self.add(path, "the event lacks the required field 'type'")
            return
        kind = value["type"]
        if not isinstance(kind, str):
            self.add(_child(path, "type"), f"must be a string, found {_kind(kind)}")
            return
        if bare:
            self.required(value, path, ("@context",), "a stand-alone event")
        self.common(value, path)
        if kind in EVENT_TYPES:
            _EVENT_CHECKS[kind](self, value, path)
        elif not is_uri(kind):
            self.add(
                _child(path, "type"),
                f"{kind!r} is not an EPCIS event type ({', '.join(EVENT_TYPES)}) nor the URI of "
                "an extension event type",
            )

    def common(self, value: dict[str, Any], path: str) -> None:
        self.required(value, path, ("eventTime", "eventTimeZoneOffset"), "the event")
        self.fields(
            value,
            path,
            {
                "@context": self.context,
                "eventTime": self.time,
                "recordTime": self.time,
                "eventTimeZoneOffset": lambda v, p: self.pattern(
                    v, p, _OFFSET, "a time zone offset from -14:00 to +14:00 such as '+01:00'"
                ),
                "eventID": self.uri,
                "certificationInfo": self.certification_info,
                "errorDeclaration": self.error_declaration,
            },
        )

    def shared(self) -> dict[str, _Check]:
        return {
            "action": lambda v, p: (
                None
                if isinstance(v, str) and v in ACTIONS
                else self.add(p, f"{_kind(v)} is not an action; it is ADD, OBSERVE or DELETE")
            ),
            "bizStep": self.biz_step,
            "disposition": self.disposition,
            "readPoint": lambda v, p: self.place(v, p, "readPoint"),
            "bizLocation": lambda v, p: self.place(v, p, "bizLocation"),
            "bizTransactionList": self.list_of(self.biz_transaction, "bizTransactionList"),
            "sourceList": self.list_of(self.source_dest("source"), "sourceList"),
            "destinationList": self.list_of(self.source_dest("destination"), "destinationList"),
            "sensorElementList": self.list_of(self.sensor_element, "sensorElementList"),
        }

    def specific(
        self,
        value: dict[str, Any],
        path: str,
        kind: str,
        checks: Mapping[str, _Check],
        required: Sequence[str],
        *,
        extra_names: Sequence[str] = (),
    ) -> None:
        self.names(value, path, (*_COMMON_FIELDS, *checks, *extra_names), f"an {kind}")
        self.required(value, path, required, f"the {kind}")
        self.fields(value, path, checks)

    def object_event(self, value: dict[str, Any], path: str) -> None:
        checks = {
            **self.shared(),
            "epcList": lambda v, p: self.epc_list(v, p, "epcList"),
            "quantityList": lambda v, p: self.quantity_list(v, p, "quantityList"),
            "persistentDisposition": self.persistent_disposition,
            "ilmd": self.ilmd,
        }
        self.specific(value, path, "ObjectEvent", checks, ("action",))
        sensors = value.get("sensorElementList")
        has_sensors = isinstance(sensors, list) and len(sensors) > 0 and "readPoint" in value
        if not ("epcList" in value or _non_empty(value.get("quantityList")) or has_sensors):
            self.add(
                path,
                "the ObjectEvent names no objects: give epcList, a non-empty quantityList, or "
                "sensorElementList with a readPoint",
            )
        action = value.get("action")
        if "ilmd" in value and isinstance(action, str) and action != "ADD":
            self.add(
                _child(path, "ilmd"),
                f"ilmd (instance/lot master data) belongs only to an ADD event, not {action}",
            )

    def aggregation_event(self, value: dict[str, Any], path: str) -> None:
        checks = {
            **self.shared(),
            "parentID": self.uri,
            "childEPCs": lambda v, p: self.epc_list(v, p, "childEPCs", unique=False),
            "childQuantityList": lambda v, p: self.quantity_list(v, p, "childQuantityList"),
        }
        self.specific(
            value,
            path,
            "AggregationEvent",
            checks,
            ("action",),
            extra_names=("persistentDisposition",),
        )
        self.children(value, path, "AggregationEvent")

    def association_event(self, value: dict[str, Any], path: str) -> None:
        checks = {
            **self.shared(),
            "parentID": self.uri,
            "childEPCs": lambda v, p: self.epc_list(v, p, "childEPCs", unique=False),
            "childQuantityList": lambda v, p: self.quantity_list(v, p, "childQuantityList"),
        }
        self.specific(
            value,
            path,
            "AssociationEvent",
            checks,
            ("action", "parentID"),
            extra_names=("persistentDisposition",),
        )
        self.children(value, path, "AssociationEvent")

    def children(self, value: dict[str, Any], path: str, kind: str) -> None:
        if _is_action(value, "DELETE"):
            return
        if not (_non_empty(value.get("childEPCs")) or _non_empty(value.get("childQuantityList"))):
            self.add(
                path,
                f"the {kind} names no children: give a non-empty childEPCs or "
                "childQuantityList (only DELETE may leave them out, meaning all)",
            )

    def transaction_event(self, value: dict[str, Any], path: str) -> None:
        checks = {
            **self.shared(),
            "bizTransactionList": self.list_of(
                self.biz_transaction, "bizTransactionList", min_items=1
            ),
            "parentID": self.uri,
            "epcList": lambda v, p: self.epc_list(v, p, "epcList", unique=False),
            "quantityList": lambda v, p: self.quantity_list(v, p, "quantityList"),
        }
        self.specific(
            value,
            path,
            "TransactionEvent",
            checks,
            ("bizTransactionList", "action"),
            extra_names=("persistentDisposition",),
        )
        if not (
            "epcList" in value
            or _non_empty(value.get("quantityList"))
            or _is_action(value, "DELETE")
        ):
            self.add(
                path,
                "the TransactionEvent names no objects: give epcList or a non-empty "
                "quantityList (only DELETE may leave them out)",
            )

    def transformation_event(self, value: dict[str, Any], path: str) -> None:
        checks = {
            **{k: v for k, v in self.shared().items() if k != "action"},
            "inputEPCList": lambda v, p: self.epc_list(v, p, "inputEPCList"),
            "inputQuantityList": lambda v, p: self.quantity_list(v, p, "inputQuantityList"),
            "outputEPCList": lambda v, p: self.epc_list(v, p, "outputEPCList"),
            "outputQuantityList": lambda v, p: self.quantity_list(v, p, "outputQuantityList"),
            "transformationID": self.uri,
            "persistentDisposition": self.persistent_disposition,
            "ilmd": self.ilmd,
        }
        self.specific(value, path, "TransformationEvent", checks, ())
        inputs = _non_empty(value.get("inputEPCList")) or _non_empty(value.get("inputQuantityList"))
        outputs = _non_empty(value.get("outputEPCList")) or _non_empty(
            value.get("outputQuantityList")
        )
        if inputs and outputs:
            return
        if "transformationID" in value and (inputs or outputs):
            return
        self.add(
            path,
            "the TransformationEvent needs inputs and outputs (EPC or quantity lists), or a "
            "transformationID with at least one of them",
        )

    # -- documents --------------------------------------------------------------------------

    def document(self, value: object) -> None:
        path = "$"
        if not self.is_object(value, path, "an EPCIS document"):
            return
        assert isinstance(value, dict)
        kind = value.get("type")
        if "type" not in value:
            self.add(path, "the document lacks the required field 'type'")
        elif not isinstance(kind, str):
            self.add("$.type", f"must be a string, found {_kind(kind)}")
        elif kind == "EPCISDocument":
            self.epcis_document(value, path)
        elif kind == "EPCISQueryDocument":
            self.query_document(value, path)
        else:
            self.event(value, path, bare=True)

    def header_fields(self) -> dict[str, _Check]:
        return {
            "@context": self.context,
            "id": self.uri,
            "schemaVersion": lambda v, p: self.pattern(
                v, p, _VERSION, "a version number such as '2.0'"
            ),
            "creationDate": self.time,
        }

    def epcis_document(self, value: dict[str, Any], path: str) -> None:
        checks = {
            **self.header_fields(),
            "instanceIdentifier": self.string,
            "sender": self.string,
            "receiver": self.string,
            "epcisHeader": self.epcis_header,
            "epcisBody": self.body,
        }
        self.names(value, path, (*checks, "type"), "an EPCISDocument")
        self.required(
            value,
            path,
            ("@context", "schemaVersion", "creationDate", "epcisBody"),
            "the EPCISDocument",
        )
        self.fields(value, path, checks)

    def body(self, value: object, path: str) -> None:
        if self.is_object(value, path, "epcisBody"):
            assert isinstance(value, dict)
            self.required(value, path, ("eventList",), "epcisBody")
            self.fields(value, path, {"eventList": self.event_list})

    def event_list(self, value: object, path: str) -> None:
        if self.array(value, path, "eventList"):
            assert isinstance(value, list)
            self.items(value, path, self.event)

    def epcis_header(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "epcisHeader"):
            return
        assert isinstance(value, dict)
        self.names(value, path, ("epcisMasterData",), "epcisHeader")

        def master(v: Any, p: str) -> None:
            if self.is_object(v, p, "epcisMasterData"):
                self.fields(v, p, {"vocabularyList": self.vocabulary_list})

        self.fields(value, path, {"epcisMasterData": master})

    def vocabulary_list(self, value: object, path: str) -> None:
        def attribute(v: Any, p: str) -> None:
            if self.is_object(v, p, "a master data attribute"):
                self.required(v, p, ("id",), "the attribute")
                self.fields(v, p, {"id": self.uri})
                if "attribute" in v and not isinstance(
                    v["attribute"], int | float | Decimal | str | dict
                ):
                    self.add(
                        _child(p, "attribute"),
                        f"must be a number, string or object, found {_kind(v['attribute'])}",
                    )
                elif isinstance(v.get("attribute"), bool):
                    self.add(
                        _child(p, "attribute"),
                        "must be a number, string or object, found a boolean",
                    )

        def element(v: Any, p: str) -> None:
            if self.is_object(v, p, "a vocabulary element"):
                self.required(v, p, ("id",), "the vocabulary element")
                self.fields(
                    v,
                    p,
                    {
                        "id": self.uri,
                        "attributes": self.list_of(attribute, "attributes"),
                        "children": self.list_of(self.uri, "children"),
                    },
                )

        def vocabulary(v: Any, p: str) -> None:
            if self.is_object(v, p, "a vocabulary"):
                self.required(v, p, ("type",), "the vocabulary")
                self.fields(
                    v,
                    p,
                    {
                        "type": self.uri,
                        "vocabularyElementList": self.list_of(element, "vocabularyElementList"),
                    },
                )

        if self.array(value, path, "vocabularyList"):
            assert isinstance(value, list)
            self.items(value, path, vocabulary)

    def query_document(self, value: dict[str, Any], path: str) -> None:
        checks = {**self.header_fields(), "epcisBody": self.query_body}
        self.names(value, path, (*checks, "type"), "an EPCISQueryDocument")
        self.required(value, path, ("@context", "epcisBody"), "the EPCISQueryDocument")
        self.fields(value, path, checks)

    def query_body(self, value: object, path: str) -> None:
        if not self.is_object(value, path, "epcisBody"):
            return
        assert isinstance(value, dict)
        self.names(value, path, ("queryResults",), "the query document's epcisBody")
        self.required(value, path, ("queryResults",), "epcisBody")

        def results(v: Any, p: str) -> None:
            if not self.is_object(v, p, "queryResults"):
                return
            self.names(v, p, ("queryName", "subscriptionID", "resultsBody"), "queryResults")
            self.required(v, p, ("queryName", "resultsBody"), "queryResults")
            self.fields(
                v, p, {"queryName": self.string, "subscriptionID": self.string, "resultsBody": body}
            )

        def body(v: Any, p: str) -> None:
            if not self.is_object(v, p, "resultsBody"):
                return
            self.names(v, p, ("eventList", "vocabularyList"), "resultsBody")
            self.required(v, p, ("eventList",), "resultsBody")
            self.fields(
                v, p, {"eventList": self.event_list, "vocabularyList": self.vocabulary_list}
            )

        self.fields(value, path, {"queryResults": results})


_COMMON_FIELDS = (
    "@context",
    "type",
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "certificationInfo",
    "errorDeclaration",
)
_EVENT_CHECKS: dict[str, Callable[[_Checker, dict[str, Any], str], None]] = {
    "ObjectEvent": _Checker.object_event,
    "AggregationEvent": _Checker.aggregation_event,
    "TransactionEvent": _Checker.transaction_event,
    "TransformationEvent": _Checker.transformation_event,
    "AssociationEvent": _Checker.association_event,
}


def _non_empty(value: object) -> bool:
    return isinstance(value, list) and len(value) > 0


def _is_action(value: dict[str, Any], action: str) -> bool:
    # The schema's "action": {"pattern": "^DELETE$"} branch also passes when action is absent
    # or not a string; the missing action is reported on its own.
    found = value.get("action")
    return not isinstance(found, str) or found == action


# -- entry points ------------------------------------------------------------------------------


def schema_argument(schema: object) -> str | os.PathLike[str] | Mapping[str, Any] | None:
    """``schema=`` checked at the boundary: ``None``, a parsed JSON schema (a mapping), or the
    path of a schema file as text.

    Raises:
        ValidationError: Anything else (a number, bytes, a list, text with a control
            character).
    """
    if schema is None or isinstance(schema, Mapping):
        return schema
    if isinstance(schema, str | os.PathLike):
        return boundary.code(os.fspath(schema), "schema")
    raise ValidationError(
        what="schema",
        value=schema,
        expected="the schema: a file name or path (the XSD for EPCIS 1.2 XML), or for JSON "
        "the parsed schema as a mapping",
    )


def validate_epcis(
    document: object, *, schema: str | os.PathLike[str] | Mapping[str, Any] | None = None
) -> list[EpcisProblem]:
    """Return every problem in an EPCIS 2.0 JSON(-LD) document; an empty list when it is valid.

    Accepts an ``EPCISDocument``, an ``EPCISQueryDocument`` or a single event with its own
    ``@context``, as the official schema does.

    Args:
        document: The parsed JSON (``json.load`` of the file).
        schema: The official GS1 EPCIS 2.0 JSON schema (a path, or the parsed schema) to check
            with as well; needs ``jsonschema`` (``pip install 'stockline[epcis]'``). Its
            problems are added with ``source="schema"``. For its ``uri`` and ``date-time``
            formats jsonschema needs ``rfc3987`` and ``rfc3339-validator``; the built-in checks
            cover both formats either way.

    Returns:
        The problems, in document order (then the schema's).

    Raises:
        MissingDependencyError: ``schema`` was given and jsonschema is not installed.
        ValidationError: ``schema`` was given and cannot be read.

    Example:
        >>> doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        ...        "type": "EPCISDocument", "schemaVersion": "2.0",
        ...        "creationDate": "2026-03-02T08:00:00Z",
        ...        "epcisBody": {"eventList": [{"type": "ObjectEvent", "action": "CREATE",
        ...            "eventTime": "2026-03-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
        ...            "epcList": [], "bizStep": "transforming"}]}}
        >>> for problem in validate_epcis(doc):
        ...     print(problem)  # doctest: +ELLIPSIS
        $.epcisBody.eventList[0].action: the string 'CREATE' is not an action; it is ADD, ...
        $.epcisBody.eventList[0].bizStep: the string 'transforming' is not a standard bizStep ...
    """
    checker = _Checker()
    checker.document(document)
    problems = checker.problems
    schema = schema_argument(schema)
    if schema is not None:
        problems = problems + schema_problems(document, schema)
    return problems


def check_epcis(
    document: object, *, schema: str | os.PathLike[str] | Mapping[str, Any] | None = None
) -> None:
    """Raise :class:`~stockline.errors.EpcisError` listing every problem, if there is one.

    Takes the same arguments as :func:`validate_epcis`.
    """
    problems = validate_epcis(document, schema=schema)
    if problems:
        raise EpcisError(
            _summary(problems),
            problems=tuple((p.path, p.message) for p in problems),
        )


def _summary(problems: Sequence[EpcisProblem]) -> str:
    shown = problems[:20]
    lines = [f"  {p}" + (" (schema)" if p.source == "schema" else "") for p in shown]
    more = len(problems) - len(shown)
    if more:
        lines.append(f"  ... and {more} more (see the error's .problems)")
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return (
        f"the EPCIS document is not valid EPCIS 2.0 ({count}); nothing was imported. "
        "Ask the sender for a corrected document:\n" + "\n".join(lines)
    )


def schema_problems(
    document: object, schema: str | os.PathLike[str] | Mapping[str, Any]
) -> list[EpcisProblem]:
    """Return what jsonschema's Draft 7 validator (with its format checker) reports.

    Raises:
        MissingDependencyError: jsonschema is not installed.
        ValidationError: The schema cannot be read.
    """
    try:
        import jsonschema  # type: ignore[import-untyped,unused-ignore]
    except ImportError as e:  # pragma: no cover - the dev environment has it
        raise MissingDependencyError(
            extra="epcis",
            feature="checking against the official EPCIS schema",
            package="jsonschema",
            advice="or leave schema= out for the built-in checks",
        ) from e
    if isinstance(schema, Mapping):
        loaded: Any = schema
    else:
        try:
            loaded = json.loads(Path(schema).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ValidationError(f"cannot read the EPCIS schema {str(schema)!r}: {e}") from e
    validator = jsonschema.Draft7Validator(
        loaded, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [EpcisProblem(path=e.json_path, message=e.message, source="schema") for e in errors]
