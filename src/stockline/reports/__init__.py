"""Report exports: the FDA FSMA 204 sortable spreadsheet, and recall and trace reports as
CSV, XLSX and JSON, all written with the same column conventions (see :class:`Table`).

On an inventory they are the service :class:`Reports`, ``inv.reports``
(``inv.reports.fsma204()``, ``inv.reports.workbook()``); the FSMA 204 events that are more
than a stock movement (harvesting, cooling, first land-based receiving) are recorded with
:class:`Food`, ``inv.food``.

CSV and JSON need nothing beyond stockline; XLSX needs openpyxl (``stockline[xlsx]``), imported
only when a workbook is written.
"""

from stockline.reports._food import Food, HarvestRecord
from stockline.reports._fsma import (
    FSMA204_COLUMNS,
    Cte,
    Fsma204Report,
    FsmaGap,
    FsmaRow,
    Place,
)
from stockline.reports._genealogy import recall_workbook, trace_workbook
from stockline.reports._service import LotRef, Reports
from stockline.reports._tables import Cell, Column, ColumnKind, Table, Workbook

__all__ = [
    "FSMA204_COLUMNS",
    "Cell",
    "Column",
    "ColumnKind",
    "Cte",
    "Food",
    "Fsma204Report",
    "FsmaGap",
    "FsmaRow",
    "HarvestRecord",
    "LotRef",
    "Place",
    "Reports",
    "Table",
    "Workbook",
    "recall_workbook",
    "trace_workbook",
]
