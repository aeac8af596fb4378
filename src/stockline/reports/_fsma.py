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
  ``items=``, or any input without it) carries a traceability lot code, the lots it makes get
  their first code here, and it is an **initial packing** (1.1330), whose input rows are the
  harvest lots packed;
- the postings recorded with ``inv.food`` are **harvesting** (1.1325(a)), **cooling**
  (1.1325(b)) and **first land-based receiving** (1.1335); a harvest lot (harvested or cooled
  here, or received with the grower's harvest record) has no traceability lot code before it
  is packed, and its moves are neither shipping nor receiving.

The records and columns are in ``_fsma_sheet``, the look-ups in ``_fsma_facts``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stockline.genealogy import Node
from stockline.ledger import HistoryQuery, LocationKind, Movement, Tracking, Transaction, TxKind
from stockline.reports._fsma_facts import COUNTERPARTIES, End, Facts, LegKey, Line, lot_code
from stockline.reports._fsma_sheet import (
    DOCUMENT_TYPES,
    FSMA204_COLUMNS,
    LEDGER_RECORD,
    Cte,
    Fsma204Report,
    FsmaGap,
    FsmaRow,
    Place,
)
from stockline.reports._tables import joined

if TYPE_CHECKING:
    from stockline.ledger import LedgerReader

__all__ = [
    "DOCUMENT_TYPES",
    "FSMA204_COLUMNS",
    "LEDGER_RECORD",
    "Cte",
    "Fsma204Report",
    "FsmaGap",
    "FsmaRow",
    "Place",
    "build",
]


# -- building -----------------------------------------------------------------------------


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
    book = Facts(reader, zone)
    wanted = None if lots is None else {(n.item, n.lot) for n in lots}
    quantities: dict[Line, Decimal] = defaultdict(Decimal)
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
    tx: Transaction, book: Facts, foods: Collection[str] | None
) -> tuple[list[tuple[Line, Decimal]], list[Movement]]:
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
            (
                Line(
                    tx, event, None, m.item, lot_code(m), None, None, at=book.site(m.dst.location)
                ),
                m.quantity,
            )
            for m in tx.movements
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
        harvested = [m for m in inputs if book.raw(m.item, lot_code(m))]
        coded = [m for m in inputs if not book.raw(m.item, lot_code(m))]
        # Only a food's lot code makes a transformation: packing a raw crop received without
        # one (or under a harvest lot) into a lot-coded bag film is still its initial packing.
        if not any(foods is None or m.item in foods for m in coded):
            gap = None
            if not harvested:
                gap = (
                    "harvest_farm_location",
                    f"the food packed in initial packing event {tx.id} was not consumed as a "
                    "harvest lot, so where and when it was harvested and cooled (21 CFR "
                    "1.1330(a)(1)-(10)) is not known; receive the commodity under the grower's "
                    "harvest lot (its lot) and record the harvest the grower sent with it (farm, "
                    "field, harvested_on, and cooler and cooled_on if it was cooled), or post "
                    "the harvest itself",
                )
            packed = [
                (
                    Line(
                        tx,
                        Cte.INITIAL_PACKING,
                        "input",
                        m.item,
                        lot_code(m),
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
                    Line(tx, Cte.INITIAL_PACKING, "output", m.item, lot_code(m), None, None, gap),
                    m.quantity,
                )
                for m in outputs
            ]
            return packed, unlotted
        made = [
            (
                Line(
                    tx,
                    Cte.TRANSFORMATION,
                    role,
                    m.item,
                    lot_code(m),
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
    lines: list[tuple[Line, Decimal]] = []
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
            if traced(m) and not book.raw(m.item, lot_code(m)):
                legs[(m.item, lot_code(m), m.serial, src, dst)] += m.quantity
            continue
        if s in COUNTERPARTIES and d is LocationKind.INTERNAL:
            ctes: tuple[Cte, ...] = (Cte.RECEIVING,)
        elif s is LocationKind.INTERNAL and d in COUNTERPARTIES:
            ctes = (Cte.SHIPPING,)
        elif s is d is LocationKind.INTERNAL and book.site(src) != book.site(dst):
            ctes = (Cte.SHIPPING, Cte.RECEIVING)
        else:
            continue
        if traced(m) and not book.raw(m.item, lot_code(m)):
            ends = (src, tx.counterparty), (dst, tx.counterparty)
            lines += [(Line(tx, cte, None, m.item, lot_code(m), *ends), m.quantity) for cte in ctes]
    for (sku, lot, serial, src, dst), quantity in legs.items():
        lines += _through_transit(tx, book, sku, lot, (tx.id, serial, src, dst), quantity)
    return lines, unlotted


def _through_transit(
    tx: Transaction, book: Facts, sku: str, lot: str, key: LegKey, quantity: Decimal
) -> list[tuple[Line, Decimal]]:
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
        elif kind not in COUNTERPARTIES:
            # Out of transit with no load from a site or party: the receipt's supplier, if
            # it names one.
            party = None if loading else book.party_location(tx.counterparty)
            if party is not None:
                end = (party, tx.counterparty)
            else:
                gap = _transit_gap(tx, sku, lot, src, dst, end, loading=loading)
                end = None
        place: End = (here, tx.counterparty)
        if loading:
            line = Line(tx, Cte.SHIPPING, None, sku, lot, place, end, gap=gap)
        else:
            line = Line(tx, Cte.RECEIVING, None, sku, lot, end, place, gap=gap)
        lines.append((line, part))
    return lines


def _transit_gap(
    tx: Transaction,
    sku: str,
    lot: str,
    src: str,
    dst: str,
    end: End | None,
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


def _row(line: Line, quantity: Decimal, book: Facts, zone: dt.tzinfo) -> FsmaRow:
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
