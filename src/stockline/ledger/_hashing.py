"""Canonical content and the hash chain.

Every transaction stores ``sha256(prev_hash || canonical content)``. The canonical form is JSON
with sorted keys, decimals as plain strings and times in UTC to the microsecond, so the same
transaction hashes the same on every store and every platform.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring as _string
from typing import Any

import pendulum

from stockline.ledger._quantity import canonical, quantity_text
from stockline.ledger._records import (
    ContainerEvent,
    Edge,
    Movement,
    NewTransaction,
    Transaction,
)

__all__ = [
    "GENESIS_HASH",
    "chain_hash",
    "edge_text",
    "event_text",
    "fingerprint",
    "link_hash",
    "movement_text",
    "position_text",
    "utc_text",
]

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


def position_text(location: str, status: str, container: str | None) -> str:
    """A position's canonical text (``["DC1/A/01","available",null]``)."""
    key = (location, status, container)
    text = _POSITIONS.get(key)
    if text is None:
        tail = "null" if container is None else _text(container)
        text = f"[{_text(location)},{_text(status)},{tail}]"
        if len(_POSITIONS) >= _POSITIONS_MAX:
            _POSITIONS.clear()
        _POSITIONS[key] = text
    return text


def movement_text(
    item: str, lot: str | None, serial: str | None, quantity: str, src: str, dst: str
) -> str:
    """A movement's canonical text, from its names, its quantity as canonical text and its
    positions as :func:`position_text` gives them."""
    return (
        f'{{"dst":{dst},"item":{_text(item)},'
        f'"lot":{"null" if lot is None else _text(lot)},"qty":"{quantity}",'
        f'"serial":{"null" if serial is None else _text(serial)},"src":{src}}}'
    )


def edge_text(e: Edge) -> str:
    """A genealogy link's canonical text."""
    return (
        f"[{_text(str(e.kind))},[{_text(e.parent_item)},{_text(e.parent_lot)},"
        f"{_text(e.parent_serial)}],[{_text(e.child_item)},{_text(e.child_lot)},"
        f'{_text(e.child_serial)}],"{canonical(e.quantity)}"]'
    )


def event_text(c: ContainerEvent) -> str:
    """A container event's canonical text."""
    return f"[{_text(c.container)},{_text(c.parent)},{_text(c.location)}]"


def _movement(m: Movement) -> str:
    src, dst = m.src, m.dst
    return movement_text(
        m.item,
        m.lot,
        m.serial,
        quantity_text(m.quantity),
        position_text(src.location, src.status, src.container),
        position_text(dst.location, dst.status, dst.container),
    )


def _content(
    *,
    actor: str | None,
    containers: Sequence[str],
    counterparty: str | None,
    edges: Sequence[str],
    middle: str,
    key: str | None,
    kind: str,
    movements: Sequence[str],
    reason: str | None,
    recorded: str,
    refs: Iterable[tuple[str, str]],
    reverses: int | None,
) -> bytes:
    """The canonical content: JSON with sorted keys and no spaces, written out directly.

    Byte for byte what ``json.dumps(content, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` gives for the content dictionary (a test holds the two together),
    at a fraction of the cost: posting hashes every transaction. ``middle`` is what sorts
    between ``edges`` and ``key`` (``effective_at`` and, once posted, ``id``), ``recorded``
    what sorts between ``reason`` and ``refs`` (``recorded_at``, once posted). Edges and
    containers are only present when used, so transactions without them hash as they always
    did. Movements, edges and container events come as their canonical texts.
    """
    parts = [f'{{"actor":{_text(actor)}']
    if containers:
        parts.append(f',"containers":[{",".join(containers)}]')
    parts.append(f',"counterparty":{_text(counterparty)}')
    if edges:
        parts.append(f',"edges":[{",".join(edges)}]')
    documents = ",".join(f"[{_text(type_)},{_text(number)}]" for type_, number in refs)
    parts.append(
        f'{middle},"key":{_text(key)},"kind":{_text(kind)},'
        f'"movements":[{",".join(movements)}],'
        f'"reason":{_text(reason)}{recorded},"refs":[{documents}],"reverses":{_text(reverses)}}}'
    )
    return "".join(parts).encode()


def link_hash(
    *,
    tx_id: int,
    prev_hash: str,
    kind: str,
    effective_at: str,
    recorded_at: str,
    key: str | None,
    refs: Iterable[tuple[str, str]],
    counterparty: str | None,
    actor: str | None,
    reason: str | None,
    reverses: int | None,
    movements: Sequence[str],
    edges: Sequence[str] = (),
    containers: Sequence[str] = (),
) -> str:
    """The chain hash of a transaction given as canonical texts: times as :func:`utc_text`
    gives them, movements as :func:`movement_text`, links as :func:`edge_text`, container
    events as :func:`event_text`. What :func:`chain_hash` computes from a record, for a store
    that can check its chain without building the records."""
    content = _content(
        actor=actor,
        containers=containers,
        counterparty=counterparty,
        edges=edges,
        middle=f',"effective_at":"{effective_at}","id":{tx_id}',
        key=key,
        kind=kind,
        movements=movements,
        reason=reason,
        recorded=f',"recorded_at":"{recorded_at}"',
        refs=refs,
        reverses=reverses,
    )
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def chain_hash(tx: Transaction) -> str:
    """Return the hash of ``tx``'s content chained to ``tx.prev_hash`` (hex SHA-256)."""
    return link_hash(
        tx_id=tx.id,
        prev_hash=tx.prev_hash,
        kind=str(tx.kind),
        effective_at=utc_text(tx.effective_at),
        recorded_at=utc_text(tx.recorded_at),
        key=tx.key,
        refs=[(r.type, r.number) for r in tx.refs],
        counterparty=tx.counterparty,
        actor=tx.actor,
        reason=tx.reason,
        reverses=tx.reverses,
        movements=[_movement(m) for m in tx.movements],
        edges=[edge_text(e) for e in tx.edges],
        containers=[event_text(c) for c in tx.containers],
    )


def fingerprint(draft: NewTransaction) -> str:
    """Return a digest of what the caller asked to post, for idempotency checks.

    The effective time counts only when the caller gave one: a retry that left it to the clock
    is still the same request.
    """
    at = "null" if draft.effective_at is None else f'"{utc_text(draft.effective_at)}"'
    content = _content(
        actor=draft.actor,
        containers=[event_text(c) for c in draft.containers],
        counterparty=draft.counterparty,
        edges=[edge_text(e) for e in draft.edges],
        middle=f',"effective_at":{at}',
        key=draft.key,
        kind=str(draft.kind),
        movements=[_movement(m) for m in draft.movements],
        reason=draft.reason,
        recorded="",
        refs=[(r.type, r.number) for r in draft.refs],
        reverses=draft.reverses,
    )
    return hashlib.sha256(content).hexdigest()
