"""What a counter records, checked: quantities against the item's tracking and unit, and
scans turned into item, lot, serials and container."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from stockline.errors import (
    InvalidQuantityError,
    ScanMismatchError,
    TrackingError,
    UnknownContainerError,
    UnknownStatusError,
    ValidationError,
)
from stockline.gs1 import Scan
from stockline.ledger import Item, LedgerReader, Tracking, as_quantity
from stockline.operations._scanning import _read, _resolve, _text, scanned_stock

__all__ = ["amounts", "check_position", "counted_quantity", "from_scan"]


def from_scan(
    r: LedgerReader,
    scan: Scan | str,
    sku: str | None,
    quantity: object,
    lot: str | None,
    serials: list[str],
    container: str | None,
    gs_standin: str | None,
    when: dt.datetime,
) -> tuple[str, Decimal, str | None, list[str], str | None, dt.date | None]:
    """Item, quantity, lot, serials and container a scan stands for, checked against what the
    caller gave; and the expiry for a lot new to stockline."""
    parsed = _read(scan, gs_standin=gs_standin, at=when.date())
    item, _ = _resolve(r, parsed)
    stock = scanned_stock(parsed, item, quantity)
    amount, scanned_lot, scanned_serial = stock.quantity, stock.lot, stock.serial
    text = _text(parsed)
    for what, ai, given, found in (
        ("item", "01", sku, item.sku),
        ("lot", "10", lot, scanned_lot),
        ("container", "00", container, parsed.sscc),
    ):
        if given is not None and found is not None and given != found:
            raise ScanMismatchError(what=what, value=text, ai=ai, scanned=found, expected=given)
    if serials and scanned_serial is not None:
        raise ScanMismatchError(
            what="serial",
            value=text,
            ai="21",
            scanned=scanned_serial,
            expected=", ".join(serials),
            advice="give no serials with it",
        )
    found_serials = [scanned_serial] if scanned_serial is not None else serials
    if container is None and parsed.sscc is not None:
        container = parsed.sscc
        if r.container(container) is None:
            raise UnknownContainerError(
                container=container,
            )
    expiry = parsed.expiry or parsed.best_before
    return item.sku, amount, scanned_lot or lot, found_serials, container, expiry


def amounts(
    item: Item, quantity: object, lot: str | None, serials: list[str]
) -> list[tuple[str | None, Decimal]]:
    """One (serial, quantity) per line to write, checked against the item's tracking."""
    sku = item.sku
    if item.tracking is Tracking.NONE and (lot is not None or serials):
        raise TrackingError(item=sku, tracking="none", lot=lot, serial=", ".join(serials) or None)
    if item.tracking is not Tracking.SERIAL and serials:
        raise TrackingError(item=sku, tracking="lot", lot=lot, serial=", ".join(serials))
    amount = counted_quantity(quantity, item) if quantity is not None else None
    if item.tracking is Tracking.SERIAL and serials:
        if amount is not None and amount != len(serials):
            raise ValidationError(
                f"quantity {amount} of {sku} does not match the {len(serials)} serials "
                "recorded; leave the quantity out, or give one serial per unit"
            )
        return [(s, Decimal(1)) for s in serials]
    if amount is None:
        raise ValidationError(f"give the quantity of {sku} found (0 when there is none)")
    if amount != 0:
        if item.tracking is Tracking.SERIAL:
            raise TrackingError(
                item=sku,
                tracking="serial",
                advice="record the serials found (serial= or serials=), or quantity 0 for none "
                "here",
            )
        if item.tracking is Tracking.LOT and lot is None:
            raise TrackingError(
                item=sku,
                tracking="lot",
                advice="say which lot was found (lot=), or record quantity 0 for none of it here",
            )
    return [(None, amount)]


def counted_quantity(quantity: object, item: Item) -> Decimal:
    if isinstance(quantity, int | str | Decimal) and not isinstance(quantity, bool):
        try:
            if Decimal(quantity) == 0:
                return Decimal(0)
        except ArithmeticError:
            pass  # as_quantity says what is wrong with it
    try:
        return as_quantity(quantity, decimals=item.decimals, what=f"counted quantity of {item.sku}")
    except InvalidQuantityError as e:
        raise InvalidQuantityError(
            value=quantity,
            what=e.what,
            expected=e.expected,
            decimals=e.decimals,
            advice="a counted quantity is zero or more",
        ) from None


def check_position(r: LedgerReader, status: str, container: str | None) -> None:
    if r.status(status) is None:
        raise UnknownStatusError(status=status)
    if container is not None and r.container(container) is None:
        raise UnknownContainerError(
            container=container,
        )
