"""The ``stockline`` command line: look at a ledger in a SQLite file or any database URL."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stockline._demo import DEMO_START, build_demo
from stockline._inventory import Inventory
from stockline.errors import StocklineError
from stockline.ledger._time import FixedClock

__all__ = ["main"]

EXIT_OK, EXIT_USAGE, EXIT_ERROR, EXIT_INTEGRITY = 0, 2, 1, 3


def _url(db: str) -> str:
    return db if "://" in db else f"sqlite:///{db}"


def _open(db: str, *, create: bool = False) -> Inventory:
    if "://" not in db and not create and not Path(db).exists():
        raise FileNotFoundError(f"no ledger at {db}; create one with 'stockline demo --db {db}'")
    return Inventory.open(_url(db))


def _stock_table(inv: Inventory, args: argparse.Namespace) -> Table | list[dict[str, str]]:
    rows = inv.stock(args.sku, lot=args.lot, location=args.location, status=args.status)
    if args.json:
        return [
            {
                "item": b.item,
                "lot": b.lot or "",
                "serial": b.serial or "",
                "location": b.position.location,
                "status": b.position.status,
                "container": b.position.container or "",
                "quantity": str(b.quantity),
            }
            for b in rows
        ]
    table = Table(title="Stock on hand", title_justify="left")
    for column in ("location", "item", "lot", "serial", "status"):
        table.add_column(column)
    table.add_column("quantity", justify="right")
    for b in sorted(rows, key=lambda b: (b.position.location, b.item, b.lot or "", b.serial or "")):
        status = b.position.status
        styled = escape(status) if status == "available" else f"[bold yellow]{escape(status)}[/]"
        cells = (b.position.location, b.item, b.lot or "", b.serial or "")
        table.add_row(*map(escape, cells), styled, str(b.quantity))
    return table


def _history_table(inv: Inventory, args: argparse.Namespace) -> Table | list[dict[str, object]]:
    txs = inv.history(args.sku, lot=args.lot, serial=args.serial, location=args.location)
    if args.json:
        return [
            {
                "id": tx.id,
                "kind": str(tx.kind),
                "effective_at": tx.effective_at.isoformat(),
                "refs": [str(r) for r in tx.refs],
                "actor": tx.actor,
                "reason": tx.reason,
                "reverses": tx.reverses,
                "movements": [
                    {
                        "item": m.item,
                        "lot": m.lot,
                        "serial": m.serial,
                        "quantity": str(m.quantity),
                        "from": str(m.src),
                        "to": str(m.dst),
                    }
                    for m in tx.movements
                ],
            }
            for tx in txs
        ]
    table = Table(title="History (times in UTC)", title_justify="left")
    for column in (
        "id",
        "effective",
        "kind",
        "item",
        "lot/serial",
        "qty",
        "from → to",
        "refs",
        "actor",
        "reason",
    ):
        table.add_column(column, justify="right" if column in ("id", "qty") else "left")
    for tx in txs:
        kind = f"{tx.kind} of {tx.reverses}" if tx.reverses else str(tx.kind)
        for m in tx.movements:
            table.add_row(
                str(tx.id),
                tx.effective_at.strftime("%m-%d %H:%M"),
                kind,
                m.item,
                m.lot or m.serial or "",
                str(m.quantity),
                escape(f"{m.src} → {m.dst}"),
                escape(" ".join(r.number for r in tx.refs)),
                escape(tx.actor or ""),
                escape(tx.reason or ""),
            )
    return table


def _print(console: Console, result: object, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(result))
    else:
        console.print(result)


def _demo(args: argparse.Namespace, console: Console) -> int:
    path = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    clock = FixedClock(DEMO_START)
    with Inventory.open(_url(args.db), clock=clock) as inv:
        build_demo(inv, clock)
        report = inv.verify()
        count = report.transactions
        if not args.json:
            console.print(f"Posted the demo day: {count} transactions into [bold]{path}[/].")
        _print(console, _stock_table(inv, _all_stock(args.json)), args.json)
        if not args.json:
            state = "[green]verified[/]" if report.ok else "[red]FAILED[/]"
            console.print(f"Hash chain and balances: {state} (head {report.head_hash[:16]}…)")
            console.print(f"Look further: stockline history --db {path} --sku PUMP-X")
    return EXIT_OK


def _all_stock(as_json: bool) -> argparse.Namespace:
    return argparse.Namespace(sku=None, lot=None, location=None, status=None, json=as_json)


def _verify(args: argparse.Namespace, console: Console) -> int:
    with _open(args.db) as inv:
        report = inv.verify()
    if args.json:
        _print(
            console,
            {
                "ok": report.ok,
                "transactions": report.transactions,
                "head_hash": report.head_hash,
                "problems": [
                    {"kind": p.kind, "transaction_id": p.transaction_id, "detail": p.detail}
                    for p in report.problems
                ],
            },
            True,
        )
    elif report.ok:
        console.print(
            f"[green]OK[/]: {report.transactions} transactions, chain intact, balances match the "
            f"ledger. Head hash {report.head_hash}"
        )
    else:
        for problem in report.problems:
            console.print(f"[red]{problem.kind}[/]: {escape(problem.detail)}")
    return EXIT_OK if report.ok else EXIT_INTEGRITY


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockline", description="Look at and check a stockline ledger."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--db",
            default="stockline-demo.db",
            help="a SQLite file or a database URL (default: %(default)s)",
        )
        p.add_argument("--json", action="store_true", help="print JSON instead of tables")
        return p

    command("demo", "Build the demo ledger (replacing the file) and show its stock.")
    stock = command("stock", "Show stock on hand by location, item, lot and status.")
    history = command("history", "Show the transactions that moved matching stock.")
    for p in (stock, history):
        p.add_argument("--sku", help="only this item")
        p.add_argument("--lot", help="only this lot")
        p.add_argument("--location", help="only this location and below")
    stock.add_argument("--status", help="only this status (available, hold, ...)")
    history.add_argument("--serial", help="only this serial")
    command("verify", "Check the hash chain and that balances match the ledger (exit 3 if not).")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    # Tables are wide; when output goes to a file or pipe, do not squeeze them into 80 columns.
    console = Console(soft_wrap=args.json, width=None if sys.stdout.isatty() else 200)
    err = Console(stderr=True)
    try:
        if args.command == "demo":
            return _demo(args, console)
        if args.command == "verify":
            return _verify(args, console)
        with _open(args.db) as inv:
            make = _stock_table if args.command == "stock" else _history_table
            _print(console, make(inv, args), args.json)
        return EXIT_OK
    except (StocklineError, FileNotFoundError) as e:
        err.print(f"[red]error:[/] {escape(str(e))}")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
