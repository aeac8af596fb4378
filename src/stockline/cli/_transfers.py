"""``transfer``: transfer orders between sites, with stock in transit."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

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
)
from stockline.cli._ledger import transaction_json
from stockline.cli._operations import sku_amount

if TYPE_CHECKING:
    from stockline.ledger import Transaction
    from stockline.operations import InTransit, TransferOrder, TransferReport


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    group = add_group(
        sub,
        "transfer",
        "Transfer orders between sites: ship into transit, receive in parts, over/short.",
        description=(
            "An order moves stock from one site to another through its own transit location\n"
            "(transit/ORDER). 'ship' moves every line there (by the item's allocation policy);\n"
            "'receive' and 'scan' take it out at the destination, in as many parts as it\n"
            "arrives; 'report' shows what is over or short; 'cancel' sends what is still in\n"
            "transit back to the origin; 'close' writes off what never arrived."
        ),
    )
    create = add_command(group, "create", "Create transfer ORDER from --src to --dst.", _create)
    create.add_argument("order", metavar="ORDER", help="the order number")
    create.add_argument(
        "lines", nargs="+", type=sku_amount, metavar="SKU=QTY", help="what to transfer"
    )
    create.add_argument("--src", required=True, metavar="LOCATION", help="ship from here")
    create.add_argument("--dst", required=True, metavar="LOCATION", help="receive here")
    create.add_argument("--transit", metavar="LOCATION", help="default: transit/ORDER")
    create.add_argument("--actor", help="who creates it")

    listed = add_command(group, "list", "List transfer orders and what is in transit.", _list)
    listed.add_argument(
        "--state",
        choices=("open", "in_transit", "received", "closed", "cancelled"),
        help="only orders in this state",
    )

    ship = add_command(group, "ship", "Ship every line of ORDER into transit.", _ship)
    receive = add_command(group, "receive", "Receive QTY of SKU out of transit on ORDER.", _receive)
    receive.add_argument("order", metavar="ORDER", help="the order number")
    receive.add_argument("sku", metavar="SKU", help="the item")
    receive.add_argument("quantity", type=decimal, metavar="QTY", help="how much")
    receive.add_argument("--lot", help="the lot")
    receive.add_argument("--serial", help="the serial")
    scan = add_command(group, "scan", "Receive what BARCODE names on ORDER.", _scan)
    scan.add_argument("order", metavar="ORDER", help="the order number")
    scan.add_argument("barcode", metavar="BARCODE", help="the GS1 barcode scanned")
    scan.add_argument(
        "quantity", nargs="?", type=decimal, metavar="QTY", help="scanned units (default: 1)"
    )
    for p in (receive, scan):
        p.add_argument("--dst", metavar="LOCATION", help="where it goes (default: the order's)")
        p.add_argument("--status", help="its status on arrival (default: as shipped)")
        p.add_argument("--allow-over", action="store_true", help="receive more than is in transit")
    report = add_command(group, "report", "Show what is over or short on ORDER.", _report)
    cancel = add_command(
        group, "cancel", "Cancel ORDER: what is in transit goes back to the origin.", _cancel
    )
    close = add_command(group, "close", "Close ORDER: write off what is still in transit.", _close)
    for p in (ship, report, cancel, close):
        p.add_argument("order", metavar="ORDER", help="the order number")
    close.add_argument("--reason", required=True, help="why it is closed")
    cancel.add_argument("--reason", help="why it is cancelled")
    for p in (ship, receive, scan, cancel, close):
        p.add_argument("--key", help="an idempotency key: a retry returns the first posting")
        p.add_argument("--effective-at", type=aware_time, metavar="TIME", help="when")
        p.add_argument("--actor", help="who")


def _create(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        order = inv.transfers.create(
            args.order,
            src=args.src,
            dst=args.dst,
            lines=list(args.lines),
            transit=args.transit,
            actor=args.actor,
        )
    lines = ", ".join(f"{x.quantity} {x.sku}" for x in order.lines)
    out.emit(
        plain(order),
        lambda: [
            f"Created transfer order {escape(order.order)}: {escape(lines)} from "
            f"{escape(order.src)} to {escape(order.dst)} through {escape(order.transit)}."
        ],
    )
    return ExitCode.OK


def _list(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        orders = inv.transfers.orders(state=args.state)
        moving = inv.transfers.in_transit()
    out.emit(
        {"orders": [plain(o) for o in orders], "in_transit": [plain(x) for x in moving]},
        lambda: [_orders_table(orders), *([_transit_table(moving)] if moving else [])],
    )
    return ExitCode.OK


def _orders_table(orders: Sequence[TransferOrder]) -> RenderableType:
    if not orders:
        return "No transfer orders; create one with 'stockline transfer create'."
    table = Table(title="Transfer orders", title_justify="left")
    for column in ("order", "state", "from", "to", "lines"):
        table.add_column(column)
    for o in orders:
        lines = ", ".join(f"{x.quantity} {x.sku}" for x in o.lines)
        table.add_row(escape(o.order), str(o.state), escape(o.src), escape(o.dst), escape(lines))
    return table


def _transit_table(rows: Sequence[InTransit]) -> RenderableType:
    table = Table(title="In transit", title_justify="left")
    for column in ("order", "item", "lot/serial", "status", "qty", "from", "to"):
        table.add_column(column, justify="right" if column == "qty" else "left")
    for x in rows:
        table.add_row(
            escape(x.order),
            escape(x.sku),
            escape(x.lot or x.serial or ""),
            escape(x.status),
            str(x.quantity),
            escape(x.src),
            escape(x.dst),
        )
    return table


def _posted(tx: Transaction | None, what: str) -> list[RenderableType]:
    if tx is None:
        return [f"{what}; nothing was in transit, so nothing was posted."]
    moved = sum(m.quantity for m in tx.movements)
    return [f"{what}: transaction {tx.id}, {len(tx.movements)} line(s), {moved} unit(s)."]


def _ship(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        tx = inv.transfers.ship(
            args.order, key=args.key, effective_at=args.effective_at, actor=args.actor
        )
    out.emit(transaction_json(tx), lambda: _posted(tx, f"Shipped {escape(args.order)}"))
    return ExitCode.OK


def _receive(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        tx = inv.transfers.receive(
            args.order,
            args.sku,
            args.quantity,
            lot=args.lot,
            serial=args.serial,
            dst=args.dst,
            status=args.status,
            allow_over=args.allow_over,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
        )
        state = inv.transfers.order(args.order).state
    out.emit(
        transaction_json(tx),
        lambda: _posted(tx, f"Received on {escape(args.order)} ({state})"),
    )
    return ExitCode.OK


def _scan(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        tx = inv.transfers.receive_scan(
            args.order,
            args.barcode,
            args.quantity,
            dst=args.dst,
            status=args.status,
            allow_over=args.allow_over,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
        )
        state = inv.transfers.order(args.order).state
    out.emit(
        transaction_json(tx),
        lambda: _posted(tx, f"Received on {escape(args.order)} ({state})"),
    )
    return ExitCode.OK


def _report(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        report = inv.transfers.report(args.order)
    out.emit(plain(report), lambda: [_report_table(report)])
    return ExitCode.OK


def _report_table(report: TransferReport) -> RenderableType:
    verdict = "balanced" if report.balanced else "over/short"
    table = Table(
        title=f"Transfer order {escape(report.order)} ({report.state}, {verdict})",
        title_justify="left",
    )
    columns = ("item", "ordered", "shipped", "received", "returned", "written off")
    for column in (*columns, "in transit", "over", "short"):
        table.add_column(column, justify="left" if column == "item" else "right")
    for x in report.lines:
        table.add_row(
            escape(x.sku),
            str(x.ordered),
            str(x.shipped),
            str(x.received),
            str(x.returned),
            str(x.written_off),
            str(x.in_transit),
            f"[red]{x.over}[/]" if x.over else "0",
            f"[red]{x.short}[/]" if x.short else "0",
        )
    return table


def _cancel(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        tx = inv.transfers.cancel(
            args.order,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
            reason=args.reason,
        )
    out.emit(
        None if tx is None else transaction_json(tx),
        lambda: _posted(tx, f"Cancelled {escape(args.order)}"),
    )
    return ExitCode.OK


def _close(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        tx = inv.transfers.close(
            args.order,
            reason=args.reason,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
        )
    out.emit(
        None if tx is None else transaction_json(tx),
        lambda: _posted(tx, f"Closed {escape(args.order)}"),
    )
    return ExitCode.OK
