"""Inventory operations that make and follow genealogy: production, relabelling, containers,
trace and recall."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from stockline.errors import ContainerError, UnknownLotError, ValidationError
from stockline.genealogy import Node, RecallReport, Trace, trace
from stockline.ledger._master import Container, LocationKind, Tracking
from stockline.ledger._posting import ensure_allocatable
from stockline.ledger._quantity import as_quantity
from stockline.ledger._records import (
    AVAILABLE,
    Balance,
    ContainerEvent,
    Edge,
    EdgeKind,
    Movement,
    NewTransaction,
    Position,
    PositionKey,
    Reference,
    Transaction,
    TxKind,
)
from stockline.ledger._store import BalanceQuery, LedgerReader, LedgerWriter
from stockline.ledger._time import aware_utc

if TYPE_CHECKING:
    from stockline._inventory import Refs
    from stockline.ledger._master import Item, Lot
    from stockline.ledger._store import StockStore
    from stockline.ledger._time import Clock

__all__ = ["Component", "Output", "Traceability"]

PRODUCTION = "production"
RELABEL = "production/relabel"


@attrs.frozen(kw_only=True)
class Component:
    """Stock a production consumes.

    Attributes:
        sku: The item.
        quantity: How much is consumed.
        location: Where it is taken from.
        lot: Its lot.
        serial: Its serial (then ``quantity`` is 1).
        status: Its status.
        container: The container it is taken from.
    """

    sku: str
    quantity: object
    location: str
    lot: str | None = None
    serial: str | None = None
    status: str = AVAILABLE
    container: str | None = None


@attrs.frozen(kw_only=True)
class Output:
    """Stock a production makes.

    Attributes:
        sku: The item.
        quantity: How much is made.
        location: Where it is put.
        lot: Its (new or existing) lot.
        serial: Its serial (then ``quantity`` is 1).
        expiry: The new lot's expiry; by default the production date plus the item's shelf
            life.
        status: The status it is made in (``quarantine`` until quality releases it, ...).
        container: A container it is put straight into.
    """

    sku: str
    quantity: object
    location: str
    lot: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    status: str = AVAILABLE
    container: str | None = None


class Traceability:
    """Genealogy operations of :class:`stockline.Inventory` (kept in their own module)."""

    if TYPE_CHECKING:
        store: StockStore
        clock: Clock

        def _post(
            self, w: LedgerWriter, draft: NewTransaction, *, now: dt.datetime | None = None
        ) -> Transaction: ...

        def _counterparty(
            self, w: LedgerWriter, kind: LocationKind, code: str | None, actor: str | None
        ) -> Position: ...

        def _ensure_location(
            self, w: LedgerWriter, path: str, kind: LocationKind, actor: str | None
        ) -> None: ...

        def _lot(
            self,
            w: LedgerWriter,
            sku: str,
            code: str,
            *,
            expiry: dt.date | None,
            produced_on: dt.date | None,
            actor: str | None,
        ) -> Lot: ...

        def _draft(
            self,
            kind: TxKind,
            movements: list[Movement],
            counterparty: str | None,
            ref: str | None,
            refs: Refs,
            key: str | None,
            effective_at: dt.datetime | None,
            actor: str | None,
            reason: str | None,
        ) -> NewTransaction: ...

        @staticmethod
        def _item(r: LedgerReader, sku: str) -> Item: ...

    # -- production and relabelling ------------------------------------------------------

    def produce(
        self,
        *,
        consume: Sequence[Component],
        output: Sequence[Output],
        links: Sequence[tuple[int, int]] | None = None,
        line: str | None = None,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Post one production: ``consume`` goes into production, ``output`` comes out of it.

        Every consumed lot or serial is linked to every output (the genealogy edge carries
        the quantity consumed), unless ``links`` gives (component index, output index) pairs.
        Co-products and by-products are just more outputs; rework is an output consumed by a
        later production. New output lots are created with their expiry.

        Raises:
            GenealogyError: An output would become its own ancestor.
            InsufficientStockError: A component is not there.
        """
        if not consume or not output:
            raise ValidationError(
                "a production consumes at least one component and makes at least one output"
            )
        pairs = (
            [(i, j) for i in range(len(consume)) for j in range(len(output))]
            if links is None
            else list(links)
        )
        for i, j in pairs:
            if not (0 <= i < len(consume) and 0 <= j < len(output)):
                raise ValidationError(
                    f"link ({i}, {j}) names a component or output that is not there"
                )
        with self.store.write() as w:
            place = self._counterparty_at(
                w, PRODUCTION if line is None else f"{PRODUCTION}/{line}", actor
            )
            produced_on = (effective_at or self.clock.now()).date()
            for out in output:
                if out.lot is not None:
                    self._lot(
                        w, out.sku, out.lot, expiry=out.expiry, produced_on=produced_on, actor=actor
                    )
            movements = [
                Movement(
                    item=c.sku,
                    quantity=_qty(c.quantity),
                    lot=c.lot,
                    serial=c.serial,
                    src=Position(location=c.location, status=c.status, container=c.container),
                    dst=place,
                )
                for c in consume
            ] + [
                Movement(
                    item=o.sku,
                    quantity=_qty(o.quantity),
                    lot=o.lot,
                    serial=o.serial,
                    src=place,
                    dst=Position(location=o.location, status=o.status, container=o.container),
                )
                for o in output
            ]
            edges = tuple(
                Edge(
                    kind=EdgeKind.TRANSFORMATION,
                    parent_item=consume[i].sku,
                    parent_lot=consume[i].lot,
                    parent_serial=consume[i].serial,
                    child_item=output[j].sku,
                    child_lot=output[j].lot,
                    child_serial=output[j].serial,
                    quantity=_qty(consume[i].quantity),
                )
                for i, j in pairs
            )
            draft = attrs.evolve(
                self._draft(
                    TxKind.PRODUCTION, movements, None, ref, refs, key, effective_at, actor, reason
                ),
                edges=edges,
            )
            return self._post(w, draft)

    def relabel(
        self,
        sku: str,
        quantity: object,
        *,
        lot: str,
        new_lot: str,
        location: str,
        new_sku: str | None = None,
        expiry: dt.date | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Put a new lot code (or a new SKU) on stock, linking old to new so traces follow.

        The new lot keeps the old one's expiry unless ``expiry`` is given.
        """
        return self._regroup(
            EdgeKind.RELABEL,
            sources=[(sku, lot, quantity)],
            targets=[(new_sku or sku, new_lot, quantity)],
            location=location,
            expiry=expiry,
            status=status,
            container=container,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    def split(
        self,
        sku: str,
        *,
        lot: str,
        into: Mapping[str, object],
        location: str,
        status: str = AVAILABLE,
        container: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Split part or all of a lot into new lots: ``into={"L1-A": 40, "L1-B": 60}``."""
        return self._regroup(
            EdgeKind.SPLIT,
            sources=[(sku, lot, _sum(into.values()))],
            targets=[(sku, code, qty) for code, qty in into.items()],
            location=location,
            expiry=None,
            status=status,
            container=container,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    def merge(
        self,
        sku: str,
        *,
        lots: Mapping[str, object],
        into: str,
        location: str,
        expiry: dt.date | None = None,
        status: str = AVAILABLE,
        container: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Combine quantities of several lots into one lot: ``lots={"L1": 10, "L2": 5}``.

        The merged lot expires with the earliest of its sources unless ``expiry`` is given.
        """
        return self._regroup(
            EdgeKind.MERGE,
            sources=[(sku, code, qty) for code, qty in lots.items()],
            targets=[(sku, into, _sum(lots.values()))],
            location=location,
            expiry=expiry,
            status=status,
            container=container,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    def _regroup(
        self,
        kind: EdgeKind,
        *,
        sources: list[tuple[str, str, object]],
        targets: list[tuple[str, str, object]],
        location: str,
        expiry: dt.date | None,
        status: str,
        container: str | None,
        key: str | None,
        effective_at: dt.datetime | None,
        actor: str | None,
        reason: str | None,
    ) -> Transaction:
        here = Position(location=location, status=status, container=container)
        with self.store.write() as w:
            place = self._counterparty_at(w, RELABEL, actor)
            expiries = []
            for sku, code, _ in sources:
                lot = w.lot(sku, code)
                if lot is None:
                    raise UnknownLotError(f"lot {code!r} of {sku} is not known", item=sku, lot=code)
                expiries.append(lot.expiry)
            known = [e for e in expiries if e is not None]
            inherited = expiry or (min(known) if known else None)
            for sku, code, _ in targets:
                if (sku, code) in {(s, c) for s, c, _ in sources}:
                    raise ValidationError(
                        f"{sku} lot {code} cannot be relabelled to itself; give a new code"
                    )
                self._lot(w, sku, code, expiry=inherited, produced_on=None, actor=actor)
            movements = [
                Movement(item=sku, quantity=_qty(qty), lot=code, src=here, dst=place)
                for sku, code, qty in sources
            ] + [
                Movement(item=sku, quantity=_qty(qty), lot=code, src=place, dst=here)
                for sku, code, qty in targets
            ]
            edges = tuple(
                Edge(
                    kind=kind,
                    parent_item=s_sku,
                    parent_lot=s_code,
                    parent_serial=None,
                    child_item=t_sku,
                    child_lot=t_code,
                    child_serial=None,
                    quantity=_qty(t_qty if kind is EdgeKind.SPLIT else s_qty),
                )
                for s_sku, s_code, s_qty in sources
                for t_sku, t_code, t_qty in targets
            )
            draft = attrs.evolve(
                self._draft(
                    TxKind.RELABEL, movements, None, None, (), key, effective_at, actor, reason
                ),
                edges=edges,
            )
            return self._post(w, draft)

    def _counterparty_at(self, w: LedgerWriter, path: str, actor: str | None) -> Position:
        self._ensure_location(w, path, LocationKind.PRODUCTION, actor)
        return Position(location=path)

    # -- containers ----------------------------------------------------------------------

    def create_container(
        self, sscc: str, *, kind: str = "pallet", actor: str | None = None
    ) -> Container:
        """Create a logistic unit identified by an SSCC (18 digits, check digit verified).

        For handling units without an SSCC (totes, bins) use ``add_container``.
        """
        from stockline.gs1 import check_digit

        if not (isinstance(sscc, str) and len(sscc) == 18 and sscc.isdigit()):
            raise ValidationError(f"an SSCC has 18 digits, got {sscc!r}")
        if check_digit(sscc[:17]) != int(sscc[17]):
            raise ValidationError(
                f"SSCC {sscc} has a wrong check digit (expected {check_digit(sscc[:17])}); "
                "check the label, or make one with stockline.gs1.sscc()"
            )
        return self.add_container(sscc, kind=kind, actor=actor)  # type: ignore[attr-defined, no-any-return]

    def pack(
        self,
        container: str,
        sku: str,
        quantity: object = None,
        *,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        location: str | None = None,
        status: str = AVAILABLE,
        from_container: str | None = None,
        ref: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Pack stock into ``container`` where the container is (or at ``location`` for an
        empty one)."""
        from stockline._inventory import _serial_lines

        lines = _serial_lines(sku, quantity, serial, serials)
        with self.store.write() as w:
            state = _state(w, container)
            place = _container_place(w, container, state, location)
            source = Position(location=place, status=status, container=from_container)
            target = Position(location=place, status=status, container=container)
            movements = [
                Movement(item=sku, quantity=q, lot=lot, serial=s, src=source, dst=target)
                for q, s in lines
            ]
            event = ContainerEvent(container=container, parent=state.parent, location=place)
            draft = attrs.evolve(
                self._draft(TxKind.PACK, movements, None, ref, (), key, effective_at, actor, None),
                containers=(event,),
            )
            return self._post(w, draft)

    def pack_container(
        self,
        child: str,
        into: str,
        *,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Pack container ``child`` (a case) into container ``into`` (a pallet).

        Raises:
            ContainerError: ``child`` is already inside another container, is ``into`` or
                contains it, or the two are at different places.
        """
        with self.store.write() as w:
            state, outer = _state(w, child), _state(w, into)
            if state.parent is not None:
                raise ContainerError(
                    f"container {child} is already in {state.parent}; unpack it first"
                )
            if state.location is None:
                raise ContainerError(
                    f"container {child} is nowhere yet; pack something into it first"
                )
            if outer.location not in (None, state.location):
                raise ContainerError(
                    f"container {child} is at {state.location} but {into} is at {outer.location}; "
                    "move one to the other first"
                )
            events = [ContainerEvent(container=child, parent=into, location=state.location)]
            if outer.location is None:
                events.append(
                    ContainerEvent(container=into, parent=outer.parent, location=state.location)
                )
            draft = NewTransaction(
                kind=TxKind.PACK,
                movements=(),
                containers=tuple(events),
                key=key,
                effective_at=effective_at,
                actor=actor,
            )
            return self._post(w, draft)

    def unpack(
        self,
        container: str,
        sku: str | None = None,
        quantity: object = None,
        *,
        lot: str | None = None,
        serial: str | None = None,
        serials: Sequence[str] = (),
        child: str | None = None,
        status: str = AVAILABLE,
        ref: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Take stock (``sku`` ...), a packed container (``child=``) or, with neither,
        everything directly inside out of ``container``; it stays where the container is.

        Raises:
            ContainerError: What is asked for is not inside the container.
        """
        from stockline._inventory import _serial_lines

        with self.store.write() as w:
            state = _state(w, container)
            if state.location is None:
                raise ContainerError(
                    f"container {container} is empty and nowhere; nothing to unpack"
                )
            movements: list[Movement] = []
            events: list[ContainerEvent] = []
            loose = Position(location=state.location, status=status)
            if sku is not None:
                inside = Position(location=state.location, status=status, container=container)
                for q, s in _serial_lines(sku, quantity, serial, serials):
                    there = w.total(
                        BalanceQuery(
                            item=sku, lot=lot, serial=s, container=container, status=status
                        )
                    )
                    if there <= 0:
                        what = f"{sku}{f' lot {lot}' if lot else ''}{f' serial {s}' if s else ''}"
                        raise ContainerError(
                            f"{what} is not in container {container}; nothing to unpack"
                        )
                    movements.append(
                        Movement(item=sku, quantity=q, lot=lot, serial=s, src=inside, dst=loose)
                    )
            elif child is not None:
                if child not in w.container_children(container):
                    raise ContainerError(f"container {child} is not packed in {container}")
                events.append(ContainerEvent(container=child, parent=None, location=state.location))
            else:
                for b in w.balances(BalanceQuery(container=container)):
                    movements.append(
                        Movement(
                            item=b.item,
                            quantity=b.quantity,
                            lot=b.lot,
                            serial=b.serial,
                            src=b.position,
                            dst=attrs.evolve(b.position, container=None),
                        )
                    )
                for code in w.container_children(container):
                    events.append(
                        ContainerEvent(container=code, parent=None, location=state.location)
                    )
                if not movements and not events:
                    raise ContainerError(f"container {container} is empty; nothing to unpack")
            draft = attrs.evolve(
                self._draft(
                    TxKind.UNPACK, movements, None, ref, (), key, effective_at, actor, None
                ),
                containers=tuple(events),
            )
            return self._post(w, draft)

    def move_container(
        self,
        container: str,
        to: str,
        *,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Move a container and everything in it, at any depth, to ``to``: one transaction
        with a movement line per item, lot and serial inside."""
        with self.store.write() as w:
            return self._move_tree(
                w,
                container,
                Position(location=to),
                TxKind.TRANSFER,
                None,
                ref,
                refs,
                key,
                effective_at,
                actor,
                reason,
            )

    def ship_container(
        self,
        container: str,
        *,
        customer: str,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Ship a container and everything in it to ``customer``; all of it must be in an
        allocatable status."""
        with self.store.write() as w:
            dst = self._counterparty(w, LocationKind.CUSTOMER, customer, actor)
            return self._move_tree(
                w,
                container,
                dst,
                TxKind.SHIPMENT,
                customer,
                ref,
                refs,
                key,
                effective_at,
                actor,
                reason,
            )

    def _move_tree(
        self,
        w: LedgerWriter,
        container: str,
        dst: Position,
        kind: TxKind,
        counterparty: str | None,
        ref: str | None,
        refs: Refs,
        key: str | None,
        effective_at: dt.datetime | None,
        actor: str | None,
        reason: str | None,
    ) -> Transaction:
        state = _state(w, container)
        if state.parent is not None:
            raise ContainerError(
                f"container {container} is packed in {state.parent}; move {state.parent}, or "
                f"unpack {container} from it first"
            )
        tree = _subtree(w, container)
        movements = []
        for code in tree:
            for b in w.balances(BalanceQuery(container=code)):
                if kind is TxKind.SHIPMENT:
                    ensure_allocatable(w, b.position, "ship")
                movements.append(
                    Movement(
                        item=b.item,
                        quantity=b.quantity,
                        lot=b.lot,
                        serial=b.serial,
                        src=b.position,
                        dst=attrs.evolve(dst, status=b.position.status, container=code),
                    )
                )
        if not movements:
            raise ContainerError(f"container {container} is empty; nothing to move")
        events = tuple(
            ContainerEvent(
                container=code,
                parent=(_state(w, code).parent if code != container else None),
                location=dst.location,
            )
            for code in tree
        )
        draft = attrs.evolve(
            self._draft(kind, movements, counterparty, ref, refs, key, effective_at, actor, reason),
            containers=events,
        )
        return self._post(w, draft)

    def container_contents(self, container: str) -> list[Balance]:
        """Return what is in ``container`` and in every container packed inside it."""
        with self.store.read() as r:
            _state(r, container)
            return [
                b
                for code in _subtree(r, container)
                for b in r.balances(BalanceQuery(container=code))
            ]

    def container_history(self, container: str) -> list[tuple[int, ContainerEvent]]:
        """Return every state the container was in (parent, location) with the transaction id.

        What was packed into it and taken out, and when, is ``history(container=...)``.
        """
        with self.store.read() as r:
            _state(r, container)
            return r.container_history(container)

    # -- trace and recall ----------------------------------------------------------------

    def trace_downstream(
        self,
        sku: str,
        lot: str | None = None,
        *,
        serial: str | None = None,
        as_of: dt.datetime | None = None,
    ) -> Trace:
        """Everything made from a lot or serial, every shipment of it, and where it is now."""
        return self._trace([self._node(sku, lot, serial)], downstream=True, as_of=as_of)

    def trace_upstream(
        self,
        sku: str,
        lot: str | None = None,
        *,
        serial: str | None = None,
        as_of: dt.datetime | None = None,
    ) -> Trace:
        """Everything a lot or serial was made from, back to the suppliers' receipts."""
        return self._trace([self._node(sku, lot, serial)], downstream=False, as_of=as_of)

    def serial_path(self, sku: str, serial: str) -> list[Transaction]:
        """Where a serial has been: every transaction that moved it, in order."""
        self._node(sku, None, serial)
        return self.history(sku, serial=serial)  # type: ignore[attr-defined, no-any-return]

    def recall(
        self,
        *lots: Node | tuple[str, str],
        reason: str,
        as_of: dt.datetime | None = None,
        recall_id: str | None = None,
    ) -> RecallReport:
        """Trace the recalled lots (``("ASP-100", "L24B")``) or serials (``Node(...)``)
        downstream and report affected lots, customers, stock on hand and in transit.

        ``report.contain()`` then puts every affected available position on hold.
        """
        if not lots:
            raise ValidationError(
                "name at least one lot to recall, e.g. recall(('ASP-100', 'L24B'), reason=...)"
            )
        if not reason.strip():
            raise ValidationError("a recall needs a reason; it goes on every hold it posts")
        roots = [n if isinstance(n, Node) else self._node(n[0], n[1], None) for n in lots]
        for root in roots:
            self._node(root.item, root.lot, root.serial)
        found = self._trace(roots, downstream=True, as_of=as_of)
        if recall_id is None:
            text = "|".join(sorted(map(str, roots))) + "|" + reason
            recall_id = "R-" + hashlib.sha256(text.encode()).hexdigest()[:12]
        return RecallReport(recall_id=recall_id, reason=reason, trace=found, inventory=self)

    def contain_recall(self, report: RecallReport, *, actor: str | None) -> Transaction | None:
        """Post the containment of ``report`` (see :meth:`RecallReport.contain`)."""
        key = f"recall:{report.recall_id}:contain"
        with self.store.write() as w:
            found = w.find_key(key)
            if found is not None:
                return w.transaction(found[0])
            movements = [
                Movement(
                    item=b.item,
                    quantity=b.quantity,
                    lot=b.lot,
                    serial=b.serial,
                    src=b.position,
                    dst=attrs.evolve(b.position, status="hold"),
                )
                for b in w.balances_of(
                    [n.key for n in report.affected], kinds=[LocationKind.INTERNAL]
                )
                if _allocatable(w, b)
            ]
            if not movements:
                return None
            draft = NewTransaction(
                kind=TxKind.STATUS_CHANGE,
                movements=tuple(movements),
                key=key,
                actor=actor,
                reason=f"recall {report.recall_id}: {report.reason}",
                refs=(Reference(type="RECALL", number=report.recall_id),),
            )
            return self._post(w, draft)

    def release_recall(
        self, report: RecallReport, lots: tuple[Node, ...] | None, *, reason: str, actor: str | None
    ) -> Transaction | None:
        """Release what the containment of ``report`` held (see :meth:`RecallReport.release`).

        Each position gets back at most what the containment put on hold there, less what
        earlier releases of this recall already gave back, and never more than is still on
        hold in exactly that position, so holds placed for other reasons stay.
        """
        cleared = None if lots is None else [(n.item, n.lot, n.serial) for n in lots]
        prefix = f"recall:{report.recall_id}"
        with self.store.write() as w:
            found = w.find_key(f"{prefix}:contain")
            if found is None:
                return None
            contained = w.transaction(found[0])
            assert contained is not None, "a key points at a stored transaction"
            still_held: dict[PositionKey, Decimal] = {}
            for m in contained.movements:
                key = _position_key(m, m.dst)
                still_held[key] = still_held.get(key, Decimal(0)) + m.quantity
            number = 1
            while (earlier := w.find_key(f"{prefix}:release:{number}")) is not None:
                done = w.transaction(earlier[0])
                assert done is not None, "a key points at a stored transaction"
                for m in done.movements:
                    key = _position_key(m, m.src)
                    still_held[key] = still_held.get(key, Decimal(0)) - m.quantity
                number += 1
            on_hold = w.position_balances(still_held)
            movements = []
            for key, held in still_held.items():
                item, lot, serial, location, status, container = key
                if cleared is not None and not any(
                    c[0] == item and c[1] == lot and c[2] in (None, serial) for c in cleared
                ):
                    continue
                quantity = min(held, on_hold.get(key, (Decimal(0), None))[0])
                if quantity > 0:
                    here = Position(location=location, status=status, container=container)
                    movements.append(
                        Movement(
                            item=item,
                            lot=lot,
                            serial=serial,
                            quantity=quantity,
                            src=here,
                            dst=attrs.evolve(here, status=AVAILABLE),
                        )
                    )
            if not movements:
                return None
            draft = NewTransaction(
                kind=TxKind.STATUS_CHANGE,
                movements=tuple(movements),
                key=f"{prefix}:release:{number}",
                actor=actor,
                reason=reason,
                refs=(Reference(type="RECALL", number=report.recall_id),),
            )
            return self._post(w, draft)

    def _node(self, sku: str, lot: str | None, serial: str | None) -> Node:
        with self.store.read() as r:
            item = self._item(r, sku)
            if lot is None and serial is None:
                raise ValidationError(f"name a lot or a serial of {sku} to trace")
            if item.tracking is Tracking.NONE:
                raise ValidationError(
                    f"item {sku} is not lot- or serial-tracked, so it cannot be traced"
                )
            if lot is not None and r.lot(sku, lot) is None:
                raise UnknownLotError(f"lot {lot!r} of {sku} is not known", item=sku, lot=lot)
        return Node(item=sku, lot=lot, serial=serial)

    def _trace(
        self, roots: Iterable[Node], *, downstream: bool, as_of: dt.datetime | None
    ) -> Trace:
        when = None if as_of is None else aware_utc(as_of, "as_of")
        with self.store.read() as r:
            return trace(r, list(roots), downstream=downstream, as_of=when, opener=self.store.read)


def _position_key(m: Movement, p: Position) -> PositionKey:
    return (m.item, m.lot, m.serial, p.location, p.status, p.container)


def _state(r: LedgerReader, container: str) -> ContainerEvent:
    from stockline.errors import UnknownContainerError

    if r.container(container) is None:
        raise UnknownContainerError(
            f"container {container!r} does not exist; create it first", container=container
        )
    return r.container_state(container) or ContainerEvent(
        container=container, parent=None, location=None
    )


def _container_place(
    r: LedgerReader, container: str, state: ContainerEvent, location: str | None
) -> str:
    if location is None:
        if state.location is None:
            raise ValidationError(
                f"container {container} is empty and nowhere; say where to pack (location=...)"
            )
        return state.location
    if state.location not in (None, location) and r.total(BalanceQuery(container=container)) > 0:
        raise ContainerError(f"container {container} is at {state.location}, not {location}")
    return location


def _subtree(r: LedgerReader, container: str) -> list[str]:
    found, todo = [], [container]
    while todo:
        code = todo.pop(0)
        found.append(code)
        todo.extend(r.container_children(code))
    return found


def _internal(r: LedgerReader, b: Balance) -> bool:
    location = r.location(b.position.location)
    return location is not None and location.kind is LocationKind.INTERNAL


def _allocatable(r: LedgerReader, b: Balance) -> bool:
    status = r.status(b.position.status)
    return status is not None and status.allocatable


def _sum(values: Iterable[object]) -> Decimal:
    return sum((_qty(v) for v in values), Decimal(0))


def _qty(value: object) -> Decimal:
    return as_quantity(value)
