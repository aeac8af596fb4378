"""The conformance suite's fixtures, capability flags and hooks, shared by its parts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest

from stockline import Inventory
from stockline.ledger import FixedClock, StockStore
from stockline.testing._setup import DEFAULT_SETUP, START

__all__ = ["ContractBase"]


class ContractBase:
    """Fixtures and capability flags of :class:`~stockline.testing.StockStoreContract`."""

    #: Threads posting through one store object are serialised (no oversell, no gap).
    supports_concurrent_writers: ClassVar[bool] = False
    #: :meth:`reopen` gives back a store on the same data after the first was closed.
    supports_persistence: ClassVar[bool] = False
    #: Balances ``as_of`` a time can be asked ``known_at`` an earlier recording time.
    supports_known_at: ClassVar[bool] = True

    @pytest.fixture
    def store(self) -> StockStore:
        """A fresh, empty store: override this fixture in your subclass."""
        raise NotImplementedError(
            f"{type(self).__name__} must define a pytest fixture 'store' returning a fresh, "
            "empty StockStore (the suite closes it after each test)"
        )

    def reopen(self, store: StockStore) -> StockStore:
        """Return a new store on the same data as ``store``, which the suite has closed.

        Override it, and set ``supports_persistence = True``, for a store that keeps its data
        (a database file or server): the persistence tests then check that nothing is lost.
        """
        raise NotImplementedError(
            f"{type(self).__name__} sets supports_persistence but does not override "
            "reopen(store) to open the same data again"
        )

    @pytest.fixture
    def contract_clock(self) -> FixedClock:
        """The suite's clock, at :data:`~stockline.testing.strategies.START`."""
        return FixedClock(START)

    @pytest.fixture
    def contract_inv(self, store: StockStore, contract_clock: FixedClock) -> Iterator[Inventory]:
        """An inventory on the store under test, with the suite's master data; the store is
        closed afterwards."""
        inv = Inventory(store=store, clock=contract_clock)
        try:
            DEFAULT_SETUP.apply(inv)
            yield inv
        finally:
            store.close()
