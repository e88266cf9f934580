"""A local Slack workspace with one bot: the Web API methods planbot uses and response URLs.

It serves real HTTP on 127.0.0.1 so the real slack_sdk clients talk to it unchanged, records
every call, keeps messages, ephemerals and views as Slack would hold them, enforces the
limits in `bot.localslack.limits` and answers the errors Slack answers. Any other method
answers `unknown_method`. Every error it answers of its own accord is a `Refusal`; faults
asked for with `fail_next()` are not.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from bot.localslack.http import Reply, Server
from bot.localslack.limits import ChannelPace, error, message_problem, view_errors
from bot.localslack.oauth import OAuth, Team
from bot.localslack.payloads import APP_ID
from bot.localslack.records import Call, Json, Refusal, refusal_of
from bot.localslack.socket import APPS_CONNECTIONS_OPEN, SocketMode, token_of

RESPONSE_URL_MAX_POSTS = 5
RESPONSE_URL_TTL = 30 * 60.0
TRIGGER_TTL = 3.0
DEFAULT_HISTORY_LIMIT = 100

# Form-encoded requests carry these as JSON strings; Call.args holds them decoded.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "files"})
# files.getUploadURLExternal: Slack takes files up to 1 GB.
MAX_FILE_BYTES = 1_000_000_000
UPLOAD_METHOD = "file_upload"  # how a POST of bytes to an upload URL is recorded


class NotSeen(AssertionError):
    """wait_for() timed out: the calls it waited for did not come."""


@dataclass
class _Fault:
    status: int
    times: int | None  # None: until clear_faults()
    retry_after: int | None
    error: str | None
    kept: bool = False  # the call takes effect all the same (Slack kept the message, then answered 500)


@dataclass
class _ResponseUrl:
    issued: float
    channel: str | None
    message_ts: str | None
    posts: int = 0
    user: str | None = None  # whom it answers: ephemeral posts are theirs


@dataclass
class _Upload:
    """A file on its way in: an upload URL given (files.getUploadURLExternal), its bytes posted
    there, then shared (files.completeUploadExternal). Until it is completed nobody sees it."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    completed: bool = False


@dataclass(frozen=True)
class _User:
    id: str
    name: str
    real_name: str
    tz: str
    team_id: str | None = None  # None: this workspace's
    enterprise_id: str | None = None  # an Enterprise Grid organisation's id


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = str(ts).partition(".")
    return int(seconds), int(fraction.ljust(6, "0")[:6])


def _ok(**fields: Any) -> Json:
    return {"ok": True, **fields}


def _parse_args(content_type: str, raw: bytes, query: str) -> Json:
    args: Json = dict(parse_qsl(query, keep_blank_values=True))
    if raw:
        if content_type.startswith("application/json"):
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError("JSON body is not an object")
            args.update(body)
        else:
            args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    for name in JSON_FIELDS & args.keys():
        if isinstance(args[name], str) and args[name][:1] in ("[", "{"):
            try:
                args[name] = json.loads(args[name])
            except ValueError:
                pass  # left as a string: validation answers *_format errors
    return args


def _trim(items: list[Any], keep: int) -> None:
    del items[:-keep]


def _trim_dict(items: dict[str, Any], keep: int) -> None:
    for key in list(itertools.islice(items, max(0, len(items) - keep))):
        del items[key]


class LocalSlack:
    """A local Slack workspace, served over HTTP while started (`with LocalSlack() as slack:`).

    - `accept_any_trigger_id` / `accept_any_response_url`: take ids and URLs it did not mint
      (a benchmark makes them up in another process) as minted when first seen.
    - `keep`: for a long-running process, keep only about the newest `keep` calls, refusals,
      messages a channel, ephemerals, modals, response URLs and first-post times (counts()
      and refusal_counts() are never trimmed).
    - `paced`: `chat.postMessage` is limited to one message a second a channel, as in Slack;
      beyond it the answer is 429 `ratelimited` with `Retry-After` (limits.ChannelPace).
    """

    def __init__(
        self,
        *,
        bot_user_id: str = "UBOT",
        team_id: str = "T1",
        trigger_ttl: float = TRIGGER_TTL,
        response_url_ttl: float = RESPONSE_URL_TTL,
        accept_any_trigger_id: bool = False,
        accept_any_response_url: bool = False,
        keep: int | None = None,
        paced: bool = False,
    ) -> None:
        if keep is not None and keep < 1:
            raise ValueError("keep must be at least 1")
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id.removeprefix("U")
        self.team_id = team_id
        self.trigger_ttl = trigger_ttl
        self.response_url_ttl = response_url_ttl
        self.accept_any_trigger_id = accept_any_trigger_id
        self.accept_any_response_url = accept_any_response_url
        self.keep = keep
        self._pace = ChannelPace() if paced else None
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: Server | None = None
        self._socket_mode: SocketMode | None = None
        self._host = "127.0.0.1"
        self._base = ""
        self._last_ts_micros = 0
        self._ids = itertools.count(1)
        self._calls: list[Call] = []
        self._counts: Counter[str] = Counter()
        self._refusals: list[Refusal] = []
        self._refusal_counts: Counter[str] = Counter()
        self._expected: list[tuple[str, str | None]] = []
        self._warnings: list[str] = []
        self._messages: dict[str, list[Json]] = {}
        self._ephemerals: list[Json] = []
        self._views: dict[str, Json] = {}
        self._home_views: dict[str, str] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._triggers: dict[str, float] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._first_posts: dict[str, float] = {}
        self._users: dict[str, _User] = {}
        self._uploads: dict[str, _Upload] = {}
        self._ims: dict[str, str] = {}  # user id -> the bot's DM channel with them
        self._routes: dict[str, Callable[[], Json]] = {}
        # Installing by OAuth in many workspaces, and whose tokens are good where (bot/localslack/oauth.py).
        self.oauth = OAuth()
        self._methods: dict[str, Callable[[Json, float], Json]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # Serving

    def start(self, *, host: str = "127.0.0.1", port: int = 0) -> LocalSlack:
        if self._server is not None:
            raise RuntimeError("the local Slack is already started")
        self._server = Server(self._handle, host=host, port=port)
        self._host = host
        self._base = f"http://{host}:{self._server.port}"
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        with self._lock:
            socket_mode, self._socket_mode = self._socket_mode, None
        if socket_mode is not None:
            socket_mode.stop()

    def __enter__(self) -> LocalSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`; response URLs live under it."""
        if not self._base:
            raise RuntimeError("start() the local Slack first")
        return self._base

    @property
    def url(self) -> str:
        """The Web API base URL to give a slack_sdk client (`…/api/`)."""
        return f"{self.base_url}/api/"

    @property
    def socket_mode(self) -> SocketMode:
        """Socket Mode (`bot.localslack.socket`): its app-level token, its WebSocket server
        (started on first use) and the envelopes sent over it."""
        with self._lock:
            if self._socket_mode is None:
                self._socket_mode = SocketMode(app_id=APP_ID, host=self._host)
            return self._socket_mode

    def add_route(self, path: str, answer: Callable[[], Json]) -> None:
        """Serve `answer()` as JSON at GET `path`: a window for another process (a benchmark)."""
        with self._lock:
            self._routes[path] = answer

    # Setting up

    def add_user(self, user_id: str, *, name: str, tz: str = "Europe/London", real_name: str | None = None,
                 team_id: str | None = None, enterprise_id: str | None = None) -> None:
        """A person users.info knows; `team_id` for someone of another workspace (Slack Connect),
        `enterprise_id` for a member of an Enterprise Grid organisation."""
        ZoneInfo(tz)  # fail here, not at users.info, on a misspelt zone
        with self._lock:
            self._users[user_id] = _User(user_id, name, real_name or name, tz, team_id, enterprise_id)

    def new_trigger_id(self) -> str:
        """A trigger id, as a click or a command carries: it opens one modal within `trigger_ttl`."""
        trigger_id = f"{next(self._ids)}.{self.team_id}.{secrets.token_hex(8)}"
        with self._lock:
            self._triggers[trigger_id] = time.monotonic()
        return trigger_id

    def new_response_url(self, *, channel: str | None = None, message_ts: str | None = None,
                         user: str | None = None) -> str:
        """A response_url (5 posts within `response_url_ttl`); given its message, posts act on it.

        With `channel`, `"response_type": "in_channel"` posts a new message there; with
        `message_ts` too, `replace_original` updates that message and `delete_original` deletes it.
        `message_ts` may name an ephemeral message (a click on one): it is replaced where it is.
        With `user` (whom Slack minted it for), ephemeral posts are recorded as that user's.
        """
        key = secrets.token_hex(8)
        base = self.base_url
        with self._lock:
            self._response_urls[key] = _ResponseUrl(time.monotonic(), channel, message_ts, user=user)
        return f"{base}/response/{key}"

    def reply_to_command(self, *, channel: str, user: str, reply: Json | str) -> Json | None:
        """Show a slash command's acknowledgement as Slack does: its body is a message to `user`
        (`"response_type": "in_channel"`: to the channel). Returns the message, or None when
        the body says nothing; a body Slack would refuse is recorded as a `command_reply` refusal."""
        at, received_at = time.monotonic(), time.time()
        args: Json = {"text": reply} if isinstance(reply, str) else dict(reply)
        if not any(args.get(name) for name in ("text", "blocks", "attachments")):
            return None
        problem = message_problem(args)
        if problem is None:
            if args.get("response_type") == "in_channel":
                shown = self._store_message(channel, args)
            else:
                shown = {**self._new_message(args, self._next_ts()), "channel": channel, "user": user}
                with self._lock:
                    self._ephemerals.append(shown)
                shown = copy.deepcopy(shown)
        self._record(Call("command_reply", args, {}, at, received_at, "/slack/events", 200,
                          problem or _ok(), details=tuple(str(e) for e in (problem or {}).get("errors") or ())))
        return None if problem else shown

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        times: int | None = 1,
        retry_after: int | None = None,
        error: str | None = None,
        kept: bool = False,
    ) -> None:
        """Answer the next `times` calls of `method` (or `response_url`) with this fault.

        `times=None` keeps failing until `clear_faults()`. A 429 says `Retry-After` (1 s unless
        given); the error code defaults to `ratelimited` or `fatal_error`. With `kept`, each call
        takes effect as if it had succeeded (a message is posted, a response URL used) and is
        answered with the fault all the same: Slack kept it, then failed to say so.
        """
        if status == HTTPStatus.OK and error is None:
            raise ValueError("a failure with status 200 needs an error code")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every call")
        with self._lock:
            self._faults.setdefault(method, []).append(_Fault(status, times, retry_after, error, kept))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def expect_refusal(self, error: str, *, method: str | None = None) -> None:
        """Refusals with this error (of this method, if given) are expected: not in unexpected_refusals()."""
        with self._lock:
            self._expected.append((error, method))

    @contextmanager
    def expecting_refusal(self, error: str, *, method: str | None = None) -> Iterator[None]:
        """Expect this refusal, and fail unless the block made at least one."""
        with self._lock:
            before = len(self._matching(self._refusals, error, method))
        self.expect_refusal(error, method=method)
        yield
        with self._lock:
            after = len(self._matching(self._refusals, error, method))
        if after <= before:
            raise AssertionError(f"expected a refusal with {error}{f' of {method}' if method else ''}; none came")

    def reset(self) -> None:
        """Forget calls, refusals, warnings, messages, views, files and pending faults.

        Users, minted trigger ids and response URLs, counts and expectations are kept.
        """
        with self._lock:
            self._calls.clear()
            self._refusals.clear()
            self._warnings.clear()
            self._messages.clear()
            self._ephemerals.clear()
            self._views.clear()
            self._home_views.clear()
            self._faults.clear()
            self._first_posts.clear()
            self._uploads.clear()

    # What it recorded

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls of `method` once there are `count`; raises NotSeen after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [call for call in self._calls if call.method == method]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = dict(Counter(call.method for call in self._calls)) or "nothing"
                    raise NotSeen(
                        f"expected {count} call(s) of {method} within {timeout}s, "
                        f"got {len(matching)}; calls seen: {seen}"
                    )
                self._changed.wait(remaining)

    @property
    def revision(self) -> int:
        """How many calls were recorded since start: it grows with every change the local Slack
        holds (messages, views, refusals), so a client polls it to learn that something changed."""
        with self._lock:
            return sum(self._counts.values())

    def calls_since(self, revision: int) -> list[Call]:
        """The calls recorded after `revision` (as far as `keep` has kept them), oldest first."""
        with self._lock:
            newer = sum(self._counts.values()) - revision
            return list(self._calls[-newer:]) if newer > 0 else []

    def wait_for_change(self, revision: int, timeout: float) -> int:
        """Wait up to `timeout` seconds for a call after `revision`; the revision then."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while (current := sum(self._counts.values())) <= revision:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return current

    def counts(self) -> dict[str, int]:
        """Calls received per method since start, trimmed or not."""
        with self._lock:
            return dict(self._counts)

    @property
    def refusals(self) -> list[Refusal]:
        with self._lock:
            return list(self._refusals)

    def refusal_counts(self) -> dict[str, int]:
        """Refusals since start, per `method: error`."""
        with self._lock:
            return dict(self._refusal_counts)

    def unexpected_refusals(self) -> list[Refusal]:
        with self._lock:
            return [r for r in self._refusals
                    if not any(r.error == e and m in (None, r.method) for e, m in self._expected)]

    @property
    def warnings(self) -> list[str]:
        """Accepted but suspicious requests, e.g. blocks sent without a `text` fallback."""
        with self._lock:
            return list(self._warnings)

    def take_first_posts(self) -> dict[str, float]:
        """When each response URL (by its last path part) was first posted to, in epoch seconds; forgets them."""
        with self._lock:
            taken, self._first_posts = self._first_posts, {}
        return taken

    def messages(self, channel: str) -> list[Json]:
        """The channel's messages, thread replies included, oldest first."""
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, []))

    def thread(self, channel: str, ts: str) -> list[Json]:
        """A thread's parent and its replies, oldest first ([] if there is no such message)."""
        with self._lock:
            return copy.deepcopy([m for m in self._messages.get(channel, [])
                                  if m["ts"] == ts or m.get("thread_ts") == ts])

    def ephemerals(self, *, user: str | None = None) -> list[Json]:
        """Messages only one user saw (`user`, None when unknown): chat.postEphemeral, and
        response URL posts that made no channel message."""
        with self._lock:
            return copy.deepcopy([m for m in self._ephemerals if user is None or m.get("user") == user])

    def view(self, view_id: str) -> Json:
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    def modals(self) -> list[Json]:
        """Modals opened (as last updated), oldest first."""
        with self._lock:
            return copy.deepcopy([v for v in self._views.values() if v.get("type") == "modal"])

    def home_view(self, user_id: str) -> Json | None:
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    # Answering

    def _handle(self, method_name: str, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        at, received_at = time.monotonic(), time.time()
        url = urlsplit(path)
        if method_name == "GET" and url.path in self._routes:
            return Reply(200, self._routes[url.path](), {})
        if method_name == "GET" and url.path == "/oauth/v2/authorize":
            reply = self.oauth.authorize(url.query)
            approved = reply.status == HTTPStatus.FOUND  # a redirect back to the app is the page's "yes"
            self._record(Call("oauth.authorize", dict(parse_qsl(url.query)), headers, at, received_at, url.path,
                              HTTPStatus.OK if approved else reply.status,
                              {"ok": True, "location": reply.headers["Location"]} if approved else reply.body))
            return reply
        if url.path.startswith("/upload/") and method_name == "POST":
            return self._upload(url.path.removeprefix("/upload/"), headers, raw, at, received_at)
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
        elif url.path.startswith("/response/"):
            method = "response_url"
        else:
            return Reply(404, "not_found", {})
        args: Json = {}
        injected = False
        try:
            args = _parse_args(headers.get("content-type", ""), raw, url.query)
        except ValueError:
            bad_json = error("invalid_json")
            reply = Reply(400, "invalid_json", {}) if method == "response_url" else Reply(200, bad_json, {})
        else:
            fault = self._take_fault(method)
            injected = fault is not None
            if fault is None or fault.kept:
                if method == "response_url":
                    reply = self._response_url(url.path.removeprefix("/response/"), args, at, received_at)
                else:
                    reply = self._web_api(method, args, headers, at)
            if fault is not None:
                reply = self._fault_reply(method, fault)
        self._record(Call(method, args, headers, at, received_at, url.path, reply.status, reply.body, injected,
                          reply.details))
        return reply

    def _record(self, call: Call) -> None:
        refusal = refusal_of(call)
        with self._changed:
            self._calls.append(call)
            self._counts[call.method] += 1
            if refusal is not None:
                self._refusals.append(refusal)
                self._refusal_counts[f"{refusal.method}: {refusal.error}"] += 1
            if self.keep is not None and len(self._calls) >= 2 * self.keep:
                self._trim(self.keep)
            self._changed.notify_all()

    def _trim(self, keep: int) -> None:
        _trim(self._calls, keep)
        _trim(self._refusals, keep)
        _trim(self._ephemerals, keep)
        for messages in self._messages.values():
            _trim(messages, keep)
        homes = set(self._home_views.values())
        modals = [k for k in self._views if k not in homes]
        for view_id in modals[:-keep]:
            del self._views[view_id]
        _trim_dict(self._response_urls, keep)
        _trim_dict(self._triggers, keep)
        _trim_dict(self._first_posts, keep)

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
        return fault

    @staticmethod
    def _fault_reply(method: str, fault: _Fault) -> Reply:
        headers: dict[str, str] = {}
        retry_after = fault.retry_after
        if fault.status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        code = fault.error or ("ratelimited" if fault.status == HTTPStatus.TOO_MANY_REQUESTS else "fatal_error")
        return Reply(fault.status, code if method == "response_url" else error(code), headers)

    def _web_api(self, method: str, args: Json, headers: dict[str, str], received: float) -> Reply:
        if method == APPS_CONNECTIONS_OPEN:  # the app-level token's method: no bot token takes it
            return Reply(200, self.socket_mode.open(token_of(headers, args)), {})
        if method == "oauth.v2.access":
            return Reply(200, self.oauth.access(args, headers), {})
        handler = self._methods.get(method)
        if handler is None:
            return Reply(200, error("unknown_method"), {})
        bearer = headers.get("authorization", "")
        token = (bearer.removeprefix("Bearer ").strip() if bearer.startswith("Bearer ") else "") or args.get("token")
        if not token:
            return Reply(200, error("not_authed"), {})
        paced = self._paced(method, args, received)
        if paced is not None:
            return paced
        answer = self._as_team(method, str(token), args, handler, received) if self.oauth.active else handler(
            args, received)
        return Reply(200, answer, {})

    def _paced(self, method: str, args: Json, received: float) -> Reply | None:
        """A 429 for a post beyond its channel's one message a second, when Slack's pace is kept."""
        if method != "chat.postMessage" or self._pace is None or not args.get("channel"):
            return None
        wait = self._pace.refuse(str(args["channel"]), received)
        if wait is None:
            return None
        return Reply(HTTPStatus.TOO_MANY_REQUESTS, error("ratelimited"), {"Retry-After": str(wait)})

    def _as_team(self, method: str, token: str, args: Json, handler: Callable[[Json, float], Json],
                 received: float) -> Json:
        """A call made with a token of one of the workspaces the app is installed in."""
        team = self.oauth.caller(token)
        if not isinstance(team, Team):
            return team
        if method == "auth.test":
            return self.oauth.auth_test(team)
        with self._lock:
            users = {user.id: user.team_id or self.team_id for user in self._users.values()}
        refused = self.oauth.refusal(team, args, users)
        if refused is not None:
            return refused
        answer = handler(args, received)
        if method == "conversations.open" and answer.get("ok"):
            self.oauth.add_channel(answer["channel"]["id"], team.id)  # the DM is this workspace's
        return answer

    @staticmethod
    def _matching(refusals: list[Refusal], code: str, method: str | None) -> list[Refusal]:
        return [r for r in refusals if r.error == code and method in (None, r.method)]

    def _next_ts(self) -> str:
        with self._lock:
            micros = max(time.time_ns() // 1_000, self._last_ts_micros + 1)
            self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_message(self, args: Json, ts: str) -> Json:
        message: Json = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "ts": ts,
            "text": args.get("text") or "",
            "blocks": args.get("blocks") or [],
        }
        for name in ("metadata", "attachments", "thread_ts"):
            if args.get(name):
                message[name] = args[name]
        return message

    def _store_message(self, channel: str, args: Json) -> Json:
        with self._lock:  # ts order and list order must agree
            message = self._new_message(args, self._next_ts())
            self._messages.setdefault(channel, []).append(message)
            return copy.deepcopy(message)

    def _find_message(self, channel: str, ts: str) -> Json | None:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def _warn_if_no_text(self, method: str, args: Json) -> None:
        if args.get("blocks") and not args.get("text"):
            with self._lock:
                self._warnings.append(f"{method}: blocks without text in {args.get('channel', '?')}")

    def _auth_test(self, args: Json, received: float) -> Json:
        return _ok(
            url=f"https://fake-{self.team_id.lower()}.slack.com/",
            team="Local Slack",
            user="planbot",
            team_id=self.team_id,
            user_id=self.bot_user_id,
            bot_id=self.bot_id,
            is_enterprise_install=False,
        )

    def _chat_post_message(self, args: Json, received: float) -> Json:
        channel = args.get("channel")
        if not channel:
            return error("channel_not_found")
        problem = message_problem(args)
        if problem:
            return problem
        self._warn_if_no_text("chat.postMessage", args)
        message = self._store_message(channel, args)
        return _ok(channel=channel, ts=message["ts"], message=message)

    def _chat_post_ephemeral(self, args: Json, received: float) -> Json:
        if not args.get("channel"):
            return error("channel_not_found")
        if not args.get("user"):
            return error("user_not_found")
        problem = message_problem(args)
        if problem:
            return problem
        self._warn_if_no_text("chat.postEphemeral", args)
        ts = self._next_ts()
        with self._lock:
            self._ephemerals.append({**self._new_message(args, ts), "channel": args["channel"],
                                     "user": args["user"]})
        return _ok(message_ts=ts)

    def _chat_update(self, args: Json, received: float) -> Json:
        channel, ts = args.get("channel", ""), args.get("ts", "")
        problem = message_problem(args)
        if problem:
            return problem
        with self._lock:
            message = self._find_message(channel, ts)
            if message is None:
                return error("message_not_found")
            self._warn_if_no_text("chat.update", args)
            for name in ("text", "blocks", "attachments", "metadata"):
                if name in args:
                    message[name] = args[name]
            return _ok(channel=channel, ts=ts, text=message["text"], message=copy.deepcopy(message))

    def _chat_delete(self, args: Json, received: float) -> Json:
        channel, ts = args.get("channel", ""), args.get("ts", "")
        with self._lock:
            message = self._find_message(channel, ts)
            if message is None:
                return error("message_not_found")
            self._messages[channel].remove(message)
        return _ok(channel=channel, ts=ts)

    def _chat_get_permalink(self, args: Json, received: float) -> Json:
        channel, ts = args.get("channel", ""), args.get("message_ts", "")
        with self._lock:
            message = self._find_message(channel, ts)
            if message is None:
                return error("message_not_found")
            thread_ts = message.get("thread_ts")
        permalink = f"https://fake-{self.team_id.lower()}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        if thread_ts and thread_ts != ts:
            permalink += f"?thread_ts={thread_ts}&cid={channel}"
        return _ok(channel=channel, permalink=permalink)

    def _listed(self, message: Json, args: Json, replies: int) -> Json:
        listed = copy.deepcopy(message)
        if not _truthy(args.get("include_all_metadata")):
            listed.pop("metadata", None)
        if replies:
            listed.update(thread_ts=message["ts"], reply_count=replies)
        return listed

    def _conversations_history(self, args: Json, received: float) -> Json:
        channel = args.get("channel")
        if not channel:
            return error("channel_not_found")
        inclusive = _truthy(args.get("inclusive"))
        try:
            oldest = _ts_key(args.get("oldest") or "0")
            latest = _ts_key(args["latest"]) if args.get("latest") else None
            cursor = _ts_key(args["cursor"].removeprefix("before:")) if args.get("cursor") else None
            limit = max(1, min(int(args.get("limit") or DEFAULT_HISTORY_LIMIT), 999))
        except ValueError:
            return error("invalid_arguments")

        def wanted(key: tuple[int, int]) -> bool:
            if key < oldest or (key == oldest and not inclusive):
                return False
            if latest is not None and (key > latest or (key == latest and not inclusive)):
                return False
            return cursor is None or key < cursor

        with self._lock:
            stored = self._messages.get(channel, [])
            reply_counts = Counter(m["thread_ts"] for m in stored if m.get("thread_ts", m["ts"]) != m["ts"])
            top_level = [m for m in stored if m.get("thread_ts", m["ts"]) == m["ts"] and wanted(_ts_key(m["ts"]))]
            top_level.sort(key=lambda m: _ts_key(m["ts"]), reverse=True)
            page = [self._listed(m, args, reply_counts[m["ts"]]) for m in top_level[:limit]]
        has_more = len(top_level) > limit
        next_cursor = f"before:{page[-1]['ts']}" if has_more else ""
        return _ok(messages=page, has_more=has_more, response_metadata={"next_cursor": next_cursor})

    def _conversations_replies(self, args: Json, received: float) -> Json:
        channel, ts = args.get("channel", ""), args.get("ts", "")
        with self._lock:
            parent = self._find_message(channel, ts)
            if parent is None:
                return error("thread_not_found")
            replies = [m for m in self._messages[channel] if m.get("thread_ts") == ts and m["ts"] != ts]
            thread = [self._listed(parent, args, len(replies))] + [self._listed(m, args, 0) for m in replies]
        return _ok(messages=thread, has_more=False, response_metadata={"next_cursor": ""})

    def _new_view(self, view: Json, view_id: str, previous: Json | None = None) -> Json:
        stored = copy.deepcopy(view)
        stored.setdefault("private_metadata", "")
        stored.setdefault("callback_id", "")
        stored.setdefault("external_id", "")
        stored.update(
            id=view_id,
            team_id=self.team_id,
            bot_id=self.bot_id,
            app_id="AFAKE",
            state={"values": {}},
            hash=f"{int(time.time())}.{secrets.token_hex(4)}",
            root_view_id=(previous or {}).get("root_view_id", view_id),
            previous_view_id=None,
        )
        return stored

    def _views_open(self, args: Json, received: float) -> Json:
        errors = view_errors(args.get("view"), "modal")
        if errors:
            return error("invalid_arguments", errors)
        trigger_id = args.get("trigger_id")
        if not trigger_id:
            return error("invalid_arguments", ["missing required field: trigger_id"])
        with self._lock:
            issued = self._triggers.pop(trigger_id, None)
            if issued is None and self.accept_any_trigger_id:
                issued = received
            if issued is None or received - issued > self.trigger_ttl:
                return error("expired_trigger_id")
            if self._external_id_taken(args["view"]):
                return error("duplicate_external_id")
            view = self._new_view(args["view"], f"V{next(self._ids):010d}")
            self._views[view["id"]] = view
            return _ok(view=copy.deepcopy(view))

    def _external_id_taken(self, view: Json) -> bool:
        external_id = view.get("external_id")
        return bool(external_id) and any(v["external_id"] == external_id for v in self._views.values())

    def _views_update(self, args: Json, received: float) -> Json:
        errors = view_errors(args.get("view"))
        if errors:
            return error("invalid_arguments", errors)
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not (view_id or external_id):
            return error("invalid_arguments", ["either view_id or external_id is required"])
        with self._lock:
            if view_id:
                current = self._views.get(view_id)
            else:
                current = next((v for v in self._views.values() if v["external_id"] == external_id), None)
            if current is None:
                return error("not_found")
            if args.get("hash") and args["hash"] != current["hash"]:
                return error("hash_conflict")
            view = self._new_view(args["view"], current["id"], current)
            self._views[view["id"]] = view
            return _ok(view=copy.deepcopy(view))

    def _views_publish(self, args: Json, received: float) -> Json:
        errors = view_errors(args.get("view"), "home")
        if errors:
            return error("invalid_arguments", errors)
        user_id = args.get("user_id")
        if not user_id:
            return error("invalid_arguments", ["missing required field: user_id"])
        with self._lock:
            current_id = self._home_views.get(user_id)
            current = self._views.get(current_id) if current_id else None
            if current and args.get("hash") and args["hash"] != current["hash"]:
                return error("hash_conflict")
            view = self._new_view(args["view"], current_id or f"V{next(self._ids):010d}", current)
            self._views[view["id"]] = view
            self._home_views[user_id] = view["id"]
            return _ok(view=copy.deepcopy(view))

    def _users_info(self, args: Json, received: float) -> Json:
        with self._lock:
            user = self._users.get(args.get("user", ""))
        if user is None:
            return error("user_not_found")
        offset = datetime.now(ZoneInfo(user.tz)).utcoffset()
        return _ok(
            user={
                "id": user.id,
                "team_id": user.team_id or self.team_id,
                "name": user.name,
                "real_name": user.real_name,
                "tz": user.tz,
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "is_bot": False,
                "deleted": False,
                "profile": {"real_name": user.real_name, "display_name": user.name},
                # As Slack answers for a Grid member: the organisation beside the workspace.
                **({"enterprise_user": {"id": user.id, "enterprise_id": user.enterprise_id,
                                        "teams": [user.team_id or self.team_id]}} if user.enterprise_id else {}),
            }
        )

    def _conversations_open(self, args: Json, received: float) -> Json:
        """The bot's direct message channel with one person (the same one every time)."""
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if args.get("channel"):
            return _ok(channel={"id": args["channel"]}, no_op=True, already_open=True)
        if len(users) != 1:
            return error("not_enough_users" if not users else "too_many_users")
        with self._lock:
            if users[0] not in self._users:
                return error("user_not_found")
            already = users[0] in self._ims
            channel = self._ims.setdefault(users[0], f"D{users[0].removeprefix('U').removeprefix('W')}")
        return _ok(channel={"id": channel}, no_op=already, already_open=already)

    # Files: files_upload_v2's three steps

    def _files_get_upload_url(self, args: Json, received: float) -> Json:
        filename = str(args.get("filename") or "")
        if not filename:
            return error("invalid_arguments", ["missing required field: filename"])
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            return error("invalid_arguments", ["length must be an integer"])
        if length < 1:
            return error("invalid_arguments", ["missing required field: length"])
        if length > MAX_FILE_BYTES:
            return error("file_too_large")
        file_id = f"F{next(self._ids):010d}"
        with self._lock:
            self._uploads[file_id] = _Upload(file_id, filename, length)
        return _ok(upload_url=f"{self.base_url}/upload/{file_id}", file_id=file_id)

    def _upload(self, file_id: str, headers: dict[str, str], raw: bytes, at: float, received_at: float) -> Reply:
        """The upload URL: the file's bytes, posted without a token; exactly the length promised."""
        fault = self._take_fault(UPLOAD_METHOD)
        reply = None
        if fault is None or fault.kept:
            with self._lock:
                upload = self._uploads.get(file_id)
                if upload is None:
                    reply = Reply(404, "file_not_found", {})
                elif upload.completed:
                    reply = Reply(400, "already_completed", {})
                elif len(raw) != upload.length:
                    reply = Reply(400, "length_mismatch", {}, (f"expected {upload.length} bytes, got {len(raw)}",))
                else:
                    upload.data = raw
                    reply = Reply(200, f"OK - {len(raw)}", {})
        if fault is not None:
            reply = self._fault_reply(UPLOAD_METHOD, fault)
        assert reply is not None
        self._record(Call(UPLOAD_METHOD, {"file_id": file_id, "length": len(raw)}, headers, at, received_at,
                          f"/upload/{file_id}", reply.status, reply.body, fault is not None, reply.details))
        return reply

    def _files_complete_upload(self, args: Json, received: float) -> Json:
        files = args.get("files")
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) and f.get("id") for f in files):
            return error("invalid_arguments", ["files must be a JSON list of objects with an id"])
        channel = str(args.get("channel_id") or "")
        thread_ts = str(args.get("thread_ts") or "")
        if thread_ts and not channel:
            return error("invalid_arguments", ["thread_ts needs channel_id"])
        with self._lock:
            uploads = [self._uploads.get(str(f["id"])) for f in files]
            if any(u is None or u.data is None for u in uploads):
                return error("file_not_found")
            if any(u is not None and u.completed for u in uploads):
                return error("invalid_arguments", ["a file in files was already completed"])
            if thread_ts and self._find_message(channel, thread_ts) is None:
                return error("invalid_arguments", [f"thread_ts {thread_ts} is no message in {channel}"])
            shared = []
            for upload, given in zip(uploads, files, strict=True):
                assert upload is not None
                upload.completed, upload.channel = True, channel or None
                upload.title = str(given.get("title") or upload.filename)
                shared.append({"id": upload.file_id, "name": upload.filename, "title": upload.title,
                               "size": upload.length})
            if channel:
                message = self._new_message({"text": args.get("initial_comment") or "", "thread_ts": thread_ts},
                                            self._next_ts())
                message["files"] = shared
                message["upload"] = True
                self._messages.setdefault(channel, []).append(message)
        return _ok(files=[{"id": f["id"], "title": f["title"]} for f in shared])

    def files(self, channel: str | None = None) -> list[Json]:
        """Files shared (completed), oldest first, with their bytes (`data`): in `channel` if given."""
        with self._lock:
            return [{"id": u.file_id, "name": u.filename, "title": u.title, "channel": u.channel, "data": u.data}
                    for u in self._uploads.values() if u.completed and channel in (None, u.channel)]

    def pending_uploads(self) -> list[str]:
        """Files given an upload URL but never completed: nobody sees them."""
        with self._lock:
            return [u.file_id for u in self._uploads.values() if not u.completed]

    def dm_channel(self, user_id: str) -> str | None:
        """The DM channel conversations.open gave for this person, if it was opened."""
        with self._lock:
            return self._ims.get(user_id)

    def _response_url(self, key: str, args: Json, received: float, received_at: float) -> Reply:
        with self._lock:
            target = self._response_urls.get(key)
            if target is None and self.accept_any_response_url:
                target = self._response_urls[key] = _ResponseUrl(received, None, None)
            if target is None or received - target.issued > self.response_url_ttl:
                return Reply(404, "expired_url", {})
            if target.posts >= RESPONSE_URL_MAX_POSTS:
                return Reply(404, "used_url", {})
            if not _truthy(args.get("delete_original")):
                problem = message_problem(args)
                if problem:
                    return Reply(400, str(problem["error"]), {}, tuple(problem.get("errors") or ()))
            target.posts += 1
            self._first_posts.setdefault(key, received_at)
            self._warn_if_no_text("response_url", args)
            self._act_on_original(target, args)
        return Reply(200, "ok", {})

    def _find_ephemeral(self, channel: str, ts: str, user: str | None) -> Json | None:
        for message in self._ephemerals:
            if message["ts"] == ts and message.get("channel") == channel and user in (None, message.get("user")):
                return message
        return None

    def _act_on_original(self, target: _ResponseUrl, args: Json) -> None:
        original = None
        if target.channel is not None and target.message_ts:
            original = self._find_message(target.channel, target.message_ts)
            if original is None:
                ephemeral = self._find_ephemeral(target.channel, target.message_ts, target.user)
                if ephemeral is not None and _truthy(args.get("delete_original")):
                    self._ephemerals.remove(ephemeral)
                    return
                original = ephemeral
        if target.channel is not None and original is not None and _truthy(args.get("delete_original")):
            self._messages[target.channel].remove(original)
        elif original is not None and _truthy(args.get("replace_original")):
            for name in ("text", "blocks", "attachments", "metadata"):
                if name in args:
                    original[name] = args[name]
        elif target.channel is not None and args.get("response_type") == "in_channel":
            self._store_message(target.channel, args)
        elif args.get("response_type") != "in_channel" and not _truthy(args.get("delete_original")):
            # Slack knows who the response URL answers; a URL minted without `user` does not say.
            self._ephemerals.append({**self._new_message(args, self._next_ts()), "channel": target.channel,
                                     "user": target.user})
