"""Kitting over the posting context (``inv.kits``).

A kit allocates every component of a bill of materials with the allocation machinery (the
item's policy as the allocation service keeps it, candidates net of reservations, the pure
:func:`stockline.policies.allocate`) in one write block, and reserves only when every
component can be served. A reserved kit is an operational document (kind ``kit``, key the
order), so a repeated call returns it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

import attrs

from stockline.allocation import Allocations, pick_key
from stockline.errors import InvalidQuantityError, ValidationError
from stockline.ledger import (
    Book,
    Document,
    LedgerReader,
    Position,
    PositionKey,
    Reservation,
    boundary,
)
from stockline.operations._kits import BomLine, Kit, KitShortage
from stockline.policies import Allocation, Candidate, Demand, Pick, allocate

__all__ = ["KIT_KIND", "Kits"]

#: Document kind of a reserved kit (key: the order), so a repeated reserve() returns it.
KIT_KIND = "kit"


@attrs.define(repr=False)
class Kits:
    """The components of production orders, allocated together or not at all
    (``inv.kits``).

    Args:
        book: The posting context it reads and writes through.
        allocation: The allocation service, whose per-item policies allocate components.
    """

    _book: Book
    _allocation: Allocations

    def __repr__(self) -> str:
        return "<Kits>"

    def reserve(
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
        unexpired stock (as :meth:`~stockline.allocation.Allocations.allocate` does), all in
        one write block. If any component is short, nothing is reserved and the kit lists
        every short component; if all can be served, each is reserved for ``order``, line =
        the component's SKU, so :meth:`~stockline.allocation.Allocations.pick` can stage each
        allocation and :meth:`~stockline.allocation.Allocations.release` can drop the kit.

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
            ValidationError: An empty bill of materials or a bad quantity; the order holds
                reservations of another kit, or made by ``allocate()``.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> for sku in ("FRAME", "WHEEL"):
            ...     _ = inv.add_item(sku)
            >>> _ = inv.add_location("DC1/A/01")
            >>> _ = inv.receive("FRAME", 5, dst="DC1/A/01", supplier="ACME")
            >>> _ = inv.receive("WHEEL", 8, dst="DC1/A/01", supplier="ACME")
            >>> kit = inv.kits.reserve({"FRAME": 1, "WHEEL": 2}, 5, order="WO-7")
            >>> kit.is_complete, [(s.sku, s.required, s.available) for s in kit.shortages]
            (False, [('WHEEL', Decimal('10'), Decimal('8'))])
            >>> inv.allocation.reservations("WO-7")
            []
        """
        lines = _bom(bom)
        units = _kit_amount(
            quantity,
            "the kit quantity (units of the product to make)",
            "to drop a kit, release its reservations (allocation.release(order))",
        )
        order = boundary.code(order, "order")
        allowed = boundary.codes(zones, "zones")
        shelf_life = boundary.whole(
            min_shelf_life_days, "min_shelf_life_days", maximum=boundary.MAX_DAYS
        )
        day = boundary.optional_day(at, "at")
        keep = boundary.flag(reserve, "reserve")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            previous = w.document(KIT_KIND, order)
            if keep:
                existing = _existing_kit(w, order, lines, units, previous)
                if existing is not None:
                    return existing
            now = self._book.now()
            statuses = sorted(s.name for s in w.statuses() if s.allocatable)
            plans: list[Allocation] = []
            shortages: list[KitShortage] = []
            for sku, per_unit in lines.items():
                item = self._book.item(w, sku)
                required = _round_up(per_unit * units, item.decimals, f"component {sku}")
                demand = Demand(
                    item=sku,
                    quantity=required,
                    at=day or dt.date(now.year, now.month, now.day),
                    min_remaining_shelf_life_days=shelf_life,
                    allowed_zones=allowed,
                    attributes={"order": order, "line": sku},
                )
                candidates = w.candidates(sku, statuses=statuses)
                policy = self._allocation.policy_of(item)
                plan = allocate(demand, candidates, policy, allocatable_statuses=statuses)
                plans.append(plan)
                if not plan.is_complete:
                    shortages.append(
                        KitShortage(sku=sku, required=required, available=plan.allocated)
                    )
            reserved = keep and not shortages
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
            f"under an order of its own, or release them first (allocation.release({order!r}))"
        )
    body = previous.body
    before = {sku: Decimal(q) for sku, q in body["bom"].items()}
    if before != dict(lines) or Decimal(body["quantity"]) != units:
        shown = ", ".join(f"{sku} × {q}" for sku, q in before.items())
        raise ValidationError(
            f"order {order} already has a kit of {body['quantity']} units of {{{shown}}}; "
            f"release it first (allocation.release({order!r})), then kit it again"
        )
    required = {a["demand"]["item"]: Decimal(a["demand"]["quantity"]) for a in body["allocations"]}
    if held != required:
        raise ValidationError(
            f"the kit of order {order} was partly shipped or released since it was made; "
            f"release the rest (allocation.release({order!r})) before kitting it again"
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
                value=value, what=what, expected="more than zero", advice=hint
            )
    return boundary.quantity(value, what)


def _bom(bom: object) -> dict[str, Decimal]:
    pairs: list[tuple[object, object]]
    if isinstance(bom, Mapping):
        pairs = list(bom.items())
    elif isinstance(bom, str | bytes) or not isinstance(bom, Sequence):
        raise ValidationError(
            f"a bill of materials is a mapping of SKU to quantity or a list of BomLine, got "
            f"{type(bom).__name__} {bom!r}"
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
    for given, per_unit in pairs:
        sku = boundary.code(given, "a component's sku")
        amount = _kit_amount(
            per_unit,
            f"the quantity of component {sku} per unit of the kit",
            "leave a component the product does not need out of the bill of materials",
        )
        found[sku] = found.get(sku, Decimal(0)) + amount
    return found


def _round_up(value: Decimal, decimals: int, what: str) -> Decimal:
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_CEILING)
    return boundary.quantity(rounded, what, decimals=decimals)


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
