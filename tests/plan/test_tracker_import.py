"""Import reads real trackers: the headings and status words boards use, a typed RAG compared
with the dates, near-duplicate roles named with the merge to make, real completion dates kept
through export and import, and warnings that never stop an import."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.plan.importer import completion_instant, export_plan
from bot.plan.phrases import due_or_done
from bot.plan.queries import get_plan, status
from bot.plan.rules import ActionStatus, Rag
from bot.plan.spreadsheet import RowProblem, SheetRefused, read_plan_csv
from tests.helpers.plans import import_csv

NOW = datetime(2021, 9, 30, 9, 0, tzinfo=UTC)
ROW = "1) Audit,Review the programme,Head of Protection,31/07/2021"


def one_action(headings: str, row: str):
    [action] = read_plan_csv(f"{headings}\n{row}\n").actions
    return action


def run_import(sessions, text: str, key: str = "ppr", now: datetime = NOW):
    return import_csv(sessions, text, key=key, now=now)


@pytest.mark.parametrize(
    ("heading", "field", "cell", "value"),
    [
        ("Reason/Notes", "notes", "Chased HR", "Chased HR"),
        ("Reason / Notes", "notes", "Chased HR", "Chased HR"),
        ("Comments", "notes", "Chased HR", "Chased HR"),
        ("Update", "notes", "Chased HR", "Chased HR"),
        ("Progress", "notes", "Chased HR", "Chased HR"),
        ("Owner(s)", "owners", "Head of Ops Policy", ("Head of Ops Policy",)),
        ("Lead", "owners", "Head of Ops Policy", ("Head of Ops Policy",)),
        ("Target date", "original_due", "31/08/2021", date(2021, 8, 31)),
        ("Due date", "original_due", "31/08/2021", date(2021, 8, 31)),
        ("Deadline", "original_due", "31/08/2021", date(2021, 8, 31)),
        ("RAG", "status", "Green", ActionStatus.COMPLETE),
        ("Completed", "completed_on", "12/07/2021", date(2021, 7, 12)),
        ("Completion date", "completed_on", "12/07/2021", date(2021, 7, 12)),
    ],
)
def test_each_heading_synonym_fills_its_field(heading, field, cell, value):
    base = {"Recommendation": "1) Audit", "Actions": "Review the programme", "Owner": "Head of Protection",
            "Delivery Date": "31/07/2021"}
    replaced = {"owners": "Owner", "original_due": "Delivery Date"}.get(field)
    if replaced:
        del base[replaced]
    headings, cells = [*base, heading], [*base.values(), cell]
    action = one_action(",".join(f'"{h}"' for h in headings), ",".join(f'"{c}"' for c in cells))
    assert getattr(action, field) == value


@pytest.mark.parametrize("heading", ["New date", "Revised target", "Revised date"])
def test_each_revised_date_heading_takes_its_reason_from_reason_notes(heading):
    action = one_action(f"Recommendation,Actions,Owner,Delivery Date,{heading},Reason/Notes",
                        f"{ROW},30/09/2021,Recruitment delayed")
    assert (action.revised_due, action.revision_reason) == (date(2021, 9, 30), "Recruitment delayed")


@pytest.mark.parametrize(
    ("word", "status", "claimed"),
    [
        ("Overdue", ActionStatus.IN_PROGRESS, Rag.RED),
        ("Red", ActionStatus.IN_PROGRESS, Rag.RED),
        ("Off track", ActionStatus.IN_PROGRESS, Rag.RED),
        ("Amber", ActionStatus.IN_PROGRESS, Rag.AMBER),
        ("On track", ActionStatus.IN_PROGRESS, Rag.AMBER),
        ("Green", ActionStatus.COMPLETE, Rag.GREEN),
        ("Closed", ActionStatus.COMPLETE, Rag.GREEN),
        ("In progress", ActionStatus.IN_PROGRESS, None),
    ],
)
def test_status_words_boards_use_are_read_with_the_colour_they_claim(word, status, claimed):
    action = one_action("Recommendation,Actions,Owner,Delivery Date,Status", f"{ROW},{word}")
    assert action.status is status
    assert (action.typed_rag.rag if action.typed_rag else None) == claimed


def test_a_typed_red_that_the_dates_contradict_is_imported_and_warned_about_by_row(sessions):
    report = run_import(sessions, "Recommendation,Actions,Owner,Delivery Date,Status\n"
                                  "1) Audit,Review,Head of Protection,31/07/2021,Complete\n"
                                  ",Publish,Head of Protection,31/08/2021,Complete\n"
                                  ",Brief the board,Head of Protection,31/12/2021,Red\n"
                                  ",Train crews,Head of Protection,31/08/2021,On track\n")
    assert report.warnings == [
        RowProblem(4, 'Status says "Red", but its date (31/12/2021) has not passed: planbot derives RAG from dates '
                      "and shows it Amber."),
        RowProblem(5, 'Status says "On track", but its date (31/08/2021) has passed: planbot derives RAG from dates '
                      "and shows it Red."),
    ]
    assert str(report.warnings[0]).startswith("row 4: Status says \"Red\", but its date")
    assert report.added == ["1.1", "1.2", "1.3", "1.4"]  # warnings never stop an import


def test_near_duplicate_roles_are_listed_with_the_merge_to_make(sessions):
    report = run_import(sessions, "Recommendation,Actions,Owner,Delivery Date\n"
                                  "1) Audit,Review,Head of Protection and Prevention/Corporate comms.,31/12/2021\n"
                                  ",Publish,Head of Prevention and Protection,31/12/2021\n"
                                  ",Brief,Head of Prevention & Protection / Corporate Comms,31/12/2021\n"
                                  ",Train,Head of Prevention and Protection,31/12/2021\n")
    assert [str(w) for w in report.warnings] == [
        'row 2: The owner roles "Corporate Comms" (row 4) and "Corporate comms." (row 2) look like one role; to make '
        'them one after the import: planbot role merge "Corporate comms." "Corporate Comms".',
        'row 2: The owner roles "Head of Prevention and Protection" (rows 3, 5), "Head of Protection and Prevention" '
        '(row 2) and "Head of Prevention & Protection" (row 4) look like one role; to make them one after the '
        'import: planbot role merge "Head of Protection and Prevention" "Head of Prevention and Protection"; planbot '
        'role merge "Head of Prevention & Protection" "Head of Prevention and Protection".',
    ]


def test_an_unknown_column_is_named_and_the_report_says_1_action_added(sessions):
    report = run_import(sessions, "Recommendation,Actions,Owner,Delivery Date,Board member\n"
                                  "1) Audit,Review,Head of Protection,31/12/2021,Cllr Smith\n")
    assert report.summary() == (
        "1 warning (imported anyway):\n"
        '  row 1: The column "Board member" is not one planbot reads, so it was ignored.\n'
        "Created plan ppr: 1 action added, 0 updated, 0 unchanged.")


def test_errors_still_refuse_the_file_whole_every_row_listed_even_beside_warnings():
    with pytest.raises(SheetRefused) as refused:
        read_plan_csv("Recommendation,Actions,Owner,Delivery Date,Status,Completed,Extra\n"
                      "Audit,Review,Head of Protection,31/02/2021,Red,,x\n"
                      ",Publish,Head of Protection,31/08/2021,In progress,12/08/2021,\n")
    assert [str(p) for p in refused.value.problems] == [
        'row 2: Delivery Date "31/02/2021" is not a date: February has no day 31.',
        'row 3: Completed "12/08/2021" says it was completed, but Status says "In progress"; clear one of them.',
    ]


def test_a_complete_action_without_a_completion_date_is_not_given_the_import_day(sessions):
    run_import(sessions, f"Recommendation,Actions,Owner,Delivery Date,Status\n{ROW},Complete\n")
    with sessions.read() as session:
        [rec] = status(session, get_plan(session, "ppr"), NOW.date()).recommendations
    [action] = rec.actions
    assert action.completed_at is None and action.rag == Rag.GREEN
    assert due_or_done(action) == "completed (date not recorded)"


def test_real_completion_dates_are_kept_through_export_and_import(sessions):
    run_import(sessions, "Recommendation,Actions,Owner,Delivery Date,Status,Completion date\n"
                         f"{ROW},Complete,12/07/2021\n"
                         ",Publish it,Head of Protection,31/08/2021,Complete,\n"
                         ",Brief the board,Head of Protection,31/12/2021,,\n")
    with sessions.read() as session:
        plan = get_plan(session, "ppr")
        exported = export_plan(session, "ppr", NOW.date())
        [rec] = status(session, plan, NOW.date()).recommendations
    assert [a.completed_at for a in rec.actions] == [completion_instant(date(2021, 7, 12), "Europe/London"), None, None]
    assert exported.splitlines()[1].endswith(",Complete,,12/07/2021,Green")
    later = datetime(2022, 1, 5, 9, 0, tzinfo=UTC)
    again = run_import(sessions, exported, now=later)
    assert (again.updated, again.unchanged) == ([], 3)
    run_import(sessions, exported, key="copy", now=later)
    with sessions.read() as session:
        assert export_plan(session, "copy", NOW.date()) == exported


def test_a_completion_date_given_later_replaces_an_unrecorded_one_and_is_audited(sessions):
    run_import(sessions, f"Recommendation,Actions,Owner,Delivery Date,Status\n{ROW},Complete\n")
    report = run_import(sessions, f"Recommendation,Actions,Owner,Delivery Date,Status,Completed\n{ROW},Complete,"
                                  "28/07/2021\n")
    assert report.updated == ["1.1"]
    with sessions.read() as session:
        [rec] = status(session, get_plan(session, "ppr"), NOW.date()).recommendations
    assert rec.actions[0].completed_at == completion_instant(date(2021, 7, 28), "Europe/London")
