"""How a count is kept in the store: a ``count`` document per count, a ``count-line``
document per recorded position, and the text forms of decimals and times inside them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stockline.errors import CountError, UnknownCountError, ValidationError
from stockline.ledger import PositionKey, aware_utc, canonical
from stockline.operations._counts import (
    Count,
    CountLine,
    CountReportLine,
    CountState,
    Uncounted,
)

if TYPE_CHECKING:
    from stockline.ledger import Document, LedgerReader

__all__ = [
    "COUNT_KIND",
    "COUNT_LINE_KIND",
    "count_of",
    "ensure_open",
    "enum_of",
    "header_doc",
    "line_body",
    "line_key",
    "line_of",
    "position_order",
    "read_count",
    "read_lines",
    "result_body",
    "stored_result",
    "time_of",
    "time_text",
    "under",
]

#: Document kind of a count's header.
COUNT_KIND = "count"
#: Document kind of a count's recorded lines (key: ``<count id>|<position as JSON>``).
COUNT_LINE_KIND = "count-line"


def line_body(
    location: str,
    sku: str | None,
    lot: str | None,
    serial: str | None,
    status: str,
    container: str | None,
    quantity: Decimal,
    counted_at: dt.datetime,
    actor: str | None,
    ledger_head: int | None = None,
) -> dict[str, Any]:
    return {
        "location": location,
        "sku": sku,
        "lot": lot,
        "serial": serial,
        "status": status,
        "container": container,
        "quantity": str(canonical(quantity)),
        "counted_at": time_text(counted_at),
        "actor": actor,
        "ledger_head": ledger_head,
    }


def line_key(count_id: str, path: Sequence[str | None]) -> str:
    return f"{count_id}|{json.dumps(list(path), ensure_ascii=False)}"


def result_body(line: CountReportLine) -> dict[str, Any]:
    return {
        "location": line.location,
        "sku": line.sku,
        "lot": line.lot,
        "serial": line.serial,
        "status": line.status,
        "container": line.container,
        "expected": str(line.expected),
        "counted": str(line.counted),
        "counted_at": None if line.counted_at is None else time_text(line.counted_at),
    }


def stored_result(r: LedgerReader, header: Count) -> list[CountReportLine]:
    doc = header_doc(r, header.id)
    return [
        CountReportLine(
            location=b["location"],
            sku=b["sku"],
            lot=b["lot"],
            serial=b["serial"],
            status=b["status"],
            container=b["container"],
            expected=Decimal(b["expected"]),
            counted=Decimal(b["counted"]),
            counted_at=None if b["counted_at"] is None else time_of(b["counted_at"]),
        )
        for b in doc.body.get("result", [])
    ]


def header_doc(r: LedgerReader, count_id: str) -> Document:
    doc = r.document(COUNT_KIND, count_id)
    if doc is None:
        raise UnknownCountError(
            count=count_id,
        )
    return doc


def read_count(r: LedgerReader, count_id: str) -> Count:
    return count_of(header_doc(r, count_id))


def count_of(doc: Document) -> Count:
    b = doc.body
    return Count(
        id=doc.key,
        location=b["location"],
        sku=b["sku"],
        lot=b["lot"],
        blind=b["blind"],
        uncounted=Uncounted(b["uncounted"]),
        state=CountState(b["state"]),
        opened_at=time_of(b["opened_at"]),
        opened_by=b["opened_by"],
        closed_at=None if b["closed_at"] is None else time_of(b["closed_at"]),
        closed_by=b["closed_by"],
        transaction_id=b["transaction"],
        reason=b["reason"],
        ledger_head=b.get("ledger_head"),
    )


def read_lines(r: LedgerReader, header: Count) -> list[CountLine]:
    lines = [line_of(d.body) for d in r.documents(COUNT_LINE_KIND, prefix=f"{header.id}|")]
    return sorted(lines, key=lambda line: position_order(line.key))


def line_of(b: Mapping[str, Any]) -> CountLine:
    return CountLine(
        location=b["location"],
        sku=b["sku"],
        lot=b["lot"],
        serial=b["serial"],
        status=b["status"],
        container=b["container"],
        quantity=Decimal(b["quantity"]),
        counted_at=time_of(b["counted_at"]),
        actor=b["actor"],
        ledger_head=b.get("ledger_head"),
    )


def ensure_open(header: Count) -> None:
    if header.state is not CountState.OPEN:
        raise CountError(
            f"count {header.id} is {header.state}"
            + (
                f" (transaction {header.transaction_id})"
                if header.transaction_id is not None
                else ""
            )
            + "; open a new count to count again",
            count=header.id,
        )


def under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def position_order(key: PositionKey) -> tuple[str, ...]:
    sku, lot, serial, location, status, container = key
    return (location, sku, lot or "", serial or "", status, container or "")


def time_text(moment: dt.datetime) -> str:
    return aware_utc(moment, "time").isoformat()


def time_of(text: str) -> dt.datetime:
    return aware_utc(dt.datetime.fromisoformat(text), "time")


def enum_of(kind: Any, value: object, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(v.value for v in kind)
        raise ValidationError(f"{what} must be one of {choices}; got {value!r}") from None
