"""Aware times and the injected clock.

stockline stores every time in UTC and refuses naive datetimes: pendulum would silently read a
naive time as UTC, which turns a local shop-floor time into a wrong instant without a word.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import attrs
import pendulum

from stockline.errors import InvalidTimeError

_UTC = pendulum.UTC

__all__ = [
    "Clock",
    "FixedClock",
    "SystemClock",
    "aware_utc",
    "plain_utc",
    "to_micros",
    "utc_time",
]


class Clock(Protocol):
    """Where stockline gets "now" from. Pass your own to make postings reproducible."""

    def now(self) -> pendulum.DateTime:
        """Return the current time, time-zone aware."""
        ...


@attrs.frozen
class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> pendulum.DateTime:
        """Return the current UTC time."""
        return pendulum.now("UTC")


@attrs.define
class FixedClock:
    """A clock that says what it is told; for tests, imports and replays.

    Example:
        >>> clock = FixedClock(pendulum.datetime(2026, 3, 1, 8, tz="UTC"))
        >>> clock.advance(minutes=5).isoformat()
        '2026-03-01T08:05:00+00:00'
    """

    current: pendulum.DateTime

    def now(self) -> pendulum.DateTime:
        """Return the time the clock is set to."""
        return self.current

    def set(self, when: dt.datetime) -> None:
        """Set the clock to ``when`` (aware)."""
        self.current = aware_utc(when, "clock time")

    def advance(self, **delta: float) -> pendulum.DateTime:
        """Move the clock forward by a ``timedelta``'s keyword arguments and return the new time."""
        self.current = self.current + dt.timedelta(**delta)
        return self.current


def aware_utc(value: object, what: str) -> pendulum.DateTime:
    """Return ``value`` as a pendulum time in UTC, refusing naive or non-datetime input.

    Args:
        value: A ``datetime.datetime`` with a time zone (a pendulum ``DateTime`` is one).
        what: What the time is, for the error message ("effective_at", "as_of", ...).

    Raises:
        InvalidTimeError: ``value`` is not a datetime, or has no time zone.
    """
    if type(value) is pendulum.DateTime and value.tzinfo is _UTC:
        return value  # already what we keep: skip pendulum's costly conversion
    if type(value) is dt.datetime and value.tzinfo is dt.UTC:
        # A standard-library UTC time, as most callers pass: the same instant built directly,
        # several times cheaper than pendulum.instance().in_timezone().
        return pendulum.DateTime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            tzinfo=_UTC,
        )
    if not isinstance(value, dt.datetime):
        raise InvalidTimeError(value=value, what=what)
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidTimeError(value=value, what=what)
    return pendulum.instance(value).in_timezone("UTC")


def to_micros(value: dt.datetime) -> int:
    """Return an aware time as integer microseconds since the Unix epoch, exactly.

    Works for pendulum times too (subtracting them gives a pendulum interval that does not
    divide by a ``timedelta``).
    """
    days = value.toordinal() - _EPOCH_ORDINAL
    micros = (
        days * 86_400 + value.hour * 3_600 + value.minute * 60 + value.second
    ) * 1_000_000 + value.microsecond
    if value.tzinfo is not _UTC:  # the times stockline keeps are in UTC
        offset = value.utcoffset()
        if offset:
            micros -= offset // _MICROSECOND
    return micros


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_MICROSECOND = dt.timedelta(microseconds=1)


def plain_utc(value: dt.datetime) -> dt.datetime:
    """The same instant as a standard-library ``datetime`` in :data:`datetime.UTC`.

    For comparisons in hot loops: comparing a pendulum time with a standard one costs twenty
    times more than comparing two standard ones.
    """
    if type(value) is dt.datetime and value.tzinfo is dt.UTC:
        return value
    if value.tzinfo is not _UTC and value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return dt.datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=dt.UTC,
    )


def utc_time(value: object, what: str) -> dt.datetime:
    """Like :func:`aware_utc`, but a standard-library time already in :data:`datetime.UTC` is
    kept as it is: a record's times are ``datetime`` in UTC, and making a pendulum one of each
    costs more than the rest of a movement's checks.

    Raises:
        InvalidTimeError: ``value`` is not a datetime, or has no time zone.
    """
    if type(value) is dt.datetime and value.tzinfo is dt.UTC:
        return value
    return aware_utc(value, what)
