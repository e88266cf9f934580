"""A background thread that does one piece of work every so often: the summary scheduler and
the reminders both run on one, inside `planbot serve`."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("planbot.ticking")


class Ticking:
    """Calls `tick()` every `interval` seconds on a thread of its own, until `stop()`.

    A tick that raises is logged and the loop goes on: a database restart must not end it.
    Subclasses give `name` (the thread's and the log's), `interval`, `clock`, `worker` and `tick`.
    """

    name = "planbot"
    interval: float

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> object:
        raise NotImplementedError

    def describe(self) -> str:
        """What the start-up log line says about this runner."""
        return f"checking every {self.interval:g}s"

    def after_tick(self, result: object) -> None:
        """What to log about a tick that went well (nothing, unless a subclass says)."""

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"planbot-{self.name}", daemon=True)
        self._thread.start()
        log.info("%s started %s", self.name, self.describe())

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.after_tick(self.tick())
            except Exception:  # noqa: BLE001 - the loop must outlive a bad tick (a database restart)
                log.exception("%s tick failed", self.name)
            self._stop.wait(self.interval)
