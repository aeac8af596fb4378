"""A serial's state, read from the ledger: where its one unit is, and how it got there."""

from __future__ import annotations

import datetime as dt

from stockline.ledger import (
    BalanceQuery,
    HistoryQuery,
    LedgerReader,
    LocationKind,
    Transaction,
    TxKind,
)
from stockline.serials._records import Decommission, SerialState, SerialStatus

__all__ = ["DECOMMISSIONED", "decommission_reason", "derive"]

#: How a decommissioning posting's reason starts; the EPCIS export reads the same words.
DECOMMISSIONED = "decommissioned: "

_GONE = {
    LocationKind.PRODUCTION: "consumed",
    LocationKind.ADJUSTMENT: "written off",
}


def decommission_reason(text: str | None) -> str:
    """Return why a posting to scrap took a serial out: the reason a decommissioning gave,
    else ``destroyed`` (scrap is destruction unless it says otherwise)."""
    if text is not None and text.startswith(DECOMMISSIONED):
        why = text[len(DECOMMISSIONED) :].split(":", 1)[0].strip()
        if why in {d.value for d in Decommission}:
            return why
    return Decommission.DESTROYED.value


def derive(
    r: LedgerReader,
    sku: str,
    serial: str,
    *,
    issued_at: dt.datetime | None,
    voided: str | None,
) -> SerialStatus | None:
    """Return the serial's state, or ``None`` if neither the ledger nor the pool knows it.

    Args:
        r: A read view.
        sku: The item.
        serial: The serial.
        issued_at: When the pool issued it (``None``: not issued by the pool).
        voided: The reason it was voided, if it was.
    """
    held = [
        b
        for b in r.balances(BalanceQuery(item=sku, serial=serial, internal_only=False))
        if b.quantity > 0
    ]
    base = SerialStatus(sku=sku, serial=serial, state=SerialState.ISSUED, issued_at=issued_at)
    if not held:
        # Never used, or its commissioning was reversed: it is where the pool left it.
        if voided is not None:
            return SerialStatus(
                sku=sku,
                serial=serial,
                state=SerialState.VOIDED,
                reason=voided,
                issued_at=issued_at,
            )
        return base if issued_at is not None else None
    balance = held[0]
    history = r.history(HistoryQuery(item=sku, serial=serial))
    last = history[-1] if history else None
    place = balance.position
    location = r.location(place.location)
    kind = location.kind if location is not None else LocationKind.INTERNAL
    reason: str | None = None
    if kind in (LocationKind.INTERNAL, LocationKind.TRANSIT):
        if place.container is not None:
            state = SerialState.PACKED
        elif _came_back(r, history, sku, serial):
            state = SerialState.RETURNED
        else:
            state = SerialState.COMMISSIONED
    elif kind in (LocationKind.CUSTOMER, LocationKind.SUPPLIER):
        state = SerialState.SHIPPED
    else:
        state = SerialState.DECOMMISSIONED
        reason = (
            decommission_reason(last.reason if last is not None else None)
            if kind is LocationKind.SCRAP
            else _GONE.get(kind, kind.value)
        )
    return SerialStatus(
        sku=sku,
        serial=serial,
        state=state,
        reason=reason,
        location=place.location,
        container=place.container,
        lot=balance.lot,
        transaction=None if last is None else last.id,
        issued_at=issued_at,
    )


def _came_back(r: LedgerReader, history: list[Transaction], sku: str, serial: str) -> bool:
    """Whether the serial ever came back from a customer (other than by a reversal)."""
    for tx in history:
        if tx.kind is TxKind.REVERSAL:
            continue
        for m in tx.movements:
            if m.item != sku or m.serial != serial:
                continue
            source = r.location(m.src.location)
            if source is not None and source.kind is LocationKind.CUSTOMER:
                return True
    return False
