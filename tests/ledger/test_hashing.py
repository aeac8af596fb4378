"""The canonical content behind the hash chain, written out directly for speed.

The hash of every stored transaction depends on these bytes, so the fast writer is held to
the definition it replaced: ``json.dumps`` of the content dictionary with sorted keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stockline.ledger import (
    ContainerEvent,
    Edge,
    EdgeKind,
    Movement,
    NewTransaction,
    Position,
    Reference,
    Transaction,
    TxKind,
    chain_hash,
    fingerprint,
)
from stockline.ledger._hashing import utc_text
from stockline.ledger._quantity import canonical

# Any text at all: quotes, backslashes, control characters and non-ASCII must be escaped as
# json.dumps escapes them.
_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_maybe = st.none() | _text
_quantities = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(10**9), places=6)
_times = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)
_positions = st.builds(Position, location=_text, status=_text, container=_maybe)
_movements = st.builds(
    Movement,
    item=_text,
    quantity=_quantities,
    src=_positions,
    dst=_positions,
    lot=_maybe,
    serial=_maybe,
)
_edges = st.builds(
    Edge,
    kind=st.sampled_from(EdgeKind),
    parent_item=_text,
    parent_lot=_maybe,
    parent_serial=_maybe,
    child_item=_text,
    child_lot=_maybe,
    child_serial=_maybe,
    quantity=_quantities,
)
_events = st.builds(ContainerEvent, container=_text, parent=_maybe, location=_maybe)
_common = {
    "kind": st.sampled_from(TxKind),
    "movements": st.lists(_movements, max_size=3).map(tuple),
    "key": _maybe,
    "refs": st.lists(st.builds(Reference, type=_text, number=_text), max_size=2).map(tuple),
    "counterparty": _maybe,
    "actor": _maybe,
    "reason": _maybe,
    "reverses": st.none() | st.integers(min_value=1, max_value=2**53),
    "edges": st.lists(_edges, max_size=2).map(tuple),
    "containers": st.lists(_events, max_size=2).map(tuple),
}
_transactions = st.builds(
    Transaction,
    id=st.integers(min_value=1, max_value=2**53),
    effective_at=_times,
    recorded_at=_times,
    prev_hash=st.text("0123456789abcdef", min_size=64, max_size=64),
    **_common,
)
_drafts = st.builds(NewTransaction, effective_at=st.none() | _times, **_common)


def _reference_content(tx: Transaction | NewTransaction) -> dict[str, Any]:
    """The content dictionary as the ledger first defined it."""

    def position(p: Position) -> list[Any]:
        return [p.location, p.status, p.container]

    content: dict[str, Any] = {
        "kind": str(tx.kind),
        "key": tx.key,
        "refs": [[r.type, r.number] for r in tx.refs],
        "counterparty": tx.counterparty,
        "actor": tx.actor,
        "reason": tx.reason,
        "reverses": tx.reverses,
        "movements": [
            {
                "item": m.item,
                "lot": m.lot,
                "serial": m.serial,
                "qty": str(canonical(m.quantity)),
                "src": position(m.src),
                "dst": position(m.dst),
            }
            for m in tx.movements
        ],
    }
    if tx.edges:
        content["edges"] = [
            [
                str(e.kind),
                [e.parent_item, e.parent_lot, e.parent_serial],
                [e.child_item, e.child_lot, e.child_serial],
                str(canonical(e.quantity)),
            ]
            for e in tx.edges
        ]
    if tx.containers:
        content["containers"] = [[c.container, c.parent, c.location] for c in tx.containers]
    return content


def _dumps(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class TestCanonicalContent:
    @settings(max_examples=300)
    @given(_transactions)
    def test_chain_hash_matches_the_json_definition(self, tx: Transaction) -> None:
        """The chain hash is sha256(prev_hash, newline, json.dumps of the sorted content)."""
        content = _reference_content(tx)
        content["id"] = tx.id
        content["effective_at"] = utc_text(tx.effective_at)
        content["recorded_at"] = utc_text(tx.recorded_at)
        digest = hashlib.sha256(tx.prev_hash.encode() + b"\n" + _dumps(content)).hexdigest()
        assert chain_hash(tx) == digest

    @settings(max_examples=300)
    @given(_drafts)
    def test_fingerprint_matches_the_json_definition(self, draft: NewTransaction) -> None:
        """The idempotency fingerprint is sha256 of json.dumps of the request's content."""
        content = _reference_content(draft)
        at = draft.effective_at
        content["effective_at"] = None if at is None else utc_text(at)
        assert fingerprint(draft) == hashlib.sha256(_dumps(content)).hexdigest()

    def test_known_hash_is_stable(self) -> None:
        """A fixed transaction keeps the hash it has always had (stored chains stay valid)."""
        at = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
        tx = Transaction(
            id=1,
            kind=TxKind.RECEIPT,
            movements=(
                Movement(
                    item="SKU-1",
                    quantity=Decimal("12.50"),
                    src=Position(location="suppliers/S1"),
                    dst=Position(location="DC1/DOCK"),
                    lot="L1",
                ),
            ),
            effective_at=at,
            recorded_at=at,
            refs=(Reference(type="PO", number='PO-1 "é"'),),
            counterparty="S1",
            prev_hash="0" * 64,
        )
        # Computed by the json.dumps implementation this one replaced.
        assert chain_hash(tx) == "17d50675f1dbb484cfb2385b56210ceb6c0b6c4aab2fccafd7f1941287c73de7"
