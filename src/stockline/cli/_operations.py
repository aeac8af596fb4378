"""``count``, ``replenish`` and ``kit``: cycle counts, min/max replenishment and kitting."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import Decimal
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
    plain,
    when,
)
from stockline.cli._ledger import transaction_json

if TYPE_CHECKING:
    from stockline import Inventory
    from stockline.ledger import Transaction
    from stockline.operations import (
        Count,
        CountLine,
        CountReport,
        CountSheetLine,
        Kit,
        Proposal,
        ReplenishmentRule,
    )
    from stockline.policies import Allocation


def register(sub: Subparsers) -> None:
    """Add this module's commands."""
    _register_count(sub)
    _register_replenish(sub)
    _register_kit(sub)


def sku_amount(text: str) -> tuple[str, Decimal]:
    """An argparse type: ``SKU=NUMBER`` (``BOLT=4``, ``RESIN=0.25``)."""
    sku, sep, amount = text.rpartition("=")
    if not sep or not sku:
        raise argparse.ArgumentTypeError(f"{text!r} is not SKU=NUMBER (e.g. BOLT=4)")
    return sku, decimal(amount)


# -- count ----------------------------------------------------------------------------------


def _register_count(sub: Subparsers) -> None:
    group = add_group(
        sub,
        "count",
        "Cycle counts and stock takes: open, record, report, close.",
        description=(
            "A count checks the book against the shelf: open one for a location subtree (one\n"
            "item or lot, if you like), record what counters find (typed in or scanned), look\n"
            "at the report, and close it. Closing posts every difference as one 'count'\n"
            "transaction against the adjustment location. Open counts are kept in the\n"
            "ledger's database; two open counts may not cover the same stock."
        ),
    )
    opened = add_command(
        group,
        "open",
        "Open a count of the stock at LOCATION and below.",
        _count_open,
        description=(
            "Open a count of the stock at LOCATION and everything below it (only --sku, or\n"
            "only --lot of it, if given). A cycle count (--uncounted keep, the default) leaves\n"
            "what nobody counted as it is; a stock take (--uncounted zero) writes it off."
        ),
    )
    opened.add_argument("location", metavar="LOCATION", help="the subtree to count")
    opened.add_argument("--sku", help="count only this item")
    opened.add_argument("--lot", help="count only this lot (with --sku)")
    opened.add_argument(
        "--blind",
        action="store_true",
        help="hide book quantities from the sheet and the count until it is closed",
    )
    opened.add_argument(
        "--uncounted",
        choices=("keep", "zero"),
        default="keep",
        help="what closing does with stock nobody counted: keep it (a cycle count, the "
        "default) or write it off (a stock take)",
    )
    opened.add_argument("--id", dest="count_id", metavar="ID", help="the count's reference")
    opened.add_argument("--reason", help="the reason the count transaction carries")
    opened.add_argument("--actor", help="who opens it")

    listed = add_command(group, "list", "List counts, newest reference last.", _count_list)
    listed.add_argument(
        "--state", choices=("open", "closed", "cancelled"), help="only counts in this state"
    )

    show = add_command(group, "show", "Show a count and the lines recorded so far.", _count_show)
    show.add_argument("count_id", metavar="ID", help="the count")

    sheet = add_command(
        group,
        "sheet",
        "Show what to count: every position in scope, and every empty bin, in pick sequence.",
        _count_sheet,
    )
    sheet.add_argument("count_id", metavar="ID", help="the count")

    record = add_command(
        group,
        "record",
        "Record what was found at one location: an item and quantity, serials, or a scan.",
        _count_record,
        description=(
            "Record what was found at one position of an open count. Give the item and\n"
            "quantity (--sku, --qty, with --lot for a lot-tracked item), the serials found\n"
            "(--serial, repeatable), or a GS1 scan (--scan: item by GTIN, lot, serial, count,\n"
            "SSCC; --qty then counts the scanned thing, one by default). --empty records that\n"
            "the location holds nothing at all.\n\n"
            "Recording a position again replaces what was recorded (a recount); --add adds\n"
            "to it instead (scanning case by case). Counting an item at a location counts\n"
            "all of it there: its lots, serials and statuses not recorded count as zero."
        ),
    )
    record.add_argument("count_id", metavar="ID", help="the open count")
    record.add_argument("--location", required=True, help="the location counted (exact path)")
    record.add_argument("--sku", help="the item found")
    record.add_argument(
        "--qty", type=decimal, metavar="N", help="how much was found (0: none of it here)"
    )
    record.add_argument("--lot", help="the lot found")
    record.add_argument(
        "--serial",
        action="append",
        default=[],
        dest="serials",
        metavar="SERIAL",
        help="a serial found (repeatable)",
    )
    record.add_argument("--scan", metavar="TEXT", help="a GS1 barcode as the scanner sent it")
    record.add_argument(
        "--gs", metavar="CHAR", help="the character the scanner sends in place of GS, e.g. ^"
    )
    record.add_argument(
        "--status",
        help="the status of what was found (default: the status the book has it in there; "
        "available for stock the book does not have)",
    )
    record.add_argument("--container", help="the container it was found in (an SSCC, say)")
    record.add_argument(
        "--add", action="store_true", help="add to what is recorded for the position"
    )
    record.add_argument("--empty", action="store_true", help="nothing at all is at the location")
    record.add_argument(
        "--counted-at", type=aware_time, metavar="TIME", help="when it was counted (default: now)"
    )
    record.add_argument("--actor", help="who counted")

    report = add_command(
        group,
        "report",
        "Show expected, counted and difference per position (a preview while open).",
        _count_report,
        description=(
            "Expected (the book when each position was counted), counted and difference for\n"
            "every position the count touches. For an open count it previews what closing\n"
            "would post (refused while a blind count is open); for a closed count it is what\n"
            "was posted. With --cost, each difference is valued and totalled."
        ),
    )
    report.add_argument("count_id", metavar="ID", help="the count")
    report.add_argument(
        "--cost",
        type=sku_amount,
        action="append",
        default=[],
        metavar="SKU=COST",
        help="the cost per base unit of an item, to value its differences (repeatable)",
    )
    report.add_argument(
        "--differences", action="store_true", help="only positions with a difference"
    )

    close = add_command(
        group,
        "close",
        "Close a count: post every difference as one count transaction.",
        _count_close,
    )
    close.add_argument("count_id", metavar="ID", help="the open count")
    close.add_argument("--actor", help="who closes it")

    cancel = add_command(group, "cancel", "Cancel an open count: nothing is posted.", _count_cancel)
    cancel.add_argument("count_id", metavar="ID", help="the open count")
    cancel.add_argument("--actor", help="who cancels it")


def _count_json(count: Count) -> dict[str, Any]:
    data: dict[str, Any] = plain(count)
    return data


def _scope(count: Count) -> str:
    what = " ".join(
        part for part in (count.sku or "", f"lot {count.lot}" if count.lot else "") if part
    )
    kind = "stock take" if count.uncounted == "zero" else "cycle count"
    blind = ", blind" if count.blind else ""
    return f"{what or 'everything'} at {count.location} and below ({kind}{blind})"


def _count_open(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        count = inv.counts.open(
            args.location,
            sku=args.sku,
            lot=args.lot,
            blind=args.blind,
            uncounted=args.uncounted,
            count_id=args.count_id,
            reason=args.reason,
            actor=args.actor,
        )
    out.emit(
        _count_json(count),
        lambda: [
            f"Opened count [bold]{escape(count.id)}[/]: {escape(_scope(count))}.",
            f"What to count: stockline count sheet {escape(count.id)}",
        ],
    )
    return ExitCode.OK


def _count_list(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        counts = inv.counts.list(state=args.state)
    out.emit([_count_json(c) for c in counts], lambda: [_counts_table(counts)])
    return ExitCode.OK


def _counts_table(counts: Sequence[Count]) -> RenderableType:
    if not counts:
        return "No counts match; open one with 'stockline count open LOCATION'."
    table = Table(title="Counts (times in UTC)", title_justify="left")
    for column in ("id", "state", "scope", "opened", "by", "closed", "transaction"):
        table.add_column(column, justify="right" if column == "transaction" else "left")
    for c in counts:
        table.add_row(
            escape(c.id),
            _state(c.state),
            escape(_scope(c)),
            when(c.opened_at),
            escape(c.opened_by or ""),
            when(c.closed_at),
            "" if c.transaction_id is None else str(c.transaction_id),
        )
    return table


def _state(state: object) -> str:
    colour = {"open": "cyan", "closed": "green", "cancelled": "yellow"}.get(str(state), "default")
    return f"[{colour}]{escape(str(state))}[/]"


def _count_show(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        count = inv.counts.get(args.count_id)
    out.emit(_count_json(count), lambda: _count_lines(count))
    return ExitCode.OK


def _count_lines(count: Count) -> list[RenderableType]:
    head = f"Count [bold]{escape(count.id)}[/] ({_state(count.state)}): {escape(_scope(count))}"
    if count.transaction_id is not None:
        head += f"; posted as transaction {count.transaction_id}"
    if not count.lines:
        return [head, "Nothing recorded yet."]
    return [head, _lines_table(count.lines, blind=count.blind and count.state == "open")]


def _lines_table(lines: Sequence[CountLine], *, blind: bool) -> RenderableType:
    table = Table(title_justify="left")
    for column in ("location", "item", "lot", "serial", "status", "container", "counted"):
        table.add_column(column, justify="right" if column == "counted" else "left")
    if not blind:
        table.add_column("book", justify="right")
    table.add_column("counted at (UTC)")
    table.add_column("by")
    for line in lines:
        cells = [
            escape(line.location),
            escape(line.sku or "(empty)"),
            escape(line.lot or ""),
            escape(line.serial or ""),
            escape(line.status),
            escape(line.container or ""),
            str(line.quantity),
        ]
        if not blind:
            cells.append("" if line.expected is None else str(line.expected))
        cells += [when(line.counted_at), escape(line.actor or "")]
        table.add_row(*cells)
    return table


def _count_sheet(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        count = inv.counts.get(args.count_id)
        sheet = inv.counts.sheet(args.count_id)
    out.emit([plain(line) for line in sheet], lambda: [_sheet_table(count, sheet)])
    return ExitCode.OK


def _sheet_table(count: Count, sheet: Sequence[CountSheetLine]) -> RenderableType:
    blind = count.blind and count.state == "open"
    title = f"Count sheet {count.id}: {_scope(count)}"
    if not sheet:
        return f"{escape(title)}: nothing in scope."
    table = Table(title=escape(title), title_justify="left")
    for column in ("location", "item", "lot", "serial", "status", "container"):
        table.add_column(column)
    table.add_column("book", justify="right")
    table.add_column("counted", justify="right")
    for line in sheet:
        book = "(blind)" if blind or line.expected is None else str(line.expected)
        table.add_row(
            escape(line.location),
            escape(line.sku or "(no stock)"),
            escape(line.lot or ""),
            escape(line.serial or ""),
            escape(line.status),
            escape(line.container or ""),
            book,
            "",
        )
    return table


def _count_record(args: argparse.Namespace, out: Output) -> int:
    if args.gs is not None and len(args.gs) != 1:
        raise UsageError(f"--gs takes one character, not {args.gs!r}")
    if args.gs is not None and args.scan is None:
        raise UsageError("--gs is for --scan")
    with open_ledger(args.db) as inv:
        lines = inv.counts.record(
            args.count_id,
            args.sku,
            args.qty,
            location=args.location,
            lot=args.lot,
            serials=args.serials,
            status=args.status,
            container=args.container,
            scan=args.scan,
            gs_standin=args.gs,
            add=args.add,
            empty=args.empty,
            counted_at=args.counted_at,
            actor=args.actor,
        )
        count = inv.counts.get(args.count_id)
    blind = count.blind and count.state == "open"
    out.emit(
        [plain(line) for line in lines],
        lambda: [
            f"Recorded {len(lines)} line(s) on count [bold]{escape(args.count_id)}[/]:",
            _lines_table(lines, blind=blind),
        ],
    )
    return ExitCode.OK


def _count_report(args: argparse.Namespace, out: Output) -> int:
    costs = _costs(args.cost)
    with open_ledger(args.db) as inv:
        report = inv.counts.report(args.count_id, costs=costs or None)
    lines = report.differences if args.differences else report.lines
    out.emit(_report_json(report, lines), lambda: _report_parts(report, lines, costs))
    return ExitCode.OK


def _costs(pairs: Sequence[tuple[str, Decimal]]) -> dict[str, Decimal]:
    costs: dict[str, Decimal] = {}
    for sku, cost in pairs:
        if sku in costs and costs[sku] != cost:
            raise UsageError(f"--cost gives {sku} two costs: {costs[sku]} and {cost}")
        if cost < 0:
            raise UsageError(f"--cost {sku}={cost}: a cost may not be negative")
        costs[sku] = cost
    return costs


def _report_json(report: CountReport, lines: Sequence[Any]) -> dict[str, Any]:
    return {
        "count": report.count,
        "state": str(report.state),
        "transaction_id": report.transaction_id,
        "total_value": None if report.total_value is None else str(report.total_value),
        "lines": [
            {
                **plain(line),
                "difference": str(line.difference),
                "value": None if line.value is None else str(line.value),
            }
            for line in lines
        ],
    }


def _report_parts(
    report: CountReport, lines: Sequence[Any], costs: dict[str, Decimal]
) -> list[RenderableType]:
    if report.state == "open":
        head = f"Count {escape(report.count)} (open): what closing it now would post"
    else:
        posted = (
            f"posted as transaction {report.transaction_id}"
            if report.transaction_id is not None
            else "no difference, nothing posted"
        )
        head = f"Count {escape(report.count)} (closed): {posted}"
    if not lines:
        return [head, "No positions" + (" with a difference." if report.lines else ".")]
    table = Table(title_justify="left")
    for column in ("location", "item", "lot", "serial", "status", "container"):
        table.add_column(column)
    for column in ("book", "counted", "diff"):
        table.add_column(column, justify="right")
    if costs:
        table.add_column("value", justify="right")
    for line in lines:
        diff = line.difference
        style = "green" if diff == 0 else "yellow"
        cells = [
            escape(line.location),
            escape(line.sku),
            escape(line.lot or ""),
            escape(line.serial or ""),
            escape(line.status),
            escape(line.container or ""),
            str(line.expected),
            str(line.counted),
            f"[{style}]{diff:+}[/]" if diff else "0",
        ]
        if costs:
            value = line.value
            cells.append("" if value is None else f"{value:+}" if value else "0")
        table.add_row(*cells)
    parts: list[RenderableType] = [head, table]
    if costs:
        total = report.total_value
        parts.append(
            "Total value: "
            + ("unknown (a difference has no --cost)" if total is None else f"{total:+}")
        )
    return parts


def _count_close(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        count = inv.counts.close(args.count_id, actor=args.actor)
        tx = None if count.transaction_id is None else inv.transaction(count.transaction_id)
    out.emit(
        {"count": _count_json(count), "transaction": None if tx is None else transaction_json(tx)},
        lambda: _closed(count, tx),
    )
    return ExitCode.OK


def _closed(count: Count, tx: Transaction | None) -> list[RenderableType]:
    if tx is None:
        return [f"Closed count [bold]{escape(count.id)}[/]: the shelf matched the book; nothing "
                "was posted."]  # fmt: skip
    return [
        f"Closed count [bold]{escape(count.id)}[/]: posted transaction {tx.id} "
        f"({len(tx.movements)} correction(s)).",
        _moves_table(tx),
    ]


def _moves_table(tx: Transaction) -> RenderableType:
    table = Table(title_justify="left")
    for column in ("item", "lot", "serial", "qty", "from", "to"):
        table.add_column(column, justify="right" if column == "qty" else "left")
    for m in tx.movements:
        table.add_row(
            escape(m.item),
            escape(m.lot or ""),
            escape(m.serial or ""),
            str(m.quantity),
            escape(str(m.src)),
            escape(str(m.dst)),
        )
    return table


def _count_cancel(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        count = inv.counts.cancel(args.count_id, actor=args.actor)
    out.emit(
        _count_json(count),
        lambda: [f"Cancelled count [bold]{escape(count.id)}[/]; nothing was posted."],
    )
    return ExitCode.OK


# -- replenish ------------------------------------------------------------------------------


def _register_replenish(sub: Subparsers) -> None:
    group = add_group(
        sub,
        "replenish",
        "Min/max replenishment of pick faces: rules, proposals, posting.",
        description=(
            "A rule keeps an item at a pick face between --min and --max. 'propose' lists a\n"
            "move from reserve stock for every pick face below its minimum, filling it up to\n"
            "its maximum, as the item's allocation policy picks it (FEFO for lots); nothing is\n"
            "reserved. 'post' proposes again and posts the moves as one transfer."
        ),
    )
    rule = add_group(group, "rule", "Set, list and remove replenishment rules.")
    set_ = add_command(
        rule,
        "set",
        "Keep SKU at LOCATION between --min and --max (replacing its rule, if any).",
        _rule_set,
    )
    set_.add_argument("sku", metavar="SKU", help="the item")
    set_.add_argument("location", metavar="LOCATION", help="the pick face")
    set_.add_argument(
        "--min", required=True, type=decimal, metavar="N", help="replenish below this"
    )
    set_.add_argument(
        "--max", required=True, type=decimal, metavar="N", help="fill up to this at most"
    )
    set_.add_argument(
        "--multiple", type=decimal, metavar="N", help="move whole multiples of this only"
    )
    set_.add_argument(
        "--source",
        metavar="LOCATION",
        help="the subtree stock comes from (default: the pick face's site)",
    )
    set_.add_argument("--actor", help="who sets it")

    listed = add_command(rule, "list", "List replenishment rules.", _rule_list)
    listed.add_argument("--sku", help="only this item's rules")
    listed.add_argument("--location", help="only rules at this location and below")

    remove = add_command(rule, "remove", "Remove the rule of SKU at LOCATION.", _rule_remove)
    remove.add_argument("sku", metavar="SKU", help="the item")
    remove.add_argument("location", metavar="LOCATION", help="the pick face")
    remove.add_argument("--actor", help="who removes it")

    propose = add_command(
        group,
        "propose",
        "Show the moves that would refill every pick face below its minimum.",
        _propose,
    )
    post = add_command(
        group,
        "post",
        "Propose again and post the moves as one transfer transaction.",
        _post,
        description=(
            "Compute the proposals now (as 'propose' shows them) and post their moves as one\n"
            "transfer; each pick face is checked again as it is posted. Shortfalls (a\n"
            "reserve that cannot fill a pick face) are listed on standard error. When no pick\n"
            "face needs stock, nothing is posted (exit 0)."
        ),
    )
    for p in (propose, post):
        p.add_argument("--sku", help="only this item's pick faces")
        p.add_argument("--location", help="only pick faces at this location and below")
        p.add_argument(
            "--at", type=date, metavar="DATE", help="judge expiry on this date (default: today)"
        )
    post.add_argument("--key", help="an idempotency key: a retry returns the first transfer")
    post.add_argument(
        "--effective-at", type=aware_time, metavar="TIME", help="when the moves were made"
    )
    post.add_argument("--actor", help="who posts them")
    post.add_argument("--reason", help="a note (default: replenishment)")


def _rule_json(rule: ReplenishmentRule) -> dict[str, Any]:
    data: dict[str, Any] = plain(rule)
    data["source"] = rule.source_root
    return data


def _rule_set(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        rule = inv.replenishment.set_rule(
            args.sku,
            args.location,
            min=args.min,
            max=args.max,
            multiple=args.multiple,
            source=args.source,
            actor=args.actor,
        )
    out.emit(_rule_json(rule), lambda: [f"Rule set: {escape(_rule_text(rule))}."])
    return ExitCode.OK


def _rule_text(rule: ReplenishmentRule) -> str:
    multiple = f" in multiples of {rule.multiple}" if rule.multiple is not None else ""
    return (
        f"keep {rule.sku} at {rule.location} between {rule.min} and {rule.max}{multiple}, "
        f"from {rule.source_root}"
    )


def _rule_list(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        rules = inv.replenishment.rules(sku=args.sku, location=args.location)
    out.emit([_rule_json(r) for r in rules], lambda: [_rules_table(rules)])
    return ExitCode.OK


def _rules_table(rules: Sequence[ReplenishmentRule]) -> RenderableType:
    if not rules:
        return "No replenishment rules match; add one with 'stockline replenish rule set'."
    table = Table(title="Replenishment rules", title_justify="left")
    for column in ("pick face", "item", "min", "max", "multiple", "source", "updated", "by"):
        right = column in ("min", "max", "multiple")
        table.add_column(column, justify="right" if right else "left")
    for r in rules:
        table.add_row(
            escape(r.location),
            escape(r.sku),
            str(r.min),
            str(r.max),
            "" if r.multiple is None else str(r.multiple),
            escape(r.source_root),
            when(r.updated_at),
            escape(r.updated_by or ""),
        )
    return table


def _rule_remove(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        rule = inv.replenishment.remove_rule(args.sku, args.location, actor=args.actor)
    out.emit(_rule_json(rule), lambda: [f"Rule removed: {escape(_rule_text(rule))}."])
    return ExitCode.OK


def _proposals(args: argparse.Namespace, inv: Any) -> list[Proposal]:
    found: list[Proposal] = inv.replenishment.propose(
        sku=args.sku, location=args.location, at=args.at
    )
    return found


def _propose(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        proposals = _proposals(args, inv)
    out.emit([plain(p) for p in proposals], lambda: [_proposals_table(proposals)])
    return ExitCode.OK


def _proposals_table(proposals: Sequence[Proposal]) -> RenderableType:
    if not proposals:
        return "Every pick face with a rule is at or above its minimum: nothing to replenish."
    table = Table(title="Replenishment proposals", title_justify="left")
    for column in ("pick face", "item", "level", "min", "max", "move", "from", "lot/serial"):
        right = column in ("level", "min", "max", "move")
        table.add_column(column, justify="right" if right else "left")
    table.add_column("short", justify="right")
    for p in proposals:
        head = [escape(p.location), escape(p.sku), str(p.level), str(p.min), str(p.max)]
        short = f"[red]{p.shortfall}[/]" if p.shortfall else ""
        if not p.moves:
            table.add_row(*head, "0", "[red](no stock in reserve)[/]", "", short)
        for i, m in enumerate(p.moves):
            cells = head if i == 0 else [""] * 5
            table.add_row(
                *cells,
                str(m.quantity),
                escape(str(m.src)),
                escape(m.lot or m.serial or ""),
                short if i == 0 else "",
            )
    return table


def _post(args: argparse.Namespace, out: Output) -> int:
    with open_ledger(args.db) as inv:
        proposals = _proposals(args, inv)
        movable = [p for p in proposals if p.moves]
        # A retry with the key of a transfer already posted finds the pick faces full: it
        # answers with that transfer, as the library's idempotent post does, not "nothing".
        tx = None if movable else _posted_with(inv, args.key)
        again = tx is not None
        if movable:
            tx = inv.replenishment.post(
                movable,
                key=args.key,
                effective_at=args.effective_at,
                actor=args.actor,
                reason=args.reason,
            )
    for p in proposals:
        if p.shortfall:
            out.err.print(
                f"[yellow]short:[/] {escape(p.location)} needs {p.wanted} {escape(p.sku)}; "
                f"the reserve is {p.shortfall} short",
                soft_wrap=True,
            )
    out.emit(
        {
            "proposals": [plain(p) for p in proposals],
            "transaction": None if tx is None else transaction_json(tx),
        },
        lambda: [
            "Nothing to replenish: no pick face is below its minimum with stock to refill it."
            if tx is None
            else f"Already posted as transaction {tx.id} with key {escape(args.key)}: "
            f"{len(tx.movements)} move(s); nothing more was posted."
            if again
            else f"Posted transaction {tx.id}: {len(tx.movements)} move(s) to "
            f"{len(movable)} pick face(s).",
            *([] if tx is None else [_moves_table(tx)]),
        ],
    )
    return ExitCode.OK


def _posted_with(inv: Inventory, key: str | None) -> Transaction | None:
    """The replenishment transfer posted earlier with ``key``, if there is one.

    Raises:
        IdempotencyConflictError: ``key`` was used by a transaction of another kind.
    """
    if key is None:
        return None
    from stockline.errors import IdempotencyConflictError

    with inv.store.read() as r:
        found = r.find_key(key)
    if found is None:
        return None
    tx = inv.transaction(found[0])
    if tx.kind != "transfer":
        raise IdempotencyConflictError(key=key, transaction_id=tx.id)
    return tx


# -- kit ------------------------------------------------------------------------------------


def _register_kit(sub: Subparsers) -> None:
    kit = add_command(
        sub,
        "kit",
        "Reserve every component of a bill of materials, or none.",
        _kit,
        description=(
            "Allocate each component (SKU=QTY per unit of the product) for --quantity units,\n"
            "by the component's allocation policy, from available, unreserved, unexpired\n"
            "stock, in one step. If every component can be served, each is reserved for\n"
            "--order (line = the component's SKU); if any is short, nothing is reserved and\n"
            "the command lists every short component and exits with status 1. --check only\n"
            "asks whether the kit can be had: nothing is reserved either way."
        ),
    )
    kit.add_argument(
        "bom",
        metavar="SKU=QTY",
        nargs="+",
        type=sku_amount,
        help="a component and how much of it one unit of the product needs",
    )
    kit.add_argument("--order", required=True, help="the production (work) order to reserve for")
    kit.add_argument(
        "--quantity", type=decimal, default=Decimal(1), metavar="N", help="units of the product"
    )
    kit.add_argument(
        "--zone",
        action="append",
        default=[],
        metavar="LOCATION",
        help="take components only from here and below (repeatable)",
    )
    kit.add_argument(
        "--min-shelf-life-days",
        type=int,
        default=0,
        metavar="DAYS",
        help="days of shelf life a lot must have left",
    )
    kit.add_argument(
        "--at", type=date, metavar="DATE", help="judge expiry on this date (default: today)"
    )
    kit.add_argument("--check", action="store_true", help="check availability; reserve nothing")
    kit.add_argument("--actor", help="who allocates")


def _kit(args: argparse.Namespace, out: Output) -> int:
    if args.min_shelf_life_days < 0:
        raise UsageError("--min-shelf-life-days may not be negative")
    from stockline.operations import BomLine

    bom = [BomLine(sku=sku, quantity=quantity) for sku, quantity in args.bom]
    with open_ledger(args.db) as inv:
        kit = inv.kits.reserve(
            bom,
            args.quantity,
            order=args.order,
            zones=args.zone,
            min_shelf_life_days=args.min_shelf_life_days,
            at=args.at,
            reserve=not args.check,
            actor=args.actor,
        )
    out.emit(_kit_json(kit), lambda: _kit_parts(kit, check=args.check))
    if kit.is_complete:
        return ExitCode.OK
    listed = "; ".join(
        f"{s.sku}: {s.required} required, {s.available} available" for s in kit.shortages
    )
    raise CommandError(f"the kit for order {kit.order} is short of {listed}; nothing was reserved")


def _picks_json(allocation: Allocation) -> list[dict[str, Any]]:
    return [
        {
            "location": p.candidate.location,
            "lot": p.candidate.lot,
            "status": p.candidate.status,
            "container": p.candidate.container,
            "expiry": None if p.candidate.expiry is None else p.candidate.expiry.isoformat(),
            "quantity": str(p.quantity),
            "reason": p.reason,
        }
        for p in allocation.picks
    ]


def _kit_json(kit: Kit) -> dict[str, Any]:
    return {
        "order": kit.order,
        "quantity": str(kit.quantity),
        "complete": kit.is_complete,
        "reserved": kit.reserved,
        "components": [
            {
                "sku": a.demand.item,
                "required": str(a.demand.quantity),
                "allocated": str(a.allocated),
                "shortfall": str(a.shortfall),
                "picks": _picks_json(a),
            }
            for a in kit.allocations
        ],
        "shortages": [
            {"sku": s.sku, "required": str(s.required), "available": str(s.available)}
            for s in kit.shortages
        ],
    }


def _kit_parts(kit: Kit, *, check: bool) -> list[RenderableType]:
    if kit.reserved:
        head = f"Kit for order [bold]{escape(kit.order)}[/] ({kit.quantity} unit(s)): reserved."
    elif kit.is_complete:
        head = (
            f"Kit for order [bold]{escape(kit.order)}[/] ({kit.quantity} unit(s)): every "
            "component is available (checked only; nothing reserved)."
        )
    else:
        head = (
            f"Kit for order [bold]{escape(kit.order)}[/] ({kit.quantity} unit(s)): "
            "[red]short[/]; nothing reserved."
        )
    table = Table(title_justify="left")
    for column in ("component", "required", "location", "lot", "expiry", "take", "reason"):
        right = column in ("required", "take")
        table.add_column(column, justify="right" if right else "left")
    for a in kit.allocations:
        head_cells = [escape(a.demand.item), str(a.demand.quantity)]
        if not a.picks:
            table.add_row(*head_cells, "[red](none available)[/]", "", "", "", "")
        for i, p in enumerate(a.picks):
            c = p.candidate
            table.add_row(
                *(head_cells if i == 0 else ["", ""]),
                escape(c.location),
                escape(c.lot or ""),
                "" if c.expiry is None else c.expiry.isoformat(),
                str(p.quantity),
                escape(p.reason),
            )
        if a.shortfall:
            table.add_row("", "", "[red]short[/]", "", "", f"[red]{a.shortfall}[/]", "")
    return [head, table]
