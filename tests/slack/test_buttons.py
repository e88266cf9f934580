"""Buttons on actions, clicked on real rendered messages: Mark complete, Reopen, and who may
click them. The message clicked is drawn again in place; refusals change nothing."""

import json
import logging

from bot.localslack import RESPONSE_URL_MAX_POSTS
from bot.plan.rules import ActionStatus
from bot.slack import texts
from bot.slack.ids import ActionButton, ActionId, ViewSpec
from tests.helpers.clicks import (
    action_pk,
    action_row,
    button,
    events,
    has_button,
    posts_to,
    settle,
    status_blocks,
    wait_for_posts,
)
from tests.helpers.plans import ADMIN, ALICE, BOB, MALLORY, load
from tests.helpers.slackharness import both_transports, message_text


@both_transports
def test_mark_complete_completes_the_action_and_redraws_the_message_in_place(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    clicked = button(status_blocks(planbot), ActionId.COMPLETE, pk)
    assert clicked["confirm"]["title"]["text"] == texts.CONFIRM_COMPLETE_TITLE

    reply = planbot.click(clicked, user=ALICE)

    assert reply.status == 200
    (redrawn,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert redrawn.args["replace_original"] in (True, "true")
    assert not has_button(redrawn.args["blocks"], ActionId.COMPLETE, pk)
    assert has_button(redrawn.args["blocks"], ActionId.REOPEN, pk)
    assert "*1* complete" not in message_text(redrawn.args) and "*2* complete" in message_text(redrawn.args)
    assert redrawn.args["text"]
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.COMPLETE
    (completed,) = events(planbot.sessions, "completed")
    assert (completed.actor, completed.action_id) == (ALICE, pk)


def test_a_second_click_on_a_stale_button_says_it_is_already_complete_and_redraws(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    stale = button(status_blocks(planbot), ActionId.COMPLETE, pk)
    planbot.click(stale, user=ALICE)
    wait_for_posts(planbot, planbot.last_response_url, 1)

    planbot.click(stale, user=ALICE)

    posts = wait_for_posts(planbot, planbot.last_response_url, 2)
    redraw = next(p for p in posts if p.args.get("replace_original") in (True, "true"))
    told = next(p for p in posts if p.args.get("replace_original") in (False, "false"))
    assert told.args["text"] == "1.1 is already complete."
    assert told.args["response_type"] == "ephemeral"
    assert not has_button(redraw.args["blocks"], ActionId.COMPLETE, pk)
    assert len(events(planbot.sessions, "completed")) == 1


@both_transports
def test_reopen_on_the_redrawn_message_reopens_the_action(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    planbot.click(button(status_blocks(planbot), ActionId.COMPLETE, pk), user=ALICE)
    (redrawn,) = wait_for_posts(planbot, planbot.last_response_url, 1)

    planbot.click(button(redrawn.args["blocks"], ActionId.REOPEN, pk), user=ALICE)

    (again,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert again.args["replace_original"] in (True, "true")
    assert has_button(again.args["blocks"], ActionId.COMPLETE, pk)
    assert not has_button(again.args["blocks"], ActionId.REOPEN, pk)
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.IN_PROGRESS
    (reopened,) = events(planbot.sessions, "reopened")
    assert reopened.actor == ALICE


def test_reopening_an_action_that_is_open_again_says_so(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "3.1")
    reopen = button(status_blocks(planbot, user=ADMIN), ActionId.REOPEN, pk)
    planbot.click(reopen, user=ADMIN)
    wait_for_posts(planbot, planbot.last_response_url, 1)

    planbot.click(reopen, user=ADMIN)

    posts = wait_for_posts(planbot, planbot.last_response_url, 2)
    assert "3.1 is not complete, so there is nothing to reopen." in [p.args.get("text") for p in posts]
    assert len(events(planbot.sessions, "reopened")) == 1


def test_a_plan_admin_may_complete_any_action(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.2")
    planbot.click(button(status_blocks(planbot, user=ADMIN), ActionId.COMPLETE, pk), user=ADMIN)
    wait_for_posts(planbot, planbot.last_response_url, 1)
    assert action_row(planbot.sessions, "1.2").status == ActionStatus.COMPLETE
    assert events(planbot.sessions, "completed")[-1].actor == ADMIN


def refused(planbot, user, ref, action_id=ActionId.COMPLETE):
    pk = action_pk(planbot.sessions, ref)
    before = (action_row(planbot.sessions, ref).version, len(events(planbot.sessions)))
    reply = planbot.click(button(status_blocks(planbot, user=user), action_id, pk), user=user)
    assert reply.status == 200
    (told,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    settle()
    assert len(posts_to(planbot, planbot.last_response_url)) == 1
    assert (action_row(planbot.sessions, ref).version, len(events(planbot.sessions))) == before
    assert planbot.fake.calls_to("views.open") == [] and planbot.fake.calls_to("views.publish") == []
    assert told.args["response_type"] == "ephemeral" and told.args["replace_original"] in (False, "false")
    return told.args["text"]


@both_transports
def test_someone_with_no_role_is_told_who_can_and_nothing_changes(planbot, now):
    load(planbot.sessions, now)
    said = refused(planbot, MALLORY, "1.1")
    # Alice holds the role; the admin may change it too but is named as an admin, not as a holder.
    assert said == ("Only the owners of 1.1 and the plan's admins can change it: "
                    f"Head of Protection (<@{ALICE}>); admins: <@{ADMIN}>.")


def test_an_owner_cannot_complete_someone_elses_action(planbot, now):
    load(planbot.sessions, now)
    said = refused(planbot, BOB, "1.1")
    assert "Head of Protection" in said and f"<@{ALICE}>" in said and f"<@{ADMIN}>" in said
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.IN_PROGRESS


def test_an_owner_cannot_reopen_someone_elses_action(planbot, now):
    load(planbot.sessions, now)
    said = refused(planbot, BOB, "3.1", ActionId.REOPEN)
    assert "Corporate Comms" in said
    assert action_row(planbot.sessions, "3.1").status == ActionStatus.COMPLETE


def test_someone_with_no_role_cannot_open_the_revise_or_update_modal(planbot, now):
    load(planbot.sessions, now)
    assert "Only the owners of 2.1" in refused(planbot, MALLORY, "2.1", ActionId.REVISE)
    assert "Only the owners of 2.1" in refused(planbot, MALLORY, "2.1", ActionId.NOTE)


def test_a_forged_actor_in_the_button_value_cannot_lend_authority(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    real = button(status_blocks(planbot, user=MALLORY), ActionId.COMPLETE, pk)
    forged = {**real, "value": json.dumps({**json.loads(real["value"]), "user": ALICE, "user_id": ALICE,
                                           "actor": ALICE, "team_id": "T1"})}

    planbot.click(forged, user=MALLORY)

    (told,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert told.args["text"].startswith("Only the owners of 1.1")
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.IN_PROGRESS
    assert events(planbot.sessions, "completed") == []


def test_a_button_value_that_is_not_ours_gets_an_error_id_not_silence(planbot, now):
    load(planbot.sessions, now)
    reply = planbot.click({"action_id": ActionId.COMPLETE.value, "value": "{not json"}, user=ALICE)
    assert reply.status == 200
    (told,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert "error id" in told.args["text"]
    assert events(planbot.sessions, "completed") == []


def test_a_button_for_an_action_that_no_longer_exists_says_so(planbot, now):
    load(planbot.sessions, now)
    value = ActionButton(action_id=999_999, version=1, view=ViewSpec(kind="status")).model_dump_json()
    planbot.click({"action_id": ActionId.COMPLETE.value, "value": value}, user=ADMIN)
    (told,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert told.args["text"] == texts.ACTION_GONE


def test_a_click_on_a_message_already_in_the_channel_redraws_it_without_a_share_button(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    shown = status_blocks(planbot)
    assert any(e.get("action_id") == ActionId.SHARE for b in shown for e in b.get("elements", []))
    in_channel = {"type": "message", "message_ts": "1700000000.000001", "channel_id": "CPLAN",
                  "is_ephemeral": False}

    planbot.click(button(shown, ActionId.COMPLETE, pk), user=ALICE, container=in_channel)

    (redrawn,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert not any(e.get("action_id") == ActionId.SHARE for b in redrawn.args["blocks"] for e in b.get("elements", []))


def test_a_button_carrying_an_id_past_the_databases_integers_is_refused_before_any_query(planbot, now, caplog):
    caplog.set_level(logging.WARNING, logger="planbot.slack")
    load(planbot.sessions, now)
    value = json.dumps({"action_id": 2**31, "version": 1, "view": {"kind": "status"}})

    planbot.click({"action_id": ActionId.COMPLETE.value, "value": value}, user=ADMIN)

    (told,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert "error id" in told.args["text"]
    assert "a control's value did not parse" in caplog.text
    assert "out of range" not in caplog.text
    assert events(planbot.sessions, "completed") == []


def test_a_redraw_slack_rate_limits_is_posted_again_after_its_retry_after(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    shown = status_blocks(planbot)
    planbot.fake.fail_next("response_url", status=429, retry_after=1)

    planbot.click(button(shown, ActionId.COMPLETE, pk), user=ALICE)

    limited, redrawn = wait_for_posts(planbot, planbot.last_response_url, 2, timeout=10)
    assert (limited.status, redrawn.status) == (429, 200)
    assert redrawn.at - limited.at >= 1
    assert has_button(redrawn.args["blocks"], ActionId.REOPEN, pk)
    assert not has_button(redrawn.args["blocks"], ActionId.COMPLETE, pk)
    assert planbot.fake.calls_to("chat.postEphemeral") == []


def test_a_redraw_lost_to_server_errors_is_retried_within_the_urls_limit_then_reported(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    shown = status_blocks(planbot)
    planbot.fake.fail_next("response_url", status=500, times=None)

    planbot.click(button(shown, ActionId.COMPLETE, pk), user=ALICE)

    (told,) = planbot.fake.wait_for("chat.postEphemeral", timeout=15)
    assert (told.args["channel"], told.args["user"]) == ("CPLAN", ALICE)
    assert told.args["text"] == texts.REDRAW_LOST.format(said=texts.DONE.format(ref="1.1"), ref="1.1")
    posts = posts_to(planbot, planbot.last_response_url)
    assert 1 < len(posts) <= RESPONSE_URL_MAX_POSTS and {p.status for p in posts} == {500}
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.COMPLETE
