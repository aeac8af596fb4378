"""What the FSMA 204 rows are built from: master data looked up once each, the food events
and harvest records, a lot's trips through transit, and the gaps found on the way."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from stockline.ledger import (
    Item,
    LedgerLine,
    Location,
    LocationKind,
    Movement,
    Party,
    Transaction,
    TxKind,
)
from stockline.reports._food import EVENTS, HARVESTS, HarvestRecord, harvest_of
from stockline.reports._fsma_sheet import Cte, FsmaGap, Place

if TYPE_CHECKING:
    from stockline.ledger import LedgerReader

__all__ = ["COUNTERPARTIES", "End", "Facts", "LegKey", "Line", "TransitLegs", "lot_code"]


#: Where a shipment went or a receipt came from: a location path, and the counterparty of the
#: transaction that named it (whose party describes a supplier or customer location).
End = tuple[str, str | None]

#: A movement into or out of a transit location, as the transit legs know it: transaction,
#: serial, source and destination.
LegKey = tuple[int, str | None, str, str]

#: Kinds of counterparty locations a shipment can go to or a receipt come from (21 CFR
#: 1.1340(a)(4), 1.1345(a)(4): the recipient and the previous source, "other than a
#: transporter"); stock through a transit location is followed to one of these or a site.
COUNTERPARTIES = (LocationKind.SUPPLIER, LocationKind.CUSTOMER)


@attrs.frozen
class Line:
    """A row before master data is looked up: the event, the lot, the two places, and the
    gap (KDE and message) when one of the places is not known."""

    tx: Transaction
    cte: Cte
    role: str | None
    sku: str
    lot: str
    ship_from: End | None
    ship_to: End | None
    gap: tuple[str, str] | None = None
    #: Harvesting, cooling, first land-based receiving and the inputs of an initial packing:
    #: the site where it happened.
    at: str | None = None


@attrs.frozen
class TransitLegs:
    """A lot's trips through transit locations, paired first in first out.

    Attributes:
        loads: For each load into transit (from a site, a supplier or a customer), where
            its quantity left transit for (``None``: not yet, still in transit).
        unloads: For each unload out of transit, where its quantity had been loaded from
            (``None``: not known, the load was never posted).
    """

    loads: dict[LegKey, dict[End | None, Decimal]]
    unloads: dict[LegKey, dict[End | None, Decimal]]


@attrs.define
class _Piece:
    """A quantity in a transit location: where it was loaded from and the load that put it
    on the road (``None`` both when it left transit without ever being loaded)."""

    quantity: Decimal
    origin: End | None
    load: LegKey | None


def _pair_transit(lines: Sequence[LedgerLine], book: Facts) -> TransitLegs:
    """Pair a lot's movements into and out of transit locations: what leaves a transit
    location is what entered it first (per serial), followed through transit to transit.

    ``lines`` are the lot's movements into or out of transit, reversed ones left out, in the
    order they happened."""
    queues: dict[tuple[str, str | None], deque[_Piece]] = defaultdict(deque)
    loads: dict[LegKey, dict[End | None, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    unloads: dict[LegKey, dict[End | None, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

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
        key: LegKey = (line.transaction_id, m.serial, src, dst)
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
    return TransitLegs(loads=dict(loads), unloads=dict(unloads))


def lot_code(m: Movement) -> str:
    assert m.lot is not None, "only movements with a lot are lines"
    return m.lot


class Facts:
    """What the rows are built from, looked up once each (master data, food events, harvest
    records, a lot's movements and trips through transit), and the gaps found on the way."""

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
        self._legs: dict[tuple[str, str], TransitLegs] = {}
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
                "it as the item's description in its master data",
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

    def transit_legs(self, sku: str, lot: str) -> TransitLegs:
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
                "1.1325(b)(1)(vi), 1.1330(a)(4)-(8)) are not known; record the harvest the "
                "grower sent with the lot (farm, field, harvested_on, and cooler and cooled_on "
                "if it was cooled)",
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

    def next_stop(self, line: Line, subject: str) -> Place | None:
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
            if kind in COUNTERPARTIES:
                return self.end_place((dst, later.counterparty), line, "ship_to")
            if kind is LocationKind.TRANSIT:
                legs = self.transit_legs(line.sku, line.lot).loads
                for end in legs.get((later.transaction_id, m.serial, src, dst), {}):
                    if end is None:
                        continue
                    end_kind = self.kind(end[0])
                    if end_kind in COUNTERPARTIES:
                        return self.end_place(end, line, "ship_to")
                    if end_kind is LocationKind.INTERNAL and self.site(end[0]) != site:
                        return self.place(self.site(end[0]), None)
        what = "harvested" if line.cte is Cte.HARVESTING else "cooled"
        self.gap(
            "ship_to_location",
            subject,
            f"harvest lot {line.lot} of {line.sku} {what} in event {tx.id} has not been cooled, "
            f"packed or sent on from {site} yet, so its immediate subsequent recipient (21 CFR "
            "1.1325(a)(1)(i), (b)(1)(i)) is not known; it is named once the lot is cooled, "
            "packed or shipped",
        )
        return None

    def end_place(self, end: End, line: Line, which: str) -> Place | None:
        """The location description of a supplier or customer (or a site) a row names;
        ``None``, with a gap, for a supplier or customer location no party stands for (the
        bare ``suppliers`` or ``customers`` location of an old receipt or shipment)."""
        path, code = end
        kind = self.kind(path)
        if kind in COUNTERPARTIES and self._party_at(path, code) is None:
            subject = f"{line.sku}/{line.lot} in event {line.tx.id}"
            if which == "ship_from":
                self.gap(
                    "ship_from_location",
                    subject,
                    f"lot {line.lot} of {line.sku} came in event {line.tx.id} from {path}, "
                    f"which names no {kind}, so the immediate previous source (21 CFR "
                    "1.1345(a)(4)) is not known, nor where its traceability lot code was "
                    "assigned (1.1345(a)(7)); reverse the posting and post it again naming its "
                    f"{kind}, then record the TLC source reference the {kind} sent as the lot's "
                    "tlc_source_reference",
                )
            else:
                self.gap(
                    "ship_to_location",
                    subject,
                    f"lot {line.lot} of {line.sku} went in event {line.tx.id} to {path}, "
                    f"which names no {kind}, so the immediate subsequent recipient (21 CFR "
                    "1.1340(a)(4)) is not known; reverse the posting and post it again naming "
                    f"its {kind}",
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
                    f"of {party.kind} {party.code} in its party master data",
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
            f"of location {site} in its location master data",
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
                        "tlc_source_reference in its master data",
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
                "1.1310) is a business name, phone number and address: record the "
                f"{' and '.join(missing)} {fix}",
            )

    def gap(self, kde: str, subject: str, message: str) -> None:
        self.gaps.setdefault((kde, subject), FsmaGap(kde=kde, subject=subject, message=message))
