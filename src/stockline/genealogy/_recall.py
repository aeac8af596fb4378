"""Recall reports: who got affected stock, where the rest is, and how to contain it."""

from __future__ import annotations

import json
from typing import Any, Protocol

import attrs

from stockline.genealogy._records import (
    Node,
    Shipment,
    Trace,
    _plain,
    balance_table,
    shipment_table,
    text_table,
)
from stockline.ledger._records import Balance, CustomerExposure, Transaction

__all__ = ["CustomerExposure", "RecallReport"]


class _Containment(Protocol):
    def contain_recall(self, report: RecallReport, *, actor: str | None) -> Transaction | None: ...

    def release_recall(
        self,
        report: RecallReport,
        lots: tuple[Node, ...] | None,
        *,
        reason: str,
        actor: str | None,
    ) -> Transaction | None: ...


@attrs.frozen(kw_only=True)
class RecallReport:
    """The result of :meth:`stockline.Inventory.recall`.

    Attributes:
        recall_id: A stable id: the same lots and reason give the same id, so containment is
            idempotent across re-runs.
        reason: Why the recall is made; it goes on every hold it posts.
        trace: The downstream trace behind the report.
    """

    recall_id: str
    reason: str
    trace: Trace
    _inventory: _Containment = attrs.field(eq=False, repr=False, alias="inventory")

    @property
    def roots(self) -> tuple[Node, ...]:
        """The recalled lots or serials."""
        return self.trace.roots

    @property
    def affected(self) -> tuple[Node, ...]:
        """Every lot or serial made from the recalled ones, the recalled ones included."""
        return self.trace.nodes

    @property
    def shipments(self) -> tuple[Shipment, ...]:
        """Every shipment of affected stock."""
        return self.trace.shipments

    @property
    def customers(self) -> tuple[CustomerExposure, ...]:
        """What each customer received, per lot or serial: quantity, first and last shipment,
        documents; ordered by customer, item, lot and serial.

        Summed by the store (in SQL on a SQL store), not from the shipment lines, so asking for
        it does not read every line.
        """
        return self.trace._detail.exposures()

    @property
    def on_hand(self) -> tuple[Balance, ...]:
        """Affected stock in internal locations, by location, status and container."""
        return self.trace.positions

    @property
    def in_transit(self) -> tuple[Balance, ...]:
        """Affected stock at transit locations."""
        return self.trace.in_transit

    def contain(self, *, actor: str | None = None) -> Transaction | None:
        """Put every affected *available* position on hold, in one transaction.

        Stock in other statuses (quarantine, damaged, ...) stays as it is. Calling it again for
        the same recall returns the first containment instead of posting twice; ``None`` when
        no affected stock was available.
        """
        return self._inventory.contain_recall(self, actor=actor)

    def release(
        self,
        lots: tuple[Node, ...] | None = None,
        *,
        reason: str,
        actor: str | None = None,
    ) -> Transaction | None:
        """Release what :meth:`contain` put on hold, for the lots cleared (all when ``None``).

        Only quantities the containment held are released; holds for other reasons stay.
        """
        return self._inventory.release_recall(self, lots, reason=reason, actor=actor)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, ready for JSON."""
        return {
            "recall_id": self.recall_id,
            "reason": self.reason,
            "as_of": None if self.trace.as_of is None else self.trace.as_of.isoformat(),
            "roots": _plain(self.roots),
            "affected": _plain(self.affected),
            "customers": _plain(self.customers),
            "shipments": _plain(self.shipments),
            "on_hand": _plain(self.on_hand),
            "in_transit": _plain(self.in_transit),
        }

    def to_json(self, **options: Any) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), **options)

    def to_table(self) -> str:
        """The report as text tables."""
        parts = [
            f"Recall {self.recall_id}: {self.reason}",
            "Affected: " + ", ".join(map(str, self.affected)),
            text_table(
                [
                    "customer",
                    "item",
                    "lot/serial",
                    "qty",
                    "first shipped",
                    "last shipped",
                    "documents",
                ],
                [
                    [
                        c.customer,
                        c.item,
                        c.lot or c.serial or "",
                        str(c.quantity),
                        c.first_shipped.strftime("%Y-%m-%d"),
                        c.last_shipped.strftime("%Y-%m-%d"),
                        " ".join(c.documents),
                    ]
                    for c in self.customers
                ],
            ),
            balance_table([*self.on_hand, *self.in_transit]),
        ]
        if self.shipments:
            parts.append(shipment_table(self.shipments))
        return "\n\n".join(parts)
