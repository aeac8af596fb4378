"""``returns`` and ``wave``: customer and supplier returns; waves, picking and staging."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from stockline.cli._app import (
    Output,
    Subparsers,
    UsageError,
    add_command,
    add_group,
    aware_time,
    decimal,
    open_ledger,
    when,
)
from stockline.cli._ledger import transaction_json

if TYPE_CHECKING:
    from stockline.ledger import Transaction
    from stockline.operations import OrderProgress, Return, Returnable, Wave


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    _register_returns(sub)
    _register_wave(sub)


def _posting_options(parser: argparse.ArgumentParser, who: str) -> None:
    parser.add_argument("--key", help="an idempotency key: running again posts nothing twice")
    parser.add_argument(
        "--at", dest="effective_at", type=aware_time, metavar="TIME", help="when (default: now)"
    )
    parser.add_argument("--actor", help=who)


def _posted(tx: Transaction, what: str) -> list[RenderableType]:
    lines = ", ".join(
        f"{m.quantity} {escape(m.item)}"
        + (f" lot {escape(m.lot)}" if m.lot else "")
        + (f" serial {escape(m.serial)}" if m.serial else "")
        + f" {escape(str(m.src))} → {escape(str(m.dst))}"
        for m in tx.movements
    )
    refs = " ".join(escape(str(r)) for r in tx.refs)
    return [f"{what}: transaction {tx.id} ({tx.kind}) {lines}" + (f" [{refs}]" if refs else "")]


# -- returns --------------------------------------------------------------------------------


def _register_returns(sub: Subparsers) -> None:
    group = add_group(
        sub,
        "returns",
        "Customer returns against their shipments, dispositions, returns to suppliers.",
        description=(
            "Goods back from a customer are taken back against the shipment that sent them\n"
            "(by its transaction id, one of its documents, the SSCC it left in, or the\n"
            "serials): never more than it sent less what came back already. They wait at a\n"
            "returns location in status 'returned' until a disposition (restock, quarantine,\n"
            "hold, scrap) is decided with a reason. Goods back to a supplier are a return\n"
            "too, from stock, with a reason."
        ),
    )
    receive = add_command(
        group,
        "receive",
        "Take goods back from a customer against their shipment.",
        _returns_receive,
    )
    receive.add_argument("sku", metavar="SKU", help="the item")
    receive.add_argument("quantity", metavar="QTY", type=decimal, nargs="?", help="how much")
    receive.add_argument("--dst", required=True, metavar="LOCATION", help="the returns location")
    receive.add_argument("--shipment", type=int, metavar="ID", help="the shipment's transaction")
    receive.add_argument("--document", metavar="DOC", help="a document of the shipment (SO, BOL)")
    receive.add_argument("--sscc", help="the SSCC of a container the shipment sent")
    receive.add_argument("--lot", help="the lot (when the shipment sent several)")
    receive.add_argument(
        "--serial", action="append", default=[], metavar="SERIAL", help="a serial (repeatable)"
    )
    receive.add_argument("--customer", help="who returns it (checked against the shipment)")
    receive.add_argument("--rma", metavar="REF", help="the return authorisation")
    receive.add_argument("--reason", help="why the customer sent it back")
    _posting_options(receive, "who takes it back")

    dispose = add_command(
        group,
        "dispose",
        "Decide what becomes of returned goods: restock, quarantine, hold or scrap.",
        _returns_dispose,
    )
    dispose.add_argument("return_id", metavar="RETURN", type=int, help="the return transaction")
    dispose.add_argument(
        "disposition", choices=("restock", "quarantine", "hold", "scrap"), help="what to do"
    )
    dispose.add_argument("--reason", required=True, help="why")
    dispose.add_argument("--sku", help="only this item's lines")
    dispose.add_argument("--qty", dest="quantity", type=decimal, metavar="N", help="how much")
    dispose.add_argument("--lot", help="only this lot")
    dispose.add_argument("--serial", help="only this serial")
    dispose.add_argument("--dst", metavar="LOCATION", help="move it there as well (not scrap)")
    _posting_options(dispose, "who decides")

    show = add_command(
        group, "show", "Show a return: what came back and what awaits a disposition.", _show
    )
    show.add_argument("return_id", metavar="RETURN", type=int, help="the return transaction")

    left = add_command(
        group, "returnable", "Show what a shipment may still take back.", _returnable
    )
    left.add_argument("shipment", metavar="SHIPMENT", type=int, help="the shipment transaction")
    left.add_argument("--sku", help="only this item")

    supplier = add_command(
        group, "supplier", "Send stock back to a supplier, with a reason.", _returns_supplier
    )
    supplier.add_argument("sku", metavar="SKU", help="the item")
    supplier.add_argument("quantity", metavar="QTY", type=decimal, nargs="?", help="how much")
    supplier.add_argument("--src", required=True, metavar="LOCATION", help="where it is")
    supplier.add_argument("--supplier", required=True, help="the supplier's code")
    supplier.add_argument("--reason", required=True, help="why it goes back")
    supplier.add_argument("--lot", help="the lot")
    supplier.add_argument(
        "--serial", action="append", default=[], metavar="SERIAL", help="a serial (repeatable)"
    )
    supplier.add_argument("--status", default="available", help="its status (default: available)")
    supplier.add_argument("--rma", metavar="REF", help="the supplier's return authorisation")
    _posting_options(supplier, "who sends it")


def _returns_receive(args: argparse.Namespace, out: Output) -> int:
    if args.quantity is None and not args.serial:
        raise UsageError("give QTY, or --serial for each unit returned")
    with open_ledger(args.db) as inv:
        tx = inv.returns.receive(
            args.sku,
            args.quantity,
            dst=args.dst,
            shipment=args.shipment,
            document=args.document,
            sscc=args.sscc,
            lot=args.lot,
            serials=args.serial,
            customer=args.customer,
            ref=args.rma,
            reason=args.reason,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
        )
    out.emit(transaction_json(tx), lambda: _posted(tx, "Returned"))
    return 0


def _returns_dispose(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        tx = inv.returns.dispose(
            args.return_id,
            args.disposition,
            sku=args.sku,
            quantity=args.quantity,
            lot=args.lot,
            serial=args.serial,
            dst=args.dst,
            reason=args.reason,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
        )
    out.emit(transaction_json(tx), lambda: _posted(tx, args.disposition.capitalize()))
    return 0


def _returns_supplier(args: argparse.Namespace, out: Output) -> int:
    if args.quantity is None and not args.serial:
        raise UsageError("give QTY, or --serial for each unit sent back")
    with open_ledger(args.db) as inv:
        tx = inv.returns.to_supplier(
            args.sku,
            args.quantity,
            src=args.src,
            supplier=args.supplier,
            lot=args.lot,
            serials=args.serial,
            status=args.status,
            ref=args.rma,
            reason=args.reason,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
        )
    out.emit(transaction_json(tx), lambda: _posted(tx, "Sent back"))
    return 0


def _return_json(found: Return) -> dict[str, Any]:
    return {
        "id": found.id,
        "shipment": found.shipment,
        "customer": found.customer,
        "effective_at": found.effective_at.isoformat(),
        "refs": [str(r) for r in found.refs],
        "reason": found.reason,
        "reversed": found.reversed,
        "pending": str(found.pending),
        "dispositions": list(found.dispositions),
        "lines": [
            {
                "sku": x.sku,
                "lot": x.lot,
                "serial": x.serial,
                "position": str(x.position),
                "quantity": str(x.quantity),
                "disposed": str(x.disposed),
                "pending": str(x.pending),
            }
            for x in found.lines
        ],
    }


def _show(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        found = inv.returns.get(args.return_id)

    def render() -> list[RenderableType]:
        head = (
            f"Return {found.id} from {escape(found.customer)} against shipment "
            f"{found.shipment}, {when(found.effective_at)}"
            + (" [red](reversed)[/]" if found.reversed else "")
        )
        table = Table(title_justify="left")
        for column in ("item", "lot/serial", "at", "qty", "disposed", "pending"):
            table.add_column(
                column, justify="right" if column in ("qty", "disposed", "pending") else "left"
            )
        for x in found.lines:
            table.add_row(
                escape(x.sku),
                escape(x.lot or x.serial or ""),
                escape(str(x.position)),
                str(x.quantity),
                str(x.disposed),
                str(x.pending),
            )
        return [head, table]

    out.emit(_return_json(found), render)
    return 0


def _returnable_json(rows: list[Returnable]) -> list[dict[str, Any]]:
    return [
        {
            "shipment": x.shipment,
            "customer": x.customer,
            "sku": x.sku,
            "lot": x.lot,
            "serial": x.serial,
            "shipped": str(x.shipped),
            "returned": str(x.returned),
            "returnable": str(x.returnable),
        }
        for x in rows
    ]


def _returnable(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        rows = inv.returns.returnable(args.shipment, sku=args.sku)

    def render() -> list[RenderableType]:
        table = Table(title_justify="left")
        for column in ("customer", "item", "lot/serial", "shipped", "returned", "returnable"):
            right = column in ("shipped", "returned", "returnable")
            table.add_column(column, justify="right" if right else "left")
        for x in rows:
            table.add_row(
                escape(x.customer),
                escape(x.sku),
                escape(x.lot or x.serial or ""),
                str(x.shipped),
                str(x.returned),
                str(x.returnable),
            )
        return [table]

    out.emit(_returnable_json(rows), render)
    return 0


# -- wave -----------------------------------------------------------------------------------


def _register_wave(sub: Subparsers) -> None:
    group = add_group(
        sub,
        "wave",
        "Waves: pick lists per zone in walk order, picking by scan to staging, shipping.",
        description=(
            "A wave groups what is reserved for several orders (stockline allocations) into\n"
            "pick lists, one per zone, in the locations' pick sequence. Each line is picked\n"
            "by scan to the order's staging location; a short pick is allocated again. An\n"
            "order whose reserved stock is all staged ships whole, with its containers."
        ),
    )
    plan = add_command(group, "plan", "Plan a wave of orders into pick lists.", _wave_plan)
    plan.add_argument("wave", metavar="WAVE", help="the new wave's reference")
    plan.add_argument("orders", metavar="ORDER", nargs="+", help="the orders")
    plan.add_argument("--staging", required=True, metavar="LOCATION", help="the staging lane")
    plan.add_argument(
        "--zone-depth", type=int, default=2, metavar="N", help="path segments of a zone"
    )
    plan.add_argument("--actor", help="who plans it")

    show = add_command(group, "show", "Show a wave's pick lists and progress.", _wave_show)
    show.add_argument("wave", metavar="WAVE", help="the wave")

    pick = add_command(group, "pick", "Confirm a line of a wave, by scan.", _wave_pick)
    pick.add_argument("wave", metavar="WAVE", help="the wave")
    pick.add_argument("line", metavar="LINE", type=int, help="the line's number")
    pick.add_argument("--scan", metavar="TEXT", help="what the picker scanned")
    pick.add_argument("--qty", dest="quantity", type=decimal, metavar="N", help="how much")
    pick.add_argument("--short", action="store_true", help="the rest of the line was not found")
    pick.add_argument("--container", metavar="SSCC", help="pick into this container at staging")
    pick.add_argument("--gs-standin", metavar="CHAR", help="what the scanner sends for GS")
    pick.add_argument("--reason", help="a note")
    _posting_options(pick, "who picked")

    ship = add_command(group, "ship", "Ship a staged order.", _wave_ship)
    ship.add_argument("order", metavar="ORDER", help="the order")
    ship.add_argument("--customer", required=True, help="the customer's code")
    ship.add_argument("--bol", metavar="REF", help="the bill of lading")
    _posting_options(ship, "who ships")

    order = add_command(
        group, "order", "Show where an order is: allocated, picking, staged, shipped.", _order
    )
    order.add_argument("order", metavar="ORDER", help="the order")


def _wave_json(wave: Wave) -> dict[str, Any]:
    return {
        "id": wave.id,
        "orders": list(wave.orders),
        "staging": dict(wave.staging),
        "remaining": str(wave.remaining),
        "lists": [
            {
                "zone": p.zone,
                "lines": [
                    {
                        "line": x.number,
                        "order": x.order,
                        "order_line": x.line,
                        "sku": x.sku,
                        "lot": x.lot,
                        "serial": x.serial,
                        "from": str(x.src),
                        "quantity": str(x.quantity),
                        "picked": str(x.picked),
                        "short": str(x.short),
                        "remaining": str(x.remaining),
                    }
                    for x in p.lines
                ],
            }
            for p in wave.lists
        ],
    }


def _wave_parts(wave: Wave) -> list[RenderableType]:
    parts: list[RenderableType] = [
        f"Wave {escape(wave.id)}: orders {escape(', '.join(wave.orders))}; "
        f"{wave.remaining} left to pick"
    ]
    for p in wave.lists:
        table = Table(title=f"zone {p.zone}", title_justify="left")
        columns = ("line", "from", "order", "item", "lot/serial", "qty", "picked", "short", "left")
        for column in columns:
            right = column in ("line", "qty", "picked", "short", "left")
            table.add_column(column, justify="right" if right else "left")
        for x in p.lines:
            table.add_row(
                str(x.number),
                escape(str(x.src)),
                escape(x.order),
                escape(x.sku),
                escape(x.lot or x.serial or ""),
                str(x.quantity),
                str(x.picked),
                str(x.short),
                str(x.remaining),
            )
        parts.append(table)
    return parts


def _wave_plan(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        wave = inv.picking.plan(
            args.wave,
            args.orders,
            staging=args.staging,
            zone_depth=args.zone_depth,
            actor=args.actor,
        )
    out.emit(_wave_json(wave), lambda: _wave_parts(wave))
    return 0


def _wave_show(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        wave = inv.picking.wave(args.wave)
    out.emit(_wave_json(wave), lambda: _wave_parts(wave))
    return 0


def _wave_pick(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        done = inv.picking.confirm(
            args.wave,
            args.line,
            args.scan,
            quantity=args.quantity,
            short=args.short,
            container=args.container,
            gs_standin=args.gs_standin,
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
            reason=args.reason,
        )
    data = {
        "transaction": None if done.transaction is None else transaction_json(done.transaction),
        "short": str(done.short),
        "reallocated": [
            {"line": x.number, "from": str(x.src), "quantity": str(x.quantity)}
            for x in done.reallocated
        ],
        "unallocated": str(done.unallocated),
    }

    def render() -> list[RenderableType]:
        parts: list[RenderableType] = []
        if done.transaction is not None:
            parts += _posted(done.transaction, "Picked")
        if done.short:
            added = ", ".join(f"line {x.number} at {escape(str(x.src))}" for x in done.reallocated)
            parts.append(
                f"Short {done.short}: allocated again as {added or 'nothing'}"
                + (
                    f"; [red]{done.unallocated} could not be allocated[/]"
                    if done.unallocated
                    else ""
                )
            )
        return parts

    out.emit(data, render)
    return 0


def _wave_ship(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        tx = inv.picking.ship(
            args.order,
            customer=args.customer,
            refs={} if args.bol is None else {"BOL": args.bol},
            key=args.key,
            effective_at=args.effective_at,
            actor=args.actor,
        )
    out.emit(transaction_json(tx), lambda: _posted(tx, "Shipped"))
    return 0


def _progress_json(p: OrderProgress) -> dict[str, Any]:
    return {
        "order": p.order,
        "state": str(p.state),
        "reserved": str(p.reserved),
        "staged": str(p.staged),
        "shipped": str(p.shipped),
        "waves": list(p.waves),
    }


def _order(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        found = inv.picking.progress(args.order)
    out.emit(
        _progress_json(found),
        lambda: [
            f"Order {escape(found.order)}: [bold]{found.state}[/] (reserved {found.reserved}, "
            f"staged {found.staged}, shipped {found.shipped})"
        ],
    )
    return 0
