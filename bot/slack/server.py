"""Serving the app: HTTP with waitress (a production WSGI server), or Socket Mode (Bolt's
adapter on slack_sdk's built-in client, connecting out to Slack).

Bolt's own `app.start()` is a single-threaded development server with a listen backlog of 5;
measured here, 16 requests in flight pushed even a bare app past Slack's 3-second limit.
waitress is a pure-Python, multi-threaded WSGI server with a real accept queue, runs the same
on every platform, and needs no worker processes (so one process also runs the scheduler).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from waitress.server import create_server

from bot.slack.app import LISTENER_THREADS
from storage.db import Sessions

log = logging.getLogger("planbot.server")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HEALTH_PING_SECONDS = 0.8  # a database that has not answered by then is reported down (503)
PING_SECONDS = 5  # Socket Mode: how often the connection is checked (Bolt's default is 10)
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi(app: App, sessions: Sessions) -> WSGIApp:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            healthy = sessions.ping(HEALTH_PING_SECONDS)
            body = json.dumps({"ok": healthy, "database": "reachable" if healthy else "unreachable"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return wsgi


def make_http_server(app: App, sessions: Sessions, *, host: str = "0.0.0.0", port: int = 3000,
                     threads: int = 8) -> Any:
    """A waitress server (not yet running): `.run()` serves, `.close()` stops; port 0 picks one."""
    return create_server(make_wsgi(app, sessions), host=host, port=port, threads=threads,
                         backlog=1024, connection_limit=1000, channel_timeout=30, ident="planbot")


def serve_until_interrupted(server: Any) -> None:
    """Run a server from make_http_server until Ctrl-C (or the process is told to stop)."""
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def socket_mode_handler(app: App, app_token: str, *, web_client: WebClient | None = None) -> Any:
    """Bolt's Socket Mode adapter on slack_sdk's built-in client (no other package needed):
    `.connect()` connects (and reconnects by itself), `.close()` stops; `.start()` also blocks.

    It asks `apps.connections.open` with `web_client` (by default the app's own client, at the
    configured API URL). Each envelope holds one of the client's workers until the app acks it
    (at 2.3 s at the latest, `bot.slack.deadline`); time spent queued for a worker is not
    counted there, so there are workers for every listener thread and as many again for
    requests waiting for one.

    The client reconnects at once when Slack says `disconnect`; a connection closed under it
    without one is found at its next ping, every PING_SECONDS.
    """
    # Socket Mode's adapter (and its client) loads only when `--socket` chooses it.
    from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415

    return SocketModeHandler(app, app_token, web_client=web_client, concurrency=2 * LISTENER_THREADS,
                             ping_interval=PING_SECONDS)


class CannotConnect(Exception):
    """Slack refused to open a Socket Mode connection; the message says why and what to check."""


def serve_socket_mode(app: App, app_token: str) -> None:
    """Connect over Socket Mode and handle envelopes until Ctrl-C (or the process is told to stop)."""
    handler = socket_mode_handler(app, app_token)
    try:
        handler.start()
    except SlackApiError as error:
        code = error.response.get("error") or f"HTTP {error.response.status_code}"
        raise CannotConnect(f"Slack answered {code} to apps.connections.open: SLACK_APP_TOKEN must be the app's "
                            "app-level token (xapp-…, Basic Information → App-Level Tokens) with the "
                            "connections:write scope, not the bot token.") from error
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
