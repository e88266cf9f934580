"""Closing the loop through Slack, end to end: signed requests into the running server, the real
slack_sdk client against the local Slack. Evidence added, required and removed; blocked and
unblocked; closing refused while an action is undecided, then closed with one action moved to
business as usual (the closure report posted to the plan's channel); every change on a closed
plan refused with nothing written; reopening; a review coming due, answered Yes and Not yet."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.plan import closure, queries, services
from bot.plan.identity import Actor
from bot.plan.rules import ActionStatus
from bot.slack import modals, texts
from bot.slack.ids import CLOSE_DECISION_BLOCK, CLOSE_NOTE_BLOCK, CLOSE_WHERE_BLOCK, ActionId, BlockId, InputId
from storage.kinds import EventKind, ReviewOutcome
from storage.models import ActionEvent, EffectivenessReview, Evidence
from tests.helpers import reminders as reminder_helpers
from tests.helpers.clicks import action_pk, action_row, button, events, settle, status_blocks, wait_for_posts
from tests.helpers.plans import ADMIN, ALICE, BOB, MALLORY, big_plan_csv, load
from tests.helpers.slackharness import find_button, message_text

URL = "https://docs.example.org/programme.pdf"


def trail(planbot) -> int:
    with planbot.sessions.read() as session:
        return session.scalar(select(func.count()).select_from(ActionEvent)) or 0


def opened_view(planbot, before: int) -> dict:
    call = planbot.fake.wait_for("views.open", before + 1)[-1]
    assert call.response["ok"], call.response
    return call.response["view"]


def evidence_values(url: str, description: str = "") -> dict:
    return {BlockId.EVIDENCE_URL: {InputId.URL: {"type": "plain_text_input", "value": url}},
            BlockId.EVIDENCE_DESCRIPTION: {InputId.TEXT: {"type": "plain_text_input", "value": description}}}


def test_evidence_is_added_shown_and_removed_each_an_audited_change(planbot, now):
    load(planbot.sessions, now)
    added = planbot.command(f"evidence 1.1 {URL} Programme published", user=ALICE)
    assert "Added evidence to *1.1* (item 1)" in added.text, added.text
    shown = planbot.command("show 1.1", user=MALLORY)
    assert URL in shown.text and "Programme published" in shown.text
    assert planbot.command("evidence remove 1.1 1", user=MALLORY).text.startswith("Only the owners of 1.1")
    removed = planbot.command("evidence remove 1.1 1", user=ALICE)
    assert "Took evidence item 1 off *1.1*" in removed.text
    assert "No evidence yet" in planbot.command("show 1.1", user=ALICE).text
    pk = action_pk(planbot.sessions, "1.1")
    assert [(e.kind, e.new_value or e.old_value) for e in events(planbot.sessions, action_id=pk)][-2:] == [
        (EventKind.EVIDENCE_ADDED, URL), (EventKind.EVIDENCE_REMOVED, URL)]
    with planbot.sessions.read() as session:  # removed, not forgotten
        (row,) = session.scalars(select(Evidence))
        assert row.removed_by == ALICE and row.url == URL


def test_a_link_that_is_not_a_web_address_is_refused_and_nothing_is_written(planbot, now):
    load(planbot.sessions, now)
    before = trail(planbot)
    for typed in ("not-a-link", "ftp://files.example.org/x", "https://localhost"):
        reply = planbot.command(f"evidence 1.1 {typed} something", user=ALICE)
        assert "is not a link I can keep" in reply.text, (typed, reply.text)
        assert reply.json["response_type"] == "ephemeral"
    assert "Give the action, the link" in planbot.command("evidence", user=ALICE).text
    assert trail(planbot) == before


def test_when_evidence_is_required_mark_complete_opens_the_evidence_modal_and_saving_it_completes(planbot, now):
    load(planbot.sessions, now)
    assert "evidence is required" in planbot.command("closing evidence on", user=ADMIN).text
    assert "Only admins" in planbot.command("closing evidence off", user=ALICE).text
    done = planbot.command("done 1.1", user=ALICE)
    assert "needs evidence before an action is complete, and 1.1 has none yet" in done.text
    pk = action_pk(planbot.sessions, "1.1")
    before_opens = len(planbot.fake.calls_to("views.open"))
    planbot.click(button(status_blocks(planbot, user=ALICE), ActionId.COMPLETE, pk), user=ALICE)
    view = opened_view(planbot, before_opens)
    assert view["title"]["text"] == texts.EVIDENCE_MODAL_TITLE_TO_COMPLETE
    response_url = planbot.last_response_url
    before = trail(planbot)
    bad = planbot.submit(view, evidence_values("www example"), user=ALICE)
    assert bad.json["response_action"] == "errors" and BlockId.EVIDENCE_URL in bad.json["errors"]
    assert trail(planbot) == before and action_row(planbot.sessions, "1.1").status != ActionStatus.COMPLETE
    good = planbot.submit(view, evidence_values(URL, "Published on the website"), user=ALICE)
    assert good.status == 200 and good.body in ("", "{}"), good.body
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.COMPLETE
    kinds = [e.kind for e in events(planbot.sessions, action_id=pk)]
    assert kinds[-2:] == [EventKind.EVIDENCE_ADDED, EventKind.COMPLETED]
    wait_for_posts(planbot, response_url, 1)


def test_add_evidence_button_on_an_action_opens_its_modal(planbot, now):
    load(planbot.sessions, now)
    shown = planbot.command("show 1.2", user=BOB)
    before_opens = len(planbot.fake.calls_to("views.open"))
    planbot.click(find_button(shown.json["blocks"], ActionId.ADD_EVIDENCE), user=BOB)
    view = opened_view(planbot, before_opens)
    assert view["title"]["text"] == texts.EVIDENCE_MODAL_TITLE
    assert planbot.submit(view, evidence_values(URL), user=BOB).status == 200
    with planbot.sessions.read() as session:
        assert [e.url for e in session.scalars(select(Evidence))] == [URL]
    assert action_row(planbot.sessions, "1.2").status != ActionStatus.COMPLETE  # adding is not completing


def test_a_blocked_action_keeps_its_rag_and_is_reported_apart_until_unblocked(planbot, now):
    load(planbot.sessions, now)
    reply = planbot.command("block 1.2 Waiting for the NFCC competency framework", user=BOB)
    assert "*1.2* is blocked on others" in reply.text
    assert "already blocked" in planbot.command("block 1.2 again", user=BOB).text
    assert "Say what the action waits on" in planbot.command("block 1.2", user=BOB).text
    status = planbot.command("status", user=MALLORY).text
    assert "*1* blocked on others" in status and "Waiting for the NFCC competency framework" in status
    assert "🔴 *1.2*" in status  # still red: overdue, whoever it waits on
    assert "*1.2* is no longer blocked" in planbot.command("unblock 1.2", user=BOB).text
    assert "blocked on others" not in planbot.command("status", user=MALLORY).text
    assert "not blocked" in planbot.command("unblock 1.2", user=BOB).text
    kinds = [e.kind for e in events(planbot.sessions, action_id=action_pk(planbot.sessions, "1.2"))]
    assert kinds[-2:] == [EventKind.BLOCKED, EventKind.UNBLOCKED]


def decision(choice: str | None, action_id: int, where: str = "", note: str = "") -> dict:
    chosen = {"type": "static_select", "selected_option": {"value": choice} if choice else None}
    return {CLOSE_DECISION_BLOCK.format(id=action_id): {InputId.DECISION: chosen},
            CLOSE_WHERE_BLOCK.format(id=action_id): {InputId.TEXT: {"type": "plain_text_input", "value": where}},
            CLOSE_NOTE_BLOCK.format(id=action_id): {InputId.TEXT: {"type": "plain_text_input", "value": note}}}


def open_closing(planbot, user=ADMIN) -> dict:
    before = len(planbot.fake.calls_to("views.open"))
    reply = planbot.command("close", user=user)
    assert "The form to close `ppr` is open" in reply.text, reply.text
    return opened_view(planbot, before)


def test_closing_is_refused_while_undecided_then_closes_with_one_action_in_business_as_usual(planbot, now):
    load(planbot.sessions, now)
    assert "Only admins of plan `ppr`" in planbot.command("close", user=ALICE).text
    view = open_closing(planbot)
    ids = {ref: action_pk(planbot.sessions, ref) for ref in ("1.1", "1.2", "2.1")}
    assert [b.get("block_id", "") for b in view["blocks"] if b.get("block_id", "").startswith("close.decision.")] == [
        CLOSE_DECISION_BLOCK.format(id=i) for i in ids.values()]
    before = trail(planbot)
    undecided = planbot.submit(view, {**decision("complete", ids["1.1"]), **decision(None, ids["1.2"]),
                                      **decision("complete", ids["2.1"])}, user=ADMIN)
    assert undecided.json["errors"] == {CLOSE_DECISION_BLOCK.format(id=ids["1.2"]): texts.CLOSE_PICK}
    nowhere = planbot.submit(view, {**decision("complete", ids["1.1"]), **decision("bau", ids["1.2"]),
                                    **decision("complete", ids["2.1"])}, user=ADMIN)
    where_error = nowhere.json["errors"].get(CLOSE_WHERE_BLOCK.format(id=ids["1.2"]), "")
    assert "Say where 1.2 now lives" in where_error, nowhere.body
    assert trail(planbot) == before  # nothing half-written
    with planbot.sessions.read() as session:
        assert queries.get_plan(session, "ppr").closed_at is None
    posted_before = len(planbot.fake.calls_to("chat.postMessage"))
    closed = planbot.submit(view, {**decision("complete", ids["1.1"], note="Published"),
                                   **decision("bau", ids["1.2"], where="the 2027 service plan", note="Team owns it"),
                                   **decision("complete", ids["2.1"])}, user=ADMIN)
    assert closed.status == 200 and "errors" not in closed.body, closed.body
    with planbot.sessions.read() as session:
        plan = queries.get_plan(session, "ppr")
        assert plan.closed_at == now and plan.closed_by == ADMIN
    assert action_row(planbot.sessions, "1.2").status == ActionStatus.BAU
    assert action_row(planbot.sessions, "1.2").bau_where == "the 2027 service plan"
    report = planbot.fake.wait_for("chat.postMessage", posted_before + 1)[posted_before]
    assert report.args["channel"] == "CPLAN"
    said = message_text(report.args)
    assert "closure report" in said and "Moved to business as usual" in said and "the 2027 service plan" in said
    assert "Effectiveness reviews" in said
    told = planbot.fake.wait_for("chat.postEphemeral")[-1]
    assert "Closed plan `ppr`: 2 completed and 1 moved to business as usual" in told.args["text"]
    status = planbot.command("status ppr", user=ALICE)
    assert texts.PLAN_CLOSED in status.text and "*1* business as usual" in status.text
    assert not [b for b in status.json["blocks"] if b.get("block_id", "").startswith("action.")]  # read-only


def test_every_change_on_a_closed_plan_is_refused_and_nothing_is_written(planbot, now):
    load(planbot.sessions, now)
    drawn_before = status_blocks(planbot, user=ALICE)
    view = open_closing(planbot)
    values = {}
    for ref in ("1.1", "1.2", "2.1"):
        values |= decision("complete", action_pk(planbot.sessions, ref))
    assert planbot.submit(view, values, user=ADMIN).status == 200
    before = trail(planbot)
    for typed, user in (("done 3.1", ALICE), ("done ppr 3.1", ALICE), ("extend ppr 1.1 31/12/2027 later", ALICE),
                        ("note ppr 1.1 more", ALICE),
                        (f"evidence ppr 1.1 {URL}", ALICE), ("block ppr 1.1 waiting", ALICE),
                        ("admin add <@UNEW|new> ppr", ADMIN), ("closing ppr evidence on", ADMIN),
                        ("close ppr", ADMIN)):
        reply = planbot.command(typed, user=user)
        assert "was closed on 22 November 2026; an admin can reopen it" in reply.text or \
            "was already closed" in reply.text, (typed, reply.text)
        assert reply.json["response_type"] == "ephemeral"
    shown = planbot.command("show ppr 1.1", user=ALICE)
    assert not [b for b in shown.json["blocks"] if b.get("type") == "actions" and b.get("block_id", "").startswith(
        "action.")]
    # A button on a message drawn before the closing.
    opens = len(planbot.fake.calls_to("views.open"))
    planbot.click(button(drawn_before, ActionId.REVISE, action_pk(planbot.sessions, "1.1")), user=ALICE)
    (refusal,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert "was closed on 22 November 2026" in message_text(refusal.args)
    assert len(planbot.fake.calls_to("views.open")) == opens
    assert trail(planbot) == before
    assert "Only admins" in planbot.command("reopen ppr", user=ALICE).text
    assert "Reopened plan `ppr`" in planbot.command("reopen ppr", user=ADMIN).text
    assert "Added your update" in planbot.command("note ppr 1.1 back at it", user=ALICE).text
    assert "is open, so there is nothing to reopen" in planbot.command("reopen ppr", user=ADMIN).text


def test_a_closing_modal_pages_a_plan_with_many_open_actions(planbot, now):
    load(planbot.sessions, now, csv_text=big_plan_csv(45))
    view = open_closing(planbot)
    assert len(view["blocks"]) <= 100
    decisions = [b.get("block_id", "") for b in view["blocks"] if b.get("block_id", "").startswith("close.decision.")]
    assert len(decisions) == modals.CLOSE_PAGE_SIZE
    values = {}
    for block in decisions:
        values |= decision("complete", int(block.rsplit(".", 1)[1]))
    with planbot.sessions.read() as session:
        plan = queries.get_plan(session, "ppr")
        open_before = queries.rag_counts(session, plan.id, now.date())
    page = planbot.submit(view, values, user=ADMIN)
    assert page.json["response_action"] == "update", page.body[:300]
    following = page.json["view"]
    assert len(following["blocks"]) <= 100
    assert decisions[0] not in {b.get("block_id") for b in following["blocks"]}
    with planbot.sessions.read() as session:
        plan = queries.get_plan(session, "ppr")
        assert plan.closed_at is None  # the plan closes on the last page
        assert queries.rag_counts(session, plan.id, now.date()).green == open_before.green + modals.CLOSE_PAGE_SIZE


def review_due(planbot, now):
    """Complete 1.1 and 1.2, then move the clock six months on: their reviews are due."""
    load(planbot.sessions, now)
    assert "Marked *1.1* complete" in planbot.command("done 1.1", user=ALICE).text
    assert "Marked *1.2* complete" in planbot.command("done 1.2", user=BOB).text
    planbot.now = now + timedelta(days=183)


def test_a_review_comes_due_and_is_answered_yes_and_not_yet(planbot, now):
    review_due(planbot, now)
    listed = planbot.command("reviews", user=ALICE)
    assert "*2 due now*" in listed.text, listed.text
    with planbot.sessions.read() as session:
        assert [r.due.isoformat() for r in session.scalars(select(EffectivenessReview))] == ["2027-05-22"] * 2
    before_opens = len(planbot.fake.calls_to("views.open"))
    pk = action_pk(planbot.sessions, "1.1")
    planbot.click(button(listed.json["blocks"], ActionId.REVIEW_YES, pk), user=BOB)  # not Bob's action
    (refusal,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert "Only the owners of 1.1" in message_text(refusal.args)
    assert len(planbot.fake.calls_to("views.open")) == before_opens
    planbot.click(button(listed.json["blocks"], ActionId.REVIEW_YES, pk), user=ALICE)
    yes = opened_view(planbot, before_opens)
    empty = planbot.submit(yes, {BlockId.REVIEW_COMMENT: {InputId.TEXT: {"type": "plain_text_input", "value": ""}},
                                 BlockId.REVIEW_LINK: {InputId.URL: {"type": "plain_text_input", "value": ""}}},
                           user=ALICE)
    assert "Say how you know it is embedded" in str(empty.json["errors"])
    saved = planbot.submit(yes, {BlockId.REVIEW_COMMENT: {InputId.TEXT: {"type": "plain_text_input",
                                                                         "value": "Used at every inspection"}},
                                 BlockId.REVIEW_LINK: {InputId.URL: {"type": "plain_text_input", "value": URL}}},
                           user=ALICE)
    assert saved.status == 200 and "errors" not in saved.body, saved.body
    pk2 = action_pk(planbot.sessions, "1.2")
    before_opens = len(planbot.fake.calls_to("views.open"))
    planbot.click(button(listed.json["blocks"], ActionId.REVIEW_NOT_YET, pk2), user=BOB)
    not_yet = opened_view(planbot, before_opens)
    past = planbot.submit(not_yet, {
        BlockId.REVIEW_COMMENT: {InputId.TEXT: {"type": "plain_text_input", "value": "Still bedding in"}},
        BlockId.REVIEW_DATE: {InputId.DATE: {"type": "datepicker", "selected_date": "2027-01-01"}}}, user=BOB)
    assert "must be after today" in str(past.json["errors"])
    later = planbot.submit(not_yet, {
        BlockId.REVIEW_COMMENT: {InputId.TEXT: {"type": "plain_text_input", "value": "Still bedding in"}},
        BlockId.REVIEW_DATE: {InputId.DATE: {"type": "datepicker", "selected_date": "2027-11-30"}}}, user=BOB)
    assert later.status == 200 and "errors" not in later.body, later.body
    with planbot.sessions.read() as session:
        rows = [(r.action_id, r.due.isoformat(), r.outcome) for r in
                session.scalars(select(EffectivenessReview).order_by(EffectivenessReview.id))]
    assert rows == [(pk, "2027-05-22", ReviewOutcome.EMBEDDED), (pk2, "2027-05-22", ReviewOutcome.NOT_YET),
                    (pk2, "2027-11-30", None)]
    answered = [e.kind for e in events(planbot.sessions) if e.kind == EventKind.REVIEW_ANSWERED]
    assert len(answered) == 2
    after = planbot.command("reviews", user=ALICE).text
    assert "embedded (verified)" in after and "not embedded yet" in after and "review due 30 Nov 2027" in after


def test_reviews_continue_after_the_plan_is_closed_and_show_on_app_home(planbot, now):
    review_due(planbot, now)
    view = open_closing(planbot)
    values = decision("complete", action_pk(planbot.sessions, "2.1"))
    assert planbot.submit(view, values, user=ADMIN).status == 200
    planbot.open_home(ALICE)
    home = planbot.fake.wait_for("views.publish")[-1].args["view"]
    assert texts.HOME_REVIEWS in message_text({"blocks": home["blocks"]})
    pk = action_pk(planbot.sessions, "1.1")
    before_opens = len(planbot.fake.calls_to("views.open"))
    planbot.click(button(home["blocks"], ActionId.REVIEW_YES, pk), user=ALICE, home=True)
    yes = opened_view(planbot, before_opens)
    saved = planbot.submit(yes, {BlockId.REVIEW_COMMENT: {InputId.TEXT: {"type": "plain_text_input",
                                                                         "value": "Embedded in the QA process"}}},
                           user=ALICE)
    assert saved.status == 200 and "errors" not in saved.body, saved.body
    settle()
    with planbot.sessions.read() as session:
        outcomes = {r.action_id: r.outcome for r in session.scalars(select(EffectivenessReview))}
    assert outcomes[pk] == ReviewOutcome.EMBEDDED


def test_a_review_due_on_a_closed_plan_is_asked_in_the_owners_reminder_dm_and_answered_there(planbot):
    planbot.now = reminder_helpers.MONDAY
    reminder_helpers.load_plan(planbot.sessions)
    reminder_helpers.add_people(planbot.fake)
    september = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)  # six months before Monday 1 March 2027
    with planbot.sessions.begin() as session:
        plan = queries.get_plan(session, "ppr")
        services.complete(session, queries.get_action(session, plan, "1.1"), Actor(ALICE, "T1"), september)
        undecided = [a.ref for a in closure.open_actions(session, plan)]
        closure.close_plan(session, plan, Actor(ADMIN, "T1"), september + timedelta(days=1),
                           [closure.Decision(ref, bau=True, where="the service plan") for ref in undecided])
    report = reminder_helpers.remind(planbot.sessions, planbot.fake, reminder_helpers.MONDAY)
    assert report.ok, report
    [dm] = reminder_helpers.dms(planbot.fake, ALICE)
    assert "Effectiveness review due: is it embedded?" in message_text(dm)
    assert "Overdue" not in message_text(dm)  # a closed plan's deadlines have stopped
    pk = action_pk(planbot.sessions, "1.1")
    channel = planbot.fake.dm_channel(ALICE)
    url = planbot.fake.new_response_url(channel=channel, message_ts=dm["ts"])
    container = {"type": "message", "message_ts": dm["ts"], "channel_id": channel, "is_ephemeral": False}
    before_opens = len(planbot.fake.calls_to("views.open"))
    planbot.click(button(dm["blocks"], ActionId.REVIEW_NOT_YET, pk), user=ALICE, channel=channel, message=dm,
                  response_url=url, container=container)
    not_yet = opened_view(planbot, before_opens)
    saved = planbot.submit(not_yet, {
        BlockId.REVIEW_COMMENT: {InputId.TEXT: {"type": "plain_text_input", "value": "New staff still training"}},
        BlockId.REVIEW_DATE: {InputId.DATE: {"type": "datepicker", "selected_date": "2027-09-01"}}}, user=ALICE)
    assert saved.status == 200 and "errors" not in saved.body, saved.body
    with planbot.sessions.read() as session:
        rows = [(r.due.isoformat(), r.outcome) for r in
                session.scalars(select(EffectivenessReview).where(EffectivenessReview.action_id == pk)
                                .order_by(EffectivenessReview.id))]
    assert rows == [("2027-03-01", ReviewOutcome.NOT_YET), ("2027-09-01", None)]
