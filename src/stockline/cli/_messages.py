"""Library errors in the command line's words: what to type, not which Python call to make.

The library's messages advise Python calls (``add_item()``, ``receive(..., lot=...)``,
``allow_expired=True``); on the command line that advice is wrong. :func:`for_cli` maps an
error's fields to a hint in flags and commands, in this one place; an error without a
mapping keeps its own words minus any clause that names a Python call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stockline import errors as e

__all__ = ["PYTHON_CALL", "for_cli"]

#: Advice written for Python callers: a call (``add_item()``, ``receive(..., lot=...)``),
#: a keyword argument (``allow_expired=True``), a snake_case name or the facade (``inv.``).
PYTHON_CALL = re.compile(r"\b[a-z_][\w.]*\(|\b[a-z_]+=[\w'\"]|\binv\.|\b[a-z]+_[a-z_]+\b", re.ASCII)

_HINTS: dict[type[e.StocklineError], Callable[[Any], str]] = {
    e.UnknownItemError: lambda x: (
        f"item {x.item!r} is not in this ledger's master data; check the SKU "
        "(stockline stock --json lists the items held)"
    ),
    e.UnknownLocationError: lambda x: (
        f"location {x.location!r} is not in this ledger's master data; check the path "
        "(stockline stock lists the locations that hold stock)"
    ),
    e.UnknownLotError: lambda x: (
        f"lot {x.lot!r} of {x.item} is not known; check --lot (stockline history "
        f"--sku {x.item} shows the lots moved), or receive it with stockline receive"
    ),
    e.UnknownStatusError: lambda x: (
        f"status {x.status!r} is not known; the built-in ones are available, quarantine, "
        "hold, damaged and expired"
    ),
    e.UnknownPartyError: lambda x: (
        f"party {x.party!r} is not in this ledger's master data; check --supplier or --customer"
    ),
    e.UnknownTransactionError: lambda x: (
        f"transaction {x.transaction_id} is not in the ledger; stockline history lists them"
    ),
    e.UnknownCountError: lambda x: (
        f"count {x.count!r} was never opened; stockline count list lists the counts"
    ),
    e.UnknownExpectationError: lambda x: (
        f"no expected receipt has key {x.key!r}; import the supplier's EPCIS document with "
        "stockline import epcis FILE first (stockline expected lists the keys)"
    ),
    e.ExpiredProductError: lambda x: (
        f"{x.item}{'' if x.lot is None else f' lot {x.lot}'} expired on "
        f"{x.expiry.isoformat()}, before {x.today.isoformat()}; do not receive it, or add "
        "--allow-expired --reason TEXT (and --status expired, say) to record it anyway"
    ),
    e.PutawayError: lambda x: (
        f"put-away into {x.location} breaks its {x.rule} rule"
        f"{f': {x.detail}' if x.detail else ''}. Nothing was posted; stockline putaway "
        "suggest shows the bins that take it"
    ),
    e.AllocationShortfallError: lambda x: (
        f"only {x.available} of {x.requested} {x.item} can be allocated; nothing was reserved"
    ),
}


#: Keyword arguments the library advises that are flags on the command line.
_FLAGS = {
    "allow_unexpected=True": "--allow-unexpected",
    "allow_expired=True": "--allow-expired",
    "reason='": "--reason '",
    "allow_over=True": "--allow-over",
    "status='expired'": "--status expired",
}


def for_cli(error: e.StocklineError) -> str:
    """``error``'s message as the command line says it."""
    for kind in type(error).__mro__:
        hint = _HINTS.get(kind)
        if hint is not None:
            return hint(error)
    text = str(error)
    for keyword, flag in _FLAGS.items():
        text = text.replace(keyword, flag)
    if PYTHON_CALL.search(text) is None:
        return text
    # Keep what was wrong; drop the clauses (after "; " or ". ") that advise a Python call.
    kept = [c for c in re.split(r"(?<=[;.]) ", text) if PYTHON_CALL.search(c) is None]
    return " ".join(kept).rstrip(";. ") or text.split(";")[0]
