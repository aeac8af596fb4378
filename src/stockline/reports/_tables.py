"""Typed tables and the column conventions every report export shares (CSV, XLSX, JSON)."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import attrs

from stockline.errors import ValidationError

__all__ = ["Cell", "Column", "ColumnKind", "Table", "Workbook"]

#: What a cell may hold. ``None`` is an empty cell.
Cell = str | int | bool | Decimal | dt.date | dt.datetime | None

#: Text starting with one of these is always run as a formula by a spreadsheet (OWASP "CSV
#: injection"); ``+`` and ``-`` are judged by what follows (see :func:`formula_like`).
_FORMULA_START = ("=", "@", "\t", "\r")

#: A number or a phone number after a leading sign: digits, spaces, ``( ) . , / + -`` only.
#: No letters, quotes, ``!`` or ``|``, so no function call, cell reference or DDE link, just
#: arithmetic at worst: ``+1 831 555 0100``, ``-12.5``, ``+44 (0)20 7946 0958``.
_SIGNED_NUMBER = re.compile(r"[+-][0-9 ().,/+-]*[0-9][0-9 ().,/+-]*")


class ColumnKind(enum.StrEnum):
    """What a column holds; it decides how a cell is written in each format."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


_TYPES: dict[ColumnKind, tuple[type, ...]] = {
    ColumnKind.TEXT: (str,),
    ColumnKind.INTEGER: (int,),
    ColumnKind.DECIMAL: (Decimal,),
    ColumnKind.BOOLEAN: (bool,),
    ColumnKind.DATE: (dt.date,),
    ColumnKind.DATETIME: (dt.datetime,),
}


@attrs.frozen(kw_only=True)
class Column:
    """One column of a report table.

    Attributes:
        key: The machine name (``snake_case``): the JSON key.
        header: The human heading: the first row of CSV and XLSX.
        kind: What the cells hold.
        description: What the column means (the glossary a receiver of the file needs), with
            the rule it comes from where there is one.
    """

    key: str
    header: str
    kind: ColumnKind = ColumnKind.TEXT
    description: str = ""


@attrs.frozen(kw_only=True)
class Table:
    """Rows of typed cells under typed columns: one CSV file, one XLSX sheet, one JSON list.

    Conventions, the same in every report:

    - **CSV**: UTF-8, a header row of the column headings, RFC 4180 quoting and ``CRLF`` line
      ends; dates as ``YYYY-MM-DD``; times as ISO 8601 in UTC (``2026-03-02T08:00:00+00:00``);
      decimals as plain digits (never an exponent); booleans as ``true``/``false``; an empty
      cell for no value. A text cell a spreadsheet would run as a formula
      (:func:`formula_like`: it starts with ``=``, ``@``, a tab or a carriage return, or
      with ``+`` or ``-`` followed by more than a number or a phone number) is prefixed with
      ``'`` so a spreadsheet shows it instead of running it; ``+1 831 555 0100`` and
      ``-12.5`` are written as they are.
    - **XLSX**: the same headings in bold, frozen, with an autofilter; dates and times as real
      spreadsheet dates (times in UTC: spreadsheets have no time zones), numbers as numbers,
      text always as text (never a formula) and unaltered; the cells :func:`formula_like`
      picks also get the spreadsheet's own "quote prefix" mark, the XLSX form of the CSV
      ``'``, so the text stays text when someone edits the cell.
    - **JSON**: one object per row keyed by the column keys; decimals as strings (exact),
      dates and times as ISO 8601 strings, no value as ``null``.

    Attributes:
        key: The machine name: the JSON key and the CSV file name in a workbook.
        title: The human name: the XLSX sheet name (at most 31 characters).
        columns: The columns.
        rows: The rows, one cell per column.
    """

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...] = attrs.field()

    @rows.validator
    def _check(self, _: object, rows: tuple[tuple[Cell, ...], ...]) -> None:
        if len(self.title) > 31 or any(c in self.title for c in "[]:*?/\\"):
            raise ValidationError(
                f"table title {self.title!r} cannot name a spreadsheet sheet: at most 31 "
                "characters and none of []:*?/\\"
            )
        for number, row in enumerate(rows, 1):
            if len(row) != len(self.columns):
                raise ValidationError(
                    f"row {number} of table {self.key} has {len(row)} cells for "
                    f"{len(self.columns)} columns"
                )
            for column, cell in zip(self.columns, row, strict=True):
                if cell is not None and not _fits(column.kind, cell):
                    raise ValidationError(
                        f"row {number} of table {self.key}: column {column.key} holds "
                        f"{column.kind} values, got {cell!r}"
                    )

    @property
    def headers(self) -> list[str]:
        """The column headings, in order."""
        return [c.header for c in self.columns]

    def records(self) -> list[dict[str, Any]]:
        """The rows as JSON-ready objects keyed by the column keys."""
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, map(json_value, row), strict=True)) for row in self.rows]

    def to_csv(self, target: str | os.PathLike[str] | IO[str] | None = None) -> str:
        """Write the table as CSV to a path or an open text file, and return the text.

        Args:
            target: A file path, or a text file opened with ``newline=""``; with ``None``
                only the text is returned.
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow(csv_text(cell) for cell in row)
        text = buffer.getvalue()
        if target is None:
            return text
        if isinstance(target, str | os.PathLike):
            with Path(target).open("w", encoding="utf-8", newline="") as f:
                f.write(text)
        else:
            target.write(text)
        return text

    def to_xlsx(self, path: str | os.PathLike[str]) -> None:
        """Write the table as a one-sheet XLSX workbook (needs ``stockline[xlsx]``)."""
        Workbook(key=self.key, tables=(self,)).to_xlsx(path)

    def to_dict(self) -> dict[str, Any]:
        """The table as plain data: its columns and its rows as objects."""
        return {
            "key": self.key,
            "title": self.title,
            "columns": [
                {"key": c.key, "header": c.header, "kind": c.kind.value} for c in self.columns
            ],
            "rows": self.records(),
        }

    def to_json(self, **options: Any) -> str:
        """The table as JSON text; ``options`` go to :func:`json.dumps`."""
        return json.dumps(self.to_dict(), **options)


@attrs.frozen(kw_only=True)
class Workbook:
    """Several tables exported together: sheets of one XLSX file, CSV files of one folder,
    lists of one JSON document.

    Attributes:
        key: The machine name of the whole export.
        tables: The tables, in sheet order.
        meta: Facts about the whole export (report id, reason, time of the data), as
            ``(key, value)`` pairs; they head the JSON document.
    """

    key: str
    tables: tuple[Table, ...]
    meta: tuple[tuple[str, Cell], ...] = ()

    def __getitem__(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(f"no table {key!r}; the tables are {[t.key for t in self.tables]}")

    def __iter__(self) -> Iterator[Table]:
        return iter(self.tables)

    def to_csv_dir(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write one CSV file per table (``<table key>.csv``) into ``directory`` (created if
        missing), and return the paths in table order."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for table in self.tables:
            path = folder / f"{table.key}.csv"
            table.to_csv(path)
            paths.append(path)
        return paths

    def to_xlsx(self, path: str | os.PathLike[str]) -> None:
        """Write one sheet per table to an XLSX file (needs ``stockline[xlsx]``)."""
        from stockline.reports._xlsx import write_xlsx

        write_xlsx(self.tables, path)

    def to_dict(self) -> dict[str, Any]:
        """The workbook as plain data: ``meta`` facts, then each table's rows by its key."""
        data: dict[str, Any] = {key: json_value(value) for key, value in self.meta}
        for table in self.tables:
            data[table.key] = table.records()
        return data

    def to_json(self, **options: Any) -> str:
        """The workbook as JSON text; ``options`` go to :func:`json.dumps`."""
        return json.dumps(self.to_dict(), **options)


def _fits(kind: ColumnKind, cell: object) -> bool:
    if isinstance(cell, bool) and kind is not ColumnKind.BOOLEAN:
        return False
    if kind is ColumnKind.DATE and isinstance(cell, dt.datetime):
        return False
    if kind is ColumnKind.DATETIME and isinstance(cell, dt.datetime):
        return cell.tzinfo is not None
    return isinstance(cell, _TYPES[kind])


def utc(value: dt.datetime) -> dt.datetime:
    """An aware time in UTC."""
    return value.astimezone(dt.UTC)


def csv_text(cell: Cell) -> str:
    """A cell as CSV text (see :class:`Table` for the conventions)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, dt.datetime):
        return utc(cell).isoformat()
    if isinstance(cell, dt.date | int):
        return str(cell) if isinstance(cell, int) else cell.isoformat()
    return "'" + cell if formula_like(cell) else cell


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula that can do harm, so exports
    mark it as text (``'`` in CSV, the quote-prefix style in XLSX).

    It starts with ``=``, ``@``, a tab or a carriage return; or with ``+`` or ``-`` followed
    by anything but a plain number or phone number (digits, spaces, ``( ) . , / + -``, at
    least one digit), which covers ``-2+3+cmd|' /C calc'!A0`` and ``+HYPERLINK(...)``.

    Example:
        >>> [formula_like(t) for t in ("=1+1", "+1 831 555 0100", "-12.5", "-A1", "+(1)")]
        [True, False, False, True, False]
    """
    if text.startswith(_FORMULA_START):
        return True
    return text.startswith(("+", "-")) and _SIGNED_NUMBER.fullmatch(text) is None


def json_value(cell: Cell) -> Any:
    """A cell as a JSON value (see :class:`Table` for the conventions)."""
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, dt.datetime):
        return utc(cell).isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell


def joined(values: Iterable[str]) -> str:
    """Several values in one cell, separated by ``"; "``."""
    return "; ".join(values)


def column_map(columns: Sequence[Column]) -> dict[str, Column]:
    """Columns by key."""
    return {c.key: c for c in columns}
