"""`/plan summary` previews, the "Post to channel" button (signed clicks into the running app),
`/plan schedule`, and Slack's limits on a 2,000-action plan's summary."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import SecretStr
from slack_sdk.models.blocks import Block, SectionBlock
from sqlalchemy import select

from bot.config import Settings
from bot.localslack import MAX_MESSAGE_BLOCKS, MAX_SECTION_TEXT
from bot.plan.errors import AmbiguousPlan, InvalidInput, NotAllowed
from bot.plan.identity import Actor
from bot.plan.paper.settings import set_paper_settings
from bot.plan.queries import get_plan
from bot.plan.summary import build_summary, month_period
from bot.slack import texts
from bot.slack.context import Deps
from bot.slack.ids import ActionId, ViewSpec
from bot.slack.summary_blocks import MESSAGE_BUDGET, summary_messages
from bot.slack.summary_commands import render_preview, schedule_command, summary_command
from storage.models import ActionEvent, Plan, SummaryPost
from tests.helpers.plans import ADMIN, ALICE, TEAM, load
from tests.helpers.slackharness import both_transports, find_button, message_text
from tests.helpers.summaries import CHANNEL, load_big_plan, mark_posted, poster_for, replies, top_level


def deps_for(sessions, now, fake=None) -> Deps:
    settings = Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=fake.url if fake else "http://x/")
    return Deps(settings=settings, sessions=sessions, clock=lambda: now)


def preview(deps, user=ADMIN, args=(), channel="CPLAN"):
    return summary_command(deps, actor=Actor(user, TEAM), channel_id=channel, args=list(args)).to_dict()


def test_an_admin_previews_the_summary_with_a_post_to_channel_button(sessions, now):
    load(sessions, now)
    message = preview(deps_for(sessions, now))
    shown = message_text(message)
    assert message["text"] == "Preview: Protection peer review — monthly update — November 2026"
    assert "2 of 4 actions are overdue" in shown and texts.SUMMARY_PREVIEW_NOTE in shown
    button = find_button(message["blocks"], ActionId.POST_SUMMARY)
    assert button["text"]["text"] == texts.POST_TO_CHANNEL
    assert ViewSpec.model_validate_json(button["value"]) == ViewSpec(kind="summary", plan="ppr", month="2026-11")
    assert "to <#CPLAN>" in button["confirm"]["text"]["text"]


def test_someone_who_is_not_an_admin_sees_the_preview_without_the_button(sessions, now):
    load(sessions, now)
    message = preview(deps_for(sessions, now), user=ALICE)
    assert "Recruit four inspectors" in message_text(message)
    with pytest.raises(AssertionError):
        find_button(message["blocks"], ActionId.POST_SUMMARY)


def test_the_plan_and_month_can_be_named(sessions, now):
    load(sessions, now)
    load(sessions, now, key="audit", channel="CAUDIT", map_owners=False)
    deps = deps_for(sessions, now)
    assert "monthly update — March 2027" in preview(deps, args=["audit", "March", "2027"])["text"]
    assert "monthly update — October 2026" in preview(deps, args=["2026-10"], channel="CAUDIT")["text"]
    with pytest.raises(AmbiguousPlan):
        preview(deps, args=["2026-10"], channel="CELSEWHERE")
    with pytest.raises(InvalidInput, match='I can\'t read "2026-13" as a month'):
        preview(deps, args=["ppr", "2026-13"])
    with pytest.raises(InvalidInput, match="Usage: `/plan summary"):
        preview(deps, args=["ppr", "audit", "march"])


def test_a_preview_of_a_period_already_posted_says_so_and_offers_no_button(sessions, now):
    load(sessions, now)
    mark_posted(sessions, "ppr", month_period(2026, 11), now - timedelta(days=1))
    message = preview(deps_for(sessions, now))
    assert "The November 2026 summary was posted to <#CPLAN> on 21 Nov 2026." in message_text(message)
    with pytest.raises(AssertionError):
        find_button(message["blocks"], ActionId.POST_SUMMARY)


def test_render_preview_redraws_from_its_view_spec(sessions, now):
    load(sessions, now)
    deps = deps_for(sessions, now)
    with sessions.read() as session:
        message = render_preview(session, deps, ViewSpec(kind="summary", plan="ppr", month="2027-Q1"),
                                 viewer=Actor(ADMIN, TEAM)).to_dict()
    assert message["text"] == "Preview: Protection peer review — quarterly update — Q1 2027"


def post_button(planbot) -> tuple[dict, dict]:
    """The preview an admin was shown, and its "Post to channel" button."""
    message = preview(deps_for(planbot.sessions, planbot.now, planbot.fake))
    return message, find_button(message["blocks"], ActionId.POST_SUMMARY)


def post_button_for(planbot, month: str) -> tuple[dict, dict]:
    deps = deps_for(planbot.sessions, planbot.now, planbot.fake)
    with planbot.sessions.read() as session:
        message = render_preview(session, deps, ViewSpec(kind="summary", plan="ppr", month=month),
                                 viewer=Actor(ADMIN, TEAM)).to_dict()
    return message, find_button(message["blocks"], ActionId.POST_SUMMARY)


def click_post(planbot, user, shown=None):
    message, button = shown or post_button(planbot)
    count = len(planbot.fake.calls_to("response_url"))
    reply = planbot.click(button, user=user, message={"ts": "1700000000.000001", **message})
    assert reply.status == 200
    [said] = planbot.fake.wait_for("response_url", count + 1)[count:]
    return said.args


@both_transports
def test_the_post_button_posts_the_summary_to_the_plans_channel_exactly_once(planbot):
    load(planbot.sessions, planbot.now)
    shown = post_button(planbot)
    first = click_post(planbot, ADMIN, shown)
    assert first["response_type"] == "ephemeral" and first["replace_original"] is False
    assert first["text"].startswith("Posted the November 2026 summary of `ppr` to <#CPLAN>: <https://")
    [posted] = top_level(planbot.fake)
    assert posted["metadata"]["event_payload"] == {"plan": "ppr", "period": "2026-11"}
    assert "2 of 4 actions are overdue" in message_text(posted)

    second = click_post(planbot, ADMIN, shown)  # the same button, clicked again
    assert second["text"] == texts.SUMMARY_ALREADY_POSTED.format(
        period="November 2026", plan="ppr", channel="CPLAN", when="22 Nov 2026")
    assert len(top_level(planbot.fake)) == 1
    with planbot.sessions.read() as session:
        post = session.scalars(select(SummaryPost)).one()
        event = session.scalars(select(ActionEvent).where(ActionEvent.kind == "summary_posted")).one()
    assert (post.state, post.message_ts, event.actor) == ("posted", posted["ts"], ADMIN)


def test_the_post_button_shares_the_board_paper_in_the_thread_or_says_why_not(planbot):
    load(planbot.sessions, planbot.now)
    planbot.fake.fail_next("files.getUploadURLExternal", status=200, error="missing_scope")
    said = click_post(planbot, ADMIN)
    assert said["text"].endswith(texts.SUMMARY_PAPER_REFUSED.format(error="Slack answered missing_scope"))
    assert [m for m in planbot.fake.messages("CPLAN") if "files" in m] == []
    # The next period's, with the scope: the paper and chart in the summary's thread.
    planbot.fake.reset()
    with planbot.sessions.begin() as session:
        set_paper_settings(session, get_plan(session, "ppr"), Actor.cli("test"), planbot.now, {"attach": "docx"})
    click_post(planbot, ADMIN, post_button_for(planbot, "2026-12"))
    [shared] = [m for m in planbot.fake.messages("CPLAN") if "files" in m]
    assert [f["name"] for f in shared["files"]] == ["ppr-2026-12-board-paper.docx", "ppr-2026-12-board-paper-chart.png"]
    assert shared["thread_ts"] == top_level(planbot.fake)[0]["ts"]


@both_transports
def test_the_post_button_refuses_someone_who_is_not_an_admin(planbot):
    load(planbot.sessions, planbot.now)
    said = click_post(planbot, ALICE)
    assert said["text"].startswith("Only admins of plan `ppr` can do that.")
    assert planbot.fake.calls_to("chat.postMessage") == []
    with planbot.sessions.read() as session:
        assert session.scalars(select(SummaryPost)).all() == []


def test_the_post_button_reports_a_slack_failure_and_leaves_the_period_due(planbot):
    load(planbot.sessions, planbot.now)
    planbot.fake.fail_next("chat.postMessage", status=200, error="channel_not_found")
    shown = post_button(planbot)
    said = click_post(planbot, ADMIN, shown)
    assert said["text"] == texts.SUMMARY_FAILED.format(period="November 2026", plan="ppr",
                                                       error="Slack answered channel_not_found")
    assert "Posted the November 2026" in click_post(planbot, ADMIN, shown)["text"]
    assert len(top_level(planbot.fake)) == 1


def schedule(deps, args, user=ADMIN, channel="CPLAN") -> str:
    return message_text(schedule_command(deps, actor=Actor(user, TEAM), channel_id=channel, args=args).to_dict())


def test_schedule_shows_when_and_where_summaries_go_and_the_next_run(sessions, now):
    load(sessions, now)
    shown = schedule(deps_for(sessions, now), [], user=ALICE)
    assert ("Summaries of `ppr`: first working day of each month at 09:00 (Europe/London), posted to <#CPLAN>."
            in shown)
    assert "Next: Tuesday 1 Dec 2026 at 09:00 (December 2026)." in shown


def test_an_admin_sets_a_quarterly_schedule_and_this_channel(sessions, now):
    load(sessions, now)
    shown = schedule(deps_for(sessions, now), ["ppr", "quarterly", "here"], channel="CBOARD")
    assert shown.startswith(texts.SCHEDULE_CHANGED)
    assert "first working day of each quarter at 09:00 (Europe/London), posted to <#CBOARD>" in shown
    assert "Next: Monday 4 Jan 2027 at 09:00 (Q1 2027)." in shown
    with sessions.read() as session:
        plan = get_plan(session, "ppr")
        kinds = session.scalars(select(ActionEvent.kind).where(ActionEvent.actor == ADMIN)
                                .order_by(ActionEvent.id)).all()
    assert (plan.schedule, plan.channel_id, plan.schedule_since) == ("quarterly", "CBOARD", now)
    assert kinds[-2:] == ["schedule", "plan_channel"]


def test_an_admin_moves_the_board_to_quarterly_or_by_exception(sessions, now):
    load(sessions, now)
    shown = schedule(deps_for(sessions, now), ["ppr", "quarterly", "or", "by", "exception", "here"], channel="CBOARD")
    assert shown.startswith(texts.SCHEDULE_CHANGED)
    assert ("quarterly or by exception: the first working day of each quarter at 09:00, and of the other months when "
            "there is an exception or a change since the last summary (Europe/London), posted to <#CBOARD>") in shown
    assert "Next: Tuesday 1 Dec 2026 at 09:00 (December 2026)." in shown
    with sessions.read() as session:
        assert get_plan(session, "ppr").schedule == "quarterly-or-exception"


def test_schedule_takes_a_custom_rule_a_linked_channel_or_off(sessions, now):
    load(sessions, now)
    deps = deps_for(sessions, now)
    shown = schedule(deps, ["RRULE:FREQ=WEEKLY;BYDAY=FR;BYHOUR=16", "<#CFRIDAY|friday-update>"])
    assert "custom: FREQ=WEEKLY;BYDAY=FR;BYHOUR=16 (Europe/London), posted to <#CFRIDAY>" in shown
    assert "Next: Friday 27 Nov 2026 at 16:00 (27 November 2026)." in shown
    moved = schedule(deps, ["ppr", "here"], channel="CNEW")
    assert moved.startswith(texts.SCHEDULE_CHANGED) and "posted to <#CNEW>" in moved
    assert texts.SCHEDULE_IS_OFF.format(plan="ppr") in schedule(deps, ["off"], channel="CNEW")
    assert schedule(deps, ["off"], channel="CNEW").startswith(texts.SCHEDULE_UNCHANGED)


def test_schedule_refusals_are_specific(sessions, now):
    load(sessions, now)
    deps = deps_for(sessions, now)
    with pytest.raises(NotAllowed, match="Only admins of plan `ppr`"):
        schedule(deps, ["quarterly"], user=ALICE)
    with pytest.raises(InvalidInput, match='I can\'t read "fortnightly" as a schedule'):
        schedule(deps, ["ppr", "fortnightly"])
    with pytest.raises(InvalidInput, match="type # and pick it from the list"):
        schedule(deps, ["monthly", "#plan-updates"])
    with sessions.read() as session:
        assert session.scalar(select(Plan.schedule)) == "monthly"


def check_message(message: dict) -> None:
    """What Slack would refuse, checked the way Slack and slack_sdk check it."""
    assert message["text"] and len(message["text"]) <= 3000
    assert 0 < len(message["blocks"]) <= MAX_MESSAGE_BLOCKS
    size = len(message_text({"blocks": message["blocks"]}))
    assert size <= MESSAGE_BUDGET + 200, size
    for raw in message["blocks"]:
        block = Block.parse(raw)
        assert block is not None and block.to_dict() == raw  # parses, and validates on the way out
        if isinstance(block, SectionBlock):
            assert len((raw.get("text") or {}).get("text", "")) <= MAX_SECTION_TEXT
            assert all(len(f["text"]) <= 2000 for f in raw.get("fields") or [])


@pytest.mark.timeout(240)
def test_a_2000_action_plan_summary_respects_slacks_limits_in_every_message(sessions, fake_slack, now):
    load_big_plan(sessions, now, 2000)
    with sessions.read() as session:
        summary = build_summary(session, get_plan(session, "ppr"), month_period(2026, 11), now)
        preview_message = render_preview(session, deps_for(sessions, now), ViewSpec(kind="summary", plan="ppr",
                                         month="2026-11"), viewer=Actor(ADMIN, TEAM)).to_dict()
    assert summary.figures.total == 2000 and len(summary.exceptions) == 500
    rendered = summary_messages(summary)
    assert len(rendered.replies) > 10
    for message in (rendered.main, *rendered.replies):
        check_message(message.to_dict())
    check_message(preview_message)
    assert find_button(preview_message["blocks"], ActionId.POST_SUMMARY)
    main = message_text(rendered.main.to_dict())
    assert "500 of 2000 actions are overdue" in main and "in full in the thread" in main
    # Every overdue action is named in the thread with its reason, escaped for mrkdwn.
    thread = "\n".join(message_text(m.to_dict()) for m in rendered.replies)
    for item in summary.exceptions:
        assert f"*{item.action.ref}* Action" in thread and f"Latest reason: _{item.latest_reason}_" in thread
    assert "&amp; &lt;partners&gt;" in thread and "<partners>" not in thread

    # And Slack (the fake, which enforces the same limits) takes all of it, in one thread.
    poster = poster_for(fake_slack)
    ts = poster.post_main(CHANNEL, summary)
    poster.post_thread(CHANNEL, ts, summary, check_existing=False)
    assert [c.response["ok"] for c in fake_slack.calls_to("chat.postMessage")] == [True] * (1 + len(rendered.replies))
    assert len(top_level(fake_slack)) == 1 and len(replies(fake_slack)) == len(rendered.replies)
    assert fake_slack.warnings == []
    assert json.dumps(fake_slack.messages(CHANNEL)[0]["metadata"]) == json.dumps(
        {"event_type": "planbot_summary", "event_payload": {"plan": "ppr", "period": "2026-11"}})


def test_a_small_plan_is_one_message_with_everything_in_it(sessions, now):
    load(sessions, now)
    with sessions.read() as session:
        summary = build_summary(session, get_plan(session, "ppr"), month_period(2026, 11), now)
    rendered = summary_messages(summary)
    assert rendered.replies == ()
    shown = message_text(rendered.main.to_dict())
    for words in ("Recommendation by recommendation", "1) Improve the inspection programme",
                  "Exceptions: actions overdue or past their original date (2)", "Due in the next 30 days (1)",
                  "Baseline and slippage (1)", "RAG key:", "Generated by planbot"):
        assert words in shown
    check_message(rendered.main.to_dict())
