"""Requests as Slack sends them to an app: the bodies of a `/plan` command and a button click,
and the signature over them; and what Slack sends over Socket Mode instead (`socket_payload`).
The test harness, the benchmark and the sandbox send these."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

from bot.localslack.socket import EnvelopeType

APP_ID = "APLANBOT"
FORM = "application/x-www-form-urlencoded"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`X-Slack-Signature`: v0= and the HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, timestamp: int | None = None,
                   content_type: str = FORM) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(secret, ts, body)}


def command_body(text: str, *, user: str, team: str, channel: str, response_url: str, trigger_id: str,
                 channel_name: str = "plan", user_name: str | None = None) -> bytes:
    return urllib.parse.urlencode(command_fields(text, user=user, team=team, channel=channel,
                                                 response_url=response_url, trigger_id=trigger_id,
                                                 channel_name=channel_name, user_name=user_name)).encode()


def command_fields(text: str, *, user: str, team: str, channel: str, response_url: str, trigger_id: str,
                   channel_name: str = "plan", user_name: str | None = None) -> dict[str, str]:
    """A `/plan` command's fields: the form Slack posts over HTTP, the payload over Socket Mode."""
    return {
        "token": "legacy-token-unused", "team_id": team, "team_domain": "fire", "channel_id": channel,
        "channel_name": channel_name, "user_id": user, "user_name": user_name or user.lower(), "command": "/plan",
        "text": text, "api_app_id": APP_ID, "response_url": response_url, "trigger_id": trigger_id,
    }


def click_payload(button: dict[str, Any], *, user: str, team: str, channel: str, response_url: str,
                  trigger_id: str, message_ts: str, message: dict[str, Any] | None = None,
                  container: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `block_actions` payload for a click on `button` (as found in a message's blocks)."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "team": {"id": team, "domain": "fire"},
        "api_app_id": APP_ID,
        "token": "legacy-token-unused",
        "trigger_id": trigger_id,
        "response_url": response_url,
        "channel": {"id": channel, "name": "plan"},
        "container": container or {"type": "message", "message_ts": message_ts, "channel_id": channel,
                                    "is_ephemeral": True},
        "message": message or {"type": "message", "ts": message_ts, "text": "", "blocks": []},
        "actions": [{
            "type": button.get("type", "button"), "action_id": button["action_id"],
            "block_id": button.get("block_id", ""), "value": button.get("value", ""),
            "text": button.get("text", {"type": "plain_text", "text": "?"}),
            "action_ts": f"{time.time():.6f}",
        }],
    }


def payload_body(payload: dict[str, Any]) -> bytes:
    """The form body Slack posts an interaction payload in."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def socket_payload(body: bytes, content_type: str) -> tuple[EnvelopeType, dict[str, Any]]:
    """What Slack sends over Socket Mode for what it would post over HTTP: a command's fields
    (`slash_commands`), an interaction's payload (`interactive`) or an event callback (`events_api`)."""
    if content_type.startswith("application/json"):
        return EnvelopeType.EVENTS_API, json.loads(body)
    form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    if "payload" in form:
        return EnvelopeType.INTERACTIVE, json.loads(form["payload"])
    return EnvelopeType.SLASH_COMMANDS, form
