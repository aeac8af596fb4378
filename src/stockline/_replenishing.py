"""Replenishment (min/max) and kitting on the :class:`~stockline.Inventory`.

Replenishment rules are operational documents (kind ``replenishment-rule``, key
``<location>|<sku>``). Proposals are values: they reserve nothing, and
:meth:`Replenishing.post_replenishment` checks them again when it posts, so stock that moved
in between can never make a pick face pass its maximum or take held or reserved stock.

Kitting reuses the allocation machinery (the item's policy, candidates net of reservations,
the pure :func:`stockline.policies.allocate`) for every component in one write block, and
reserves only when every component can be served.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Any, cast

from stockline._allocating import default_policy, pick_key
from stockline.errors import (
    InvalidQuantityError,
    NotFoundError,
    ReplenishmentError,
    UnknownItemError,
    UnknownLocationError,
    ValidationError,
)
from stockline.ledger._master import Item, LocationKind
from stockline.ledger._posting import ensure_allocatable
from stockline.ledger._quantity import as_quantity, canonical
from stockline.ledger._queries import BalanceQuery
from stockline.ledger._records import (
    AVAILABLE,
    Movement,
    NewTransaction,
    Position,
    PositionKey,
    Transaction,
    TxKind,
)
from stockline.ledger._reservations import Reservation
from stockline.operations._kits import BomLine, Kit, KitShortage
from stockline.operations._replenishment import Proposal, ProposalMove, ReplenishmentRule
from stockline.policies import Allocation, Candidate, Demand, Pick, allocate

if TYPE_CHECKING:
    from stockline._inventory import Inventory
    from stockline.ledger._documents import Document
    from stockline.ledger._store import LedgerReader

__all__ = ["KIT_KIND", "RULE_KIND", "Replenishing"]

#: Document kind of a replenishment rule.
RULE_KIND = "replenishment-rule"
#: Document kind of a reserved kit (key: the order), so a repeated kit() returns it.
KIT_KIND = "kit"


class Replenishing:
    """Replenishment (min/max) and kitting (kept in its own module)."""

    # -- rules -------------------------------------------------------------------------------

    def set_replenishment_rule(
        self,
        sku: str,
        location: str,
        *,
        min: object,
        max: object,
        multiple: object = None,
        source: str | None = None,
        actor: str | None = None,
    ) -> ReplenishmentRule:
        """Keep ``sku`` at the pick face ``location`` between ``min`` and ``max`` (adding the
        rule, or replacing the one there is).

        Args:
            sku: The item.
            location: The pick face, line-side supermarket or kanban location (internal).
            min: Replenish when its level falls to this or below (the reorder point; zero or
                more: 0 replenishes only an empty pick face).
            max: Never fill it above this: its stock in every status, reserved or not, stays
                at most ``max`` (more than zero, at least ``min``).
            multiple: Move only whole multiples of this (a kanban bin or a case); ``max``
                less ``min`` must be at least one multiple, so a trigger always moves one.
            source: The subtree stock comes from; the site (first segment of ``location``)
                when ``None``.
            actor: Who sets it.

        Returns:
            The rule as stored.

        Raises:
            ValidationError: Quantities that do not make a rule, or a source inside the pick
                face.
            UnknownItemError: No such item.
            UnknownLocationError: No such location (or source).

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("BOLT")
            >>> for path in ("DC1/RESERVE/01", "DC1/PICK/01"):
            ...     _ = inv.add_location(path)
            >>> _ = inv.receive("BOLT", 100, to="DC1/RESERVE/01")
            >>> _ = inv.set_replenishment_rule("BOLT", "DC1/PICK/01", min=10, max=40)
            >>> [(p.location, p.quantity) for p in inv.replenishment()]
            [('DC1/PICK/01', Decimal('40'))]
        """
        return set_rule(
            cast("Inventory", self),
            sku,
            location,
            low=min,
            high=max,
            multiple=multiple,
            source=source,
            actor=actor,
        )

    def replenishment_rules(
        self, *, sku: str | None = None, location: str | None = None
    ) -> list[ReplenishmentRule]:
        """Return the replenishment rules (of one item; at ``location`` and below), ordered by
        location then item."""
        inv = cast("Inventory", self)
        with inv.store.read() as r:
            rules = [_rule_of(d) for d in r.documents(RULE_KIND)]
        return [
            rule
            for rule in rules
            if (sku is None or rule.sku == sku)
            and (location is None or _under(rule.location, location))
        ]

    def remove_replenishment_rule(
        self, sku: str, location: str, *, actor: str | None = None
    ) -> ReplenishmentRule:
        """Remove the rule of ``sku`` at ``location`` and return it.

        Raises:
            NotFoundError: There is no such rule.
        """
        inv = cast("Inventory", self)
        with inv.store.write() as w:
            doc = w.document(RULE_KIND, _rule_key(location, sku))
            if doc is None:
                raise NotFoundError(
                    f"there is no replenishment rule for {sku} at {location}; list them with "
                    "replenishment_rules()"
                )
            w.delete_document(RULE_KIND, doc.key, version=doc.version)
            return _rule_of(doc)

    # -- proposals ---------------------------------------------------------------------------

    def replenishment(
        self,
        *,
        sku: str | None = None,
        location: str | None = None,
        at: dt.date | None = None,
    ) -> list[Proposal]:
        """Propose moves for every pick face (of ``sku``; at ``location`` and below) whose
        level is at or below its rule's ``min``, bringing it up to ``max`` at most.

        A pick face's level is its stock in allocatable statuses, less what is reserved,
        leaving out lots expired on ``at``: what can still be picked there. The quantity
        proposed is capped so that everything physically at the pick face (every status,
        reserved or expired stock included) never passes ``max``; a pick face that is full
        of stock that cannot be picked gets no proposal until that stock leaves. Stock comes
        from the rule's source subtree, never from a pick face of the item, never in a status
        that is not allocatable (``hold``, ``quarantine``, ...) and never reserved; the item's
        allocation policy
        (:meth:`~stockline.Inventory.policy_for`, FEFO for lot- and serial-tracked items)
        orders it, and the proposals of one call never share a unit. A proposal the reserve
        cannot fill in full carries its ``shortfall`` (and may have no moves at all).

        Args:
            sku: Only this item's rules.
            location: Only rules at this location and below.
            at: The date expiry is judged on; today (by the clock, UTC) when ``None``.

        Returns:
            One proposal per pick face at or below its minimum that has room, ordered by
            location then item.
            Nothing is reserved or posted.
        """
        inv = cast("Inventory", self)
        now = inv.clock.now()
        day = at or dt.date(now.year, now.month, now.day)
        with inv.store.read() as r:
            rules = [_rule_of(d) for d in r.documents(RULE_KIND)]
            statuses = sorted(s.name for s in r.statuses() if s.allocatable)
            faces: dict[str, list[str]] = {}
            for rule in rules:
                faces.setdefault(rule.sku, []).append(rule.location)
            used: dict[PositionKey, Decimal] = {}
            proposals = []
            for rule in rules:
                if sku is not None and rule.sku != sku:
                    continue
                if location is not None and not _under(rule.location, location):
                    continue
                found = _propose(inv, r, rule, statuses, faces[rule.sku], used, day)
                if found is not None:
                    proposals.append(found)
            return proposals

    def post_replenishment(
        self,
        proposals: Sequence[Proposal],
        *,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Post proposals as one ``transfer`` transaction: every move to its pick face, loose,
        in status ``available``.

        Each pick face is checked again first: it must still have its rule, and what it holds
        now (every status, reserved or not) plus what is moved there must not pass the rule's
        ``max``.

        Args:
            proposals: What :meth:`replenishment` returned (or some of it).
            key: An idempotency key: a retry returns the first transaction.
            effective_at: When the moves were made; now when ``None``.
            actor: Who posts them.
            reason: A note; ``"replenishment"`` when ``None``.

        Raises:
            ReplenishmentError: A pick face was filled or its rule changed or was removed
                since the proposals were made; propose again.
            InsufficientStockError: A reserve position no longer holds the stock.
            ReservedStockError: Stock proposed was reserved since.
            StatusError: A proposal takes stock in a status that may not be allocated.
            ValidationError: The proposals move nothing.
        """
        return post_replenishment(
            cast("Inventory", self),
            proposals,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    # -- kitting -----------------------------------------------------------------------------

    def kit(
        self,
        bom: Sequence[BomLine] | Mapping[str, object],
        quantity: object = 1,
        *,
        order: str,
        zones: Sequence[str] = (),
        min_shelf_life_days: int = 0,
        at: dt.date | None = None,
        reserve: bool = True,
        actor: str | None = None,
    ) -> Kit:
        """Allocate every component of a bill of materials for ``quantity`` units of a product
        at once, or none of them.

        Each component is allocated by its item's policy from allocatable, unreserved,
        unexpired stock (as :meth:`~stockline.Inventory.allocate` does), all in one write
        block. If any component is short, nothing is reserved and the kit lists every short
        component; if all can be served, each is reserved for ``order``, line = the
        component's SKU, so :meth:`~stockline.Inventory.pick` can stage each allocation and
        :meth:`~stockline.Inventory.release_reservation` can drop the kit.

        Args:
            bom: The components per unit of the product: ``{"SKU": quantity}`` or
                :class:`~stockline.operations.BomLine` records. A component named twice is
                needed twice.
            quantity: How many units of the product.
            order: The production (work) order to reserve for.
            zones: Location prefixes components may come from; anywhere when empty.
            min_shelf_life_days: Days of shelf life a lot must have left on ``at``.
            at: The date expiry is judged on; today (by the clock, UTC) when ``None``.
            reserve: ``False`` only checks availability: nothing is reserved even when the
                kit is complete.
            actor: Who allocates (recorded on the reservations).

        Returns:
            The kit: one allocation per component and the shortages (a value, not an error;
            call :meth:`~stockline.operations.Kit.raise_for_shortage` to raise instead).
            A component's requirement is rounded up to what its unit can count.

        Raises:
            UnknownItemError: A component is not in the master data.
            ValidationError: An empty bill of materials or a bad quantity.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> for sku in ("FRAME", "WHEEL"):
            ...     _ = inv.add_item(sku)
            >>> _ = inv.add_location("DC1/A/01")
            >>> _ = inv.receive("FRAME", 5, to="DC1/A/01")
            >>> _ = inv.receive("WHEEL", 8, to="DC1/A/01")
            >>> kit = inv.kit({"FRAME": 1, "WHEEL": 2}, 5, order="WO-7")
            >>> kit.is_complete, [(s.sku, s.required, s.available) for s in kit.shortages]
            (False, [('WHEEL', Decimal('10'), Decimal('8'))])
            >>> inv.reservations("WO-7")
            []
        """
        return kit(
            cast("Inventory", self),
            bom,
            quantity,
            order=order,
            zones=zones,
            min_shelf_life_days=min_shelf_life_days,
            at=at,
            reserve=reserve,
            actor=actor,
        )


# -- rules -----------------------------------------------------------------------------------


def set_rule(
    inv: Inventory,
    sku: str,
    location: str,
    *,
    low: object,
    high: object,
    multiple: object,
    source: str | None,
    actor: str | None,
) -> ReplenishmentRule:
    """Add or replace a rule (see :meth:`Replenishing.set_replenishment_rule`)."""
    with inv.store.write() as w:
        item = _item(w, sku)
        _internal(w, location)
        if source is not None:
            _internal(w, source)
            if _under(source, location):
                raise ValidationError(
                    f"the source {source} of the rule for {sku} at {location} is the pick face "
                    "itself or inside it; give a reserve area outside it"
                )
        minimum = _amount(low, item, "min", zero=True)
        maximum = _amount(high, item, "max")
        step = None if multiple is None else _amount(multiple, item, "multiple")
        if maximum < minimum:
            raise ValidationError(
                f"the rule for {sku} at {location} has max {maximum} below min {minimum}"
            )
        if step is not None and maximum - minimum < step:
            raise ValidationError(
                f"the rule for {sku} at {location} moves multiples of {step}, but max {maximum} "
                f"less min {minimum} is less than one: a replenishment could never fit. Raise "
                "max or lower min"
            )
        now = inv.clock.now()
        body = {
            "sku": sku,
            "location": location,
            "min": str(minimum),
            "max": str(maximum),
            "multiple": None if step is None else str(step),
            "source": source,
        }
        key = _rule_key(location, sku)
        old = w.document(RULE_KIND, key)
        doc = w.put_document(
            RULE_KIND, key, body, version=0 if old is None else old.version, actor=actor, at=now
        )
        return _rule_of(doc)


def _rule_key(location: str, sku: str) -> str:
    # A location path cannot hold "|", so the key splits back unambiguously.
    return f"{location}|{sku}"


def _rule_of(doc: Document) -> ReplenishmentRule:
    b = doc.body
    return ReplenishmentRule(
        sku=b["sku"],
        location=b["location"],
        min=Decimal(b["min"]),
        max=Decimal(b["max"]),
        multiple=None if b["multiple"] is None else Decimal(b["multiple"]),
        source=b["source"],
        updated_at=doc.updated_at,
        updated_by=doc.actor,
    )


def _amount(value: object, item: Item, what: str, *, zero: bool = False) -> Decimal:
    if zero and isinstance(value, int | str | Decimal) and not isinstance(value, bool):
        try:
            if Decimal(value) == 0:
                return Decimal(0)
        except ArithmeticError:
            pass  # as_quantity names the problem
    return as_quantity(value, decimals=item.decimals, what=f"{what} of {item.sku}")


# -- proposals -------------------------------------------------------------------------------


def _level(
    r: LedgerReader, rule: ReplenishmentRule, statuses: Sequence[str], day: dt.date
) -> Decimal:
    """What the pick face holds that can be picked: allocatable, unreserved, unexpired."""
    return sum(
        (
            c.available
            for c in r.candidates(rule.sku, statuses=statuses, location=rule.location)
            if c.expiry is None or c.expiry >= day
        ),
        Decimal(0),
    )


def _on_hand(r: LedgerReader, rule: ReplenishmentRule) -> Decimal:
    """Everything physically at the pick face (and below it): every status, reserved or not."""
    return r.total(BalanceQuery(item=rule.sku, location=rule.location, internal_only=True))


def _propose(
    inv: Inventory,
    r: LedgerReader,
    rule: ReplenishmentRule,
    statuses: Sequence[str],
    faces: Sequence[str],
    used: dict[PositionKey, Decimal],
    day: dt.date,
) -> Proposal | None:
    level = _level(r, rule, statuses, day)
    if level > rule.min:
        return None
    # Trigger on what can be picked; fill by what is physically there, so the pick face
    # never holds more than max (held, reserved and expired stock take room too).
    on_hand = _on_hand(r, rule)
    wanted = rule.max - on_hand
    if rule.multiple is not None:
        wanted = (wanted // rule.multiple) * rule.multiple
    if wanted <= 0:
        return None
    item = r.item(rule.sku)
    assert item is not None, "a rule names an item in the master data"
    candidates: list[Candidate] = []
    for c in r.candidates(rule.sku, statuses=statuses, location=rule.source_root):
        if any(c.in_zone(face) for face in faces):
            continue
        left = c.available - used.get(_key_of(c), Decimal(0))
        if left > 0:
            candidates.append(c if left == c.available else _with_available(c, left))
    demand = Demand(
        item=rule.sku,
        quantity=wanted,
        at=day,
        pack_size=rule.multiple,
        attributes={"replenish": rule.location},
    )
    policy = inv._policies.get(rule.sku) or default_policy(item)
    plan = allocate(demand, candidates, policy, allocatable_statuses=statuses)
    moves = []
    for pick in plan.picks:
        key = pick_key(pick)
        used[key] = used.get(key, Decimal(0)) + pick.quantity
        c = pick.candidate
        moves.append(
            ProposalMove(
                lot=c.lot,
                serial=key[2],
                src=Position(location=c.location, status=c.status, container=c.container),
                quantity=pick.quantity,
                reason=pick.reason,
            )
        )
    return Proposal(
        sku=rule.sku,
        location=rule.location,
        level=level,
        on_hand=on_hand,
        min=rule.min,
        max=rule.max,
        wanted=wanted,
        moves=tuple(moves),
        shortfall=plan.shortfall,
    )


def _key_of(c: Candidate) -> PositionKey:
    """The balance key of a candidate position."""
    serial = c.attributes.get("serial")
    return (
        c.item,
        c.lot,
        serial if isinstance(serial, str) else None,
        c.location,
        c.status,
        c.container,
    )


def _with_available(c: Candidate, left: Decimal) -> Candidate:
    import attrs

    return attrs.evolve(c, available=left)


def post_replenishment(
    inv: Inventory,
    proposals: Sequence[Proposal],
    *,
    key: str | None,
    effective_at: dt.datetime | None,
    actor: str | None,
    reason: str | None,
) -> Transaction:
    """Post proposals (see :meth:`Replenishing.post_replenishment`)."""
    movements = [
        Movement(
            item=p.sku,
            quantity=m.quantity,
            src=m.src,
            dst=Position(location=p.location, status=AVAILABLE),
            lot=m.lot,
            serial=m.serial,
        )
        for p in proposals
        for m in p.moves
    ]
    if not movements:
        raise ValidationError(
            "the proposals move nothing (the reserve had nothing to give); there is nothing to post"
        )
    draft = NewTransaction(
        kind=TxKind.TRANSFER,
        movements=tuple(movements),
        effective_at=effective_at,
        key=key,
        actor=actor,
        reason=reason or "replenishment",
    )
    with inv.store.write() as w:
        if key is not None and w.find_key(key) is not None:
            return inv._post(w, draft)  # the first result, or a key conflict
        now = inv.clock.now()
        adding: dict[tuple[str, str], Decimal] = {}
        for p in proposals:
            face = (p.location, p.sku)
            adding[face] = adding.get(face, Decimal(0)) + p.quantity
            for m in p.moves:
                ensure_allocatable(w, m.src, "replenish from")
        for (location, sku), quantity in sorted(adding.items()):
            doc = w.document(RULE_KIND, _rule_key(location, sku))
            if doc is None:
                raise ReplenishmentError(
                    f"the replenishment rule for {sku} at {location} was removed since the "
                    "proposal was made; nothing was posted",
                    sku=sku,
                    location=location,
                )
            rule = _rule_of(doc)
            on_hand = _on_hand(w, rule)
            if on_hand + quantity > rule.max:
                raise ReplenishmentError(
                    f"{location} now holds {on_hand} {sku} (every status, reserved or not); "
                    f"moving {quantity} more would pass the rule's max of {rule.max}. It was "
                    "filled (or the rule changed) since the proposal was made; nothing was "
                    "posted. Ask replenishment() again",
                    sku=sku,
                    location=location,
                )
        return inv._post(w, draft, now=now)


# -- kitting ---------------------------------------------------------------------------------


def kit(
    inv: Inventory,
    bom: Sequence[BomLine] | Mapping[str, object],
    quantity: object,
    *,
    order: str,
    zones: Sequence[str],
    min_shelf_life_days: int,
    at: dt.date | None,
    reserve: bool,
    actor: str | None,
) -> Kit:
    """Allocate a kit (see :meth:`Replenishing.kit`)."""
    lines = _bom(bom)
    units = _kit_amount(
        quantity,
        "the kit quantity (units of the product to make)",
        "to drop a kit, release its reservations (release_reservation(order))",
    )
    if not isinstance(order, str) or not order.strip():
        raise ValidationError(f"a kit is allocated for an order; give order=, got {order!r}")
    with inv.store.write() as w:
        previous = w.document(KIT_KIND, order)
        if reserve:
            existing = _existing_kit(w, order, lines, units, previous)
            if existing is not None:
                return existing
        now = inv.clock.now()
        day = at or dt.date(now.year, now.month, now.day)
        statuses = sorted(s.name for s in w.statuses() if s.allocatable)
        plans: list[Allocation] = []
        shortages: list[KitShortage] = []
        for sku, per_unit in lines.items():
            item = _item(w, sku)
            required = _round_up(per_unit * units, item.decimals)
            demand = Demand(
                item=sku,
                quantity=required,
                at=day,
                min_remaining_shelf_life_days=min_shelf_life_days,
                allowed_zones=tuple(zones),
                attributes={"order": order, "line": sku},
            )
            policy = inv._policies.get(sku) or default_policy(item)
            plan = allocate(
                demand, w.candidates(sku, statuses=statuses), policy, allocatable_statuses=statuses
            )
            plans.append(plan)
            if not plan.is_complete:
                shortages.append(KitShortage(sku=sku, required=required, available=plan.allocated))
        reserved = reserve and not shortages
        made = Kit(
            order=order,
            quantity=units,
            allocations=tuple(plans),
            shortages=tuple(shortages),
            reserved=reserved,
        )
        if reserved:
            for plan in plans:
                for pick in plan.picks:
                    w.reserve(
                        _reservation(order, plan.demand.item, pick_key(pick), pick, now, actor)
                    )
            w.put_document(
                KIT_KIND,
                order,
                _kit_body(made, lines),
                version=0 if previous is None else previous.version,
                actor=actor,
                at=now,
            )
        return made


def _existing_kit(
    w: LedgerReader,
    order: str,
    lines: Mapping[str, Decimal],
    units: Decimal,
    previous: Document | None,
) -> Kit | None:
    """The kit already reserved for ``order`` when this call repeats it; ``None`` when the
    order holds no reservations (never kitted, or released, or used up).

    Raises:
        ValidationError: The order holds reservations of another kit, of a kit partly picked
            to a customer or released, or made by ``allocate()``.
    """
    held: dict[str, Decimal] = {}
    for r in w.reservations(order):
        held[r.line or ""] = held.get(r.line or "", Decimal(0)) + r.quantity
    if not held:
        return None
    if previous is None:
        raise ValidationError(
            f"order {order} already holds reservations that no kit made (allocate()); kit "
            f"under an order of its own, or release them first (release_reservation({order!r}))"
        )
    body = previous.body
    before = {sku: Decimal(q) for sku, q in body["bom"].items()}
    if before != dict(lines) or Decimal(body["quantity"]) != units:
        shown = ", ".join(f"{sku} × {q}" for sku, q in before.items())
        raise ValidationError(
            f"order {order} already has a kit of {body['quantity']} units of {{{shown}}}; "
            f"release it first (release_reservation({order!r})), then kit it again"
        )
    required = {a["demand"]["item"]: Decimal(a["demand"]["quantity"]) for a in body["allocations"]}
    if held != required:
        raise ValidationError(
            f"the kit of order {order} was partly shipped or released since it was made; "
            f"release the rest (release_reservation({order!r})) before kitting it again"
        )
    return _kit_of(order, units, body)


def _kit_body(made: Kit, lines: Mapping[str, Decimal]) -> dict[str, Any]:
    """A reserved kit as a JSON document body (kind ``kit``, key the order)."""
    return {
        "bom": {sku: str(q) for sku, q in lines.items()},
        "quantity": str(made.quantity),
        "allocations": [
            {
                "demand": {
                    "item": a.demand.item,
                    "quantity": str(a.demand.quantity),
                    "at": a.demand.at.isoformat(),
                    "min_remaining_shelf_life_days": a.demand.min_remaining_shelf_life_days,
                    "allowed_zones": list(a.demand.allowed_zones),
                },
                "picks": [
                    {
                        "item": p.candidate.item,
                        "lot": p.candidate.lot,
                        "expiry": _date_text(p.candidate.expiry),
                        "first_received_at": p.candidate.first_received_at.isoformat(),
                        "location": p.candidate.location,
                        "pick_sequence": p.candidate.pick_sequence,
                        "container": p.candidate.container,
                        "status": p.candidate.status,
                        "available": str(p.candidate.available),
                        "attributes": {
                            k: v
                            for k, v in p.candidate.attributes.items()
                            if v is None or isinstance(v, str | int | bool)
                        },
                        "quantity": str(p.quantity),
                        "reason": p.reason,
                    }
                    for p in a.picks
                ],
            }
            for a in made.allocations
        ],
    }


def _date_text(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _kit_of(order: str, units: Decimal, body: Mapping[str, Any]) -> Kit:
    """The kit a ``kit`` document holds."""
    allocations = []
    for a in body["allocations"]:
        d = a["demand"]
        demand = Demand(
            item=d["item"],
            quantity=Decimal(d["quantity"]),
            at=dt.date.fromisoformat(d["at"]),
            min_remaining_shelf_life_days=d["min_remaining_shelf_life_days"],
            allowed_zones=tuple(d["allowed_zones"]),
            attributes={"order": order, "line": d["item"]},
        )
        picks = tuple(
            Pick(
                candidate=Candidate(
                    item=p["item"],
                    lot=p["lot"],
                    expiry=None if p["expiry"] is None else dt.date.fromisoformat(p["expiry"]),
                    first_received_at=dt.datetime.fromisoformat(p["first_received_at"]),
                    location=p["location"],
                    pick_sequence=p["pick_sequence"],
                    container=p["container"],
                    status=p["status"],
                    available=Decimal(p["available"]),
                    attributes=p["attributes"],
                ),
                quantity=Decimal(p["quantity"]),
                reason=p["reason"],
            )
            for p in a["picks"]
        )
        allocations.append(Allocation(demand=demand, picks=picks, shortfall=Decimal(0)))
    return Kit(order=order, quantity=units, allocations=tuple(allocations), reserved=True)


def _kit_amount(value: object, what: str, hint: str) -> Decimal:
    """A kit or component quantity: a positive exact number, said in kitting terms."""
    if isinstance(value, int | str | Decimal) and not isinstance(value, bool):
        try:
            number = Decimal(value)
        except ArithmeticError:
            number = None
        if number is not None and number.is_finite() and number <= 0:
            raise InvalidQuantityError(
                f"{what} must be more than zero, got {value}; {hint}",
                value=value,
            )
    return as_quantity(value, what=what)


def _bom(bom: Sequence[BomLine] | Mapping[str, object]) -> dict[str, Decimal]:
    pairs: list[tuple[str, object]]
    if isinstance(bom, Mapping):
        pairs = list(bom.items())
    elif isinstance(bom, str):
        raise ValidationError(
            f"a bill of materials is a mapping of SKU to quantity or a list of BomLine, got the "
            f"string {bom!r}"
        )
    else:
        pairs = []
        for line in bom:
            if not isinstance(line, BomLine):
                raise ValidationError(f"a bill of materials holds BomLine records, got {line!r}")
            pairs.append((line.sku, line.quantity))
    if not pairs:
        raise ValidationError("the bill of materials has no components")
    found: dict[str, Decimal] = {}
    for sku, per_unit in pairs:
        amount = _kit_amount(
            per_unit,
            f"the quantity of component {sku} per unit of the kit",
            "leave a component the product does not need out of the bill of materials",
        )
        found[sku] = found.get(sku, Decimal(0)) + amount
    return found


def _round_up(value: Decimal, decimals: int) -> Decimal:
    return canonical(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_CEILING))


def _reservation(
    order: str,
    line: str,
    key: PositionKey,
    pick: Pick,
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
        quantity=pick.quantity,
        created_at=now,
        actor=actor,
    )


# -- helpers ---------------------------------------------------------------------------------


def _item(r: LedgerReader, sku: str) -> Item:
    item = r.item(sku)
    if item is None:
        raise UnknownItemError(
            f"item {sku!r} is not in the master data; add it with add_item()", item=sku
        )
    return item


def _internal(r: LedgerReader, path: str) -> None:
    place = r.location(path)
    if place is None:
        raise UnknownLocationError(f"location {path!r} is not in the master data", location=path)
    if place.kind is not LocationKind.INTERNAL:
        raise ValidationError(
            f"location {path} is a {place.kind} location; replenishment works between internal "
            "locations"
        )


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")
