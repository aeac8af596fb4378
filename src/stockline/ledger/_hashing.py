"""Canonical content and the hash chain.

Every transaction stores ``sha256(prev_hash || canonical content)``. The canonical form is JSON
with sorted keys, decimals as plain strings and times in UTC to the microsecond, so the same
transaction hashes the same on every store and every platform.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from json.encoder import encode_basestring as _string
from typing import Any

import pendulum

from stockline.ledger._quantity import canonical, quantity_text
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
    global _last_text
    last = _last_text
    if value is last[0]:
        # A batch posts every transaction at the same "now": its text is made once.
        return last[1]
    if value.tzinfo is not _UTC and value.tzinfo is not dt.UTC and value.utcoffset() != _ZERO:
        value = value.astimezone(dt.UTC)
    text = "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031 (the fastest way here)
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )
    _last_text = (value, text)  # one tuple, so a reader in another thread sees a true pair
    return text


_ZERO = dt.timedelta(0)
_UTC = pendulum.UTC
_last_text: tuple[Any, str] = (None, "")


def _text(value: object) -> str:
    """One scalar as canonical JSON: what ``json.dumps(..., ensure_ascii=False)`` writes."""
    if value is None:
        return "null"
    if type(value) is str:
        return _string(value)
    if type(value) is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


#: The canonical text of positions seen: a warehouse posts to a few thousand positions over
#: and over. Bounded: cleared when full.
_POSITIONS: dict[tuple[str, str, str | None], str] = {}
_POSITIONS_MAX = 65_536


def _position(p: Position) -> str:
    key = (p.location, p.status, p.container)
    text = _POSITIONS.get(key)
    if text is None:
        container = p.container
        tail = "null" if container is None else _text(container)
        text = f"[{_text(p.location)},{_text(p.status)},{tail}]"
        if len(_POSITIONS) >= _POSITIONS_MAX:
            _POSITIONS.clear()
        _POSITIONS[key] = text
    return text


def _movement(m: Movement) -> str:
    lot, serial = m.lot, m.serial
    quantity = quantity_text(m.quantity)
    return (
        f'{{"dst":{_position(m.dst)},"item":{_text(m.item)},'
        f'"lot":{"null" if lot is None else _text(lot)},"qty":"{quantity}",'
        f'"serial":{"null" if serial is None else _text(serial)},"src":{_position(m.src)}}}'
    )


def _edge(e: Edge) -> str:
    return (
        f"[{_text(str(e.kind))},[{_text(e.parent_item)},{_text(e.parent_lot)},"
        f"{_text(e.parent_serial)}],[{_text(e.child_item)},{_text(e.child_lot)},"
        f'{_text(e.child_serial)}],"{canonical(e.quantity)}"]'
    )


def _content(tx: Transaction | NewTransaction, middle: str, recorded: str) -> bytes:
    """The canonical content: JSON with sorted keys and no spaces, written out directly.

    Byte for byte what ``json.dumps(content, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` gives for the content dictionary (a test holds the two together),
    at a fraction of the cost: posting hashes every transaction. ``middle`` is what sorts
    between ``edges`` and ``key`` (``effective_at`` and, once posted, ``id``), ``recorded``
    what sorts between ``reason`` and ``refs`` (``recorded_at``, once posted). Edges and
    containers are only present when used, so transactions without them hash as they always
    did.
    """
    parts = [f'{{"actor":{_text(tx.actor)}']
    if tx.containers:
        events = ",".join(
            f"[{_text(c.container)},{_text(c.parent)},{_text(c.location)}]" for c in tx.containers
        )
        parts.append(f',"containers":[{events}]')
    parts.append(f',"counterparty":{_text(tx.counterparty)}')
    if tx.edges:
        parts.append(f',"edges":[{",".join(_edge(e) for e in tx.edges)}]')
    refs = ",".join(f"[{_text(r.type)},{_text(r.number)}]" for r in tx.refs)
    parts.append(
        f'{middle},"key":{_text(tx.key)},"kind":{_text(str(tx.kind))},'
        f'"movements":[{",".join(_movement(m) for m in tx.movements)}],'
        f'"reason":{_text(tx.reason)}{recorded},"refs":[{refs}],"reverses":{_text(tx.reverses)}}}'
    )
    return "".join(parts).encode()


def chain_hash(tx: Transaction) -> str:
    """Return the hash of ``tx``'s content chained to ``tx.prev_hash`` (hex SHA-256)."""
    content = _content(
        tx,
        f',"effective_at":"{utc_text(tx.effective_at)}","id":{_text(tx.id)}',
        f',"recorded_at":"{utc_text(tx.recorded_at)}"',
    )
    return hashlib.sha256(tx.prev_hash.encode() + b"\n" + content).hexdigest()


def fingerprint(draft: NewTransaction) -> str:
    """Return a digest of what the caller asked to post, for idempotency checks.

    The effective time counts only when the caller gave one: a retry that left it to the clock
    is still the same request.
    """
    at = "null" if draft.effective_at is None else f'"{utc_text(draft.effective_at)}"'
    return hashlib.sha256(_content(draft, f',"effective_at":{at}', "")).hexdigest()
