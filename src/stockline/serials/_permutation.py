"""A keyed pseudo-random permutation of ``0 .. size - 1``: the order a random pool issues in.

The construction is a balanced Feistel network (Luby and Rackoff) whose round function is
HMAC-SHA-256 under the pool's secret key, over the smallest even number of bits that holds
``size``, with *cycle-walking* (Black and Rogaway, "Ciphers with Arbitrary Finite Domains",
CT-RSA 2002) to stay inside the domain: a value that lands outside is permuted again until it
lands inside. A Feistel network is a bijection whatever its round function, so the pool's
*n*-th serial is ``permute(n)``, distinct for every *n* with no list of what was issued to keep
or search; :meth:`Permutation.invert` tells from a serial which number it was.

Ten rounds, as NIST SP 800-38G's FF1 uses for the same job, and (as FF1 requires since
revision 1) a domain of at least one million values. With the key secret, seeing any number of
issued serials tells an outsider nothing useful about the others: each guess of a serial not
yet seen is right with probability at most (issued / size) plus the network's distinguishing
advantage, which for HMAC-SHA-256 rounds is negligible next to it.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["MIN_RANDOM_SPACE", "ROUNDS", "Permutation"]

#: Feistel rounds.
ROUNDS = 10
#: The smallest domain a keyed permutation is used on (NIST SP 800-38G Rev. 1's floor).
MIN_RANDOM_SPACE = 1_000_000


class Permutation:
    """A bijection of ``0 .. size - 1`` chosen by ``key``.

    Args:
        key: The secret (at least 16 bytes).
        size: How many values (at least 2).

    Example:
        >>> p = Permutation(b"0123456789abcdef", 1_000_000)
        >>> n = p.permute(7)
        >>> 0 <= n < 1_000_000 and p.invert(n) == 7
        True
    """

    __slots__ = ("_half", "_mask", "_rounds", "_size", "_width")

    def __init__(self, key: bytes, size: int) -> None:
        if len(key) < 16:
            raise ValueError("a permutation key has at least 16 bytes")
        if size < 2:
            raise ValueError("a permutation needs at least 2 values")
        self._size = size
        self._half = max(1, ((size - 1).bit_length() + 1) // 2)
        self._mask = (1 << self._half) - 1
        self._width = (self._half + 7) // 8
        # One key per round, so a round's output never equals another round's on equal input;
        # each round's HMAC is keyed once here and copied per call (its key schedule done).
        self._rounds = tuple(
            hmac.new(
                hmac.digest(key, b"stockline serial round %d" % r, hashlib.sha256),
                digestmod=hashlib.sha256,
            )
            for r in range(ROUNDS)
        )

    def _round(self, r: int, value: int) -> int:
        mac = self._rounds[r].copy()
        mac.update(value.to_bytes(self._width, "big"))
        return int.from_bytes(mac.digest()[:16], "big") & self._mask

    def _encrypt(self, x: int) -> int:
        half, mask = self._half, self._mask
        left, right = x >> half, x & mask
        for r in range(ROUNDS):
            left, right = right, left ^ self._round(r, right)
        return (left << half) | right

    def _decrypt(self, y: int) -> int:
        half, mask = self._half, self._mask
        left, right = y >> half, y & mask
        for r in reversed(range(ROUNDS)):
            left, right = right ^ self._round(r, left), left
        return (left << half) | right

    def permute(self, n: int) -> int:
        """Return the image of ``n`` (``0 <= n < size``)."""
        if not 0 <= n < self._size:
            raise ValueError(f"{n} is outside 0 .. {self._size - 1}")
        # The network's domain is under four times the size, so a walk takes < 4 steps on average.
        y = self._encrypt(n)
        while y >= self._size:
            y = self._encrypt(y)
        return y

    def invert(self, y: int) -> int:
        """Return the ``n`` whose image is ``y``."""
        if not 0 <= y < self._size:
            raise ValueError(f"{y} is outside 0 .. {self._size - 1}")
        n = self._decrypt(y)
        while n >= self._size:
            n = self._decrypt(n)
        return n
