"""``scan``: read a GS1 barcode the way the library does and show what it says."""

from __future__ import annotations

import argparse
import sys
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
    date,
    plain,
)
from stockline.cli._messages import for_cli
from stockline.errors import StocklineError

if TYPE_CHECKING:
    from stockline.gs1 import Scan

_FIELDS = (
    ("gtin", "GTIN"),
    ("content_gtin", "GTIN of contents"),
    ("sscc", "SSCC"),
    ("lot", "lot"),
    ("serial", "serial"),
    ("expiry", "expiry"),
    ("best_before", "best before"),
    ("production_date", "production date"),
    ("count", "count"),
)


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    scan = add_command(
        sub,
        "scan",
        "Parse a GS1 barcode (element string, HRI, Digital Link, GTIN, SSCC) and show it.",
        _scan,
        db=False,
        description=(
            "Read one scan strictly, as inv.scanning.receive does, and show its fields and\n"
            "its element strings. A scan that breaks a GS1 rule (a bad check digit, a bad\n"
            "date, a serial without a GTIN, ...) is refused with exit status 1 and a message\n"
            "naming the AI at fault.\n\n"
            "A shell cannot easily pass the GS separator (ASCII 29) of raw element strings:\n"
            "pass the character your scanner sends instead with --gs-standin, write the scan\n"
            "as bracketed HRI, or give '-' to read the scan from standard input."
        ),
        epilog=(
            "examples:\n"
            "  stockline scan '(01)09506000134352(17)270331(10)L24A'\n"
            "  stockline scan ']d2010950600013435217270331^10L24A' --gs-standin '^'\n"
            "  stockline scan 'https://id.gs1.org/01/09506000134352/10/L24A'"
        ),
    )
    scan.add_argument("text", metavar="SCAN", help="what the scanner sent, or - for stdin")
    scan.add_argument(
        "--gs-standin",
        type=_one_character,
        metavar="CHAR",
        help="the character the scanner sends in place of GS",
    )
    scan.add_argument(
        "--today",
        type=date,
        metavar="DATE",
        help="the date two-digit years are read from (default: today)",
    )
    scan.add_argument(
        "--no-pairings",
        dest="check_pairings",
        action="store_false",
        help="do not check mandatory and forbidden AI pairings (one of several labels)",
    )


def _scan(args: argparse.Namespace, out: Output) -> int:
    from stockline import gs1

    text = sys.stdin.readline().rstrip("\r\n") if args.text == "-" else args.text
    try:
        scan = gs1.parse(
            text, gs_standin=args.gs_standin, today=args.today, check_pairings=args.check_pairings
        )
    except StocklineError as e:
        hint = None if args.gs_standin is not None else _standin_hint(text, args)
        if hint is None:
            raise
        raise CommandError(f"{for_cli(e)}; {hint}") from e
    out.emit(_scan_json(scan), lambda: _scan_tables(scan))
    return ExitCode.OK


#: Characters scanners and people put where a raw element string has GS (ASCII 29).
_STANDINS = "^|~#@\u241d"
#: The separator written out as text, which no single stand-in can mean.
_SPELLED = ("\\x1d", "\\x1D", "\\u001d", "\\u001D", "<GS>", "{GS}", "[GS]", "\\035")


def _one_character(text: str) -> str:
    """An argparse type: exactly one character (``^``, ``|``)."""
    if len(text) != 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not one character; give the single character your scanner sends "
            "in place of GS, such as '^' or '|', or pipe the real separator to 'stockline scan -'"
        )
    return text


def _standin_hint(text: str, args: argparse.Namespace) -> str | None:
    """What to type when a refused scan looks like it uses a stand-in for GS."""
    from stockline import gs1

    for char in _STANDINS:
        if char not in text:
            continue
        try:
            gs1.parse(text, gs_standin=char, today=args.today, check_pairings=args.check_pairings)
        except StocklineError:
            continue
        return f"it reads if {char!r} stands in for the GS separator: add --gs-standin '{char}'"
    for spelled in _SPELLED:
        if spelled in text:
            return (
                f"'{spelled}' looks like the GS separator written out; send the real character "
                "on standard input (printf '...\\x1d...' | stockline scan -), or write a "
                "one-character stand-in and add --gs-standin"
            )
    return None


def _title(ai: str) -> str:
    from stockline.gs1 import RULES

    rule = RULES.get(ai)
    return "" if rule is None else rule.title


def _scan_json(scan: Scan) -> dict[str, Any]:
    data: dict[str, Any] = plain(scan)
    data["elements"] = [
        {"ai": e.ai, "title": _title(e.ai), "value": e.value} for e in scan.elements
    ]
    return data


def _scan_tables(scan: Scan) -> list[RenderableType]:
    fields = Table(
        title=f"GS1 scan ({scan.source_format.replace('_', ' ')}"
        + (f", symbology {escape(scan.symbology)})" if scan.symbology else ")"),
        title_justify="left",
    )
    fields.add_column("field")
    fields.add_column("value")
    for name, label in _FIELDS:
        value = getattr(scan, name)
        if value is not None:
            fields.add_row(label, escape(str(value)))
    for m in scan.measures:
        fields.add_row(f"measure ({m.ai}) {escape(_title(m.ai))}", f"{m.value} {m.unit}")
    elements = Table(title="Element strings", title_justify="left")
    elements.add_column("AI", justify="right")
    elements.add_column("title")
    elements.add_column("value")
    for e in scan.elements:
        elements.add_row(e.ai, escape(_title(e.ai)), escape(e.value))
    return [fields, elements]
