"""One thread that calls back at deadlines, for the time limits every request sets.

A `threading.Timer` is a new thread per limit, and starting one waits for the thread to be
scheduled: a request that set two limits (its ack's and its transaction's) paid about a
millisecond for each on a busy machine, more than the work it timed. Here a limit is an entry
in a heap; the one thread sleeps until the earliest. A callback must be quick (it delays the
ones after it): one that may wait hands its work to a thread of its own.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("planbot.storage")


class Alarm:
    """A callback due at `when` (time.monotonic()), unless cancelled first."""

    __slots__ = ("callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class AlarmClock:
    def __init__(self, name: str = "planbot-alarms") -> None:
        self._name = name
        self._heap: list[tuple[float, int, Alarm]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def after(self, seconds: float, callback: Callable[[], None]) -> Alarm:
        alarm = Alarm(time.monotonic() + seconds, callback)
        with self._changed:
            heapq.heappush(self._heap, (alarm.when, next(self._order), alarm))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            elif self._heap[0][2] is alarm:
                self._changed.notify()  # earlier than what the thread sleeps until
        return alarm

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._changed.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                _, _, alarm = heapq.heappop(self._heap)
            if alarm.cancelled:
                continue
            try:
                alarm.callback()
            except Exception:
                log.exception("an alarm's callback failed")


_clock = AlarmClock()


def after(seconds: float, callback: Callable[[], None]) -> Alarm:
    """Call `callback` on the alarm thread in `seconds`, unless the returned alarm is cancelled."""
    return _clock.after(seconds, callback)
