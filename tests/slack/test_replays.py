"""A request replayed byte for byte within the five minutes Slack's signature allows is answered
as the first was and changes nothing: not a second note, not a second reopening."""

import threading
import time
from datetime import timedelta

import pytest
from slack_bolt import BoltRequest

from bot.slack import deliveries
from bot.slack.ids import ActionId
from tests.helpers.clicks import action_pk, button, events, settle, status_blocks, wait_for_posts
from tests.helpers.plans import ALICE, load
from tests.helpers.slackharness import find_button
from tests.slack.test_modals import open_modal, update

FORM = "application/x-www-form-urlencoded"


def sent_three_times(planbot, body: bytes):
    """The same signed request, as Slack sent it once and as someone sent it again twice."""
    timestamp = int(time.time())
    return [planbot.post(body, FORM, timestamp=timestamp) for _ in range(3)]


def test_a_replayed_note_command_adds_one_note_and_is_answered_as_the_first(planbot, now):
    load(planbot.sessions, now)

    first, *replays = sent_three_times(planbot, planbot.command_body("note 1.1 Interviews booked", user=ALICE))

    assert first.status == 200 and "Added your update to *1.1*" in first.text
    assert [(r.status, r.json) for r in replays] == [(200, first.json)] * 2
    assert [e.reason for e in events(planbot.sessions, "note")] == ["Interviews booked"]


def test_a_replayed_note_modal_adds_one_note_and_closes_as_the_first(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1", ActionId.NOTE)

    first, *replays = sent_three_times(planbot, planbot.submit_body(view, update("Booked for March"), user=ALICE))

    assert [(r.status, r.body) for r in [first, *replays]] == [(200, "")] * 3
    assert [e.reason for e in events(planbot.sessions, "note")] == ["Booked for March"]
    wait_for_posts(planbot, response_url, 1)
    settle()
    assert len(planbot.fake.calls_to("response_url")) == 1  # one redraw, for the first only


def test_a_replayed_reopen_does_not_reopen_an_action_completed_again_since(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    planbot.click(button(status_blocks(planbot), ActionId.COMPLETE, pk), user=ALICE)
    (redrawn,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    reopen = planbot.click_body(button(redrawn.args["blocks"], ActionId.REOPEN, pk), user=ALICE)
    timestamp = int(time.time())
    planbot.post(reopen, FORM, timestamp=timestamp)
    wait_for_posts(planbot, planbot.last_response_url, 1)
    planbot.command("done 1.1", user=ALICE)

    replayed = planbot.post(reopen, FORM, timestamp=timestamp)

    settle()
    assert (replayed.status, replayed.body) == (200, "")
    assert len(events(planbot.sessions, "reopened")) == 1
    assert len(events(planbot.sessions, "completed")) == 2


def test_a_replayed_share_posts_once(planbot, now):
    load(planbot.sessions, now)
    share = planbot.click_body(find_button(status_blocks(planbot), ActionId.SHARE), user=ALICE)

    sent_three_times(planbot, share)

    planbot.fake.wait_for("response_url")
    settle()
    assert len(planbot.fake.messages("CPLAN")) == 1
    assert len(planbot.fake.calls_to("response_url")) == 1


def test_a_delivery_is_claimed_once_and_forgotten_when_no_replay_of_it_could_pass(sessions, now):
    with sessions.begin() as session:
        deliveries.claim(session, "v0=first", now)
        deliveries.answered(session, "v0=first", {"text": "Done."})
    with pytest.raises(deliveries.Replayed) as replayed, sessions.begin() as session:
        deliveries.claim(session, "v0=first", now + timedelta(minutes=9))
    assert replayed.value.answer == {"text": "Done."}

    with sessions.begin() as session:
        deliveries.claim(session, "v0=second", now + deliveries.REPLAY_WINDOW + timedelta(seconds=1))
        deliveries.claim(session, "v0=first", now + deliveries.REPLAY_WINDOW + timedelta(seconds=1))


def test_two_replicas_handed_the_same_delivery_apply_it_once(sessions, now):
    first_claimed, outcomes = threading.Event(), []

    def second_replica() -> None:
        first_claimed.wait(5)
        try:
            with sessions.begin() as session:
                deliveries.claim(session, "v0=both", now)
            outcomes.append("applied")
        except deliveries.Replayed:
            outcomes.append("replayed")

    second = threading.Thread(target=second_replica)
    second.start()
    with sessions.begin() as session:
        deliveries.claim(session, "v0=both", now)
        first_claimed.set()
        time.sleep(0.3)  # the second replica is waiting on this transaction meanwhile
    second.join(15)
    assert outcomes == ["replayed"]


def test_a_failed_change_leaves_its_delivery_unclaimed(sessions, now):
    with pytest.raises(RuntimeError), sessions.begin() as session:
        deliveries.claim(session, "v0=failed", now)
        raise RuntimeError("the change failed after the claim")
    with sessions.begin() as session:
        deliveries.claim(session, "v0=failed", now)


def test_socket_mode_deliveries_are_keyed_by_their_payload_and_http_ones_by_their_signature():
    def socket_key(payload):
        return deliveries.key_of(BoltRequest(body=payload, mode="socket_mode"))

    click = {"type": "block_actions", "trigger_id": "1.T1.a", "user": {"id": "UALICE"}}
    assert socket_key(click) == socket_key(dict(reversed(click.items())))  # the same payload, re-sent
    assert socket_key(click) != socket_key({**click, "trigger_id": "2.T1.b"})  # another click
    assert str(socket_key(click)).startswith("sm:") and len(str(socket_key(click))) <= 128
    signed = BoltRequest(body="payload=%7B%7D", headers={"X-Slack-Signature": "v0=abc"})
    assert deliveries.key_of(signed) == "v0=abc"
