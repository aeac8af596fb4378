"""Genealogy: production, containers, trace, recall and containment.

Edges between lots and serials are made by production, relabel, split and merge transactions;
the history of containers comes from pack, unpack and container moves. :func:`trace` follows
both, with the store doing the set-based work. Everything here posts and reads through a
:class:`~stockline.ledger.Book`; :class:`~stockline.Inventory` offers it as the core verbs
(``produce``, ``pack``, ``unpack``, ``trace_downstream``, ``trace_upstream``, ``recall``) and
the namespaces ``inv.containers`` (:class:`Containers`) and ``inv.genealogy``
(:class:`Genealogy`). Traces and recall reports are plain values: they hold no store.
"""

from stockline.genealogy._containers import Containers, pack, unpack
from stockline.genealogy._genealogy import Genealogy
from stockline.genealogy._production import Component, Output, post_production, produce
from stockline.genealogy._recall import CustomerExposure, RecallReport, recall
from stockline.genealogy._records import Link, Node, Receipt, Returned, Shipment, Trace
from stockline.genealogy._trace import customer_exposures, trace, trace_downstream, trace_upstream

__all__ = [
    "Component",
    "Containers",
    "CustomerExposure",
    "Genealogy",
    "Link",
    "Node",
    "Output",
    "RecallReport",
    "Receipt",
    "Returned",
    "Shipment",
    "Trace",
    "customer_exposures",
    "pack",
    "post_production",
    "produce",
    "recall",
    "trace",
    "trace_downstream",
    "trace_upstream",
    "unpack",
]
