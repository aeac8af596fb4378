"""The conformance suite, part two: what a store answers (projection, change feed, as-of,
master data, containers, genealogy), each compared with the in-memory reference."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from stockline import Inventory
from stockline.ledger import FixedClock, LocationKind, MasterChange, NodeKey, StockStore
from stockline.testing._base import ContractBase
from stockline.testing._histories import (
    CASE,
    PALLET,
    build,
    contents,
    genealogy_history,
    mixed_history,
    on_reference,
)

__all__ = [
    "AsOfContract",
    "ChangeFeedContract",
    "ContainerContract",
    "GenealogyContract",
    "MasterDataContract",
    "ProjectionContract",
]

_QUERIES: list[dict[str, Any]] = [
    {},
    {"sku": "BOLT"},
    {"sku": "ASP", "lot": "L1"},
    {"sku": "PUMP", "serial": "S2"},
    {"location": "DC1"},
    {"location": "DC1/A"},
    {"status": "hold"},
    {"container": PALLET},
    {"sku": "FLOUR", "location": "DC1/A/02"},
]


class ProjectionContract(ContractBase):
    def test_projection_equals_replay(self, contract_inv: Inventory) -> None:
        """Projection == replay: after every kind of posting ``check()`` finds the stored
        balances equal to a fold of the ledger."""
        build(mixed_history, contract_inv)
        report = contract_inv.check()
        assert report.ok, report.problems

    def test_projection_rebuild_changes_nothing(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Projection == replay: ``rebuild()`` leaves every balance and answer as it was."""
        build(mixed_history, contract_inv)
        before = [contract_inv.stock(**q, internal_only=False) for q in _QUERIES]
        contract_inv.rebuild()
        assert [contract_inv.stock(**q, internal_only=False) for q in _QUERIES] == before
        assert contract_inv.check().ok

    def test_projection_balances_equal_reference(self, contract_inv: Inventory) -> None:
        """Balances: every filtered balance and on-hand total equals the reference's."""
        build(mixed_history, contract_inv)
        ref, _ = on_reference(mixed_history)
        for query in _QUERIES:
            for internal_only in (True, False):
                got = contract_inv.stock(**query, internal_only=internal_only)
                assert got == ref.stock(**query, internal_only=internal_only), query
            assert contract_inv.on_hand(**query) == ref.on_hand(**query), query

    def test_projection_conserves_stock(self, contract_inv: Inventory) -> None:
        """Conservation: for every item, lot and serial the balances over all positions
        sum to zero."""
        build(mixed_history, contract_inv)
        totals: defaultdict[tuple[str, str | None, str | None], Decimal] = defaultdict(Decimal)
        for b in contract_inv.stock(internal_only=False):
            totals[(b.item, b.lot, b.serial)] += b.quantity
        assert totals
        assert all(total == 0 for total in totals.values()), totals
        assert all(b.quantity > 0 for b in contract_inv.stock())


class ChangeFeedContract(ContractBase):
    def test_change_feed_pages(self, contract_inv: Inventory) -> None:
        """Change feed: ``changes(after=, limit=)`` pages through the feed without skipping
        or repeating; after the head it is empty."""
        build(mixed_history, contract_inv)
        everything = contract_inv.changes(limit=10_000)
        for size in (1, 3, 7):
            pages, after = [], 0
            while page := contract_inv.changes(after=after, limit=size):
                assert len(page) <= size
                pages += page
                after = page[-1].id
            assert pages == everything
        head = everything[-1].id
        assert contract_inv.changes(after=head) == []
        assert contract_inv.changes(after=head + 5) == []
        assert contract_inv.changes(after=head - 2, limit=100) == everything[-2:]


class AsOfContract(ContractBase):
    def test_as_of_effective_time(self, contract_inv: Inventory) -> None:
        """As-of: balances at each past effective time equal the reference's, with the
        back-dated receipt and the reversal counted from their effective times."""
        build(mixed_history, contract_inv)
        ref, _ = on_reference(mixed_history)
        times = sorted({t.effective_at for t in ref.changes()})
        for at in [times[0] - dt.timedelta(seconds=1), *times]:
            got = contract_inv.stock(as_of=at, internal_only=False)
            assert got == ref.stock(as_of=at, internal_only=False), at
            assert contract_inv.on_hand("BOLT", as_of=at) == ref.on_hand("BOLT", as_of=at)

    def test_as_of_known_at(self, contract_inv: Inventory, contract_clock: FixedClock) -> None:
        """As-of with known_at: only transactions recorded by then count ("what did we
        believe then about that time")."""
        if not self.supports_known_at:
            pytest.skip(f"{type(self).__name__} does not claim supports_known_at")
        contract_clock.advance(hours=1)
        contract_inv.receive("BOLT", 10, dst="DC1/DOCK", supplier="ACME")
        early = contract_clock.now()
        contract_clock.advance(hours=3)
        contract_inv.receive("BOLT", 4, dst="DC1/DOCK", effective_at=early, supplier="ACME")
        assert contract_inv.on_hand("BOLT", as_of=early) == 14
        assert contract_inv.on_hand("BOLT", as_of=early, known_at=early) == 10
        later = contract_clock.now()
        assert contract_inv.on_hand("BOLT", as_of=early, known_at=later) == 14


class MasterDataContract(ContractBase):
    def test_master_data_round_trip(self, contract_inv: Inventory, store: StockStore) -> None:
        """Master data: every record reads back exactly as added."""
        item = contract_inv.add_item(
            "SYRUP",
            gtin="4006381333931",
            description="Maple syrup, 1 l",
            unit="LTR",
            tracking="lot",
            shelf_life_days=400,
            packs=[("CASE-12", 12)],
            actor="ann",
        )
        where = contract_inv.add_location(
            "DC3/COLD/01",
            description="Cold room",
            gln="4012345000009",
            pick_sequence=7,
            address="1 Quay St, Portland, ME 04101, US",
            phone="+1 207 555 0100",
            ffrn="12345678901",
        )
        lot = contract_inv.add_lot(
            "SYRUP",
            "2026-03 #7",
            expiry=dt.date(2027, 4, 1),
            produced_on=dt.date(2026, 3, 1),
            tlc_source_reference="urn:epc:id:sgln:4012345.00001.0",
        )
        party = contract_inv.add_party(
            "MAPLE",
            kind="supplier",
            name="Maple Co",
            gln="4012345000016",
            address="Rue 1, Québec, QC, CA",
            phone="+1 418 555 0199",
        )
        status = contract_inv.add_status("inspection", allocatable=False, description="QA")
        container = contract_inv.add_container("TOTE-1", kind="tote")
        assert contract_inv.master.item("SYRUP") == item
        assert contract_inv.master.item_by_gtin("4006381333931") == item
        assert contract_inv.master.lot("SYRUP", "2026-03 #7") == lot
        assert where in contract_inv.master.locations()
        assert party in contract_inv.master.parties()
        with store.read() as r:
            assert r.status("inspection") == status
            assert r.container("TOTE-1") == container
            parent = r.location("DC3/COLD")
            assert parent is not None, "missing parents are added"
            assert parent.kind is LocationKind.INTERNAL
        skus = [i.sku for i in contract_inv.master.items()]
        assert skus == ["ASP", "BOLT", "FLOUR", "PUMP", "SYRUP"], "items are ordered by SKU"

    def test_master_data_changes_are_logged(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Master data: updates replace the record and every change is logged, in order,
        with actor and time; the old GTIN no longer finds the item."""
        contract_clock.advance(minutes=3)
        seen = len(contract_inv.master.changes())
        contract_inv.add_item("SOAP", gtin="4006381333931", actor="ann")
        contract_clock.advance(minutes=3)
        updated = contract_inv.master.update_item("SOAP", gtin="5901234123457", actor="bob")
        assert contract_inv.master.item("SOAP") == updated
        assert contract_inv.master.item_by_gtin("5901234123457") == updated
        with contract_inv.store.read() as r:
            assert r.item_by_gtin("04006381333931") is None
        changes = contract_inv.master.changes(after=seen)
        assert [(c.entity, c.key, c.actor) for c in changes] == [
            ("item", "SOAP", "ann"),
            ("item", "SOAP", "bob"),
        ]
        assert [c.seq for c in changes] == [seen + 1, seen + 2]
        assert changes[1].at == contract_clock.now()
        ref, _ = on_reference(lambda inv, clock: {})
        assert [_change(c) for c in contract_inv.master.changes()[:seen]] == [
            _change(c) for c in ref.master.changes()
        ]


def _change(c: MasterChange) -> tuple[Any, ...]:
    # The fields as a mapping: their order is not part of the record's meaning.
    return c.seq, c.entity, c.key, c.actor, c.at, dict(c.fields)


class ContainerContract(ContractBase):
    def test_containers_state_and_history(self, contract_inv: Inventory, store: StockStore) -> None:
        """Containers: state, history, children and contents follow pack, nest, move and
        unpack exactly as in the reference."""

        def nest(inv: Inventory, clock: FixedClock) -> dict[str, Any]:
            clock.advance(minutes=1)
            inv.receive("BOLT", 50, dst="DC1/DOCK", supplier="ACME")
            inv.receive("ASP", 20, lot="L1", dst="DC1/DOCK", supplier="ACME")
            inv.pack("BOLT", 10, container=CASE, location="DC1/DOCK")
            inv.pack("ASP", 5, container=PALLET, lot="L1", location="DC1/DOCK")
            inv.containers.nest(CASE, container=PALLET)
            clock.advance(minutes=1)
            inv.containers.move(PALLET, "DC2/DOCK")
            inv.unpack(container=PALLET, child=CASE)
            inv.unpack("BOLT", 4, container=CASE)
            return {}

        build(nest, contract_inv)
        ref, _ = on_reference(nest)
        with store.read() as r, ref.store.read() as expected:
            for code in (PALLET, CASE):
                assert r.container_state(code) == expected.container_state(code)
                assert r.container_history(code) == expected.container_history(code)
                assert r.container_children(code) == expected.container_children(code)
        for code in (PALLET, CASE):
            assert contract_inv.containers.contents(code) == ref.containers.contents(code)
            assert contract_inv.history(container=code) == ref.history(container=code)
        assert contents(contract_inv) == contents(ref)

    def test_containers_reversal_restores_state(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Containers: reversing a container move puts the container back where it was."""
        contract_inv.receive("BOLT", 5, dst="DC1/DOCK", supplier="ACME")
        contract_inv.pack("BOLT", 5, container=PALLET, location="DC1/DOCK")
        with store.read() as r:
            before = r.container_state(PALLET)
        moved = contract_inv.containers.move(PALLET, "DC2/DOCK")
        contract_inv.reverse(moved.id, reason="never left")
        with store.read() as r:
            assert r.container_state(PALLET) == before
        assert contract_inv.on_hand("BOLT", container=PALLET, location="DC1/DOCK") == 5


_NODES: list[NodeKey] = [
    ("ASP", "L1", None),
    ("ASP", "L2", None),
    ("ASP", None, None),
    ("TAB", "T1", None),
    ("TAB", "T1R", None),
    ("BOX", None, "B1"),
    ("BOX", None, None),
]


class GenealogyContract(ContractBase):
    def test_genealogy_traces_equal_reference(self, contract_inv: Inventory) -> None:
        """Genealogy: downstream and upstream traces and recall reports equal the
        reference's, now and as of a past time."""
        build(genealogy_history, contract_inv)
        ref, posted = on_reference(genealogy_history)
        then = posted["relabel"].effective_at
        for item, lot in (("ASP", "L1"), ("ASP", "L2"), ("TAB", "T1"), ("TAB", "T1R")):
            for as_of in (None, then):
                got = contract_inv.trace_downstream(item, lot, as_of=as_of).to_dict()
                assert got == ref.trace_downstream(item, lot, as_of=as_of).to_dict()
                got = contract_inv.trace_upstream(item, lot, as_of=as_of).to_dict()
                assert got == ref.trace_upstream(item, lot, as_of=as_of).to_dict()
        assert (
            contract_inv.trace_upstream("BOX", serial="B1").to_dict()
            == ref.trace_upstream("BOX", serial="B1").to_dict()
        )
        report = contract_inv.recall(("ASP", "L1"), reason="contaminated")
        assert report.to_dict() == ref.recall(("ASP", "L1"), reason="contaminated").to_dict()

    def test_genealogy_store_queries_equal_reference(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Genealogy: the store's ``edges``, ``movements_of`` and ``balances_of`` give the
        reference's answers for lot, serial and whole-item nodes, now and in the past."""
        build(genealogy_history, contract_inv)
        ref, posted = on_reference(genealogy_history)
        then = posted["pack"].effective_at
        customer, supplier = [LocationKind.CUSTOMER], [LocationKind.SUPPLIER]
        with store.read() as r, ref.store.read() as expected:
            for node in _NODES:
                for until in (None, then):
                    for down in (True, False):
                        assert r.edges([node], downstream=down, until=until) == expected.edges(
                            [node], downstream=down, until=until
                        ), (node, down, until)
                    assert r.movements_of(
                        [node], into=customer, out_of=supplier, until=until
                    ) == expected.movements_of([node], into=customer, out_of=supplier, until=until)
                    assert r.balances_of([node], as_of=until) == expected.balances_of(
                        [node], as_of=until
                    ), (node, until)
            assert r.edges(_NODES, downstream=True) == expected.edges(_NODES, downstream=True)
