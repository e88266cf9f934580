"""Requests as Slack sends them (signed with the signing secret), and a keep-alive client.

The bodies and signatures are the local Slack's (bot/localslack/payloads.py), as the test
harness sends them: a `/plan` command and a click.
"""

from __future__ import annotations

import http.client
import itertools
import time
from dataclasses import dataclass
from typing import Any

from bot.localslack import payloads
from bot.localslack.payloads import FORM

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
EVENTS_PATH = "/slack/events"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Request:
    body: bytes
    response_key: str  # the last part of the request's response_url
    content_type: str = FORM


def command(text: str, *, user: str, team: str, channel: str, slack_base: str) -> Request:
    n = next(_ids)
    key = f"bench{n:08d}"
    body = payloads.command_body(text, user=user, team=team, channel=channel,
                                 response_url=f"{slack_base}/response/{key}", trigger_id=f"{n}.{team}.bench")
    return Request(body, key)


def click(button: dict[str, Any], *, user: str, team: str, channel: str, slack_base: str,
          message: dict[str, Any] | None = None) -> Request:
    n = next(_ids)
    key = f"bench{n:08d}"
    payload = payloads.click_payload(
        button, user=user, team=team, channel=channel, response_url=f"{slack_base}/response/{key}",
        trigger_id=f"{n}.{team}.bench", message_ts=(message or {}).get("ts", f"1700000000.{n:06d}"),
        message=message)
    return Request(payloads.payload_body(payload), key)


def signed_headers(request: Request, secret: str = SIGNING_SECRET) -> dict[str, str]:
    headers = payloads.signed_headers(secret, request.body, content_type=request.content_type)
    return {**headers, "Content-Length": str(len(request.body))}


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
