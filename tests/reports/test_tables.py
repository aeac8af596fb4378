"""The column conventions every report export shares: CSV, XLSX and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stockline import errors
from stockline.reports import Column, ColumnKind, Table, Workbook

COLUMNS = (
    Column(key="name", header="Name"),
    Column(key="qty", header="Quantity", kind=ColumnKind.DECIMAL),
    Column(key="n", header="Count", kind=ColumnKind.INTEGER),
    Column(key="ok", header="OK", kind=ColumnKind.BOOLEAN),
    Column(key="day", header="Day", kind=ColumnKind.DATE),
    Column(key="at", header="At (UTC)", kind=ColumnKind.DATETIME),
)
CHICAGO = ZoneInfo("America/Chicago")
ROW = (
    'Crumb, "fine"',
    Decimal("1E+2"),
    3,
    True,
    dt.date(2026, 3, 2),
    dt.datetime(2026, 3, 2, 6, 30, tzinfo=CHICAGO),
)


def table(*rows: tuple[object, ...]) -> Table:
    """A table of the test columns."""
    return Table(key="t", title="T", columns=COLUMNS, rows=rows)  # type: ignore[arg-type]


class TestCsv:
    def test_conventions(self) -> None:
        """CSV: header row, RFC 4180 quoting and CRLF, decimals without exponent, booleans as
        true/false, dates ISO, times ISO in UTC, empty cells for no value."""
        text = table(ROW, (None,) * 6).to_csv()
        assert text == (
            "Name,Quantity,Count,OK,Day,At (UTC)\r\n"
            '"Crumb, ""fine""",100,3,true,2026-03-02,2026-03-02T12:30:00+00:00\r\n'
            ",,,,,\r\n"
        )

    @pytest.mark.parametrize(
        "payload",
        [
            "=1+1",
            "@SUM(A1)",
            "\t=1+1",
            "\r=1+1",
            '+HYPERLINK("http://x.example")',
            "-2+3+cmd|' /C calc'!A0",
            "+1+cmd|' /C calc'!A0",
            "-A1",
            "+ 1+A1",
            "-",
        ],
    )
    def test_text_a_spreadsheet_would_run_is_defused(self, payload: str) -> None:
        """A text cell a spreadsheet would run as a formula gets a leading ' so it is shown:
        one starting with =, @, tab or CR, or with + or - followed by anything more than a
        number (letters, quotes, !, |: a function, a reference, a DDE link); numbers in
        number columns are never changed."""
        text = table((payload, Decimal(-1), -1, None, None, None)).to_csv()
        assert next(csv.reader(io.StringIO(text.split("\r\n", 1)[1]))) == [
            f"'{payload}",
            "-1",
            "-1",
            "",
            "",
            "",
        ]

    @pytest.mark.parametrize(
        "value",
        ["+1 831 555 0111", "-12.5", "+44 (0)20 7946 0958", "+1-831-555-0111", "-0.5", "(555) 01"],
    )
    def test_phone_numbers_and_signed_numbers_are_written_as_they_are(self, value: str) -> None:
        """Text that starts with + or - but holds only a number or a phone number (digits,
        spaces, ( ) . , / + -) cannot call a function or reach a cell: it is not altered."""
        text = table((value, None, None, None, None, None)).to_csv()
        assert text.splitlines()[1] == f"{value},,,,,"

    def test_directory_of_a_workbook(self, tmp_path: Path) -> None:
        """A workbook writes one CSV per table, named by the table key."""
        book = Workbook(
            key="b", tables=(table(ROW), Table(key="u", title="U", columns=(), rows=()))
        )
        paths = book.to_csv_dir(tmp_path / "out")
        assert [p.name for p in paths] == ["t.csv", "u.csv"]
        assert paths[0].read_bytes() == table(ROW).to_csv().encode()


class TestJson:
    def test_conventions(self) -> None:
        """JSON: objects keyed by column key; decimals as exact strings, dates and UTC times
        ISO, no value as null."""
        assert table(ROW, (None,) * 6).records() == [
            {
                "name": 'Crumb, "fine"',
                "qty": "100",
                "n": 3,
                "ok": True,
                "day": "2026-03-02",
                "at": "2026-03-02T12:30:00+00:00",
            },
            dict.fromkeys(("name", "qty", "n", "ok", "day", "at")),
        ]

    def test_workbook_puts_meta_first_then_tables(self) -> None:
        """A workbook's JSON holds its meta facts, then each table's rows under its key."""
        book = Workbook(key="b", tables=(table(ROW),), meta=(("as_of", None), ("id", "R-1")))
        assert list(json.loads(book.to_json())) == ["as_of", "id", "t"]
        assert book["t"] is book.tables[0]
        with pytest.raises(KeyError, match="the tables are"):
            book["nope"]


class TestValidation:
    @pytest.mark.parametrize(
        "row",
        [
            ("x",),
            ("x", 1.5, 3, True, None, None),
            ("x", None, True, None, None, None),
            ("x", None, None, None, dt.datetime(2026, 3, 2, tzinfo=dt.UTC), None),
            ("x", None, None, None, None, dt.datetime(2026, 3, 2)),
        ],
    )
    def test_cells_must_fit_their_columns(self, row: tuple[object, ...]) -> None:
        """A row of the wrong length or a cell of the wrong kind (a float, a bool as a number,
        a time as a date, a naive time) is refused."""
        with pytest.raises(errors.ValidationError, match="row 1 of table t"):
            table(row)

    @pytest.mark.parametrize("title", ["x" * 32, "a/b", "a:b"])
    def test_title_must_name_a_sheet(self, title: str) -> None:
        """A title that cannot be a spreadsheet sheet name is refused."""
        with pytest.raises(errors.ValidationError, match="sheet"):
            Table(key="t", title=title, columns=(), rows=())


class TestXlsx:
    def test_cells_keep_their_types(self, tmp_path: Path) -> None:
        """XLSX: bold frozen header with autofilter, numbers as numbers, dates as dates, times
        in UTC, text as text even when it looks like a formula, control characters dropped."""
        openpyxl = pytest.importorskip("openpyxl")
        table(ROW, ("=SUM(A1)\x07", None, None, False, None, None)).to_xlsx(tmp_path / "t.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
        assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
        assert sheet["A1"].font.b
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == "A1:F3"
        assert [c.value for c in sheet[2]] == [
            'Crumb, "fine"',
            100,
            3,
            True,
            dt.datetime(2026, 3, 2),
            dt.datetime(2026, 3, 2, 12, 30),
        ]
        assert sheet["E2"].number_format == "yyyy-mm-dd"
        assert sheet["A3"].value == "=SUM(A1)"
        assert sheet["A3"].data_type == "s"

    def test_formula_like_text_is_marked_as_csv_prefixes_it(self, tmp_path: Path) -> None:
        """XLSX applies the CSV rule: the text is kept unaltered, and exactly the cells CSV
        prefixes with ' get the quote-prefix mark (text, even when edited); a phone number
        gets neither."""
        openpyxl = pytest.importorskip("openpyxl")
        values = ["=SUM(A1)", "-2+3+cmd|' /C calc'!A0", "+1 831 555 0111", "-12.5", "plain"]
        rows = [(v, None, None, None, None, None) for v in values]
        table(*rows).to_xlsx(tmp_path / "t.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
        cells = [sheet.cell(row=n, column=1) for n in range(2, 2 + len(values))]
        assert [c.value for c in cells] == values
        csv_lines = table(*rows).to_csv().splitlines()[1:]
        prefixed = [line.startswith(("'", "\"'")) for line in csv_lines]
        assert [bool(c.quotePrefix) for c in cells] == prefixed == [True, True, False, False, False]

    def test_missing_openpyxl_says_which_extra_to_install(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without openpyxl, writing XLSX raises MissingDependencyError naming stockline[xlsx]
        and writes nothing."""
        monkeypatch.setitem(sys.modules, "openpyxl", None)
        with pytest.raises(errors.MissingDependencyError, match=r"stockline\[xlsx\]") as caught:
            table(ROW).to_xlsx(tmp_path / "t.xlsx")
        assert caught.value.extra == "xlsx"
        assert isinstance(caught.value, ImportError)
        assert not (tmp_path / "t.xlsx").exists()
