"""Min/max replenishment of pick faces over the posting context (``inv.replenishment``).

Rules are operational documents (kind ``replenishment-rule``, key ``<location>|<sku>``).
Proposals are values: they reserve nothing, and :meth:`Replenishment.post` checks them again
when it posts, so stock that moved in between can never make a pick face pass its maximum or
take held or reserved stock. Reserve stock is ordered by the item's allocation policy, as the
allocation service (``inv.allocation``) keeps it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs

from stockline.allocation import Allocations, pick_key
from stockline.errors import NotFoundError, ReplenishmentError, ValidationError
from stockline.ledger import (
    AVAILABLE,
    BalanceQuery,
    Book,
    Document,
    Header,
    Item,
    LedgerReader,
    LocationKind,
    Movement,
    Position,
    PositionKey,
    Transaction,
    TxKind,
    boundary,
    ensure_allocatable,
)
from stockline.operations._replenishment import Proposal, ProposalMove, ReplenishmentRule
from stockline.policies import Candidate, Demand, allocate

__all__ = ["RULE_KIND", "Replenishment"]

#: Document kind of a replenishment rule.
RULE_KIND = "replenishment-rule"


@attrs.define(repr=False)
class Replenishment:
    """Min/max rules per item and pick face, and the moves that keep them filled
    (``inv.replenishment``).

    Args:
        book: The posting context it reads and posts through.
        allocation: The allocation service, whose per-item policies order reserve stock.
    """

    _book: Book
    _allocation: Allocations

    def __repr__(self) -> str:
        return "<Replenishment>"

    # -- rules -------------------------------------------------------------------------------

    def set_rule(
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
            InvalidQuantityError: A quantity that is not one, or finer than the item's unit.
            UnknownItemError: No such item.
            UnknownLocationError: No such location (or source).

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("BOLT")
            >>> for path in ("DC1/RESERVE/01", "DC1/PICK/01"):
            ...     _ = inv.add_location(path)
            >>> _ = inv.receive("BOLT", 100, dst="DC1/RESERVE/01", supplier="ACME")
            >>> _ = inv.replenishment.set_rule("BOLT", "DC1/PICK/01", min=10, max=40)
            >>> [(p.location, p.quantity) for p in inv.replenishment.propose()]
            [('DC1/PICK/01', Decimal('40'))]
        """
        sku = boundary.code(sku, "sku")
        location = boundary.code(location, "location")
        source = boundary.optional_code(source, "source")
        actor = boundary.optional_code(actor, "actor")
        low = _amount(min, f"min of {sku}", zero=True)
        high = _amount(max, f"max of {sku}")
        step = None if multiple is None else _amount(multiple, f"multiple of {sku}")
        with self._book.write() as w:
            item = self._book.item(w, sku)
            self._internal(w, location)
            if source is not None:
                self._internal(w, source)
                if _under(source, location):
                    raise ValidationError(
                        f"the source {source} of the rule for {sku} at {location} is the pick "
                        "face itself or inside it; give a reserve area outside it"
                    )
            minimum = _in_unit(low, item, "min")
            maximum = _in_unit(high, item, "max")
            step = None if step is None else _in_unit(step, item, "multiple")
            if maximum < minimum:
                raise ValidationError(
                    f"the rule for {sku} at {location} has max {maximum} below min {minimum}"
                )
            if step is not None and maximum - minimum < step:
                raise ValidationError(
                    f"the rule for {sku} at {location} moves multiples of {step}, but max "
                    f"{maximum} less min {minimum} is less than one: a replenishment could "
                    "never fit. Raise max or lower min"
                )
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
                RULE_KIND,
                key,
                body,
                version=0 if old is None else old.version,
                actor=actor,
                at=self._book.now(),
            )
            return _rule_of(doc)

    def rules(
        self, *, sku: str | None = None, location: str | None = None
    ) -> list[ReplenishmentRule]:
        """Return the replenishment rules, ordered by location then item.

        Args:
            sku: Only this item's.
            location: Only those at this location and below.

        Returns:
            The rules, as values.
        """
        sku = boundary.optional_code(sku, "sku")
        location = boundary.optional_code(location, "location")
        with self._book.read() as r:
            found = [_rule_of(d) for d in r.documents(RULE_KIND)]
        return [
            rule
            for rule in found
            if (sku is None or rule.sku == sku)
            and (location is None or _under(rule.location, location))
        ]

    def remove_rule(
        self, sku: str, location: str, *, actor: str | None = None
    ) -> ReplenishmentRule:
        """Remove the rule of ``sku`` at ``location`` and return it.

        Args:
            sku: The item.
            location: The pick face.
            actor: Who removes it (checked like any actor; a removed rule keeps no record).

        Returns:
            The rule removed.

        Raises:
            NotFoundError: There is no such rule.
        """
        sku = boundary.code(sku, "sku")
        location = boundary.code(location, "location")
        boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            doc = w.document(RULE_KIND, _rule_key(location, sku))
            if doc is None:
                raise NotFoundError(
                    f"there is no replenishment rule for {sku} at {location}; list them with "
                    "replenishment.rules()"
                )
            w.delete_document(RULE_KIND, doc.key, version=doc.version)
            return _rule_of(doc)

    # -- proposals ---------------------------------------------------------------------------

    def propose(
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
        allocation policy (:meth:`~stockline.allocation.Allocations.policy`, FEFO for lot-
        and serial-tracked items) orders it, and the proposals of one call never share a
        unit. A proposal the reserve cannot fill in full carries its ``shortfall`` (and may
        have no moves at all).

        Args:
            sku: Only this item's rules.
            location: Only rules at this location and below.
            at: The date expiry is judged on; today (by the clock, UTC) when ``None``.

        Returns:
            One proposal per pick face at or below its minimum that has room, ordered by
            location then item. Nothing is reserved or posted.
        """
        sku = boundary.optional_code(sku, "sku")
        location = boundary.optional_code(location, "location")
        day = boundary.optional_day(at, "at")
        if day is None:
            now = self._book.now()
            day = dt.date(now.year, now.month, now.day)
        with self._book.read() as r:
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
                found = self._propose(r, rule, statuses, faces[rule.sku], used, day)
                if found is not None:
                    proposals.append(found)
            return proposals

    def post(
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
            proposals: What :meth:`propose` returned (or some of it).
            key: An idempotency key: a retry returns the first transaction.
            effective_at: When the moves were made; now when ``None``.
            actor: Who posts them.
            reason: A note; ``"replenishment"`` when ``None``.

        Returns:
            The posted ``transfer`` transaction.

        Raises:
            ReplenishmentError: A pick face was filled or its rule changed or was removed
                since the proposals were made; propose again.
            InsufficientStockError: A reserve position no longer holds the stock.
            ReservedStockError: Stock proposed was reserved since.
            StatusError: A proposal takes stock in a status that may not be allocated.
            ValidationError: The proposals move nothing.
        """
        if isinstance(proposals, str | bytes) or not isinstance(proposals, Sequence):
            raise ValidationError(
                f"post takes a list of the proposals propose() returned, got "
                f"{type(proposals).__name__} {proposals!r}"
            )
        for p in proposals:
            if not isinstance(p, Proposal):
                raise ValidationError(f"post takes Proposal records, got {p!r}")
        header = Header.of(
            TxKind.TRANSFER,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason="replenishment" if reason in (None, "") else reason,
        )
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
                "the proposals move nothing (the reserve had nothing to give); there is nothing "
                "to post"
            )
        draft = self._book.draft(TxKind.TRANSFER, movements, header)
        with self._book.write() as w:
            if header.key is not None and w.find_key(header.key) is not None:
                return self._book.post(w, draft)  # the first result, or a key conflict
            now = self._book.now()
            adding: dict[tuple[str, str], Decimal] = {}
            for p in proposals:
                face = (p.location, p.sku)
                adding[face] = adding.get(face, Decimal(0)) + p.quantity
                for m in p.moves:
                    ensure_allocatable(w, m.src, "replenish from")
            for (location, sku), quantity in sorted(adding.items()):
                doc = w.document(RULE_KIND, _rule_key(location, sku))
                if doc is None:
                    raise ReplenishmentError(sku=sku, location=location, removed=True)
                rule = _rule_of(doc)
                on_hand = _on_hand(w, rule)
                if on_hand + quantity > rule.max:
                    raise ReplenishmentError(
                        sku=sku,
                        location=location,
                        on_hand=on_hand,
                        quantity=quantity,
                        maximum=rule.max,
                    )
            return self._book.post(w, draft, now=now)

    # -- helpers -----------------------------------------------------------------------------

    def _internal(self, r: LedgerReader, path: str) -> None:
        place = self._book.location(r, path)
        if place.kind is not LocationKind.INTERNAL:
            raise ValidationError(
                f"location {path} is a {place.kind} location; replenishment works between "
                "internal locations"
            )

    def _propose(
        self,
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
        item = self._book.item(r, rule.sku)
        candidates: list[Candidate] = []
        for c in r.candidates(rule.sku, statuses=statuses, location=rule.source_root):
            if any(c.in_zone(face) for face in faces):
                continue
            left = c.available - used.get(_key_of(c), Decimal(0))
            if left > 0:
                candidates.append(c if left == c.available else attrs.evolve(c, available=left))
        demand = Demand(
            item=rule.sku,
            quantity=wanted,
            at=day,
            pack_size=rule.multiple,
            attributes={"replenish": rule.location},
        )
        policy = self._allocation.policy_of(item)
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


def _amount(value: object, what: str, *, zero: bool = False) -> Decimal:
    """A rule's quantity, canonical (``zero``: 0 is allowed too)."""
    if zero and isinstance(value, int | str | Decimal) and not isinstance(value, bool):
        try:
            if Decimal(value) == 0:
                return Decimal(0)
        except ArithmeticError:
            pass  # boundary.quantity names the problem
    return boundary.quantity(value, what)


def _in_unit(value: Decimal, item: Item, what: str) -> Decimal:
    """A rule's quantity, checked against the precision of the item's unit."""
    if value == 0:
        return value
    return boundary.quantity(value, f"{what} of {item.sku}", decimals=item.decimals)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


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
