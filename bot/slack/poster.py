"""Posting to a channel with retries that never double a post: the summary (the scheduler's
`Poster`) and every other message planbot posts ("Share in channel").

Each message planbot posts carries metadata that names it: a summary its plan and period (and,
in the thread, its part), a shared message the delivery it answers. When Slack answers 5xx or
the network fails, the message may have been kept all the same, so before a retry (or when a
period is claimed again) planbot looks for it in the channel instead of posting it twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from typing import Any, Final, Generic, Self, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.paper.formats import Attachment
from bot.plan.people import Name, name_from_profile
from bot.plan.summary import Summary
from bot.scheduler import PostFailed, Refused
from bot.slack.blocks import Message
from bot.slack.summary_blocks import SlackSummary, summary_messages

log = logging.getLogger("planbot.slack.poster")

SUMMARY_EVENT: Final = "planbot_summary"
PART_EVENT: Final = "planbot_summary_part"
SHARE_EVENT: Final = "planbot_share"
CHANNEL_PACE_SECONDS = 1.0  # chat.postMessage: about one message a second a channel


def summary_metadata(plan_key: str, period: str, part: int | None = None) -> dict[str, Any]:
    """Marks a message as planbot's post of this plan's period (or a part of its thread)."""
    if part is None:
        return {"event_type": SUMMARY_EVENT, "event_payload": {"plan": plan_key, "period": period}}
    return {"event_type": PART_EVENT, "event_payload": {"plan": plan_key, "period": period, "part": part}}


def share_metadata(delivery: str) -> dict[str, Any]:
    """Marks a message as planbot's answer to one "Share in channel" click (`delivery` names it)."""
    return {"event_type": SHARE_EVENT, "event_payload": {"delivery": delivery}}


def _marked(message: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The message's metadata payload if it carries `metadata` (its event type and every field
    of its payload), else None."""
    found = message.get("metadata") or {}
    payload: dict[str, Any] = found.get("event_payload") or {}
    wanted: dict[str, Any] = metadata["event_payload"]
    if found.get("event_type") == metadata["event_type"] and all(payload.get(k) == v for k, v in wanted.items()):
        return payload
    return None


def retry_after(error: SlackApiError, default: float = 1.0) -> float:
    """The seconds a 429 answer asks to wait (its Retry-After header)."""
    headers = error.response.headers if error.response is not None else {}
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError, IndexError):
                return default
    return default


def _slack_problem(error: Exception) -> str:
    if isinstance(error, SlackRequestError) and not isinstance(error, SlackApiError):
        return f"Slack did not take the file ({error})"
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        return f"Slack answered {code or error.response.status_code}"
    return f"Slack could not be reached ({error})"


class SlackPoster:
    """Posts messages to channels with slack_sdk, each marked with metadata.

    Posts to one channel keep `pace` seconds apart (Slack takes about one message a second a
    channel, and answers 429 beyond), so a summary and its thread go out without being refused.
    A post is retried with backoff when Slack answers 429 or 5xx or the network fails (a 429
    after its `Retry-After`); before a retry it looks for the message it may have posted after
    all, so a retry never doubles a post. Reads (history, replies) use slack_sdk's own retry
    handlers.
    """

    def __init__(self, poster: WebClient, reader: WebClient, *, attempts: int = 4, backoff: float = 2.0,
                 history_limit: int = 200, sleep: Callable[[float], None] = time.sleep,
                 pace: float = CHANNEL_PACE_SECONDS) -> None:
        self.client = poster
        self.reader = reader
        self.attempts = attempts
        self.backoff = backoff
        self.history_limit = history_limit
        self.sleep = sleep
        self.pace = pace
        self._last_post: dict[str, float] = {}  # channel -> when this poster last posted there
        self._channels: dict[str, threading.Lock] = {}  # one post at a time a channel
        self._channels_lock = threading.Lock()

    def _channel(self, channel_id: str) -> threading.Lock:
        with self._channels_lock:
            return self._channels.setdefault(channel_id, threading.Lock())

    def _keep_pace(self, channel_id: str) -> None:
        """Wait until `pace` seconds have passed since Slack answered this poster's last post to
        the channel (by then Slack has had it, so its own clock sees at least that gap)."""
        last = self._last_post.get(channel_id)
        if last is not None and (wait := last + self.pace - time.monotonic()) > 0:
            self.sleep(wait)

    @classmethod
    def from_settings(cls, settings: Settings, *, token: str | None = None, **options: Any) -> Self:
        """Clients with the bot token: `token` (a workspace's, when planbot serves many), else
        SLACK_BOT_TOKEN's."""
        if token is None and settings.slack_bot_token is not None:
            token = settings.slack_bot_token.get_secret_value()
        # Only 429s are retried inside slack_sdk for posts: a 5xx may come after Slack stored
        # the message, so those retries look first (see _post).
        poster = WebClient(token=token, base_url=settings.api_url, timeout=15,
                           retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)])
        reader = WebClient(token=token, base_url=settings.api_url, timeout=15, retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ])
        return cls(poster, reader, **options)

    def _read(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (SlackApiError, OSError) as error:
            raise PostFailed(_slack_problem(error)) from error

    def find_marked(self, channel_id: str, metadata: dict[str, Any]) -> str | None:
        """The ts of the message in the channel's recent history that carries `metadata`, if any."""
        response = self._read(lambda: self.reader.conversations_history(
            channel=channel_id, limit=self.history_limit, include_all_metadata=True))
        for message in response.get("messages") or []:
            if _marked(message, metadata) is not None:
                return str(message["ts"])
        return None

    def post(self, channel_id: str, message: Message, metadata: dict[str, Any], *,
             look: Callable[[], str | None] | None = None, thread_ts: str | None = None) -> str:
        """Post `message` marked with `metadata` once, whatever Slack answers on the way; its ts.

        Before each retry it runs `look` (by default: this channel's history for `metadata`), and
        a message found there is the post. Refused if Slack refuses it; PostFailed if Slack
        stays unavailable for every attempt.
        """
        payload = message.to_dict()
        look = look or (lambda: self.find_marked(channel_id, metadata))
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            wait, refused = delay, False
            try:
                with self._channel(channel_id):  # summaries are posted side by side (bot.scheduler)
                    self._keep_pace(channel_id)
                    try:
                        response = self.client.chat_postMessage(
                            channel=channel_id, text=payload["text"], blocks=payload["blocks"], metadata=metadata,
                            thread_ts=thread_ts, unfurl_links=False, unfurl_media=False)
                    finally:
                        self._last_post[channel_id] = time.monotonic()
                return str(response["ts"])
            except SlackApiError as error:
                status = error.response.status_code if error.response is not None else 0
                if status < HTTPStatus.INTERNAL_SERVER_ERROR and status != HTTPStatus.TOO_MANY_REQUESTS:
                    code = error.response.get("error") if error.response is not None else None
                    raise Refused(_slack_problem(error), str(code or status)) from error
                problem = _slack_problem(error)
                if status == HTTPStatus.TOO_MANY_REQUESTS:  # still limited after slack_sdk's own retries
                    wait, refused = max(delay, retry_after(error)), True
            except OSError as error:  # the network: the post may or may not have reached Slack
                problem = _slack_problem(error)
            if attempt == self.attempts:
                raise PostFailed(f"{problem}, {attempt} times")
            log.warning("posting to %s: %s; trying again in %.1fs", channel_id, problem, wait)
            self.sleep(wait)
            delay *= 2
            found = None if refused else look()  # Slack keeps nothing it answered 429 to
            if found is not None:
                return found
        raise AssertionError("unreachable")

    def permalink(self, channel_id: str, ts: str) -> str | None:
        try:
            return str(self.reader.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"])
        except (SlackApiError, OSError):
            return None


class SlackSummaryPoster(SlackPoster):
    """Posts summaries (the scheduler's Poster): the main message, then its thread, each part
    marked so that a retry posts only what is missing."""

    def __init__(self, poster: WebClient, reader: WebClient, *, pause: float = CHANNEL_PACE_SECONDS,
                 **options: Any) -> None:
        super().__init__(poster, reader, pace=pause, **options)  # the main message and each reply
        self._rendered: tuple[Summary, SlackSummary] | None = None

    def _messages(self, summary: Summary) -> SlackSummary:
        rendered = self._rendered  # read once: other threads post other plans' summaries meanwhile
        if rendered is None or rendered[0] is not summary:
            rendered = (summary, summary_messages(summary))
            self._rendered = rendered
        return rendered[1]

    def find(self, channel_id: str, plan_key: str, period: str) -> str | None:
        return self.find_marked(channel_id, summary_metadata(plan_key, period))

    def _parts(self, channel_id: str, thread_ts: str, plan_key: str, period: str) -> dict[int, str]:
        parts: dict[int, str] = {}
        cursor = None
        while True:
            response = self._read(lambda: self.reader.conversations_replies(
                channel=channel_id, ts=thread_ts, include_all_metadata=True, limit=200, cursor=cursor))
            for message in response.get("messages") or []:
                payload = _marked(message, {"event_type": PART_EVENT, "event_payload": {"plan": plan_key,
                                                                                        "period": period}})
                if payload is not None and isinstance(payload.get("part"), int):
                    parts[payload["part"]] = str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return parts

    def _part(self, channel_id: str, thread_ts: str, plan_key: str, period: str, part: int) -> str | None:
        return self._parts(channel_id, thread_ts, plan_key, period).get(part)

    def post_main(self, channel_id: str, summary: Summary) -> str:
        key, period = summary.plan.key, summary.period.key
        return self.post(channel_id, self._messages(summary).main, summary_metadata(key, period))

    def post_thread(self, channel_id: str, thread_ts: str, summary: Summary, *, check_existing: bool) -> None:
        key, period = summary.plan.key, summary.period.key
        replies = self._messages(summary).replies
        if not replies:
            return
        there = self._parts(channel_id, thread_ts, key, period) if check_existing else {}
        for part, reply in enumerate(replies, 1):
            if part in there:
                continue
            self.post(channel_id, reply, summary_metadata(key, period, part), thread_ts=thread_ts,
                      look=partial(self._part, channel_id, thread_ts, key, period, part))

    def attach(self, channel_id: str, thread_ts: str, files: tuple[Attachment, ...], *, check_existing: bool) -> None:
        """Share `files` in the summary's thread once, in one message (files_upload_v2: an upload
        URL for each, the bytes, then one completion that shares them all).

        A file Slack was given but never shared (the process died, or Slack failed, between the
        upload and the completion) is seen by nobody: the retry uploads again. A completion that
        Slack may have kept (a 5xx, a network failure) is looked for in the thread first, by the
        files' names, so a retry never shares them twice.
        """
        if not files:
            return
        names = {f.filename for f in files}
        if check_existing and self._shared(channel_id, thread_ts, names):
            return
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            wait = delay
            try:
                self.client.files_upload_v2(
                    file_uploads=[{"file": f.data, "filename": f.filename, "title": f.title} for f in files],
                    channel=channel_id, thread_ts=thread_ts)
                return
            except SlackApiError as error:
                status = error.response.status_code if error.response is not None else 0
                code = error.response.get("error") if error.response is not None else None
                if status < HTTPStatus.INTERNAL_SERVER_ERROR and status != HTTPStatus.TOO_MANY_REQUESTS:
                    raise Refused(_slack_problem(error), str(code or status)) from error
                if status == HTTPStatus.TOO_MANY_REQUESTS:
                    wait = max(delay, retry_after(error))
                problem = _slack_problem(error)
            except (SlackRequestError, OSError) as error:  # the upload URL's answer, or the network
                problem = _slack_problem(error)
            if attempt == self.attempts:
                raise PostFailed(f"{problem}, {attempt} times")
            log.warning("sharing %s in %s: %s; trying again in %.1fs", ", ".join(sorted(names)), channel_id,
                        problem, wait)
            self.sleep(wait)
            delay *= 2
            if self._shared(channel_id, thread_ts, names):
                return
        raise AssertionError("unreachable")

    def _shared(self, channel_id: str, thread_ts: str, names: set[str]) -> bool:
        """Whether a message in the thread already shares every one of these files."""
        cursor = None
        while True:
            response = self._read(lambda: self.reader.conversations_replies(
                channel=channel_id, ts=thread_ts, limit=200, cursor=cursor))
            for message in response.get("messages") or []:
                if names <= {str(f.get("name")) for f in message.get("files") or []}:
                    return True
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return False

    def names(self, user_ids: list[str]) -> dict[str, Name | None]:
        """What Slack's users.info says each person is called (None: Slack does not know them).
        A person Slack could not be asked about (it is down) is left out."""
        found: dict[str, Name | None] = {}
        for user_id in user_ids:
            try:
                user = self.reader.users_info(user=user_id)["user"] or {}
            except SlackApiError as error:
                code = error.response.get("error") if error.response is not None else None
                if code in ("user_not_found", "users_not_found"):
                    found[user_id] = None
                else:
                    log.warning("users.info for %s: %s", user_id, _slack_problem(error))
                continue
            except OSError as error:
                log.warning("users.info for %s: %s", user_id, _slack_problem(error))
                continue
            found[user_id] = name_from_profile(user)
        return found

P = TypeVar("P", bound=SlackPoster)


class Posters(Generic[P]):  # noqa: UP046 - planbot runs on Python 3.11, before PEP 695
    """The poster for a request's workspace: SLACK_BOT_TOKEN's one, or, when planbot serves many
    workspaces, one made with the token Bolt found for the request (`context.bot_token`)."""

    def __init__(self, kind: type[P], settings: Settings, **options: Any) -> None:
        self.kind, self.settings, self.options = kind, settings, options
        self._single = kind.from_settings(settings, **options) if settings.slack_bot_token else None

    def of(self, token: str | None) -> P:
        if self._single is not None:
            return self._single
        if not token:
            raise PostFailed("no bot token was found for this workspace")
        return self.kind.from_settings(self.settings, token=token, **self.options)
