"""The EPCIS 2.0 query parameters of ``GET /events``: read from the URL, matched on events.

Every parameter is refused when unknown or malformed, rather than ignored: a filter a caller
believes is applied and is not would show it more than it asked for. Several values of one
parameter are given by repeating it or separated by ``|``; a value matches when it equals
one of them. Identifiers (EPCs, locations, business transactions) are compared as the events
write them; CBV words (bizStep, disposition, business transaction type) may also be given as
their CBV URIs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from stockline.ledger import under
from stockline.server._problems import Problem

__all__ = ["EVENT_TYPES", "EventQuery", "parse_query"]

#: The event types of EPCIS 2.0.
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
_ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})
_CBV_PREFIXES = {
    "bizStep": ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-", "cbv:BizStep-"),
    "disposition": ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-", "cbv:Disp-"),
    "type": ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-", "cbv:BTT-"),
}
_TIMES = ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime")
_SETS = (
    "eventType",
    "EQ_action",
    "EQ_bizStep",
    "EQ_disposition",
    "EQ_readPoint",
    "WD_readPoint",
    "EQ_bizLocation",
    "WD_bizLocation",
    "EQ_eventID",
    "MATCH_epc",
    "MATCH_anyEPC",
    "MATCH_parentID",
    "MATCH_inputEPC",
    "MATCH_outputEPC",
    "MATCH_epcClass",
    "MATCH_anyEPCClass",
)
_FLAGS = ("EXISTS_errorDeclaration",)
_BIZ_TRANSACTION = "EQ_bizTransaction_"
_PAGING = ("perPage", "nextPageToken")
#: The longest value of one parameter, and the most values of all parameters together.
_MAX_VALUE = 2000
_MAX_VALUES = 200


def _word(value: str, field: str) -> str:
    for prefix in _CBV_PREFIXES[field]:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _time(name: str, value: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise Problem(
            400,
            "QueryParameterException",
            f"{name} must be a date and time with its time zone, such as "
            f"2026-03-02T08:00:00Z; got {value!r}",
        )
    return when


@attrs.frozen(kw_only=True)
class EventQuery:
    """One query's filters; ``None`` where the query does not filter."""

    sets: Mapping[str, frozenset[str]]
    times: Mapping[str, dt.datetime]
    biz_transactions: Mapping[str, frozenset[str]]
    error_declared: bool | None
    digest: str

    @property
    def needs_tree(self) -> bool:
        """Whether a ``WD_`` parameter needs the location tree."""
        return "WD_bizLocation" in self.sets or "WD_readPoint" in self.sets

    def with_tree(self, identifiers: Mapping[str, str]) -> EventQuery:
        """The query with each ``WD_`` location widened to its descendants' identifiers."""
        paths: dict[str, list[str]] = {}
        for path, uri in identifiers.items():
            paths.setdefault(uri, []).append(path)
        sets = dict(self.sets)
        for name in ("WD_bizLocation", "WD_readPoint"):
            if name not in sets:
                continue
            roots = [path for uri in sets[name] for path in paths.get(uri, [])]
            wider = set(sets[name])
            wider.update(
                uri for path, uri in identifiers.items() if any(under(path, r) for r in roots)
            )
            sets[name] = frozenset(wider)
        return attrs.evolve(self, sets=sets)

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether ``event`` passes every filter."""
        for name, wanted in self.sets.items():
            if wanted.isdisjoint(_values(name, event)):
                return False
        for name, bound in self.times.items():
            field = "eventTime" if name.endswith("eventTime") else "recordTime"
            raw = event.get(field)
            if not isinstance(raw, str):
                return False
            when = dt.datetime.fromisoformat(raw)
            if (when < bound) if name.startswith("GE_") else (when >= bound):
                return False
        if self.biz_transactions:
            listed = [
                (_word(str(t.get("type", "")), "type"), t.get("bizTransaction"))
                for t in event.get("bizTransactionList", ())
            ]
            for kind, numbers in self.biz_transactions.items():
                if not any(t == kind and n in numbers for t, n in listed):
                    return False
        return self.error_declared is None or self.error_declared == ("errorDeclaration" in event)


def _ids(event: Mapping[str, Any], *fields: str) -> list[str]:
    found: list[str] = []
    for field in fields:
        value = event.get(field)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))
    return found


def _classes(event: Mapping[str, Any], *fields: str) -> list[str]:
    return [
        q["epcClass"]
        for field in fields
        for q in event.get(field, ())
        if isinstance(q, Mapping) and isinstance(q.get("epcClass"), str)
    ]


def _place(event: Mapping[str, Any], field: str) -> list[str]:
    place = event.get(field)
    return [place["id"]] if isinstance(place, Mapping) and "id" in place else []


def _values(name: str, event: Mapping[str, Any]) -> Iterable[str]:
    if name == "eventType":
        return [event.get("type", "")]
    if name == "EQ_action":
        return [event.get("action", "")]
    if name == "EQ_bizStep":
        return [_word(str(event.get("bizStep", "")), "bizStep")]
    if name == "EQ_disposition":
        return [_word(str(event.get("disposition", "")), "disposition")]
    if name in ("EQ_readPoint", "WD_readPoint"):
        return _place(event, "readPoint")
    if name in ("EQ_bizLocation", "WD_bizLocation"):
        return _place(event, "bizLocation")
    if name == "EQ_eventID":
        return [event.get("eventID", "")]
    if name == "MATCH_epc":
        return _ids(event, "epcList", "childEPCs")
    if name == "MATCH_anyEPC":
        return _ids(event, "epcList", "childEPCs", "inputEPCList", "outputEPCList", "parentID")
    if name == "MATCH_parentID":
        return _ids(event, "parentID")
    if name == "MATCH_inputEPC":
        return _ids(event, "inputEPCList")
    if name == "MATCH_outputEPC":
        return _ids(event, "outputEPCList")
    if name == "MATCH_epcClass":
        return _classes(event, "quantityList", "childQuantityList")
    assert name == "MATCH_anyEPCClass", name
    return _classes(
        event, "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"
    )


def parse_query(
    items: Sequence[tuple[str, str]], *, fixed: Mapping[str, str] = {}, party: str | None
) -> EventQuery:
    """Read the query parameters (``fixed`` ones come from the path, e.g. ``/epcs/{epc}``).

    ``party`` is part of the digest that ties a page token to its query and its caller.

    Raises:
        Problem: An unknown parameter, a bad value, or too many values.
    """
    given: dict[str, list[str]] = {}
    count = 0
    for name, raw in [*items, *fixed.items()]:
        if name in _PAGING:
            continue
        values = [raw] if name in fixed else raw.split("|")
        if any(len(v) > _MAX_VALUE for v in values):
            raise Problem(
                400,
                "QueryParameterException",
                f"a value of {name} is longer than {_MAX_VALUE} characters",
            )
        count += len(values)
        if count > _MAX_VALUES:
            raise Problem(
                413,
                "QueryTooComplexException",
                f"the query gives more than {_MAX_VALUES} values; split it into several queries",
            )
        if name in _FLAGS:
            if raw not in ("", "true", "false"):
                raise Problem(400, "QueryParameterException", f"{name} takes no value, or true")
            given.setdefault(name, []).append(raw or "true")
            continue
        if any(not v or v != v.strip() for v in values):
            raise Problem(
                400,
                "QueryParameterException",
                f"{name} has an empty value or one with surrounding spaces: {raw!r}",
            )
        if name not in _SETS and name not in _TIMES and not _biz_transaction(name):
            raise Problem(
                400,
                "QueryParameterException",
                f"{name} is not a query parameter this repository supports; supported: "
                + ", ".join([*_SETS, *_TIMES, *_FLAGS, _BIZ_TRANSACTION + "<type>", *_PAGING]),
            )
        given.setdefault(name, []).extend(values)
    sets: dict[str, frozenset[str]] = {}
    times: dict[str, dt.datetime] = {}
    transactions: dict[str, frozenset[str]] = {}
    declared: bool | None = None
    for name, values in given.items():
        if name in _TIMES:
            if len(values) != 1:
                raise Problem(400, "QueryParameterException", f"{name} takes one time")
            times[name] = _time(name, values[0])
        elif name in _FLAGS:
            declared = values[-1] == "true"
        elif _biz_transaction(name):
            kind = _word(name[len(_BIZ_TRANSACTION) :], "type")
            transactions[kind] = transactions.get(kind, frozenset()) | frozenset(values)
        else:
            sets[name] = _checked(name, values)
    canonical = repr(
        (party, sorted((k, sorted(v)) for k, v in given.items()), sorted(fixed.items()))
    )
    return EventQuery(
        sets=sets,
        times=times,
        biz_transactions=transactions,
        error_declared=declared,
        digest=hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:16],
    )


def _biz_transaction(name: str) -> bool:
    return name.startswith(_BIZ_TRANSACTION) and len(name) > len(_BIZ_TRANSACTION)


def _checked(name: str, values: list[str]) -> frozenset[str]:
    if name == "eventType":
        unknown = [v for v in values if v not in EVENT_TYPES]
        if unknown:
            raise Problem(
                400,
                "QueryParameterException",
                f"eventType {unknown[0]!r} is not an EPCIS event type; one of "
                + ", ".join(EVENT_TYPES),
            )
    if name == "EQ_action":
        unknown = [v for v in values if v not in _ACTIONS]
        if unknown:
            raise Problem(
                400,
                "QueryParameterException",
                f"EQ_action {unknown[0]!r} is not ADD, OBSERVE or DELETE",
            )
    if name == "EQ_bizStep":
        return frozenset(_word(v, "bizStep") for v in values)
    if name == "EQ_disposition":
        return frozenset(_word(v, "disposition") for v in values)
    return frozenset(values)
