from datetime import date

from sqlalchemy import func, select

from bot.plan import queries
from bot.plan.importer import export_plan, import_plan
from bot.plan.rules import Rag
from bot.plan.services import Actor
from bot.plan.spreadsheet import read_plan_csv
from storage.models import Action, ActionEvent, Role
from tests.helpers.plans import PEER_REVIEW_CSV, SMALL_PLAN, load

cli = Actor.cli("test")


def counts(sessions):
    with sessions.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Action)),
            session.scalar(select(func.count()).select_from(ActionEvent)),
            session.scalar(select(func.count()).select_from(Role)),
        )


def run_import(sessions, now, text, key="ppr"):
    with sessions.begin() as session:
        return import_plan(session, read_plan_csv(text), key=key, actor=cli, now=now, title="Peer review")


def test_a_plan_shaped_like_the_fire_services_spreadsheet_imports(sessions, now):
    report = run_import(sessions, now, PEER_REVIEW_CSV.read_text())
    assert report.created_plan and len(report.added) == 10
    with sessions.read() as session:
        plan = queries.get_plan(session, "ppr")
        view = queries.status(session, plan, date(2021, 11, 1), page_size=50)
        assert view.recommendation_count == 8
        actions = {a.ref: a for r in view.recommendations for a in r.actions}
        assert actions["1.2"].owners == ("Head of Prevention and Protection", "Corporate Comms")
        assert actions["3.1"].original_due == date(2021, 12, 31)  # typed as 31//12/2021
        assert actions["2.1"].revised_due == date(2022, 3, 31)
        assert "Recruitment delay" in actions["2.1"].revision_reason
        assert actions["1.1"].rag is Rag.GREEN


def test_importing_the_same_file_again_changes_nothing(sessions, now):
    run_import(sessions, now, PEER_REVIEW_CSV.read_text())
    before = counts(sessions)
    report = run_import(sessions, now, PEER_REVIEW_CSV.read_text())
    assert (report.added, report.updated, report.unchanged) == ([], [], 10)
    assert counts(sessions) == before


def test_reimporting_an_edited_file_updates_by_ref_and_records_each_change(sessions, now):
    load(sessions, now, map_owners=False)
    edited = SMALL_PLAN.replace("Publish the programme,Head of Protection,01/12/2026,In progress",
                                "Publish the programme,Head of Protection,01/12/2026,Complete")
    edited = edited.replace("Review the risk model,Protection Manager", "Review the risk model,Protection Lead")
    actions_before, events_before, _ = counts(sessions)
    report = run_import(sessions, now, edited)
    assert sorted(report.updated) == ["1.1", "1.2"]
    with sessions.read() as session:
        new = list(session.scalars(
            select(ActionEvent)
            .where(ActionEvent.id > events_before, ActionEvent.action_id.is_not(None))
            .order_by(ActionEvent.id)
        ))
        assert [(e.kind, e.old_value, e.new_value) for e in new] == [
            ("completed", "in_progress", "complete"),
            ("owners", "Protection Manager", "Protection Lead"),
        ]
    assert counts(sessions)[0] == actions_before


def test_export_then_import_is_lossless(sessions, now):
    run_import(sessions, now, PEER_REVIEW_CSV.read_text())
    with sessions.read() as session:
        exported = export_plan(session, "ppr", date(2021, 11, 1))
    assert exported.splitlines()[0] == (
        "Recommendation,Ref,Actions,Owner,Delivery Date,Revised Date,Reason,Status,Notes,RAG"
    )
    before = counts(sessions)
    report = run_import(sessions, now, exported)
    assert (report.updated, report.unchanged) == ([], 10)
    assert counts(sessions) == before
    # And into a new plan, the export reproduces the same export.
    run_import(sessions, now, exported, key="copy")
    with sessions.read() as session:
        assert export_plan(session, "copy", date(2021, 11, 1)) == exported
