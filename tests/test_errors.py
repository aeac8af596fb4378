"""The error family: each error declared once, with fields, a composed message, equality by
value and pickling."""

from __future__ import annotations

import datetime as dt
import pickle
import typing
from decimal import Decimal
from typing import Any

import attrs
import pytest

from stockline import errors
from stockline.operations import KitShortage

WHEN = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)

#: One error of every class, built the way call sites build it: fields only.
EXAMPLES: dict[str, dict[str, Any]] = {
    "StocklineError": {},
    "ValidationError": {"message": "refs must be a mapping"},
    "InvalidQuantityError": {"value": 1.5, "what": "quantity of BOLT"},
    "InvalidTimeError": {"value": dt.datetime(2026, 3, 1, 8), "what": "effective_at"},
    "DuplicateError": {"message": "item BOLT exists with other fields"},
    "NotFoundError": {},
    "UnknownItemError": {"item": "BOLT"},
    "UnknownLocationError": {"location": "WH/A"},
    "UnknownLotError": {"item": "MILK", "lot": "L1"},
    "UnknownPartyError": {"party": "ACME"},
    "UnknownSerialError": {"item": "PUMP", "serial": "S1"},
    "UnknownStatusError": {"status": "frozen"},
    "UnknownContainerError": {"container": "PAL-1"},
    "UnknownTransactionError": {"transaction_id": 7},
    "PostingError": {},
    "TrackingError": {"item": "MILK", "tracking": "lot"},
    "InsufficientStockError": {
        "item": "MILK",
        "lot": "L1",
        "serial": None,
        "position": "WH/A (available)",
        "requested": Decimal(5),
        "available": Decimal(2),
        "since": WHEN,
    },
    "SerialError": {"item": "PHONE", "serial": "S1", "quantity": Decimal(2)},
    "StatusError": {"status": "hold", "location": "WH/A", "action": "ship"},
    "IdempotencyConflictError": {"key": "k-1", "transaction_id": 3},
    "ReversalError": {"transaction_id": 3, "reversed_by": 4},
    "PermissionDeniedError": {"actor": "ann", "kind": "adjustment", "summary": "1 BOLT"},
    "ContainerError": {"message": "PAL-1 cannot go into itself"},
    "GenealogyError": {"message": "L1 would be its own ancestor"},
    "BarcodeError": {"message": "AI (17) value '2613' is too short", "text": "172613", "ai": "17"},
    "ScanMismatchError": {"ai": "37", "scanned": Decimal(10), "expected": Decimal(12)},
    "ExpiredProductError": {
        "ai": "17",
        "item": "MILK",
        "lot": "L1",
        "expiry": dt.date(2026, 1, 31),
        "today": dt.date(2026, 3, 1),
    },
    "IntegrityError": {"transaction_id": 9, "detail": "transaction 9's hash differs"},
    "MissingDependencyError": {"extra": "xlsx", "feature": "writing XLSX", "package": "openpyxl"},
    "StoreError": {"message": "the database refused the operation"},
    "ConcurrencyError": {"attempts": 5, "detail": "serialization failure"},
    "StaleDocumentError": {"kind": "count", "key": "C-1", "expected": 2, "found": 3},
    "ReservedStockError": {
        "item": "BOLT",
        "lot": None,
        "serial": None,
        "position": "WH/A (available)",
        "requested": Decimal(8),
        "available": Decimal(2),
        "reserved": Decimal(8),
        "orders": ("SO-1",),
        "held": Decimal(10),
    },
    "ReservationError": {"order": "SO-1", "line": "10"},
    "AllocationShortfallError": {
        "item": "BOLT",
        "requested": Decimal(10),
        "available": Decimal(4),
    },
    "UnknownCountError": {"count": "C-1"},
    "CountError": {"message": "count C-1 is closed", "count": "C-1"},
    "ReplenishmentError": {"sku": "BOLT", "location": "WH/PICK/1"},
    "PutawayError": {"location": "DC1/F/01", "rule": "storage", "detail": "PEAS needs frozen"},
    "UnknownTransferError": {"order": "TO-1"},
    "TransferError": {"message": "transfer order TO-1 is closed", "order": "TO-1"},
    "KitShortageError": {
        "order": "MO-1",
        "shortages": (KitShortage(sku="BOLT", required=Decimal(4), available=Decimal(1)),),
    },
    "EpcisError": {"problems": (("$.type", "is not EPCISDocument"),)},
    "EpcisExportError": {"message": "an EPC URI needs company_prefix_length"},
    "UnknownExpectationError": {"key": "ASN-1"},
    "UnexpectedReceiptError": {
        "key": "ASN-1",
        "item": "PHONE",
        "lot": None,
        "serial": "S9",
        "scanned": "S9",
        "expected": ("S1", "S2"),
    },
    "UnknownSerialPoolError": {"item": "VIAL"},
    "SerialPoolExhaustedError": {"pool": "the serial pool of VIAL", "requested": 5, "remaining": 2},
    "ReturnError": {
        "item": "BOLT",
        "shipment": 7,
        "requested": Decimal(5),
        "available": Decimal(3),
    },
    "PickError": {"wave": "W-1", "line": 2, "problems": ("lot L2 was scanned, not L1",)},
}

#: The built-in each error also is, for callers that catch those.
BUILTINS: dict[str, type[Exception]] = {
    "ValidationError": ValueError,
    "NotFoundError": LookupError,
    "TrackingError": ValueError,
    "CountError": ValueError,
    "TransferError": ValueError,
    "MissingDependencyError": ImportError,
}


def build(name: str) -> errors.StocklineError:
    kind: type[errors.StocklineError] = getattr(errors, name)
    return kind(**EXAMPLES[name])


class TestDeclaration:
    def test_every_error_has_an_example(self) -> None:
        """The table above covers every public error, so each is pickled and printed below."""
        assert set(EXAMPLES) == set(errors.__all__)

    @pytest.mark.parametrize("name", errors.__all__)
    def test_is_a_frozen_attrs_exception(self, name: str) -> None:
        """Every error is an attrs class deriving from StocklineError, and its fields are
        read-only."""
        kind = getattr(errors, name)
        assert attrs.has(kind)
        assert issubclass(kind, errors.StocklineError)
        error = build(name)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            error.advice = "x"  # type: ignore[misc]

    @pytest.mark.parametrize("name", sorted(BUILTINS))
    def test_keeps_its_builtin_base(self, name: str) -> None:
        """Errors about bad input are ValueErrors, unknown things LookupErrors, ..."""
        assert isinstance(build(name), BUILTINS[name])

    @pytest.mark.parametrize("name", errors.__all__)
    def test_type_hints_resolve(self, name: str) -> None:
        """The fields' annotations resolve at run time (nothing hidden behind TYPE_CHECKING)."""
        typing.get_type_hints(getattr(errors, name))


class TestPickling:
    @pytest.mark.parametrize("name", errors.__all__)
    def test_round_trip_gives_an_equal_error(self, name: str) -> None:
        """An error crosses a process boundary unchanged: same class, same fields, same text."""
        error = build(name)
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert again == error
        assert str(again) == str(error)

    def test_transitional_message_survives(self) -> None:
        """An error raised with a message of its own keeps it through pickling."""
        error = errors.UnknownItemError("no such item: BOLT", item="BOLT")
        assert pickle.loads(pickle.dumps(error)) == error


class TestEquality:
    def test_equal_fields_equal_errors(self) -> None:
        """Two errors of one class with the same fields are equal and hash alike."""
        one, two = build("UnknownLotError"), build("UnknownLotError")
        assert one == two
        assert hash(one) == hash(two)

    def test_other_fields_or_class_differ(self) -> None:
        """A different field, or the same fields on a subclass, make a different error."""
        assert errors.UnknownItemError(item="A") != errors.UnknownItemError(item="B")
        assert build("InsufficientStockError") != build("ReservedStockError")


class TestMessages:
    @pytest.mark.parametrize("name", errors.__all__)
    def test_message_is_composed(self, name: str) -> None:
        """Every error prints a non-empty, one-sentence-or-more message from its fields."""
        assert str(build(name)).strip()

    @pytest.mark.parametrize(
        ("name", "fragments"),
        [
            ("UnknownItemError", ["'BOLT'", "add_item()"]),
            ("UnknownLocationError", ["'WH/A'", "add_location()"]),
            ("UnknownLotError", ["'L1'", "MILK", "add_lot()"]),
            ("UnknownSerialError", ["'S1'", "PUMP", "not known"]),
            ("InvalidQuantityError", ["quantity of BOLT 1.5 is a float", "Decimal('1.5')"]),
            ("InvalidTimeError", ["effective_at", "has no time zone"]),
            ("TrackingError", ["MILK is lot-tracked", "must name a lot"]),
            (
                "InsufficientStockError",
                ["not enough MILK lot L1 in WH/A (available)", "5 requested, 2 there", "from"],
            ),
            ("SerialError", ["serial S1 of PHONE moves in quantity 2"]),
            ("StatusError", ["cannot ship stock in status 'hold' at WH/A"]),
            ("IdempotencyConflictError", ["'k-1'", "transaction 3"]),
            ("ReversalError", ["already reversed by transaction 4"]),
            ("PermissionDeniedError", ["ann may not post this adjustment (1 BOLT)"]),
            ("ExpiredProductError", ["MILK lot L1 expired on 2026-01-31", "allow_expired=True"]),
            ("IntegrityError", ["transaction 9's hash differs", "1 problem(s)"]),
            ("MissingDependencyError", ["writing XLSX needs openpyxl", "stockline[xlsx]"]),
            ("ConcurrencyError", ["5 time(s)", "serialization failure", "max_attempts"]),
            ("StaleDocumentError", ["count/C-1 is at version 3", "based on version 2"]),
            ("ReservedStockError", ["8 of the 10 there is reserved for order SO-1", "only 2"]),
            ("AllocationShortfallError", ["only 4 of 10 BOLT"]),
            ("KitShortageError", ["MO-1", "BOLT: 4 required, 1 available"]),
            ("EpcisError", ["1 problem(s)", "$.type: is not EPCISDocument"]),
            ("UnexpectedReceiptError", ["'ASN-1'", "PHONE serial S9", "allow_unexpected=True"]),
            ("UnknownSerialPoolError", ["VIAL has no serial pool", "add_pool()"]),
            ("SerialPoolExhaustedError", ["VIAL has 2 numbers left, 5 were asked", "new GTIN"]),
        ],
    )
    def test_message_says_what_was_found(self, name: str, fragments: list[str]) -> None:
        """The composed text names the facts in the fields and what to do."""
        text = str(build(name))
        for fragment in fragments:
            assert fragment in text

    def test_advice_is_appended(self) -> None:
        """A site's advice follows the class's own text."""
        error = errors.InvalidTimeError(
            value="2026", what="expiry", expected="a datetime.date", advice="pass a date"
        )
        assert str(error) == "expiry must be a datetime.date, got str '2026'; pass a date"

    def test_argument_of_the_wrong_kind(self) -> None:
        """A ValidationError about one argument says which, what it must be and what it got."""
        error = errors.ValidationError(what="sku", value=7, expected="text (a str)")
        assert str(error) == "sku must be text (a str), got int 7"
        assert (error.what, error.value) == ("sku", 7)

    def test_field_less_errors_are_described_by_their_message(self) -> None:
        """ValidationError and the other errors without fields of their own print their
        message as given."""
        assert str(errors.ValidationError("refs must be a mapping")) == "refs must be a mapping"
        assert str(build("BarcodeError")) == "AI (17) value '2613' is too short"


class TestTransitionalForm:
    def test_positional_message_overrides_the_composed_text(self) -> None:
        """The older form, a message and then the fields, still works and keeps the fields."""
        error = errors.UnknownItemError("item 'X' is unknown", item="X")
        assert str(error) == "item 'X' is unknown"
        assert error.item == "X"
        assert error.message == "item 'X' is unknown"

    def test_fields_only_compose_the_text(self) -> None:
        """Without a message the text is composed, and ``message`` stays None."""
        error = errors.UnknownItemError(item="X")
        assert error.message is None
        assert "'X'" in str(error)


class TestRaising:
    def test_chains_its_cause(self) -> None:
        """Frozen as they are, errors still take a cause, a traceback and notes."""

        def fail() -> None:
            try:
                raise OSError("disk full")
            except OSError as e:
                raise errors.StoreError("the database refused the operation") from e

        with pytest.raises(errors.StoreError) as caught:
            fail()
        assert isinstance(caught.value.__cause__, OSError)
        caught.value.add_note("while closing the count")
        assert caught.value.__notes__ == ["while closing the count"]
