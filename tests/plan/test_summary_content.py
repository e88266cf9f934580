"""What the summary says: the board's headline, the figures and how they moved, what changed,
every exception with its reason; the same in Markdown, plain text, JSON and Block Kit."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event

from bot.plan.errors import InvalidInput
from bot.plan.outline import outline
from bot.plan.queries import RagCounts, get_plan
from bot.plan.schedule import Schedule
from bot.plan.summary import (
    Summary,
    build_summary,
    current_period,
    month_period,
    parse_month,
    period_for_month,
    period_from_key,
    quarter_period,
)
from bot.plan.summary_json import summary_dict
from bot.plan.summary_text import render_markdown, render_text, run_text
from bot.slack.summary_blocks import summary_messages
from tests.helpers.plans import SMALL_PLAN, load
from tests.helpers.slackharness import message_text
from tests.helpers.summaries import (
    SAMPLE_NOW,
    a_month_of_the_sample_plan,
    load_big_plan,
    load_plan,
)

# SMALL_PLAN on 22 Nov 2026: 1.2 (due 15/11) and 2.1 (revised to 20/11, "Recruitment delayed") are overdue.


def small_summary(sessions, now) -> Summary:
    load(sessions, now)
    with sessions.read() as session:
        plan = get_plan(session, "ppr")
        return build_summary(session, plan, month_period(2026, 11), now)


def slack_text(summary: Summary) -> str:
    rendered = summary_messages(summary)
    return "\n".join(message_text(m.to_dict()) for m in (rendered.main, *rendered.replies))


def test_every_overdue_action_is_named_with_owners_dates_days_late_and_latest_reason(sessions, now):
    summary = small_summary(sessions, now)
    assert [e.action.ref for e in summary.exceptions] == ["1.2", "2.1"]
    markdown, text, slack = render_markdown(summary), " ".join(render_text(summary).split()), slack_text(summary)
    for rendering in (markdown, text, slack):
        assert "Review the risk model" in rendering and "7 days late" in rendering
        assert "Recruit four inspectors" in rendering and "2 days late" in rendering
        assert "Recruitment delayed" in rendering
        assert "Head of Protection / Protection Manager" in rendering
    # A paragraph a board member can read aloud, under the recommendation's heading.
    assert ("### Recommendation 2: Recruit inspectors\n\n#### 2.1 Recruit four inspectors — 22 days past its "
            "original date (31/10/2026); revised to 20/11/2026; 2 days late\n\nOwners: Head of Protection / "
            "Protection Manager. Originally due 31 October 2026, revised once, to 20 November 2026. It is 22 days "
            "past its original date and 2 days past the revised one. Latest reason: “Recruitment delayed”.") in markdown
    assert ("#### 1.2 Review the risk model — 7 days late\n\nOwners: Protection Manager. Due 15 November 2026; "
            "it is 7 days late. No reason has been given.") in markdown


def test_the_title_names_the_plan_and_the_period(sessions, now):
    summary = small_summary(sessions, now)
    assert summary.title == "Protection peer review — monthly update — November 2026"
    assert render_markdown(summary).startswith("# Protection peer review — monthly update — November 2026\n")
    quarterly = build_summary_for(sessions, quarter_period(2027, 1), now)
    assert quarterly.title == "Protection peer review — quarterly update — Q1 2027"


def build_summary_for(sessions, period, now):
    with sessions.read() as session:
        return build_summary(session, get_plan(session, "ppr"), period, now)


def headline_of(sessions, now, csv_text: str) -> str:
    load_plan(sessions, now, csv_text, key="h")
    with sessions.read() as session:
        return run_text(outline(build_summary(session, get_plan(session, "h"), month_period(2026, 11), now)).headline)


HEAD = "Recommendation,Actions,Owner,Delivery Date,Status,Revised Date,Notes\n"


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        ("", None),
        ("1) Audit,Do it,HR,01/10/2026,Complete,,\n", "All actions are complete."),
        ("1) Audit,Do it,HR,01/10/2026,Complete,,\n,Plan it,HR,01/12/2026,,,\n",
         "All actions are complete or on track."),
        ("1) Audit,Do it,HR,01/10/2026,Complete,,\n2) Staff,Recruit,HR,08/11/2026,,,\n",
         "All actions are complete or on track except one, under recommendation 2 (Staff): 2.1 is 14 days late "
         "(due 8 November 2026), with no reason given; no new date has been set."),
        ("1) Audit,Do it,HR,01/10/2026,In progress,01/12/2026,Auditor ill\n2) Staff,Recruit,HR,08/11/2026,,,\n",
         "All 2 actions are exceptions, 1 overdue and 1 revised to a later date, under recommendations 1 (Audit) and "
         "2 (Staff)."),
        ("1) Audit,Do it,HR,01/10/2026,,,\n,Plan it,HR,01/10/2026,,,\n,Check it,HR,01/12/2026,Complete,,\n"
         ",Sign it,HR,01/12/2026,,,\n",
         "2 of 4 actions are overdue, under recommendation 1 (Audit); of the other 2, 1 is complete and 1 on track."),
        ("1) Audit,Do it,HR,01/12/2026,,01/01/2027,Waiting for the auditor\n,Plan it,HR,01/12/2026,,,\n",
         "All actions are complete or on track except one, under recommendation 1 (Audit): 1.1 has moved from its "
         "original date of 1 December 2026 (“Waiting for the auditor”); new completion date 1 January 2027."),
    ],
)
def test_the_executive_summary_counts_the_exceptions_and_names_their_recommendations(sessions, now, rows, sentence):
    if not rows:
        assert run_text(outline(small_summary(sessions, now)).headline).startswith("2 of 4 actions are overdue, ")
        return
    assert headline_of(sessions, now, HEAD + rows) == sentence


def test_figures_and_changes_are_measured_from_the_last_posted_summary(sessions):
    a_month_of_the_sample_plan(sessions)
    with sessions.read() as session:
        summary = build_summary(session, get_plan(session, "ppr"), month_period(2027, 3), SAMPLE_NOW)
    assert summary.previous is not None and summary.previous.period.label == "February 2027"
    assert summary.previous.figures == RagCounts(red=0, amber=3, green=7)
    assert summary.figures == RagCounts(red=1, amber=1, green=8)
    assert run_text(outline(summary).headline) == (
        "2 of 10 actions are exceptions, 1 overdue and 1 revised to a later date, under recommendations 1 (Provide "
        "further evidence for the enhancement of the sharing of information and…) and 5 (Create links to the HR "
        "Policy/People Strategy for Fire Protection); the other 8 are complete.")
    assert summary.progress() == "80% complete (8 of 10 actions), up 10 points from 70% at the February 2027 summary."
    assert [c.action.ref for c in summary.completed] == ["3.1"]
    assert summary.completed[0].actor == "UALICE"
    assert [a.ref for a in summary.newly_overdue] == ["1.1"]
    [revision] = summary.revised
    assert (revision.action.ref, revision.old_due, revision.new_due, revision.actor) == (
        "5.1", date(2027, 5, 17), date(2027, 8, 16), "UALICE")
    assert revision.reason == "Restructure consultation extended to take in the new building safety team"
    # The latest reason given is the newest update, not the older reason for the revised date.
    assert [e.action.ref for e in summary.exceptions] == ["1.1", "5.1"]
    assert summary.exceptions[0].latest_reason.startswith("Business engagement officer appointed")

    markdown = render_markdown(summary)
    assert "| Red (overdue) | 1 | +1 |" in markdown and "| Amber (on track) | 1 | −2 |" in markdown
    assert "## What changed since the February 2027 summary (posted 1 Feb 2027)" in markdown
    assert ("- 5.1 Restructure of the Protection function then embed this into the service people strategy. — from "
            "17/05/2027 to 16/08/2027 — “Restructure consultation extended to take in the new building safety team” "
            "— by UALICE on 16 Feb 2027") in markdown
    slack = slack_text(summary)
    assert "completed by <@UALICE> on 12 Feb 2027" in slack
    assert "became overdue: 76 days past its original date (15/12/2026); revised to 14/02/2027; 15 days late" in slack
    assert "1 (+1)" in slack and "80% of 10 (+10 points)" in slack


def test_a_first_summary_says_there_is_nothing_to_compare_with(sessions, now):
    summary = small_summary(sessions, now)
    assert summary.previous is None and not summary.has_changes
    markdown = render_markdown(summary)
    assert "This is the first summary of this plan" in markdown
    assert "No action was completed, became overdue or had its date revised." in markdown


def test_due_in_the_next_30_days_soonest_first(sessions, now):
    summary = small_summary(sessions, now)
    assert [a.ref for a in summary.due_soon] == ["1.1"]
    assert "| 1.1 | Publish the programme | Head of Protection | 01/12/2026 | In progress |" in render_markdown(summary)


def test_the_footer_gives_the_rag_key_and_when_and_from_what_it_was_generated(sessions, now):
    summary = small_summary(sessions, now)
    text = render_text(summary)
    assert "RAG key: Red = overdue: the due date has passed and the action is not complete" in text
    assert "Generated by planbot at 10:00 on 22 Nov 2026 (Europe/London) from plan ppr" in " ".join(text.split())
    assert f"audit trail to event {summary.last_event_id}" in " ".join(text.split())


def test_json_carries_the_same_content(sessions, now):
    data = json.loads(json.dumps(summary_dict(small_summary(sessions, now))))
    assert data["title"] == "Protection peer review — monthly update — November 2026"
    assert data["figures"] == {"red": 2, "amber": 1, "green": 1, "bau": 0, "blocked": 0, "total": 4,
                               "percent_complete": 25}
    assert [(e["ref"], e["latest_reason"]) for e in data["exceptions"]] == [
        ("1.2", None), ("2.1", "Recruitment delayed")
    ]


def test_a_summary_is_built_in_the_same_number_of_statements_whatever_the_plan_size(sessions, now):
    def statements(key: str) -> int:
        count = 0

        def counter(*args: object) -> None:
            nonlocal count
            count += 1

        event.listen(sessions.engine, "before_cursor_execute", counter)
        try:
            build_summary_for_key(sessions, key, now)
        finally:
            event.remove(sessions.engine, "before_cursor_execute", counter)
        return count

    load_plan(sessions, now, SMALL_PLAN, key="small")
    load_big_plan(sessions, now, 300, key="big")
    assert statements("small") == statements("big")


def build_summary_for_key(sessions, key, now):
    with sessions.read() as session:
        return build_summary(session, get_plan(session, key), month_period(2026, 11), now)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2027-03", (2027, 3)), ("03/2027", (2027, 3)), ("March 2027", (2027, 3)), ("mar 2027", (2027, 3)),
     ("Sept 2026", (2026, 9)), ("february", (2026, 2))],
)
def test_months_are_read_the_ways_people_write_them(text, expected):
    assert parse_month(text, date(2026, 11, 22)) == expected


@pytest.mark.parametrize("text", ["2027-13", "Smarch 2027", "next month", "2027"])
def test_an_unreadable_month_says_how_to_write_one(text):
    with pytest.raises(InvalidInput, match="write it like 2027-03 or March 2027"):
        parse_month(text, date(2026, 11, 22))


def test_periods_follow_the_plans_schedule():
    now = datetime(2027, 3, 10, 12, 0).astimezone()
    assert current_period(Schedule("monthly"), "Europe/London", now) == month_period(2027, 3)
    assert current_period(Schedule("quarterly"), "Europe/London", now) == quarter_period(2027, 1)
    weekly = current_period(Schedule("rrule", "FREQ=WEEKLY;BYDAY=MO"), "Europe/London", now)
    assert (weekly.key, weekly.label, weekly.update_name) == ("2027-03-08", "8 March 2027", "update")
    assert period_for_month(Schedule("quarterly"), 2027, 5) == quarter_period(2027, 2)
    for period in (month_period(2027, 3), quarter_period(2027, 1), weekly):
        assert period_from_key(period.key) == period
    assert current_period(Schedule("off"), "Europe/London", now - timedelta(days=20)) == month_period(2027, 2)
