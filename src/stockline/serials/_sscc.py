"""The SSCC allocator: a persistent serial-reference counter per company prefix and extension
digit (``inv.serials.sscc``).

The counter is an operational document (kind ``sscc-counter``, key extension digit + company
prefix); each allocation is recorded as a range (``sscc-range``) with who took it and what it
is for, so a line or an offline label printer can be given a block of SSCCs in advance. An
SSCC counts as used once it names a container (``inv.containers.create``, a pack or a receipt
onto it); allocated ones never used are :meth:`SsccAllocator.gaps`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from stockline import gs1
from stockline.errors import SerialPoolExhaustedError, ValidationError
from stockline.ledger import Book, Container, Document, LedgerReader, LedgerWriter, boundary
from stockline.serials._records import Gap, Label, SsccRange

__all__ = ["MAX_SSCCS", "SsccAllocator"]

COUNTER_KIND = "sscc-counter"
RANGE_KIND = "sscc-range"
VOID_KIND = "sscc-void"

#: The most SSCCs one call allocates.
MAX_SSCCS = 100_000


@attrs.define(repr=False)
class SsccAllocator:
    """Serial Shipping Container Codes that are never allocated twice.

    Args:
        book: The posting context it reads and writes through.
    """

    _book: Book

    def __repr__(self) -> str:
        return "<SsccAllocator>"

    def allocate(
        self,
        company_prefix: str,
        count: int = 1,
        *,
        extension: int = 0,
        reserved_for: str | None = None,
        actor: str | None = None,
    ) -> SsccRange:
        """Take the next ``count`` serial references of ``company_prefix`` and
        ``extension`` and return them as SSCCs with their check digits.

        Args:
            company_prefix: The GS1 Company Prefix, 6 to 12 digits.
            count: How many, 1 to 100,000.
            extension: The extension digit, 0 to 9 (many companies give each site or line
                its own).
            reserved_for: The line or offline printer the range is for.
            actor: Who takes them.

        Returns:
            The range allocated.

        Raises:
            ValidationError: A prefix that is not 6 to 12 digits.
            SerialPoolExhaustedError: Fewer than ``count`` serial references are left.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> inv.serials.sscc.allocate("0614141", 2, extension=1).ssccs
            ('106141410000000019', '106141410000000026')
        """
        prefix = _prefix(company_prefix)
        count = boundary.whole(count, "count", minimum=1, maximum=MAX_SSCCS)
        ext = boundary.whole(extension, "extension", maximum=9)
        reserved_for = boundary.optional_code(reserved_for, "reserved_for")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            return self._allocate(w, prefix, count, ext, reserved_for, actor)

    def create(
        self,
        company_prefix: str,
        count: int = 1,
        *,
        extension: int = 0,
        kind: str = "case",
        reserved_for: str | None = None,
        actor: str | None = None,
    ) -> tuple[Container, ...]:
        """Allocate ``count`` SSCCs and create a container of ``kind`` for each, in one
        write: the SSCCs are allocated if and only if the containers are made.

        Args:
            company_prefix: The GS1 Company Prefix, 6 to 12 digits.
            count: How many, 1 to 100,000.
            extension: The extension digit, 0 to 9.
            kind: What they are (``case``, ``pallet``, ...).
            reserved_for: The line they are for.
            actor: Who makes them.

        Returns:
            The containers, ready for :meth:`~stockline.Inventory.pack` and
            :meth:`~stockline.genealogy.Containers.nest`.

        Raises:
            ValidationError: A prefix that is not 6 to 12 digits.
            SerialPoolExhaustedError: Fewer than ``count`` serial references are left.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> [c.code for c in inv.serials.sscc.create("0614141", kind="pallet")]
            ['006141410000000012']
        """
        prefix = _prefix(company_prefix)
        count = boundary.whole(count, "count", minimum=1, maximum=MAX_SSCCS)
        ext = boundary.whole(extension, "extension", maximum=9)
        kind = boundary.code(kind, "kind")
        reserved_for = boundary.optional_code(reserved_for, "reserved_for")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            span = self._allocate(w, prefix, count, ext, reserved_for, actor)
            return tuple(
                self._book.add(
                    w, w.container(code), Container(code=code, kind=kind), actor, "another SSCC"
                )
                for code in span.ssccs
            )

    def _allocate(
        self,
        w: LedgerWriter,
        prefix: str,
        count: int,
        ext: int,
        reserved_for: str | None,
        actor: str | None,
    ) -> SsccRange:
        key = f"{ext}{prefix}"
        width = 16 - len(prefix)
        # Serial reference 0 is left out: an all-zero reference reads as a missing one.
        capacity = 10**width - 1
        counter = w.document(COUNTER_KIND, key)
        used = 0 if counter is None else int(counter.body["allocated"])
        if count > capacity - used:
            raise SerialPoolExhaustedError(
                pool=f"the SSCCs of company prefix {prefix} with extension digit {ext}",
                requested=count,
                remaining=capacity - used,
            )
        now = self._book.now()
        # The version check is what keeps two writers from taking the same references.
        w.put_document(
            COUNTER_KIND,
            key,
            {"allocated": str(used + count)},
            version=0 if counter is None else counter.version,
            actor=actor,
            at=now,
        )
        body = {
            "company_prefix": prefix,
            "extension": ext,
            "first": str(used + 1),
            "count": count,
            "allocated_at": now.isoformat(),
            "allocated_by": actor,
            "reserved_for": reserved_for,
        }
        doc = w.put_document(
            RANGE_KIND, f"{key}|{used + 1:016d}", body, version=0, actor=actor, at=now
        )
        return _range(doc)

    def ranges(self, company_prefix: str | None = None) -> list[SsccRange]:
        """Return the ranges allocated (of ``company_prefix`` only, if given), by extension
        digit, prefix and first serial reference."""
        prefix = None if company_prefix is None else _prefix(company_prefix)
        with self._book.read() as r:
            return [
                _range(d)
                for d in r.documents(RANGE_KIND)
                if prefix is None or d.body["company_prefix"] == prefix
            ]

    def gaps(self, company_prefix: str | None = None) -> list[Gap]:
        """Return the SSCCs allocated that name no container and were not voided."""
        prefix = None if company_prefix is None else _prefix(company_prefix)
        with self._book.read() as r:
            return [
                Gap(number=code, issued_at=span.allocated_at, reserved_for=span.reserved_for)
                for d in r.documents(RANGE_KIND)
                if prefix is None or d.body["company_prefix"] == prefix
                for span in (_range(d),)
                for code in span.ssccs
                if not _used(r, code) and r.document(VOID_KIND, code) is None
            ]

    def void(
        self, ssccs: Iterable[str], *, reason: str, actor: str | None = None
    ) -> tuple[str, ...]:
        """Retire allocated SSCCs that were never used (a spoiled label), with a reason; they
        leave :meth:`gaps`. Voiding one again changes nothing.

        Returns:
            The SSCCs voided by this call.

        Raises:
            ValidationError: An SSCC that was not allocated, or one a container uses.
        """
        given = boundary.codes(ssccs, "ssccs")
        note = boundary.note(reason, "reason")
        actor = boundary.optional_code(actor, "actor")
        with self._book.write() as w:
            ranges = [d.body for d in w.documents(RANGE_KIND)]
            done = []
            now = self._book.now()
            for code in dict.fromkeys(given):
                if not any(_within(code, b) for b in ranges):
                    raise ValidationError(
                        f"SSCC {code} was not allocated here, so there is nothing to void"
                    )
                if _used(w, code):
                    raise ValidationError(
                        f"SSCC {code} names a container; a used SSCC is not voided"
                    )
                if w.document(VOID_KIND, code) is not None:
                    continue
                body = {"reason": note, "voided_at": now.isoformat(), "voided_by": actor}
                w.put_document(VOID_KIND, code, body, version=0, actor=actor, at=now)
                done.append(code)
            return tuple(done)

    def label(
        self,
        code: str,
        *,
        content_gtin: str | None = None,
        count: int | None = None,
        lot: str | None = None,
        expiry: dt.date | None = None,
        domain: str = "id.gs1.org",
    ) -> Label:
        """Return the barcode content of a case or pallet: ``(00)`` SSCC, and for a logistic
        label of one trade item, ``(02)`` the GTIN of its contents, ``(17)`` expiry, ``(37)``
        count and ``(10)`` lot; as element string (for a GS1-128 label), HRI and Digital
        Link URI.

        Args:
            code: The SSCC.
            content_gtin: The GTIN of the trade items inside (then ``count`` too).
            count: How many trade items are inside.
            lot: Their lot.
            expiry: Their expiry.
            domain: The Digital Link resolver's host.

        Raises:
            BarcodeError: Not an SSCC (18 digits with a good check digit), or contents GS1
                does not allow (a count without the GTIN of the contents, ...).

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> inv.serials.sscc.label(
            ...     "106141410000000019", content_gtin="09506000134352", count=12
            ... ).hri
            '(00)106141410000000019(02)09506000134352(37)12'
        """
        code = boundary.code(code, "sscc")
        content_gtin = boundary.optional_code(content_gtin, "content_gtin")
        count = None if count is None else boundary.whole(count, "count", minimum=1)
        lot = boundary.optional_code(lot, "lot")
        expiry = boundary.optional_day(expiry, "expiry")
        domain = boundary.code(domain, "domain")
        elements = gs1.build_elements(
            sscc=code,
            content_gtin=content_gtin,
            count=count,
            lot=lot,
            expiry=expiry,
            today=self._book.now().date(),
        )
        return Label(
            element_string=gs1.to_element_string(elements),
            hri=gs1.to_hri(elements),
            digital_link=gs1.to_digital_link(elements, domain=domain),
        )


def _prefix(value: object) -> str:
    prefix = boundary.code(value, "company_prefix")
    if not (prefix.isascii() and prefix.isdigit() and 6 <= len(prefix) <= 12):
        raise ValidationError(
            what="company_prefix", value=value, expected="a GS1 Company Prefix of 6 to 12 digits"
        )
    return prefix


def _range(doc: Document) -> SsccRange:
    b = doc.body
    prefix, ext, first = b["company_prefix"], b["extension"], int(b["first"])
    width = 16 - len(prefix)
    return SsccRange(
        company_prefix=prefix,
        extension=ext,
        first=first,
        ssccs=tuple(
            gs1.sscc(prefix, f"{n:0{width}d}", ext) for n in range(first, first + b["count"])
        ),
        allocated_at=dt.datetime.fromisoformat(b["allocated_at"]),
        allocated_by=b["allocated_by"],
        reserved_for=b["reserved_for"],
    )


def _within(code: str, body: Mapping[str, Any]) -> bool:
    """Whether the range ``body`` records allocated ``code``."""
    prefix, first = body["company_prefix"], int(body["first"])
    width = 16 - len(prefix)
    if len(code) != 18 or code[0] != str(body["extension"]) or code[1 : 1 + len(prefix)] != prefix:
        return False
    reference = code[1 + len(prefix) : 17]
    return (
        reference.isdigit()
        and first <= int(reference) < first + body["count"]
        and code == gs1.sscc(prefix, reference, body["extension"])
        and len(reference) == width
    )


def _used(r: LedgerReader, code: str) -> bool:
    return r.container(code) is not None or r.container_state(code) is not None
