"""EPCIS 2.0 export of the ledger on the :class:`~stockline.Inventory`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from stockline._inventory import Inventory
    from stockline.epcis import EpcisOptions

__all__ = ["EpcisExporting"]


class EpcisExporting:
    """EPCIS 2.0 export of the ledger (kept in its own module)."""

    def export_epcis(
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
        production a TransformationEvent, pack and unpack AggregationEvents with the
        container's SSCC as parent, holds ``holding`` and releases ``inspecting`` with a
        persistent disposition, scrap ``destroying`` (DELETE), counts and adjustments
        ADD/DELETE, and a reversal an error declaration on a copy of each event it cancels.
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

        For large ledgers use :meth:`write_epcis`, which streams to a file.

        Args:
            since: Only transactions effective at or after this time.
            until: Only transactions effective before this time.
            lots: Only transactions that move one of these ``(sku, lot)`` lots or change a
                container that held one (each transaction's events are exported whole).
            after: Only transactions with a larger id (an incremental export continues from
                the last id it exported; see :meth:`changes`).
            options: How identifiers and vocabulary are written
                (:class:`~stockline.epcis.EpcisOptions`); Digital Link URIs by default.

        Raises:
            EpcisExportError: An EPC URI was asked for without the company prefix it needs,
                or master data holds a malformed GLN.
            UnknownLotError: A lot in ``lots`` is not known.

        Example:
            >>> import stockline as sl
            >>> inv = sl.Inventory()
            >>> _ = inv.add_item("MILK", gtin="09506000134352", tracking="lot")
            >>> _ = inv.add_location("DC1/DOCK")
            >>> _ = inv.receive("MILK", 10, lot="L1", to="DC1/DOCK", supplier="FARM")
            >>> [e["bizStep"] for e in inv.export_epcis()["epcisBody"]["eventList"]]
            ['receiving']
        """
        from stockline.epcis import _export  # not at import: it needs stockline.gs1 (biip)

        return _export.export_document(
            cast("Inventory", self),
            since=since,
            until=until,
            lots=lots,
            after=after,
            options=options,
        )

    def write_epcis(
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
        """Stream the EPCIS 2.0 document of :meth:`export_epcis` to a file; return the number
        of events written.

        The ledger is read a batch of transactions at a time and each event is written as
        soon as it is made (one event per line), so memory does not grow with the ledger. A
        path is written to ``<path>.part`` first and renamed when complete, so a failed
        export never leaves a truncated document behind; an open text file is written as is.

        Args:
            target: A path, or a text file open for writing.
            since: As :meth:`export_epcis`.
            until: As :meth:`export_epcis`.
            lots: As :meth:`export_epcis`.
            after: As :meth:`export_epcis`.
            options: As :meth:`export_epcis`.
            progress: Called with the number of transactions read after each batch (of
                ``options.batch_size``), e.g. to advance a progress bar; the ledger head at
                the start is the total.
        """
        from stockline.epcis import _export

        return _export.write_document(
            cast("Inventory", self),
            target,
            since=since,
            until=until,
            lots=lots,
            after=after,
            options=options,
            progress=progress,
        )
