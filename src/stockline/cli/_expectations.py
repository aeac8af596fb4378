"""``import epcis``, ``expected`` and ``receive``: receiving against a shipping notice."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from stockline.cli._app import (
    CommandError,
    ExitCode,
    Output,
    Subparsers,
    UsageError,
    add_command,
    add_group,
    aware_time,
    date,
    decimal,
    open_ledger,
    when,
)
from stockline.cli._ledger import transaction_json
from stockline.cli._messages import for_cli
from stockline.errors import EpcisError, StocklineError

if TYPE_CHECKING:
    from stockline.epcis import ExpectationReport, ExpectedReceipt, ReportLine
    from stockline.ledger import Transaction

#: How each report status is drawn in a table.
_STYLES = {
    "ok": "green",
    "short": "yellow",
    "over": "red",
    "unexpected": "red",
    "unresolved": "magenta",
}


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    imports = add_group(
        sub,
        "import",
        "Import a supplier's EPCIS shipping notice (2.0 JSON, 1.2 XML) as expected receipts.",
        description=(
            "Read a document another system wrote and keep what it announces in the ledger's\n"
            "database. 'import epcis' turns a supplier's EPCIS 2.0 JSON or 1.2 XML document\n"
            "into expected receipts that 'receive --expected' checks every scan against."
        ),
    )
    epcis = add_command(
        imports,
        "epcis",
        "Import the shipments an EPCIS document announces as expected receipts.",
        _import_epcis,
        description=(
            "Validate an EPCIS 2.0 JSON(-LD) or EPCIS 1.2 XML document (read with DTDs,\n"
            "entities and external references refused) and import each shipment it announces\n"
            "(its shipping events, with pallets expanded through its packing events and lots\n"
            "and expiry dates from its commissioning events) as an expected receipt, keyed by\n"
            "the despatch advice, else the bill of lading, else the purchase order, else the\n"
            "document's id. Importing the same content again changes nothing.\n\n"
            "An invalid document is refused with every problem listed, each with its JSON\n"
            "path (XML: its element path); nothing is imported."
        ),
    )
    epcis.add_argument("file", metavar="FILE", help="the EPCIS document; - reads standard input")
    epcis.add_argument(
        "--schema",
        metavar="PATH",
        help="also validate with GS1's official schema: the EPCIS JSON schema (needs "
        "stockline[epcis]) or, for 1.2 XML, EPCglobal-epcis-1_2.xsd or its folder (needs "
        "stockline[xml])",
    )
    epcis.add_argument("--key", help="put every shipment of the document under this key")
    epcis.add_argument(
        "--replace",
        action="store_true",
        help="take a changed announcement for a key imported before (receipts are kept)",
    )
    epcis.add_argument("--actor", help="who imports it")

    expected = add_command(
        sub,
        "expected",
        "List expected receipts, or show one: ok, short, over, unexpected.",
        _expected,
        description=(
            "Without KEY: every expected receipt imported, with how far it has been received.\n"
            "With KEY: the announcement line by line against what was received: ok, short\n"
            "(less than announced, or a serial not received), over (more than announced),\n"
            "unexpected (received but not announced) or unresolved (an announced GTIN no item\n"
            "has). Quantities are in each item's base unit; reversed receipts do not count."
        ),
    )
    expected.add_argument("key", metavar="KEY", nargs="?", help="the expected receipt to show")

    receive = add_command(
        sub,
        "receive",
        "Receive scans against an expected receipt, checking each one.",
        _receive,
        description=(
            "Post a receipt for each SCAN, checked against the expected receipt: a unit, a\n"
            "case (GTIN with lot, serial, count) or a pallet's SSCC, which receives everything\n"
            "announced on it at once. Lot and expiry missing from a label come from the\n"
            "notice; the receipt carries the notice's documents (PO, ASN) as references.\n\n"
            "Anything the notice does not announce, or more than it announces, is refused\n"
            "unless --allow-unexpected. Scans are posted in order, one receipt each; the\n"
            "first refused scan stops the command (exit 1) and says which scans before it\n"
            "were posted. With --key, scan N of several is posted with key KEY/N, so running\n"
            "the same command again returns the receipts already posted instead of posting\n"
            "them twice."
        ),
    )
    receive.add_argument("scans", metavar="SCAN", nargs="+", help="a barcode as scanned")
    receive.add_argument(
        "--expected", required=True, metavar="KEY", help="the expected receipt to check against"
    )
    receive.add_argument("--to", required=True, metavar="LOCATION", help="the receiving location")
    receive.add_argument(
        "--qty",
        type=decimal,
        metavar="N",
        help="how many of each scanned thing (units, cases, ...); one when not given",
    )
    receive.add_argument(
        "--supplier", help="the supplier's code (default: the notice's owning party, by GLN)"
    )
    receive.add_argument("--status", default="available", help="receive into this status")
    receive.add_argument(
        "--allow-unexpected",
        action="store_true",
        help="post what the notice does not announce (reported as over or unexpected)",
    )
    receive.add_argument(
        "--allow-expired",
        action="store_true",
        help="receive product past its expiry date (give --reason)",
    )
    receive.add_argument("--reason", help="a note; required with --allow-expired")
    receive.add_argument(
        "--today", type=date, metavar="DATE", help="judge expiry on this date (default: today)"
    )
    receive.add_argument(
        "--gs", metavar="CHAR", help="the character the scanner sends in place of GS, e.g. ^"
    )
    receive.add_argument("--key", help="an idempotency key: a retry returns the first receipts")
    receive.add_argument(
        "--effective-at", type=aware_time, metavar="TIME", help="when the goods arrived"
    )
    receive.add_argument("--actor", help="who received them")


# -- import epcis ---------------------------------------------------------------------------


def _import_epcis(args: argparse.Namespace, out: Output) -> int:
    source: Any = sys.stdin if args.file == "-" else args.file
    with open_ledger(args.db) as inv:
        try:
            found = inv.epcis.expect(
                source, key=args.key, schema=args.schema, replace=args.replace, actor=args.actor
            )
        except EpcisError as e:
            return _refused(e, out)
    out.emit(
        {"imported": [_summary_json(x, None) for x in found]},
        lambda: [_imported(found)],
    )
    return ExitCode.OK


def _refused(error: EpcisError, out: Output) -> int:
    """Every problem of an invalid document, one per line (the message shows only 20)."""
    if out.json:
        out.write_json(
            {
                "imported": None,
                "problems": [{"path": path, "message": msg} for path, msg in error.problems],
            }
        )
    headline = str(error).splitlines()[0]
    out.err.print(f"[red]error:[/] {escape(headline.rstrip(':'))}", soft_wrap=True)
    if "\n" in str(error):
        for path, message in error.problems:
            out.err.print(f"  {escape(path)}: {escape(message)}", soft_wrap=True, highlight=False)
    return ExitCode.ERROR


def _imported(found: Sequence[ExpectedReceipt]) -> RenderableType:
    if not found:
        return "The document ships nothing: no expected receipt was imported."
    table = Table(title="Expected receipts imported (times in UTC)", title_justify="left")
    for column in ("key", "shipped", "lines", "serials", "containers", "documents"):
        table.add_column(column, justify="right" if column in ("lines", "serials") else "left")
    for x in found:
        table.add_row(
            escape(x.key),
            when(x.shipped_at),
            str(len(x.lines)),
            str(sum(1 for line in x.lines if line.serial is not None)),
            str(len(x.containers)),
            escape(" ".join(_ref(t, u) for t, u in x.refs)),
        )
    return table


def _ref(kind: str, uri: str) -> str:
    return f"{kind}:{uri}"


# -- expected -------------------------------------------------------------------------------


def _expected(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        if args.key is None:
            listed = [(x, inv.epcis.report(x.key)) for x in inv.epcis.expectations()]
            out.emit(
                [_summary_json(x, report) for x, report in listed],
                lambda: [_list_table(listed)],
            )
            return ExitCode.OK
        expectation = inv.epcis.expectation(args.key)
        report = inv.epcis.report(args.key)
    out.emit(_report_json(expectation, report), lambda: _report_lines(expectation, report))
    return ExitCode.OK


def _summary_json(x: ExpectedReceipt, report: ExpectationReport | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": x.key,
        "shipped_at": x.shipped_at.isoformat(),
        "document": x.document,
        "sender": x.sender,
        "refs": [{"type": t, "id": u} for t, u in x.refs],
        "lines": len(x.lines),
        "containers": list(x.containers),
    }
    if report is not None:
        data["complete"] = report.complete
        data["counts"] = _counts(report)
        data["receipts"] = list(report.receipts)
    return data


def _counts(report: ExpectationReport) -> dict[str, int]:
    return {status: sum(1 for line in report.lines if line.status == status) for status in _STYLES}


def _progress(report: ExpectationReport) -> str:
    if report.complete:
        return "[green]complete[/]"
    if not report.receipts:
        return "not received"
    counts = _counts(report)
    return ", ".join(
        f"[{_STYLES[status]}]{n} {status}[/]"
        for status, n in counts.items()
        if n and status != "ok"
    )


def _list_table(
    listed: Sequence[tuple[ExpectedReceipt, ExpectationReport]],
) -> RenderableType:
    if not listed:
        return "No expected receipts: import one with 'stockline import epcis FILE'."
    table = Table(title="Expected receipts (times in UTC)", title_justify="left")
    for column in ("key", "shipped", "lines", "containers", "receipts", "received"):
        table.add_column(column, justify="right" if column in ("lines", "receipts") else "left")
    for x, report in listed:
        table.add_row(
            escape(x.key),
            when(x.shipped_at),
            str(len(x.lines)),
            escape(" ".join(x.containers)),
            str(len(report.receipts)),
            _progress(report),
        )
    return table


def _line_json(line: ReportLine) -> dict[str, Any]:
    return {
        "status": line.status,
        "item": line.item,
        "gtin": line.gtin,
        "lot": line.lot,
        "serial": line.serial,
        "expected": None if line.expected is None else str(line.expected),
        "received": str(line.received),
        "difference": None if line.difference is None else str(line.difference),
        "unit": line.unit,
        "note": line.note,
    }


def _report_json(x: ExpectedReceipt, report: ExpectationReport) -> dict[str, Any]:
    return {
        **_summary_json(x, report),
        "sources": [{"type": t, "id": u} for t, u in x.sources],
        "destinations": [{"type": t, "id": u} for t, u in x.destinations],
        "unchecked": list(report.unchecked),
        "report": [_line_json(line) for line in report.lines],
    }


def _report_lines(x: ExpectedReceipt, report: ExpectationReport) -> list[RenderableType]:
    head = (
        f"Expected receipt [bold]{escape(x.key)}[/], shipped {when(x.shipped_at)} UTC"
        + (f" by {escape(x.sender)}" if x.sender else "")
        + f": {_progress(report)}"
    )
    parts: list[RenderableType] = [head]
    if x.refs:
        parts.append("Documents: " + escape(", ".join(_ref(t, u) for t, u in x.refs)))
    if report.receipts:
        parts.append("Receipts: " + ", ".join(str(i) for i in report.receipts))
    table = Table(title_justify="left")
    for column in ("status", "item", "gtin", "lot", "serial", "expected", "received", "diff"):
        right = column in ("expected", "received", "diff")
        table.add_column(column, justify="right" if right else "left")
    table.add_column("unit")
    table.add_column("note")
    for line in report.lines:
        diff = line.difference
        table.add_row(
            f"[{_STYLES.get(line.status, 'default')}]{escape(line.status)}[/]",
            escape(line.item or ""),
            escape(line.gtin or ""),
            escape(line.lot or ""),
            escape(line.serial or ""),
            "unstated" if line.expected is None else str(line.expected),
            str(line.received),
            "" if diff is None else f"{diff:+}" if diff else "0",
            escape(line.unit or ""),
            escape(line.note or ""),
        )
    parts.append(table)
    if report.unchecked:
        parts.append("Not checked (no trade item or pallet): " + escape(" ".join(report.unchecked)))
    return parts


# -- receive --------------------------------------------------------------------------------


def _receive(args: argparse.Namespace, out: Output) -> int:
    if args.gs is not None and len(args.gs) != 1:
        raise UsageError(f"--gs takes one character, not {args.gs!r}")
    posted: list[tuple[str, Transaction]] = []
    several = len(args.scans) > 1
    with open_ledger(args.db) as inv:
        for number, scan in enumerate(args.scans, start=1):
            key = None if args.key is None else f"{args.key}/{number}" if several else args.key
            try:
                tx = inv.epcis.receive(
                    scan,
                    args.qty,
                    expectation=args.expected,
                    dst=args.to,
                    supplier=args.supplier,
                    status=args.status,
                    allow_unexpected=args.allow_unexpected,
                    allow_expired=args.allow_expired,
                    at=args.today,
                    gs_standin=args.gs,
                    key=key,
                    effective_at=args.effective_at,
                    actor=args.actor,
                    reason=args.reason,
                )
            except StocklineError as e:
                reason = for_cli(e)
                if not posted:
                    prefix = f"scan {number} of {len(args.scans)} ({scan}): " if several else ""
                    raise CommandError(prefix + reason) from e
                _show_posted(args.expected, posted, out)
                ids = ", ".join(str(tx.id) for _, tx in posted)
                raise CommandError(
                    f"scan {number} of {len(args.scans)} ({scan}) was refused: {reason} "
                    f"-- the {len(posted)} scan(s) before it were posted (transactions {ids})"
                ) from e
            posted.append((scan, tx))
    _show_posted(args.expected, posted, out)
    return ExitCode.OK


def _show_posted(expectation: str, posted: Sequence[tuple[str, Transaction]], out: Output) -> None:
    out.emit(
        {
            "expectation": expectation,
            "receipts": [
                {"scan": scan, "transaction": transaction_json(tx)} for scan, tx in posted
            ],
        },
        lambda: [_posted_table(expectation, posted)],
    )


def _posted_table(expectation: str, posted: Sequence[tuple[str, Transaction]]) -> RenderableType:
    table = Table(
        title=f"Received against {escape(expectation)}: {len(posted)} receipt(s)",
        title_justify="left",
    )
    for column in ("id", "scan", "item", "lot", "serial", "qty", "to", "refs"):
        table.add_column(column, justify="right" if column in ("id", "qty") else "left")
    for scan, tx in posted:
        for m in tx.movements:
            table.add_row(
                str(tx.id),
                escape(scan),
                escape(m.item),
                escape(m.lot or ""),
                escape(m.serial or ""),
                str(m.quantity),
                escape(str(m.dst)),
                escape(" ".join(str(r) for r in tx.refs)),
            )
    return table
