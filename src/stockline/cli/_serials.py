"""``serials``: serial pools per GTIN and SSCCs: add a pool, issue, list, void, look up."""

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
    open_ledger,
    plain,
    when,
)

if TYPE_CHECKING:
    from stockline.serials import Gap, SerialBatch, SerialPool

_ISSUE_HELP = (
    "Serials are issued once and never again, also when they are never used: 'list --gaps'\n"
    "shows those issued but on no posting, 'void' retires them with a reason."
)


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    group = add_group(
        sub,
        "serials",
        "Serial pools per GTIN and SSCCs: issue, list, void, look up.",
        description=(
            "A serial-tracked item with a GTIN gets one pool of serials (random by default:\n"
            "a keyed permutation, so that serials cannot be guessed from one another).\n"
            "'issue' takes serials for a printer or a line; 'list' shows what was issued,\n"
            "or with --gaps what was issued and never used; 'void' retires unused ones;\n"
            "'state' says where a serial is in its life; 'sscc' allocates SSCCs."
        ),
    )
    pool = add_group(group, "pool", "Add and list serial pools.")
    add = add_command(pool, "add", "Give the serial-tracked item SKU its serial pool.", _pool_add)
    add.add_argument("sku", metavar="SKU", help="the item (serial-tracked, with a GTIN)")
    add.add_argument(
        "--scheme",
        choices=("random", "sequential"),
        default="random",
        help="random (a keyed permutation) or sequential (default: %(default)s)",
    )
    add.add_argument(
        "--length", type=int, default=12, metavar="N", help="characters per serial (default: 12)"
    )
    add.add_argument(
        "--alphabet",
        default="0123456789",
        metavar="CHARS",
        help="the characters serials use (default: the digits)",
    )
    add.add_argument(
        "--odds",
        type=int,
        default=10_000,
        metavar="N",
        help="a random guess is right at most once in N tries (default: 10000)",
    )
    add.add_argument("--actor", help="who adds it")
    add_command(pool, "list", "List the serial pools and how much each has issued.", _pool_list)

    issue = add_command(
        group,
        "issue",
        "Issue COUNT serials of SKU and print them, one a line.",
        _issue,
        description="Issue COUNT serials of SKU and print them, one a line.\n\n" + _ISSUE_HELP,
    )
    issue.add_argument("sku", metavar="SKU", help="the item")
    issue.add_argument("count", type=int, metavar="COUNT", help="how many")
    issue.add_argument("--for", dest="reserved_for", metavar="WHAT", help="a line or printer")
    issue.add_argument("--actor", help="who takes them")

    listed = add_command(group, "list", "List the batches issued for SKU, or its gaps.", _list)
    listed.add_argument("sku", metavar="SKU", help="the item")
    listed.add_argument(
        "--gaps", action="store_true", help="list serials issued, never used and not voided"
    )

    void = add_command(group, "void", "Void issued serials of SKU that were never used.", _void)
    void.add_argument("sku", metavar="SKU", help="the item")
    void.add_argument("serials", nargs="+", metavar="SERIAL", help="the serials")
    void.add_argument("--reason", required=True, help="why (required)")
    void.add_argument("--actor", help="who voids them")

    state = add_command(group, "state", "Show where SERIAL of SKU is in its life.", _state)
    state.add_argument("sku", metavar="SKU", help="the item")
    state.add_argument("serial", metavar="SERIAL", help="the serial")

    sscc = add_command(
        group, "sscc", "Allocate COUNT SSCCs of a company prefix and print them.", _sscc
    )
    sscc.add_argument("prefix", metavar="PREFIX", help="the GS1 Company Prefix (6-12 digits)")
    sscc.add_argument("count", type=int, nargs="?", default=1, metavar="COUNT", help="how many")
    sscc.add_argument(
        "--extension", type=int, default=0, metavar="DIGIT", help="extension digit (default: 0)"
    )
    sscc.add_argument("--for", dest="reserved_for", metavar="WHAT", help="a line or printer")
    sscc.add_argument("--actor", help="who takes them")


def _pool_json(pool: SerialPool) -> dict[str, Any]:
    data: dict[str, Any] = plain(pool)
    for name in ("space", "capacity", "issued"):
        data[name] = str(data[name])
    data["guess_probability"] = str(pool.guess_probability)
    return data


def _pool_add(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        pool = inv.serials.add_pool(
            args.sku,
            scheme=args.scheme,
            length=args.length,
            alphabet=args.alphabet,
            guess_odds=args.odds,
            actor=args.actor,
        )
    out.emit(
        _pool_json(pool),
        lambda: [
            f"Pool added: {escape(pool.sku)} (GTIN {pool.gtin}), {pool.scheme} serials of "
            f"{pool.length} characters, {pool.capacity:,} to issue, a guess right at most "
            f"1 in {pool.guess_probability.denominator:,}."
        ],
    )
    return ExitCode.OK


def _pool_list(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        pools = inv.serials.pools()
    out.emit([_pool_json(p) for p in pools], lambda: [_pools_table(pools)])
    return ExitCode.OK


def _pools_table(pools: Sequence[SerialPool]) -> RenderableType:
    if not pools:
        return "No serial pools; add one with 'stockline serials pool add SKU'."
    table = Table(title="Serial pools", title_justify="left")
    for column in ("item", "GTIN", "scheme", "length", "issued", "left", "guess"):
        table.add_column(column, justify="right" if column in ("issued", "left") else "left")
    for p in pools:
        table.add_row(
            escape(p.sku),
            p.gtin,
            p.scheme.value,
            str(p.length),
            f"{p.issued:,}",
            f"{p.remaining:,}",
            f"1 in {p.guess_probability.denominator:,}",
        )
    return table


def _issue(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        batch = inv.serials.issue(
            args.sku, args.count, reserved_for=args.reserved_for, actor=args.actor
        )
    out.emit(plain(batch), lambda: list(batch.serials))
    return ExitCode.OK


def _list(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        if args.gaps:
            gaps = inv.serials.gaps(args.sku)
            out.emit([plain(g) for g in gaps], lambda: [_gaps_table(args.sku, gaps)])
            return ExitCode.OK
        batches = inv.serials.issued(args.sku)
    out.emit([plain(b) for b in batches], lambda: [_batches_table(args.sku, batches)])
    return ExitCode.OK


def _batches_table(sku: str, batches: Sequence[SerialBatch]) -> RenderableType:
    if not batches:
        return f"The pool of {escape(sku)} has issued no serials yet."
    table = Table(title=f"Serials issued for {escape(sku)}", title_justify="left")
    for column in ("issued", "by", "for", "count", "first", "last", "transaction"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for b in batches:
        table.add_row(
            when(b.issued_at),
            escape(b.issued_by or ""),
            escape(b.reserved_for or ""),
            str(len(b.serials)),
            escape(b.serials[0]),
            escape(b.serials[-1]),
            "" if b.transaction is None else str(b.transaction),
        )
    return table


def _gaps_table(sku: str, gaps: Sequence[Gap]) -> RenderableType:
    if not gaps:
        return f"Every serial issued for {escape(sku)} is used or voided: no gaps."
    table = Table(title=f"Serials of {escape(sku)} issued and never used", title_justify="left")
    for column in ("serial", "issued", "for"):
        table.add_column(column)
    for g in gaps:
        table.add_row(escape(g.number), when(g.issued_at), escape(g.reserved_for or ""))
    return table


def _void(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        done = inv.serials.void(args.sku, args.serials, reason=args.reason, actor=args.actor)
    out.emit(
        {"voided": list(done)},
        lambda: [f"Voided {len(done)} serial(s) of {escape(args.sku)}."],
    )
    return ExitCode.OK


def _state(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        status = inv.serials.state(args.sku, args.serial)

    def render() -> list[RenderableType]:
        where = "" if status.location is None else f" at {status.location}"
        inside = "" if status.container is None else f" in {status.container}"
        why = "" if status.reason is None else f" ({status.reason})"
        text = f"{status.sku} {status.serial}: {status.state}{why}{where}{inside}"
        return [escape(text + ".")]

    out.emit(plain(status), render)
    return ExitCode.OK


def _sscc(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        span = inv.serials.sscc.allocate(
            args.prefix,
            args.count,
            extension=args.extension,
            reserved_for=args.reserved_for,
            actor=args.actor,
        )
    out.emit(plain(span), lambda: list(span.ssccs))
    return ExitCode.OK
