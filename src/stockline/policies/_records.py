"""The records an allocation reads and returns: Demand, Candidate, Choice, Pick, Allocation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from stockline.errors import InvalidQuantityError, InvalidTimeError, ValidationError

__all__ = ["Allocation", "Candidate", "Choice", "Demand", "Exclusion", "Pick"]

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def micros(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, zone-free)."""
    # By ordinal, not by subtraction: pendulum times subtract to an interval, not a timedelta.
    days = moment.toordinal() - _EPOCH_ORDINAL
    whole = days * 86_400 + moment.hour * 3_600 + moment.minute * 60 + moment.second
    offset = moment.utcoffset() or timedelta(0)
    return whole * 1_000_000 + moment.microsecond - offset // timedelta(microseconds=1)


def _decimal(value: Decimal | int, *, what: str) -> Decimal:
    # bool is an int subclass; True as a quantity is always a bug.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidQuantityError(
            value=value,
            what=what,
            expected="a Decimal (or an int)",
            advice=f"pass Decimal({str(value)!r})" if isinstance(value, float) else None,
        )
    result = Decimal(value)
    if not result.is_finite():
        raise InvalidQuantityError(value=value, what=what, expected="a finite number")
    return result


def _positive(value: Decimal | int, *, what: str) -> Decimal:
    result = _decimal(value, what=what)
    if result <= 0:
        raise InvalidQuantityError(value=value, what=what, expected="greater than zero")
    return result


def _quantity(value: Decimal | int) -> Decimal:
    return _positive(value, what="Demand.quantity")


def _non_negative(value: Decimal | int) -> Decimal:
    result = _decimal(value, what="Candidate.available")
    if result < 0:
        raise InvalidQuantityError(
            value=value,
            what="Candidate.available",
            expected="zero or more",
            advice="a position never holds negative available stock",
        )
    return result


def _optional_pack(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else _positive(value, what="Demand.pack_size")


def _zones(value: tuple[str, ...] | list[str] | frozenset[str]) -> tuple[str, ...]:
    # A bare string would silently become a tuple of one-letter "zones".
    if isinstance(value, str):
        raise ValidationError(
            what="zones",
            value=value,
            expected="a sequence of location prefixes",
            advice=f"write ({value!r},)",
        )
    return tuple(zone.rstrip("/") for zone in value)


def _frozen_mapping(value: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(value))


def _plain_date(what: str) -> Any:
    def check(_: object, __: attrs.Attribute[Any], value: object) -> None:
        # datetime is a date subclass, and comparing the two raises TypeError deep in a sort.
        if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
            raise InvalidTimeError(value=value, what=what, expected="a datetime.date")

    return check


def _aware(_: object, __: attrs.Attribute[Any], value: datetime) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidTimeError(
            value=value,
            what="Candidate.first_received_at",
            expected="a time-zone aware datetime",
            advice="attach a zone (e.g. tzinfo=timezone.utc) instead of letting one be assumed",
        )


@attrs.frozen(kw_only=True)
class Demand:
    """What to allocate: a quantity of one item, and the rules the picked stock must meet.

    The hard constraints (``lot``, ``min_remaining_shelf_life_days``, ``allowed_zones``,
    ``pack_size``) are enforced by `allocate` whatever policy is used. The soft ones
    (``preferred_zones``, ``prefer_whole_containers``) reorder the policy's ranking.

    Raises:
        InvalidQuantityError: ``quantity`` or ``pack_size`` is a float, not positive, or
            ``quantity`` is not a whole number of packs.
    """

    item: str
    """The SKU to allocate."""
    quantity: Decimal = attrs.field(converter=_quantity)
    """How much is wanted, in the item's base unit; greater than zero."""
    at: date = attrs.field(validator=_plain_date("Demand.at"))
    """The date expiry and shelf life are judged on (usually the ship date)."""
    lot: str | None = None
    """When set, only this lot may be picked."""
    min_remaining_shelf_life_days: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    """Days of shelf life a lot must still have on ``at``; 0 only excludes expired lots."""
    allowed_zones: tuple[str, ...] = attrs.field(default=(), converter=_zones)
    """Location prefixes (``"DC1/A"``) stock may come from; empty means anywhere."""
    preferred_zones: tuple[str, ...] = attrs.field(default=(), converter=_zones)
    """Location prefixes to pick from first, most preferred first."""
    prefer_whole_containers: bool = False
    """Take containers whose whole content fits the demand before breaking others."""
    pack_size: Decimal | None = attrs.field(default=None, converter=_optional_pack)
    """For whole-case demands: every pick, and the quantity, is a multiple of this."""
    attributes: Mapping[str, object] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False
    )
    """Free-form facts (customer, channel, ...) read by custom policies; copied, read-only."""

    def __attrs_post_init__(self) -> None:
        if self.pack_size is not None and self.quantity % self.pack_size != 0:
            raise InvalidQuantityError(
                value=self.quantity,
                what="Demand.quantity",
                expected=f"a multiple of pack_size {self.pack_size}",
                advice="round the demand to whole packs or drop pack_size",
            )

    def packs(self, quantity: Decimal) -> Decimal:
        """Round ``quantity`` down to whole packs (unchanged without a ``pack_size``).

        Args:
            quantity: A quantity of the item.

        Returns:
            The largest multiple of ``pack_size`` not above ``quantity``.
        """
        if self.pack_size is None:
            return quantity
        return (quantity // self.pack_size) * self.pack_size


@attrs.frozen(kw_only=True)
class Candidate:
    """A position holding the item that a demand could be served from.

    Raises:
        InvalidQuantityError: ``available`` is a float or negative.
        InvalidTimeError: ``first_received_at`` is naive, or ``expiry`` is not a date.
    """

    item: str
    """The SKU held."""
    lot: str | None = None
    """The lot code, or None for items not tracked by lot."""
    expiry: date | None = attrs.field(default=None, validator=_plain_date("Candidate.expiry"))
    """The lot's expiry (best-before) date; None when it does not expire."""
    first_received_at: datetime = attrs.field(validator=_aware)
    """When the stock (lot) was first received; aware."""
    location: str
    """The location path, e.g. ``"DC1/A/01-03"``."""
    pick_sequence: int = 0
    """The location's place on the pick path; lower is walked first."""
    container: str | None = None
    """The container (e.g. SSCC) the stock is in, or None for loose stock."""
    status: str = "available"
    """The stock status of the position."""
    available: Decimal = attrs.field(converter=_non_negative)
    """How much can be allocated from the position (on hand less reservations)."""
    reserved: Decimal = attrs.field(default=Decimal(0), converter=_non_negative)
    """How much of the position is reserved for orders already (on hand is ``available``
    plus this); a position reserved in full is offered with ``available`` zero, so that a
    short allocation can say it was kept out by reservations."""
    attributes: Mapping[str, object] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False
    )
    """Free-form facts about the stock (origin, grade, ...) read by custom policies."""
    received_us: int = attrs.field(init=False, repr=False, eq=False, hash=False)
    """Derived: ``first_received_at`` as integer microseconds since the epoch (exact across
    time zones, cheap to compare)."""
    tiebreak: tuple[Any, ...] = attrs.field(init=False, repr=False, eq=False, hash=False)
    """Derived: the final, total sort key: location, container, lot, status, then every
    other field, so a ranking never depends on the order candidates were passed in."""

    def __attrs_post_init__(self) -> None:
        # Both computed once here because every ranking reads them for every candidate.
        received = micros(self.first_received_at)
        key = (
            self.location,
            self.container is not None,
            self.container or "",
            self.lot is not None,
            self.lot or "",
            self.status,
            self.expiry is None,
            self.expiry.toordinal() if self.expiry else 0,
            received,
            self.pick_sequence,
            self.available,
            self.item,
        )
        object.__setattr__(self, "received_us", received)
        object.__setattr__(self, "tiebreak", key)

    def in_zone(self, zone: str) -> bool:
        """Whether the location is ``zone`` or below it (``"DC1/A"`` holds ``"DC1/A/01"``,
        not ``"DC1/AB"``).

        Args:
            zone: A location path prefix.
        """
        zone = zone.rstrip("/")
        return self.location == zone or self.location.startswith(zone + "/")


@attrs.frozen(kw_only=True)
class Choice:
    """A candidate a policy offers, in the policy's order, with why it comes there."""

    candidate: Candidate
    """The position offered."""
    reason: str
    """Human-readable reason, copied to the `Pick`."""


@attrs.frozen(kw_only=True)
class Pick:
    """One line of an allocation plan: take ``quantity`` from ``candidate``."""

    candidate: Candidate
    """The position to pick from."""
    quantity: Decimal
    """How much to take; never more than ``candidate.available``."""
    reason: str
    """Why this position, e.g. ``"FEFO: expires 2027-01-31, earliest of 4 eligible lots"``."""


@attrs.frozen(kw_only=True)
class Exclusion:
    """A position of the demanded item that was not offered, and the rule that kept it out."""

    candidate: Candidate
    """The position left out."""
    quantity: Decimal
    """How much it holds that was kept out (``candidate.available``; for ``"reserved"``,
    ``candidate.reserved``)."""
    reason: str
    """The rule: ``"status"`` (held, quarantined: not allocatable), ``"expired"``,
    ``"shelf_life"`` (too little left), ``"lot"`` (not the demanded lot), ``"zone"`` (outside
    the allowed zones), ``"policy"`` (the policy's own filter) or ``"reserved"`` (reserved for
    orders already: ``quantity`` is what is reserved there, ``candidate.reserved``)."""


@attrs.frozen(kw_only=True)
class Allocation:
    """The plan for one demand: ordered picks and what could not be served.

    A shortfall is a value, not an error: check `is_complete` (or `shortfall`) when the
    caller needs all or nothing.
    """

    demand: Demand
    """The demand allocated."""
    picks: tuple[Pick, ...]
    """The picks, in the order to perform them."""
    shortfall: Decimal
    """The quantity no eligible stock could serve; ``Decimal(0)`` when fully served."""
    excluded: tuple[Exclusion, ...] = ()
    """With a shortfall, the positions of the item that were left out and why, so a short
    allocation says what stock there is and which rule kept it; empty when fully served."""

    @property
    def allocated(self) -> Decimal:
        """The total quantity picked."""
        return sum((pick.quantity for pick in self.picks), Decimal(0))

    @property
    def is_complete(self) -> bool:
        """Whether the whole demand is served."""
        return self.shortfall == 0
