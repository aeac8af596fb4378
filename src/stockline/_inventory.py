"""The ``Inventory``: the one object most users need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs

from stockline._analyzing import Analyzing
from stockline._counting import Counting
from stockline._epcis_export import EpcisExporting
from stockline._epcis_import import EpcisImporting
from stockline._fsma import Fsma204Reporting
from stockline._traceability import Traceability
from stockline.adapters._memory import InMemoryStockStore
from stockline.allocation import Allocations
from stockline.errors import (
    DuplicateError,
    UnknownItemError,
    UnknownLocationError,
    UnknownLotError,
    ValidationError,
)
from stockline.ledger._authorizing import Authorizer
from stockline.ledger._book import Book
from stockline.ledger._integrity import IntegrityReport, check_projection, verify_chain
from stockline.ledger._master import (
    Container,
    Item,
    Location,
    LocationKind,
    Lot,
    MasterChange,
    Party,
    PartyKind,
    Status,
    Tracking,
    check_path,
    item_gtins,
)
from stockline.ledger._posting import ensure_allocatable, reversal_of
from stockline.ledger._quantity import MAX_DECIMALS, as_quantity
from stockline.ledger._queries import BalanceQuery, HistoryQuery
from stockline.ledger._records import (
    AVAILABLE,
    Balance,
    Movement,
    NewTransaction,
    Position,
    Reference,
    Transaction,
    TxKind,
)
from stockline.ledger._store import LedgerReader, LedgerWriter, StockStore
from stockline.ledger._time import Clock, SystemClock, aware_utc
from stockline.ledger._units import default_decimals
from stockline.ledger.boundary import Header
from stockline.operations import Kits, Replenishment
from stockline.policies import Allocation, AllocationPolicy

if TYPE_CHECKING:
    from stockline._scanning import PickCheck
    from stockline.gs1 import Scan
    from stockline.policies import Pick

__all__ = ["Inventory", "Refs"]

#: Business documents as ``{"PO": "PO-1", "ASN": "asn-77"}`` or as ``Reference`` records.
Refs = Mapping[str, str] | Sequence[Reference]


def _into_book(inv: Inventory, attribute: attrs.Attribute[Any], value: Any) -> Any:
    # The book is what every feature posts through: keep it in step with the fields.
    setattr(inv._book, attribute.name, value)
    return value


@attrs.define(repr=False)
class Inventory(
    Traceability,
    EpcisExporting,
    EpcisImporting,
    Fsma204Reporting,
    Counting,
    Analyzing,
):
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
        >>> _ = inv.receive("BOLT-8", 100, to="DC1/A/01", supplier="ACME")
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
    #: Reservations for orders: policies, allocation, ATP, pick, ship, release.
    allocation: Allocations = attrs.field(init=False)
    #: Min/max replenishment of pick faces: rules, proposals, posting.
    replenishment: Replenishment = attrs.field(init=False)
    #: Kits: every component of a bill of materials reserved together, or none.
    kits: Kits = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._book = Book(store=self.store, clock=self.clock, authorizer=self.authorizer)
        self.allocation = Allocations(self._book)
        self.replenishment = Replenishment(self._book, self.allocation)
        self.kits = Kits(self._book, self.allocation)

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
            DuplicateError: The SKU exists with different fields.
        """
        if decimals is None:
            decimals = default_decimals(unit)
            if decimals is None:
                raise ValidationError(
                    f"unit {unit!r} is not one stockline knows; if it is a valid UN/ECE Rec 20 "
                    "code, pass decimals= to say how finely it is counted"
                )
        if not 0 <= decimals <= MAX_DECIMALS:
            raise ValidationError(f"decimals must be between 0 and {MAX_DECIMALS}, got {decimals}")
        try:
            tracking = Tracking(tracking)
        except ValueError:
            raise ValidationError(
                f"tracking must be one of none, lot, serial; got {tracking!r}"
            ) from None
        item = Item(
            sku=_text(sku, "sku"),
            gtin=None if gtin is None else _gtin14(gtin),
            description=description,
            unit=unit,
            decimals=decimals,
            tracking=tracking,
            shelf_life_days=shelf_life_days,
            packs=tuple((_pack_code(code), _pack_units(units)) for code, units in packs),
        )
        with self.store.write() as w:
            _check_gtins_free(w, item)
            return self._book.add(w, w.item(item.sku), item, actor, "update_item()")

    def update_item(self, sku: str, *, actor: str | None = None, **changes: Any) -> Item:
        """Change an item's description, GTIN, shelf life or packs; the change is recorded.

        Tracking, unit and decimals cannot change: existing movements were posted under them.
        Add a new item instead.
        """
        allowed = {"description", "gtin", "shelf_life_days", "packs"}
        if changes.keys() - allowed:
            raise ValidationError(
                f"cannot change {sorted(changes.keys() - allowed)} of an item: movements were "
                f"posted under them; only {sorted(allowed)} may change. Add a new item instead"
            )
        if changes.get("gtin") is not None:
            changes["gtin"] = _gtin14(changes["gtin"])
        if "packs" in changes:
            changes["packs"] = tuple(
                (_pack_code(code), _pack_units(units)) for code, units in changes["packs"]
            )
        with self.store.write() as w:
            item = attrs.evolve(self._item(w, sku), **changes)
            _check_gtins_free(w, item)
            self._book.save(w, item, actor)
            return item

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
        try:
            kind = LocationKind(kind)
        except ValueError:
            kinds = ", ".join(k.value for k in LocationKind)
            raise ValidationError(f"location kind must be one of {kinds}; got {kind!r}") from None
        location = Location(
            path=check_path(path),
            kind=kind,
            description=description,
            gln=gln,
            pick_sequence=pick_sequence,
            address=address,
            phone=phone,
            ffrn=ffrn,
        )
        with self.store.write() as w:
            self._book.ensure_parents(w, location, actor)
            return self._book.add(w, w.location(path), location, actor, "update_location()")

    def update_location(self, path: str, *, actor: str | None = None, **changes: Any) -> Location:
        """Change a location's description, GLN, pick sequence, address, phone or FFRN; the
        change is recorded with who and when.

        The kind cannot change: movements were posted under it. Add a new location instead.
        """
        allowed = {"description", "gln", "pick_sequence", "address", "phone", "ffrn"}
        if changes.keys() - allowed:
            raise ValidationError(
                f"cannot change {sorted(changes.keys() - allowed)} of a location; only "
                f"{sorted(allowed)} may change. Add a new location instead"
            )
        with self.store.write() as w:
            existing = w.location(path)
            if existing is None:
                raise UnknownLocationError(f"location {path!r} is not known", location=path)
            location = attrs.evolve(existing, **changes)
            self._book.save(w, location, actor)
            return location

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
        """
        with self.store.write() as w:
            return self._book.party(
                w,
                code,
                PartyKind(kind),
                name=name,
                gln=gln,
                address=address,
                phone=phone,
                actor=actor,
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
        with self.store.write() as w:
            lot = self._lot(w, sku, code, expiry=expiry, produced_on=produced_on, actor=actor)
            if tlc_source_reference is not None and lot.tlc_source_reference is None:
                lot = attrs.evolve(lot, tlc_source_reference=tlc_source_reference)
                self._book.save(w, lot, actor)
            elif tlc_source_reference not in (None, lot.tlc_source_reference):
                raise DuplicateError(
                    f"lot {code} of {sku} has TLC source reference {lot.tlc_source_reference!r}, "
                    f"not {tlc_source_reference!r}; use update_lot() to change it"
                )
            return lot

    def update_lot(
        self,
        sku: str,
        code: str,
        *,
        expiry: dt.date | None = None,
        produced_on: dt.date | None = None,
        tlc_source_reference: str | None = None,
        actor: str | None = None,
    ) -> Lot:
        """Correct a lot's expiry, production date or TLC source reference; the change is
        recorded with who and when."""
        with self.store.write() as w:
            lot = w.lot(sku, code)
            if lot is None:
                raise UnknownLotError(f"lot {code!r} of {sku} is not known", item=sku, lot=code)
            lot = attrs.evolve(
                lot,
                expiry=lot.expiry if expiry is None else expiry,
                produced_on=lot.produced_on if produced_on is None else produced_on,
                tlc_source_reference=(
                    lot.tlc_source_reference
                    if tlc_source_reference is None
                    else tlc_source_reference
                ),
            )
            self._book.save(w, lot, actor)
            return lot

    def add_status(
        self,
        name: str,
        *,
        allocatable: bool = False,
        description: str = "",
        actor: str | None = None,
    ) -> Status:
        """Add a stock status of your own (e.g. ``"inspection"``)."""
        status = Status(
            name=_text(name, "status"), allocatable=allocatable, description=description
        )
        with self.store.write() as w:
            return self._book.add(w, w.status(name), status, actor, "another name")

    def add_container(
        self, code: str, *, kind: str = "pallet", actor: str | None = None
    ) -> Container:
        """Register a container (handling unit) so positions can name it."""
        container = Container(code=_text(code, "container"), kind=kind)
        with self.store.write() as w:
            return self._book.add(w, w.container(code), container, actor, "another code")

    def item(self, sku: str) -> Item:
        """Return the item with this SKU.

        Raises:
            UnknownItemError: No such item.
        """
        with self.store.read() as r:
            return self._item(r, sku)

    def item_by_gtin(self, gtin: str) -> Item:
        """Return the item whose GTIN (or one of whose pack GTINs) is ``gtin``."""
        code = _gtin14(gtin)
        with self.store.read() as r:
            item = r.item_by_gtin(code)
        if item is None:
            raise UnknownItemError(f"no item has GTIN {code}; add_item(gtin=...) first", item=code)
        return item

    def items(self) -> list[Item]:
        """Return every item."""
        with self.store.read() as r:
            return r.items()

    def locations(self) -> list[Location]:
        """Return every location."""
        with self.store.read() as r:
            return r.locations()

    def lot(self, sku: str, code: str) -> Lot:
        """Return a lot.

        Raises:
            UnknownLotError: No such lot.
        """
        with self.store.read() as r:
            lot = r.lot(sku, code)
        if lot is None:
            raise UnknownLotError(f"lot {code!r} of {sku} is not known", item=sku, lot=code)
        return lot

    def lots(self, sku: str | None = None) -> list[Lot]:
        """Return every lot (of one item)."""
        with self.store.read() as r:
            return r.lots(sku)

    def parties(self) -> list[Party]:
        """Return every supplier and customer."""
        with self.store.read() as r:
            return r.parties()

    def master_changes(self, *, after: int = 0) -> list[MasterChange]:
        """Return the recorded master data changes after ``after``: who changed what, when."""
        with self.store.read() as r:
            return r.master_changes(after=after)

    # -- posting -------------------------------------------------------------------------

    def post(self, draft: NewTransaction) -> Transaction:
        """Post a transaction built by hand; all its movements or none."""
        with self.store.write() as w:
            return self._post(w, draft)

    def post_many(self, drafts: Iterable[NewTransaction]) -> list[Transaction]:
        """Post several transactions in one database transaction: all of them, or none.

        Much faster than posting one by one (one commit instead of many), for imports and
        batch jobs.
        """
        with self.store.write() as w:
            return self._book.post_many(w, drafts)

    def receive(
        self,
        sku: str,
        quantity: object = None,
        *,
        to: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        expiry: dt.date | None = None,
        produced_on: dt.date | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        supplier: str | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Receive stock from a supplier into ``to`` (supplier → ``to``).

        A new lot is created with its expiry (or production date plus the item's shelf life);
        a known lot received with a different expiry is refused. For serial-tracked items give
        ``serial=`` or ``serials=[...]`` (the quantity then defaults to their number).

        Args:
            sku: The item.
            quantity: How much, in the item's base unit (``Decimal``, ``int`` or decimal text).
            to: The receiving location (usually a dock).
            lot: The lot code (lot-tracked items).
            serial: One serial number.
            serials: Several serial numbers.
            expiry: The lot's expiry date.
            produced_on: The lot's production date.
            status: The status to receive into (``quarantine`` where quality releases goods).
            container: A container (pallet) the goods arrive in.
            supplier: The supplier's code (added on first use).
            ref: The purchase order number (a ``PO`` reference).
            refs: Other documents, e.g. ``{"ASN": "asn-77"}``.
            key: An idempotency key (e.g. the ASN line): a retry returns the first result.
            effective_at: When the goods arrived; now when ``None``.
            actor: Who posted it.
            reason: A note.
        """
        lines = _serial_lines(sku, quantity, serial, serials)
        with self.store.write() as w:
            if lot is not None:
                self._lot(w, sku, lot, expiry=expiry, produced_on=produced_on, actor=actor)
            elif expiry is not None:
                raise ValidationError(
                    f"an expiry belongs to a lot; give lot= with expiry= for {sku}"
                )
            src = self._counterparty(w, LocationKind.SUPPLIER, supplier, actor)
            dst = Position(location=to, status=status, container=container)
            return self._post(
                w,
                self._draft(
                    TxKind.RECEIPT,
                    [
                        Movement(item=sku, quantity=q, src=src, dst=dst, lot=lot, serial=s)
                        for q, s in lines
                    ],
                    supplier,
                    ref,
                    refs,
                    key,
                    effective_at,
                    actor,
                    reason,
                ),
            )

    def move(
        self,
        sku: str,
        quantity: object = None,
        *,
        src: str,
        dst: str,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        status: str = AVAILABLE,
        to_status: str | None = None,
        container: str | None = None,
        to_container: str | None = None,
        kind: TxKind | str = TxKind.TRANSFER,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Move stock from one internal position to another (put-away, replenishment, ...)."""
        lines = _serial_lines(sku, quantity, serial, serials)
        source = Position(location=src, status=status, container=container)
        target = Position(
            location=dst,
            status=status if to_status is None else to_status,
            container=to_container,
        )
        draft = self._draft(
            TxKind(kind),
            [
                Movement(item=sku, quantity=q, src=source, dst=target, lot=lot, serial=s)
                for q, s in lines
            ],
            None,
            ref,
            refs,
            key,
            effective_at,
            actor,
            reason,
        )
        return self.post(draft)

    def ship(
        self,
        sku: str,
        quantity: object = None,
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

        Raises:
            StatusError: The stock is in a status that may not ship (``hold``, ...).
        """
        lines = _serial_lines(sku, quantity, serial, serials)
        source = Position(location=src, status=status, container=container)
        with self.store.write() as w:
            ensure_allocatable(w, source, "ship")
            dst = self._counterparty(w, LocationKind.CUSTOMER, customer, actor)
            return self._post(
                w,
                self._draft(
                    TxKind.SHIPMENT,
                    [
                        Movement(item=sku, quantity=q, src=source, dst=dst, lot=lot, serial=s)
                        for q, s in lines
                    ],
                    customer,
                    ref,
                    refs,
                    key,
                    effective_at,
                    actor,
                    reason,
                ),
            )

    def change_status(
        self,
        sku: str,
        quantity: object = None,
        *,
        location: str,
        status: str,
        to_status: str,
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
        """Move stock from one status to another at the same place; a reason is required."""
        lines = _serial_lines(sku, quantity, serial, serials)
        src = Position(location=location, status=status, container=container)
        dst = attrs.evolve(src, status=to_status)
        draft = self._draft(
            TxKind.STATUS_CHANGE,
            [Movement(item=sku, quantity=q, src=src, dst=dst, lot=lot, serial=s) for q, s in lines],
            None,
            ref,
            refs,
            key,
            effective_at,
            actor,
            reason,
        )
        return self.post(draft)

    def hold(self, sku: str, quantity: object = None, **kwargs: Any) -> Transaction:
        """Put available stock on hold (``available`` → ``hold``); takes ``change_status``'s
        keywords, ``location=`` and ``reason=`` required."""
        kwargs.setdefault("status", AVAILABLE)
        kwargs.setdefault("to_status", "hold")
        return self.change_status(sku, quantity, **kwargs)

    def release(self, sku: str, quantity: object = None, **kwargs: Any) -> Transaction:
        """Release held stock (``hold`` → ``available``); like :meth:`hold`."""
        kwargs.setdefault("status", "hold")
        kwargs.setdefault("to_status", AVAILABLE)
        return self.change_status(sku, quantity, **kwargs)

    def adjust(
        self,
        sku: str,
        difference: object,
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
        """Correct stock by ``difference`` (positive: found more; negative: found less),
        against the ``adjustment`` location. A reason is required."""
        if isinstance(difference, float):
            as_quantity(difference)  # raises the float error
        amount = Decimal(str(difference)) if isinstance(difference, int | str) else difference
        if not isinstance(amount, Decimal) or amount == 0:
            raise ValidationError(
                f"an adjustment needs a non-zero Decimal difference, got {difference!r}"
            )
        here = Position(location=location, status=status, container=container)
        with self.store.write() as w:
            there = self._counterparty(w, LocationKind.ADJUSTMENT, None, actor)
            src, dst = (there, here) if amount > 0 else (here, there)
            movement = Movement(
                item=sku, quantity=abs(amount), src=src, dst=dst, lot=lot, serial=serial
            )
            draft = self._draft(
                TxKind.ADJUSTMENT, [movement], None, ref, (), key, effective_at, actor, reason
            )
            return self._post(w, draft)

    def scrap(
        self,
        sku: str,
        quantity: object = None,
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
        """Write stock off to the ``scrap`` location; a reason is required."""
        lines = _serial_lines(sku, quantity, serial, serials)
        src = Position(location=location, status=status, container=container)
        with self.store.write() as w:
            dst = self._counterparty(w, LocationKind.SCRAP, None, actor)
            draft = self._draft(
                TxKind.SCRAP,
                [
                    Movement(item=sku, quantity=q, src=src, dst=dst, lot=lot, serial=s)
                    for q, s in lines
                ],
                None,
                ref,
                (),
                key,
                effective_at,
                actor,
                reason,
            )
            return self._post(w, draft)

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
            ReversalError: It was already reversed, or is itself a reversal.
            InsufficientStockError: The stock the original brought is no longer there.
        """
        with self.store.write() as w:
            draft = reversal_of(
                w, tx_id, reason=reason, actor=actor, effective_at=effective_at, key=key
            )
            return self._post(w, draft)

    def receive_scan(self, scan: Scan | str, qty: object = None, **kwargs: Any) -> Transaction:
        """Receive what a GS1 barcode says: item by GTIN (or pack GTIN), lot, expiry, serial,
        count, SSCC.

        Takes :meth:`receive`'s keywords (``to=`` is required) plus ``allow_expired``,
        ``today`` and ``gs_standin``; ``qty`` counts scanned units (cases for a case GTIN).
        See the how-to "Receive and pick by scanning" for every rule.

        Raises:
            BarcodeError: The scan is malformed or breaks a GS1 rule.
            ScanMismatchError: The scan contradicts the master data or the caller.
            ExpiredProductError: The product is past its date (unless ``allow_expired``).
        """
        from stockline import _scanning

        return _scanning.receive_scan(self, scan, qty, **kwargs)

    def verify_pick(self, scan: Scan | str, pick: Pick, **kwargs: Any) -> PickCheck:
        """Check that a picker scanned what the pick plan line asked for.

        Returns a :class:`~stockline._scanning.PickCheck` listing every problem (none when
        ``ok``); only a malformed scan raises.
        """
        from stockline import _scanning

        return _scanning.verify_pick(scan, pick, inv=self, **kwargs)

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

        ``location`` includes everything below it in the tree. ``as_of`` answers for an
        effective time in the past; ``known_at`` with it counts only what had been recorded by
        then.
        """
        query = self._query(sku, lot, serial, location, status, container, as_of, known_at)
        with self.store.read() as r:
            self._check_query(r, query)
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
            internal_only=internal_only,
        )
        with self.store.read() as r:
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
            item=sku,
            lot=lot,
            serial=serial,
            location=location,
            container=container,
            since=None if since is None else aware_utc(since, "since"),
            until=None if until is None else aware_utc(until, "until"),
            limit=limit,
        )
        with self.store.read() as r:
            return r.history(query)

    def transaction(self, tx_id: int) -> Transaction:
        """Return a posted transaction.

        Raises:
            UnknownTransactionError: No such id.
        """
        from stockline.errors import UnknownTransactionError

        with self.store.read() as r:
            tx = r.transaction(tx_id)
        if tx is None:
            raise UnknownTransactionError(
                f"transaction {tx_id} is not in the ledger", transaction_id=tx_id
            )
        return tx

    def changes(self, *, after: int = 0, limit: int = 1000) -> list[Transaction]:
        """Return up to ``limit`` transactions posted after id ``after``, in posting order.

        The change feed for keeping an ERP or MES in step: remember the last id you processed
        and ask for what came after it.
        """
        with self.store.read() as r:
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
        with self.store.read() as r:
            count, head, problems = verify_chain(r, progress=progress)
            problems += check_projection(r)
        return IntegrityReport(transactions=count, head_hash=head, problems=tuple(problems))

    def check(self) -> IntegrityReport:
        """Compare the balance projection with a replay of the ledger (no hash check)."""
        with self.store.read() as r:
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
        with self.store.write() as w:
            w.rebuild_projection(progress=progress)

    def checkpoint(self) -> int:
        """Take an as-of checkpoint after the last transaction; return that transaction's id.

        A SQL store keeps a snapshot of the internal balances, so an as-of answer
        (``on_hand(..., as_of=...)``, ``stock(as_of=...)``) for a time after the checkpoint
        reads the snapshot and the ledger since, not the whole history. Take one now and then
        (e.g. nightly); ``rebuild()`` takes them too. Back-dated postings made afterwards stay
        correct without rewriting anything. The in-memory store needs none (a no-op).
        """
        with self.store.write() as w:
            return w.checkpoint()

    # -- helpers (the posting context) ----------------------------------------------------

    def _post(
        self, w: LedgerWriter, draft: NewTransaction, *, now: dt.datetime | None = None
    ) -> Transaction:
        return self._book.post(w, draft, now=now)

    @staticmethod
    def _draft(
        kind: TxKind,
        movements: list[Movement],
        counterparty: str | None,
        ref: object,
        refs: object,
        key: object,
        effective_at: object,
        actor: object,
        reason: object,
    ) -> NewTransaction:
        header = Header.of(
            kind,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        return Book.draft(kind, movements, header, counterparty=counterparty)

    def _counterparty(
        self, w: LedgerWriter, kind: LocationKind, code: str | None, actor: str | None
    ) -> Position:
        return self._book.counterparty(w, kind, code, actor)

    def _ensure_location(
        self, w: LedgerWriter, path: str, kind: LocationKind, actor: str | None
    ) -> None:
        self._book.ensure_location(w, path, kind, actor)

    def _lot(
        self,
        w: LedgerWriter,
        sku: str,
        code: str,
        *,
        expiry: dt.date | None,
        produced_on: dt.date | None,
        actor: str | None,
    ) -> Lot:
        return self._book.lot(w, sku, code, expiry=expiry, produced_on=produced_on, actor=actor)

    @staticmethod
    def _item(r: LedgerReader, sku: str) -> Item:
        return Book.item(r, sku)

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
            item=sku,
            lot=lot,
            serial=serial,
            location=location,
            status=status,
            container=container,
            as_of=None if as_of is None else aware_utc(as_of, "as_of"),
            known_at=None if known_at is None else aware_utc(known_at, "known_at"),
        )

    def _check_query(self, r: LedgerReader, query: BalanceQuery) -> None:
        if query.item is not None:
            self._item(r, query.item)
        if query.location is not None and r.location(query.location) is None:
            raise UnknownLocationError(
                f"location {query.location!r} is not in the master data", location=query.location
            )


def _check_gtins_free(r: LedgerReader, item: Item) -> None:
    for code in item_gtins(item):
        other = r.item_by_gtin(code)
        if other is not None and other.sku != item.sku:
            raise DuplicateError(
                f"GTIN {code} already belongs to item {other.sku}; a GTIN names one item"
            )


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ValidationError(
            f"{what} must be a non-empty string without surrounding spaces, got {value!r}"
        )
    return value


def _gtin14(gtin: str) -> str:
    from stockline.gs1 import normalize_gtin

    return normalize_gtin(gtin)


def _pack_code(code: str) -> str:
    return _gtin14(code) if code.isdigit() else _text(code, "pack name")


def _pack_units(units: int) -> int:
    if isinstance(units, bool) or not isinstance(units, int) or units < 2:
        raise ValidationError(
            f"a pack holds a whole number of at least 2 base units, got {units!r}"
        )
    return units


def _serial_lines(
    sku: str, quantity: object, serial: str | None, serials: Sequence[str]
) -> list[tuple[Any, str | None]]:
    wanted = ([serial] if serial is not None else []) + list(serials)
    if not wanted:
        if quantity is None:
            raise ValidationError(f"give a quantity of {sku} (or serials for serial-tracked items)")
        return [(quantity, None)]
    if len(set(wanted)) != len(wanted):
        raise ValidationError(f"the serials of {sku} repeat one another: {wanted}")
    if quantity is not None and quantity != len(wanted):
        raise ValidationError(
            f"quantity {quantity} of {sku} does not match the {len(wanted)} serials given; "
            "leave the quantity out, or give one serial per unit"
        )
    return [(Decimal(1), s) for s in wanted]
