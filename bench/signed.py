"""Requests as Slack sends them (signed with the signing secret), and a keep-alive client.

The bodies mirror tests/slackharness.py: a `/plan` slash command and a `block_actions` click.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
APP_ID = "APLANBOT"
EVENTS_PATH = "/slack/events"
FORM = "application/x-www-form-urlencoded"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Request:
    body: bytes
    response_key: str  # the last part of the request's response_url
    content_type: str = FORM


def command(text: str, *, user: str, team: str, channel: str, slack_base: str) -> Request:
    n = next(_ids)
    key = f"bench{n:08d}"
    form = {
        "token": "legacy-token-unused", "team_id": team, "team_domain": "fire", "channel_id": channel,
        "channel_name": "plan", "user_id": user, "user_name": user.lower(), "command": "/plan",
        "text": text, "api_app_id": APP_ID, "response_url": f"{slack_base}/response/{key}",
        "trigger_id": f"{n}.{team}.bench",
    }
    return Request(urllib.parse.urlencode(form).encode(), key)


def click(button: dict[str, Any], *, user: str, team: str, channel: str, slack_base: str,
          message: dict[str, Any] | None = None) -> Request:
    n = next(_ids)
    key = f"bench{n:08d}"
    message_ts = (message or {}).get("ts", f"1700000000.{n:06d}")
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "team": {"id": team, "domain": "fire"},
        "api_app_id": APP_ID,
        "token": "legacy-token-unused",
        "trigger_id": f"{n}.{team}.bench",
        "response_url": f"{slack_base}/response/{key}",
        "channel": {"id": channel, "name": "plan"},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": True},
        "message": message or {"type": "message", "ts": message_ts, "text": "", "blocks": []},
        "actions": [{
            "type": button.get("type", "button"), "action_id": button["action_id"],
            "block_id": button.get("block_id", ""), "value": button.get("value", ""),
            "text": button.get("text", {"type": "plain_text", "text": "?"}),
            "action_ts": f"{time.time():.6f}",
        }],
    }
    return Request(urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), key)


def signed_headers(request: Request, secret: str = SIGNING_SECRET) -> dict[str, str]:
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + request.body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"Content-Type": request.content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature, "Content-Length": str(len(request.body))}


class Client:
    """One keep-alive HTTP/1.1 connection to the server under test."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.connection.connect()

    def send(self, request: Request, headers: dict[str, str]) -> tuple[int, bytes, float]:
        """POST a signed request; the status, the body and the seconds until the whole ack arrived."""
        started = time.perf_counter()
        self.connection.request("POST", EVENTS_PATH, body=request.body, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started

    def get(self, path: str) -> tuple[int, bytes]:
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()
