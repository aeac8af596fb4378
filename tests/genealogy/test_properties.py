"""Properties of random production DAGs with random shipments, on the in-memory store and
SQLite: traces are inverse, recalls see every shipment, containment leaves nothing available
and the ledger stays conserved and verifiable."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stockline as sl
from stockline import Component, Node, Output
from stockline.adapters import InMemoryStockStore, SqlAlchemyStockStore, StockStore
from tests.conftest import START

SITE = "DC1/A"
RAW = 3
STORES: dict[str, Callable[[], StockStore]] = {
    "memory": InMemoryStockStore,
    "sqlite": lambda: SqlAlchemyStockStore.open("sqlite://"),
}

#: A step: ("make", parents (indexes into lots so far), quantity per parent) or
#: ("ship", lot index, quantity).
Step = tuple[str, tuple[int, ...], int]


@st.composite
def plans(draw: st.DrawFn) -> list[Step]:
    steps: list[Step] = []
    lots = RAW
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            parents = draw(st.sets(st.integers(0, lots - 1), min_size=1, max_size=3))
            steps.append(("make", tuple(sorted(parents)), draw(st.integers(1, 4))))
            lots += 1
        else:
            steps.append(("ship", (draw(st.integers(0, lots - 1)),), draw(st.integers(1, 4))))
    return steps


def run(store: StockStore, steps: list[Step]) -> tuple[sl.Inventory, list[str], dict[str, Decimal]]:
    """Post the plan, skipping steps whose stock is not there; return the inventory, the lot
    codes and what was shipped per lot."""
    clock = sl.FixedClock(START)
    inv = sl.Inventory(store=store, clock=clock)
    inv.add_item("X", tracking="lot")
    inv.add_location(SITE)
    lots = [f"R{i}" for i in range(RAW)]
    for lot in lots:
        inv.receive("X", 10, lot=lot, dst=SITE, supplier="S")
    shipped: defaultdict[str, Decimal] = defaultdict(Decimal)
    for kind, parents, qty in steps:
        clock.advance(minutes=10)
        available = {
            lot: inv.on_hand("X", lot=lot, location=SITE, status="available") for lot in lots
        }
        if kind == "make":
            usable = [lots[p] for p in parents if available[lots[p]] >= qty]
            lots.append(f"P{len(lots)}")
            if not usable:
                continue
            inv.produce(
                consume=[
                    Component(sku="X", quantity=qty, location=SITE, lot=lot) for lot in usable
                ],
                output=[
                    Output(sku="X", quantity=qty * len(usable) + 1, location=SITE, lot=lots[-1])
                ],
            )
        elif available[lots[parents[0]]] >= qty:
            inv.ship("X", qty, lot=lots[parents[0]], src=SITE, customer=f"C{qty % 2}")
            shipped[lots[parents[0]]] += qty
    return inv, [lot.code for lot in inv.master.lots("X")], dict(shipped)


def conserved(inv: sl.Inventory) -> bool:
    totals: defaultdict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for b in inv.stock(internal_only=False):
        totals[(b.item, b.lot, b.serial)] += b.quantity
    return all(total == 0 for total in totals.values())


@pytest.mark.parametrize("kind", sorted(STORES))
class TestGenealogyProperties:
    @given(steps=plans(), data=st.data())
    def test_downstream_and_upstream_are_inverse(
        self, kind: str, steps: list[Step], data: st.DataObject
    ) -> None:
        """For any two lots a and b: b is downstream of a exactly when a is upstream of b."""
        inv, lots, _ = run(STORES[kind](), steps)
        try:
            pairs = data.draw(
                st.lists(st.tuples(st.sampled_from(lots), st.sampled_from(lots)), max_size=6)
            )
            for a, b in pairs:
                down = inv.trace_downstream("X", a).nodes
                up = inv.trace_upstream("X", b).nodes
                assert (Node(item="X", lot=b) in down) == (Node(item="X", lot=a) in up)
        finally:
            inv.close()

    @given(steps=plans(), data=st.data())
    def test_recall_reports_every_shipment_and_containment_holds_everything(
        self, kind: str, steps: list[Step], data: st.DataObject
    ) -> None:
        """A recall's shipments per affected lot sum to what was shipped of that lot; after
        genealogy.contain no affected stock is available, stock is conserved and the ledger
        verifies."""
        inv, lots, shipped = run(STORES[kind](), steps)
        try:
            root = data.draw(st.sampled_from(lots))
            report = inv.recall(("X", root), reason="property")
            affected = {n.lot for n in report.affected}
            per_lot: defaultdict[str, Decimal] = defaultdict(Decimal)
            for s in report.shipments:
                per_lot[s.lot or ""] += s.quantity
            assert dict(per_lot) == {lot: q for lot, q in shipped.items() if lot in affected}
            assert sum((c.quantity for c in report.customers), Decimal(0)) == sum(per_lot.values())
            inv.genealogy.contain(report)
            for lot in affected:
                assert inv.on_hand("X", lot=lot, status="available") == 0
            assert conserved(inv)
            assert inv.verify().ok
            inv.genealogy.release(report, reason="cleared")
            assert conserved(inv)
            assert inv.on_hand("X", status="hold") == 0
        finally:
            inv.close()
