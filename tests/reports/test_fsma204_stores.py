"""FSMA 204 harvesting, cooling and first land-based receiving on every store: their key data
elements are kept beside the postings, so the golden spreadsheet, idempotent retries and
refusals must come out the same on the in-memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import stockline as sl
from stockline import errors
from tests.conftest import StoreFactory
from tests.reports._produce import produce_chain

GOLDEN = Path(__file__).parent / "golden"
ZONE = "America/Los_Angeles"


@pytest.fixture
def make_store(any_store: StoreFactory) -> StoreFactory:
    """Every test here runs on each kind of store."""
    return any_store


def state(inv: sl.Inventory) -> tuple[object, ...]:
    """What a refused call must leave as it was: the ledger, the lots and the report."""
    return (inv.changes(), inv.master.lots(), inv.reports.fsma204().to_json())


class TestEveryStore:
    def test_the_produce_chain_is_the_golden_file(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """harvest → cool → initial pack → ship → receive → transform → ship gives the golden
        CSV and JSON byte for byte, with no gap."""
        produce_chain(inv, clock)
        report = inv.reports.fsma204(timezone=ZONE)
        assert report.gaps == ()
        assert (GOLDEN / "produce_chain.csv").read_bytes() == report.to_csv().encode()
        json_text = report.to_json(indent=2) + "\n"
        assert (GOLDEN / "produce_chain.json").read_bytes() == json_text.encode()

    def test_a_conflicting_retry_and_a_refused_event_change_nothing(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """A retry with the key of a harvest but another field, a cooling of more than is
        there and a landing from a customer are refused with the same error, leaving the
        ledger, the lots and the report as they were; a true retry returns the first
        posting."""
        produce_chain(inv, clock)
        inv.add_location("FARM/PIT")

        def harvest(field: str) -> sl.Transaction:
            return inv.food.harvest(
                "ROMAINE", 5, lot="FT-9", dst="FARM/BINS", field=field, key="harvest-9"
            )

        first = harvest("Block 8")
        before = state(inv)
        assert harvest("Block 8") == first
        with pytest.raises(errors.IdempotencyConflictError):
            harvest("Block 9")
        with pytest.raises(errors.InsufficientStockError):
            inv.food.cool("ROMAINE", 6, lot="FT-9", src="FARM/BINS", dst="FARM/PIT")
        with pytest.raises(errors.DuplicateError):
            inv.food.land(
                "HEARTS",
                1,
                lot="X",
                dst="FARM/BINS",
                supplier="GROCER",
                harvest_areas=["FAO 67"],
                harvest_start=dt.date(2026, 3, 1),
            )
        with pytest.raises(errors.UnknownLotError):
            inv.food.record_harvest(
                "ROMAINE", "NOPE", farm="GROWER", field="F", harvested_on=dt.date(2026, 3, 1)
            )
        assert state(inv) == before

    def test_a_harvest_record_is_replaced_by_its_correction(
        self, inv: sl.Inventory, clock: sl.FixedClock
    ) -> None:
        """Recording a received lot's harvest twice keeps the second record, and its packing
        reads it."""
        produce_chain(inv, clock)
        inv.receive("ROMAINE", 10, lot="G-1", dst="PACKHOUSE/HYDRO", supplier="GROWER")
        inv.add_party("GROWER", kind="supplier", name="Hill Farm", address="9 Hill", phone="2")
        for day in (1, 2):
            inv.food.record_harvest(
                "ROMAINE",
                "G-1",
                farm="GROWER",
                field=f"Hill {day}",
                harvested_on=dt.date(2026, 3, day),
            )
        packed = inv.produce(
            consume=[
                sl.Component(sku="ROMAINE", quantity=10, lot="G-1", location="PACKHOUSE/HYDRO")
            ],
            output=[sl.Output(sku="HEARTS", quantity=80, lot="RH-G1", location="PACKHOUSE/CASES")],
        )
        (given,) = [
            r for r in inv.reports.fsma204().rows if r.event_id == packed.id and r.role == "input"
        ]
        assert (given.growing_area, given.harvest_date) == ("Hill 2", dt.date(2026, 3, 2))
        assert given.farm is not None
        assert given.farm.name == "Hill Farm"
