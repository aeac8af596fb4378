"""``report``: stock-flow analytics (dwell, turnover, aging, near expiry, supplier
non-conformity, activity) as tables, JSON or PNG charts."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from stockline.cli._app import (
    ExitCode,
    Output,
    Subparsers,
    UsageError,
    add_command,
    add_group,
    aware_time,
    date,
    open_ledger,
    output_file,
    writing,
)

if TYPE_CHECKING:
    from stockline import Inventory
    from stockline.analytics import (
        Activity,
        AgingBucket,
        DwellTime,
        NearExpiry,
        SupplierNonconformity,
        Turnover,
    )

Rows = Sequence[Any]


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    group = add_group(
        sub,
        "report",
        "Stock-flow reports: dwell, turnover, aging, expiry, suppliers, activity.",
        description=(
            "Stock-flow reports computed from the ledger (set-based SQL on the database).\n"
            "Each prints a table, or with --json an object {report, rows, png}; --png PATH\n"
            "also draws the report as a PNG chart (needs pip install 'stockline[plots]')."
        ),
    )

    dwell = _report(
        group,
        "dwell",
        "How long shipped stock had been in the warehouse, per item, lot or category.",
        _dwell,
        "Shipped quantities are matched first in, first out with the oldest stock that\n"
        "entered internal stock; dwell is shipment time less entry time. Reversed\n"
        "transactions are left out. --since/--until select shipments.",
    )
    dwell.add_argument(
        "--by", choices=("item", "lot", "category"), default="item", help="group rows by this"
    )
    dwell.add_argument(
        "--category",
        action="append",
        default=[],
        type=_sku_category,
        metavar="SKU=CATEGORY",
        help="an item's category, for --by category (repeatable)",
    )
    dwell.add_argument("--sku", help="only this item")
    _window(dwell)

    turnover = _report(
        group,
        "turnover",
        "Each item's stock turns over a period: shipped / time-weighted average on hand.",
        _turnover,
        "Turns are the quantity shipped to customers in the period divided by the average\n"
        "on-hand quantity at internal locations, weighted by time. Days of cover: how long\n"
        "the average stock lasts at the period's shipping rate.",
    )
    turnover.add_argument(
        "--since", required=True, type=aware_time, metavar="TIME", help="the period's start"
    )
    turnover.add_argument(
        "--until", type=aware_time, metavar="TIME", help="the period's end (default: now)"
    )
    turnover.add_argument("--sku", help="only this item")
    turnover.add_argument(
        "--location", help="only stock at and shipments from this location and below"
    )

    aging = _report(
        group,
        "aging",
        "On-hand stock per item in day buckets, by days to expiry or days since receipt.",
        _aging,
        "--basis expiry: days left until each lot's expiry (negative: expired; stock\n"
        "without an expiry is 'no expiry'). --basis receipt: days since the stock entered\n"
        "internal stock, first in first out.",
    )
    aging.add_argument(
        "--basis", choices=("expiry", "receipt"), default="expiry", help="what the days count"
    )
    aging.add_argument(
        "--edges",
        type=_edges,
        default=(0, 30, 60, 90),
        metavar="N,N,...",
        help="increasing day counts where buckets start (default: 0,30,60,90)",
    )
    aging.add_argument(
        "--today", type=date, metavar="DATE", help="count days from this date (default: today)"
    )
    aging.add_argument("--sku", help="only this item")

    near = _report(
        group,
        "near-expiry",
        "Stock of lots that expire within --days (or have expired), per position.",
        _near_expiry,
        "Every status counts (stock on hold that is about to expire is worth knowing\n"
        "about); the reserved column shows how much of it is promised to orders. Soonest\n"
        "expiry first.",
    )
    near.add_argument(
        "--days", type=_days, default=30, metavar="N", help="days to look ahead (default: 30)"
    )
    near.add_argument(
        "--today", type=date, metavar="DATE", help="count days from this date (default: today)"
    )
    near.add_argument("--sku", help="only this item")
    near.add_argument("--location", help="only stock at this location and below")

    nonconformity = _report(
        group,
        "nonconformity",
        "How often each supplier's stock was put on hold, returned or scrapped.",
        _nonconformity,
        "Stock is attributed to the supplier of its lot or serial (untracked stock to no\n"
        "supplier). A hold is stock entering a blocking status (by default every status\n"
        "that may not be allocated except quarantine); the rate is events per receipt of\n"
        "the item from that supplier in the same window.",
    )
    _window(nonconformity)
    nonconformity.add_argument(
        "--status",
        action="append",
        dest="statuses",
        metavar="STATUS",
        help="a status whose entry counts as a hold (repeatable)",
    )

    activity = _report(
        group,
        "activity",
        "How many movement lines touched each zone in each hour of the day.",
        _activity,
        "A zone is a location path cut to --depth segments. A movement line counts as\n"
        "outbound for the zone it leaves and inbound for the zone it enters; only internal\n"
        "locations count.",
    )
    activity.add_argument(
        "--depth", type=_positive, default=2, metavar="N", help="path segments per zone"
    )
    activity.add_argument(
        "--timezone", default="UTC", help="the IANA time zone of the hours (default: UTC)"
    )
    _window(activity)
    activity.add_argument(
        "--kind",
        action="append",
        dest="kinds",
        metavar="KIND",
        help="only transactions of this kind: pick, transfer, receipt, ... (repeatable)",
    )


def _report(
    group: Subparsers,
    name: str,
    summary: str,
    handler: Callable[[argparse.Namespace, Output], int],
    details: str,
) -> argparse.ArgumentParser:
    parser = add_command(group, name, summary, handler, description=f"{summary}\n\n{details}")
    parser.add_argument("--png", metavar="PATH", help="also draw the report as a PNG chart at PATH")
    return parser


def _window(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=aware_time, metavar="TIME", help="effective at or after")
    parser.add_argument("--until", type=aware_time, metavar="TIME", help="effective before")


# -- argument types -------------------------------------------------------------------------


def _sku_category(text: str) -> tuple[str, str]:
    sku, sep, category = text.partition("=")
    if not sep or not sku or not category:
        raise argparse.ArgumentTypeError(f"{text!r} is not SKU=CATEGORY (e.g. ASP-100=pharma)")
    return sku, category


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _days(text: str) -> int:
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} days: give 0 or more")
    return value


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def _edges(text: str) -> tuple[int, ...]:
    edges = tuple(_whole(part.strip()) for part in text.split(","))
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise argparse.ArgumentTypeError(f"{text!r}: the edges must increase, e.g. 0,30,60,90")
    return edges


# -- running a report -----------------------------------------------------------------------


def _run(
    args: argparse.Namespace,
    out: Output,
    *,
    name: str,
    compute: Callable[[Inventory], Rows],
    table: Callable[[Rows], RenderableType],
    title: str,
) -> int:
    png = None if args.png is None else output_file(args.png, option="--png")
    with open_ledger(args.db) as inv:
        rows = compute(inv)
    if png is not None:
        from stockline import analytics

        plotter = getattr(analytics, f"plot_{_PLOTS[name]}")
        with writing(png, option="--png"):
            plotter(rows, png, title=title)
    out.emit(
        {"report": name, "rows": [row.to_dict() for row in rows], "png": _shown(png)},
        lambda: [
            table(rows),
            *([] if png is None else [f"Chart written to [bold]{escape(str(png))}[/]."]),
        ],
    )
    return ExitCode.OK


_PLOTS = {
    "dwell": "dwell_times",
    "turnover": "turnover",
    "aging": "aging",
    "near-expiry": "near_expiry",
    "nonconformity": "supplier_nonconformity",
    "activity": "activity",
}


def _shown(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _table(title: str, columns: Sequence[str], right: Sequence[str] = ()) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left")
    return table


def _text(value: object) -> str:
    return "" if value is None else escape(str(value))


# -- dwell ----------------------------------------------------------------------------------


def _dwell(args: argparse.Namespace, out: Output) -> int:
    categories = dict(args.category) if args.category else None
    if args.by == "category" and categories is None:
        raise UsageError("--by category needs --category SKU=CATEGORY for the items to group")
    return _run(
        args,
        out,
        name="dwell",
        compute=lambda inv: inv.analytics.dwell_times(
            by=args.by, categories=categories, sku=args.sku, since=args.since, until=args.until
        ),
        table=lambda rows: _dwell_table(rows, args.by),
        title=f"Dwell time by {args.by}",
    )


def _duration(value: dt.timedelta) -> str:
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{days}d {hours:02}:{minutes:02}" if days else f"{hours:02}:{minutes:02}"


def _dwell_table(rows: Sequence[DwellTime], by: str) -> RenderableType:
    title = f"Dwell time of shipped stock by {by} (d hh:mm)"
    if not rows:
        return f"{title}: nothing was shipped."
    group = ["category"] if by == "category" else ["item", "lot"] if by == "lot" else ["item"]
    table = _table(title, [*group, "shipped", "mean", "shortest", "longest"],
                   right=("shipped", "mean", "shortest", "longest"))  # fmt: skip
    for r in rows:
        keys = [r.category] if by == "category" else [r.item, r.lot] if by == "lot" else [r.item]
        table.add_row(
            *(_text(k) for k in keys),
            str(r.quantity),
            _duration(r.mean),
            _duration(r.shortest),
            _duration(r.longest),
        )
    return table


# -- turnover -------------------------------------------------------------------------------


def _turnover(args: argparse.Namespace, out: Output) -> int:
    return _run(
        args,
        out,
        name="turnover",
        compute=lambda inv: inv.analytics.turnover(
            since=args.since, until=args.until, sku=args.sku, location=args.location
        ),
        table=_turnover_table,
        title="Stock turnover",
    )


def _turnover_table(rows: Sequence[Turnover]) -> RenderableType:
    title = "Stock turnover"
    if not rows:
        return f"{title}: no item had stock or shipments in the period."
    columns = ["item", "shipped", "average on hand", "turns", "days of cover"]
    table = _table(title, columns, right=columns[1:])
    for r in rows:
        table.add_row(
            escape(r.item),
            str(r.shipped),
            str(r.average_on_hand),
            _text(r.turns),
            _text(r.days_of_cover),
        )
    return table


# -- aging ----------------------------------------------------------------------------------


def _aging(args: argparse.Namespace, out: Output) -> int:
    return _run(
        args,
        out,
        name="aging",
        compute=lambda inv: inv.analytics.aging(
            basis=args.basis, edges=args.edges, at=args.today, sku=args.sku
        ),
        table=lambda rows: _aging_table(rows, args.basis),
        title=f"Stock by days {'to expiry' if args.basis == 'expiry' else 'since receipt'}",
    )


def _aging_table(rows: Sequence[AgingBucket], basis: str) -> RenderableType:
    title = f"On-hand stock by days {'to expiry' if basis == 'expiry' else 'since receipt'}"
    if not rows:
        return f"{title}: no stock on hand."
    order: dict[str, tuple[bool, int]] = {}
    for r in rows:
        order[r.bucket] = (r.bucket == "no expiry", -(10**9) if r.low is None else r.low)
    buckets = sorted(order, key=lambda b: order[b])
    items = sorted({r.item for r in rows})
    quantity = {(r.item, r.bucket): r.quantity for r in rows}
    table = _table(title, ["item", *buckets], right=buckets)
    for item in items:
        table.add_row(escape(item), *(_text(quantity.get((item, b))) for b in buckets))
    return table


# -- near expiry ----------------------------------------------------------------------------


def _near_expiry(args: argparse.Namespace, out: Output) -> int:
    return _run(
        args,
        out,
        name="near-expiry",
        compute=lambda inv: inv.analytics.near_expiry(
            args.days, at=args.today, sku=args.sku, location=args.location
        ),
        table=lambda rows: _near_table(rows, args.days),
        title=f"Stock expiring within {args.days} days",
    )


def _near_table(rows: Sequence[NearExpiry], days: int) -> RenderableType:
    title = f"Stock expired or expiring within {days} days"
    if not rows:
        return f"{title}: none."
    columns = ["expiry", "days left", "item", "lot", "serial", "location", "status"]
    columns += ["container", "quantity", "reserved"]
    table = _table(title, columns, right=("days left", "quantity", "reserved"))
    for r in rows:
        left = f"[red]{r.days_left}[/]" if r.days_left < 0 else str(r.days_left)
        table.add_row(
            r.expiry.isoformat(),
            left,
            escape(r.item),
            escape(r.lot),
            _text(r.serial),
            escape(r.location),
            escape(r.status),
            _text(r.container),
            str(r.quantity),
            str(r.reserved),
        )
    return table


# -- supplier non-conformity ----------------------------------------------------------------


def _nonconformity(args: argparse.Namespace, out: Output) -> int:
    return _run(
        args,
        out,
        name="nonconformity",
        compute=lambda inv: inv.analytics.supplier_nonconformity(
            since=args.since, until=args.until, statuses=args.statuses
        ),
        table=_nonconformity_table,
        title="Supplier non-conformity",
    )


def _nonconformity_table(rows: Sequence[SupplierNonconformity]) -> RenderableType:
    title = "Supplier non-conformity"
    if not rows:
        return f"{title}: no holds, returns or scrap."
    columns = ["supplier", "item", "kind", "reason", "events", "quantity", "receipts", "rate"]
    table = _table(title, columns, right=("events", "quantity", "receipts", "rate"))
    for r in rows:
        table.add_row(
            _text(r.supplier) or "(unknown)",
            escape(r.item),
            escape(str(r.kind)),
            _text(r.reason),
            str(r.events),
            str(r.quantity),
            str(r.receipts),
            _text(r.rate),
        )
    return table


# -- activity -------------------------------------------------------------------------------


def _activity(args: argparse.Namespace, out: Output) -> int:
    return _run(
        args,
        out,
        name="activity",
        compute=lambda inv: inv.analytics.activity(
            depth=args.depth,
            timezone=args.timezone,
            since=args.since,
            until=args.until,
            kinds=args.kinds,
        ),
        table=lambda rows: _activity_table(rows, args.timezone),
        title=f"Movement lines by zone and hour ({args.timezone})",
    )


def _activity_table(rows: Sequence[Activity], timezone: str) -> RenderableType:
    title = f"Movement lines by zone and hour of the day ({timezone})"
    if not rows:
        return f"{title}: no movements."
    columns = ["zone", "hour", "inbound", "outbound", "touches"]
    table = _table(title, columns, right=columns[1:])
    for r in rows:
        table.add_row(
            escape(r.zone), f"{r.hour:02}:00", str(r.inbound), str(r.outbound), str(r.touches)
        )
    return table
