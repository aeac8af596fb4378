"""Allocation and reservations over the posting context (``inv.allocation``).

:meth:`Allocations.allocate` reads the candidate positions, runs the pure
:func:`stockline.policies.allocate` and reserves what it picked, all in one write block:
writers are serialised, so two allocations can never take the same units. Reservations are
state, not ledger; they are consumed by :meth:`Allocations.pick` (which moves them to the
staging location with the stock) and :meth:`Allocations.ship`, or dropped by
:meth:`Allocations.release`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from stockline.allocation._policy import default_policy, pick_key
from stockline.errors import (
    AllocationShortfallError,
    ReservationError,
    ValidationError,
)
from stockline.ledger import (
    BalanceQuery,
    Book,
    Header,
    Item,
    LocationKind,
    Movement,
    Position,
    PositionKey,
    Reservation,
    Transaction,
    TxKind,
    boundary,
    ensure_allocatable,
)
from stockline.policies import Allocation, AllocationPolicy, Demand, allocate

__all__ = ["Allocations"]


@attrs.define(repr=False)
class Allocations:
    """Allocate stock to orders, and pick, ship or release what is reserved
    (``inv.allocation``).

    Per-item policies (:meth:`set_policy`) are Python objects kept by this service, not in
    the store: set them again when the process starts.

    Args:
        book: The posting context it reads and posts through.
    """

    _book: Book
    _policies: dict[str, AllocationPolicy] = attrs.field(factory=dict, init=False)

    def __repr__(self) -> str:
        return "<Allocations>"

    # -- policies --------------------------------------------------------------------------

    def set_policy(self, sku: str, policy: AllocationPolicy | None) -> None:
        """Allocate ``sku`` by ``policy`` from now on (``None``: back to the default).

        Policies are Python objects kept in this object, not in the store: set them again
        when the process starts (e.g. next to ``Inventory.open``). A ``policy=`` given to
        :meth:`allocate` overrides it for one call.

        Args:
            sku: The item.
            policy: The policy, or ``None`` for :func:`~stockline.allocation.default_policy`.

        Raises:
            UnknownItemError: No such item.
            ValidationError: ``policy`` is not an allocation policy.
        """
        sku = boundary.code(sku, "sku")
        chosen = _optional_policy(policy)
        with self._book.read() as r:
            self._book.item(r, sku)
        if chosen is None:
            self._policies.pop(sku, None)
        else:
            self._policies[sku] = chosen

    def policy(self, sku: str) -> AllocationPolicy:
        """Return the policy :meth:`allocate` uses for ``sku``.

        Args:
            sku: The item.

        Returns:
            The one set with :meth:`set_policy`, else
            :func:`~stockline.allocation.default_policy` (FEFO if tracked, FIFO if not).

        Raises:
            UnknownItemError: No such item.
        """
        sku = boundary.code(sku, "sku")
        with self._book.read() as r:
            return self.policy_of(self._book.item(r, sku))

    def policy_of(self, item: Item) -> AllocationPolicy:
        """Return the policy for an item record already read (in an open block, say).

        Reads nothing: features that allocate inside their own write block (kitting,
        replenishment) use it to follow the item's policy.

        Args:
            item: The item, as the master data holds it.

        Returns:
            The one set with :meth:`set_policy`, else
            :func:`~stockline.allocation.default_policy`.
        """
        if not isinstance(item, Item):
            raise ValidationError(what="item", value=item, expected="an Item")
        return self._policies.get(item.sku) or default_policy(item)

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
            policy: Overrides :meth:`policy` for this call.
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
            ValidationError: An argument of the wrong type or value.
        """
        sku = boundary.code(sku, "sku")
        amount = boundary.quantity(quantity)
        order = boundary.code(order, "order")
        line = boundary.optional_code(line, "line")
        given = _optional_policy(policy)
        lot = boundary.optional_code(lot, "lot")
        shelf_life = boundary.whole(
            min_shelf_life_days, "min_shelf_life_days", maximum=boundary.MAX_DAYS
        )
        allowed = boundary.codes(zones, "zones")
        preferred = boundary.codes(preferred_zones, "preferred_zones")
        size = None if pack_size is None else boundary.quantity(pack_size, "pack_size")
        packs = (
            whole_packs
            if isinstance(whole_packs, bool)
            else boundary.code(whole_packs, "whole_packs")
        )
        strict = boundary.flag(all_or_nothing, "all_or_nothing")
        day = boundary.optional_day(at, "at")
        facts = _attributes(attributes)
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            item = self._book.item(w, sku)
            now = self._book.now()
            statuses = sorted(s.name for s in w.statuses() if s.allocatable)
            demand = Demand(
                item=sku,
                quantity=amount,
                at=day or dt.date(now.year, now.month, now.day),
                lot=lot,
                min_remaining_shelf_life_days=shelf_life,
                allowed_zones=allowed,
                preferred_zones=preferred,
                pack_size=_pack_size(item, size, packs),
                attributes={**facts, "order": order, "line": line},
            )
            # Every status, so that a short plan says which stock its status kept out.
            candidates = w.candidates(sku, statuses=sorted(s.name for s in w.statuses()), lot=lot)
            chosen = given or self.policy_of(item)
            plan = allocate(demand, candidates, chosen, allocatable_statuses=statuses)
            if strict and not plan.is_complete:
                raise AllocationShortfallError(
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

        Args:
            sku: The item.
            lot: Only this lot.
            location: Only this location and below.

        Returns:
            The quantity, in the item's base unit.

        Raises:
            UnknownItemError: No such item.
            UnknownLocationError: No such location.
        """
        sku = boundary.code(sku, "sku")
        lot = boundary.optional_code(lot, "lot")
        location = boundary.optional_code(location, "location")
        with self._book.read() as r:
            self._book.item(r, sku)
            if location is not None:
                self._book.location(r, location)
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
        """Return the current reservations.

        Args:
            order: Only this order's.
            sku: Only this item's.

        Returns:
            The reservations, as values.
        """
        order = boundary.optional_code(order, "order")
        sku = boundary.optional_code(sku, "sku")
        with self._book.read() as r:
            return r.reservations(order, item=sku)

    def release(self, order: str, line: str | None = None) -> list[Reservation]:
        """Drop the reservations of ``order`` (only ``line`` if given), e.g. on a cancel.

        Releasing an order with nothing reserved does nothing. Stock already picked stays at
        the staging location; move it back with ``Inventory.move``.

        Args:
            order: The order.
            line: Only this order line.

        Returns:
            The reservations dropped.
        """
        order = boundary.code(order, "order")
        line = boundary.optional_code(line, "line")
        with self._book.write() as w:
            return w.release_reservations(order, line)

    # -- picking and shipping --------------------------------------------------------------

    def pick(
        self,
        allocation: Allocation,
        *,
        dst: str,
        order: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Post one ``pick`` transaction moving every pick of ``allocation`` to ``dst`` (a
        staging location), loose (out of any container), in the same status. Picks already
        loose at ``dst`` are left where they are (and stay reserved).

        The reservations go with the stock: they are consumed at each source position and
        made again at ``dst`` for the same order line, so the staged stock stays held until
        :meth:`ship` (or a release).

        Args:
            allocation: What :meth:`allocate` returned.
            dst: The staging location.
            order: The order (recorded as an ``SO`` reference); by default the one the
                allocation was made for.
            key: An idempotency key: a retry returns the first pick.
            effective_at: When the stock was picked; now when ``None``.
            actor: Who picks.
            reason: A note.

        Returns:
            The posted ``pick`` transaction.

        Raises:
            ReservationError: A pick is no longer reserved for the order (released, already
                picked or shipped).
            ValidationError: The allocation has no picks, or every pick is at ``dst``.
        """
        if not isinstance(allocation, Allocation):
            raise ValidationError(
                f"pick takes the Allocation that allocate() returned, got "
                f"{type(allocation).__name__} {allocation!r}"
            )
        dst = boundary.code(dst, "dst")
        order, line = _order_of(allocation, boundary.optional_code(order, "order"))
        header = Header.of(
            TxKind.PICK, ref=order, key=key, effective_at=effective_at, actor=actor, reason=reason
        )
        if not allocation.picks:
            raise ValidationError(
                f"the allocation for order {order} has no picks (nothing could be allocated); "
                "there is nothing to pick"
            )
        with self._book.write() as w:
            if header.key is not None and (found := w.find_key(header.key)) is not None:
                return self._book.transaction(w, found[0])
            now = self._book.now()
            held = {(r.line, r.key): r.quantity for r in w.reservations(order)}
            movements: list[Movement] = []
            for pick in allocation.picks:
                src_key = pick_key(pick)
                if held.get((line, src_key), Decimal(0)) < pick.quantity:
                    raise ReservationError(
                        order=order,
                        line=line,
                        quantity=pick.quantity,
                        item=src_key[0],
                        location=pick.candidate.location,
                    )
                c = pick.candidate
                if (c.location, c.container) == (dst, None):
                    continue  # already staged: it stays, and stays reserved
                w.consume(_reservation(order, line, src_key, pick.quantity, now, header.actor))
                movements.append(
                    Movement(
                        item=c.item,
                        quantity=pick.quantity,
                        src=Position(location=c.location, status=c.status, container=c.container),
                        dst=Position(location=dst, status=c.status),
                        lot=c.lot,
                        serial=src_key[2],
                    )
                )
            if not movements:
                raise ValidationError(
                    f"every pick of order {order} is at {dst} already; there is nothing to pick"
                )
            tx = self._book.post(w, self._book.draft(TxKind.PICK, movements, header), now=now)
            for m in tx.movements:
                key_at = (m.item, m.lot, m.serial, m.dst.location, m.dst.status, m.dst.container)
                w.reserve(_reservation(order, line, key_at, m.quantity, now, header.actor))
            return tx

    def ship(
        self,
        order: str,
        *,
        customer: str,
        line: str | None = None,
        refs: boundary.Refs = (),
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
            effective_at: When it left; now when ``None``.
            actor: Who ships.
            reason: A note.

        Returns:
            The posted ``shipment`` transaction.

        Raises:
            ReservationError: Nothing is reserved for the order (line).
            StatusError: Reserved stock was put in a status that may not ship.
        """
        order = boundary.code(order, "order")
        customer = boundary.code(customer, "customer")
        line = boundary.optional_code(line, "line")
        header = Header.of(
            TxKind.SHIPMENT,
            ref=order,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        with self._book.write() as w:
            if header.key is not None and (found := w.find_key(header.key)) is not None:
                return self._book.transaction(w, found[0])
            gone = w.release_reservations(order, line)
            if not gone:
                raise ReservationError(order=order, line=line)
            for r in gone:
                ensure_allocatable(w, r.position, "ship")
            dst = self._book.counterparty(w, LocationKind.CUSTOMER, customer, header.actor)
            movements = [
                Movement(
                    item=r.item,
                    quantity=r.quantity,
                    src=r.position,
                    dst=dst,
                    lot=r.lot,
                    serial=r.serial,
                )
                for r in gone
            ]
            draft = self._book.draft(TxKind.SHIPMENT, movements, header, counterparty=customer)
            return self._book.post(w, draft)


def _optional_policy(policy: object) -> AllocationPolicy | None:
    if policy is None or isinstance(policy, AllocationPolicy):
        return policy
    raise ValidationError(
        f"policy must be an allocation policy (with eligible() and rank(), such as Fefo() or "
        f"compose(...)), got {type(policy).__name__} {policy!r}"
    )


def _attributes(attributes: object) -> dict[str, object]:
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping) or not all(isinstance(k, str) for k in attributes):
        raise ValidationError(
            f"attributes must be a mapping of names to facts, got "
            f"{type(attributes).__name__} {attributes!r}"
        )
    return dict(attributes)


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


def _order_of(allocation: Allocation, order: str | None) -> tuple[str, str | None]:
    attributes = allocation.demand.attributes
    found = order if order is not None else attributes.get("order")
    if not isinstance(found, str):
        raise ValidationError(
            "this allocation names no order (it was not made by allocate()); pass order="
        )
    line = attributes.get("line")
    return found, line if isinstance(line, str) else None


def _pack_size(item: Item, pack_size: Decimal | None, whole_packs: bool | str) -> Decimal | None:
    if whole_packs is False:
        return pack_size
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
