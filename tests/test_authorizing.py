"""The access-control hook: the authorizer is asked before every posting."""

from __future__ import annotations

from decimal import Decimal

import pytest

import stockline as sl
from stockline import errors
from stockline.ledger._time import FixedClock
from stockline.testing._setup import START
from tests.conftest import StoreFactory

ROLES = {"ann": {"warehouse"}, "qa-joe": {"quality", "warehouse"}}


def quality_releases(tx: sl.NewTransaction) -> bool:
    """Only the quality role may take stock out of hold; anyone known may do the rest."""
    roles = ROLES.get(tx.actor or "")
    if roles is None:
        return False
    releases = any(m.src.status == "hold" and m.dst.status != "hold" for m in tx.movements)
    return not releases or "quality" in roles


@pytest.fixture
def inv(make_store: StoreFactory) -> sl.Inventory:
    inv = sl.Inventory(store=make_store(), clock=FixedClock(START), authorizer=quality_releases)
    inv.add_item("CHEESE", unit="KGM", decimals=3, tracking="lot")
    inv.add_location("DC1/COLD")
    inv.receive("CHEESE", 40, dst="DC1/COLD", lot="L1", actor="ann", supplier="ACME")
    inv.hold("CHEESE", 40, location="DC1/COLD", lot="L1", reason="lab test", actor="ann")
    return inv


def _snapshot(inv: sl.Inventory) -> tuple[object, ...]:
    return tuple(inv.changes()), tuple(inv.stock())


class TestAuthorizer:
    def test_refusal_posts_nothing(self, inv: sl.Inventory) -> None:
        """A refusal raises PermissionDeniedError naming actor and kind, and posts nothing."""
        before = _snapshot(inv)
        with pytest.raises(errors.PermissionDeniedError, match="ann may not post") as caught:
            inv.release("CHEESE", 40, location="DC1/COLD", lot="L1", reason="ok", actor="ann")
        assert (caught.value.actor, caught.value.kind) == ("ann", "status_change")
        assert _snapshot(inv) == before

    def test_permitted_actor_posts(self, inv: sl.Inventory) -> None:
        """What the authorizer allows is posted, with the actor and reason recorded."""
        tx = inv.release("CHEESE", 40, location="DC1/COLD", lot="L1", reason="ok", actor="qa-joe")
        assert (tx.actor, tx.reason) == ("qa-joe", "ok")
        assert inv.on_hand("CHEESE", status="available") == Decimal(40)

    def test_actor_is_required(self, inv: sl.Inventory) -> None:
        """With an authorizer, a posting that names no actor is refused before it is asked."""
        asked: list[sl.NewTransaction] = []

        def allow(tx: sl.NewTransaction) -> bool:
            asked.append(tx)
            return True

        inv.authorizer = allow
        with pytest.raises(errors.PermissionDeniedError, match="names no actor"):
            inv.receive("CHEESE", 1, dst="DC1/COLD", lot="L2", supplier="ACME")
        assert asked == []

    def test_every_posting_path_is_asked(self, inv: sl.Inventory) -> None:
        """The authorizer sees every kind of posting: receipts, moves, production, packing,
        shipments, adjustments, reversals, batches."""
        seen: list[str] = []

        def record(tx: sl.NewTransaction) -> bool:
            seen.append(tx.kind.value)
            return True

        inv.authorizer = record
        inv.release("CHEESE", 40, location="DC1/COLD", lot="L1", reason="ok", actor="qa-joe")
        inv.add_location("DC1/PACK")
        inv.move("CHEESE", 5, lot="L1", src="DC1/COLD", dst="DC1/PACK", actor="ann")
        inv.add_item("WEDGE", unit="EA", tracking="lot")
        inv.produce(
            consume=[sl.Component(sku="CHEESE", quantity=2, location="DC1/PACK", lot="L1")],
            output=[sl.Output(sku="WEDGE", quantity=10, location="DC1/PACK", lot="W1")],
            actor="ann",
        )
        inv.adjust("WEDGE", -1, location="DC1/PACK", lot="W1", reason="dropped", actor="ann")
        shipped = inv.ship("WEDGE", 3, lot="W1", src="DC1/PACK", customer="C1", actor="ann")
        inv.reverse(shipped.id, reason="wrong customer", actor="ann")
        draft = sl.NewTransaction(
            kind=sl.TxKind.TRANSFER,
            movements=(
                sl.Movement(
                    item="WEDGE",
                    lot="W1",
                    quantity=Decimal(1),
                    src=sl.Position(location="DC1/PACK"),
                    dst=sl.Position(location="DC1/COLD"),
                ),
            ),
            actor="ann",
        )
        inv.post_many([draft])
        assert seen == [
            "status_change",
            "transfer",
            "production",
            "adjustment",
            "shipment",
            "reversal",
            "transfer",
        ]

    def test_authorizer_may_raise_its_own_error(self, inv: sl.Inventory) -> None:
        """An authorizer may raise PermissionDeniedError with its own message; it reaches the
        caller unchanged and nothing is posted."""

        def night_shift(tx: sl.NewTransaction) -> bool:
            raise errors.PermissionDeniedError(
                "no postings between 22:00 and 06:00", actor=tx.actor, kind=tx.kind.value
            )

        inv.authorizer = night_shift
        before = _snapshot(inv)
        with pytest.raises(errors.PermissionDeniedError, match="22:00"):
            inv.receive("CHEESE", 1, dst="DC1/COLD", lot="L2", actor="ann", supplier="ACME")
        assert _snapshot(inv) == before

    def test_operations_are_asked(self, inv: sl.Inventory) -> None:
        """Closing a count posts through the authorizer too: a refusal leaves the count
        open and the stock as it was."""
        inv.authorizer = lambda tx: tx.kind is not sl.TxKind.COUNT
        count = inv.counts.open("DC1/COLD", actor="ann")
        inv.counts.record(count.id, "CHEESE", 39, location="DC1/COLD", lot="L1", status="hold")
        before = _snapshot(inv)
        with pytest.raises(errors.PermissionDeniedError, match="count"):
            inv.counts.close(count.id, actor="ann")
        assert _snapshot(inv) == before
        assert inv.counts.get(count.id).state == "open"
