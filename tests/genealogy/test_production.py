"""Production: which links it makes, co-products, rework, partial consumption, and what it
refuses (cycles, missing stock) without changing anything."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import stockline as sl
from stockline import Component, Node, Output, errors
from stockline.ledger import EdgeKind
from tests.genealogy._helpers import refused, where

D = Decimal


@pytest.fixture
def plant(inv: sl.Inventory) -> sl.Inventory:
    """Lot-tracked raw materials R1/R2 and products MIX/SIDE, with R1 lot A and R2 lot B in
    stock at DC1/A/01."""
    for sku in ("R1", "R2", "MIX", "SIDE"):
        inv.add_item(sku, tracking="lot", shelf_life_days=30)
    inv.receive("R1", 10, lot="A", dst="DC1/A/01", supplier="S1", ref="PO-A")
    inv.receive("R2", 10, lot="B", dst="DC1/A/01", supplier="S2", ref="PO-B")
    return inv


def component(sku: str, lot: str, quantity: int) -> Component:
    return Component(sku=sku, quantity=quantity, location="DC1/A/01", lot=lot)


def output(sku: str, lot: str, quantity: int) -> Output:
    return Output(sku=sku, quantity=quantity, location="DC1/B/01", lot=lot)


def links(tx: sl.Transaction) -> set[tuple[str | None, str | None, Decimal]]:
    return {(e.parent_lot, e.child_lot, e.quantity) for e in tx.edges}


class TestProduce:
    def test_every_component_links_to_every_output_by_default(self, plant: sl.Inventory) -> None:
        """Without links=, each consumed lot is linked to each output (main and co-product),
        the link carrying the quantity consumed."""
        tx = plant.produce(
            consume=[component("R1", "A", 4), component("R2", "B", 2)],
            output=[output("MIX", "M1", 5), output("SIDE", "X1", 1)],
            ref="WO-1",
        )
        assert tx.kind is sl.TxKind.PRODUCTION
        assert links(tx) == {
            ("A", "M1", D(4)),
            ("A", "X1", D(4)),
            ("B", "M1", D(2)),
            ("B", "X1", D(2)),
        }
        assert {e.kind for e in tx.edges} == {EdgeKind.TRANSFORMATION}
        assert plant.trace_downstream("R2", "B").nodes == (
            Node(item="MIX", lot="M1"),
            Node(item="R2", lot="B"),
            Node(item="SIDE", lot="X1"),
        )

    def test_explicit_links_are_the_only_links(self, plant: sl.Inventory) -> None:
        """With links=[(i, j)] only those component → output pairs are linked, so a trace
        does not reach an output the component did not go into."""
        tx = plant.produce(
            consume=[component("R1", "A", 4), component("R2", "B", 2)],
            output=[output("MIX", "M1", 5), output("SIDE", "X1", 1)],
            links=[(0, 0), (1, 1)],
        )
        assert links(tx) == {("A", "M1", D(4)), ("B", "X1", D(2))}
        assert plant.trace_downstream("R1", "A").nodes == (
            Node(item="MIX", lot="M1"),
            Node(item="R1", lot="A"),
        )
        assert plant.trace_upstream("SIDE", "X1").nodes == (
            Node(item="R2", lot="B"),
            Node(item="SIDE", lot="X1"),
        )

    def test_a_link_to_a_missing_index_is_refused(self, plant: sl.Inventory) -> None:
        """A link naming a component or output that is not there is refused before posting."""
        refused(
            plant,
            errors.ValidationError,
            lambda: plant.produce(
                consume=[component("R1", "A", 1)], output=[output("MIX", "M1", 1)], links=[(0, 1)]
            ),
        )

    def test_outputs_get_lots_with_expiry_and_stock_moves_through_production(
        self, plant: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Components go to the production location and outputs come from it; a new output
        lot expires after the item's shelf life from the production date."""
        tx = plant.produce(
            consume=[component("R1", "A", 4)], output=[output("MIX", "M1", 5)], line="L1"
        )
        assert {(m.item, m.src.location, m.dst.location) for m in tx.movements} == {
            ("R1", "DC1/A/01", "production/L1"),
            ("MIX", "production/L1", "DC1/B/01"),
        }
        assert plant.master.lot("MIX", "M1").expiry == clock.now().date() + dt.timedelta(days=30)
        assert where(plant.stock("MIX")) == {("MIX", "M1", "DC1/B/01", "available", None): D(5)}

    def test_partial_consumption_leaves_the_rest_traceable_on_hand(
        self, plant: sl.Inventory
    ) -> None:
        """Consuming part of a lot links that part; the rest stays on hand and a downstream
        trace reports it with the output."""
        plant.produce(consume=[component("R1", "A", 3)], output=[output("MIX", "M1", 3)])
        down = plant.trace_downstream("R1", "A")
        assert [link.edge.quantity for link in down.links] == [D(3)]
        assert where(down.positions) == {
            ("MIX", "M1", "DC1/B/01", "available", None): D(3),
            ("R1", "A", "DC1/A/01", "available", None): D(7),
        }

    def test_rework_consumes_an_earlier_output(self, plant: sl.Inventory) -> None:
        """An output consumed by a later production (rework) chains the genealogy: the raw
        lot reaches the reworked lot, and the reworked lot traces back to both raw lots."""
        plant.produce(consume=[component("R1", "A", 4)], output=[output("MIX", "M1", 4)])
        plant.move("MIX", 4, lot="M1", src="DC1/B/01", dst="DC1/A/01")
        plant.produce(
            consume=[component("MIX", "M1", 2), component("R2", "B", 1)],
            output=[output("MIX", "M2", 3)],
        )
        assert Node(item="MIX", lot="M2") in plant.trace_downstream("R1", "A").nodes
        up = plant.trace_upstream("MIX", "M2")
        assert up.nodes == (
            Node(item="MIX", lot="M1"),
            Node(item="MIX", lot="M2"),
            Node(item="R1", lot="A"),
            Node(item="R2", lot="B"),
        )
        assert sorted((r.lot, r.quantity) for r in up.receipts) == [("A", D(10)), ("B", D(10))]
        assert plant.on_hand("MIX", lot="M1") == 2

    def test_a_lot_consumed_from_two_bins_keeps_both_links(self, plant: sl.Inventory) -> None:
        """Consuming one lot from two locations in one production makes two links, and a trace
        reports both with their quantities."""
        plant.receive("R1", 5, lot="A", dst="DC1/A/02", supplier="S1")
        tx = plant.produce(
            consume=[
                component("R1", "A", 4),
                Component(sku="R1", quantity=3, location="DC1/A/02", lot="A"),
            ],
            output=[output("MIX", "M1", 7)],
        )
        assert sorted(e.quantity for e in tx.edges) == [D(3), D(4)]
        for found in (plant.trace_upstream("MIX", "M1"), plant.trace_downstream("R1", "A")):
            assert sorted(link.edge.quantity for link in found.links) == [D(3), D(4)]

    def test_a_cycle_is_refused(self, plant: sl.Inventory) -> None:
        """Making lot A from lot M after M was made from A would make A its own ancestor:
        GenealogyError, and nothing changes."""
        plant.produce(consume=[component("R1", "A", 4)], output=[output("MIX", "M1", 4)])
        plant.move("MIX", 4, lot="M1", src="DC1/B/01", dst="DC1/A/01")
        refused(
            plant,
            errors.GenealogyError,
            lambda: plant.produce(
                consume=[component("MIX", "M1", 1)], output=[output("R1", "A", 1)]
            ),
        )

    def test_a_longer_cycle_is_refused(self, plant: sl.Inventory) -> None:
        """A cycle through a relabel and a production is refused too."""
        plant.produce(consume=[component("R1", "A", 4)], output=[output("MIX", "M1", 4)])
        plant.genealogy.relabel("MIX", 4, lot="M1", new_lot="M1R", location="DC1/B/01")
        plant.move("MIX", 4, lot="M1R", src="DC1/B/01", dst="DC1/A/01")
        refused(
            plant,
            errors.GenealogyError,
            lambda: plant.produce(
                consume=[component("MIX", "M1R", 1)], output=[output("R1", "A", 1)]
            ),
        )

    def test_producing_a_lot_from_itself_is_refused(self, plant: sl.Inventory) -> None:
        """A lot consumed to make more of the same lot is its own parent: refused."""
        refused(
            plant,
            errors.GenealogyError,
            lambda: plant.produce(consume=[component("R1", "A", 1)], output=[output("R1", "A", 1)]),
        )

    def test_missing_stock_is_refused_and_no_lot_is_created(self, plant: sl.Inventory) -> None:
        """Consuming more than is there raises InsufficientStockError; the output lot it
        would have created is not created."""
        refused(
            plant,
            errors.InsufficientStockError,
            lambda: plant.produce(
                consume=[component("R1", "A", 11)], output=[output("MIX", "NEW", 1)]
            ),
        )
        with pytest.raises(errors.UnknownLotError):
            plant.master.lot("MIX", "NEW")

    def test_nothing_in_or_nothing_out_is_refused(self, plant: sl.Inventory) -> None:
        """A production consumes something and makes something."""
        refused(
            plant,
            errors.ValidationError,
            lambda: plant.produce(consume=[], output=[output("MIX", "M", 1)]),
        )
        refused(
            plant,
            errors.ValidationError,
            lambda: plant.produce(consume=[component("R1", "A", 1)], output=[]),
        )
