"""EPCIS on an inventory (``inv.epcis``): the ledger exported as EPCIS 2.0 JSON-LD or 1.2 XML,
and a supplier's announced shipments imported as expected receipts and received against.

The export and the receiving work are imported when first used, not with the inventory: they
need the GS1 readers (``stockline.gs1``, biip), which ``import stockline`` does not load.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, cast

import attrs

from stockline.epcis._expect import ExpectationReport, ExpectedReceipt
from stockline.epcis._import import EpcisSource
from stockline.epcis._options import EpcisOptions
from stockline.epcis._stream import FirstShowings, LedgerEvent, MasterMemory
from stockline.epcis._validate import schema_argument
from stockline.errors import ValidationError
from stockline.gs1 import Scan
from stockline.ledger import AVAILABLE, Book, Header, Transaction, TxKind, boundary

__all__ = ["Epcis"]


@attrs.define(repr=False)
class Epcis:
    """EPCIS export (2.0 JSON-LD, 1.2 XML) and import of an inventory (``inv.epcis``).

    Args:
        book: The posting context of the inventory.
    """

    _book: Book
    #: The first showing of each lot and serial the event stream looked up: it never changes.
    _firsts: FirstShowings = attrs.field(factory=FirstShowings, init=False)
    #: The master-data change log and lots the event stream read, brought up to date each time.
    _master: MasterMemory = attrs.field(factory=MasterMemory, init=False)

    def __repr__(self) -> str:
        return "<Epcis>"

    # -- export ------------------------------------------------------------------------------

    def export(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        lots: Iterable[tuple[str, str]] | None = None,
        after: int = 0,
        options: EpcisOptions | None = None,
    ) -> dict[str, Any]:
        """Return the ledger as an EPCIS 2.0 JSON-LD document (a dict ready for ``json.dump``).

        Every transaction becomes the events GS1 uses for it: receipts ``receiving``, moves
        ``storing``, picks ``picking``, shipments ``shipping`` (ObjectEvents OBSERVE, with
        source and destination parties and the documents as business transactions),
        production a TransformationEvent (a production that consumed nothing an ObjectEvent
        ADD ``commissioning``), pack and unpack AggregationEvents with the
        container's SSCC as parent, holds ``holding`` and releases ``inspecting`` with a
        persistent disposition, scrap ``destroying`` (DELETE; a serial decommissioned as
        stolen, expired or a sample ``decommissioning`` with that disposition), counts and
        adjustments ADD/DELETE, and a reversal an error declaration on a copy of each event it
        cancels.
        A lot or serial first shown by a count or adjustment is preceded by its
        ``commissioning`` (ObjectEvent ADD with the lot number and expiry as ILMD); received
        goods are not commissioned (their supplier did that) and a transformation's outputs
        carry their ILMD on the TransformationEvent. The lots the document shows, with their
        expiry and serials, are in ``epcisHeader.epcisMasterData``. A pallet shipped or moved
        whole is named by its own SSCC. Each event is built from the master data (GTINs,
        GLNs, lot expiry) as it was when its transaction was recorded and carries its
        canonical event hash ID (``ni:///sha-256;...``), so the same ledger always exports the
        same IDs and bytes, and an error declaration always names the event it corrects.
        See the how-to "Exchange EPCIS documents" for every mapping rule.

        For large ledgers use :meth:`write`, which streams to a file.

        Args:
            since: Only transactions effective at or after this time.
            until: Only transactions effective before this time.
            lots: Only transactions that move one of these ``(sku, lot)`` lots or change a
                container that held one (each transaction's events are exported whole).
            after: Only transactions with a larger id (an incremental export continues from
                the last id it exported; see :meth:`stockline.Inventory.changes`).
            options: How identifiers and vocabulary are written
                (:class:`~stockline.epcis.EpcisOptions`); Digital Link URIs by default.

        Returns:
            The EPCIS document.

        Raises:
            EpcisExportError: An EPC URI was asked for without the company prefix it needs,
                or master data holds a malformed GLN.
            UnknownLotError: A lot in ``lots`` is not known.
            ValidationError: A bad time window, ``after`` or ``options``.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("MILK", gtin="09506000134352", tracking="lot")
            >>> _ = inv.add_location("DC1/DOCK")
            >>> _ = inv.receive("MILK", 10, lot="L1", dst="DC1/DOCK", supplier="FARM")
            >>> [e["bizStep"] for e in inv.epcis.export()["epcisBody"]["eventList"]]
            ['receiving']
        """
        from stockline.epcis import _export

        return _export.export_document(
            self._book,
            **_selection(since, until, lots, after, options),
        )

    def write(
        self,
        target: str | os.PathLike[str] | IO[str],
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        lots: Iterable[tuple[str, str]] | None = None,
        after: int = 0,
        options: EpcisOptions | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Stream the EPCIS 2.0 document of :meth:`export` to a file.

        The ledger is read a batch of transactions at a time and each event is written as
        soon as it is made (one event per line), so memory does not grow with the ledger. A
        path is written to ``<path>.part`` first and renamed when complete, so a failed
        export never leaves a truncated document behind; an open text file is written as is.

        Args:
            target: A path, or a text file open for writing.
            since: As :meth:`export`.
            until: As :meth:`export`.
            lots: As :meth:`export`.
            after: As :meth:`export`.
            options: As :meth:`export`.
            progress: Called with the number of transactions read after each batch (of
                ``options.batch_size``), e.g. to advance a progress bar; the ledger head at
                the start is the total.

        Returns:
            The number of events written.

        Raises:
            EpcisExportError: As :meth:`export`.
            UnknownLotError: As :meth:`export`.
            ValidationError: As :meth:`export`, or a path that cannot be written (no such
                folder, no permission); nothing was written.
        """
        from stockline.epcis import _export

        return _export.write_document(
            self._book,
            _target(target),
            **_selection(since, until, lots, after, options),
            progress=boundary.optional_callable(progress, "progress"),
        )

    def export_xml(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        lots: Iterable[tuple[str, str]] | None = None,
        after: int = 0,
        options: EpcisOptions | None = None,
        sender: str | None = None,
        receiver: str | None = None,
    ) -> str:
        """Return the ledger as an EPCIS 1.2 XML document (the binding pharmaceutical trading
        partners exchange, e.g. under the US DSCSA).

        The events are those of :meth:`export`, with the same content and event hash IDs,
        written as the published EPCIS 1.2 schema (``EPCglobal-epcis-1_2.xsd``) and GS1's 2021
        edit of it both accept: CBV terms as their 1.x URNs
        (``urn:epcglobal:cbv:bizstep:shipping``), ``eventID`` and error declarations in
        ``baseExtension``, quantity lists, sources, destinations and ILMD in the event's
        ``extension``, an empty ``epcList`` on lot-level events, each TransformationEvent in
        an ``EventList/extension`` of its own, and EPCIS 2.0's ``persistentDisposition`` in
        the innermost ``extension``. Identifiers are written as ``options`` says; 1.2
        partners usually expect EPC URIs: ``EpcisOptions(identifiers="epc",
        company_prefixes=[...])``.

        With a ``receiver`` (and a ``sender``, by default ``options.owner_gln``) the document
        has an ``EPCISHeader``: a standard business document header naming both, and the
        master data of the lots it shows (lot number, expiry, serials as ``children``).
        Without, it has no header, and lot numbers and expiry dates travel only in the events'
        ILMD. For large ledgers use :meth:`write_xml`, which streams to a file.

        Args:
            since: As :meth:`export`.
            until: As :meth:`export`.
            lots: As :meth:`export`.
            after: As :meth:`export`.
            options: As :meth:`export`.
            sender: Who sends the document (a GLN, or the identifier your partner knows you
                by); by default ``options.owner_gln``.
            receiver: Who it is for (a GLN or identifier).

        Returns:
            The document, as text (UTF-8 when written to a file).

        Raises:
            EpcisExportError: As :meth:`export`.
            UnknownLotError: As :meth:`export`.
            ValidationError: As :meth:`export`, or a bad ``sender`` or ``receiver``.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("MILK", gtin="09506000134352", tracking="lot")
            >>> _ = inv.add_location("DC1/DOCK")
            >>> _ = inv.receive("MILK", 10, lot="L1", dst="DC1/DOCK", supplier="FARM")
            >>> "<bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>" in inv.epcis.export_xml()
            True
        """
        from stockline.epcis import _xml_export

        return _xml_export.export_xml(
            self._book,
            **_selection(since, until, lots, after, options),
            sender=boundary.optional_code(sender, "sender"),
            receiver=boundary.optional_code(receiver, "receiver"),
        )

    def write_xml(
        self,
        target: str | os.PathLike[str] | IO[str],
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        lots: Iterable[tuple[str, str]] | None = None,
        after: int = 0,
        options: EpcisOptions | None = None,
        sender: str | None = None,
        receiver: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Stream the EPCIS 1.2 XML document of :meth:`export_xml` to a file.

        As :meth:`write`: the ledger is read a batch at a time, one event per line, and a
        path is written to ``<path>.part`` first and renamed when complete. With a header
        (a ``receiver``), the events are held in a temporary file until the lots' master data,
        which 1.2 puts before them, is known.

        Args:
            target: A path, or a text file open for writing.
            since: As :meth:`export`.
            until: As :meth:`export`.
            lots: As :meth:`export`.
            after: As :meth:`export`.
            options: As :meth:`export`.
            sender: As :meth:`export_xml`.
            receiver: As :meth:`export_xml`.
            progress: As :meth:`write`.

        Returns:
            The number of events written.

        Raises:
            EpcisExportError: As :meth:`export`.
            UnknownLotError: As :meth:`export`.
            ValidationError: As :meth:`export_xml`, or a path that cannot be written (no such
                folder, no permission); nothing was written.
        """
        from stockline.epcis import _xml_export

        return _xml_export.write_xml(
            self._book,
            _target(target),
            **_selection(since, until, lots, after, options),
            sender=boundary.optional_code(sender, "sender"),
            receiver=boundary.optional_code(receiver, "receiver"),
            progress=boundary.optional_callable(progress, "progress"),
        )

    def events(
        self,
        *,
        after: tuple[int, int] | None = None,
        through: int | None = None,
        party: str | None = None,
        options: EpcisOptions | None = None,
    ) -> Iterator[LedgerEvent]:
        """Stream the events :meth:`export` makes, from a position in the ledger on.

        Each event comes with its position (transaction id, index among that transaction's
        events); the events and their IDs are exactly the export's, in the same order. The
        ledger is read a batch of ``options.batch_size`` transactions at a time from the
        position on, never from its start: what an event depends on in earlier transactions
        (the first showing of a lot or serial, a container's earlier parent) is looked up in
        the store for the lots, serials and containers read; the first showings (which never
        change) and the master-data change log (read on from where it was left) are
        remembered by ``inv.epcis``. This is what a paginated query serves from.

        Args:
            after: The position of the last event already read, ``(transaction, index)``;
                from the start when ``None``.
            through: Read transactions up to this id only (to bound one call's work); to the
                ledger's head when ``None``.
            party: Only the events of transactions with this counterparty (goods received
                from that supplier, shipped to that customer or returned by it) and of the
                reversals of those transactions.
            options: As :meth:`export`.

        Returns:
            An iterator of events with their positions; the ledger is read as it advances.

        Raises:
            ValidationError: A bad ``after``, ``through``, ``party`` or ``options``.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("MILK", gtin="09506000134352", tracking="lot")
            >>> _ = inv.add_location("DC1/DOCK")
            >>> _ = inv.receive("MILK", 10, lot="L1", dst="DC1/DOCK", supplier="FARM")
            >>> [(e.transaction, e.index, e.event["bizStep"]) for e in inv.epcis.events()]
            [(1, 0, 'receiving')]
        """
        from stockline.epcis import _stream

        position = (0, -1) if after is None else _position(after)
        last = (
            None if through is None else boundary.whole(through, "through", maximum=boundary.MAX_ID)
        )
        who = boundary.optional_code(party, "party")
        options = EpcisOptions() if options is None else options
        if not isinstance(options, EpcisOptions):
            raise ValidationError(what="options", value=options, expected="an EpcisOptions")

        def visible(tx: Transaction, original: Transaction | None) -> bool:
            return (original or tx).counterparty == who

        return _stream.stream_events(
            self._book,
            after=position,
            through=last,
            visible=None if who is None else visible,
            options=options,
            first=self._firsts,
            master=self._master,
        )

    def location_identifiers(self, *, options: EpcisOptions | None = None) -> dict[str, str]:
        """Return the EPCIS identifier of every location, as events made today name it.

        A query "with descendants" of a business location (``WD_bizLocation``) reads the
        location tree through it.

        Args:
            options: As :meth:`export`.

        Returns:
            Each location's path mapped to its identifier (SGLN or private URI).

        Raises:
            EpcisExportError: Master data holds a malformed GLN.
            ValidationError: A bad ``options``.
        """
        from stockline.epcis import _stream

        options = EpcisOptions() if options is None else options
        if not isinstance(options, EpcisOptions):
            raise ValidationError(what="options", value=options, expected="an EpcisOptions")
        return _stream.location_identifiers(self._book, options)

    # -- import: expected receipts -----------------------------------------------------------

    def expect(
        self,
        document: EpcisSource,
        *,
        key: str | None = None,
        schema: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        replace: bool = False,
        actor: str | None = None,
    ) -> list[ExpectedReceipt]:
        """Import the shipments a supplier's EPCIS document announces as expected receipts.

        EPCIS 2.0 JSON(-LD) and EPCIS 1.2 XML are read alike (a document starting with ``<``
        is XML, parsed with DTDs, entities and external references refused), so a 1.2
        document and its 2.0 twin give the same expected receipts. The document is validated
        first (every problem is reported at once). Each shipping
        event (``ObjectEvent`` or ``AggregationEvent``, bizStep ``shipping``, ``departing`` or
        ``consigning``) adds what it ships: serials, lots and quantities, SSCCs expanded into
        their content through the document's packing events, lot and expiry from its
        commissioning events' ``ilmd``. Shipping events go under the key of their despatch
        advice (``desadv``), else bill of lading, else purchase order, else the document's id.
        Importing the same content again changes nothing.

        Args:
            document: The EPCIS document: parsed JSON, JSON or XML text or bytes, a path or an
                open file.
            key: Put every shipment of the document under this key instead.
            schema: The official GS1 schema to validate with as well: the EPCIS JSON schema
                (needs ``stockline[epcis]``) or, for 1.2 XML, the path of
                ``EPCglobal-epcis-1_2.xsd`` or of its folder (needs ``stockline[xml]``).
            replace: Take a changed announcement for a key imported before (what was received
                against it is kept); without it a change is refused.
            actor: Who imported it.

        Returns:
            The expected receipts, one per key; empty when the document ships nothing.

        Raises:
            EpcisError: The document is not valid EPCIS 2.0 JSON or 1.2 XML, declares a DTD or
                entities, or ships an identifier that does not decode; ``problems`` lists
                every problem with its JSON or element path.
            DuplicateError: A key was imported before with another content, and not ``replace``.
            ValidationError: ``key``, ``replace`` or ``actor`` is of the wrong type.
        """
        from stockline.epcis import _receive

        return _receive.expect(
            self._book,
            document,
            key=boundary.optional_code(key, "key"),
            schema=schema_argument(schema),
            replace=boundary.flag(replace, "replace"),
            actor=boundary.optional_code(actor, "actor"),
        )

    def expectation(self, key: str) -> ExpectedReceipt:
        """Return the expected receipt ``key``.

        Args:
            key: The key it was imported under.

        Returns:
            The expected receipt, as announced.

        Raises:
            UnknownExpectationError: None was imported under that key.
        """
        from stockline.epcis import _receive

        return _receive.expected_receipt(self._book, boundary.code(key, "key"))

    def expectations(self) -> list[ExpectedReceipt]:
        """Return every expected receipt, by key.

        Returns:
            The expected receipts imported so far.
        """
        from stockline.epcis import _receive

        return _receive.expected_receipts(self._book)

    def receive(
        self,
        scan: Scan | str,
        quantity: object = None,
        *,
        expectation: str,
        dst: str,
        supplier: str | None = None,
        status: str = AVAILABLE,
        allow_unexpected: bool = False,
        allow_expired: bool = False,
        at: dt.date | None = None,
        gs_standin: str | None = None,
        key: str | None = None,
        effective_at: dt.datetime | None = None,
        actor: str | None = None,
        reason: str | None = None,
    ) -> Transaction:
        """Receive a scan against an expected receipt, checking it against the announcement.

        A product scan is read as a scanned receipt reads it (GTIN or pack GTIN, lot, serial,
        expiry, count, net measure). A scan of an announced SSCC alone, or of an announced
        serialised case whose content the document gives, receives that whole content as
        announced, into the SSCC: the dock scans the pallet label once.

        The receipt and its record on the expectation are written together. It carries the
        shipment's business transactions as references (``po`` as ``PO``, ``desadv`` as
        ``ASN``, ...), and ``ASN: <expectation>`` when the key is not one of them.

        Args:
            scan: The scan as the scanner sent it, or a parsed :class:`~stockline.gs1.Scan`.
            quantity: How many of the scanned thing (units, cases, ...), as for a scanned
                receipt; ``None`` for what the scan itself says.
            expectation: The expected receipt's key.
            dst: The receiving location.
            supplier: The supplier's code; by default the party whose GLN is the shipment's
                owning-party source, if there is one.
            status: The status to receive into.
            allow_unexpected: Post what the announcement does not cover (it is reported as
                over or unexpected) instead of refusing it.
            allow_expired: Receive product past its expiry date (with a ``reason``).
            at: The date expiry is judged on; the date of ``effective_at`` or of the
                inventory clock's now, in UTC.
            gs_standin: The character the scanner sends in place of GS.
            key: An idempotency key: a retried scan returns the first receipt.
            effective_at: When the goods arrived; now when ``None``.
            actor: Who posted it.
            reason: A note; required with ``allow_expired=True``.

        Returns:
            The posted receipt.

        Raises:
            UnknownExpectationError: No expected receipt has that key.
            UnexpectedReceiptError: The scan goes beyond the announcement (and not
                ``allow_unexpected``), or a serial or pallet was already received against it.
            StocklineError: What a scanned receipt raises for a bad scan or posting
                (``BarcodeError``, ``ScanMismatchError``, ``ExpiredProductError``,
                ``SerialError``, ...).
        """
        from stockline.epcis import _receive

        header = Header.of(
            TxKind.RECEIPT, key=key, effective_at=effective_at, actor=actor, reason=reason
        )
        if not isinstance(scan, Scan):
            scan = boundary.note(scan, "scan")
        return _receive.receive(
            self._book,
            scan,
            quantity,
            _receive.Options(
                expectation=boundary.code(expectation, "expectation"),
                dst=boundary.code(dst, "dst"),
                supplier=boundary.optional_code(supplier, "supplier"),
                status=boundary.code(status, "status"),
                allow_unexpected=boundary.flag(allow_unexpected, "allow_unexpected"),
                allow_expired=boundary.allowance(allow_expired, "allow_expired", header.reason),
                at=boundary.optional_day(at, "at"),
                gs_standin=boundary.optional_note(gs_standin, "gs_standin"),
                header=header,
            ),
        )

    def report(self, key: str) -> ExpectationReport:
        """Compare what was received against an expected receipt with what was announced.

        Quantities are in each item's base unit (a case GTIN announced as 10 instances of a
        case of 12 is 120). Receipts since reversed are not counted.

        Args:
            key: The expected receipt's key.

        Returns:
            Every line with its status: ``ok``, ``short``, ``over``, ``unexpected`` or
            ``unresolved`` (an announced GTIN no item has); ``complete`` when all are ok.

        Raises:
            UnknownExpectationError: None was imported under that key.
        """
        from stockline.epcis import _receive

        return _receive.expectation_report(self._book, boundary.code(key, "key"))


def _position(after: object) -> tuple[int, int]:
    if not isinstance(after, tuple | list) or len(after) != 2:
        raise ValidationError(
            what="after", value=after, expected="a (transaction, index) pair of whole numbers"
        )
    return (
        boundary.whole(after[0], "after transaction", maximum=boundary.MAX_ID),
        boundary.whole(after[1], "after index", minimum=-1),
    )


def _selection(
    since: object, until: object, lots: object, after: int, options: EpcisOptions | None
) -> dict[str, Any]:
    """The arguments every export takes, checked, as keywords for the exporters."""
    return {
        "since": boundary.optional_moment(since, "since"),
        "until": boundary.optional_moment(until, "until"),
        "lots": None if lots is None else _lots(lots),
        "after": after,
        "options": options,
    }


def _lots(lots: object) -> list[tuple[str, str]]:
    return list(boundary.sequence(lots, "lots"))  # type: ignore[arg-type]  # pairs: checked by the export


def _target(target: object) -> str | IO[str]:
    """A file to write: a path (as text), or an open text file."""
    if isinstance(target, str | os.PathLike):
        return boundary.code(os.fspath(target), "target")
    if not callable(getattr(target, "write", None)):
        raise ValidationError(
            what="target", value=target, expected="a file name, a path or an open text file"
        )
    return cast("IO[str]", target)
