"""The local Slack (bot/localslack) in its own process, for the benchmark.

`python -m bench.fake` prints `URL <base>`. It accepts any trigger id and response URL (the
benchmark makes them up, one per request, in another process) and keeps only the latest
calls, messages and modals, so a long run does not grow without bound.
`GET /bench/calls` answers how many calls of each method it has had and how many it refused;
`GET /bench/responses` when each response URL was first posted to (epoch seconds), and
forgets them.
"""

from __future__ import annotations

import signal
import sys
import threading

from bench.plans import USER
from bot.localslack import LocalSlack

# More than a measured batch's clicks, so their first-post times outlast the batch.
KEEP = 1_000
TRIGGER_TTL = 60.0  # the benchmark mints its trigger ids long before it sends them


def main() -> int:
    slack = LocalSlack(trigger_ttl=TRIGGER_TTL, accept_any_trigger_id=True, accept_any_response_url=True, keep=KEEP)
    slack.add_user(USER, name="bench", tz="Europe/London")
    slack.add_route("/bench/calls", lambda: {"calls": slack.counts(), "failures": slack.refusal_counts()})
    slack.add_route("/bench/responses", slack.take_first_posts)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with slack:
        print(f"URL {slack.base_url}", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
