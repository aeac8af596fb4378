"""EPCIS: the ledger as GS1 EPCIS 2.0 JSON-LD or EPCIS 1.2 XML, announced receipts read from
either, and the canonical EPCIS event hash ID.

Export and import are the service :class:`Epcis`, on every inventory as ``inv.epcis``
(``inv.epcis.export()``, ``write()``, ``export_xml()``, ``write_xml()``, ``expect()``,
``expectation()``, ``expectations()``, ``receive()``, ``report()``). This package holds it,
their options and records, the built-in document validators (which need no schema file) and
the event hash, which works on any EPCIS 2.0 JSON-LD event.
"""

from stockline.epcis._expect import (
    ExpectationReport,
    ExpectedLine,
    ExpectedReceipt,
    ReportLine,
)
from stockline.epcis._hash import event_hash_id, prehash
from stockline.epcis._import import (
    EpcisDocument,
    EpcisEvent,
    QuantityElement,
    load_epcis,
    read_epcis,
)
from stockline.epcis._options import EpcisOptions
from stockline.epcis._service import Epcis
from stockline.epcis._stream import LedgerEvent
from stockline.epcis._validate import EpcisProblem, check_epcis, validate_epcis
from stockline.epcis._vocab import _BIZ_STEPS, DISPOSITIONS

#: Every CBV 2.0 business step, sorted.
CBV_BIZ_STEPS: tuple[str, ...] = tuple(sorted(_BIZ_STEPS))
#: Every CBV 2.0 disposition, sorted.
CBV_DISPOSITIONS: tuple[str, ...] = tuple(sorted(DISPOSITIONS))

__all__ = [
    "CBV_BIZ_STEPS",
    "CBV_DISPOSITIONS",
    "Epcis",
    "EpcisDocument",
    "EpcisEvent",
    "EpcisOptions",
    "EpcisProblem",
    "ExpectationReport",
    "ExpectedLine",
    "ExpectedReceipt",
    "LedgerEvent",
    "QuantityElement",
    "ReportLine",
    "check_epcis",
    "event_hash_id",
    "load_epcis",
    "prehash",
    "read_epcis",
    "validate_epcis",
]
