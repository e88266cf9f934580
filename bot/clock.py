"""The one clock: every command, the Slack app and the scheduler ask it for "now".

Real time, or for trials and tests a clock that starts at `PLANBOT_CLOCK_START` and runs on
from there. "Today" is always a date in a plan's timezone (`bot.plan.rules.today_in`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bot.plan.rules import today_in

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def clock_from(start: datetime | None) -> Clock:
    """The real clock, or one that starts at `start` and runs on at the real pace."""
    if start is None:
        return utc_now
    if start.tzinfo is None:
        raise ValueError("a clock needs an aware start time")
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def today(clock: Clock, timezone: str) -> date:
    """Today in `timezone`, by `clock`."""
    return today_in(timezone, clock())
