"""Starting the sandbox: the local Slack, the real planbot app on the database, and one waitress
server for the page and `/slack/events`, all in this process and on 127.0.0.1 unless told.

The app gets a signing secret made afresh at each start and a bot token no real Slack accepts,
and its Web API base URL is the local Slack's: nothing it does can reach the real Slack.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from waitress.server import create_server

from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.localslack import LocalSlack
from bot.sandbox.client import Desktop
from bot.sandbox.people import add_people, load_plan_if_empty
from bot.sandbox.web import make_sandbox_wsgi
from bot.slack.app import create_app
from bot.slack.server import EVENTS_PATH, make_wsgi
from storage.db import Sessions, open_database

# Shaped like a bot token so slack_sdk takes it, and refused by every real Slack workspace.
SANDBOX_TOKEN = "xoxb-sandbox-local-only-not-a-slack-token"
DEFAULT_DATABASE = "sqlite:///planbot-sandbox.db"
LOOPBACK = "127.0.0.1"
SERVER_THREADS = 16  # the page's own requests wait on planbot's answers in the same server
KEEP = 2000  # calls and messages the local Slack keeps in a long session


@dataclass
class Sandbox:
    slack: LocalSlack
    sessions: Sessions
    settings: Settings
    app: object  # the Bolt app, as create_app built it
    desktop: Desktop
    server: Any  # waitress
    url: str
    loaded: str | None  # what was loaded into an empty database

    @classmethod
    def start(cls, *, database_url: str = DEFAULT_DATABASE, host: str = LOOPBACK, port: int = 8080,
              plan: str = "demo", clock: Clock = utc_now, sessions: Sessions | None = None) -> Sandbox:
        """Everything started but the server's loop: call `serve()` (or `serve_in_thread()`)."""
        sessions = sessions or open_database(database_url)
        loaded = load_plan_if_empty(sessions, plan, clock())
        slack = LocalSlack(keep=KEEP).start(host=LOOPBACK)
        add_people(slack)
        signing_secret = secrets.token_hex(32)
        settings = Settings(
            slack_bot_token=SecretStr(SANDBOX_TOKEN),
            slack_signing_secret=SecretStr(signing_secret),
            slack_app_token=None,
            slack_api_url=slack.url,
            database_url=database_url,
        )
        app = create_app(settings, sessions, clock=clock)
        desktop = Desktop(slack, "", signing_secret)  # told where to post once the server has its port
        server: Any = create_server(make_sandbox_wsgi(desktop, make_wsgi(app, sessions)), host=host, port=port,
                               threads=SERVER_THREADS, backlog=1024, channel_timeout=30, ident="planbot-sandbox")
        local = LOOPBACK if host in ("0.0.0.0", "", "::") else host
        base = f"http://{local}:{int(server.effective_port)}"
        desktop.events_url = base + EVENTS_PATH
        return cls(slack, sessions, settings, app, desktop, server, base + "/", loaded)

    def serve(self) -> None:
        """Serve until interrupted (Ctrl-C), then stop everything."""
        try:
            self.server.run()
        except KeyboardInterrupt:
            pass
        finally:
            self.close()

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self._run_quietly, name="planbot-sandbox", daemon=True)
        thread.start()
        return thread

    def _run_quietly(self) -> None:
        try:
            self.server.run()
        except OSError:
            pass  # close() pulls the sockets from under waitress's loop

    def close(self) -> None:
        self.server.close()
        self.slack.stop()
        self.sessions.engine.dispose()
