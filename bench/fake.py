"""The fake Slack Web API (tests/fakeslack.py) in its own process, for the benchmark.

`python -m bench.fake` prints `URL <base>`. Unlike the test fake it accepts any trigger id and
response URL (the benchmark makes them up, one per request, in another process) and keeps
only the latest calls, messages and modals, so a long run does not grow without bound.
`GET /bench/calls` answers how many calls of each method it has had and how many failed;
`GET /bench/responses` when each response URL was first posted to (epoch seconds), and
forgets them.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from bench.plans import USER
from tests.fakeslack import FakeSlack, _Reply, _ResponseUrl

KEEP_CALLS = 200


class BenchSlack(FakeSlack):
    def __init__(self) -> None:
        super().__init__()
        self.trigger_ttl = 60.0
        self.counts: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.responded: dict[str, float] = {}
        self.add_user(USER, name="bench", tz="Europe/London")

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> _Reply:
        received = time.time()
        url = urlsplit(path)
        if url.path == "/bench/calls":
            with self._lock:
                return _Reply(200, {"calls": dict(self.counts), "failures": dict(self.failures)}, {})
        if url.path == "/bench/responses":
            with self._lock:
                responded, self.responded = self.responded, {}
            return _Reply(200, responded, {})
        if url.path.startswith("/response/"):
            key = url.path.removeprefix("/response/")
            with self._lock:
                self.responded.setdefault(key, received)
                self._response_urls.setdefault(key, _ResponseUrl(time.monotonic(), None, None))
        reply = super()._handle(path, headers, raw)
        with self._lock:
            call = self.calls[-1]
            self.counts[call.method] += 1
            if call.status != 200 or (isinstance(call.response, dict) and not call.response.get("ok", True)):
                self.failures[f"{call.method}: {_error_of(call.response, call.status)}"] += 1
            if len(self.calls) > 2 * KEEP_CALLS:
                del self.calls[:-KEEP_CALLS]
                self._messages.clear()
                homes = set(self._home_views.values())
                self._views = {k: v for k, v in self._views.items() if k in homes}
            self._response_urls.pop(url.path.removeprefix("/response/"), None)
        return reply

    def _views_open(self, args: dict[str, Any], received: float) -> dict[str, Any]:
        with self._lock:
            self._triggers.setdefault(str(args.get("trigger_id") or ""), received)
            return super()._views_open(args, received)


def _error_of(response: Any, status: int) -> str:
    if isinstance(response, dict):
        return str(response.get("error"))
    return f"{status} {response}"


def main() -> int:
    fake = BenchSlack().start()
    print(f"URL {fake.url.removesuffix('/api/')}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
