"""The parser, the dispatch, the mapping of errors to exit codes, and the output helpers."""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from stockline import __version__
from stockline.cli._messages import for_cli
from stockline.errors import StocklineError, StoreError

if TYPE_CHECKING:
    from stockline import Inventory
    from stockline.ledger import Clock

__all__ = [
    "DEFAULT_DB",
    "CommandError",
    "ExitCode",
    "Output",
    "build_parser",
    "commands",
    "help_text",
    "main",
    "output_file",
    "writing",
]

#: The ledger every command reads when ``--db`` is not given (the one ``stockline demo`` builds).
DEFAULT_DB = "stockline-demo.db"


T = TypeVar("T")


class ExitCode(enum.IntEnum):
    """What the process exit status means (documented in docs/cli/index.md)."""

    OK = 0
    """The command did what was asked."""
    ERROR = 1
    """The command was well formed, but stockline refused it: an unknown item, lot or
    location, a malformed barcode, a missing or foreign database, a posting rule broken."""
    USAGE = 2
    """The command line itself is wrong: an unknown command or option, a missing argument,
    a value that is not a number, date or time (argparse's own exit status)."""
    INTEGRITY = 3
    """``verify`` found the ledger altered outside stockline, or balances that do not match it."""


class CommandError(Exception):
    """A problem the command line reports itself (not a library error): a missing database,
    a file that is not a ledger, a file that may not be replaced."""


class UsageError(CommandError):
    """Arguments that parse but do not go together (exit status 2, like argparse's own)."""


class Handler(Protocol):
    def __call__(self, args: argparse.Namespace, out: Output, /) -> int: ...


# -- output ---------------------------------------------------------------------------------


@attrs.define
class Output:
    """Where a command writes: rich tables on stdout, or stable JSON with ``--json``;
    messages and progress bars on stderr.

    Attributes:
        json: Whether the caller asked for JSON.
        console: Standard output.
        err: Standard error (errors, progress bars).
    """

    json: bool
    console: Console
    err: Console

    @classmethod
    def for_streams(cls, *, as_json: bool) -> Output:
        """Consoles for the real stdout and stderr.

        Tables are as wide as their content when the output is not a terminal (a file, a
        pipe, a test), so nothing is folded into 80 columns.
        """
        tty = sys.stdout.isatty()
        console = Console(highlight=False, width=None if tty else 10_000)
        err = Console(stderr=True, highlight=False)
        return cls(json=as_json, console=console, err=err)

    def emit(self, data: object, render: Callable[[], Sequence[RenderableType]]) -> None:
        """Write ``data`` as JSON with ``--json``, else print what ``render`` returns."""
        if self.json:
            self.write_json(data)
        else:
            for part in render():
                self.console.print(self.fitted(part))

    def fitted(self, part: RenderableType) -> RenderableType:
        """``part`` as it reads at the console's width: a table too wide for it is stacked,
        one block of ``column: value`` lines per row, so no value is cut to ``PX-00…``."""
        if not isinstance(part, Table):
            return part
        wide = self.console.options.update_width(1_000_000)
        needed = Measurement.get(self.console, wide, part).maximum
        return part if needed <= self.console.width else stacked(part)

    def left_out(self, count: int, what: str, limit: int) -> None:
        """Say on stderr that ``count`` more ``what`` were not shown because of ``--limit``."""
        if count > 0:
            self.err.print(
                f"{count} more {what} not shown (--limit {limit}); --limit N shows more, "
                "--all shows every one",
                soft_wrap=True,
            )

    def write_json(self, data: object) -> None:
        """Write ``data`` as indented JSON (keys in a fixed order, decimals as strings)."""
        sys.stdout.write(json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def say(self, message: str) -> None:
        """A line for people (rich markup allowed); left out with ``--json``."""
        if not self.json:
            self.console.print(message)

    @contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[Callable[[int], None]]:
        """A progress bar on stderr while the block runs; yields ``advance(n)``.

        Nothing is drawn when stderr is not a terminal, so logs and pipes stay clean.
        """
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.err,
            transient=True,
            disable=not self.err.is_terminal,
        )
        with bar:
            task = bar.add_task(description, total=total)
            yield lambda n: bar.advance(task, n)


def stacked(table: Table) -> RenderableType:
    """``table`` as one block per row: the first cell as a heading, then each other non-empty
    cell under its column's name, wrapped at the console's width rather than cut."""
    columns = table.columns
    heads = [" ".join(str(c.header).split()) for c in columns]
    cells = [list(c.cells) for c in columns]
    blocks: list[RenderableType] = []
    if table.title is not None:
        blocks.append(Text.from_markup(str(table.title), style="italic"))
    for row in range(table.row_count):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for i, head in enumerate(heads):
            value = cells[i][row] if row < len(cells[i]) else ""
            if i == 0 or str(value).strip():
                grid.add_row(f"{head}:", value)
        blocks.append(grid)
        blocks.append(Rule(style="dim"))
    return Group(*blocks)


#: The rows a command shows unless told otherwise (``--limit``); ``--all`` lifts it.
DEFAULT_LIMIT = 50


def add_limit(parser: argparse.ArgumentParser, what: str, *, tables_only: bool = False) -> None:
    """Add ``--limit N`` (default :data:`DEFAULT_LIMIT`, 0 for no limit) and ``--all``."""
    scope = "; --json is always complete" if tables_only else ""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--limit",
        type=whole_or_zero,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show at most N {what}, 0 for no limit (default: %(default)s){scope}",
    )
    group.add_argument("--all", dest="limit", action="store_const", const=0, help="no limit")


def whole_or_zero(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    if re.fullmatch(r"\d{1,9}", text, re.ASCII) is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return int(text)


def limited(rows: Sequence[T], limit: int) -> tuple[list[T], int]:
    """The first ``limit`` of ``rows`` (all of them when ``limit`` is 0) and how many were
    left out."""
    if limit == 0 or len(rows) <= limit:
        return list(rows), 0
    return list(rows[:limit]), len(rows) - limit


def plain(value: object) -> Any:
    """``value`` as JSON-ready data: decimals and times as strings, records as objects."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))  # type: ignore[arg-type]
        return {f.name: plain(getattr(value, f.name)) for f in fields if not f.name.startswith("_")}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def when(value: dt.datetime | None) -> str:
    """A time for a table: UTC, to the minute."""
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


# -- files a command writes ------------------------------------------------------------------


def output_file(text: str, *, option: str) -> Path:
    """The file an output option (``--output``, ``--png``) names, checked before any work.

    Its folder must exist and it must not be a folder itself; otherwise the command is refused
    with one line naming the option, and nothing is read or written.
    """
    path = Path(text)
    if not text.strip():
        raise CommandError(f"{option} is empty: give the path of a file to write")
    if path.is_dir():
        raise CommandError(f"cannot write {option} {path}: it is a folder; name a file in it")
    if not path.parent.is_dir():
        raise CommandError(
            f"cannot write {option} {path}: folder {path.parent} does not exist; create it first"
        )
    return path


@contextmanager
def writing(path: Path, *, option: str) -> Iterator[None]:
    """Report a failure to write ``path`` (permissions, a full disk) as one error line."""
    try:
        yield
    except OSError as e:
        raise CommandError(f"cannot write {option} {path}: {e.strerror or e}") from e


# -- opening a ledger -----------------------------------------------------------------------


def database_url(db: str) -> str:
    """``db`` as a SQLAlchemy URL: a URL as given, anything else as a SQLite file path."""
    return db if "://" in db else f"sqlite:///{db}"


def sqlite_file(db: str) -> Path | None:
    """The file behind ``db`` when it is a SQLite file (not memory, not a server)."""
    import sqlalchemy as sa

    url = sa.make_url(database_url(db))
    if url.get_backend_name() != "sqlite" or url.database is None:
        return None
    if url.database in ("", ":memory:") or url.database.startswith("file:"):
        return None  # memory, or a URI filename SQLite resolves itself
    return Path(url.database)


def shown(db: str) -> str:
    """``db`` for a message, with any password masked."""
    if "://" not in db:
        return db
    import sqlalchemy as sa

    try:
        return sa.make_url(db).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return db


def open_ledger(db: str, *, create: bool = False, clock: Clock | None = None) -> Inventory:
    """Open the ledger at ``db`` (a SQLite file path or a SQLAlchemy URL).

    Without ``create``, the database must already be a stockline ledger: a missing file or a
    database without stockline's tables is an error, and nothing is created. An existing
    ledger is migrated to the current schema, as :meth:`Inventory.open` does.
    """
    import sqlalchemy as sa

    from stockline import Inventory
    from stockline.adapters.sqlalchemy import VERSION_TABLE, SqlAlchemyStockStore

    if not db.strip():
        raise CommandError("--db is empty: give a SQLite file path or a database URL")
    hint = f"create one with 'stockline init --db {db}', or 'stockline demo --db {db}'"
    path = sqlite_file(db)
    if not create and path is not None and not path.is_file():
        raise CommandError(f"no ledger at {shown(db)}: the file does not exist; {hint}")
    try:
        url = sa.make_url(database_url(db))
    except sa.exc.ArgumentError as e:
        raise CommandError(f"{db!r} is neither a file path nor a database URL ({e})") from e
    try:
        store = SqlAlchemyStockStore.open(url, migrate=False)
    except ModuleNotFoundError as e:
        raise CommandError(f"cannot open {shown(db)}: {e}") from e
    except sa.exc.NoSuchModuleError as e:
        raise CommandError(
            f"cannot open {shown(db)}: no database driver is called {url.drivername!r}; "
            "use sqlite:///path, postgresql+psycopg://user@host/db or a file path"
        ) from e
    except (StoreError, sa.exc.SQLAlchemyError) as e:
        raise CommandError(f"cannot open {shown(db)}: {_reason(e)}") from e
    try:
        if not create:
            try:
                is_ledger = sa.inspect(store.engine).has_table(VERSION_TABLE)
            except sa.exc.SQLAlchemyError as e:
                raise CommandError(f"cannot read {shown(db)}: {_reason(e)}") from e
            if not is_ledger:
                raise CommandError(f"{shown(db)} is not a stockline ledger; {hint}")
        try:
            store.migrate()
        except (StoreError, sa.exc.SQLAlchemyError) as e:
            raise CommandError(f"cannot open {shown(db)} as a ledger: {_reason(e)}") from e
    except BaseException:
        store.close()
        raise
    return Inventory(store=store) if clock is None else Inventory(store=store, clock=clock)


def _reason(error: Exception) -> str:
    """The driver's own words for a database error, without SQLAlchemy's long trailer."""
    cause = getattr(error, "orig", None) or error.__cause__ or error
    return str(getattr(cause, "orig", None) or cause).splitlines()[0]


# -- filters --------------------------------------------------------------------------------

#: The options that name an item, a location or a status, by their argparse ``dest``, in
#: every command: each must be known to the ledger, checked here once for all commands.
FILTERS = ("sku", "location", "status", "statuses")


def check_filters(args: argparse.Namespace) -> None:
    """Refuse an unknown item, location or status given to any command, before it runs.

    Every command gives the same verdict: the library's ``Unknown...Error`` (exit status 1),
    never an empty table.
    """
    given = {name: getattr(args, name, None) for name in FILTERS}
    if not any(given.values()) or getattr(args, "db", None) is None:
        return
    from stockline.errors import UnknownStatusError

    statuses = [given["status"]] if given["status"] else []
    statuses += list(given["statuses"] or [])
    with open_ledger(args.db) as inv:
        if given["sku"]:
            inv.master.item(given["sku"])
        if given["location"]:
            inv.master.location(given["location"])
        with inv.store.read() as r:
            for status in statuses:
                if r.status(status) is None:
                    raise UnknownStatusError(status=status)


# -- arguments ------------------------------------------------------------------------------


#: The one form of a time on the command line: ISO 8601 extended, to the minute or finer, with
#: ``Z`` or a ``+HH:MM`` offset. Python's ``fromisoformat`` takes much more (week dates, basic
#: format, any separator), some of it misread: ``2026-03-02+01:00Z`` would be 01:00 UTC.
TIME_FORM = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)
#: The one form of a date: ISO 8601 extended, ``YYYY-MM-DD``.
DATE_FORM = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
#: What a time or date error advises; fixed text, never built from what was typed.
TIME_ADVICE = "write it as 2026-03-02T12:00Z (UTC) or 2026-03-02T12:00+01:00, seconds optional"
DATE_ADVICE = "write it as 2026-03-02"


def aware_time(text: str) -> dt.datetime:
    """An argparse type: an ISO 8601 time with a UTC offset (``2026-03-02T12:00+01:00``, ``Z``).

    Only the forms of :data:`TIME_FORM` are taken, so a time means one thing wherever it is
    typed.
    """
    if TIME_FORM.fullmatch(text) is None:
        hint = "has no time zone" if _naive(text) else "is not an ISO 8601 time with a zone"
        raise argparse.ArgumentTypeError(f"{text!r} {hint}; {TIME_ADVICE}")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real time; {TIME_ADVICE}") from None


def _naive(text: str) -> bool:
    """Whether ``text`` is a well-formed time that only lacks its zone."""
    return TIME_FORM.fullmatch(text + "Z") is not None


def date(text: str) -> dt.date:
    """An argparse type: an ISO 8601 date (``2026-03-02``), in that form only."""
    if DATE_FORM.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date; {DATE_ADVICE}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real date; {DATE_ADVICE}") from None


def decimal(text: str) -> Decimal:
    """An argparse type: a decimal number (``12``, ``0.5``)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


Subparsers = Any  # argparse's _SubParsersAction is private and generic


def add_command(
    sub: Subparsers,
    name: str,
    summary: str,
    handler: Handler,
    *,
    db: bool = True,
    db_required: bool = False,
    json_help: str = "print JSON instead of tables",
    description: str | None = None,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """Add a command with the options every command shares (``--db``, ``--json``).

    ``db=False`` leaves ``--db`` out (a command that needs no ledger); ``db_required`` makes
    it mandatory instead of defaulting to the demo ledger.
    """
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description or summary,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if db_required:
        parser.add_argument(
            "--db",
            required=True,
            metavar="PATH|URL",
            help="a SQLite file or a database URL such as postgresql://host/db",
        )
    elif db:
        parser.add_argument(
            "--db",
            default=DEFAULT_DB,
            metavar="PATH|URL",
            help="a SQLite file or a database URL (default: %(default)s)",
        )
    parser.add_argument("--json", action="store_true", help=json_help)
    parser.set_defaults(handler=handler, prog=parser.prog)
    return parser


def add_group(
    sub: Subparsers, name: str, summary: str, *, description: str | None = None
) -> Subparsers:
    """Add a command that only groups subcommands (``count open``, ``count close``, ...);
    return the subparsers to add them to with :func:`add_command`."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description or summary,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser.add_subparsers(
        dest=f"{parser.prog.replace(' ', '_')}_action", required=True, metavar="ACTION"
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, every command registered."""
    from stockline.cli import (
        _exchange,
        _expectations,
        _ledger,
        _operations,
        _putaway,
        _reports,
        _scan,
        _serials,
        _trace,
        _transfers,
        _wms,
    )

    parser = argparse.ArgumentParser(
        prog="stockline",
        description="Look at, trace, check and work a stockline ledger in SQLite or a database.",
        epilog=(
            "Exit status: 0 ok, 1 refused (unknown item or lot, bad barcode, missing "
            "database, ...), 2 bad command line, 3 verify found an integrity problem."
        ),
    )
    parser.add_argument("--version", action="version", version=f"stockline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        _ledger,
        _trace,
        _scan,
        _exchange,
        _expectations,
        _operations,
        _serials,
        _wms,
        _putaway,
        _transfers,
        _reports,
    ):
        module.register(sub)
    return parser


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The command parsers of ``parser`` by name, in the order ``--help`` lists them."""
    for action in parser._actions:
        # argparse has no public way to list subcommands; the action type is stable since 3.2.
        if isinstance(action, argparse._SubParsersAction):
            found: dict[str, argparse.ArgumentParser] = action.choices
            return dict(found)
    return {}


def help_text(command: str | None = None, *, width: int = 88) -> str:
    """The ``--help`` text of the command line or of one command, at a fixed width.

    ``command`` may name a subcommand too: ``"count open"``, ``"replenish rule set"``.
    The pages in docs/cli/ show this text; a test keeps them equal, so they cannot drift.
    """
    target = build_parser()
    for name in [] if command is None else command.split():
        target = commands(target)[name]
    kind = target.formatter_class
    target.formatter_class = lambda prog: kind(prog, width=width)  # type: ignore[call-arg]
    return target.format_help()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    out = Output.for_streams(as_json=args.json)
    handler: Handler = args.handler
    try:
        check_filters(args)
        return handler(args, out)
    except UsageError as e:
        out.err.print(f"{args.prog}: error: {escape(str(e))}", soft_wrap=True)
        return ExitCode.USAGE
    except StocklineError as e:
        out.err.print(f"[red]error:[/] {escape(for_cli(e))}", soft_wrap=True)
        return ExitCode.ERROR
    except CommandError as e:
        out.err.print(f"[red]error:[/] {escape(str(e))}", soft_wrap=True)
        return ExitCode.ERROR
    except KeyboardInterrupt:
        out.err.print("interrupted")
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as e:
        # A file the command reads or writes that the checks above did not foresee: still one
        # line, never a traceback.
        where = "" if e.filename is None else f" {e.filename}"
        out.err.print(f"[red]error:[/] cannot use{escape(where)}: {escape(e.strerror or str(e))}")
        return ExitCode.ERROR
