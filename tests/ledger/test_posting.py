"""Posting rules, on every store: each refusal raises its own error and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest

import stockline as sl
from stockline import errors
from stockline.ledger import Movement, NewTransaction, Position, TxKind

DAY = dt.timedelta(days=1)


def snapshot(inv: sl.Inventory) -> tuple[Any, ...]:
    with inv.store.read() as r:
        head = r.head()
        changes = len(r.master_changes())
        lots = r.lots()
    return head, inv.stock(internal_only=False), changes, lots


@contextmanager
def unchanged(inv: sl.Inventory) -> Iterator[None]:
    """Assert the block leaves ledger, balances and master data exactly as they were."""
    before = snapshot(inv)
    yield
    assert snapshot(inv) == before


def refused(inv: sl.Inventory, error: type[Exception], call: Callable[[], object]) -> Exception:
    with unchanged(inv), pytest.raises(error) as caught:
        call()
    return caught.value


class TestQuantities:
    def test_float_is_refused(self, inv: sl.Inventory) -> None:
        """A float quantity is refused: binary fractions would make the ledger drift."""
        err = refused(
            inv,
            errors.InvalidQuantityError,
            lambda: inv.receive("BOLT", 1.5, dst="DC1/DOCK", supplier="ACME"),  # type: ignore[arg-type]
        )
        assert "Decimal" in str(err)

    @pytest.mark.parametrize("bad", [0, -3, "abc", Decimal("NaN")])
    def test_non_positive_or_not_a_number_is_refused(self, inv: sl.Inventory, bad: object) -> None:
        """Quantities are positive numbers; direction is given by the two positions."""
        refused(
            inv,
            errors.InvalidQuantityError,
            lambda: inv.receive("BOLT", bad, dst="DC1/DOCK", supplier="ACME"),  # type: ignore[arg-type]
        )

    def test_finer_than_unit_is_refused(self, inv: sl.Inventory) -> None:
        """A counted unit (EA) takes whole numbers; a measured one (KGM) three decimals."""
        refused(
            inv,
            errors.InvalidQuantityError,
            lambda: inv.receive("BOLT", "1.5", dst="DC1/DOCK", supplier="ACME"),
        )
        refused(
            inv,
            errors.InvalidQuantityError,
            lambda: inv.receive("FLOUR", "1.2345", dst="DC1/DOCK", supplier="ACME"),
        )
        inv.receive("FLOUR", "1.234", dst="DC1/DOCK", supplier="ACME")
        assert inv.on_hand("FLOUR") == Decimal("1.234")

    def test_string_and_int_quantities_are_exact(self, inv: sl.Inventory) -> None:
        """Decimal strings and ints are taken exactly: 0.1 + 0.2 is 0.3."""
        inv.receive("FLOUR", "0.1", dst="DC1/DOCK", supplier="ACME")
        inv.receive("FLOUR", "0.2", dst="DC1/DOCK", supplier="ACME")
        assert inv.on_hand("FLOUR") == Decimal("0.3")


class TestTimes:
    def test_naive_effective_time_is_refused(self, inv: sl.Inventory) -> None:
        """A naive datetime is refused rather than silently read as UTC."""
        err = refused(
            inv,
            errors.InvalidTimeError,
            lambda: inv.receive(
                "BOLT", 5, dst="DC1/DOCK", effective_at=dt.datetime(2026, 3, 1), supplier="ACME"
            ),
        )
        assert "time zone" in str(err)

    def test_future_effective_time_is_refused(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """The ledger records what happened: an effective time after now is refused."""
        refused(
            inv,
            errors.ValidationError,
            lambda: inv.receive(
                "BOLT", 5, dst="DC1/DOCK", effective_at=clock.now() + DAY, supplier="ACME"
            ),
        )

    def test_times_are_stored_in_utc(self, inv: sl.Inventory, clock: sl.FixedClock) -> None:
        """An aware time in another zone is kept as the same instant, in UTC."""
        berlin = dt.timezone(dt.timedelta(hours=1))
        when = dt.datetime(2026, 3, 2, 7, 30, tzinfo=berlin)
        tx = inv.receive("BOLT", 5, dst="DC1/DOCK", effective_at=when, supplier="ACME")
        assert tx.effective_at == when
        assert tx.effective_at.utcoffset() == dt.timedelta(0)
        assert inv.transaction(tx.id).effective_at == when


class TestTracking:
    def test_lot_required_for_lot_tracked_items(self, inv: sl.Inventory) -> None:
        """A lot-tracked item moves only with a lot."""
        refused(
            inv,
            errors.TrackingError,
            lambda: inv.receive("ASP", 5, dst="DC1/DOCK", supplier="ACME"),
        )

    def test_lot_forbidden_for_untracked_items(self, inv: sl.Inventory) -> None:
        """An untracked item may not carry a lot."""
        inv.add_lot("ASP", "L9")
        refused(
            inv,
            errors.TrackingError,
            lambda: inv.post(
                NewTransaction(
                    kind=TxKind.RECEIPT,
                    movements=(
                        Movement(
                            item="BOLT",
                            quantity=Decimal(1),
                            src=Position(location="DC1/A/01"),
                            dst=Position(location="DC1/DOCK"),
                            lot="L9",
                        ),
                    ),
                )
            ),
        )

    def test_serial_required_and_moves_one_unit(self, inv: sl.Inventory) -> None:
        """A serial-tracked item moves one serial per line, in quantity 1."""
        refused(
            inv,
            errors.TrackingError,
            lambda: inv.receive("PUMP", 1, dst="DC1/DOCK", supplier="ACME"),
        )
        refused(
            inv,
            errors.SerialError,
            lambda: inv.post(
                NewTransaction(
                    kind=TxKind.RECEIPT,
                    movements=(
                        Movement(
                            item="PUMP",
                            quantity=Decimal(2),
                            src=Position(location="DC1/A/01"),
                            dst=Position(location="DC1/DOCK"),
                            serial="S1",
                        ),
                    ),
                )
            ),
        )

    def test_serial_in_one_internal_place_at_a_time(self, inv: sl.Inventory) -> None:
        """Receiving a serial that is already in stock is refused; moving it is fine."""
        inv.receive("PUMP", serials=["S1", "S2"], dst="DC1/DOCK", supplier="ACME")
        err = refused(
            inv,
            errors.SerialError,
            lambda: inv.receive("PUMP", serial="S1", dst="DC2/DOCK", supplier="ACME"),
        )
        assert "S1" in str(err)
        inv.move("PUMP", serial="S1", src="DC1/DOCK", dst="DC2/DOCK")
        inv.ship("PUMP", serial="S1", src="DC2/DOCK", customer="C1")
        inv.receive("PUMP", serial="S1", dst="DC1/DOCK", supplier="RETURNS")
        assert inv.on_hand("PUMP", serial="S1") == 1

    def test_backdated_serial_receipt_cannot_overlap_a_stay(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A back-dated receipt of a serial that was in stock at that time is refused."""
        start = clock.now()
        clock.advance(hours=1)
        inv.receive("PUMP", serial="S1", dst="DC1/DOCK", supplier="ACME")
        clock.advance(hours=1)
        inv.ship("PUMP", serial="S1", src="DC1/DOCK", customer="C1")
        refused(
            inv,
            errors.SerialError,
            lambda: inv.receive(
                "PUMP",
                serial="S1",
                dst="DC2/DOCK",
                effective_at=start + dt.timedelta(minutes=90),
                supplier="ACME",
            ),
        )
        # Open-ended from 08:00 it would overlap the 09:00-10:00 stay, so it is refused too.
        refused(
            inv,
            errors.SerialError,
            lambda: inv.receive(
                "PUMP", serial="S1", dst="DC2/DOCK", effective_at=start, supplier="ACME"
            ),
        )
        clock.advance(hours=1)
        inv.receive(
            "PUMP",
            serial="S1",
            dst="DC2/DOCK",
            effective_at=start + dt.timedelta(hours=2.5),
            supplier="ACME",
        )
        assert inv.on_hand("PUMP", serial="S1", location="DC2") == 1


class TestStock:
    def test_internal_stock_never_negative(self, inv: sl.Inventory) -> None:
        """Taking more than a position holds is refused, naming what was asked and found."""
        inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        err = refused(
            inv,
            errors.InsufficientStockError,
            lambda: inv.move("BOLT", 11, src="DC1/DOCK", dst="DC1/A/01"),
        )
        assert isinstance(err, errors.InsufficientStockError)
        assert (err.requested, err.available) == (Decimal(11), Decimal(10))
        assert err.item == "BOLT"

    def test_counterparties_may_go_negative(self, inv: sl.Inventory) -> None:
        """Suppliers give what they give: their location goes negative, stock is conserved."""
        inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        [balance] = inv.stock("BOLT", location="suppliers", internal_only=False)
        assert balance.quantity == -10

    def test_backdated_take_checked_from_its_time_on(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A back-dated withdrawal must not leave the position negative at any later time."""
        t0 = clock.now()
        inv.receive("BOLT", 10, dst="DC1/DOCK", effective_at=t0, supplier="ACME")
        clock.advance(hours=2)
        inv.move("BOLT", 8, src="DC1/DOCK", dst="DC1/A/01", effective_at=t0 + dt.timedelta(hours=2))
        # At 01:00 there were 10, but taking 5 then leaves -3 after the 02:00 move.
        refused(
            inv,
            errors.InsufficientStockError,
            lambda: inv.ship(
                "BOLT", 5, src="DC1/DOCK", customer="C", effective_at=t0 + dt.timedelta(hours=1)
            ),
        )
        inv.ship("BOLT", 2, src="DC1/DOCK", customer="C", effective_at=t0 + dt.timedelta(hours=1))
        assert inv.on_hand("BOLT", location="DC1/DOCK") == 0

    def test_backdated_take_before_the_receipt_is_refused(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Stock received at 10:00 cannot be shipped at 09:00."""
        t0 = clock.now()
        clock.advance(hours=2)
        inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        refused(
            inv,
            errors.InsufficientStockError,
            lambda: inv.ship("BOLT", 1, src="DC1/DOCK", customer="C", effective_at=t0),
        )

    def test_net_effect_of_a_transaction_counts(self, inv: sl.Inventory) -> None:
        """A transaction is atomic: lines are checked for their net effect on each position."""
        inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        dock, bin1 = Position(location="DC1/DOCK"), Position(location="DC1/A/01")
        tx = inv.post(
            NewTransaction(
                kind=TxKind.TRANSFER,
                movements=(
                    Movement(item="BOLT", quantity=Decimal(5), src=dock, dst=bin1),
                    Movement(item="BOLT", quantity=Decimal(5), src=bin1, dst=dock),
                ),
            )
        )
        assert len(tx.movements) == 2
        assert inv.on_hand("BOLT", location="DC1/DOCK") == 5

    def test_all_lines_or_none(self, inv: sl.Inventory) -> None:
        """When one line fails, no line of the transaction is posted."""
        inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        dock = Position(location="DC1/DOCK")
        refused(
            inv,
            errors.InsufficientStockError,
            lambda: inv.post(
                NewTransaction(
                    kind=TxKind.TRANSFER,
                    movements=(
                        Movement(
                            item="BOLT",
                            quantity=Decimal(5),
                            src=dock,
                            dst=Position(location="DC1/A/01"),
                        ),
                        Movement(
                            item="BOLT",
                            quantity=Decimal(1),
                            src=dock,
                            dst=Position(location="DC1/A/02"),
                        ),
                    ),
                )
            ),
        )

    def test_post_many_is_all_or_nothing(self, inv: sl.Inventory) -> None:
        """A batch posts every transaction or none."""
        dock = Position(location="DC1/DOCK")
        supplier = Position(location="DC1/A/02")
        good = NewTransaction(
            kind=TxKind.TRANSFER,
            movements=(Movement(item="BOLT", quantity=Decimal(1), src=dock, dst=supplier),),
        )
        inv.receive("BOLT", 1, dst="DC1/DOCK", supplier="ACME")
        refused(inv, errors.InsufficientStockError, lambda: inv.post_many([good, good]))
        assert [tx.kind for tx in inv.post_many([good])] == [TxKind.TRANSFER]

    def test_status_is_a_dimension(self, inv: sl.Inventory) -> None:
        """Held stock is a separate position: it cannot be shipped until released."""
        inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        inv.hold("BOLT", 4, location="DC1/DOCK", reason="damaged packaging")
        assert inv.on_hand("BOLT", status="available") == 6
        assert inv.on_hand("BOLT", status="hold") == 4
        refused(
            inv,
            errors.StatusError,
            lambda: inv.ship("BOLT", 1, src="DC1/DOCK", status="hold", customer="C"),
        )
        inv.release("BOLT", 4, location="DC1/DOCK", reason="inspected, fine")
        assert inv.on_hand("BOLT", status="available") == 10

    def test_container_is_a_dimension(self, inv: sl.Inventory) -> None:
        """Stock in a container is apart from loose stock at the same place."""
        inv.add_container("PAL-1")
        inv.receive("BOLT", 10, dst="DC1/DOCK", container="PAL-1", supplier="ACME")
        assert inv.on_hand("BOLT", container="PAL-1") == 10
        refused(
            inv,
            errors.InsufficientStockError,
            lambda: inv.move("BOLT", 1, src="DC1/DOCK", dst="DC1/A/01"),
        )
        inv.move(
            "BOLT", 10, src="DC1/DOCK", container="PAL-1", dst="DC1/A/01", dst_container="PAL-1"
        )
        assert inv.on_hand("BOLT", location="DC1/A/01", container="PAL-1") == 10


class TestUnknowns:
    @pytest.mark.parametrize(
        ("error", "kwargs"),
        [
            (errors.UnknownItemError, {"sku": "NOPE"}),
            (errors.UnknownLocationError, {"dst": "DC9/X"}),
            (errors.UnknownStatusError, {"status": "lost"}),
            (errors.UnknownContainerError, {"container": "PAL-404"}),
        ],
    )
    def test_unknown_names_are_refused(
        self, inv: sl.Inventory, error: type[Exception], kwargs: dict[str, str]
    ) -> None:
        """Every name a posting uses must exist in the master data."""
        args: dict[str, Any] = {
            "sku": "BOLT",
            "quantity": 1,
            "dst": "DC1/DOCK",
            "supplier": "S",
            **kwargs,
        }
        refused(inv, error, lambda: inv.receive(args.pop("sku"), args.pop("quantity"), **args))

    def test_unknown_lot_is_refused_outside_receipts(self, inv: sl.Inventory) -> None:
        """Only receipts (and add_lot) create lots; a move of an unknown lot is refused."""
        refused(
            inv,
            errors.UnknownLotError,
            lambda: inv.move("ASP", 1, lot="L404", src="DC1/DOCK", dst="DC1/A/01"),
        )

    def test_same_position_is_refused(self, inv: sl.Inventory) -> None:
        """A movement must change location, status or container."""
        inv.receive("BOLT", 1, dst="DC1/DOCK", supplier="ACME")
        refused(
            inv, errors.ValidationError, lambda: inv.move("BOLT", 1, src="DC1/DOCK", dst="DC1/DOCK")
        )

    def test_reason_required_for_holds_adjustments_and_scrap(self, inv: sl.Inventory) -> None:
        """Holds, adjustments, scrap and reversals must say why."""
        inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        refused(
            inv,
            errors.ValidationError,
            lambda: inv.hold("BOLT", 1, location="DC1/DOCK", reason=" "),
        )
        refused(
            inv,
            errors.ValidationError,
            lambda: inv.adjust("BOLT", -1, location="DC1/DOCK", reason=""),
        )
        refused(
            inv,
            errors.ValidationError,
            lambda: inv.scrap("BOLT", 1, location="DC1/DOCK", reason=""),
        )


class TestIdempotency:
    def test_same_key_same_content_returns_the_original(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A retry with the same key and content returns the first transaction, posting nothing."""
        first = inv.receive("ASP", 10, lot="L1", dst="DC1/DOCK", supplier="ACME", key="asn-1/1")
        clock.advance(minutes=5)
        with unchanged(inv):
            again = inv.receive("ASP", 10, lot="L1", dst="DC1/DOCK", supplier="ACME", key="asn-1/1")
        assert again == first

    def test_same_key_same_quantity_written_otherwise_returns_the_original(
        self, inv: sl.Inventory
    ) -> None:
        """The request's fingerprint is taken of canonical quantities: 10, 10.0 and 10.00 are
        the same request."""
        first = inv.receive("BOLT", 10, dst="DC1/DOCK", key="k1", supplier="ACME")
        with unchanged(inv):
            assert (
                inv.receive("BOLT", Decimal("10.0"), dst="DC1/DOCK", key="k1", supplier="ACME")
                == first
            )
            assert (
                inv.receive("BOLT", Decimal("10.00"), dst="DC1/DOCK", key="k1", supplier="ACME")
                == first
            )
        assert inv.receive(
            "BOLT", Decimal("10.0"), dst="DC1/DOCK", key="k2", supplier="ACME"
        ).movements[0].quantity == Decimal(10)

    def test_same_key_other_content_is_refused(self, inv: sl.Inventory) -> None:
        """Reusing a key for something else is a caller bug and is refused."""
        first = inv.receive("BOLT", 10, dst="DC1/DOCK", key="k1", supplier="ACME")
        err = refused(
            inv,
            errors.IdempotencyConflictError,
            lambda: inv.receive("BOLT", 11, dst="DC1/DOCK", key="k1", supplier="ACME"),
        )
        assert isinstance(err, errors.IdempotencyConflictError)
        assert err.transaction_id == first.id

    def test_repeat_inside_a_batch(self, inv: sl.Inventory) -> None:
        """A key repeated within one batch resolves to the transaction earlier in the batch."""
        draft = NewTransaction(
            kind=TxKind.ADJUSTMENT,
            reason="found",
            key="same",
            movements=(
                Movement(
                    item="BOLT",
                    quantity=Decimal(3),
                    src=Position(location="DC2/DOCK"),
                    dst=Position(location="DC1/DOCK"),
                ),
            ),
        )
        inv.receive("BOLT", 3, dst="DC2/DOCK", supplier="ACME")
        first, second = inv.post_many([draft, draft])
        assert first == second
        assert inv.on_hand("BOLT", location="DC1/DOCK") == 3


class TestReversal:
    def test_reversal_restores_and_links(self, inv: sl.Inventory) -> None:
        """A reversal mirrors every movement and points at the original."""
        inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        before = inv.stock(internal_only=False)
        tx = inv.ship("BOLT", 4, src="DC1/DOCK", customer="C1", ref="SO-1")
        rev = inv.reverse(tx.id, reason="keyed wrong customer", actor="ana")
        assert rev.reverses == tx.id
        assert rev.kind is TxKind.REVERSAL
        assert rev.effective_at == tx.effective_at
        assert [m.mirrored() for m in tx.movements] == list(rev.movements)
        assert inv.stock(internal_only=False) == before

    def test_reversing_twice_is_refused(self, inv: sl.Inventory) -> None:
        """A transaction is reversed at most once."""
        tx = inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        inv.reverse(tx.id, reason="duplicate receipt")
        err = refused(inv, errors.ReversalError, lambda: inv.reverse(tx.id, reason="again"))
        assert "already reversed" in str(err)

    def test_reversing_a_reversal_is_refused(self, inv: sl.Inventory) -> None:
        """To undo a reversal, post the original again."""
        tx = inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        rev = inv.reverse(tx.id, reason="duplicate receipt")
        refused(inv, errors.ReversalError, lambda: inv.reverse(rev.id, reason="oops"))

    def test_reversal_that_would_go_negative_is_refused(self, inv: sl.Inventory) -> None:
        """A receipt whose goods already moved on cannot be reversed until they come back."""
        tx = inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        inv.move("BOLT", 10, src="DC1/DOCK", dst="DC1/A/01")
        refused(inv, errors.InsufficientStockError, lambda: inv.reverse(tx.id, reason="wrong"))

    def test_unknown_transaction(self, inv: sl.Inventory) -> None:
        """Reversing an id that does not exist is a lookup error."""
        refused(inv, errors.UnknownTransactionError, lambda: inv.reverse(99, reason="x"))


class TestLedgerOrder:
    def test_ids_are_gapless_and_chained(self, inv: sl.Inventory) -> None:
        """Ids count up from 1 with no gaps, even after refused postings; each links to the last."""
        inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        with pytest.raises(errors.InsufficientStockError):
            inv.move("BOLT", 99, src="DC1/DOCK", dst="DC1/A/01")
        inv.move("BOLT", 5, src="DC1/DOCK", dst="DC1/A/01")
        txs = inv.changes()
        assert [tx.id for tx in txs] == [1, 2]
        assert txs[1].prev_hash == txs[0].hash
        assert txs[0].prev_hash == sl.ledger.GENESIS_HASH

    def test_same_content_hashes_the_same_on_every_store(self, inv: sl.Inventory) -> None:
        """The hash is of canonical content, so every store gives the same chain."""
        tx = inv.receive("ASP", "12", lot="L1", dst="DC1/DOCK", supplier="ACME", ref="PO-1")
        assert tx.hash == sl.ledger.chain_hash(tx)
        reread = inv.transaction(tx.id)
        assert reread == tx
        assert sl.ledger.chain_hash(reread) == tx.hash


class TestKeyedReversal:
    def test_keyed_reversal_retry_returns_the_first(self, inv: sl.Inventory) -> None:
        """A retried reverse() with the same key returns the first reversal, not an error."""
        tx = inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        first = inv.reverse(tx.id, reason="duplicate", key="undo-1")
        with unchanged(inv):
            assert inv.reverse(tx.id, reason="duplicate", key="undo-1") == first
        refused(inv, errors.ReversalError, lambda: inv.reverse(tx.id, reason="duplicate"))
