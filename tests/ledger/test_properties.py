"""Invariants of the ledger under random sequences of operations, on every store.

Operations are drawn freely, so many are refused (not enough stock, serial already in stock,
...); a refusal must leave the ledger exactly as it was, and every invariant must hold after
every step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter, defaultdict
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


def operation(inv: sl.Inventory) -> st.SearchStrategy[Op]:
    """One operation, drawn from what ``inv`` holds now: outflows take a position that has
    stock, mostly no more than is there; receipts bring new stock or a serial again; keys,
    back-dating and reversals of any transaction come now and then. Most steps are ones the
    ledger accepts (test_most_generated_steps_are_accepted measures the share); the rest are
    refusals, which must change nothing."""
    stock = inv.stock()
    with inv.store.read() as r:
        head = r.head()[0]

    @st.composite
    def draw_op(draw: st.DrawFn) -> Op:
        kinds = ["receive"] * 3 + ["reverse"]
        if stock:
            kinds += ["move"] * 3 + ["ship"] * 2 + ["hold", "release", "adjust"]
        kind = draw(st.sampled_from(kinds))
        args: dict[str, Any] = {
            "minutes": draw(st.integers(1, 90)),
            "back": draw(st.sampled_from([0] * 8 + [30, 200])),
            "key": draw(st.sampled_from([None] * 12 + ["k1", "k2", "k3"])),
            "target": draw(st.integers(1, max(head, 1) + 1)),
            "sign": draw(st.sampled_from([1, -1])),
        }
        held = [b for b in stock if b.position.status != "available"]
        free = [b for b in stock if b.position.status == "available"]
        pool = held if kind == "release" and held else free or stock
        if kind in ("receive", "reverse") or not pool:
            sku = draw(st.sampled_from(sorted(ITEMS)))
            args.update(sku=sku, src=draw(st.sampled_from(INTERNAL)))
            if ITEMS[sku] == "serial":
                args["serial"] = draw(st.sampled_from(SERIALS))
            else:
                args["quantity"] = draw(st.integers(1, 30))
            if ITEMS[sku] == "lot":
                args["lot"] = draw(st.sampled_from(LOTS))
        else:
            b = draw(st.sampled_from(pool))
            args.update(sku=b.item, src=b.position.location)
            args.update({k: v for k, v in (("lot", b.lot), ("serial", b.serial)) if v})
            if b.serial is None:
                most = int(b.quantity) + draw(st.sampled_from([0] * 9 + [3]))
                args["quantity"] = draw(st.integers(1, max(most, 1)))
        args["dst"] = draw(st.sampled_from([p for p in INTERNAL if p != args["src"]]))
        return kind, args

    return draw_op()


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


def steps(
    data: st.DataObject, inv: sl.Inventory, clock: sl.FixedClock, count: int
) -> list[tuple[Op, sl.Transaction | type[Exception]]]:
    """Draw and apply ``count`` operations, each from the stock the ones before it left;
    return each with its transaction or the error class that refused it."""
    done: list[tuple[Op, sl.Transaction | type[Exception]]] = []
    for _ in range(count):
        op = data.draw(operation(inv))
        try:
            done.append((op, apply(inv, clock, op)))
        except errors.StocklineError as e:
            done.append((op, type(e)))
    return done


def _invariant_tests(kinds: list[str], config: settings) -> type:
    """The invariant tests, on the stores of ``kinds``, with ``config``'s Hypothesis settings."""

    @pytest.mark.parametrize("store_kind", kinds)
    class Tests:
        @config
        @given(data=st.data(), count=st.integers(0, 15))
        def test_invariants_hold_after_every_step(
            self, store_kind: str, data: st.DataObject, count: int
        ) -> None:
            """Conservation, non-negativity, serial uniqueness and projection == replay always hold;
            a refused operation changes nothing."""
            clock = sl.FixedClock(START)
            inv = new_inventory(STORES[store_kind](), clock)
            for _ in range(count):
                op = data.draw(operation(inv))
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
            data=st.data(),
            count=st.integers(0, 15),
            probes=st.lists(st.integers(0, 2000), max_size=5),
        )
        def test_as_of_equals_fold(
            self, store_kind: str, data: st.DataObject, count: int, probes: list[int]
        ) -> None:
            """A balance as of t equals the fold of the movements effective at or before t."""
            clock = sl.FixedClock(START)
            inv = new_inventory(STORES[store_kind](), clock)
            steps(data, inv, clock, count)
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
        @given(data=st.data(), count=st.integers(0, 12))
        def test_reversal_restores(self, store_kind: str, data: st.DataObject, count: int) -> None:
            """Posting a transaction and then its reversal leaves every balance as it was."""
            clock = sl.FixedClock(START)
            inv = new_inventory(STORES[store_kind](), clock)
            steps(data, inv, clock, count)
            kind, args = data.draw(operation(inv))
            before = inv.stock(internal_only=False)
            try:
                tx = apply(
                    inv, clock, (kind if kind != "reverse" else "receive", {**args, "key": None})
                )
            except errors.StocklineError:
                return
            clock.advance(minutes=1)
            inv.reverse(tx.id, reason="undo")
            assert inv.stock(internal_only=False) == before
            inv.close()

        @config
        @given(data=st.data(), count=st.integers(0, 12))
        def test_idempotent_repeat(self, store_kind: str, data: st.DataObject, count: int) -> None:
            """Repeating a keyed request returns the first transaction and changes nothing."""
            clock = sl.FixedClock(START)
            inv = new_inventory(STORES[store_kind](), clock)
            for _ in range(count):
                step = data.draw(operation(inv))
                with contextlib.suppress(errors.StocklineError):
                    apply(inv, clock, (step[0], {**step[1], "key": None}))
            kind, args = data.draw(operation(inv))
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
POSTGRES = settings(max_examples=min(settings().max_examples, 12))
TestLedgerInvariantsOnPostgres = _postgres.requires_postgres(
    _invariant_tests(["postgres"], POSTGRES)
)


@given(data=st.data(), count=st.integers(0, 25))
def test_stores_agree(data: st.DataObject, count: int) -> None:
    """The SQL store gives the same transactions, hashes and balances as the in-memory one."""
    _agree("sqlite", data, count)


@_postgres.requires_postgres
@POSTGRES
@given(data=st.data(), count=st.integers(0, 25))
def test_postgres_agrees(data: st.DataObject, count: int) -> None:
    """The SQL store on PostgreSQL gives the same transactions, hashes and balances as the
    in-memory one."""
    _agree("postgres", data, count)


def _agree(kind: str, data: st.DataObject, count: int) -> None:
    """Draw each operation from the in-memory inventory's stock and make it on both."""
    clocks = sl.FixedClock(START), sl.FixedClock(START)
    reference = new_inventory(InMemoryStockStore(), clocks[0])
    tested = new_inventory(STORES[kind](), clocks[1])
    for _ in range(count):
        op = data.draw(operation(reference))
        outcomes = []
        for inv, clock in zip((reference, tested), clocks, strict=True):
            try:
                outcomes.append(apply(inv, clock, op).hash)
            except errors.StocklineError as e:
                outcomes.append(type(e).__name__)
        assert outcomes[0] == outcomes[1], op
    assert tested.stock(internal_only=False) == reference.stock(internal_only=False)
    assert tested.changes(limit=1000) == reference.changes(limit=1000)
    tested.close()
    reference.close()


def test_most_generated_steps_are_accepted() -> None:
    """Most generated operations must be ones the ledger accepts: a generator whose steps are
    mostly refused tests refusals only. Run with ``-s`` to see the share and the refusals."""
    tally: Counter[str] = Counter()

    @settings(max_examples=30, derandomize=True, database=None)
    @given(data=st.data(), count=st.integers(10, 25))
    def run(data: st.DataObject, count: int) -> None:
        clock = sl.FixedClock(START)
        inv = new_inventory(InMemoryStockStore(), clock)
        for (kind, _), outcome in steps(data, inv, clock, count):
            if isinstance(outcome, sl.Transaction):
                tally[f"{kind} posted"] += 1
                tally["posted"] += 1
            else:
                tally[f"{kind} refused: {outcome.__name__}"] += 1
                tally["refused"] += 1

    run()
    share = tally["posted"] / (tally["posted"] + tally["refused"])
    print(f"\naccepted {share:.0%} of {tally['posted'] + tally['refused']} steps")
    for what, n in sorted(tally.items()):
        print(f"  {what}: {n}")
    assert share >= 0.6
