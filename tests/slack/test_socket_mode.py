"""planbot over Socket Mode, as `planbot serve --socket` runs it: Bolt's adapter on slack_sdk's
built-in client, connected to the local Slack's WebSocket. A connection Slack asks to replace, or
closes, is replaced without losing an envelope, and an envelope Slack sends again (its ack lost
with a connection, or late) changes nothing a second time and is answered as the first was."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.localslack import DisconnectReason, Envelope, EnvelopeType, payloads
from bot.slack import texts
from bot.slack.ids import ActionId
from bot.slack.server import PING_SECONDS
from tests.helpers.clicks import action_pk, action_row, button, events, posts_to, settle, status_blocks
from tests.helpers.plans import ADMIN, ALICE, BOB, load
from tests.helpers.slackharness import ACK_LIMIT_SECONDS, SOCKET_MODE

FORM = "application/x-www-form-urlencoded"
socket_mode_only = pytest.mark.parametrize("transport", [SOCKET_MODE])


def send(planbot, body: bytes) -> Envelope:
    return planbot.fake.socket_mode.send(*payloads.socket_payload(body, FORM))


@socket_mode_only
def test_a_forced_reconnect_mid_stream_loses_no_envelope_and_handles_each_exactly_once(planbot, now):
    load(planbot.sessions, now)
    socket = planbot.fake.socket_mode
    socket.retire_after = 1.0
    completes = {ref: button(status_blocks(planbot), ActionId.COMPLETE, action_pk(planbot.sessions, ref))
                 for ref in ("1.1", "2.1")}
    bodies = [planbot.command_body(f"note 1.2 Update {n}", user=BOB) for n in range(8)]
    bodies[2] = planbot.click_body(completes["1.1"], user=ALICE)
    bodies[5] = planbot.click_body(completes["2.1"], user=ADMIN)
    click_urls = []

    sent: list[Envelope] = []
    for n, body in enumerate(bodies):
        if n == 2:
            socket.lose_acks(2)  # the acks of the click and the note after it are lost with their connection
        if n == 4:
            socket.disconnect(DisconnectReason.REFRESH_REQUESTED)
        sent.append(send(planbot, body))
        if n in (2, 5):
            click_urls.append(planbot.last_response_url)
        time.sleep(0.05)
    acks = [envelope.wait_ack(15) for envelope in sent]

    assert socket.hellos == 2 and socket.connections == 1
    assert len(socket.lost_acks) == 2
    resent = [envelope for envelope in sent if len(envelope.sends) > 1]
    assert len(resent) >= 2  # those whose acks were lost, at the least
    for envelope in resent:
        assert all(ack.payload == envelope.acks[0].payload for ack in envelope.acks)  # answered as the first was
    assert [ack.payload is not None for ack in acks] == [n not in (2, 5) for n in range(8)]
    notes = Counter(event.reason for event in events(planbot.sessions, "note"))
    assert notes == Counter(f"Update {n}" for n in range(8) if n not in (2, 5))  # each once
    assert len(events(planbot.sessions, "completed")) == 2
    settle()
    assert [len(posts_to(planbot, url)) for url in click_urls] == [1, 1]  # each click redrawn once
    assert socket.stray_acks == []


@socket_mode_only
def test_a_connection_slack_closes_is_replaced_and_what_was_sent_meanwhile_arrives(planbot, now):
    load(planbot.sessions, now)
    socket = planbot.fake.socket_mode
    assert socket.close_connections() == 1
    envelope = send(planbot, planbot.command_body("note 1.1 Interviews booked", user=ALICE))
    ack = envelope.wait_ack(PING_SECONDS * 2 + ACK_LIMIT_SECONDS)  # sent once the new connection is open
    assert texts.NOTED.format(ref="1.1") in str(ack.payload) and ack.elapsed < ACK_LIMIT_SECONDS
    assert socket.hellos == 2 and envelope.sends[0][1] == 2
    assert [e.reason for e in events(planbot.sessions, "note")] == ["Interviews booked"]


@socket_mode_only
def test_an_envelope_acknowledged_late_and_sent_again_is_answered_as_the_first_and_changes_nothing(planbot, now):
    load(planbot.sessions, now)
    planbot.fake.socket_mode.lose_acks(1)
    envelope = send(planbot, planbot.command_body("done 1.1 Signed off", user=ALICE))
    ack = envelope.wait_ack(10)
    assert len(envelope.sends) == 2 and envelope.sends[1][0] - envelope.sends[0][0] >= 3.0  # Slack's wait
    assert texts.DONE.format(ref="1.1") in str(ack.payload)
    assert len(events(planbot.sessions, "completed")) == 1
    assert action_row(planbot.sessions, "1.1").status == "complete"


def serve_socket(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--socket", "--no-scheduler", "--no-reminders"],
                            env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2])


def cli_env(fake_slack, database_url: str, app_token: str) -> dict[str, str]:
    return {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": app_token,
            "SLACK_API_URL": fake_slack.url, "DATABASE_URL": database_url, "PYTHONPATH": str(Path(__file__).parents[2])}


@pytest.mark.timeout(90)
def test_planbot_serve_socket_connects_with_the_app_token_and_answers_a_command(fake_slack, sessions, database_url,
                                                                               tmp_path, now):
    load(sessions, now)
    process = serve_socket(cli_env(fake_slack, database_url, fake_slack.socket_mode.app_token), tmp_path / "log")
    try:
        fake_slack.socket_mode.wait_connected(timeout=30)
        body = payloads.command_fields("status", user=ALICE, team="T1", channel="CPLAN",
                                       response_url=fake_slack.new_response_url(),
                                       trigger_id=fake_slack.new_trigger_id())
        ack = fake_slack.socket_mode.send(EnvelopeType.SLASH_COMMANDS, body).wait_ack(10)
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(15)
    assert ack.elapsed < ACK_LIMIT_SECONDS
    assert "Protection peer review" in str(ack.payload)
    assert code == 0, (tmp_path / "log").read_text()


@pytest.mark.timeout(90)
@pytest.mark.parametrize("app_token,error", [("xoxb-test-token", "not_allowed_token_type"),
                                             ("xapp-1-APLANBOT-1-revoked", "invalid_auth")])
def test_planbot_serve_socket_with_the_wrong_token_says_which_token_it_needs(fake_slack, database_url, tmp_path,
                                                                            app_token, error):
    fake_slack.expect_refusal(error, method="apps.connections.open")
    process = serve_socket(cli_env(fake_slack, database_url, app_token), tmp_path / "log")
    code = process.wait(30)
    said = (tmp_path / "log").read_text()
    assert code == 2
    assert f"planbot serve --socket cannot start: Slack answered {error} to apps.connections.open" in said
    assert "app-level token (xapp-…" in said
    assert fake_slack.socket_mode.hellos == 0
