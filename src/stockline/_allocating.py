"""Allocation and reservations on the :class:`~stockline.Inventory` (kept in their own module).

``allocate`` reads the candidate positions, runs the pure :func:`stockline.policies.allocate`
and reserves what it picked, all in one write block: writers are serialised, so two
allocations can never take the same units. Reservations are state, not ledger; they are
consumed by :meth:`Allocating.pick` (which moves them to the staging location with the stock)
and :meth:`Allocating.ship_reserved`, or dropped by :meth:`Allocating.release_reservation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from stockline.errors import (
    AllocationShortfallError,
    ReservationError,
    UnknownItemError,
    UnknownLocationError,
    ValidationError,
)
from stockline.ledger._master import Item, LocationKind, Tracking
from stockline.ledger._posting import ensure_allocatable
from stockline.ledger._quantity import as_quantity
from stockline.ledger._queries import BalanceQuery
from stockline.ledger._records import (
    Movement,
    NewTransaction,
    Position,
    PositionKey,
    Reference,
    Transaction,
    TxKind,
)
from stockline.ledger._reservations import Reservation
from stockline.policies import Allocation, AllocationPolicy, Demand, Fefo, Fifo, Pick, allocate

if TYPE_CHECKING:
    from stockline.ledger._store import LedgerReader, LedgerWriter, StockStore
    from stockline.ledger._time import Clock

__all__ = ["Allocating", "default_policy"]


def default_policy(item: Item) -> AllocationPolicy:
    """The policy an item is allocated by unless told otherwise: FEFO for lot- and
    serial-tracked items (their lots carry expiry dates; undated lots come last, oldest
    first), FIFO for untracked items."""
    return Fifo() if item.tracking is Tracking.NONE else Fefo()


class Allocating:
    """Allocation and reservation operations of :class:`stockline.Inventory`."""

    if TYPE_CHECKING:
        store: StockStore
        clock: Clock
        _policies: dict[str, AllocationPolicy]

        def _post(
            self, w: LedgerWriter, draft: NewTransaction, *, now: dt.datetime | None = None
        ) -> Transaction: ...

        def _counterparty(
            self, w: LedgerWriter, kind: LocationKind, code: str | None, actor: str | None
        ) -> Position: ...

    # -- policies --------------------------------------------------------------------------

    def set_policy(self, sku: str, policy: AllocationPolicy | None) -> None:
        """Allocate ``sku`` by ``policy`` from now on (``None``: back to the default).

        Policies are Python objects kept in this ``Inventory`` object, not in the store: set
        them again when the process starts (e.g. next to ``Inventory.open``). A ``policy=``
        given to :meth:`allocate` overrides it for one call.

        Raises:
            UnknownItemError: No such item.
        """
        with self.store.read() as r:
            _item(r, sku)
        if policy is None:
            self._policies.pop(sku, None)
        else:
            self._policies[sku] = policy

    def policy_for(self, sku: str) -> AllocationPolicy:
        """Return the policy :meth:`allocate` uses for ``sku``: the one set with
        :meth:`set_policy`, else :func:`default_policy` (FEFO if tracked, FIFO if not)."""
        with self.store.read() as r:
            item = _item(r, sku)
        return self._policies.get(sku) or default_policy(item)

    # -- allocating ------------------------------------------------------------------------

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

        Candidates are the item's positions at internal locations in allocatable statuses,
        with what is not yet reserved; expired lots (on ``at``) and lots short of
        ``min_shelf_life_days`` are never taken. Reading and reserving happen in one write
        block, so concurrent allocations never share a unit.

        Args:
            sku: The item.
            quantity: How much, in the item's base unit.
            order: The order the stock is reserved for.
            line: The order line, if reservations are kept per line.
            policy: Overrides :meth:`policy_for` for this call.
            lot: Only this lot.
            min_shelf_life_days: Days of shelf life a lot must have left on ``at``.
            zones: Location prefixes stock may come from (``("DC1/A",)``); anywhere if empty.
            preferred_zones: Location prefixes to pick from first.
            pack_size: Allocate in multiples of this (``quantity`` must be one).
            whole_packs: Allocate whole packs of the item (``Item.packs``): ``True`` for its
                smallest pack, or a pack's name or GTIN.
            all_or_nothing: Raise instead of reserving a partial allocation.
            at: The date expiry is judged on; today (by the clock, UTC) if ``None``.
            attributes: Facts for custom policies (``Demand.attributes``); ``order`` and
                ``line`` are added.
            actor: Who allocates (recorded on the reservations).

        Returns:
            The allocation: picks (each reserved) and the shortfall, as a value.

        Raises:
            AllocationShortfallError: ``all_or_nothing`` and not everything could be
                allocated; nothing was reserved.
            UnknownItemError: No such item.
        """
        amount = as_quantity(quantity)
        with self.store.write() as w:
            item = _item(w, sku)
            now = self.clock.now()
            chosen = policy or self._policies.get(sku) or default_policy(item)
            statuses = sorted(s.name for s in w.statuses() if s.allocatable)
            demand = Demand(
                item=sku,
                quantity=amount,
                at=at or dt.date(now.year, now.month, now.day),
                lot=lot,
                min_remaining_shelf_life_days=min_shelf_life_days,
                allowed_zones=tuple(zones),
                preferred_zones=tuple(preferred_zones),
                pack_size=_pack_size(item, pack_size, whole_packs),
                attributes={**(attributes or {}), "order": order, "line": line},
            )
            candidates = w.candidates(sku, statuses=statuses, lot=lot)
            plan = allocate(demand, candidates, chosen, allocatable_statuses=statuses)
            if all_or_nothing and not plan.is_complete:
                raise AllocationShortfallError(
                    f"only {plan.allocated} of {amount} {sku} can be allocated to order "
                    f"{order}; nothing was reserved. Allocate less, or without "
                    "all_or_nothing to take what there is",
                    item=sku,
                    requested=amount,
                    available=plan.allocated,
                )
            for pick in plan.picks:
                w.reserve(_reservation(order, line, pick_key(pick), pick.quantity, now, actor))
            return plan

    def available_to_promise(
        self, sku: str, *, lot: str | None = None, location: str | None = None
    ) -> Decimal:
        """Return what could still be promised: on hand in allocatable statuses at internal
        locations (under ``location``), less what is reserved there.

        Expiry is not considered here; :meth:`allocate` also leaves out expired lots.
        """
        with self.store.read() as r:
            _item(r, sku)
            if location is not None and r.location(location) is None:
                raise UnknownLocationError(
                    f"location {location!r} is not in the master data", location=location
                )
            statuses = {s.name for s in r.statuses() if s.allocatable}
            query = BalanceQuery(item=sku, lot=lot, location=location)
            held: dict[PositionKey, Decimal] = {}
            on_hand = Decimal(0)
            for b in r.balances(query):
                if b.position.status in statuses:
                    on_hand += b.quantity
                    p = b.position
                    held[(b.item, b.lot, b.serial, p.location, p.status, p.container)] = b.quantity
            return on_hand - sum(r.reserved(held).values(), Decimal(0))

    def reservations(
        self, order: str | None = None, *, sku: str | None = None
    ) -> list[Reservation]:
        """Return the current reservations (of one order, of one item)."""
        with self.store.read() as r:
            return r.reservations(order, item=sku)

    def release_reservation(self, order: str, line: str | None = None) -> list[Reservation]:
        """Drop the reservations of ``order`` (only ``line`` if given), e.g. on a cancel.

        Releasing an order with nothing reserved does nothing. Stock already picked stays at
        the staging location; move it back with :meth:`move`.

        Returns:
            The reservations dropped.
        """
        with self.store.write() as w:
            return w.release_reservations(order, line)

    def pick(
        self,
        allocation: Allocation,
        *,
        to: str,
        order: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Post one ``pick`` transaction moving every pick of ``allocation`` to ``to`` (a
        staging location), loose (out of any container), in the same status. Picks already
        loose at ``to`` are left where they are (and stay reserved).

        The reservations go with the stock: they are consumed at each source position and
        made again at ``to`` for the same order line, so the staged stock stays held until
        :meth:`ship_reserved` (or a release).

        Args:
            allocation: What :meth:`allocate` returned.
            to: The staging location.
            order: The order; by default the one the allocation was made for.
            key: An idempotency key: a retry returns the first pick.

        Raises:
            ReservationError: A pick is no longer reserved for the order (released, already
                picked or shipped).
        """
        order, line = _order_of(allocation, order)
        if not allocation.picks:
            raise ValidationError(
                f"the allocation for order {order} has no picks (nothing could be allocated); "
                "there is nothing to pick"
            )
        with self.store.write() as w:
            if key is not None and (found := w.find_key(key)) is not None:
                return _transaction(w, found[0])
            now = self.clock.now()
            held = {(r.line, r.key): r.quantity for r in w.reservations(order)}
            movements: list[Movement] = []
            for pick in allocation.picks:
                src_key = pick_key(pick)
                if held.get((line, src_key), Decimal(0)) < pick.quantity:
                    raise ReservationError(
                        f"{pick.quantity} {src_key[0]} at {pick.candidate.location} is not "
                        f"reserved for order {order}{_line_text(line)} (released, picked or "
                        "shipped already); allocate again",
                        order=order,
                        line=line,
                    )
                c = pick.candidate
                if (c.location, c.container) == (to, None):
                    continue  # already staged: it stays, and stays reserved
                w.consume(_reservation(order, line, src_key, pick.quantity, now, actor))
                movements.append(
                    Movement(
                        item=c.item,
                        quantity=pick.quantity,
                        src=Position(location=c.location, status=c.status, container=c.container),
                        dst=Position(location=to, status=c.status),
                        lot=c.lot,
                        serial=src_key[2],
                    )
                )
            if not movements:
                raise ValidationError(
                    f"every pick of order {order} is at {to} already; there is nothing to pick"
                )
            draft = NewTransaction(
                kind=TxKind.PICK,
                movements=tuple(movements),
                effective_at=effective_at,
                key=key,
                refs=(Reference(type="SO", number=order),),
                actor=actor,
                reason=reason,
            )
            tx = self._post(w, draft, now=now)
            for m in tx.movements:
                key_at = (m.item, m.lot, m.serial, m.dst.location, m.dst.status, m.dst.container)
                w.reserve(_reservation(order, line, key_at, m.quantity, now, actor))
            return tx

    def ship_reserved(
        self,
        order: str,
        *,
        customer: str,
        line: str | None = None,
        refs: Mapping[str, str] | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Ship everything reserved for ``order`` (only ``line`` if given), wherever it is
        held (picked to staging or still in place), in one ``shipment``; the reservations are
        consumed.

        Args:
            order: The order (recorded as an ``SO`` reference).
            customer: The customer's code (added on first use).
            line: Only this order line.
            refs: Other documents, e.g. ``{"BOL": "bol-1"}``.
            key: An idempotency key: a retry returns the first shipment.

        Raises:
            ReservationError: Nothing is reserved for the order (line).
            StatusError: Reserved stock was put in a status that may not ship.
        """
        with self.store.write() as w:
            if key is not None and (found := w.find_key(key)) is not None:
                return _transaction(w, found[0])
            gone = w.release_reservations(order, line)
            if not gone:
                raise ReservationError(
                    f"nothing is reserved for order {order}{_line_text(line)}; allocate it "
                    "first (or it was shipped or released already)",
                    order=order,
                    line=line,
                )
            for r in gone:
                ensure_allocatable(w, r.position, "ship")
            dst = self._counterparty(w, LocationKind.CUSTOMER, customer, actor)
            draft = NewTransaction(
                kind=TxKind.SHIPMENT,
                movements=tuple(
                    Movement(
                        item=r.item,
                        quantity=r.quantity,
                        src=r.position,
                        dst=dst,
                        lot=r.lot,
                        serial=r.serial,
                    )
                    for r in gone
                ),
                effective_at=effective_at,
                key=key,
                refs=(
                    Reference(type="SO", number=order),
                    *(Reference(type=t, number=n) for t, n in (refs or {}).items()),
                ),
                counterparty=customer,
                actor=actor,
                reason=reason,
            )
            return self._post(w, draft)


def pick_key(pick: Pick) -> PositionKey:
    """The balance key of the position a pick takes from (serial from the candidate's
    ``attributes["serial"]``)."""
    c = pick.candidate
    serial = c.attributes.get("serial")
    return (
        c.item,
        c.lot,
        serial if isinstance(serial, str) else None,
        c.location,
        c.status,
        c.container,
    )


def _reservation(
    order: str,
    line: str | None,
    key: PositionKey,
    quantity: Decimal,
    now: dt.datetime,
    actor: str | None,
) -> Reservation:
    item, lot, serial, location, status, container = key
    return Reservation(
        order=order,
        line=line,
        item=item,
        lot=lot,
        serial=serial,
        position=Position(location=location, status=status, container=container),
        quantity=quantity,
        created_at=now,
        actor=actor,
    )


def _item(r: LedgerReader, sku: str) -> Item:
    item = r.item(sku)
    if item is None:
        raise UnknownItemError(
            f"item {sku!r} is not in the master data; add it with add_item()", item=sku
        )
    return item


def _transaction(r: LedgerReader, tx_id: int) -> Transaction:
    tx = r.transaction(tx_id)
    assert tx is not None, "an idempotency key names a posted transaction"
    return tx


def _order_of(allocation: Allocation, order: str | None) -> tuple[str, str | None]:
    attributes = allocation.demand.attributes
    found = order if order is not None else attributes.get("order")
    if not isinstance(found, str):
        raise ValidationError(
            "this allocation names no order (it was not made by Inventory.allocate); pass order="
        )
    line = attributes.get("line")
    return found, line if isinstance(line, str) else None


def _line_text(line: str | None) -> str:
    return "" if line is None else f" line {line}"


def _pack_size(
    item: Item, pack_size: Decimal | int | None, whole_packs: bool | str
) -> Decimal | None:
    if whole_packs is False:
        return None if pack_size is None else Decimal(pack_size)
    if pack_size is not None:
        raise ValidationError("give pack_size= or whole_packs=, not both")
    if not item.packs:
        raise ValidationError(
            f"item {item.sku} has no packs to allocate whole; give it packs= "
            "(add_item or update_item), or pass pack_size="
        )
    if whole_packs is True:
        return Decimal(min(units for _, units in item.packs))
    for code, units in item.packs:
        if whole_packs in (code, code.lstrip("0")) or (
            whole_packs.isdigit() and whole_packs.zfill(14) == code
        ):
            return Decimal(units)
    names = ", ".join(code for code, _ in item.packs)
    raise ValidationError(f"item {item.sku} has no pack {whole_packs!r}; its packs are {names}")
