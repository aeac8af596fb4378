"""Serial pools per GTIN over the posting context (``inv.serials``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from stockline import gs1
from stockline.errors import (
    IdempotencyConflictError,
    SerialPoolExhaustedError,
    UnknownSerialError,
    UnknownSerialPoolError,
    ValidationError,
)
from stockline.genealogy import Component, Output, post_production
from stockline.gs1 import Element
from stockline.ledger import (
    AVAILABLE,
    BalanceQuery,
    Book,
    Document,
    Header,
    HistoryQuery,
    LedgerReader,
    LedgerWriter,
    LocationKind,
    Movement,
    Tracking,
    Transaction,
    TxKind,
    boundary,
)
from stockline.serials._lifecycle import DECOMMISSIONED, derive
from stockline.serials._pools import (
    BATCH_KIND,
    POOL_KIND,
    VOID_KIND,
    PoolNumbers,
    batch_body,
    batch_from,
    batch_key,
    check_alphabet,
    new_pool_body,
    pool_from,
)
from stockline.serials._records import (
    DIGITS,
    Commissioned,
    Decommission,
    Gap,
    Label,
    Scheme,
    SerialBatch,
    SerialPool,
    SerialStatus,
)
from stockline.serials._sscc import SsccAllocator

__all__ = ["MAX_BATCH", "Serials"]

#: The most serials one call issues.
MAX_BATCH = 1_000_000


@attrs.define(repr=False)
class Serials:
    """Serial pools per GTIN: issue serials that are unique, hard to guess and never reused,
    in the same write as the posting that uses them (``inv.serials``).

    Pools are operational documents (kind ``serial-pool``, keyed by GTIN), so they survive
    restarts on every store, and an issue is a versioned update of the pool's counter: two
    writers can never take the same number. SSCCs come from :attr:`sscc`.

    Args:
        book: The posting context it reads and posts through.
    """

    _book: Book
    sscc: SsccAllocator = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.sscc = SsccAllocator(self._book)

    def __repr__(self) -> str:
        return "<Serials>"

    # -- pools -------------------------------------------------------------------------------

    def add_pool(
        self,
        sku: str,
        *,
        scheme: Scheme | str = Scheme.RANDOM,
        length: int = 12,
        alphabet: str = DIGITS,
        guess_odds: int = 10_000,
        actor: str | None = None,
    ) -> SerialPool:
        """Give the serial-tracked item ``sku`` (which must have a GTIN) its serial pool.

        Args:
            sku: The item.
            scheme: ``random`` (the default: a keyed pseudo-random permutation, see
                :class:`Scheme`) or ``sequential``.
            length: Characters per serial, 1 to 20 (AI 21); every serial has exactly this
                many (sequential ones are padded with the alphabet's first character).
            alphabet: The characters serials are written with, from GS1 character set 82.
            guess_odds: For a random pool: issue at most one serial in this many of the
                space, so that a guess is right at most once in ``guess_odds`` tries (EU FMD
                asks for 1 in 10,000). At least 2.
            actor: Who adds it.

        Returns:
            The new pool.

        Raises:
            UnknownItemError: No such item.
            ValidationError: The item is not serial-tracked or has no GTIN, it has a pool
                already, or the settings cannot make a pool.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("VIAL", gtin="09506000134352", tracking="serial")
            >>> pool = inv.serials.add_pool("VIAL", length=12)
            >>> pool.capacity, pool.guess_probability
            (100000000, Fraction(1, 10000))
        """
        sku = boundary.code(sku, "sku")
        chosen = boundary.choice(scheme, Scheme, "scheme")
        length = boundary.whole(length, "length", minimum=1, maximum=20)
        if not isinstance(alphabet, str):
            raise ValidationError(what="alphabet", value=alphabet, expected="text (a str)")
        alphabet = check_alphabet(alphabet)
        odds = boundary.whole(guess_odds, "guess_odds", minimum=2)
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            item = self._book.item(w, sku)
            if item.tracking is not Tracking.SERIAL:
                raise ValidationError(
                    f"item {sku} is tracked by {item.tracking}, not by serial; a serial pool "
                    "is for serial-tracked items"
                )
            if item.gtin is None:
                raise ValidationError(
                    f"item {sku} has no GTIN; serials are unique per GTIN, so give it one "
                    "with inv.master.update_item() first"
                )
            existing = w.document(POOL_KIND, item.gtin)
            if existing is not None:
                raise ValidationError(
                    f"GTIN {item.gtin} ({existing.body['sku']}) has a serial pool already; "
                    "a pool is never replaced, so that no serial is issued twice"
                )
            now = self._book.now()
            body = new_pool_body(
                sku=sku,
                gtin=item.gtin,
                scheme=chosen,
                length=length,
                alphabet=alphabet,
                guess_odds=odds,
                at=now,
                actor=actor,
            )
            doc = w.put_document(POOL_KIND, item.gtin, body, version=0, actor=actor, at=now)
            return pool_from(doc)

    def pool(self, sku: str) -> SerialPool:
        """Return the pool of ``sku``, with how many serials it has issued.

        Raises:
            UnknownItemError: No such item.
            UnknownSerialPoolError: It has no pool.
        """
        sku = boundary.code(sku, "sku")
        with self._book.read() as r:
            return pool_from(self._pool_document(r, sku))

    def pools(self) -> list[SerialPool]:
        """Return every pool, ordered by GTIN."""
        with self._book.read() as r:
            return [pool_from(d) for d in r.documents(POOL_KIND)]

    # -- issuing -----------------------------------------------------------------------------

    def issue(
        self,
        sku: str,
        count: int,
        *,
        reserved_for: str | None = None,
        actor: str | None = None,
    ) -> SerialBatch:
        """Take ``count`` serials from the pool of ``sku`` for later use (a label printer
        that prints ahead, a line that commissions them itself).

        They stay *issued* until a posting uses them; :meth:`gaps` lists those never used
        and :meth:`void` retires them. To issue serials as the units are made, use
        :meth:`produce`, which takes them in the production's own write.

        Args:
            sku: The item.
            count: How many, 1 to 1,000,000.
            reserved_for: What they are for (a line, a printer), kept with the batch.
            actor: Who takes them.

        Returns:
            The batch, its serials in issue order.

        Raises:
            UnknownSerialPoolError: The item has no pool.
            SerialPoolExhaustedError: The pool has fewer than ``count`` left; nothing was
                issued.
        """
        sku = boundary.code(sku, "sku")
        count = boundary.whole(count, "count", minimum=1, maximum=MAX_BATCH)
        reserved_for = boundary.optional_code(reserved_for, "reserved_for")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            doc = self._pool_document(w, sku)
            batch = self._issue(w, doc, count, reserved_for, actor, None)
            return batch_from(pool_from(doc), PoolNumbers(doc.body), batch)

    def produce(
        self,
        sku: str,
        quantity: int,
        *,
        location: str,
        consume: Sequence[Component] = (),
        lot: str | None = None,
        expiry: dt.date | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        line: str | None = None,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Commissioned:
        """Make ``quantity`` units of ``sku``, each with a new serial from its pool, in one
        write: the serials are issued if and only if the production is posted.

        With ``consume`` it is a production (components go in, serialised units come out,
        each linked to every component); without, a commissioning: the line gives
        identities to units the ledger did not know (the EPCIS export makes it an
        ObjectEvent ADD ``commissioning``).

        Args:
            sku: The serial-tracked item made.
            quantity: How many units (so, serials), 1 to 1,000,000.
            location: Where they are put.
            consume: What is consumed (:class:`~stockline.Component`); nothing by default.
            lot: The units' lot, if the item has lots too.
            expiry: The lot's expiry (by default the production date plus the shelf life).
            status: The status they are made in (``quarantine`` until released, ...).
            container: A case or pallet they go straight into.
            line: The production line (a location under ``production``).
            ref: The work order.
            refs: Other documents.
            key: An idempotency key: a repeat returns the first production and its serials,
                issuing none.
            effective_at: When they were made; now when ``None``.
            actor: Who posts it.
            reason: A note.

        Returns:
            The production and the serials it issued, in output order.

        Raises:
            UnknownSerialPoolError: The item has no pool.
            SerialPoolExhaustedError: The pool has fewer than ``quantity`` left.
            InsufficientStockError: A component is not there.
            IdempotencyConflictError: ``key`` was used by another posting.
        """
        sku = boundary.code(sku, "sku")
        count = boundary.whole(quantity, "quantity", minimum=1, maximum=MAX_BATCH)
        location = boundary.code(location, "location")
        components = [
            c if isinstance(c, Component) else _not_component(c)
            for c in boundary.sequence(consume, "consume")
        ]
        lot = boundary.optional_code(lot, "lot")
        expiry = boundary.optional_day(expiry, "expiry")
        status = boundary.code(status, "status")
        container = boundary.optional_code(container, "container")
        line = boundary.optional_code(line, "line")
        header = Header.of(
            TxKind.PRODUCTION,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        with self._book.write() as w:
            doc = self._pool_document(w, sku)
            if header.key is not None:
                found = w.find_key(header.key)
                if found is not None:
                    return _repeat(self._book.transaction(w, found[0]), sku, count, header.key)
            if count > _remaining(doc):
                raise SerialPoolExhaustedError(
                    pool=f"the serial pool of {sku}", requested=count, remaining=_remaining(doc)
                )
            serials = tuple(PoolNumbers(doc.body).serials(int(doc.body["issued"]), count))
            outputs = [
                Output(
                    sku=sku,
                    quantity=1,
                    location=location,
                    lot=lot,
                    serial=s,
                    expiry=expiry,
                    status=status,
                    container=container,
                )
                for s in serials
            ]
            tx = post_production(
                self._book, w, consume=components, output=outputs, line=line, header=header
            )
            self._issue(w, doc, count, line, header.actor, tx.id)
            return Commissioned(transaction=tx, serials=serials)

    # -- what was issued ---------------------------------------------------------------------

    def issued(self, sku: str) -> list[SerialBatch]:
        """Return every batch the pool of ``sku`` issued, oldest first, with its serials.

        Raises:
            UnknownSerialPoolError: The item has no pool.
        """
        sku = boundary.code(sku, "sku")
        with self._book.read() as r:
            doc = self._pool_document(r, sku)
            pool, numbers = pool_from(doc), PoolNumbers(doc.body)
            return [
                batch_from(pool, numbers, d)
                for d in r.documents(BATCH_KIND, prefix=f"{pool.gtin}|")
            ]

    def gaps(self, sku: str) -> list[Gap]:
        """Return the serials the pool of ``sku`` issued that no posting holds and that were
        not voided, oldest first: printed labels that never went on a unit, a production
        reversed after its serials were issued. Retire them with :meth:`void`.

        Each issued serial is computed again from the pool (a random pool gives some tens of
        thousands a second), and the item's balances are read once.

        Raises:
            UnknownSerialPoolError: The item has no pool.
        """
        sku = boundary.code(sku, "sku")
        with self._book.read() as r:
            doc = self._pool_document(r, sku)
            pool, numbers = pool_from(doc), PoolNumbers(doc.body)
            used = {
                b.serial
                for b in r.balances(BalanceQuery(item=sku, internal_only=False))
                if b.serial is not None
            }
            voided = _voided(r, pool.gtin)
            return [
                Gap(number=s, issued_at=batch.issued_at, reserved_for=batch.reserved_for)
                for d in r.documents(BATCH_KIND, prefix=f"{pool.gtin}|")
                for batch in (batch_from(pool, numbers, d),)
                for s in batch.serials
                if s not in used and s not in voided
            ]

    def void(
        self, sku: str, serials: Iterable[str], *, reason: str, actor: str | None = None
    ) -> tuple[str, ...]:
        """Retire issued serials that were never used, with a reason (a label spoiled at the
        printer, a batch torn): they are never issued again, never used, and leave
        :meth:`gaps`. Voiding a voided serial again is allowed and changes nothing.

        Args:
            sku: The item.
            serials: The serials.
            reason: Why (required).
            actor: Who.

        Returns:
            The serials voided by this call.

        Raises:
            UnknownSerialPoolError: The item has no pool.
            UnknownSerialError: A serial the pool has not issued.
            ValidationError: A serial a posting has used (reverse or decommission it
                instead), or no reason.
        """
        sku = boundary.code(sku, "sku")
        given = boundary.codes(serials, "serials")
        note = boundary.note(reason, "reason")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            doc = self._pool_document(w, sku)
            numbers, issued = PoolNumbers(doc.body), int(doc.body["issued"])
            gtin = doc.body["gtin"]
            done = []
            now = self._book.now()
            for serial in dict.fromkeys(given):
                n = numbers.number(serial)
                if n is None or n >= issued:
                    raise UnknownSerialError(
                        item=sku,
                        serial=serial,
                        advice="the pool has not issued it, so there is nothing to void",
                    )
                if w.balances(BalanceQuery(item=sku, serial=serial, internal_only=False)):
                    raise ValidationError(
                        f"serial {serial} of {sku} is on the ledger; a used serial is not "
                        "voided: reverse its posting or decommission it"
                    )
                if w.document(VOID_KIND, f"{gtin}|{serial}") is not None:
                    continue
                body = {"reason": note, "voided_at": now.isoformat(), "voided_by": actor}
                w.put_document(VOID_KIND, f"{gtin}|{serial}", body, version=0, actor=actor, at=now)
                done.append(serial)
            return tuple(done)

    # -- life cycle --------------------------------------------------------------------------

    def state(self, sku: str, serial: str) -> SerialStatus:
        """Return where ``serial`` of ``sku`` is in its life: issued, voided, commissioned,
        packed, shipped, returned or decommissioned (with why), read from the ledger.

        Raises:
            UnknownSerialError: Neither the pool nor the ledger knows the serial.
        """
        sku = boundary.code(sku, "sku")
        serial = boundary.code(serial, "serial")
        with self._book.read() as r:
            self._book.item(r, sku)
            issued_at, voided = self._issue_record(r, sku, serial)
            status = derive(r, sku, serial, issued_at=issued_at, voided=voided)
        if status is None:
            raise UnknownSerialError(item=sku, serial=serial)
        return status

    def decommission(
        self,
        sku: str,
        serial: str,
        *,
        reason: Decommission | str,
        note: str | None = None,
        ref: str | None = None,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Take the unit ``serial`` of ``sku`` out of the supply chain for good, from wherever
        it is in stock: a scrap posting whose reason reads ``decommissioned: <reason>``, which
        :meth:`state` and the EPCIS export (ObjectEvent DELETE, ``decommissioning``, or
        ``destroying`` for destroyed units) read back.

        Args:
            sku: The item.
            serial: The serial.
            reason: ``destroyed``, ``sample``, ``stolen`` or ``expired``.
            note: More words, kept after the reason.
            ref: A document (a destruction certificate, a police report).
            refs: Other documents.
            key: An idempotency key.
            effective_at: When; now when ``None``.
            actor: Who.

        Returns:
            The scrap transaction.

        Raises:
            UnknownSerialError: The ledger never moved the serial.
            ValidationError: It is not in stock (shipped, or decommissioned already).
        """
        sku = boundary.code(sku, "sku")
        serial = boundary.code(serial, "serial")
        why = boundary.choice(reason, Decommission, "reason")
        extra = boundary.optional_note(note, "note")
        text = f"{DECOMMISSIONED}{why.value}" + ("" if extra is None else f": {extra}")
        header = Header.of(
            TxKind.SCRAP,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=text,
        )
        with self._book.write() as w:
            self._book.item(w, sku)
            held = [b for b in w.balances(BalanceQuery(item=sku, serial=serial)) if b.quantity > 0]
            if not held:
                if not w.history(_history(sku, serial)):
                    raise UnknownSerialError(item=sku, serial=serial)
                raise ValidationError(
                    f"serial {serial} of {sku} is not in stock, so it cannot be "
                    "decommissioned here; inv.serials.state() says where it is"
                )
            (balance,) = held
            dst = self._book.counterparty(w, LocationKind.SCRAP, None, header.actor)
            movement = Movement(
                item=sku,
                quantity=balance.quantity,
                lot=balance.lot,
                serial=serial,
                src=balance.position,
                dst=dst,
            )
            return self._book.post(w, self._book.draft(TxKind.SCRAP, [movement], header))

    # -- labels ------------------------------------------------------------------------------

    def labels(
        self,
        sku: str,
        serials: Iterable[str],
        *,
        lot: str | None = None,
        expiry: dt.date | None = None,
        domain: str = "id.gs1.org",
    ) -> list[Label]:
        """Return the barcode content of each unit: ``(01)`` GTIN, ``(17)`` expiry,
        ``(10)`` lot and ``(21)`` serial as element string, HRI and Digital Link URI.

        Rendering the symbol (a GS1 DataMatrix, a QR code) is left to the label printer or
        an encoder library: the element string and the URI are what they take.

        Args:
            sku: The item (its GTIN is used).
            serials: The units' serials.
            lot: Their lot, if printed.
            expiry: Their expiry, if printed.
            domain: The Digital Link resolver's host.

        Raises:
            ValidationError: The item has no GTIN.
            BarcodeError: A value GS1 does not allow in a barcode.
        """
        sku = boundary.code(sku, "sku")
        given = boundary.codes(serials, "serials")
        lot = boundary.optional_code(lot, "lot")
        expiry = boundary.optional_day(expiry, "expiry")
        domain = boundary.code(domain, "domain")
        with self._book.read() as r:
            item = self._book.item(r, sku)
        if item.gtin is None:
            raise ValidationError(f"item {sku} has no GTIN, so its units have no GS1 label")
        today = self._book.now().date()
        return [
            label_of(
                gs1.build_elements(gtin=item.gtin, expiry=expiry, lot=lot, serial=s, today=today),
                domain,
            )
            for s in given
        ]

    # -- inside ------------------------------------------------------------------------------

    def _pool_document(self, r: LedgerReader, sku: str) -> Document:
        item = self._book.item(r, sku)
        doc = None if item.gtin is None else r.document(POOL_KIND, item.gtin)
        if doc is None:
            raise UnknownSerialPoolError(item=sku)
        return doc

    def _issue(
        self,
        w: LedgerWriter,
        doc: Document,
        count: int,
        reserved_for: str | None,
        actor: str | None,
        transaction: int | None,
    ) -> Document:
        """Move the pool's counter on by ``count`` and record the batch; return its record."""
        remaining = _remaining(doc)
        if count > remaining:
            raise SerialPoolExhaustedError(
                pool=f"the serial pool of {doc.body['sku']}", requested=count, remaining=remaining
            )
        first = int(doc.body["issued"])
        now = self._book.now()
        body = {**doc.body, "issued": str(first + count)}
        # The version check is what makes the numbers unique: a writer that read the same
        # counter fails here (StaleDocumentError) and its block rolls back.
        w.put_document(POOL_KIND, doc.key, body, version=doc.version, actor=actor, at=now)
        record = batch_body(
            first=first,
            count=count,
            at=now,
            actor=actor,
            reserved_for=reserved_for,
            transaction=transaction,
        )
        return w.put_document(
            BATCH_KIND, batch_key(doc.key, first), record, version=0, actor=actor, at=now
        )

    def _issue_record(
        self, r: LedgerReader, sku: str, serial: str
    ) -> tuple[dt.datetime | None, str | None]:
        """When the pool issued ``serial`` and why it was voided (``None`` when not)."""
        item = self._book.item(r, sku)
        doc = None if item.gtin is None else r.document(POOL_KIND, item.gtin)
        if doc is None:
            return None, None
        n = PoolNumbers(doc.body).number(serial)
        if n is None or n >= int(doc.body["issued"]):
            return None, None
        batches = r.documents(BATCH_KIND, prefix=f"{doc.key}|")
        issued_at = next(
            dt.datetime.fromisoformat(b.body["issued_at"])
            for b in reversed(batches)
            if int(b.body["first"]) <= n
        )
        void = r.document(VOID_KIND, f"{doc.key}|{serial}")
        return issued_at, None if void is None else void.body["reason"]


def label_of(elements: Sequence[Element], domain: str) -> Label:
    """The three payloads of one set of element strings."""
    return Label(
        element_string=gs1.to_element_string(elements),
        hri=gs1.to_hri(elements),
        digital_link=gs1.to_digital_link(elements, domain=domain),
    )


def _remaining(doc: Document) -> int:
    return int(doc.body["capacity"]) - int(doc.body["issued"])


def _voided(r: LedgerReader, gtin: str) -> set[str]:
    return {d.key.split("|", 1)[1] for d in r.documents(VOID_KIND, prefix=f"{gtin}|")}


def _history(sku: str, serial: str) -> HistoryQuery:
    return HistoryQuery(item=sku, serial=serial, limit=1)


def _not_component(value: object) -> Component:
    raise ValidationError(what="each of consume", value=value, expected="a Component")


def _repeat(tx: Transaction, sku: str, count: int, key: str) -> Commissioned:
    """The first production posted with ``key``, if it made ``count`` serials of ``sku``."""
    serials = tuple(
        m.serial
        for m in tx.movements
        if m.item == sku and m.serial is not None and m.src.location.startswith("production")
    )
    if tx.kind is not TxKind.PRODUCTION or len(serials) != count:
        raise IdempotencyConflictError(key=key, transaction_id=tx.id)
    return Commissioned(transaction=tx, serials=serials)
