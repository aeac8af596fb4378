"""Canonical content and the hash chain.

Every transaction stores ``sha256(prev_hash || canonical content)``. The canonical form is JSON
with sorted keys, decimals as plain strings and times in UTC to the microsecond, so the same
transaction hashes the same on every store and every platform.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from stockline.ledger._quantity import canonical
from stockline.ledger._records import (
    Edge,
    Movement,
    NewTransaction,
    Position,
    Transaction,
)

__all__ = ["GENESIS_HASH", "chain_hash", "fingerprint", "utc_text"]

#: The ``prev_hash`` of the first transaction.
GENESIS_HASH = "0" * 64


def utc_text(value: dt.datetime) -> str:
    """Return an aware time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC."""
    if value.utcoffset() != _ZERO:
        value = value.astimezone(dt.UTC)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:"
        f"{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}Z"
    )


_ZERO = dt.timedelta(0)


def _position(p: Position) -> list[Any]:
    return [p.location, p.status, p.container]


def _movement(m: Movement) -> dict[str, Any]:
    return {
        "item": m.item,
        "lot": m.lot,
        "serial": m.serial,
        "qty": str(canonical(m.quantity)),
        "src": _position(m.src),
        "dst": _position(m.dst),
    }


def _edge(e: Edge) -> list[Any]:
    return [
        str(e.kind),
        [e.parent_item, e.parent_lot, e.parent_serial],
        [e.child_item, e.child_lot, e.child_serial],
        str(canonical(e.quantity)),
    ]


def _common(tx: Transaction | NewTransaction) -> dict[str, Any]:
    content: dict[str, Any] = {
        "kind": str(tx.kind),
        "key": tx.key,
        "refs": [[r.type, r.number] for r in tx.refs],
        "counterparty": tx.counterparty,
        "actor": tx.actor,
        "reason": tx.reason,
        "reverses": tx.reverses,
        "movements": [_movement(m) for m in tx.movements],
    }
    # Only present when used, so transactions without them hash as they always did.
    if tx.edges:
        content["edges"] = [_edge(e) for e in tx.edges]
    if tx.containers:
        content["containers"] = [[c.container, c.parent, c.location] for c in tx.containers]
    return content


def _dumps(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(tx: Transaction) -> str:
    """Return the hash of ``tx``'s content chained to ``tx.prev_hash`` (hex SHA-256)."""
    content = _common(tx)
    content["id"] = tx.id
    content["effective_at"] = utc_text(tx.effective_at)
    content["recorded_at"] = utc_text(tx.recorded_at)
    digest = hashlib.sha256(tx.prev_hash.encode())
    digest.update(b"\n")
    digest.update(_dumps(content))
    return digest.hexdigest()


def fingerprint(draft: NewTransaction) -> str:
    """Return a digest of what the caller asked to post, for idempotency checks.

    The effective time counts only when the caller gave one: a retry that left it to the clock
    is still the same request.
    """
    content = _common(draft)
    content["effective_at"] = None if draft.effective_at is None else utc_text(draft.effective_at)
    return hashlib.sha256(_dumps(content)).hexdigest()


def quantity_text(value: Decimal) -> str:
    """Return a quantity as canonical text (``120``, ``0.5``)."""
    return str(canonical(value))
