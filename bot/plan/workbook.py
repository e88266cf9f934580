"""Excel workbooks (.xlsx) in and out: decoding a sheet into the rows the spreadsheet reader reads,
and writing a plan as a workbook people would keep.

Reading only decodes: merged cells, real dates and numbers become cell text, and every heading,
synonym, status word, warning and refusal is the CSV reader's (`read_plan_records`). Writing never
writes a formula: every text cell is stored as text, and one that looks like a formula is marked
as typed-in text (Excel's quote prefix), so it shows as written and reads back as written.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from bot.plan import audit
from bot.plan.errors import PlanError
from bot.plan.importer import EXPORT_HEADINGS, ExportCell, export_rows
from bot.plan.queries import get_plan
from bot.plan.rules import Rag
from bot.plan.spreadsheet import SheetPlan, looks_like_formula, protect_cell, read_plan_records

MSG_NOT_A_WORKBOOK = "{name} is not an Excel workbook (.xlsx) I can open: {error}."
MSG_OLD_EXCEL = ("{name} is in the old Excel format (.xls), which planbot does not read: open it in Excel, "
                 "save it as an Excel Workbook (.xlsx), and import that.")
MSG_NO_SUCH_SHEET = 'The workbook has no sheet "{sheet}"; its sheets are: {sheets}.'
MSG_NO_SHEETS = "The workbook has no sheet of cells to read."

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")  # .xls only to be told how to make it an .xlsx
_ZIP_SIGNATURE = b"PK\x03\x04"
_OLD_EXCEL_SIGNATURE = b"\xd0\xcf\x11\xe0"  # .xls: an OLE2 compound file
PLAN_SHEET = "Action plan"
AUDIT_SHEET = "Audit trail"
AUDIT_HEADINGS = ("No.", "When", "Who", "Ref", "Change", "Old", "New", "Reason")
DATE_FORMAT = "dd/mm/yyyy"
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"

# Fills for the RAG column, as a board paper colours them.
RAG_FILLS: dict[str, str] = {
    Rag.RED.label: "F4A09C",
    Rag.AMBER.label: "FFD27F",
    Rag.GREEN.label: "A8D8A0",
}
_DATE_WIDTH = 11
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_HEADING_FONT = Font(bold=True)
_TOP = Alignment(vertical="top")
_WRAPPED = Alignment(vertical="top", wrap_text=True)


def is_workbook(name: str, data: bytes = b"") -> bool:
    """Whether a file is read as a workbook: by its name (.xlsx, .xlsm, or .xls to be refused with
    what to do), or its contents (a zip, or an old .xls)."""
    return name.lower().endswith(WORKBOOK_SUFFIXES) or data.startswith((_ZIP_SIGNATURE, _OLD_EXCEL_SIGNATURE))


def read_plan_xlsx(data: bytes, *, name: str = "The file", sheet: str | None = None) -> SheetPlan:
    """Read a plan from the first sheet of a workbook (or the one named), or raise SheetRefused
    listing every problem by the row number Excel shows."""
    if data.startswith(_OLD_EXCEL_SIGNATURE) or (name.lower().endswith(".xls") and not data.startswith(_ZIP_SIGNATURE)):
        raise PlanError(MSG_OLD_EXCEL.format(name=name))
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)  # a formula's last calculated value
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise PlanError(MSG_NOT_A_WORKBOOK.format(name=name, error=str(error).rstrip(".") or type(error).__name__)) \
            from error
    return read_plan_records(sheet_records(_worksheet(book, sheet)))


def _worksheet(book: Workbook, name: str | None) -> Worksheet:
    sheets: list[Worksheet] = [sheet for sheet in book.worksheets if isinstance(sheet, Worksheet)]
    if name is None:
        if not sheets:
            raise PlanError(MSG_NO_SHEETS)
        return sheets[0]
    for sheet in sheets:
        if sheet.title == name:
            return sheet
    shown = ", ".join(f'"{sheet.title}"' for sheet in sheets) or "none"
    raise PlanError(MSG_NO_SUCH_SHEET.format(sheet=name, sheets=shown), field="sheet")


def sheet_records(sheet: Worksheet) -> list[list[str]]:
    """The sheet's rows from row 1 and column A, as cell text. A merged cell's value fills every
    row it spans (in its first column), so a recommendation merged over its actions' rows is
    each row's recommendation; merged across columns it stays in the column it starts in."""
    width = sheet.max_column
    records = [
        [_text(value) for value in row]
        for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, min_col=1, max_col=width, values_only=True)
    ]
    for merged in sheet.merged_cells.ranges:
        top = records[merged.min_row - 1][merged.min_col - 1]
        for row in range(merged.min_row + 1, min(merged.max_row, len(records)) + 1):
            records[row - 1][merged.min_col - 1] = top
    return records


def _text(value: object) -> str:
    """A cell's value as the CSV reader would see it in a CSV export of the sheet."""
    match value:
        case None:
            text = ""
        case str():
            # Workbook text is literal; the reader takes away the apostrophe CSV exports put before
            # a formula-looking cell, so such a cell is given to it in that form.
            text = protect_cell(value)
        case bool():
            text = "TRUE" if value else "FALSE"
        case datetime():
            text = value.date().isoformat()
        case date() | time():
            text = value.isoformat()
        case float() if value.is_integer():
            text = str(int(value))
        case _:
            text = str(value)
    return text


def export_workbook(session: Session, key: str, today: date) -> bytes:
    """The plan as a workbook: its actions under the importer's headings (plus RAG, filled in its
    colour), and the plan's audit trail on a second sheet. Re-importing it changes nothing."""
    plan = get_plan(session, key)
    book = Workbook()
    actions = book.active
    assert isinstance(actions, Worksheet)
    actions.title = PLAN_SHEET
    _write_table(actions, EXPORT_HEADINGS, export_rows(session, plan, today), date_format=DATE_FORMAT,
                 wrapped=("Recommendation", "Actions", "Reason", "Notes"))
    rag_column = EXPORT_HEADINGS.index("RAG") + 1
    for (cell,) in actions.iter_rows(min_row=2, min_col=rag_column, max_col=rag_column):
        colour = RAG_FILLS.get(str(cell.value))
        if colour is not None:
            cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)

    zone = ZoneInfo(plan.timezone)
    trail: list[list[ExportCell | int | datetime]] = [
        [event.seq, event.at.astimezone(zone).replace(tzinfo=None), event.actor, ref or "", event.kind.value,
         event.old_value or "", event.new_value or "", event.reason or ""]
        for event, ref in audit.trail(session, plan.id)
    ]
    _write_table(book.create_sheet(AUDIT_SHEET), AUDIT_HEADINGS, trail, date_format=DATE_TIME_FORMAT,
                 wrapped=("Old", "New", "Reason"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_table(sheet: Worksheet, headings: Sequence[str], rows: Sequence[Sequence[object]], *, date_format: str,
                 wrapped: Sequence[str]) -> None:
    """Headings in bold, frozen, with filters; each column as wide as its longest line (up to a limit)."""
    sheet.append(list(headings))
    for cell in sheet[1]:
        cell.font = _HEADING_FONT
    widths = [len(heading) + 2 for heading in headings]  # room for the filter button
    alignments = [_WRAPPED if heading in wrapped else _TOP for heading in headings]
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            _set(cell, value, date_format)
            cell.alignment = alignments[column - 1]
            shown = _DATE_WIDTH if isinstance(value, date) else max(map(len, str(value).splitlines()), default=0)
            widths[column - 1] = max(widths[column - 1], shown)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 1, _MIN_WIDTH), _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{max(len(rows) + 1, 1)}"


def _set(cell: Cell, value: object, date_format: str) -> None:
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # text, never a formula or an error code, whatever it begins with
        if looks_like_formula(value):
            cell.quotePrefix = True  # shown as typed, and kept as text if someone edits it in Excel
        return
    cell.value = value
    if isinstance(value, date):
        cell.number_format = date_format
