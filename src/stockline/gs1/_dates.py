"""GS1 dates: the two-digit-year sliding window and day ``00``."""

from __future__ import annotations

import calendar
import datetime as dt


def century_year(two_digits: int, *, today: dt.date) -> int:
    """Return the four-digit year for a two-digit GS1 year read on ``today``.

    GS1 General Specifications section 7.12: the year lies between 49 years in the past and
    50 years in the future of the reading date.
    """
    century = today.year - today.year % 100
    difference = two_digits - today.year % 100
    if difference >= 51:
        return century - 100 + two_digits
    if difference <= -50:
        return century + 100 + two_digits
    return century + two_digits


def decode_date(digits: str, *, today: dt.date, day_zero: bool) -> dt.date:
    """Decode ``YYMMDD`` (or ``YYYYMMDD``) into a date.

    Raises:
        ValueError: With a short reason when the month or day cannot exist.
    """
    if len(digits) == 8:
        year, rest = int(digits[:4]), digits[4:]
    else:
        year, rest = century_year(int(digits[:2]), today=today), digits[2:]
    month, day = int(rest[:2]), int(rest[2:4])
    if not 1 <= month <= 12:
        raise ValueError(f"month {rest[:2]} does not exist")
    last = calendar.monthrange(year, month)[1]
    if day == 0 and day_zero:
        # Day 00 stands for "end of month" on AIs whose format allows it (yymmd0).
        return dt.date(year, month, last)
    if not 1 <= day <= last:
        raise ValueError(f"day {rest[2:4]} does not exist in {year:04d}-{month:02d}")
    return dt.date(year, month, day)


def encode_date(value: dt.date, *, today: dt.date) -> str:
    """Encode a date as ``YYMMDD``, refusing dates the sliding window would misread.

    Raises:
        ValueError: When ``value`` is outside the window around ``today``.
    """
    if century_year(value.year % 100, today=today) != value.year:
        raise ValueError(
            f"{value.isoformat()} cannot be written with a two-digit year: read on "
            f"{today.isoformat()} it would mean another century"
        )
    return value.strftime("%y%m%d")
