"""The access-control hook: who may post what.

stockline does not know the host's users or roles; the host does. An :class:`Authorizer` is a
callable the :class:`~stockline.Inventory` asks before every posting, with the whole draft
transaction: its actor, its kind, its lines (item, lot, serial, quantity, from and to
positions), its reason and documents. It answers ``True`` to let the posting go on; ``False``
refuses it with :class:`~stockline.errors.PermissionDeniedError`, and it may raise that error
itself with a message of its own. Nothing is posted when it refuses. Any false answer refuses,
``None`` included, so an authorizer that forgets to return fails closed.

What it guards is postings made through the :class:`~stockline.Inventory`: every method that
moves stock (receipts, moves, production, packing, shipments, status changes, counts,
adjustments, scrap, reversals, replenishment, receipts against EPCIS notices, ``post`` and
``post_many``). It is not asked about master data, reservations or opening a count, which
move no stock, and it is a hook inside the host's process, not a security boundary: code that
writes to the store directly with :func:`stockline.ledger.post` is not asked. The authorizer
runs inside the write block, so it should decide from the draft and what the host already
knows, quickly.
"""

from __future__ import annotations

from typing import Protocol

from stockline.errors import PermissionDeniedError
from stockline.ledger._records import NewTransaction

__all__ = ["Authorizer", "authorize"]


class Authorizer(Protocol):
    """Decides whether a posting may go ahead.

    Example:
        Only the quality team may take stock off hold:

        >>> import stockline as sl
        >>> roles = {"ann": {"warehouse"}, "qa-joe": {"quality"}}
        >>> def may_post(tx: sl.NewTransaction) -> bool:
        ...     releases = any(m.src.status == "hold" for m in tx.movements)
        ...     return not releases or "quality" in roles.get(tx.actor or "", set())
        >>> inv = sl.Inventory(authorizer=may_post)
        >>> _ = inv.add_item("CHEESE", unit="KGM", decimals=3)
        >>> _ = inv.add_location("DC1/COLD")
        >>> _ = inv.receive("CHEESE", 40, dst="DC1/COLD", actor="ann", supplier="ACME")
        >>> _ = inv.hold("CHEESE", 40, location="DC1/COLD", reason="lab test", actor="ann")
        >>> inv.release("CHEESE", 40, location="DC1/COLD", reason="lab ok", actor="ann")
        Traceback (most recent call last):
        ...
        stockline.errors.PermissionDeniedError: ann may not post this status_change ...
        >>> _ = inv.release("CHEESE", 40, location="DC1/COLD", reason="lab ok", actor="qa-joe")
    """

    def __call__(self, transaction: NewTransaction, /) -> bool:
        """Return whether ``transaction`` may be posted (or raise PermissionDeniedError)."""
        ...


def authorize(authorizer: Authorizer | None, draft: NewTransaction) -> None:
    """Ask ``authorizer`` (if any) about ``draft``; raise if it refuses.

    With an authorizer every posting must name its actor: a decision about nobody cannot be
    audited.

    Raises:
        PermissionDeniedError: The draft has no actor, or the authorizer refused it.
    """
    if authorizer is None:
        return
    if not draft.actor:
        raise PermissionDeniedError(actor=None, kind=draft.kind.value)
    if not authorizer(draft):
        raise PermissionDeniedError(
            actor=draft.actor, kind=draft.kind.value, summary=_summary(draft)
        )


def _summary(draft: NewTransaction) -> str:
    lines = [
        f"{m.quantity} {m.item} {m.src.location}/{m.src.status} → {m.dst.location}/{m.dst.status}"
        for m in draft.movements[:3]
    ]
    more = len(draft.movements) - len(lines)
    return "; ".join(lines) + (f"; and {more} more lines" if more > 0 else "")
