"""Put-away's view of the store: bins with what they hold, item profiles, container contents,
and the judge that checks a posting against the bins' rules inside its write block."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stockline.errors import ContainerError, PutawayError, UnknownContainerError
from stockline.ledger import (
    AVAILABLE,
    Balance,
    BalanceQuery,
    Book,
    Document,
    LedgerReader,
    LedgerWriter,
    under,
)
from stockline.operations._putaway import (
    Bin,
    BinRules,
    Load,
    LoadLine,
    Mixing,
    StorageProfile,
    refusal,
    room,
)

__all__ = [
    "BIN_KIND",
    "ITEM_KIND",
    "REVISION_KIND",
    "Bins",
    "Judge",
    "RulesCache",
    "bump_revision",
    "contents",
    "load_of",
    "outermost",
    "profile",
    "profile_of",
    "put_document",
    "rules_of",
    "status_of",
    "subtree",
]

#: Document kind of an item's storage profile.
ITEM_KIND = "putaway-item"
#: Document kind of a bin's put-away rules.
BIN_KIND = "putaway-bin"
#: Document kind of the put-away rules' revision: one document (key ``rules``) whose version
#: goes up in the write of every change to a bin's rules or an item's profile, so a reader
#: knows with one read whether the rules it decoded before still hold.
REVISION_KIND = "putaway-revision"


class RulesCache:
    """Every bin's rules and every item's profile, decoded once per revision of the rules.

    Suggesting reads the revision document in its read view; while its version is the one
    the cache was filled at, the rules are those decoded then (in that same kind of view), so
    10,000 bins are not decoded on every suggestion. Rules written by a version of stockline
    without the revision document are read every time.
    """

    def __init__(self) -> None:
        self._filled: tuple[int, dict[str, BinRules], dict[str, StorageProfile]] | None = None

    def rules(self, r: LedgerReader) -> tuple[dict[str, BinRules], dict[str, StorageProfile]]:
        """Every bin's rules by path and every item's profile by SKU, as of ``r``."""
        revision = r.document(REVISION_KIND, "rules")
        filled = self._filled
        if revision is not None and filled is not None and filled[0] == revision.version:
            return filled[1], filled[2]
        rules = {d.key: rules_of(d) for d in r.documents(BIN_KIND)}
        profiles = {d.key: profile_of(d) for d in r.documents(ITEM_KIND)}
        if revision is not None:
            self._filled = (revision.version, rules, profiles)
        return rules, profiles


def bump_revision(book: Book, w: LedgerWriter, actor: str | None) -> None:
    """Mark, in the write that changes them, that the put-away rules changed."""
    put_document(book, w, REVISION_KIND, "rules", {}, actor)


_ZERO = Decimal(0)


class Judge:
    """Judges bins by what they hold in the open write block plus what is added to them."""

    def __init__(self, r: LedgerReader) -> None:
        self._bins = Bins(r)
        self._held: dict[str, Bin] = {}

    def take(self, load: Load, location: str, quantity: Decimal | None) -> None:
        """Let ``quantity`` of a loose ``load`` (all of a container load, when ``None``) into
        the bin that governs ``location``, or raise.

        Raises:
            PutawayError: The location has no bin rules, or they forbid the load.
        """
        bin_ = self._held.get(location)
        if bin_ is None:
            found = self._bins.governing(location)
            if found is None:
                raise PutawayError(
                    location=location,
                    rule="rules",
                    detail="it has no put-away rules; set them with putaway.set_bin()",
                )
            bin_ = found
        part = load if quantity is None else _part(load, quantity)
        why = refusal(part, bin_)
        if why is None and quantity is not None and _over_room(part, bin_):
            why = ("capacity", f"it has room for less than {quantity} {load.lines[0].sku}")
        if why is not None:
            raise PutawayError(location=bin_.location, rule=why[0], detail=why[1])
        self._held[location] = bin_.adding(part, quantity)


def _part(load: Load, quantity: Decimal) -> Load:
    return attrs.evolve(load, lines=(attrs.evolve(load.lines[0], quantity=quantity),))


def _over_room(load: Load, bin_: Bin) -> bool:
    return room(load.lines[0], bin_) < load.lines[0].quantity


class Bins:
    """The bins of a store, as put-away judges them: rules and what each holds."""

    def __init__(self, r: LedgerReader, cache: RulesCache | None = None) -> None:
        self._r = r
        self._cache = RulesCache() if cache is None else cache
        self._profiles: dict[str, StorageProfile] = {}
        self._outer: dict[str, str] = {}

    def profile(self, sku: str) -> StorageProfile:
        """The storage profile of ``sku`` (read once)."""
        if sku not in self._profiles:
            self._profiles[sku] = profile(self._r, sku)
        return self._profiles[sku]

    def all(self, within: str | None) -> dict[str, Bin]:
        """Every bin (at ``within`` and below), by path, with what it holds."""
        r = self._r
        every, profiles = self._cache.rules(r)
        rules = (
            every
            if within is None
            else {path: rule for path, rule in every.items() if under(path, within)}
        )
        if not rules:
            return {}
        self._profiles.update(profiles)
        sequence = {loc.path: loc.pick_sequence for loc in r.locations() if loc.path in rules}
        held: dict[str, list[Balance]] = {}
        for b in r.balances(BalanceQuery(location=within)):
            path = _bin_of(rules, b.position.location)
            if path is not None:
                held.setdefault(path, []).append(b)
        return {
            path: self._bin(rule, sequence.get(path, 0), held.get(path, ()))
            for path, rule in sorted(rules.items())
        }

    def governing(self, location: str) -> Bin | None:
        """The bin whose rules cover ``location`` (it or its nearest ancestor with rules)."""
        r = self._r
        for path in (location, *reversed(_parents(location))):
            doc = r.document(BIN_KIND, path)
            if doc is not None:
                rules = rules_of(doc)
                place = r.location(path)
                balances = r.balances(BalanceQuery(location=path))
                return self._bin(rules, 0 if place is None else place.pick_sequence, balances)
        return None

    def _bin(self, rules: BinRules, sequence: int, held: Iterable[Balance]) -> Bin:
        units = weight = volume = _ZERO
        items: set[str] = set()
        lots: set[tuple[str, str | None]] = set()
        containers: set[str] = set()
        for b in held:
            profile = self.profile(b.item)
            units += b.quantity
            weight += b.quantity * (profile.weight or 0)
            volume += b.quantity * (profile.volume or 0)
            items.add(b.item)
            lots.add((b.item, b.lot))
            if b.position.container is not None and rules.max_pallets is not None:
                containers.add(self.outermost(b.position.container))
        return Bin(
            rules=rules,
            pick_sequence=sequence,
            units=units,
            weight=weight,
            volume=volume,
            pallets=len(containers),
            items=frozenset(items),
            lots=frozenset(lots),
        )

    def outermost(self, code: str) -> str:
        """The outermost container ``code`` is packed in (itself if none), remembered."""
        if code not in self._outer:
            self._outer[code] = outermost(self._r, code)
        return self._outer[code]


def put_document(
    book: Book, w: LedgerWriter, kind: str, key: str, body: dict[str, Any], actor: str | None
) -> Document:
    """Create or replace a document at its current version."""
    old = w.document(kind, key)
    return w.put_document(
        kind, key, body, version=0 if old is None else old.version, actor=actor, at=book.now()
    )


def profile(r: LedgerReader, sku: str) -> StorageProfile:
    """The storage profile of ``sku``; an empty one if none was set."""
    doc = r.document(ITEM_KIND, sku)
    return StorageProfile(sku=sku) if doc is None else profile_of(doc)


def profile_of(doc: Document) -> StorageProfile:
    """A storage profile from its document."""
    b = doc.body
    return StorageProfile(
        sku=doc.key,
        storage=b["storage"],
        hazard=b["hazard"],
        category=b["category"],
        weight=None if b["weight"] is None else Decimal(b["weight"]),
        volume=None if b["volume"] is None else Decimal(b["volume"]),
        fixed_bin=b["fixed_bin"],
        updated_at=doc.updated_at,
        updated_by=doc.actor,
    )


def rules_of(doc: Document) -> BinRules:
    """Bin rules from their document."""
    b = doc.body
    return BinRules(
        location=doc.key,
        zone=b["zone"],
        storage=tuple(b["storage"]),
        hazards=tuple(b["hazards"]),
        categories=tuple(b["categories"]),
        statuses=tuple(b["statuses"]),
        mixing=Mixing(b["mixing"]),
        max_units=None if b["max_units"] is None else Decimal(b["max_units"]),
        max_weight=None if b["max_weight"] is None else Decimal(b["max_weight"]),
        max_volume=None if b["max_volume"] is None else Decimal(b["max_volume"]),
        max_pallets=b["max_pallets"],
        blocked=b["blocked"],
        updated_at=doc.updated_at,
        updated_by=doc.actor,
    )


def load_of(r: LedgerReader, stock: Sequence[Balance], status: str, container: str | None) -> Load:
    """The load that ``stock`` makes (a container's when ``container`` is given)."""
    lines = []
    for b in stock:
        item = Book.item(r, b.item)
        lines.append(
            LoadLine(
                sku=b.item,
                lot=b.lot,
                quantity=b.quantity,
                decimals=item.decimals,
                profile=profile(r, b.item),
            )
        )
    return Load(lines=tuple(lines), status=status, container=container)


def status_of(contents: Sequence[Balance]) -> str:
    """The status of a container load: its stock's, or available if mixed."""
    statuses = sorted({b.position.status for b in contents})
    return statuses[0] if len(statuses) == 1 else AVAILABLE


def subtree(r: LedgerReader, code: str) -> list[str]:
    """``code`` and every container packed in it, at any depth."""
    found = [code]
    for child in r.container_children(code):
        found += subtree(r, child)
    return found


def outermost(r: LedgerReader, code: str) -> str:
    """The outermost container ``code`` is packed in (itself if none)."""
    seen = {code}
    state = r.container_state(code)
    while state is not None and state.parent is not None and state.parent not in seen:
        code = state.parent
        seen.add(code)
        state = r.container_state(code)
    return code


def contents(r: LedgerReader, code: str) -> tuple[list[Balance], str]:
    """What container ``code`` holds (at any depth) and where it is."""
    if r.container(code) is None:
        raise UnknownContainerError(container=code)
    state = r.container_state(code)
    if state is not None and state.parent is not None:
        raise ContainerError(
            f"container {code} is packed in {state.parent}; put {state.parent} away, or "
            f"unpack {code} from it first"
        )
    contents = [b for c in subtree(r, code) for b in r.balances(BalanceQuery(container=c))]
    if not contents or state is None or state.location is None:
        raise ContainerError(f"container {code} is empty; there is nothing to put away")
    return contents, state.location


def _parents(path: str) -> list[str]:
    segments = path.split("/")
    return ["/".join(segments[:i]) for i in range(1, len(segments))]


def _bin_of(rules: dict[str, BinRules], location: str) -> str | None:
    if location in rules:
        return location
    for path in reversed(_parents(location)):
        if path in rules:
            return path
    return None
