"""The keyed permutation random pools issue in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stockline.serials import Permutation

KEY = bytes(range(32))


class TestPermutation:
    @pytest.mark.parametrize("size", [2, 3, 10, 1000, 4097])
    def test_is_a_bijection_of_the_domain(self, size: int) -> None:
        """Every value of 0 .. size - 1 is the image of exactly one, also for sizes that are
        not powers of four (cycle-walking keeps images inside)."""
        p = Permutation(KEY, size)
        images = [p.permute(n) for n in range(size)]
        assert sorted(images) == list(range(size))
        assert [p.invert(y) for y in images] == list(range(size))

    @given(
        size=st.integers(min_value=2, max_value=36**20),
        data=st.data(),
    )
    def test_invert_undoes_permute_on_large_domains(self, size: int, data: st.DataObject) -> None:
        """For any domain up to 20 alphanumeric characters, invert(permute(n)) is n and the
        image stays inside the domain."""
        n = data.draw(st.integers(min_value=0, max_value=size - 1))
        p = Permutation(KEY, size)
        y = p.permute(n)
        assert 0 <= y < size
        assert p.invert(y) == n

    def test_the_key_chooses_the_order(self) -> None:
        """Two keys give two different orders, and neither is the identity."""
        a = [Permutation(KEY, 10**6).permute(n) for n in range(20)]
        b = [Permutation(bytes(32), 10**6).permute(n) for n in range(20)]
        assert a != b
        assert a != list(range(20))

    def test_refuses_short_keys_and_values_outside(self) -> None:
        """A key under 16 bytes, a domain under 2, and values outside it are refused."""
        with pytest.raises(ValueError, match="16 bytes"):
            Permutation(b"short", 100)
        with pytest.raises(ValueError, match="at least 2"):
            Permutation(KEY, 1)
        with pytest.raises(ValueError, match="outside"):
            Permutation(KEY, 100).permute(100)
        with pytest.raises(ValueError, match="outside"):
            Permutation(KEY, 100).invert(-1)
