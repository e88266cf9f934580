"""The local Slack's Socket Mode: apps.connections.open asked with the real slack_sdk client, and
its WebSocket driven by a real WebSocket client (the `websockets` library's) playing the app."""

import json
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from bot.localslack import DisconnectReason, EnvelopeType, LocalSlack, NotAcked, payloads


def socket_url(fake: LocalSlack) -> str:
    answer = WebClient(base_url=fake.url).apps_connections_open(app_token=fake.socket_mode.app_token)
    return str(answer["url"])


def receive(app: ClientConnection, timeout: float = 5.0) -> dict:
    return json.loads(app.recv(timeout=timeout))


def command_payload(fake: LocalSlack, text: str = "status") -> dict:
    return payloads.command_fields(text, user="UALICE", team="T1", channel="CPLAN",
                                   response_url=fake.new_response_url(), trigger_id=fake.new_trigger_id())


def test_the_app_token_opens_a_websocket_url_and_other_tokens_are_refused_as_slack_refuses_them(fake_slack):
    assert socket_url(fake_slack).startswith(f"ws://127.0.0.1:{fake_slack.socket_mode.port}/link/?ticket=")
    refusals = {"xoxb-the-bot-token": "not_allowed_token_type", "xapp-1-APLANBOT-1-wrong": "invalid_auth"}
    for token, code in refusals.items():
        refused_as_slack = fake_slack.expecting_refusal(code, method="apps.connections.open")
        with refused_as_slack, pytest.raises(SlackApiError) as refused:
            WebClient(base_url=fake_slack.url).apps_connections_open(app_token=token)
        assert refused.value.response["error"] == code


def test_a_connection_is_said_hello_to_and_a_ticket_opens_one_connection_only(fake_slack):
    url = socket_url(fake_slack)
    with connect(url) as app:
        hello = receive(app)
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"] == {"app_id": payloads.APP_ID}
        with pytest.raises(InvalidStatus) as used:
            connect(url)
        assert used.value.response.status_code == 401
    assert fake_slack.socket_mode.hellos == 1


def test_envelopes_carry_their_id_type_and_payload_and_acks_are_read_with_their_payloads(fake_slack):
    with connect(socket_url(fake_slack)) as app:
        receive(app)
        command = fake_slack.socket_mode.send(EnvelopeType.SLASH_COMMANDS, command_payload(fake_slack))
        sent = receive(app)
        assert sent == {"envelope_id": command.envelope_id, "type": "slash_commands",
                        "payload": command.payload, "accepts_response_payload": True}
        app.send(json.dumps({"envelope_id": sent["envelope_id"], "payload": {"text": "Working on it"}}))
        assert command.wait_ack().payload == {"text": "Working on it"}

        event = fake_slack.socket_mode.send(EnvelopeType.EVENTS_API, {"type": "event_callback", "event_id": "Ev1"})
        click = fake_slack.socket_mode.send(EnvelopeType.INTERACTIVE, {"type": "block_actions"})
        submit = fake_slack.socket_mode.send(EnvelopeType.INTERACTIVE, {"type": "view_submission"})
        sent_event, sent_click, sent_submit = receive(app), receive(app), receive(app)
        assert (sent_event["retry_attempt"], sent_event["retry_reason"]) == (0, "")
        assert [m["accepts_response_payload"] for m in (sent_event, sent_click, sent_submit)] == [False, False, True]
        for message in (sent_event, sent_click):
            app.send(json.dumps({"envelope_id": message["envelope_id"]}))
        errors = {"response_action": "errors", "errors": {"reason": "Say why."}}
        app.send(json.dumps({"envelope_id": sent_submit["envelope_id"], "payload": errors}))
        assert [e.wait_ack().payload for e in (event, click, submit)] == [None, None, errors]
        assert all(e.wait_ack().elapsed < 1 for e in (event, click, submit))

        app.send(json.dumps({"envelope_id": "not-one-of-ours"}))
        time.sleep(0.2)
    assert fake_slack.socket_mode.stray_acks == [{"envelope_id": "not-one-of-ours"}]


def test_an_envelope_not_acknowledged_in_time_is_sent_again_with_the_same_id(fake_slack):
    fake_slack.socket_mode.resend_after = 0.3
    with connect(socket_url(fake_slack)) as app:
        receive(app)
        event = fake_slack.socket_mode.send(EnvelopeType.EVENTS_API, {"type": "event_callback", "event_id": "Ev2"})
        first, again = receive(app), receive(app)
        assert again["envelope_id"] == first["envelope_id"] and again["payload"] == first["payload"]
        assert (again["retry_attempt"], again["retry_reason"]) == (1, "timeout")
        app.send(json.dumps({"envelope_id": again["envelope_id"]}))
        assert event.wait_ack().elapsed >= 0.3
        time.sleep(0.5)
    assert len(event.sends) == 2  # acknowledged: not sent a third time


def test_an_envelope_is_sent_again_at_most_three_times(fake_slack):
    fake_slack.socket_mode.resend_after = 0.1
    with connect(socket_url(fake_slack)) as app:
        receive(app)
        click = fake_slack.socket_mode.send(EnvelopeType.INTERACTIVE, {"type": "block_actions"})
        with pytest.raises(NotAcked):
            click.wait_ack(1.0)
    assert len(click.sends) == 4


@pytest.mark.parametrize("reason", [DisconnectReason.REFRESH_REQUESTED, DisconnectReason.TOO_MANY_WEBSOCKETS])
def test_disconnect_asks_for_a_new_connection_and_envelopes_wait_for_it(fake_slack, reason):
    fake_slack.socket_mode.retire_after = 0.5
    with connect(socket_url(fake_slack)) as old:
        receive(old)
        assert fake_slack.socket_mode.disconnect(reason) == 1
        assert receive(old) == {"type": "disconnect", "reason": str(reason), "debug_info": {"host": "local-slack"}}
        waiting = fake_slack.socket_mode.send(EnvelopeType.SLASH_COMMANDS, command_payload(fake_slack))
        with connect(socket_url(fake_slack)) as new:
            assert receive(new)["type"] == "hello"
            assert receive(new)["envelope_id"] == waiting.envelope_id  # not to the connection asked to go
            new.send(json.dumps({"envelope_id": waiting.envelope_id}))
            assert waiting.wait_ack().connection == 2
            time.sleep(0.8)
            assert fake_slack.socket_mode.connections == 1  # the old one was closed for the app


def test_a_lost_ack_gets_its_envelope_sent_again(fake_slack):
    fake_slack.socket_mode.resend_after = 0.3
    with connect(socket_url(fake_slack)) as app:
        receive(app)
        fake_slack.socket_mode.lose_acks(1)
        command = fake_slack.socket_mode.send(EnvelopeType.SLASH_COMMANDS, command_payload(fake_slack))
        app.send(json.dumps({"envelope_id": receive(app)["envelope_id"], "payload": {"text": "first"}}))
        again = receive(app)
        app.send(json.dumps({"envelope_id": again["envelope_id"], "payload": {"text": "first"}}))
        assert command.wait_ack().payload == {"text": "first"}
    assert [a["envelope_id"] for a in fake_slack.socket_mode.lost_acks] == [command.envelope_id]
    assert len(command.sends) == 2
