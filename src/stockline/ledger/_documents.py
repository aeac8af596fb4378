"""Operational documents: keyed, versioned JSON state that is not ledger.

An open cycle count, the receipts a supplier announced, the min/max rules of a pick face: state
that changes while work is under way and must survive a restart, but is not stock. Stores keep
it beside the ledger, so a document can be changed in the same write block as a posting (a count
closes and its adjustment posts, or neither).

Each change names the version it was based on: a writer that read version 3 may only write
version 4. Two clerks closing the same count at once cannot both succeed. A deleted document
leaves its version behind, so one re-created under the same key starts after it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import attrs

from stockline.errors import StaleDocumentError, ValidationError

__all__ = ["Document", "decode_body", "encode_body", "next_version"]

#: A JSON value as documents hold it.
JsonValue = str | int | bool | None | list[Any] | dict[str, Any]


@attrs.frozen(kw_only=True)
class Document:
    """One piece of operational state.

    Attributes:
        kind: What it is (``count``, ``expected-receipt``, ...): a namespace for keys.
        key: Its key within the kind.
        version: 1 when created, one more on every change.
        body: Its content, as JSON-compatible data (strings, integers, booleans, ``None``,
            lists and string-keyed dicts; decimals and dates are written as strings).
        updated_at: When it was last changed.
        actor: Who last changed it.
    """

    kind: str
    key: str
    version: int
    body: Mapping[str, Any]
    updated_at: dt.datetime
    actor: str | None = None


def encode_body(body: Mapping[str, Any]) -> str:
    """Return ``body`` as canonical JSON text, refusing what JSON would not give back as it was.

    Raises:
        ValidationError: The body holds a float, a Decimal, a date or any other value JSON does
            not keep exactly; convert it to a string first.
    """
    if not isinstance(body, Mapping):
        raise ValidationError(f"a document body must be a mapping, not {type(body).__name__}")
    _check(body, "body")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode_body(text: str) -> dict[str, Any]:
    """Return the body stored as ``text``."""
    value = json.loads(text)
    if not isinstance(value, dict):  # pragma: no cover - only encode_body writes bodies
        raise ValidationError("a stored document body is not a JSON object")
    return value


def next_version(kind: str, key: str, stored: int, expected: int, *, exists: bool) -> int:
    """Return the version a change based on ``expected`` writes.

    ``stored`` is the key's last version, kept after a delete (0 if the key was never
    written), and ``exists`` whether the document is there now. A deleted key's versions go
    on counting, so a writer that read the old document can never overwrite a new one made
    under the same key.

    Raises:
        StaleDocumentError: ``expected`` is not the version of the document there (0 when
            there is none).
    """
    current = stored if exists else 0
    if current != expected:
        raise StaleDocumentError(
            kind=kind,
            key=key,
            expected=expected,
            found=current,
        )
    return stored + 1


def _check(value: object, path: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check(v, f"{path}[{i}]")
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValidationError(f"document {path} has a non-string key {k!r}")
            _check(v, f"{path}.{k}")
        return
    raise ValidationError(
        f"document {path} is a {type(value).__name__}, which JSON does not keep exactly; "
        "store it as a string"
    )
