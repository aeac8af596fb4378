"""How an EPCIS export names things: identifier syntax, company prefixes, dispositions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal

import attrs

from stockline.epcis._hash import mod10
from stockline.epcis._vocab import DISPOSITIONS
from stockline.errors import ValidationError

__all__ = ["EpcisOptions", "is_gln"]

_OFFSET = re.compile(r"^[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)$")
_URI_BASE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*[/:]$")


def is_gln(text: str) -> bool:
    """Whether ``text`` is 13 digits ending in a valid GS1 check digit."""
    return (
        isinstance(text, str)
        and len(text) == 13
        and text.isdigit()
        and text.isascii()
        and mod10(text[:12]) == text[12]
    )


def _prefixes(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValidationError(
            f"company_prefixes takes a list of GS1 Company Prefixes, got the string {value!r}; "
            f"write [{value!r}]"
        )
    prefixes = tuple(value)
    for prefix in prefixes:
        if not (isinstance(prefix, str) and prefix.isdigit() and 6 <= len(prefix) <= 12):
            raise ValidationError(
                f"a GS1 Company Prefix has 6 to 12 digits, got {prefix!r} in company_prefixes"
            )
    return tuple(sorted(set(prefixes), key=lambda p: (-len(p), p)))


def _dispositions(value: Mapping[str, str]) -> MappingProxyType[str, str]:
    for status, disposition in value.items():
        if disposition not in DISPOSITIONS:
            raise ValidationError(
                f"status {status!r} is mapped to {disposition!r}, which is not a CBV 2.0 "
                f"disposition; use one of {', '.join(sorted(DISPOSITIONS))}"
            )
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class EpcisOptions:
    """How :meth:`Epcis.export() <stockline.epcis.Epcis.export>` writes identifiers and
    vocabulary.

    Attributes:
        identifiers: ``"digital_link"`` (the default) writes GS1 Digital Link URIs
            (``https://id.gs1.org/01/09506000134352/10/L1``), which need no company prefix;
            ``"epc"`` writes EPC URIs (``urn:epc:class:lgtin:9506000.013435.L1``), which
            need the GS1 Company Prefix of every GTIN, SSCC and GLN.
        digital_link_base: The resolver Digital Link URIs are written on (a brand may use
            its own domain); no trailing slash.
        company_prefixes: The GS1 Company Prefixes of the keys in the ledger (yours and your
            suppliers'); the longest one a key starts with tells where its prefix ends.
        company_prefix_length: The prefix length to use for keys no ``company_prefixes``
            entry matches; with neither, an EPC export of such a key raises.
        private_base: A URI base for things with no GS1 key (items without a GTIN, locations
            without a GLN, parties without a GLN, non-SSCC containers, documents). It ends in
            ``:`` (a URN, parts joined with ``:``) or ``/`` (an HTTP base, parts joined with
            ``/``): ``urn:stockline:item:BOLT-8`` or ``https://id.example.com/item/BOLT-8``.
        owner_gln: Your own party GLN; when given, receipts name you as the destination
            owning and possessing party and shipments as the source.
        time_zone_offset: The ``eventTimeZoneOffset`` written on every event (``+HH:MM``);
            event times are written in that offset.
        dispositions: Stock status → CBV disposition, overriding the defaults
            (``available`` → ``sellable_accessible``, ``quarantine``/``hold`` →
            ``non_sellable_other``, ``damaged``, ``expired``; other allocatable statuses →
            ``sellable_accessible``, the rest ``non_sellable_other``).
        batch_size: Transactions read from the store at a time while streaming.
    """

    identifiers: Literal["digital_link", "epc"] = "digital_link"
    digital_link_base: str = "https://id.gs1.org"
    company_prefixes: tuple[str, ...] = attrs.field(default=(), converter=_prefixes)
    company_prefix_length: int | None = None
    private_base: str = "urn:stockline:"
    owner_gln: str | None = None
    time_zone_offset: str = "+00:00"
    dispositions: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_dispositions
    )
    batch_size: int = 1000

    def __attrs_post_init__(self) -> None:
        if self.identifiers not in ("digital_link", "epc"):
            raise ValidationError(
                f"identifiers must be 'digital_link' or 'epc', got {self.identifiers!r}"
            )
        base = self.digital_link_base
        if not re.match(r"^https?://[^/?#\s]+(/[^?#\s]*)?$", base) or base.endswith("/"):
            raise ValidationError(
                f"digital_link_base must be an http(s) URI without a trailing '/', got {base!r}"
            )
        length = self.company_prefix_length
        if length is not None and not (isinstance(length, int) and 6 <= length <= 12):
            raise ValidationError(f"company_prefix_length must be 6 to 12, got {length!r}")
        if not _URI_BASE.match(self.private_base):
            raise ValidationError(
                "private_base must be an absolute URI ending in ':' or '/' (such as "
                f"'urn:stockline:' or 'https://id.example.com/'), got {self.private_base!r}"
            )
        if not _OFFSET.match(self.time_zone_offset):
            raise ValidationError(
                "time_zone_offset must read +HH:MM or -HH:MM between -14:00 and +14:00, got "
                f"{self.time_zone_offset!r}"
            )
        gln = self.owner_gln
        if gln is not None and not is_gln(gln):
            raise ValidationError(
                f"owner_gln must be a 13-digit GLN with a valid check digit, got {gln!r}"
            )
        if not (isinstance(self.batch_size, int) and self.batch_size >= 1):
            raise ValidationError(f"batch_size must be a positive int, got {self.batch_size!r}")
