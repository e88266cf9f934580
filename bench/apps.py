"""The two apps under test, each served in its own process by planbot's own server stack.

`python -m bench.apps planbot|bare --database-url URL --api-url URL [--threads N]` prints
`PORT <n>` once it is serving. Both apps are waitress via `bot.slack.server.make_http_server`
with the same thread count and a Bolt `App` with the same client, signing secret and token
checks; the bare app's listeners only `ack()`. With `--socket-api-url URL --app-token TOKEN`
each also connects over Socket Mode as `planbot serve --socket` does
(`bot.slack.server.socket_mode_handler`), asking that local Slack's `apps.connections.open`.
`GET /bench/stats` answers how many SQL
statements the app has run so far (the bare app runs none) and how many listener calls are
still running (work after the ack included), so the benchmark knows when the app is idle.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from typing import Any

from pydantic import SecretStr
from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import event

from bench.plans import NOW
from bench.signed import BOT_TOKEN, SIGNING_SECRET
from bot.config import Settings
from bot.slack.app import create_app, make_client
from bot.slack.server import make_http_server, serve_until_interrupted, socket_mode_handler
from storage.db import open_database

STATS_PATH = "/bench/stats"


def bare_app(settings: Settings) -> App:
    """A Bolt app that acks `/plan` and every planbot button, and does nothing else."""
    app = App(client=make_client(settings), signing_secret=SIGNING_SECRET, token_verification_enabled=True,
              logger=logging.getLogger("bench.bare"))

    @app.command("/plan")
    def plan_command(ack: Ack) -> None:
        ack()

    @app.action({"type": "block_actions", "action_id": re.compile(r"^plan\.")})
    def plan_button(ack: Ack) -> None:
        ack()

    return app


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> None:
        with self._lock:
            self.count += 1


class CountingExecutor(Executor):
    """Bolt's own listener executor, unchanged, counting the calls that have not finished."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.running = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self.running += 1
        future = self.inner.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[Any]) -> None:
        with self._lock:
            self.running -= 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait, cancel_futures=cancel_futures)


def with_stats(wsgi: Callable[..., Iterable[bytes]], counter: StatementCounter,
               executor: CountingExecutor) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == STATS_PATH:
            body = json.dumps({"statements": counter.count, "running": executor.running}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return wsgi(environ, start_response)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.apps")
    parser.add_argument("kind", choices=("planbot", "bare"))
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--socket-api-url", help="also connect over Socket Mode, asking this Web API for the URL")
    parser.add_argument("--app-token", help="the app-level token for Socket Mode")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")

    settings = Settings(slack_bot_token=SecretStr(BOT_TOKEN), slack_signing_secret=SecretStr(SIGNING_SECRET),
                        slack_api_url=args.api_url, database_url=args.database_url)
    sessions = open_database(args.database_url)
    counter = StatementCounter()
    app = create_app(settings, sessions, clock=lambda: NOW) if args.kind == "planbot" else bare_app(settings)
    if args.kind == "planbot":
        event.listen(sessions.engine, "before_cursor_execute", counter)
    server = make_http_server(app, sessions, host="127.0.0.1", port=0, threads=args.threads)
    executor = CountingExecutor(app.listener_runner.listener_executor)
    app.listener_runner.listener_executor = executor
    server.application = with_stats(server.application, counter, executor)
    if args.socket_api_url:
        socket = socket_mode_handler(app, args.app_token, web_client=WebClient(base_url=args.socket_api_url))
        socket.connect()
    print(f"PORT {server.effective_port}", flush=True)
    serve_until_interrupted(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
