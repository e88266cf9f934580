"""The Bolt app factory: one client pointed at SLACK_API_URL, listeners registered explicitly;
one bot token, or installed by OAuth in many workspaces (`bot.slack.installs`)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.slack import commands, errors, home, interactions, paper_settings, reminders, summary_commands
from bot.slack.context import Deps
from bot.slack.deadline import TRANSACTION_SECONDS, AnsweringExecutor, answer_in_time
from bot.slack.request import read_request
from storage.db import Sessions

LISTENER_THREADS = 16
APP_NAME = "app.py"  # what Bolt names it when not told (its caller's file): its listeners' logger


def make_client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(
    settings: Settings,
    sessions: Sessions,
    *,
    clock: Clock = utc_now,
    token_verification: bool = True,
) -> App:
    """The app; with `settings.many_workspaces`, installed by OAuth (`bot.slack.installs`)."""
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    many = None
    if settings.many_workspaces:
        # OAuth's stores (slack_sdk's SQLAlchemy ones) and Fernet load only to serve many workspaces.
        from bot.slack import installs  # noqa: PLC0415

        many = installs.make_installs(settings, sessions.engine)
    app = App(
        # Unnamed, Bolt names the app after its caller's file by walking the whole stack
        # (inspect.stack() reads every frame's source: some 70 ms of each start). This is that name.
        name=APP_NAME,
        client=make_client(settings),
        oauth_settings=many.oauth if many else None,
        # Work after an ack (the transaction, redrawing the message, refreshing App Home) holds a
        # listener thread; Bolt's default of 5 queued a burst of 20 clicks for over a second. The
        # request is handed back as soon as its listener acks, not at Bolt's next 10 ms look.
        listener_executor=AnsweringExecutor(
            ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="planbot-listener")),
        signing_secret=signing_secret,
        token_verification_enabled=token_verification,
        logger=logging.getLogger("planbot.bolt"),
    )
    deps = Deps(settings=settings, sessions=sessions.limited(TRANSACTION_SECONDS).requiring_scope(), clock=clock)
    errors.register(app)
    app.use(answer_in_time(deps.sessions))  # first: whatever holds a request up, Slack is answered in time
    if many:
        app.use(installs.read_workspace)  # whose installation answered: the plans the request sees
        installs.register(app)
    app.use(read_request)  # who acted and the clicked control's value, read once for every listener
    commands.register(app, deps)
    interactions.register(app, deps)
    home.register(app, deps)
    summary_commands.register(app, deps)
    reminders.register(app, deps)
    paper_settings.register(app, deps)
    return app
