"""``POST /capture``: a partner's EPCIS 2.0 document stored as expected receipts, and the
capture job that records it (an operational document of kind ``epcis-capture``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from stockline import Inventory
from stockline.epcis import load_epcis
from stockline.errors import StaleDocumentError
from stockline.ledger import Book, Document
from stockline.server._access import Partner
from stockline.server._problems import Problem

__all__ = ["KIND", "capture", "format_time", "job", "jobs"]

#: The kind of the documents that record capture jobs.
KIND = "epcis-capture"


def capture(inventory: Inventory, book: Book, partner: Partner, body: bytes) -> dict[str, Any]:
    """Validate and import the document; record and return its capture job.

    The capture ID is derived from the caller and the document's bytes, so sending the same
    document again (a retry after a lost answer) is the same capture and changes nothing.

    Raises:
        Problem: The body is JSON but not an object.
        StocklineError: What ``inv.epcis.expect`` raises (an invalid document, a changed
            announcement under a key imported before).
    """
    capture_id = hashlib.sha256(partner.name.encode() + b"\0" + body).hexdigest()[:32]
    with book.read() as r:
        done = r.document(KIND, capture_id)
    if done is not None:
        return _job(done)
    document = load_epcis(body)
    if not isinstance(document, dict):
        raise Problem(
            400,
            "ValidationException",
            "the capture document is not an EPCIS document",
            errors=[("$", f"an EPCIS document is a JSON object, not {type(document).__name__}")],
        )
    created = book.now()
    expected = inventory.epcis.expect(document, actor=partner.name)
    events = document.get("epcisBody", {}).get("eventList", [])
    record = {
        "captureID": capture_id,
        "partner": partner.name,
        "party": partner.party,
        "createdAt": format_time(created),
        "finishedAt": format_time(book.now()),
        "eventCount": len(events) if isinstance(events, list) else 0,
        "expectedReceipts": [e.key for e in expected],
    }
    try:
        with book.write() as w:
            saved = w.put_document(
                KIND, capture_id, record, version=0, actor=partner.name, at=book.now()
            )
    except StaleDocumentError:  # the same capture, sent twice at once
        with book.read() as r:
            again = r.document(KIND, capture_id)
        assert again is not None, "a stale first version means the document exists"
        saved = again
    return _job(saved)


def format_time(when: dt.datetime) -> str:
    """An aware time as EPCIS writes it: ISO 8601 in UTC, to the millisecond."""
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def job(book: Book, partner: Partner, capture_id: str) -> dict[str, Any] | None:
    """The capture job, if it exists and ``partner`` may see it (its own, or every one for
    the inventory's own systems)."""
    with book.read() as r:
        found = r.document(KIND, capture_id)
    if found is None or not _mine(found, partner):
        return None
    return _job(found)


def jobs(book: Book, partner: Partner) -> list[dict[str, Any]]:
    """The capture jobs ``partner`` may see, by capture ID."""
    with book.read() as r:
        found = r.documents(KIND)
    return [_job(d) for d in found if _mine(d, partner)]


def _mine(document: Document, partner: Partner) -> bool:
    return partner.party is None or document.body.get("partner") == partner.name


def _job(document: Document) -> dict[str, Any]:
    body = document.body
    return {
        "captureID": body["captureID"],
        "createdAt": body["createdAt"],
        "finishedAt": body["finishedAt"],
        "running": False,
        "success": True,
        "captureErrorBehaviour": "rollback",
        "errors": [],
        "stockline:eventCount": body["eventCount"],
        "stockline:expectedReceipts": list(body["expectedReceipts"]),
    }
