"""``init``, ``demo``, ``stock``, ``history`` and ``verify``: the ledger itself."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from stockline.cli._app import (
    CommandError,
    ExitCode,
    Output,
    Subparsers,
    add_command,
    add_limit,
    aware_time,
    limited,
    open_ledger,
    shown,
    sqlite_file,
    when,
)

if TYPE_CHECKING:
    from stockline import Inventory
    from stockline.ledger import Balance, IntegrityReport, Transaction


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    add_command(
        sub,
        "init",
        "Create an empty ledger (or bring an existing one up to the current schema).",
        _init,
        db_required=True,
        description=(
            "Create an empty ledger in a SQLite file or a database (stockline's tables, all\n"
            "prefixed sl_), or migrate an existing ledger to the current schema. Running it\n"
            "again on a ledger is harmless."
        ),
    )

    demo = add_command(
        sub,
        "demo",
        "Build the demo ledger (a day in a pharma warehouse) and show its stock.",
        _demo,
        description=(
            "Post the demo day into a new ledger: receipts from two suppliers, put-away,\n"
            "picking and shipping to two customers, a quality hold, and a mis-keyed shipment\n"
            "reversed and posted again. Then show the stock and verify the ledger.\n\n"
            "An existing SQLite file is replaced only when it holds an earlier demo (or an\n"
            "empty ledger); anything else needs --force. A database URL must point at an\n"
            "empty ledger."
        ),
    )
    demo.add_argument(
        "--force", action="store_true", help="replace the SQLite file even if it is not a demo"
    )

    stock = add_command(
        sub, "stock", "Show stock on hand by location, item, lot, serial and status.", _stock
    )
    history = add_command(
        sub, "history", "Show the transactions that moved matching stock, oldest first.", _history
    )
    for p in (stock, history):
        p.add_argument("--sku", help="only this item")
        p.add_argument("--lot", help="only this lot")
        p.add_argument("--serial", help="only this serial")
        p.add_argument("--location", help="only this location and everything below it")
        p.add_argument("--container", help="only stock in this container (an SSCC, say)")
    stock.add_argument("--status", help="only this status (available, hold, quarantine, ...)")
    stock.add_argument(
        "--as-of",
        type=aware_time,
        metavar="TIME",
        help="the stock at this time (ISO 8601 with a time zone, e.g. 2026-03-02T12:00Z)",
    )
    history.add_argument("--since", type=aware_time, metavar="TIME", help="effective at or after")
    history.add_argument("--until", type=aware_time, metavar="TIME", help="effective before")
    add_limit(history, "transactions")

    add_command(
        sub,
        "verify",
        "Check the hash chain and that balances match the ledger (exit 3 if not).",
        _verify,
    )
    rebuild = add_command(
        sub,
        "rebuild",
        "Rebuild the balance projection from the ledger and take as-of checkpoints.",
        _rebuild,
    )
    rebuild.add_argument(
        "--checkpoint-only",
        action="store_true",
        help="only take one as-of checkpoint after the last transaction",
    )


# -- init -----------------------------------------------------------------------------------


def _init(args: argparse.Namespace, out: Output) -> int:
    path = sqlite_file(args.db)
    existed = path is not None and path.exists()
    with open_ledger(args.db, create=True) as inv, inv.store.read() as r:
        head, _ = r.head()
    created = not existed and head == 0
    out.emit(
        {"database": shown(args.db), "created": created, "transactions": head},
        lambda: [
            f"Created an empty ledger in [bold]{escape(shown(args.db))}[/]."
            if created
            else f"[bold]{escape(shown(args.db))}[/] is a stockline ledger with {head} "
            "transactions; its schema is up to date."
        ],
    )
    return ExitCode.OK


# -- demo -----------------------------------------------------------------------------------


def _demo(args: argparse.Namespace, out: Output) -> int:
    from stockline.cli._demo import DEMO_START, build_demo
    from stockline.ledger import FixedClock

    path = sqlite_file(args.db)
    if path is not None and path.exists():
        if not args.force:
            _check_replaceable(args.db)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif args.force:
        raise CommandError("--force only replaces a SQLite file; drop the database yourself")
    clock = FixedClock(DEMO_START)
    with open_ledger(args.db, create=True, clock=clock) as inv:
        if path is None and not _empty(inv):
            raise CommandError(
                f"{shown(args.db)} already holds a ledger; the demo needs an empty database"
            )
        build_demo(inv, clock)
        report = inv.verify()
        rows = _sorted(inv.stock())
    db = escape(shown(args.db))
    out.emit(
        {
            "database": shown(args.db),
            "transactions": report.transactions,
            "verified": report.ok,
            "head_hash": report.head_hash,
            "stock": [_balance_json(b) for b in rows],
        },
        lambda: [
            f"Posted the demo day: {report.transactions} transactions into [bold]{db}[/].",
            _stock_table(rows),
            "Hash chain and balances: "
            + ("[green]verified[/]" if report.ok else "[red]FAILED[/]")
            + f" (head {report.head_hash[:16]}…)",
            f"Look further: stockline history --db {db} --sku PUMP-X",
        ],
    )
    return ExitCode.OK if report.ok else ExitCode.INTEGRITY


def _check_replaceable(db: str) -> None:
    """Refuse to delete a file unless it is an earlier demo or an empty ledger."""
    from stockline import Inventory
    from stockline.cli._demo import DEMO_START, build_demo
    from stockline.ledger import FixedClock

    refusal = (
        f"{shown(db)} exists and is not a stockline demo ledger; refusing to replace it. "
        "Choose another --db, or pass --force to replace it anyway"
    )
    try:
        inv = open_ledger(db)
    except CommandError:
        raise CommandError(refusal) from None
    with inv:
        if _empty(inv):
            return
        with inv.store.read() as r:
            first = r.transaction(1)
    clock = FixedClock(DEMO_START)
    reference = Inventory(clock=clock)
    build_demo(reference, clock)
    if first is None or first.hash != reference.transaction(1).hash:
        raise CommandError(refusal)


def _empty(inv: Inventory) -> bool:
    with inv.store.read() as r:
        head, _ = r.head()
    return head == 0 and not inv.master.changes()


# -- stock ----------------------------------------------------------------------------------


def _stock(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        rows = _sorted(
            inv.stock(
                args.sku,
                lot=args.lot,
                serial=args.serial,
                location=args.location,
                status=args.status,
                container=args.container,
                as_of=args.as_of,
            )
        )
    out.emit([_balance_json(b) for b in rows], lambda: [_stock_table(rows, as_of=args.as_of)])
    return ExitCode.OK


def _sorted(rows: Sequence[Balance]) -> list[Balance]:
    return sorted(
        rows,
        key=lambda b: (
            b.position.location,
            b.item,
            b.lot or "",
            b.serial or "",
            b.position.status,
            b.position.container or "",
        ),
    )


def _balance_json(b: Balance) -> dict[str, str]:
    return {
        "item": b.item,
        "lot": b.lot or "",
        "serial": b.serial or "",
        "location": b.position.location,
        "status": b.position.status,
        "container": b.position.container or "",
        "quantity": str(b.quantity),
    }


def _stock_table(rows: Sequence[Balance], *, as_of: object = None) -> RenderableType:
    title = "Stock on hand" + (f" as of {as_of}" if as_of is not None else "")
    if not rows:
        return f"{title}: nothing matches."
    table = Table(title=title, title_justify="left")
    columns = ["location", "item", "lot", "serial", "status"]
    with_containers = any(b.position.container for b in rows)
    if with_containers:
        columns.append("container")
    for column in columns:
        table.add_column(column)
    table.add_column("quantity", justify="right")
    for b in rows:
        status = b.position.status
        styled = escape(status) if status == "available" else f"[bold yellow]{escape(status)}[/]"
        cells = [escape(c) for c in (b.position.location, b.item, b.lot or "", b.serial or "")]
        cells.append(styled)
        if with_containers:
            cells.append(escape(b.position.container or ""))
        cells.append(str(b.quantity))
        table.add_row(*cells)
    return table


# -- history --------------------------------------------------------------------------------


def _history(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        txs = inv.history(
            args.sku,
            lot=args.lot,
            serial=args.serial,
            location=args.location,
            container=args.container,
            since=args.since,
            until=args.until,
        )
    txs, left_out = limited(txs, args.limit)
    out.emit([transaction_json(tx) for tx in txs], lambda: [_history_table(txs)])
    out.left_out(left_out, "transactions", args.limit)
    return ExitCode.OK


def transaction_json(tx: Transaction) -> dict[str, Any]:
    """A transaction as stable JSON-ready data."""
    return {
        "id": tx.id,
        "kind": str(tx.kind),
        "effective_at": tx.effective_at.isoformat(),
        "recorded_at": tx.recorded_at.isoformat(),
        "key": tx.key,
        "refs": [str(r) for r in tx.refs],
        "counterparty": tx.counterparty,
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


def _history_table(txs: Sequence[Transaction]) -> RenderableType:
    if not txs:
        return "History: no transaction moved matching stock."
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
                when(tx.effective_at),
                kind,
                escape(m.item),
                escape(m.lot or m.serial or ""),
                str(m.quantity),
                escape(f"{m.src} → {m.dst}"),
                escape(" ".join(r.number for r in tx.refs)),
                escape(tx.actor or ""),
                escape(tx.reason or ""),
            )
    return table


# -- verify ---------------------------------------------------------------------------------


def _verify(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        with inv.store.read() as r:
            total, _ = r.head()
        with out.progress("Verifying the hash chain", total) as advance:
            report = inv.verify(progress=advance)
    out.emit(_report_json(report), lambda: _report_lines(report))
    return ExitCode.OK if report.ok else ExitCode.INTEGRITY


# -- rebuild --------------------------------------------------------------------------------


def _rebuild(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        with inv.store.read() as r:
            total, _ = r.head()
        if args.checkpoint_only:
            at = inv.checkpoint()
            out.emit(
                {"rebuilt": False, "transactions": total, "checkpoint": at},
                lambda: [f"Took an as-of checkpoint after transaction {at}."],
            )
            return ExitCode.OK
        with out.progress("Rebuilding balances", total) as advance:
            inv.rebuild(progress=advance)
        report = inv.check()
    out.emit(
        {"rebuilt": True, "transactions": total, "ok": report.ok},
        lambda: [
            f"Rebuilt the balances from {total} transactions; "
            + ("they match the ledger." if report.ok else "[red]check() still finds problems[/].")
        ],
    )
    return ExitCode.OK if report.ok else ExitCode.INTEGRITY


def _report_json(report: IntegrityReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "transactions": report.transactions,
        "head_hash": report.head_hash,
        "problems": [
            {"kind": p.kind, "transaction_id": p.transaction_id, "detail": p.detail}
            for p in report.problems
        ],
    }


def _report_lines(report: IntegrityReport) -> list[RenderableType]:
    if report.ok:
        return [
            f"[green]OK[/]: {report.transactions} transactions, chain intact, balances match "
            f"the ledger. Head hash {report.head_hash}"
        ]
    lines: list[RenderableType] = [
        f"[red]FAILED[/]: {len(report.problems)} problem(s) in {report.transactions} transactions"
    ]
    lines += [f"[red]{escape(p.kind)}[/]: {escape(p.detail)}" for p in report.problems]
    return lines
