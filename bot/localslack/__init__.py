"""A local Slack: the Web API methods and response URLs planbot uses, served on 127.0.0.1.

Tests, the benchmark and the sandbox talk to it with the real slack_sdk clients. It records
calls, holds messages and views as Slack would, enforces Slack's limits, refuses what Slack
refuses (and records each refusal), mints trigger ids and response URLs with their limits,
injects faults on request, and signs requests as Slack signs them (`payloads`). For Socket
Mode (`socket`) it answers `apps.connections.open` and serves the WebSocket that carries envelopes.
"""

from bot.localslack.limits import (
    MAX_BUTTON_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_SECTION_TEXT,
    MAX_VIEW_BLOCKS,
)
from bot.localslack.records import Call, Refusal, refusal_of
from bot.localslack.socket import Ack, DisconnectReason, Envelope, EnvelopeType, NotAcked, SocketMode
from bot.localslack.workspace import RESPONSE_URL_MAX_POSTS, RESPONSE_URL_TTL, TRIGGER_TTL, LocalSlack, NotSeen

__all__ = [
    "MAX_BUTTON_TEXT",
    "MAX_MESSAGE_BLOCKS",
    "MAX_MESSAGE_TEXT",
    "MAX_SECTION_TEXT",
    "MAX_VIEW_BLOCKS",
    "RESPONSE_URL_MAX_POSTS",
    "RESPONSE_URL_TTL",
    "TRIGGER_TTL",
    "Ack",
    "Call",
    "DisconnectReason",
    "Envelope",
    "EnvelopeType",
    "LocalSlack",
    "NotAcked",
    "NotSeen",
    "Refusal",
    "SocketMode",
    "refusal_of",
]
