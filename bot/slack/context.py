"""What every listener needs, handed to each module's `register(app, deps)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone

from bot.config import Settings
from bot.plan.rules import today_in
from storage.db import Sessions

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessions: Sessions
    clock: Clock = utc_now

    def today(self, timezone_name: str) -> date:
        return today_in(timezone_name, self.clock())
