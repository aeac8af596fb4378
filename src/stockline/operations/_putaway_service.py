"""Directed put-away over the posting context (``inv.putaway``).

Item storage profiles and bin rules are operational documents (kinds ``putaway-item``, key
the SKU, and ``putaway-bin``, key the location path). Suggestions are values: they reserve
nothing, and every posting here (:meth:`Putaway.confirm`, :meth:`Putaway.place`,
:meth:`Putaway.place_scan`) judges each bin again, inside its write block, by what the bin
holds then. Writers are serialised by the store, so two put-aways running at once can never
both take the last room of a bin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stockline import gs1
from stockline.errors import (
    BarcodeError,
    IdempotencyConflictError,
    InsufficientStockError,
    NotFoundError,
    UnknownContainerError,
    UnknownItemError,
    UnknownStatusError,
    ValidationError,
)
from stockline.gs1 import Scan
from stockline.ledger import (
    AVAILABLE,
    Balance,
    BalanceQuery,
    Book,
    ContainerEvent,
    Header,
    LedgerReader,
    LocationKind,
    Movement,
    Position,
    Transaction,
    TxKind,
    boundary,
    under,
)
from stockline.operations._putaway import (
    BinRules,
    Load,
    Mixing,
    PutawayStrategy,
    StorageProfile,
    plan_putaway,
)
from stockline.operations._putaway_bins import (
    BIN_KIND,
    ITEM_KIND,
    Bins,
    Judge,
    RulesCache,
    bump_revision,
    contents,
    load_of,
    outermost,
    profile,
    profile_of,
    put_document,
    rules_of,
    status_of,
    subtree,
)
from stockline.operations._putaway_records import PutawaySuggestion
from stockline.operations._scanning import scanned_stock

__all__ = ["BIN_KIND", "ITEM_KIND", "Putaway"]


_ZERO = Decimal(0)


@attrs.define(repr=False)
class Putaway:
    """Directed put-away: storage profiles, bin rules, suggestions and the postings that
    confirm them (``inv.putaway``).

    Args:
        book: The posting context it reads and posts through.
    """

    _book: Book
    _rules: RulesCache = attrs.field(init=False, factory=RulesCache)

    def __repr__(self) -> str:
        return "<Putaway>"

    # -- master data -------------------------------------------------------------------------

    def set_item(
        self,
        sku: str,
        *,
        storage: str | None = None,
        hazard: str | None = None,
        category: str | None = None,
        weight: object = None,
        volume: object = None,
        fixed_bin: str | None = None,
        actor: str | None = None,
    ) -> StorageProfile:
        """Set how ``sku`` is stored (replacing what was set before).

        Args:
            sku: The item.
            storage: The storage condition it needs (``"frozen"``, ``"chilled"``); ``None``
                for ambient goods.
            hazard: Its hazard class, if hazardous.
            category: Its category.
            weight: The weight of one base unit, for bins with a ``max_weight``.
            volume: The volume of one base unit, for bins with a ``max_volume``.
            fixed_bin: Its fixed bin (an internal location), filled first.
            actor: Who sets it.

        Returns:
            The profile as stored.

        Raises:
            UnknownItemError: No such item.
            UnknownLocationError: No such fixed bin.
            ValidationError: A fixed bin that is not an internal location; a bad value.
        """
        sku = boundary.code(sku, "sku")
        body = {
            "storage": boundary.optional_code(storage, "storage"),
            "hazard": boundary.optional_code(hazard, "hazard"),
            "category": boundary.optional_code(category, "category"),
            "weight": _optional_amount(weight, "weight"),
            "volume": _optional_amount(volume, "volume"),
            "fixed_bin": None if fixed_bin is None else boundary.path(fixed_bin, "fixed_bin"),
        }
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            self._book.item(w, sku)
            if body["fixed_bin"] is not None:
                _internal(w, body["fixed_bin"], "fixed_bin")
            bump_revision(self._book, w, actor)
            return profile_of(put_document(self._book, w, ITEM_KIND, sku, body, actor))

    def item(self, sku: str) -> StorageProfile:
        """Return how ``sku`` is stored: its profile, or an empty one (ambient, no hazard,
        no category, no weight or volume) if none was set.

        Raises:
            UnknownItemError: No such item.
        """
        sku = boundary.code(sku, "sku")
        with self._book.read() as r:
            self._book.item(r, sku)
            return profile(r, sku)

    def set_bin(
        self,
        location: str,
        *,
        zone: str | None = None,
        storage: Iterable[str] = (),
        hazards: Iterable[str] = (),
        categories: Iterable[str] = (),
        statuses: Iterable[str] = (),
        mixing: Mixing | str = Mixing.ANY,
        max_units: object = None,
        max_weight: object = None,
        max_volume: object = None,
        max_pallets: int | None = None,
        blocked: bool = False,
        actor: str | None = None,
    ) -> BinRules:
        """Make ``location`` a bin put-away may use, with its rules (replacing those set
        before). Only bins with rules are suggested or put away into.

        Args:
            location: An internal location.
            zone: Its zone, for strategies that prefer or allow zones.
            storage: The storage conditions it keeps; none: an ambient bin.
            hazards: The hazard classes it may hold; none: no hazardous goods.
            categories: The item categories it takes; none: any.
            statuses: The stock statuses it takes; none: any.
            mixing: ``"any"``, ``"item"`` (one item) or ``"lot"`` (one lot of one item).
            max_units: Capacity in base units, every item together.
            max_weight: Capacity in weight (by the items' ``weight``).
            max_volume: Capacity in volume (by the items' ``volume``).
            max_pallets: How many handling units (containers) it holds.
            blocked: Closed to put-away.
            actor: Who sets it.

        Returns:
            The rules as stored.

        Raises:
            UnknownLocationError: No such location.
            UnknownStatusError: A status that is not registered.
            ValidationError: Not an internal location; a bad value.
        """
        location = boundary.path(location, "location")
        names = {
            "storage": storage,
            "hazards": hazards,
            "categories": categories,
            "statuses": statuses,
        }
        body: dict[str, Any] = {k: sorted(set(boundary.codes(v, k))) for k, v in names.items()}
        body["zone"] = boundary.optional_code(zone, "zone")
        body["mixing"] = boundary.choice(mixing, Mixing, "mixing").value
        for name, value in (
            ("max_units", max_units),
            ("max_weight", max_weight),
            ("max_volume", max_volume),
        ):
            body[name] = _optional_amount(value, name)
        body["max_pallets"] = (
            None if max_pallets is None else boundary.whole(max_pallets, "max_pallets")
        )
        body["blocked"] = boundary.flag(blocked, "blocked")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            _internal(w, location, "location")
            for status in body["statuses"]:
                if w.status(status) is None:
                    raise UnknownStatusError(status=status)
            bump_revision(self._book, w, actor)
            return rules_of(put_document(self._book, w, BIN_KIND, location, body, actor))

    def bins(self, *, within: str | None = None) -> list[BinRules]:
        """Return the bins' rules, by location (only those at ``within`` and below)."""
        within = None if within is None else boundary.path(within, "within")
        with self._book.read() as r:
            found = [rules_of(d) for d in r.documents(BIN_KIND)]
        return [b for b in found if within is None or under(b.location, within)]

    def remove_bin(self, location: str, *, actor: str | None = None) -> BinRules:
        """Remove the put-away rules of ``location`` (stock there stays) and return them.

        Raises:
            NotFoundError: It has no put-away rules.
        """
        location = boundary.path(location, "location")
        boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            doc = w.document(BIN_KIND, location)
            if doc is None:
                raise NotFoundError(
                    f"{location} has no put-away rules; list the bins with putaway.bins()"
                )
            w.delete_document(BIN_KIND, location, version=doc.version)
            bump_revision(self._book, w, actor)
            return rules_of(doc)

    # -- suggestions -------------------------------------------------------------------------

    def suggest(
        self,
        sku: str,
        quantity: object = None,
        *,
        src: str,
        lot: str | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        within: str | None = None,
        strategy: PutawayStrategy | None = None,
    ) -> list[PutawaySuggestion]:
        """Suggest bins for loose stock of ``sku`` at ``src``.

        Args:
            sku: The item.
            quantity: How much; everything there (of ``lot``, in ``status``) when ``None``.
            src: Where the stock is (exactly this location, a dock or a staging lane).
            lot: Only this lot.
            status: The stock's status.
            container: The container it is in at ``src``, if any (its contents put away
                loose).
            within: Only bins at this location and below (a site, a zone's aisle).
            strategy: How bins are chosen (:func:`~stockline.operations.default_strategy`
                when ``None``).

        Returns:
            One suggestion per position taken from (a lot, a serial), each with its
            placements and what no bin could take. Nothing is reserved or posted.

        Raises:
            InsufficientStockError: Less than ``quantity`` is there.
        """
        sku = boundary.code(sku, "sku")
        wanted = None if quantity is None else boundary.quantity(quantity)
        source = Position(
            location=boundary.path(src, "src"),
            status=boundary.code(status, "status"),
            container=boundary.optional_code(container, "container"),
        )
        lot = boundary.optional_code(lot, "lot")
        within = None if within is None else boundary.path(within, "within")
        chosen = _strategy(strategy)
        with self._book.read() as r:
            self._book.item(r, sku)
            self._book.location(r, source.location)
            stock = [
                b
                for b in r.balances(
                    BalanceQuery(
                        item=sku,
                        lot=lot,
                        location=source.location,
                        status=source.status,
                        container=source.container,
                    )
                )
                if b.position == source
            ]
            return self._suggest(r, _take(stock, wanted, sku, source), within, chosen)

    def suggest_receipt(
        self,
        transaction: int,
        *,
        within: str | None = None,
        strategy: PutawayStrategy | None = None,
    ) -> list[PutawaySuggestion]:
        """Suggest bins for what a receipt brought in that is still where it arrived.

        Loose lines are suggested one by one; a container the receipt filled is put away
        whole.

        Args:
            transaction: The receipt's id.
            within: Only bins at this location and below.
            strategy: How bins are chosen.

        Returns:
            The suggestions, in the receipt's order.

        Raises:
            UnknownTransactionError: No such transaction.
        """
        tx_id = boundary.whole(transaction, "transaction", maximum=boundary.MAX_ID)
        within = None if within is None else boundary.path(within, "within")
        chosen = _strategy(strategy)
        with self._book.read() as r:
            tx = self._book.transaction(r, tx_id)
            loose: list[Balance] = []
            containers: dict[str, None] = {}
            left: dict[tuple[Any, ...], Decimal] = {}
            for m in tx.movements:
                if m.dst.container is not None:
                    containers[outermost(r, m.dst.container)] = None
                    continue
                key = (m.item, m.lot, m.serial, m.dst.location, m.dst.status, None)
                if key not in left:
                    ((held, _),) = r.position_balances([key]).values()
                    left[key] = held
                take = min(m.quantity, left[key])
                if take > 0:
                    left[key] -= take
                    loose.append(
                        Balance(
                            item=m.item, lot=m.lot, serial=m.serial, position=m.dst, quantity=take
                        )
                    )
            found = self._suggest(r, loose, within, chosen)
            for code in containers:
                found.append(self._suggest_container(r, code, within, chosen))
            return found

    def suggest_container(
        self,
        container: str,
        *,
        within: str | None = None,
        strategy: PutawayStrategy | None = None,
    ) -> PutawaySuggestion:
        """Suggest a bin for a whole container (and everything packed in it).

        Raises:
            UnknownContainerError: No such container.
            ContainerError: It is packed in another one, or is empty.
        """
        code = boundary.code(container, "container")
        within = None if within is None else boundary.path(within, "within")
        chosen = _strategy(strategy)
        with self._book.read() as r:
            return self._suggest_container(r, code, within, chosen)

    # -- postings ----------------------------------------------------------------------------

    def confirm(
        self,
        suggestions: PutawaySuggestion | Sequence[PutawaySuggestion],
        *,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Post suggestions as one ``transfer``: every placement from its source to its bin.

        Each bin is judged again first, by what it holds now plus what this posting adds:
        its rules must still take the stock and its capacity must hold it. A container is
        moved whole with what it holds now.

        Args:
            suggestions: What a ``suggest`` method returned (or some of it).
            key: An idempotency key: a retry returns the first transaction.
            effective_at: When the stock was put away; now when ``None``.
            actor: Who put it away.
            reason: A note; ``"put-away"`` when ``None``.

        Returns:
            The posted transfer.

        Raises:
            PutawayError: A bin no longer takes the stock (filled, rules changed); suggest
                again.
            InsufficientStockError: The stock is no longer at its source.
            ValidationError: The suggestions place nothing.
        """
        batch = _suggestions(suggestions)
        header = _header(key, effective_at, actor, reason)
        with self._book.write() as w:
            if all(s.container is None for s in batch):
                # Loose placements make the same draft every time: the ledger returns the
                # first transaction for a retry, and refuses the key for other content.
                if header.key is not None and w.find_key(header.key) is not None:
                    return self._book.post(w, self._draft(w, batch, header)[0])
            else:
                first = _repeated(w, header)
                if first is not None:
                    return first
            draft, events = self._draft(w, batch, header)
            judge = Judge(w)
            for s in batch:
                for p in s.placements:
                    judge.take(self._load(w, s), p.location, None if s.container else p.quantity)
            return self._book.post(w, attrs.evolve(draft, containers=events))

    def place(
        self,
        sku: str,
        quantity: object = None,
        *,
        src: str,
        dst: str,
        lot: str | None = None,
        serial: str | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Put loose stock away into ``dst``, a bin the operator chose, if its rules take it.

        Args:
            sku: The item.
            quantity: How much (1 for a serial).
            src: Where it is.
            dst: The bin (or a location inside one).
            lot: The lot.
            serial: The serial.
            status: Its status (kept).
            container: The container it is taken out of at ``src``, if any.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: A note; ``"put-away"`` when ``None``.

        Returns:
            The posted transfer.

        Raises:
            PutawayError: The bin's rules forbid the stock, or it has no rules.
            InsufficientStockError: The stock is not at ``src``.
        """
        sku = boundary.code(sku, "sku")
        ((amount, serial_),) = boundary.serial_lines(sku, quantity, serial, ())
        source = Position(
            location=boundary.path(src, "src"),
            status=boundary.code(status, "status"),
            container=boundary.optional_code(container, "container"),
        )
        target = boundary.path(dst, "dst")
        lot = boundary.optional_code(lot, "lot")
        header = _header(key, effective_at, actor, reason)
        stock = Balance(item=sku, lot=lot, serial=serial_, position=source, quantity=amount)
        return self._place(stock, target, header)

    def place_scan(
        self,
        scan: Scan | str,
        quantity: object = None,
        *,
        src: str,
        dst: str,
        status: str = AVAILABLE,
        at: dt.date | None = None,
        gs_standin: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Confirm a put-away by scan: the goods' GS1 barcode, into the bin ``dst``.

        A scan with an SSCC ``(00)`` puts that whole container away (it must be at
        ``src``); any other scan names the item, lot and serial, and ``quantity`` scanned
        units of it (as :meth:`~stockline.operations.Scanning.receive` counts them) are taken
        loose from ``src``.

        Args:
            scan: What the scanner sent, or a parsed :class:`~stockline.gs1.Scan`.
            quantity: How many of the scanned thing; one when ``None``.
            src: Where the goods are.
            dst: The bin they go into.
            status: Their status.
            at: The date the scan's dates are judged on; today by the clock when ``None``.
            gs_standin: The character the scanner sends for GS, if not ``\\x1d``.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.
            reason: A note.

        Returns:
            The posted transfer.

        Raises:
            BarcodeError: Not a GS1 scan, or one that names no item or container.
            PutawayError: The bin's rules forbid the goods.
            InsufficientStockError: They are not at ``src``.
        """
        day = boundary.optional_day(at, "at")
        if day is None:
            now = self._book.now()
            day = dt.date(now.year, now.month, now.day)
        standin = boundary.optional_code(gs_standin, "gs_standin")
        if isinstance(scan, str):
            parsed = gs1.parse(scan, gs_standin=standin, today=day)
        elif isinstance(scan, Scan):
            parsed = scan
        else:
            raise ValidationError(what="scan", value=scan, expected="a str or a gs1.Scan")
        source = Position(
            location=boundary.path(src, "src"), status=boundary.code(status, "status")
        )
        target = boundary.path(dst, "dst")
        header = _header(key, effective_at, actor, reason)
        if parsed.sscc is not None:
            if quantity is not None:
                raise ValidationError(
                    f"SSCC {parsed.sscc} puts the whole container away; leave the quantity out"
                )
            return self._place_container(parsed.sscc, source.location, target, header)
        gtin = parsed.gtin
        if gtin is None:
            raise BarcodeError("the scan names no trade item and no container", text=str(scan))
        with self._book.read() as r:
            item = r.item_by_gtin(gtin)
        if item is None:
            raise UnknownItemError(item=gtin)
        found = scanned_stock(parsed, item, quantity)
        stock = Balance(
            item=found.sku,
            lot=found.lot,
            serial=found.serial,
            position=source,
            quantity=found.quantity,
        )
        return self._place(stock, target, header)

    # -- helpers -----------------------------------------------------------------------------

    def _place(self, stock: Balance, target: str, header: Header) -> Transaction:
        suggestion = PutawaySuggestion(src=stock.position, stock=(stock,))
        with self._book.write() as w:
            item = self._book.item(w, stock.item)
            boundary.quantity(stock.quantity, "quantity", decimals=item.decimals)
            self._book.location(w, stock.position.location)
            self._book.location(w, target)
            move = Movement(
                item=stock.item,
                quantity=stock.quantity,
                lot=stock.lot,
                serial=stock.serial,
                src=stock.position,
                dst=Position(location=target, status=stock.position.status),
            )
            draft = self._book.draft(TxKind.TRANSFER, [move], header)
            if header.key is not None and w.find_key(header.key) is not None:
                return self._book.post(w, draft)
            Judge(w).take(self._load(w, suggestion), target, stock.quantity)
            return self._book.post(w, draft)

    def _place_container(self, code: str, src: str, target: str, header: Header) -> Transaction:
        with self._book.write() as w:
            if w.container(code) is None:
                raise UnknownContainerError(container=code)
            state = w.container_state(code)
            if state is None or state.location is None or not under(state.location, src):
                where = "nowhere" if state is None or state.location is None else state.location
                raise ValidationError(
                    f"container {code} is at {where}, not at {src}; scan it where it is"
                )
            self._book.location(w, target)
            suggestion = PutawaySuggestion(
                src=Position(location=state.location), stock=(), container=code
            )
            first = _repeated(w, header)
            if first is not None:
                return first
            draft, events = self._draft(w, [suggestion], header, target=target)
            Judge(w).take(self._load(w, suggestion), target, None)
            return self._book.post(w, attrs.evolve(draft, containers=events))

    def _suggest(
        self,
        r: LedgerReader,
        stock: Sequence[Balance],
        within: str | None,
        strategy: PutawayStrategy | None,
    ) -> list[PutawaySuggestion]:
        if not stock:
            return []
        bins = Bins(r, self._rules).all(within)
        found = []
        for balance in stock:
            load = load_of(r, [balance], balance.position.status, None)
            plan = plan_putaway(load, list(bins.values()), strategy)
            for p in plan.placements:
                bins[p.location] = bins[p.location].adding(load, p.quantity)
            found.append(
                PutawaySuggestion(
                    src=balance.position,
                    stock=(balance,),
                    placements=plan.placements,
                    unplaced=plan.unplaced,
                )
            )
        return found

    def _suggest_container(
        self,
        r: LedgerReader,
        code: str,
        within: str | None,
        strategy: PutawayStrategy | None,
    ) -> PutawaySuggestion:
        held, state = contents(r, code)
        load = load_of(r, held, status_of(held), code)
        plan = plan_putaway(load, list(Bins(r, self._rules).all(within).values()), strategy)
        return PutawaySuggestion(
            src=Position(location=state),
            stock=tuple(held),
            container=code,
            placements=plan.placements,
            unplaced=plan.unplaced,
        )

    def _load(self, r: LedgerReader, s: PutawaySuggestion) -> Load:
        if s.container is not None:
            held, _ = contents(r, s.container)
            return load_of(r, held, status_of(held), s.container)
        (balance,) = s.stock
        return load_of(r, [balance], balance.position.status, None)

    def _draft(
        self,
        r: LedgerReader,
        batch: Sequence[PutawaySuggestion],
        header: Header,
        *,
        target: str | None = None,
    ) -> tuple[Any, tuple[ContainerEvent, ...]]:
        movements: list[Movement] = []
        events: list[ContainerEvent] = []
        for s in batch:
            if s.container is not None:
                dst = target if target is not None else s.placements[0].location
                held, _ = contents(r, s.container)
                for b in held:
                    movements.append(
                        Movement(
                            item=b.item,
                            quantity=b.quantity,
                            lot=b.lot,
                            serial=b.serial,
                            src=b.position,
                            dst=attrs.evolve(b.position, location=dst),
                        )
                    )
                for code in subtree(r, s.container):
                    state = r.container_state(code)
                    parent = None if code == s.container or state is None else state.parent
                    events.append(ContainerEvent(container=code, parent=parent, location=dst))
                continue
            (b,) = s.stock
            for p in s.placements:
                movements.append(
                    Movement(
                        item=b.item,
                        quantity=p.quantity,
                        lot=b.lot,
                        serial=b.serial,
                        src=b.position,
                        dst=Position(location=p.location, status=b.position.status),
                    )
                )
        if not movements:
            raise ValidationError(
                "the suggestions place nothing (no bin had room); there is nothing to post"
            )
        return self._book.draft(TxKind.TRANSFER, movements, header), tuple(events)


def _repeated(w: LedgerReader, header: Header) -> Transaction | None:
    """The transaction first posted with the header's key, if any; a key first used for
    another kind of posting is a conflict."""
    found = None if header.key is None else w.find_key(header.key)
    if found is None or header.key is None:
        return None
    tx = Book.transaction(w, found[0])
    if tx.kind is not TxKind.TRANSFER:
        raise IdempotencyConflictError(key=header.key, transaction_id=tx.id)
    return tx


# -- documents -------------------------------------------------------------------------------


# -- small helpers ---------------------------------------------------------------------------


def _optional_amount(value: object, what: str) -> str | None:
    return None if value is None else str(boundary.quantity(value, what))


def _internal(r: LedgerReader, path: str, what: str) -> None:
    place = Book.location(r, path)
    if place.kind is not LocationKind.INTERNAL:
        raise ValidationError(
            what=what,
            value=path,
            expected="an internal location",
            advice=f"{path} is a {place.kind} location; stock is put away into internal ones",
        )


def _strategy(strategy: object) -> PutawayStrategy | None:
    if strategy is None or isinstance(strategy, PutawayStrategy):
        return strategy
    raise ValidationError(
        what="strategy",
        value=strategy,
        expected="a put-away strategy (with eligible() and rank()), e.g. putaway_strategy(...)",
    )


def _header(key: object, effective_at: object, actor: object, reason: object) -> Header:
    return Header.of(
        TxKind.TRANSFER,
        key=key,
        effective_at=effective_at,
        actor=actor,
        reason="put-away" if reason is None else reason,
    )


def _suggestions(value: object) -> list[PutawaySuggestion]:
    batch = [value] if isinstance(value, PutawaySuggestion) else value
    if isinstance(batch, str | bytes) or not isinstance(batch, Sequence):
        raise ValidationError(
            what="suggestions", value=value, expected="the suggestions suggest() returned"
        )
    for s in batch:
        if not isinstance(s, PutawaySuggestion):
            raise ValidationError(what="each suggestion", value=s, expected="a PutawaySuggestion")
    return list(batch)


def _take(
    stock: Sequence[Balance], wanted: Decimal | None, sku: str, source: Position
) -> list[Balance]:
    if wanted is None:
        return list(stock)
    taken = []
    left = wanted
    for b in stock:
        if left <= 0:
            break
        part = min(left, b.quantity)
        taken.append(attrs.evolve(b, quantity=part))
        left -= part
    if left > 0:
        raise InsufficientStockError(
            item=sku,
            lot=None,
            serial=None,
            position=_where(source),
            requested=wanted,
            available=wanted - left,
        )
    return taken


def _where(p: Position) -> str:
    inside = f" in container {p.container}" if p.container is not None else ""
    return f"{p.location} ({p.status}){inside}"
