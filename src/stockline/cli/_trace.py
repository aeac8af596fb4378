"""``trace`` and ``recall``: where a lot or serial went, where it came from, and recalling it."""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from stockline.cli._app import (
    ExitCode,
    Output,
    Subparsers,
    UsageError,
    add_command,
    add_limit,
    aware_time,
    limited,
    open_ledger,
    when,
)

if TYPE_CHECKING:
    from stockline.genealogy import Link, Node, RecallReport, Trace
    from stockline.ledger import Balance, NodeKey, Reference, Transaction


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    trace = add_command(
        sub,
        "trace",
        "Trace a lot or serial downstream (what it became, where it went) or upstream.",
        _trace,
        description=(
            "Trace a lot or serial through the genealogy and the ledger, shown as a tree.\n\n"
            "Downstream (the default): every lot or serial made from it, every shipment of\n"
            "any of them to a customer, and where they are now. Upstream: every lot or\n"
            "serial it was made from and the supplier receipts they came in on."
        ),
    )
    trace.add_argument("sku", metavar="SKU", help="the item")
    which = trace.add_mutually_exclusive_group(required=True)
    which.add_argument("--lot", help="the lot to trace")
    which.add_argument("--serial", help="the serial to trace")
    direction = trace.add_mutually_exclusive_group()
    direction.add_argument(
        "--downstream",
        dest="upstream",
        action="store_false",
        help="what it became and where it went (the default)",
    )
    direction.add_argument(
        "--upstream", dest="upstream", action="store_true", help="what it was made from"
    )
    trace.set_defaults(upstream=False)
    trace.add_argument(
        "--as-of", type=aware_time, metavar="TIME", help="trace as things stood at this time"
    )
    add_limit(trace, "lines", tables_only=True)

    recall = add_command(
        sub,
        "recall",
        "Report what a recall of lots or serials affects; with --contain, put it on hold.",
        _recall,
        description=(
            "Trace the recalled lots or serials of one item downstream and report every\n"
            "affected lot and serial, what each customer received (quantities, dates,\n"
            "documents), and affected stock on hand and in transit.\n\n"
            "With --contain, also put every affected available position on hold in one\n"
            "transaction. The recall id comes from the lots and the reason, so running the\n"
            "same recall again returns the first containment instead of posting twice."
        ),
    )
    recall.add_argument("sku", metavar="SKU", help="the item recalled")
    recall.add_argument(
        "--lot", action="append", default=[], help="a recalled lot (repeat for several)"
    )
    recall.add_argument(
        "--serial", action="append", default=[], help="a recalled serial (repeat for several)"
    )
    recall.add_argument(
        "--reason", required=True, help="why; it goes on the report and on every hold"
    )
    recall.add_argument("--id", dest="recall_id", help="the recall's id (default: derived)")
    recall.add_argument(
        "--as-of", type=aware_time, metavar="TIME", help="report as things stood at this time"
    )
    recall.add_argument(
        "--contain", action="store_true", help="put affected available stock on hold"
    )
    recall.add_argument("--actor", help="who contains (recorded on the hold transaction)")
    add_limit(recall, "rows per table", tables_only=True)


# -- trace ----------------------------------------------------------------------------------


def _trace(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        if args.upstream:
            found = inv.trace_upstream(args.sku, args.lot, serial=args.serial, as_of=args.as_of)
        else:
            found = inv.trace_downstream(args.sku, args.lot, serial=args.serial, as_of=args.as_of)
    left: list[int] = []
    out.emit(found.to_dict(), lambda: [trace_tree(found, limit=args.limit, left_out=left)])
    out.left_out(sum(left), "lines", args.limit)
    return ExitCode.OK


def trace_tree(found: Trace, *, limit: int = 0, left_out: list[int] | None = None) -> Tree:
    """The trace as a tree: each lot or serial with its shipments or receipts and stock,
    then what it became (downstream) or was made from (upstream).

    With ``limit``, at most that many lines below the title (0: all); the number of lines
    left out is appended to ``left_out``.
    """
    from stockline.genealogy import Node

    downstream = found.direction == "downstream"
    as_of = f" as of {when(found.as_of)} UTC" if found.as_of else ""
    tree = Tree(
        f"[bold]{found.direction.capitalize()} trace[/] of "
        f"{escape(', '.join(map(str, found.roots)))}{as_of} (times in UTC)"
    )
    nodes = {n.key: n for n in found.nodes}
    next_of: defaultdict[NodeKey, list[tuple[Node, Link]]] = defaultdict(list)
    for link in found.links:
        e = link.edge
        parent = Node(item=e.parent_item, lot=e.parent_lot, serial=e.parent_serial)
        child = Node(item=e.child_item, lot=e.child_lot, serial=e.child_serial)
        if downstream:
            next_of[parent.key].append((child, link))
        else:
            next_of[child.key].append((parent, link))
    events: defaultdict[NodeKey, list[str]] = defaultdict(list)
    for s in found.shipments:
        events[_owner(nodes, s.item, s.lot, s.serial)].append(
            f"shipped {s.quantity} to [bold]{escape(s.customer)}[/] {when(s.effective_at)}"
            f"{_docs(s.refs)} (tx {s.transaction_id})"
        )
    for r in found.receipts:
        events[_owner(nodes, r.item, r.lot, r.serial)].append(
            f"received {r.quantity} from [bold]{escape(r.supplier)}[/] {when(r.effective_at)}"
            f"{_docs(r.refs)} (tx {r.transaction_id})"
        )
    for b in found.positions:
        events[_owner(nodes, b.item, b.lot, b.serial)].append(_at(b, "on hand"))
    for b in found.in_transit:
        events[_owner(nodes, b.item, b.lot, b.serial)].append(_at(b, "in transit"))
    shown: set[NodeKey] = set()
    lines = [0, 0]  # drawn, left out

    def add(branch: Tree, label: str) -> Tree:
        if limit and lines[0] >= limit:
            lines[1] += 1
            return branch
        lines[0] += 1
        return branch.add(label)

    def grow(branch: Tree, node: Node, via: Link | None) -> None:
        label = f"[bold cyan]{escape(str(node))}[/]"
        if via is not None:
            verb = "made into" if downstream else "made from"
            if via.edge.kind != "transformation":
                verb = f"{via.edge.kind} {'into' if downstream else 'from'}"
            label = (
                f"{verb} {label} ({via.edge.quantity} of the parent, {when(via.effective_at)}, "
                f"tx {via.transaction_id})"
            )
        if node.key in shown:
            add(branch, label + " [dim](shown above)[/]")
            return
        shown.add(node.key)
        here = add(branch, label)
        for line in events.get(node.key, []):
            add(here, line)
        for nxt, link in sorted(next_of.get(node.key, []), key=lambda p: p[0]):
            grow(here, nxt, link)

    for root in found.roots:
        grow(tree, root, None)
    if lines[1]:
        tree.add(f"[dim]… {lines[1]} more line(s) not shown[/]")
    if left_out is not None:
        left_out.append(lines[1])
    return tree


def _owner(nodes: dict[NodeKey, Node], item: str, lot: str | None, serial: str | None) -> NodeKey:
    """The reached node a line belongs to: its own key, else its lot's node."""
    key = (item, lot, serial)
    return key if key in nodes else (item, lot, None)


def _docs(refs: Iterable[Reference]) -> str:
    text = ", ".join(map(str, refs))
    return f" [{escape(text)}]" if text else ""


def _at(b: Balance, what: str) -> str:
    place = b.position.location + (f" in {b.position.container}" if b.position.container else "")
    status = b.position.status
    styled = status if status == "available" else f"[bold yellow]{escape(status)}[/]"
    return f"{what}: {b.quantity} at {escape(place)} ({styled})"


# -- recall ---------------------------------------------------------------------------------


def _recall(args: argparse.Namespace, out: Output) -> int:
    from stockline.genealogy import Node

    if not args.lot and not args.serial:
        raise UsageError("name what is recalled: --lot LOT or --serial SERIAL (repeatable)")
    roots: list[Node | tuple[str, str]] = [(args.sku, lot) for lot in args.lot]
    roots += [Node(item=args.sku, serial=s) for s in args.serial]
    with open_ledger(args.db) as inv:
        report = inv.recall(*roots, reason=args.reason, as_of=args.as_of, recall_id=args.recall_id)
        containment: dict[str, Any] | None = None
        held: Transaction | None = None
        if args.contain:
            held = inv.genealogy.contain(report, actor=args.actor)
            containment = {
                "transaction_id": None if held is None else held.id,
                "positions": 0 if held is None else len(held.movements),
            }
            # Report the stock as it is now, on hold.
            report = inv.recall(
                *roots, reason=args.reason, as_of=args.as_of, recall_id=report.recall_id
            )
    data = report.to_dict()
    data["containment"] = containment
    left: list[int] = []
    out.emit(data, lambda: _recall_parts(report, args.contain, held, args.limit, left))
    out.left_out(sum(left), "rows", args.limit)
    return ExitCode.OK


def _recall_parts(
    report: RecallReport,
    contained: bool,
    held: Transaction | None,
    limit: int = 0,
    left_out: list[int] | None = None,
) -> list[RenderableType]:
    left = left_out if left_out is not None else []
    parts: list[RenderableType] = [
        f"[bold]Recall {escape(report.recall_id)}[/]: {escape(report.reason)}",
        "Affected lots and serials: " + escape(", ".join(map(str, report.affected))),
    ]
    customers = Table(title="Customers who received affected stock", title_justify="left")
    for column in ("customer", "item", "lot/serial", "qty", "first shipped", "last shipped"):
        customers.add_column(column, justify="right" if column == "qty" else "left")
    customers.add_column("documents")
    shipped, more = limited(report.customers, limit)
    left.append(more)
    for c in shipped:
        customers.add_row(
            escape(c.customer),
            escape(c.item),
            escape(c.lot or c.serial or ""),
            str(c.quantity),
            when(c.first_shipped),
            when(c.last_shipped),
            escape(" ".join(c.documents)),
        )
    parts.append(customers if report.customers else "No affected stock reached a customer.")
    parts.append(
        _balances("Affected stock on hand", report.on_hand, limit, left)
        if report.on_hand
        else "No affected stock on hand."
    )
    if report.in_transit:
        parts.append(_balances("Affected stock in transit", report.in_transit, limit, left))
    if contained:
        parts.append(
            "Nothing affected was available to put on hold."
            if held is None
            else f"[bold]Contained[/]: transaction {held.id} put {len(held.movements)} "
            "position(s) on hold (running the recall again returns the same transaction)."
        )
    else:
        parts.append("Nothing was posted; add --contain to put affected available stock on hold.")
    return parts


def _balances(title: str, rows: Sequence[Balance], limit: int, left: list[int]) -> Table:
    rows, more = limited(rows, limit)
    left.append(more)
    table = Table(title=title, title_justify="left")
    for column in ("location", "status", "container", "item", "lot/serial"):
        table.add_column(column)
    table.add_column("qty", justify="right")
    for b in rows:
        table.add_row(
            escape(b.position.location),
            escape(b.position.status),
            escape(b.position.container or ""),
            escape(b.item),
            escape(b.lot or b.serial or ""),
            str(b.quantity),
        )
    return table
