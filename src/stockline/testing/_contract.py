"""``StockStoreContract``: the conformance suite a storage adapter subclasses."""

from __future__ import annotations

from stockline.testing._contract_capabilities import ConcurrencyContract, PersistenceContract
from stockline.testing._contract_documents import DocumentContract
from stockline.testing._contract_queries import (
    AsOfContract,
    ChangeFeedContract,
    ContainerContract,
    GenealogyContract,
    MasterDataContract,
    ProjectionContract,
)
from stockline.testing._contract_rules import (
    AppendOnlyContract,
    AtomicityContract,
    IdempotencyContract,
    NonNegativityContract,
    OrderingContract,
    ReversalContract,
    SerialContract,
)

__all__ = ["StockStoreContract"]


class StockStoreContract(
    AtomicityContract,
    OrderingContract,
    IdempotencyContract,
    AppendOnlyContract,
    NonNegativityContract,
    SerialContract,
    ReversalContract,
    ProjectionContract,
    ChangeFeedContract,
    AsOfContract,
    MasterDataContract,
    ContainerContract,
    GenealogyContract,
    ConcurrencyContract,
    PersistenceContract,
    DocumentContract,
):
    """The conformance suite for a :class:`~stockline.adapters.StockStore`.

    Subclass it in a test module under a name pytest collects and give it one fixture,
    ``store``, returning a fresh, empty store; the suite closes it after each test::

        import pytest
        from stockline.testing import StockStoreContract

        class TestMyStore(StockStoreContract):
            supports_concurrent_writers = True   # claim only what the store does

            @pytest.fixture
            def store(self) -> MyStore:
                return MyStore.open("memory")

    Every test is small and its docstring names the rule it pins: atomicity, ordering,
    idempotency, append-only and hash chain, non-negativity (back-dated too), serial
    uniqueness, reversal, projection == replay, the change feed, as-of and known-at, master
    data, containers and genealogy. Where a store's answers can be compared, they are
    compared with :class:`~stockline.adapters.InMemoryStockStore`, the reference semantics.

    Capability flags (class attributes) skip what a store does not claim:

    - ``supports_concurrent_writers`` (default ``False``): threads posting through one
      store never oversell and keep one gapless chain.
    - ``supports_persistence`` (default ``False``): override :meth:`reopen` too; the data
      survives closing and opening again.
    - ``supports_known_at`` (default ``True``): as-of queries honour ``known_at``.

    Tests go through :class:`stockline.Inventory` on a :class:`~stockline.FixedClock`, with
    the master data of :data:`stockline.testing.strategies.DEFAULT_SETUP`. The fixtures
    ``contract_inv`` and ``contract_clock`` are the suite's own.
    """
