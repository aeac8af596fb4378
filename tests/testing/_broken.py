"""Deliberately broken stores: the conformance suite and the state machine must catch them."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import attrs

from stockline.adapters import InMemoryStockStore
from stockline.ledger import PositionKey, Transaction

__all__ = ["ForgetfulStore", "LossyProjectionStore", "UnlockedStore"]


class ForgetfulStore(InMemoryStockStore):
    """Forgets atomicity: a write block that fails keeps what it did before the error."""

    @contextmanager
    def write(self) -> Iterator[InMemoryStockStore]:
        with self._lock:
            yield self


class UnlockedStore(InMemoryStockStore):
    """Forgets to serialise writers: blocks are atomic, but write blocks of different
    threads interleave (and reading balances takes a moment, as it does over a network)."""

    @contextmanager
    def write(self) -> Iterator[InMemoryStockStore]:
        if self._undo is not None:
            yield self
            return
        self._undo = []
        try:
            yield self
        except BaseException:
            for undo in reversed(self._undo or []):
                undo()
            raise
        finally:
            self._undo = None

    def head(self) -> tuple[int, str]:
        found = super().head()
        time.sleep(0.001)
        return found

    def position_balances(
        self, keys: Iterable[PositionKey]
    ) -> dict[PositionKey, tuple[Decimal, dt.datetime | None]]:
        found = super().position_balances(keys)
        time.sleep(0.002)
        return found


class LossyProjectionStore(InMemoryStockStore):
    """Loses part of the projection: only the first line of each transaction reaches the
    balances (the ledger itself is complete)."""

    def _project(self, tx: Transaction) -> None:
        super()._project(attrs.evolve(tx, movements=tx.movements[:1]))
