"""Master data after it is added: look-ups and recorded corrections (``inv.master``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

from stockline.errors import (
    DuplicateError,
    UnknownItemError,
    UnknownLotError,
    UnknownStatusError,
    ValidationError,
)
from stockline.ledger import (
    Book,
    Item,
    LedgerReader,
    Location,
    Lot,
    MasterChange,
    Party,
    Status,
    boundary,
    item_gtins,
)

__all__ = ["MasterData", "check_gtins_free", "gtin14", "packs"]


def gtin14(value: object, what: str = "gtin") -> str:
    """Return a GTIN (8, 12, 13 or 14 digits, check digit verified) as GTIN-14.

    Raises:
        ValidationError: It is not text.
        BarcodeError: It is not a GTIN.
    """
    # Imported here: stockline.gs1 needs biip, which importing stockline must not.
    from stockline.gs1 import normalize_gtin

    return normalize_gtin(boundary.code(value, what))


def packs(value: object) -> tuple[tuple[str, int], ...]:
    """Return an item's packaging levels, canonical: ``(GTIN-14 or name, units)`` pairs.

    Raises:
        ValidationError: Not a sequence of pairs; a name that is not an identifier; units not
            a whole number of at least 2.
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"packs must be a list of (gtin or name, units) pairs, got {value!r}")
    found: list[tuple[str, int]] = []
    for pair in value:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValidationError(f"a pack is a (gtin or name, units) pair, got {pair!r}")
        code, units = pair
        name = boundary.code(code, "pack name")
        found.append(
            (
                gtin14(name) if name.isdigit() else name,
                boundary.whole(units, "pack units", minimum=2),
            )
        )
    return tuple(found)


def check_gtins_free(r: LedgerReader, item: Item) -> None:
    """Refuse an item whose GTIN (or a pack's) already names another item.

    Raises:
        DuplicateError: A GTIN belongs to another item.
    """
    for code in item_gtins(item):
        other = r.item_by_gtin(code)
        if other is not None and other.sku != item.sku:
            raise DuplicateError(
                f"GTIN {code} already belongs to item {other.sku}; a GTIN names one item"
            )


@attrs.define(repr=False)
class MasterData:
    """Look up master data, and correct it with the change recorded (``inv.master``).

    Adding master data is done with the :class:`~stockline.Inventory`'s ``add_*`` verbs;
    what may change afterwards (descriptions, GTINs, addresses, a lot's dates) changes here.
    What movements were posted under (an item's unit and tracking, a location's kind) never
    changes: add a new record instead.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<MasterData>"

    # -- look-ups ------------------------------------------------------------------------

    def item(self, sku: str) -> Item:
        """Return the item with this SKU.

        Raises:
            UnknownItemError: No such item.
        """
        sku = boundary.code(sku, "sku")
        with self._book.read() as r:
            return self._book.item(r, sku)

    def item_by_gtin(self, gtin: str) -> Item:
        """Return the item whose GTIN (or one of whose pack GTINs) is ``gtin``.

        Raises:
            UnknownItemError: No item has it.
        """
        code = gtin14(gtin)
        with self._book.read() as r:
            item = r.item_by_gtin(code)
        if item is None:
            raise UnknownItemError(item=code)
        return item

    def items(self) -> list[Item]:
        """Return every item."""
        with self._book.read() as r:
            return r.items()

    def location(self, path: str) -> Location:
        """Return the location at ``path``.

        Raises:
            UnknownLocationError: No such location.
        """
        path = boundary.path(path, "path")
        with self._book.read() as r:
            return self._book.location(r, path)

    def locations(self) -> list[Location]:
        """Return every location."""
        with self._book.read() as r:
            return r.locations()

    def lot(self, sku: str, lot: str) -> Lot:
        """Return a lot.

        Raises:
            UnknownLotError: No such lot.
        """
        sku, lot = boundary.code(sku, "sku"), boundary.code(lot, "lot")
        with self._book.read() as r:
            found = r.lot(sku, lot)
        if found is None:
            raise UnknownLotError(item=sku, lot=lot)
        return found

    def lots(self, sku: str | None = None) -> list[Lot]:
        """Return every lot (of one item, when ``sku`` is given)."""
        sku = boundary.optional_code(sku, "sku")
        with self._book.read() as r:
            return r.lots(sku)

    def status(self, name: str) -> Status:
        """Return a stock status (built in or added with ``add_status``).

        Raises:
            UnknownStatusError: No such status.
        """
        name = boundary.code(name, "name")
        with self._book.read() as r:
            found = r.status(name)
        if found is None:
            raise UnknownStatusError(status=name)
        return found

    def statuses(self) -> list[Status]:
        """Return every stock status: the built-in ones and those added with ``add_status``;
        ``allocatable`` tells those stock may be allocated and shipped from."""
        with self._book.read() as r:
            return r.statuses()

    def parties(self) -> list[Party]:
        """Return every supplier and customer."""
        with self._book.read() as r:
            return r.parties()

    def changes(self, *, after: int = 0) -> list[MasterChange]:
        """Return the recorded master data changes after number ``after``: who changed what,
        when."""
        after = boundary.whole(after, "after", maximum=boundary.MAX_ID)
        with self._book.read() as r:
            return r.master_changes(after=after)

    # -- corrections ---------------------------------------------------------------------

    def update_item(
        self,
        sku: str,
        *,
        description: str | None = None,
        gtin: str | None = None,
        shelf_life_days: int | None = None,
        packs: Iterable[tuple[str, int]] | None = None,
        actor: str | None = None,
    ) -> Item:
        """Change an item's description, GTIN, shelf life or packs; the change is recorded.

        Fields left ``None`` keep their value. Tracking, unit and decimals cannot change:
        movements were posted under them; add a new item instead.

        Raises:
            UnknownItemError: No such item.
            DuplicateError: The GTIN names another item.
        """
        sku = boundary.code(sku, "sku")
        changes: dict[str, Any] = {}
        if description is not None:
            changes["description"] = boundary.note(description, "description")
        if gtin is not None:
            changes["gtin"] = gtin14(gtin)
        if shelf_life_days is not None:
            changes["shelf_life_days"] = boundary.whole(
                shelf_life_days, "shelf_life_days", maximum=boundary.MAX_DAYS
            )
        if packs is not None:
            changes["packs"] = _packs(packs)
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            item = attrs.evolve(self._book.item(w, sku), **changes)
            check_gtins_free(w, item)
            self._book.save(w, item, actor)
            return item

    def update_location(
        self,
        path: str,
        *,
        description: str | None = None,
        gln: str | None = None,
        pick_sequence: int | None = None,
        address: str | None = None,
        phone: str | None = None,
        ffrn: str | None = None,
        actor: str | None = None,
    ) -> Location:
        """Change a location's description, GLN, pick sequence, address, phone or FFRN; the
        change is recorded with who and when. Fields left ``None`` keep their value.

        The kind cannot change: movements were posted under it. Add a new location instead.

        Raises:
            UnknownLocationError: No such location.
        """
        path = boundary.path(path, "path")
        changes: dict[str, Any] = {}
        for name, value in (("description", description), ("address", address), ("phone", phone)):
            if value is not None:
                changes[name] = boundary.note(value, name)
        for name, value in (("gln", gln), ("ffrn", ffrn)):
            if value is not None:
                changes[name] = boundary.code(value, name)
        if pick_sequence is not None:
            changes["pick_sequence"] = boundary.whole(
                pick_sequence, "pick_sequence", minimum=-(2**31)
            )
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            location = attrs.evolve(self._book.location(w, path), **changes)
            self._book.save(w, location, actor)
            return location

    def update_lot(
        self,
        sku: str,
        lot: str,
        *,
        expiry: dt.date | None = None,
        produced_on: dt.date | None = None,
        tlc_source_reference: str | None = None,
        actor: str | None = None,
    ) -> Lot:
        """Correct a lot's expiry, production date or FSMA 204 TLC source reference; the
        change is recorded with who and when. Fields left ``None`` keep their value.

        Raises:
            UnknownLotError: No such lot.
        """
        sku, lot = boundary.code(sku, "sku"), boundary.code(lot, "lot")
        changes: dict[str, Any] = {}
        if expiry is not None:
            changes["expiry"] = boundary.day(expiry, "expiry")
        if produced_on is not None:
            changes["produced_on"] = boundary.day(produced_on, "produced_on")
        if tlc_source_reference is not None:
            changes["tlc_source_reference"] = boundary.code(
                tlc_source_reference, "tlc_source_reference"
            )
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            found = w.lot(sku, lot)
            if found is None:
                raise UnknownLotError(item=sku, lot=lot)
            record = attrs.evolve(found, **changes)
            self._book.save(w, record, actor)
            return record


_packs = packs
