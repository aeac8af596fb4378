"""Serialization: serial pools per GTIN and the SSCC allocator (``inv.serials``).

A regulated packer gives every unit a serial that is unique per GTIN and cannot be guessed
from the others (EU FMD, DSCSA), and every case and pallet an SSCC. :class:`Serials` keeps one
pool per GTIN, sequential or randomised by a keyed pseudo-random permutation
(:class:`Permutation`), and issues from it inside the write of the posting that uses the
serials (:meth:`Serials.produce`), so a serial is issued once, across restarts and concurrent
writers. Numbers issued and never used are reported (:meth:`Serials.gaps`) and can be voided;
a serial's life cycle is read from the ledger (:meth:`Serials.state`). :class:`SsccAllocator`
(``inv.serials.sscc``) keeps a serial-reference counter per company prefix and extension
digit. Labels give the barcode content (element string, HRI, Digital Link URI).
"""

from stockline.serials._permutation import MIN_RANDOM_SPACE, Permutation
from stockline.serials._records import (
    ALPHANUMERIC,
    DIGITS,
    Commissioned,
    Decommission,
    Gap,
    Label,
    Scheme,
    SerialBatch,
    SerialPool,
    SerialState,
    SerialStatus,
    SsccRange,
)
from stockline.serials._service import MAX_BATCH, Serials
from stockline.serials._sscc import MAX_SSCCS, SsccAllocator

__all__ = [
    "ALPHANUMERIC",
    "DIGITS",
    "MAX_BATCH",
    "MAX_SSCCS",
    "MIN_RANDOM_SPACE",
    "Commissioned",
    "Decommission",
    "Gap",
    "Label",
    "Permutation",
    "Scheme",
    "SerialBatch",
    "SerialPool",
    "SerialState",
    "SerialStatus",
    "Serials",
    "SsccAllocator",
    "SsccRange",
]
