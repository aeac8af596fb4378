"""Posting from GS1 scans: receive what a barcode says, and check a pick against its plan
(``inv.scanning``).

Both read a scan with :func:`stockline.gs1.parse` (or take a parsed
:class:`~stockline.gs1.Scan`), resolve its GTIN to an item through the master data (pack GTINs
included) and judge dates against the inventory's clock, never the wall clock.

How much one scan is worth, in the item's base unit:

* ``(01)`` the item's own GTIN: one base unit per scanned unit.
* ``(01)`` one of the item's pack GTINs (``add_item(packs=[(gtin, 12)])``): the pack's units per
  scanned unit. ``quantity`` counts what was scanned, so ``quantity=3`` on a case GTIN of 12
  receives 36.
* ``(00)`` + ``(02)`` + ``(37)`` a logistic label: ``(37)`` scanned units of the content GTIN
  (which may itself be a pack GTIN: 40 cases of 12 are 480).
* A net measure in the item's unit (``(3103)`` net weight for a ``KGM`` item, ``(3150)`` net
  volume for an ``LTR`` item, ...) replaces the units above: it is what one scanned unit holds,
  or with ``(02)`` the label's whole content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from stockline import gs1
from stockline.errors import (
    BarcodeError,
    ScanMismatchError,
    SerialError,
    TrackingError,
    UnknownItemError,
    ValidationError,
)
from stockline.gs1 import Scan
from stockline.ledger import (
    AVAILABLE,
    Book,
    Container,
    Header,
    Item,
    LedgerReader,
    LedgerWriter,
    LocationKind,
    Movement,
    Position,
    Reference,
    Tracking,
    Transaction,
    TxKind,
    boundary,
    refuse_expired,
)
from stockline.policies import Pick

__all__ = ["PickCheck", "ScannedStock", "Scanning", "scanned_stock"]

#: Business documents as ``{"ASN": "asn-77"}`` or as :class:`~stockline.Reference` records.
Refs = Mapping[str, str] | Sequence[Reference]

# The AI prefixes (first three digits) of *net* trade measures: what the item holds. Width and
# height (312, 313, 324-329) are not amounts of the item, and the logistic measures (33n, 34n,
# 353-355, 362, 363, 367-369) weigh or size the pallet with its packaging.
_NET_MEASURES = frozenset(
    {
        "310", "320", "356",  # net weight
        "311", "321", "322", "323",  # length
        "314", "350", "351", "352",  # area
        "315", "316", "357", "360", "361", "364", "365", "366",  # net volume
    }
)  # fmt: skip


@attrs.define(repr=False)
class Scanning:
    """Receiving and picking by GS1 scan (``inv.scanning``).

    Args:
        book: The posting context it reads and posts through.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<Scanning>"

    def receive(
        self,
        scan: Scan | str,
        quantity: object = None,
        *,
        dst: str,
        status: str = AVAILABLE,
        container: str | None = None,
        supplier: str,
        ref: str | None = None,
        refs: Refs = (),
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
        allow_expired: bool = False,
        at: dt.date | None = None,
        gs_standin: str | None = None,
    ) -> Transaction:
        """Receive what a GS1 barcode says: item, quantity, lot, expiry, serial and pallet.

        It takes :meth:`~stockline.Inventory.receive`'s keywords; the item, lot, serial,
        expiry and production date come from the scan. The item is the one whose GTIN (or
        pack GTIN) is the scan's ``(01)``, or the ``(02)`` content GTIN of a logistic label.
        The quantity is ``quantity`` scanned units times what one holds (see the module
        docs): a case GTIN of 12 with ``quantity=3`` receives 36, a logistic label receives
        its ``(37)`` count, a ``(310n)`` net weight is the quantity of a ``KGM`` item.

        A new lot is created with the scan's expiry: ``(17)``, or ``(15)`` best-before when
        ``(17)`` is absent, or the ``(11)`` production date plus the item's shelf life. An
        ``(00)`` SSCC puts the goods in that container, registered as a pallet if new. What
        the item's tracking does not record is not posted: the lot of an untracked item, the
        serial of a lot-tracked one.

        Args:
            scan: The scan as the scanner sent it (element string, HRI or Digital Link), or an
                already parsed :class:`~stockline.gs1.Scan`.
            quantity: How many of the scanned thing (units, cases, ...); one when ``None``.
                For a logistic label it defaults to the ``(37)`` count and, if given, must
                equal it.
            dst: The receiving location.
            status: The status to receive into.
            container: The container the goods go into; defaults to the scan's SSCC, and must
                equal it when the scan has one.
            supplier: The supplier's code (added on first use); required.
            ref: The purchase order number.
            refs: Other documents, e.g. ``{"ASN": "asn-77"}``.
            key: An idempotency key: a retried scan returns the first transaction.
            effective_at: When the goods arrived; now when ``None``.
            actor: Who posted it.
            reason: A note; required with ``allow_expired=True``.
            allow_expired: Receive product past its expiry date instead of refusing it (with
                a ``reason``).
            at: The date expiry is judged on (and two-digit years are read around); by
                default the date of ``effective_at``, or of the clock's now, in UTC.
            gs_standin: The character the scanner sends in place of GS, e.g. ``"^"``.

        Returns:
            The posted receipt.

        Raises:
            BarcodeError: The text is not valid GS1 data, or it names no GTIN or content GTIN.
            UnknownItemError: No item has the scanned GTIN.
            TrackingError: A lot-tracked item scanned without ``(10)``, or a serial-tracked
                one without ``(21)``.
            SerialError: A serial received in a quantity other than 1, or one already in
                stock.
            ScanMismatchError: ``quantity`` differs from the ``(37)`` count, or ``container``
                from the ``(00)`` SSCC.
            ExpiredProductError: The product expired before ``at``.
            ValidationError: A known lot recorded with another expiry, or an argument of the
                wrong type.

        Example:
            >>> import datetime as dt
            >>> import stockline as sl
            >>> inv = sl.Inventory(clock=sl.FixedClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)))
            >>> _ = inv.add_item("ASP", gtin="09506000134352", tracking="lot",
            ...                  packs=[("19506000134359", 12)])
            >>> _ = inv.add_location("DC1/DOCK")
            >>> _ = inv.scanning.receive(
            ...     "(01)19506000134359(17)270131(10)L7", 2, dst="DC1/DOCK", supplier="ACME"
            ... )
            >>> inv.on_hand("ASP", lot="L7"), inv.master.lot("ASP", "L7").expiry
            (Decimal('24'), datetime.date(2027, 1, 31))
        """
        header = Header.of(
            TxKind.RECEIPT,
            ref=ref,
            refs=refs,
            key=key,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )
        scanned = None if quantity is None else boundary.quantity(quantity)
        dst = boundary.code(dst, "dst")
        status = boundary.code(status, "status")
        container = boundary.optional_code(container, "container")
        supplier = boundary.code(supplier, "supplier")
        allow_expired = boundary.allowance(allow_expired, "allow_expired", header.reason)
        gs_standin = boundary.optional_note(gs_standin, "gs_standin")
        at = boundary.optional_day(at, "at")
        if at is None:
            now = self._book.now() if header.effective_at is None else header.effective_at
            at = dt.date(now.year, now.month, now.day)
        parsed = _read(scan, gs_standin=gs_standin, at=at)
        with self._book.write() as w:
            item, per_unit = _resolve(w, parsed)
            amount = _quantity(item, parsed, scanned, per_unit)
            lot, serial = _tracked_codes(item, parsed, amount)
            expiry, expiry_ai = _expiry(w, item, parsed, lot)
            refuse_expired(
                item=item.sku,
                lot=lot,
                expiry=expiry,
                on=at,
                allow_expired=allow_expired,
                ai=expiry_ai,
            )
            target = _container(self._book, w, parsed, container, header.actor)
            if lot is not None:
                # The lot keeps the label's own date; one derived from the production date is
                # left to the lot record, so it records how it was known.
                self._book.lot(
                    w,
                    item.sku,
                    lot,
                    expiry=parsed.expiry or parsed.best_before,
                    produced_on=parsed.production_date,
                    actor=header.actor,
                )
            src = self._book.counterparty(w, LocationKind.SUPPLIER, supplier, header.actor)
            movement = Movement(
                item=item.sku,
                quantity=amount,
                src=src,
                dst=Position(location=dst, status=status, container=target),
                lot=lot,
                serial=serial,
            )
            draft = self._book.draft(TxKind.RECEIPT, [movement], header, counterparty=supplier)
            return self._book.post(w, draft)

    def verify_pick(
        self,
        scan: Scan | str,
        pick: Pick,
        *,
        at: dt.date | None = None,
        gs_standin: str | None = None,
    ) -> PickCheck:
        """Check that a picker scanned what a pick plan line asks for.

        The scan confirms the pick when its GTIN (own or pack, or ``(02)`` content) belongs
        to the pick's item, its lot is the pick's lot, its SSCC (if any) is the container the
        pick is from, it carries a serial when the item is serial-tracked, and it has not
        expired. An SSCC alone confirms a pick from that container. Mismatches are returned
        as ``problems``; only a malformed scan raises.

        Args:
            scan: The scan as the scanner sent it, or a parsed :class:`~stockline.gs1.Scan`.
            pick: A line of an allocation plan (:class:`stockline.policies.Pick`).
            at: The date expiry is judged on (and two-digit years read around); the clock's
                date in UTC by default.
            gs_standin: The character the scanner sends in place of GS.

        Returns:
            The check: ``ok``, the ``problems``, and what the scan says (item, serial,
            quantity).

        Raises:
            BarcodeError: The text is not valid GS1 data.
            ValidationError: An argument of the wrong type.
        """
        gs_standin = boundary.optional_note(gs_standin, "gs_standin")
        at = boundary.optional_day(at, "at")
        if at is None:
            now = self._book.now()
            at = dt.date(now.year, now.month, now.day)
        if not isinstance(pick, Pick):
            raise ValidationError(what="pick", value=pick, expected="a Pick of an allocation")
        parsed = _read(scan, gs_standin=gs_standin, at=at)
        wanted = pick.candidate
        problems: list[str] = []
        item: Item | None = None
        gtin = parsed.gtin or parsed.content_gtin
        if gtin is not None:
            with self._book.read() as r:
                item = r.item_by_gtin(gtin)
            if item is None:
                problems.append(
                    f"the pick is {wanted.item}, but the scanned GTIN {gtin} is no item in the "
                    "master data; scan the product at the pick location"
                )
            elif item.sku != wanted.item:
                problems.append(
                    f"the pick is {wanted.item}, but the scanned GTIN {gtin} is {item.sku}; "
                    f"scan the product at {wanted.location}"
                )
        elif parsed.sscc is None:
            problems.append(
                f"the scan ({_text(parsed)}) has no GTIN (01/02) and no SSCC (00); scan the "
                "product's or the pallet's barcode"
            )
        problems += _pick_codes(parsed, pick, item, gtin)
        problems += _pick_dates(parsed, pick, at)
        return PickCheck(
            problems=tuple(problems),
            scan=parsed,
            item=None if item is None else item.sku,
            serial=parsed.serial,
            quantity=None if item is None or gtin is None else _scan_quantity(item, parsed, gtin),
        )


@attrs.frozen(kw_only=True)
class ScannedStock:
    """What one scan of a trade item stands for, read by the item's master data.

    Attributes:
        sku: The item.
        quantity: How much, in the item's base unit.
        lot: The lot to post, as the item's tracking records it (``None`` for an untracked
            item, whatever the label says).
        serial: The serial to post (serial-tracked items only).
    """

    sku: str
    quantity: Decimal
    lot: str | None
    serial: str | None


def scanned_stock(scan: Scan, item: Item, quantity: object = None) -> ScannedStock:
    """Return what ``scan`` stands for as stock of ``item``: the quantity in base units and
    the lot and serial to post, by the rules :meth:`Scanning.receive` uses.

    Args:
        scan: A parsed scan naming ``item`` by its GTIN, a pack GTIN or a ``(02)`` content
            GTIN.
        item: The item the scan's GTIN belongs to.
        quantity: How many of the scanned thing; one when ``None`` (for a logistic label, its
            ``(37)`` count).

    Returns:
        The stock the scan stands for.

    Raises:
        BarcodeError: A logistic label without a count.
        ScanMismatchError: ``quantity`` differs from the label's count.
        TrackingError: The lot or serial the item's tracking needs is not on the scan.
        SerialError: A serial on a pack, or a serial in a quantity other than 1.
        InvalidQuantityError: ``quantity`` is not a positive quantity.
    """
    gtin = scan.gtin or scan.content_gtin
    amount = _quantity(
        item,
        scan,
        None if quantity is None else boundary.quantity(quantity),
        1 if gtin is None else _units_per(item, gtin),
    )
    lot, serial = _tracked_codes(item, scan, amount)
    return ScannedStock(sku=item.sku, quantity=amount, lot=lot, serial=serial)


def _read(scan: object, *, gs_standin: str | None, at: dt.date) -> Scan:
    if isinstance(scan, Scan):
        return scan
    if not isinstance(scan, str):
        raise ValidationError(
            f"a scan is the text the scanner sent (a str) or a parsed gs1.Scan, got "
            f"{type(scan).__name__} {scan!r}"
        )
    return gs1.parse(scan, gs_standin=gs_standin, today=at)


def _text(scan: Scan) -> str:
    return gs1.to_hri(scan.elements)


def _resolve(r: LedgerReader, scan: Scan) -> tuple[Item, int]:
    """The scanned item, and how many base units one scanned unit of its GTIN is."""
    gtin = scan.gtin or scan.content_gtin
    if gtin is None:
        found = f"SSCC {scan.sscc}" if scan.sscc else _text(scan)
        raise BarcodeError(
            f"the scan ({found}) names no trade item: it has no GTIN (01) and no content GTIN "
            "(02), so stockline cannot tell what was received; scan the item's own barcode, "
            "or a logistic label that carries (02) and (37)",
            text=_text(scan),
            ai="01",
        )
    item = r.item_by_gtin(gtin)
    if item is None:
        raise UnknownItemError(item=gtin)
    return item, _units_per(item, gtin)


def _units_per(item: Item, gtin: str) -> int:
    if gtin == item.gtin:
        return 1
    # item_by_gtin matched either the item's GTIN or one of its packs, so a pack matches here.
    return next((units for code, units in item.packs if code == gtin), 1)


def _net_measure(item: Item, scan: Scan) -> Decimal | None:
    for measure in scan.measures:
        if measure.ai[:3] in _NET_MEASURES and measure.unit == item.unit:
            return measure.value
    return None


def _quantity(item: Item, scan: Scan, scanned: Decimal | None, per_unit: int) -> Decimal:
    """The quantity in the item's base unit that the scan (``scanned`` times) stands for."""
    measure = _net_measure(item, scan)
    if scan.content_gtin is not None:
        if scan.count is None:
            # parse() requires (37) with (02); only a hand-built Scan gets here.
            raise BarcodeError(
                f"the logistic label names content GTIN {scan.content_gtin} but no count (37); "
                "scan the label's barcode that carries the count",
                text=_text(scan),
                ai="37",
            )
        if scanned is not None and scanned != scan.count:
            raise ScanMismatchError(
                what=f"the count of {item.sku}",
                value=_text(scan),
                ai="37",
                scanned=scan.count,
                expected=scanned,
                advice="leave the quantity out to receive the label's count, or check the pallet "
                "and relabel it",
            )
        # With (02), a net measure is the total of the contained trade items.
        return measure if measure is not None else Decimal(scan.count * per_unit)
    units = Decimal(1) if scanned is None else scanned
    return boundary.quantity(units * (measure if measure is not None else per_unit))


def _tracked_codes(item: Item, scan: Scan, quantity: Decimal) -> tuple[str | None, str | None]:
    """The lot and serial to post, as the item's tracking needs them."""
    if item.tracking is Tracking.NONE:
        # Labels of untracked goods often carry a batch; the item's master data says it is not
        # traced, so the lot is not posted (receive() would refuse it).
        return None, None
    if item.tracking is Tracking.LOT:
        if scan.lot is None:
            raise TrackingError(
                item=item.sku,
                tracking="lot",
                advice=f"the scan ({_text(scan)}) has no lot (10); scan the barcode that carries "
                "the batch/lot, or receive() with lot=",
            )
        return scan.lot, None
    if scan.serial is None:
        raise TrackingError(
            item=item.sku,
            tracking="serial",
            advice=f"the scan ({_text(scan)}) has no serial (21); scan each unit's own barcode, "
            "which carries its serial",
        )
    if scan.gtin != item.gtin:
        raise SerialError(item=item.sku, serial=scan.serial, pack=scan.gtin)
    if quantity != 1:
        raise SerialError(
            item=item.sku,
            serial=scan.serial,
            quantity=quantity,
            advice="leave the quantity out (or give 1) and scan each unit",
        )
    return scan.lot, scan.serial


def _expiry(
    r: LedgerReader, item: Item, scan: Scan, lot: str | None
) -> tuple[dt.date | None, str | None]:
    """The date the product expires, and the AI it came from (``None`` if from master data)."""
    if scan.expiry is not None:
        return scan.expiry, "17"
    if scan.best_before is not None:
        return scan.best_before, "15"
    if lot is not None:
        # A known lot keeps its recorded expiry (receive() never changes it), so judge by that.
        known = r.lot(item.sku, lot)
        if known is not None and known.expiry is not None:
            return known.expiry, None
    if scan.production_date is not None and item.shelf_life_days is not None:
        return scan.production_date + dt.timedelta(days=item.shelf_life_days), "11"
    return None, None


def _container(
    book: Book, w: LedgerWriter, scan: Scan, container: str | None, actor: str | None
) -> str | None:
    if scan.sscc is None:
        return container
    if container is not None and container != scan.sscc:
        raise ScanMismatchError(
            what="SSCC",
            value=_text(scan),
            ai="00",
            scanned=scan.sscc,
            expected=f"container={container!r}",
            advice="leave container out to receive into the scanned pallet, or scan that "
            "container's label",
        )
    # Registered in the receipt's write block, after every scan check passed: a pallet is
    # known once goods were received on it.
    if w.container(scan.sscc) is None:
        book.save(w, Container(code=scan.sscc, kind="pallet"), actor)
    return scan.sscc


@attrs.frozen(kw_only=True)
class PickCheck:
    """Whether a scan is what a pick plan line asked for; a result, never an exception.

    Attributes:
        ok: Whether there are no problems (derived from ``problems``).
        problems: Each mismatch in a sentence: what the pick wants, what was scanned, what to
            do. Empty when the scan confirms the pick.
        scan: The scan checked.
        item: The SKU the scanned GTIN belongs to, or ``None`` (no GTIN, or an unknown one).
        serial: The scanned serial (21), to post the pick with; ``None`` if the scan has none.
        quantity: How much one scan of this barcode is in the item's base unit (a case of 12
            is 12, a logistic label its count times the content's units), or ``None`` when the
            scan names no known item.
    """

    problems: tuple[str, ...]
    scan: Scan
    item: str | None = None
    serial: str | None = None
    quantity: Decimal | None = None
    ok: bool = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "ok", not self.problems)


def _pick_codes(scan: Scan, pick: Pick, item: Item | None, gtin: str | None) -> Sequence[str]:
    wanted = pick.candidate
    problems: list[str] = []
    from_container = wanted.container or "loose stock (no container)"
    if scan.sscc is not None and scan.sscc != wanted.container:
        problems.append(
            f"the pick is from {from_container} at {wanted.location}, but SSCC {scan.sscc} "
            "was scanned; take the pallet the plan names"
        )
    # Only a product scan (a GTIN) is asked for its lot: a bare SSCC either is the planned
    # pallet, which vouches for its content, or is already reported as the wrong one.
    if wanted.lot is not None and gtin is not None:
        if scan.lot is None:
            problems.append(
                f"the pick is lot {wanted.lot} of {wanted.item}, but the scan has no lot (10); "
                "scan the barcode that carries the lot"
            )
        elif scan.lot != wanted.lot:
            problems.append(
                f"the pick is lot {wanted.lot} of {wanted.item}, but lot {scan.lot} was "
                f"scanned; take lot {wanted.lot} from {wanted.location}"
            )
    if item is not None and item.tracking is Tracking.SERIAL and scan.serial is None:
        problems.append(
            f"{item.sku} is serial-tracked, but the scan has no serial (21); scan the unit's "
            "own barcode so the shipment can name the serial"
        )
    return problems


def _pick_dates(scan: Scan, pick: Pick, at: dt.date) -> Sequence[str]:
    wanted = pick.candidate
    scanned = scan.expiry or scan.best_before
    if scanned is None:
        return []
    problems: list[str] = []
    if wanted.expiry is not None and scanned != wanted.expiry:
        problems.append(
            f"the label says {wanted.item} expires on {scanned.isoformat()}, but the ledger "
            f"has {wanted.expiry.isoformat()} for lot {wanted.lot}; check the label and the "
            "lot's master data (inv.master.update_lot())"
        )
    if scanned < at:
        problems.append(
            f"the scanned product expired on {scanned.isoformat()}, before "
            f"{at.isoformat()}; do not ship it, put it on hold and pick another"
        )
    return problems


def _scan_quantity(item: Item, scan: Scan, gtin: str) -> Decimal:
    measure = _net_measure(item, scan)
    if measure is not None:
        return measure
    count = scan.count if scan.content_gtin is not None and scan.count is not None else 1
    return Decimal(count * _units_per(item, gtin))
