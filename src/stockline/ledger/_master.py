"""Master data records: items, locations, parties, lots, statuses, containers."""

from __future__ import annotations

import datetime as dt
import enum
import re

import attrs

from stockline.errors import ExpiredProductError, ValidationError

__all__ = [
    "BUILTIN_STATUSES",
    "Container",
    "Item",
    "Location",
    "LocationKind",
    "Lot",
    "MasterChange",
    "Party",
    "PartyKind",
    "Status",
    "Tracking",
    "check_path",
    "item_gtins",
    "parent_paths",
    "refuse_expired",
]


class Tracking(enum.StrEnum):
    """How finely an item is traced."""

    NONE = "none"
    """Quantities only; no lot or serial may be given."""
    LOT = "lot"
    """Every movement names a lot (batch)."""
    SERIAL = "serial"
    """Every unit has a serial; movements carry one serial in quantity 1."""


class LocationKind(enum.StrEnum):
    """What a location is. Only ``internal`` locations hold real stock and may not go negative."""

    INTERNAL = "internal"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    PRODUCTION = "production"
    SCRAP = "scrap"
    ADJUSTMENT = "adjustment"
    TRANSIT = "transit"

    @property
    def is_counterparty(self) -> bool:
        """Whether the kind is a counterparty (the other side of the double entry)."""
        return self is not LocationKind.INTERNAL


class PartyKind(enum.StrEnum):
    """The role of a party."""

    SUPPLIER = "supplier"
    CUSTOMER = "customer"


_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-+#: ]*$")


def check_path(path: str) -> str:
    """Return a location path if well formed, else raise :class:`ValidationError`.

    A path is segments joined by ``/`` (``DC1/A/01-03``); a segment starts with a letter or digit
    and holds letters, digits, spaces and ``. _ - + # :``.
    """
    if not isinstance(path, str) or not path:
        raise ValidationError(what="a location path", value=path, expected="a non-empty string")
    segments = path.split("/")
    for segment in segments:
        if not _PATH_SEGMENT.match(segment) or segment != segment.strip():
            raise ValidationError(
                f"location path {path!r} has a bad segment {segment!r}: segments are joined by "
                "'/', start with a letter or digit and hold letters, digits, spaces and ._-+#:"
            )
    return path


def parent_paths(path: str) -> list[str]:
    """Return the ancestors of ``path``, outermost first: ``DC1/A/01`` → ``[DC1, DC1/A]``."""
    segments = path.split("/")
    return ["/".join(segments[:i]) for i in range(1, len(segments))]


@attrs.frozen(kw_only=True)
class Item:
    """A stocked product.

    Attributes:
        sku: The caller's own code for the item; the key everywhere in stockline.
        gtin: The GS1 trade item number as GTIN-14 (check digit verified), if it has one.
        description: A human-readable name.
        unit: The base unit as a UN/ECE Rec 20 code (``EA``, ``KGM``, ...); all quantities of the
            item are in this unit.
        decimals: How many decimal places a quantity of the item may have.
        tracking: Whether the item is traced by lot, by serial, or not at all.
        shelf_life_days: Days from production to expiry, used to default a lot's expiry.
        packs: Packaging levels as ``(gtin-or-name, units per pack)``, e.g. a case of 12.
    """

    sku: str
    gtin: str | None = None
    description: str = ""
    unit: str = "EA"
    decimals: int = 0
    tracking: Tracking = Tracking.NONE
    shelf_life_days: int | None = None
    packs: tuple[tuple[str, int], ...] = ()


def item_gtins(item: Item) -> tuple[str, ...]:
    """The GTINs an item answers to: its own and its packs' (pack names that are not GTINs,
    such as ``"CASE"``, are names only)."""
    return tuple(c for c in (item.gtin, *(p[0] for p in item.packs)) if c and c.isdigit())


@attrs.frozen(kw_only=True)
class Location:
    """A place stock can be in, or a counterparty it comes from or goes to.

    Attributes:
        path: The location's address in the tree (``DC1/A/01-03``).
        kind: Internal stock or one of the counterparty kinds.
        description: A human-readable name (used in reports such as FSMA 204).
        gln: The GS1 Global Location Number, if the site has one.
        pick_sequence: Where the location comes in a picker's walk (lower first).
        address: The postal address (street, city, state, postcode, country), as one text;
            with ``description`` and ``phone`` it is the FSMA 204 "location description".
        phone: A telephone number for the location.
        ffrn: The FDA Food Facility Registration Number, if the site has one (an FSMA 204
            traceability lot code source reference).
    """

    path: str
    kind: LocationKind = LocationKind.INTERNAL
    description: str = ""
    gln: str | None = None
    pick_sequence: int = 0
    address: str = ""
    phone: str = ""
    ffrn: str | None = None

    @property
    def parent(self) -> str | None:
        """The parent path, or ``None`` for a root."""
        head, sep, _ = self.path.rpartition("/")
        return head if sep else None


@attrs.frozen(kw_only=True)
class Party:
    """A supplier or customer.

    Attributes:
        code: The caller's code for the party.
        kind: Supplier or customer.
        name: The party's name.
        gln: The party's GS1 Global Location Number, if known.
        location: The counterparty location path its stock moves from or to.
        address: The party's postal address, as one text.
        phone: A telephone number for the party.
    """

    code: str
    kind: PartyKind
    name: str = ""
    gln: str | None = None
    location: str = ""
    address: str = ""
    phone: str = ""


@attrs.frozen(kw_only=True)
class Lot:
    """A batch of one item.

    Attributes:
        item: The item's SKU.
        code: The lot code as printed (GS1 AI 10).
        expiry: The expiry date, if the lot has one.
        produced_on: The production date, if known.
        tlc_source_reference: For a lot whose code was assigned elsewhere, where it was assigned
            as its shipper reported it (a GLN, an FDA Food Facility Registration Number or a
            URL): the FSMA 204 traceability lot code source reference.
    """

    item: str
    code: str
    expiry: dt.date | None = None
    produced_on: dt.date | None = None
    tlc_source_reference: str | None = None


@attrs.frozen(kw_only=True)
class Status:
    """A stock status: part of every position.

    Attributes:
        name: The status name (``available``, ``hold``, ...).
        allocatable: Whether stock in this status may be allocated and shipped.
        description: What the status means here.
    """

    name: str
    allocatable: bool = False
    description: str = ""


BUILTIN_STATUSES: tuple[Status, ...] = (
    Status(name="available", allocatable=True, description="free to use"),
    Status(name="quarantine", description="received, not yet released by quality"),
    Status(name="hold", description="blocked, e.g. by a recall or an investigation"),
    Status(name="damaged", description="physically damaged"),
    Status(name="expired", description="past its expiry date"),
)


@attrs.frozen(kw_only=True)
class Container:
    """A handling unit (pallet, case) that stock can be packed into.

    Attributes:
        code: The container's identifier; an SSCC (18 digits) for GS1 logistic units.
        kind: What it is (``pallet``, ``case``, ...).
    """

    code: str
    kind: str = "pallet"


@attrs.frozen(kw_only=True)
class MasterChange:
    """One recorded change of master data: who changed what, when.

    Attributes:
        seq: Order of the change in the store.
        entity: What kind of record changed (``item``, ``location``, ...).
        key: The record's key (SKU, path, ``sku/lot``, ...).
        actor: Who made the change, if the caller said.
        at: When the change was made.
        fields: The record's fields after the change, as text.
    """

    seq: int
    entity: str
    key: str
    actor: str | None
    at: dt.datetime
    fields: tuple[tuple[str, str], ...]


def refuse_expired(
    *,
    item: str,
    lot: str | None,
    expiry: dt.date | None,
    on: dt.date,
    allow_expired: bool,
    ai: str | None = None,
    announced: bool = False,
) -> None:
    """Refuse a receipt of product that expired before ``on`` (the day it is received, or the
    day a scan is judged on), unless ``allow_expired`` (given with a reason, which the
    boundary checks): the one rule every receipt (by hand, by scan, against an expected
    receipt) applies.

    Raises:
        ExpiredProductError: ``expiry`` is before ``on`` and expired product is not allowed.
    """
    if expiry is not None and expiry < on and not allow_expired:
        raise ExpiredProductError(
            ai=ai, item=item, lot=lot, expiry=expiry, today=on, announced=announced
        )
