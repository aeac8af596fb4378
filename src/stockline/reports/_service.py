"""Reports of an inventory (``inv.reports``): the FSMA 204 sortable spreadsheet, and recall
reports and traces as workbooks with the inventory's master data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from stockline.errors import UnknownItemError, UnknownLotError, ValidationError
from stockline.genealogy import Node, RecallReport, Trace
from stockline.ledger import Book, boundary
from stockline.reports._fsma import Fsma204Report, build
from stockline.reports._genealogy import recall_workbook, trace_workbook, zone
from stockline.reports._tables import Workbook

__all__ = ["LotRef", "Reports"]

#: A lot as ``Node(item=..., lot=...)`` or as ``(sku, lot)``.
LotRef = Node | tuple[str, str]


@attrs.define(repr=False)
class Reports:
    """FSMA 204 and recall and trace reports of an inventory (``inv.reports``).

    Args:
        book: The posting context of the inventory.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<Reports>"

    def fsma204(
        self,
        lots: Iterable[LotRef] | None = None,
        *,
        items: Iterable[str] | None = None,
        since: dt.datetime | dt.date | None = None,
        until: dt.datetime | dt.date | None = None,
        timezone: str = "UTC",
    ) -> Fsma204Report:
        """The FDA FSMA 204 electronic sortable spreadsheet for some lots or a period.

        One row per lot per critical tracking event (harvesting, cooling, initial packing
        input and output, first land-based receiving, shipping, receiving, transformation
        input and output) with its key data elements, as FDA asks for them within 24 hours
        in an outbreak or recall (21 CFR 1.1455(c)(3)). Harvesting, cooling and first
        land-based receiving are those recorded with :class:`inv.food <stockline.reports.Food>`.
        ``report.gaps`` lists what the master data could not fill; ``report.to_csv(path)``
        and ``report.to_xlsx(path)`` write the file. How events and KDEs are read off the
        ledger: ``docs/howto/fsma204.md``.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("LETTUCE", description="Romaine, 24 ct", tracking="lot")
            >>> _ = inv.add_location("DC1/DOCK")
            >>> _ = inv.receive("LETTUCE", 40, lot="R-7", dst="DC1/DOCK", supplier="FARM")
            >>> report = inv.reports.fsma204(lots=[("LETTUCE", "R-7")])
            >>> [(r.cte.label, r.tlc, r.quantity) for r in report.rows]
            [('Receiving', 'LETTUCE/R-7', Decimal('40'))]

        Args:
            lots: Exactly these traceability lots (``("SKU", "LOT")`` or ``Node``), e.g.
                ``recall.affected``; a transformation one of them took part in is given in
                full (its other inputs and outputs too). ``None``: every lot; an empty
                collection: none (no rows).
            items: Only these SKUs (the foods on the Food Traceability List); they also tell
                which inputs of a production are foods, so packing a raw crop received
                without a lot code into lot-coded packaging is an initial packing.
                ``None``: every lot-tracked item; an empty collection: none (no rows).
            since: Events effective at or after this time; a date means the start of that
                day in ``timezone``.
            until: Events effective at or before this time; a date means the end of that day
                in ``timezone``.
            timezone: The IANA time zone the event dates are written in (the site's zone).

        Returns:
            The report: its rows, and the gaps in the master data.

        Raises:
            UnknownItemError: A lot's or an item's SKU is not known.
            UnknownLotError: A lot is not known.
            ValidationError: A lot without a lot code, ``lots`` or ``items`` given as one
                string, a bad time zone, or ``since`` after ``until``.
            InvalidTimeError: ``since`` or ``until`` is not a time with a time zone or a
                date, or falls outside the years a ledger keeps (1900 to 2999).
        """
        timezone = boundary.code(timezone, "timezone")
        found_zone = zone(timezone)
        start = _bound(since, "since", found_zone, end=False)
        end = _bound(until, "until", found_zone, end=True)
        if start is not None and end is not None and start > end:
            raise ValidationError(f"since ({start.isoformat()}) is after until ({end.isoformat()})")
        for name, value in (("lots", lots), ("items", items)):
            if isinstance(value, str | Node):
                raise ValidationError(
                    f"{name} must be a collection, not one {type(value).__name__} ({value!r}); "
                    f"write {name}=[...]"
                )
        nodes = (
            None
            if lots is None
            else list(dict.fromkeys(_lot_node(lot) for lot in boundary.sequence(lots, "lots")))
        )
        skus = (
            None
            if items is None
            else set(boundary.codes(boundary.sequence(items, "items"), "items"))
        )
        with self._book.read() as r:
            for sku in sorted((skus or set()) | {n.item for n in nodes or ()}):
                if r.item(sku) is None:
                    raise UnknownItemError(item=sku)
            for node in nodes or ():
                assert node.lot is not None
                if r.lot(node.item, node.lot) is None:
                    raise UnknownLotError(
                        item=node.item,
                        lot=node.lot,
                    )
            return build(
                r,
                lots=nodes,
                items=skus,
                since=start,
                until=end,
                zone=found_zone,
                timezone=timezone,
            )

    def workbook(self, report: RecallReport | Trace, *, timezone: str = "UTC") -> Workbook:
        """A recall report or a trace as tables to write as CSV, XLSX or JSON, with product
        descriptions, units and party names from this inventory's master data.

        See :func:`stockline.reports.recall_workbook` and
        :func:`stockline.reports.trace_workbook` for the tables.

        Args:
            report: From ``inv.recall()``, ``inv.trace_downstream()`` or
                ``inv.trace_upstream()``.
            timezone: The IANA time zone of the date columns (times are always UTC).

        Returns:
            The workbook.

        Raises:
            ValidationError: ``report`` is neither a recall report nor a trace, or the time
                zone is not known.
        """
        timezone = boundary.code(timezone, "timezone")
        if isinstance(report, RecallReport):
            return recall_workbook(report, inventory=self._book, timezone=timezone)
        if isinstance(report, Trace):
            return trace_workbook(report, inventory=self._book, timezone=timezone)
        raise ValidationError(
            f"report must be a RecallReport or a Trace, got {type(report).__name__} {report!r}"
        )


def _lot_node(lot: object) -> Node:
    if isinstance(lot, Node):
        if lot.lot is None:
            raise ValidationError(
                f"{lot} has no lot code; FSMA 204 traceability lot codes are lots, so name "
                "lots (a serial node of a lot is covered by its lot)"
            )
        return Node(item=lot.item, lot=lot.lot)
    if (
        isinstance(lot, tuple)
        and len(lot) == 2
        and all(isinstance(part, str) and part for part in lot)
    ):
        return Node(item=lot[0], lot=lot[1])
    raise ValidationError(f"name a lot as ('SKU', 'LOT') or Node(item=..., lot=...), got {lot!r}")


def _bound(
    value: dt.datetime | dt.date | None, what: str, zone: dt.tzinfo, *, end: bool
) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return boundary.moment(value, what)
    if isinstance(value, dt.date):
        given = boundary.ledger_day(value, what)
        day = given + dt.timedelta(days=1) if end else given
        start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        bound = start - dt.timedelta(microseconds=1) if end else start
        return boundary.moment(bound.astimezone(dt.UTC), what)
    raise ValidationError(f"{what} must be a datetime with a time zone or a date, got {value!r}")
