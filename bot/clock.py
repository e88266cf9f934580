"""What time it is: the `Clock` every caller is handed, the real one, and the trial clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def trial_clock(start: datetime | None) -> Clock:
    """The real clock, or one that starts at `start` (PLANBOT_CLOCK_START) and runs on (trials and tests)."""
    if start is None:
        return utc_now
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)
