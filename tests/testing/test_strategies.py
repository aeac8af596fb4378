"""stockline.testing.strategies: every strategy generates only valid objects."""

from __future__ import annotations

import doctest
import warnings
from collections import Counter
from decimal import Decimal
from types import ModuleType

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning

import stockline as sl
import stockline.testing
from stockline import gs1
from stockline.adapters import SqlAlchemyStockStore
from stockline.ledger import Item, Lot
from stockline.testing import _operations, _setup, _values, stateful
from stockline.testing import strategies as sls


def fresh(setup: sls.Setup = sls.DEFAULT_SETUP) -> sl.Inventory:
    inv = sl.Inventory(clock=sl.FixedClock(sls.START))
    setup.apply(inv)
    return inv


class TestValues:
    @given(gtin=st.sampled_from([8, 12, 13, 14]).flatmap(lambda n: sls.gtins(length=n)))
    def test_gtins_have_check_digits(self, gtin: str) -> None:
        """GTINs of every length carry a correct check digit."""
        assert gs1.is_valid_gtin(gtin)

    @given(code=sls.ssccs())
    def test_ssccs_are_accepted_as_containers(self, code: str) -> None:
        """SSCCs have 18 digits and a correct check digit (containers.create takes them)."""
        assert fresh().containers.create(code).code == code

    @given(data=st.data(), decimals=st.integers(0, 6))
    def test_quantities_fit_the_precision(self, data: st.DataObject, decimals: int) -> None:
        """Quantities are positive, within bounds, and no finer than asked."""
        q = data.draw(sls.quantities(decimals=decimals, max_value=50))
        assert 0 < q <= 50
        assert q == round(q, decimals)

    @given(item=sls.items())
    def test_items_are_accepted(self, item: Item) -> None:
        """add_item accepts every generated item and stores it as generated."""
        inv = sl.Inventory()
        assert inv.add_item(**attrs.asdict(item, recurse=False)) == item
        assert inv.master.item(item.sku) == item

    @given(tree=sls.location_trees(min_size=2))
    def test_location_trees_are_accepted(self, tree: tuple[str, ...]) -> None:
        """Every path is well formed, distinct and a leaf; add_location takes them all."""
        inv = sl.Inventory()
        for path in tree:
            inv.add_location(path)
        assert set(tree) <= {loc.path for loc in inv.master.locations()}
        assert not any(b.startswith(a + "/") for a in tree for b in tree)

    @given(lot=sls.lots("SYRUP"))
    def test_lots_are_accepted(self, lot: Lot) -> None:
        """add_lot accepts every generated lot and stores it as generated (the item has no
        shelf life to default the expiry from)."""
        inv = sl.Inventory()
        inv.add_item("SYRUP", tracking="lot")
        assert inv.add_lot("SYRUP", lot.code, expiry=lot.expiry, produced_on=lot.produced_on) == (
            lot
        )

    @given(scan=sls.gs1_scans())
    def test_scans_parse_back(self, scan: sls.GS1Scan) -> None:
        """Every scan, in every format, parses back to what its label says."""
        read = gs1.parse(scan.text, gs_standin=scan.gs_standin, today=scan.label.today)
        label = scan.label
        assert (read.gtin, read.sscc, read.content_gtin, read.count) == (
            label.gtin,
            label.sscc,
            label.content_gtin,
            label.count,
        )
        assert (read.lot, read.serial, read.expiry, read.production_date) == (
            label.lot,
            label.serial,
            label.expiry,
            label.production_date,
        )


class TestSetups:
    @settings(max_examples=min(settings().max_examples, 100))
    @given(setup=sls.setups())
    def test_setups_apply(self, setup: sls.Setup) -> None:
        """A generated set-up applies cleanly to a fresh inventory."""
        inv = fresh(setup)
        assert {i.sku for i in inv.master.items()} == {i.sku for i in setup.items}

    @given(draft=sls.transactions())
    def test_single_transactions_post(self, draft: sl.NewTransaction) -> None:
        """A generated receipt posts on a freshly set-up inventory."""
        inv = fresh()
        assert inv.post(draft).id == 1
        assert inv.check().ok


class TestOperations:
    @given(ops=sls.operations(max_size=30, back_dated=True))
    def test_every_operation_is_accepted(self, ops: list[sls.Operation]) -> None:
        """Each generated operation is accepted after the ones before it, and gets the id
        the model expects; the ledger verifies."""
        inv = fresh()
        for op in ops:
            assert op.apply(inv).id == op.expected_id, op
        assert inv.verify().ok

    @settings(max_examples=min(settings().max_examples, 100))
    @given(scenario=sls.scenarios(max_size=20))
    def test_scenarios_run(self, scenario: sls.Scenario) -> None:
        """A generated set-up with its operations runs without a refusal."""
        inv = sl.Inventory(clock=sl.FixedClock(sls.START))
        assert len(scenario.run(inv)) == len(scenario.operations)
        assert inv.verify().ok

    @given(ops=sls.operations(kinds={"receive", "ship"}, items={"BOLT"}, max_size=10))
    def test_overrides_are_kept(self, ops: list[sls.Operation]) -> None:
        """``kinds=`` and ``items=`` restrict what is drawn."""
        assert {op.kind for op in ops} <= {"receive", "ship"}
        assert {op.args[0] for op in ops} <= {"BOLT"}

    def test_every_kind_can_be_drawn(self) -> None:
        """Over 150 sequences, every operation kind comes up."""
        seen: Counter[str] = Counter()

        @settings(max_examples=150, database=None)
        @given(ops=sls.operations(max_size=25))
        def collect(ops: list[sls.Operation]) -> None:
            seen.update(op.kind for op in ops)

        collect()
        assert set(seen) == set(sls.OPERATION_KINDS)

    def test_unknown_kind_is_refused(self) -> None:
        """A typo in ``kinds=`` is an error, not an empty strategy."""
        with pytest.raises(ValueError, match="unknown operation kinds"):
            sls.operations(kinds={"recieve"})

    @settings(max_examples=min(settings().max_examples, 15))
    @given(scenario=sls.scenarios(max_size=15, back_dated=True))
    def test_sqlite_agrees_with_reference(self, scenario: sls.Scenario) -> None:
        """Replayed on SQLite, a valid scenario gives the reference's transactions and
        balances."""
        results = []
        for store in (sl.InMemoryStockStore(), SqlAlchemyStockStore.open("sqlite://")):
            inv = sl.Inventory(store=store, clock=sl.FixedClock(sls.START))
            scenario.run(inv)
            results.append((inv.changes(limit=10_000), inv.stock(internal_only=False)))
            assert inv.check().ok
            inv.close()
        assert results[0] == results[1]


class TestPublicSurface:
    def test_names(self) -> None:
        """The kit's public names change only on purpose."""
        assert stockline.testing.__all__ == [
            "StockStoreContract",
            "stateful",
            "store_machine",
            "strategies",
        ]
        assert stateful.__all__ == ["store_machine"]
        assert sorted(sls.__all__) == sorted(
            [
                "CSET82",
                "DEFAULT_SETUP",
                "OPERATION_KINDS",
                "START",
                "GS1Label",
                "GS1Scan",
                "Operation",
                "Scenario",
                "Setup",
                "gs1_labels",
                "gs1_scans",
                "gtins",
                "items",
                "location_paths",
                "location_trees",
                "lots",
                "operations",
                "quantities",
                "scenarios",
                "setups",
                "skus",
                "ssccs",
                "transactions",
            ]
        )
        for name in sls.__all__:
            assert getattr(sls, name) is not None

    def test_contract_is_not_collected_by_itself(self) -> None:
        """The suite's class does not look like a test class, so importing it into a test
        module does not run it without a store."""
        assert not stockline.testing.StockStoreContract.__name__.startswith("Test")

    @pytest.mark.parametrize("module", [_values, _setup, _operations], ids=lambda m: m.__name__)
    def test_docstring_examples_run(self, module: ModuleType) -> None:
        """Every docstring example of the strategies runs as shown (``.example()`` is for
        exploring at a prompt, as the examples do, so its warning is silenced)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NonInteractiveExampleWarning)
            result = doctest.testmod(module)
        assert result.attempted > 0
        assert result.failed == 0


def test_quantities_refuse_impossible_bounds() -> None:
    """Bounds no quantity of that precision fits are an error."""
    with pytest.raises(ValueError, match="no quantity"):
        sls.quantities(decimals=0, min_value=Decimal("0.2"), max_value=Decimal("0.5"))
