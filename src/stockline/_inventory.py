"""The ``Inventory``: the one object most users need."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any

import attrs

from stockline import master
from stockline.adapters import InMemoryStockStore
from stockline.allocation import Allocations
from stockline.analytics import Analytics
from stockline.epcis import Epcis
from stockline.errors import (
    DuplicateError,
    ValidationError,
)
from stockline.genealogy import (
    Component,
    Containers,
    Genealogy,
    Node,
    Output,
    RecallReport,
    Trace,
    pack,
    produce,
    recall,
    trace_downstream,
    trace_upstream,
    unpack,
)
from stockline.ledger import (
    AVAILABLE,
    MAX_DECIMALS,
    Authorizer,
    Balance,
    BalanceQuery,
    Book,
    Clock,
    Container,
    HistoryQuery,
    IntegrityReport,
    Item,
    LedgerReader,
    Location,
    LocationKind,
    Lot,
    Movement,
    NewTransaction,
    Party,
    PartyKind,
    Position,
    Reference,
    Status,
    StockStore,
    SystemClock,
    Tracking,
    Transaction,
    TxKind,
    boundary,
    check_projection,
    collector_paused,
    default_decimals,
    ensure_allocatable,
    refuse_expired,
    reversal_of,
    verify_chain,
)
from stockline.ledger.boundary import Header
from stockline.master import MasterData
from stockline.operations import (
    Counts,
    Kits,
    Picking,
    Putaway,
    Replenishment,
    Returns,
    Scanning,
    Transfers,
)
from stockline.policies import Allocation, AllocationPolicy
from stockline.reports import Food, Reports
from stockline.serials import Serials

__all__ = ["Inventory", "Refs"]

#: Business documents as ``{"PO": "PO-1", "ASN": "asn-77"}`` or as ``Reference`` records.
Refs = Mapping[str, str] | Sequence[Reference]


def _into_book(inv: Inventory, attribute: attrs.Attribute[Any], value: Any) -> Any:
    # The book is what every feature posts through: keep it in step with the fields.
    setattr(inv._book, attribute.name, value)
    return value


@attrs.define(repr=False)
class Inventory:
    """A stock ledger: master data, postings and queries over one store.

    With no store it keeps everything in memory (:class:`~stockline.adapters.InMemoryStockStore`);
    :meth:`open` opens a database. Every posting method returns the posted
    :class:`~stockline.Transaction` and raises a :class:`~stockline.errors.StocklineError` subclass,
    leaving the ledger as it was, when a rule is broken.

    Example:
        >>> import stockline as sl
        >>> inv = sl.Inventory()
        >>> _ = inv.add_item(sku="BOLT-8", unit="EA")
        >>> _ = inv.add_location("DC1/A/01")
        >>> _ = inv.receive("BOLT-8", 100, dst="DC1/A/01", supplier="ACME")
        >>> inv.on_hand("BOLT-8", location="DC1")
        Decimal('100')

    Args:
        store: Where the ledger is kept; a new in-memory store when ``None``.
        clock: Where "now" comes from; the system clock in UTC when ``None``.
        authorizer: Asked before every posting whether its actor may post it (see
            :class:`~stockline.Authorizer`); with one, every posting must name its actor.
    """

    store: StockStore = attrs.field(factory=InMemoryStockStore, on_setattr=_into_book)
    clock: Clock = attrs.field(factory=SystemClock, on_setattr=_into_book)
    authorizer: Authorizer | None = attrs.field(default=None, kw_only=True, on_setattr=_into_book)
    #: The posting context every feature posts and reads through.
    _book: Book = attrs.field(init=False)
    #: Master data look-ups and corrections: ``inv.master.item("ASP-100")``.
    master: MasterData = attrs.field(init=False)
    #: Cycle counts and stock takes: ``inv.counts.open(...)``, ``record``, ``close``, ...
    counts: Counts = attrs.field(init=False)
    #: Receiving and picking by GS1 scan: ``inv.scanning.receive(...)``, ``verify_pick``.
    scanning: Scanning = attrs.field(init=False)
    #: EPCIS 2.0 export, and receipts announced by EPCIS (:class:`~stockline.epcis.Epcis`).
    epcis: Epcis = attrs.field(init=False)
    #: FSMA 204 and recall and trace workbooks (:class:`~stockline.reports.Reports`).
    reports: Reports = attrs.field(init=False)
    #: FSMA 204 harvesting, cooling, first land-based receiving (:class:`~stockline.reports.Food`).
    food: Food = attrs.field(init=False)
    #: Stock-flow analytics (:class:`~stockline.analytics.Analytics`).
    analytics: Analytics = attrs.field(init=False)
    #: Containers (SSCC pallets and cases): create, nest, move, ship, contents, history.
    containers: Containers = attrs.field(init=False)
    #: Lot relabel, split and merge, serial paths, recall containment and release.
    genealogy: Genealogy = attrs.field(init=False)
    #: Reservations for orders: policies, allocation, ATP, pick, ship, release.
    allocation: Allocations = attrs.field(init=False)
    #: Min/max replenishment of pick faces: rules, proposals, posting.
    replenishment: Replenishment = attrs.field(init=False)
    #: Kits: every component of a bill of materials reserved together, or none.
    kits: Kits = attrs.field(init=False)
    #: Serial pools per GTIN and the SSCC allocator (:class:`~stockline.serials.Serials`).
    serials: Serials = attrs.field(init=False)
    #: Waves of orders: pick lists per zone, picking by scan to staging, shipping staged orders.
    picking: Picking = attrs.field(init=False)
    #: Customer returns against their shipments, dispositions, returns to suppliers.
    returns: Returns = attrs.field(init=False)
    #: Directed put-away: storage profiles, bin rules, suggestions, confirmation by scan.
    putaway: Putaway = attrs.field(init=False)
    #: Transfer orders between sites: ship into transit, receive in parts, over/short.
    transfers: Transfers = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._book = Book(store=self.store, clock=self.clock, authorizer=self.authorizer)
        self.master = MasterData(self._book)
        self.counts = Counts(self._book)
        self.scanning = Scanning(self._book)
        self.epcis = Epcis(self._book)
        self.reports = Reports(self._book)
        self.food = Food(self._book)
        self.analytics = Analytics(self._book)
        self.containers = Containers(self._book)
        self.genealogy = Genealogy(self._book)
        self.allocation = Allocations(self._book)
        self.replenishment = Replenishment(self._book, self.allocation)
        self.kits = Kits(self._book, self.allocation)
        self.serials = Serials(self._book)
        self.picking = Picking(self._book, self.allocation, self.scanning)
        self.returns = Returns(self._book)
        self.putaway = Putaway(self._book)
        self.transfers = Transfers(self._book, self.allocation)

    def __repr__(self) -> str:
        return f"<Inventory store={self.store!r}>"

    @classmethod
    def open(
        cls,
        url: str,
        *,
        clock: Clock | None = None,
        authorizer: Authorizer | None = None,
        **engine_options: Any,
    ) -> Inventory:
        """Open (and create or migrate) the database at ``url``.

        Args:
            url: A SQLAlchemy URL: ``sqlite:///stock.db`` (a file), ``sqlite://`` (memory), or
                ``postgresql+psycopg://user@host/db``.
            clock: Where "now" comes from; the system clock when ``None``.
            authorizer: Asked before every posting (see :class:`~stockline.Authorizer`).
            **engine_options: Passed to :func:`sqlalchemy.create_engine`.
        """
        from stockline.adapters.sqlalchemy import SqlAlchemyStockStore

        url = boundary.code(url, "url")
        store = SqlAlchemyStockStore.open(url, **engine_options)
        return cls(store=store, clock=clock or SystemClock(), authorizer=authorizer)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Inventory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- master data ---------------------------------------------------------------------

    def add_item(
        self,
        sku: str,
        *,
        gtin: str | None = None,
        description: str = "",
        unit: str = "EA",
        decimals: int | None = None,
        tracking: Tracking | str = Tracking.NONE,
        shelf_life_days: int | None = None,
        packs: Iterable[tuple[str, int]] = (),
        actor: str | None = None,
    ) -> Item:
        """Add an item; adding the same item again with the same fields does nothing.

        Args:
            sku: Your code for the item.
            gtin: Its GTIN (8, 12, 13 or 14 digits; stored as GTIN-14, check digit verified).
            description: A human-readable name.
            unit: The base unit, a UN/ECE Rec 20 code (``EA``, ``KGM``, ``LTR``, ...).
            decimals: Decimal places a quantity may have; by default 0 for counted units and 3
                for measured ones. Give it for a Rec 20 code stockline does not list.
            tracking: ``"none"``, ``"lot"`` or ``"serial"``.
            shelf_life_days: Days from production to expiry (defaults a new lot's expiry).
            packs: Packaging levels as ``(gtin or name, units)``, e.g. ``[("19506000134359", 12)]``.
            actor: Who adds it (recorded with the change).

        Raises:
            ValidationError: A bad GTIN, unit, tracking or pack.
            DuplicateError: The SKU exists with different fields (change it with
                ``inv.master.update_item``).
        """
        unit = boundary.code(unit, "unit")
        if decimals is None:
            decimals = default_decimals(unit)
            if decimals is None:
                raise ValidationError(
                    f"unit {unit!r} is not one stockline knows; if it is a valid UN/ECE Rec 20 "
                    "code, pass decimals= to say how finely it is counted"
                )
        decimals = boundary.whole(decimals, "decimals")
        if decimals > MAX_DECIMALS:
            raise ValidationError(f"decimals must be between 0 and {MAX_DECIMALS}, got {decimals}")
        item = Item(
            sku=boundary.code(sku, "sku"),
            gtin=None if gtin is None else master.gtin14(gtin),
            description=boundary.note(description, "description"),
            unit=unit,
            decimals=decimals,
            tracking=boundary.choice(tracking, Tracking, "tracking"),
            shelf_life_days=(
                None
                if shelf_life_days is None
                else boundary.whole(shelf_life_days, "shelf_life_days", maximum=boundary.MAX_DAYS)
            ),
            packs=master.packs(packs),
        )
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            master.check_gtins_free(w, item)
            return self._book.add(w, w.item(item.sku), item, actor, "inv.master.update_item()")

    def add_location(
        self,
        path: str,
        *,
        kind: LocationKind | str = LocationKind.INTERNAL,
        description: str = "",
        gln: str | None = None,
        pick_sequence: int = 0,
        address: str = "",
        phone: str = "",
        ffrn: str | None = None,
        actor: str | None = None,
    ) -> Location:
        """Add a location and any missing parents (``DC1`` and ``DC1/A`` for ``DC1/A/01``).

        Args:
            path: The location's path, segments joined by ``/``.
            kind: ``internal`` (real stock, never negative) or a counterparty kind
                (``supplier``, ``customer``, ``production``, ``scrap``, ``adjustment``,
                ``transit``). Missing parents get the same kind.
            description: A human-readable name (used in reports).
            gln: The site's GS1 GLN (13 digits).
            pick_sequence: Where it comes in a picker's walk (lower first).
            address: The postal address, as one text (for reports such as FSMA 204).
            phone: A telephone number.
            ffrn: The site's FDA Food Facility Registration Number.
            actor: Who adds it.
        """
        location = Location(
            path=boundary.path(path, "path"),
            kind=boundary.choice(kind, LocationKind, "location kind"),
            description=boundary.note(description, "description"),
            gln=boundary.optional_code(gln, "gln"),
            pick_sequence=boundary.whole(pick_sequence, "pick_sequence", minimum=-(2**31)),
            address=boundary.note(address, "address"),
            phone=boundary.note(phone, "phone"),
            ffrn=boundary.optional_code(ffrn, "ffrn"),
        )
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            self._book.ensure_parents(w, location, actor)
            existing = w.location(location.path)
            return self._book.add(w, existing, location, actor, "inv.master.update_location()")

    def add_party(
        self,
        code: str,
        *,
        kind: PartyKind | str,
        name: str = "",
        gln: str | None = None,
        address: str = "",
        phone: str = "",
        actor: str | None = None,
    ) -> Party:
        """Add a supplier or customer, or give one its name, GLN, address or phone.

        Parties named in a posting are added on first use; call this to complete them. Fields
        left empty keep what the party has.

        Args:
            code: The party's code.
            kind: ``supplier`` or ``customer``.
            name: Its name.
            gln: Its GS1 GLN.
            address: Its postal address, as one text.
            phone: A telephone number.
            actor: Who adds it.
        """
        code = boundary.code(code, "party code")
        party_kind = boundary.choice(kind, PartyKind, "party kind")
        name = boundary.note(name, "name")
        gln = boundary.optional_code(gln, "gln")
        address, phone = boundary.note(address, "address"), boundary.note(phone, "phone")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            return self._book.party(
                w, code, party_kind, name=name, gln=gln, address=address, phone=phone, actor=actor
            )

    def add_lot(
        self,
        sku: str,
        code: str,
        *,
        expiry: dt.date | None = None,
        produced_on: dt.date | None = None,
        tlc_source_reference: str | None = None,
        actor: str | None = None,
    ) -> Lot:
        """Add a lot of a lot- or serial-tracked item. Receipts add lots themselves.

        Args:
            sku: The item.
            code: The lot code.
            expiry: Its expiry date.
            produced_on: Its production date (the expiry defaults to it plus the item's shelf
                life).
            tlc_source_reference: Where the lot code was assigned, if not here (a GLN, FFRN or
                URL, as the shipper sent it): the FSMA 204 TLC source reference.
            actor: Who adds it.
        """
        sku, code = boundary.code(sku, "sku"), boundary.code(code, "lot")
        expiry = boundary.optional_day(expiry, "expiry")
        produced_on = boundary.optional_day(produced_on, "produced_on")
        source = boundary.optional_code(tlc_source_reference, "tlc_source_reference")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            lot = self._book.lot(w, sku, code, expiry=expiry, produced_on=produced_on, actor=actor)
            if source is not None and lot.tlc_source_reference is None:
                lot = attrs.evolve(lot, tlc_source_reference=source)
                self._book.save(w, lot, actor)
            elif source not in (None, lot.tlc_source_reference):
                raise DuplicateError(
                    f"lot {code} of {sku} has TLC source reference {lot.tlc_source_reference!r}, "
                    f"not {source!r}; use inv.master.update_lot() to change it"
                )
            return lot

    def add_status(
        self,
        name: str,
        *,
        allocatable: bool = False,
        description: str = "",
        actor: str | None = None,
    ) -> Status:
        """Add a stock status of your own (e.g. ``"inspection"``).

        Args:
            name: The status's name.
            allocatable: Whether stock in it may be allocated and shipped.
            description: What it means.
            actor: Who adds it.
        """
        status = Status(
            name=boundary.code(name, "status"),
            allocatable=boundary.flag(allocatable, "allocatable"),
            description=boundary.note(description, "description"),
        )
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            return self._book.add(w, w.status(status.name), status, actor, "another name")

    def add_container(
        self, code: str, *, kind: str = "pallet", actor: str | None = None
    ) -> Container:
        """Register a container (handling unit) so positions can name it.

        Args:
            code: The container's code (an SSCC, a tote number, ...).
            kind: What it is (``pallet``, ``case``, ``tote``, ...).
            actor: Who adds it.
        """
        container = Container(
            code=boundary.code(code, "container"), kind=boundary.code(kind, "container kind")
        )
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            return self._book.add(w, w.container(container.code), container, actor, "another code")

    # -- posting -------------------------------------------------------------------------

    def post(self, draft: NewTransaction) -> Transaction:
        """Post a transaction built by hand; all its movements or none.

        Raises:
            ValidationError: ``draft`` is not a :class:`NewTransaction`, or a field of it is
                not canonical (see :mod:`stockline.ledger.boundary`).
        """
        canonical = boundary.draft(draft)
        with self._book.write() as w:
            return self._book.post(w, canonical)

    def post_many(self, drafts: Iterable[NewTransaction]) -> list[Transaction]:
        """Post several transactions in one database transaction: all of them, or none.

        Much faster than posting one by one (one commit instead of many), for imports and
        batch jobs.

        Raises:
            ValidationError: ``drafts`` is not an iterable of :class:`NewTransaction`, or a
                field of one is not canonical.
        """
        if isinstance(drafts, str | bytes | NewTransaction) or not isinstance(drafts, Iterable):
            raise ValidationError(
                f"post_many takes a list of NewTransaction, got {type(drafts).__name__}"
            )
        with collector_paused():
            batch = [boundary.draft(d) for d in drafts]
            with self._book.write() as w:
                return self._book.post_many(w, batch)

    def receive(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        dst: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        expiry: dt.date | None = None,
        produced_on: dt.date | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        supplier: str,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
        allow_expired: bool = False,
    ) -> Transaction:
        """Receive stock from a supplier into ``dst`` (supplier → ``dst``).

        A new lot is created with its expiry (or production date plus the item's shelf life);
        a known lot received with a different expiry is refused, and so is a lot already
        expired on the day it is received, unless ``allow_expired=True`` with a ``reason``.
        For serial-tracked items give ``serial=`` or ``serials=[...]`` (the quantity then
        defaults to their number).

        Args:
            sku: The item.
            quantity: How much, in the item's base unit (``Decimal``, ``int`` or decimal text).
            dst: The receiving location (usually a dock).
            lot: The lot code (lot-tracked items).
            serial: One serial number.
            serials: Several serial numbers.
            expiry: The lot's expiry date.
            produced_on: The lot's production date.
            status: The status to receive into (``quarantine`` where quality releases goods).
            container: A container (pallet) the goods arrive in.
            supplier: The supplier's code (added on first use). Required: a receipt always
                names where the goods came from, the traceability source FSMA 204 asks for.
            ref: The purchase order number (a ``PO`` reference).
            refs: Other documents, e.g. ``{"ASN": "asn-77"}``.
            key: An idempotency key (e.g. the ASN line): a retry returns the first result.
            effective_at: When the goods arrived; now when ``None``.
            actor: Who posted it.
            reason: A note; required with ``allow_expired``.
            allow_expired: Receive a lot already expired on the day it arrives (into
                ``status="expired"``, say) instead of refusing it.

        Raises:
            ExpiredProductError: The lot expired before the day it is received.
            ValidationError: The lot's expiry is before its production date, or
                ``allow_expired=True`` without a reason.
        """
        sku = boundary.code(sku, "sku")
        lines = boundary.serial_lines(sku, quantity, serial, serials)
        lot = boundary.optional_code(lot, "lot")
        expiry = boundary.optional_day(expiry, "expiry")
        produced_on = boundary.optional_day(produced_on, "produced_on")
        supplier = boundary.code(supplier, "supplier")
        target = _position(dst, status, container, "dst")
        header = Header.of(
            TxKind.RECEIPT,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        allow_expired = boundary.allowance(allow_expired, "allow_expired", header.reason)
        if lot is None and expiry is not None:
            raise ValidationError(f"an expiry belongs to a lot; give lot= with expiry= for {sku}")
        book = self._book
        with book.write() as w:
            if lot is not None:
                record = book.lot(
                    w, sku, lot, expiry=expiry, produced_on=produced_on, actor=header.actor
                )
                _check_fresh(record, header, book.now(), allow_expired)
            src = book.counterparty(w, LocationKind.SUPPLIER, supplier, header.actor)
            movements = [
                Movement(item=sku, quantity=q, src=src, dst=target, lot=lot, serial=s)
                for q, s in lines
            ]
            draft = book.draft(TxKind.RECEIPT, movements, header, counterparty=supplier)
            return book.post(w, draft)

    def move(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        src: str,
        dst: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        status: str = AVAILABLE,
        dst_status: str | None = None,
        container: str | None = None,
        dst_container: str | None = None,
        kind: TxKind | str = TxKind.TRANSFER,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Move stock from one internal position to another (put-away, replenishment, ...).

        Both ends are internal or transit locations: stock leaves or arrives through the verb
        meant for it (:meth:`ship`, :meth:`scrap`, :meth:`adjust`, :meth:`receive`).

        Args:
            sku: The item.
            quantity: How much (or leave it out and give serials).
            src: Where the stock is.
            dst: Where it goes.
            lot: The lot code.
            serial: One serial number.
            serials: Several serial numbers.
            status: The stock's status at ``src``.
            dst_status: Its status at ``dst``; the same as ``status`` when ``None``.
            container: The container it is in at ``src``, if any.
            dst_container: The container it goes into at ``dst``, if any.
            kind: What the move records (``transfer``, ``pick``, ...).
            ref: The main document.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When it happened; now when ``None``.
            actor: Who posted it.
            reason: A note.

        Raises:
            ValidationError: ``src`` or ``dst`` is a counterparty location (a customer,
                supplier, scrap, ...); the message names the verb meant for it.
        """
        sku = boundary.code(sku, "sku")
        lines = boundary.serial_lines(sku, quantity, serial, serials)
        lot = boundary.optional_code(lot, "lot")
        source = _position(src, status, container, "src")
        target = _position(
            dst,
            source.status if dst_status is None else dst_status,
            dst_container,
            "dst",
        )
        tx_kind = boundary.choice(kind, TxKind, "kind")
        header = Header.of(
            tx_kind,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        movements = [
            Movement(item=sku, quantity=q, src=source, dst=target, lot=lot, serial=s)
            for q, s in lines
        ]
        with self._book.write() as w:
            _check_internal(w, source.location, "src")
            _check_internal(w, target.location, "dst")
            return self._book.post(w, self._book.draft(tx_kind, movements, header))

    def ship(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        src: str,
        customer: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        status: str = AVAILABLE,
        container: str | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Ship stock to a customer (``src`` → the customer). Only allocatable stock ships.

        Args:
            sku: The item.
            quantity: How much (or leave it out and give serials).
            src: Where the stock is.
            customer: The customer's code (added on first use); required.
            lot: The lot code.
            serial: One serial number.
            serials: Several serial numbers.
            status: The stock's status (it must be one that may be allocated).
            container: The container it is in, if any.
            ref: The sales order number (an ``SO`` reference).
            refs: Other documents, e.g. ``{"BOL": "B-1"}``.
            key: An idempotency key.
            effective_at: When it left; now when ``None``.
            actor: Who posted it.
            reason: A note.

        Raises:
            StatusError: The stock is in a status that may not ship (``hold``, ...).
        """
        sku = boundary.code(sku, "sku")
        lines = boundary.serial_lines(sku, quantity, serial, serials)
        lot = boundary.optional_code(lot, "lot")
        customer = boundary.code(customer, "customer")
        source = _position(src, status, container, "src")
        header = Header.of(
            TxKind.SHIPMENT,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        book = self._book
        with book.write() as w:
            ensure_allocatable(w, source, "ship")
            dst = book.counterparty(w, LocationKind.CUSTOMER, customer, header.actor)
            movements = [
                Movement(item=sku, quantity=q, src=source, dst=dst, lot=lot, serial=s)
                for q, s in lines
            ]
            draft = book.draft(TxKind.SHIPMENT, movements, header, counterparty=customer)
            return book.post(w, draft)

    def change_status(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        location: str,
        status: str,
        dst_status: str,
        reason: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        container: str | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Move stock from ``status`` to ``dst_status`` at the same place; a reason is
        required.

        Args:
            sku: The item.
            quantity: How much (or leave it out and give serials).
            location: Where the stock is.
            status: Its status now.
            dst_status: The status it goes to.
            reason: Why (recorded on the transaction).
            lot: The lot code.
            serial: One serial number.
            serials: Several serial numbers.
            container: The container it is in, if any.
            ref: The main document.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When it happened; now when ``None``.
            actor: Who posted it.
        """
        sku = boundary.code(sku, "sku")
        lines = boundary.serial_lines(sku, quantity, serial, serials)
        lot = boundary.optional_code(lot, "lot")
        src = _position(location, status, container, "location")
        dst = attrs.evolve(src, status=boundary.code(dst_status, "dst_status"))
        header = Header.of(
            TxKind.STATUS_CHANGE,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=boundary.note(reason, "reason"),
        )
        movements = [
            Movement(item=sku, quantity=q, src=src, dst=dst, lot=lot, serial=s) for q, s in lines
        ]
        with self._book.write() as w:
            return self._book.post(w, self._book.draft(TxKind.STATUS_CHANGE, movements, header))

    def hold(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        location: str,
        reason: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        status: str = AVAILABLE,
        dst_status: str = "hold",
        container: str | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Put stock on hold (``available`` → ``hold`` unless told otherwise): a
        :meth:`change_status` with those defaults. A reason is required."""
        return self.change_status(
            sku,
            quantity,
            location=location,
            status=status,
            dst_status=dst_status,
            reason=reason,
            lot=lot,
            serial=serial,
            serials=serials,
            container=container,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
        )

    def release(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        location: str,
        reason: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        status: str = "hold",
        dst_status: str = AVAILABLE,
        container: str | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Release held stock (``hold`` → ``available`` unless told otherwise): a
        :meth:`change_status` with those defaults. A reason is required."""
        return self.change_status(
            sku,
            quantity,
            location=location,
            status=status,
            dst_status=dst_status,
            reason=reason,
            lot=lot,
            serial=serial,
            serials=serials,
            container=container,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
        )

    def adjust(
        self,
        sku: str,
        quantity: Decimal | int | str,
        *,
        location: str,
        reason: str,
        lot: str | None = None,
        serial: str | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        ref: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Correct stock by a signed ``quantity`` (positive: found more; negative: found
        less), against the ``adjustment`` location. A reason is required.

        Args:
            sku: The item.
            quantity: The difference, not zero: ``Decimal``, ``int`` or decimal text.
            location: Where the stock is.
            reason: Why (recorded on the transaction).
            lot: The lot code.
            serial: The serial number.
            status: The stock's status.
            container: The container it is in, if any.
            ref: The main document.
            key: An idempotency key.
            effective_at: When it was found; now when ``None``.
            actor: Who posted it.
        """
        sku = boundary.code(sku, "sku")
        amount = _signed(quantity)
        here = _position(location, status, container, "location")
        header = Header.of(
            TxKind.ADJUSTMENT,
            ref=ref,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=boundary.note(reason, "reason"),
        )
        movement_of = functools.partial(
            Movement,
            item=sku,
            quantity=abs(amount),
            lot=boundary.optional_code(lot, "lot"),
            serial=boundary.optional_code(serial, "serial"),
        )
        book = self._book
        with book.write() as w:
            there = book.counterparty(w, LocationKind.ADJUSTMENT, None, header.actor)
            src, dst = (there, here) if amount > 0 else (here, there)
            draft = book.draft(TxKind.ADJUSTMENT, [movement_of(src=src, dst=dst)], header)
            return book.post(w, draft)

    def scrap(
        self,
        sku: str,
        quantity: Decimal | int | str | None = None,
        *,
        location: str,
        reason: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        status: str = AVAILABLE,
        container: str | None = None,
        ref: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Write stock off to the ``scrap`` location; a reason is required.

        Args:
            sku: The item.
            quantity: How much (or leave it out and give serials).
            location: Where the stock is.
            reason: Why (recorded on the transaction).
            lot: The lot code.
            serial: One serial number.
            serials: Several serial numbers.
            status: The stock's status (any status may be scrapped).
            container: The container it is in, if any.
            ref: The main document.
            key: An idempotency key.
            effective_at: When it happened; now when ``None``.
            actor: Who posted it.
        """
        sku = boundary.code(sku, "sku")
        lines = boundary.serial_lines(sku, quantity, serial, serials)
        lot = boundary.optional_code(lot, "lot")
        src = _position(location, status, container, "location")
        header = Header.of(
            TxKind.SCRAP,
            ref=ref,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=boundary.note(reason, "reason"),
        )
        book = self._book
        with book.write() as w:
            dst = book.counterparty(w, LocationKind.SCRAP, None, header.actor)
            movements = [
                Movement(item=sku, quantity=q, src=src, dst=dst, lot=lot, serial=s)
                for q, s in lines
            ]
            return book.post(w, book.draft(TxKind.SCRAP, movements, header))

    def reverse(
        self,
        tx_id: int,
        *,
        reason: str,
        actor: str | None = None,
        effective_at: dt.datetime | None = None,
        key: str | None = None,
    ) -> Transaction:
        """Post the reversal of transaction ``tx_id``: every movement mirrored, linked to it.

        The reversal is effective at the original's effective time unless ``effective_at`` is
        given; it is checked like any posting, so a receipt whose goods already left cannot be
        reversed (reverse the later movements first).

        Raises:
            ValidationError: ``tx_id`` is not a whole number of at least 1.
            ReversalError: It was already reversed, or is itself a reversal.
            InsufficientStockError: The stock the original brought is no longer there.
        """
        tx_id = boundary.whole(tx_id, "tx_id", minimum=1, maximum=boundary.MAX_ID)
        why = boundary.note(reason, "reason")
        header = Header.of(
            TxKind.REVERSAL, key=key, effective_at=effective_at, actor=actor, reason=why
        )
        with self._book.write() as w:
            draft = reversal_of(
                w,
                tx_id,
                reason=why,
                actor=header.actor,
                effective_at=header.effective_at,
                key=header.key,
            )
            return self._book.post(w, draft)

    # -- genealogy -----------------------------------------------------------------------

    def produce(
        self,
        *,
        consume: Sequence[Component],
        output: Sequence[Output],
        links: Sequence[tuple[int, int]] | None = None,
        line: str | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Post one production: ``consume`` goes into production, ``output`` comes out of it.

        Every consumed lot or serial is linked to every output (the edge carries the quantity
        consumed), unless ``links`` gives (component index, output index) pairs. New output
        lots are created with their expiry.

        Args:
            consume: What is consumed (:class:`~stockline.Component`).
            output: What is made (:class:`~stockline.Output`).
            links: Which component went into which output; all into all when ``None``.
            line: The production line (a location under ``production``).
            ref: The work order (a ``WO`` reference).
            refs: Other documents.
            key: An idempotency key.
            effective_at: When it was made; now when ``None``.
            actor: Who posts it.
            reason: A note.

        Returns:
            The production transaction.

        Raises:
            GenealogyError: An output would become its own ancestor.
            InsufficientStockError: A component is not there.
        """
        return produce(
            self._book,
            consume=consume,
            output=output,
            links=links,
            line=line,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    def pack(
        self,
        sku: str,
        quantity: object = None,
        *,
        container: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        location: str | None = None,
        status: str = AVAILABLE,
        src_container: str | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Pack stock into ``container`` where the container is (or at ``location`` for an
        empty one).

        Args:
            sku: The item.
            quantity: How much; for serials, their number (the default).
            container: The container packed into.
            lot: The lot.
            serial: One serial.
            serials: Several serials.
            location: Where to pack, for an empty container that is nowhere yet.
            status: The status of the stock.
            src_container: The container the stock comes from; loose stock when ``None``.
            ref: The main document.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: A note.

        Returns:
            The pack transaction.

        Raises:
            ContainerError: The container is elsewhere than ``location``.
        """
        return pack(
            self._book,
            sku,
            quantity,
            container=container,
            lot=lot,
            serial=serial,
            serials=serials,
            location=location,
            status=status,
            src_container=src_container,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    def unpack(
        self,
        sku: str | None = None,
        quantity: object = None,
        *,
        container: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        child: str | None = None,
        status: str = AVAILABLE,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Take stock (``sku`` ...), a packed container (``child=``) or, with neither,
        everything directly inside out of ``container``; it stays where the container is.

        Args:
            sku: The item to take out.
            quantity: How much; for serials, their number (the default).
            container: The container unpacked.
            lot: The lot.
            serial: One serial.
            serials: Several serials.
            child: A container packed inside to take out.
            status: The status of the stock.
            ref: The main document.
            refs: Other documents.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: A note.

        Returns:
            The unpack transaction.

        Raises:
            ContainerError: What is asked for is not inside the container.
        """
        return unpack(
            self._book,
            sku,
            quantity,
            container=container,
            lot=lot,
            serial=serial,
            serials=serials,
            child=child,
            status=status,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    def trace_downstream(
        self,
        sku: str,
        lot: str | None = None,
        *,
        serial: str | None = None,
        as_of: dt.datetime | None = None,
    ) -> Trace:
        """Everything made from a lot or serial, every shipment of it, and where it is now.

        Args:
            sku: The item.
            lot: The lot (or give ``serial``).
            serial: The serial.
            as_of: Trace the ledger as it was at this effective time; now when ``None``.

        Returns:
            The trace, a plain value.

        Raises:
            UnknownLotError: The lot is not known.
        """
        return trace_downstream(self._book, sku, lot, serial=serial, as_of=as_of)

    def trace_upstream(
        self,
        sku: str,
        lot: str | None = None,
        *,
        serial: str | None = None,
        as_of: dt.datetime | None = None,
    ) -> Trace:
        """Everything a lot or serial was made from, back to the suppliers' receipts.

        Args:
            sku: The item.
            lot: The lot (or give ``serial``).
            serial: The serial.
            as_of: Trace the ledger as it was at this effective time; now when ``None``.

        Returns:
            The trace, a plain value.

        Raises:
            UnknownLotError: The lot is not known.
        """
        return trace_upstream(self._book, sku, lot, serial=serial, as_of=as_of)

    def recall(
        self,
        *lots: Node | tuple[str, str],
        reason: str,
        as_of: dt.datetime | None = None,
        recall_id: str | None = None,
    ) -> RecallReport:
        """Trace the recalled lots (``("ASP-100", "L24B")``) or serials (``Node(...)``)
        downstream and report affected lots, customers, stock on hand and in transit.

        ``inv.genealogy.contain(report)`` then puts every affected available position on hold.

        Args:
            *lots: The recalled lots or serials.
            reason: Why; it goes on every hold the containment posts.
            as_of: Trace the ledger as it was at this effective time; now when ``None``.
            recall_id: The recall's id; by default one derived from the lots and the reason.

        Returns:
            The report, a plain value.

        Raises:
            ValidationError: No lot named, or an empty reason.
        """
        return recall(self._book, *lots, reason=reason, as_of=as_of, recall_id=recall_id)

    # -- queries -------------------------------------------------------------------------

    def on_hand(
        self,
        sku: str | None = None,
        *,
        lot: str | None = None,
        serial: str | None = None,
        location: str | None = None,
        status: str | None = None,
        container: str | None = None,
        as_of: dt.datetime | None = None,
        known_at: dt.datetime | None = None,
    ) -> Decimal:
        """Return the quantity on hand in internal locations matching every filter given.

        ``location`` includes everything below it in the tree; a transit location (a
        transfer order's, say) gives what is in transit there. ``as_of`` answers for an
        effective time in the past; ``known_at`` with it counts only what had been recorded by
        then.
        """
        query = self._query(sku, lot, serial, location, status, container, as_of, known_at)
        with self._book.read() as r:
            self._check_query(r, query)
            if query.location is not None:
                # Naming a transit location asks for what is in transit there.
                kind = Book.location(r, query.location).kind
                query = attrs.evolve(query, internal_only=kind is not LocationKind.TRANSIT)
            return r.total(query)

    def stock(
        self,
        sku: str | None = None,
        *,
        lot: str | None = None,
        serial: str | None = None,
        location: str | None = None,
        status: str | None = None,
        container: str | None = None,
        as_of: dt.datetime | None = None,
        known_at: dt.datetime | None = None,
        internal_only: bool = True,
    ) -> list[Balance]:
        """Return the non-zero balances matching every filter given, one per position."""
        query = attrs.evolve(
            self._query(sku, lot, serial, location, status, container, as_of, known_at),
            internal_only=boundary.flag(internal_only, "internal_only"),
        )
        with self._book.read() as r:
            self._check_query(r, query)
            return r.balances(query)

    def history(
        self,
        sku: str | None = None,
        *,
        lot: str | None = None,
        serial: str | None = None,
        location: str | None = None,
        container: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int | None = None,
    ) -> list[Transaction]:
        """Return the transactions that moved matching stock, by effective time."""
        query = HistoryQuery(
            item=boundary.optional_code(sku, "sku"),
            lot=boundary.optional_code(lot, "lot"),
            serial=boundary.optional_code(serial, "serial"),
            location=None if location is None else boundary.path(location, "location"),
            container=boundary.optional_code(container, "container"),
            since=boundary.optional_moment(since, "since"),
            until=boundary.optional_moment(until, "until"),
            limit=None
            if limit is None
            else boundary.whole(limit, "limit", minimum=1, maximum=boundary.MAX_ID),
        )
        with self._book.read() as r:
            return r.history(query)

    def transaction(self, tx_id: int) -> Transaction:
        """Return a posted transaction.

        Raises:
            UnknownTransactionError: No such id.
        """
        tx_id = boundary.whole(tx_id, "tx_id", minimum=1, maximum=boundary.MAX_ID)
        with self._book.read() as r:
            return self._book.transaction(r, tx_id)

    def changes(self, *, after: int = 0, limit: int = 1000) -> list[Transaction]:
        """Return up to ``limit`` transactions posted after id ``after``, in posting order.

        The change feed for keeping an ERP or MES in step: remember the last id you processed
        and ask for what came after it.
        """
        after = boundary.whole(after, "after", maximum=boundary.MAX_ID)
        limit = boundary.whole(limit, "limit", minimum=1, maximum=boundary.MAX_ID)
        with self._book.read() as r:
            return r.transactions(after=after, limit=limit)

    # -- allocation ----------------------------------------------------------------------

    def allocate(
        self,
        sku: str,
        quantity: object,
        *,
        order: str,
        line: str | None = None,
        policy: AllocationPolicy | None = None,
        lot: str | None = None,
        min_shelf_life_days: int = 0,
        zones: Sequence[str] = (),
        preferred_zones: Sequence[str] = (),
        pack_size: Decimal | int | None = None,
        whole_packs: bool | str = False,
        all_or_nothing: bool = False,
        at: dt.date | None = None,
        attributes: Mapping[str, object] | None = None,
        actor: str | None = None,
    ) -> Allocation:
        """Allocate ``quantity`` of ``sku`` to an order line and reserve the picked stock.

        The same as ``inv.allocation.allocate``
        (:meth:`~stockline.allocation.Allocations.allocate`, which documents every rule); pick,
        ship and release what it reserved with ``inv.allocation``.

        Args:
            sku: The item.
            quantity: How much, in the item's base unit.
            order: The order the stock is reserved for.
            line: The order line, if reservations are kept per line.
            policy: Overrides the item's policy (``inv.allocation.policy(sku)``) for this call.
            lot: Only this lot.
            min_shelf_life_days: Days of shelf life a lot must have left on ``at``.
            zones: Location prefixes stock may come from; anywhere if empty.
            preferred_zones: Location prefixes to pick from first.
            pack_size: Allocate in multiples of this.
            whole_packs: Allocate whole packs of the item: ``True`` for its smallest pack, or
                a pack's name or GTIN.
            all_or_nothing: Raise instead of reserving a partial allocation.
            at: The date expiry is judged on; today (by the clock, UTC) if ``None``.
            attributes: Facts for custom policies (``Demand.attributes``).
            actor: Who allocates (recorded on the reservations).

        Returns:
            The allocation: picks (each reserved) and the shortfall, as a value.

        Raises:
            AllocationShortfallError: ``all_or_nothing`` and not everything could be
                allocated; nothing was reserved.
            UnknownItemError: No such item.
        """
        return self.allocation.allocate(
            sku,
            quantity,
            order=order,
            line=line,
            policy=policy,
            lot=lot,
            min_shelf_life_days=min_shelf_life_days,
            zones=zones,
            preferred_zones=preferred_zones,
            pack_size=pack_size,
            whole_packs=whole_packs,
            all_or_nothing=all_or_nothing,
            at=at,
            attributes=attributes,
            actor=actor,
        )

    # -- integrity -----------------------------------------------------------------------

    def verify(self, *, progress: Callable[[int], None] | None = None) -> IntegrityReport:
        """Check the hash chain and that the balance projection equals a replay of the ledger.

        Returns a report; call ``raise_for_problems()`` on it to turn a problem into an error.
        """
        boundary.optional_callable(progress, "progress")
        with self._book.read() as r:
            count, head, problems = verify_chain(r, progress=progress)
            problems += check_projection(r)
        return IntegrityReport(transactions=count, head_hash=head, problems=tuple(problems))

    def check(self) -> IntegrityReport:
        """Compare the balance projection with a replay of the ledger (no hash check)."""
        with self._book.read() as r:
            head_id, head = r.head()
            problems = check_projection(r)
        return IntegrityReport(transactions=head_id, head_hash=head, problems=tuple(problems))

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> None:
        """Rebuild the balance projection from the ledger, in one write block.

        The store folds the ledger in chunks (a SQL store in the database, by ranges of
        items), so memory stays flat however long the ledger. ``progress``, if given, is
        called with how far the fold got since its last call, in transactions (their sum is
        the ledger's length), e.g. to advance a progress bar.
        """
        boundary.optional_callable(progress, "progress")
        with self._book.write() as w:
            w.rebuild_projection(progress=progress)

    def checkpoint(self) -> int:
        """Take an as-of checkpoint after the last transaction; return that transaction's id.

        A SQL store keeps a snapshot of the internal balances, so an as-of answer
        (``on_hand(..., as_of=...)``, ``stock(as_of=...)``) for a time after the checkpoint
        reads the snapshot and the ledger since, not the whole history. Take one now and then
        (e.g. nightly); ``rebuild()`` takes them too. Back-dated postings made afterwards stay
        correct without rewriting anything. The in-memory store needs none (a no-op).
        """
        with self._book.write() as w:
            return w.checkpoint()

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _query(
        sku: str | None,
        lot: str | None,
        serial: str | None,
        location: str | None,
        status: str | None,
        container: str | None,
        as_of: dt.datetime | None,
        known_at: dt.datetime | None,
    ) -> BalanceQuery:
        if known_at is not None and as_of is None:
            raise ValidationError(
                "known_at goes with as_of: give the effective time to look at too"
            )
        return BalanceQuery(
            item=boundary.optional_code(sku, "sku"),
            lot=boundary.optional_code(lot, "lot"),
            serial=boundary.optional_code(serial, "serial"),
            location=None if location is None else boundary.path(location, "location"),
            status=boundary.optional_code(status, "status"),
            container=boundary.optional_code(container, "container"),
            as_of=boundary.optional_moment(as_of, "as_of"),
            known_at=boundary.optional_moment(known_at, "known_at"),
        )

    @staticmethod
    def _check_query(r: LedgerReader, query: BalanceQuery) -> None:
        if query.item is not None:
            Book.item(r, query.item)
        if query.location is not None:
            Book.location(r, query.location)


def _check_fresh(lot: Lot, header: Header, now: dt.datetime, allow_expired: bool) -> None:
    """Refuse a receipt of a lot expired before the (UTC) day it is received, unless allowed,
    as a scanned receipt is refused."""
    when = (now if header.effective_at is None else header.effective_at).astimezone(dt.UTC)
    refuse_expired(
        item=lot.item, lot=lot.code, expiry=lot.expiry, on=when.date(), allow_expired=allow_expired
    )


#: The verb meant for stock leaving to (``dst``) or arriving from (``src``) a counterparty.
_VERB_FOR = {
    ("dst", LocationKind.CUSTOMER): "ship() sends stock to a customer",
    ("dst", LocationKind.SCRAP): "scrap() writes stock off, with a reason",
    ("dst", LocationKind.ADJUSTMENT): "adjust() corrects stock, with a reason",
    ("dst", LocationKind.SUPPLIER): "reverse() the receipt to send goods back to the supplier",
    ("dst", LocationKind.PRODUCTION): "produce() consumes stock in production",
    ("src", LocationKind.SUPPLIER): "receive() brings stock in from a supplier",
    ("src", LocationKind.CUSTOMER): "receive() brings stock in",
    ("src", LocationKind.SCRAP): "reverse() the scrap to bring it back",
    ("src", LocationKind.ADJUSTMENT): "adjust() corrects stock, with a reason",
    ("src", LocationKind.PRODUCTION): "produce() brings output in from production",
}


def _check_internal(r: LedgerReader, path: str, what: str) -> None:
    """Refuse a counterparty location as ``what`` (``src``/``dst``) of a move: a move keeps
    stock in the company's hands (an internal or transit location); stock leaves or arrives
    through the verb meant for it, with its rules (allocatable status, reason)."""
    kind = Book.location(r, path).kind
    if kind in (LocationKind.INTERNAL, LocationKind.TRANSIT):
        return
    raise ValidationError(
        what=what,
        value=path,
        expected="an internal or transit location (move() keeps stock in your hands)",
        advice=f"{path} is a {kind} location; {_VERB_FOR[(what, kind)]}",
    )


def _position(location: object, status: object, container: object, what: str) -> Position:
    """A position from a caller's location (``what`` names the argument), status and
    container, canonical."""
    return Position(
        location=boundary.path(location, what),
        status=boundary.code(status, "status"),
        container=boundary.optional_code(container, "container"),
    )


def _signed(value: object) -> Decimal:
    """A non-zero signed difference, canonical (``-3``, ``0.5``)."""
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        text = str(value).strip()
        if text.startswith("-"):
            return -boundary.quantity(text[1:], "quantity")
    # Positive, or of a type boundary.quantity refuses with the right error.
    return boundary.quantity(value, "quantity")
