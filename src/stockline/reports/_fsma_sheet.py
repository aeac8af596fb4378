"""The FSMA 204 sortable spreadsheet as records: its rows, gaps, columns and report."""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
from decimal import Decimal
from typing import IO, Any

import attrs

from stockline.genealogy import Node
from stockline.ledger import UNITS, Reference
from stockline.reports._tables import Cell, Column, ColumnKind, Table, Workbook, joined

__all__ = [
    "DOCUMENT_TYPES",
    "FSMA204_COLUMNS",
    "LEDGER_RECORD",
    "Cte",
    "Fsma204Report",
    "FsmaGap",
    "FsmaRow",
    "Place",
]


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
