"""The plan of PRODUCT.md run from import to closure and its reviews six months later, entirely in
planbot: imported as the September 2021 paper printed it, its last actions delivered (one with
evidence, one blocked on a national body first), the overdue one moved to business as usual at
closing, and each improvement's review answered. Each moment produces the paper a board expects."""

from datetime import UTC, datetime, timedelta

from bot.plan import closure, evidence, queries, reviews, services
from bot.plan.closure_report import closure_report, render_closure
from bot.plan.rules import ActionStatus
from bot.plan.summary import build_summary, month_period
from bot.plan.summary_text import render_markdown
from storage.kinds import ReviewOutcome
from tests.helpers.september import PAPER_DAY, import_september

SECRETARY = services.Actor.cli("secretary")
CLOSING = datetime(2022, 3, 31, 16, 0, tzinfo=UTC)


def test_the_september_2021_plan_runs_from_import_to_closure_and_its_reviews(sessions):
    import_september(sessions)
    with sessions.begin() as session:
        plan = queries.get_plan(session, "ppr")
        open_refs = [a.ref for a in closure.open_actions(session, plan)]
        assert open_refs == ["1.1", "3.1", "5.1"]
        evidence.block(session, queries.get_action(session, plan, "3.1"), SECRETARY, PAPER_DAY,
                       "Waiting for the NFCC to publish the competency framework")
        evidence.add_evidence(session, queries.get_action(session, plan, "5.1"), SECRETARY, PAPER_DAY,
                              "https://example.org/people-strategy-2022.pdf", "People strategy 2022, section 4")
        services.complete(session, queries.get_action(session, plan, "5.1"), SECRETARY,
                          datetime(2021, 12, 20, 10, 0, tzinfo=UTC))
    with sessions.read() as session:
        october = render_markdown(build_summary(session, queries.get_plan(session, "ppr"), month_period(2021, 10),
                                                datetime(2021, 10, 29, tzinfo=UTC)))
    assert "### Blocked on others (1)" in october and "Waiting for the NFCC" in october
    with sessions.begin() as session:
        plan = queries.get_plan(session, "ppr")
        evidence.unblock(session, queries.get_action(session, plan, "3.1"), SECRETARY, CLOSING)
        closed = closure.close_plan(session, plan, SECRETARY, CLOSING, [
            closure.Decision("3.1", bau=False, note="Annual review of the Protection strategy done"),
            closure.Decision("1.1", bau=True, where="Corporate Communications' business plan 2022/23",
                             note="The business engagement SM is in post; communications are business as usual"),
        ])
    assert (closed.completed, closed.moved) == (("3.1",), ("1.1",))
    with sessions.read() as session:
        plan = queries.get_plan(session, "ppr")
        report = render_closure(closure_report(session, plan, CLOSING), "markdown")
        counts = queries.rag_counts(session, plan.id, CLOSING.date())
    assert (counts.green, counts.bau, counts.red, counts.amber) == (9, 1, 0, 0)
    assert "9 of 10 actions delivered; 1 moved to business as usual." in report
    assert "Corporate Communications' business plan 2022/23" in report
    assert "| 5.1 | Restructure of the Protection function then embed this into the service people strategy. |" \
           in report and "| 20/12/2021 | 1 |" in report  # completed on its day, with its one evidence item
    # Six months on, each improvement's review is due; the people strategy is embedded.
    later = CLOSING + timedelta(days=200)
    with sessions.read() as session:
        due = reviews.reviews_of(session, queries.get_plan(session, "ppr"), waiting_only=True, due_by=later.date())
    assert {r.ref for r in due} == {"2.1", "2.2", "3.1", "4.1", "5.1", "6.1", "6.2", "7.1", "8.1"}
    with sessions.begin() as session:
        plan = queries.get_plan(session, "ppr")
        reviews.answer_yes(session, queries.get_action(session, plan, "5.1"), SECRETARY, later,
                           comment="Protection roles are in the people strategy and its workforce plan")
    with sessions.read() as session:
        plan = queries.get_plan(session, "ppr")
        assert plan.closed_at is not None  # still closed: a review is the one change it takes
        action = queries.get_action(session, plan, "5.1")
        assert action.status == ActionStatus.COMPLETE
        assert reviews.verified(session, [action.id]) == {action.id}
        answered = [r for r in reviews.reviews_of(session, plan) if r.outcome == ReviewOutcome.EMBEDDED]
        assert [r.ref for r in answered] == ["5.1"]
        assert "embedded (verified)" in render_closure(closure_report(session, plan, later), "text")
