"""Socket Mode in the local Slack: `apps.connections.open` and the WebSocket it hands out.

As Slack does, it gives an app a WebSocket URL for its app-level token (`xapp-…`; a bot token is
`not_allowed_token_type`, an unknown one `invalid_auth`). Each URL carries a ticket that opens one
connection. On connect it says `hello`; then it sends envelopes (`slash_commands`, `interactive`,
`events_api`), each with its `envelope_id` and `accepts_response_payload`, and reads the app's acks
(`{"envelope_id": …, "payload": …}`). An envelope not acknowledged within `resend_after` seconds
is sent again, with the same id and payload and `retry_attempt` counting up (`retry_reason`
"timeout"), to an open connection, at most `max_resends` times. Slack documents this for events;
the local Slack does it for every envelope, so that a test shows a re-sent command or click is
handled once. `disconnect()` sends Slack's `disconnect` message (`refresh_requested`,
`too_many_websockets`, `link_disabled`): nothing more is sent on those connections, the app is
expected to connect again, and they are closed after `retire_after` seconds if the app has not
closed them. `lose_acks()` loses acks on the way, as a connection failing under them would: their
envelopes are re-sent.

The WebSocket is served by the `websockets` library's threaded server, on a port of its own.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

Json = dict[str, Any]

APPS_CONNECTIONS_OPEN = "apps.connections.open"
RESEND_AFTER = 3.0  # Slack waits 3 seconds for an ack
MAX_RESENDS = 3
RESEND_CHECK_SECONDS = 0.05
RETIRE_AFTER = 5.0  # a connection asked to disconnect is closed after this if the app has not
TIMEOUT = "timeout"


class EnvelopeType(StrEnum):
    SLASH_COMMANDS = "slash_commands"
    INTERACTIVE = "interactive"
    EVENTS_API = "events_api"


class DisconnectReason(StrEnum):
    REFRESH_REQUESTED = "refresh_requested"
    TOO_MANY_WEBSOCKETS = "too_many_websockets"
    LINK_DISABLED = "link_disabled"


# Interactions whose ack may carry an answer: a view_submission's response_action, options.
ANSWERED_INTERACTIONS = frozenset({"view_submission", "block_suggestion"})


def accepts_response_payload(kind: EnvelopeType, payload: Json) -> bool:
    """Whether Slack reads a payload in this envelope's ack, as it says in the envelope."""
    if kind == EnvelopeType.SLASH_COMMANDS:
        return True
    return kind == EnvelopeType.INTERACTIVE and payload.get("type") in ANSWERED_INTERACTIONS


class NotAcked(AssertionError):
    """wait_ack() timed out: the app did not acknowledge the envelope."""


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: Json | None  # what the ack carried beside the envelope id (None: nothing)
    elapsed: float  # seconds from the envelope's first sending to this ack
    connection: int  # which connection it came on (1: the first opened)


@dataclass
class Envelope:
    """One envelope the local Slack sends, and what became of it."""

    type: EnvelopeType
    payload: Json
    accepts_response_payload: bool
    envelope_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    sends: list[tuple[float, int]] = field(default_factory=list)  # (time.monotonic(), connection) per sending
    acks: list[Ack] = field(default_factory=list)
    _acked: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def ack(self) -> Ack | None:
        """The first ack (a re-sent envelope may be acknowledged more than once)."""
        return self.acks[0] if self.acks else None

    @property
    def retry_attempt(self) -> int:
        return max(0, len(self.sends) - 1)

    def message(self) -> Json:
        """The envelope as it goes on the wire, this time."""
        message: Json = {"envelope_id": self.envelope_id, "type": str(self.type), "payload": self.payload,
                         "accepts_response_payload": self.accepts_response_payload}
        if self.type == EnvelopeType.EVENTS_API:
            message.update(retry_attempt=self.retry_attempt, retry_reason=TIMEOUT if self.retry_attempt else "")
        return message

    def wait_ack(self, timeout: float = 5.0) -> Ack:
        if not self._acked.wait(timeout):
            raise NotAcked(f"envelope {self.envelope_id} ({self.type}) was not acknowledged within {timeout}s; "
                           f"sent {len(self.sends)} time(s)")
        ack = self.ack
        assert ack is not None
        return ack


@dataclass
class _Connection:
    number: int
    socket: ServerConnection
    lock: threading.Lock = field(default_factory=threading.Lock)
    open: bool = True
    retiring: bool = False  # asked to disconnect: nothing more is sent on it

    def send(self, message: Json) -> bool:
        with self.lock:
            if not self.open:
                return False
            try:
                self.socket.send(json.dumps(message))
            except ConnectionClosed:
                self.open = False
                return False
        return True


def token_of(headers: dict[str, str], args: Json) -> str:
    """The token a Web API call carries: `Authorization: Bearer …`, else a `token` argument."""
    bearer = headers.get("authorization", "")
    if bearer.startswith("Bearer "):
        return bearer.removeprefix("Bearer ").strip()
    return str(args.get("token") or "")


class SocketMode:
    """The app-level token, the WebSocket server, and the envelopes sent over it."""

    def __init__(self, *, app_id: str, app_token: str | None = None, host: str = "127.0.0.1",
                 resend_after: float = RESEND_AFTER, max_resends: int = MAX_RESENDS,
                 retire_after: float = RETIRE_AFTER) -> None:
        self.app_id = app_id
        self.app_token = app_token or f"xapp-1-{app_id}-1-{secrets.token_hex(16)}"
        self.resend_after = resend_after
        self.max_resends = max_resends
        self.retire_after = retire_after
        self._acks_to_lose = 0
        self._lost_acks: list[Json] = []
        self._host = host
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._tickets: set[str] = set()
        self._numbers = itertools.count(1)
        self._connections: list[_Connection] = []
        self._hellos = 0
        self._envelopes: list[Envelope] = []
        self._by_id: dict[str, Envelope] = {}
        self._stray_acks: list[Json] = []
        self._stopping = threading.Event()
        self._server: Server = serve(self._serve, host, 0, process_request=self._check_ticket)
        self.port = int(self._server.socket.getsockname()[1])
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="local-slack-socket", daemon=True),
            threading.Thread(target=self._resend_loop, name="local-slack-resend", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.socket.close()
        self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)

    # apps.connections.open

    def open(self, token: str) -> Json:
        """What `apps.connections.open` answers for this token."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if not secrets.compare_digest(token, self.app_token):
            return {"ok": False, "error": "invalid_auth"}
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
        return {"ok": True, "url": f"ws://{self._host}:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"}

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        tickets = parse_qs(urlsplit(request.path).query).get("ticket") or [""]
        with self._lock:
            if tickets[0] in self._tickets:
                self._tickets.discard(tickets[0])  # a ticket opens one connection
                return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    # The connections

    def _serve(self, socket: ServerConnection) -> None:
        connection = _Connection(next(self._numbers), socket)
        with self._changed:
            self._connections.append(connection)
            open_now = sum(1 for c in self._connections if c.open)
        hello = {"type": "hello", "num_connections": open_now,
                 "debug_info": {"host": "local-slack", "approximate_connection_time": 3600},
                 "connection_info": {"app_id": self.app_id}}
        if connection.send(hello):
            with self._changed:
                self._hellos += 1
                self._changed.notify_all()
        try:
            for raw in socket:
                self._read(raw, connection.number)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                connection.open = False
                self._changed.notify_all()

    def _read(self, raw: str | bytes, number: int) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        with self._changed:
            if envelope_id and self._acks_to_lose > 0 and isinstance(message, dict):
                self._acks_to_lose -= 1
                self._lost_acks.append(message)
                return
            envelope = self._by_id.get(str(envelope_id)) if envelope_id else None
            if envelope is None or not envelope.sends:
                self._stray_acks.append(message if isinstance(message, dict) else {"raw": str(raw)})
                return
            payload = message.get("payload") if isinstance(message, dict) else None
            envelope.acks.append(Ack(envelope.envelope_id, payload if isinstance(payload, dict) else None,
                                     time.monotonic() - envelope.sends[0][0], number))
            envelope._acked.set()
            self._changed.notify_all()

    def _newest_open(self) -> _Connection | None:
        return next((c for c in reversed(self._connections) if c.open and not c.retiring), None)

    @property
    def connections(self) -> int:
        """How many connections are open now."""
        with self._lock:
            return sum(1 for c in self._connections if c.open)

    @property
    def hellos(self) -> int:
        """How many connections were said hello to since start."""
        with self._lock:
            return self._hellos

    def wait_connected(self, hellos: int = 1, timeout: float = 10.0) -> None:
        """Wait until `hellos` connections have been said hello to and one is open."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._hellos < hellos or self._newest_open() is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise NotAcked(f"expected {hellos} connection(s) within {timeout}s, got {self._hellos}")
                self._changed.wait(remaining)

    def disconnect(self, reason: DisconnectReason = DisconnectReason.REFRESH_REQUESTED) -> int:
        """Ask every open connection to reconnect, as Slack does; how many were asked."""
        with self._lock:
            connections = [c for c in self._connections if c.open and not c.retiring]
            for connection in connections:
                connection.retiring = True
        message = {"type": "disconnect", "reason": str(reason), "debug_info": {"host": "local-slack"}}
        asked = sum(1 for connection in connections if connection.send(message))
        for connection in connections:
            closing = threading.Timer(self.retire_after, connection.socket.close)
            closing.daemon = True
            closing.start()
        return asked

    def close_connections(self) -> int:
        """Close every open connection from Slack's side, without a `disconnect` first; how many."""
        with self._lock:
            connections = [c for c in self._connections if c.open]
        for connection in connections:
            connection.socket.close()
        return len(connections)

    def lose_acks(self, count: int = 1) -> None:
        """Lose the next `count` acks on the way: their envelopes are re-sent when their time is up."""
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._acks_to_lose += count

    @property
    def lost_acks(self) -> list[Json]:
        with self._lock:
            return list(self._lost_acks)

    # Envelopes

    def send(self, kind: EnvelopeType, payload: Json, *, accepts_response: bool | None = None) -> Envelope:
        """Send an envelope to the newest open connection (or to the next one to open)."""
        accepts = accepts_response_payload(kind, payload) if accepts_response is None else accepts_response
        envelope = Envelope(kind, payload, accepts)
        with self._lock:
            self._envelopes.append(envelope)
            self._by_id[envelope.envelope_id] = envelope
        self._deliver(envelope)
        return envelope

    def _deliver(self, envelope: Envelope) -> bool:
        with self._lock:
            connection = self._newest_open()
            if connection is None:
                return False
            envelope.sends.append((time.monotonic(), connection.number))
            message = envelope.message()
        if connection.send(message):
            return True
        with self._lock:
            envelope.sends.pop()  # it never left: the connection had closed
        return False

    def _due(self, now: float) -> Iterator[Envelope]:
        with self._lock:
            for envelope in self._envelopes:
                if envelope.acks:
                    continue
                if not envelope.sends:
                    yield envelope  # waiting for a connection
                elif now - envelope.sends[-1][0] >= self.resend_after and len(envelope.sends) <= self.max_resends:
                    yield envelope

    def _resend_loop(self) -> None:
        while not self._stopping.wait(RESEND_CHECK_SECONDS):
            for envelope in list(self._due(time.monotonic())):
                self._deliver(envelope)

    @property
    def envelopes(self) -> list[Envelope]:
        with self._lock:
            return list(self._envelopes)

    @property
    def stray_acks(self) -> list[Json]:
        """Messages the app sent that acknowledge no envelope sent to it."""
        with self._lock:
            return list(self._stray_acks)
