"""Quantities: ``Decimal`` in, ``Decimal`` out, floats refused."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from stockline.errors import InvalidQuantityError

__all__ = [
    "MAX_BALANCE",
    "MAX_DECIMALS",
    "MAX_QUANTITY",
    "as_quantity",
    "canonical",
    "is_canonical",
    "places",
    "quantity_text",
]

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


#: Canonical form, decimal places and canonical text of valid quantities seen, by value
#: (``Decimal`` or ``int``; equal values share one canonical form). A warehouse moves a few
#: hundred distinct quantities, and checking one costs more than the rest of a movement's checks.
_KNOWN: dict[Decimal | int, tuple[Decimal, int, str]] = {}
_KNOWN_MAX = 65_536


def _cached(value: object) -> tuple[Decimal, int, str] | None:
    if type(value) is Decimal or type(value) is int:
        try:
            return _KNOWN.get(value)
        except TypeError:  # a signalling NaN cannot be hashed; it is refused the long way
            return None
    return None


def is_canonical(value: object) -> bool:
    """Whether ``value`` is a ``Decimal`` found a valid quantity before, in canonical form."""
    found = _cached(value)
    return (
        found is not None
        and type(value) is Decimal
        and (found[0] is value or str(value) == found[2])  # same digits, same exponent
    )


def quantity_text(value: Decimal) -> str:
    """A valid quantity as canonical text (``120``, ``0.5``)."""
    found = _cached(value)
    return str(canonical(value)) if found is None else found[2]


def places(value: Decimal) -> int:
    """The decimal places of a valid quantity (``0`` for ``120``, ``1`` for ``0.5``)."""
    found = _cached(value)
    if found is not None:
        return found[1]
    return _places(canonical(value))


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: checked before
    return max(0, -exponent)


def as_quantity(value: object, *, decimals: int = MAX_DECIMALS, what: str = "quantity") -> Decimal:
    """Return ``value`` as a positive ``Decimal`` with at most ``decimals`` decimal places.

    Accepts ``Decimal``, ``int`` and decimal strings. Floats are refused because ``0.1`` is not
    one tenth in binary, and a stock ledger must not drift.

    Raises:
        InvalidQuantityError: The value is a float, not a number, not positive, or finer than
            the unit allows.
    """
    found = _cached(value)
    if found is not None and found[1] <= decimals:
        return found[0]
    quantity = _as_quantity(value, decimals, what)
    if type(value) is Decimal or type(value) is int:
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        _KNOWN[value] = (quantity, _places(quantity), str(quantity))
    return quantity


def _as_quantity(value: object, decimals: int, what: str) -> Decimal:
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
