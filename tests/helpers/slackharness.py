"""End-to-end harness: planbot running as `planbot serve` runs it, requests sent as Slack sends
them, and the real slack_sdk client talking to the local Slack (bot/localslack).

Two transports, as in production (`transport`): `http`, planbot served by waitress with each
request signed as Slack signs it; `socket_mode`, planbot connected to the local Slack's WebSocket
through Bolt's Socket Mode adapter, each request an envelope and its reply the ack's payload.
Tests that hold on both run on both with `@both_transports`.

Every request's acknowledgement time is measured and must stay within Slack's 3 seconds.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.localslack import LocalSlack, NotAcked, payloads
from bot.slack.app import create_app
from bot.slack.server import make_http_server, socket_mode_handler
from storage.db import Sessions
from tests.helpers.plans import ALICE, TEAM

SIGNING_SECRET = "test-signing-secret"
ACK_LIMIT_SECONDS = 3.0
APP_ID = payloads.APP_ID
HTTP, SOCKET_MODE = "http", "socket_mode"
TRANSPORTS = (HTTP, SOCKET_MODE)
both_transports = pytest.mark.parametrize("transport", TRANSPORTS)


@dataclass
class Reply:
    status: int
    body: str
    elapsed: float

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}

    @property
    def text(self) -> str:
        """The visible words of the reply: its text and every text in its blocks."""
        data = self.json if self.body.startswith("{") else {"text": self.body}
        return message_text(data)


def message_text(message: dict[str, Any]) -> str:
    parts: list[str] = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    walk(message.get("view") or {})
    return "\n".join(parts)


def find_button(blocks: list[dict[str, Any]], action_id: str, contains: str | None = None) -> dict[str, Any]:
    """The first button with this action_id (and, if given, `contains` in its value or text)."""
    for block in blocks:
        elements = block.get("elements") or ([block["accessory"]] if "accessory" in block else [])
        for element in elements:
            if element.get("action_id") != action_id:
                continue
            haystack = json.dumps(element)
            if contains is None or contains in haystack or contains in str(element.get("value", "")):
                return {**element, "block_id": block.get("block_id", "")}
    with_text = f" with {contains}" if contains else ""
    raise AssertionError(f"no {action_id} button{with_text} in {json.dumps(blocks)[:2000]}")


class PlanbotServer:
    """A running planbot app and the means to talk to it as Slack would."""

    def __init__(self, fake: LocalSlack, sessions: Sessions, clock: datetime, transport: str = HTTP,
                 settings: Settings | None = None) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"no such transport: {transport}")
        self.fake = fake
        self.sessions = sessions
        self.now = clock
        self.transport = transport
        socket_mode = transport == SOCKET_MODE
        settings = settings or Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=None if socket_mode else SecretStr(SIGNING_SECRET),
            slack_app_token=SecretStr(fake.socket_mode.app_token) if socket_mode else None,
            slack_api_url=fake.url,
            database_url="unused: the sessions are handed over",
        )
        self.app = create_app(settings, sessions, clock=lambda: self.now)
        self.acks: list[float] = []
        self._ids = itertools.count(1)
        self._closing = False
        if socket_mode:
            self.socket = socket_mode_handler(self.app, fake.socket_mode.app_token)
            self.socket.connect()
            fake.socket_mode.wait_connected()
            return
        self.server = make_http_server(self.app, sessions, host="127.0.0.1", port=0)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            self.server.run()
        except OSError:
            # close() from the test's thread pulls the sockets from under waitress's select():
            # "Bad file descriptor" then is how the loop learns it is over.
            if not self._closing:
                raise

    def close(self) -> None:
        self._closing = True
        if self.transport == SOCKET_MODE:
            # slack_sdk's client closes a connection it is reading from only when its read times
            # out (3 s): the local Slack closes it first, and the client is told not to reconnect.
            self.socket.client.auto_reconnect_enabled = False
            self.fake.socket_mode.close_connections()
            self.socket.close()
            return
        self.server.close()
        self._thread.join(5)

    def post(self, body: bytes, content_type: str, *, timestamp: int | None = None,
             secret: str = SIGNING_SECRET, path: str = "/slack/events",
             extra_headers: dict[str, str] | None = None) -> Reply:
        """Send what Slack would post over HTTP: signed, over HTTP; as an envelope, over Socket Mode."""
        if self.transport == SOCKET_MODE:
            if (timestamp, secret, path, extra_headers) != (None, SIGNING_SECRET, "/slack/events", None):
                raise ValueError("signatures, timestamps, paths and headers are HTTP's")
            return self.send_envelope(body, content_type)
        headers = {**payloads.signed_headers(secret, body, timestamp=timestamp, content_type=content_type),
                   **(extra_headers or {})}
        request = urllib.request.Request(self.url + path, data=body, headers=headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        elapsed = time.perf_counter() - started
        self.acks.append(elapsed)
        assert elapsed < ACK_LIMIT_SECONDS, f"acknowledged after {elapsed:.2f}s"
        return Reply(status, text, elapsed)

    def send_envelope(self, body: bytes, content_type: str) -> Reply:
        """What Slack sends over Socket Mode for this HTTP body; the reply is the ack's payload."""
        kind, payload = payloads.socket_payload(body, content_type)
        envelope = self.fake.socket_mode.send(kind, payload)
        try:
            ack = envelope.wait_ack(ACK_LIMIT_SECONDS + 5)
        except NotAcked as error:
            raise AssertionError(f"planbot never acknowledged the {kind} envelope") from error
        self.acks.append(ack.elapsed)
        assert ack.elapsed < ACK_LIMIT_SECONDS, f"acknowledged after {ack.elapsed:.2f}s"
        return Reply(200, json.dumps(ack.payload) if ack.payload else "", ack.elapsed)

    def get(self, path: str) -> Reply:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return Reply(response.status, response.read().decode(), time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(), time.perf_counter() - started)

    def command_body(self, text: str, *, user: str = ALICE, channel: str = "CPLAN", team: str = TEAM,
                     response_url: str | None = None) -> bytes:
        self.last_response_url = response_url or self.fake.new_response_url()
        self.last_trigger_id = self.fake.new_trigger_id()
        return payloads.command_body(text, user=user, team=team, channel=channel,
                                     response_url=self.last_response_url, trigger_id=self.last_trigger_id)

    def command(self, text: str, **kwargs: Any) -> Reply:
        """`/plan <text>` typed by a user; the reply is what Slack shows them (the ack body)."""
        return self.post(self.command_body(text, **kwargs), "application/x-www-form-urlencoded")

    def click_body(self, button: dict[str, Any], *, user: str = ALICE, team: str = TEAM,
                   channel: str = "CPLAN", message: dict[str, Any] | None = None,
                   response_url: str | None = None, container: dict[str, Any] | None = None,
                   home: bool = False) -> bytes:
        """A click on a message, or with `home` on the user's App Home (no channel, no response_url)."""
        self.last_response_url = response_url or self.fake.new_response_url()
        self.last_trigger_id = self.fake.new_trigger_id()
        message_ts = (message or {}).get("ts", f"1700000000.{next(self._ids):06d}")
        payload = payloads.click_payload(
            button, user=user, team=team, channel=channel, response_url=self.last_response_url,
            trigger_id=self.last_trigger_id, message_ts=message_ts, message=message, container=container)
        if home:
            view = self.fake.home_view(user) or {"id": "VHOME", "type": "home", "blocks": []}
            for name in ("response_url", "channel", "message"):
                payload.pop(name)
            payload.update(container={"type": "view", "view_id": view["id"]}, view=view)
        return payloads.payload_body(payload)

    def open_home(self, user: str = ALICE, *, tab: str = "home") -> Reply:
        """The user opens planbot's App Home (or, with `tab="messages"`, its Messages tab)."""
        return self.event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab,
                           "event_ts": f"{time.time():.6f}"})

    def click(self, button: dict[str, Any], **kwargs: Any) -> Reply:
        return self.post(self.click_body(button, **kwargs), "application/x-www-form-urlencoded")

    def submit(self, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]], *,
               user: str = ALICE, team: str = TEAM) -> Reply:
        """Submit a modal that planbot opened (`view` as sent to views.open) with these state values."""
        return self.post(self.submit_body(view, values, user=user, team=team), "application/x-www-form-urlencoded")

    def submit_body(self, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]], *,
                    user: str = ALICE, team: str = TEAM) -> bytes:
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "fire"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": APP_ID,
            "token": "legacy-token-unused",
            "trigger_id": self.fake.new_trigger_id(),
            "view": {**view, "id": view.get("id", "VMODAL"), "team_id": team, "app_id": APP_ID,
                     "state": {"values": values}, "hash": "h"},
            "response_urls": [],
        }
        return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()

    def event(self, event: dict[str, Any], *, team: str = TEAM) -> Reply:
        body = {
            "token": "legacy-token-unused", "team_id": team, "api_app_id": APP_ID, "event": event,
            "type": "event_callback", "event_id": f"Ev{next(self._ids):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": self.fake.bot_user_id, "is_bot": True}],
        }
        return self.post(json.dumps(body).encode(), "application/json")


@pytest.fixture
def transport() -> str:
    """HTTP, unless a test says `@both_transports`."""
    return HTTP


@pytest.fixture
def planbot(fake_slack: LocalSlack, sessions: Sessions, now: datetime, transport: str) -> Iterator[PlanbotServer]:
    server = PlanbotServer(fake_slack, sessions, now, transport)
    yield server
    server.close()
