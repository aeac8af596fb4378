"""Genealogy: trace lots and serials through production, containers and shipments.

Edges are made by production, relabel, split and merge transactions; the history of
containers comes from pack, unpack and container moves. :func:`trace` follows both, with the
store doing the set-based work.
"""

from stockline.genealogy._recall import CustomerExposure, RecallReport
from stockline.genealogy._records import Link, Node, Receipt, Shipment, Trace
from stockline.genealogy._trace import trace

__all__ = [
    "CustomerExposure",
    "Link",
    "Node",
    "RecallReport",
    "Receipt",
    "Shipment",
    "Trace",
    "trace",
]
