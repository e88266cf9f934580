"""What every listener needs, handed to each module's `register(app, deps)`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date

from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.plan.identity import Actor
from bot.plan.rules import today_in
from storage.db import Sessions


class RenderCache:
    """Recently drawn messages, keyed by what they were drawn from (including the plan's
    latest audit event, so any change makes a new key and replicas never serve stale data)."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessions: Sessions
    clock: Clock = utc_now
    rendered: RenderCache = field(default_factory=RenderCache)

    def sessions_for(self, actor: Actor) -> Sessions:
        """Sessions that see only the plans of the workspace the actor's request came through."""
        return self.sessions.scoped(actor.workspace)

    def today(self, timezone_name: str) -> date:
        return today_in(timezone_name, self.clock())
