"""XLSX output through openpyxl, imported only when a workbook is written."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from typing import Any

from stockline.errors import MissingDependencyError
from stockline.reports._tables import Cell, ColumnKind, Table, csv_text, formula_like, utc

__all__ = ["write_xlsx"]

#: Characters XML 1.0 (and so XLSX) cannot hold; openpyxl refuses them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_FORMATS = {ColumnKind.DATE: "yyyy-mm-dd", ColumnKind.DATETIME: "yyyy-mm-dd hh:mm:ss"}


def write_xlsx(tables: Sequence[Table], path: str | os.PathLike[str]) -> None:
    """Write ``tables`` as the sheets of one XLSX file at ``path``.

    Raises:
        MissingDependencyError: openpyxl is not installed (``pip install 'stockline[xlsx]'``).
    """
    try:
        import openpyxl
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError as e:
        raise MissingDependencyError(
            extra="xlsx",
            feature="writing XLSX",
            package="openpyxl",
            advice="or write CSV, which needs nothing",
        ) from e
    # Write-only mode streams rows to disk, so a recall of many thousand lines stays small.
    book = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.title)
        widths = [len(c.header) for c in table.columns]
        for row in table.rows:
            widths = [max(w, len(csv_text(cell))) for w, cell in zip(widths, row, strict=True)]
        for number, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(number)].width = min(
                max(width + 2, _MIN_WIDTH), _MAX_WIDTH
            )
        sheet.freeze_panes = "A2"
        last = get_column_letter(max(len(table.columns), 1))
        sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append(
                [
                    _cell(WriteOnlyCell, sheet, column.kind, value)
                    for column, value in zip(table.columns, row, strict=True)
                ]
            )
    book.save(os.fspath(path))


def _cell(make: Any, sheet: Any, kind: ColumnKind, value: Cell) -> Any:
    if value is None:
        return make(sheet, value=None)
    if isinstance(value, dt.datetime):
        # Spreadsheets have no time zones: the time is written in UTC, as the heading says.
        cell = make(sheet, value=utc(value).replace(tzinfo=None))
    elif isinstance(value, str):
        text = _ILLEGAL.sub("", value)
        cell = make(sheet, value=text)
        cell.data_type = "s"  # text stays text, even when it starts with "="
        # The same cells CSV prefixes with "'" get Excel's own mark for it: the text is kept
        # as it is, and stays text when someone edits the cell.
        if formula_like(text):
            cell.quotePrefix = True
    else:
        cell = make(sheet, value=value)
    if kind in _FORMATS:
        cell.number_format = _FORMATS[kind]
    return cell
