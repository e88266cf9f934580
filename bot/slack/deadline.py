"""Every request is answered within Slack's 3 seconds, whatever holds it up.

The app's transactions have time limits of their own (`storage.db`), so a database that is not
answering normally ends in the listener's own reply, in time. This is the net under that: a
request still unanswered 2.3 s after it arrived is answered for.

- A listener that has not even started by then (every listener thread is taken) never starts:
  the user is told nothing was changed, and why, after a quick ping of the database: it is not
  answering, or planbot is only too slow. Listeners call `start(ack)` first to know.
- A slash command still running is answered "I'll tell you here when it's done", and its own
  reply, when it comes, goes by `response_url`.
- A modal submission that has started is left to answer by itself: its change is limited to
  the time left (`seconds_left`), so that it never saves what the user was told it did not.
- Clicks and events are acknowledged first thing by their listeners.

Bolt (in its default mode, which keeps the work after an ack off the request) runs a listener on
its executor and looks for the ack every 10 ms, so even a bare app answers in about 12 ms.
`AnsweringExecutor` is that executor, handing the request back the moment the listener acks (or
this net answers for it, or the listener ends): Bolt's first look finds the answer. Nothing
else changes: the listener still runs on its own thread, its work after the ack and its errors
are handled as before.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse

from bot.slack import texts
from storage import alarms
from storage.db import Sessions

log = logging.getLogger("planbot.slack")

# Each transaction a listener runs may take this long at most, so that a database that does not
# answer is reported in the listener's own reply inside Slack's 3 seconds (see storage.db).
TRANSACTION_SECONDS = 1.8
ANSWER_BY_SECONDS = 2.3  # after which planbot answers for a listener that has not (Slack waits 3 s)
LISTENER_ANSWERS_BY_SECONDS = 2.6  # what a started modal submission has to answer in
PING_SECONDS = 0.3
# What a slash command's reply may carry when it is sent by response_url instead of in the ack.
REPLY_FIELDS = ("text", "blocks", "attachments")
# The longest a request waits for its listener's ack: Bolt's own limit, after which it gives up.
ACK_WAIT_SECONDS = 3.0
TURN_MARGIN_SECONDS = 0.5  # a click waiting for its turn is acked this long before its listener's time is up

Middleware = Callable[[BoltContext, dict[str, Any], Callable[[], BoltResponse]], BoltResponse]


class TimedAck(Ack):
    """The request's ack, knowing when the request arrived and whether its listener started.

    The first answer goes to Slack; a listener that answers after planbot answered for it has
    its answer handed to `late` instead of lost.
    """

    def __init__(self, late: Callable[[BoltResponse], None]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # slack_bolt's Ack.__init__ is unannotated
        self.arrived = time.monotonic()
        self.started = False
        self.gave_up = False  # planbot answered for a listener that had not started: it must not
        self.lock = threading.Lock()
        self.answered = threading.Event()  # set with the first answer (or when the listener ends)
        self._late = late
        self._timer: alarms.Alarm | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        with self.lock:
            if self.response is None:
                if self._timer is not None:
                    self._timer.cancel()
                answer = super().__call__(*args, **kwargs)
                self.answered.set()
                return answer
        answer = Ack()(*args, **kwargs)  # type: ignore[no-untyped-call]  # as above
        self._late(answer)
        return answer

    def start_timer(self, seconds: float, answer: Callable[[], None]) -> None:
        """Call `answer` in `seconds`, on a thread of its own (it may ping the database)."""
        def fire() -> None:
            threading.Thread(target=answer, name="planbot-answer", daemon=True).start()

        with self.lock:
            self._timer = alarms.after(seconds, fire)

    def answer_for(self, **answer: Any) -> None:
        """Answer Slack in the listener's place (the caller holds `lock`)."""
        super().__call__(**answer)
        self.answered.set()


# The ack of the request this thread is dispatching, from the middleware to the executor.
_dispatching = threading.local()


class AnsweringExecutor(Executor):
    """Bolt's listener executor: runs each listener on `inner` and returns once it has been answered.

    Only a submit from the thread that dispatched a request (through `answer_in_time`) waits,
    and only for that request's own ack; any other submit returns at once.
    """

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        ack: TimedAck | None = getattr(_dispatching, "ack", None)
        _dispatching.ack = None
        future = self.inner.submit(fn, *args, **kwargs)
        if ack is not None:
            future.add_done_callback(lambda _: ack.answered.set())  # ended without an ack: Bolt says so
            ack.answered.wait(ACK_WAIT_SECONDS)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait, cancel_futures=cancel_futures)


class Turns:
    """Work after an ack takes a turn before the ack is sent, so that acks keep pace with the
    work behind them.

    A click's change is made after its ack; acked at once, a steady flood of clicks (a load
    generator, or a whole team at a deadline) queued work faster than it was done, and each
    redraw waited behind every click acked before it, for seconds. With `slots` turns, a click
    beyond them waits for one before its ack, at most `most` seconds (and never past the
    listener's share of Slack's 3 s), then goes on all the same: Slack is always answered.
    """

    def __init__(self, slots: int, most: float = 1.0) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.most = most

    @contextmanager
    def acked(self, ack: Ack) -> Iterator[None]:
        """Ack once a turn is had (or the wait is up); the turn ends with the block."""
        waited = max(0.0, min(self.most, seconds_left(ack, self.most) - TURN_MARGIN_SECONDS))
        held = self._slots.acquire(timeout=waited)
        try:
            ack()
            yield
        finally:
            if held:
                self._slots.release()


def start(ack: Ack) -> bool:
    """The listener starts now; False if planbot has already answered for it (then it must not)."""
    if not isinstance(ack, TimedAck):
        return True
    with ack.lock:
        if ack.gave_up:
            return False
        ack.started = True
        return True


def seconds_left(ack: Ack, most: float = TRANSACTION_SECONDS) -> float:
    """How long a listener that answers at the end may still take, at most `most`."""
    if not isinstance(ack, TimedAck):
        return most
    return max(0.05, min(most, ack.arrived + LISTENER_ANSWERS_BY_SECONDS - time.monotonic()))


def _first_input_block(body: dict[str, Any]) -> str | None:
    for block in (body.get("view") or {}).get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def _answer(kind: str, body: dict[str, Any], text: str) -> dict[str, Any]:
    if kind == "view_submission":
        block = _first_input_block(body)
        return {"response_action": "errors", "errors": {block: text}} if block else {}
    return {"text": text, "response_type": "ephemeral"}


def answer_in_time(sessions: Sessions) -> Middleware:
    """A Bolt middleware (the first one) giving every request a `TimedAck` and its deadline."""

    def middleware(context: BoltContext, body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002 - Bolt passes it by this name
        kind = str(body.get("type") or ("slash_command" if body.get("command") else "request"))
        sent: list[str] = []

        def late(answer: BoltResponse) -> None:
            if kind != "slash_command" or not answer.body:
                return
            reply = {k: v for k, v in json.loads(answer.body).items() if k in REPLY_FIELDS}
            respond = context.respond
            if respond is None or reply.get("text") in sent:
                return  # no response_url, or the words the user already has
            try:
                respond(**reply, response_type="ephemeral", replace_original=False)
            except Exception:
                log.exception("could not send a late reply to the user")

        ack = TimedAck(late)

        def answer() -> None:
            with ack.lock:
                if ack.response is not None or (ack.started and kind == "view_submission"):
                    return
                if kind not in ("slash_command", "view_submission"):
                    ack.answer_for()  # its listener acks first thing, and replies by response_url
                    return
                if ack.started:
                    sent.append(texts.STILL_WORKING)
                    ack.answer_for(**_answer(kind, body, texts.STILL_WORKING))
                    return
                ack.gave_up = True
            answering = sessions.ping(PING_SECONDS)
            log.warning("a %s had not started after %.1f s: answered for it (the database %s)", kind,
                        ANSWER_BY_SECONDS, "answers" if answering else "does not answer")
            with ack.lock:
                if ack.response is None:
                    text = texts.TOO_SLOW if answering else texts.DATABASE_NOT_ANSWERING
                    ack.answer_for(**_answer(kind, body, text))

        context["ack"] = ack
        ack.start_timer(ANSWER_BY_SECONDS, answer)
        _dispatching.ack = ack  # Bolt submits this request's listener next, on this thread
        return next()

    return middleware
