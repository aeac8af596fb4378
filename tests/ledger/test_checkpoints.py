"""As-of answers from checkpoints: whatever checkpoints were taken, and whatever was posted
back-dated before or after them, an as-of balance is the fold of the ledger up to that time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import errors
from stockline.adapters.sqlalchemy import _checkpoints as checkpoints
from tests.conftest import START, StoreFactory

INTERNAL = ["DC1/A/01", "DC1/A/02", "DC2/DOCK"]
ITEMS = {"BOLT": None, "ASP": "lot"}
LOTS = ["L1", "L2"]

Step = tuple[str, dict[str, Any]]


@pytest.fixture
def make_store(any_store: StoreFactory) -> StoreFactory:
    """Every kind of store: these tests pin each store to the in-memory one's answers."""
    return any_store


@st.composite
def steps(draw: st.DrawFn) -> Step:
    kinds = ["receive", "receive", "move", "ship", "checkpoint", "checkpoint", "rebuild"]
    kind = draw(st.sampled_from(kinds))
    sku = draw(st.sampled_from(sorted(ITEMS)))
    args: dict[str, Any] = {
        "sku": sku,
        "quantity": draw(st.integers(1, 20)),
        "src": draw(st.sampled_from(INTERNAL)),
        "dst": draw(st.sampled_from(INTERNAL)),
        # minutes the clock moves on, and how far back the posting is dated
        "minutes": draw(st.integers(1, 60)),
        "back": draw(st.sampled_from([0, 0, 45, 300])),
    }
    if ITEMS[sku] == "lot":
        args["lot"] = draw(st.sampled_from(LOTS))
    return kind, args


def _apply(inv: sl.Inventory, clock: sl.FixedClock, kind: str, args: dict[str, Any]) -> None:
    clock.advance(minutes=args["minutes"])
    if kind == "checkpoint":
        inv.checkpoint()
        return
    if kind == "rebuild":
        inv.rebuild()
        return
    when = clock.now().subtract(minutes=args["back"])
    common: dict[str, Any] = {"lot": args.get("lot"), "effective_at": when}
    try:
        if kind == "receive":
            inv.receive(args["sku"], args["quantity"], dst=args["dst"], supplier="ACME", **common)
        elif kind == "move":
            inv.move(args["sku"], args["quantity"], src=args["src"], dst=args["dst"], **common)
        else:
            inv.ship(args["sku"], args["quantity"], src=args["src"], customer="C1", **common)
    except errors.StocklineError:
        pass  # refused (not enough stock then or since): the ledger is unchanged


def _fold(inv: sl.Inventory, at: dt.datetime) -> dict[tuple[str, str | None, str], Decimal]:
    """Internal balances as of ``at``, folded from the ledger's transactions in Python."""
    internal = {loc.path for loc in inv.master.locations() if loc.kind is sl.LocationKind.INTERNAL}
    folded: defaultdict[tuple[str, str | None, str], Decimal] = defaultdict(Decimal)
    for tx in inv.changes(limit=100_000):
        if tx.effective_at > at:
            continue
        for m in tx.movements:
            if m.src.location in internal:
                folded[(m.item, m.lot, m.src.location)] -= m.quantity
            if m.dst.location in internal:
                folded[(m.item, m.lot, m.dst.location)] += m.quantity
    return {k: q for k, q in folded.items() if q}


class TestAsOfFromCheckpoints:
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(steps(), min_size=1, max_size=30), st.data())
    def test_as_of_equals_the_fold_with_back_dated_postings(
        self,
        make_store: StoreFactory,
        monkeypatch: pytest.MonkeyPatch,
        ops: list[Step],
        data: st.DataObject,
    ) -> None:
        """On every store, with checkpoints taken and the projection rebuilt at random, and
        postings back-dated before and after them, on_hand and stock as of any time equal the
        fold of the ledger up to that time, for an item at a site, an item anywhere and
        everything. Rebuilds fold a few movements per range of items and take a checkpoint
        every two transactions, so they write many ranges and checkpoints."""
        monkeypatch.setattr(checkpoints, "CHUNK", 3)
        monkeypatch.setattr(checkpoints, "CHECKPOINT_SPACING", 2)
        monkeypatch.setattr(checkpoints, "REBUILD_CHECKPOINTS", 4)
        clock = sl.FixedClock(START)
        inv = sl.Inventory(store=make_store(), clock=clock)
        for sku, tracking in ITEMS.items():
            inv.add_item(sku, tracking=tracking or "none")
        for path in INTERNAL:
            inv.add_location(path)
        times = [START.subtract(hours=6)]
        for kind, args in ops:
            note(f"{kind} {args}")
            _apply(inv, clock, kind, args)
            times.append(clock.now().subtract(minutes=data.draw(st.sampled_from([0, 20, 200]))))
        assert inv.check().ok
        for at in data.draw(st.lists(st.sampled_from(times), min_size=1, max_size=4)):
            want = _fold(inv, at)
            got = {(b.item, b.lot, b.position.location): b.quantity for b in inv.stock(as_of=at)}
            assert got == want, at
            for sku in ITEMS:
                for site in ("DC1", "DC2"):
                    expected = sum(
                        (q for (i, _, loc), q in want.items() if i == sku and loc.startswith(site)),
                        Decimal(0),
                    )
                    assert inv.on_hand(sku, location=site, as_of=at) == expected, (sku, site, at)
                assert inv.on_hand(sku, as_of=at) == sum(
                    (q for (i, _, _), q in want.items() if i == sku), Decimal(0)
                )


class TestCheckpoint:
    def test_checkpoint_returns_the_last_transaction_and_is_idempotent(
        self, inv: sl.Inventory
    ) -> None:
        """checkpoint() answers the id it was taken after; again with nothing new, the same."""
        assert inv.checkpoint() == 0
        posted = inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
        assert inv.checkpoint() == posted.id
        assert inv.checkpoint() == posted.id

    def test_back_dated_postings_around_checkpoints_count(self, inv: sl.Inventory) -> None:
        """Receipts back-dated behind a checkpoint (one recorded late by the next checkpoint,
        one after the last checkpoint) show in as-of answers from their effective time on,
        for an item at a site and for everything."""
        clock = inv.clock
        assert isinstance(clock, sl.FixedClock)
        inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")  # 08:00
        clock.advance(hours=2)
        inv.receive("BOLT", 1, dst="DC1/A/01", supplier="ACME")  # 10:00
        inv.checkpoint()
        clock.advance(hours=2)
        inv.receive("BOLT", 7, dst="DC1/A/02", effective_at=START.add(minutes=30), supplier="ACME")
        inv.receive("BOLT", 2, dst="DC1/A/02", supplier="ACME")  # 12:00
        inv.checkpoint()
        clock.advance(hours=1)
        inv.receive("BOLT", 4, dst="DC1/A/01", effective_at=START.add(hours=1), supplier="ACME")
        for hours, want in ((0.25, 5), (0.5, 12), (1, 16), (2, 17), (3, 17), (4, 19), (5, 19)):
            at = START.add(minutes=int(hours * 60))
            assert inv.on_hand("BOLT", location="DC1", as_of=at) == want, hours
            assert sum(b.quantity for b in inv.stock(as_of=at)) == want, hours
        assert inv.on_hand("BOLT", as_of=clock.now()) == inv.on_hand("BOLT")

    def test_rebuild_reports_progress_over_every_transaction(self, inv: sl.Inventory) -> None:
        """rebuild(progress=...) is told, in all, the number of transactions, and the
        projection it leaves checks out."""
        for n in range(5):
            inv.receive("BOLT", n + 1, dst="DC1/A/01", supplier="ACME")
        seen: list[int] = []
        inv.rebuild(progress=seen.append)
        assert sum(seen) == 5
        assert inv.check().ok
