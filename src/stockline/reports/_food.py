"""The FSMA 204 events before a traceability lot code exists (``inv.food``).

Receiving, shipping, transformation and initial packing are read off ordinary postings. Three
critical tracking events need facts a stock movement does not carry, so they are recorded
here, each as one posting through the ledger plus a document holding its key data elements,
written in the same block (both or neither):

- **harvesting** (21 CFR 1.1325(a)): a farm brings a raw agricultural commodity in from a
  field (or an aquaculture pond, tank or cage) under a harvest lot, its field tag;
- **cooling** (1.1325(b)): a cooler moves a harvest lot into cold storage before it is packed;
- **first land-based receiving** (1.1335): the first receiver on land takes a catch off a
  fishing vessel and gives it its traceability lot code.

A packer that receives a raw commodity from a grower records what the grower and the cooler
sent with it (1.1325(a)(2), (b)(2)) on the harvest lot with :meth:`Food.record_harvest`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stockline.errors import IdempotencyConflictError, UnknownLotError, ValidationError
from stockline.ledger import (
    Book,
    LedgerWriter,
    LocationKind,
    Movement,
    PartyKind,
    Position,
    Reference,
    Transaction,
    TxKind,
    boundary,
)
from stockline.ledger.boundary import Header, Refs

__all__ = ["EVENTS", "HARVESTS", "Food", "HarvestRecord", "harvest_key"]

#: Document kind of the key data elements of a harvesting, cooling or first land-based
#: receiving posting, keyed by the transaction id.
EVENTS = "fsma204-event"
#: Document kind of what a grower sent with a harvest lot received here, keyed by
#: :func:`harvest_key`.
HARVESTS = "fsma204-harvest"


def harvest_key(sku: str, lot: str) -> str:
    """The document key of a lot's harvest record (unambiguous whatever the codes hold)."""
    return json.dumps([sku, lot], ensure_ascii=False)


@attrs.frozen(kw_only=True)
class HarvestRecord:
    """What a grower (and a cooler) sent with a raw agricultural commodity received here.

    Attributes:
        sku: The commodity.
        lot: The harvest lot (the grower's field tag or harvest lot number).
        farm: The supplier (party) that harvested it: its name, phone and address are the
            farm's location description and the harvester's business name and phone.
        field: The field or other growing area as the grower names it (for aquacultured food
            the pond, pool, tank or cage).
        harvested_on: The date of harvesting.
        cooler: The supplier (party) that cooled it before packing, if it was cooled.
        cooled_on: The date of cooling, if it was cooled.
    """

    sku: str
    lot: str
    farm: str
    field: str
    harvested_on: dt.date
    cooler: str | None = None
    cooled_on: dt.date | None = None


@attrs.define(repr=False)
class Food:
    """Harvesting, cooling and first land-based receiving (``inv.food``): the FSMA 204 critical
    tracking events before a traceability lot code exists, or where one is first assigned to
    a catch. Each is a posting (so balances, genealogy and recalls see it) whose key data
    elements :meth:`inv.reports.fsma204() <stockline.reports.Reports.fsma204>` reports.

    Args:
        book: The posting context of the inventory.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<Food>"

    def harvest(
        self,
        sku: str,
        quantity: Decimal | int | str,
        *,
        lot: str,
        dst: str,
        field: str,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Record a harvest (21 CFR 1.1325(a)): ``quantity`` of a raw agricultural commodity
        comes in from ``field`` into ``dst`` at the farm, under the harvest lot ``lot``.

        The posting is a production out of the ``production`` location into ``dst``. The farm's
        location description is the site ``dst`` belongs to; the commodity and variety are the
        item's description; the harvest date is the day of ``effective_at``. The harvest lot is
        not a traceability lot code: that is assigned when the lot is initially packed
        (1.1320), and the packing's rows carry these facts.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("ROMAINE", description="Romaine, Green Forest", tracking="lot")
            >>> _ = inv.add_location("FARM/BINS")
            >>> tx = inv.food.harvest("ROMAINE", 75, lot="FT-1", dst="FARM/BINS", field="North 40")
            >>> inv.on_hand("ROMAINE", location="FARM")
            Decimal('75')

        Args:
            sku: The commodity (a lot-tracked item).
            quantity: How much was harvested, in the item's unit (bins, pounds, ...).
            lot: The harvest lot: the field tag or harvest lot number.
            dst: Where the harvest goes at the farm (bins, a staging area).
            field: The field or other growing area as the grower names it (1.1325(a)(1)(v));
                for aquacultured food, the pond, pool, tank or cage (1.1325(a)(1)(vi)).
            ref: The harvest log or harvest record number (a ``HARVEST`` reference).
            refs: Other documents, e.g. ``{"FIELD TAG": "FT-1"}``.
            key: An idempotency key: a retry returns the first result.
            effective_at: When it was harvested; now when ``None``.
            actor: Who posted it.
            reason: A note.

        Raises:
            ValidationError: ``dst`` is not an internal location, or the item is not
                lot-tracked.
            IdempotencyConflictError: ``key`` was used for a harvest with another field.
        """
        sku = boundary.code(sku, "sku")
        amount = boundary.quantity(quantity, "quantity")
        lot = boundary.code(lot, "lot")
        target = Position(location=boundary.path(dst, "dst"))
        body = {"cte": "harvesting", "field": boundary.code(field, "field")}
        header = _header(TxKind.PRODUCTION, "HARVEST", ref, refs, key, effective_at, actor, reason)
        book = self._book
        with book.write() as w:
            _internal(w, target.location, "dst")
            book.lot(w, sku, lot, expiry=None, produced_on=None, actor=header.actor)
            src = book.counterparty(w, LocationKind.PRODUCTION, None, header.actor)
            movement = Movement(item=sku, quantity=amount, src=src, dst=target, lot=lot)
            tx = book.post(w, book.draft(TxKind.PRODUCTION, [movement], header))
            _remember(book, w, tx, header, body)
            return tx

    def cool(
        self,
        sku: str,
        quantity: Decimal | int | str,
        *,
        lot: str,
        src: str,
        dst: str,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Record cooling a harvest lot before it is initially packed (21 CFR 1.1325(b)): the
        stock moves from ``src`` into the cooler ``dst`` (a hydro-cooler, a forced-air room).

        The cooling location is the site ``dst`` belongs to and the cooling date the day of
        ``effective_at``; the farm comes from the lot's harvest, posted here with
        :meth:`harvest` or recorded with :meth:`record_harvest`.

        Args:
            sku: The commodity.
            quantity: How much was cooled, in the item's unit.
            lot: The harvest lot.
            src: Where it is (a receiving dock, the farm's bins).
            dst: The cooler.
            ref: The cooling log or record number (a ``COOLING`` reference).
            refs: Other documents.
            key: An idempotency key: a retry returns the first result.
            effective_at: When it was cooled; now when ``None``.
            actor: Who posted it.
            reason: A note.

        Raises:
            ValidationError: ``src`` or ``dst`` is not an internal location, or they are the
                same.
            InsufficientStockError: Less than ``quantity`` of the lot is at ``src``.
        """
        sku = boundary.code(sku, "sku")
        amount = boundary.quantity(quantity, "quantity")
        lot = boundary.code(lot, "lot")
        source = Position(location=boundary.path(src, "src"))
        target = Position(location=boundary.path(dst, "dst"))
        if source == target:
            raise ValidationError(
                what="dst",
                value=target.location,
                expected="a location other than src",
                advice="cooling moves the lot into the cooler: give the cooler as dst",
            )
        header = _header(TxKind.TRANSFER, "COOLING", ref, refs, key, effective_at, actor, reason)
        book = self._book
        with book.write() as w:
            _internal(w, source.location, "src")
            _internal(w, target.location, "dst")
            movement = Movement(item=sku, quantity=amount, src=source, dst=target, lot=lot)
            tx = book.post(w, book.draft(TxKind.TRANSFER, [movement], header))
            _remember(book, w, tx, header, {"cte": "cooling"})
            return tx

    def land(
        self,
        sku: str,
        quantity: Decimal | int | str,
        *,
        lot: str,
        dst: str,
        supplier: str,
        harvest_areas: Sequence[str],
        harvest_start: dt.date,
        harvest_end: dt.date | None = None,
        expiry: dt.date | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Record the first land-based receiving of a catch (21 CFR 1.1335): ``quantity`` is
        landed from the fishing vessel ``supplier`` into ``dst``, under the traceability lot
        code ``lot`` assigned here.

        The posting is a receipt from the vessel. The landing date is the day of
        ``effective_at``; the species or market name is the item's description; the TLC
        source is the site ``dst`` belongs to (its FFRN or GLN is the TLC source reference).

        Args:
            sku: The species or product.
            quantity: How much was landed, in the item's unit (``300`` kilograms).
            lot: The traceability lot code assigned to the catch.
            dst: Where it was received on land (the dock).
            supplier: The fishing vessel (a supplier party, added on first use).
            harvest_areas: Where the trip fished, in a recognised standard: NMFS Ocean
                Geographic Codes or FAO Major Fishing Areas (``["FAO 67"]``).
            harvest_start: The first day of the trip's harvest.
            harvest_end: The last day of the trip's harvest; ``harvest_start`` when ``None``.
            expiry: The lot's expiry date, if it has one.
            ref: The main document (a purchase order, a ``PO`` reference).
            refs: Other documents, e.g. ``{"CATCH CERTIFICATE": "CC-9"}``.
            key: An idempotency key: a retry returns the first result.
            effective_at: When it was landed; now when ``None``.
            actor: Who posted it.
            reason: A note.

        Raises:
            ValidationError: ``dst`` is not an internal location, no harvest area is given,
                or the harvest ends before it starts.
            IdempotencyConflictError: ``key`` was used for a landing with other areas or
                dates.
        """
        sku = boundary.code(sku, "sku")
        amount = boundary.quantity(quantity, "quantity")
        lot = boundary.code(lot, "lot")
        target = Position(location=boundary.path(dst, "dst"))
        supplier = boundary.code(supplier, "supplier")
        areas = list(dict.fromkeys(boundary.codes(harvest_areas, "harvest_areas")))
        if not areas:
            raise ValidationError(
                what="harvest_areas",
                value=harvest_areas,
                expected="at least one fishing area (an NMFS or FAO code)",
                advice="name where the trip fished, e.g. harvest_areas=['FAO 67']",
            )
        start = boundary.day(harvest_start, "harvest_start")
        end = start if harvest_end is None else boundary.day(harvest_end, "harvest_end")
        expiry = boundary.optional_day(expiry, "expiry")
        if end < start:
            raise ValidationError(
                what="harvest_end",
                value=end,
                expected=f"on or after harvest_start {start.isoformat()}",
                advice="give the first and the last day the trip harvested",
            )
        header = Header.of(
            TxKind.RECEIPT,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        body = {
            "cte": "first_land_based_receiving",
            "harvest_areas": areas,
            "harvest_start": start.isoformat(),
            "harvest_end": end.isoformat(),
        }
        book = self._book
        with book.write() as w:
            _internal(w, target.location, "dst")
            book.lot(w, sku, lot, expiry=expiry, produced_on=None, actor=header.actor)
            src = book.counterparty(w, LocationKind.SUPPLIER, supplier, header.actor)
            movement = Movement(item=sku, quantity=amount, src=src, dst=target, lot=lot)
            draft = book.draft(TxKind.RECEIPT, [movement], header, counterparty=supplier)
            tx = book.post(w, draft)
            _remember(book, w, tx, header, body)
            return tx

    def record_harvest(
        self,
        sku: str,
        lot: str,
        *,
        farm: str,
        field: str,
        harvested_on: dt.date,
        cooler: str | None = None,
        cooled_on: dt.date | None = None,
        actor: str | None = None,
    ) -> HarvestRecord:
        """Record what the grower (and the cooler) sent with a harvest lot received here
        (21 CFR 1.1325(a)(2), (b)(2)), so that its initial packing carries the farm, field,
        harvester, harvest date and cooling (1.1330(a)(4)–(10)). Recording it again replaces
        it (a correction), with who and when.

        Args:
            sku: The commodity.
            lot: The harvest lot (the grower's field tag), as received.
            farm: The supplier that harvested it (a party: its name, address and phone are the
                farm's location description and the harvester's name and phone).
            field: The field or other growing area as the grower names it (for aquacultured
                food, the pond, pool, tank or cage).
            harvested_on: The date of harvesting.
            cooler: The supplier that cooled it before packing, if another business did.
            cooled_on: The date of cooling, if it was cooled.
            actor: Who recorded it.

        Returns:
            The record.

        Raises:
            UnknownLotError: No such lot.
            ValidationError: ``farm`` or ``cooler`` is a customer; cooled before harvested.
        """
        record = HarvestRecord(
            sku=boundary.code(sku, "sku"),
            lot=boundary.code(lot, "lot"),
            farm=boundary.code(farm, "farm"),
            field=boundary.code(field, "field"),
            harvested_on=boundary.day(harvested_on, "harvested_on"),
            cooler=boundary.optional_code(cooler, "cooler"),
            cooled_on=boundary.optional_day(cooled_on, "cooled_on"),
        )
        actor = boundary.optional_code(actor, "actor")
        if record.cooled_on is not None and record.cooled_on < record.harvested_on:
            raise ValidationError(
                what="cooled_on",
                value=record.cooled_on,
                expected=f"on or after harvested_on {record.harvested_on.isoformat()}",
                advice="a commodity is cooled after it is harvested",
            )
        book = self._book
        with book.write() as w:
            if w.lot(record.sku, record.lot) is None:
                raise UnknownLotError(item=record.sku, lot=record.lot)
            for party in {record.farm, record.cooler} - {None}:
                assert party is not None
                book.party(w, party, PartyKind.SUPPLIER, actor=actor)
            key = harvest_key(record.sku, record.lot)
            old = w.document(HARVESTS, key)
            w.put_document(
                HARVESTS,
                key,
                harvest_body(record),
                version=0 if old is None else old.version,
                actor=actor,
                at=book.now(),
            )
        return record


def harvest_body(record: HarvestRecord) -> dict[str, Any]:
    """A harvest record as a document body."""
    return {
        "sku": record.sku,
        "lot": record.lot,
        "farm": record.farm,
        "field": record.field,
        "harvested_on": record.harvested_on.isoformat(),
        "cooler": record.cooler,
        "cooled_on": None if record.cooled_on is None else record.cooled_on.isoformat(),
    }


def harvest_of(body: Mapping[str, Any]) -> HarvestRecord:
    """A harvest record from its document body."""
    cooled = body.get("cooled_on")
    return HarvestRecord(
        sku=body["sku"],
        lot=body["lot"],
        farm=body["farm"],
        field=body["field"],
        harvested_on=dt.date.fromisoformat(body["harvested_on"]),
        cooler=body.get("cooler"),
        cooled_on=None if cooled is None else dt.date.fromisoformat(cooled),
    )


def _header(
    kind: TxKind,
    ref_type: str,
    ref: object,
    refs: object,
    key: object,
    effective_at: object,
    actor: object,
    reason: object,
) -> Header:
    """The header of a food event's posting, its main document typed as the event's log."""
    header = Header.of(
        kind, refs=refs, key=key, effective_at=effective_at, actor=actor, reason=reason
    )
    if ref is None:
        return header
    main = Reference(type=ref_type, number=boundary.code(ref, "ref"))
    return attrs.evolve(header, refs=(main, *header.refs))


def _internal(w: LedgerWriter, path: str, what: str) -> None:
    kind = Book.location(w, path).kind
    if kind is not LocationKind.INTERNAL:
        raise ValidationError(
            what=what,
            value=path,
            expected="an internal location (where the food is held)",
            advice=f"{path} is a {kind} location; name a location at the site",
        )


def _remember(
    book: Book, w: LedgerWriter, tx: Transaction, header: Header, body: Mapping[str, Any]
) -> None:
    """Keep the event's key data elements beside its posting; a retry with the same key
    finds them there, and one with other elements is a conflict."""
    key = str(tx.id)
    old = w.document(EVENTS, key)
    if old is None:
        w.put_document(EVENTS, key, body, version=0, actor=header.actor, at=book.now())
    elif dict(old.body) != dict(body):
        raise IdempotencyConflictError(key=header.key or "", transaction_id=tx.id)
