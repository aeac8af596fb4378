"""A pharma chain: serialized units of a lot in cases on an SSCC pallet, moved and shipped;
one serial traced end to end, and the container's own history."""

from __future__ import annotations

from decimal import Decimal

import stockline as sl
from stockline import Node
from stockline.ledger import ContainerEvent
from tests.genealogy._helpers import code, where

D = Decimal
CASE_A, CASE_B, PALLET = code(11), code(12), code(13)
SERIALS_A, SERIALS_B = ("S1", "S2", "S3"), ("S4", "S5", "S6")


def receive_and_pack(inv: sl.Inventory, *, pallet: bool = True) -> dict[str, sl.Transaction]:
    """Receive six serials of lot B-1 and pack them in two cases (on one pallet)."""
    inv.add_item("DRUG", tracking="serial")
    for path in ("PHARMA/DOCK", "PHARMA/SHIP"):
        inv.add_location(path)
    done = {
        "receipt": inv.receive(
            "DRUG",
            lot="B-1",
            serials=SERIALS_A + SERIALS_B,
            dst="PHARMA/DOCK",
            supplier="MAKER",
            ref="PO-7",
        )
    }
    for case, serials in ((CASE_A, SERIALS_A), (CASE_B, SERIALS_B)):
        inv.containers.create(case, kind="case")
        done[case] = inv.pack(
            "DRUG", container=case, lot="B-1", serials=serials, location="PHARMA/DOCK"
        )
    if pallet:
        inv.containers.create(PALLET)
        done["pallet"] = inv.containers.nest(CASE_A, container=PALLET)
        inv.containers.nest(CASE_B, container=PALLET)
    return done


class TestCase:
    def test_moving_a_case_moves_each_serial_in_it(self, inv: sl.Inventory) -> None:
        """containers.move posts one transfer with a line per serial inside, each staying in
        its case and status."""
        receive_and_pack(inv, pallet=False)
        tx = inv.containers.move(CASE_A, "PHARMA/SHIP", ref="TO-1")
        assert tx.kind is sl.TxKind.TRANSFER
        assert sorted((m.serial, m.lot, m.quantity, m.src, m.dst) for m in tx.movements) == [
            (
                s,
                "B-1",
                D(1),
                sl.Position(location="PHARMA/DOCK", container=CASE_A),
                sl.Position(location="PHARMA/SHIP", container=CASE_A),
            )
            for s in SERIALS_A
        ]
        assert inv.on_hand("DRUG", location="PHARMA/SHIP") == 3
        assert inv.on_hand("DRUG", container=CASE_B, location="PHARMA/DOCK") == 3

    def test_unpack_returns_stock_loose_where_the_case_is(self, inv: sl.Inventory) -> None:
        """unpack() with no item takes everything out of the case, loose, at the case's
        location; unpack of one serial takes only that one."""
        receive_and_pack(inv, pallet=False)
        inv.containers.move(CASE_A, "PHARMA/SHIP")
        one = inv.unpack("DRUG", container=CASE_B, lot="B-1", serial="S5")
        assert [(m.serial, m.src.container, m.dst.container) for m in one.movements] == [
            ("S5", CASE_B, None)
        ]
        rest = inv.unpack(container=CASE_A)
        assert sorted(m.serial or "" for m in rest.movements) == list(SERIALS_A)
        assert where(inv.stock("DRUG")) == {
            ("DRUG", "S1", "PHARMA/SHIP", "available", None): D(1),
            ("DRUG", "S2", "PHARMA/SHIP", "available", None): D(1),
            ("DRUG", "S3", "PHARMA/SHIP", "available", None): D(1),
            ("DRUG", "S4", "PHARMA/DOCK", "available", CASE_B): D(1),
            ("DRUG", "S5", "PHARMA/DOCK", "available", None): D(1),
            ("DRUG", "S6", "PHARMA/DOCK", "available", CASE_B): D(1),
        }
        assert inv.containers.contents(CASE_A) == []

    def test_serial_trace_of_a_shipped_case(self, inv: sl.Inventory) -> None:
        """Tracing one serial downstream finds its shipment alone (customer, case, documents);
        serial_path lists every transaction that moved it."""
        done = receive_and_pack(inv, pallet=False)
        moved = inv.containers.move(CASE_A, "PHARMA/SHIP")
        shipped = inv.containers.ship(CASE_A, customer="HOSP-1", ref="SO-9")
        found = inv.trace_downstream("DRUG", serial="S2")
        assert found.nodes == (Node(item="DRUG", serial="S2"),)
        assert [
            (s.transaction_id, s.customer, s.lot, s.serial, s.quantity, s.container)
            for s in found.shipments
        ] == [(shipped.id, "HOSP-1", "B-1", "S2", D(1), CASE_A)]
        assert found.shipments[0].refs == (sl.Reference(type="SO", number="SO-9"),)
        assert found.positions == ()
        assert [tx.id for tx in inv.genealogy.serial_path("DRUG", "S2")] == [
            done["receipt"].id,
            done[CASE_A].id,
            moved.id,
            shipped.id,
        ]


class TestPallet:
    def test_moving_the_pallet_moves_everything_at_any_depth(self, inv: sl.Inventory) -> None:
        """Moving a pallet moves both cases and every serial in them: one line per serial, each
        staying in its own case; the cases stay on the pallet."""
        receive_and_pack(inv)
        tx = inv.containers.move(PALLET, "PHARMA/SHIP")
        assert sorted((m.serial, m.src, m.dst) for m in tx.movements) == [
            (
                s,
                sl.Position(location="PHARMA/DOCK", container=case),
                sl.Position(location="PHARMA/SHIP", container=case),
            )
            for case, serials in ((CASE_A, SERIALS_A), (CASE_B, SERIALS_B))
            for s in serials
        ]
        assert sorted(tx.containers, key=lambda e: e.container) == [
            ContainerEvent(container=CASE_A, parent=PALLET, location="PHARMA/SHIP"),
            ContainerEvent(container=CASE_B, parent=PALLET, location="PHARMA/SHIP"),
            ContainerEvent(container=PALLET, parent=None, location="PHARMA/SHIP"),
        ]
        assert inv.on_hand("DRUG", location="PHARMA/SHIP") == 6
        assert sorted(b.serial or "" for b in inv.containers.contents(PALLET)) == list(
            SERIALS_A + SERIALS_B
        )

    def test_pallet_shipment_and_serial_path(self, inv: sl.Inventory) -> None:
        """A shipped pallet's serial is traced to the customer in its case; its path is
        receipt, case pack, pallet move, shipment (packing the case onto the pallet moves no
        stock, so it is not on the path)."""
        done = receive_and_pack(inv)
        moved = inv.containers.move(PALLET, "PHARMA/SHIP")
        shipped = inv.containers.ship(PALLET, customer="HOSP-1", ref="SO-9", refs={"BOL": "B7"})
        assert len(shipped.movements) == 6
        found = inv.trace_downstream("DRUG", serial="S5")
        assert [(s.customer, s.serial, s.container, s.transaction_id) for s in found.shipments] == [
            ("HOSP-1", "S5", CASE_B, shipped.id)
        ]
        assert [tx.id for tx in inv.genealogy.serial_path("DRUG", "S5")] == [
            done["receipt"].id,
            done[CASE_B].id,
            moved.id,
            shipped.id,
        ]
        assert inv.on_hand("DRUG") == 0

    def test_container_history_shows_pack_move_ship(self, inv: sl.Inventory) -> None:
        """containers.history lists every state of the pallet with its transaction: packed at
        the dock, moved to shipping, shipped to the customer's location."""
        done = receive_and_pack(inv)
        moved = inv.containers.move(PALLET, "PHARMA/SHIP")
        shipped = inv.containers.ship(PALLET, customer="HOSP-1")
        assert inv.containers.history(PALLET) == [
            (
                done["pallet"].id,
                ContainerEvent(container=PALLET, parent=None, location="PHARMA/DOCK"),
            ),
            (moved.id, ContainerEvent(container=PALLET, parent=None, location="PHARMA/SHIP")),
            (
                shipped.id,
                ContainerEvent(container=PALLET, parent=None, location="customers/HOSP-1"),
            ),
        ]
        assert [(tx_id, e.parent, e.location) for tx_id, e in inv.containers.history(CASE_A)] == [
            (done[CASE_A].id, None, "PHARMA/DOCK"),
            (done["pallet"].id, PALLET, "PHARMA/DOCK"),
            (moved.id, PALLET, "PHARMA/SHIP"),
            (shipped.id, PALLET, "customers/HOSP-1"),
        ]

    def test_unpack_a_case_from_the_pallet_then_its_serials(self, inv: sl.Inventory) -> None:
        """unpack(child=) takes a case off the pallet without moving stock; the case's serials
        are then unpacked loose."""
        receive_and_pack(inv)
        inv.containers.move(PALLET, "PHARMA/SHIP")
        off = inv.unpack(container=PALLET, child=CASE_B)
        assert off.movements == ()
        assert off.containers == (
            ContainerEvent(container=CASE_B, parent=None, location="PHARMA/SHIP"),
        )
        inv.unpack(container=CASE_B)
        assert sorted(b.serial or "" for b in inv.containers.contents(PALLET)) == list(SERIALS_A)
        assert sorted(
            b.serial or ""
            for b in inv.stock("DRUG", location="PHARMA/SHIP")
            if b.position.container is None
        ) == list(SERIALS_B)
