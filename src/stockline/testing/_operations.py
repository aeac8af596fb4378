"""Whole valid sequences of operations: a strategy that keeps a small model of stock so that
every operation it draws is one the ledger must accept."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from stockline import Inventory
from stockline.genealogy import Component, Output
from stockline.ledger import AVAILABLE, FixedClock, Item, Tracking, Transaction
from stockline.testing._setup import DEFAULT_SETUP, START, Setup, setups
from stockline.testing._values import quantities

__all__ = ["OPERATION_KINDS", "Operation", "Scenario", "operations", "scenarios"]

#: Every kind of operation :func:`operations` can draw.
OPERATION_KINDS = (
    "receive",
    "move",
    "ship",
    "hold",
    "release",
    "adjust",
    "scrap",
    "produce",
    "pack",
    "unpack",
    "move_container",
    "reverse",
)
#: Reversals are drawn only for these kinds (container moves restore container states, which
#: the model does not follow back).
_REVERSIBLE = frozenset(
    {"receive", "move", "ship", "hold", "release", "adjust", "scrap", "produce"}
)

# (item, lot, serial, location, status, container), internal positions only.
Key = tuple[str, str | None, str | None, str, str, str | None]
SerialKey = tuple[str, str]


@attrs.frozen(kw_only=True)
class Operation:
    """One call of an :class:`~stockline.Inventory` method, at a given clock time.

    Attributes:
        kind: What it does (one of ``OPERATION_KINDS``).
        method: The ``Inventory`` method called (dotted for a namespace, e.g.
            ``containers.move``).
        args: Its positional arguments.
        kwargs: Its keyword arguments, as ``(name, value)`` pairs.
        at: The clock time it is posted at (its ``recorded_at``).
        expected_id: The id the model expects the posted transaction to get.
    """

    kind: str
    method: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    at: dt.datetime
    expected_id: int

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"{self.method}({', '.join(parts)})  # at {self.at.isoformat()}"

    def apply(self, inv: Inventory) -> Transaction:
        """Set ``inv``'s :class:`~stockline.FixedClock` to :attr:`at` and make the call.

        Raises:
            TypeError: ``inv`` does not run on a ``FixedClock``.
        """
        if not isinstance(inv.clock, FixedClock):
            raise TypeError("generated operations replay on an Inventory with a FixedClock")
        inv.clock.set(self.at)
        target: Any = inv
        for name in self.method.split("."):
            target = getattr(target, name)
        method: Callable[..., Transaction] = target
        return method(*self.args, **dict(self.kwargs))


@attrs.frozen(kw_only=True)
class Scenario:
    """A set-up and a valid sequence of operations on it.

    Attributes:
        setup: The master data.
        operations: The operations, each valid after the ones before it.
    """

    setup: Setup
    operations: tuple[Operation, ...]

    def run(self, inv: Inventory) -> list[Transaction]:
        """Apply the set-up and every operation to ``inv`` (on a fresh store); return the
        posted transactions."""
        self.setup.apply(inv)
        return [op.apply(inv) for op in self.operations]


@attrs.define
class _Event:
    effective_at: dt.datetime
    id: int
    kind: str
    deltas: dict[Key, Decimal]
    serials: dict[SerialKey, Decimal]


def _position(key: Key) -> Callable[[_Event], Decimal]:
    return lambda e: e.deltas.get(key, Decimal(0))


def _serial(key: SerialKey) -> Callable[[_Event], Decimal]:
    return lambda e: e.serials.get(key, Decimal(0))


def _net(pairs: Iterable[tuple[Key, Decimal]]) -> dict[Key, Decimal]:
    net: defaultdict[Key, Decimal] = defaultdict(Decimal)
    for key, delta in pairs:
        net[key] += delta
    return {k: v for k, v in net.items() if v}


@attrs.define
class _Model:
    """What the ledger will hold: internal balances over time, lots, containers, serials."""

    setup: Setup
    now: dt.datetime
    next_id: int
    skus: list[str]
    internal: frozenset[str]
    events: list[_Event] = attrs.field(factory=list)
    balances: defaultdict[Key, Decimal] = attrs.field(factory=lambda: defaultdict(Decimal))
    serials: defaultdict[SerialKey, Decimal] = attrs.field(factory=lambda: defaultdict(Decimal))
    lots: dict[tuple[str, str], dt.date | None] = attrs.field(factory=dict)
    containers: dict[str, str | None] = attrs.field(factory=dict)
    reversed: set[int] = attrs.field(factory=set)
    serial_numbers: int = 0
    produced_lots: int = 0

    def item(self, sku: str) -> Item:
        return self.setup.item(sku)

    # -- the checks post() makes ------------------------------------------------------

    def _series(self, values: Callable[[_Event], Decimal], at: dt.datetime) -> list[Decimal]:
        """The running value at ``at`` and after every later event, as post() walks it."""
        running = sum((values(e) for e in self.events if e.effective_at <= at), Decimal(0))
        found = [running]
        for e in sorted(self.events, key=lambda e: (e.effective_at, e.id)):
            if e.effective_at > at:
                running += values(e)
                found.append(running)
        return found

    def fits(
        self, at: dt.datetime, deltas: Mapping[Key, Decimal], serials: Mapping[SerialKey, Decimal]
    ) -> bool:
        """Whether a posting effective at ``at`` keeps every position non-negative and every
        serial in one place at most, from ``at`` on."""
        for key, delta in deltas.items():
            if delta < 0 and min(self._series(_position(key), at)) + delta < 0:
                return False
        for skey, delta in serials.items():
            if delta > 0 and max(self._series(_serial(skey), at)) + delta > 1:
                return False
        return True

    def record(self, at: dt.datetime, kind: str, deltas: dict[Key, Decimal]) -> int:
        serials: defaultdict[SerialKey, Decimal] = defaultdict(Decimal)
        for key, delta in deltas.items():
            if key[2] is not None:
                serials[(key[0], key[2])] += delta
        event = _Event(
            effective_at=at,
            id=self.next_id,
            kind=kind,
            deltas=deltas,
            serials={k: v for k, v in serials.items() if v},
        )
        self.events.append(event)
        for key, delta in deltas.items():
            self.balances[key] += delta
        for skey, delta in event.serials.items():
            self.serials[skey] += delta
        self.next_id += 1
        return event.id

    # -- what can be drawn from --------------------------------------------------------

    def stock(self, *, loose: bool | None = True, status: str | None = None) -> list[Key]:
        return sorted(
            (
                k
                for k, q in self.balances.items()
                if q > 0
                and k[0] in self.skus
                and (loose is None or (k[5] is None) == loose)
                and (status is None or k[4] == status)
            ),
            key=lambda k: tuple(str(x) for x in k),
        )

    def filled_containers(self) -> list[str]:
        return sorted({k[5] for k in self.stock(loose=False) if k[5] is not None})


def _part(draw: st.DrawFn, total: Decimal, item: Item) -> Decimal:
    if item.tracking is Tracking.SERIAL:
        return Decimal(1)
    step = Decimal(1).scaleb(-item.decimals)
    units = int(total / step)
    return draw(st.integers(1, units)) * step


def _what(key: Key) -> list[tuple[str, Any]]:
    return [(n, v) for n, v in (("lot", key[1]), ("serial", key[2])) if v is not None]


def _qty(item: Item, qty: Decimal) -> Decimal | None:
    # Serial-tracked items move by serial; the quantity is left out.
    return None if item.tracking is Tracking.SERIAL else qty


class _Drawer:
    """Draws one valid operation of a kind, or ``None`` when the model has nothing for it."""

    def __init__(self, model: _Model, draw: st.DrawFn, back_dated: bool) -> None:
        self.m = model
        self.draw = draw
        self.back_dated = back_dated

    def when(self, deltas: dict[Key, Decimal]) -> dt.datetime | None:
        """A back-dated effective time that keeps every rule, or ``None`` for now."""
        if not self.back_dated:
            return None
        back = self.draw(st.sampled_from([0, 0, 0, 30, 200]))
        at = self.m.now - dt.timedelta(minutes=back)
        return at if back and self.m.fits(at, deltas, self._serials(deltas)) else None

    @staticmethod
    def _serials(deltas: Mapping[Key, Decimal]) -> dict[SerialKey, Decimal]:
        return {(k[0], k[2]): d for k, d in deltas.items() if k[2] is not None}

    def op(
        self,
        kind: str,
        method: str,
        args: Sequence[Any],
        kwargs: list[tuple[str, Any]],
        deltas: dict[Key, Decimal],
        *,
        effective: bool = True,
    ) -> Operation:
        at = self.when(deltas) if effective else None
        if at is not None:
            kwargs = [*kwargs, ("effective_at", at)]
        event_at = at or self.m.now
        op = Operation(
            kind=kind,
            method=method,
            args=tuple(args),
            kwargs=tuple(kwargs),
            at=self.m.now,
            expected_id=self.m.next_id,
        )
        self.m.record(event_at, kind, deltas)
        return op

    def pick(self, keys: list[Key]) -> Key | None:
        return self.draw(st.sampled_from(keys)) if keys else None

    # -- one method per kind -----------------------------------------------------------

    def receive(self) -> Operation | None:
        m, draw = self.m, self.draw
        item = m.item(draw(st.sampled_from(m.skus)))
        lot = serial = None
        expiry: dt.date | None = None
        if item.tracking is Tracking.LOT:
            known = sorted(code for (sku, code) in m.lots if sku == item.sku)
            lot = draw(st.sampled_from([*known, "L1", "L2", "L3"]))
            if (item.sku, lot) not in m.lots:
                expiry = draw(st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
                m.lots[(item.sku, lot)] = expiry
        elif item.tracking is Tracking.SERIAL:
            gone = sorted(s for (sku, s), n in m.serials.items() if sku == item.sku and n == 0)
            m.serial_numbers += 1
            serial = draw(st.sampled_from([*gone, f"SN{m.serial_numbers:04d}"]))
        qty = Decimal(1) if serial else draw(quantities(decimals=item.decimals, max_value=50))
        to = draw(st.sampled_from(m.setup.locations))
        status = draw(st.sampled_from([AVAILABLE, AVAILABLE, AVAILABLE, "quarantine"]))
        kwargs: list[tuple[str, Any]] = [("dst", to), ("lot", lot), ("serial", serial)]
        kwargs += [("expiry", expiry), ("status", status)]
        if lot is not None and m.lots.get((item.sku, lot)) is not None:
            # The generated expiries may lie before the clock: such a lot is received on
            # purpose, as receive() asks for.
            kwargs += [("allow_expired", True), ("reason", "expiry as generated")]
        kwargs.append(("supplier", draw(st.sampled_from(m.setup.suppliers))))
        key: Key = (item.sku, lot, serial, to, status, None)
        return self.op(
            "receive",
            "receive",
            [item.sku, _qty(item, qty)],
            [(k, v) for k, v in kwargs if v is not None],
            {key: qty},
        )

    def _take(
        self,
        kind: str,
        keys: list[Key],
        make: Callable[[Key, Decimal], tuple[Sequence[Any], list[tuple[str, Any]], Key | None]],
    ) -> Operation | None:
        key = self.pick(keys)
        if key is None:
            return None
        item = self.m.item(key[0])
        qty = _part(self.draw, self.m.balances[key], item)
        args, kwargs, dst = make(key, qty)
        deltas = _net([(key, -qty)] + ([(dst, qty)] if dst is not None else []))
        return self.op(kind, kind, args, kwargs, deltas)

    def move(self) -> Operation | None:
        def make(key: Key, qty: Decimal) -> tuple[Sequence[Any], list[tuple[str, Any]], Key | None]:
            others = [p for p in self.m.setup.locations if p != key[3]]
            dst = self.draw(st.sampled_from(others))
            kwargs = [("src", key[3]), ("dst", dst), *_what(key), ("status", key[4])]
            return [key[0], _qty(self.m.item(key[0]), qty)], kwargs, (*key[:3], dst, key[4], None)

        return self._take("move", self.m.stock() if len(self.m.setup.locations) > 1 else [], make)

    def ship(self) -> Operation | None:
        def make(key: Key, qty: Decimal) -> tuple[Sequence[Any], list[tuple[str, Any]], Key | None]:
            customer = self.draw(st.sampled_from(self.m.setup.customers))
            kwargs = [("src", key[3]), ("customer", customer), *_what(key)]
            return [key[0], _qty(self.m.item(key[0]), qty)], kwargs, None

        return self._take("ship", self.m.stock(status=AVAILABLE), make)

    def _status(self, kind: str, src: str, dst: str) -> Operation | None:
        def make(key: Key, qty: Decimal) -> tuple[Sequence[Any], list[tuple[str, Any]], Key | None]:
            reason = "quality check" if kind == "hold" else "checked"
            kwargs = [("location", key[3]), ("reason", reason), *_what(key)]
            return [key[0], _qty(self.m.item(key[0]), qty)], kwargs, (*key[:4], dst, None)

        return self._take(kind, self.m.stock(status=src), make)

    def hold(self) -> Operation | None:
        return self._status("hold", AVAILABLE, "hold")

    def release(self) -> Operation | None:
        return self._status("release", "hold", AVAILABLE)

    def scrap(self) -> Operation | None:
        def make(key: Key, qty: Decimal) -> tuple[Sequence[Any], list[tuple[str, Any]], Key | None]:
            kwargs = [("location", key[3]), ("reason", "damaged"), *_what(key), ("status", key[4])]
            return [key[0], _qty(self.m.item(key[0]), qty)], kwargs, None

        return self._take("scrap", self.m.stock(), make)

    def adjust(self) -> Operation | None:
        m, draw = self.m, self.draw
        gain = [
            s
            for s in m.skus
            if m.item(s).tracking is Tracking.NONE
            or (m.item(s).tracking is Tracking.LOT and any(k[0] == s for k in m.lots))
        ]
        if draw(st.booleans()) and gain:
            item = m.item(draw(st.sampled_from(gain)))
            lot = None
            if item.tracking is Tracking.LOT:
                lot = draw(st.sampled_from(sorted(c for (s, c) in m.lots if s == item.sku)))
            qty = draw(quantities(decimals=item.decimals, max_value=20))
            where = draw(st.sampled_from(m.setup.locations))
            kwargs = [("location", where), ("reason", "count"), ("lot", lot)]
            key: Key = (item.sku, lot, None, where, AVAILABLE, None)
            return self.op(
                "adjust",
                "adjust",
                [item.sku, qty],
                [(k, v) for k, v in kwargs if v is not None],
                {key: qty},
            )

        def make(key: Key, qty: Decimal) -> tuple[Sequence[Any], list[tuple[str, Any]], Key | None]:
            kwargs = [("location", key[3]), ("reason", "count"), *_what(key), ("status", key[4])]
            return [key[0], -qty], kwargs, None

        return self._take("adjust", m.stock(), make)

    def produce(self) -> Operation | None:
        m, draw = self.m, self.draw
        outputs = [s for s in m.skus if m.item(s).tracking is Tracking.LOT]
        stock = m.stock(status=AVAILABLE)
        if not outputs or not stock:
            return None
        used = draw(st.lists(st.sampled_from(stock), min_size=1, max_size=2, unique=True))
        components, deltas = [], []
        for key in used:
            qty = _part(draw, m.balances[key], m.item(key[0]))
            components.append(
                Component(sku=key[0], quantity=qty, location=key[3], lot=key[1], serial=key[2])
            )
            deltas.append((key, -qty))
        out = m.item(draw(st.sampled_from(outputs)))
        m.produced_lots += 1
        lot = f"P{m.produced_lots:03d}"
        m.lots[(out.sku, lot)] = None
        qty = draw(quantities(decimals=out.decimals, max_value=50))
        where = draw(st.sampled_from(m.setup.locations))
        output = Output(sku=out.sku, quantity=qty, location=where, lot=lot)
        deltas.append(((out.sku, lot, None, where, AVAILABLE, None), qty))
        return self.op(
            "produce",
            "produce",
            [],
            [("consume", tuple(components)), ("output", (output,))],
            _net(deltas),
        )

    def pack(self) -> Operation | None:
        m, draw = self.m, self.draw
        if not m.setup.containers:
            return None
        key = self.pick(m.stock())
        if key is None:
            return None
        filled = set(m.filled_containers())
        fits = [c for c in m.setup.containers if c not in filled or m.containers.get(c) == key[3]]
        if not fits:
            return None
        container = draw(st.sampled_from(fits))
        qty = _part(draw, m.balances[key], m.item(key[0]))
        m.containers[container] = key[3]
        kwargs = [("container", container), *_what(key), ("location", key[3]), ("status", key[4])]
        deltas = _net([(key, -qty), ((*key[:5], container), qty)])
        return self.op(
            "pack",
            "pack",
            [key[0], _qty(m.item(key[0]), qty)],
            kwargs,
            deltas,
            effective=False,
        )

    def unpack(self) -> Operation | None:
        key = self.pick(self.m.stock(loose=False))
        if key is None:
            return None
        item = self.m.item(key[0])
        qty = _part(self.draw, self.m.balances[key], item)
        kwargs = [("container", key[5]), *_what(key), ("status", key[4])]
        deltas = _net([(key, -qty), ((*key[:5], None), qty)])
        return self.op(
            "unpack", "unpack", [key[0], _qty(item, qty)], kwargs, deltas, effective=False
        )

    def move_container(self) -> Operation | None:
        m = self.m
        if len(m.setup.locations) < 2:
            return None
        filled = m.filled_containers()
        if not filled:
            return None
        container = self.draw(st.sampled_from(filled))
        here = m.containers[container]
        to = self.draw(st.sampled_from([p for p in m.setup.locations if p != here]))
        pairs: list[tuple[Key, Decimal]] = []
        for key in m.stock(loose=False):
            if key[5] == container:
                q = m.balances[key]
                pairs += [(key, -q), ((*key[:3], to, key[4], container), q)]
        m.containers[container] = to
        return self.op(
            "move_container", "containers.move", [container, to], [], _net(pairs), effective=False
        )

    def reverse(self) -> Operation | None:
        m = self.m
        fine = [
            e
            for e in m.events
            if e.kind in _REVERSIBLE
            and e.id not in m.reversed
            and m.fits(
                e.effective_at,
                {k: -d for k, d in e.deltas.items()},
                {k: -d for k, d in e.serials.items()},
            )
        ]
        if not fine:
            return None
        original = self.draw(st.sampled_from(fine))
        m.reversed.add(original.id)
        op = Operation(
            kind="reverse",
            method="reverse",
            args=(original.id,),
            kwargs=(("reason", "posted in error"),),
            at=m.now,
            expected_id=m.next_id,
        )
        m.record(original.effective_at, "reverse", {k: -d for k, d in original.deltas.items()})
        return op


def operations(
    setup: Setup = DEFAULT_SETUP,
    *,
    min_size: int = 0,
    max_size: int = 20,
    kinds: Collection[str] = OPERATION_KINDS,
    items: Collection[str] | None = None,
    back_dated: bool = False,
    start: dt.datetime = START,
    first_id: int = 1,
) -> st.SearchStrategy[list[Operation]]:
    """Sequences of operations that are each valid after the ones before them.

    The strategy keeps a model of stock over time (internal balances, serials, lots,
    containers), so every operation it draws is one stockline must accept: no
    withdrawal exceeds what is there at any time from its effective time on, no serial is
    in two places, reversals are of transactions whose effects can still be undone. Replay
    them with :meth:`Operation.apply` on an inventory set up with ``setup.apply(inv)`` on a
    fresh store whose clock is a :class:`~stockline.FixedClock`.

    Args:
        setup: The master data the operations run against.
        min_size: The fewest operations (fewer when nothing more can be drawn, e.g. no stock
            and no receipts allowed).
        max_size: The most operations.
        kinds: Which kinds to draw, from ``OPERATION_KINDS``.
        items: Only these SKUs (all of the set-up's by default).
        back_dated: Sometimes post with an earlier ``effective_at`` when that keeps every
            rule (reversals are always effective at the original's time).
        start: The clock time before the first operation.
        first_id: The id the first posted transaction gets (``1`` on a fresh store).

    Example:
        >>> import stockline as sl
        >>> ops = operations(max_size=10).example()
        >>> inv = sl.Inventory(clock=sl.FixedClock(START))
        >>> DEFAULT_SETUP.apply(inv)
        >>> [op.apply(inv).id for op in ops] == [op.expected_id for op in ops]
        True
    """
    unknown = set(kinds) - set(OPERATION_KINDS)
    if unknown:
        raise ValueError(f"unknown operation kinds {sorted(unknown)}; see OPERATION_KINDS")
    skus = sorted(i.sku for i in setup.items if items is None or i.sku in items)
    if not skus:
        raise ValueError("no item to operate on: check items=")

    @st.composite
    def build(draw: st.DrawFn) -> list[Operation]:
        model = _Model(
            setup=setup,
            now=start,
            next_id=first_id,
            skus=skus,
            internal=frozenset(setup.locations),
            lots={(lot.item, lot.code): lot.expiry for lot in setup.lots},
        )
        drawer = _Drawer(model, draw, back_dated)
        wanted = draw(st.integers(min_size, max_size))
        found: list[Operation] = []
        order = sorted(kinds, key=OPERATION_KINDS.index)
        for _ in range(wanted * 3):
            if len(found) >= wanted:
                break
            kind = draw(st.sampled_from(order))
            model.now = model.now + dt.timedelta(minutes=draw(st.integers(1, 120)))
            op: Operation | None = getattr(drawer, kind)()
            if op is not None:
                found.append(op)
        return found

    return build()


def scenarios(
    setup: st.SearchStrategy[Setup] | None = None, **options: Any
) -> st.SearchStrategy[Scenario]:
    """A set-up (from :func:`~stockline.testing.strategies.setups` by default) and a valid
    sequence of operations on it; ``options`` go to :func:`operations`.

    Example:
        >>> import stockline as sl
        >>> scenario = scenarios(max_size=8).example()
        >>> inv = sl.Inventory(clock=sl.FixedClock(START))
        >>> _ = scenario.run(inv)
        >>> inv.verify().ok
        True
    """
    return (setups() if setup is None else setup).flatmap(
        lambda s: operations(s, **options).map(lambda ops: Scenario(setup=s, operations=tuple(ops)))
    )
