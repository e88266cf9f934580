"""A request is handed back to Bolt the moment its listener acks, not at Bolt's next 10 ms look
for the ack, while the listener's work after the ack goes on on its own thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.slack.deadline import AnsweringExecutor, TimedAck, answer_in_time


def dispatching(sessions: Any, kind: str = "block_actions") -> TimedAck:
    """Run the deadline middleware for one request on this thread, as Bolt does; its ack."""
    context = BoltContext()
    answer_in_time(sessions)(context, {"type": kind}, lambda: BoltResponse(status=200))
    ack = context["ack"]
    assert isinstance(ack, TimedAck)
    return ack


def test_the_request_is_handed_back_once_acked_while_the_work_after_the_ack_goes_on(sessions):
    executor = AnsweringExecutor(ThreadPoolExecutor(max_workers=2))
    ack = dispatching(sessions)
    release = threading.Event()

    def listener() -> str:
        ack()
        release.wait(10)
        return "the work after the ack"

    future = executor.submit(listener)
    assert ack.response is not None and ack.response.status == 200  # Bolt's first look finds it
    assert not future.done()
    release.set()
    assert future.result(10) == "the work after the ack"


def test_a_listener_that_ends_without_acking_hands_the_request_back_when_it_ends(sessions):
    executor = AnsweringExecutor(ThreadPoolExecutor(max_workers=2))
    ack = dispatching(sessions)

    def failing() -> None:
        raise RuntimeError("before the ack")

    future = executor.submit(failing)
    assert future.done() and ack.response is None  # Bolt's error handler answers, as before
    assert isinstance(future.exception(), RuntimeError)


def test_only_the_dispatching_threads_own_submit_waits(sessions):
    executor = AnsweringExecutor(ThreadPoolExecutor(max_workers=2))
    ack = dispatching(sessions)
    release = threading.Event()
    futures = []
    other = threading.Thread(target=lambda: futures.append(executor.submit(release.wait, 10)))
    other.start()
    other.join(5)
    assert futures and not futures[0].done()  # another thread's submit returned at once
    first = executor.submit(ack)
    assert ack.response is not None and first.done()
    later = executor.submit(release.wait, 10)  # the request was dispatched already: no waiting
    assert not later.done()
    release.set()
    assert futures[0].result(10) and later.result(10)
