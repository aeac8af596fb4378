"""Waves, pick lists and staging over the posting context (``inv.picking``).

A wave groups the reservations of several orders into pick lists, one per zone (a location
path cut to a depth), in walk order (each location's ``pick_sequence``). It is an operational
document (kind ``wave``) holding the plan and the ids of the picks posted for it; what a line
has picked is read from those ``pick`` transactions every time (reversed ones left out), so
progress cannot drift from the ledger. A pick is confirmed by a scan checked with
:meth:`~stockline.operations.Scanning.verify_pick`, moves the stock to the order's staging
location and moves its reservation with it; a short pick releases what was not found and
allocates it again by the item's policy, adding lines to the wave. A staged order ships whole,
its containers with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stockline.allocation import Allocations, pick_key
from stockline.errors import PickError, ReservationError, ValidationError
from stockline.gs1 import Scan
from stockline.ledger import (
    BalanceQuery,
    Book,
    ContainerEvent,
    Document,
    Header,
    LedgerReader,
    LedgerWriter,
    LocationKind,
    Movement,
    Position,
    PositionKey,
    Reference,
    Reservation,
    Transaction,
    TxKind,
    boundary,
    ensure_allocatable,
)
from stockline.operations._picks import (
    OrderProgress,
    OrderState,
    PickConfirmation,
    PickList,
    Wave,
    WaveLine,
)
from stockline.operations._scanning import Scanning
from stockline.policies import Candidate, Demand, Pick, allocate

__all__ = ["WAVE_KIND", "Picking"]

#: Document kind of a wave.
WAVE_KIND = "wave"
#: The document type naming the wave on its picks.
WAVE_REF = "WAVE"


@attrs.define(repr=False)
class Picking:
    """Waves of orders, pick lists per zone in walk order, picking by scan to staging, short
    picks, and shipping staged orders (``inv.picking``).

    Args:
        book: The posting context it reads and posts through.
        allocation: The allocation service, whose per-item policies allocate short picks
            again.
        scanning: The scanning service, whose ``verify_pick`` checks each pick's scan.
    """

    _book: Book
    _allocation: Allocations
    _scanning: Scanning

    def __repr__(self) -> str:
        return "<Picking>"

    # -- planning -----------------------------------------------------------------------------

    def plan(
        self,
        wave: str,
        orders: Sequence[str],
        *,
        staging: str | Mapping[str, str],
        zone_depth: int = 2,
        actor: str | None = None,
    ) -> Wave:
        """Group what is reserved for ``orders`` into pick lists and keep them as wave
        ``wave``.

        Every reservation of the orders that is not already at the order's staging location
        becomes a line; lines are grouped by zone (the location path cut to ``zone_depth``
        segments: ``DC1/A/01-03`` is in zone ``DC1/A`` at depth 2) and ordered by the
        locations' ``pick_sequence``, then path. An order may be in one unfinished wave at a
        time.

        Args:
            wave: The wave's reference (new).
            orders: The orders; each must have stock reserved (``inv.allocate``).
            staging: The staging location of every order, or one per order.
            zone_depth: How many path segments make a zone (1 or more).
            actor: Who plans it.

        Returns:
            The wave.

        Raises:
            ValidationError: The wave exists, an order repeats or has nothing to pick, an
                order has no staging location, or one is not internal.
            PickError: An order is in another wave with lines still to pick.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("BOLT")
            >>> for path, seq in (("DC1/A/02", 2), ("DC1/A/01", 1), ("DC1/OUT/1", 0)):
            ...     _ = inv.add_location(path, pick_sequence=seq)
            >>> _ = inv.receive("BOLT", 5, dst="DC1/A/02", supplier="ACME")
            >>> _ = inv.receive("BOLT", 5, dst="DC1/A/01", supplier="ACME")
            >>> _ = inv.allocate("BOLT", 8, order="SO-1")
            >>> w = inv.picking.plan("W-1", ["SO-1"], staging="DC1/OUT/1")
            >>> [(x.src.location, x.quantity) for x in w.lists[0].lines]
            [('DC1/A/01', Decimal('3')), ('DC1/A/02', Decimal('5'))]
        """
        wave = boundary.code(wave, "wave")
        wanted = boundary.codes(orders, "orders")
        depth = boundary.whole(zone_depth, "zone_depth", minimum=1)
        actor = boundary.optional_code(actor, "actor")
        if not wanted:
            raise ValidationError("a wave needs at least one order")
        if len(set(wanted)) != len(wanted):
            raise ValidationError(f"orders repeat in wave {wave}: {list(wanted)}")
        places = _staging(staging, wanted)
        with self._book.write() as w:
            if w.document(WAVE_KIND, wave) is not None:
                raise ValidationError(f"wave {wave} exists; give the new wave another reference")
            for place in set(places.values()):
                _check_internal(w, place)
            busy = self._busy(w, set(wanted))
            if busy:
                order, other = busy
                raise PickError(
                    wave=wave,
                    problems=(f"order {order} is in wave {other}, which still has lines to pick",),
                )
            rows: list[list[Any]] = []
            sequences: dict[str, int] = {}
            for order in wanted:
                found = [r for r in w.reservations(order) if r.position.location != places[order]]
                if not found:
                    raise ValidationError(
                        f"order {order} has nothing reserved to pick; allocate it first"
                    )
                for r in found:
                    path = r.position.location
                    if path not in sequences:
                        sequences[path] = self._book.location(w, path).pick_sequence
                    rows.append(_row(0, _zone(path, depth), sequences[path], r, r.quantity))
            rows.sort(key=_walk)
            for number, row in enumerate(rows, start=1):
                row[0] = number
            body = {
                "orders": list(wanted),
                "staging": places,
                "zone_depth": depth,
                "lines": rows,
                "picks": [],
                "shorts": [],
            }
            doc = w.put_document(WAVE_KIND, wave, body, version=0, actor=actor, at=self._book.now())
            return _wave(w, doc)

    def wave(self, wave: str) -> Wave:
        """Return wave ``wave`` with what each line has picked and found short.

        Raises:
            PickError: There is no such wave.
        """
        wave = boundary.code(wave, "wave")
        with self._book.read() as r:
            return _wave(r, _document(r, wave))

    def waves(self) -> list[Wave]:
        """Return every wave, by reference."""
        with self._book.read() as r:
            return [_wave(r, doc) for doc in r.documents(WAVE_KIND)]

    # -- picking ------------------------------------------------------------------------------

    def confirm(
        self,
        wave: str,
        line: int,
        scan: Scan | str | None = None,
        *,
        quantity: Decimal | int | str | None = None,
        short: bool = False,
        container: str | None = None,
        at: dt.date | None = None,
        gs_standin: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> PickConfirmation:
        """Confirm a line of a wave: post a ``pick`` of ``quantity`` to the order's staging
        location (into ``container`` there, if given), moving its reservation along.

        With ``scan``, the scan must be what the line asks for
        (:meth:`~stockline.operations.Scanning.verify_pick`: item, lot, container, expiry; and
        the line's serial); without one, the pick is confirmed by hand. With ``short=True``
        the rest of the line was not found: it is released at the source and allocated again
        by the item's policy (never from that position), which adds lines to the wave; what
        cannot be allocated again is reported as ``unallocated``.

        Args:
            wave: The wave.
            line: The line's number.
            scan: What the picker scanned, as sent or parsed.
            quantity: How much was picked; everything left on the line when ``None`` (0 with
                ``short`` when nothing was found).
            short: The rest of the line was not found.
            container: A container (pallet, tote) at the staging location to pick into.
            at: The date the scan's expiry is judged on; the clock's date when ``None``.
            gs_standin: The character the scanner sends in place of GS.
            key: An idempotency key: a retry returns the first pick.
            effective_at: When it was picked; now when ``None``.
            actor: Who picked.
            reason: A note.

        Returns:
            The pick posted (if any), and what a short pick released and allocated again.

        Raises:
            PickError: No such wave or line, more than the line has left, or a scan that is
                not what the line asks for. Nothing is posted.
            ReservationError: The line's stock is no longer reserved for the order.
        """
        wave = boundary.code(wave, "wave")
        number = boundary.whole(line, "line", minimum=1)
        short = boundary.flag(short, "short")
        amount = None
        if quantity is not None:
            zero = isinstance(quantity, int | str | Decimal) and not isinstance(quantity, bool)
            if zero and short and _is_zero(quantity):
                amount = Decimal(0)
            else:
                amount = boundary.quantity(quantity)
        target_container = boundary.optional_code(container, "container")
        header = Header.of(
            TxKind.PICK, key=key, effective_at=effective_at, actor=actor, reason=reason
        )
        if scan is not None:
            with self._book.read() as r:
                planned = _line(wave, _wave(r, _document(r, wave), only=number), number)
                lot = None if planned.lot is None else r.lot(planned.sku, planned.lot)
            expiry = None if lot is None else lot.expiry
            check = self._scanning.verify_pick(
                scan, _as_pick(planned, expiry), at=at, gs_standin=gs_standin
            )
            problems = list(check.problems)
            if planned.serial is not None and check.serial not in (None, planned.serial):
                problems.append(
                    f"the line is serial {planned.serial}, but serial {check.serial} was "
                    "scanned; take the unit the plan names"
                )
            if problems:
                raise PickError(wave=wave, line=number, problems=tuple(problems))
        book = self._book
        with book.write() as w:
            if header.key is not None and (found := w.find_key(header.key)) is not None:
                return PickConfirmation(transaction=book.transaction(w, found[0]))
            doc = _document(w, wave)
            planned = _line(wave, _wave(w, doc, only=number), number)
            take = planned.remaining if amount is None else amount
            if take > planned.remaining:
                raise PickError(
                    wave=wave,
                    line=number,
                    problems=(
                        f"the line has {planned.remaining} {planned.sku} left to pick, not {take}",
                    ),
                )
            missing = planned.remaining - take if short else Decimal(0)
            if take == 0 and missing == 0:
                raise PickError(wave=wave, line=number, problems=("nothing is left to pick",))
            order = planned.order
            staging = doc.body["staging"][order]
            src_key = _src_key(planned)
            held = sum(
                (
                    r.quantity
                    for r in w.reservations(order, item=planned.sku)
                    if r.line == planned.line and r.key == src_key
                ),
                Decimal(0),
            )
            if held < take + missing:
                raise ReservationError(
                    order=order,
                    line=planned.line,
                    quantity=take + missing,
                    item=planned.sku,
                    location=planned.src.location,
                )
            now = book.now()
            body = dict(doc.body)
            tx = None
            if take > 0:
                header = attrs.evolve(
                    header,
                    refs=(
                        Reference(type="SO", number=order),
                        Reference(type=WAVE_REF, number=wave),
                        *header.refs,
                    ),
                )
                w.consume(_reservation(planned, src_key, take, now, header.actor))
                to = Position(
                    location=staging, status=planned.src.status, container=target_container
                )
                movement = Movement(
                    item=planned.sku,
                    quantity=take,
                    src=planned.src,
                    dst=to,
                    lot=planned.lot,
                    serial=planned.serial,
                )
                tx = book.post(w, book.draft(TxKind.PICK, [movement], header), now=now)
                key_at = (
                    planned.sku,
                    planned.lot,
                    planned.serial,
                    staging,
                    to.status,
                    to.container,
                )
                w.reserve(_reservation(planned, key_at, take, now, header.actor))
                body["picks"] = [*body["picks"], [number, tx.id]]
            added: list[WaveLine] = []
            unallocated = Decimal(0)
            if missing > 0:
                w.consume(_reservation(planned, src_key, missing, now, header.actor))
                body["shorts"] = [*body["shorts"], [number, str(missing)]]
                rows, unallocated = self._reallocate(
                    w, planned, missing, src_key, body, now, header.actor
                )
                body["lines"] = [*body["lines"], *rows]
            saved = w.put_document(
                WAVE_KIND, wave, body, version=doc.version, actor=header.actor, at=now
            )
            if missing > 0:
                numbers = {row[0] for row in body["lines"][len(doc.body["lines"]) :]}
                added = [x for x in _wave(w, saved, only=None).lines if x.number in numbers]
            return PickConfirmation(
                transaction=tx,
                short=missing,
                reallocated=tuple(added),
                unallocated=unallocated,
            )

    # -- shipping -----------------------------------------------------------------------------

    def ship(
        self,
        order: str,
        *,
        customer: str,
        refs: boundary.Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Ship a staged order: everything reserved for it, which must all be at its staging
        location, in one ``shipment``; containers it was picked into go whole, named on the
        shipment (nested ones too).

        Args:
            order: The order (recorded as an ``SO`` reference).
            customer: The customer's code (added on first use).
            refs: Other documents, e.g. ``{"BOL": "B-1"}``.
            key: An idempotency key: a retry returns the first shipment.
            effective_at: When it left; now when ``None``.
            actor: Who ships.
            reason: A note.

        Returns:
            The posted ``shipment``.

        Raises:
            PickError: The order is not staged (lines still to pick, or reserved stock
                elsewhere), or a container holds stock not reserved for it.
            ReservationError: Nothing is reserved for the order.
            ValidationError: The order is in no wave.
        """
        order = boundary.code(order, "order")
        customer = boundary.code(customer, "customer")
        header = Header.of(
            TxKind.SHIPMENT,
            ref=order,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        book = self._book
        with book.write() as w:
            if header.key is not None and (found := w.find_key(header.key)) is not None:
                return book.transaction(w, found[0])
            waves = [d for d in w.documents(WAVE_KIND) if order in d.body["orders"]]
            if not waves:
                raise ValidationError(
                    f"order {order} is in no wave; ship it with allocation.ship() instead"
                )
            lanes = {d.body["staging"][order] for d in waves}
            name = ", ".join(d.key for d in waves)
            held = w.reservations(order)
            if not held:
                raise ReservationError(order=order, line=None)
            left = sum((_left_for(w, d, order) for d in waves), Decimal(0))
            elsewhere = sum(
                (r.quantity for r in held if r.position.location not in lanes), Decimal(0)
            )
            if left or elsewhere:
                raise PickError(
                    wave=name,
                    problems=(
                        f"order {order} is not staged: {left + elsewhere} is still to pick to "
                        f"{', '.join(sorted(lanes))}",
                    ),
                )
            events = _containers(w, name, order, held)
            gone = w.release_reservations(order)
            dst = book.counterparty(w, LocationKind.CUSTOMER, customer, header.actor)
            movements = []
            for r in gone:
                ensure_allocatable(w, r.position, "ship")
                movements.append(
                    Movement(
                        item=r.item,
                        quantity=r.quantity,
                        src=r.position,
                        dst=Position(
                            location=dst.location,
                            status=r.position.status,
                            container=r.position.container,
                        ),
                        lot=r.lot,
                        serial=r.serial,
                    )
                )
            placed = tuple(attrs.evolve(e, location=dst.location) for e in events)
            draft = book.draft(TxKind.SHIPMENT, movements, header, counterparty=customer)
            return book.post(w, attrs.evolve(draft, containers=placed))

    def progress(self, order: str) -> OrderProgress:
        """Return where ``order`` is (allocated, picking, staged, shipped), derived from its
        reservations, its waves and the shipments naming it.

        Args:
            order: The order.

        Returns:
            The order's state and quantities.
        """
        order = boundary.code(order, "order")
        with self._book.read() as r:
            held = r.reservations(order)
            waves = [d for d in r.documents(WAVE_KIND) if order in d.body["orders"]]
            lanes = {d.body["staging"][order] for d in waves}
            reserved = sum((x.quantity for x in held), Decimal(0))
            staged = sum((x.quantity for x in held if x.position.location in lanes), Decimal(0))
            skus = {x.item for x in held} | {
                row[5] for d in waves for row in d.body["lines"] if row[3] == order
            }
            shipped = _shipped(r, order, sorted(skus))
            if reserved == 0:
                state = OrderState.SHIPPED if shipped > 0 else OrderState.OPEN
            elif staged == reserved:
                state = OrderState.STAGED
            elif staged > 0:
                state = OrderState.PICKING
            else:
                state = OrderState.ALLOCATED
            return OrderProgress(
                order=order,
                state=state,
                reserved=reserved,
                staged=staged,
                shipped=shipped,
                waves=tuple(d.key for d in waves),
            )

    # -- helpers ------------------------------------------------------------------------------

    def _busy(self, r: LedgerReader, orders: set[str]) -> tuple[str, str] | None:
        for doc in r.documents(WAVE_KIND):
            for order in doc.body["orders"]:
                if order in orders and _left_for(r, doc, order) > 0:
                    return order, doc.key
        return None

    def _reallocate(
        self,
        w: LedgerWriter,
        planned: WaveLine,
        missing: Decimal,
        src_key: PositionKey,
        body: Mapping[str, Any],
        now: dt.datetime,
        actor: str | None,
    ) -> tuple[list[list[Any]], Decimal]:
        """Allocate ``missing`` again for the line's order line, never from its position."""
        item = self._book.item(w, planned.sku)
        statuses = sorted(s.name for s in w.statuses() if s.allocatable)
        candidates = [
            c for c in w.candidates(planned.sku, statuses=statuses) if _candidate_key(c) != src_key
        ]
        demand = Demand(
            item=planned.sku,
            quantity=missing,
            at=dt.date(now.year, now.month, now.day),
            attributes={"order": planned.order, "line": planned.line},
        )
        plan = allocate(
            demand, candidates, self._allocation.policy_of(item), allocatable_statuses=statuses
        )
        depth = body["zone_depth"]
        rows = []
        number = max(row[0] for row in body["lines"])
        staging = body["staging"][planned.order]
        for pick in plan.picks:
            key = pick_key(pick)
            reservation = _reservation(planned, key, pick.quantity, now, actor)
            w.reserve(reservation)
            if key[3] == staging:
                continue  # found at the staging location already: nothing to walk to
            number += 1
            place = self._book.location(w, key[3])
            rows.append(
                _row(number, _zone(key[3], depth), place.pick_sequence, reservation, pick.quantity)
            )
        return rows, plan.shortfall


def _staging(staging: object, orders: Sequence[str]) -> dict[str, str]:
    if isinstance(staging, str):
        place = boundary.path(staging, "staging")
        return dict.fromkeys(orders, place)
    given = boundary.mapping(staging, "staging")
    found = {}
    for order in orders:
        if order not in given:
            raise ValidationError(f"order {order} has no staging location; add it to staging=")
        found[order] = boundary.path(given[order], f"staging of {order}")
    return found


def _check_internal(r: LedgerReader, path: str) -> None:
    location = Book.location(r, path)
    if location.kind is not LocationKind.INTERNAL:
        raise ValidationError(
            f"staging location {path} is a {location.kind} location; stage at an internal one"
        )


def _zone(path: str, depth: int) -> str:
    return "/".join(path.split("/")[:depth])


def _row(number: int, zone: str, sequence: int, r: Reservation, quantity: Decimal) -> list[Any]:
    p = r.position
    return [
        number,
        zone,
        sequence,
        r.order,
        r.line,
        r.item,
        r.lot,
        r.serial,
        p.location,
        p.status,
        p.container,
        str(quantity),
    ]


def _walk(row: list[Any]) -> tuple[Any, ...]:
    _, zone, sequence, order, line, sku, lot, serial, path, status, container, _ = row
    return (
        zone,
        sequence,
        path,
        container or "",
        order,
        line or "",
        sku,
        lot or "",
        serial or "",
        status,
    )


def _document(r: LedgerReader, wave: str) -> Document:
    doc = r.document(WAVE_KIND, wave)
    if doc is None:
        raise PickError(wave=wave, problems=("there is no such wave; plan it first",))
    return doc


def _line(wave: str, found: Wave, number: int) -> WaveLine:
    try:
        return found.line(number)
    except KeyError:
        raise PickError(wave=wave, line=number, problems=("the wave has no such line",)) from None


def _picked(r: LedgerReader, doc: Document, numbers: set[int] | None) -> dict[int, Decimal]:
    """What each line picked, from its pick transactions (reversed ones left out)."""
    found: dict[int, Decimal] = defaultdict(Decimal)
    for number, tx_id in doc.body["picks"]:
        if numbers is not None and number not in numbers:
            continue
        if r.reversed_by(tx_id) is not None:
            continue
        tx = r.transaction(tx_id)
        if tx is not None:
            found[number] += sum((m.quantity for m in tx.movements), Decimal(0))
    return found


def _wave(r: LedgerReader, doc: Document, *, only: int | None = None) -> Wave:
    b = doc.body
    numbers = None if only is None else {only}
    picked = _picked(r, doc, numbers)
    shorts: dict[int, Decimal] = defaultdict(Decimal)
    for number, quantity in b["shorts"]:
        shorts[number] += Decimal(quantity)
    lists: dict[str, list[WaveLine]] = {}
    for row in b["lines"]:
        number, zone, sequence, order, line, sku, lot, serial, path, status, container, q = row
        if numbers is not None and number not in numbers:
            continue
        lists.setdefault(zone, []).append(
            WaveLine(
                number=number,
                zone=zone,
                sequence=sequence,
                order=order,
                line=line,
                sku=sku,
                lot=lot,
                serial=serial,
                src=Position(location=path, status=status, container=container),
                quantity=Decimal(q),
                picked=picked.get(number, Decimal(0)),
                short=shorts.get(number, Decimal(0)),
            )
        )
    return Wave(
        id=doc.key,
        orders=tuple(b["orders"]),
        staging=b["staging"],
        lists=tuple(
            PickList(zone=zone, lines=tuple(sorted(lines, key=_line_walk)))
            for zone, lines in sorted(lists.items())
        ),
        created_at=doc.updated_at,
        created_by=doc.actor,
    )


def _line_walk(x: WaveLine) -> tuple[Any, ...]:
    return (x.sequence, x.src.location, x.src.container or "", x.number)


def _left_for(r: LedgerReader, doc: Document, order: str) -> Decimal:
    """What the wave still has to pick for ``order``."""
    numbers = {row[0] for row in doc.body["lines"] if row[3] == order}
    if not numbers:
        return Decimal(0)
    found = _wave(r, doc) if len(numbers) > 1 else _wave(r, doc, only=next(iter(numbers)))
    return sum((x.remaining for x in found.lines if x.order == order), Decimal(0))


def _src_key(x: WaveLine) -> PositionKey:
    return (x.sku, x.lot, x.serial, x.src.location, x.src.status, x.src.container)


def _candidate_key(c: Candidate) -> PositionKey:
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
    x: WaveLine, key: PositionKey, quantity: Decimal, now: dt.datetime, actor: str | None
) -> Reservation:
    item, lot, serial, location, status, container = key
    return Reservation(
        order=x.order,
        line=x.line,
        item=item,
        lot=lot,
        serial=serial,
        position=Position(location=location, status=status, container=container),
        quantity=quantity,
        created_at=now,
        actor=actor,
    )


def _as_pick(x: WaveLine, expiry: dt.date | None) -> Pick:
    """The line as an allocation plan's pick, as :meth:`Scanning.verify_pick` checks it."""
    received = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    candidate = Candidate(
        item=x.sku,
        lot=x.lot,
        expiry=expiry,
        location=x.src.location,
        container=x.src.container,
        status=x.src.status,
        first_received_at=received,
        available=x.quantity,
        attributes={} if x.serial is None else {"serial": x.serial},
    )
    return Pick(candidate=candidate, quantity=x.remaining, reason=f"wave line {x.number}")


def _is_zero(value: object) -> bool:
    try:
        return Decimal(str(value)) == 0
    except ArithmeticError:
        return False


def _containers(
    w: LedgerWriter, wave: str, order: str, held: Iterable[Reservation]
) -> list[ContainerEvent]:
    """The container states a shipment of ``held`` sets: each container the order's stock
    is in goes whole, with the containers it is packed in and those packed in it."""
    codes = {r.position.container for r in held if r.position.container is not None}
    outer: set[str] = set()
    for code in codes:
        top = code
        while (state := w.container_state(top)) is not None and state.parent is not None:
            top = state.parent
        outer.add(top)
    mine: dict[PositionKey, Decimal] = defaultdict(Decimal)
    for r in held:
        mine[r.key] += r.quantity
    events = []
    for top in sorted(outer):
        tree, todo = [], [top]
        while todo:
            code = todo.pop(0)
            tree.append(code)
            todo.extend(w.container_children(code))
        for code in tree:
            for b in w.balances(BalanceQuery(container=code)):
                if mine.get(b.key, Decimal(0)) != b.quantity:
                    raise PickError(
                        wave=wave,
                        problems=(
                            f"container {code} holds {b.quantity} {b.item} that is not "
                            f"reserved for order {order}; take it out before shipping",
                        ),
                    )
            state = w.container_state(code)
            events.append(
                ContainerEvent(
                    container=code,
                    parent=None if code == top or state is None else state.parent,
                    location=None,
                )
            )
    return events


def _shipped(r: LedgerReader, order: str, skus: Sequence[str]) -> Decimal:
    """What shipments naming ``order`` sent to customers (reversed ones left out)."""
    if not skus:
        return Decimal(0)
    tag = Reference(type="SO", number=order)
    lines = r.movements_of([(sku, None, None) for sku in skus], into=[LocationKind.CUSTOMER])
    total = Decimal(0)
    reversed_ids: dict[int, bool] = {}
    for line in lines:
        if line.kind is TxKind.REVERSAL or tag not in line.refs:
            continue
        if line.transaction_id not in reversed_ids:
            reversed_ids[line.transaction_id] = r.reversed_by(line.transaction_id) is not None
        if not reversed_ids[line.transaction_id]:
            total += line.movement.quantity
    return total
