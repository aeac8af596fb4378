"""``putaway``: bin rules, storage profiles, suggestions and the put-away posting."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from stockline.cli._app import (
    ExitCode,
    Output,
    Subparsers,
    add_command,
    add_group,
    aware_time,
    decimal,
    open_ledger,
    plain,
    when,
    whole_or_zero,
)
from stockline.cli._ledger import transaction_json

if TYPE_CHECKING:
    from stockline.ledger import Transaction
    from stockline.operations import BinRules, PutawaySuggestion


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    group = add_group(
        sub,
        "putaway",
        "Directed put-away: bin rules, storage profiles, suggestions, posting.",
        description=(
            "Bins are locations with put-away rules ('bin set'): a zone, the storage\n"
            "conditions, hazard classes, categories and statuses they take, whether they mix\n"
            "items or lots, and a capacity. 'item' says how an item is stored. 'suggest' shows\n"
            "where stock at a location should go, and why; 'post' suggests again and posts it\n"
            "as one transfer, judging every bin once more; 'scan' puts away what a GS1\n"
            "barcode names into the bin the operator chose."
        ),
    )
    bins = add_group(group, "bin", "Set and list bins' put-away rules.")
    set_ = add_command(
        bins, "set", "Give LOCATION put-away rules (replacing those it had).", _bin_set
    )
    set_.add_argument("location", metavar="LOCATION", help="an internal location")
    set_.add_argument("--zone", help="its zone")
    for flag, what in (
        ("--storage", "a storage condition it keeps (repeat; none: ambient)"),
        ("--hazard", "a hazard class it may hold (repeat; none: no hazardous goods)"),
        ("--category", "an item category it takes (repeat; none: any)"),
        ("--status", "a stock status it takes (repeat; none: any)"),
    ):
        set_.add_argument(flag, action="append", default=[], metavar="NAME", help=what)
    set_.add_argument(
        "--mixing",
        choices=("any", "item", "lot"),
        default="any",
        help="hold any items, one item, or one lot (default: %(default)s)",
    )
    for flag, what in (
        ("--max-units", "capacity in base units"),
        ("--max-weight", "capacity in weight"),
        ("--max-volume", "capacity in volume"),
    ):
        set_.add_argument(flag, type=decimal, metavar="N", help=what)
    set_.add_argument(
        "--max-pallets", type=whole_or_zero, metavar="N", help="handling units it holds"
    )
    set_.add_argument("--blocked", action="store_true", help="closed to put-away")
    set_.add_argument("--actor", help="who sets it")

    listed = add_command(bins, "list", "List the bins' put-away rules.", _bin_list)
    listed.add_argument("--within", metavar="LOCATION", help="only bins at and below this")

    item = add_command(
        group, "item", "Say how SKU is stored (replacing what was said before).", _item
    )
    item.add_argument("sku", metavar="SKU", help="the item")
    item.add_argument("--storage", help="the storage condition it needs (default: ambient)")
    item.add_argument("--hazard", help="its hazard class")
    item.add_argument("--category", help="its category")
    item.add_argument("--weight", type=decimal, metavar="N", help="weight of one unit")
    item.add_argument("--volume", type=decimal, metavar="N", help="volume of one unit")
    item.add_argument("--fixed-bin", metavar="LOCATION", help="its fixed bin, filled first")
    item.add_argument("--actor", help="who sets it")

    suggest = add_command(group, "suggest", "Show where stock at --src should go.", _suggest)
    post = add_command(
        group,
        "post",
        "Suggest again and post the put-away as one transfer.",
        _post,
        description=(
            "Compute the suggestion now (as 'suggest' shows it) and post its placements as one\n"
            "transfer; every bin is judged again as it is posted. What no bin can take is\n"
            "listed on standard error and stays where it is."
        ),
    )
    for p in (suggest, post):
        p.add_argument("sku", metavar="SKU", help="the item")
        p.add_argument(
            "quantity", nargs="?", type=decimal, metavar="QTY", help="how much (default: all)"
        )
        p.add_argument("--src", required=True, metavar="LOCATION", help="where the stock is")
        p.add_argument("--lot", help="only this lot")
        p.add_argument("--status", default="available", help="its status (default: available)")
        p.add_argument("--within", metavar="LOCATION", help="only bins at and below this")
    scan = add_command(
        group, "scan", "Put away what BARCODE names from --src into the bin --dst.", _scan
    )
    scan.add_argument("barcode", metavar="BARCODE", help="the goods' GS1 barcode (or an SSCC)")
    scan.add_argument(
        "quantity", nargs="?", type=decimal, metavar="QTY", help="scanned units (default: 1)"
    )
    scan.add_argument("--src", required=True, metavar="LOCATION", help="where the goods are")
    scan.add_argument("--dst", required=True, metavar="LOCATION", help="the bin")
    for p in (post, scan):
        p.add_argument("--key", help="an idempotency key: a retry returns the first transfer")
        p.add_argument(
            "--effective-at", type=aware_time, metavar="TIME", help="when it was put away"
        )
        p.add_argument("--actor", help="who put it away")


def _bin_set(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        rules = inv.putaway.set_bin(
            args.location,
            zone=args.zone,
            storage=args.storage,
            hazards=args.hazard,
            categories=args.category,
            statuses=args.status,
            mixing=args.mixing,
            max_units=args.max_units,
            max_weight=args.max_weight,
            max_volume=args.max_volume,
            max_pallets=args.max_pallets,
            blocked=args.blocked,
            actor=args.actor,
        )
    out.emit(plain(rules), lambda: [f"Bin set: {escape(_rules_text(rules))}."])
    return ExitCode.OK


def _rules_text(b: BinRules) -> str:
    parts = [b.location]
    if b.zone:
        parts.append(f"zone {b.zone}")
    parts.append(", ".join(b.storage) if b.storage else "ambient")
    if b.hazards:
        parts.append("hazard " + ", ".join(b.hazards))
    if b.categories:
        parts.append("categories " + ", ".join(b.categories))
    if b.statuses:
        parts.append("statuses " + ", ".join(b.statuses))
    if b.mixing != "any":
        parts.append(f"one {b.mixing}")
    for name, value in (
        ("units", b.max_units),
        ("weight", b.max_weight),
        ("volume", b.max_volume),
        ("pallets", b.max_pallets),
    ):
        if value is not None:
            parts.append(f"at most {value} {name}")
    if b.blocked:
        parts.append("blocked")
    return ", ".join(parts)


def _bin_list(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        bins = inv.putaway.bins(within=args.within)
    out.emit([plain(b) for b in bins], lambda: [_bins_table(bins)])
    return ExitCode.OK


def _bins_table(bins: Sequence[BinRules]) -> RenderableType:
    if not bins:
        return "No bins have put-away rules; give one with 'stockline putaway bin set'."
    table = Table(title="Bins", title_justify="left")
    for column in ("bin", "rules", "updated", "by"):
        table.add_column(column)
    for b in bins:
        rules = _rules_text(b).partition(", ")[2]
        table.add_row(
            escape(b.location), escape(rules), when(b.updated_at), escape(b.updated_by or "")
        )
    return table


def _item(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        profile = inv.putaway.set_item(
            args.sku,
            storage=args.storage,
            hazard=args.hazard,
            category=args.category,
            weight=args.weight,
            volume=args.volume,
            fixed_bin=args.fixed_bin,
            actor=args.actor,
        )
    parts = [profile.storage or "ambient"]
    for name in ("hazard", "category", "weight", "volume", "fixed_bin"):
        value = getattr(profile, name)
        if value is not None:
            parts.append(f"{name.replace('_', ' ')} {value}")
    out.emit(
        plain(profile),
        lambda: [f"Item set: {escape(profile.sku)} is stored {escape(', '.join(parts))}."],
    )
    return ExitCode.OK


def _suggestions(args: argparse.Namespace, inv: Any) -> list[PutawaySuggestion]:
    found: list[PutawaySuggestion] = inv.putaway.suggest(
        args.sku,
        args.quantity,
        src=args.src,
        lot=args.lot,
        status=args.status,
        within=args.within,
    )
    return found


def _suggest(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        found = _suggestions(args, inv)
    out.emit([plain(s) for s in found], lambda: [_suggestions_table(found)])
    return ExitCode.OK


def _suggestions_table(found: Sequence[PutawaySuggestion]) -> RenderableType:
    if not found:
        return "Nothing of that item is there to put away."
    table = Table(title="Put-away", title_justify="left")
    for column in ("item", "lot/serial", "from", "qty", "to", "why"):
        table.add_column(column, justify="right" if column == "qty" else "left")
    for s in found:
        (stock,) = s.stock
        head = [escape(stock.item), escape(stock.lot or stock.serial or ""), escape(str(s.src))]
        rows = [(str(p.quantity), escape(p.location), escape(p.reason)) for p in s.placements]
        if s.unplaced:
            rows.append((str(s.unplaced), "[red](no bin takes it)[/]", ""))
        for i, row in enumerate(rows):
            table.add_row(*(head if i == 0 else [""] * 3), *row)
    return table


def _post(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        found = _suggestions(args, inv)
        placed = [s for s in found if s.placements]
        tx = None
        if placed:
            tx = inv.putaway.confirm(
                placed, key=args.key, effective_at=args.effective_at, actor=args.actor
            )
    for s in found:
        if s.unplaced:
            out.err.print(
                f"[yellow]unplaced:[/] {s.unplaced} {escape(s.stock[0].item)} at "
                f"{escape(str(s.src))}: no bin takes it",
                soft_wrap=True,
            )
    out.emit(
        {
            "suggestions": [plain(s) for s in found],
            "transaction": None if tx is None else transaction_json(tx),
        },
        lambda: [_posted(tx)],
    )
    return ExitCode.OK


def _posted(tx: Transaction | None) -> str:
    if tx is None:
        return "Nothing put away: no bin takes it."
    to = sorted({m.dst.location for m in tx.movements})
    return f"Posted transaction {tx.id}: {len(tx.movements)} move(s) to {', '.join(to)}."


def _scan(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        tx = inv.putaway.place_scan(
            args.barcode,
            args.quantity,
            src=args.src,
            dst=args.dst,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
        )
    out.emit(transaction_json(tx), lambda: [_posted(tx)])
    return ExitCode.OK
