"""Baseline and slippage: every action keeps its original date; lateness is told against both
dates; per action its revisions and days slipped, per plan the share still on baseline, total
and median days slipped, and the reasons given."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.plan.phrases import lateness
from bot.plan.queries import ActionView, get_action, get_plan
from bot.plan.rules import ActionStatus, Rag
from bot.plan.services import Actor, revise_due
from bot.plan.slippage import plan_slippage
from tests.helpers.plans import import_csv

PLAN = """\
Recommendation,Actions,Owner,Delivery Date,Status,Revised Date,Reason
1) Audit,Review,Head of Protection,31/07/2021,In progress,30/09/2021,Recruitment delayed
,Publish,Head of Protection,31/08/2021,Complete,,
2) Staff,Recruit,Head of Protection,31/12/2021,In progress,31/01/2022,Budget not yet approved
,Train,Head of Protection,31/12/2021,,,
"""
NOW = datetime(2021, 10, 1, 9, 0, tzinfo=UTC)


def test_the_plan_says_what_slipped_by_how_much_how_often_and_why(sessions):
    import_csv(sessions, PLAN, now=NOW)
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        revise_due(session, get_action(session, plan, "2.1"), Actor.cli("test"), NOW, date(2022, 3, 31),
                   "Budget approved for April")
    with sessions.read() as session:
        slippage = plan_slippage(session, get_plan(session, "ppr"), NOW.date())
    assert (slippage.total, slippage.on_baseline, slippage.percent_on_baseline) == (4, 2, 50)
    assert [(s.action.ref, s.days, s.revisions) for s in slippage.slips] == [("2.1", 90, 2), ("1.1", 61, 1)]
    assert slippage.total_days == 151 and slippage.median_days == 75.5
    assert slippage.slips[0].reasons == ("Budget not yet approved", "Budget approved for April")


def an_action(revised_due: date | None = None) -> ActionView:
    return ActionView(id=1, plan_key="ppr", ref="3.1", recommendation=3, description="Recruit", owners=("HR",),
                      original_due=date(2026, 12, 16), revised_due=revised_due, revision_reason=None,
                      status=ActionStatus.IN_PROGRESS, completed_at=None, version=1, rag=Rag.RED, days_late=0)


def test_lateness_is_told_against_both_dates():
    late = replace(an_action(date(2021, 9, 30)), original_due=date(2021, 7, 31), days_late=1, days_past_baseline=62)
    assert lateness(late, date(2021, 10, 1)) == (
        "62 days past its original date (31/07/2021); revised to 30/09/2021; 1 day late")
    on_the_day = replace(late, days_late=0, days_past_baseline=61)
    assert lateness(on_the_day, date(2021, 9, 30)) == (
        "61 days past its original date (31/07/2021); revised to 30/09/2021; due today")
    early = replace(late, days_late=0, days_past_baseline=0)
    assert lateness(early, date(2021, 7, 1)) == (
        "slipped 61 days from its original date (31/07/2021); revised to 30/09/2021; due in 91 days")
    assert lateness(replace(an_action(), days_late=7), date(2026, 12, 23)) == "7 days late"
