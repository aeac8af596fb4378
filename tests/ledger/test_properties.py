"""Invariants of the ledger under random sequences of operations, on every store.

Operations are drawn freely, so many are refused (not enough stock, serial already in stock,
...); a refusal must leave the ledger exactly as it was, and every invariant must hold after
every step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pendulum
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import errors
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore, StockStore
from tests import _postgres

START = pendulum.datetime(2026, 3, 2, 8, tz="UTC")
INTERNAL = ["DC1/DOCK", "DC1/A/01", "DC1/A/02", "DC2/DOCK"]
ITEMS = {"BOLT": "none", "ASP": "lot", "PUMP": "serial"}
LOTS = ["L1", "L2"]
SERIALS = ["S1", "S2", "S3"]
STORES: dict[str, Callable[[], StockStore]] = {
    "memory": InMemoryStockStore,
    "sqlite": lambda: SqlAlchemyStockStore.open("sqlite://"),
    "postgres": _postgres.store,
}

Op = tuple[str, dict[str, Any]]


@st.composite
def operations(draw: st.DrawFn) -> Op:
    kind = draw(
        st.sampled_from(
            ["receive", "receive", "move", "ship", "hold", "release", "reverse", "adjust"]
        )
    )
    sku = draw(st.sampled_from(sorted(ITEMS)))
    tracking = ITEMS[sku]
    args: dict[str, Any] = {"sku": sku}
    if tracking == "serial":
        args["serial"] = draw(st.sampled_from(SERIALS))
    else:
        args["quantity"] = draw(st.integers(1, 30))
    if tracking == "lot":
        args["lot"] = draw(st.sampled_from(LOTS))
    args["src"] = draw(st.sampled_from(INTERNAL))
    args["dst"] = draw(st.sampled_from(INTERNAL))
    args["minutes"] = draw(st.integers(1, 90))
    args["back"] = draw(st.sampled_from([0, 0, 0, 30, 200]))
    args["key"] = draw(st.none() | st.sampled_from(["k1", "k2", "k3"]))
    args["target"] = draw(st.integers(1, 40))
    args["sign"] = draw(st.sampled_from([1, -1]))
    return kind, args


def apply(inv: sl.Inventory, clock: sl.FixedClock, op: Op) -> sl.Transaction:
    kind, a = op
    clock.advance(minutes=a["minutes"])
    when = clock.now() - dt.timedelta(minutes=a["back"])
    common: dict[str, Any] = {"effective_at": when, "key": a["key"]}
    what: dict[str, Any] = {k: a[k] for k in ("lot", "serial") if k in a}
    qty = a.get("quantity")
    match kind:
        case "receive":
            return inv.receive(a["sku"], qty, dst=a["src"], supplier="ACME", **what, **common)
        case "move":
            return inv.move(a["sku"], qty, src=a["src"], dst=a["dst"], **what, **common)
        case "ship":
            return inv.ship(a["sku"], qty, src=a["src"], customer="C1", **what, **common)
        case "hold":
            return inv.hold(a["sku"], qty, location=a["src"], reason="check", **what, **common)
        case "release":
            return inv.release(a["sku"], qty, location=a["src"], reason="ok", **what, **common)
        case "adjust":
            return inv.adjust(
                a["sku"],
                a["sign"] * (qty or 1),
                location=a["src"],
                reason="count",
                lot=a.get("lot"),
                serial=a.get("serial"),
                effective_at=when,
                key=a["key"],
            )
        case _:
            return inv.reverse(a["target"], reason="mistake", effective_at=None, key=a["key"])


def new_inventory(store: StockStore, clock: sl.FixedClock) -> sl.Inventory:
    inv = sl.Inventory(store=store, clock=clock)
    for sku, tracking in ITEMS.items():
        inv.add_item(sku, tracking=tracking)
    for lot in LOTS:
        inv.add_lot("ASP", lot)
    for path in INTERNAL:
        inv.add_location(path)
    return inv


def state(inv: sl.Inventory) -> tuple[Any, ...]:
    with inv.store.read() as r:
        head = r.head()
    return head, inv.stock(internal_only=False)


def fold(txs: list[sl.Transaction], until: dt.datetime) -> dict[tuple[Any, ...], Decimal]:
    totals: defaultdict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for tx in txs:
        if tx.effective_at <= until:
            for m in tx.movements:
                totals[(m.item, m.lot, m.serial, m.src)] -= m.quantity
                totals[(m.item, m.lot, m.serial, m.dst)] += m.quantity
    return {k: v for k, v in totals.items() if v}


def check_invariants(inv: sl.Inventory) -> None:
    everything = inv.stock(internal_only=False)
    per_unit: defaultdict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for b in everything:
        per_unit[(b.item, b.lot, b.serial)] += b.quantity
    assert all(total == 0 for total in per_unit.values()), "stock is conserved"
    assert all(b.quantity > 0 for b in inv.stock()), "no internal position is negative"
    serials: defaultdict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for b in inv.stock("PUMP"):
        serials[(b.item, b.serial)] += b.quantity
    assert all(q <= 1 for q in serials.values()), "a serial is in one place at most"
    assert inv.check().ok, "projection equals replay"


def _invariant_tests(kinds: list[str], config: settings) -> type:
    """The invariant tests, on the stores of ``kinds``, with ``config``'s Hypothesis settings."""

    @pytest.mark.parametrize("store_kind", kinds)
    class Tests:
        @config
        @given(ops=st.lists(operations(), max_size=25))
        def test_invariants_hold_after_every_step(self, store_kind: str, ops: list[Op]) -> None:
            """Conservation, non-negativity, serial uniqueness and projection == replay always hold;
            a refused operation changes nothing."""
            clock = sl.FixedClock(START)
            inv = new_inventory(STORES[store_kind](), clock)
            for op in ops:
                before = state(inv)
                try:
                    tx = apply(inv, clock, op)
                    note(f"posted {tx.id} {tx.kind}")
                except errors.StocklineError as e:
                    note(f"refused {op[0]}: {type(e).__name__}")
                    assert state(inv) == before
                check_invariants(inv)
            assert inv.verify().ok
            inv.close()

        @config
        @given(
            ops=st.lists(operations(), max_size=20),
            probes=st.lists(st.integers(0, 2000), max_size=5),
        )
        def test_as_of_equals_fold(self, store_kind: str, ops: list[Op], probes: list[int]) -> None:
            """A balance as of t equals the fold of the movements effective at or before t."""
            clock = sl.FixedClock(START)
            inv = new_inventory(STORES[store_kind](), clock)
            for op in ops:
                with contextlib.suppress(errors.StocklineError):
                    apply(inv, clock, op)
            txs = inv.changes(limit=10_000)
            for minutes in probes:
                at = START + dt.timedelta(minutes=minutes)
                got = {
                    (b.item, b.lot, b.serial, b.position): b.quantity
                    for b in inv.stock(as_of=at, internal_only=False)
                }
                assert got == fold(txs, at)
            inv.close()

        @config
        @given(setup=st.lists(operations(), max_size=12), op=operations())
        def test_reversal_restores(self, store_kind: str, setup: list[Op], op: Op) -> None:
            """Posting a transaction and then its reversal leaves every balance as it was."""
            clock = sl.FixedClock(START)
            inv = new_inventory(STORES[store_kind](), clock)
            for step in setup:
                with contextlib.suppress(errors.StocklineError):
                    apply(inv, clock, step)
            before = inv.stock(internal_only=False)
            try:
                tx = apply(
                    inv, clock, (op[0] if op[0] != "reverse" else "receive", {**op[1], "key": None})
                )
            except errors.StocklineError:
                return
            clock.advance(minutes=1)
            inv.reverse(tx.id, reason="undo")
            assert inv.stock(internal_only=False) == before
            inv.close()

        @config
        @given(setup=st.lists(operations(), max_size=12), op=operations())
        def test_idempotent_repeat(self, store_kind: str, setup: list[Op], op: Op) -> None:
            """Repeating a keyed request returns the first transaction and changes nothing."""
            clock = sl.FixedClock(START)
            inv = new_inventory(STORES[store_kind](), clock)
            for step in setup:
                with contextlib.suppress(errors.StocklineError):
                    apply(inv, clock, (step[0], {**step[1], "key": None}))
            kind, args = op
            args = {**args, "key": "once", "back": 0}
            try:
                first = apply(inv, clock, (kind, args))
            except errors.StocklineError:
                inv.close()
                return
            before = state(inv)
            # The retry carries the same explicit effective time, so it is the same request.
            again = apply(inv, clock, (kind, {**args, "minutes": 0}))
            assert again == first
            assert state(inv) == before
            inv.close()

    return Tests


TestLedgerInvariants = _invariant_tests(["memory", "sqlite"], settings())
#: Every example starts with a fresh database, and every step crosses a socket: PostgreSQL
#: runs fewer examples than the profile's (the same properties, run in full on SQLite).
POSTGRES = settings(max_examples=min(settings().max_examples, 25))
TestLedgerInvariantsOnPostgres = _postgres.requires_postgres(
    _invariant_tests(["postgres"], POSTGRES)
)


@given(ops=st.lists(operations(), max_size=25))
def test_stores_agree(ops: list[Op]) -> None:
    """The SQL store gives the same transactions, hashes and balances as the in-memory one."""
    _agree(["memory", "sqlite"], ops)


@_postgres.requires_postgres
@POSTGRES
@given(ops=st.lists(operations(), max_size=25))
def test_postgres_agrees(ops: list[Op]) -> None:
    """The SQL store on PostgreSQL gives the same transactions, hashes and balances as the
    in-memory one."""
    _agree(["memory", "postgres"], ops)


def _agree(kinds: list[str], ops: list[Op]) -> None:
    results = []
    for make in (STORES[kind] for kind in kinds):
        clock = sl.FixedClock(START)
        inv = new_inventory(make(), clock)
        outcomes = []
        for op in ops:
            try:
                outcomes.append(apply(inv, clock, op).hash)
            except errors.StocklineError as e:
                outcomes.append(type(e).__name__)
        results.append((outcomes, inv.stock(internal_only=False), inv.changes(limit=1000)))
        inv.close()
    assert all(result == results[0] for result in results[1:])
