"""``export``: the ledger as an EPCIS 2.0 or 1.2 document or an FSMA 204 sortable
spreadsheet."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext

from rich.markup import escape

from stockline.cli._app import (
    ExitCode,
    Output,
    Subparsers,
    UsageError,
    add_command,
    aware_time,
    open_ledger,
    output_file,
    writing,
)


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    export = add_command(
        sub,
        "export",
        "Export the ledger as EPCIS 2.0 JSON-LD, EPCIS 1.2 XML or the FSMA 204 spreadsheet.",
        _export,
        json_help="fsma204 to stdout: the report as JSON; with --output: a JSON summary",
        description=(
            "epcis: every transaction as EPCIS 2.0 events (JSON-LD), streamed a batch at a\n"
            "time, so memory does not grow with the ledger.\n"
            "epcis12: the same events as EPCIS 1.2 XML (what pharmaceutical partners exchange);\n"
            "with --receiver, a header naming sender and receiver and the lots' master data.\n"
            "fsma204: the FDA FSMA 204 electronic sortable spreadsheet, one row per lot per\n"
            "critical tracking event; KDEs the master data cannot fill are listed on stderr.\n\n"
            "Without --output the document goes to standard output (fsma204 as CSV)."
        ),
    )
    export.add_argument("format", choices=("epcis", "epcis12", "fsma204"), help="what to write")
    export.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        help="write here (fsma204: .csv or .xlsx) and print a summary",
    )
    export.add_argument("--sku", help="only this item (with --lot: only these lots of it)")
    export.add_argument(
        "--lot", action="append", default=[], help="only this lot of --sku (repeatable)"
    )
    export.add_argument("--since", type=aware_time, metavar="TIME", help="effective at or after")
    export.add_argument("--until", type=aware_time, metavar="TIME", help="effective before")
    export.add_argument(
        "--after", type=int, default=0, metavar="ID", help="epcis: only transactions after this id"
    )
    export.add_argument(
        "--timezone", default="UTC", help="fsma204: the IANA zone dates are written in"
    )
    export.add_argument("--sender", metavar="ID", help="epcis12: the sender's GLN or identifier")
    export.add_argument(
        "--receiver", metavar="ID", help="epcis12: the receiver's GLN or identifier (a header)"
    )


def _export(args: argparse.Namespace, out: Output) -> int:
    if args.lot and not args.sku:
        raise UsageError("--lot needs --sku: name the item the lots belong to")
    lots = [(args.sku, lot) for lot in args.lot] or None
    target = None if args.output is None else output_file(args.output, option="--output")
    if (
        args.format == "fsma204"
        and target is not None
        and target.suffix.lower()
        not in (
            ".csv",
            ".xlsx",
        )
    ):
        raise UsageError(f"write fsma204 to a .csv or .xlsx file, not {target.name}")
    if args.format != "epcis12" and (args.sender or args.receiver):
        raise UsageError("--sender and --receiver are for epcis12")
    with open_ledger(args.db) as inv:
        if args.format in ("epcis", "epcis12"):
            if args.sku and not args.lot:
                raise UsageError("epcis exports by lot: give --lot with --sku")
            if args.timezone != "UTC":
                raise UsageError("--timezone is for fsma204; EPCIS times carry their own offset")
            with inv.store.read() as r:
                head, _ = r.head()
            with (
                out.progress("Exporting EPCIS events", max(head - args.after, 0)) as advance,
                nullcontext() if target is None else writing(target, option="--output"),
            ):
                window = {"since": args.since, "until": args.until, "lots": lots}
                written = (
                    inv.epcis.write(
                        sys.stdout if target is None else target,
                        **window,
                        after=args.after,
                        progress=advance,
                    )
                    if args.format == "epcis"
                    else inv.epcis.write_xml(
                        sys.stdout if target is None else target,
                        **window,
                        after=args.after,
                        sender=args.sender,
                        receiver=args.receiver,
                        progress=advance,
                    )
                )
            if target is not None:
                out.emit(
                    {"format": args.format, "output": str(target), "events": written},
                    lambda: [f"Wrote {written} EPCIS events to [bold]{escape(str(target))}[/]."],
                )
            return ExitCode.OK
        if args.after:
            raise UsageError("--after is for epcis; use --since/--until for fsma204")
        report = inv.reports.fsma204(
            lots,
            items=[args.sku] if args.sku and not lots else None,
            since=args.since,
            until=args.until,
            timezone=args.timezone,
        )
    for gap in report.gaps:
        out.err.print(f"[yellow]gap:[/] {escape(gap.message)}", soft_wrap=True)
    if target is None:
        if out.json:
            out.write_json(report.to_dict())
        else:
            sys.stdout.write(report.to_csv())
        return ExitCode.OK
    with writing(target, option="--output"):
        if target.suffix.lower() == ".xlsx":
            report.to_xlsx(target)
        else:
            report.to_csv(target)
    out.emit(
        {"format": "fsma204", "output": str(target), "rows": len(report.rows)},
        lambda: [f"Wrote {len(report.rows)} rows to [bold]{escape(str(target))}[/]."],
    )
    return ExitCode.OK
