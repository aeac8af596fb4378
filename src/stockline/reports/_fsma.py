"""The FDA FSMA 204 electronic sortable spreadsheet: one row per critical tracking event.

21 CFR 1.1455(c)(3)(ii): on request FDA gets, within 24 hours, the key data elements (KDEs) of
the critical tracking events (CTEs) for the traceability lot codes or dates it names, as an
electronic sortable spreadsheet. This module reads them off the ledger:

- a movement from a supplier or customer location into an internal one is **receiving**
  (1.1345), from an internal location to one of those is **shipping** (1.1340), and a
  transfer between two sites is both;
- stock shipped onto a transit location (a truck) is followed through transit, first in
  first out per lot, to where it left transit: the Shipping row names that recipient, the
  Receiving row out of transit names the site or party it was loaded from (the rule's
  recipient and previous source are "other than a transporter"); stock still in transit has
  no recipient yet, a gap;
- a production (or relabel, split, merge) is a **transformation** (1.1350): one row per input
  lot and one per output lot, sharing the event id; when no food input (an item of
  ``items=``, or any input without it) carries a lot code, the lots it makes get their first
  code here, and it is an **initial packing** (1.1330).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
from collections import defaultdict, deque
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

import attrs

from stockline.genealogy import Node
from stockline.ledger import (
    UNITS,
    HistoryQuery,
    Item,
    LedgerLine,
    Location,
    LocationKind,
    Movement,
    Party,
    Reference,
    Tracking,
    Transaction,
    TxKind,
)
from stockline.reports._food import EVENTS, HARVESTS, HarvestRecord, harvest_of
from stockline.reports._tables import Cell, Column, ColumnKind, Table, Workbook, joined

if TYPE_CHECKING:
    from stockline.ledger import LedgerReader

__all__ = ["FSMA204_COLUMNS", "Cte", "Fsma204Report", "FsmaGap", "FsmaRow", "Place", "build"]


#: Readable names of the document types stockline's postings use; others are shown as given.
DOCUMENT_TYPES: dict[str, str] = {
    "PO": "Purchase Order",
    "ASN": "Advance Ship Notice",
    "SO": "Sales Order",
    "WO": "Work Order",
    "BOL": "Bill of Lading",
    "INV": "Invoice",
    "DOC": "Document",
    "HARVEST": "Harvest Log",
    "COOLING": "Cooling Log",
}

#: The reference document of an event posted without any: the ledger entry itself, which FDA
#: accepts as a "database record" (21 CFR 1.1310, "reference document").
LEDGER_RECORD = "Database record (ledger transaction)"


class Cte(enum.StrEnum):
    """A critical tracking event of the FDA Food Traceability Rule."""

    HARVESTING = "harvesting"
    """21 CFR 1.1325(a)."""
    COOLING = "cooling"
    """21 CFR 1.1325(b): cooling before initial packing."""
    FIRST_LAND_BASED_RECEIVING = "first_land_based_receiving"
    """21 CFR 1.1335: food obtained from a fishing vessel."""
    RECEIVING = "receiving"
    """21 CFR 1.1345."""
    SHIPPING = "shipping"
    """21 CFR 1.1340."""
    TRANSFORMATION = "transformation"
    """21 CFR 1.1350."""
    INITIAL_PACKING = "initial_packing"
    """21 CFR 1.1330."""

    @property
    def label(self) -> str:
        """The name as written in the spreadsheet (``Initial packing``)."""
        if self is Cte.FIRST_LAND_BASED_RECEIVING:
            return "First land-based receiving"
        return self.value.replace("_", " ").capitalize()


@attrs.frozen(kw_only=True, order=True)
class Place:
    """A location description (21 CFR 1.1310): business name, phone number, address.

    Attributes:
        name: The business or site name.
        address: The physical address, as one text.
        phone: The phone number.
        gln: The GS1 Global Location Number, if known.
    """

    name: str
    address: str = ""
    phone: str = ""
    gln: str | None = None


@attrs.frozen(kw_only=True)
class FsmaRow:
    """One row of the sortable spreadsheet: the KDEs of one lot in one event.

    Attributes:
        event_id: The ledger transaction that recorded the event.
        cte: The critical tracking event.
        role: ``input`` or ``output`` for a transformation or an initial packing, ``None``
            otherwise.
        event_at: When the event happened (UTC).
        event_date: Its date in the report's time zone: the harvest, cooling, landing, ship,
            receive, transformation or pack date.
        tlc: The traceability lot code: GS1 ``(01)<GTIN>(10)<lot>``, or ``<SKU>/<lot>`` for an
            item without a GTIN; ``None`` for a harvest lot not yet initially packed (it has
            no traceability lot code yet).
        sku: The item.
        gtin: The item's GTIN.
        lot: The lot code (for a harvest lot, the field tag or harvest lot number).
        product_description: The item's description.
        quantity: How much, in the item's unit.
        unit: The unit's UN/ECE Rec 20 code.
        ship_from: Shipping: where it left; receiving: the immediate previous source.
        ship_to: Shipping, harvesting, cooling: the immediate subsequent recipient; receiving:
            where it was received.
        tlc_source: Where the lot code was assigned, when known here.
        tlc_source_reference: The TLC source reference (an FFRN, GLN or URL).
        documents: The reference documents (PO, ASN, BOL, work order, ...).
        receive_date: For a harvest lot packed: the date it was received at the packing site.
        farm: Harvesting: the farm; cooling and a harvest lot packed: the farm where it was
            harvested (whose name and phone are the harvester's).
        growing_area: The field or other growing area, or the aquaculture pond, pool, tank or
            cage; for first land-based receiving, the trip's fishing areas.
        harvest_date: The date of harvesting (first land-based receiving: the first day of
            the trip's harvest).
        harvest_end_date: First land-based receiving: the last day of the trip's harvest.
        cooling_location: Cooling, and a harvest lot packed: where it was cooled.
        cooling_date: The date of cooling.
    """

    event_id: int
    cte: Cte
    role: str | None
    event_at: dt.datetime
    event_date: dt.date
    tlc: str | None
    sku: str
    gtin: str | None
    lot: str
    product_description: str
    quantity: Decimal
    unit: str
    ship_from: Place | None
    ship_to: Place | None
    tlc_source: Place | None
    tlc_source_reference: str | None
    documents: tuple[Reference, ...]
    receive_date: dt.date | None = None
    farm: Place | None = None
    growing_area: str | None = None
    harvest_date: dt.date | None = None
    harvest_end_date: dt.date | None = None
    cooling_location: Place | None = None
    cooling_date: dt.date | None = None


@attrs.frozen(kw_only=True)
class FsmaGap:
    """A key data element the ledger's master data could not fill.

    Attributes:
        kde: The element (``tlc_source_reference``, ``ship_to_location``, ...).
        subject: What lacks it: a lot (``WHEAT/F-101``), an item, a location or a party.
        message: What is missing and how to record it.
    """

    kde: str
    subject: str
    message: str


def _col(key: str, header: str, kind: ColumnKind, description: str) -> Column:
    return Column(key=key, header=header, kind=kind, description=description)


_TEXT, _DATE = ColumnKind.TEXT, ColumnKind.DATE

#: The columns of the spreadsheet, in order, with what each means and the rule behind it.
FSMA204_COLUMNS: tuple[Column, ...] = (
    _col(
        "event_id",
        "Event ID",
        ColumnKind.INTEGER,
        "The ledger transaction that recorded the event; the input and output rows of one "
        "transformation or initial packing share it.",
    ),
    _col(
        "cte",
        "Critical Tracking Event",
        _TEXT,
        "Harvesting (21 CFR 1.1325(a)), Cooling (1.1325(b)), Initial packing (1.1330), "
        "First land-based receiving (1.1335), Shipping (1.1340), Receiving (1.1345) or "
        "Transformation (1.1350).",
    ),
    _col(
        "role",
        "Transformation Role",
        _TEXT,
        "For a transformation: input (a lot used, 1.1350(a)(1)) or output (the new lot, "
        "1.1350(a)(2)). For an initial packing: input (a harvest lot received and packed, "
        "1.1330(a)(1)-(10)) or output (the lot packed, 1.1330(a)(11)-(15)).",
    ),
    _col(
        "event_date",
        "Event Date",
        _DATE,
        "Harvest date (1.1325(a)(1)(vii)), cooling date (1.1325(b)(1)(v)), pack date "
        "(1.1330(a)(15)), landing date (1.1335(f)), ship date (1.1340(a)(6)), receive date "
        "(1.1345(a)(6)) or date the transformation was completed (1.1350(a)(2)(iii)), in the "
        "report's time zone.",
    ),
    _col(
        "tlc",
        "Traceability Lot Code",
        _TEXT,
        "1.1330(a)(11), 1.1335(a), 1.1340(a)(1), 1.1345(a)(1), 1.1350(a)(1)(i), "
        "1.1350(a)(2)(i). Written as GS1 (01) GTIN + (10) lot, or SKU/lot for an item without "
        "a GTIN. Empty for a harvest lot before initial packing: no traceability lot code is "
        "assigned before then (1.1320).",
    ),
    _col("gtin", "TLC - GTIN", _TEXT, "The GTIN part of the traceability lot code."),
    _col(
        "lot",
        "TLC - Lot",
        _TEXT,
        "The lot (batch) part of the traceability lot code; for a harvest lot before initial "
        "packing, the grower's harvest lot or field tag, which links the harvesting and "
        "cooling rows to the initial packing.",
    ),
    _col("sku", "SKU", _TEXT, "The item code in the sender's records."),
    _col(
        "product_description",
        "Product Description",
        _TEXT,
        "1.1330(a)(12), 1.1340(a)(3), 1.1345(a)(3), 1.1350(a)(1)(ii), 1.1350(a)(2)(iv); for a "
        "harvest lot, the commodity and variety (1.1325(a)(1)(ii), 1.1325(b)(1)(ii), "
        "1.1330(a)(1)); for a landing, the species or acceptable market name (1.1335(b)).",
    ),
    _col(
        "quantity",
        "Quantity",
        ColumnKind.DECIMAL,
        "Quantity (1.1325(a)(1)(iii), 1.1325(b)(1)(iii), 1.1330(a)(13), 1.1335(c), "
        "1.1340(a)(2), 1.1345(a)(2), 1.1350(a)(1)(iii), 1.1350(a)(2)(v)); for a "
        "transformation input, the quantity used from that lot; for an initial packing input, "
        "the quantity received of that harvest lot that was packed (1.1330(a)(3)).",
    ),
    _col("unit", "Unit of Measure", _TEXT, "The unit of the quantity."),
    _col(
        "ship_from_location",
        "Ship-From Location",
        _TEXT,
        "Shipping: location you shipped from (1.1340(a)(5)). Receiving: the immediate "
        "previous source (1.1345(a)(4)). Business name.",
    ),
    _col("ship_from_address", "Ship-From Address", _TEXT, "Physical address of the ship-from."),
    _col("ship_from_phone", "Ship-From Phone", _TEXT, "Phone number of the ship-from."),
    _col("ship_from_gln", "Ship-From GLN", _TEXT, "GS1 Global Location Number of the ship-from."),
    _col(
        "ship_to_location",
        "Ship-To Location",
        _TEXT,
        "Shipping, harvesting and cooling: the immediate subsequent recipient, other than a "
        "transporter (1.1340(a)(4), 1.1325(a)(1)(i), 1.1325(b)(1)(i)). Receiving: where the "
        "food was received (1.1345(a)(5)). Business name.",
    ),
    _col("ship_to_address", "Ship-To Address", _TEXT, "Physical address of the ship-to."),
    _col("ship_to_phone", "Ship-To Phone", _TEXT, "Phone number of the ship-to."),
    _col("ship_to_gln", "Ship-To GLN", _TEXT, "GS1 Global Location Number of the ship-to."),
    _col(
        "tlc_source_location",
        "TLC Source Location",
        _TEXT,
        "Where the traceability lot code was assigned (1.1330(a)(14), 1.1335(e), "
        "1.1340(a)(7), 1.1345(a)(7), 1.1350(a)(2)(ii)): for lots packed, landed or made here, "
        "the site that did it.",
    ),
    _col("tlc_source_address", "TLC Source Address", _TEXT, "Address of the TLC source."),
    _col("tlc_source_phone", "TLC Source Phone", _TEXT, "Phone number of the TLC source."),
    _col(
        "tlc_source_reference",
        "TLC Source Reference",
        _TEXT,
        "A reference to the TLC source (1.1340(a)(7), 1.1345(a)(7)): an FDA Food Facility "
        "Registration Number (FFRN), a GLN or a web address.",
    ),
    _col(
        "receive_date",
        "Receive Date",
        _DATE,
        "Initial packing input: the date the harvest lot was received at the packing site "
        "(1.1330(a)(2)).",
    ),
    _col(
        "harvest_farm_location",
        "Harvest Farm Location",
        _TEXT,
        "The farm where the food was harvested (1.1325(a)(1)(iv), 1.1325(b)(1)(vi), "
        "1.1330(a)(4)); its name and phone are the harvester's business name and phone "
        "(1.1330(a)(7)). Business name.",
    ),
    _col("harvest_farm_address", "Harvest Farm Address", _TEXT, "Address of the farm."),
    _col("harvest_farm_phone", "Harvest Farm Phone", _TEXT, "Phone number of the farm."),
    _col(
        "growing_area",
        "Field, Growing Area or Container",
        _TEXT,
        "The field or other growing area, as the grower names it (1.1325(a)(1)(v), "
        "1.1330(a)(5)), or the aquaculture pond, pool, tank or cage (1.1325(a)(1)(vi), "
        "1.1330(a)(6)). First land-based receiving: the trip's harvest locations, as NMFS "
        "Ocean Geographic Codes or FAO Major Fishing Areas (1.1335(d)); several are "
        "separated by '; '.",
    ),
    _col(
        "harvest_date",
        "Harvest Date",
        _DATE,
        "The date of harvesting (1.1325(a)(1)(vii), 1.1330(a)(8)); first land-based "
        "receiving: the first day of the trip's harvest date range (1.1335(d)).",
    ),
    _col(
        "harvest_end_date",
        "Harvest End Date",
        _DATE,
        "First land-based receiving: the last day of the trip's harvest date range (1.1335(d)).",
    ),
    _col(
        "cooling_location",
        "Cooling Location",
        _TEXT,
        "Where the food was cooled before initial packing (1.1325(b)(1)(iv), 1.1330(a)(9)). "
        "Business name.",
    ),
    _col("cooling_address", "Cooling Address", _TEXT, "Address of the cooling location."),
    _col("cooling_phone", "Cooling Phone", _TEXT, "Phone number of the cooling location."),
    _col(
        "cooling_date",
        "Cooling Date",
        _DATE,
        "The date of cooling (1.1325(b)(1)(v), 1.1330(a)(10)).",
    ),
    _col(
        "reference_document_type",
        "Reference Document Type",
        _TEXT,
        "1.1325(a)(1)(viii), 1.1325(b)(1)(vii), 1.1330(a)(16), 1.1335(g), 1.1340(a)(8), "
        "1.1345(a)(8), 1.1350(a)(2)(vi); several are separated by '; ' in the same order as "
        "their numbers.",
    ),
    _col(
        "reference_document_number",
        "Reference Document Number",
        _TEXT,
        "The numbers of the reference documents, in the same order as their types.",
    ),
    _col(
        "event_time",
        "Event Time (UTC)",
        ColumnKind.DATETIME,
        "When the event was recorded as happening, in UTC.",
    ),
)


@attrs.frozen(kw_only=True)
class Fsma204Report:
    """The FSMA 204 sortable spreadsheet for some lots or dates (see :meth:`inv.reports.fsma204()
    <stockline.reports.Reports.fsma204>`).

    Attributes:
        rows: One row per lot per critical tracking event, sorted by event date, traceability
            lot code, time and event id.
        gaps: Key data elements the master data could not fill, one per missing fact; fill
            them before sending the file.
        lots: The lots asked for (``None``: every lot; empty: none).
        items: The items asked for (``None``: every lot-tracked item; empty: none).
        since: The start of the period asked for (UTC), if any.
        until: The end of the period asked for (UTC), if any.
        timezone: The time zone the event dates are given in.
    """

    rows: tuple[FsmaRow, ...]
    gaps: tuple[FsmaGap, ...]
    lots: tuple[Node, ...] | None = None
    items: tuple[str, ...] | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    timezone: str = "UTC"

    @property
    def table(self) -> Table:
        """The rows as a table: the spreadsheet itself."""
        return Table(
            key="fsma204",
            title="FSMA 204",
            columns=FSMA204_COLUMNS,
            rows=tuple(_cells(r) for r in self.rows),
        )

    @property
    def glossary(self) -> Table:
        """What each column means and the rule behind it (FDA asks for what is needed to
        understand the records, 21 CFR 1.1455(c)(1))."""
        columns = (
            Column(key="column", header="Column"),
            Column(key="meaning", header="Meaning"),
        )
        rows = tuple((c.header, c.description) for c in FSMA204_COLUMNS)
        return Table(key="glossary", title="Glossary", columns=columns, rows=rows)

    @property
    def workbook(self) -> Workbook:
        """The spreadsheet and its glossary, with what was asked for as ``meta``."""
        return Workbook(
            key="fsma204",
            tables=(self.table, self.glossary),
            meta=(
                (
                    "lots",
                    None if self.lots is None else joined(f"{n.item}/{n.lot}" for n in self.lots),
                ),
                ("items", None if self.items is None else joined(self.items)),
                ("since", self.since),
                ("until", self.until),
                ("timezone", self.timezone),
            ),
        )

    def to_csv(self, target: str | os.PathLike[str] | IO[str] | None = None) -> str:
        """Write the spreadsheet as CSV (conventions in :class:`~stockline.reports.Table`) to a
        path or an open text file, and return the text."""
        return self.table.to_csv(target)

    def to_xlsx(self, path: str | os.PathLike[str]) -> None:
        """Write the spreadsheet (sheet ``FSMA 204``) and its glossary (sheet ``Glossary``) to
        an XLSX file; needs ``stockline[xlsx]``.

        Raises:
            MissingDependencyError: openpyxl is not installed.
        """
        self.workbook.to_xlsx(path)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data: what was asked for, the rows and the gaps."""
        data = self.workbook.to_dict()
        del data["glossary"]
        data["gaps"] = [
            {"kde": g.kde, "subject": g.subject, "message": g.message} for g in self.gaps
        ]
        return data

    def to_json(self, **options: Any) -> str:
        """The report as JSON text; ``options`` go to :func:`json.dumps`."""
        return json.dumps(self.to_dict(), **options)


def _cells(r: FsmaRow) -> tuple[Cell, ...]:
    return (
        r.event_id,
        r.cte.label,
        r.role,
        r.event_date,
        r.tlc,
        r.gtin,
        r.lot,
        r.sku,
        r.product_description,
        r.quantity,
        UNITS[r.unit][0] if r.unit in UNITS else r.unit,
        *_place(r.ship_from),
        *_place(r.ship_to),
        *_place(r.tlc_source)[:3],
        r.tlc_source_reference,
        r.receive_date,
        *_place(r.farm)[:3],
        r.growing_area,
        r.harvest_date,
        r.harvest_end_date,
        *_place(r.cooling_location)[:3],
        r.cooling_date,
        joined(DOCUMENT_TYPES.get(d.type, d.type) for d in r.documents) or LEDGER_RECORD,
        joined(d.number for d in r.documents) or str(r.event_id),
        r.event_at,
    )


def _place(place: Place | None) -> tuple[str | None, ...]:
    if place is None:
        return (None, None, None, None)
    return (place.name, place.address or None, place.phone or None, place.gln)


# -- building -----------------------------------------------------------------------------


#: Where a shipment went or a receipt came from: a location path, and the counterparty of the
#: transaction that named it (whose party describes a supplier or customer location).
_End = tuple[str, str | None]

#: A movement into or out of a transit location, as the transit legs know it: transaction,
#: serial, source and destination.
_LegKey = tuple[int, str | None, str, str]

#: Kinds of counterparty locations a shipment can go to or a receipt come from (21 CFR
#: 1.1340(a)(4), 1.1345(a)(4): the recipient and the previous source, "other than a
#: transporter"); stock through a transit location is followed to one of these or a site.
_COUNTERPARTIES = (LocationKind.SUPPLIER, LocationKind.CUSTOMER)


@attrs.frozen
class _Line:
    """A row before master data is looked up: the event, the lot, the two places, and the
    gap (KDE and message) when one of the places is not known."""

    tx: Transaction
    cte: Cte
    role: str | None
    sku: str
    lot: str
    ship_from: _End | None
    ship_to: _End | None
    gap: tuple[str, str] | None = None
    #: Harvesting, cooling, first land-based receiving and the inputs of an initial packing:
    #: the site where it happened.
    at: str | None = None


def build(
    reader: LedgerReader,
    *,
    lots: Sequence[Node] | None,
    items: Collection[str] | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    zone: dt.tzinfo,
    timezone: str,
) -> Fsma204Report:
    """Read the FSMA 204 rows off the store behind ``reader`` (arguments checked by the caller).

    ``lots`` selects exactly those traceability lots, with every transformation they took
    part in in full; ``None``: every lot moved in the period. ``items`` keeps those SKUs
    only (the foods); ``None``: every item. An empty ``lots`` or ``items`` selects nothing.
    Gaps are those of the rows kept.
    """
    book = _MasterData(reader, zone)
    wanted = None if lots is None else {(n.item, n.lot) for n in lots}
    quantities: dict[_Line, Decimal] = defaultdict(Decimal)
    for tx in _transactions(reader, lots, since, until):
        event, unlotted = _event_lines(tx, book, items)
        whole = bool(event) and event[0][0].cte in (Cte.TRANSFORMATION, Cte.INITIAL_PACKING)
        if wanted is not None:
            if not whole:
                # Stock moved without a lot code is none of the lots asked for.
                event, unlotted = [(x, q) for x, q in event if (x.sku, x.lot) in wanted], []
            elif not any((x.sku, x.lot) in wanted for x, _ in event):
                continue
        for m in unlotted:
            if items is None or m.item in items:
                book.no_lot(tx, m)
        # Lines of one lot in one event between the same two places add up: cases of one lot
        # on one pallet are one row.
        for line, quantity in event:
            if items is None or line.sku in items:
                quantities[line] += quantity
    rows = [_row(line, quantity, book, zone) for line, quantity in quantities.items()]
    rows.sort(
        key=lambda r: (
            r.event_date,
            r.tlc or "",
            r.event_at,
            r.event_id,
            r.role != "input",
            r.ship_to.name if r.ship_to else "",
            r.ship_from.name if r.ship_from else "",
        )
    )
    return Fsma204Report(
        rows=tuple(rows),
        gaps=tuple(sorted(book.gaps.values(), key=lambda g: (g.kde, g.subject))),
        lots=None if lots is None else tuple(lots),
        items=None if items is None else tuple(sorted(items)),
        since=since,
        until=until,
        timezone=timezone,
    )


def _transactions(
    reader: LedgerReader,
    lots: Sequence[Node] | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[Transaction]:
    if lots is not None:
        found: dict[int, Transaction] = {}
        for node in lots:
            query = HistoryQuery(item=node.item, lot=node.lot, since=since, until=until)
            found.update((tx.id, tx) for tx in reader.history(query))
        txs = sorted(found.values(), key=lambda t: (t.effective_at, t.id))
    else:
        txs = reader.history(HistoryQuery(since=since, until=until))
    # A reversed transaction and its reversal cancel out: neither is an event that happened.
    return [t for t in txs if t.kind is not TxKind.REVERSAL and reader.reversed_by(t.id) is None]


def _event_lines(
    tx: Transaction, book: _MasterData, foods: Collection[str] | None
) -> tuple[list[tuple[_Line, Decimal]], list[Movement]]:
    """The lines of one transaction with their quantities, in movement order, and the
    movements of lot- or serial-tracked items that lack a lot code (gaps, not lines)."""
    unlotted: list[Movement] = []

    def traced(m: Movement) -> bool:
        if m.lot:
            return True
        if book.item(m.item).tracking is not Tracking.NONE:
            unlotted.append(m)
        return False

    food = book.food_events().get(tx.id)
    if food is not None:
        # Harvesting, cooling, first land-based receiving: one row per lot, at the site the
        # stock went to.
        event = Cte(food["cte"])
        recorded = [
            (_Line(tx, event, None, m.item, _lot(m), None, None, at=book.site(m.dst.location)), q)
            for m, q in ((m, m.quantity) for m in tx.movements)
            if traced(m)
        ]
        return recorded, unlotted
    kinds = [(book.kind(m.src.location), book.kind(m.dst.location)) for m in tx.movements]
    if any(LocationKind.PRODUCTION in pair for pair in kinds):
        inputs = [
            m
            for m, (s, d) in zip(tx.movements, kinds, strict=True)
            if s is LocationKind.INTERNAL and d is LocationKind.PRODUCTION and traced(m)
        ]
        outputs = [
            m
            for m, (s, d) in zip(tx.movements, kinds, strict=True)
            if s is LocationKind.PRODUCTION and d is LocationKind.INTERNAL and traced(m)
        ]
        # A harvest lot has no traceability lot code yet: its rows carry the harvest.
        harvested = [m for m in inputs if book.raw(m.item, _lot(m))]
        coded = [m for m in inputs if not book.raw(m.item, _lot(m))]
        # Only a food's lot code makes a transformation: packing a raw crop received without
        # one (or under a harvest lot) into a lot-coded bag film is still its initial packing.
        if not any(foods is None or m.item in foods for m in coded):
            gap = None
            if not any(foods is None or m.item in foods for m in harvested):
                gap = (
                    "harvest_farm_location",
                    f"the food packed in initial packing event {tx.id} was not consumed as a "
                    "harvest lot, so where and when it was harvested and cooled (21 CFR "
                    "1.1330(a)(1)-(10)) is not known; receive the commodity under the grower's "
                    "harvest lot (lot=) and record what the grower sent with "
                    "inv.food.record_harvest (farm, field, harvested_on), or post the harvest "
                    "with inv.food.harvest",
                )
            packed = [
                (
                    _Line(
                        tx,
                        Cte.INITIAL_PACKING,
                        "input",
                        m.item,
                        _lot(m),
                        None,
                        None,
                        at=book.site(m.src.location),
                    ),
                    m.quantity,
                )
                for m in harvested
            ]
            packed += [
                (
                    _Line(tx, Cte.INITIAL_PACKING, "output", m.item, _lot(m), None, None, gap),
                    m.quantity,
                )
                for m in outputs
            ]
            return packed, unlotted
        made = [
            (
                _Line(
                    tx,
                    Cte.TRANSFORMATION,
                    role,
                    m.item,
                    _lot(m),
                    None,
                    None,
                    at=book.site(m.src.location) if role == "input" else None,
                ),
                m.quantity,
            )
            for role, group in (("input", inputs), ("output", outputs))
            for m in group
        ]
        return made, unlotted
    lines: list[tuple[_Line, Decimal]] = []
    legs: dict[tuple[str, str, str | None, str, str], Decimal] = defaultdict(Decimal)
    for m, (s, d) in zip(tx.movements, kinds, strict=True):
        src, dst = m.src.location, m.dst.location
        if s is LocationKind.INTERNAL and d is LocationKind.TRANSIT:
            cte: Cte | None = Cte.SHIPPING
        elif s is LocationKind.TRANSIT and d is LocationKind.INTERNAL:
            cte = Cte.RECEIVING
        else:
            cte = None
        if cte is not None:
            # A harvest lot moving before it is packed is not shipped or received (21 CFR
            # 1.1340, 1.1345): its harvesting and cooling rows name where it went.
            if traced(m) and not book.raw(m.item, _lot(m)):
                legs[(m.item, _lot(m), m.serial, src, dst)] += m.quantity
            continue
        if s in _COUNTERPARTIES and d is LocationKind.INTERNAL:
            ctes: tuple[Cte, ...] = (Cte.RECEIVING,)
        elif s is LocationKind.INTERNAL and d in _COUNTERPARTIES:
            ctes = (Cte.SHIPPING,)
        elif s is d is LocationKind.INTERNAL and book.site(src) != book.site(dst):
            ctes = (Cte.SHIPPING, Cte.RECEIVING)
        else:
            continue
        if traced(m) and not book.raw(m.item, _lot(m)):
            ends = (src, tx.counterparty), (dst, tx.counterparty)
            lines += [(_Line(tx, cte, None, m.item, _lot(m), *ends), m.quantity) for cte in ctes]
    for (sku, lot, serial, src, dst), quantity in legs.items():
        lines += _through_transit(tx, book, sku, lot, (tx.id, serial, src, dst), quantity)
    return lines, unlotted


def _through_transit(
    tx: Transaction, book: _MasterData, sku: str, lot: str, key: _LegKey, quantity: Decimal
) -> list[tuple[_Line, Decimal]]:
    """The lines of a load into a transit location (Shipping, to wherever the stock went from
    there) or of an unload out of one (Receiving, from wherever it came from before)."""
    _, _, src, dst = key
    legs = book.transit_legs(sku, lot)
    loading = book.kind(dst) is LocationKind.TRANSIT
    split = (legs.loads if loading else legs.unloads).get(key, {None: quantity})
    here = src if loading else dst
    lines = []
    for end, part in split.items():
        kind = None if end is None else book.kind(end[0])
        gap = None
        if kind is LocationKind.INTERNAL:
            assert end is not None
            if book.site(end[0]) == book.site(here):
                continue  # back where it started: a trip out and in, no shipment
        elif kind not in _COUNTERPARTIES:
            # Out of transit with no load from a site or party: the receipt's supplier, if
            # it names one.
            party = None if loading else book.party_location(tx.counterparty)
            if party is not None:
                end = (party, tx.counterparty)
            else:
                gap = _transit_gap(tx, sku, lot, src, dst, end, loading=loading)
                end = None
        place: _End = (here, tx.counterparty)
        if loading:
            line = _Line(tx, Cte.SHIPPING, None, sku, lot, place, end, gap=gap)
        else:
            line = _Line(tx, Cte.RECEIVING, None, sku, lot, end, place, gap=gap)
        lines.append((line, part))
    return lines


def _transit_gap(
    tx: Transaction,
    sku: str,
    lot: str,
    src: str,
    dst: str,
    end: _End | None,
    *,
    loading: bool,
) -> tuple[str, str]:
    if loading and end is None:
        return (
            "ship_to_location",
            f"lot {lot} of {sku} shipped from {src} onto transit location {dst} in transaction "
            f"{tx.id} has not been received anywhere yet, so its immediate subsequent recipient "
            "is not known; it is named once the receipt out of transit is posted",
        )
    if loading:
        assert end is not None
        return (
            "ship_to_location",
            f"lot {lot} of {sku} shipped from {src} onto transit location {dst} in transaction "
            f"{tx.id} left transit to {end[0]}, which is not a recipient (lost or written off "
            "in transit)",
        )
    return (
        "ship_from_location",
        f"lot {lot} of {sku} received from transit location {src} in transaction {tx.id} "
        "was not shipped into transit from a site or a party in the ledger, so its immediate "
        "previous source is not known; post the shipment into transit, or name the supplier "
        "as the receipt's counterparty",
    )


@attrs.frozen
class _TransitLegs:
    """A lot's trips through transit locations, paired first in first out.

    Attributes:
        loads: For each load into transit (from a site, a supplier or a customer), where
            its quantity left transit for (``None``: not yet, still in transit).
        unloads: For each unload out of transit, where its quantity had been loaded from
            (``None``: not known, the load was never posted).
    """

    loads: dict[_LegKey, dict[_End | None, Decimal]]
    unloads: dict[_LegKey, dict[_End | None, Decimal]]


@attrs.define
class _Piece:
    """A quantity in a transit location: where it was loaded from and the load that put it
    on the road (``None`` both when it left transit without ever being loaded)."""

    quantity: Decimal
    origin: _End | None
    load: _LegKey | None


def _pair_transit(lines: Sequence[LedgerLine], book: _MasterData) -> _TransitLegs:
    """Pair a lot's movements into and out of transit locations: what leaves a transit
    location is what entered it first (per serial), followed through transit to transit.

    ``lines`` are the lot's movements into or out of transit, reversed ones left out, in the
    order they happened."""
    queues: dict[tuple[str, str | None], deque[_Piece]] = defaultdict(deque)
    loads: dict[_LegKey, dict[_End | None, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    unloads: dict[_LegKey, dict[_End | None, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def take(where: str, serial: str | None, quantity: Decimal) -> list[_Piece]:
        """Take ``quantity`` off the front of a transit queue; what is missing has no
        origin."""
        queue, taken = queues[(where, serial)], []
        while quantity > 0 and queue:
            piece = queue[0]
            part = min(piece.quantity, quantity)
            taken.append(_Piece(part, piece.origin, piece.load))
            piece.quantity -= part
            quantity -= part
            if piece.quantity == 0:
                queue.popleft()
        if quantity > 0:
            taken.append(_Piece(quantity, None, None))
        return taken

    for line in lines:
        m = line.movement
        src, dst = m.src.location, m.dst.location
        key: _LegKey = (line.transaction_id, m.serial, src, dst)
        into, out_of = (book.kind(p) is LocationKind.TRANSIT for p in (dst, src))
        if into and out_of:
            queues[(dst, m.serial)].extend(take(src, m.serial, m.quantity))
        elif into:
            queues[(dst, m.serial)].append(_Piece(m.quantity, (src, line.counterparty), key))
        else:
            end = (dst, line.counterparty)
            for piece in take(src, m.serial, m.quantity):
                if piece.load is not None:
                    loads[piece.load][end] += piece.quantity
                unloads[key][piece.origin] += piece.quantity
    for queue in queues.values():
        for piece in queue:
            if piece.load is not None:
                loads[piece.load][None] += piece.quantity
    return _TransitLegs(loads=dict(loads), unloads=dict(unloads))


def _lot(m: Movement) -> str:
    assert m.lot is not None, "only movements with a lot are lines"
    return m.lot


def _row(line: _Line, quantity: Decimal, book: _MasterData, zone: dt.tzinfo) -> FsmaRow:
    tx = line.tx
    item = book.item(line.sku)
    subject = f"{line.sku}/{line.lot} in event {tx.id}"
    if line.gap is not None:
        kde, message = line.gap
        book.gap(kde, subject, message)
    raw = book.raw(line.sku, line.lot)
    # A harvest lot has no traceability lot code, so no TLC source either (21 CFR 1.1320).
    source, reference = (None, None) if raw else book.tlc_source(line.sku, line.lot)
    event_date = tx.effective_at.astimezone(zone).date()
    kdes: dict[str, Any] = {}
    ship_to = None if line.ship_to is None else book.end_place(line.ship_to, line, "ship_to")
    food = book.food_events().get(tx.id)
    if line.cte in (Cte.HARVESTING, Cte.COOLING):
        ship_to = book.next_stop(line, subject)
    if line.cte is Cte.HARVESTING:
        assert line.at is not None
        assert food is not None
        kdes.update(
            farm=book.place(line.at, None), growing_area=food["field"], harvest_date=event_date
        )
    elif line.cte is Cte.FIRST_LAND_BASED_RECEIVING:
        assert food is not None
        kdes.update(
            growing_area=joined(food["harvest_areas"]),
            harvest_date=dt.date.fromisoformat(food["harvest_start"]),
            harvest_end_date=dt.date.fromisoformat(food["harvest_end"]),
        )
    elif raw:
        # Cooling, or a harvest lot packed or transformed (1.1330(a)(4)-(10), 1.1350(b)):
        # where and when it was harvested and cooled.
        kdes.update(book.harvest_kdes(line.sku, line.lot, tx))
        if line.cte is Cte.COOLING:
            assert line.at is not None
            kdes.update(cooling_location=book.place(line.at, None), cooling_date=event_date)
        elif line.role == "input":
            assert line.at is not None
            kdes.update(receive_date=book.received_on(line.sku, line.lot, tx, line.at))
    return FsmaRow(
        event_id=tx.id,
        cte=line.cte,
        role=line.role,
        event_at=tx.effective_at,
        event_date=event_date,
        tlc=None
        if raw
        else f"(01){item.gtin}(10){line.lot}"
        if item.gtin
        else f"{item.sku}/{line.lot}",
        sku=item.sku,
        gtin=item.gtin,
        lot=line.lot,
        product_description=book.description(item),
        quantity=quantity,
        unit=item.unit,
        ship_from=None
        if line.ship_from is None
        else book.end_place(line.ship_from, line, "ship_from"),
        ship_to=ship_to,
        tlc_source=source,
        tlc_source_reference=reference,
        documents=tx.refs,
        **kdes,
    )


class _MasterData:
    """Master data looked up once each, and the gaps found on the way."""

    def __init__(self, reader: LedgerReader, zone: dt.tzinfo) -> None:
        self._reader = reader
        self._zone = zone
        self._events: dict[int, Mapping[str, Any]] | None = None
        self._food_lots: dict[tuple[str, str], list[tuple[Transaction, Mapping[str, Any]]]] = {}
        self._records: dict[tuple[str, str], HarvestRecord] | None = None
        self._lines: dict[tuple[str, str], list[LedgerLine]] = {}
        self._locations: dict[str, Location | None] = {}
        self._items: dict[str, Item] = {}
        self._parties: dict[str, Party] | None = None
        self._sources: dict[tuple[str, str], tuple[Place | None, str | None]] = {}
        self._legs: dict[tuple[str, str], _TransitLegs] = {}
        self._reversals: dict[int, bool] = {}
        self.gaps: dict[tuple[str, str], FsmaGap] = {}

    def location(self, path: str) -> Location | None:
        if path not in self._locations:
            self._locations[path] = self._reader.location(path)
        return self._locations[path]

    def kind(self, path: str) -> LocationKind | None:
        location = self.location(path)
        return None if location is None else location.kind

    def site(self, path: str) -> str:
        """The facility a location belongs to: the nearest location up the tree (itself
        included) that has an address, else the root of its tree."""
        segments = path.split("/")
        for end in range(len(segments), 0, -1):
            candidate = "/".join(segments[:end])
            location = self.location(candidate)
            if location is not None and location.address:
                return candidate
        return segments[0]

    def item(self, sku: str) -> Item:
        if sku not in self._items:
            item = self._reader.item(sku)
            assert item is not None, "a posted movement names a known item"
            self._items[sku] = item
        return self._items[sku]

    def description(self, item: Item) -> str:
        if not item.description:
            self.gap(
                "product_description",
                f"item {item.sku}",
                f"item {item.sku} has no product description (21 CFR 1.1340(a)(3), "
                "1.1345(a)(3); for a raw commodity its commodity and variety, 1.1325); record "
                "it as the item's description (inv.master.update_item)",
            )
        return item.description

    def no_lot(self, tx: Transaction, m: Movement) -> None:
        """A lot- or serial-tracked item moved without a lot code: it has no traceability lot
        code, a gap (an untracked item is simply not traced)."""
        self.gap(
            "tlc",
            f"item {m.item}",
            f"item {m.item} moved without a lot code (first in transaction {tx.id}), so it "
            "has no traceability lot code (21 CFR 1.1340(a)(1), 1.1345(a)(1)); post the "
            "movements of a food on the Food Traceability List with its lot (lot=)",
        )

    def transit_legs(self, sku: str, lot: str) -> _TransitLegs:
        """A lot's trips through transit locations, over the whole ledger (a shipment's
        recipient may be known only after the report's period)."""
        if (sku, lot) not in self._legs:
            lines = [
                line
                for line in self._reader.movements_of(
                    [(sku, lot, None)],
                    into=[LocationKind.TRANSIT],
                    out_of=[LocationKind.TRANSIT],
                )
                if line.kind is not TxKind.REVERSAL and not self._reversed(line.transaction_id)
            ]
            # Stable: the movements of one transaction stay in their order.
            lines.sort(key=lambda x: (x.effective_at, x.transaction_id))
            self._legs[(sku, lot)] = _pair_transit(lines, self)
        return self._legs[(sku, lot)]

    # -- harvesting, cooling and first land-based receiving ------------------------------

    def food_events(self) -> dict[int, Mapping[str, Any]]:
        """The key data elements of every harvesting, cooling and landing, by transaction."""
        if self._events is None:
            self._events = {int(d.key): d.body for d in self._reader.documents(EVENTS)}
            index: dict[tuple[str, str], list[tuple[Transaction, Mapping[str, Any]]]]
            index = defaultdict(list)
            for tx_id, body in self._events.items():
                tx = self._reader.transaction(tx_id)
                if tx is None or self._reversed(tx_id):
                    continue
                for m in tx.movements:
                    if m.lot is not None:
                        index[(m.item, m.lot)].append((tx, body))
            for events in index.values():
                events.sort(key=lambda e: (e[0].effective_at, e[0].id))
            self._food_lots = dict(index)
        return self._events

    def _harvests(self) -> dict[tuple[str, str], HarvestRecord]:
        if self._records is None:
            records = (harvest_of(d.body) for d in self._reader.documents(HARVESTS))
            self._records = {(r.sku, r.lot): r for r in records}
        return self._records

    def raw(self, sku: str, lot: str) -> bool:
        """Whether a lot is a harvest lot (harvested or cooled here, or received with the
        grower's harvest record): a raw commodity with no traceability lot code yet."""
        self.food_events()
        events = self._food_lots.get((sku, lot), ())
        return (sku, lot) in self._harvests() or any(
            body["cte"] in ("harvesting", "cooling") for _, body in events
        )

    def harvest_kdes(self, sku: str, lot: str, before: Transaction) -> dict[str, Any]:
        """Where and when a harvest lot was harvested and cooled, as known before the event
        ``before``: from its harvest and cooling here, else from the grower's record."""
        self.food_events()
        kdes: dict[str, Any] = {}
        record = self._harvests().get((sku, lot))
        if record is not None:
            kdes.update(
                farm=self._party_place(record.farm),
                growing_area=record.field,
                harvest_date=record.harvested_on,
            )
            if record.cooler is not None or record.cooled_on is not None:
                kdes.update(
                    cooling_location=None
                    if record.cooler is None
                    else self._party_place(record.cooler),
                    cooling_date=record.cooled_on,
                )
        for tx, body in self._food_lots.get((sku, lot), ()):
            if (tx.effective_at, tx.id) >= (before.effective_at, before.id):
                break
            m = next(m for m in tx.movements if (m.item, m.lot) == (sku, lot))
            where = self.place(self.site(m.dst.location), None)
            day = tx.effective_at.astimezone(self._zone).date()
            if body["cte"] == "harvesting":
                kdes.update(farm=where, growing_area=body["field"], harvest_date=day)
            elif body["cte"] == "cooling":
                kdes.update(cooling_location=where, cooling_date=day)
        if "farm" not in kdes:
            self.gap(
                "harvest_farm_location",
                f"{sku}/{lot}",
                f"harvest lot {lot} of {sku} was not harvested here and no harvest record was "
                "kept for it, so the farm, the field and the date it was harvested (21 CFR "
                "1.1325(b)(1)(vi), 1.1330(a)(4)-(8)) are not known; record what the grower "
                "sent with inv.food.record_harvest (farm, field, harvested_on)",
            )
        return kdes

    def _party_place(self, code: str) -> Place | None:
        path = self.party_location(code)
        return None if path is None else self.place(path, code)

    def landed_at(self, sku: str, lot: str) -> str | None:
        """Where a lot was first received on land from a fishing vessel, if it was."""
        self.food_events()
        for tx, body in self._food_lots.get((sku, lot), ()):
            if body["cte"] == "first_land_based_receiving":
                for m in tx.movements:
                    if (m.item, m.lot) == (sku, lot):
                        return m.dst.location
        return None

    def _lot_lines(self, sku: str, lot: str) -> list[LedgerLine]:
        """Every movement of a lot that happened (reversed ones and reversals left out), in
        the order it happened."""
        if (sku, lot) not in self._lines:
            lines = [
                line
                for line in self._reader.movements_of([(sku, lot, None)], into=list(LocationKind))
                if line.kind is not TxKind.REVERSAL and not self._reversed(line.transaction_id)
            ]
            lines.sort(key=lambda x: (x.effective_at, x.transaction_id))
            self._lines[(sku, lot)] = lines
        return self._lines[(sku, lot)]

    def received_on(self, sku: str, lot: str, before: Transaction, site: str) -> dt.date | None:
        """The date a harvest lot last arrived at ``site`` before the event ``before``
        (harvested there: the harvest date)."""
        found = None
        for line in self._lot_lines(sku, lot):
            if (line.effective_at, line.transaction_id) >= (before.effective_at, before.id):
                break
            src, dst = line.movement.src.location, line.movement.dst.location
            inside = self.kind(src) is LocationKind.INTERNAL and self.site(src) == site
            if not inside and self.kind(dst) is LocationKind.INTERNAL and self.site(dst) == site:
                found = line.effective_at.astimezone(self._zone).date()
        return found

    def next_stop(self, line: _Line, subject: str) -> Place | None:
        """The immediate subsequent recipient of a harvest or a cooling (21 CFR
        1.1325(a)(1)(i), (b)(1)(i)): the cooler, packer or party the lot went to next from
        the site, followed through transit; the site itself when it is cooled or packed
        there. ``None``, with a gap, while the lot has not gone on yet."""
        tx, site = line.tx, line.at
        assert site is not None
        events = self.food_events()
        for later in self._lot_lines(line.sku, line.lot):
            if (later.effective_at, later.transaction_id) <= (tx.effective_at, tx.id):
                continue
            m = later.movement
            src, dst = m.src.location, m.dst.location
            if self.kind(src) is not LocationKind.INTERNAL or self.site(src) != site:
                continue
            kind = self.kind(dst)
            body = events.get(later.transaction_id)
            if body is not None and body["cte"] == "cooling":
                return self.place(self.site(dst), None)
            if kind is LocationKind.PRODUCTION:
                return self.place(site, None)
            if kind is LocationKind.INTERNAL and self.site(dst) != site:
                return self.place(self.site(dst), None)
            if kind in _COUNTERPARTIES:
                return self.end_place((dst, later.counterparty), line, "ship_to")
            if kind is LocationKind.TRANSIT:
                legs = self.transit_legs(line.sku, line.lot).loads
                for end in legs.get((later.transaction_id, m.serial, src, dst), {}):
                    if end is None:
                        continue
                    end_kind = self.kind(end[0])
                    if end_kind in _COUNTERPARTIES:
                        return self.end_place(end, line, "ship_to")
                    if end_kind is LocationKind.INTERNAL and self.site(end[0]) != site:
                        return self.place(self.site(end[0]), None)
        what = "harvested" if line.cte is Cte.HARVESTING else "cooled"
        self.gap(
            "ship_to_location",
            subject,
            f"harvest lot {line.lot} of {line.sku} {what} in event {tx.id} has not been cooled, "
            f"packed or sent on from {site} yet, so its immediate subsequent recipient (21 CFR "
            "1.1325(a)(1)(i), (b)(1)(i)) is not known; it is named once the lot is cooled "
            "(inv.food.cool), packed or shipped",
        )
        return None

    def end_place(self, end: _End, line: _Line, which: str) -> Place | None:
        """The location description of a supplier or customer (or a site) a row names;
        ``None``, with a gap, for a supplier or customer location no party stands for (the
        bare ``suppliers`` or ``customers`` location of an old receipt or shipment)."""
        path, code = end
        kind = self.kind(path)
        if kind in _COUNTERPARTIES and self._party_at(path, code) is None:
            subject = f"{line.sku}/{line.lot} in event {line.tx.id}"
            if which == "ship_from":
                self.gap(
                    "ship_from_location",
                    subject,
                    f"lot {line.lot} of {line.sku} came in event {line.tx.id} from {path}, "
                    f"which names no {kind}, so the immediate previous source (21 CFR "
                    "1.1345(a)(4)) is not known, nor where its traceability lot code was "
                    "assigned (1.1345(a)(7)); reverse the posting and post it again naming the "
                    f"{kind} ({kind.value}=), then record the TLC source reference the {kind} sent "
                    "on the lot (tlc_source_reference)",
                )
            else:
                self.gap(
                    "ship_to_location",
                    subject,
                    f"lot {line.lot} of {line.sku} went in event {line.tx.id} to {path}, "
                    f"which names no {kind}, so the immediate subsequent recipient (21 CFR "
                    "1.1340(a)(4)) is not known; reverse the posting and post it again naming "
                    f"the {kind} ({kind.value}=)",
                )
            return None
        return self.place(path, code)

    def party_location(self, code: str | None) -> str | None:
        """The counterparty location of a party, if it is known."""
        party = None if code is None else self._reader.party(code)
        return party.location or None if party is not None else None

    def _reversed(self, transaction_id: int) -> bool:
        if transaction_id not in self._reversals:
            found = self._reader.reversed_by(transaction_id) is not None
            self._reversals[transaction_id] = found
        return self._reversals[transaction_id]

    def place(self, path: str, counterparty: str | None) -> Place:
        """The location description of a place an event's stock came from or went to."""
        kind = self.kind(path)
        if kind is not None and kind is not LocationKind.INTERNAL:
            party = self._party_at(path, counterparty)
            if party is not None:
                self._check(
                    f"{party.kind} {party.code}",
                    party.address,
                    party.phone,
                    f"on the {party.kind} (inv.add_party with address= and phone=)",
                )
                return Place(
                    name=party.name or party.code,
                    address=party.address,
                    phone=party.phone,
                    gln=party.gln,
                )
        # A counterparty location without a party (a transit location, a bare "customers")
        # describes itself unless a location above it has an address.
        site = self.site(path)
        if kind is not LocationKind.INTERNAL:
            found = self.location(site)
            if found is None or not found.address:
                site = path
        location = self.location(site) or Location(path=site)
        self._check(
            f"location {site}",
            location.address,
            location.phone,
            "on the site's location (inv.master.update_location with address= and phone=)",
        )
        return Place(
            name=location.description or location.path,
            address=location.address,
            phone=location.phone,
            gln=location.gln,
        )

    def tlc_source(self, sku: str, lot: str) -> tuple[Place | None, str | None]:
        """Where a lot's code was assigned and the reference to it.

        A lot first made here (by a production, relabel, split or merge) has its TLC source
        at the site that made it, referenced by the lot's own reference, else the site's FFRN,
        else its GLN. A lot received has the reference its shipper sent (recorded on the lot).
        """
        if (sku, lot) not in self._sources:
            record = self._reader.lot(sku, lot)
            own = None if record is None else record.tlc_source_reference
            made = self._made_at(sku, lot) or self.landed_at(sku, lot)
            if made is None:
                if own is None:
                    self.gap(
                        "tlc_source_reference",
                        f"{sku}/{lot}",
                        f"lot {lot} of {sku} was received, not made here, and the reference "
                        "to its TLC source, where its traceability lot code was assigned (21 "
                        "CFR 1.1340(a)(7), 1.1345(a)(7): an FFRN, a GLN or a web address), is "
                        "not recorded; record what the shipper sent as the lot's "
                        "tlc_source_reference (inv.master.update_lot)",
                    )
                self._sources[(sku, lot)] = (None, own)
            else:
                site = self.location(self.site(made))
                place = self.place(made, None)
                derived = None
                if site is not None:
                    derived = (
                        f"FFRN {site.ffrn}"
                        if site.ffrn
                        else f"GLN {site.gln}"
                        if site.gln
                        else None
                    )
                self._sources[(sku, lot)] = (place, own or derived)
        return self._sources[(sku, lot)]

    def _made_at(self, sku: str, lot: str) -> str | None:
        """The internal location a lot was first made into, or ``None`` if it never was."""
        lines = self._reader.movements_of([(sku, lot, None)], out_of=[LocationKind.PRODUCTION])
        for line in sorted(lines, key=lambda x: (x.effective_at, x.transaction_id)):
            if (
                line.kind is not TxKind.REVERSAL
                and self.kind(line.movement.dst.location) is LocationKind.INTERNAL
                and self._reader.reversed_by(line.transaction_id) is None
            ):
                return line.movement.dst.location
        return None

    def _party_at(self, path: str, code: str | None) -> Party | None:
        if code is not None:
            party = self._reader.party(code)
            if party is not None and party.location == path:
                return party
        if self._parties is None:
            self._parties = {p.location: p for p in self._reader.parties()}
        return self._parties.get(path)

    def _check(self, subject: str, address: str, phone: str, fix: str) -> None:
        missing = [what for what, value in (("address", address), ("phone", phone)) if not value]
        if missing:
            self.gap(
                "location_description",
                subject,
                f"{subject} has no {' or '.join(missing)}; a location description (21 CFR "
                f"1.1310) is a business name, phone number and address: record them {fix}",
            )

    def gap(self, kde: str, subject: str, message: str) -> None:
        self.gaps.setdefault((kde, subject), FsmaGap(kde=kde, subject=subject, message=message))
