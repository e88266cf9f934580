"""The part of Slack that people use, played for the page: typing `/plan …`, clicking in a
message, a modal or App Home, submitting or closing a modal, opening App Home.

Each of those becomes the request Slack would send, signed with the app's signing secret and
posted to the app's own `/slack/events`, with trigger ids and response URLs minted by the
local Slack. What the app answers is treated as Slack treats it: a command's acknowledgement
is shown to the person (`LocalSlack.reply_to_command`), a submission's `response_action`
closes the modal or puts its errors beside the fields, and an answer that is late or not a
200 is reported as Slack reports it. Everything else (messages, ephemerals, modals, App Home,
refusals) the page reads from the local Slack as it holds it.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from bot.localslack import LocalSlack, refusal_of
from bot.localslack import payloads as slack_payloads
from bot.sandbox import payloads
from bot.sandbox.people import CHANNEL, CHANNEL_NAME, PEOPLE, TEAM, Person, person

Json = dict[str, Any]
ACK_LIMIT = 3.0  # Slack gives up on an app that has not answered within 3 seconds
MAX_MODALS = 3  # Slack's modal stack
KEPT = 500  # refusals and notices the page can still show

_MENTION = re.compile(r"(?<![<\w])@([a-z][\w.-]*)", re.IGNORECASE)
_CHANNEL_LINK = re.compile(r"(?<![<\w])#([a-z0-9][\w-]*)", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    """What the app answered one request: its HTTP status, its body, and how long it took."""

    status: int
    body: str
    elapsed: float

    @property
    def in_time(self) -> bool:
        return self.status == 200 and self.elapsed <= ACK_LIMIT  # noqa: PLR2004 - HTTP 200

    def json(self) -> Json | None:
        if not self.body.lstrip().startswith("{"):
            return None
        loaded = json.loads(self.body)
        return loaded if isinstance(loaded, dict) else None


@dataclass
class _Person:
    modals: list[str] = field(default_factory=list)  # view ids, bottom first


def escape_mentions(text: str) -> str:
    """What Slack makes of a typed command when the command escapes mentions (as planbot's
    manifest asks): `@priya` becomes `<@U…|priya>` and `#channel` becomes `<#C…|channel>`."""
    names = {someone.name.lower(): someone for someone in PEOPLE}

    def mention(match: re.Match[str]) -> str:
        someone = names.get(match[1].lower())
        return f"<@{someone.id}|{someone.name}>" if someone else match[0]

    def channel(match: re.Match[str]) -> str:
        return f"<#{CHANNEL}|{CHANNEL_NAME}>" if match[1].lower() == CHANNEL_NAME else match[0]

    return _CHANNEL_LINK.sub(channel, _MENTION.sub(mention, text))


class Desktop:
    """One workspace's Slack client, for every sandbox person at once (the page says who is acting)."""

    def __init__(self, slack: LocalSlack, events_url: str, signing_secret: str) -> None:
        self.slack = slack
        self.events_url = events_url
        self._secret = signing_secret
        self._lock = threading.Lock()
        self._people: dict[str, _Person] = {someone.id: _Person() for someone in PEOPLE}
        self._triggers: dict[str, str] = {}  # trigger id -> whose
        self._scanned = 0
        self._changes = 0
        self._refusals: list[Json] = []
        self._notices: list[Json] = []
        self._event_ids = itertools.count(1)

    # Sending

    def _post(self, body: bytes, content_type: str) -> Answer:
        headers = slack_payloads.signed_headers(self._secret, body, content_type=content_type)
        request = urllib.request.Request(self.events_url, data=body, headers=headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=ACK_LIMIT + 7) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        except OSError as error:
            return Answer(0, str(error), time.perf_counter() - started)
        return Answer(status, text, time.perf_counter() - started)

    def _post_payload(self, payload: Json) -> Answer:
        return self._post(slack_payloads.payload_body(payload), slack_payloads.FORM)

    def _trigger(self, user_id: str) -> str:
        trigger_id = self.slack.new_trigger_id()
        with self._lock:
            self._triggers[trigger_id] = user_id
            for unused in list(self._triggers)[:-KEPT]:  # ids the app never used
                del self._triggers[unused]
        return trigger_id

    def _notice(self, user_id: str, text: str, *, where: str = "channel") -> None:
        """A line Slack itself shows one person (an app that failed to answer), in red."""
        with self._lock:
            self._notices.append({"user": user_id, "where": where, "text": text, "ts": f"{time.time():.6f}"})
            del self._notices[:-KEPT]
            self._changes += 1

    def _failed(self, answer: Answer) -> str:
        if answer.status == 200 and answer.elapsed > ACK_LIMIT:  # noqa: PLR2004 - HTTP 200
            return "operation_timeout"
        return "dispatch_failed" if answer.status else "app_unreachable"

    # What people do

    def command(self, user_id: str, text: str) -> Answer:
        """`/plan text` typed in the channel by this person."""
        someone = person(user_id)
        body = slack_payloads.command_body(
            escape_mentions(text), user=someone.id, team=TEAM, channel=CHANNEL, channel_name=CHANNEL_NAME,
            response_url=self.slack.new_response_url(channel=CHANNEL, user=someone.id),
            trigger_id=self._trigger(someone.id), user_name=someone.name)
        answer = self._post(body, slack_payloads.FORM)
        if not answer.in_time:
            self._notice(someone.id, f'/plan failed with the error "{self._failed(answer)}"')
            return answer
        reply = answer.json()
        self.slack.reply_to_command(channel=CHANNEL, user=someone.id, reply=reply if reply is not None else answer.body)
        return answer

    def click(self, user_id: str, surface: Json, *, block_id: str, action_id: str, chosen: Json | None = None,
              values: Json | None = None) -> Answer:
        """A click on (or a choice in) a control of a message (`{"type": "message", "ts": …}`) or of
        a view (`{"type": "view", "view_id": …}`); `values` are the view's inputs as they stand."""
        someone = person(user_id)
        if surface.get("type") == "view":
            view = self.slack.view(str(surface.get("view_id")))
            element, sent_id = payloads.find_element(view.get("blocks") or [], block_id, action_id)
            payload = payloads.view_action(
                payloads.action_of(element, sent_id, chosen or {}), user_id=someone.id, user_name=someone.name,
                team=TEAM, view=view, values=values or {}, trigger_id=self._trigger(someone.id))
            where = "home" if view.get("type") == "home" else "modal"
        else:
            message, ephemeral = self._message(someone, str(surface.get("ts")))
            element, sent_id = payloads.find_element(message.get("blocks") or [], block_id, action_id)
            payload = payloads.message_action(
                payloads.action_of(element, sent_id, chosen or {}), user_id=someone.id, user_name=someone.name,
                team=TEAM, channel=CHANNEL, channel_name=CHANNEL_NAME, message=message, ephemeral=ephemeral,
                trigger_id=self._trigger(someone.id),
                response_url=self.slack.new_response_url(channel=CHANNEL, message_ts=message["ts"], user=someone.id))
            where = "channel"
        answer = self._post_payload(payload)
        if not answer.in_time:
            self._notice(someone.id, f"planbot did not handle that click ({self._failed(answer)}).", where=where)
        return answer

    def _message(self, someone: Person, ts: str) -> tuple[Json, bool]:
        for message in self.slack.messages(CHANNEL):
            if message["ts"] == ts:
                return message, False
        for message in self.slack.ephemerals(user=someone.id):
            if message["ts"] == ts and message.get("channel") == CHANNEL:
                return message, True
        raise payloads.NoSuchControl(f"no message {ts} that {someone.name} can see")

    def submit(self, user_id: str, view_id: str, values: Json) -> Json:
        """Submit the person's modal; `{"errors": {block_id: text}}` when it stays open with errors."""
        someone = person(user_id)
        view = self.slack.view(view_id)
        answer = self._post_payload(payloads.view_submission(
            user_id=someone.id, user_name=someone.name, team=TEAM, view=view, values=values,
            trigger_id=self._trigger(someone.id)))
        if not answer.in_time:
            # Slack keeps the modal open and says so at its top.
            return {"failed": "We had some trouble connecting. Try again?", "error": self._failed(answer)}
        reply = answer.json() or {}
        action = reply.get("response_action")
        if action == "errors":
            return {"errors": dict(reply.get("errors") or {})}
        if action == "clear":
            self._close(someone.id, None)
        elif action in ("update", "push"):
            self._notice(someone.id, f"The sandbox does not play response_action {action!r} yet: "
                                     "the modal was closed instead.", where="modal")
            self._close(someone.id, view_id)
        else:
            self._close(someone.id, view_id)
        return {}

    def close(self, user_id: str, view_id: str, values: Json | None = None) -> Answer | None:
        """The person closes their modal (Cancel, or the ×); Slack tells the app if it asked to know."""
        someone = person(user_id)
        view = self.slack.view(view_id)
        self._close(someone.id, view_id)
        if not view.get("notify_on_close"):
            return None
        return self._post_payload(payloads.view_closed(user_id=someone.id, user_name=someone.name, team=TEAM,
                                                       view=view, values=values or {}))

    def _close(self, user_id: str, view_id: str | None) -> None:
        with self._lock:
            stack = self._people[user_id].modals
            if view_id is None or view_id not in stack:
                stack.clear()
            else:
                del stack[stack.index(view_id):]
            self._changes += 1

    def open_home(self, user_id: str) -> Answer:
        someone = person(user_id)
        answer = self._post(json.dumps(payloads.home_opened(
            user_id=someone.id, team=TEAM, bot_user_id=self.slack.bot_user_id,
            event_id=f"Ev{next(self._event_ids):010d}", view=self.slack.home_view(someone.id))).encode(),
            "application/json")
        if not answer.in_time:
            self._notice(someone.id, f"planbot did not handle app_home_opened ({self._failed(answer)}).",
                         where="home")
        return answer

    # What the page shows

    def _scan(self) -> None:
        """Take in what the app did since the last look: modals it opened, calls Slack refused."""
        with self._lock:
            revision = self.slack.revision
            calls = self.slack.calls_since(self._scanned)
            self._scanned = revision
            for call in calls:
                refusal = refusal_of(call)
                if refusal is not None:
                    self._refusals.append({"method": refusal.method, "error": refusal.error,
                                           "details": list(refusal.details), "ts": f"{call.received_at:.6f}"})
                if call.method not in ("views.open", "views.push") or not call.ok:
                    continue
                whose = self._triggers.pop(str(call.args.get("trigger_id")), None)
                view = call.response.get("view") if isinstance(call.response, dict) else None
                if whose is None or not isinstance(view, dict):
                    continue
                stack = self._people[whose].modals
                if call.method == "views.open":
                    stack.clear()
                if len(stack) < MAX_MODALS:
                    stack.append(str(view["id"]))
            del self._refusals[:-KEPT]

    def revision(self) -> str:
        self._scan()
        with self._lock:
            return f"{self.slack.revision}.{self._changes}"

    def state(self, user_id: str) -> Json:
        """Everything the page draws for this person, and the revision it is as of."""
        someone = person(user_id)
        self._scan()
        with self._lock:
            revision = f"{self.slack.revision}.{self._changes}"
            modal_ids = list(self._people[someone.id].modals)
            refusals = [dict(r) for r in self._refusals]
            notices = [dict(n) for n in self._notices if n["user"] == someone.id]
        messages = self.slack.messages(CHANNEL)
        timeline: list[Json] = []
        threads: dict[str, list[Json]] = {}
        for message in messages:
            parent = message.get("thread_ts")
            if parent and parent != message["ts"]:
                threads.setdefault(parent, []).append(message)
            else:
                timeline.append({"kind": "message", **message})
        for message in self.slack.ephemerals(user=someone.id):
            if message.get("channel") == CHANNEL:
                timeline.append({"kind": "ephemeral", **message})
        timeline += [{"kind": "notice", **n} for n in notices if n["where"] == "channel"]
        timeline += [{"kind": "refusal", **r} for r in refusals]
        timeline.sort(key=lambda item: float(item["ts"]))
        modals = [self.slack.view(view_id) for view_id in modal_ids]
        return {
            "revision": revision,
            "me": someone.id,
            "people": [{"id": p.id, "name": p.name, "real_name": p.real_name, "title": p.title} for p in PEOPLE],
            "team": TEAM,
            "channel": {"id": CHANNEL, "name": CHANNEL_NAME},
            "bot": {"user_id": self.slack.bot_user_id, "name": "planbot"},
            "timeline": timeline,
            "threads": threads,
            "modals": modals,
            "home": self.slack.home_view(someone.id),
            "notices": [n for n in notices if n["where"] != "channel"],
            "refusals": refusals,
        }
