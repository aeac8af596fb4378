"""A serial pool as its document holds it, and the arithmetic from a count to a serial.

A pool is one operational document (kind ``serial-pool``, keyed by GTIN) holding its scheme,
its alphabet and length, its secret key (random pools) and ``issued``, the count of serials
taken so far. The pool's *n*-th serial is a pure function of the pool and *n*: *n* + 1 written
in the alphabet (sequential), or the keyed permutation of *n* (random). Issuing is therefore
one versioned update of the counter, in the same write block as whatever uses the serials;
two writers can never take the same *n*, and no list of issued serials has to be kept or
searched. Each issue is recorded as a batch document (``serial-batch``) for the report.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Mapping
from typing import Any

from stockline.errors import ValidationError
from stockline.ledger import Document
from stockline.serials._permutation import MIN_RANDOM_SPACE, Permutation
from stockline.serials._records import Scheme, SerialBatch, SerialPool

__all__ = [
    "BATCH_KIND",
    "CSET82",
    "POOL_KIND",
    "VOID_KIND",
    "PoolNumbers",
    "batch_body",
    "batch_from",
    "batch_key",
    "check_alphabet",
    "new_pool_body",
    "pool_from",
]

#: Document kinds.
POOL_KIND = "serial-pool"
BATCH_KIND = "serial-batch"
VOID_KIND = "serial-void"

#: GS1 AI encodable character set 82, which AI (21) allows.
CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)


def check_alphabet(alphabet: str) -> str:
    """Return ``alphabet`` if it can write AI (21) serials: two or more distinct characters of
    GS1 character set 82.

    Raises:
        ValidationError: It cannot.
    """
    if len(alphabet) < 2 or len(set(alphabet)) != len(alphabet):
        raise ValidationError(
            what="alphabet",
            value=alphabet,
            expected="two or more distinct characters",
        )
    outside = sorted(set(alphabet) - CSET82)
    if outside:
        raise ValidationError(
            what="alphabet",
            value=alphabet,
            expected=f"characters of GS1 character set 82 only (not {''.join(outside)!r})",
        )
    return alphabet


def new_pool_body(
    *,
    sku: str,
    gtin: str,
    scheme: Scheme,
    length: int,
    alphabet: str,
    guess_odds: int,
    at: dt.datetime,
    actor: str | None,
) -> dict[str, Any]:
    """Return the document body of a new, empty pool.

    Raises:
        ValidationError: A random pool too small to be unpredictable, or to issue anything
            at those odds.
    """
    space = len(alphabet) ** length
    if scheme is Scheme.RANDOM:
        if space < MIN_RANDOM_SPACE:
            raise ValidationError(
                f"a random pool of {length} characters of {alphabet!r} has {space} serials; "
                f"a keyed permutation needs at least {MIN_RANDOM_SPACE:,}: make the serials "
                "longer"
            )
        capacity = space // guess_odds
        if capacity < 1:
            raise ValidationError(
                f"a random pool of {space} serials at odds of 1 in {guess_odds} could issue "
                "none; make the serials longer"
            )
    else:
        capacity = space - 1  # 1 .. space - 1: a serial of all zeros is never issued
        guess_odds = 1
    return {
        "sku": sku,
        "gtin": gtin,
        "scheme": scheme.value,
        "length": length,
        "alphabet": alphabet,
        "space": str(space),
        "capacity": str(capacity),
        "issued": "0",
        "guess_odds": guess_odds,
        # Whoever reads the store can read the key; it never leaves it in an export.
        "key": secrets.token_hex(32) if scheme is Scheme.RANDOM else None,
        "created_at": at.isoformat(),
        "created_by": actor,
    }


def pool_from(doc: Document) -> SerialPool:
    """Return the pool a document holds."""
    b = doc.body
    return SerialPool(
        sku=b["sku"],
        gtin=b["gtin"],
        scheme=Scheme(b["scheme"]),
        length=b["length"],
        alphabet=b["alphabet"],
        space=int(b["space"]),
        capacity=int(b["capacity"]),
        issued=int(b["issued"]),
        guess_odds=b["guess_odds"],
        created_at=dt.datetime.fromisoformat(b["created_at"]),
        created_by=b["created_by"],
    )


class PoolNumbers:
    """The serials of one pool: its *n*-th serial, and which *n* a serial is."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self._alphabet: str = body["alphabet"]
        self._length: int = body["length"]
        self._space = int(body["space"])
        self._digits = {c: i for i, c in enumerate(self._alphabet)}
        key = body["key"]
        self._permutation = None if key is None else Permutation(bytes.fromhex(key), self._space)

    def serial(self, n: int) -> str:
        """Return the pool's serial number ``n`` (counting from 0)."""
        value = n + 1 if self._permutation is None else self._permutation.permute(n)
        base, alphabet = len(self._alphabet), self._alphabet
        chars = []
        for _ in range(self._length):
            value, digit = divmod(value, base)
            chars.append(alphabet[digit])
        return "".join(reversed(chars))

    def serials(self, first: int, count: int) -> Iterator[str]:
        """Yield the serials ``first`` .. ``first + count - 1``."""
        for n in range(first, first + count):
            yield self.serial(n)

    def number(self, serial: str) -> int | None:
        """Return which ``n`` the serial is, or ``None`` if the pool cannot write it."""
        if len(serial) != self._length:
            return None
        value = 0
        base = len(self._alphabet)
        for c in serial:
            digit = self._digits.get(c)
            if digit is None:
                return None
            value = value * base + digit
        if self._permutation is None:
            return value - 1 if value > 0 else None
        return self._permutation.invert(value)


def batch_key(gtin: str, first: int) -> str:
    """The key of the batch that starts at ``first`` (keys sort in issue order)."""
    return f"{gtin}|{first:032d}"


def batch_body(
    *,
    first: int,
    count: int,
    at: dt.datetime,
    actor: str | None,
    reserved_for: str | None,
    transaction: int | None,
) -> dict[str, Any]:
    """Return the document body recording one issue."""
    return {
        "first": str(first),
        "count": count,
        "issued_at": at.isoformat(),
        "issued_by": actor,
        "reserved_for": reserved_for,
        "transaction": transaction,
    }


def batch_from(pool: SerialPool, numbers: PoolNumbers, doc: Document) -> SerialBatch:
    """Return the batch a document records, its serials computed again."""
    b = doc.body
    first = int(b["first"])
    return SerialBatch(
        sku=pool.sku,
        gtin=pool.gtin,
        first=first,
        serials=tuple(numbers.serials(first, b["count"])),
        issued_at=dt.datetime.fromisoformat(b["issued_at"]),
        issued_by=b["issued_by"],
        reserved_for=b["reserved_for"],
        transaction=b["transaction"],
    )
