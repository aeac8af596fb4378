"""A Hypothesis state machine that drives any store and the in-memory reference side by side.

:func:`store_machine` returns a :class:`~hypothesis.stateful.RuleBasedStateMachine` whose
rules receive, move, ship, hold, release, adjust, produce, pack, move containers, reverse,
undo the latest postings newest first (which must always go through) and allocate
(:func:`stockline.policies.allocate` with FEFO over candidates built from the stock) on two
inventories sharing one clock: one on the store under test, one on an
:class:`~stockline.adapters.InMemoryStockStore`. Operations are drawn from the current
stock but may still be refused (too much, a reversal of a reversal, ...): both stores must
then refuse with the same error. After every step it checks that balances
(``stock(internal_only=False)``), the change feed (``changes()``, hashes included), the
projection (``check()``) and the traces of the lots just touched agree.

Example:
    In a test module::

        from stockline.adapters import SqlAlchemyStockStore
        from stockline.testing.stateful import store_machine

        TestSqliteMachine = store_machine(lambda: SqlAlchemyStockStore.open("sqlite://")).TestCase

The import path ``stockline.testing.stateful`` and :func:`store_machine` are stable API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from hypothesis import event, note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from stockline import Inventory
from stockline.adapters import InMemoryStockStore
from stockline.errors import StocklineError
from stockline.genealogy import Component, Output
from stockline.ledger import AVAILABLE, Balance, FixedClock, StockStore, Tracking, Transaction
from stockline.policies import Candidate, Demand, Fefo, allocate
from stockline.testing._setup import DEFAULT_SETUP, START, Setup
from stockline.testing._values import quantities

__all__ = ["store_machine"]

#: How far back a posting is dated, in minutes; ``None``: at the same time as the last one.
_BACK = st.sampled_from([0, 0, 0, 30, 200, None, None])
_MINUTES = st.integers(1, 120)


def store_machine(
    make_store: Callable[[], StockStore],
    *,
    setup: Setup = DEFAULT_SETUP,
    verify_every_step: bool = False,
) -> type[RuleBasedStateMachine]:
    """Build a state machine checking the stores ``make_store`` returns against the
    in-memory reference.

    Args:
        make_store: Returns a fresh, empty store (called once per example; the machine
            closes it at the end).
        setup: The master data both inventories start with.
        verify_every_step: Also run ``verify()`` (the hash chain walk) after every step,
            not only at the end.

    Returns:
        The machine class; its ``TestCase`` attribute is a ``unittest.TestCase`` for pytest
        to collect. Set its ``settings`` to choose examples and steps.
    """

    class StoreMachine(RuleBasedStateMachine):
        """A store under test and the reference, driven by the same operations."""

        def __init__(self) -> None:
            super().__init__()
            self.clock = FixedClock(START)
            self.tested = Inventory(store=make_store(), clock=self.clock)
            self.reference = Inventory(store=InMemoryStockStore(), clock=self.clock)
            for inv in (self.reference, self.tested):
                setup.apply(inv)
            self.serials = 0
            self.outputs = 0
            self.last_at: dt.datetime | None = None
            self.seen = 0
            self.touched: set[tuple[str, str]] = set()

        # -- helpers -----------------------------------------------------------------

        def both(self, what: str, call: Callable[[Inventory], Transaction]) -> None:
            """Make the same call on both inventories: the same transaction or the same
            refusal."""
            outcomes: list[Transaction | type[Exception]] = []
            for inv in (self.reference, self.tested):
                try:
                    outcomes.append(call(inv))
                except StocklineError as e:
                    outcomes.append(type(e))
            expected, got = outcomes
            note(f"{what} -> {expected if isinstance(expected, type) else expected.id}")
            verb = what.split(" held ")[0] + " held" if " held " in what else what.split()[0]
            event(f"{verb}: {'posted' if isinstance(expected, Transaction) else 'refused'}")
            assert got == expected, f"{what}: the store gave {got!r}, the reference {expected!r}"
            if isinstance(expected, Transaction):
                self.last_at = expected.effective_at
                for m in expected.movements:
                    if m.lot is not None:
                        self.touched.add((m.item, m.lot))

        def held(self) -> list[Balance]:
            """Stock in a status that may not be allocated (held, quarantined, ...)."""
            blocking = {s.name for s in self.reference.master.statuses() if not s.allocatable}
            return [
                b
                for b in self.reference.stock()
                if b.position.status in blocking and b.quantity > 0
            ]

        def escaped(self) -> list[Balance]:
            """Stock at customers in a status that may not be allocated: must stay empty."""
            blocking = {s.name for s in self.reference.master.statuses() if not s.allocatable}
            return [
                b
                for b in self.reference.stock(location="customers", internal_only=False)
                if b.position.status in blocking and b.quantity != 0
            ]

        def stock(self, status: str | None = None, *, loose: bool = True) -> list[Balance]:
            return [
                b
                for b in self.reference.stock(status=status)
                if (b.position.container is None) == loose
            ]

        def when(self, data: st.DataObject) -> dt.datetime | None:
            """The effective time of the next posting: now, back-dated, or exactly the
            time of the last posting (postings at equal times, reversed in any order)."""
            self.clock.advance(minutes=data.draw(_MINUTES, label="minutes"))
            back = data.draw(_BACK, label="back-dated by")
            if back is None and self.last_at is not None:
                return self.last_at
            if not back:
                return None
            return self.clock.now() - dt.timedelta(minutes=back)

        @staticmethod
        def what(b: Balance) -> dict[str, Any]:
            return {"lot": b.lot, "serial": b.serial}

        def qty(self, data: st.DataObject, b: Balance) -> Decimal | None:
            """Some of ``b``, sometimes a little more than is there."""
            if b.serial is not None:
                return None
            decimals = setup.item(b.item).decimals
            return data.draw(
                quantities(decimals=decimals, max_value=b.quantity + 2), label="quantity"
            )

        # -- rules -------------------------------------------------------------------

        @initialize(data=st.data())
        def stock_up(self, data: st.DataObject) -> None:
            """Start from some stock, some of it held, so that every rule has work."""
            for _ in range(3):
                self.receive(data)
            if not self.stock():
                return
            b = data.draw(st.sampled_from(self.stock()), label="hold")
            self.both(
                f"hold {b}",
                lambda inv: inv.hold(
                    b.item, b.quantity, location=b.position.location, reason="qa", **self.what(b)
                ),
            )

        @rule(data=st.data())
        def receive(self, data: st.DataObject) -> None:
            item = data.draw(st.sampled_from(setup.items), label="item")
            lot = serial = None
            if item.tracking is Tracking.LOT:
                lot = data.draw(st.sampled_from(["L1", "L2", "L3"]), label="lot")
            if item.tracking is Tracking.SERIAL:
                serial = data.draw(st.sampled_from(["S1", "S2", "S3"]), label="serial")
            qty = None if serial else data.draw(quantities(decimals=item.decimals, max_value=40))
            to = data.draw(st.sampled_from(setup.locations), label="to")
            into = data.draw(st.none() | st.sampled_from(setup.containers), label="container")
            at = self.when(data)
            self.both(
                f"receive {item.sku} {qty} {lot} {serial} to {to} in {into} at {at}",
                lambda inv: inv.receive(
                    item.sku,
                    qty,
                    lot=lot,
                    serial=serial,
                    dst=to,
                    container=into,
                    supplier="ACME",
                    effective_at=at,
                ),
            )

        @precondition(lambda self: bool(self.stock()))
        @rule(data=st.data())
        def move(self, data: st.DataObject) -> None:
            b = data.draw(st.sampled_from(self.stock()), label="from")
            dst = data.draw(st.sampled_from(setup.locations), label="to")
            qty, at = self.qty(data, b), self.when(data)
            self.both(
                f"move {b} {qty} to {dst} at {at}",
                lambda inv: inv.move(
                    b.item,
                    qty,
                    src=b.position.location,
                    dst=dst,
                    status=b.position.status,
                    effective_at=at,
                    **self.what(b),
                ),
            )

        @precondition(lambda self: bool(self.stock()))
        @rule(data=st.data())
        def ship(self, data: st.DataObject) -> None:
            b = data.draw(st.sampled_from(self.stock()), label="from")
            qty, at = self.qty(data, b), self.when(data)
            self.both(
                f"ship {b} {qty} at {at}",
                lambda inv: inv.ship(
                    b.item,
                    qty,
                    src=b.position.location,
                    status=b.position.status,
                    customer="C1",
                    effective_at=at,
                    **self.what(b),
                ),
            )

        @precondition(lambda self: bool(self.stock()))
        @rule(data=st.data(), hold=st.booleans())
        def hold_or_release(self, data: st.DataObject, hold: bool) -> None:
            b = data.draw(st.sampled_from(self.stock()), label="at")
            qty = self.qty(data, b)
            self.clock.advance(minutes=data.draw(_MINUTES))
            method = "hold" if hold else "release"
            self.both(
                f"{method} {b} {qty}",
                lambda inv: getattr(inv, method)(
                    b.item, qty, location=b.position.location, reason="qa", **self.what(b)
                ),
            )

        @precondition(lambda self: bool(self.stock()))
        @rule(data=st.data())
        def adjust_down(self, data: st.DataObject) -> None:
            b = data.draw(st.sampled_from(self.stock()), label="at")
            qty = self.qty(data, b) or Decimal(1)
            self.clock.advance(minutes=data.draw(_MINUTES))
            self.both(
                f"adjust {b} -{qty}",
                lambda inv: inv.adjust(
                    b.item,
                    -qty,
                    location=b.position.location,
                    status=b.position.status,
                    reason="count",
                    **self.what(b),
                ),
            )

        @precondition(lambda self: bool(self.stock(AVAILABLE)))
        @rule(data=st.data())
        def produce(self, data: st.DataObject) -> None:
            used = data.draw(
                st.lists(
                    st.sampled_from(self.stock(AVAILABLE)), min_size=1, max_size=2, unique=True
                ),
                label="consume",
            )
            parts = [
                Component(
                    sku=b.item,
                    quantity=self.qty(data, b) or 1,
                    location=b.position.location,
                    lot=b.lot,
                    serial=b.serial,
                )
                for b in used
            ]
            out = data.draw(
                st.sampled_from([i for i in setup.items if i.tracking is Tracking.LOT]),
                label="output",
            )
            self.outputs += 1
            lot = f"P{self.outputs}"
            qty = data.draw(quantities(decimals=out.decimals, max_value=30))
            where = data.draw(st.sampled_from(setup.locations), label="to")
            self.clock.advance(minutes=data.draw(_MINUTES))
            self.both(
                f"produce {parts} -> {out.sku} {lot} {qty}",
                lambda inv: inv.produce(
                    consume=parts,
                    output=[Output(sku=out.sku, quantity=qty, location=where, lot=lot)],
                ),
            )

        @precondition(lambda self: bool(self.stock()) and bool(setup.containers))
        @rule(data=st.data())
        def pack(self, data: st.DataObject) -> None:
            b = data.draw(st.sampled_from(self.stock()), label="from")
            container = data.draw(st.sampled_from(setup.containers), label="into")
            qty = self.qty(data, b)
            self.clock.advance(minutes=data.draw(_MINUTES))
            self.both(
                f"pack {b} {qty} into {container}",
                lambda inv: inv.pack(
                    b.item,
                    qty,
                    container=container,
                    location=b.position.location,
                    status=b.position.status,
                    **self.what(b),
                ),
            )

        @precondition(lambda self: bool(self.stock(loose=False)))
        @rule(data=st.data())
        def move_container(self, data: st.DataObject) -> None:
            b = data.draw(st.sampled_from(self.stock(loose=False)), label="packed")
            to = data.draw(st.sampled_from(setup.locations), label="to")
            self.clock.advance(minutes=data.draw(_MINUTES))
            code = b.position.container
            assert code is not None
            self.both(f"move container {code} to {to}", lambda inv: inv.containers.move(code, to))

        @precondition(lambda self: self.clock.now() > START)
        @rule(data=st.data())
        def reverse(self, data: st.DataObject) -> None:
            with self.reference.store.read() as r:
                head = r.head()[0]
            target = data.draw(st.integers(1, head + 1), label="transaction")
            self.clock.advance(minutes=data.draw(_MINUTES))
            self.both(f"reverse {target}", lambda inv: inv.reverse(target, reason="mistake"))

        @precondition(lambda self: self.seen > 0)
        @rule(data=st.data())
        def reverse_several(self, data: st.DataObject) -> None:
            """Reverse a few transactions in an order of their own (oldest first, newest
            first or shuffled); each is refused or posted alike on both stores."""
            with self.reference.store.read() as r:
                head = r.head()[0]
            targets = data.draw(
                st.lists(st.integers(1, head), min_size=1, max_size=min(4, head), unique=True),
                label="transactions",
            )
            for tx_id in data.draw(st.permutations(targets), label="order"):
                self.clock.advance(minutes=1)
                self.both(f"reverse {tx_id}", partial(_undo, tx_id=tx_id))

        @precondition(lambda self: bool(self.held()))
        @rule(data=st.data())
        def try_held(self, data: st.DataObject) -> None:
            """Every verb against stock in a blocking status: what takes it out of the
            warehouse (a shipment, a move to a customer, a container shipped) is refused;
            what keeps it inside is the stores' to agree on."""
            b = data.draw(st.sampled_from(self.held()), label="held")
            qty = self.qty(data, b)
            self.clock.advance(minutes=data.draw(_MINUTES))
            where = {"status": b.position.status, **self.what(b)}
            src = b.position.location
            verbs: dict[str, Callable[[Inventory], Transaction]] = {
                "ship": lambda inv: inv.ship(b.item, qty, src=src, customer="C1", **where),
                "move out": lambda inv: inv.move(b.item, qty, src=src, dst="customers/C1", **where),
                "move": lambda inv: inv.move(b.item, qty, src=src, dst=setup.locations[0], **where),
                "scrap": lambda inv: inv.scrap(b.item, qty, location=src, reason="bad", **where),
                "adjust": lambda inv: inv.adjust(
                    b.item, -(qty or 1), location=src, reason="count", **where
                ),
                "release": lambda inv: inv.release(b.item, qty, location=src, reason="ok", **where),
            }
            if b.position.container is not None:
                code = b.position.container
                verbs["ship container"] = lambda inv: inv.containers.ship(code, customer="C1")
            verb = data.draw(st.sampled_from(sorted(verbs)), label="verb")
            self.both(f"{verb} held {b} {qty}", verbs[verb])
            if verb in ("ship", "move out", "ship container"):
                with self.reference.store.read() as r:
                    assert r.head()[0] == self.seen or not self.escaped(), f"{verb} let held out"

        @precondition(lambda self: self.clock.now() > START)
        @rule(data=st.data())
        def undo_latest(self, data: st.DataObject) -> None:
            """Reverse the latest postings, newest first, each at its own effective time: the
            ledger then nets back to a state it had, so every reversal must go through, however
            the stock moved in between (a reversal and its original are simultaneous)."""
            with self.reference.store.read() as r:
                head = r.head()[0]
                latest: list[int] = []
                for tx_id in range(head, max(0, head - data.draw(st.integers(1, 4))), -1):
                    tx = r.transaction(tx_id)
                    if tx is None or tx.reverses is not None or r.reversed_by(tx_id) is not None:
                        break
                    latest.append(tx_id)
            for tx_id in latest:
                self.clock.advance(minutes=1)
                self.both(f"undo {tx_id}", partial(_undo, tx_id=tx_id))
                with self.reference.store.read() as r:
                    assert r.reversed_by(tx_id) is not None, f"undoing {tx_id} was refused"

        @precondition(lambda self: bool(self.stock(AVAILABLE)))
        @rule(data=st.data())
        def allocate_and_ship(self, data: st.DataObject) -> None:
            items = sorted({b.item for b in self.stock(AVAILABLE) if b.serial is None})
            if not items:
                return
            sku = data.draw(st.sampled_from(items), label="item")
            item = self.reference.master.item(sku)
            candidates = [
                Candidate(
                    item=b.item,
                    lot=b.lot,
                    expiry=None if b.lot is None else self.reference.master.lot(sku, b.lot).expiry,
                    first_received_at=START,
                    location=b.position.location,
                    container=b.position.container,
                    status=b.position.status,
                    available=b.quantity,
                )
                for b in self.reference.stock(sku, status=AVAILABLE, internal_only=True)
            ]
            total = sum((c.available for c in candidates), Decimal(0))
            wanted = data.draw(quantities(decimals=item.decimals, max_value=total + 5))
            plan = allocate(
                Demand(item=sku, quantity=wanted, at=self.clock.now().date()), candidates, Fefo()
            )
            assert sum((p.quantity for p in plan.picks), plan.shortfall) == wanted
            for pick in plan.picks:
                c = pick.candidate
                assert pick.quantity <= c.available
                self.clock.advance(minutes=1)
                self.both(
                    f"ship pick {c.location} {c.lot} {c.container} {pick.quantity}",
                    partial(_ship_pick, sku=sku, candidate=c, quantity=pick.quantity),
                )

        # -- what must agree after every step ------------------------------------------

        @invariant()
        def nothing_blocked_left(self) -> None:
            assert not self.escaped(), f"blocked stock reached a customer: {self.escaped()}"

        @invariant()
        def stores_agree(self) -> None:
            tested, reference = self.tested, self.reference
            assert tested.stock(internal_only=False) == reference.stock(internal_only=False)
            new = reference.changes(after=self.seen)
            assert tested.changes(after=self.seen) == new, "transactions or hashes differ"
            if new:
                self.seen = new[-1].id
            with tested.store.read() as r, reference.store.read() as expected:
                assert r.head() == expected.head()
                assert r.lots() == expected.lots()
                assert r.parties() == expected.parties()
                assert r.locations() == expected.locations()
            report = tested.verify() if verify_every_step else tested.check()
            assert report.ok, report.problems
            for sku, lot in sorted(self.touched):
                for trace in ("trace_downstream", "trace_upstream"):
                    # Compared as records: quantities by value, as Decimal compares.
                    got = getattr(tested, trace)(sku, lot)
                    assert got == getattr(reference, trace)(sku, lot), (trace, lot)
            self.touched.clear()

        def teardown(self) -> None:
            try:
                report = self.tested.verify()
                assert report.ok, report.problems
            finally:
                self.tested.close()

    StoreMachine.__name__ = StoreMachine.__qualname__ = "StoreMachine"
    return StoreMachine


def _ship_pick(inv: Inventory, *, sku: str, candidate: Candidate, quantity: Decimal) -> Transaction:
    return inv.ship(
        sku,
        quantity,
        src=candidate.location,
        lot=candidate.lot,
        container=candidate.container,
        customer="C2",
        ref="SO-A",
    )


def _undo(inv: Inventory, *, tx_id: int) -> Transaction:
    return inv.reverse(tx_id, reason="undo")
