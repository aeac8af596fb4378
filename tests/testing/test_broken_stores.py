"""The kit catches broken stores: each deliberately broken adapter in ``_broken.py`` fails
the contract tests that pin the rule it breaks (and the state machine, where it can see)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from stockline.testing import store_machine
from tests.testing._broken import ForgetfulStore, LossyProjectionStore, UnlockedStore

pytest_plugins = ["pytester"]

MODULE = """
import pytest
from stockline.testing import StockStoreContract
from tests.testing._broken import {name}


class TestBroken(StockStoreContract):
    supports_concurrent_writers = True

    @pytest.fixture
    def store(self):
        return {name}()
"""

ATOMICITY = {
    "test_atomicity_failed_block_leaves_no_master_data",
    "test_atomicity_failed_block_leaves_no_transaction",
    "test_atomicity_refused_posting_leaves_no_master_data",
    "test_atomicity_failed_batch_leaves_nothing",
    "test_atomicity_failed_rebuild_is_undone",
}
CONCURRENCY = {
    "test_concurrent_writers_never_oversell",
    "test_concurrent_writers_keep_the_chain",
}
PROJECTION = {
    "test_projection_equals_replay",
    "test_projection_rebuild_changes_nothing",
    "test_projection_balances_equal_reference",
    "test_append_only_verify_is_ok",
}


def contract_failures(pytester: pytest.Pytester, store: type) -> set[str]:
    """Run the conformance suite on ``store``; return the names of the tests that failed."""
    pytester.makepyfile(test_broken_store=MODULE.format(name=store.__name__))
    recorded = pytester.inline_run("-p", "no:cacheprovider", "-q")
    passed, _, failed = recorded.listoutcomes()
    assert passed, "the suite ran"
    return {report.nodeid.rsplit("::", 1)[-1] for report in failed}


class TestContractCatchesBrokenStores:
    def test_forgetting_atomicity_fails_the_atomicity_tests(
        self, pytester: pytest.Pytester
    ) -> None:
        """A store whose failed write blocks keep their changes fails every atomicity test
        (and the refusal tests that find a party or lot left behind), not the others."""
        failed = contract_failures(pytester, ForgetfulStore)
        assert failed >= ATOMICITY
        assert not failed & (CONCURRENCY | PROJECTION)

    def test_forgetting_to_serialise_writers_fails_the_concurrency_tests(
        self, pytester: pytest.Pytester
    ) -> None:
        """A store that lets write blocks interleave fails the concurrency tests and only
        those: single-threaded it is correct."""
        assert contract_failures(pytester, UnlockedStore) == CONCURRENCY

    def test_losing_the_projection_fails_the_projection_tests(
        self, pytester: pytest.Pytester
    ) -> None:
        """A store whose projection drops lines fails projection == replay, rebuild,
        reference balances and verify (conservation still holds: whole lines are lost)."""
        failed = contract_failures(pytester, LossyProjectionStore)
        assert failed >= PROJECTION
        assert not failed & CONCURRENCY


CATCH = settings(
    max_examples=200,
    stateful_step_count=20,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


class TestMachineCatchesBrokenStores:
    @pytest.mark.parametrize("store", [ForgetfulStore, LossyProjectionStore])
    def test_machine_finds_the_difference(self, store: type) -> None:
        """The state machine finds that the broken store disagrees with the reference."""
        machine = store_machine(store)
        with pytest.raises(AssertionError):
            run_state_machine_as_test(machine, settings=CATCH)
