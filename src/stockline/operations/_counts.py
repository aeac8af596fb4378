"""Count records: a count, its lines, its sheet and its report."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal

import attrs

from stockline.errors import ValidationError
from stockline.ledger import PositionKey

__all__ = [
    "Count",
    "CountLine",
    "CountReport",
    "CountReportLine",
    "CountSheetLine",
    "CountState",
    "Uncounted",
]


class CountState(enum.StrEnum):
    """Where a count is in its life."""

    OPEN = "open"
    """Lines may be recorded."""
    CLOSED = "closed"
    """The differences were posted (or there were none); nothing more may be recorded."""
    CANCELLED = "cancelled"
    """Dropped without posting anything."""


class Uncounted(enum.StrEnum):
    """What closing a count does with stock in its scope that nobody counted."""

    KEEP = "keep"
    """A cycle count: only what was counted is corrected. A (location, item) counted is
    counted whole (every lot, serial, status and container of that item there that was not
    recorded counts as zero); locations and items not counted at all keep their book stock."""
    ZERO = "zero"
    """A full stock take: stock in the scope that was not counted is taken as not there when
    the count was opened (the cut-off), so what arrived after that is kept, and what left a
    position since is not written off again."""


@attrs.frozen(kw_only=True)
class CountLine:
    """What a counter recorded for one position of a count.

    Attributes:
        location: The location counted (exactly this path, not its children).
        sku: The item counted; ``None`` for "nothing at all at this location"
            (:meth:`~stockline.operations.Counts.record` with ``empty=True``).
        lot: The lot counted.
        serial: The serial counted (then ``quantity`` is 1).
        status: The stock status counted.
        container: The container the stock was counted in.
        quantity: The quantity found, in the item's base unit (0 for "none here").
        counted_at: When it was counted; the correction compares with the book at this time.
        actor: Who counted it.
        expected: The book quantity of the position at ``counted_at``; ``None`` on a blind
            count until it is closed.
        ledger_head: The id of the last transaction posted when the line was recorded (``None``
            for lines recorded before stockline kept it): a movement effective at exactly
            ``counted_at`` is before the count only if it was posted by then.
    """

    location: str
    sku: str | None
    lot: str | None = None
    serial: str | None = None
    status: str = "available"
    container: str | None = None
    quantity: Decimal
    counted_at: dt.datetime
    actor: str | None = None
    expected: Decimal | None = None
    ledger_head: int | None = None

    @property
    def moment(self) -> tuple[dt.datetime, int | None]:
        """When the line was counted, and the last transaction posted when it was recorded."""
        return (self.counted_at, self.ledger_head)

    @property
    def key(self) -> PositionKey:
        """The balance key of the position counted (``""`` as the SKU for an empty location)."""
        return (self.sku or "", self.lot, self.serial, self.location, self.status, self.container)


@attrs.frozen(kw_only=True)
class Count:
    """A cycle count or stock take of a location subtree (optionally one item or lot).

    Attributes:
        id: The count's reference (``COUNT`` reference of the transaction it posts).
        location: The root of the subtree counted.
        sku: Only this item is counted, if given.
        lot: Only this lot is counted, if given.
        blind: Whether counters are kept from seeing book quantities until it is closed.
        uncounted: What closing does with stock in scope that was not counted.
        state: Open, closed or cancelled.
        opened_at: When it was opened.
        opened_by: Who opened it.
        closed_at: When it was closed or cancelled.
        closed_by: Who closed or cancelled it.
        transaction_id: The ``count`` transaction that posted its differences (``None`` when
            there were none, or while it is open).
        reason: The reason given when it was opened (the count transaction's reason).
        ledger_head: The id of the last transaction posted when it was opened (the cut-off of a
            full stock take: a movement effective at exactly ``opened_at`` but posted after
            the count was opened is after the cut-off).
        lines: What was recorded, ordered by location, item, lot, serial, status, container.
    """

    id: str
    location: str
    sku: str | None = None
    lot: str | None = None
    blind: bool = False
    uncounted: Uncounted = Uncounted.KEEP
    state: CountState = CountState.OPEN
    opened_at: dt.datetime
    opened_by: str | None = None
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    transaction_id: int | None = None
    reason: str | None = None
    ledger_head: int | None = None
    lines: tuple[CountLine, ...] = ()

    def covers(self, sku: str, lot: str | None, location: str) -> bool:
        """Whether stock of ``sku`` (``lot``) at ``location`` is in the count's scope."""
        return (
            (self.sku is None or self.sku == sku)
            and (self.lot is None or self.lot == lot)
            and (location == self.location or location.startswith(self.location + "/"))
        )


@attrs.frozen(kw_only=True)
class CountSheetLine:
    """One line of the sheet a counter walks: a position to count.

    Attributes:
        location: The location to visit.
        sku: The item the book has there; ``None`` for a location in scope with no stock
            (visit it anyway: stock may be found there).
        lot: The lot the book has there.
        serial: The serial the book has there.
        status: The status of the stock.
        container: The container the stock is in.
        expected: The book quantity now; ``None`` on a blind count.
    """

    location: str
    sku: str | None
    lot: str | None = None
    serial: str | None = None
    status: str = "available"
    container: str | None = None
    expected: Decimal | None = None


@attrs.frozen(kw_only=True)
class CountReportLine:
    """One position of a count report.

    Attributes:
        location: The location.
        sku: The item.
        lot: The lot.
        serial: The serial.
        status: The status.
        container: The container.
        expected: The book quantity when it was counted (for stock that was not counted on a
            full stock take: what the book had when the count was opened less what has left
            the position since, never below zero).
        counted: The quantity found (0 for book stock not found).
        counted_at: When the position was counted, or ``None`` when it was not counted (its
            counted quantity is implied: not found on a full stock take, or a serial found
            elsewhere).
        unit_cost: The item's cost per base unit, if given to the report.
    """

    location: str
    sku: str
    lot: str | None = None
    serial: str | None = None
    status: str = "available"
    container: str | None = None
    expected: Decimal
    counted: Decimal
    counted_at: dt.datetime | None = None
    unit_cost: Decimal | None = None

    @property
    def difference(self) -> Decimal:
        """Counted less expected: positive for a gain, negative for a loss."""
        return self.counted - self.expected

    @property
    def value(self) -> Decimal | None:
        """The difference at the unit cost, or ``None`` without a cost."""
        return None if self.unit_cost is None else self.difference * self.unit_cost

    @property
    def key(self) -> PositionKey:
        """The balance key of the position."""
        return (self.sku, self.lot, self.serial, self.location, self.status, self.container)


@attrs.frozen(kw_only=True)
class CountReport:
    """Expected, counted and difference for every position a count touched.

    Lines with no difference are included, so the report shows what was confirmed too.

    Attributes:
        count: The count's id.
        state: The count's state when the report was made: ``open`` for a preview of what
            closing would post now, ``closed`` for what was posted.
        transaction_id: The ``count`` transaction posted at close, if any.
        lines: One per position, ordered by location, item, lot, serial, status, container.
    """

    count: str
    state: CountState
    transaction_id: int | None = None
    lines: tuple[CountReportLine, ...] = ()

    @property
    def differences(self) -> tuple[CountReportLine, ...]:
        """The lines whose counted quantity differs from the book."""
        return tuple(line for line in self.lines if line.difference != 0)

    @property
    def total_value(self) -> Decimal | None:
        """The sum of the lines' values, or ``None`` when a line with a difference has no
        cost (a partial total would mislead)."""
        values = [line.value for line in self.differences]
        if any(v is None for v in values):
            return None
        return sum((v for v in values if v is not None), Decimal(0))

    @property
    def missing_serials(self) -> tuple[CountReportLine, ...]:
        """Serials the book had in a position that were not found there."""
        return tuple(line for line in self.lines if line.serial is not None and line.difference < 0)

    @property
    def unexpected_serials(self) -> tuple[CountReportLine, ...]:
        """Serials found in a position where the book did not have them."""
        return tuple(line for line in self.lines if line.serial is not None and line.difference > 0)

    def priced(self, costs: Mapping[str, Decimal]) -> CountReport:
        """Return the report with unit costs from ``costs`` (SKU → cost per base unit).

        Raises:
            ValidationError: A cost is not a finite ``Decimal`` or ``int``.
        """
        for sku, cost in costs.items():
            if isinstance(cost, bool) or not isinstance(cost, Decimal | int):
                raise ValidationError(
                    f"the cost of {sku} must be a Decimal (or int), got {cost!r}; costs are "
                    "money, so floats are refused"
                )
            if not Decimal(cost).is_finite():
                raise ValidationError(f"the cost of {sku} must be a finite number, got {cost}")
        return attrs.evolve(
            self,
            lines=tuple(
                attrs.evolve(
                    line,
                    unit_cost=Decimal(costs[line.sku]) if line.sku in costs else line.unit_cost,
                )
                for line in self.lines
            ),
        )
