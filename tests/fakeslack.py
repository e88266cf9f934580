"""A local fake of the Slack Web API and of response_url endpoints, for tests and benchmarks.

It serves real HTTP on 127.0.0.1 so the real slack_sdk clients talk to it unchanged. It
records every call, keeps posted messages and opened views, and enforces the Slack limits
planbot's output must respect (see SLACK-NOTES.md), answering the errors Slack answers.
Only the methods planbot uses are implemented; any other answers `unknown_method`.
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
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest

Json = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2_000
MAX_HEADER_TEXT = 150
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_ID_LENGTH = 255
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3_000
RESPONSE_URL_MAX_POSTS = 5
RESPONSE_URL_TTL = 30 * 60.0
DEFAULT_HISTORY_LIMIT = 100

# Form-encoded requests carry these as JSON strings; Call.args holds them decoded.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata"})


@dataclass
class Call:
    """One request the fake received, and what it answered."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]  # names lower-cased
    at: float  # time.monotonic() when received
    path: str = ""
    status: int = 200
    response: Any = None  # the answered body: a dict for JSON answers, else the text


@dataclass
class _Reply:
    status: int
    body: Json | str
    headers: dict[str, str]


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int | None
    error: str | None


@dataclass
class _ResponseUrl:
    issued: float
    channel: str | None
    message_ts: str | None
    posts: int = 0


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    tz: str
    team_id: str | None = None  # None: this workspace's
    enterprise_id: str | None = None  # an Enterprise Grid organisation's id


def _ok(**fields: Any) -> Json:
    return {"ok": True, **fields}


def _error(code: str, messages: list[str] | None = None) -> Json:
    body: Json = {"ok": False, "error": code}
    if messages:
        body["errors"] = messages
        body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in messages]}
    return body


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = str(ts).partition(".")
    return int(seconds), int(fraction.ljust(6, "0")[:6])


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


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


def _block_errors(blocks: list[Any], max_blocks: int) -> list[str]:
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    for index, block in enumerate(blocks):
        where = f"/blocks/{index}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{where}]")
            continue
        if len(str(block.get("block_id", ""))) > MAX_ID_LENGTH:
            errors.append(f"must be less than {MAX_ID_LENGTH + 1} characters [json-pointer:{where}/block_id]")
        kind = block["type"]
        if kind == "section":
            fields = block.get("fields") or []
            if "text" not in block and not fields:
                errors.append(f"must provide either text or fields [json-pointer:{where}]")
            if len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
                errors.append(f"must be less than {MAX_SECTION_TEXT + 1} characters [json-pointer:{where}/text]")
            if len(fields) > MAX_SECTION_FIELDS:
                errors.append(f"no more than {MAX_SECTION_FIELDS} items allowed [json-pointer:{where}/fields]")
            for number, item in enumerate(fields):
                if len(_text_of(item)) > MAX_FIELD_TEXT:
                    errors.append(
                        f"must be less than {MAX_FIELD_TEXT + 1} characters [json-pointer:{where}/fields/{number}]"
                    )
        elif kind == "header":
            if len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
                errors.append(f"must be less than {MAX_HEADER_TEXT + 1} characters [json-pointer:{where}/text]")
        elif kind in ("actions", "context"):
            limit = MAX_ACTIONS_ELEMENTS if kind == "actions" else MAX_CONTEXT_ELEMENTS
            if len(block.get("elements") or []) > limit:
                errors.append(f"no more than {limit} items allowed [json-pointer:{where}/elements]")
    return errors


def _message_problem(args: Json) -> Json | None:
    """The error Slack answers for this message's content, or None if it is acceptable."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        return _error("no_text")
    if text is not None and len(str(text)) > MAX_MESSAGE_TEXT:
        return _error("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list):
            return _error("invalid_blocks_format")
        errors = _block_errors(blocks, MAX_MESSAGE_BLOCKS)
        if errors:
            return _error("invalid_blocks", errors)
    return None


def _view_errors(view: Any, expected_type: str | None = None) -> list[str]:
    if not isinstance(view, dict):
        return ["must be a JSON object [json-pointer:/view]"]
    errors: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home") or (expected_type and kind != expected_type):
        errors.append(f"must be {expected_type or 'modal or home'} [json-pointer:/view/type]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        errors.append("missing required field: blocks [json-pointer:/view/blocks]")
    else:
        block_errors = _block_errors(blocks, MAX_VIEW_BLOCKS)
        errors += [e.replace("[json-pointer:/", "[json-pointer:/view/") for e in block_errors]
    if kind == "modal" and "title" not in view:
        errors.append("missing required field: title [json-pointer:/view]")
    for name in ("title", "submit", "close"):
        if len(_text_of(view.get(name))) > MAX_VIEW_TITLE:
            errors.append(f"must be less than {MAX_VIEW_TITLE + 1} characters [json-pointer:/view/{name}/text]")
    if len(str(view.get("private_metadata", ""))) > MAX_PRIVATE_METADATA:
        errors.append(
            f"must be less than {MAX_PRIVATE_METADATA + 1} characters [json-pointer:/view/private_metadata]"
        )
    for name in ("callback_id", "external_id"):
        if len(str(view.get(name, ""))) > MAX_ID_LENGTH:
            errors.append(f"must be less than {MAX_ID_LENGTH + 1} characters [json-pointer:/view/{name}]")
    return errors


class FakeSlack:
    """A fake Slack workspace with one bot, served over HTTP while started.

    `reset()` forgets calls, messages, views, warnings and pending failures; users, issued
    trigger ids and response URLs are kept.
    """

    def __init__(self, *, bot_user_id: str = "UBOT", team_id: str = "T1") -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id.removeprefix("U")
        self.team_id = team_id
        self.url = ""
        self.trigger_ttl = 3.0
        self.response_url_ttl = RESPONSE_URL_TTL
        self.calls: list[Call] = []
        # Accepted but suspicious requests, e.g. blocks sent without a `text` fallback.
        self.warnings: list[str] = []
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base = ""
        self._last_ts_micros = 0
        self._ids = itertools.count(1)
        self._messages: dict[str, list[Json]] = {}
        self._views: dict[str, Json] = {}
        self._home_views: dict[str, str] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._triggers: dict[str, float] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._users: dict[str, _User] = {}
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
        }

    def start(self) -> FakeSlack:
        if self._server is not None:
            raise RuntimeError("FakeSlack is already started")
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self), bind_and_activate=False)
        server.daemon_threads = True
        server.request_queue_size = 128  # benchmarks send bursts
        server.server_bind()
        server.server_activate()
        port = server.server_address[1]
        self._base = f"http://127.0.0.1:{port}"
        self.url = f"{self._base}/api/"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.warnings.clear()
            self._messages.clear()
            self._views.clear()
            self._home_views.clear()
            self._failures.clear()

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [call for call in self.calls if call.method == method]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = dict(Counter(call.method for call in self.calls)) or "nothing"
                    raise AssertionError(
                        f"expected {count} call(s) of {method} within {timeout}s, "
                        f"got {len(matching)}; calls seen: {seen}"
                    )
                self._changed.wait(remaining)

    def new_trigger_id(self) -> str:
        trigger_id = f"{next(self._ids)}.{self.team_id}.{secrets.token_hex(8)}"
        with self._lock:
            self._triggers[trigger_id] = time.monotonic()
        return trigger_id

    def new_response_url(self, *, channel: str | None = None, message_ts: str | None = None) -> str:
        """A response_url; given the message it belongs to, posts also act on that message.

        With `channel`, `"response_type": "in_channel"` posts a new message there; with
        `message_ts` too, `replace_original` updates that message and `delete_original` deletes it.
        """
        if not self._base:
            raise RuntimeError("start() the fake before asking for a response_url")
        key = secrets.token_hex(8)
        with self._lock:
            self._response_urls[key] = _ResponseUrl(time.monotonic(), channel, message_ts)
        return f"{self._base}/response/{key}"

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
    ) -> None:
        if status == 200 and error is None:
            raise ValueError("a failure with status 200 needs an error code")
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(status, times, retry_after, error))

    def add_user(self, user_id: str, *, name: str, tz: str = "Europe/London", real_name: str | None = None,
                 team_id: str | None = None, enterprise_id: str | None = None) -> None:
        """A person users.info knows; `team_id` for someone of another workspace (Slack Connect),
        `enterprise_id` for a member of an Enterprise Grid organisation."""
        ZoneInfo(tz)  # fail here, not at users.info, on a misspelt zone
        with self._lock:
            self._users[user_id] = _User(user_id, name, real_name or name, tz, team_id, enterprise_id)

    def messages(self, channel: str) -> list[Json]:
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, []))

    def view(self, view_id: str) -> Json:
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    def home_view(self, user_id: str) -> Json | None:
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> _Reply:
        received = time.monotonic()
        url = urlsplit(path)
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
        elif url.path.startswith("/response/"):
            method = "response_url"
        else:
            return _Reply(404, "not_found", {})
        call = Call(method, {}, headers, received, url.path)
        try:
            call.args = _parse_args(headers.get("content-type", ""), raw, url.query)
        except ValueError:
            if method == "response_url":
                reply = _Reply(400, "invalid_json", {})
            else:
                reply = _Reply(200, _error("invalid_json"), {})
        else:
            reply = self._take_failure(method) or (
                self._response_url(url.path.removeprefix("/response/"), call.args, received)
                if method == "response_url"
                else self._web_api(method, call.args, headers, received)
            )
        call.status, call.response = reply.status, reply.body
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return reply

    def _take_failure(self, method: str) -> _Reply | None:
        with self._lock:
            queue = self._failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
        headers: dict[str, str] = {}
        retry_after = failure.retry_after
        if failure.status == 429 and retry_after is None:
            retry_after = 1
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        code = failure.error or ("ratelimited" if failure.status == 429 else "fatal_error")
        return _Reply(failure.status, code if method == "response_url" else _error(code), headers)

    def _web_api(self, method: str, args: Json, headers: dict[str, str], received: float) -> _Reply:
        handler = self._methods.get(method)
        if handler is None:
            return _Reply(200, _error("unknown_method"), {})
        bearer = headers.get("authorization", "")
        has_token = bearer.startswith("Bearer ") and bearer.removeprefix("Bearer ").strip()
        if not (has_token or args.get("token")):
            return _Reply(200, _error("not_authed"), {})
        return _Reply(200, handler(args, received), {})

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
                self.warnings.append(f"{method}: blocks without text in {args.get('channel', '?')}")

    def _auth_test(self, args: Json, received: float) -> Json:
        return _ok(
            url=f"https://fake-{self.team_id.lower()}.slack.com/",
            team="Fake Slack",
            user="planbot",
            team_id=self.team_id,
            user_id=self.bot_user_id,
            bot_id=self.bot_id,
            is_enterprise_install=False,
        )

    def _chat_post_message(self, args: Json, received: float) -> Json:
        channel = args.get("channel")
        if not channel:
            return _error("channel_not_found")
        problem = _message_problem(args)
        if problem:
            return problem
        self._warn_if_no_text("chat.postMessage", args)
        message = self._store_message(channel, args)
        return _ok(channel=channel, ts=message["ts"], message=message)

    def _chat_post_ephemeral(self, args: Json, received: float) -> Json:
        if not args.get("channel"):
            return _error("channel_not_found")
        if not args.get("user"):
            return _error("user_not_found")
        problem = _message_problem(args)
        if problem:
            return problem
        self._warn_if_no_text("chat.postEphemeral", args)
        return _ok(message_ts=self._next_ts())

    def _chat_update(self, args: Json, received: float) -> Json:
        channel, ts = args.get("channel", ""), args.get("ts", "")
        problem = _message_problem(args)
        if problem:
            return problem
        with self._lock:
            message = self._find_message(channel, ts)
            if message is None:
                return _error("message_not_found")
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
                return _error("message_not_found")
            self._messages[channel].remove(message)
        return _ok(channel=channel, ts=ts)

    def _chat_get_permalink(self, args: Json, received: float) -> Json:
        channel, ts = args.get("channel", ""), args.get("message_ts", "")
        with self._lock:
            message = self._find_message(channel, ts)
            if message is None:
                return _error("message_not_found")
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
            return _error("channel_not_found")
        inclusive = _truthy(args.get("inclusive"))
        try:
            oldest = _ts_key(args.get("oldest") or "0")
            latest = _ts_key(args["latest"]) if args.get("latest") else None
            cursor = _ts_key(args["cursor"].removeprefix("before:")) if args.get("cursor") else None
            limit = max(1, min(int(args.get("limit") or DEFAULT_HISTORY_LIMIT), 999))
        except ValueError:
            return _error("invalid_arguments")

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
                return _error("thread_not_found")
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
        errors = _view_errors(args.get("view"), "modal")
        if errors:
            return _error("invalid_arguments", errors)
        trigger_id = args.get("trigger_id")
        if not trigger_id:
            return _error("invalid_arguments", ["missing required field: trigger_id"])
        with self._lock:
            issued = self._triggers.pop(trigger_id, None)
            if issued is None or received - issued > self.trigger_ttl:
                return _error("expired_trigger_id")
            if self._external_id_taken(args["view"]):
                return _error("duplicate_external_id")
            view = self._new_view(args["view"], f"V{next(self._ids):010d}")
            self._views[view["id"]] = view
            return _ok(view=copy.deepcopy(view))

    def _external_id_taken(self, view: Json) -> bool:
        external_id = view.get("external_id")
        return bool(external_id) and any(v["external_id"] == external_id for v in self._views.values())

    def _views_update(self, args: Json, received: float) -> Json:
        errors = _view_errors(args.get("view"))
        if errors:
            return _error("invalid_arguments", errors)
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not (view_id or external_id):
            return _error("invalid_arguments", ["either view_id or external_id is required"])
        with self._lock:
            if view_id:
                current = self._views.get(view_id)
            else:
                current = next((v for v in self._views.values() if v["external_id"] == external_id), None)
            if current is None:
                return _error("not_found")
            if args.get("hash") and args["hash"] != current["hash"]:
                return _error("hash_conflict")
            view = self._new_view(args["view"], current["id"], current)
            self._views[view["id"]] = view
            return _ok(view=copy.deepcopy(view))

    def _views_publish(self, args: Json, received: float) -> Json:
        errors = _view_errors(args.get("view"), "home")
        if errors:
            return _error("invalid_arguments", errors)
        user_id = args.get("user_id")
        if not user_id:
            return _error("invalid_arguments", ["missing required field: user_id"])
        with self._lock:
            current_id = self._home_views.get(user_id)
            current = self._views.get(current_id) if current_id else None
            if current and args.get("hash") and args["hash"] != current["hash"]:
                return _error("hash_conflict")
            view = self._new_view(args["view"], current_id or f"V{next(self._ids):010d}", current)
            self._views[view["id"]] = view
            self._home_views[user_id] = view["id"]
            return _ok(view=copy.deepcopy(view))

    def _users_info(self, args: Json, received: float) -> Json:
        with self._lock:
            user = self._users.get(args.get("user", ""))
        if user is None:
            return _error("user_not_found")
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

    def _response_url(self, key: str, args: Json, received: float) -> _Reply:
        with self._lock:
            target = self._response_urls.get(key)
            if target is None or received - target.issued > self.response_url_ttl:
                return _Reply(404, "expired_url", {})
            if target.posts >= RESPONSE_URL_MAX_POSTS:
                return _Reply(404, "used_url", {})
            if not _truthy(args.get("delete_original")):
                problem = _message_problem(args)
                if problem:
                    return _Reply(400, problem["error"], {})
            target.posts += 1
            self._warn_if_no_text("response_url", args)
            self._act_on_original(target, args)
        return _Reply(200, "ok", {})

    def _act_on_original(self, target: _ResponseUrl, args: Json) -> None:
        if target.channel is None:
            return
        original = self._find_message(target.channel, target.message_ts) if target.message_ts else None
        if original is not None and _truthy(args.get("delete_original")):
            self._messages[target.channel].remove(original)
        elif original is not None and _truthy(args.get("replace_original")):
            for name in ("text", "blocks", "attachments", "metadata"):
                if name in args:
                    original[name] = args[name]
        elif args.get("response_type") == "in_channel":
            self._store_message(target.channel, args)


def _make_handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = fake._handle(self.path, headers, raw)
            if isinstance(reply.body, dict):
                payload, content_type = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
            else:
                payload, content_type = reply.body.encode(), "text/html; charset=utf-8"
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()
