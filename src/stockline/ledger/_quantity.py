"""Quantities: ``Decimal`` in, ``Decimal`` out, floats refused."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from stockline.errors import InvalidQuantityError

__all__ = ["MAX_BALANCE", "MAX_DECIMALS", "MAX_QUANTITY", "as_quantity", "canonical"]

#: The finest precision any unit may have; the SQL store keeps quantities as integers of
#: ``10**-MAX_DECIMALS`` so sums in SQL are exact.
MAX_DECIMALS = 6

#: The largest quantity one movement may carry: a trillion base units. Every store keeps
#: quantities exactly as integers of ``10**-MAX_DECIMALS`` in 64 bits, so a balance up to
#: about nine trillion units is exact everywhere.
MAX_QUANTITY = Decimal(10**12)

#: The largest balance, in size, any position may hold (counterparty ones included): nine
#: trillion base units, which is 9 * 10**18 units of ``10**-MAX_DECIMALS``, inside a signed
#: 64-bit integer, so every store (SQLite's integers, PostgreSQL's bigint) keeps it exactly.
MAX_BALANCE = Decimal(9 * 10**12)


def as_quantity(value: object, *, decimals: int = MAX_DECIMALS, what: str = "quantity") -> Decimal:
    """Return ``value`` as a positive ``Decimal`` with at most ``decimals`` decimal places.

    Accepts ``Decimal``, ``int`` and decimal strings. Floats are refused because ``0.1`` is not
    one tenth in binary, and a stock ledger must not drift.

    Raises:
        InvalidQuantityError: The value is a float, not a number, not positive, or finer than
            the unit allows.
    """
    if isinstance(value, (bool, float)):
        raise InvalidQuantityError(value=value, what=what)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise InvalidQuantityError(value=value, what=what) from None
    else:
        raise InvalidQuantityError(value=value, what=what)
    if not number.is_finite() or number <= 0:
        raise InvalidQuantityError(value=value, what=what)
    if number > MAX_QUANTITY:
        raise InvalidQuantityError(
            value=value,
            what=what,
            expected=f"at most {MAX_QUANTITY:,}, the most one movement may carry",
            advice="every store keeps balances exactly up to there; split it, or use a larger unit",
        )
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked above
    if -exponent > decimals:
        raise InvalidQuantityError(value=value, what=what, decimals=decimals)
    return canonical(number)


def canonical(number: Decimal) -> Decimal:
    """Return ``number`` without trailing zeros and without an exponent: ``120``, ``0.5``."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()
