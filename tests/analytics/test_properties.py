"""The set-based SQL analytics equal the reference fold over the ledger, on random ledgers."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import stockline as sl
from stockline import analytics
from stockline.adapters import SqlAlchemyStockStore, StockStore
from stockline.adapters.sqlalchemy._analytics import SqlAnalytics
from stockline.analytics import LedgerFold, Window
from stockline.errors import StocklineError
from stockline.ledger import Movement, NewTransaction, Position, TxKind
from tests import _postgres
from tests.conftest import START

NOW = START + dt.timedelta(days=40)
LOCATIONS = ("DC1/DOCK", "DC1/A/01", "DC1/A/02", "DC2/DOCK")
# Mostly available, so that most random postings find stock to take.
STATUSES = ("available", "available", "available", "quarantine", "hold", "damaged")
Op = tuple[Any, ...]

items = st.sampled_from(["U", "K", "L", "S"])
places = st.sampled_from(LOCATIONS)
#: Minutes from the posting before: mostly forward, sometimes back-dated.
gaps = st.integers(min_value=-24 * 60, max_value=3 * 24 * 60)
lots = st.sampled_from(["A", "B", "C"])
serials = st.sampled_from(["s1", "s2"])
reasons = st.sampled_from(["damaged", "spec", None])


def _quantity(item: str, draw: st.DrawFn, most: int) -> Decimal:
    if item == "K":
        return Decimal(draw(st.integers(1, most * 1000))) / 1000
    if item == "S":
        return Decimal(1)
    return Decimal(draw(st.integers(1, most)))


@st.composite
def operations(draw: st.DrawFn) -> Op:
    """One random posting (or a reservation), which may well be refused."""
    kind = draw(
        st.sampled_from(
            ["receive", "receive", "receive", "move", "ship", "ship", "ship", "status", "scrap",
             "adjust", "return", "reverse", "allocate"]
        )
    )  # fmt: skip
    item = draw(items)
    lot = draw(lots) if item in ("L", "S") else None
    serial = draw(serials) if item == "S" else None
    return (
        kind,
        item,
        _quantity(item, draw, 12 if kind == "receive" else 4),
        lot,
        serial,
        draw(places),
        draw(places),
        draw(st.sampled_from(STATUSES)),
        draw(st.sampled_from(STATUSES)),
        draw(st.sampled_from(["S1", "S2", None])),
        draw(reasons),
        draw(gaps),
        draw(st.integers(1, 40)),
    )


def _apply(inv: sl.Inventory, op: Op, at: dt.datetime, expiries: dict[str, dt.date]) -> None:
    kind, item, qty, lot, serial, src, dst, status, to_status, party, reason, _, n = op
    if kind == "receive":
        inv.receive(
            item, None if serial else qty, dst=dst, status=status, supplier=party, lot=lot,
            serial=serial, expiry=expiries.get(lot or ""), effective_at=at,
        )  # fmt: skip
        return
    if kind == "reverse":
        posted = inv.changes(after=0, limit=1000)
        if posted:
            inv.reverse(posted[n % len(posted)].id, reason="mistake")
        return
    # Everything else takes from stock that is there, so that most postings go through.
    stock = [b for b in inv.stock() if kind != "ship" or b.position.status == "available"]
    if not stock:
        return
    b = stock[n % len(stock)]
    item, lot, serial, src, status = b.item, b.lot, b.serial, b.position.location, b.position.status
    qty = min(qty, b.quantity)
    q: Any = None if serial else qty
    one = {"lot": lot, "serial": serial, "effective_at": at}
    if kind == "move":
        inv.move(item, q, src=src, dst=dst, status=status, dst_status=to_status, **one)
    elif kind == "ship":
        inv.ship(item, q, src=src, customer="C1" if party else "C2", **one)
    elif kind == "status":
        inv.change_status(
            item, q, location=src, status=status, dst_status=to_status, reason=reason or "x",
            **one,
        )  # fmt: skip
    elif kind == "scrap":
        inv.scrap(item, q, location=src, status=status, reason=reason or "x", **one)
    elif kind == "adjust":
        inv.adjust(item, qty if n % 2 else -qty, location=src, status=status, reason="count", **one)
    elif kind == "return":
        # Goods back to the supplier: no verb sends them there, so a hand-built posting.
        back = Position(location=f"suppliers/{party or 'S1'}")
        line = Movement(item=item, quantity=qty, src=b.position, dst=back, lot=lot, serial=serial)
        inv.post(NewTransaction(kind=TxKind.SHIPMENT, movements=(line,), effective_at=at))
    elif status == "available":
        inv.allocate(item, qty, order=f"SO-{n}", lot=lot)


def _build(store: StockStore, ops: list[Op]) -> sl.Inventory:
    inv = sl.Inventory(store=store, clock=sl.FixedClock(NOW))
    inv.add_item("U")
    inv.add_item("K", unit="KGM")
    inv.add_item("L", tracking="lot")
    inv.add_item("S", tracking="serial")
    for path in LOCATIONS:
        inv.add_location(path)
    for party in ("S1", "S2"):
        inv.add_party(party, kind="supplier")
    expiries: dict[str, dt.date] = {
        "A": NOW.date() - dt.timedelta(days=3),
        "B": NOW.date() + dt.timedelta(days=9),
    }
    at = START
    for op in ops:
        at = min(at + dt.timedelta(minutes=op[11]), NOW)
        # A refused posting leaves the ledger as it was; go on with the next.
        with contextlib.suppress(StocklineError):
            _apply(inv, op, at, expiries)
    return inv


def _check(inv: sl.Inventory) -> None:
    """Every source method, with a few argument choices, gives the same on both sources."""
    mid = START + dt.timedelta(days=10)
    windows = [Window(), Window(since=mid), Window(since=START, until=mid)]
    calls: list[tuple[str, dict[str, Any]]] = []
    for item in (None, "K"):
        calls += [("dwell", {"item": item, "window": w}) for w in windows]
        calls += [
            ("flow", {"item": item, "location": location, "since": since, "until": until})
            for location in (None, "DC1/A")
            for since, until in ((START, mid), (mid, NOW))
        ]
        calls += [("layers", {"item": item}), ("expiry_stock", {"item": item})]
        calls += [
            (
                "expiring",
                {
                    "before": NOW.date() + dt.timedelta(days=10),
                    "today": NOW.date(),
                    "item": item,
                    "location": location,
                },
            )
            for location in (None, "DC1/A")
        ]
    for w in windows:
        calls += [
            ("nonconformity", {"blocking": frozenset({"hold", "damaged"}), "window": w}),
            ("receipts", {"window": w}),
        ]
        calls += [
            ("activity", {"window": w, "kinds": kinds})
            for kinds in (None, frozenset({TxKind.TRANSFER, TxKind.SHIPMENT}))
        ]
    with inv.store.read() as r:
        fold, sql = LedgerFold(r), SqlAnalytics(r)  # type: ignore[arg-type]
        for name, kwargs in calls:
            expected = sorted(map(repr, getattr(fold, name)(**kwargs)))
            assert sorted(map(repr, getattr(sql, name)(**kwargs))) == expected, (name, kwargs)
        # and the reports built on them
        assert analytics.dwell_times(fold, by="lot") == analytics.dwell_times(sql, by="lot")
        assert analytics.turnover(fold, since=START, until=NOW) == analytics.turnover(
            sql, since=START, until=NOW
        )
        assert analytics.aging(fold, basis="receipt", at=NOW.date()) == analytics.aging(
            sql, basis="receipt", at=NOW.date()
        )


ledgers = st.lists(operations(), min_size=1, max_size=30)


class TestSqlEqualsFold:
    @given(ops=ledgers)
    def test_sqlite(self, ops: list[Op]) -> None:
        """On SQLite, every analytics query in SQL equals the fold over the same ledger."""
        store = SqlAlchemyStockStore.open("sqlite://")
        try:
            _check(_build(store, ops))
        finally:
            store.close()

    @_postgres.requires_postgres
    @settings(max_examples=10)
    @given(ops=ledgers)
    def test_postgres(self, postgres_server: _postgres.PostgresServer, ops: list[Op]) -> None:
        """On PostgreSQL too (its sums are numeric and its division differs; same results)."""
        url = postgres_server.fresh_database()
        try:
            store = SqlAlchemyStockStore.open(url, migrate=False)
            try:
                _check(_build(store, ops))
            finally:
                store.close()
        finally:
            postgres_server.drop(url)


class TestFoldOnEveryStore:
    def test_memory_and_sql_folds_agree(self) -> None:
        """The fold reads only the store protocol: on the in-memory store it gives what it
        gives on SQL for the same postings."""
        ops: list[Op] = [
            ("receive", "L", Decimal(5), "A", None, "", "DC1/A/01", "available", "", "S1",
             None, 0, 1),
            ("ship", "L", Decimal(2), "A", None, "DC1/A/01", "", "available", "", "C1",
             None, 2 * 24 * 60, 0),
        ]  # fmt: skip
        memory = _build(sl.InMemoryStockStore(), ops)
        store = SqlAlchemyStockStore.open("sqlite://")
        try:
            sql = _build(store, ops)
            with memory.store.read() as a, sql.store.read() as b:
                expected = [
                    analytics.DwellSum(
                        item="L",
                        lot="A",
                        quantity=Decimal(2),
                        quantity_seconds=Decimal(2 * 2 * 86_400),
                        shortest=2 * 86_400,
                        longest=2 * 86_400,
                    )
                ]
                assert LedgerFold(a).dwell(item=None, window=Window()) == expected
                assert LedgerFold(b).dwell(item=None, window=Window()) == expected
                assert SqlAnalytics(b).dwell(item=None, window=Window()) == expected  # type: ignore[arg-type]
        finally:
            store.close()
