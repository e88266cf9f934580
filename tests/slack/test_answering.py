"""A request is handed back to Bolt the moment its listener acks, not at Bolt's next 10 ms look
for the ack, while the listener's work after the ack goes on on its own thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.slack.deadline import AnsweringExecutor, TimedAck, Turns, answer_in_time


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


def test_work_after_the_ack_takes_turns_and_a_click_beyond_them_is_acked_once_one_ends(sessions):
    turns = Turns(2, most=5.0)
    first, second, third = dispatching(sessions), dispatching(sessions), dispatching(sessions)
    release = threading.Event()
    started: list[str] = []

    def click(name: str, ack: TimedAck) -> None:
        with turns.acked(ack):
            started.append(name)
            release.wait(10)

    threads = [threading.Thread(target=click, args=(name, ack))
               for name, ack in (("first", first), ("second", second))]
    for thread in threads:
        thread.start()
    assert first.answered.wait(5) and second.answered.wait(5)
    waiting = threading.Thread(target=click, args=("third", third))
    waiting.start()
    assert not third.answered.wait(0.3)  # both turns are taken: its ack waits
    release.set()
    assert third.answered.wait(5)  # acked the moment a turn ended
    for thread in [*threads, waiting]:
        thread.join(10)
    assert sorted(started) == ["first", "second", "third"]


def test_a_click_whose_turn_never_comes_is_acked_in_time_all_the_same(sessions):
    turns = Turns(1, most=0.2)
    holder, late = dispatching(sessions), dispatching(sessions)
    release = threading.Event()

    def hold() -> None:
        with turns.acked(holder):
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holder.answered.wait(5)
    ran: list[bool] = []
    with turns.acked(late):  # waits its 0.2 s, then goes on without a turn
        ran.append(late.response is not None)
    assert ran == [True]
    release.set()
    thread.join(10)
