"""Certify a storage adapter: a conformance suite, Hypothesis strategies and a stateful
model check, for any :class:`~stockline.adapters.StockStore`.

- :class:`StockStoreContract`: subclass it with one fixture, ``store``, to run the
  conformance suite (pytest).
- :mod:`stockline.testing.strategies`: Hypothesis strategies that generate only valid
  stockline objects, up to whole valid sequences of operations.
- :mod:`stockline.testing.stateful`: :func:`store_machine` builds a Hypothesis state machine
  driving a store and the in-memory reference side by side.

Needs the ``testing`` extra (``pip install stockline[testing]``: hypothesis and pytest).
These import paths are stable API: ``stockline.testing.StockStoreContract``,
``stockline.testing.strategies`` and ``stockline.testing.stateful``.
"""

from stockline.testing import stateful, strategies
from stockline.testing._contract import StockStoreContract
from stockline.testing.stateful import store_machine

__all__ = ["StockStoreContract", "stateful", "store_machine", "strategies"]
