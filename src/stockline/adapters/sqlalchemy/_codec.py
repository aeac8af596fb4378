"""Translation between rows and records: times, quantities and master data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _ascii
from typing import Any

import attrs

from stockline.adapters.sqlalchemy._schema import QUANTITY_SCALE
from stockline.ledger import (
    Container,
    Item,
    Location,
    LocationKind,
    Lot,
    MasterChange,
    Party,
    PartyKind,
    Reference,
    Status,
    Tracking,
    canonical,
    to_micros,
)

#: A row as SQLAlchemy returns it (``RowMapping``) or a plain dict.
RowLike = Mapping[Any, Any]

__all__ = [
    "digest_text",
    "from_micros",
    "from_qty",
    "item_from_row",
    "item_row",
    "location_from_row",
    "location_row",
    "to_micros",
    "to_qty",
]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_timedelta = dt.timedelta


def from_micros(value: int) -> dt.datetime:
    """Return microseconds since the epoch as an aware UTC time.

    A plain ``datetime`` (pendulum's constructor costs twenty times more, on every row read);
    it compares equal to the pendulum times the in-memory store keeps.
    """
    return _EPOCH + _timedelta(0, 0, value)  # positional: a third cheaper than microseconds=


def digest_text(value: bytes | str) -> str:
    """A stored SHA-256 digest as the 64 hex characters the records carry.

    Text is returned as it is: only a hand-edited row holds text there, and ``verify()`` then
    reports that transaction as altered rather than failing to read it.
    """
    return value if isinstance(value, str) else bytes(value).hex()


def to_qty(value: Decimal) -> int:
    """Return a quantity as an integer of 10**-6 base units."""
    return int(value.scaleb(6))


def from_qty(value: int) -> Decimal:
    """Return a stored quantity as a canonical ``Decimal``."""
    return (
        canonical(Decimal(value).scaleb(-6))
        if value % QUANTITY_SCALE
        else Decimal(value // QUANTITY_SCALE)
    )


def item_row(item: Item) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "gtin": item.gtin,
        "description": item.description,
        "unit": item.unit,
        "decimals": item.decimals,
        "tracking": item.tracking.value,
        "shelf_life_days": item.shelf_life_days,
        "packs": json.dumps([list(p) for p in item.packs]),
    }


def item_from_row(row: RowLike) -> Item:
    return Item(
        sku=row["sku"],
        gtin=row["gtin"],
        description=row["description"],
        unit=row["unit"],
        decimals=row["decimals"],
        tracking=Tracking(row["tracking"]),
        shelf_life_days=row["shelf_life_days"],
        packs=tuple((str(code), int(units)) for code, units in json.loads(row["packs"])),
    )


def location_row(location: Location) -> dict[str, Any]:
    return {
        "path": location.path,
        "kind": location.kind.value,
        "description": location.description,
        "gln": location.gln,
        "pick_sequence": location.pick_sequence,
        "address": location.address,
        "phone": location.phone,
        "ffrn": location.ffrn,
    }


def location_from_row(row: RowLike) -> Location:
    return Location(
        path=row["path"],
        kind=LocationKind(row["kind"]),
        description=row["description"],
        gln=row["gln"],
        pick_sequence=row["pick_sequence"],
        address=row["address"],
        phone=row["phone"],
        ffrn=row["ffrn"],
    )


def party_row(party: Party) -> dict[str, Any]:
    return {
        "code": party.code,
        "kind": party.kind.value,
        "name": party.name,
        "gln": party.gln,
        "location": party.location,
        "address": party.address,
        "phone": party.phone,
    }


def party_from_row(row: RowLike) -> Party:
    return Party(
        code=row["code"],
        kind=PartyKind(row["kind"]),
        name=row["name"],
        gln=row["gln"],
        location=row["location"],
        address=row["address"],
        phone=row["phone"],
    )


def lot_from_row(sku: str, row: RowLike) -> Lot:
    return Lot(
        item=sku,
        code=row["code"],
        expiry=row["expiry"],
        produced_on=row["produced_on"],
        tlc_source_reference=row["tlc_source_reference"],
    )


def status_row(status: Status) -> dict[str, Any]:
    return {
        "name": status.name,
        "allocatable": status.allocatable,
        "description": status.description,
    }


def status_from_row(row: RowLike) -> Status:
    return Status(
        name=row["name"], allocatable=bool(row["allocatable"]), description=row["description"]
    )


def container_from_row(row: RowLike) -> Container:
    return Container(code=row["code"], kind=row["kind"])


def change_fields(record: object) -> str:
    """Return a master record's fields as JSON text for the change log."""
    values = attrs.asdict(record, recurse=False)  # type: ignore[arg-type]
    return json.dumps({k: str(v) for k, v in values.items()}, sort_keys=True)


def change_from_row(row: RowLike) -> MasterChange:
    return MasterChange(
        seq=row["seq"],
        entity=row["entity"],
        key=row["key"],
        actor=row["actor"],
        at=from_micros(row["at"]),
        fields=tuple(sorted(json.loads(row["fields"]).items())),
    )


def refs_text(refs: tuple[Reference, ...]) -> str | None:
    """References as JSON text: what ``json.dumps`` writes, without its cost on every posting."""
    if not refs:
        return None
    return "[" + ", ".join(f"[{_ascii(r.type)}, {_ascii(r.number)}]" for r in refs) + "]"


def refs_from_text(text: str | None) -> tuple[Reference, ...]:
    """The references :func:`refs_text` wrote."""
    if not text:
        return ()
    one = one_reference(text)
    if one is not None:
        return (Reference(type=one[0], number=one[1]),)
    return tuple(Reference(type=t, number=n) for t, n in json.loads(text))


def one_reference(text: str) -> tuple[str, str] | None:
    """The type and number of the usual one reference, ``[["PO", "PO-1"]]``, as
    :func:`refs_text` writes it, without JSON; ``None`` for any other text. With no backslash
    no string holds a quote, so splitting at the quotes is the whole parse."""
    parts = text.split('"')
    simple = len(parts) == 5 and parts[0] == "[[" and parts[2] == ", " and parts[4] == "]]"
    return (parts[1], parts[3]) if simple and "\\" not in text else None
