"""Expected receipts: what a supplier's EPCIS document says is on its way, and how what was
received compares with it.

:func:`expectations_from` reads the shipping events of a document (``ObjectEvent`` or
``AggregationEvent`` with bizStep ``shipping``, ``departing`` or ``consigning``) into one
:class:`ExpectedReceipt` per shipment. What a shipped SSCC or serialised case holds comes from
the packing (``AggregationEvent``) events of the same document, applied in time order up to the
shipment, nested as deep as they go; lot and expiry come from the identifiers themselves
(``lgtin``, Digital Link ``/10/``) or from the ``ilmd`` of the commissioning (``ADD``) or
transformation events that created them (``cbvmda:lotNumber``, ``cbvmda:itemExpirationDate``,
``cbvmda:bestBeforeDate``).

:func:`compare` then sets the announced lines against what was received, in the item's base
unit, and says per line whether it is complete, short or over, and which serials, lots or items
arrived that were never announced. Both are pure: the service
(:class:`stockline.epcis.Epcis`, ``inv.epcis``) reads master data and stores the documents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from stockline.epcis._import import EpcisDocument, EpcisEvent, QuantityElement
from stockline.errors import BarcodeError, EpcisError
from stockline.ledger import Item, Tracking

if TYPE_CHECKING:
    # Imported when a document is read, not with the inventory: stockline.gs1 needs biip.
    from stockline.gs1 import Epc

__all__ = [
    "KIND",
    "SHIPPING_STEPS",
    "ExpectationReport",
    "ExpectedLine",
    "ExpectedReceipt",
    "Received",
    "ReportLine",
    "compare",
    "expectations_from",
]

#: The operational document kind expected receipts are stored under.
KIND = "expected-receipt"
#: The bizSteps whose events announce goods leaving for us (CBV: ``shipping`` summarises
#: ``staging_outbound``, ``loading`` and ``departing``, which are not read, so that a document
#: giving both the summary and the steps is not counted twice).
SHIPPING_STEPS = frozenset({"shipping", "departing", "consigning"})

_LOT_KEYS = ("cbvmda:lotNumber", "urn:epcglobal:cbv:mda:lotNumber")
_EXPIRY_KEYS = ("cbvmda:itemExpirationDate", "urn:epcglobal:cbv:mda:itemExpirationDate")
_BEST_BEFORE_KEYS = ("cbvmda:bestBeforeDate", "urn:epcglobal:cbv:mda:bestBeforeDate")
# The business transaction that names a shipment best comes first.
_KEY_TYPES = ("desadv", "bol", "po")
# Identifiers that claim to be a trade item or logistic unit must decode; anything else
# (returnable assets, documents, a URN of the sender's own) is listed as not checked.
_GS1_KEY_PREFIXES = (
    "urn:epc:id:sgtin:",
    "urn:epc:class:lgtin:",
    "urn:epc:idpat:sgtin:",
    "urn:epc:id:sscc:",
)


# -- the announcement --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ExpectedLine:
    """One announced trade item, lot or quantity.

    Attributes:
        gtin: The GTIN-14 announced (a unit's, or a case's when cases are announced).
        serial: The serial, for a serialised item (quantity 1).
        lot: The lot, if the document says it.
        expiry: The expiry (or best-before) date, if the document says it.
        quantity: How many instances of ``gtin`` (or ``uom`` units); ``None`` when the document
            does not say.
        uom: The UN/ECE Rec 20 unit of ``quantity``; ``None`` for a count of instances.
        parents: The SSCCs and serialised cases it is packed in, outermost first (an SSCC as
            its 18 digits, a case as ``(01)<gtin>(21)<serial>``).
    """

    gtin: str
    serial: str | None = None
    lot: str | None = None
    expiry: dt.date | None = None
    quantity: Decimal | None = None
    uom: str | None = None
    parents: tuple[str, ...] = ()

    @property
    def container(self) -> str | None:
        """The innermost SSCC the line is packed in, which a receipt puts it in."""
        return next((p for p in reversed(self.parents) if p.isdigit()), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "gtin": self.gtin,
            "serial": self.serial,
            "lot": self.lot,
            "expiry": None if self.expiry is None else self.expiry.isoformat(),
            "quantity": None if self.quantity is None else str(self.quantity),
            "uom": self.uom,
            "parents": list(self.parents),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExpectedLine:
        return cls(
            gtin=data["gtin"],
            serial=data["serial"],
            lot=data["lot"],
            expiry=None if data["expiry"] is None else dt.date.fromisoformat(data["expiry"]),
            quantity=None if data["quantity"] is None else Decimal(data["quantity"]),
            uom=data["uom"],
            parents=tuple(data["parents"]),
        )


@attrs.frozen(kw_only=True)
class ExpectedReceipt:
    """A shipment a supplier announced, as read from its EPCIS document.

    Attributes:
        key: Its key: the despatch advice (``desadv``) of the shipping events, else their bill
            of lading, else their purchase order (the business transaction URI as written), else
            the document's own identifier; or the key the caller chose.
        shipped_at: When the (first) shipping event happened.
        document: The document's ``id`` or ``instanceIdentifier``, else ``sha256:`` and a
            digest of its content.
        sender: The document's ``sender``, if any.
        refs: The business transactions of the shipping events, ``(CBV type, URI)``.
        sources: ``(type, URI)`` of the shipping events' ``sourceList`` (owning party, location).
        destinations: ``(type, URI)`` of their ``destinationList``.
        lines: What was announced, one line per serial, lot or quantity.
        containers: Every SSCC announced, nested ones too.
        unchecked: Identifiers shipped that name no trade item or logistic unit (a GRAI, a
            document, ...): listed, not checked on receipt.
    """

    key: str
    shipped_at: dt.datetime
    document: str
    sender: str | None = None
    refs: tuple[tuple[str, str], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    destinations: tuple[tuple[str, str], ...] = ()
    lines: tuple[ExpectedLine, ...] = ()
    containers: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return it as a JSON-compatible mapping (dates and decimals as strings)."""
        return {
            "key": self.key,
            "shipped_at": self.shipped_at.isoformat(),
            "document": self.document,
            "sender": self.sender,
            "refs": [list(r) for r in self.refs],
            "sources": [list(s) for s in self.sources],
            "destinations": [list(d) for d in self.destinations],
            "lines": [line.to_json() for line in self.lines],
            "containers": list(self.containers),
            "unchecked": list(self.unchecked),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExpectedReceipt:
        """Read back what :meth:`to_json` wrote."""
        return cls(
            key=data["key"],
            shipped_at=dt.datetime.fromisoformat(data["shipped_at"]),
            document=data["document"],
            sender=data["sender"],
            refs=tuple((t, u) for t, u in data["refs"]),
            sources=tuple((t, u) for t, u in data["sources"]),
            destinations=tuple((t, u) for t, u in data["destinations"]),
            lines=tuple(ExpectedLine.from_json(line) for line in data["lines"]),
            containers=tuple(data["containers"]),
            unchecked=tuple(data["unchecked"]),
        )

    def under(self, parent: str) -> tuple[ExpectedLine, ...]:
        """The lines packed (at any depth) in ``parent``: an SSCC or ``(01)..(21)..``."""
        return tuple(line for line in self.lines if parent in line.parents)


# -- reading shipments out of a document -------------------------------------------------------


def _decode_epc(uri: str, *, today: dt.date | None) -> Epc:
    from stockline.gs1 import decode_epc

    return decode_epc(uri, today=today)


def _canonical(epc: Epc) -> str | None:
    """How a parent is named in ``ExpectedLine.parents``."""
    if epc.kind == "sscc":
        return epc.sscc
    if epc.kind == "sgtin":
        return f"(01){epc.gtin}(21){epc.serial}"
    return None


@attrs.define
class _Reader:
    document: EpcisDocument
    today: dt.date | None
    problems: list[tuple[str, str]] = attrs.field(factory=list)
    # parent (canonical) -> its children: EPC URIs and quantity elements
    contents: dict[str, list[str | QuantityElement]] = attrs.field(factory=dict)
    # ilmd by what it describes: ("sgtin", gtin, serial) / ("class", gtin, lot or "")
    master: dict[tuple[str, ...], tuple[str | None, dt.date | None]] = attrs.field(factory=dict)

    def decode(self, uri: str, path: str, *, strict: bool) -> Epc | None:
        try:
            return _decode_epc(uri, today=self.today)
        except BarcodeError as e:
            looks_gs1 = uri.lower().startswith(_GS1_KEY_PREFIXES) or _is_gs1_link(uri)
            if strict and looks_gs1:
                self.problems.append((path, str(e)))
            return None

    # -- master data from ilmd -------------------------------------------------------------

    def learn(self, event: EpcisEvent) -> None:
        if not event.ilmd:
            return
        lot, expiry = self.ilmd(event)
        if lot is None and expiry is None:
            return
        is_output = event.type == "TransformationEvent"
        epcs = event.output_epcs if is_output else event.epcs
        classes = event.output_quantities if is_output else event.quantities
        for uri in epcs:
            epc = self.decode(uri, event.path, strict=False)
            if epc is not None and epc.kind == "sgtin":
                assert epc.gtin is not None
                assert epc.serial is not None
                self.master[("sgtin", epc.gtin, epc.serial)] = (lot, expiry)
        for element in classes:
            epc = self.decode(element.epc_class, event.path, strict=False)
            if epc is not None and epc.kind in ("lgtin", "gtin"):
                assert epc.gtin is not None
                self.master[("class", epc.gtin, epc.lot or "")] = (lot, expiry)

    def learn_classes(self) -> None:
        """Lot master data from the header's EPCClass vocabulary: a lot class's number and
        expiry, given to the class and to the serials listed as its ``children``. ILMD of
        commissioning or transformation events, read after, takes precedence."""
        for uri, (attributes, children) in self.document.classes.items():
            where = f"$.epcisHeader.epcisMasterData[{uri!r}]"
            lot, expiry = self.attributes(attributes, where)
            epc = self.decode(uri, where, strict=False)
            if epc is None or epc.kind not in ("lgtin", "gtin") or epc.gtin is None:
                continue
            lot = lot or epc.lot
            if lot is None and expiry is None:
                continue
            self.master[("class", epc.gtin, epc.lot or "")] = (lot, expiry)
            for child in children:
                unit = self.decode(child, where, strict=False)
                if unit is not None and unit.kind == "sgtin":
                    assert unit.gtin is not None
                    assert unit.serial is not None
                    self.master[("sgtin", unit.gtin, unit.serial)] = (lot, expiry)

    def ilmd(self, event: EpcisEvent) -> tuple[str | None, dt.date | None]:
        return self.attributes(event.ilmd, f"{event.path}.ilmd")

    def attributes(
        self, values: Mapping[str, Any], where: str
    ) -> tuple[str | None, dt.date | None]:
        lot = next((values[k] for k in _LOT_KEYS if k in values), None)
        if lot is not None and not isinstance(lot, str):
            self.problems.append((where, f"the lot number {lot!r} is not text"))
            lot = None
        expiry = None
        for keys in (_EXPIRY_KEYS, _BEST_BEFORE_KEYS):
            found = next(((k, values[k]) for k in keys if k in values), None)
            if found is not None and expiry is None:
                expiry = self.date(found[1], f'{where}["{found[0]}"]')
        return lot, expiry

    def date(self, value: object, path: str) -> dt.date | None:
        try:
            if not isinstance(value, str):
                raise ValueError
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            self.problems.append((path, f"{value!r} is not a date (YYYY-MM-DD)"))
            return None

    # -- packing ---------------------------------------------------------------------------

    def pack(self, event: EpcisEvent) -> None:
        """Apply an AggregationEvent to what each parent holds."""
        if event.parent is None:
            return
        parent_epc = self.decode(event.parent, f"{event.path}.parentID", strict=True)
        parent = _canonical(parent_epc) if parent_epc is not None else None
        if parent is None:
            return
        held = self.contents.setdefault(parent, [])
        if event.action == "DELETE":
            if not event.epcs and not event.quantities:
                held.clear()
            gone = set(event.epcs) | {q.epc_class for q in event.quantities}
            held[:] = [c for c in held if (c if isinstance(c, str) else c.epc_class) not in gone]
            return
        for uri in event.epcs:
            for others in self.contents.values():
                if uri in others:
                    others.remove(uri)
            if uri not in held:
                held.append(uri)
        held.extend(event.quantities)

    # -- shipping --------------------------------------------------------------------------

    def shipped(self, event: EpcisEvent) -> tuple[list[ExpectedLine], list[str], list[str]]:
        lines: list[ExpectedLine] = []
        containers: list[str] = []
        unchecked: list[str] = []
        if event.type == "AggregationEvent" and event.parent is not None:
            epcs: Sequence[str] = [event.parent]
            classes: Sequence[QuantityElement] = []
        else:
            epcs, classes = event.epcs, event.quantities
        # An event may list a pallet and its content too: the content counts once, packed.
        inside: set[str] = set()
        packed: dict[str, Decimal] = {}
        for uri in epcs:
            self.collect(self.name(uri), inside, packed, set())
        for uri in epcs:
            if self.name(uri) not in inside:
                self.expand(uri, (), event, lines, containers, unchecked, set())
        for element in classes:
            if element.epc_class in packed:
                if element.quantity is None:
                    continue
                left = element.quantity - packed[element.epc_class]
                if left <= 0:
                    continue
                element = attrs.evolve(element, quantity=left)
            self.expand(element, (), event, lines, containers, unchecked, set())
        return lines, containers, unchecked

    def name(self, uri: str) -> str:
        """An EPC's canonical name (so a URN and a Digital Link of it match), else the URI."""
        try:
            epc = _decode_epc(uri, today=self.today)
        except BarcodeError:
            return uri
        return _canonical(epc) or uri

    def collect(
        self, name: str, inside: set[str], packed: dict[str, Decimal], seen: set[str]
    ) -> None:
        """Every object and class quantity ``name`` holds, at any depth."""
        if name in seen:
            return
        seen.add(name)
        for child in self.contents.get(name, []):
            if isinstance(child, QuantityElement):
                amount = child.quantity or Decimal(0)
                packed[child.epc_class] = packed.get(child.epc_class, Decimal(0)) + amount
            else:
                child_name = self.name(child)
                inside.add(child_name)
                self.collect(child_name, inside, packed, seen)

    def expand(
        self,
        entry: str | QuantityElement,
        parents: tuple[str, ...],
        event: EpcisEvent,
        lines: list[ExpectedLine],
        containers: list[str],
        unchecked: list[str],
        seen: set[str],
    ) -> None:
        if isinstance(entry, QuantityElement):
            self.expand_class(entry, parents, event, lines, unchecked)
            return
        epc = self.decode(entry, event.path, strict=True)
        if epc is None or epc.kind not in ("sscc", "sgtin"):
            unchecked.append(entry)
            return
        name = _canonical(epc)
        assert name is not None
        if name in seen:  # a packing loop in the document; report each object once
            return
        seen.add(name)
        if epc.kind == "sscc":
            containers.append(name)
        children = self.contents.get(name, [])
        if children:
            for child in children:
                self.expand(child, (*parents, name), event, lines, containers, unchecked, seen)
            return
        if epc.kind == "sscc":
            return  # an SSCC of unknown content: listed in containers only
        assert epc.gtin is not None
        lot, expiry = self.master.get(("sgtin", epc.gtin, epc.serial or ""), (None, None))
        lines.append(
            ExpectedLine(
                gtin=epc.gtin,
                serial=epc.serial,
                lot=epc.lot or lot,
                expiry=epc.expiry or expiry,
                quantity=Decimal(1),
                parents=parents,
            )
        )

    def expand_class(
        self,
        element: QuantityElement,
        parents: tuple[str, ...],
        event: EpcisEvent,
        lines: list[ExpectedLine],
        unchecked: list[str],
    ) -> None:
        epc = self.decode(element.epc_class, event.path, strict=True)
        if epc is None or epc.kind not in ("lgtin", "gtin"):
            unchecked.append(element.epc_class)
            return
        assert epc.gtin is not None
        amount = element.quantity
        if amount is not None and amount <= 0:
            # Beyond the schema (any JSON number passes it): nothing ships a negative amount.
            self.problems.append(
                (
                    event.path,
                    f"{element.epc_class} is announced with quantity {amount}; an "
                    "announced quantity must be more than 0",
                )
            )
            return
        if amount is not None and element.uom is None and amount != amount.to_integral_value():
            self.problems.append(
                (
                    event.path,
                    f"{element.epc_class} is announced with quantity {amount} and no "
                    "uom: a quantity without a unit counts instances and must be a whole number "
                    "(give the uom, e.g. KGM, for a measured quantity)",
                )
            )
            return
        lot, expiry = self.master.get(("class", epc.gtin, epc.lot or ""), (None, None))
        lines.append(
            ExpectedLine(
                gtin=epc.gtin,
                lot=epc.lot or lot,
                expiry=epc.expiry or expiry,
                quantity=element.quantity,
                uom=element.uom,
                parents=parents,
            )
        )


def _is_gs1_link(uri: str) -> bool:
    lowered = uri.lower()
    return lowered.startswith(("http://", "https://")) and any(
        f"/{ai}/" in lowered for ai in ("01", "00")
    )


def _is_shipping(event: EpcisEvent) -> bool:
    return (
        event.type in ("ObjectEvent", "AggregationEvent")
        and event.action in ("ADD", "OBSERVE")
        and event.biz_step in SHIPPING_STEPS
    )


def _key_of(event: EpcisEvent, fallback: str) -> str:
    for wanted in _KEY_TYPES:
        for kind, uri in event.biz_transactions:
            if kind == wanted:
                return uri
    return fallback


def expectations_from(
    document: EpcisDocument, *, key: str | None = None, today: dt.date | None = None
) -> list[ExpectedReceipt]:
    """Return the shipments an EPCIS document announces, one per key.

    Args:
        document: The document, as :func:`~stockline.epcis._import.read_epcis` read it.
        key: Put every shipping event under this key, instead of one expectation per despatch
            advice (bill of lading, purchase order, document).
        today: The date two-digit years in Digital Link ``?17=`` attributes are read around.

    Returns:
        The expectations in order of their first shipping event; empty when the document
        announces no shipment (it has no shipping events that are not retracted).

    Raises:
        EpcisError: A shipped identifier claims to be an SGTIN, LGTIN or SSCC (or a Digital
            Link of a GTIN or SSCC) but does not decode, or an ilmd date is not a date.
    """
    reader = _Reader(document=document, today=today)
    reader.learn_classes()
    default = document.id or document.instance_identifier or f"sha256:{document.digest}"
    live = [e for e in document.events if not e.retracted]
    # Packing at the same instant as a shipment happened before it.
    order = sorted(range(len(live)), key=lambda i: (live[i].time, _is_shipping(live[i]), i))
    for event in live:
        if (event.type == "ObjectEvent" and event.action == "ADD") or (
            event.type == "TransformationEvent"
        ):
            reader.learn(event)
    groups: dict[str, dict[str, Any]] = {}
    for i in order:
        event = live[i]
        if event.type == "AggregationEvent":
            reader.pack(event)
        if not _is_shipping(event):
            continue
        lines, containers, unchecked = reader.shipped(event)
        group = groups.setdefault(
            key or _key_of(event, default),
            {"events": [], "lines": [], "containers": [], "unchecked": []},
        )
        group["events"].append(event)
        group["lines"] += lines
        group["containers"] += containers
        group["unchecked"] += unchecked
    if reader.problems:
        raise EpcisError(
            problems=tuple(reader.problems),
            summary="announces goods stockline cannot identify or accept",
        )
    return [
        ExpectedReceipt(
            key=group_key,
            shipped_at=min(e.time for e in group["events"]),
            document=default,
            sender=document.sender,
            refs=_unique(r for e in group["events"] for r in e.biz_transactions),
            sources=_unique(s for e in group["events"] for s in e.sources),
            destinations=_unique(d for e in group["events"] for d in e.destinations),
            lines=_merged(group["lines"]),
            containers=_unique(group["containers"]),
            unchecked=_unique(group["unchecked"]),
        )
        for group_key, group in groups.items()
    ]


_T = TypeVar("_T")


def _unique(values: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(values))


def _merged(lines: Sequence[ExpectedLine]) -> tuple[ExpectedLine, ...]:
    """One line per serial, and per (GTIN, lot, unit, packing) for quantities."""
    serials: dict[tuple[str, str], ExpectedLine] = {}
    quantities: dict[tuple[Any, ...], ExpectedLine] = {}
    for line in lines:
        if line.serial is not None:
            # Listed twice (loose in one event, packed in another): keep where it is packed.
            known = serials.get((line.gtin, line.serial))
            if known is None or len(line.parents) > len(known.parents):
                serials[(line.gtin, line.serial)] = line
            continue
        same = (line.gtin, line.lot, line.expiry, line.uom, line.parents)
        first = quantities.get(same)
        if first is None:
            quantities[same] = line
        else:
            total = (
                None
                if first.quantity is None or line.quantity is None
                else first.quantity + line.quantity
            )
            quantities[same] = attrs.evolve(first, quantity=total)
    return (*serials.values(), *quantities.values())


# -- what was received -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Received:
    """One line of a receipt posted against an expectation.

    Attributes:
        transaction_id: The receipt.
        item: The SKU.
        gtin: The GTIN scanned (``None`` when received as part of a pallet or case).
        lot: The lot, if the item is lot- or serial-tracked.
        serial: The serial, if the item is serial-tracked.
        quantity: How much, in the item's base unit.
        container: The container it was received into.
        unexpected: It was received with ``allow_unexpected=True`` past the announcement.
        unit: The announced pallet or case (SSCC or ``(01)..(21)..``) whose scan received it,
            ``None`` when it was scanned on its own.
    """

    transaction_id: int
    item: str
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    quantity: Decimal
    container: str | None = None
    unexpected: bool = False
    unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "tx": self.transaction_id,
            "item": self.item,
            "gtin": self.gtin,
            "lot": self.lot,
            "serial": self.serial,
            "quantity": str(self.quantity),
            "container": self.container,
            "unexpected": self.unexpected,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Received:
        return cls(
            transaction_id=data["tx"],
            item=data["item"],
            gtin=data["gtin"],
            lot=data["lot"],
            serial=data["serial"],
            quantity=Decimal(data["quantity"]),
            container=data["container"],
            unexpected=data["unexpected"],
            unit=data.get("unit"),
        )


# -- comparing ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ReportLine:
    """How one announced line (or one thing not announced) was received.

    Attributes:
        status: ``"ok"`` (received as announced), ``"short"`` (less than announced, or an
            announced serial not received), ``"over"`` (more of an announced item and lot),
            ``"unexpected"`` (a serial, lot or item the document did not announce) or
            ``"unresolved"`` (an announced GTIN stockline cannot turn into an item: not in the
            master data, or announced in a unit the item is not counted in).
        item: The SKU (``None`` when unresolved).
        gtin: The GTIN announced (``None`` for something unexpected received loose).
        lot: The lot (``None``: not stated, any lot counts).
        serial: The serial, for a serialised line.
        expected: How much was announced, in the item's base unit (in ``uom`` when
            unresolved); ``None`` when the document gave no quantity. 0 for unexpected lines.
        received: How much was received against it, in the item's base unit.
        unit: The unit of both quantities.
        note: Why the line is unresolved.
    """

    status: str
    item: str | None
    gtin: str | None
    lot: str | None = None
    serial: str | None = None
    expected: Decimal | None
    received: Decimal
    unit: str | None = None
    note: str | None = None

    @property
    def difference(self) -> Decimal | None:
        """Received less expected: negative when short, positive when over."""
        return None if self.expected is None else self.received - self.expected

    def __str__(self) -> str:
        what = " ".join(
            part
            for part in (
                self.item or f"GTIN {self.gtin}",
                f"lot {self.lot}" if self.lot else "",
                f"serial {self.serial}" if self.serial else "",
            )
            if part
        )
        expected = "unstated" if self.expected is None else f"{self.expected}"
        unit = f" {self.unit}" if self.unit else ""
        text = f"{self.status}: {what}: expected {expected}, received {self.received}{unit}"
        return f"{text} ({self.note})" if self.note else text


@attrs.frozen(kw_only=True)
class ExpectationReport:
    """What was received against an expected receipt, line by line.

    Attributes:
        key: The expectation.
        lines: One line per announced serial, per announced (item, lot) quantity, and per
            serial, lot or item received that was not announced, in announcement order.
        receipts: The ids of the receipts counted (reversed ones are left out).
        unchecked: Shipped identifiers that were not checked (see
            :attr:`ExpectedReceipt.unchecked`).
    """

    key: str
    lines: tuple[ReportLine, ...]
    receipts: tuple[int, ...] = ()
    unchecked: tuple[str, ...] = ()

    @property
    def short(self) -> tuple[ReportLine, ...]:
        """Announced lines received in part or not at all (missing serials among them)."""
        return tuple(line for line in self.lines if line.status == "short")

    @property
    def over(self) -> tuple[ReportLine, ...]:
        """Announced lines received more than announced."""
        return tuple(line for line in self.lines if line.status == "over")

    @property
    def unexpected(self) -> tuple[ReportLine, ...]:
        """Serials, lots and items received that were not announced."""
        return tuple(line for line in self.lines if line.status == "unexpected")

    @property
    def unresolved(self) -> tuple[ReportLine, ...]:
        """Announced lines whose GTIN or unit stockline cannot match to an item."""
        return tuple(line for line in self.lines if line.status == "unresolved")

    @property
    def missing_serials(self) -> tuple[tuple[str, str], ...]:
        """``(sku, serial)`` of announced serials not received."""
        return tuple(
            (line.item or "", line.serial)
            for line in self.short
            if line.serial is not None and line.received == 0
        )

    @property
    def unexpected_serials(self) -> tuple[tuple[str, str], ...]:
        """``(sku, serial)`` of serials received that were not announced."""
        return tuple(
            (line.item or "", line.serial) for line in self.unexpected if line.serial is not None
        )

    @property
    def complete(self) -> bool:
        """Everything announced arrived, and nothing else."""
        return all(line.status == "ok" for line in self.lines)


@attrs.frozen(kw_only=True)
class _Want:
    """An announced line in the item's terms."""

    index: int
    item: Item
    gtin: str
    lot: str | None
    serial: str | None
    quantity: Decimal | None


def units_of(item: Item, gtin: str) -> int:
    """How many base units one instance of ``gtin`` (the item's own or a pack's) holds."""
    return next((units for code, units in item.packs if code == gtin), 1)


def resolve(
    line: ExpectedLine, item: Item | None
) -> tuple[Item | None, str | None, str | None, Decimal | None, str | None]:
    """The announced line as (item, lot, serial, base quantity, why not) for ``item``."""
    if item is None:
        return None, line.lot, line.serial, line.quantity, "the GTIN is in no item's master data"
    if line.uom is not None and line.uom != item.unit:
        return (
            None,
            line.lot,
            line.serial,
            line.quantity,
            f"announced in {line.uom}, but {item.sku} is counted in {item.unit}",
        )
    per = units_of(item, line.gtin) if line.uom is None else 1
    quantity = None if line.quantity is None else line.quantity * per
    lot = None if item.tracking is Tracking.NONE else line.lot
    serial = line.serial if item.tracking is Tracking.SERIAL and per == 1 else None
    return item, lot, serial, quantity, None


def compare(
    key: str,
    expected: ExpectedReceipt,
    received: Sequence[Received],
    items: Callable[[str], Item | None],
) -> ExpectationReport:
    """Set what was received against what was announced.

    A received serial matches the announced serial; any other receipt (and a serial not
    announced) counts first against the announced quantity of its item and lot, then against a
    quantity of the item announced without a lot; what is left is over (when the item and lot
    were announced) or unexpected. Announced GTINs are turned into items through ``items``,
    so a case GTIN's quantity counts its units.

    Args:
        key: The expectation's key.
        expected: The announcement.
        received: What was received against it.
        items: Looks an item up by GTIN (``None`` if no item has it).
    """
    wants: list[_Want] = []
    lines: dict[int, ReportLine] = {}
    for i, line in enumerate(expected.lines):
        item, lot, serial, quantity, why = resolve(line, items(line.gtin))
        if item is None:
            lines[i] = ReportLine(
                status="unresolved",
                item=None,
                gtin=line.gtin,
                lot=line.lot,
                serial=line.serial,
                expected=line.quantity,
                received=Decimal(0),
                unit=line.uom,
                note=why,
            )
            continue
        wants.append(
            _Want(index=i, item=item, gtin=line.gtin, lot=lot, serial=serial, quantity=quantity)
        )
    by_serial = {(w.item.sku, w.serial): w for w in wants if w.serial is not None}
    pools: dict[tuple[str, str | None], list[_Want]] = {}
    for w in wants:
        if w.serial is None:
            pools.setdefault((w.item.sku, w.lot), []).append(w)
    got: dict[int, Decimal] = {w.index: Decimal(0) for w in wants}
    extra: dict[tuple[str, str | None, str | None], Decimal] = {}

    def take(sku: str, lot: str | None, amount: Decimal) -> Decimal:
        """Count ``amount`` against the announced quantities; return what is left."""
        for pool in (pools.get((sku, lot), []), pools.get((sku, None), []) if lot else []):
            for w in pool:
                room = None if w.quantity is None else w.quantity - got[w.index]
                share = amount if room is None else min(amount, max(room, Decimal(0)))
                got[w.index] += share
                amount -= share
                if amount == 0:
                    return amount
        return amount

    loose: list[Received] = []
    for r in received:
        match = by_serial.get((r.item, r.serial)) if r.serial is not None else None
        if match is not None:
            got[match.index] += r.quantity
        else:
            loose.append(r)
    # Exact lots before lot-less lines, so a lot-less line is not used up by a lot that has
    # its own line.
    loose.sort(key=lambda r: r.lot is None or (r.item, r.lot) not in pools)
    for r in loose:
        left = take(r.item, r.lot, r.quantity)
        if left:
            over = _over_line(pools, r.item, r.lot)
            if over is not None and r.serial is None:
                got[over.index] += left
            else:
                bucket = (r.item, r.lot, r.serial)
                extra[bucket] = extra.get(bucket, Decimal(0)) + left
    for w in wants:
        lines[w.index] = _line(w, got[w.index])
    ordered = [lines[i] for i in sorted(lines)]
    for (sku, lot, serial), amount in extra.items():
        ordered.append(
            ReportLine(
                status="unexpected",
                item=sku,
                gtin=None,
                lot=lot,
                serial=serial,
                expected=Decimal(0),
                received=amount,
                unit=_unit_of(wants, sku),
            )
        )
    return ExpectationReport(
        key=key,
        lines=tuple(ordered),
        receipts=tuple(dict.fromkeys(r.transaction_id for r in received)),
        unchecked=expected.unchecked,
    )


def _over_line(
    pools: Mapping[tuple[str, str | None], list[_Want]], sku: str, lot: str | None
) -> _Want | None:
    for key in ((sku, lot), (sku, None)):
        pool = pools.get(key)
        if pool:
            return pool[-1]
    return None


def _unit_of(wants: Sequence[_Want], sku: str) -> str | None:
    return next((w.item.unit for w in wants if w.item.sku == sku), None)


def _line(w: _Want, received: Decimal) -> ReportLine:
    if w.quantity is None:
        status = "ok" if received > 0 else "short"
    elif received == w.quantity:
        status = "ok"
    else:
        status = "short" if received < w.quantity else "over"
    return ReportLine(
        status=status,
        item=w.item.sku,
        gtin=w.gtin,
        lot=w.lot,
        serial=w.serial,
        expected=w.quantity,
        received=received,
        unit=w.item.unit,
    )


def excess(report: ExpectationReport) -> dict[tuple[str | None, str | None, str | None], Decimal]:
    """What was received beyond the announcement, per (item, lot, serial)."""
    found: dict[tuple[str | None, str | None, str | None], Decimal] = {}
    for line in report.lines:
        if line.status in ("over", "unexpected"):
            beyond = line.received - (line.expected or Decimal(0))
            bucket = (line.item, line.lot, line.serial)
            found[bucket] = found.get(bucket, Decimal(0)) + beyond
    return found
