"""Surrogate ids of master data, cached.

The hot tables store small integer ids instead of SKUs, paths and lot codes. An id, once
given, never changes (master data is never deleted), so the mapping can be cached for the life
of the store. Ids learnt inside a write block are kept apart until the block commits, since a
rollback would make them wrong.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

import attrs

__all__ = ["IdMap", "Ids"]

K = TypeVar("K", bound=Hashable)


@attrs.define
class IdMap(Generic[K]):
    """A two-way mapping between natural keys and ids."""

    by_key: dict[K, int] = attrs.field(factory=dict)
    by_id: dict[int, K] = attrs.field(factory=dict)

    def add(self, key: K, id_: int) -> None:
        self.by_key[key] = id_
        self.by_id[id_] = key

    def merge(self, other: IdMap[K]) -> None:
        self.by_key.update(other.by_key)
        self.by_id.update(other.by_id)


@attrs.define
class Ids:
    """Every id mapping the store needs."""

    item: IdMap[str] = attrs.field(factory=IdMap)
    location: IdMap[str] = attrs.field(factory=IdMap)
    lot: IdMap[tuple[str, str]] = attrs.field(factory=IdMap)
    status: IdMap[str] = attrs.field(factory=IdMap)
    container: IdMap[str] = attrs.field(factory=IdMap)

    def merge(self, other: Ids) -> None:
        self.item.merge(other.item)
        self.location.merge(other.location)
        self.lot.merge(other.lot)
        self.status.merge(other.status)
        self.container.merge(other.container)
