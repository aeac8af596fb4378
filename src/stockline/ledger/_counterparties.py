"""Where counterparty stock lives in the location tree, and default document types."""

from __future__ import annotations

from types import MappingProxyType

from stockline.ledger._master import LocationKind, PartyKind
from stockline.ledger._records import TxKind

__all__ = ["COUNTERPARTY_ROOTS", "default_ref_type", "party_location"]

#: The location each counterparty kind uses when no party is named; parties get a child of it
#: (``suppliers/ACME``).
COUNTERPARTY_ROOTS: MappingProxyType[LocationKind, str] = MappingProxyType(
    {
        LocationKind.SUPPLIER: "suppliers",
        LocationKind.CUSTOMER: "customers",
        LocationKind.PRODUCTION: "production",
        LocationKind.SCRAP: "scrap",
        LocationKind.ADJUSTMENT: "adjustment",
        LocationKind.TRANSIT: "transit",
    }
)

_REF_TYPES: MappingProxyType[TxKind, str] = MappingProxyType(
    {
        TxKind.RECEIPT: "PO",
        TxKind.SHIPMENT: "SO",
        TxKind.PICK: "SO",
        TxKind.PRODUCTION: "WO",
        TxKind.COUNT: "COUNT",
        TxKind.RETURN: "RMA",
    }
)


def party_location(kind: PartyKind, code: str) -> str:
    """Return the counterparty location path of a party: ``suppliers/ACME``."""
    return f"{COUNTERPARTY_ROOTS[LocationKind(kind.value)]}/{code}"


def default_ref_type(kind: TxKind) -> str:
    """Return the document type a bare ``ref=`` means for a kind of transaction."""
    return _REF_TYPES.get(kind, "DOC")
