"""Directed put-away, the pure part: rules, bins, loads, strategies and the plan.

Nothing here reads storage or the clock. :func:`plan_putaway` takes a :class:`Load` (what is
put away) and the :class:`Bin` locations it could go to (their rules and what they hold now),
asks a :class:`PutawayStrategy` which bins it prefers and why, and fills them in that order,
never into a bin whose rules forbid the load and never past a bin's capacity. Strategies are
built like the allocation policies: filters (``admits``) and orders (``sort_key`` with an
``explainer``), combined by :func:`putaway_strategy`, the leftmost order most significant and
the bin's path the final tie-breaker.
"""

from __future__ import annotations

import datetime as dt
import enum
import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import ROUND_FLOOR, Decimal
from operator import attrgetter
from typing import Any, Protocol, cast, runtime_checkable

import attrs

from stockline.ledger import AVAILABLE

__all__ = [
    "Bin",
    "BinChoice",
    "BinFilter",
    "BinOrder",
    "BinRules",
    "Consolidate",
    "EmptyOnly",
    "FixedBin",
    "Load",
    "LoadLine",
    "Mixing",
    "PickSequence",
    "Placement",
    "PutawayPlan",
    "PutawayStrategy",
    "StorageProfile",
    "Zones",
    "default_strategy",
    "plan_putaway",
    "putaway_strategy",
    "refusal",
    "room",
]

_ZERO = Decimal(0)


class Mixing(enum.StrEnum):
    """What a bin may hold together."""

    ANY = "any"
    """Any items and lots."""
    ITEM = "item"
    """One item (any of its lots)."""
    LOT = "lot"
    """One item, and one lot of it."""


@attrs.frozen(kw_only=True)
class StorageProfile:
    """How an item is stored: what put-away judges bins by.

    Attributes:
        sku: The item.
        storage: The storage condition it needs (``"frozen"``, ``"chilled"``, ...); ``None``
            for ambient goods, which go only into bins that name no condition.
        hazard: Its hazard class (``"3"`` for flammable liquids, ...), or ``None``.
        category: Its category (``"food"``, ``"spare parts"``, ...), or ``None``.
        weight: The weight of one base unit (in the unit the bins' ``max_weight`` uses).
        volume: The volume of one base unit (in the unit the bins' ``max_volume`` uses).
        fixed_bin: Its fixed bin, which :class:`FixedBin` puts first.
        updated_at: When it was last set.
        updated_by: Who last set it.
    """

    sku: str
    storage: str | None = None
    hazard: str | None = None
    category: str | None = None
    weight: Decimal | None = None
    volume: Decimal | None = None
    fixed_bin: str | None = None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None


@attrs.frozen(kw_only=True)
class BinRules:
    """What a location takes when stock is put away into it.

    Attributes:
        location: The location (its sub-locations count as part of it).
        zone: The zone it belongs to (``"FROZEN"``, ``"HAZMAT"``, ...), for :class:`Zones`.
        storage: The storage conditions it keeps; empty for an ambient bin, which takes only
            items that need none.
        hazards: The hazard classes it may hold; empty: no hazardous goods.
        categories: The item categories it takes; empty: any.
        statuses: The stock statuses it takes (``"quarantine"`` for a quarantine cage);
            empty: any.
        mixing: Whether it may hold several items, or lots, at once.
        max_units: Its capacity in base units (of every item together).
        max_weight: Its capacity in weight (items need a weight).
        max_volume: Its capacity in volume (items need a volume).
        max_pallets: How many handling units (containers) it holds; loose stock takes none.
        blocked: Closed to put-away (a damaged rack, a bin being counted).
        updated_at: When the rules were last set.
        updated_by: Who last set them.
    """

    location: str
    zone: str | None = None
    storage: tuple[str, ...] = ()
    hazards: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    mixing: Mixing = Mixing.ANY
    max_units: Decimal | None = None
    max_weight: Decimal | None = None
    max_volume: Decimal | None = None
    max_pallets: int | None = None
    blocked: bool = False
    updated_at: dt.datetime | None = None
    updated_by: str | None = None
    #: The rules that judge the kind of stock (not its amount or its neighbours): bins that
    #: share them take the same loads, so a plan judges each such kind once.
    #: (A small number naming that kind: tuples do not cache their hash, numbers are cheap.)
    _kind: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        kind = (self.blocked, self.statuses, self.storage, self.hazards, self.categories)
        object.__setattr__(self, "_kind", _KINDS.setdefault(kind, len(_KINDS)))


#: Every kind of bin rules seen, numbered (a handful in any warehouse).
_KINDS: dict[tuple[Any, ...], int] = {}


@attrs.frozen(kw_only=True)
class Bin:
    """A location put-away may choose, with what it holds now.

    Attributes:
        rules: Its put-away rules.
        pick_sequence: Where it comes in a walk (lower first), for :class:`PickSequence`.
        units: What it holds, in base units of every item, every status.
        weight: The weight of what it holds.
        volume: The volume of what it holds.
        pallets: The handling units (outermost containers) in it.
        items: The items it holds.
        lots: The ``(sku, lot)`` pairs it holds (``lot`` ``None`` for untracked stock).
    """

    rules: BinRules
    pick_sequence: int = 0
    units: Decimal = _ZERO
    weight: Decimal = _ZERO
    volume: Decimal = _ZERO
    pallets: int = 0
    items: frozenset[str] = frozenset()
    lots: frozenset[tuple[str, str | None]] = frozenset()

    @property
    def location(self) -> str:
        """The bin's location path."""
        return self.rules.location

    def adding(self, load: Load, quantity: Decimal | None = None) -> Bin:
        """Return the bin as it is after ``quantity`` of a loose load (or the whole of a
        container load, when ``None``) is put into it."""
        lines = (
            load.lines if quantity is None else (attrs.evolve(load.lines[0], quantity=quantity),)
        )
        return attrs.evolve(
            self,
            units=self.units + sum((x.quantity for x in lines), _ZERO),
            weight=self.weight + sum((x.quantity * (x.profile.weight or 0) for x in lines), _ZERO),
            volume=self.volume + sum((x.quantity * (x.profile.volume or 0) for x in lines), _ZERO),
            pallets=self.pallets + (1 if load.container is not None else 0),
            items=self.items | {x.sku for x in lines},
            lots=self.lots | {(x.sku, x.lot) for x in lines},
        )


@attrs.frozen(kw_only=True)
class LoadLine:
    """One item (and lot) of a load.

    Attributes:
        sku: The item.
        lot: The lot, if tracked.
        quantity: How much, in base units.
        decimals: The precision of the item's unit: a split never leaves a finer quantity.
        profile: How the item is stored.
    """

    sku: str
    lot: str | None = None
    quantity: Decimal
    decimals: int = 0
    profile: StorageProfile


@attrs.frozen(kw_only=True)
class Load:
    """What is put away: loose stock of one item, or a whole container.

    Attributes:
        lines: Its items and lots; a loose load has exactly one.
        status: The stock's status.
        container: The container, when a whole handling unit is put away: it goes into one
            bin, never split, and takes one of its ``max_pallets``.
    """

    lines: tuple[LoadLine, ...]
    status: str = AVAILABLE
    container: str | None = None

    @property
    def quantity(self) -> Decimal:
        """Everything in the load, in base units."""
        return sum((x.quantity for x in self.lines), _ZERO)


@attrs.frozen(kw_only=True)
class BinChoice:
    """A bin a strategy offers, with why it comes where it does.

    Attributes:
        bin: The bin.
        reason: Why, in words.
    """

    bin: Bin
    reason: str


@attrs.frozen(kw_only=True)
class Placement:
    """Put ``quantity`` of the load into ``location``.

    Attributes:
        location: The bin.
        quantity: How much (a container load: everything in it).
        reason: Why this bin, as the strategy explains it, and how much room it had.
    """

    location: str
    quantity: Decimal
    reason: str


@attrs.frozen(kw_only=True)
class PutawayPlan:
    """Where a load goes.

    Attributes:
        placements: The bins, best first.
        unplaced: What no bin could take (the whole of a container no bin fits).
    """

    placements: tuple[Placement, ...] = ()
    unplaced: Decimal = _ZERO


# -- the rules no strategy can widen ---------------------------------------------------------


def refusal(load: Load, bin: Bin) -> tuple[str, str] | None:
    """Return the rule of ``bin`` that forbids ``load`` and why, or ``None`` if it may take
    some of it (a container load: all of it).

    Every rule but capacity is checked first; then a container load must fit whole, and a
    loose load must fit at least its smallest step (one unit of its precision).
    """
    rules = bin.rules
    found = _kind_refusal(load, rules)
    if found is not None:
        return found
    if rules.mixing is not Mixing.ANY and len({(x.sku, x.lot) for x in load.lines}) > 1:
        mixed = {x.sku for x in load.lines}
        if rules.mixing is Mixing.LOT or len(mixed) > 1:
            return "mixing", f"it holds one {rules.mixing} only, and {load.container} holds several"
    for line in load.lines:
        found = _refusal_of(line, bin)
        if found is not None:
            return found
    if load.container is not None:
        if rules.max_pallets is not None and bin.pallets + 1 > rules.max_pallets:
            return "capacity", f"it holds {bin.pallets} of {rules.max_pallets} handling units"
        after = bin.adding(load)
        return _over(rules, after)
    if room(load.lines[0], bin) <= 0:
        return "capacity", f"it has no room for {load.lines[0].sku}"
    return None


def _kind_refusal(load: Load, rules: BinRules) -> tuple[str, str] | None:
    """The rule that forbids the kind of stock ``load`` is, whatever the bin holds."""
    if rules.blocked:
        return "blocked", f"{rules.location} is blocked for put-away"
    if rules.statuses and load.status not in rules.statuses:
        return "status", f"it takes {', '.join(rules.statuses)}, not {load.status} stock"
    for line in load.lines:
        found = _line_kind_refusal(line, rules)
        if found is not None:
            return found
    return None


def _line_kind_refusal(line: LoadLine, rules: BinRules) -> tuple[str, str] | None:
    profile = line.profile
    if profile.storage is None:
        if rules.storage:
            return "storage", f"it keeps {', '.join(rules.storage)} goods; {line.sku} is ambient"
    elif profile.storage not in rules.storage:
        kept = ", ".join(rules.storage) or "ambient"
        return "storage", f"{line.sku} needs {profile.storage}; it keeps {kept} goods"
    if profile.hazard is not None and profile.hazard not in rules.hazards:
        return "hazard", f"{line.sku} is hazard class {profile.hazard}; it takes " + (
            ", ".join(rules.hazards) or "no hazardous goods"
        )
    if rules.categories and profile.category not in rules.categories:
        return "category", f"{line.sku} is {profile.category or 'uncategorised'}; it takes " + (
            ", ".join(rules.categories)
        )
    return None


def _refusal_of(line: LoadLine, bin: Bin) -> tuple[str, str] | None:
    rules, profile = bin.rules, line.profile
    if rules.mixing is Mixing.ITEM and not bin.items <= {line.sku}:
        return "mixing", f"it holds {', '.join(sorted(bin.items))}, one item only"
    if rules.mixing is Mixing.LOT and not bin.lots <= {(line.sku, line.lot)}:
        held = ", ".join(sorted(f"{s} lot {lot}" for s, lot in bin.lots))
        return "mixing", f"it holds {held}, one lot only"
    if rules.max_weight is not None and profile.weight is None:
        return "capacity", f"its capacity is by weight, and {line.sku} has no weight"
    if rules.max_volume is not None and profile.volume is None:
        return "capacity", f"its capacity is by volume, and {line.sku} has no volume"
    return None


def _over(rules: BinRules, after: Bin) -> tuple[str, str] | None:
    for name, held, limit in (
        ("units", after.units, rules.max_units),
        ("weight", after.weight, rules.max_weight),
        ("volume", after.volume, rules.max_volume),
    ):
        if limit is not None and held > limit:
            return "capacity", f"it would hold {held} {name}, more than its {limit}"
    return None


def room(line: LoadLine, bin: Bin) -> Decimal:
    """How much of ``line``'s item ``bin`` has room for, by every capacity it has, in whole
    steps of the item's precision (without looking at its other rules)."""
    rules, profile = bin.rules, line.profile
    fits: list[Decimal] = []
    if rules.max_units is not None:
        fits.append(rules.max_units - bin.units)
    if rules.max_weight is not None:
        if not profile.weight:
            return line.quantity if profile.weight == 0 else _ZERO
        fits.append((rules.max_weight - bin.weight) / profile.weight)
    if rules.max_volume is not None:
        if not profile.volume:
            return line.quantity if profile.volume == 0 else _ZERO
        fits.append((rules.max_volume - bin.volume) / profile.volume)
    if not fits:
        return line.quantity
    step = Decimal(1).scaleb(-line.decimals)
    most = min(min(fits), line.quantity)
    return max(most.quantize(step, rounding=ROUND_FLOOR), _ZERO)


# -- strategies --------------------------------------------------------------------------------


@runtime_checkable
class PutawayStrategy(Protocol):
    """Decides which bins a load goes to, and in which order. Pure: never reads storage.

    :func:`plan_putaway` asks the strategy for its ``eligible`` bins and their ``rank``, then
    fills them in that order, passing over any bin whose rules forbid the load (blocked,
    status, storage condition, hazard class, category, mixing) or that has no room: a
    strategy can narrow the choice, never widen it. Build one with :func:`putaway_strategy`.
    """

    def eligible(self, load: Load, bins: Sequence[Bin]) -> Sequence[Bin]:
        """Return the bins this strategy is willing to use (a subset of ``bins``)."""
        ...

    def rank(self, load: Load, eligible: Sequence[Bin]) -> Iterable[BinChoice]:
        """Return the eligible bins, best first, each with a reason; may be lazy."""
        ...


@runtime_checkable
class BinFilter(Protocol):
    """A rule a bin must meet; a building block for :func:`putaway_strategy`."""

    def admits(self, load: Load, bin: Bin) -> bool:
        """Return whether ``bin`` may take ``load``."""
        ...


@runtime_checkable
class BinOrder(Protocol):
    """A sort key over bins; a building block for :func:`putaway_strategy`."""

    def sort_key(self, load: Load, bin: Bin) -> tuple[Any, ...]:
        """Return the key to sort ``bin`` by; smaller keys are filled first."""
        ...

    def explainer(self, load: Load, eligible: Sequence[Bin]) -> Callable[[Bin], str]:
        """Return a function that says why a bin comes where it does ("" for nothing)."""
        ...


@attrs.frozen
class ComposedStrategy:
    """A strategy built by :func:`putaway_strategy`.

    Attributes:
        steps: The filters and orders, as given.
    """

    steps: tuple[BinFilter | BinOrder, ...]

    def __attrs_post_init__(self) -> None:
        for step in self.steps:
            if not isinstance(step, BinFilter | BinOrder):
                raise TypeError(
                    "putaway_strategy() takes filters (with admits()) and orders (with "
                    f"sort_key() and explainer()), got {step!r}"
                )

    def eligible(self, load: Load, bins: Sequence[Bin]) -> Sequence[Bin]:
        """Return the bins every filter admits."""
        for step in self.steps:
            if isinstance(step, BinFilter):
                admits = step.admits
                bins = [b for b in bins if admits(load, b)]
        return bins

    def rank(self, load: Load, eligible: Sequence[Bin]) -> Iterator[BinChoice]:
        """Yield bins by the orders' keys, then by path, lazily (a heap: planning usually
        reads a few bins out of thousands)."""
        orders = [s for s in self.steps if isinstance(s, BinOrder)]
        found = [_sort_keys(order, load, eligible) for order in orders]
        columns = [column for column in found if column is not None]
        keys: Sequence[Any]
        if not columns:
            keys = [()] * len(eligible)
        elif len(columns) == 1:
            keys = columns[0]
        else:
            keys = list(zip(*columns, strict=True))
        # The path rides along as the tie-breaker; attrgetter and zip stay in C.
        heap = list(zip(keys, map(_PATH, eligible), range(len(eligible)), strict=True))
        heapq.heapify(heap)
        explainers = [order.explainer(load, eligible) for order in orders]
        while heap:
            chosen = eligible[heapq.heappop(heap)[2]]
            parts = [text for explain in explainers if (text := explain(chosen))]
            yield BinChoice(bin=chosen, reason="; ".join(parts) or "by location")


_PATH = attrgetter("rules.location")
_SEQUENCE = attrgetter("pick_sequence")
_KIND = attrgetter("rules._kind")
_ITEMS = attrgetter("items")
_LOTS = attrgetter("lots")


def _sort_keys(order: BinOrder, load: Load, bins: Sequence[Bin]) -> Sequence[Any] | None:
    # Optional bulk form: one pass in the step's own loop saves a call per bin. Its keys may
    # be plain values rather than tuples, ordering bins as sort_key does; None says that the
    # order ranks every one of these bins alike (a fixed bin for an item that has none).
    bulk = getattr(order, "sort_keys", None)
    if bulk is not None:
        return cast(Sequence[Any] | None, bulk(load, bins))
    key = order.sort_key
    return [key(load, b) for b in bins]


def putaway_strategy(*steps: BinFilter | BinOrder) -> ComposedStrategy:
    """Build a put-away strategy from filters and orders.

    Every filter applies, then bins are sorted by the orders' keys (the leftmost most
    significant), then by path, so a plan never depends on the order bins were passed in.

    Raises:
        TypeError: A step is neither a filter nor an order.

    Example:
        >>> from stockline.operations import Consolidate, PickSequence, Zones, putaway_strategy
        >>> strategy = putaway_strategy(Zones(preferred=("FAST",)), Consolidate(), PickSequence())
    """
    return ComposedStrategy(steps)


@attrs.frozen
class FixedBin:
    """Order: the item's fixed bin (:attr:`StorageProfile.fixed_bin`) first."""

    def sort_key(self, load: Load, bin: Bin) -> tuple[Any, ...]:
        """0 for the fixed bin of the load's item, 1 for any other."""
        fixed = load.lines[0].profile.fixed_bin
        return (0 if fixed is not None and bin.rules.location == fixed else 1,)

    def sort_keys(self, load: Load, bins: Sequence[Bin]) -> list[Any] | None:
        """The keys of every bin in one pass, ordered as ``sort_key`` orders them; ``None``
        when the item has no fixed bin."""
        fixed = load.lines[0].profile.fixed_bin
        if fixed is None:
            return None
        return [0 if path == fixed else 1 for path in map(_PATH, bins)]

    def explainer(self, load: Load, eligible: Sequence[Bin]) -> Callable[[Bin], str]:
        """Names the fixed bin."""
        fixed = load.lines[0].profile.fixed_bin
        return lambda b: f"fixed bin of {load.lines[0].sku}" if b.rules.location == fixed else ""


@attrs.frozen
class Consolidate:
    """Order: bins that already hold the load's lot first, then those holding its item, then
    empty bins, then the rest (to keep an item together)."""

    def sort_key(self, load: Load, bin: Bin) -> tuple[Any, ...]:
        """0: holds the lot; 1: holds the item; 2: empty; 3: holds other things."""
        line = load.lines[0]
        if (line.sku, line.lot) in bin.lots:
            return (0,)
        if line.sku in bin.items:
            return (1,)
        return (2,) if not bin.items else (3,)

    def sort_keys(self, load: Load, bins: Sequence[Bin]) -> list[Any]:
        """The keys of every bin in one pass, ordered as ``sort_key`` orders them."""
        line = load.lines[0]
        lot, sku = (line.sku, line.lot), line.sku
        return [
            (0 if lot in lots else 1) if sku in items else (3 if items else 2)
            for items, lots in zip(map(_ITEMS, bins), map(_LOTS, bins), strict=True)
        ]

    def explainer(self, load: Load, eligible: Sequence[Bin]) -> Callable[[Bin], str]:
        """Says what the bin holds of the load's item."""
        line = load.lines[0]
        lot = f" lot {line.lot}" if line.lot is not None else ""

        def explain(b: Bin) -> str:
            if (line.sku, line.lot) in b.lots:
                return f"already holds {line.sku}{lot}"
            if line.sku in b.items:
                return f"already holds {line.sku}"
            return "empty" if not b.items else ""

        return explain


@attrs.frozen
class PickSequence:
    """Order: by the location's pick sequence (lower first): the nearest in the walk."""

    def sort_key(self, load: Load, bin: Bin) -> tuple[Any, ...]:
        """The bin's pick sequence."""
        return (bin.pick_sequence,)

    def sort_keys(self, load: Load, bins: Sequence[Bin]) -> list[Any]:
        """The keys of every bin in one pass, ordered as ``sort_key`` orders them."""
        return list(map(_SEQUENCE, bins))

    def explainer(self, load: Load, eligible: Sequence[Bin]) -> Callable[[Bin], str]:
        """Names the pick sequence."""
        return lambda b: f"pick sequence {b.pick_sequence}"


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError(f"zones are a list of names, not the string {value!r}")
    return tuple(value)


@attrs.frozen
class Zones:
    """Filter and order by zone: only bins in ``allowed`` zones (all when empty), those in
    ``preferred`` first, in the order given.

    Attributes:
        preferred: Zones to fill first, best first.
        allowed: The only zones to use; empty: any.
    """

    preferred: tuple[str, ...] = attrs.field(default=(), converter=_names)
    allowed: tuple[str, ...] = attrs.field(default=(), converter=_names)

    def admits(self, load: Load, bin: Bin) -> bool:
        """Whether the bin's zone is allowed."""
        return not self.allowed or bin.rules.zone in self.allowed

    def sort_key(self, load: Load, bin: Bin) -> tuple[Any, ...]:
        """The zone's place in ``preferred``; after them for any other."""
        zone = bin.rules.zone
        return (self.preferred.index(zone) if zone in self.preferred else len(self.preferred),)

    def explainer(self, load: Load, eligible: Sequence[Bin]) -> Callable[[Bin], str]:
        """Names a preferred zone."""
        return lambda b: f"preferred zone {b.rules.zone}" if b.rules.zone in self.preferred else ""


@attrs.frozen
class EmptyOnly:
    """Filter: only empty bins (a pallet per location, a new lot in a clean bin)."""

    def admits(self, load: Load, bin: Bin) -> bool:
        """Whether the bin holds nothing."""
        return not bin.items and bin.pallets == 0


def default_strategy() -> ComposedStrategy:
    """The strategy used when none is given: the fixed bin, then bins holding the item
    (consolidate), then empty bins, each by pick sequence."""
    return putaway_strategy(FixedBin(), Consolidate(), PickSequence())


# -- the plan ----------------------------------------------------------------------------------


def _of_kind(load: Load, bins: Sequence[Bin]) -> list[Bin]:
    """The bins whose rules take the kind of stock ``load`` is (blocked, status, storage,
    hazard, category), judged once per kind of bin rules."""
    kinds = list(map(_KIND, bins))
    first = dict(zip(kinds, bins, strict=True))
    taken = {k for k, b in first.items() if _kind_refusal(load, b.rules) is None}
    if len(taken) == len(first):
        return list(bins)
    return [b for b, k in zip(bins, kinds, strict=True) if k in taken]


def plan_putaway(
    load: Load, bins: Sequence[Bin], strategy: PutawayStrategy | None = None
) -> PutawayPlan:
    """Return where ``load`` goes among ``bins``, by ``strategy`` (:func:`default_strategy`
    when ``None``).

    Bins are filled in the strategy's order, each up to its room; a bin whose rules forbid
    the load is passed over. A container load goes whole into the first bin that fits it,
    or is left unplaced. A bin is used at most once.
    """
    if not load.lines:
        return PutawayPlan()
    chosen = default_strategy() if strategy is None else strategy
    ranking = chosen.rank(load, chosen.eligible(load, _of_kind(load, bins)))
    if load.container is not None:
        for choice in ranking:
            if refusal(load, choice.bin) is None:
                placement = Placement(
                    location=choice.bin.location, quantity=load.quantity, reason=choice.reason
                )
                return PutawayPlan(placements=(placement,))
        return PutawayPlan(unplaced=load.quantity)
    line = load.lines[0]
    left = line.quantity
    placements = []
    for choice in ranking:
        if refusal(load, choice.bin) is not None:
            continue
        take = min(room(line, choice.bin), left)
        if take <= 0:
            continue
        placements.append(
            Placement(location=choice.bin.location, quantity=take, reason=choice.reason)
        )
        left -= take
        if left <= 0:
            break
    return PutawayPlan(placements=tuple(placements), unplaced=left)
