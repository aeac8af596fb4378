"""Quantities: ``Decimal`` in, ``Decimal`` out, floats refused."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from stockline.errors import InvalidQuantityError

__all__ = ["MAX_DECIMALS", "MAX_QUANTITY", "as_quantity", "canonical"]

#: The finest precision any unit may have; the SQL store keeps quantities as integers of
#: ``10**-MAX_DECIMALS`` so sums in SQL are exact.
MAX_DECIMALS = 6

#: The largest quantity one movement may carry: a trillion base units. Every store keeps
#: quantities exactly as integers of ``10**-MAX_DECIMALS`` in 64 bits, so a balance up to
#: about nine trillion units is exact everywhere.
MAX_QUANTITY = Decimal(10**12)


def as_quantity(value: object, *, decimals: int = MAX_DECIMALS, what: str = "quantity") -> Decimal:
    """Return ``value`` as a positive ``Decimal`` with at most ``decimals`` decimal places.

    Accepts ``Decimal``, ``int`` and decimal strings. Floats are refused because ``0.1`` is not
    one tenth in binary, and a stock ledger must not drift.

    Raises:
        InvalidQuantityError: The value is a float, not a number, not positive, or finer than
            the unit allows.
    """
    if isinstance(value, (bool, float)):
        raise InvalidQuantityError(
            f"{what} {value!r} is a {type(value).__name__}; stockline takes Decimal, int or a "
            f"decimal string so that amounts stay exact, e.g. Decimal({str(value)!r})",
            value=value,
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise InvalidQuantityError(
                f"{what} {value!r} is not a number; give a decimal such as '12' or '0.5'",
                value=value,
            ) from None
    else:
        raise InvalidQuantityError(
            f"{what} must be a Decimal, int or decimal string, got {type(value).__name__}",
            value=value,
        )
    if not number.is_finite() or number <= 0:
        raise InvalidQuantityError(
            f"{what} must be positive, got {value!r}; to take stock out, post the movement the "
            "other way round",
            value=value,
        )
    if number > MAX_QUANTITY:
        raise InvalidQuantityError(
            f"{what} {value!r} is more than {MAX_QUANTITY:,} (the most one movement may carry, "
            "so that every store keeps balances exactly); split it, or use a larger unit",
            value=value,
        )
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked above
    if -exponent > decimals:
        raise InvalidQuantityError(
            f"{what} {value!r} has more than {decimals} decimal places, the precision of its "
            "unit; round it, or give the item a finer unit",
            value=value,
        )
    return canonical(number)


def canonical(number: Decimal) -> Decimal:
    """Return ``number`` without trailing zeros and without an exponent: ``120``, ``0.5``."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()
