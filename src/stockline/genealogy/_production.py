"""Production and regrouping: the postings that make genealogy edges between lots and serials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs

from stockline.errors import UnknownLotError, ValidationError
from stockline.ledger import (
    AVAILABLE,
    Book,
    Edge,
    EdgeKind,
    Header,
    LedgerWriter,
    Movement,
    Position,
    Transaction,
    TxKind,
    boundary,
)

__all__ = ["Component", "Output", "post_production", "produce", "regroup"]

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


@attrs.frozen(kw_only=True)
class _Line:
    """A component or output, canonical."""

    sku: str
    quantity: Decimal
    position: Position
    lot: str | None
    serial: str | None
    expiry: dt.date | None = None


def _records(value: object, what: str) -> Sequence[object]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValidationError(
            f"{what} must be a list of records, got {type(value).__name__} {value!r}"
        )
    return value


def _link(pair: object, components: int, outputs: int) -> tuple[int, int]:
    if (
        isinstance(pair, tuple | list)
        and len(pair) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
        and 0 <= pair[0] < components
        and 0 <= pair[1] < outputs
    ):
        return (pair[0], pair[1])
    raise ValidationError(f"link {pair!r} names a component or output that is not there")


def _line(given: object, what: str) -> _Line:
    if not isinstance(given, Component | Output):
        raise ValidationError(f"each of {what} must be a {what[:-1].title()}, got {given!r}")
    return _Line(
        sku=boundary.code(given.sku, f"{what} sku"),
        quantity=boundary.quantity(given.quantity, f"{what} quantity"),
        position=Position(
            location=boundary.code(given.location, f"{what} location"),
            status=boundary.code(given.status, f"{what} status"),
            container=boundary.optional_code(given.container, f"{what} container"),
        ),
        lot=boundary.optional_code(given.lot, f"{what} lot"),
        serial=boundary.optional_code(given.serial, f"{what} serial"),
        expiry=(
            boundary.optional_day(given.expiry, f"{what} expiry")
            if isinstance(given, Output)
            else None
        ),
    )


def produce(
    book: Book,
    *,
    consume: Sequence[Component],
    output: Sequence[Output],
    links: Sequence[tuple[int, int]] | None = None,
    line: str | None = None,
    ref: str | None = None,
    refs: boundary.Refs = (),
    key: str | None = None,
    effective_at: dt.datetime | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> Transaction:
    """Post one production: ``consume`` goes into production, ``output`` comes out of it.

    Every consumed lot or serial is linked to every output (the genealogy edge carries the
    quantity consumed), unless ``links`` gives (component index, output index) pairs.
    Co-products and by-products are just more outputs; rework is an output consumed by a later
    production. New output lots are created with their expiry.

    Args:
        book: The posting context to post through.
        consume: What is consumed.
        output: What is made.
        links: Which component went into which output; every one into every one when
            ``None``.
        line: The production line (a location under ``production``).
        ref: The work order (a ``WO`` reference).
        refs: Other documents.
        key: An idempotency key.
        effective_at: When it was made; now when ``None``.
        actor: Who posts it.
        reason: A note.

    Returns:
        The production transaction.

    Raises:
        ValidationError: Nothing consumed or made, or a link names neither.
        GenealogyError: An output would become its own ancestor.
        InsufficientStockError: A component is not there.
    """
    consumed = [_line(c, "components") for c in _records(consume, "consume")]
    made = [_line(o, "outputs") for o in _records(output, "output")]
    if not consumed or not made:
        raise ValidationError(
            "a production consumes at least one component and makes at least one output"
        )
    pairs = _pairs(links, consumed, made)
    where = _where(line)
    header = Header.of(
        TxKind.PRODUCTION,
        ref=ref,
        refs=refs,
        key=key,
        effective_at=effective_at,
        actor=actor,
        reason=reason,
    )
    with book.write() as w:
        return _post(book, w, consumed, made, pairs, where, header)


def post_production(
    book: Book,
    w: LedgerWriter,
    *,
    consume: Sequence[Component],
    output: Sequence[Output],
    line: str | None,
    header: Header,
) -> Transaction:
    """Post one production in the open write block ``w``, so that what the caller changes in
    the same block (a serial pool's counter) commits or rolls back with it.

    Unlike :func:`produce`, ``consume`` may be empty: outputs made of nothing the ledger
    knows are *commissioned* (given their identity) by the production line. Every consumed
    lot or serial is linked to every output.

    Args:
        book: The posting context to post through.
        w: The open write block.
        consume: What is consumed (may be empty).
        output: What is made.
        line: The production line (a location under ``production``).
        header: The document fields, canonical.

    Returns:
        The production transaction.

    Raises:
        ValidationError: Nothing made.
    """
    consumed = [_line(c, "components") for c in _records(consume, "consume")]
    made = [_line(o, "outputs") for o in _records(output, "output")]
    if not made:
        raise ValidationError("a production makes at least one output")
    pairs = _pairs(None, consumed, made)
    return _post(book, w, consumed, made, pairs, _where(line), header)


def _pairs(
    links: Sequence[tuple[int, int]] | None, consumed: list[_Line], made: list[_Line]
) -> list[tuple[int, int]]:
    if links is None:
        return [(i, j) for i in range(len(consumed)) for j in range(len(made))]
    return [_link(pair, len(consumed), len(made)) for pair in _records(links, "links")]


def _where(line: str | None) -> str:
    return PRODUCTION if line is None else f"{PRODUCTION}/{boundary.code(line, 'line')}"


def _post(
    book: Book,
    w: LedgerWriter,
    consumed: list[_Line],
    made: list[_Line],
    pairs: list[tuple[int, int]],
    where: str,
    header: Header,
) -> Transaction:
    place = book.counterparty_at(w, where, header.actor)
    produced_on = (header.effective_at or book.now()).date()
    for out in made:
        if out.lot is not None:
            book.lot(
                w,
                out.sku,
                out.lot,
                expiry=out.expiry,
                produced_on=produced_on,
                actor=header.actor,
            )
    movements = [
        Movement(
            item=c.sku,
            quantity=c.quantity,
            lot=c.lot,
            serial=c.serial,
            src=c.position,
            dst=place,
        )
        for c in consumed
    ] + [
        Movement(
            item=o.sku,
            quantity=o.quantity,
            lot=o.lot,
            serial=o.serial,
            src=place,
            dst=o.position,
        )
        for o in made
    ]
    edges = tuple(
        Edge(
            kind=EdgeKind.TRANSFORMATION,
            parent_item=consumed[i].sku,
            parent_lot=consumed[i].lot,
            parent_serial=consumed[i].serial,
            child_item=made[j].sku,
            child_lot=made[j].lot,
            child_serial=made[j].serial,
            quantity=consumed[i].quantity,
        )
        for i, j in pairs
    )
    draft = attrs.evolve(book.draft(TxKind.PRODUCTION, movements, header), edges=edges)
    return book.post(w, draft)


def regroup(
    book: Book,
    kind: EdgeKind,
    *,
    sources: Sequence[tuple[str, str, Decimal]],
    targets: Sequence[tuple[str, str, Decimal]],
    here: Position,
    expiry: dt.date | None,
    header: Header,
) -> Transaction:
    """Post a relabel, split or merge (``kind``): ``sources`` (item, lot, quantity) go out of
    ``here`` through ``production/relabel`` and ``targets`` come back in, every source linked
    to every target. New target lots inherit the earliest known expiry of the sources unless
    ``expiry`` is given. Arguments are canonical already.

    Args:
        book: The posting context to post through.
        kind: ``RELABEL``, ``SPLIT`` or ``MERGE``.
        sources: The lots taken.
        targets: The lots made.
        here: Where the stock is (and stays).
        expiry: The targets' expiry, if given.
        header: The document fields.

    Returns:
        The relabel transaction.

    Raises:
        UnknownLotError: A source lot is not known.
        ValidationError: A target is one of the sources.
    """
    with book.write() as w:
        place = book.counterparty_at(w, RELABEL, header.actor)
        expiries = []
        for sku, code, _ in sources:
            lot = w.lot(sku, code)
            if lot is None:
                raise UnknownLotError(item=sku, lot=code)
            expiries.append(lot.expiry)
        known = [e for e in expiries if e is not None]
        inherited = expiry or (min(known) if known else None)
        for sku, code, _ in targets:
            if (sku, code) in {(s, c) for s, c, _ in sources}:
                raise ValidationError(
                    f"{sku} lot {code} cannot be relabelled to itself; give a new code"
                )
            book.lot(w, sku, code, expiry=inherited, produced_on=None, actor=header.actor)
        movements = [
            Movement(item=sku, quantity=qty, lot=code, src=here, dst=place)
            for sku, code, qty in sources
        ] + [
            Movement(item=sku, quantity=qty, lot=code, src=place, dst=here)
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
                quantity=t_qty if kind is EdgeKind.SPLIT else s_qty,
            )
            for s_sku, s_code, s_qty in sources
            for t_sku, t_code, t_qty in targets
        )
        draft = attrs.evolve(book.draft(TxKind.RELABEL, movements, header), edges=edges)
        return book.post(w, draft)
