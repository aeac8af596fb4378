"""What trace, recall and the container commands refuse, each leaving everything as it was;
and a reversed pack puts the container back as it was."""

from __future__ import annotations

from typing import Any

import pytest

import stockline as sl
from stockline import errors
from stockline.ledger import ContainerEvent
from tests.genealogy._helpers import code, refused, unchanged

CASE, PALLET, OTHER = code(21), code(22), code(23)


def container_state(inv: sl.Inventory, container: str) -> tuple[str | None, str | None]:
    """(parent, location) of a container; a container never used is in nothing, nowhere."""
    with inv.store.read() as r:
        state = r.container_state(container)
    return (None, None) if state is None else (state.parent, state.location)


@pytest.fixture
def stocked(inv: sl.Inventory) -> sl.Inventory:
    """ASP lot L1 received at DC1/A/01; a case with 5 of it; an empty pallet."""
    inv.receive("ASP", 10, lot="L1", dst="DC1/A/01", supplier="ACME")
    for container in (CASE, PALLET, OTHER):
        inv.containers.create(container)
    inv.pack("ASP", 5, container=CASE, lot="L1", location="DC1/A/01")
    return inv


class TestTraceInput:
    def test_unknown_lot_is_refused(self, stocked: sl.Inventory) -> None:
        """Tracing or recalling a lot that does not exist raises UnknownLotError naming it."""
        for call in (
            lambda: stocked.trace_downstream("ASP", "NOPE"),
            lambda: stocked.trace_upstream("ASP", "NOPE"),
            lambda: stocked.recall(("ASP", "NOPE"), reason="x"),
            lambda: stocked.recall(sl.Node(item="ASP", lot="NOPE"), reason="x"),
        ):
            err = refused(stocked, errors.UnknownLotError, call)
            assert isinstance(err, errors.UnknownLotError)
            assert (err.item, err.lot) == ("ASP", "NOPE")

    def test_untracked_item_cannot_be_traced(self, stocked: sl.Inventory) -> None:
        """An item that is neither lot- nor serial-tracked has no genealogy: ValidationError."""
        stocked.receive("BOLT", 3, dst="DC1/A/01", supplier="ACME")
        refused(
            stocked, errors.ValidationError, lambda: stocked.trace_downstream("BOLT", serial="X")
        )
        refused(stocked, errors.ValidationError, lambda: stocked.trace_upstream("BOLT", serial="X"))

    def test_a_trace_names_a_lot_or_serial(self, stocked: sl.Inventory) -> None:
        """Tracing a whole item is refused; name a lot or a serial."""
        refused(stocked, errors.ValidationError, lambda: stocked.trace_downstream("ASP"))

    def test_unknown_item_is_refused(self, stocked: sl.Inventory) -> None:
        """Tracing an item that does not exist raises UnknownItemError."""
        refused(stocked, errors.UnknownItemError, lambda: stocked.trace_downstream("GHOST", "L1"))

    def test_every_argument_is_checked_before_anything_is_read(self, stocked: sl.Inventory) -> None:
        """A bad ``as_of`` is refused as such even for an item that does not exist: the
        arguments are checked first, the master data after."""
        text: Any = "2026-01-01"  # not a time
        for call in (
            lambda: stocked.trace_downstream("GHOST", "L1", as_of=text),
            lambda: stocked.trace_upstream("GHOST", "L1", as_of=text),
        ):
            err = refused(stocked, errors.ValidationError, call)
            assert not isinstance(err, errors.UnknownItemError)
            assert "as_of" in str(err)

    def test_recall_needs_lots_and_a_reason(self, stocked: sl.Inventory) -> None:
        """A recall names at least one lot and says why."""
        refused(stocked, errors.ValidationError, lambda: stocked.recall(reason="x"))
        refused(stocked, errors.ValidationError, lambda: stocked.recall(("ASP", "L1"), reason=" "))


class TestContainerInput:
    def test_bad_sscc_is_refused(self, inv: sl.Inventory) -> None:
        """An SSCC with a wrong check digit or length is refused; a valid one is accepted."""
        good = code(99)
        bad = good[:17] + str((int(good[17]) + 1) % 10)
        err = refused(inv, errors.ValidationError, lambda: inv.containers.create(bad))
        assert good[17] in str(err)
        refused(inv, errors.ValidationError, lambda: inv.containers.create(good[:17]))
        refused(inv, errors.ValidationError, lambda: inv.containers.create("A" * 18))
        assert inv.containers.create(good).code == good

    def test_pack_into_an_unknown_container_is_refused(self, stocked: sl.Inventory) -> None:
        """Packing into a container that was never created raises UnknownContainerError."""
        refused(
            stocked,
            errors.UnknownContainerError,
            lambda: stocked.pack("ASP", 1, container=code(50), lot="L1", location="DC1/A/01"),
        )
        refused(
            stocked,
            errors.UnknownContainerError,
            lambda: stocked.containers.nest(CASE, container=code(50)),
        )

    def test_pack_a_container_into_itself_is_refused(self, stocked: sl.Inventory) -> None:
        """A container cannot go into itself."""
        refused(
            stocked, errors.ContainerError, lambda: stocked.containers.nest(CASE, container=CASE)
        )

    def test_unpack_what_is_not_inside_is_refused(self, stocked: sl.Inventory) -> None:
        """Unpacking stock or a container that is not in the container raises ContainerError."""
        refused(
            stocked,
            errors.ContainerError,
            lambda: stocked.unpack("ASP", 1, container=CASE, lot="L2"),
        )
        refused(
            stocked, errors.ContainerError, lambda: stocked.unpack(container=CASE, child=PALLET)
        )
        refused(stocked, errors.ContainerError, lambda: stocked.unpack(container=PALLET))

    def test_pack_more_than_is_there_is_refused(self, stocked: sl.Inventory) -> None:
        """Packing takes loose stock at the container's place; too much is refused."""
        refused(
            stocked,
            errors.InsufficientStockError,
            lambda: stocked.pack("ASP", 6, container=CASE, lot="L1"),
        )

    def test_reversal_of_a_pack_restores_container_and_balances(
        self, stocked: sl.Inventory
    ) -> None:
        """Reversing a pack takes the stock out again and puts the container back in the state
        it had before the pack."""
        stocked.receive("ASP", 4, lot="L1", dst="DC1/A/02", supplier="ACME")
        before = (container_state(stocked, OTHER), stocked.stock(internal_only=False))
        tx = stocked.pack("ASP", 4, container=OTHER, lot="L1", location="DC1/A/02")
        assert container_state(stocked, OTHER) == (None, "DC1/A/02")
        stocked.reverse(tx.id, reason="wrong pallet")
        assert (container_state(stocked, OTHER), stocked.stock(internal_only=False)) == before
        assert stocked.containers.contents(OTHER) == []
        assert stocked.verify().ok


class TestNesting:
    def test_pack_a_container_into_its_own_content_is_refused(self, stocked: sl.Inventory) -> None:
        """A pallet cannot go into a case that is on it (directly or deeper)."""
        stocked.containers.nest(CASE, container=PALLET)
        refused(
            stocked, errors.ContainerError, lambda: stocked.containers.nest(PALLET, container=CASE)
        )
        stocked.pack("ASP", 1, container=OTHER, lot="L1", location="DC1/A/01")
        stocked.containers.nest(OTHER, container=CASE)
        refused(
            stocked, errors.ContainerError, lambda: stocked.containers.nest(PALLET, container=OTHER)
        )

    def test_a_packed_container_cannot_move_or_ship_alone(self, stocked: sl.Inventory) -> None:
        """A case on a pallet moves with the pallet: moving or shipping it alone is refused."""
        stocked.containers.nest(CASE, container=PALLET)
        refused(stocked, errors.ContainerError, lambda: stocked.containers.move(CASE, "DC1/B/01"))
        refused(stocked, errors.ContainerError, lambda: stocked.containers.ship(CASE, customer="C"))

    def test_a_container_already_packed_cannot_be_packed_again(self, stocked: sl.Inventory) -> None:
        """A case in one pallet must be unpacked before it goes into another."""
        stocked.pack("ASP", 1, container=OTHER, lot="L1", location="DC1/A/01")
        stocked.containers.nest(CASE, container=PALLET)
        refused(
            stocked, errors.ContainerError, lambda: stocked.containers.nest(CASE, container=OTHER)
        )

    def test_reversal_of_nest_restores_both_containers(self, stocked: sl.Inventory) -> None:
        """Reversing containers.nest takes the case off the pallet and leaves the pallet where
        it was before (nowhere), with no stock moved."""
        before = {c: container_state(stocked, c) for c in (CASE, PALLET)}
        stock = stocked.stock(internal_only=False)
        tx = stocked.containers.nest(CASE, container=PALLET)
        assert container_state(stocked, CASE) == (PALLET, "DC1/A/01")
        reversal = stocked.reverse(tx.id, reason="wrong pallet")
        assert sorted(reversal.containers, key=lambda e: e.container) == [
            ContainerEvent(container=CASE, parent=None, location="DC1/A/01"),
            ContainerEvent(container=PALLET, parent=None, location=None),
        ]
        assert {c: container_state(stocked, c) for c in (CASE, PALLET)} == before
        assert stocked.stock(internal_only=False) == stock
        with unchanged(stocked):
            assert stocked.containers.contents(PALLET) == []
