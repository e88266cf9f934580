"""Time limits share one alarm thread: each callback runs at its time, in time order, unless cancelled."""

from __future__ import annotations

import threading
import time

from storage.alarms import AlarmClock


def test_alarms_ring_in_time_order_and_cancelled_ones_never_ring():
    clock = AlarmClock(name="test-alarms")
    rang: list[str] = []
    done = threading.Event()
    started = time.monotonic()
    clock.after(0.30, lambda: (rang.append("last"), done.set()))
    clock.after(0.20, lambda: rang.append("cancelled")).cancel()
    clock.after(0.05, lambda: rang.append("first"))  # set after a later one, rings before it
    clock.after(0.10, lambda: 1 / 0)  # a failing callback does not stop the others
    clock.after(0.15, lambda: rang.append("second"))
    assert done.wait(5)
    assert rang == ["first", "second", "last"]
    assert time.monotonic() - started >= 0.30
