"""Set-up descriptions (the master data a sequence of operations runs against) and their
strategies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs
import pendulum
from hypothesis import strategies as st

from stockline import Inventory
from stockline.gs1 import sscc
from stockline.ledger import (
    AVAILABLE,
    Item,
    Lot,
    Movement,
    NewTransaction,
    Position,
    Tracking,
    TxKind,
)
from stockline.testing._values import items, location_trees, lots, quantities, ssccs

__all__ = ["DEFAULT_SETUP", "START", "Setup", "setups", "transactions"]

#: When generated histories start: Monday 2 March 2026, 08:00 UTC.
START: pendulum.DateTime = pendulum.datetime(2026, 3, 2, 8, tz="UTC")


@attrs.frozen(kw_only=True)
class Setup:
    """The master data a generated sequence of operations runs against.

    Attributes:
        items: The items (any tracking).
        locations: Internal locations stock is kept in (their parents are added too).
        lots: Lots known before any stock arrives.
        containers: Containers (SSCCs) to pack into.
        suppliers: Supplier codes receipts come from.
        customers: Customer codes shipments go to.

    Example:
        >>> import stockline as sl
        >>> inv = sl.Inventory(clock=sl.FixedClock(START))
        >>> DEFAULT_SETUP.apply(inv)
        >>> [i.sku for i in inv.master.items()]
        ['ASP', 'BOLT', 'FLOUR', 'PUMP']
    """

    items: tuple[Item, ...]
    locations: tuple[str, ...]
    lots: tuple[Lot, ...] = ()
    containers: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ("ACME",)
    customers: tuple[str, ...] = ("C1", "C2")

    def item(self, sku: str) -> Item:
        """Return the item with this SKU."""
        for item in self.items:
            if item.sku == sku:
                return item
        raise KeyError(sku)

    def apply(self, inv: Inventory) -> None:
        """Add this master data to ``inv`` (and the supplier, customer and adjustment
        counterparty locations that hand-built transactions post against)."""
        for item in self.items:
            inv.add_item(**attrs.asdict(item, recurse=False))
        for path in self.locations:
            inv.add_location(path)
        for lot in self.lots:
            inv.add_lot(lot.item, lot.code, expiry=lot.expiry, produced_on=lot.produced_on)
        for code in self.containers:
            inv.containers.create(code)
        for kind, root in (("supplier", "suppliers"), ("customer", "customers")):
            inv.add_location(root, kind=kind)


DEFAULT_SETUP = Setup(
    items=(
        Item(sku="ASP", gtin="09506000134352", tracking=Tracking.LOT, shelf_life_days=730),
        Item(sku="BOLT", description="M8 bolt"),
        Item(sku="FLOUR", unit="KGM", decimals=3),
        Item(sku="PUMP", tracking=Tracking.SERIAL),
    ),
    locations=("DC1/A/01", "DC1/A/02", "DC1/DOCK", "DC2/DOCK"),
    lots=(Lot(item="ASP", code="L1", expiry=dt.date(2027, 6, 30)),),
    containers=(sscc("0614141", "000000001"), sscc("0614141", "000000002")),
)
"""A small site: a lot-tracked, an untracked, a weighed and a serial-tracked item, four
bins in two sites, one known lot and two pallets."""


def setups(
    *,
    min_items: int = 1,
    max_items: int = 4,
    trackings: Sequence[Tracking | str] = tuple(Tracking),
    max_locations: int = 4,
    max_containers: int = 2,
) -> st.SearchStrategy[Setup]:
    """Set-ups with distinct items (every tracking in ``trackings`` present when there is
    room), a location tree, some lots and containers.

    Example:
        >>> import stockline as sl
        >>> setup = setups().example()
        >>> inv = sl.Inventory(clock=sl.FixedClock(START))
        >>> setup.apply(inv)
        >>> len(inv.master.items()) == len(setup.items)
        True
    """
    kinds = [Tracking(t) for t in trackings]

    @st.composite
    def build(draw: st.DrawFn) -> Setup:
        count = draw(st.integers(max(min_items, 1), max(max_items, min_items, 1)))
        wanted = [kinds[i % len(kinds)] for i in range(count)]
        found: list[Item] = []
        gtins: set[str] = set()
        for n, kind in enumerate(wanted):
            item = draw(items(tracking=kind))
            # Pack names are indexed like GTINs, so they must differ between items too.
            item = attrs.evolve(
                item,
                sku=f"{item.sku}-{n}",
                packs=tuple((f"{name}-{n}", units) for name, units in item.packs),
            )
            if item.gtin is not None and item.gtin in gtins:
                item = attrs.evolve(item, gtin=None)
            gtins.update(filter(None, [item.gtin]))
            found.append(item)
        known: list[Lot] = []
        for item in found:
            if item.tracking is Tracking.LOT and draw(st.booleans()):
                known.append(draw(lots(item.sku)))
        return Setup(
            items=tuple(found),
            locations=draw(location_trees(min_size=2, max_size=max(max_locations, 2))),
            lots=tuple({(lot.item, lot.code): lot for lot in known}.values()),
            containers=tuple(
                draw(st.lists(ssccs(), max_size=max_containers, unique=True).map(sorted))
            ),
        )

    return build()


def transactions(setup: Setup = DEFAULT_SETUP) -> st.SearchStrategy[NewTransaction]:
    """Single receipt transactions, one to three lines, valid on an inventory freshly set up
    with ``setup`` (post them with :meth:`stockline.Inventory.post`).

    Lot-tracked lines use the set-up's lots; serial-tracked lines get distinct serials.

    Example:
        >>> import stockline as sl
        >>> inv = sl.Inventory(clock=sl.FixedClock(START))
        >>> DEFAULT_SETUP.apply(inv)
        >>> tx = inv.post(transactions().example())
        >>> tx.id, inv.check().ok
        (1, True)
    """
    lot_codes = {lot.item: lot.code for lot in setup.lots}
    usable = [i for i in setup.items if i.tracking is not Tracking.LOT or i.sku in lot_codes]
    if not usable:
        raise ValueError("the set-up has no item a receipt can move (lot items need a lot)")

    @st.composite
    def line(draw: st.DrawFn, n: int) -> Movement:
        item = draw(st.sampled_from(usable))
        serial = f"SN-{n}" if item.tracking is Tracking.SERIAL else None
        qty = Decimal(1) if serial else draw(quantities(decimals=item.decimals, max_value=100))
        status = draw(st.sampled_from([AVAILABLE, AVAILABLE, "quarantine"]))
        return Movement(
            item=item.sku,
            quantity=qty,
            lot=lot_codes.get(item.sku) if item.tracking is Tracking.LOT else None,
            serial=serial,
            src=Position(location="suppliers"),
            dst=Position(location=draw(st.sampled_from(setup.locations)), status=status),
        )

    @st.composite
    def build(draw: st.DrawFn) -> NewTransaction:
        count = draw(st.integers(1, 3))
        return NewTransaction(
            kind=TxKind.RECEIPT,
            movements=tuple(draw(line(n)) for n in range(count)),
            key=draw(st.none() | st.uuids().map(str)),
            actor=draw(st.sampled_from([None, "ann", "bob"])),
        )

    return build()
