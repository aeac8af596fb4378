"""The conformance suite, part one: the write rules (atomicity, ordering, idempotency,
append-only, non-negativity, serials, reversals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import attrs
import pytest

from stockline import Inventory, errors
from stockline.ledger import (
    GENESIS_HASH,
    FixedClock,
    Item,
    LedgerWriter,
    Location,
    Lot,
    Movement,
    NewTransaction,
    Position,
    StockStore,
    TxKind,
    chain_hash,
    post,
)
from stockline.testing._base import ContractBase
from stockline.testing._histories import PALLET, build, mixed_history, on_reference, snapshot

__all__ = [
    "AppendOnlyContract",
    "AtomicityContract",
    "IdempotencyContract",
    "NonNegativityContract",
    "OrderingContract",
    "ReversalContract",
    "SerialContract",
]


class _BoomError(Exception):
    """Raised inside a write block to make it fail."""


@contextmanager
def unchanged(inv: Inventory) -> Iterator[None]:
    """Assert the block leaves ledger, balances and master data exactly as they were."""
    before = snapshot(inv)
    yield
    assert snapshot(inv) == before, "a failed write left something behind"


def failing_block(store: StockStore, work: Callable[[LedgerWriter], object]) -> None:
    """Do ``work`` in a write block, then fail the block."""
    with store.write() as w:
        work(w)
        raise _BoomError


def refused(inv: Inventory, error: type[Exception], call: Callable[[], object]) -> None:
    """Assert ``call`` raises ``error`` and changes nothing."""
    with unchanged(inv), pytest.raises(error):
        call()


def _receipt(sku: str, qty: int, to: str = "DC1/DOCK", key: str | None = None) -> NewTransaction:
    return NewTransaction(
        kind=TxKind.RECEIPT,
        movements=(
            Movement(
                item=sku,
                quantity=Decimal(qty),
                src=Position(location="suppliers"),
                dst=Position(location=to),
            ),
        ),
        key=key,
    )


class AtomicityContract(ContractBase):
    def test_atomicity_failed_block_leaves_no_master_data(
        self, contract_inv: Inventory, store: StockStore, contract_clock: FixedClock
    ) -> None:
        """Atomicity: master records saved in a write block that then fails are not kept."""
        now = contract_clock.now()

        def work(w: LedgerWriter) -> None:
            w.save(Item(sku="NEW"), actor="ann", at=now)
            w.save(Location(path="DC9/X"), actor="ann", at=now)
            w.save(Lot(item="ASP", code="L9"), actor="ann", at=now)

        with unchanged(contract_inv), pytest.raises(_BoomError):
            failing_block(store, work)

    def test_atomicity_failed_block_leaves_no_transaction(
        self, contract_inv: Inventory, store: StockStore, contract_clock: FixedClock
    ) -> None:
        """Atomicity: a transaction appended in a write block that then fails is not kept:
        no ledger entry, no balance, no idempotency key."""
        contract_inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")

        def work(w: LedgerWriter) -> None:
            post(w, _receipt("BOLT", 7, key="k-1"), now=contract_clock.now())
            post(w, _receipt("BOLT", 8), now=contract_clock.now())

        with unchanged(contract_inv), pytest.raises(_BoomError):
            failing_block(store, work)
        with store.read() as r:
            assert r.find_key("k-1") is None
        assert contract_inv.receive("BOLT", 1, dst="DC1/DOCK", supplier="ACME").id == 2

    def test_atomicity_refused_posting_leaves_no_master_data(self, contract_inv: Inventory) -> None:
        """Atomicity: a receipt refused after creating its lot and supplier keeps neither."""
        refused(
            contract_inv,
            errors.UnknownLocationError,
            lambda: contract_inv.receive(
                "ASP", 5, lot="NEW-LOT", dst="DC9/NOWHERE", supplier="NEW-SUPPLIER"
            ),
        )

    def test_atomicity_failed_batch_leaves_nothing(self, contract_inv: Inventory) -> None:
        """Atomicity: ``post_many`` posts all of a batch or none of it."""
        contract_inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        ship = NewTransaction(
            kind=TxKind.TRANSFER,
            movements=(
                Movement(
                    item="BOLT",
                    quantity=Decimal(50),
                    src=Position(location="DC1/DOCK"),
                    dst=Position(location="DC1/A/01"),
                ),
            ),
        )
        refused(
            contract_inv,
            errors.InsufficientStockError,
            lambda: contract_inv.post_many([_receipt("BOLT", 10), _receipt("FLOUR", 1), ship]),
        )
        refused(
            contract_inv,
            errors.InsufficientStockError,
            lambda: contract_inv.post_many([_receipt("BOLT", 10), ship]),
        )

    def test_atomicity_failed_rebuild_is_undone(
        self, contract_inv: Inventory, store: StockStore, contract_clock: FixedClock
    ) -> None:
        """Atomicity: a projection rebuilt in a block that then fails is the old one again,
        without the transaction the block had appended."""
        mixed_history(contract_inv, contract_clock)

        def work(w: LedgerWriter) -> None:
            post(w, _receipt("BOLT", 7), now=contract_clock.now())
            w.rebuild_projection()

        with unchanged(contract_inv), pytest.raises(_BoomError):
            failing_block(store, work)
        assert contract_inv.check().ok


class OrderingContract(ContractBase):
    def test_ordering_ids_are_gapless_and_increasing(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Ordering: ids count up from 1 without gaps; a refused posting uses no id."""
        ids = []
        for n in range(6):
            contract_clock.advance(minutes=1)
            ids.append(contract_inv.receive("BOLT", n + 1, dst="DC1/DOCK", supplier="ACME").id)
            with pytest.raises(errors.InsufficientStockError):
                contract_inv.ship("BOLT", 1000, src="DC1/DOCK", customer="C1")
        assert ids == [1, 2, 3, 4, 5, 6]
        with contract_inv.store.read() as r:
            assert r.head()[0] == 6

    def test_ordering_change_feed_is_in_posting_order(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Ordering: the change feed lists transactions by id, a back-dated one last."""
        contract_clock.advance(hours=2)
        first = contract_inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        contract_clock.advance(minutes=5)
        second = contract_inv.receive("BOLT", 6, dst="DC1/DOCK", supplier="ACME")
        late = contract_inv.receive(
            "BOLT",
            7,
            dst="DC1/DOCK",
            effective_at=contract_clock.now() - dt.timedelta(hours=1),
            supplier="ACME",
        )
        assert [t.id for t in contract_inv.changes()] == [first.id, second.id, late.id]
        assert [t.id for t in contract_inv.history("BOLT")] == [late.id, first.id, second.id]

    def test_ordering_history_matches_reference(self, contract_inv: Inventory) -> None:
        """Ordering: ``history()`` with each filter lists the reference's transactions, by
        effective time then id."""
        build(mixed_history, contract_inv)
        ref, _ = on_reference(mixed_history)
        for query in (
            {},
            {"sku": "BOLT"},
            {"sku": "ASP", "lot": "L1"},
            {"sku": "PUMP", "serial": "S1"},
            {"location": "DC1/A"},
            {"location": "DC2"},
            {"container": PALLET},
            {"since": contract_inv.changes()[3].effective_at, "limit": 5},
        ):
            got = [t.id for t in contract_inv.history(**query)]
            assert got == [t.id for t in ref.history(**query)], query


class IdempotencyContract(ContractBase):
    def test_idempotency_same_key_same_request_returns_original(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Idempotency: a repeat with the same key and content returns the first transaction
        and posts nothing, even after the clock moved on."""
        first = contract_inv.receive("BOLT", 5, dst="DC1/DOCK", key="asn-1/line-1", supplier="ACME")
        contract_clock.advance(minutes=10)
        with unchanged(contract_inv):
            again = contract_inv.receive(
                "BOLT", 5, dst="DC1/DOCK", key="asn-1/line-1", supplier="ACME"
            )
        assert again == first

    def test_idempotency_same_key_other_request_is_refused(self, contract_inv: Inventory) -> None:
        """Idempotency: the same key with different content raises IdempotencyConflictError."""
        contract_inv.receive("BOLT", 5, dst="DC1/DOCK", key="asn-1/line-1", supplier="ACME")
        refused(
            contract_inv,
            errors.IdempotencyConflictError,
            lambda: contract_inv.receive(
                "BOLT", 6, dst="DC1/DOCK", key="asn-1/line-1", supplier="ACME"
            ),
        )

    def test_idempotency_keys_are_stored_with_their_transaction(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Idempotency: ``find_key`` gives the id the key was posted under; unknown keys
        give ``None``."""
        contract_inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        tx = contract_inv.receive("BOLT", 5, dst="DC1/DOCK", key="k", supplier="ACME")
        with store.read() as r:
            found = r.find_key("k")
            assert found is not None
            assert found[0] == tx.id
            assert r.find_key("other") is None


class AppendOnlyContract(ContractBase):
    def test_append_only_transactions_read_back_identical(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Append-only: every posted transaction reads back exactly as posted (documents,
        edges, container events, decimals, microsecond UTC times)."""
        posted = build(mixed_history, contract_inv)
        for tx in posted.values():
            assert contract_inv.transaction(tx.id) == tx
        assert contract_inv.changes() == sorted(posted.values(), key=lambda t: t.id)

    def test_append_only_hashes_chain(self, contract_inv: Inventory, store: StockStore) -> None:
        """Append-only: each transaction's hash covers its content and the previous hash,
        from the genesis hash on; ``head()`` is the last one."""
        build(mixed_history, contract_inv)
        previous = GENESIS_HASH
        txs = contract_inv.changes()
        for tx in txs:
            assert tx.prev_hash == previous
            assert chain_hash(attrs.evolve(tx, hash="")) == tx.hash
            previous = tx.hash
        with store.read() as r:
            assert r.head() == (txs[-1].id, txs[-1].hash)

    def test_append_only_hashes_equal_reference(self, contract_inv: Inventory) -> None:
        """Append-only: the same history gives the same transactions and hashes as the
        in-memory reference (the store translates every field without loss)."""
        build(mixed_history, contract_inv)
        ref, _ = on_reference(mixed_history)
        assert contract_inv.changes() == ref.changes()

    def test_append_only_verify_is_ok(self, contract_inv: Inventory) -> None:
        """Append-only: ``verify()`` finds the chain intact and the projection right."""
        build(mixed_history, contract_inv)
        report = contract_inv.verify()
        assert report.ok, report.problems
        assert report.transactions == len(contract_inv.changes())


class NonNegativityContract(ContractBase):
    def test_non_negativity_taking_more_than_there_is_refused(
        self, contract_inv: Inventory
    ) -> None:
        """Non-negativity: no internal position goes below zero."""
        contract_inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        refused(
            contract_inv,
            errors.InsufficientStockError,
            lambda: contract_inv.move("BOLT", 6, src="DC1/DOCK", dst="DC1/A/01"),
        )
        refused(
            contract_inv,
            errors.InsufficientStockError,
            lambda: contract_inv.ship("BOLT", 1, src="DC1/A/01", customer="C1"),
        )

    def test_non_negativity_holds_for_back_dated_postings(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Non-negativity: a back-dated withdrawal is refused if the position would dip below
        zero at any time from its effective time on."""
        contract_clock.advance(hours=1)
        contract_inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        contract_clock.advance(hours=2)
        contract_inv.ship("BOLT", 8, src="DC1/DOCK", customer="C1")
        contract_clock.advance(hours=1)
        between = contract_clock.now() - dt.timedelta(hours=2)
        refused(
            contract_inv,
            errors.InsufficientStockError,
            lambda: contract_inv.ship(
                "BOLT", 5, src="DC1/DOCK", customer="C1", effective_at=between
            ),
        )
        before = contract_clock.now() - dt.timedelta(hours=5)
        refused(
            contract_inv,
            errors.InsufficientStockError,
            lambda: contract_inv.ship(
                "BOLT", 1, src="DC1/DOCK", customer="C1", effective_at=before
            ),
        )
        contract_inv.ship("BOLT", 2, src="DC1/DOCK", customer="C1", effective_at=between)
        assert contract_inv.on_hand("BOLT") == 0

    def test_non_negativity_counterparties_may_go_negative(self, contract_inv: Inventory) -> None:
        """Non-negativity applies to internal locations only; stock is conserved, so a
        supplier shows minus what it delivered."""
        contract_inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        supplier = contract_inv.stock("BOLT", location="suppliers", internal_only=False)
        assert [b.quantity for b in supplier] == [Decimal(-10)]


class SerialContract(ContractBase):
    def test_serial_is_in_one_place_at_most(self, contract_inv: Inventory) -> None:
        """Serial uniqueness: a serial in stock cannot be received again."""
        contract_inv.receive("PUMP", serial="S1", dst="DC1/DOCK", supplier="ACME")
        refused(
            contract_inv,
            errors.SerialError,
            lambda: contract_inv.receive("PUMP", serial="S1", dst="DC1/A/01", supplier="ACME"),
        )
        refused(
            contract_inv,
            errors.SerialError,
            lambda: contract_inv.adjust("PUMP", 1, serial="S1", location="DC1/A/02", reason="x"),
        )

    def test_serial_may_come_back_after_leaving(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Serial uniqueness: a shipped serial may be received again (a return)."""
        contract_inv.receive("PUMP", serial="S1", dst="DC1/DOCK", supplier="ACME")
        contract_clock.advance(minutes=5)
        contract_inv.ship("PUMP", serial="S1", src="DC1/DOCK", customer="C1")
        contract_clock.advance(minutes=5)
        contract_inv.receive("PUMP", serial="S1", dst="DC1/A/01", supplier="ACME")
        assert contract_inv.on_hand("PUMP", serial="S1", location="DC1/A/01") == 1

    def test_serial_back_dated_overlap_is_refused(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Serial uniqueness holds back-dated: a receipt effective while the serial was in
        stock is refused even though it has left since."""
        contract_clock.advance(hours=1)
        contract_inv.receive("PUMP", serial="S1", dst="DC1/DOCK", supplier="ACME")
        contract_clock.advance(hours=2)
        contract_inv.ship("PUMP", serial="S1", src="DC1/DOCK", customer="C1")
        during = contract_clock.now() - dt.timedelta(hours=1)
        refused(
            contract_inv,
            errors.SerialError,
            lambda: contract_inv.receive(
                "PUMP", serial="S1", dst="DC1/A/01", effective_at=during, supplier="ACME"
            ),
        )


class ReversalContract(ContractBase):
    def test_reversal_restores_balances(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Reversal: posting a transaction's reversal restores every balance."""
        mixed_history(contract_inv, contract_clock)
        before = contract_inv.stock(internal_only=False)
        contract_clock.advance(minutes=1)
        tx = contract_inv.move("BOLT", 4, src="DC1/A/01", dst="DC1/A/02")
        contract_clock.advance(minutes=1)
        back = contract_inv.reverse(tx.id, reason="wrong bin")
        assert back.reverses == tx.id
        assert back.effective_at == tx.effective_at
        assert contract_inv.stock(internal_only=False) == before

    def test_reversal_happens_once(self, contract_inv: Inventory, store: StockStore) -> None:
        """Reversal: a transaction is reversed at most once and a reversal never is."""
        tx = contract_inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        back = contract_inv.reverse(tx.id, reason="typo")
        with store.read() as r:
            assert r.reversed_by(tx.id) == back.id
            assert r.reversed_by(back.id) is None
        refused(contract_inv, errors.ReversalError, lambda: contract_inv.reverse(tx.id, reason="x"))
        refused(
            contract_inv, errors.ReversalError, lambda: contract_inv.reverse(back.id, reason="x")
        )

    def test_reversal_is_refused_when_the_stock_moved_on(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Reversal: undoing a receipt whose goods already left would make stock negative,
        so it is refused."""
        tx = contract_inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        contract_clock.advance(minutes=1)
        contract_inv.ship("BOLT", 5, src="DC1/DOCK", customer="C1")
        refused(
            contract_inv,
            errors.InsufficientStockError,
            lambda: contract_inv.reverse(tx.id, reason="x"),
        )
