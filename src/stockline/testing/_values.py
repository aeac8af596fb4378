"""Strategies for single valid values: items, locations, lots, quantities and GS1 labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from stockline.gs1 import (
    Element,
    build_elements,
    check_digit,
    sscc,
    to_digital_link,
    to_element_string,
    to_hri,
)
from stockline.ledger import MAX_DECIMALS, UNITS, Item, Lot, Tracking

__all__ = [
    "CSET82",
    "GS1Label",
    "GS1Scan",
    "gs1_labels",
    "gs1_scans",
    "gtins",
    "items",
    "location_paths",
    "location_trees",
    "lots",
    "quantities",
    "skus",
    "ssccs",
]

#: GS1 character set 82: what a lot (AI 10) or serial (AI 21) may hold.
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
#: The reading date GS1 labels are built around (two-digit years are read near it).
LABEL_DAY = dt.date(2026, 1, 1)
_COUNTERPARTY_ROOTS = frozenset(
    {"suppliers", "customers", "production", "scrap", "adjustment", "transit"}
)
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"


def skus() -> st.SearchStrategy[str]:
    """SKUs: an upper-case letter, then up to nine letters, digits or dashes.

    Example:
        >>> skus().example()  # doctest: +SKIP
        'K7-X'
    """
    return st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(_UPPER),
        st.text(alphabet=_UPPER + _DIGITS + "-", max_size=9),
    )


def gtins(*, length: int = 14) -> st.SearchStrategy[str]:
    """GTINs of ``length`` digits (8, 12, 13 or 14) with a correct check digit.

    GTIN-14s have indicator digit 0-8 (9 marks variable-measure items).

    Example:
        >>> from stockline.gs1 import is_valid_gtin
        >>> is_valid_gtin(gtins(length=13).example())
        True
    """
    if length not in (8, 12, 13, 14):
        raise ValueError(f"a GTIN has 8, 12, 13 or 14 digits, not {length}")
    first = "012345678" if length == 14 else _DIGITS
    return st.builds(
        lambda head, body: head + body + str(check_digit(head + body)),
        st.sampled_from(first),
        st.text(alphabet=_DIGITS, min_size=length - 2, max_size=length - 2),
    )


def ssccs(*, company_prefix: str = "0614141") -> st.SearchStrategy[str]:
    """SSCCs (18 digits, check digit correct) under one GS1 company prefix.

    Example:
        >>> len(ssccs().example())
        18
    """
    digits = 16 - len(company_prefix)
    return st.builds(
        lambda ext, ref: sscc(company_prefix, ref, extension_digit=ext),
        st.integers(0, 9),
        st.text(alphabet=_DIGITS, min_size=digits, max_size=digits),
    )


def quantities(
    *,
    decimals: int = 0,
    min_value: Decimal | int = 1,
    max_value: Decimal | int = 1000,
) -> st.SearchStrategy[Decimal]:
    """Positive quantities with at most ``decimals`` decimal places, between the bounds.

    Example:
        >>> q = quantities(decimals=3, max_value=5).example()
        >>> 0 < q <= 5 and q == round(q, 3)
        True
    """
    if not 0 <= decimals <= MAX_DECIMALS:
        raise ValueError(f"decimals must be between 0 and {MAX_DECIMALS}, got {decimals}")
    scale = Decimal(10) ** decimals
    low = max(int(Decimal(min_value) * scale), 1)
    high = int(Decimal(max_value) * scale)
    if high < low:
        raise ValueError(f"no quantity with {decimals} decimals lies in [{min_value}, {max_value}]")
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-decimals))


def items(
    *,
    sku: st.SearchStrategy[str] | None = None,
    tracking: Tracking | str | Sequence[Tracking | str] | None = None,
    units: Sequence[str] | None = None,
) -> st.SearchStrategy[Item]:
    """Items that :meth:`stockline.Inventory.add_item` accepts (pass their fields to it).

    Args:
        sku: Where SKUs come from (:func:`skus` by default).
        tracking: One tracking kind, several, or any when ``None``.
        units: Unit codes to choose from (stockline's known Rec 20 codes by default); the
            item's ``decimals`` is the unit's default.

    Example:
        >>> import attrs, stockline as sl
        >>> item = items(tracking="lot").example()
        >>> sl.Inventory().add_item(**attrs.asdict(item, recurse=False)) == item
        True
    """
    if tracking is None:
        kinds: list[Tracking] = list(Tracking)
    elif isinstance(tracking, str | Tracking):
        kinds = [Tracking(tracking)]
    else:
        kinds = [Tracking(t) for t in tracking]
    codes = sorted(UNITS) if units is None else list(units)
    for code in codes:
        if code not in UNITS:
            raise ValueError(f"unit {code!r} is not one stockline knows; choose from {list(UNITS)}")
    packs = st.lists(
        st.tuples(st.sampled_from(["CASE", "BOX", "PALLET", "INNER"]), st.integers(2, 144)),
        max_size=2,
        unique_by=lambda p: p[0],
    ).map(tuple)
    return st.builds(
        lambda sku_, gtin, description, unit, tracking_, life, packs_: Item(
            sku=sku_,
            gtin=gtin,
            description=description,
            unit=unit,
            decimals=UNITS[unit][1],
            tracking=tracking_,
            shelf_life_days=life,
            packs=packs_,
        ),
        skus() if sku is None else sku,
        st.none() | gtins(),
        st.sampled_from(["", "M8 bolt", "Aspirin 100 mg", "Flour type 550"]),
        st.sampled_from(codes),
        st.sampled_from(kinds),
        st.none() | st.integers(1, 3650),
        packs,
    )


def location_paths(
    *,
    roots: Sequence[str] = ("DC1", "DC2", "WH-NORTH"),
    max_depth: int = 3,
) -> st.SearchStrategy[str]:
    """Well-formed internal location paths (``DC1/A/01-03``) under one of ``roots``.

    Counterparty roots (``suppliers``, ``customers``, ...) are refused as roots, since
    stockline puts its counterparty locations there.

    Example:
        >>> location_paths().example().split("/")[0] in ("DC1", "DC2", "WH-NORTH")
        True
    """
    clash = _COUNTERPARTY_ROOTS.intersection(roots)
    if clash:
        raise ValueError(f"{sorted(clash)} are counterparty roots, not internal ones")
    segment = st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(_UPPER + _DIGITS),
        st.text(alphabet=_UPPER + _DIGITS + "-._", max_size=5),
    )
    return st.builds(
        lambda root, rest: "/".join([root, *rest]),
        st.sampled_from(list(roots)),
        st.lists(segment, max_size=max(max_depth - 1, 0)),
    )


def location_trees(
    *,
    min_size: int = 1,
    max_size: int = 6,
    roots: Sequence[str] = ("DC1", "DC2"),
    max_depth: int = 3,
) -> st.SearchStrategy[tuple[str, ...]]:
    """Distinct internal locations where stock is kept, sorted; ``add_location`` creates
    their parents, so the tree is closed.

    No path is the parent of another, so every location in the tuple is a leaf (a bin).

    Example:
        >>> tree = location_trees(min_size=2).example()
        >>> len(tree) >= 2 and not any(b.startswith(a + "/") for a in tree for b in tree)
        True
    """

    def leaves(paths: list[str]) -> tuple[str, ...]:
        found = sorted(set(paths))
        return tuple(p for p in found if not any(q.startswith(p + "/") for q in found))

    return (
        st.lists(
            location_paths(roots=roots, max_depth=max_depth),
            min_size=min_size,
            max_size=max_size * 2,
            unique=True,
        )
        .map(leaves)
        .filter(lambda tree: len(tree) >= min_size)
        .map(lambda tree: tree[:max_size])
    )


def _lot_codes() -> st.SearchStrategy[str]:
    # Printable on a GS1 label (character set 82, at most 20 characters), no surrounding
    # spaces (CSET 82 has none).
    return st.text(alphabet=CSET82, min_size=1, max_size=20)


def lots(
    item: str,
    *,
    code: st.SearchStrategy[str] | None = None,
    dated: bool = True,
) -> st.SearchStrategy[Lot]:
    """Lots of ``item`` that :meth:`~stockline.Inventory.add_lot` accepts, with an expiry on
    or after the production date. (For an item with a shelf life, ``add_lot`` fills a missing
    expiry from the production date.)

    Args:
        item: The SKU of a lot- or serial-tracked item.
        code: Where lot codes come from (GS1 character set 82, 1-20 characters by default).
        dated: Give lots production and expiry dates (sometimes ``None``).

    Example:
        >>> lot = lots("ASP").example()
        >>> lot.item, lot.expiry is None or lot.produced_on is None or lot.produced_on <= lot.expiry
        ('ASP', True)
    """
    days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))

    @st.composite
    def build(draw: st.DrawFn) -> Lot:
        produced = draw(st.none() | days) if dated else None
        expiry = None
        if dated and draw(st.booleans()):
            start = produced or dt.date(2020, 1, 1)
            expiry = start + dt.timedelta(days=draw(st.integers(0, 1500)))
        return Lot(
            item=item,
            code=draw(_lot_codes() if code is None else code),
            expiry=expiry,
            produced_on=produced,
        )

    return build()


@attrs.frozen(kw_only=True)
class GS1Label:
    """What a GS1 label says, and its element strings (built with
    :func:`stockline.gs1.build_elements`).

    Attributes:
        gtin: The trade item's GTIN-14 (AI 01), for a trade item label.
        sscc: The SSCC (AI 00), for a logistic label.
        content_gtin: The GTIN of what a logistic unit holds (AI 02).
        count: How many trade items a logistic unit holds (AI 37).
        lot: The lot (AI 10).
        serial: The serial (AI 21).
        expiry: The expiry date (AI 17).
        production_date: The production date (AI 11).
        today: The reading date the two-digit years were written for.
        elements: The element strings, ready for the ``to_*`` writers.
    """

    gtin: str | None = None
    sscc: str | None = None
    content_gtin: str | None = None
    count: int | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    production_date: dt.date | None = None
    today: dt.date = LABEL_DAY
    elements: tuple[Element, ...] = ()


def gs1_labels(
    *,
    logistic: bool | None = None,
    today: dt.date = LABEL_DAY,
) -> st.SearchStrategy[GS1Label]:
    """Valid GS1 labels: trade items (GTIN, optional lot, serial, dates) or logistic units
    (SSCC, optionally the content GTIN with a count, and a lot).

    Args:
        logistic: Only logistic labels (``True``), only trade item labels (``False``), or both.
        today: The date the labels are read around (for two-digit years).

    Example:
        >>> from stockline import gs1
        >>> label = gs1_labels(logistic=False).example()
        >>> gs1.parse(gs1.to_hri(label.elements), today=label.today).gtin == label.gtin
        True
    """
    window = st.dates(
        min_value=dt.date(today.year - 40, 1, 1), max_value=dt.date(today.year + 40, 12, 31)
    )

    @st.composite
    def trade(draw: st.DrawFn) -> GS1Label:
        label = GS1Label(
            gtin=draw(gtins()),
            lot=draw(st.none() | _lot_codes()),
            serial=draw(st.none() | _lot_codes()),
            expiry=draw(st.none() | window),
            production_date=draw(st.none() | window),
            today=today,
        )
        return _with_elements(label)

    @st.composite
    def unit(draw: st.DrawFn) -> GS1Label:
        content = draw(st.none() | gtins())
        label = GS1Label(
            sscc=draw(ssccs()),
            content_gtin=content,
            count=None if content is None else draw(st.integers(1, 99_999)),
            lot=None if content is None else draw(st.none() | _lot_codes()),
            today=today,
        )
        return _with_elements(label)

    if logistic is None:
        return trade() | unit()
    return unit() if logistic else trade()


def _with_elements(label: GS1Label) -> GS1Label:
    elements = build_elements(
        gtin=label.gtin,
        sscc=label.sscc,
        content_gtin=label.content_gtin,
        count=label.count,
        lot=label.lot,
        serial=label.serial,
        expiry=label.expiry,
        production_date=label.production_date,
        today=label.today,
    )
    return attrs.evolve(label, elements=elements)


@attrs.frozen(kw_only=True)
class GS1Scan:
    """A label written as a scanner would send it.

    Attributes:
        text: What the scanner sends.
        format: ``element_string``, ``hri`` or ``digital_link``.
        gs_standin: The character standing in for GS, if the text uses one.
        label: The label it was written from (what parsing must give back).
    """

    text: str
    format: str
    gs_standin: str | None
    label: GS1Label


FORMATS = ("element_string", "hri", "digital_link")


def gs1_scans(
    labels: st.SearchStrategy[GS1Label] | None = None,
    *,
    formats: Sequence[str] = FORMATS,
) -> st.SearchStrategy[GS1Scan]:
    """Scans of valid labels, as GS1 element strings (with GS or a stand-in, sometimes with
    a symbology identifier), bracketed HRI or GS1 Digital Link URIs.

    Example:
        >>> from stockline import gs1
        >>> scan = gs1_scans().example()
        >>> read = gs1.parse(scan.text, gs_standin=scan.gs_standin, today=scan.label.today)
        >>> (read.gtin, read.sscc, read.lot) == (scan.label.gtin, scan.label.sscc, scan.label.lot)
        True
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; choose from {FORMATS}")

    @st.composite
    def build(draw: st.DrawFn) -> GS1Scan:
        label = draw(gs1_labels() if labels is None else labels)
        kind = draw(st.sampled_from(list(formats)))
        if kind == "hri":
            return GS1Scan(text=to_hri(label.elements), format=kind, gs_standin=None, label=label)
        if kind == "digital_link":
            text = to_digital_link(label.elements)
            return GS1Scan(text=text, format=kind, gs_standin=None, label=label)
        standin = draw(st.sampled_from([None, "^", "|"]))
        prefix = draw(st.sampled_from(["", "]C1", "]d2", "]Q3"]))
        text = to_element_string(label.elements, separator=standin or "\x1d", prefix=prefix)
        return GS1Scan(text=text, format=kind, gs_standin=standin, label=label)

    return build()
