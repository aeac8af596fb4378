"""The benchmark suite's regression guard: algorithmic, never timed.

Timings on a shared CI machine are not reproducible, so these tests run the suite's own
workloads (``bench.suite``) at small sizes and pin what does not depend on the machine: how
many SQL statements each workload sends, compared between two sizes in one run, and which
indexes SQLite plans to use. A change that makes posting send a statement per movement, or a
lookup scan the ledger, fails here long before anyone reads a benchmark table.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pendulum
import pytest
from bench._common import Progress

import stockline as sl
from bench import genealogy, ledger, suite


class _Ledger:
    """A warehouse ledger on a SQLite file, with a statement counter on its engine."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "ledger.db"
        self.clock = sl.FixedClock(pendulum.instance(ledger.START - dt.timedelta(hours=1)))
        self.inv, self.counter = suite.open_inventory(self.path, self.clock)
        self.warehouse = ledger.Warehouse(7)
        ledger._master_data(self.inv, self.warehouse, [])
        self.size = 0
        # Every master record read once, so that later counts hold ledger work only.
        with self.inv.store.read() as r:
            for sku in self.warehouse.items:
                r.item(sku)
            for path in self.warehouse.docks + self.warehouse.bins:
                r.location(path)

    def grow(self, movements: int) -> None:
        suite.build_warehouse(self.inv, self.warehouse, movements, self.clock, _Silent())
        self.size += movements

    def batch_statements(self, count: int) -> int:
        """Statements sent by one post_many of ``count`` transactions (lots saved before)."""
        ops = self.warehouse.take(count)
        with self.inv.store.write() as w:
            for op in ops:
                if op.new_lot:
                    w.save(
                        sl.ledger.Lot(item=op.sku, code=op.lot, expiry=op.expiry),
                        actor=None,
                        at=self.clock.now(),
                    )
        self.clock.set(ops[-1].at)
        drafts = [ledger.draft(op) for op in ops]
        with self.counter.counting() as sent:
            self.inv.post_many(drafts)
        self.size += count
        return sent[0]

    def single_statements(self, count: int) -> float:
        """Statements per receive/move/ship call, on average over ``count`` calls."""
        total = 0
        for op in self.warehouse.take(count):
            self.clock.set(op.at)
            with self.counter.counting() as sent:
                ledger.post_one(self.inv, op)
            total += sent[0]
        self.size += count
        return total / count


class _Silent(Progress):
    def __init__(self) -> None:
        super().__init__("guard")

    def __call__(self, message: str) -> None:
        pass


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Ledger]:
    built = _Ledger(tmp_path_factory.mktemp("guard"))
    built.grow(2_000)
    yield built
    built.inv.close()


def _plan(path: Path, statement: str, parameters: tuple[object, ...]) -> str:
    with sqlite3.connect(path) as con:
        rows = con.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    con.close()
    return "\n".join(str(row[3]) for row in rows)


class TestPostingStatements:
    def test_a_batch_costs_a_fixed_number_of_statements(self, warehouse: _Ledger) -> None:
        """post_many sends a handful of statements per batch, not one per movement: ten times
        the transactions cost (almost) no more statements."""
        small = warehouse.batch_statements(100)
        large = warehouse.batch_statements(1_000)
        assert large <= small + 5, (small, large)
        assert large / 1_000 < 0.05

    def test_batch_statements_do_not_grow_with_the_ledger(self, warehouse: _Ledger) -> None:
        """The same batch on a ledger three times as long sends no more statements."""
        before = warehouse.batch_statements(500)
        warehouse.grow(4_000)
        after = warehouse.batch_statements(500)
        assert after <= before + 5, (before, after)

    def test_a_single_posting_sends_a_bounded_number_of_statements(
        self, warehouse: _Ledger
    ) -> None:
        """One receive/move/ship call sends the same few statements whatever the ledger size."""
        before = warehouse.single_statements(50)
        warehouse.grow(2_000)
        after = warehouse.single_statements(50)
        assert before <= 15
        assert after <= before + 1, (before, after)


class TestQueryPlans:
    def _statements(self, warehouse: _Ledger, call: object) -> list[str]:
        warehouse.counter.keep = True
        warehouse.counter.statements.clear()
        try:
            with warehouse.counter.counting():
                call()  # type: ignore[operator]
            return list(warehouse.counter.statements)
        finally:
            warehouse.counter.keep = False

    def test_on_hand_reads_the_projection_by_its_key(self, warehouse: _Ledger) -> None:
        """on_hand of a lot in a bin is one indexed search of sl_balances: O(1) in the size of
        the ledger, never a scan of it."""
        (sku, lot, path), _ = next(iter(warehouse.warehouse.binned.items()))
        warehouse.inv.on_hand(sku, lot=lot, location=path)  # warm the id caches
        sent = self._statements(
            warehouse, lambda: warehouse.inv.on_hand(sku, lot=lot, location=path)
        )
        # BEGIN, the head row (the snapshot's master version), then the one read.
        assert len(sent) <= 3
        reads = [s for s in sent if "sl_balances" in s or "sl_movements" in s]
        assert len(reads) == 1
        plan = _plan(warehouse.path, reads[0], (1,) * reads[0].count("?"))
        assert "SEARCH sl_balances" in plan
        assert "SCAN sl_balances" not in plan
        assert "sl_movements" not in plan

    def test_as_of_searches_the_lot_index(self, warehouse: _Ledger) -> None:
        """A balance as of a past time reads only that lot's movements (by index)."""
        (sku, lot, path), _ = next(iter(warehouse.warehouse.binned.items()))
        at = ledger.START + dt.timedelta(seconds=100)
        warehouse.inv.on_hand(sku, lot=lot, location=path, as_of=at)
        sent = self._statements(
            warehouse, lambda: warehouse.inv.on_hand(sku, lot=lot, location=path, as_of=at)
        )
        plans = [_plan(warehouse.path, s, (1,) * s.count("?")) for s in sent if "sl_movements" in s]
        assert plans
        for plan in plans:
            assert "SCAN sl_movements" not in plan
            assert "SEARCH sl_movements USING INDEX ix_sl_movements_item" in plan


class TestTraceStatements:
    def test_trace_statements_do_not_grow_with_the_genealogy(self, tmp_path: Path) -> None:
        """Tracing is set-based: a genealogy three times as large takes as many statements."""
        counts = []
        for lots in (110, 330):
            clock = sl.FixedClock(genealogy.START)
            inv, counter = suite.open_inventory(tmp_path / f"g{lots}.db", clock)
            genealogy.build(inv, lots, 3, _Silent())
            inv.trace_downstream("L0", "R000001")  # warm the id caches
            with counter.counting() as sent:
                found = inv.trace_downstream("L0", "R000001")
            assert found.shipments
            counts.append(sent[0])
            inv.close()
        assert counts[1] <= counts[0], counts


class TestReadStatements:
    """The two reads a warehouse makes most besides a lot in a bin: an item over a whole site,
    and a received lot traced to its customers. Their statements are counted (never timed)
    and must not grow with the ledger."""

    def _sent(self, warehouse: _Ledger, call: object) -> list[str]:
        return TestQueryPlans()._statements(warehouse, call)

    def _received(self, warehouse: _Ledger) -> list[tuple[str, str]]:
        """Lots put away in bins, each with the customers it went to, fewest first."""
        lots = sorted({(sku, lot) for sku, lot, _ in warehouse.warehouse.binned})
        shipped = [(len(warehouse.inv.trace_downstream(*key).shipments), key) for key in lots]
        return [key for count, key in sorted(shipped) if count]

    def test_an_item_under_a_site_is_one_search_of_the_projection(self, warehouse: _Ledger) -> None:
        """on_hand(sku, location=site) sends one read, by the item's key, whatever the size
        of the ledger; the site's locations are not looked up in SQL on every call."""
        sku = warehouse.warehouse.items[0]
        counts = []
        for _ in range(2):
            warehouse.inv.on_hand(sku, location="DC1")  # warm the caches
            sent = self._sent(warehouse, lambda: warehouse.inv.on_hand(sku, location="DC1"))
            counts.append(len(sent))
            reads = [s for s in sent if "sl_balances" in s]
            assert len(reads) == 1, sent
            plan = _plan(warehouse.path, reads[0], (1,) * reads[0].count("?"))
            assert "SEARCH sl_balances USING PRIMARY KEY (item_id=?)" in plan, plan
            assert "sl_locations" not in plan, plan
            warehouse.grow(2_000)
        assert counts[0] <= 3
        assert counts[1] <= counts[0], counts

    def test_a_new_lot_does_not_make_the_site_be_looked_up_again(self, warehouse: _Ledger) -> None:
        """A receipt that creates a lot changes master data but no location: the next
        on_hand(sku, location=site) still finds the site's locations in the cache."""
        sku = warehouse.warehouse.items[1]
        warehouse.inv.on_hand(sku, location="DC1")
        before = warehouse.inv.on_hand(sku, location="DC1")
        warehouse.clock.advance(seconds=1)
        warehouse.inv.receive(
            sku, 12, dst=warehouse.warehouse.docks[0], lot="GUARD-NEW", supplier="S001"
        )
        sent = self._sent(warehouse, lambda: warehouse.inv.on_hand(sku, location="DC1"))
        assert len(sent) <= 3, sent
        assert not [s for s in sent if "sl_locations" in s], sent
        assert warehouse.inv.on_hand(sku, location="DC1") == before + 12

    def test_a_receipt_traced_to_its_customers_sends_a_fixed_number_of_statements(
        self, warehouse: _Ledger
    ) -> None:
        """Tracing a received lot to its customers sends the same few statements for a lot
        shipped once as for one shipped many times, and as many on a longer ledger: no
        statement per customer, shipment or location."""
        counts = []
        for _ in range(2):
            received = self._received(warehouse)
            assert len(warehouse.inv.trace_downstream(*received[-1]).shipments) > 1
            for key in (received[0], received[-1]):
                warehouse.inv.trace_downstream(*key)  # warm the name caches
                sent = self._sent(
                    warehouse, lambda key=key: warehouse.inv.trace_downstream(*key).customers
                )
                counts.append(len(sent))
            warehouse.grow(2_000)
        assert counts[0] <= 8, counts
        assert max(counts) == min(counts), counts

    def test_a_serial_is_traced_by_the_serial_index(self, tmp_path: Path) -> None:
        """Tracing a serial reads its lines by the (item, serial) index (the check that the
        ledger saw it, its lots, its lines), never every movement of its item."""
        clock = sl.FixedClock(pendulum.datetime(2026, 3, 2, 6, tz="UTC"))
        inv, counter = suite.open_inventory(tmp_path / "serials.db", clock)
        inv.add_item("PUMP", tracking="serial")
        inv.add_location("DC1/A/01")
        for n in range(3):
            inv.receive("PUMP", 1, serial=f"S{n}", dst="DC1/A/01", supplier="ACME")
        inv.ship("PUMP", 1, serial="S1", src="DC1/A/01", customer="C1")
        inv.trace_downstream("PUMP", serial="S1")
        counter.keep = True
        with counter.counting():
            assert inv.trace_downstream("PUMP", serial="S1").customers == ("C1",)
        reads = [s for s in counter.statements if "serial = ?" in s]
        inv.close()
        assert reads
        for statement in reads:
            plan = _plan(tmp_path / "serials.db", statement, (1,) * statement.count("?"))
            assert "ix_sl_movements_item" not in plan, (statement, plan)
