"""Who may call the EPCIS REST app, what each caller sees, and the limits on one request."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from stockline.errors import ValidationError
from stockline.ledger import boundary

__all__ = ["Authenticate", "Limits", "Partner"]


def _party(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    boundary.optional_code(value, attribute.name)


def _name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    boundary.code(value, attribute.name)


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    boundary.flag(value, attribute.name)


@attrs.frozen(kw_only=True)
class Partner:
    """The caller a bearer token stands for.

    Attributes:
        name: Who it is; recorded as the actor of what it captures.
        party: The supplier or customer code (``add_party``) whose events it may see: those of
            goods received from that party, shipped or returned to it, and their corrections.
            ``None`` for the inventory's own systems, which see every event.
        capture: Whether it may capture documents (``POST /capture``).
    """

    name: str = attrs.field(validator=_name)
    party: str | None = attrs.field(validator=_party)
    capture: bool = attrs.field(default=True, validator=_flag)


#: The authentication hook: given the bearer token of a request, the partner it stands for,
#: or ``None`` to refuse the request (``401``). It is called for every request, from a worker
#: thread; it should answer quickly (look the token up, or check a signed token).
Authenticate = Callable[[str], Partner | None]


def _positive(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    boundary.whole(value, attribute.name, minimum=1)


@attrs.frozen(kw_only=True)
class Limits:
    """What one request may ask of the app.

    Attributes:
        max_document_bytes: The largest capture document accepted, in bytes (``413`` above).
        default_page_size: The events in a page when the query gives no ``perPage``.
        max_page_size: The largest ``perPage`` accepted (``413`` above).
        max_scan: The most ledger transactions one page request reads. A page that reaches
            it before it is full is returned as it is, with a ``nextPageToken`` that continues
            the scan, so a query that matches little of a large ledger answers in bounded time.
    """

    max_document_bytes: int = attrs.field(default=10_000_000, validator=_positive)
    default_page_size: int = attrs.field(default=100, validator=_positive)
    max_page_size: int = attrs.field(default=1000, validator=_positive)
    max_scan: int = attrs.field(default=50_000, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.default_page_size > self.max_page_size:
            raise ValidationError(
                what="default_page_size",
                value=self.default_page_size,
                expected=f"at most max_page_size ({self.max_page_size})",
            )
