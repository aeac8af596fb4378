"""The conformance suite, part three: what a store may claim (concurrent writers,
persistence)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest

from stockline import Inventory, errors
from stockline.ledger import FixedClock
from stockline.testing._base import ContractBase
from stockline.testing._histories import contents, mixed_history, snapshot

__all__ = ["ConcurrencyContract", "PersistenceContract"]

_THREADS = 4
_ROUNDS = 15


def _run_threads(work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(n)`` in several threads started together; return what they raised."""
    start = threading.Barrier(_THREADS)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


class ConcurrencyContract(ContractBase):
    def _claims_concurrency(self) -> None:
        if not self.supports_concurrent_writers:
            pytest.skip(f"{type(self).__name__} does not claim supports_concurrent_writers")

    def test_concurrent_writers_never_oversell(self, contract_inv: Inventory) -> None:
        """Concurrency: threads taking overlapping quantities from one position never take
        more than is there (writers are serialised)."""
        self._claims_concurrency()
        contract_inv.receive("BOLT", 100, dst="DC1/DOCK", supplier="ACME")
        shipped: list[Decimal] = []
        refused: list[Exception] = []

        def ship(n: int) -> None:
            for _ in range(_ROUNDS):
                try:
                    tx = contract_inv.ship("BOLT", 3, src="DC1/DOCK", customer=f"C{n}")
                    shipped.append(tx.movements[0].quantity)
                except errors.InsufficientStockError as e:
                    refused.append(e)

        assert _run_threads(ship) == []
        assert sum(shipped) == 99, "exactly what was there was shipped"
        assert len(refused) == _THREADS * _ROUNDS - 33
        assert contract_inv.on_hand("BOLT") == 1
        report = contract_inv.verify()
        assert report.ok, report.problems

    def test_concurrent_writers_keep_the_chain(self, contract_inv: Inventory) -> None:
        """Concurrency: concurrent postings get distinct, gapless ids and one hash chain."""
        self._claims_concurrency()

        def receive(n: int) -> None:
            for k in range(_ROUNDS):
                contract_inv.receive("BOLT", 1, dst="DC1/DOCK", key=f"w{n}-{k}", supplier="ACME")

        assert _run_threads(receive) == []
        ids = [t.id for t in contract_inv.changes(limit=10_000)]
        assert ids == list(range(1, _THREADS * _ROUNDS + 1))
        assert contract_inv.on_hand("BOLT") == _THREADS * _ROUNDS
        report = contract_inv.verify()
        assert report.ok, report.problems


class PersistenceContract(ContractBase):
    def _reopened(self, inv: Inventory, clock: FixedClock) -> Inventory:
        if not self.supports_persistence:
            pytest.skip(f"{type(self).__name__} does not claim supports_persistence")
        inv.store.close()
        return Inventory(store=self.reopen(inv.store), clock=clock)

    def test_persistence_reopen_keeps_everything(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Persistence: a store opened again on the same data has the same master data,
        ledger, hashes and balances, and verifies."""
        mixed_history(contract_inv, contract_clock)
        before = snapshot(contract_inv), contents(contract_inv)
        again = self._reopened(contract_inv, contract_clock)
        try:
            assert (snapshot(again), contents(again)) == before
            assert again.verify().ok
        finally:
            again.close()

    def test_persistence_reopen_continues_the_ledger(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Persistence: after reopening, keys still deduplicate, reversals still know what
        was reversed, and new postings continue the id sequence and the hash chain."""
        first = contract_inv.receive("BOLT", 5, dst="DC1/DOCK", key="asn-1", supplier="ACME")
        undone = contract_inv.receive("BOLT", 2, dst="DC1/DOCK", supplier="ACME")
        contract_inv.reverse(undone.id, reason="typo")
        again = self._reopened(contract_inv, contract_clock)
        try:
            assert again.receive("BOLT", 5, dst="DC1/DOCK", key="asn-1", supplier="ACME") == first
            with pytest.raises(errors.ReversalError):
                again.reverse(undone.id, reason="again")
            contract_clock.advance(minutes=1)
            tx = again.receive("BOLT", 1, dst="DC1/DOCK", supplier="ACME")
            assert tx.id == 4
            assert again.verify().ok
        finally:
            again.close()
