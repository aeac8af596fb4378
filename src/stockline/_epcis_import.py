"""EPCIS 2.0 import: announced receipts checked against what is scanned.

A supplier's EPCIS document (its shipping events, with the packing and commissioning events
that say what is on each pallet and in which lot) becomes one *expected receipt* per shipment,
kept as an operational document (kind ``expected-receipt``) beside the ledger so it survives a
restart. Receiving against it (:meth:`EpcisImporting.receive_expected`) posts the receipt and
records it on the expectation in one write block: both happen, or neither.

Policy where the standard is silent:

* Anything beyond the announcement (a serial, lot or item it does not list, more than it lists,
  a pallet it does not name) is refused with :class:`~stockline.errors.UnexpectedReceiptError`
  and nothing is posted, unless the caller passes ``allow_unexpected=True``: then it is posted
  and shows in :meth:`EpcisImporting.expectation_report` as over or unexpected. A serial already
  received against the expectation is always refused.
* Less than announced is never refused: the report shows it as short.
* A reversed receipt no longer counts as received.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from stockline.ledger._records import AVAILABLE

if TYPE_CHECKING:
    from stockline._inventory import Inventory
    from stockline.epcis._expect import ExpectationReport, ExpectedReceipt
    from stockline.epcis._import import EpcisSource
    from stockline.gs1 import Scan
    from stockline.ledger._records import Transaction

__all__ = ["EpcisImporting"]


class EpcisImporting:
    """EPCIS 2.0 import: announced receipts checked against what is scanned."""

    def expect_from_epcis(
        self,
        document: EpcisSource,
        *,
        key: str | None = None,
        schema: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        replace: bool = False,
        actor: str | None = None,
    ) -> list[ExpectedReceipt]:
        """Import the shipments a supplier's EPCIS 2.0 document announces as expected receipts.

        The document is validated first (every problem is reported at once). Each shipping
        event (``ObjectEvent`` or ``AggregationEvent``, bizStep ``shipping``, ``departing`` or
        ``consigning``) adds what it ships: serials, lots and quantities, SSCCs expanded into
        their content through the document's packing events, lot and expiry from its
        commissioning events' ``ilmd``. Shipping events go under the key of their despatch
        advice (``desadv``), else bill of lading, else purchase order, else the document's id.
        Importing the same content again changes nothing.

        Args:
            document: The EPCIS document: parsed JSON, JSON text or bytes, a path or an open file.
            key: Put every shipment of the document under this key instead.
            schema: The official GS1 EPCIS JSON schema to validate with as well (needs
                ``stockline[epcis]``).
            replace: Take a changed announcement for a key imported before (what was received
                against it is kept); without it a change is refused.
            actor: Who imported it.

        Returns:
            The expected receipts, one per key; empty when the document ships nothing.

        Raises:
            EpcisError: The document is not valid EPCIS 2.0, or ships an identifier that does
                not decode; ``problems`` lists every problem with its JSON path.
            DuplicateError: A key was imported before with another content, and not ``replace``.
        """
        from stockline.epcis import _receive

        return _receive.expect(
            cast("Inventory", self),
            document,
            key=key,
            schema=schema,
            replace=replace,
            actor=actor,
        )

    def expected_receipt(self, key: str) -> ExpectedReceipt:
        """Return the expected receipt ``key``.

        Raises:
            UnknownExpectationError: None was imported under that key.
        """
        from stockline.epcis import _receive

        return _receive.expected_receipt(cast("Inventory", self), key)

    def expected_receipts(self) -> list[ExpectedReceipt]:
        """Return every expected receipt, by key."""
        from stockline.epcis import _receive

        return _receive.expected_receipts(cast("Inventory", self))

    def receive_expected(
        self,
        scan: Scan | str,
        qty: object = None,
        *,
        expectation: str,
        to: str,
        supplier: str | None = None,
        status: str = AVAILABLE,
        allow_unexpected: bool = False,
        allow_expired: bool = False,
        today: dt.date | None = None,
        gs_standin: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
    ) -> Transaction:
        """Receive a scan against an expected receipt, checking it against the announcement.

        A product scan is read as ``inv.scanning.receive`` reads it (GTIN or
        pack GTIN, lot, serial, expiry, count, net measure). A scan of an announced SSCC alone,
        or of an announced serialised case whose content the document gives, receives that
        whole content as announced, into the SSCC: the dock scans the pallet label once.

        The receipt and its record on the expectation are written together. It carries the
        shipment's business transactions as references (``po`` as ``PO``, ``desadv`` as
        ``ASN``, ...), and ``ASN: <expectation>`` when the key is not one of them.

        Args:
            scan: The scan as the scanner sent it, or a parsed :class:`~stockline.gs1.Scan`.
            qty: How many of the scanned thing (units, cases, ...); see ``inv.scanning.receive``.
            expectation: The expected receipt's key.
            to: The receiving location.
            supplier: The supplier's code; by default the party whose GLN is the shipment's
                owning-party source, if there is one.
            status: The status to receive into.
            allow_unexpected: Post what the announcement does not cover (it is reported as
                over or unexpected) instead of refusing it.
            allow_expired: Receive product past its expiry date.
            today: The date expiry is judged on; the date of ``effective_at`` or of the
                inventory clock's now, in UTC.
            gs_standin: The character the scanner sends in place of GS.
            key: An idempotency key: a retried scan returns the first receipt.
            effective_at: When the goods arrived; now when ``None``.
            actor: Who posted it.

        Returns:
            The posted receipt.

        Raises:
            UnknownExpectationError: No expected receipt has that key.
            UnexpectedReceiptError: The scan goes beyond the announcement (and not
                ``allow_unexpected``), or a serial or pallet was already received against it.
            StocklineError: What ``inv.scanning.receive`` raises for a bad
                scan or posting (``BarcodeError``, ``ScanMismatchError``,
                ``ExpiredProductError``, ``SerialError``, ...).
        """
        from stockline.epcis import _receive

        return _receive.receive(
            cast("Inventory", self),
            scan,
            qty,
            _receive.Options(
                expectation=expectation,
                to=to,
                supplier=supplier,
                status=status,
                allow_unexpected=allow_unexpected,
                allow_expired=allow_expired,
                today=today,
                gs_standin=gs_standin,
                key=key,
                effective_at=effective_at,
                actor=actor,
            ),
        )

    def expectation_report(self, key: str) -> ExpectationReport:
        """Compare what was received against an expected receipt with what was announced.

        Quantities are in each item's base unit (a case GTIN announced as 10 instances of a
        case of 12 is 120). Receipts since reversed are not counted.

        Returns:
            Every line with its status: ``ok``, ``short``, ``over``, ``unexpected`` or
            ``unresolved`` (an announced GTIN no item has); ``complete`` when all are ok.

        Raises:
            UnknownExpectationError: None was imported under that key.
        """
        from stockline.epcis import _receive

        return _receive.expectation_report(cast("Inventory", self), key)
