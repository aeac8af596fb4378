"""The validating boundary: every public argument becomes a canonical value here, or is refused.

Each function takes what a caller passed (any object at all) and returns the one form stockline
keeps, or raises a :class:`~stockline.errors.StocklineError` subclass that names the argument,
what was expected and what was found. They are strict on purpose: a ``bool`` is not a number or
an id, a string is not a number, a date or a sequence of codes, and ``None`` is refused where a
value is required. Verbs call them once, before anything is read or written, so what is hashed
is exactly what is stored.
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

import attrs
import pendulum

from stockline.errors import InvalidTimeError, ValidationError
from stockline.ledger._counterparties import default_ref_type
from stockline.ledger._master import check_path
from stockline.ledger._quantity import MAX_DECIMALS, as_quantity, is_canonical
from stockline.ledger._records import (
    ContainerEvent,
    Edge,
    EdgeKind,
    Movement,
    NewTransaction,
    Position,
    Reference,
    TxKind,
)
from stockline.ledger._time import aware_utc

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_DAYS",
    "MAX_ID",
    "MAX_WHOLE",
    "Header",
    "allowance",
    "choice",
    "code",
    "codes",
    "day",
    "draft",
    "flag",
    "ledger_day",
    "mapping",
    "moment",
    "movement",
    "note",
    "optional_callable",
    "optional_code",
    "optional_day",
    "optional_moment",
    "optional_note",
    "pair",
    "path",
    "position",
    "quantity",
    "refs",
    "sequence",
    "serial_lines",
    "whole",
]

_E = TypeVar("_E", bound=enum.Enum)

#: Documents as ``{"PO": "PO-1", "ASN": "asn-77"}`` or as :class:`Reference` records.
Refs = Mapping[str, str] | Sequence[Reference]


def _bad_characters(value: str) -> str | None:
    """Return a description of the first character stockline does not keep, if any."""
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            return f"a lone surrogate (U+{ord(ch):04X})"
        if category == "Cc" and ch not in "\t\n":
            return f"a control character (U+{ord(ch):04X})"
    return None


#: Identifiers and paths already found well formed. A warehouse names a few thousand items,
#: locations and lots over and over; checking one character by character costs more than the
#: rest of a movement's checks. Bounded: cleared when full.
_CODES: dict[str, None] = {}
_PATHS: dict[str, None] = {}
_KNOWN_MAX = 65_536


def _known(cache: dict[str, None], value: str) -> str:
    if len(cache) >= _KNOWN_MAX:
        cache.clear()
    cache[value] = None
    return value


def code(value: object, what: str) -> str:
    """Return an identifier (SKU, lot, serial, container, party, key, actor) as text.

    An identifier is a non-empty ``str`` without surrounding spaces, line breaks, tabs or
    other control characters.

    Raises:
        ValidationError: It is not such a string.
    """
    if type(value) is str and value in _CODES:
        return value
    if not isinstance(value, str):
        raise ValidationError(
            what=what,
            value=value,
            expected="text (a str)",
            advice=f"pass it as a string, e.g. {what}={str(value)!r}",
        )
    if not value.strip() or value != value.strip():
        raise ValidationError(
            what=what, value=value, expected="a non-empty string without surrounding spaces"
        )
    bad = _bad_characters(value)
    if bad is not None or "\t" in value or "\n" in value:
        raise ValidationError(
            f"{what} {value!r} holds {bad or 'a tab or line break'}; an identifier is printable "
            "text on one line"
        )
    # Only exact str: a subclass could compare equal and still be something else.
    return _known(_CODES, value) if type(value) is str else value


def path(value: object, what: str = "location") -> str:
    """Return a location path (``DC1/A/01-03``): an identifier whose segments, joined by
    ``/``, start with a letter or digit.

    Raises:
        ValidationError: It is not text, or not a well-formed path.
    """
    if type(value) is str and value in _PATHS:
        return value
    checked = check_path(code(value, what))
    return _known(_PATHS, checked) if type(checked) is str else checked


def optional_code(value: object, what: str) -> str | None:
    """Like :func:`code`, with ``None`` for "not given"."""
    return None if value is None else code(value, what)


def note(value: object, what: str) -> str:
    """Return free text (a reason, a description, an address) as given.

    Free text may be empty and may hold spaces, tabs and line breaks, but not other control
    characters or lone surrogates (no store could keep those the same way).

    Raises:
        ValidationError: It is not such a string.
    """
    if not isinstance(value, str):
        raise ValidationError(
            what=what,
            value=value,
            expected="text (a str)",
            advice=f"pass it as a string, e.g. {what}={str(value)!r}",
        )
    bad = _bad_characters(value)
    if bad is not None:
        raise ValidationError(f"{what} {value!r} holds {bad}; give printable text")
    return value


def optional_note(value: object, what: str) -> str | None:
    """Like :func:`note`, with ``None`` for "not given"."""
    return None if value is None else note(value, what)


def quantity(value: object, what: str = "quantity", *, decimals: int = MAX_DECIMALS) -> Decimal:
    """Return a positive quantity as a canonical ``Decimal`` (see ``as_quantity``).

    Raises:
        InvalidQuantityError: Not a ``Decimal``, ``int`` or decimal text; a float or a bool;
            not positive; finer than ``decimals`` places.
    """
    return as_quantity(value, decimals=decimals, what=what)


#: The first and last day a time (an effective time, a window's bound) may fall on: what a
#: ledger records, with room for a day plus the longest shelf life (:data:`MAX_DAYS`).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
#: The most days a shelf life, a window or an age may span (about 100 years).
MAX_DAYS = 36_525


def _in_range(value: dt.date, given: object, what: str) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidTimeError(
            value=given,
            what=what,
            expected=f"a date from {FIRST_DAY} to {LAST_DAY}",
            advice="check the year",
        )


def moment(value: object, what: str) -> pendulum.DateTime:
    """Return an aware time in UTC, from :data:`FIRST_DAY` to :data:`LAST_DAY`.

    Raises:
        InvalidTimeError: It is not a ``datetime`` with a time zone (text is refused too), or
            it is out of that range.
    """
    if isinstance(value, dt.datetime):
        _in_range(value.date(), value, what)
    when = aware_utc(value, what)
    _in_range(when.date(), value, what)
    return when


def _instant(value: object, what: str) -> dt.datetime | None:
    """Like :func:`optional_moment`, but a standard-library time already in
    :data:`datetime.UTC` is kept as it is: a record's times are ``datetime`` in UTC, and a
    pendulum copy of each would cost more than the rest of a movement's checks."""
    if type(value) is dt.datetime and value.tzinfo is dt.UTC:
        _in_range(value.date(), value, what)
        return value
    return optional_moment(value, what)


def optional_moment(value: object, what: str) -> pendulum.DateTime | None:
    """Like :func:`moment`, with ``None`` for "not given"."""
    return None if value is None else moment(value, what)


def day(value: object, what: str) -> dt.date:
    """Return a calendar date (a ``datetime.date`` that is not a ``datetime``); any day of the
    calendar, so that a horizon may be counted from its last days.

    Raises:
        InvalidTimeError: It is text, a number, a ``datetime`` or anything else.
    """
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidTimeError(
            value=value,
            what=what,
            expected="a datetime.date",
            advice="pass e.g. datetime.date(2027, 3, 31)",
        )
    return dt.date(value.year, value.month, value.day)


def ledger_day(value: object, what: str) -> dt.date:
    """Return a calendar date a ledger time may fall on, from :data:`FIRST_DAY` to
    :data:`LAST_DAY`: for a date that becomes a time (the first or last moment of that day,
    as a bound of a period), so that the day after or before it exists.

    Raises:
        InvalidTimeError: It is not a ``datetime.date`` (see :func:`day`), or it is out of that
            range.
    """
    found = day(value, what)
    _in_range(found, value, what)
    return found


def optional_day(value: object, what: str) -> dt.date | None:
    """Like :func:`day`, with ``None`` for "not given"."""
    return None if value is None else day(value, what)


#: The largest whole number every store keeps in a count or setting (a 32-bit integer column).
MAX_WHOLE = 2**31 - 1
#: The largest transaction id or position in the change feed (a 64-bit integer column).
MAX_ID = 2**63 - 1


def whole(value: object, what: str, *, minimum: int = 0, maximum: int = MAX_WHOLE) -> int:
    """Return a whole number from ``minimum`` to ``maximum`` (a ``bool`` is not one).

    The default maximum is what every store keeps in a whole-number column; transaction ids
    and positions in the change feed go up to :data:`MAX_ID`.

    Raises:
        ValidationError: It is not an ``int``, is a ``bool``, or is out of the range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(what=what, value=value, expected="a whole number (an int)")
    if value < minimum:
        raise ValidationError(what=what, value=value, expected=f"at least {minimum}")
    if value > maximum:
        raise ValidationError(what=what, value=value, expected=f"at most {maximum}")
    return int(value)


def flag(value: object, what: str) -> bool:
    """Return a yes/no argument, which must be a ``bool``.

    Raises:
        ValidationError: It is anything but ``True`` or ``False``.
    """
    if not isinstance(value, bool):
        raise ValidationError(what=what, value=value, expected="True or False")
    return value


def allowance(value: object, what: str, reason: str | None) -> bool:
    """Return a flag that lifts a rule (``allow_expired``, ...), which must come with a reason
    when it is ``True``: the ledger records why the rule was lifted. ``reason`` is the call's
    reason, already validated.

    Raises:
        ValidationError: It is not a ``bool``, or ``True`` without a reason.
    """
    if flag(value, what) and not (reason and reason.strip()):
        raise ValidationError(
            what="reason",
            value=reason,
            expected=f"text saying why, given with {what}=True",
            advice="say why the rule is lifted, e.g. reason='returned for destruction'",
        )
    return bool(value)


def choice(value: object, kind: type[_E], what: str) -> _E:
    """Return one member of the enumeration ``kind``, given as the member or its value.

    Raises:
        ValidationError: It is neither.
    """
    if isinstance(value, kind):
        return value
    for member in kind:
        if isinstance(value, str) and member.value == value:
            return member
    allowed = ", ".join(str(m.value) for m in kind)
    raise ValidationError(what=what, value=value, expected=f"one of {allowed}")


def codes(value: object, what: str) -> tuple[str, ...]:
    """Return a sequence of identifiers as a tuple; a lone string is not a sequence of codes.

    Raises:
        ValidationError: It is a string, not a sequence, or holds a bad identifier.
    """
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
        raise ValidationError(
            what=what,
            value=value,
            expected="a list or tuple of codes",
            advice=f"write [{value!r}] for one",
        )
    return tuple(code(v, f"each of {what}") for v in value)


def sequence(value: object, what: str) -> tuple[object, ...]:
    """Return the members of a collection (a list, tuple, set or other iterable) as a tuple;
    a string, bytes or a mapping is not such a collection.

    Raises:
        ValidationError: It is not a collection.
    """
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise ValidationError(
            what=what, value=value, expected="a list or tuple", advice=f"write [{value!r}] for one"
        )
    return tuple(value)


def pair(value: object, what: str) -> tuple[str, str]:
    """Return a ``(sku, lot)`` pair of identifiers.

    Raises:
        ValidationError: It is not a tuple or list of two identifiers.
    """
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValidationError(what=what, value=value, expected="a (sku, lot) pair")
    return code(value[0], f"{what} sku"), code(value[1], f"{what} lot")


def mapping(value: object, what: str) -> Mapping[object, object]:
    """Return a mapping as given.

    Raises:
        ValidationError: It is not a mapping.
    """
    if not isinstance(value, Mapping):
        raise ValidationError(what=what, value=value, expected="a mapping such as a dict")
    return value


def optional_callable(value: object, what: str) -> Callable[..., object] | None:
    """Return a function to call back, or ``None`` for "not given".

    Raises:
        ValidationError: It is neither ``None`` nor callable.
    """
    if value is not None and not callable(value):
        raise ValidationError(what=what, value=value, expected="a function or None")
    return value


def _canonical_reference(value: object) -> bool:
    return (
        type(value) is Reference
        and type(value.type) is str
        and value.type in _CODES
        and type(value.number) is str
        and value.number in _CODES
    )


def refs(kind: TxKind, ref: object, documents: object) -> tuple[Reference, ...]:
    """Return the business documents of a posting: ``ref`` (typed by the kind: a receipt's is a
    PO, a shipment's an SO, ...) followed by ``documents``.

    Raises:
        ValidationError: ``ref`` is not an identifier; ``documents`` is not a mapping of
            type to number nor a sequence of :class:`Reference`.
    """
    if ref is None and type(documents) is tuple and all(map(_canonical_reference, documents)):
        return documents
    found: list[Reference] = []
    if ref is not None:
        found.append(Reference(type=default_ref_type(kind), number=code(ref, "ref")))
    if isinstance(documents, Mapping):
        for type_, number in documents.items():
            found.append(Reference(type=code(type_, "a document type"), number=code(number, "ref")))
    elif isinstance(documents, Sequence) and not isinstance(documents, str | bytes):
        for one in documents:
            if not isinstance(one, Reference):
                raise ValidationError(what="each of refs", value=one, expected="a Reference")
            found.append(
                Reference(type=code(one.type, "a document type"), number=code(one.number, "ref"))
            )
    else:
        raise ValidationError(
            what="refs",
            value=documents,
            expected="a mapping such as {'ASN': 'asn-77'} or a list of Reference",
        )
    return tuple(found)


# Header.of takes an argument named ``refs``, which hides the function of that name there.
_document_refs = refs


@attrs.frozen(kw_only=True)
class Header:
    """The document fields every posting carries, canonical.

    Attributes:
        refs: Business documents (PO, ASN, SO, work order, BOL).
        key: The idempotency key, if any.
        effective_at: When it happened on the floor (UTC); "now" when ``None``.
        actor: Who posts it.
        reason: Why.
    """

    refs: tuple[Reference, ...] = ()
    key: str | None = None
    effective_at: pendulum.DateTime | None = None
    actor: str | None = None
    reason: str | None = None

    @classmethod
    def of(
        cls,
        kind: TxKind,
        *,
        ref: object = None,
        refs: object = (),
        key: object = None,
        effective_at: object = None,
        actor: object = None,
        reason: object = None,
    ) -> Header:
        """Return the canonical header of a posting of ``kind`` from what a caller passed.

        Raises:
            ValidationError: A field is of the wrong type or holds what no store keeps.
            InvalidTimeError: ``effective_at`` is not an aware datetime.
        """
        return cls(
            refs=_document_refs(kind, ref, refs),
            key=optional_code(key, "key"),
            effective_at=optional_moment(effective_at, "effective_at"),
            actor=optional_code(actor, "actor"),
            reason=optional_note(reason, "reason"),
        )


def serial_lines(
    sku: str, quantity: object, serial: object, serials: object
) -> list[tuple[Decimal, str | None]]:
    """Return the ``(quantity, serial)`` lines of a posting of ``sku``.

    Without serials it is one line of ``quantity``, canonical (its precision is checked
    against the item's unit when posted); with ``serial=`` or ``serials=`` it is one line of
    1 per serial, and a quantity, if given, must equal their number.

    Raises:
        InvalidQuantityError: The quantity is not a positive ``Decimal``, ``int`` or decimal
            text.
        ValidationError: No quantity and no serials; a serial repeats; the quantity does not
            match the serials; ``serials`` is a string or holds something other than codes.
    """
    wanted = ([code(serial, "serial")] if serial is not None else []) + list(
        codes(serials, "serials")
    )
    if not wanted:
        if quantity is None:
            raise ValidationError(f"give a quantity of {sku} (or serials for serial-tracked items)")
        return [(as_quantity(quantity), None)]
    if len(set(wanted)) != len(wanted):
        raise ValidationError(f"the serials of {sku} repeat one another: {wanted}")
    if quantity is not None and as_quantity(quantity) != len(wanted):
        raise ValidationError(
            f"quantity {quantity} of {sku} does not match the {len(wanted)} serials given; "
            "leave the quantity out, or give one serial per unit"
        )
    return [(Decimal(1), s) for s in wanted]


def position(value: object, what: str) -> Position:
    """Return a :class:`Position` whose fields are canonical.

    Raises:
        ValidationError: It is not a ``Position``, or a field is not canonical.
    """
    if type(value) is Position and _canonical_position(value):
        return value
    if not isinstance(value, Position):
        raise ValidationError(f"{what} must be a Position, got {type(value).__name__} {value!r}")
    return Position(
        location=path(value.location, f"{what}.location"),
        status=code(value.status, f"{what}.status"),
        container=optional_code(value.container, f"{what}.container"),
    )


def _canonical_position(p: Position) -> bool:
    """Whether every field of ``p`` is a str already found well formed (or no container)."""
    location, status, container = p.location, p.status, p.container
    return (
        type(location) is str
        and location in _PATHS
        and type(status) is str
        and status in _CODES
        and (container is None or (type(container) is str and container in _CODES))
    )


def _canonical_movement(m: Movement) -> bool:
    """Whether ``m`` is canonical as it is: known names, a canonical quantity, known positions."""
    item, lot, serial, given = m.item, m.lot, m.serial, m.quantity
    if not (
        type(item) is str
        and item in _CODES
        and (lot is None or (type(lot) is str and lot in _CODES))
        and (serial is None or (type(serial) is str and serial in _CODES))
        and type(m.src) is Position
        and type(m.dst) is Position
        and _canonical_position(m.src)
        and _canonical_position(m.dst)
    ):
        return False
    return is_canonical(given)


def movement(value: object, what: str = "movement") -> Movement:
    """Return a :class:`Movement` whose fields are canonical (see :func:`quantity`).

    Raises:
        ValidationError: It is not a ``Movement``, or a field is not canonical.
        InvalidQuantityError: Its quantity is not a positive decimal.
    """
    if type(value) is Movement and _canonical_movement(value):
        return value
    if not isinstance(value, Movement):
        raise ValidationError(f"{what} must be a Movement, got {type(value).__name__} {value!r}")
    return Movement(
        item=code(value.item, f"{what}.item"),
        quantity=quantity(value.quantity, f"{what}.quantity"),
        src=position(value.src, f"{what}.src"),
        dst=position(value.dst, f"{what}.dst"),
        lot=optional_code(value.lot, f"{what}.lot"),
        serial=optional_code(value.serial, f"{what}.serial"),
    )


def _edge(value: object, what: str) -> Edge:
    if not isinstance(value, Edge):
        raise ValidationError(f"{what} must be an Edge, got {type(value).__name__} {value!r}")
    return Edge(
        kind=choice(value.kind, EdgeKind, f"{what}.kind"),
        parent_item=code(value.parent_item, f"{what}.parent_item"),
        parent_lot=optional_code(value.parent_lot, f"{what}.parent_lot"),
        parent_serial=optional_code(value.parent_serial, f"{what}.parent_serial"),
        child_item=code(value.child_item, f"{what}.child_item"),
        child_lot=optional_code(value.child_lot, f"{what}.child_lot"),
        child_serial=optional_code(value.child_serial, f"{what}.child_serial"),
        quantity=quantity(value.quantity, f"{what}.quantity"),
    )


def _container_event(value: object, what: str) -> ContainerEvent:
    if not isinstance(value, ContainerEvent):
        raise ValidationError(
            f"{what} must be a ContainerEvent, got {type(value).__name__} {value!r}"
        )
    return ContainerEvent(
        container=code(value.container, f"{what}.container"),
        parent=optional_code(value.parent, f"{what}.parent"),
        location=None if value.location is None else path(value.location, f"{what}.location"),
    )


def _tuple_of(value: object, what: str) -> tuple[object, ...]:
    if type(value) is tuple:
        return value
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValidationError(
            f"{what} must be a tuple or list, got {type(value).__name__} {value!r}"
        )
    return tuple(value)


def draft(value: object) -> NewTransaction:
    """Return a hand-built :class:`NewTransaction` with every field canonical, as
    :meth:`Inventory.post <stockline.Inventory.post>` takes it.

    Raises:
        ValidationError: It is not a ``NewTransaction``, or a field is not canonical.
        InvalidQuantityError: A quantity is not a positive decimal.
        InvalidTimeError: ``effective_at`` is not an aware datetime.
    """
    if not isinstance(value, NewTransaction):
        raise ValidationError(
            f"a posting takes a NewTransaction, got {type(value).__name__} {value!r}"
        )
    kind = choice(value.kind, TxKind, "kind")
    given = _tuple_of(value.movements, "movements")
    movements = tuple([movement(m, f"movements[{i}]") for i, m in enumerate(given)])
    if all(a is b for a, b in zip(movements, given, strict=True)):
        movements = given  # type: ignore[assignment]
    references = refs(kind, None, _tuple_of(value.refs, "refs"))
    if value.reverses is not None:
        whole(value.reverses, "reverses", minimum=1, maximum=MAX_ID)
    effective_at = _instant(value.effective_at, "effective_at")
    key = optional_code(value.key, "key")
    counterparty = optional_code(value.counterparty, "counterparty")
    actor = optional_code(value.actor, "actor")
    reason = optional_note(value.reason, "reason")
    edges = tuple(_edge(e, f"edges[{i}]") for i, e in enumerate(_tuple_of(value.edges, "edges")))
    containers = tuple(
        _container_event(c, f"containers[{i}]")
        for i, c in enumerate(_tuple_of(value.containers, "containers"))
    )
    if (
        type(value) is NewTransaction
        and kind is value.kind
        and movements is value.movements
        and effective_at is value.effective_at
        and key is value.key
        and references is value.refs
        and counterparty is value.counterparty
        and actor is value.actor
        and reason is value.reason
        and edges is value.edges
        and containers is value.containers
    ):
        return value  # canonical as it was given: nothing to copy
    return NewTransaction(
        kind=kind,
        movements=movements,
        effective_at=effective_at,
        key=key,
        refs=references,
        counterparty=counterparty,
        actor=actor,
        reason=reason,
        reverses=value.reverses,
        edges=edges,
        containers=containers,
    )
