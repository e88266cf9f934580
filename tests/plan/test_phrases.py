"""The words every rendering shares (bot.plan.phrases), and the summary outline that carries
data for each rendering to mark up in its own way."""

from __future__ import annotations

from datetime import date

from bot.plan.outline import ExceptionEntry, Part, Person, RecommendationExceptions, Words, outline
from bot.plan.phrases import actor_name, change, days_late, due_date, plural
from bot.plan.queries import ActionView, get_plan
from bot.plan.rules import ActionStatus, Rag
from bot.plan.summary import build_summary, month_period
from bot.slack.blocks import mention
from tests.helpers.summaries import SAMPLE_NOW, a_month_of_the_sample_plan


def an_action(revised_due: date | None = None) -> ActionView:
    return ActionView(id=1, plan_key="ppr", ref="3.1", recommendation=3, description="Recruit", owners=("HR",),
                      original_due=date(2026, 12, 16), revised_due=revised_due, revision_reason=None,
                      status=ActionStatus.IN_PROGRESS, completed_at=None, version=1, rag=Rag.RED, days_late=1)


def test_a_revised_due_date_reads_with_the_one_it_replaced():
    assert due_date(an_action()) == "16/12/2026"
    assert due_date(an_action(date(2027, 2, 15))) == "15/02/2027 (was 16/12/2026)"


def test_one_day_late_is_singular_and_counts_are_grouped():
    assert (days_late(1), days_late(14), days_late(1250)) == ("1 day late", "14 days late", "1,250 days late")
    assert (plural(1, "point"), plural(2, "point")) == ("1 point", "2 points")
    assert (change(4, 2), change(2, 5), change(3, 3)) == ("+2", "−3", "no change")


def test_a_command_line_actor_reads_the_same_in_reports_and_in_slack():
    assert actor_name("cli:demo") == "demo (command line)"
    assert mention("cli:demo") == "demo (command line)" and mention("UBOB") == "<@UBOB>"
    assert mention("cli:<b>") == "&lt;b&gt; (command line)"


def test_the_outline_carries_data_not_markup(sessions):
    a_month_of_the_sample_plan(sessions)
    with sessions.read() as session:
        summary = build_summary(session, get_plan(session, "ppr"), month_period(2027, 3), SAMPLE_NOW)
    doc = outline(summary)
    assert [s.part for s in doc.sections] == list(Part)
    groups = [n for n in doc.section(Part.EXCEPTIONS).body if isinstance(n, RecommendationExceptions)]
    assert [(g.number, [e.action.ref for e in g.entries]) for g in groups] == [(1, ["1.1"]), (5, ["5.1"])]
    first: ExceptionEntry = groups[0].entries[0]
    assert (first.action.rag, first.original_due, first.revised_due, first.revisions) == (
        Rag.RED, date(2026, 12, 15), date(2027, 2, 14), 1)
    assert (first.days_past_baseline, first.days_late) == (76, 15)
    assert Words("Business engagement officer appointed, starting 15 March; plan drafted for April",
                 quoted=True) in first.text
    assert all(isinstance(span, str | Words) for span in first.text)
    spans = [span for node in doc.section(Part.CHANGES).body for item in getattr(node, "items", ())
             for span in item.text]
    assert Person("UALICE") in spans
