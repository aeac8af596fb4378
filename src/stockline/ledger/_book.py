"""The posting context: the one object every feature posts and reads through.

A :class:`Book` holds the store, the clock and the authorizer, the master-data lookups every
verb needs (an item that must exist, a lot made on first use, a counterparty's location), and
the single :meth:`Book.post`. Features (genealogy, allocation, operations, EPCIS) are functions
or small services over a book; none of them writes to the store any other way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TypeVar

import attrs

from stockline.errors import (
    DuplicateError,
    UnknownItemError,
    UnknownLocationError,
    UnknownTransactionError,
    ValidationError,
)
from stockline.ledger._authorizing import Authorizer, authorize
from stockline.ledger._collector import collector_paused
from stockline.ledger._counterparties import COUNTERPARTY_ROOTS, party_location
from stockline.ledger._master import (
    Container,
    Item,
    Location,
    LocationKind,
    Lot,
    Party,
    PartyKind,
    Status,
    Tracking,
    parent_paths,
)
from stockline.ledger._posting import Checks, post
from stockline.ledger._records import Movement, NewTransaction, Position, Transaction, TxKind
from stockline.ledger._store import LedgerReader, LedgerWriter, MasterRecord, StockStore
from stockline.ledger._time import Clock, aware_utc
from stockline.ledger.boundary import Header, code

__all__ = ["Book"]

_R = TypeVar("_R", Item, Location, Party, Lot, Status, Container)


@attrs.define(repr=False)
class Book:
    """A store, a clock and an authorizer, with the one way to post.

    Args:
        store: Where the ledger is kept.
        clock: Where "now" comes from.
        authorizer: Asked before every posting, if given.
    """

    store: StockStore
    clock: Clock
    authorizer: Authorizer | None = None

    def __repr__(self) -> str:
        return f"<Book store={self.store!r}>"

    # -- blocks ------------------------------------------------------------------------------

    def read(self) -> AbstractContextManager[LedgerReader]:
        """Open a consistent read view of the store."""
        return self.store.read()

    def write(self) -> AbstractContextManager[LedgerWriter]:
        """Open an atomic write block."""
        return self.store.write()

    def now(self) -> dt.datetime:
        """Return the clock's "now"."""
        return self.clock.now()

    # -- posting -----------------------------------------------------------------------------

    def post(
        self,
        w: LedgerWriter,
        draft: NewTransaction,
        *,
        now: dt.datetime | None = None,
        checks: Checks | None = None,
    ) -> Transaction:
        """Post ``draft`` in the open write block, after the authorizer (if any) let it
        through. The only way anything in stockline posts."""
        authorize(self.authorizer, draft)
        return post(w, draft, now=self.clock.now() if now is None else now, checks=checks)

    def post_many(self, w: LedgerWriter, drafts: Iterable[NewTransaction]) -> list[Transaction]:
        """Post several drafts in the open block: one set-based balance read first, and each
        name and position checked once for the whole batch (see :class:`Checks`)."""
        batch = list(drafts)
        checks = Checks(w)
        checks.read_balances(
            {
                (m.item, m.lot, m.serial, p.location, p.status, p.container): None
                for draft in batch
                for m in draft.movements
                for p in (m.src, m.dst)
            }
        )
        now = aware_utc(self.clock.now(), "recorded_at")
        with collector_paused():
            return [self.post(w, draft, now=now, checks=checks) for draft in batch]

    @staticmethod
    def draft(
        kind: TxKind,
        movements: Iterable[Movement],
        header: Header,
        *,
        counterparty: str | None = None,
    ) -> NewTransaction:
        """Return the draft of a posting: its lines and its document fields."""
        return NewTransaction(
            kind=kind,
            movements=tuple(movements),
            effective_at=header.effective_at,
            key=header.key,
            refs=header.refs,
            counterparty=counterparty,
            actor=header.actor,
            reason=header.reason,
        )

    # -- master data -------------------------------------------------------------------------

    @staticmethod
    def item(r: LedgerReader, sku: str) -> Item:
        """Return the item ``sku``.

        Raises:
            UnknownItemError: It is not in the master data.
        """
        item = r.item(sku)
        if item is None:
            raise UnknownItemError(item=sku)
        return item

    @staticmethod
    def location(r: LedgerReader, path: str) -> Location:
        """Return the location ``path``.

        Raises:
            UnknownLocationError: It is not in the master data.
        """
        location = r.location(path)
        if location is None:
            raise UnknownLocationError(location=path)
        return location

    @staticmethod
    def transaction(r: LedgerReader, tx_id: int) -> Transaction:
        """Return a posted transaction.

        Raises:
            UnknownTransactionError: No such id.
        """
        tx = r.transaction(tx_id)
        if tx is None:
            raise UnknownTransactionError(transaction_id=tx_id)
        return tx

    def save(self, w: LedgerWriter, record: MasterRecord, actor: str | None) -> None:
        """Insert or replace a master record, recording who changed it and when.

        Raises:
            ValidationError: A lot that would expire before it was produced.
        """
        if (
            isinstance(record, Lot)
            and record.expiry is not None
            and record.produced_on is not None
            and record.expiry < record.produced_on
        ):
            raise ValidationError(
                what=f"expiry of lot {record.code} of {record.item}",
                value=record.expiry,
                expected=f"on or after its production date {record.produced_on.isoformat()}",
                advice="check the label: a lot cannot expire before it is made",
            )
        w.save(record, actor=actor, at=self.clock.now())

    def add(
        self,
        w: LedgerWriter,
        existing: _R | None,
        record: _R,
        actor: str | None,
        instead: str,
    ) -> _R:
        """Save ``record`` if new; return the existing one if equal; refuse a different one,
        pointing at ``instead`` (the call that changes it)."""
        if existing is None:
            self.save(w, record, actor)
            return record
        if existing != record:
            raise DuplicateError(
                f"{type(record).__name__.lower()} {_key_text(record)} exists with other fields "
                f"({existing!r}); use {instead} to change it"
            )
        return existing

    def ensure_parents(self, w: LedgerWriter, location: Location, actor: str | None) -> None:
        """Add the missing ancestors of ``location``, of the same kind."""
        for parent in parent_paths(location.path):
            if w.location(parent) is None:
                self.save(w, Location(path=parent, kind=location.kind), actor)

    def ensure_location(
        self, w: LedgerWriter, path: str, kind: LocationKind, actor: str | None
    ) -> None:
        """Add the location ``path`` of ``kind`` if it is missing; refuse one of another kind."""
        existing = w.location(path)
        if existing is None:
            location = Location(path=path, kind=kind)
            self.ensure_parents(w, location, actor)
            self.save(w, location, actor)
        elif existing.kind is not kind:
            raise ValidationError(f"location {path} is {existing.kind}, not {kind}")

    def counterparty(
        self, w: LedgerWriter, kind: LocationKind, party: str | None, actor: str | None
    ) -> Position:
        """Return the position of a counterparty: the party's own location, or the root of
        its kind (``scrap``, ``adjustment``, ...) when no party is named."""
        if party is None:
            path = COUNTERPARTY_ROOTS[kind]
        else:
            path = self.party(w, party, PartyKind(kind.value), actor=actor).location
        self.ensure_location(w, path, kind, actor)
        return Position(location=path)

    def counterparty_at(self, w: LedgerWriter, path: str, actor: str | None) -> Position:
        """Return the position of a production location given by path (added when missing)."""
        self.ensure_location(w, path, LocationKind.PRODUCTION, actor)
        return Position(location=path)

    def party(
        self,
        w: LedgerWriter,
        party: str,
        kind: PartyKind,
        *,
        name: str = "",
        gln: str | None = None,
        address: str = "",
        phone: str = "",
        actor: str | None,
    ) -> Party:
        """Return the party ``party``, added on first use; fields given complete it."""
        existing = w.party(party)
        given = name or gln is not None or address or phone
        if existing is not None and not given and existing.kind is kind:
            return existing
        record = Party(
            code=code(party, "party code"),
            kind=kind,
            name=name or (existing.name if existing else ""),
            gln=gln if gln is not None else (existing.gln if existing else None),
            location=party_location(kind, party),
            address=address or (existing.address if existing else ""),
            phone=phone or (existing.phone if existing else ""),
        )
        if existing is not None and existing.kind is not kind:
            raise DuplicateError(f"party {party} is a {existing.kind}, not a {kind}")
        if existing != record:
            self.ensure_location(w, record.location, LocationKind(kind.value), actor)
            self.save(w, record, actor)
        return record

    def lot(
        self,
        w: LedgerWriter,
        sku: str,
        lot: str,
        *,
        expiry: dt.date | None,
        produced_on: dt.date | None,
        actor: str | None,
    ) -> Lot:
        """Return the lot ``lot`` of ``sku``, added on first use (its expiry defaulting to the
        production date plus the item's shelf life).

        Raises:
            ValidationError: The item is not tracked by lot, or the lot is known with another
                expiry.
        """
        item = self.item(w, sku)
        if item.tracking is Tracking.NONE:
            raise ValidationError(f"item {sku} is not lot-tracked, so it has no lots")
        existing = w.lot(sku, lot)
        if existing is not None:
            if expiry is not None and existing.expiry not in (None, expiry):
                raise ValidationError(
                    f"lot {lot} of {sku} is recorded with expiry {existing.expiry}, but "
                    f"{expiry} was given; check the label, or correct the lot with "
                    "inv.master.update_lot()"
                )
            if expiry is not None and existing.expiry is None:
                existing = attrs.evolve(existing, expiry=expiry)
                self.save(w, existing, actor)
            return existing
        if expiry is None and produced_on is not None and item.shelf_life_days is not None:
            expiry = produced_on + dt.timedelta(days=item.shelf_life_days)
        record = Lot(item=sku, code=code(lot, "lot code"), expiry=expiry, produced_on=produced_on)
        self.save(w, record, actor)
        return record


def _key_text(record: MasterRecord) -> str:
    match record:
        case Item():
            return record.sku
        case Location():
            return record.path
        case Lot():
            return f"{record.item}/{record.code}"
        case Party() | Container():
            return record.code
        case Status():
            return record.name
