"""CBV 2.0 vocabulary stockline uses, and how ledger terms map to it."""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "BUSINESS_TRANSACTION_TYPES",
    "CBV_URNS",
    "CBV_WEB",
    "CBV_WORDS",
    "CONTEXT",
    "COUNT_UNITS",
    "DEFAULT_DISPOSITIONS",
    "DISPOSITIONS",
    "STOCKLINE_NAMESPACE",
    "bare_word",
]

#: The EPCIS 2.0 JSON-LD context every document references.
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#: The namespace of stockline's own event fields (``stockline:transaction``, ``stockline:kind``).
STOCKLINE_NAMESPACE = "urn:stockline:epcis:"
#: Where the CBV web URIs live (``https://ref.gs1.org/cbv/BizStep-receiving``).
CBV_WEB = "https://ref.gs1.org/cbv/"

_BIZ_STEPS = frozenset(
    [
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
        "sensor_reporting",
        "sampling",
    ]
)
#: Every CBV 2.0 disposition.
DISPOSITIONS = frozenset(
    [
        "active",
        "container_closed",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "no_pedigree_match",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unknown",
        "available",
        "completeness_verified",
        "completeness_inferred",
        "conformant",
        "container_open",
        "mismatch_instance",
        "mismatch_class",
        "mismatch_quantity",
        "needs_replacement",
        "non_conformant",
        "unavailable",
    ]
)
_TRANSACTION_TYPES = frozenset(
    [
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    ]
)
#: The bare CBV words of each kind, keyed by the kind's web URI prefix.
CBV_WORDS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "BizStep-": _BIZ_STEPS,
        "Disp-": DISPOSITIONS,
        "BTT-": _TRANSACTION_TYPES,
        "SDT-": frozenset({"owning_party", "possessing_party", "location"}),
        "ER-": frozenset({"did_not_occur", "incorrect_data"}),
    }
)

#: The CBV 1.x URN prefix of each kind, keyed by the kind's web URI prefix
#: (``urn:epcglobal:cbv:bizstep:receiving`` is the 1.x name of ``BizStep-receiving``).
CBV_URNS: MappingProxyType[str, str] = MappingProxyType(
    {
        "BizStep-": "urn:epcglobal:cbv:bizstep:",
        "Disp-": "urn:epcglobal:cbv:disp:",
        "BTT-": "urn:epcglobal:cbv:btt:",
        "SDT-": "urn:epcglobal:cbv:sdt:",
        "ER-": "urn:epcglobal:cbv:er:",
    }
)

#: Ledger document types (``Reference.type``, upper-cased) → CBV business transaction type.
#: A sales order is the customer's purchase order, so ``SO`` exports as ``po``; types not
#: listed export without a type.
BUSINESS_TRANSACTION_TYPES: MappingProxyType[str, str] = MappingProxyType(
    {
        "PO": "po",
        "SO": "po",
        "POC": "poc",
        "ASN": "desadv",
        "DESADV": "desadv",
        "BOL": "bol",
        "INV": "inv",
        "INVOICE": "inv",
        "WO": "prodorder",
        "PRODORDER": "prodorder",
        "RECADV": "recadv",
        "RMA": "rma",
        "CERT": "cert",
    }
)

#: Stock status → CBV disposition for the built-in statuses. Other statuses map to
#: ``sellable_accessible`` when allocatable and ``non_sellable_other`` when not.
DEFAULT_DISPOSITIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "available": "sellable_accessible",
        "quarantine": "non_sellable_other",
        "hold": "non_sellable_other",
        "damaged": "damaged",
        "expired": "expired",
        "returned": "returned",
    }
)

#: Units that count instances: a quantity in them is written without ``uom``, as EPCIS
#: reads a quantity without a unit as a count.
COUNT_UNITS = frozenset({"EA", "C62", "H87"})


def bare_word(term: str | None, prefix: str) -> str | None:
    """A CBV term as its bare word: the web URI ``https://ref.gs1.org/cbv/BizStep-shipping``
    and the CBV 1.x URN ``urn:epcglobal:cbv:bizstep:shipping`` are ``shipping``; other terms
    (a bare word, a URI of one's own) are kept as written.

    Args:
        term: The term as a document wrote it.
        prefix: The kind's web URI prefix (``BizStep-``, ``Disp-``, ``BTT-``, ``SDT-``, ``ER-``).
    """
    if term is None:
        return None
    web = CBV_WEB + prefix
    if term.startswith(web):
        return term[len(web) :]
    urn = CBV_URNS[prefix]
    return term[len(urn) :] if term.startswith(urn) else term
