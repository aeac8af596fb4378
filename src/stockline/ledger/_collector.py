"""Pausing Python's cycle collector around work that allocates many short-lived records."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the block, if it runs.

    For a batch of postings or a page of the ledger read back: they allocate several small
    records per movement and keep most of them to the end, so the collector would scan them
    again and again (a fifth of a batch's time). Reference counting still frees everything
    that is not in a cycle, and the collector runs again after the block. Left alone if
    someone else paused it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
